"""Authenticating the client at the token endpoint: secret (post or Basic), certificate or
federated credential."""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote_plus

from ms_emulator.aad_errors import AadError, invalid_request
from ms_emulator.client_assertions import verify_client_assertion
from ms_emulator.directory_models import AppRegistration
from ms_emulator.federated_credentials import is_federated_assertion, verify_federated_assertion
from ms_emulator.state import current_state

JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
PUBLIC_CLIENT, SECRET_CLIENT, CERTIFICATE_CLIENT = "0", "1", "2"


@dataclass(frozen=True)
class AuthenticatedClient:
    """The app that called, and how strongly it proved it (Entra's appidacr)."""

    app: AppRegistration
    strength: str


def invalid_client(code: int, message: str) -> AadError:
    """An invalid_client error (HTTP 401)."""
    return AadError("invalid_client", code, message, status=401)


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """Client id and secret from an HTTP Basic Authorization header, if present."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise invalid_client(7000216, "The Authorization header is not valid Basic auth.") from None
    client_id, _, secret = decoded.partition(":")
    return unquote_plus(client_id), unquote_plus(secret)


def authenticate_client(
    form: Mapping[str, str], authorization: str | None, token_endpoints: tuple[str, ...]
) -> AuthenticatedClient:
    """Identify and authenticate the calling client, or raise Entra's error."""
    basic = basic_credentials(authorization)
    client_id = form.get("client_id") or (basic[0] if basic else "")
    if not client_id:
        raise invalid_request(
            900144, "The request body must contain the following parameter: 'client_id'."
        )
    app = current_state().directory.app(client_id)
    if app is None:
        raise AadError(
            "unauthorized_client",
            700016,
            f"Application with identifier "
            f"'{client_id}' was not found in the directory. This can happen if the "
            "application has not been installed by the administrator of the tenant "
            "or consented to by any user in the tenant.",
        )
    if form.get("client_assertion"):
        if form.get("client_assertion_type") != JWT_BEARER_ASSERTION:
            raise invalid_request(
                7000219, f"The client_assertion_type must be '{JWT_BEARER_ASSERTION}'."
            )
        if is_federated_assertion(form["client_assertion"], app):
            verify_federated_assertion(form["client_assertion"], app)
        else:
            verify_client_assertion(form["client_assertion"], app, token_endpoints)
        return AuthenticatedClient(app, CERTIFICATE_CLIENT)
    secret = form.get("client_secret") or (basic[1] if basic else "")
    if secret:
        if not any(
            hmac.compare_digest(secret.encode(), known.encode()) for known in app.client_secrets
        ):
            raise invalid_client(
                7000215,
                "Invalid client secret provided. Ensure the secret "
                "being sent in the request is the client secret value, not the "
                f"client secret ID, for a secret added to app '{app.client_id}'.",
            )
        return AuthenticatedClient(app, SECRET_CLIENT)
    if app.is_public_client:
        return AuthenticatedClient(app, PUBLIC_CLIENT)
    raise invalid_client(
        7000218,
        "The request body must contain the following parameter: "
        "'client_assertion' or 'client_secret'.",
    )
