"""The baseline app: /login, /getAToken, /logout, /graphcall (Graph /users) and /me.

Shaped as Microsoft's quickstart documents it, costs included: the user's MSAL token cache lives
in a server-side Flask-Session on the filesystem, a new ConfidentialClientApplication (with its
own HTTP session, so its own connections) is built for every request that needs one, and every
Graph call opens a connection of its own.
"""

from __future__ import annotations

from typing import Any

import msal
import requests
from cachelib.file import FileSystemCache
from flask import Flask, redirect, request, session, url_for
from flask_session import Session
from werkzeug.wrappers import Response as WerkzeugResponse

from benchmarks.quickstart_baseline.settings import BaselineSettings


def _http(settings: BaselineSettings) -> requests.Session:
    """A new HTTP session trusting the emulator's CA (REQUESTS_CA_BUNDLE may not override it)."""
    http = requests.Session()
    http.trust_env = False
    http.verify = str(settings.trusted_ca_bundle)
    return http


class QuickstartAuth:
    """The sample's helpers: build an MSAL app, load and save the cache in the session."""

    def __init__(self, settings: BaselineSettings) -> None:
        self.settings = settings

    def msal_app(
        self, http: requests.Session, cache: msal.SerializableTokenCache | None = None
    ) -> msal.ConfidentialClientApplication:
        """A new MSAL client, as the sample builds one per request."""
        return msal.ConfidentialClientApplication(
            self.settings.client_id,
            authority=self.settings.authority,
            client_credential=self.settings.client_secret,
            token_cache=cache,
            http_client=http,
            instance_discovery=False,
        )

    def load_cache(self) -> msal.SerializableTokenCache:
        """The user's token cache from the session."""
        cache = msal.SerializableTokenCache()
        if session.get("token_cache"):
            cache.deserialize(session["token_cache"])
        return cache

    def save_cache(self, cache: msal.SerializableTokenCache) -> None:
        """Write the cache back into the session if MSAL changed it."""
        if cache.has_state_changed:
            session["token_cache"] = cache.serialize()

    def token_from_cache(self, http: requests.Session) -> dict[str, Any] | None:
        """An access token for the scopes, silently (refreshing if needed), or None."""
        cache = self.load_cache()
        client = self.msal_app(http, cache)
        accounts = client.get_accounts()
        if not accounts:
            return None
        result: dict[str, Any] | None = client.acquire_token_silent(
            list(self.settings.scopes), account=accounts[0]
        )
        self.save_cache(cache)
        return result


def create_app(settings: BaselineSettings | None = None) -> Flask:
    """Build the baseline app (settings from the environment when not given)."""
    settings = settings or BaselineSettings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_TYPE="cachelib",
        SESSION_CACHELIB=FileSystemCache(str(settings.session_dir)),
        SESSION_PERMANENT=False,
    )
    Session(app)
    auth = QuickstartAuth(settings)

    @app.get("/")
    def index() -> str:
        """Home: who is signed in, if anyone."""
        user = session.get("user")
        if not user:
            return '<a href="/login">Sign in</a>'
        return f'Signed in as {user.get("name")}. <a href="/graphcall">Call Graph</a>'

    @app.get("/login")
    def login() -> WerkzeugResponse:
        """Start the auth code flow and send the browser to the identity platform."""
        with _http(settings) as http:
            flow = auth.msal_app(http).initiate_auth_code_flow(
                list(settings.scopes), redirect_uri=url_for("authorized", _external=True)
            )
        session["flow"] = flow
        return redirect(flow["auth_uri"])

    @app.get("/getAToken")
    def authorized() -> WerkzeugResponse | tuple[str, int]:
        """The redirect URI: redeem the code, keep the tokens in the session's cache."""
        cache = auth.load_cache()
        with _http(settings) as http:
            result = auth.msal_app(http, cache).acquire_token_by_auth_code_flow(
                session.get("flow", {}), request.args.to_dict()
            )
        if "error" in result:
            return f"Sign-in failed: {result.get('error')}", 400
        session["user"] = result.get("id_token_claims")
        auth.save_cache(cache)
        return redirect(url_for("index"))

    @app.get("/logout")
    def logout() -> WerkzeugResponse:
        """Forget the session and sign out at the identity platform too."""
        session.clear()
        return redirect(
            f"{settings.authority}/oauth2/v2.0/logout"
            f"?post_logout_redirect_uri={url_for('index', _external=True)}"
        )

    def graph(path: str) -> tuple[Any, int]:
        """Call Graph with a token from the cache, on a connection of its own (requests.get)."""
        with _http(settings) as http:
            token = auth.token_from_cache(http)
        if not token or "access_token" not in token:
            return {"error": "not signed in"}, 401
        with _http(settings) as http:
            answer = http.get(
                settings.graph_base_url + path,
                headers={"Authorization": "Bearer " + token["access_token"]},
                timeout=30,
            )
        return answer.json(), answer.status_code

    @app.get("/graphcall")
    def graphcall() -> tuple[Any, int]:
        """Graph /users on the user's behalf."""
        return graph("/users")

    @app.get("/me")
    def me() -> tuple[Any, int]:
        """Graph /me on the user's behalf (the counterpart of the stack's /graph/me)."""
        return graph("/me")

    return app
