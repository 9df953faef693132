"""Front-channel logout: the identity platform ends our sessions of one of its sessions.

When a user signs out at the identity platform (from any app), its signed-out page loads
`/logout/frontchannel?sid=...&iss=...` in a hidden iframe. Every session of ours signed in
through that identity platform session (the ID token's `sid`) ends; nothing else does. The
answer is always 200 with a tiny page: the identity platform ignores anything else, and an
unknown sid is simply nothing to end. nginx lets the identity platform's origin alone frame it.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from flask import Blueprint, Flask
from flask import request as incoming
from flask.typing import ResponseReturnValue

from signin_core.errors import StoreUnavailableError

if TYPE_CHECKING:
    from auth_service.service import AuthService

log = logging.getLogger(__name__)
PATH = "/logout/frontchannel"
ENDPOINT = "front_channel_logout.end"
SID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
ISSUER_MAX_CHARACTERS = 512
PAGE = (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Signed out</title>'
    "</head><body><p>Signed out.</p></body></html>\n"
)


def end(state: AuthService) -> ResponseReturnValue:
    """End the sessions of the identity platform session `sid`; 200 whatever happened."""
    sid = incoming.args.get("sid", "")
    issuer = incoming.args.get("iss", "")[:ISSUER_MAX_CHARACTERS] or None
    ended = 0
    if SID_PATTERN.match(sid):
        try:
            ended = state.session_index.end_identity_session(sid, issuer)
        except StoreUnavailableError:
            log.error("session store unavailable at front-channel logout")
    log.info("front-channel logout ended %d session(s)", ended)
    return PAGE, 200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}


def init_app(app: Flask, state: AuthService) -> None:
    """Install the front-channel logout route."""
    blueprint = Blueprint("front_channel_logout", __name__)
    blueprint.add_url_rule(PATH, endpoint="end", view_func=state.bind(end))
    app.register_blueprint(blueprint)
