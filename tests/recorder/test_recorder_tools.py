"""The recorder's own pieces: the pure-Python request builder agrees with the
published digest vectors and with our C++ encoder's golden bytes, templates
round-trip, and recording refuses the embedded server."""

from __future__ import annotations

import pytest

from . import templates, wire
from .record import NotARealServer, server_identity
from .replay import embedded_like_real


@pytest.mark.parametrize(("set_name", "key", "hexdigest"), [
    ("set", 0, "93d943aae37b017ad7e011b0c1d2e2143c2fb37d"),
    ("set", -1, "22116d253745e29fc63fdf760b6e26f7e197e01d"),
    ("set", "", "2819b1ff6e346a43b4f5f6b77a88bc3eaac22a83"),
    ("set", "aaaaaaaaaa", "5979fb32a80da070ff356f7695455592272e36c2"),
    ("set", b"", "327e2877b8815c7aeede0d5a8620d4ef8df4a4b4"),
    ("demo", "key1", "ec91192d4b7f8ce35d5d78d34bca65cbaaaac960"),
    ("", "key1", "579f05ecf9e6a9e796f4da2ab0b1323364df5c10"),
])
def test_digest_vectors(set_name: str, key: object, hexdigest: str) -> None:
    assert wire.digest(set_name, key).hex() == hexdigest


def test_get_request_matches_the_fact_sheet_example() -> None:
    # Wire protocol fact sheet, appendix A.2.
    got = wire.message(wire.Header(info1=wire.READ | wire.GET_ALL, timeout=1000),
                       wire.record_fields("test", "demo", "key1"), [])
    assert got.hex() == (
        "0203000000000041" "160300000000" "00000000" "00000000" "000003e8" "00030000"
        "000000050074657374" "000000050164656d6f"
        "0000001504ec91192d4b7f8ce35d5d78d34bca65cbaaaac960")


def test_msgpack_shapes() -> None:
    assert bytes(wire.pack(wire.OrderedMap((("a", 1),)))) == bytes.fromhex("82c70001c0a2036101")
    assert bytes(wire.pack([5])) == b"\x91\x05"
    assert bytes(wire.pack(-33)) == b"\xd0\xdf"
    assert wire.pack_exp([1, wire.exp_bin(2, "a"), 1]) == bytes.fromhex("930193510 2a16101".replace(" ", ""))


def test_lut_template_round_trip() -> None:
    req = wire.info_request("truncate:namespace=test;set=s;lut=${lut:-100}")
    sent, pairs = templates.expand(req)
    assert b"${" not in sent and len(pairs) == 1
    echoed = wire.proto(sent[8:-1] + b"\tok\n", wire.INFO)
    restored = templates.restore(echoed, pairs)
    assert wire.parse_info(restored) == [("truncate:namespace=test;set=s;lut=${lut:-100}", "ok")]


def test_recording_refuses_the_embedded_server() -> None:
    with embedded_like_real() as (host, port):
        with pytest.raises(NotARealServer):
            server_identity(host, port)
