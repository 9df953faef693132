"""Making a signed-in user's stored access tokens expire now, so the next call refreshes."""

from __future__ import annotations

import json
import time

import msal

from native_stack.stack import NativeStack
from tests.support.stack_records import stack_token_caches


def make_access_tokens_expire(stack: NativeStack, home_account_id: str) -> None:
    """Rewrite the user's stored cache with every access token expired: the next call refreshes."""
    caches = stack_token_caches(stack)
    stored = json.loads(caches.load(home_account_id).cache.serialize())
    past = str(int(time.time()) - 60)
    for entry in stored.get("AccessToken", {}).values():
        entry["expires_on"] = entry["extended_expires_on"] = past
        entry.pop("refresh_on", None)
    expired = msal.SerializableTokenCache()
    expired.deserialize(json.dumps(stored))
    caches.write(home_account_id, expired)
