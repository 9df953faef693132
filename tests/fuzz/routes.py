"""Every route a client can ask through nginx, each with a well-formed request to start from."""

from __future__ import annotations

import json
from dataclasses import dataclass

from tests.fuzz.raw_http import RawRequest

FORM = b"application/x-www-form-urlencoded"
JSON = b"application/json"
SEEDED_TENANT = "5f1e8c2a-3d4b-4e6f-9a7b-0c1d2e3f4a5b"
SEEDED_USER = "0c8a7d1e-2f3b-4a5c-9d6e-1f2a3b4c5d6e"  # the user the fuzz suite signs in
BATCH = json.dumps({"requests": [{"id": "1", "method": "GET", "url": "/me"}]}).encode()


@dataclass(frozen=True)
class Route:
    """A route and the well-formed request the mutations start from."""

    method: str
    target: str
    content_type: bytes | None = None
    body: bytes = b""

    @property
    def name(self) -> str:
        """How the route is named in reports: method and path without the query."""
        return f"{self.method} {self.target.partition('?')[0]}"

    def request(self, host: bytes, cookie: bytes | None) -> RawRequest:
        """The well-formed request, with the Host and, signed in, the session cookie."""
        headers: list[tuple[bytes, bytes]] = [
            (b"Host", host),
            (b"User-Agent", b"fuzz"),
            (b"Accept", b"text/html,application/json;q=0.9,*/*;q=0.8"),
        ]
        if cookie is not None:
            headers.append((b"Cookie", cookie))
        if self.content_type is not None:
            headers.append((b"Content-Type", self.content_type))
        return RawRequest(self.method.encode(), self.target.encode(), tuple(headers), self.body)


# nginx's locations and every route of the services behind them (auth-service, graph-service,
# demo-app, the emulator's pages), static files, internal-only paths and unknown ones.
ROUTES = (
    Route("GET", "/"),
    Route("GET", "/users"),
    Route("GET", "/login?next=/users"),
    Route("GET", "/getAToken?code=fuzz-code&state=fuzz-state"),
    Route("POST", "/getAToken", FORM, b"code=fuzz-code&state=fuzz-state"),
    Route("GET", "/logout"),
    Route("POST", "/logout", FORM, b"csrf_token=fuzz"),
    Route("GET", "/readyz"),
    Route("GET", "/graph/me"),
    Route("GET", "/graph/users?$top=5"),
    Route("GET", "/graph/me/photo"),
    Route("GET", "/graph/me/photo/$value"),
    Route("GET", "/graph/v1.0/me?$select=displayName"),
    Route("GET", "/graph/v1.0/users/00000000-0000-0000-0000-000000000001"),
    Route("POST", "/graph/v1.0/$batch", JSON, BATCH),
    Route("POST", "/graph/$batch", JSON, BATCH),
    Route("GET", "/app/"),
    Route("POST", "/app/form", FORM, b"field=value"),
    Route("GET", "/logout/frontchannel?sid=fuzz-sid&iss=fuzz-issuer"),
    Route("GET", f"/api/sessions/{SEEDED_TENANT}/{SEEDED_USER}"),
    Route("DELETE", f"/api/sessions/{SEEDED_TENANT}/{SEEDED_USER}/fuzz-session", JSON, b"{}"),
    Route("GET", "/healthz"),
    Route("GET", "/_auth/check"),
    Route("GET", "/_edge/error.html"),
    Route("GET", "/static/site.css"),
    Route("GET", "/_emulator/common/oauth2/v2.0/authorize?client_id=fuzz&response_type=code"),
    Route("GET", "/no/such/page"),
)
