"""Helpers for the emulator tests: starting the server, a tiny browser, MSAL builders."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import requests

TENANT_ID = "5f1e8c2a-3d4b-4e6f-9a7b-0c1d2e3f4a5b"
TENANT_DOMAIN = "contoso.example"
CLIENT_ID = "2b7c3e9f-4a1d-4f6e-8b2c-7d5e9a0f1c3b"
CLIENT_SECRET = "dev-only-emulator-client-secret"
AVERY = "avery.chen@contoso.example"
JORDAN = "jordan.patel@contoso.example"
SAM = "sam.rivera@contoso.example"
REDIRECT_URI = "http://localhost:5000/getAToken"


def free_port() -> int:
    """A currently free loopback TCP port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def trusting_session(ca_path: Path) -> requests.Session:
    """A requests session that trusts only the emulator CA and ignores the environment."""
    session = requests.Session()
    session.trust_env = False
    session.verify = str(ca_path)
    return session


@dataclass
class RunningEmulator:
    """A started emulator process and how to reach it."""

    url: str
    state_dir: Path
    process: subprocess.Popen[bytes]
    http: requests.Session

    @property
    def ca_path(self) -> Path:
        """The CA certificate the emulator's TLS certificate chains to."""
        return self.state_dir / "ca.crt"

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call the control API and return its JSON (raising on HTTP errors)."""
        with self.http.request(
            method, f"{self.url}/_control/{path}", timeout=10, **kwargs
        ) as response:
            response.raise_for_status()
            return response.json()

    def counts(self) -> dict[str, Any]:
        """The request counters."""
        result: dict[str, Any] = self.control("GET", "requests")
        return result


def start_emulator(state_dir: Path, extra_env: dict[str, str] | None = None) -> RunningEmulator:
    """Start `python -m ms_emulator serve` and wait until /healthz answers over TLS."""
    port = free_port()
    env = {**os.environ, **(extra_env or {})}
    log = (state_dir.parent / f"{state_dir.name}.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ms_emulator",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--state-dir",
            str(state_dir),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    emulator = RunningEmulator(f"https://127.0.0.1:{port}", state_dir, process, requests.Session())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"emulator exited early with {process.returncode}")
        if emulator.ca_path.exists():
            emulator.http.close()
            emulator.http = trusting_session(emulator.ca_path)
            try:
                with emulator.http.get(f"{emulator.url}/healthz", timeout=2) as response:
                    if response.status_code == 200:
                        return emulator
            except requests.ConnectionError:
                pass
        time.sleep(0.1)
    stop_emulator(emulator)
    raise RuntimeError("emulator did not become healthy")


def stop_emulator(emulator: RunningEmulator) -> None:
    """SIGTERM the emulator and wait for it to exit."""
    emulator.http.close()
    emulator.process.send_signal(signal.SIGTERM)
    try:
        emulator.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        emulator.process.kill()
        emulator.process.wait()


class FormParser(HTMLParser):
    """Collects forms: action, method, hidden inputs and submit buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.scripts: list[str] = []
        self._button: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record forms, hidden inputs, buttons and script sources."""
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {
                    "action": values.get("action", ""),
                    "method": values.get("method", "get").lower(),
                    "hidden": {},
                    "buttons": [],
                }
            )
        elif tag == "input" and values.get("type") == "hidden" and self.forms:
            self.forms[-1]["hidden"][values["name"]] = values.get("value", "")
        elif tag == "button" and self.forms:
            self._button = {
                "name": values.get("name", ""),
                "value": values.get("value", ""),
                "text": "",
            }
            self.forms[-1]["buttons"].append(self._button)
        elif tag == "script" and "src" in values:
            self.scripts.append(values["src"])

    def handle_endtag(self, tag: str) -> None:
        """Close the current button."""
        if tag == "button":
            self._button = None

    def handle_data(self, data: str) -> None:
        """Collect button text."""
        if self._button is not None:
            self._button["text"] += data


def parse_page(html: str) -> FormParser:
    """Parse an HTML page's forms."""
    parser = FormParser()
    parser.feed(html)
    return parser


class EmulatorPagesClient:
    """A minimal browser: cookies, GET/POST, stops at the app's redirect URI."""

    def __init__(self, ca_path: Path) -> None:
        self.session = trusting_session(ca_path)
        self.last_page = ""

    def close(self) -> None:
        """Close the underlying session."""
        self.session.close()

    def fetch(
        self, method: str, url: str, data: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        """Send one request without following redirects; return (status, Location, body)."""
        with self.session.request(
            method, url, data=data, allow_redirects=False, timeout=10
        ) as response:
            return response.status_code, response.headers.get("Location", ""), response.text

    def run(self, url: str, choices: list[tuple[str, str]], stop_prefix: str) -> dict[str, str]:
        """Open url, press the (name, value) buttons in order, return the auth response.

        Stops at a redirect to stop_prefix (query mode) or at a form posting there (form_post).
        """
        method, data, pending = "GET", None, list(choices)
        for _ in range(10):
            status, location, body = self.fetch(method, url, data)
            if status in (301, 302, 303):
                if location.startswith(stop_prefix):
                    return query_of(location)
                url, method, data = urljoin(url, location), "GET", None
                continue
            self.last_page = body
            page = parse_page(body)
            if status == 200 and page.forms and page.forms[0]["action"].startswith(stop_prefix):
                return dict(page.forms[0]["hidden"])
            if status != 200 or not page.forms or not pending:
                raise AssertionError(f"stuck at {status}: {body[:500]}")
            form = page.forms[0]
            name, value = pending.pop(0)
            assert any(b["name"] == name and b["value"] == value for b in form["buttons"]), body
            url = urljoin(url, form["action"])
            method, data = "POST", {**form["hidden"], name: value}
        raise AssertionError("too many steps")


def query_of(location: str) -> dict[str, str]:
    """The query parameters of a redirect location as a flat dict."""
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def random_redirect_uri() -> str:
    """A loopback redirect URI on a random port (the port is ignored when matching)."""
    return f"http://localhost:{free_port()}/getAToken"


def pkce_pair() -> tuple[str, str]:
    """A PKCE (verifier, S256 challenge) pair."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_query(**params: str) -> str:
    """The query string of an /authorize request for the seeded app, with defaults."""
    values = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile offline_access User.Read",
        "state": "state-123",
        "nonce": "nonce-456",
    } | params
    return urlencode(values)


def authorize_url(server: RunningEmulator, tenant: str = TENANT_ID, **params: str) -> str:
    """An /authorize URL on server for the seeded app."""
    return f"{server.url}/{tenant}/oauth2/v2.0/authorize?{authorize_query(**params)}"


def post_token(
    server: RunningEmulator, data: dict[str, str], tenant: str = TENANT_ID, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    """POST to the token endpoint; return (status, JSON body)."""
    with server.http.post(
        f"{server.url}/{tenant}/oauth2/v2.0/token", data=data, timeout=10, **kwargs
    ) as response:
        return response.status_code, response.json()


def graph_get(
    server: RunningEmulator,
    path: str,
    token: str | None,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> requests.Response:
    """GET a Graph path (relative to /v1.0) and return the closed, fully read response."""
    headers = ({"Authorization": f"Bearer {token}"} if token else {}) | (headers or {})
    url = path if path.startswith("https://") else f"{server.url}/v1.0{path}"
    with server.http.get(url, headers=headers, timeout=10, **kwargs) as response:
        response.content  # noqa: B018 - read the body before the connection is released
        return response


def code_for(
    server: RunningEmulator, browser: EmulatorPagesClient, username: str, **params: str
) -> tuple[str, str]:
    """Sign in through the pages with PKCE; return (code, verifier)."""
    verifier, challenge = pkce_pair()
    url = authorize_url(server, code_challenge=challenge, code_challenge_method="S256", **params)
    response = browser.run(url, [("username", username)], REDIRECT_URI)
    return response["code"], verifier


def redeem(
    server: RunningEmulator, code: str, verifier: str, **extra: str
) -> tuple[int, dict[str, Any]]:
    """Redeem a code for the seeded confidential app."""
    return post_token(
        server,
        {
            "grant_type": "authorization_code",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
            "scope": "openid profile offline_access User.Read",
        }
        | extra,
    )


def user_token(
    server: RunningEmulator, browser: EmulatorPagesClient, username: str, **params: str
) -> str:
    """A delegated Graph access token for username (signed in through the pages)."""
    code, verifier = code_for(server, browser, username, **params)
    status, body = redeem(server, code, verifier)
    assert status == 200, body
    return str(body["access_token"])


def app_token(server: RunningEmulator) -> str:
    """An app-only Graph access token for the seeded app."""
    status, body = post_token(
        server,
        {
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scope": "https://graph.microsoft.com/.default",
        },
    )
    assert status == 200, body
    return str(body["access_token"])


def msal_sign_in(
    app: Any,
    browser: EmulatorPagesClient,
    username: str,
    scopes: tuple[str, ...] = ("User.Read",),
    **flow_options: Any,
) -> dict[str, Any]:
    """Run MSAL's auth code flow (form_post by default) through the emulator's pages."""
    redirect_uri = random_redirect_uri()
    flow_options.setdefault("response_mode", "form_post")
    flow = app.initiate_auth_code_flow(list(scopes), redirect_uri=redirect_uri, **flow_options)
    response = browser.run(flow["auth_uri"], [("username", username)], redirect_uri)
    result: dict[str, Any] = app.acquire_token_by_auth_code_flow(flow, response)
    return result


def resolve_to_emulator(monkeypatch: Any, emulator_url: str, hosts: tuple[str, ...]) -> None:
    """Make hosts (on any port) resolve to the emulator's loopback address and port: the name
    resolution of the stand-in host mode, for this test only."""
    real_getaddrinfo = socket.getaddrinfo
    emulator_port = int(emulator_url.rsplit(":", 1)[1])
    names = {host.lower() for host in hosts}

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.lower() in names:
            return real_getaddrinfo("127.0.0.1", emulator_port, *args, **kwargs)
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
