"""Result NamedTuples and value types of aerospike_py.types."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

from aerospike_py import constants
from aerospike_py.types import (
    AerospikeKey,
    BatchRecord,
    BatchRetryInfo,
    BatchWriteResult,
    BinTuple,
    ExistsResult,
    GeoJSON,
    HyperLogLog,
    InfoNodeResult,
    KeyOrderedDict,
    OperateOrderedResult,
    Record,
    RecordMetadata,
    TypedBlob,
)

DIGEST = bytes(range(20))
KEY = AerospikeKey("test", "demo", "user-1", DIGEST)
META = RecordMetadata(gen=3, ttl=2592000)


# --- NamedTuples -----------------------------------------------------------------


def test_record_unpacks_indexes_and_names() -> None:
    rec = Record(KEY, META, {"a": 1, "b": "x"})
    key, meta, bins = rec
    assert key is KEY and meta is META and bins == {"a": 1, "b": "x"}
    assert rec[0] is rec.key and rec[1] is rec.meta and rec[2] is rec.bins
    assert rec == (KEY, META, {"a": 1, "b": "x"})
    assert rec._asdict() == {"key": KEY, "meta": META, "bins": {"a": 1, "b": "x"}}
    assert rec.meta.gen == 3 and rec.meta.ttl == 2592000
    assert rec.key.digest == DIGEST and rec.key.set_name == "demo"


def test_field_names() -> None:
    assert AerospikeKey._fields == ("namespace", "set_name", "user_key", "digest")
    assert RecordMetadata._fields == ("gen", "ttl")
    assert Record._fields == ("key", "meta", "bins")
    assert ExistsResult._fields == ("key", "meta")
    assert InfoNodeResult._fields == ("node_name", "error_code", "response")
    assert BinTuple._fields == ("name", "value")
    assert OperateOrderedResult._fields == ("key", "meta", "ordered_bins")
    assert BatchRecord._fields == ("key", "result", "record", "in_doubt")
    assert BatchWriteResult._fields == ("batch_records", "retry")


def test_defaults() -> None:
    rec = BatchRecord(KEY, 0, None)
    assert rec.in_doubt is False
    result = BatchWriteResult([rec])
    assert result.retry == BatchRetryInfo(1, 1, False, 0)
    assert result.batch_records[0].result == 0


def test_exists_result_absent_record() -> None:
    key, meta = ExistsResult(KEY, None)
    assert key == KEY and meta is None


def test_operate_ordered_keeps_order() -> None:
    result = OperateOrderedResult(KEY, META, [BinTuple("z", 1), BinTuple("a", 2)])
    assert [b.name for b in result.ordered_bins] == ["z", "a"]
    assert [tuple(b) for b in result.ordered_bins] == [("z", 1), ("a", 2)]


def test_namedtuples_pickle_and_replace() -> None:
    rec = Record(KEY, META, {"a": [1, 2]})
    assert pickle.loads(pickle.dumps(rec)) == rec
    assert rec._replace(bins=None).bins is None
    info = InfoNodeResult("BB9", 0, "ok\n")
    assert copy.deepcopy(info) == info


def test_namedtuples_are_plain_tuples() -> None:
    for cls in (AerospikeKey, RecordMetadata, Record, ExistsResult, InfoNodeResult, BinTuple,
                OperateOrderedResult, BatchRecord, BatchRetryInfo, BatchWriteResult):
        assert cls.__bases__ == (tuple,)
        assert cls.__slots__ == ()
        # Allocating the tuple subclass directly (as the C bridge does) gives a
        # working instance: there is no custom __new__/__init__ to bypass.
        n = len(cls._fields)
        inst = tuple.__new__(cls, range(n))
        assert getattr(inst, cls._fields[-1]) == n - 1
        assert "__init__" not in vars(cls)


# --- GeoJSON ------------------------------------------------------------------


POINT = {"type": "Point", "coordinates": [-122.0, 37.5]}


def test_geojson_from_mapping_and_text() -> None:
    a = GeoJSON(POINT)
    assert json.loads(a.text) == POINT
    assert a.geo_data == POINT
    b = GeoJSON(a.text)
    assert a == b and hash(a) == hash(b)
    assert GeoJSON(b) == a
    assert GeoJSON(a.text.encode()) == a
    assert a.dumps() == a.text and a.unwrap() == POINT
    assert str(a) == a.text
    assert repr(a) == f"GeoJSON({a.text!r})"


def test_geojson_keeps_text_exactly() -> None:
    text = '{ "type": "Point",  "coordinates": [1, 2] }'
    g = GeoJSON(text)
    assert g.text == text
    assert g != GeoJSON(POINT)
    assert g != text  # not equal to a plain str


def test_geojson_geo_data_is_a_copy() -> None:
    g = GeoJSON(POINT)
    g.geo_data["type"] = "Polygon"
    assert g.geo_data["type"] == "Point"


@pytest.mark.parametrize("bad", ["not json", "[1, 2]", "3"])
def test_geojson_rejects_non_object_text(bad: str) -> None:
    with pytest.raises(ValueError):
        GeoJSON(bad)


def test_geojson_rejects_other_types() -> None:
    with pytest.raises(TypeError):
        GeoJSON(42)  # type: ignore[arg-type]


def test_geojson_pickle_and_immutability() -> None:
    g = GeoJSON(POINT)
    assert pickle.loads(pickle.dumps(g)) == g
    with pytest.raises(AttributeError):
        g.extra = 1  # type: ignore[attr-defined]
    assert {g: 1}[GeoJSON(g.text)] == 1


# --- TypedBlob ----------------------------------------------------------------


def test_typed_blob_is_bytes_with_particle_type() -> None:
    blob = TypedBlob(b"\x80\x04K\x01.", constants.AS_BYTES_PYTHON)
    assert isinstance(blob, bytes)
    assert bytes(blob) == b"\x80\x04K\x01."
    assert blob.particle_type == 9
    assert blob[:2] == b"\x80\x04"
    assert len(blob) == 5
    assert repr(blob) == "TypedBlob(b'\\x80\\x04K\\x01.', particle_type=9)"


def test_typed_blob_equality() -> None:
    a = TypedBlob(b"abc", 7)
    assert a == TypedBlob(b"abc", 7)
    assert a != TypedBlob(b"abc", 8)
    assert a != TypedBlob(b"abd", 7)
    assert a != b"abc" and b"abc" != a
    assert not (a == b"abc")
    assert hash(a) == hash(TypedBlob(b"abc", 7))
    assert a != "abc"


def test_typed_blob_accepts_buffers() -> None:
    assert TypedBlob(bytearray(b"xy"), 12) == TypedBlob(memoryview(b"xy"), 12)


@pytest.mark.parametrize("ptype", [-1, 256, 1.0, True, "9", None])
def test_typed_blob_rejects_bad_particle_type(ptype: object) -> None:
    with pytest.raises(ValueError, match="particle_type"):
        TypedBlob(b"x", ptype)  # type: ignore[arg-type]


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_typed_blob_pickle(protocol: int) -> None:
    blob = TypedBlob(b"\x00\x01", 10)
    back = pickle.loads(pickle.dumps(blob, protocol))
    assert type(back) is TypedBlob and back == blob and back.particle_type == 10


# --- HyperLogLog ---------------------------------------------------------------


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_hyperloglog(protocol: int) -> None:
    hll = HyperLogLog(b"\x00\x0e\x00")
    assert isinstance(hll, bytes) and hll == b"\x00\x0e\x00"
    assert repr(hll) == "HyperLogLog(b'\\x00\\x0e\\x00')"
    back = pickle.loads(pickle.dumps(hll, protocol))
    assert type(back) is HyperLogLog and back == hll
    with pytest.raises(AttributeError):
        hll.extra = 1  # type: ignore[attr-defined]


# --- KeyOrderedDict ------------------------------------------------------------


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_key_ordered_dict(protocol: int) -> None:
    d = KeyOrderedDict([("b", 1), ("a", 2)])
    assert isinstance(d, dict)
    assert list(d) == ["b", "a"]  # order as given; the server keeps keys sorted
    assert d == {"a": 2, "b": 1}
    assert repr(d) == "KeyOrderedDict({'b': 1, 'a': 2})"
    back = pickle.loads(pickle.dumps(d, protocol))
    assert type(back) is KeyOrderedDict and list(back.items()) == [("b", 1), ("a", 2)]
    assert type(copy.copy(d)) is KeyOrderedDict
    with pytest.raises(AttributeError):
        d.extra = 1  # type: ignore[attr-defined]
