"""Building app registrations from seed or control-API records."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from ms_emulator.directory_models import AppCertificate, AppRegistration, AppRole
from ms_emulator.federated_credentials import federated_credential_from_record
from ms_emulator.personal_accounts import SIGN_IN_AUDIENCES


def certificate_credential(pem: str) -> AppCertificate:
    """Turn a PEM certificate into a registered credential with its thumbprints."""
    certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
    public_pem = certificate.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return AppCertificate(
        thumbprint_sha1=certificate.fingerprint(hashes.SHA1()).hex().upper(),  # noqa: S303
        thumbprint_sha256=certificate.fingerprint(hashes.SHA256()).hex().upper(),
        public_key_pem=public_pem.decode("ascii"),
    )


def _strings(record: Mapping[str, Any], key: str, fallback: tuple[str, ...]) -> tuple[str, ...]:
    """Read a list of strings from record, or keep fallback when the key is absent."""
    if key not in record:
        return fallback
    values = record[key]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"{key} must be a list of strings")
    return tuple(values)


GROUP_MEMBERSHIP_CLAIMS = ("None", "SecurityGroup", "All")
APP_ROLE_NAMESPACE = uuid.UUID("0d6f4b8e-61c2-4c57-9a3e-2f7d1b5c8e90")


def _choice(record: Mapping[str, Any], key: str, allowed: tuple[str, ...], fallback: str) -> str:
    """Read one of allowed from record, or keep fallback when the key is absent."""
    value = record.get(key, fallback)
    if value not in allowed:
        raise ValueError(f"{key} must be one of {', '.join(allowed)}")
    return str(value)


def _app_roles(
    record: Mapping[str, Any], client_id: str, fallback: tuple[AppRole, ...]
) -> tuple[AppRole, ...]:
    """App roles from [{"value", "id"?, "displayName"?}], ids stable per app and value."""
    if "app_roles" not in record:
        return fallback
    records = record["app_roles"]
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ValueError("app_roles must be a list of objects")
    roles = []
    for role in records:
        value = role.get("value")
        if not isinstance(value, str) or not value.strip() or " " in value:
            raise ValueError("every app role needs a value without spaces")
        default_id = uuid.uuid5(APP_ROLE_NAMESPACE, f"{client_id.lower()}:{value}")
        roles.append(
            AppRole(
                id=str(role.get("id") or default_id),
                value=value,
                display_name=str(role.get("displayName") or value),
            )
        )
    if len({r.value for r in roles}) != len(roles):
        raise ValueError("app role values must be unique")
    return tuple(roles)


def app_from_record(
    record: Mapping[str, Any], tenant_id: str, existing: AppRegistration | None = None
) -> AppRegistration:
    """Create an app registration, or update existing with the fields present in record."""
    client_id = str(record.get("client_id") or (existing.client_id if existing else "")).strip()
    if not client_id:
        raise ValueError("client_id is required")
    base = existing or AppRegistration(
        client_id=client_id, tenant_id=tenant_id, display_name=client_id
    )
    certificates = base.certificates
    if "certificates" in record:
        pems = _strings(record, "certificates", ())
        certificates = tuple(certificate_credential(pem) for pem in pems)
    federated_credentials = base.federated_credentials
    if "federated_credentials" in record:
        records = record["federated_credentials"]
        if not isinstance(records, list):
            raise ValueError("federated_credentials must be a list")
        federated_credentials = tuple(federated_credential_from_record(r) for r in records)
    return AppRegistration(
        client_id=client_id,
        tenant_id=str(record.get("tenant_id") or base.tenant_id),
        display_name=str(record.get("display_name") or base.display_name),
        client_secrets=_strings(record, "client_secrets", base.client_secrets),
        certificates=certificates,
        federated_credentials=federated_credentials,
        redirect_uris=_strings(record, "redirect_uris", base.redirect_uris),
        post_logout_redirect_uris=_strings(
            record, "post_logout_redirect_uris", base.post_logout_redirect_uris
        ),
        application_permissions=_strings(
            record, "application_permissions", base.application_permissions
        ),
        app_roles=_app_roles(record, client_id, base.app_roles),
        group_membership_claims=_choice(
            record,
            "group_membership_claims",
            GROUP_MEMBERSHIP_CLAIMS,
            base.group_membership_claims,
        ),
        sign_in_audience=_choice(
            record, "sign_in_audience", SIGN_IN_AUDIENCES, base.sign_in_audience
        ),
        front_channel_logout_url=_front_channel_logout_url(record, base.front_channel_logout_url),
        spa_redirect_uris=_strings(record, "spa_redirect_uris", base.spa_redirect_uris),
        identifier_uris=_identifier_uris(record, base.identifier_uris),
        api_scopes=_api_scopes(record, base.api_scopes),
    )


def _front_channel_logout_url(record: Mapping[str, Any], fallback: str | None) -> str | None:
    """An absolute http(s) URL, or None (empty clears it), or fallback when absent."""
    if "front_channel_logout_url" not in record:
        return fallback
    value = record["front_channel_logout_url"]
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise ValueError("front_channel_logout_url must be an absolute http(s) URL")
    return value


def _identifier_uris(record: Mapping[str, Any], fallback: tuple[str, ...]) -> tuple[str, ...]:
    """App ID URIs (api://..., https://...), as Entra accepts them: absolute, no fragment."""
    uris = _strings(record, "identifier_uris", fallback)
    for uri in uris:
        if "://" not in uri or "#" in uri or " " in uri or uri.endswith("/"):
            raise ValueError(f"identifier_uris: {uri!r} is not an App ID URI such as api://<id>")
    return uris


def _api_scopes(record: Mapping[str, Any], fallback: tuple[str, ...]) -> tuple[str, ...]:
    """Delegated scopes the app exposes as an API (names without the App ID URI)."""
    scopes = _strings(record, "api_scopes", fallback)
    for scope in scopes:
        if not scope.strip() or any(c in scope for c in " /") or scope.lower() == ".default":
            raise ValueError(f"api_scopes: {scope!r} is not a scope name")
    if len({s.lower() for s in scopes}) != len(scopes):
        raise ValueError("api_scopes must be unique")
    return scopes
