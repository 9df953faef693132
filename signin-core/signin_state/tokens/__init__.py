"""Users' MSAL token caches: one owner of their whole lifecycle, and the records it keeps."""

from signin_state.tokens.errors import IdentityPlatformUnavailableError, SignInRequiredError
from signin_state.tokens.interface import TokenCacheOwner
from signin_state.tokens.owner import StoredTokenCaches
from signin_state.tokens.records import TokenCacheRecords

__all__ = [
    "IdentityPlatformUnavailableError",
    "SignInRequiredError",
    "StoredTokenCaches",
    "TokenCacheOwner",
    "TokenCacheRecords",
]
