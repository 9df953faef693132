"""The long-lived objects a service builds once at start and shares across requests."""

from __future__ import annotations

from dataclasses import dataclass

from signin_core.identity.assertions import IdentityAssertions
from signin_core.identity.msal_client import ConfidentialClientFactory
from signin_core.identity.outbound_http import OutboundSession
from signin_core.settings import IdentitySettings
from signin_core.store.byte_store import RedisByteStore
from signin_core.store.record_cipher import RecordCipher
from signin_core.store.redis_connection import connect_redis
from signin_core.tokens import StoredTokenCaches, TokenCacheRecords
from signin_core.tokens.refresh_lock import RedisRefreshLocks
from signin_core.web.metrics import ServiceMetrics
from signin_core.web.tracing import TRACING_OFF, Tracing


@dataclass(frozen=True)
class SharedResources:
    """Store, cipher, the token cache owner, MSAL clients and assertions of a service."""

    store: RedisByteStore
    cipher: RecordCipher
    tokens: StoredTokenCaches
    clients: ConfidentialClientFactory
    http: OutboundSession
    assertions: IdentityAssertions


def build_shared_resources(
    settings: IdentitySettings, metrics: ServiceMetrics, tracing: Tracing = TRACING_OFF
) -> SharedResources:
    """Create the resources from settings, traced when tracing is on; nothing connects until
    first used."""
    redis_connection = connect_redis(
        settings.redis_url,
        ca_file=settings.redis_ca_file,
        password=settings.redis_password.get_secret_value() if settings.redis_password else None,
    )
    tracing.trace_redis(redis_connection)
    store = RedisByteStore(redis_connection)
    cipher = RecordCipher(settings.encryption_key_texts())
    http = OutboundSession(ca_bundle=settings.trusted_ca_bundle)
    tracing.trace_http_calls(http)
    clients = ConfidentialClientFactory(settings, http)
    records = TokenCacheRecords(
        store, cipher, client_id=settings.client_id, ttl_seconds=settings.token_cache_ttl_seconds()
    )
    # The refresh locks serve the token cache owner alone: refreshes and sign-in merges.
    tokens = StoredTokenCaches(records, RedisRefreshLocks(redis_connection), clients, metrics)
    tracing.trace_token_caches(tokens)
    return SharedResources(
        store=store,
        cipher=cipher,
        tokens=tokens,
        clients=clients,
        http=http,
        assertions=IdentityAssertions(settings.identity_assertion_key.get_secret_value()),
    )
