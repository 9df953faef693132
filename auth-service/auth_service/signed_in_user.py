"""Handing a view the signed-in user, so a route's signature says that it needs one."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import session
from flask.typing import ResponseReturnValue

SessionUser = dict[str, Any]
View = Callable[..., ResponseReturnValue]


def signed_in(otherwise: Callable[[], ResponseReturnValue]) -> Callable[[View], View]:
    """Call the view with `user=` the session's user; without one, answer otherwise()."""

    def decorate(view: View) -> View:
        @wraps(view)
        def with_user(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            user: SessionUser | None = session.get("user")
            if not user:
                return otherwise()
            return view(*args, user=user, **kwargs)

        return with_user

    return decorate
