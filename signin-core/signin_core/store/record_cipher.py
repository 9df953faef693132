"""Authenticated encryption of stored records, with several keys for rotation."""

from __future__ import annotations

import hashlib
import os
import zlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT_VERSION = b"\x01"
KEY_ID_LENGTH = 4
NONCE_LENGTH = 12
MIN_KEY_TEXT_LENGTH = 32


class UndecryptableRecordError(Exception):
    """A stored record could not be decrypted with any configured key."""


@dataclass(frozen=True)
class DecryptedRecord:
    """The plaintext of a record, and whether it was sealed with an older key."""

    plaintext: bytes
    sealed_with_old_key: bool


def _derive_key(key_text: str) -> bytes:
    """Derive a 256-bit AES key from configured key text."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"signin-state-record")
    return hkdf.derive(key_text.encode("utf-8"))


class RecordCipher:
    """Seals records with the first key; opens records sealed with any configured key."""

    def __init__(self, key_texts: list[str]) -> None:
        if not key_texts:
            raise ValueError("at least one encryption key is required")
        for text in key_texts:
            if len(text) < MIN_KEY_TEXT_LENGTH:
                raise ValueError(
                    f"each encryption key must be at least {MIN_KEY_TEXT_LENGTH} characters"
                )
        derived = [_derive_key(text) for text in key_texts]
        self._keys = [
            (hashlib.sha256(key).digest()[:KEY_ID_LENGTH], AESGCM(key)) for key in derived
        ]

    def seal(self, plaintext: bytes, *, record_name: str) -> bytes:
        """Compress and encrypt plaintext, bound to record_name."""
        key_id, aead = self._keys[0]
        nonce = os.urandom(NONCE_LENGTH)
        body = aead.encrypt(nonce, zlib.compress(plaintext), record_name.encode("utf-8"))
        return FORMAT_VERSION + key_id + nonce + body

    def open(self, sealed: bytes, *, record_name: str) -> DecryptedRecord:
        """Decrypt a record sealed by seal(); raise UndecryptableRecordError if impossible."""
        header_length = 1 + KEY_ID_LENGTH + NONCE_LENGTH
        if len(sealed) <= header_length or sealed[:1] != FORMAT_VERSION:
            raise UndecryptableRecordError("unknown record format")
        key_id = sealed[1 : 1 + KEY_ID_LENGTH]
        nonce = sealed[1 + KEY_ID_LENGTH : header_length]
        for index, (candidate_id, aead) in enumerate(self._keys):
            if candidate_id != key_id:
                continue
            try:
                compressed = aead.decrypt(nonce, sealed[header_length:], record_name.encode())
                plaintext = zlib.decompress(compressed)
            except (InvalidTag, zlib.error) as error:
                raise UndecryptableRecordError("record failed authentication") from error
            return DecryptedRecord(plaintext=plaintext, sealed_with_old_key=index > 0)
        raise UndecryptableRecordError("record sealed with a key that is not configured")
