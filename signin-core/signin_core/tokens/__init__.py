"""Users' MSAL token caches: one owner of their whole lifecycle, and the records it keeps."""

from signin_core.tokens.errors import IdentityPlatformUnavailableError, SignInRequiredError
from signin_core.tokens.interface import TokenCacheOwner
from signin_core.tokens.owner import StoredTokenCaches
from signin_core.tokens.records import TokenCacheRecords

__all__ = [
    "IdentityPlatformUnavailableError",
    "SignInRequiredError",
    "StoredTokenCaches",
    "TokenCacheOwner",
    "TokenCacheRecords",
]
