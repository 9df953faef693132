"""Settings shared by the services, read from the environment into frozen objects."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

from signin_core.errors import ConfigurationError
from signin_core.identity.client_credentials import read_certificate_credential
from signin_core.identity.clouds import CLOUDS, CloudName, authority_cloud_mismatch
from signin_core.store.redis_urls import parse_redis_url

PLACEHOLDER_MARKERS = ("dev-only", "enter_the_", "changeme", "change-me", "placeholder")
SECRET_FIELDS = (
    "client_secret",
    "redis_password",
    "data_encryption_keys",
    "identity_assertion_key",
)
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
    # The app's credential, exactly one of: a certificate (PEM with key and certificate), a
    # federated token file, a secret (client_credentials.py builds MSAL's form). In this order
    # so that each field's check sees the ones before it, and every problem is named at once.
    client_certificate_password: SecretStr | None = None
    client_certificate_send_chain: bool = False
    client_certificate_path: str | None = Field(default=None, validate_default=True)
    azure_federated_token_file: str | None = None
    client_secret: SecretStr | None = Field(default=None, validate_default=True)
    # The Azure cloud the app is registered in (identity/clouds.py): the Graph base URL's
    # default follows it, and an AUTHORITY on another cloud's host is refused.
    azure_cloud: CloudName = "public"
    authority: str
    instance_discovery: bool = True
    trusted_ca_bundle: str | None = None
    redis_url: str = "redis://localhost:6379/0"
    # The password of REDIS_URL's user, kept out of the URL (REDIS_PASSWORD_FILE for a
    # secret file); a URL that carries a password of its own needs none.
    redis_password: SecretStr | None = None
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
    def _authority_is_https(cls, value: str, info: ValidationInfo) -> str:
        if not value.startswith("https://"):
            raise ValueError(
                "must be an https:// URL such as https://login.microsoftonline.com/<tenant>"
            )
        mismatch = authority_cloud_mismatch(value, info.data.get("azure_cloud", "public"))
        if mismatch is not None:
            raise PydanticCustomError("authority_of_another_cloud", mismatch)
        return value.rstrip("/")

    @model_validator(mode="before")
    @classmethod
    def _graph_follows_the_cloud(cls, data: Any) -> Any:
        """Default GRAPH_BASE_URL (in the services that have it) to AZURE_CLOUD's Graph."""
        if not isinstance(data, dict) or "graph_base_url" not in cls.model_fields:
            return data
        given = {str(key).lower(): value for key, value in data.items()}
        cloud = CLOUDS.get(str(given.get("azure_cloud") or "public").lower())
        if cloud is None or given.get("graph_base_url"):
            return data  # an unknown cloud: the field's own check names it
        return {**data, "graph_base_url": cloud.graph_base_url}

    @field_validator(
        "client_secret",
        "client_certificate_path",
        "client_certificate_password",
        "azure_federated_token_file",
        "redis_password",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("client_certificate_path")
    @classmethod
    def _certificate_is_usable(cls, value: str | None, info: ValidationInfo) -> str | None:
        password: SecretStr | None = info.data.get("client_certificate_password")
        if value is None:
            if password is not None:
                raise PydanticCustomError(
                    "password_without_certificate", "is not set, but CLIENT_CERTIFICATE_PASSWORD is"
                )
            return None
        read_certificate_credential(value, password.get_secret_value() if password else None)
        return value

    @field_validator("azure_federated_token_file")
    @classmethod
    def _token_file_is_readable(cls, value: str | None) -> str | None:
        if value is not None and not os.access(value, os.R_OK):
            raise ValueError(f"cannot read {value}")
        return value

    @field_validator("client_secret")
    @classmethod
    def _exactly_one_credential(cls, value: SecretStr | None, info: ValidationInfo) -> Any:
        others = ("client_certificate_path", "azure_federated_token_file")
        if not all(name in info.data for name in others):
            return value  # another credential variable is wrong; its own check says how
        configured = [name.upper() for name in others if info.data[name] is not None]
        if value is not None:
            configured.insert(0, "CLIENT_SECRET")
        if not configured:
            raise PydanticCustomError(
                "missing_client_credential",
                "is not set, nor CLIENT_CERTIFICATE_PATH, nor AZURE_FEDERATED_TOKEN_FILE: "
                "set one of them",
            )
        if len(configured) > 1:
            raise PydanticCustomError(
                "several_client_credentials",
                " and ".join(configured) + " are set: set only one of CLIENT_SECRET, "
                "CLIENT_CERTIFICATE_PATH, AZURE_FEDERATED_TOKEN_FILE",
            )
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url_is_understood(cls, value: str) -> str:
        parse_redis_url(value)
        return value

    @field_validator("redis_password")
    @classmethod
    def _one_redis_password(cls, value: SecretStr | None, info: ValidationInfo) -> Any:
        url = info.data.get("redis_url")
        if value is not None and url is not None and parse_redis_url(url).password is not None:
            raise PydanticCustomError(
                "two_redis_passwords", "is set, and REDIS_URL carries a password too: keep one"
            )
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
        secrets: list[tuple[str, SecretStr | None]] = [
            (name, getattr(self, name)) for name in SECRET_FIELDS
        ]
        unsafe = [
            name.upper()
            for name, secret in secrets
            if secret is not None and is_placeholder(secret.get_secret_value())
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


GUNICORN_BOOT_ERROR = 3  # gunicorn's arbiter stops, rather than respawning, on this exit code


def load_settings_or_exit(settings_class: type[SettingsT], service_name: str) -> SettingsT:
    """Load settings; on a configuration error print it and stop the whole gunicorn server."""
    try:
        return load_settings(settings_class, service_name)
    except ConfigurationError as error:
        print(error, file=sys.stderr, flush=True)
        raise SystemExit(GUNICORN_BOOT_ERROR) from None
