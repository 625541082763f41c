"""NumPy batches: batch_read(_dtype=...) writing records from the wire into a
structured array, LazyBatchRecords.to_numpy, and batch_write_numpy; sync and
async, one node and three. Nothing may be lost silently: overflow raises
OverflowError, truncation and impossible conversions ParamError."""

from __future__ import annotations

import math
import uuid
from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import pytest
import pytest_asyncio

import aerospike_py
from aerospike_py import BatchKeys, NumpyBatchRecords
from aerospike_py.exception import ParamError
from aerospike_py.testing import EmbeddedServer

from .conftest import Db, close, connect

pytestmark = pytest.mark.asyncio

FEATURES = np.dtype(
    [
        ("age", "i4"),
        ("clicks", "u8"),
        ("score", "f8"),
        ("ratio", "f4"),
        ("half", "f2"),
        ("flag", "?"),
        ("name", "S8"),
        ("raw", "V4"),
        ("big", ">i8"),
        ("emb", "f4", (4,)),
        ("emb_blob", "f4", (4,)),
        ("grid", "i2", (2, 2)),
    ]
)


@pytest_asyncio.fixture(params=["sync", "async"])
async def db3(request: pytest.FixtureRequest, aerospike_cluster3: EmbeddedServer) -> AsyncIterator[Db]:
    """A client of a fresh three-node embedded cluster."""
    client = await connect({"hosts": aerospike_cluster3.hosts}, request.param == "async")
    try:
        yield Db(client)
    finally:
        await close(client)


def record(i: int) -> dict[str, Any]:
    return {
        "age": 20 + i,
        "clicks": 2**40 + i,
        "score": i / 4,
        "ratio": 0.5 + i,
        "half": 1.5,
        "flag": i % 2 == 1,
        "name": f"user{i}",
        "raw": b"\x01\x02",
        "big": -(2**40) - i,
        "emb": [float(i), 1.0, 2.0, 3.0],
        "emb_blob": np.arange(4, dtype="f4").tobytes(),
        "grid": [[i, 1], [2, 3]],
        "ignored": "not in the dtype",
    }


async def check_kinds(db: Db, ns: str, set_name: str) -> None:
    keys = [(ns, set_name, i) for i in range(5)]
    for i in (0, 1, 3):
        await db.put(keys[i], record(i), meta={"ttl": 1000})
    await db.put(keys[4], {"age": 7})  # only one bin: the other fields stay zero
    out = await db.batch_read(keys, _dtype=FEATURES)
    assert isinstance(out, NumpyBatchRecords)
    assert len(out) == 5 and out.batch_records.dtype == FEATURES
    assert out.result_codes.dtype == np.int32 and out.result_codes.tolist() == [0, 0, 2, 0, 0]
    assert out.meta.dtype == np.dtype([("gen", "u4"), ("ttl", "u4")])
    assert out.meta["gen"].tolist() == [1, 1, 0, 1, 1]
    # TTL is the void time against the client's clock: a real server's
    # clock may lead ours by up to a second, as in the other TTL tests.
    assert 990 <= out.meta["ttl"][3] <= 1001 and out.meta["ttl"][4] == 0xFFFFFFFF
    rows = out.batch_records
    assert rows["age"].tolist() == [20, 21, 0, 23, 7]
    assert rows["clicks"].tolist() == [2**40, 2**40 + 1, 0, 2**40 + 3, 0]
    assert rows["score"].tolist() == [0.0, 0.25, 0.0, 0.75, 0.0]
    assert rows["ratio"].tolist() == [0.5, 1.5, 0.0, 3.5, 0.0]
    assert rows["half"].tolist() == [1.5, 1.5, 0.0, 1.5, 0.0]
    assert rows["flag"].tolist() == [False, True, False, True, False]
    assert rows["name"].tolist() == [b"user0", b"user1", b"", b"user3", b""]
    assert bytes(rows["raw"][0]) == b"\x01\x02\x00\x00"
    assert rows["big"].tolist() == [-(2**40), -(2**40) - 1, 0, -(2**40) - 3, 0]
    assert rows["emb"][3].tolist() == [3.0, 1.0, 2.0, 3.0]
    assert rows["emb_blob"][1].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert rows["grid"][3].tolist() == [[3, 1], [2, 3]]
    assert not rows["emb"][2].any()
    # aerospike-py's accessors.
    assert out.get(3)["age"] == 23 and 3 in out and 2 in out and 99 not in out
    assert out._map == {0: 0, 1: 1, 2: 2, 3: 3, 4: 4}
    with pytest.raises(KeyError):
        out.get(99)
    assert out.get(99, None) is None
    assert [r["age"] for r in out] == [20, 21, 0, 23, 7]
    assert out.found().tolist() == [True, True, False, True, True]
    # The same through the lazy handle of a plain batch_read, and with bins=.
    lazy = await db.batch_read(keys)
    again = lazy.to_numpy(FEATURES)
    assert again.batch_records.tobytes() == rows.tobytes()
    assert again.result_codes.tolist() == out.result_codes.tolist()
    some = await db.batch_read(keys, ["age"], None, FEATURES)
    assert some.batch_records["age"].tolist() == [20, 21, 0, 23, 7]
    assert not some.batch_records["score"].any()


async def test_field_kinds(db: Db, ns: str, set_name: str) -> None:
    await check_kinds(db, ns, set_name)


async def test_field_kinds_on_three_nodes(db3: Db) -> None:
    await check_kinds(db3, "test", "t" + uuid.uuid4().hex[:12])


async def test_dtype_forms_and_bulk_keys(db: Db, ns: str, set_name: str) -> None:
    for i in range(3):
        await db.put((ns, set_name, i), {"a": i, "b": float(i)})
    # Anything numpy.dtype() accepts; the arrays are writable and own no copy of the wire.
    out = await db.batch_read(
        BatchKeys(ns, set_name, np.arange(4)), _dtype=[("a", "i8"), ("b", "f8")]
    )
    assert out.batch_records["a"].tolist() == [0, 1, 2, 0]
    assert out.batch_records.flags.writeable
    out.batch_records["a"] += 1
    assert out._map == {0: 0, 1: 1, 2: 2, 3: 3}
    empty = await db.batch_read([], _dtype=np.dtype([("a", "i8")]))
    assert len(empty) == 0 and empty.batch_records.dtype.names == ("a",)
    assert (await db.batch_read(BatchKeys(ns, set_name, []), _dtype=[("a", "i8")])).meta.shape == (0,)


@pytest.mark.parametrize(
    ("bins", "field", "error", "pattern"),
    [
        ({"v": 300}, ("v", "i1"), OverflowError, "300 does not fit in int8"),
        ({"v": -1}, ("v", "u4"), OverflowError, "does not fit in uint32"),
        ({"v": 2**40}, ("v", "i4"), OverflowError, "does not fit in int32"),
        ({"v": 1e300}, ("v", "f4"), OverflowError, "float32"),
        ({"v": 70000.0}, ("v", "f2"), OverflowError, "float16"),
        ({"v": math.inf}, ("v", "i8"), OverflowError, "int64"),
        ({"v": 2}, ("v", "?"), OverflowError, "bool"),
        ({"v": 1.5}, ("v", "i8"), ParamError, "fraction"),
        ({"v": "toolong"}, ("v", "S4"), ParamError, "truncated"),
        ({"v": b"12345"}, ("v", "V4"), ParamError, "truncated"),
        ({"v": [1, 2, 3]}, ("v", "f4", (2,)), ParamError, "more than 2 items"),
        ({"v": [1, "x"]}, ("v", "f4", (2,)), ParamError, "not a number"),
        ({"v": b"\x00" * 12}, ("v", "f4", (2,)), ParamError, "does not fit"),
        ({"v": "text"}, ("v", "i8"), ParamError, "string"),
        ({"v": 5}, ("v", "S4"), ParamError, "bytes field"),
        ({"v": 5}, ("v", "f4", (2,)), ParamError, "sub-array"),
        ({"v": {"a": 1}}, ("v", "i8"), ParamError, "cannot be stored"),
    ],
)
async def test_nothing_is_lost_silently(
    db: Db,
    ns: str,
    set_name: str,
    bins: dict[str, Any],
    field: tuple[Any, ...],
    error: type[Exception],
    pattern: str,
) -> None:
    keys = [(ns, set_name, 1), (ns, set_name, 2)]  # the first is missing: its row stays zero
    await db.put(keys[1], bins)
    dtype = np.dtype([field])
    with pytest.raises(error, match=pattern) as info:
        await db.batch_read(keys, _dtype=dtype)
    assert "batch record 1, bin 'v'" in str(info.value)
    with pytest.raises(error, match=pattern):
        (await db.batch_read(keys)).to_numpy(dtype)


async def test_list_items_of_every_form(db: Db, ns: str, set_name: str) -> None:
    """Lists fill sub-arrays item by item: 8-byte native fields copy ints and
    floats directly, other fields convert and check each item; nil items,
    nested lists and uint64 items above INT64_MAX take the general path."""
    ints = [0, 127, 128, 255, 65535, 2**32, 2**63 - 1, -1, -32, -33, -129, -(2**31) - 1, -(2**63)]
    floats = [0.0, -1.5, 1e300, -math.inf, 2.5]
    await db.put((ns, set_name, 1), {
        "i": ints,
        "f": floats,
        "mixed": [1, 2.5, None, True, [3, [4]]],
        "big": [2**64 - 1, 7],
    })
    dtype = np.dtype([
        ("i", "i8", (16,)),
        ("i_be", ">i8", (16,)),
        ("f", "f8", (5,)),
        ("i_as_f", "f8", (16,)),
        ("mixed", "f8", (6,)),
        ("big", "u8", (2,)),
    ])
    await db.put((ns, set_name, 1), {"i_be": ints, "i_as_f": ints})
    out = await db.batch_read([(ns, set_name, 1)], _dtype=dtype)
    row = out.batch_records[0]
    assert row["i"].tolist() == ints + [0, 0, 0]
    assert row["i_be"].tolist() == ints + [0, 0, 0]
    assert row["f"].tolist() == floats
    assert row["i_as_f"].tolist() == [float(x) for x in ints] + [0.0, 0.0, 0.0]
    assert row["mixed"].tolist() == [1.0, 2.5, 0.0, 1.0, 3.0, 4.0]
    assert row["big"].tolist() == [2**64 - 1, 7]
    # The direct copies still refuse what does not fit.
    for field, pattern in [
        (("i", "i8", (12,)), "more than 12 items"),
        (("f", "f8", (4,)), "more than 4 items"),
        (("f", "i8", (5,)), "fraction"),
        (("big", "i8", (2,)), "does not fit in int64"),
        (("i", "i1", (16,)), "does not fit in int8"),
    ]:
        with pytest.raises((ParamError, OverflowError), match=pattern):
            await db.batch_read([(ns, set_name, 1)], _dtype=np.dtype([field]))


async def test_bad_dtypes(db: Db, ns: str, set_name: str) -> None:
    keys = [(ns, set_name, 1)]
    for dtype, pattern in [
        (np.dtype("i8"), "structured"),
        (np.dtype([("s", "U4")]), "kind 'U'"),
        (np.dtype([("o", "O")]), "kind 'O'"),
        (np.dtype([("c", "c16")]), "kind 'c'"),
        (np.dtype([("n", [("x", "i4")])]), "nested"),
        ("not a dtype", "_dtype"),
    ]:
        with pytest.raises(ParamError, match=pattern):
            await db.batch_read(keys, _dtype=dtype)


async def test_batch_write_numpy_round_trip(db: Db, ns: str, set_name: str) -> None:
    dtype = np.dtype(
        [
            ("_key", "i8"),
            ("age", "i2"),
            ("clicks", "u4"),
            ("score", "f8"),
            ("ratio", "f4"),
            ("flag", "?"),
            ("name", "S6"),
            ("emb", "f4", (3,)),
            ("_note", "S4"),  # underscore fields are not bins
        ]
    )
    data = np.zeros(4, dtype=dtype)
    data["_key"] = [10, 11, 12, 13]
    data["age"] = [1, -2, 3, -4]
    data["clicks"] = [7, 8, 9, 2**32 - 1]
    data["score"] = [0.5, 1.5, 2.5, 3.5]
    data["ratio"] = [0.25, 0.5, 0.75, 1.0]
    data["flag"] = [True, False, True, False]
    data["name"] = [b"a", b"bb", b"ccc", b"dddddd"]
    data["emb"] = np.arange(12, dtype="f4").reshape(4, 3)
    result = await db.batch_write_numpy(data, ns, set_name, dtype)
    assert [r.result for r in result.batch_records] == [0, 0, 0, 0]
    assert [r.key.user_key for r in result.batch_records] == [10, 11, 12, 13]
    rec = await db.get((ns, set_name, 11))
    assert rec.bins == {
        "age": -2,
        "clicks": 8,
        "score": 1.5,
        "ratio": 0.5,
        "flag": False,
        "name": b"bb",
        "emb": np.array([3, 4, 5], dtype="f4").tobytes(),
    }
    back = await db.batch_read(BatchKeys(ns, set_name, data["_key"]), _dtype=dtype)
    expected = data.copy()
    expected["_key"] = 0  # not a bin
    expected["_note"] = b""
    assert back.batch_records.tobytes() == expected.tobytes()
    # A strided view writes exactly its rows.
    data["age"] = 100
    result = await db.batch_write_numpy(data[::2], ns, set_name, dtype)
    assert [r.key.user_key for r in result.batch_records] == [10, 12]
    assert [(await db.get((ns, set_name, k))).bins["age"] for k in (10, 11, 12)] == [100, -2, 100]


async def test_batch_write_numpy_keys_sets_and_errors(db: Db, ns: str, set_name: str) -> None:
    other = set_name + "o"
    dtype = np.dtype([("id", "S8"), ("_set", "S20"), ("v", "i8")])
    data = np.array([(b"k1", set_name.encode(), 1), (b"k2", other.encode(), 2)], dtype=dtype)
    result = await db.batch_write_numpy(data, ns, "unused", dtype, key_field="id")
    assert [(r.key.set_name, r.key.user_key) for r in result.batch_records] == [
        (set_name, b"k1"),
        (other, b"k2"),
    ]
    assert (await db.get((ns, other, b"k2"))).bins == {"v": 2}
    # Per-record results: create-only on an existing record fails that row only.
    d2 = np.array([(1, 5), (2, 6)], dtype=[("_key", "i8"), ("v", "i8")])
    await db.batch_write_numpy(d2[:1], ns, set_name, d2.dtype)
    result = await db.batch_write_numpy(
        d2, ns, set_name, d2.dtype, policy={"exists": aerospike_py.POLICY_EXISTS_CREATE}
    )
    assert [r.result for r in result.batch_records] == [5, 0]
    result = await db.batch_write_numpy(d2, ns, set_name, d2.dtype, retry=2)
    assert [r.result for r in result.batch_records] == [0, 0] and result.retry.attempts == 1
    empty = await db.batch_write_numpy(d2[:0], ns, set_name, d2.dtype)
    assert empty.batch_records == []
    with pytest.raises(OverflowError, match="64 bits"):
        big = np.array([(1, 2**63)], dtype=[("_key", "i8"), ("v", "u8")])
        await db.batch_write_numpy(big, ns, set_name, big.dtype)
    with pytest.raises(ParamError, match="no key field 'id'"):
        await db.batch_write_numpy(d2, ns, set_name, d2.dtype, key_field="id")
    with pytest.raises(ParamError, match="differs"):
        await db.batch_write_numpy(d2, ns, set_name, np.dtype([("_key", "i4"), ("v", "i4")]))
    with pytest.raises(ParamError, match="key field"):
        fk = np.array([(1.5, 1)], dtype=[("_key", "f8"), ("v", "i8")])
        await db.batch_write_numpy(fk, ns, set_name, fk.dtype)
    with pytest.raises(ParamError, match="structured array"):
        await db.batch_write_numpy([1, 2], ns, set_name, d2.dtype)


async def test_float_fields_round_as_numpy_does(db: Db, ns: str, set_name: str) -> None:
    rng = np.random.default_rng(5)
    values = np.concatenate(
        [
            rng.normal(0, 1000, 100),
            rng.normal(0, 1e-5, 100),  # float16 subnormals
            np.arange(2048, 2148, dtype=np.float64) + 0.5,  # float16 ties: round to even
            np.array([0.0, -0.0, 65504.0, 5.96e-8, 2.98e-8, 1e-9, 1 / 3, math.nan, math.inf]),
        ]
    )
    await db.batch_write([((ns, set_name, i), {"v": float(v)}) for i, v in enumerate(values)])
    keys = BatchKeys(ns, set_name, np.arange(len(values)))
    for kind in ("f2", "f4", ">f4", "f8"):
        got = (await db.batch_read(keys, _dtype=[("v", kind)])).batch_records["v"]
        want = values.astype(kind)
        assert np.array_equal(got, want, equal_nan=True), kind
        assert np.array_equal(np.signbit(got), np.signbit(want)), kind
