"""The token cache owner never refreshes without the user's refresh lock: a caller that cannot
take it in time answers "retry shortly", or uses a fresh token another process stored."""

from __future__ import annotations

from collections.abc import Iterator

import msal
import pytest

from native_stack.stack import NativeStack
from signin_core.identity.msal_client import ConfidentialClientFactory
from signin_core.identity.outbound_http import OutboundSession
from signin_core.settings import IdentitySettings
from signin_core.store.redis_connection import RedisConnection, connect_redis
from signin_core.tokens import IdentityPlatformUnavailableError, StoredTokenCaches
from signin_core.tokens.refresh_lock import RedisRefreshLocks
from signin_core.web.metrics import build_metrics
from tests.resilience.expired_tokens import make_access_tokens_expire
from tests.support.browser import Browser
from tests.support.emulator_control import EmulatorControl
from tests.support.sign_in import sign_in_through
from tests.support.stack_records import home_account_id_of, stack_token_caches

LOCK_WAIT_SECONDS = 1.0
USER_NUMBER = 4  # no other test of the package signs this one in
SCOPES = ["User.Read"]
NOTHING_SPENT = {"redeemed": 0, "reused": 0}


@pytest.fixture
def stack_redis_connection(replicated_stack: NativeStack) -> Iterator[RedisConnection]:
    """A connection to the stack's Redis as the services' user."""
    stack = replicated_stack
    connection = connect_redis(stack.redis_url, password=stack.redis_password)
    yield connection
    connection.close()


@pytest.fixture
def token_owner(
    replicated_stack: NativeStack, stack_redis_connection: RedisConnection
) -> Iterator[StoredTokenCaches]:
    """A token cache owner as graph-service builds it, over the stack's Redis and emulator,
    that waits LOCK_WAIT_SECONDS for a user's lock."""
    stack = replicated_stack
    assert stack.registration is not None
    identity = IdentitySettings(
        **{
            "app_env": "development",  # the emulator's secret is a placeholder
            "client_id": stack.registration.client_id,
            "client_secret": stack.registration.client_secret,
            "authority": f"{stack.emulator_url}/{stack.registration.tenant_id}",
            "instance_discovery": False,
            "trusted_ca_bundle": str(stack.ca_file),
            "data_encryption_keys": stack.data_encryption_keys,
            "identity_assertion_key": stack.identity_assertion_key,
        }  # type: ignore[arg-type]
    )
    http = OutboundSession(ca_bundle=str(stack.ca_file))
    yield StoredTokenCaches(
        stack_token_caches(stack),
        RedisRefreshLocks(stack_redis_connection),
        ConfidentialClientFactory(identity, http),
        build_metrics(),
        refresh_lock_wait_seconds=LOCK_WAIT_SECONDS,
    )
    http.close()


def access_token_secrets(cache: msal.SerializableTokenCache) -> list[str]:
    """The access tokens of a cache."""
    entries = cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)
    return [str(entry["secret"]) for entry in entries]


def test_a_caller_that_cannot_take_the_lock_never_refreshes(
    replicated_stack: NativeStack,
    stack_redis_connection: RedisConnection,
    token_owner: StoredTokenCaches,
) -> None:
    stack = replicated_stack
    assert stack.registration is not None
    username = stack.registration.usernames[USER_NUMBER]
    with Browser() as browser:
        sign_in_through(browser, stack.public_url, username)
        home_account_id = home_account_id_of(stack, browser)
    signed_in = stack_token_caches(stack).load(home_account_id).cache
    make_access_tokens_expire(stack, home_account_id)
    another_process = RedisRefreshLocks(stack_redis_connection)

    with EmulatorControl(stack) as emulator:
        with another_process.hold(home_account_id, wait_seconds=0) as taken:
            assert taken
            # Nothing fresh is stored: retry shortly, with the refresh token left unspent.
            with pytest.raises(IdentityPlatformUnavailableError):
                token_owner.token_for(home_account_id, SCOPES)
            assert emulator.refresh_tokens_spent(username) == NOTHING_SPENT

            # The lock's holder stores a fresh token: a caller still without the lock uses it.
            stack_token_caches(stack).write(home_account_id, signed_in)
            token = token_owner.token_for(home_account_id, SCOPES)
            assert token in access_token_secrets(signed_in)
        assert emulator.refresh_tokens_spent(username) == NOTHING_SPENT
