"""Key tuples through the bridge (shape checks and digests), without a server."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from aerospike_py import _core
from aerospike_py.exception import InvalidArgError, ParamError

INTEGER, STRING, BLOB = 1, 3, 4


def ripemd160(data: bytes) -> bytes:
    h = hashlib.new("ripemd160")
    h.update(data)
    return h.digest()


def test_known_digest_vectors() -> None:
    # Vectors of the wire-protocol reference (§5.1).
    assert _core._parse_key(("namespace", "set", 0))[4].hex() == (
        "93d943aae37b017ad7e011b0c1d2e2143c2fb37d"
    )
    assert _core._parse_key(("namespace", "set", "s"))[4].hex() == (
        "607cddba7cd111745ef0a3d783d57f0e83c8f311"
    )
    assert _core._parse_key(("test", "demo", "key1"))[4].hex() == (
        "ec91192d4b7f8ce35d5d78d34bca65cbaaaac960"
    )
    assert _core._parse_key(("test", "", "key1"))[4].hex() == (
        "579f05ecf9e6a9e796f4da2ab0b1323364df5c10"
    )
    assert _core._parse_key(("namespace", "set", -(2**63)))[4].hex() == (
        "7185c2a47fb02c996daed26b4e01b83240aee9d4"
    )


def test_key_fields() -> None:
    ns, set_name, key_type, key_bytes, digest = _core._parse_key(("test", "demo", 12345))
    assert (ns, set_name, key_type) == ("test", "demo", INTEGER)
    assert key_bytes == (12345).to_bytes(8, "big")
    assert digest == ripemd160(b"demo" + bytes([INTEGER]) + key_bytes)


def test_bytes_keys_hash_like_aerospike_py() -> None:
    # aerospike-py and the official Python client hash bytes keys as strings.
    _, _, key_type, key_bytes, digest = _core._parse_key(("test", "demo", b"hello"))
    assert key_type == BLOB and key_bytes == b"hello"
    assert digest == ripemd160(b"demo\x03hello")


def test_bytearray_keys_hash_as_blobs() -> None:
    _, _, key_type, _, digest = _core._parse_key(("test", "demo", bytearray(b"hello")))
    assert key_type == BLOB
    assert digest == ripemd160(b"demo\x04hello")


def test_none_set_means_no_set() -> None:
    assert _core._parse_key(("test", None, "key1"))[1] == ""
    assert _core._parse_key(("test", None, "key1"))[4] == _core._parse_key(("test", "", "key1"))[4]


def test_digest_only_key() -> None:
    digest = bytes(range(20))
    assert _core._parse_key(("test", "demo", None, digest))[4] == digest
    assert _core._parse_key(("test", "demo", None, bytearray(digest)))[4] == digest
    # A given digest wins over the user key (the caller knows best).
    assert _core._parse_key(("test", "demo", "k", digest))[4] == digest


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "must be a tuple"),
        ("test", "must be a tuple"),
        (["test", "demo", "k"], "must be a tuple"),
        (("test", "demo"), "2 items"),
        (("test", "demo", "k", None, 1), "5 items"),
        ((1, "demo", "k"), "namespace must be str"),
        (("", "demo", "k"), "namespace must not be empty"),
        (("n" * 32, "demo", "k"), "32 bytes, the limit is 31"),
        (("test", 5, "k"), "set must be str"),
        (("test", "s" * 64, "k"), "64 bytes, the limit is 63"),
        (("test", "demo", None), "no digest"),
        (("test", "demo", 1.5), "not float"),
        (("test", "demo", True), "not bool"),
        (("test", "demo", [1]), "not list"),
        (("test", "demo", 2**63), "64 bits"),
        (("test", "demo", None, b"short"), "20 bytes, got 5"),
        (("test", "demo", None, "x" * 20), "digest must be 20 bytes"),
    ],
)
def test_bad_keys_are_refused(key: Any, message: str) -> None:
    with pytest.raises(ParamError, match=message) as info:
        _core._parse_key(key)
    assert isinstance(info.value, InvalidArgError)
    assert info.value.code == -2


def test_utf8_lengths_count_bytes() -> None:
    # 16 two-byte characters: 32 bytes, over the namespace limit.
    with pytest.raises(ParamError, match="32 bytes"):
        _core._parse_key(("é" * 16, "demo", "k"))
    assert _core._parse_key(("n" * 31, "s" * 63, "k"))[0] == "n" * 31
