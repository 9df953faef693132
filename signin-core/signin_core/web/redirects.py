"""Redirects on the request's own host are sent relative.

werkzeug writes the Host header the client sent into the Location of the redirects it makes
itself (a missing trailing slash, doubled slashes: 308), so a client that lies about the
host is sent to the host it named. A path needs no host: the browser stays where it is.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response, request


def relative_location(location: str, *, scheme: str, host: str) -> str:
    """location without its scheme and host when they are the request's own, else as it is.

    The path keeps one leading slash: `//elsewhere` or `/\\elsewhere` would name a host.
    """
    parts = urlsplit(location)
    own = (
        bool(host)
        and parts.scheme.lower() == scheme.lower()
        and parts.netloc.lower() == host.lower()
    )
    if not own:
        return location
    path = "/" + parts.path.lstrip("/\\")
    return urlunsplit(("", "", path, parts.query, parts.fragment))


def _relative_redirect(response: Response) -> Response:
    location = response.headers.get("Location")
    if location:
        response.headers["Location"] = relative_location(
            location, scheme=request.scheme, host=request.host
        )
    return response


def init_relative_redirects(app: Flask) -> None:
    """Make every redirect app answers on the request's own host relative."""
    app.after_request(_relative_redirect)
