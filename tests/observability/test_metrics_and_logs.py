"""Metrics on their own port, request ids from nginx to Graph and back, and logs without secrets."""

from __future__ import annotations

import json
import secrets
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from native_stack.ports import free_port
from native_stack.stack import NativeStack
from tests.edge.edge_support import client_from
from tests.edge.lone_edge import LoneEdge, servers
from tests.edge.stand_ins import UnansweredPort
from tests.support.browser import Browser, plain_get
from tests.support.sign_in import callback_of, sign_in_through
from tests.support.stack_records import home_account_id_of, stack_token_caches, token_secrets


def log_lines(stack: NativeStack, name: str) -> list[dict[str, object]]:
    return log_lines_of(stack.run_dir / "logs" / f"{name}.log")


def lines_of_request(
    stack: NativeStack, name: str, request_id: str, *, within_seconds: float = 5.0
) -> list[dict[str, object]]:
    """The log lines of one request, waited for: a server writes its line after the answer's
    last byte, so a client can read the answer before the line is there."""
    deadline = time.monotonic() + within_seconds
    while True:
        found = [line for line in log_lines(stack, name) if line["request_id"] == request_id]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def log_lines_of(path: Path) -> list[dict[str, object]]:
    """The JSON lines of a log (the others are a program's own messages)."""
    return [json.loads(raw) for raw in path.read_text().splitlines() if raw.startswith("{")]


def test_metrics_answer_on_the_metrics_port_only(
    stack: NativeStack, browser: Browser, sign_in: object
) -> None:
    sign_in()  # type: ignore[operator]
    assert browser.get(stack.public_url + "/graph/me").status_code == 200
    graph_metrics = plain_get(f"http://127.0.0.1:{stack.metrics_ports['graph-service']}/metrics")
    assert graph_metrics.status_code == 200
    assert 'http_requests_total{method="GET",route="/healthz",status="200"}' in graph_metrics.text
    auth_metrics = plain_get(f"http://127.0.0.1:{stack.metrics_ports['auth-service']}/metrics")
    assert 'route="/_auth/check"' in auth_metrics.text
    assert plain_get(stack.public_url + "/metrics").status_code == 404
    assert plain_get(f"http://127.0.0.1:{stack.auth_port}/metrics").status_code == 404


def test_graph_metrics_count_calls_and_cache_hits(
    stack: NativeStack, browser: Browser, sign_in: object
) -> None:
    sign_in()  # type: ignore[operator]
    for _ in range(3):
        assert browser.get(stack.public_url + "/graph/me").status_code == 200
    text = plain_get(f"http://127.0.0.1:{stack.metrics_ports['graph-service']}/metrics").text
    calls = [
        line for line in text.splitlines() if line.startswith('graph_calls_total{status="200"}')
    ]
    assert calls and float(calls[0].split()[-1]) >= 3
    assert 'token_cache_events_total{event="hit"}' in text


def test_request_id_travels_from_nginx_to_graph_and_back(
    stack: NativeStack, browser: Browser, sign_in: object
) -> None:
    sign_in()  # type: ignore[operator]
    answer = browser.get(stack.public_url + "/graph/me")
    request_id = answer.headers["X-Request-Id"]
    assert len(request_id) == 32
    r = request_id
    guid = f"{r[:8]}-{r[8:12]}-{r[12:16]}-{r[16:20]}-{r[20:]}"
    assert answer.headers["client-request-id"] == guid  # Graph echoed what graph-service sent
    graph_lines = lines_of_request(stack, "graph-service", request_id)
    [request_line] = graph_lines  # one line per request, the Graph call noted on it
    assert request_line["message"] == "request" and request_line["path"] == "/graph/me"
    assert request_line["graph_status"] == 200
    assert request_line["graph_client_request_id"] == guid
    assert request_line["graph_request_id"] == answer.headers["request-id"]
    nginx_lines = lines_of_request(stack, "nginx", request_id)
    assert nginx_lines and nginx_lines[0]["path"] == "/graph/me"


def secrets_of_a_session(stack: NativeStack, browser: Browser) -> list[str]:
    """Everything secret this sign-in produced: cookie, code, tokens, keys."""
    assert stack.registration is not None
    landed = sign_in_through(browser, stack.public_url, stack.registration.usernames[4])
    _, answer = callback_of(landed)
    found = [
        browser.http.cookies["signin_session"],
        answer["code"],
        answer["state"],
        stack.registration.client_secret,
        stack.data_encryption_keys,
        stack.identity_assertion_key,
        stack.redis_password,
    ]
    assert browser.get(stack.public_url + "/graph/me").status_code == 200
    caches = stack_token_caches(stack)
    signed_in = {home_account_id_of(stack, browser)}
    with stack.redis_client() as client:  # every user's tokens on the stack, this one's too
        for key in client.scan_iter("signin:{user:*}:tokencache:*"):
            signed_in.add(key.decode().split("{user:")[1].split("}")[0])
    for home_account_id in signed_in:
        found.extend(token_secrets(caches.load(home_account_id).cache))
    return found


def test_no_secret_reaches_a_log(stack: NativeStack, browser: Browser) -> None:
    secrets = secrets_of_a_session(stack, browser)
    assert len(secrets) >= 7
    confirm = browser.get(stack.public_url + "/logout")
    browser.submit(confirm, label="Sign out")
    logs: list[Path] = [
        path for path in (stack.run_dir / "logs").glob("*.log") if path.stem != "emulator"
    ]
    assert {"auth-service", "graph-service", "nginx"} <= {path.stem for path in logs}
    for path in logs:
        text = path.read_text(errors="replace")
        for secret in secrets:
            assert secret not in text, f"a secret of {len(secret)} characters is in {path.name}"


def callback_attempt(
    edge: LoneEdge, source: str, method: str, code: str, state: str
) -> requests.Response:
    """The identity platform's redirect back, as a GET with a query or a form POST."""
    referer = f"https://login.example/authorize?state={state}&client_id=x"
    with client_from(source) as client:
        if method == "GET":
            return client.get(
                f"{edge.url}/getAToken?code={code}&state={state}",
                headers={"Referer": referer},
                timeout=30,
            )
        return client.post(
            edge.url + "/getAToken",
            data={"code": code, "state": state},
            headers={"Referer": referer},
            timeout=30,
        )


def test_no_code_reaches_a_log_when_the_callback_is_limited_or_fails(tmp_path: Path) -> None:
    # nginx alone, in front of an auth-service that is down (502; and a limit of one
    # callback a minute with a burst of one: the third is 429) or that never answers (504
    # once the connection times out).
    unanswered = UnansweredPort()
    down = LoneEdge(
        tmp_path / "down",
        {
            "AUTH_SERVICE_SERVERS": servers(free_port()),
            "GRAPH_SERVICE_SERVERS": servers(free_port()),
            "SIGN_IN_RATE_LIMIT": "1r/m",
            "SIGN_IN_RATE_BURST": "1",
        },
    )
    stuck = LoneEdge(
        tmp_path / "stuck",
        {
            "AUTH_SERVICE_SERVERS": servers(unanswered.port),
            "GRAPH_SERVICE_SERVERS": servers(unanswered.port),
        },
    )
    codes = {method: "0.AXcode" + secrets.token_urlsafe(24) for method in ("GET", "POST")}
    states = {method: "state" + secrets.token_urlsafe(16) for method in ("GET", "POST")}
    statuses: dict[str, list[int]] = {}
    try:
        down.start()
        stuck.start()
        for method, source in (("GET", "127.0.0.11"), ("POST", "127.0.0.12")):
            statuses[method] = [
                callback_attempt(down, source, method, codes[method], states[method]).status_code
                for _ in range(3)
            ]
        with ThreadPoolExecutor(2) as pool:
            timed_out = pool.map(
                lambda method: callback_attempt(
                    stuck, "127.0.0.13", method, codes[method], states[method]
                ),
                ("GET", "POST"),
            )
            for method, answer in zip(("GET", "POST"), timed_out, strict=True):
                statuses[method].append(answer.status_code)
    finally:
        down.stop()
        stuck.stop()
        unanswered.close()
    assert statuses == {"GET": [502, 502, 429, 504], "POST": [502, 502, 429, 504]}
    for edge in (down, stuck):
        text = edge.log_path.read_text(errors="replace")
        for secret in (*codes.values(), *states.values()):
            assert secret not in text, f"a code or state is in {edge.log_path}:\n{text[-2000:]}"
    # What went wrong is still there: each access-log line names the client's method and
    # path, and the upstream's answer.
    logged = sorted(
        (line["method"], line["status"], line["upstream_status"])
        for edge in (down, stuck)
        for line in log_lines_of(edge.log_path)
        if line["path"] == "/getAToken"
    )
    assert logged == sorted(
        (method, status, "" if status == 429 else str(status))
        for method in ("GET", "POST")
        for status in (502, 502, 429, 504)
    )


def test_what_gunicorn_refuses_is_logged_as_json_without_its_query(stack: NativeStack) -> None:
    """A request gunicorn itself cannot read never reaches the app's request log: gunicorn logs
    it, and its line quoted the request line, query and all."""
    secret = "code-" + "s3cr3t" * 6
    log = stack.run_dir / "logs" / "auth-service.log"
    before = len(log.read_text().splitlines())
    for raw in (
        f"GET /getAToken?code={secret} HTTP/1.1\r\nHost: x\r\nBad\x01Header: 1\r\n\r\n",
        f"GET /getAToken?code={secret} HTTP/9.9\r\nHost: x\r\n\r\n",
        f"GET /getAToken?code={secret}\x01 HTTP/1.1\r\nHost: x\r\n\r\n",
    ):
        with socket.create_connection(("127.0.0.1", stack.auth_port), timeout=5) as connection:
            connection.sendall(raw.encode("latin-1"))
            assert connection.recv(200).startswith(b"HTTP/1.1 4")
    deadline = time.monotonic() + 5
    while len(log.read_text().splitlines()) < before + 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    written = log.read_text().splitlines()[before:]
    assert len(written) >= 3, written
    assert all(line.startswith("{") for line in written), written
    assert all(json.loads(line)["service"] == "auth-service" for line in written)
    assert not any(secret in line for line in written), written
