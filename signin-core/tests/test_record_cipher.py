"""Authenticated encryption of stored records, and key rotation."""

from __future__ import annotations

import pytest

from signin_core.store.record_cipher import RecordCipher, UndecryptableRecordError

OLD_KEY = "o" * 43
NEW_KEY = "n" * 43


def test_round_trip_and_no_plaintext_in_the_record() -> None:
    cipher = RecordCipher([NEW_KEY])
    secret = b'{"refresh_token": "0.ARsecret-value", "name": "Adele Vance"}'
    sealed = cipher.seal(secret, record_name="key-1")
    assert b"secret-value" not in sealed and b"Adele" not in sealed
    opened = cipher.open(sealed, record_name="key-1")
    assert opened.plaintext == secret and not opened.sealed_with_old_key


def test_record_is_bound_to_its_name() -> None:
    cipher = RecordCipher([NEW_KEY])
    sealed = cipher.seal(b"data", record_name="user-a")
    with pytest.raises(UndecryptableRecordError):
        cipher.open(sealed, record_name="user-b")


def test_tampering_is_detected() -> None:
    cipher = RecordCipher([NEW_KEY])
    sealed = bytearray(cipher.seal(b"data", record_name="k"))
    sealed[-1] ^= 1
    with pytest.raises(UndecryptableRecordError):
        cipher.open(bytes(sealed), record_name="k")


def test_rotation_reads_old_records_and_flags_them() -> None:
    sealed_by_old = RecordCipher([OLD_KEY]).seal(b"data", record_name="k")
    rotated = RecordCipher([NEW_KEY, OLD_KEY])
    opened = rotated.open(sealed_by_old, record_name="k")
    assert opened.plaintext == b"data" and opened.sealed_with_old_key
    resealed = rotated.seal(opened.plaintext, record_name="k")
    assert RecordCipher([NEW_KEY]).open(resealed, record_name="k").plaintext == b"data"


def test_record_from_a_removed_key_is_undecryptable() -> None:
    sealed_by_old = RecordCipher([OLD_KEY]).seal(b"data", record_name="k")
    with pytest.raises(UndecryptableRecordError):
        RecordCipher([NEW_KEY]).open(sealed_by_old, record_name="k")


@pytest.mark.parametrize("garbage", [b"", b"\x01", b"not a record at all", b"\x02" + b"x" * 40])
def test_garbage_is_undecryptable(garbage: bytes) -> None:
    with pytest.raises(UndecryptableRecordError):
        RecordCipher([NEW_KEY]).open(garbage, record_name="k")


@pytest.mark.parametrize("keys", [[], ["short"]])
def test_weak_key_configuration_is_refused(keys: list[str]) -> None:
    with pytest.raises(ValueError):
        RecordCipher(keys)
