"""Merging two serialized MSAL token caches (the documented unified cache JSON)."""

from __future__ import annotations

import json

import msal


def merge_token_caches(
    older: msal.SerializableTokenCache, newer: msal.SerializableTokenCache
) -> msal.SerializableTokenCache:
    """Return a cache holding every entry of both; entries of newer win on the same key."""
    merged_data = json.loads(older.serialize() or "{}")
    for section, entries in json.loads(newer.serialize() or "{}").items():
        if isinstance(entries, dict):
            merged_data.setdefault(section, {}).update(entries)
    merged = msal.SerializableTokenCache()
    merged.deserialize(json.dumps(merged_data))
    return merged
