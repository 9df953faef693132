"""OData query options for user collections: $select, $top, $skiptoken."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from ms_emulator.directory_models import (
    DEFAULT_USER_PROPERTIES,
    EXTRA_USER_PROPERTIES,
    User,
)
from ms_emulator.graph_errors import bad_request

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 999
UNSUPPORTED_OPTIONS = ("$filter", "$search", "$orderby", "$expand", "$count", "$skip")
KNOWN_PROPERTIES = {name.lower(): name for name in DEFAULT_USER_PROPERTIES + EXTRA_USER_PROPERTIES}


def reject_unsupported(args: Mapping[str, str]) -> None:
    """400 for query options the emulator does not implement (rather than ignoring them)."""
    for option in UNSUPPORTED_OPTIONS:
        if option in args:
            raise bad_request(
                f"The emulator does not support the '{option}' query option.",
                "Request_UnsupportedQuery",
            )


def parse_select(raw: str | None) -> list[str] | None:
    """Canonical property names from $select (None means Graph's default set)."""
    if raw is None or not raw.strip():
        return None
    names = []
    for part in raw.split(","):
        name = KNOWN_PROPERTIES.get(part.strip().lower())
        if name is None:
            raise bad_request(
                f"Could not find a property named '{part.strip()}' on type "
                "'Microsoft.DirectoryServices.User'.",
                "Request_BadRequest",
            )
        names.append(name)
    return list(dict.fromkeys(names))


def parse_top(raw: str | None) -> int | None:
    """The page size asked for with $top (1 to 999)."""
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise bad_request(
            f"Invalid page size specified: '{raw}'. Must be between 1 and "
            f"{MAX_PAGE_SIZE} inclusive.",
            "Request_BadRequest",
        )
    return value


def encode_skiptoken(offset: int) -> str:
    """An opaque $skiptoken for the page starting at offset."""
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def parse_skiptoken(raw: str | None) -> int:
    """The offset a $skiptoken points at (0 when absent)."""
    if not raw:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))["o"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise bad_request("Invalid $skiptoken.", "Request_BadRequest") from None
    if not isinstance(offset, int) or offset < 0:
        raise bad_request("Invalid $skiptoken.", "Request_BadRequest")
    return offset


def project(user: User, select: list[str] | None) -> dict[str, Any]:
    """The user's representation: the default property set or the selected properties."""
    values = user.graph_properties()
    names = select if select is not None else list(DEFAULT_USER_PROPERTIES)
    return {name: values.get(name) for name in names}


def select_suffix(select: list[str] | None) -> str:
    """The "(a,b)" part Graph puts after the entity set in @odata.context."""
    return f"({','.join(select)})" if select else ""
