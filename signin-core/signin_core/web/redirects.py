"""Redirects on the request's own host, or the app's public one, are sent relative.

werkzeug writes the Host header the client sent (or SERVER_NAME, when an app sets it) into
the Location of the redirects it makes itself (a missing trailing slash, doubled slashes:
308), so a client that lies about the host is sent to the host it named. A path needs no
host: the browser stays where it is.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response, current_app, request


def relative_location(location: str, *, scheme: str, host: str, public_host: str = "") -> str:
    """location without its scheme and host when they are the request's own (or the public
    host the app builds its URLs for), else as it is.

    The path keeps one leading slash: `//elsewhere` or `/\\elsewhere` would name a host.
    """
    parts = urlsplit(location)
    own_hosts = {name.lower() for name in (host, public_host) if name}
    own = parts.scheme.lower() == scheme.lower() and parts.netloc.lower() in own_hosts
    if not own:
        return location
    path = "/" + parts.path.lstrip("/\\")
    return urlunsplit(("", "", path, parts.query, parts.fragment))


def _relative_redirect(response: Response) -> Response:
    location = response.headers.get("Location")
    if location:
        response.headers["Location"] = relative_location(
            location,
            scheme=request.scheme,
            host=request.host,
            public_host=str(current_app.config.get("SERVER_NAME") or ""),
        )
    return response


def init_relative_redirects(app: Flask) -> None:
    """Make every redirect app answers on the request's own host relative."""
    app.after_request(_relative_redirect)
