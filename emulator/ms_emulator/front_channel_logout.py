"""Front-channel logout: what the signed-out page frames, and where sign-out returns to.

When a user signs out at the logout endpoint, Entra's signed-out page loads, in hidden
iframes, the front-channel logout URL of every app the browser session signed in to, with
the session's `sid` (the one in its ID tokens) and `iss`. Each app ends its own sessions.
The app that asked for the sign-out (client_id or id_token_hint) is not framed: it ended its
own session before sending the browser here.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from ms_emulator.browser_sessions import BrowserSession, public_session_id
from ms_emulator.redirect_uris import is_registered, with_parameters
from ms_emulator.state import current_state
from ms_emulator.tenant_resolution import id_token_issuer


def front_channel_urls(session: BrowserSession | None, initiator: str | None) -> list[str]:
    """The front-channel logout URL, with sid and iss, of each app the session signed in to
    but the initiator."""
    if session is None:
        return []
    directory = current_state().directory
    sid = public_session_id(session.id)
    urls: list[str] = []
    for user_id, client_ids in sorted(session.apps.items()):
        user = directory.user(user_id)
        for client_id in sorted(client_ids - {(initiator or "").lower()}):
            app = directory.app(client_id)
            if app is None or not app.front_channel_logout_url or user is None:
                continue
            issuer = session.issuers.get(user_id) or id_token_issuer(user.tenant_id)
            url = with_parameters(app.front_channel_logout_url, {"sid": sid, "iss": issuer})
            if url not in urls:
                urls.append(url)
    return urls


def frame_sources(urls: list[str]) -> str:
    """The origins of urls, for the signed-out page's frame-src."""
    origins = []
    for url in urls:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in origins:
            origins.append(origin)
    return " ".join(origins)


def return_address(
    params: Mapping[str, str], client_id: str | None, session: BrowserSession | None
) -> str | None:
    """Where the browser goes after signing out, or None for the signed-out page.

    With a client (client_id or id_token_hint), post_logout_redirect_uri must be one of its
    post-logout URIs. Without one (Microsoft's quickstart sends post_logout_redirect_uri
    alone), Microsoft documents that the URI "must match one of the redirect URIs registered
    for your application": the emulator accepts it when it is a redirect or post-logout URI of
    an app this browser session signed in to, and shows the signed-out page otherwise.
    """
    target = params.get("post_logout_redirect_uri", "")
    if not target:
        return None
    directory = current_state().directory
    if client_id:
        app = directory.app(client_id)
        allowed = list(app.post_logout_redirect_uris) if app else []
    else:
        signed_in_to = {
            c for clients in (session.apps if session else {}).values() for c in clients
        }
        apps = [a for a in (directory.app(c) for c in sorted(signed_in_to)) if a is not None]
        allowed = [uri for a in apps for uri in (*a.redirect_uris, *a.post_logout_redirect_uris)]
    if not is_registered(target, allowed):
        return None
    state_param = params.get("state")
    return with_parameters(target, {"state": state_param}) if state_param else target
