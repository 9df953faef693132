"""Settings shared by the services, read from the environment into frozen objects."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from signin_state.errors import ConfigurationError

PLACEHOLDER_MARKERS = ("dev-only", "enter_the_", "changeme", "change-me", "placeholder")
SECRET_FIELDS = ("client_secret", "data_encryption_keys", "identity_assertion_key")


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
    data_encryption_keys: SecretStr
    identity_assertion_key: SecretStr
    session_idle_seconds: int = 24 * 3600
    session_max_seconds: int = 7 * 24 * 3600

    @field_validator("authority")
    @classmethod
    def _authority_is_https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError(
                "must be an https:// URL such as https://login.microsoftonline.com/<tenant>"
            )
        return value.rstrip("/")

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
