"""An app of your own behind the stack: no sign-in code, no secrets, only request headers.

nginx lets only signed-in users through to it and says who they are in X-User-Name,
X-User-Email, X-User-Id and X-User-Tenant (printable ASCII as is, anything else
percent-encoded UTF-8); no client can set those. A plain WSGI app with nothing but the
standard library, served by gunicorn (see Dockerfile), so that it stands for any web app.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable
from urllib.parse import unquote

StartResponse = Callable[[str, list[tuple[str, str]]], object]
IDENTITY_HEADERS = {
    "name": "HTTP_X_USER_NAME",
    "email": "HTTP_X_USER_EMAIL",
    "id": "HTTP_X_USER_ID",
    "tenant": "HTTP_X_USER_TENANT",
}


def signed_in_user(environ: dict[str, str]) -> dict[str, str]:
    """Who nginx says the user is, decoded."""
    return {key: unquote(environ.get(header, "")) for key, header in IDENTITY_HEADERS.items()}


def application(environ: dict[str, str], start_response: StartResponse) -> Iterable[bytes]:
    """Greet the signed-in user, as a page or, for `Accept: application/json`, as JSON."""
    if environ.get("PATH_INFO") == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok\n"]
    user = signed_in_user(environ)
    if "application/json" in environ.get("HTTP_ACCEPT", ""):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"app": "your-app", "user": user}).encode()]
    page = (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Your app</title>"
        f"<h1>Hello, {html.escape(user['name'])}</h1>"
        f"<p>Signed in as {html.escape(user['email'])}. <a href=/logout>Sign out</a></p>"
    )
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [page.encode()]
