"""Query building without a server: predicates, their normalized form, partition
filters and cursors (aerospike_py.predicates, aerospike_py.query)."""

from __future__ import annotations

import json
import struct

import pytest

import aerospike_py
from aerospike_py import predicates as p
from aerospike_py.exception import InvalidArgError
from aerospike_py.query import (
    PartitionFilter,
    partition_filter_all,
    partition_filter_by_digest,
    partition_filter_by_id,
    partition_filter_by_range,
)


def test_predicates_keep_aerospike_py_tuples() -> None:
    assert p.equals("age", 30) == ("equals", "age", 30)
    assert p.between("age", 1, 9) == ("between", "age", 1, 9)
    assert p.contains("tags", aerospike_py.INDEX_TYPE_LIST, "x") == ("contains", "tags", 1, "x")
    assert p.geo_within_geojson_region("loc", "{}") == ("geo_within_geojson_region", "loc", "{}")
    assert p.geo_within_radius("loc", 1.0, 2.0, 3.0) == ("geo_within_radius", "loc", 1.0, 2.0, 3.0)
    assert p.geo_contains_geojson_point("r", "{}") == ("geo_contains_geojson_point", "r", "{}")


def test_normalize_integer_string_blob() -> None:
    assert p.normalize(p.equals("age", 30)) == (
        "age", 1, struct.pack(">q", 30), struct.pack(">q", 30), 0, None, None, None)
    assert p.normalize(p.between("age", -5, 7)) == (
        "age", 1, struct.pack(">q", -5), struct.pack(">q", 7), 0, None, None, None)
    assert p.normalize(p.equals("name", "bob"))[1:4] == (3, b"bob", b"bob")
    assert p.normalize(p.equals("raw", b"\x00\x01"))[1:4] == (4, b"\x00\x01", b"\x00\x01")
    assert p.normalize(p.contains("m", aerospike_py.INDEX_TYPE_MAPKEYS, "k"))[4] == 2
    assert p.normalize(p.range("l", aerospike_py.INDEX_TYPE_LIST, 1, 2))[4] == 1


@pytest.mark.parametrize(
    "predicate",
    [
        p.equals("age", 1.5),
        p.equals("age", True),
        p.equals("age", None),
        p.between("age", "a", "b"),
        p.between("age", 5, 1),
        p.between("age", 1, 2**63),
        p.contains("tags", 7, "x"),
        p.equals("", 1),
        ("nonsense", "bin", 1),
        ("equals", "age"),
    ],
)
def test_bad_predicates_raise_invalid_arg(predicate: tuple) -> None:  # type: ignore[type-arg]
    with pytest.raises(InvalidArgError):
        p.normalize(predicate)


def test_geo_predicates_build_geojson() -> None:
    norm = p.normalize(p.geo_within_radius("loc", 37.5, -122.0, 1000.0))
    circle = json.loads(norm[2])
    assert circle == {"type": "AeroCircle", "coordinates": [[-122.0, 37.5], 1000.0]}
    assert norm[1] == 23
    point = json.loads(p.normalize(p.geo_contains_point("r", -122.0, 37.5))[2])
    assert point == {"type": "Point", "coordinates": [-122.0, 37.5]}
    region = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    assert json.loads(p.normalize(p.geo_within_geojson_region("loc", json.dumps(region)))[2]) == region
    assert p.normalize(p.geo_within_geojson_region("loc", "{}", index_type=1))[4] == 1


def test_ctx_index_name_and_expression() -> None:
    norm = p.normalize(p.equals("m", 5, ctx=[(0x22, "a")]))
    assert norm[5] is not None and norm[5][0] == 0x92  # [type, value] msgpack array
    by_name = p.normalize(p.equals("ignored", 5), index_name="idx")
    assert by_name[0] is None and by_name[6] == "idx"
    by_exp = p.normalize(p.equals("ignored", 5), expression=b"\x93\x51\x02\xa1a")
    assert by_exp[0] is None and by_exp[7] == b"\x93\x51\x02\xa1a"
    with pytest.raises(InvalidArgError):
        p.normalize(p.equals("b", 5, ctx=[(0x22, "a")]), index_name="idx")
    with pytest.raises(InvalidArgError):
        p.normalize(p.equals("b", 5), expression="not bytes")


def test_partition_filters() -> None:
    assert partition_filter_all()._arg() is None
    assert partition_filter_by_id(7).partitions() == [(7, False, False, None, None)]
    assert [x[0] for x in partition_filter_by_range(10, 3).partitions()] == [10, 11, 12]
    digest = bytes([0x05, 0x02]) + bytes(18)
    assert partition_filter_by_digest(digest).partitions() == [(0x205, True, False, digest, None)]
    for bad in ((-1, 1), (4095, 2), (0, 4097)):
        with pytest.raises(ValueError):
            partition_filter_by_range(*bad)
    with pytest.raises(ValueError):
        partition_filter_by_id(4096)


def test_cursor_bytes_round_trip() -> None:
    d = bytes([1, 0]) + bytes(range(18))
    status = [(1, True, False, d, -42), (2, False, True, None, None), (3, False, False, None, None)]
    pf = PartitionFilter(1, 3, None, status)
    again = PartitionFilter.from_bytes(pf.to_bytes())
    assert again == pf
    assert again.partitions() == status
    assert not again.is_done()
    assert PartitionFilter(0, 1, None, [(0, True, True, bytes(20), None)]).is_done()
    with pytest.raises(InvalidArgError):
        PartitionFilter.from_bytes(b"garbage")
    with pytest.raises(InvalidArgError):
        PartitionFilter.from_bytes(pf.to_bytes()[:-3])


def test_official_partition_filter_dict() -> None:
    from aerospike_py.query import _partitions_from_policy

    d = bytes([9, 0]) + bytes(18)
    parts = _partitions_from_policy(
        {"begin": 9, "count": 2, "partition_status": {9: (9, True, False, d, 0)}}
    )
    assert parts == [(9, True, False, d, 0), (10, False, False, None, None)]
    with pytest.raises(InvalidArgError):
        _partitions_from_policy({"begin": 0, "nonsense": 1})
    with pytest.raises(InvalidArgError):
        _partitions_from_policy(42)
