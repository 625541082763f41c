"""What a write of each particle type stores and reads back: integers of
every width, doubles (NaN, infinities, -0.0), strings, blobs, language
blobs, bools, GeoJSON, HLL bytes, lists and maps (unordered, key-ordered,
key-value-ordered, nested, mixed key types), unknown particle types and
malformed values; plus seeded random collections. (Order markers with the
persist-index flag are left out: a list bin written with one crashes the
8.1.2.0 server, in cdt_stack_untrusted_rewrite().)"""

from __future__ import annotations

import math
import random
import struct
from typing import Any

from .. import wire
from ..catalogue import Case
from ..wire import Geo, Hll, OrderedList, OrderedMap, Raw
from ._common import exists, get, put

SET = "rec_types"
SETS = (SET,)


def _hll(index_bits: int, minhash_bits: int, fill: int = 0) -> Hll:
    """An HLL particle as the server validates it: flags, index bits,
    minhash bits, an 8-byte cache, then the registers."""
    registers = ((6 + minhash_bits) * (1 << index_bits) + 7) // 8
    return Hll(bytes([0, index_bits, minhash_bits]) + bytes(8) + bytes([fill]) * registers)


def _value_cases() -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [
        ("int_0", 0), ("int_1", 1), ("int_neg1", -1), ("int_max", (1 << 63) - 1),
        ("int_min", -(1 << 63)), ("int_127", 127), ("int_128", 128), ("int_n32", -32),
        ("int_n33", -33), ("int_65536", 65536), ("int_u32", (1 << 32) + 5),
        ("int_raw1", Raw(wire.P_INTEGER, b"\x80")),
        ("int_raw2", Raw(wire.P_INTEGER, b"\x01\x02")),
        ("int_raw4", Raw(wire.P_INTEGER, b"\xff\xff\xff\xfe")),
        ("int_raw3", Raw(wire.P_INTEGER, b"\x01\x02\x03")),
        ("int_raw0", Raw(wire.P_INTEGER, b"")),
        ("int_raw9", Raw(wire.P_INTEGER, b"\x00" * 9)),
        ("float_0", 0.0), ("float_neg0", -0.0), ("float_pi", math.pi), ("float_big", 1e308),
        ("float_tiny", 5e-324), ("float_inf", math.inf), ("float_ninf", -math.inf),
        ("float_nan", math.nan), ("float_int", 2.0),
        ("float_raw4", Raw(wire.P_FLOAT, b"\x3f\x80\x00\x00")),
        ("str_empty", ""), ("str_a", "a"), ("str_unicode", "héllo wörld ✓ 日本"),
        ("str_1k", "x" * 1024), ("str_nul", "a\x00b"),
        ("blob_empty", b""), ("blob_bytes", bytes(range(256))), ("blob_1", b"\x00"),
        ("bool_true", True), ("bool_false", False),
        ("bool_raw2", Raw(wire.P_BOOL, b"\x02")), ("bool_raw_empty", Raw(wire.P_BOOL, b"")),
        ("bool_raw_long", Raw(wire.P_BOOL, b"\x00\x01")),
        ("geo_point", Geo('{"type":"Point","coordinates":[-122.0,37.5]}')),
        ("geo_point_spaced", Geo('{ "type": "Point", "coordinates": [ 1.5, 2.25 ] }')),
        ("geo_polygon", Geo('{"type":"Polygon","coordinates":[[[0,0],[0,1],[1,1],[1,0],[0,0]]]}')),
        ("geo_circle", Geo('{"type":"AeroCircle","coordinates":[[-122.0,37.5],1000]}')),
        ("geo_bad_json", Geo('{"type":"Point","coordinates":')),
        ("geo_unknown_type", Geo('{"type":"Line","coordinates":[1,2]}')),
        ("geo_empty", Geo("")),
        ("geo_feature_point", Geo('{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{}}')),
        ("geo_feature_nested", Geo('{"type":"Feature","geometry":{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}}')),
        ("geo_multipolygon", Geo('{"type":"MultiPolygon","coordinates":[[[[0,0],[0,1],[1,1],[0,0]]]]}')),
        ("geo_lat_91", Geo('{"type":"Point","coordinates":[10,91]}')),
        ("geo_lng_181", Geo('{"type":"Point","coordinates":[181,10]}')),
        ("geo_edges", Geo('{"type":"Point","coordinates":[180,-90]}')),
        ("geo_three_coords", Geo('{"type":"Point","coordinates":[1,2,3]}')),
        ("geo_string_coords", Geo('{"type":"Point","coordinates":["1",2]}')),
        ("geo_polygon_open", Geo('{"type":"Polygon","coordinates":[[[0,0],[0,1],[1,1],[1,0]]]}')),
        ("geo_polygon_3pts", Geo('{"type":"Polygon","coordinates":[[[0,0],[0,1],[0,0]]]}')),
        ("geo_polygon_dups", Geo('{"type":"Polygon","coordinates":[[[0,0],[0,0],[0,1],[1,1],[0,0]]]}')),
        ("geo_circle_bad", Geo('{"type":"AeroCircle","coordinates":[[1,2]]}')),
        ("geo_circle_str_radius", Geo('{"type":"AeroCircle","coordinates":[[1,2],"5"]}')),
        ("geo_trailing", Geo('{"type":"Point","coordinates":[1,2]} x')),
        ("geo_leading_zero", Geo('{"type":"Point","coordinates":[01,2]}')),
        ("geo_dup_type", Geo('{"type":"Polygon","type":"Point","coordinates":[1,2]}')),
        ("geo_nan", Geo('{"type":"Point","coordinates":[NaN,2]}')),
        ("geo_exp_number", Geo('{"type":"Point","coordinates":[1e1,-2.5E-1]}')),
        ("geo_unicode", Geo('{"type":"Point","coordinates":[1,2],"name":"\\u00e9\\ud83d\\ude00"}')),
        ("geo_bad_escape", Geo('{"type":"Point","coordinates":[1,2],"name":"\\x"}')),
        ("geo_lowercase_type", Geo('{"type":"point","coordinates":[1,2]}')),
        ("geo_array_top", Geo('[1,2]')),
        ("geo_with_cells", Raw(wire.P_GEOJSON, b"\x00\x00\x01" + bytes(8) + b'{"type":"Point","coordinates":[1,2]}')),
        ("geo_cells_overrun", Raw(wire.P_GEOJSON, b"\x00\x00\x09" + bytes(8) + b'{}')),
        ("hll_empty", Hll(b"")), ("hll_bytes", Hll(b"\x00\x01\x02\x03")),
        ("hll_4_0", _hll(4, 0)), ("hll_16_0", _hll(16, 0, 1)), ("hll_8_4", _hll(8, 4)),
        ("hll_10_51", _hll(10, 51)), ("hll_3_0_short", Hll(bytes([0, 3, 0]) + bytes(8) + bytes(6))),
        ("hll_8_52", _hll(8, 52)), ("hll_16_49", _hll(16, 49)), ("hll_flags", Hll(b"\x01" + bytes(_hll(4, 0))[1:])),
        ("hll_size_plus1", Hll(bytes(_hll(4, 0)) + b"\x00")),
        ("lang_java", Raw(wire.P_JAVA_BLOB, b"\xac\xed\x00\x05")),
        ("lang_csharp", Raw(wire.P_CSHARP_BLOB, b"cs")),
        ("lang_python", Raw(wire.P_PYTHON_BLOB, b"\x80\x04K\x01.")),
        ("lang_ruby", Raw(wire.P_RUBY_BLOB, b"rb")), ("lang_php", Raw(wire.P_PHP_BLOB, b"php")),
        ("lang_erlang", Raw(wire.P_ERLANG_BLOB, b"erl")),
        ("ptype_5", Raw(5, b"five")), ("ptype_6", Raw(6, b"six")), ("ptype_13", Raw(13, b"x")),
        ("ptype_16", Raw(16, b"vec")), ("ptype_21", Raw(21, b"ldt")), ("ptype_22", Raw(22, b"x")),
        ("ptype_24", Raw(24, b"x")), ("ptype_255", Raw(255, b"x")),
        ("list_empty", []), ("list_ints", [1, 2, 3]), ("list_mixed", [1, "a", b"b", 1.5, True, None]),
        ("list_nested", [[1, [2, [3, [4]]]], {"k": [5]}]),
        ("list_ordered", OrderedList((1, 2, 3))),
        ("list_ordered_unsorted", OrderedList((3, 1, 2))),
        ("list_geo", [Geo('{"type":"Point","coordinates":[1,2]}')]),
        ("list_big", list(range(1000))),
        ("list_ext_first", [wire.Ext(5, b"\x01\x02"), 1]),
        ("list_fixext1_first", [wire.Ext(5, b"\x01"), 1]),
        ("list_noncompact", wire.RawMsgpack(b"")),
        ("map_empty", {}), ("map_str_keys", {"b": 1, "a": 2, "c": 3}),
        ("map_int_keys", {3: "c", 1: "a", 2: "b"}),
        ("map_mixed_keys", {"b": 1, 2: "x", "a": 3, 1: "y", -5: "neg"}),
        ("map_float_keys", {2.5: "a", 1.5: "b"}),
        ("map_blob_keys", {b"b": 1, b"a": 2}),
        ("map_list_keys", {(2, 1): "a", (1, 2): "b"}),
        ("map_nested", {"z": {"y": {"x": 1}, "a": [1, {"q": 2, "b": 3}]}, "a": 0}),
        ("map_kordered", OrderedMap((("a", 1), ("b", 2)), 1)),
        ("map_kordered_unsorted", OrderedMap((("b", 1), ("a", 2)), 1)),
        ("map_kvordered", OrderedMap((("a", 1), ("b", 2)), 3)),
        ("map_dup_keys", wire.RawMsgpack(b"")),  # replaced below
        ("map_nil_key", {None: 1}), ("map_bool_keys", {True: 1, False: 2}),
        ("map_flags_8", OrderedMap((("b", 1), ("a", 2)), 0x08)),
        ("map_nested_unsorted", {"k": {"z": 1, "a": {"y": 2, "b": 3}}, "a": [{"q": 1, "c": 2}]}),
        ("map_geo_key", {Geo('{"type":"Point","coordinates":[1,2]}'): 1}),
        ("map_java_key", {Raw(wire.P_JAVA_BLOB, b"j"): 1}),
        ("map_empty_blob_key", {b"": 1}),
        ("map_neg_keys", {-1: "a", -200: "b", 5: "c", -(1 << 40): "d"}),
        ("map_str_vs_blob", {"a": 1, b"a": 2}),
        ("msgpack_truncated_list", Raw(wire.P_LIST, b"\x93\x01\x02")),
        ("msgpack_trailing_list", Raw(wire.P_LIST, b"\x91\x01\x02")),
        ("msgpack_list_as_map", Raw(wire.P_MAP, b"\x91\x01")),
        ("msgpack_map_as_list", Raw(wire.P_LIST, b"\x81\x01\x02")),
        ("msgpack_scalar_list", Raw(wire.P_LIST, b"\x05")),
        ("msgpack_empty_list", Raw(wire.P_LIST, b"")),
        ("msgpack_bin8_in_list", Raw(wire.P_LIST, b"\x91\xc4\x02\x04\x41")),
        ("msgpack_float32_in_list", Raw(wire.P_LIST, b"\x91\xca\x3f\x80\x00\x00")),
        ("msgpack_ext_in_map", Raw(wire.P_MAP, b"\x81\xd4\x05\x00\x01")),
        ("msgpack_noprefix_str", Raw(wire.P_LIST, b"\x91\xa1\x61")),
        ("msgpack_bad_byte", Raw(wire.P_LIST, b"\x91\xc1")),
    ]
    out = [(n, v) for n, v in out if n not in ("map_dup_keys", "list_noncompact")]
    out.append(("list_noncompact", Raw(wire.P_LIST, bytes.fromhex(
        "dc0006" "cd0005" "d20000002a" "d903036162" "c40204ff" "c50003046162" "c7010501"))))
    out.append(("map_noncompact", Raw(wire.P_MAP, bytes.fromhex(
        "de0002" "a20362" "cc05" "d90261" "d0ff"))))
    out.append(("list_bin8_long", Raw(wire.P_LIST, b"\x91\xc4\x21\x04" + b"x" * 32)))
    out.append(("map_dup_keys", Raw(wire.P_MAP, b"\x82\xa2\x03a\x01\xa2\x03a\x02")))
    return out


def _random_scalar(rng: random.Random) -> Any:
    kind = rng.randrange(7)
    if kind == 0:
        return rng.choice([0, 1, -1, 127, 128, 255, 256, -128, -129, 65535, 1 << 40,
                           -(1 << 40), rng.randrange(-(1 << 63), 1 << 63)])
    if kind == 1:
        return "".join(rng.choice("abcxyzé✓ ") for _ in range(rng.randrange(0, 12)))
    if kind == 2:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 8)))
    if kind == 3:
        return rng.choice([0.5, -2.25, 1e10, float(rng.randrange(-100, 100))])
    if kind == 4:
        return rng.choice([True, False])
    if kind == 5:
        return None
    return rng.randrange(-1000, 1000)


def _random_key(rng: random.Random) -> Any:
    kind = rng.randrange(3)
    if kind == 0:
        return rng.randrange(-50, 50)
    if kind == 1:
        return "".join(rng.choice("abcdef") for _ in range(rng.randrange(0, 4)))
    return bytes(rng.randrange(97, 100) for _ in range(rng.randrange(0, 3)))


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth < 3 and roll < 0.2:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(0, 5))]
    if depth < 3 and roll < 0.4:
        return {_random_key(rng): _random_value(rng, depth + 1) for _ in range(rng.randrange(0, 5))}
    return _random_scalar(rng)


def cases(rng: random.Random) -> list[Case]:
    out = []
    for name, value in _value_cases():
        c = Case(name)
        c.add("put", put(SET, name, {"v": value}))
        c.add("get", get(SET, name))
        c.add("select", get(SET, name, ["v", "missing"]))
        out.append(c)
    # Every type in one record, several bins, then each bin overwritten by
    # another type (bin order and types after updates).
    allbins = {"i": 7, "f": 1.25, "s": "str", "b": b"\x01\x02", "t": True,
               "l": [1, "two"], "m": {"k": "v", 1: 2},
               "g": Geo('{"type":"Point","coordinates":[3,4]}'), "h": _hll(4, 0)}
    c = Case("all_types")
    c.add("put", put(SET, "all_types", allbins))
    c.add("get", get(SET, "all_types"))
    c.add("exists", exists(SET, "all_types"))
    rotated = list(allbins.values())[1:] + list(allbins.values())[:1]
    c.add("retype", put(SET, "all_types", dict(zip(allbins, rotated))))
    c.add("get_retyped", get(SET, "all_types"))
    c.add("delete_bins", put(SET, "all_types", {"f": None, "b": None, "m": None}))
    c.add("get_after_delete", get(SET, "all_types"))
    c.add("readd", put(SET, "all_types", {"b": 1, "zz": 2}))
    c.add("get_readded", get(SET, "all_types"))
    c.add("select_order", get(SET, "all_types", ["zz", "i", "s", "nope", "b"]))
    out.append(c)
    # Seeded random collections.
    for i in range(60):
        key = f"rand_{i}"
        value = ({_random_key(rng): _random_value(rng) for _ in range(rng.randrange(1, 8))}
                 if i % 2 else [_random_value(rng) for _ in range(rng.randrange(0, 8))])
        c = Case(key)
        c.add("put", put(SET, key, {"c": value, "n": i}))
        c.add("get", get(SET, key))
        out.append(c)
    # Doubles as raw bit patterns (signalling NaN, denormals).
    for bits in (0x7FF4000000000000, 0xFFF8000000000001, 0x0000000000000001, 0x8000000000000000):
        name = f"float_bits_{bits:016x}"
        c = Case(name)
        c.add("put", put(SET, name, {"v": Raw(wire.P_FLOAT, struct.pack(">Q", bits))}))
        c.add("get", get(SET, name))
        out.append(c)
    return out
