"""Settings shared by the services, read from the environment into frozen objects."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from signin_state.errors import ConfigurationError
from signin_state.redis_urls import parse_redis_url

PLACEHOLDER_MARKERS = ("dev-only", "enter_the_", "changeme", "change-me", "placeholder")
SECRET_FIELDS = ("client_secret", "data_encryption_keys", "identity_assertion_key")
DAY_SECONDS = 24 * 3600
# Entra ID's refresh tokens die after 90 days without use; every use issues a new one.
ENTRA_REFRESH_TOKEN_INACTIVITY_SECONDS = 90 * DAY_SECONDS


def is_placeholder(value: str) -> bool:
    """Return True for an empty value or one that is plainly not a real secret."""
    lowered = value.strip().lower()
    return not lowered or any(marker in lowered for marker in PLACEHOLDER_MARKERS)


class IdentitySettings(BaseSettings):
    """What every service needs to reach the identity platform, Redis and shared secrets."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore", case_sensitive=False)

    app_env: Literal["development", "production"] = "production"
    client_id: str
    client_secret: SecretStr
    authority: str
    instance_discovery: bool = True
    trusted_ca_bundle: str | None = None
    redis_url: str = "redis://localhost:6379/0"
    redis_ca_file: str | None = None
    data_encryption_keys: SecretStr
    identity_assertion_key: SecretStr
    # Sliding: a session unused this long ends (a workday plus the night; Entra's own
    # browser session usually signs the user back in without a prompt the next day).
    session_idle_seconds: int = DAY_SECONDS
    # Absolute: a sign-in lasts at most this long however busy (a week, so account and
    # policy changes reach every session even when continuous access evaluation cannot).
    session_max_seconds: int = 7 * DAY_SECONDS
    # Sliding: a token cache not written for this long is dropped; its refresh token is dead.
    token_cache_idle_seconds: int = ENTRA_REFRESH_TOKEN_INACTIVITY_SECONDS

    @field_validator("authority")
    @classmethod
    def _authority_is_https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError(
                "must be an https:// URL such as https://login.microsoftonline.com/<tenant>"
            )
        return value.rstrip("/")

    @field_validator("redis_url")
    @classmethod
    def _redis_url_is_understood(cls, value: str) -> str:
        parse_redis_url(value)
        return value

    @field_validator("session_idle_seconds", "session_max_seconds", "token_cache_idle_seconds")
    @classmethod
    def _lifetime_is_positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("must be a positive number of seconds")
        return value

    @model_validator(mode="after")
    def _idle_within_absolute(self) -> IdentitySettings:
        if self.session_idle_seconds > self.session_max_seconds:
            raise ValueError("SESSION_IDLE_SECONDS must not exceed SESSION_MAX_SECONDS")
        return self

    @model_validator(mode="after")
    def _no_placeholders_outside_development(self) -> IdentitySettings:
        if self.app_env == "development":
            return self
        unsafe = [
            name.upper()
            for name in SECRET_FIELDS
            if is_placeholder(getattr(self, name).get_secret_value())
        ]
        if is_placeholder(self.client_id):
            unsafe.insert(0, "CLIENT_ID")
        if unsafe:
            raise ValueError(
                "placeholder value outside development (APP_ENV=production) for: "
                + ", ".join(unsafe)
            )
        return self

    @property
    def is_development(self) -> bool:
        """True when APP_ENV=development."""
        return self.app_env == "development"

    def token_cache_ttl_seconds(self) -> int:
        """How long a token cache lives after each write: no session outlives it, nor its token."""
        return min(self.token_cache_idle_seconds, self.session_max_seconds)

    def encryption_key_texts(self) -> list[str]:
        """The configured data-encryption keys, newest first."""
        raw = self.data_encryption_keys.get_secret_value()
        return [key.strip() for key in raw.split(",") if key.strip()]


SettingsT = TypeVar("SettingsT", bound=BaseSettings)


def _values_from_files(settings_class: type[BaseSettings]) -> dict[str, Any]:
    """Read NAME_FILE variables (the Docker secrets convention) into values for NAME."""
    values: dict[str, Any] = {}
    for name in settings_class.model_fields:
        path = os.environ.get(f"{name.upper()}_FILE")
        if path:
            try:
                values[name] = Path(path).read_text(encoding="utf-8").strip()
            except OSError as error:
                raise ConfigurationError(
                    f"{name.upper()}_FILE: cannot read {path}: {error}"
                ) from error
    return values


def load_settings(settings_class: type[SettingsT], service_name: str) -> SettingsT:
    """Build settings from the environment or raise ConfigurationError naming each variable."""
    try:
        return settings_class(**_values_from_files(settings_class))
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            variable = ".".join(str(part) for part in problem["loc"]).upper() or "configuration"
            message = "is not set" if problem["type"] == "missing" else problem["msg"]
            lines.append(f"  {variable}: {message}")
        raise ConfigurationError(
            f"{service_name} cannot start, fix these environment variables:\n" + "\n".join(lines)
        ) from None
