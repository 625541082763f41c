"""Bin values through the bridge's codec, without a server.

``_core._encode_value`` is the exact code path of a write (Python value to
particle type and bytes); ``_core._decode_value`` the exact path of a read.
"""

from __future__ import annotations

import math
import struct
from typing import Any

import pytest

from aerospike_py import _core
from aerospike_py.exception import InvalidArgError, ParamError
from aerospike_py.types import GeoJSON, HyperLogLog, KeyOrderedDict, TypedBlob

INTEGER, FLOAT, STRING, BLOB, BOOL, HLL, MAP, LIST, GEO = 1, 2, 3, 4, 17, 18, 19, 20, 23


def roundtrip(value: Any) -> Any:
    particle, data = _core._encode_value(value)
    return _core._decode_value(particle, data)


@pytest.mark.parametrize(
    "value",
    [
        0,
        1,
        -1,
        2**63 - 1,
        -(2**63),
        1.5,
        -0.0,
        float("inf"),
        "",
        "héllo wörld ✓",
        b"",
        b"\x00\xff" * 100,
        True,
        False,
        [],
        [1, "a", b"b", 2.5, None, True, [1, [2, [3]]]],
        {},
        {"a": 1, "b": {"c": [1, 2, {"d": None}]}},
        {1: "int key", "s": "str key", b"b": "bytes key"},
    ],
)
def test_roundtrip_keeps_value_and_type(value: Any) -> None:
    back = roundtrip(value)
    assert back == value
    assert type(back) is type(value)


def test_particle_types_of_plain_values() -> None:
    assert _core._encode_value(7) == (INTEGER, struct.pack(">q", 7))
    assert _core._encode_value(2.0) == (FLOAT, struct.pack(">d", 2.0))
    assert _core._encode_value("x") == (STRING, b"x")
    assert _core._encode_value(b"x") == (BLOB, b"x")
    assert _core._encode_value(bytearray(b"x")) == (BLOB, b"x")
    assert _core._encode_value(True) == (BOOL, b"\x01")
    assert _core._encode_value(False) == (BOOL, b"\x00")
    assert _core._encode_value(None) == (0, b"")
    assert _core._encode_value([1])[0] == LIST
    assert _core._encode_value((1,))[0] == LIST
    assert _core._encode_value({"a": 1})[0] == MAP


def test_nan_survives() -> None:
    assert math.isnan(roundtrip(float("nan")))


def test_tuple_is_written_as_list() -> None:
    assert roundtrip((1, (2, 3))) == [1, [2, 3]]


def test_dict_keeps_insertion_order() -> None:
    value = {"z": 1, "a": 2, "m": 3}
    assert list(roundtrip(value)) == ["z", "a", "m"]


def test_int_subclasses_and_index_objects_are_ints() -> None:
    import enum

    class Color(enum.IntEnum):
        RED = 3

    assert _core._encode_value(Color.RED) == (INTEGER, struct.pack(">q", 3))

    class Index:
        def __index__(self) -> int:
            return 42

    assert _core._encode_value(Index()) == (INTEGER, struct.pack(">q", 42))


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**30])
def test_int_beyond_64_bits_is_a_clear_error(value: int) -> None:
    with pytest.raises(InvalidArgError, match="64 bits"):
        _core._encode_value(value)


def test_uint64_inside_a_list_is_kept() -> None:
    assert roundtrip([2**64 - 1]) == [2**64 - 1]


@pytest.mark.parametrize("value", [object(), {1, 2}, 1 + 2j, print])
def test_unsupported_types_are_refused(value: Any) -> None:
    with pytest.raises(ParamError, match="unsupported value type"):
        _core._encode_value(value)
    with pytest.raises(ParamError, match="unsupported value type"):
        _core._encode_value([1, value])


def test_unencodable_str_is_refused() -> None:
    with pytest.raises(InvalidArgError, match="UTF-8"):
        _core._encode_value("\ud800")


def test_cycles_and_deep_nesting_are_refused() -> None:
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    with pytest.raises((InvalidArgError, RecursionError)):
        _core._encode_value(cyclic)
    deep: Any = 1
    for _ in range(300):
        deep = [deep]
    with pytest.raises((InvalidArgError, RecursionError)):
        _core._encode_value(deep)


def test_geojson_roundtrip() -> None:
    geo = GeoJSON({"type": "Point", "coordinates": [1.5, 2.5]})
    particle, data = _core._encode_value(geo)
    assert particle == GEO
    assert data[:3] == b"\x00\x00\x00"  # flags, no cells
    back = _core._decode_value(particle, data)
    assert isinstance(back, GeoJSON)
    assert back == geo
    assert back.geo_data == {"type": "Point", "coordinates": [1.5, 2.5]}
    assert roundtrip([geo]) == [geo]


def test_geojson_from_server_skips_cells() -> None:
    text = b'{"type":"Point","coordinates":[0,0]}'
    data = b"\x00" + struct.pack(">H", 2) + b"\x01" * 16 + text
    back = _core._decode_value(GEO, data)
    assert isinstance(back, GeoJSON)
    assert back.text == text.decode()


def test_typed_blob_and_hll_roundtrip() -> None:
    blob = TypedBlob(b"\x80\x04pickle", 9)
    assert _core._encode_value(blob) == (9, b"\x80\x04pickle")
    back = roundtrip(blob)
    assert isinstance(back, TypedBlob) and back.particle_type == 9 and back == blob
    assert roundtrip([blob]) == [blob]
    hll = HyperLogLog(b"\x01\x02\x03")
    assert _core._encode_value(hll) == (HLL, b"\x01\x02\x03")
    back_hll = roundtrip(hll)
    assert isinstance(back_hll, HyperLogLog) and back_hll == hll
    assert isinstance(roundtrip([hll])[0], HyperLogLog)


def test_key_ordered_dict_is_written_sorted_and_read_back_as_such() -> None:
    value = KeyOrderedDict({"b": 2, "a": 1, 3: "x", 1: "y"})
    particle, data = _core._encode_value(value)
    assert particle == MAP
    # Map header (n + 1 entries), then the order marker ext with flags 1.
    assert data[1:4] == b"\xc7\x00\x01"
    back = _core._decode_value(particle, data)
    assert isinstance(back, KeyOrderedDict)
    # Aerospike's order: integers before strings, each ascending.
    assert list(back.items()) == [(1, "y"), (3, "x"), ("a", 1), ("b", 2)]
    plain = roundtrip({"b": 2, "a": 1})
    assert type(plain) is dict


@pytest.mark.parametrize("particle", [7, 8, 9, 10, 11, 12, 16, 99, 255])
def test_language_blobs_and_unknown_particles_come_back_tagged(particle: int) -> None:
    back = _core._decode_value(particle, b"\x01\x02raw")
    assert isinstance(back, TypedBlob)
    assert back.particle_type == particle
    assert bytes(back) == b"\x01\x02raw"


@pytest.mark.parametrize(
    ("particle", "data"),
    [
        (INTEGER, b"\x01\x02\x03"),  # not 1/2/4/8 bytes
        (FLOAT, b"\x00"),
        (BOOL, b"\x00\x01"),
        (STRING, b"\xff\xfe"),  # not UTF-8
        (LIST, b"\x93\x01"),  # truncated
        (LIST, b"\x81\x01\x02"),  # a map in a list particle
        (MAP, b"\xc1"),  # invalid msgpack byte
        (MAP, b"\x81\x91\x01\x02\x80"),  # trailing bytes
    ],
)
def test_bytes_that_do_not_decode_come_back_as_typed_blob(particle: int, data: bytes) -> None:
    back = _core._decode_value(particle, data)
    assert isinstance(back, TypedBlob)
    assert back.particle_type == particle
    assert bytes(back) == data


def test_integer_widths_the_server_may_send() -> None:
    assert _core._decode_value(INTEGER, b"\xff") == -1
    assert _core._decode_value(INTEGER, b"\x01\x00") == 256
    assert _core._decode_value(INTEGER, b"\xff\xff\xff\xfe") == -2


def test_map_with_list_key_reads_as_tuple_key() -> None:
    # {[1, 2]: "v"} is a valid Aerospike map; a list is not hashable in Python.
    data = b"\x81\x92\x01\x02\xa2\x03v"
    assert _core._decode_value(MAP, data) == {(1, 2): "v"}


def test_bad_string_inside_a_list_keeps_the_rest() -> None:
    data = b"\x92\x01\xa3\x03\xff\xfe"
    back = _core._decode_value(LIST, data)
    assert back[0] == 1
    assert isinstance(back[1], TypedBlob) and back[1].particle_type == STRING


def test_ordered_list_marker_is_skipped() -> None:
    data = b"\x93\xc7\x00\x01\x01\x02"
    assert _core._decode_value(LIST, data) == [1, 2]


def test_list_numbers_in_every_wire_form() -> None:
    # Lists read numbers through a fast path; every msgpack form of an int or
    # float, from any writer, must come back as the same value and type.
    items = [
        (b"\x05", 5), (b"\xe0", -32), (b"\xcc\xff", 255), (b"\xcd\x01\x00", 256),
        (b"\xce\xff\xff\xff\xff", 2**32 - 1), (b"\xcf\x7f" + b"\xff" * 7, 2**63 - 1),
        (b"\xcf" + b"\xff" * 8, 2**64 - 1), (b"\xd0\x80", -128), (b"\xd1\x80\x00", -32768),
        (b"\xd2\x80\x00\x00\x00", -(2**31)), (b"\xd3\x80" + b"\x00" * 7, -(2**63)),
        (b"\xca" + struct.pack(">f", 1.5), 1.5), (b"\xcb" + struct.pack(">d", -0.25), -0.25),
        (b"\xc0", None), (b"\xc3", True),
    ]
    data = bytes([0xDC, 0, len(items)]) + b"".join(raw for raw, _ in items)
    back = _core._decode_value(LIST, data)
    assert back == [value for _, value in items]
    assert [type(v) for v in back] == [type(value) for _, value in items]
    # A number cut short inside a list is not read as some other value: the
    # list comes back whole as its bytes, like any particle that does not decode.
    cut = _core._decode_value(LIST, b"\x91\xcb\x00\x00")
    assert isinstance(cut, TypedBlob) and cut.particle_type == LIST


def test_short_string_values_are_shared_and_exact() -> None:
    # Short ASCII values come from a cache: the same str for the same text.
    # (The cache stands aside for a while after mostly-missing lookups, which
    # other tests may have caused: repeating one value ends that.)
    for _ in range(100_000):
        first = _core._decode_value(STRING, b"us")
        if _core._decode_value(STRING, b"us") is first:
            break
    else:
        pytest.fail("short string values are never shared")
    assert first == "us" and type(first) is str
    assert _core._decode_value(LIST, b"\x92\xa3\x03us\xa3\x03us") == ["us", "us"]
    # Everything else is exact whether cached or not: empty, 8 and 9 bytes,
    # non-ASCII, NUL, and a stream of values that never repeat.
    for raw in [b"", b"a", b"abcdefgh", b"abcdefghi", "é".encode(), "日本".encode(), b"\x00x"]:
        back = _core._decode_value(STRING, raw)
        assert back == raw.decode() and type(back) is str
    for i in range(20_000):
        raw = f"{i:08x}".encode()
        assert _core._decode_value(STRING, raw) == raw.decode()
    # Invalid UTF-8 of cacheable length still comes back as a TypedBlob.
    bad = _core._decode_value(STRING, b"\xff\xfe")
    assert isinstance(bad, TypedBlob) and bad.particle_type == STRING
