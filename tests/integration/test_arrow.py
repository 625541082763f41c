"""Arrow output: batch_read(_arrow=schema) and QueryStream.arrow_batches(), sync and
async, compared value for value with the dict results of the same records.

Every type the schema may name, list bins as list columns, missing records and
missing bins as nulls, metadata columns, empty batches, type mismatches (an
InvalidArgError naming record, key and bin; or nulls when the schema asks),
bad schemas, and the release of every exported array (live_arrow_batches)."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

import aerospike_py
from aerospike_py import BatchKeys
from aerospike_py import _core
from aerospike_py.arrow import generation, null_on_mismatch, result_code, ttl
from aerospike_py.exception import InvalidArgError

from .conftest import Db

pa = pytest.importorskip("pyarrow")

pytestmark = pytest.mark.asyncio

SCHEMA = pa.schema(
    [
        ("i", pa.int64()),
        ("f", pa.float64()),
        ("b", pa.bool_()),
        ("s", pa.string()),
        ("ls", pa.large_string()),
        ("raw", pa.binary()),
        ("lraw", pa.large_binary()),
        ("li", pa.list_(pa.int64())),
        ("lf", pa.list_(pa.float64())),
        ("lstr", pa.list_(pa.string())),
        generation("gen"),
        ttl("ttl"),
        result_code("rc"),
    ]
)
BIN_COLUMNS = ["i", "f", "b", "s", "ls", "raw", "lraw", "li", "lf", "lstr"]


def bins_of(i: int) -> dict[str, Any]:
    return {
        "i": i * 1000 - 7,
        "f": i / 8,
        "b": i % 2 == 0,
        "s": f"name-{i}-é",
        "ls": "x" * i,
        "raw": bytes([i, 0, 255]),
        "lraw": b"\x00" * i,
        "li": list(range(i)),
        "lf": [0.5 * k for k in range(i % 4)],
        "lstr": [f"t{k}" for k in range(i % 3)],
        "other": "not in the schema",
    }


async def live_arrow_batches() -> int:
    """Exported Arrow batches not yet released, once the loop ran the callbacks that
    still hold the last awaited futures (and their results)."""
    for _ in range(3):
        await asyncio.sleep(0)
    gc.collect()
    return int(_core.debug_counters()["live_arrow_batches"])


def expected_value(column: str, bins: dict[str, Any] | None) -> Any:
    """What the Arrow column holds for a record with these bins (as the dict says)."""
    if bins is None or column not in bins:
        return None
    return bins[column]


async def test_batch_equals_dicts_value_for_value(db: Db, ns: str, set_name: str) -> None:
    keys = [(ns, set_name, i) for i in range(12)]
    for i in range(12):
        if i in (3, 7):
            continue  # missing records
        bins = bins_of(i)
        if i == 5:
            del bins["f"], bins["li"]  # missing bins
        await db.put(keys[i], bins, meta={"ttl": 1000} if i == 4 else None)
    batch = await db.batch_read(keys, _arrow=SCHEMA)
    assert isinstance(batch, pa.RecordBatch)
    assert batch.schema == SCHEMA and batch.num_rows == 12
    batch.validate(full=True)
    view = await db.batch_read_view(keys)
    dicts = [r.record.bins if r.record is not None else None for r in view]
    columns = batch.to_pydict()
    for column in BIN_COLUMNS:
        assert columns[column] == [expected_value(column, d) for d in dicts], column
    assert columns["rc"] == [r.result for r in view]
    assert columns["rc"][3] == 2 and columns["rc"][0] == 0
    metas = [r.record.meta if r.record is not None else None for r in view]
    assert columns["gen"] == [m.gen if m is not None else None for m in metas]
    assert columns["ttl"][3] is None and columns["ttl"][0] == metas[0].ttl  # type: ignore[union-attr]
    assert 990 <= columns["ttl"][4] <= 1001
    # A float column takes integer bins (converted); nil items of lists are null items.
    await db.put(keys[3], {"f": 3, "li": [1, None, 2], "lstr": ["a", None]})
    again = (await db.batch_read(keys[3:4], _arrow=SCHEMA)).to_pydict()
    assert again["f"] == [3.0] and again["li"] == [[1, None, 2]] and again["lstr"] == [["a", None]]
    del batch, again, columns
    assert await live_arrow_batches() == 0


async def test_bins_bulk_keys_empty_and_forms(db: Db, ns: str, set_name: str) -> None:
    for i in range(3):
        await db.put((ns, set_name, i), {"a": i, "b": f"v{i}"})
    # bins= restricts what is read; columns of unread bins are null.
    out = await db.batch_read(
        [(ns, set_name, i) for i in range(3)], ["a"], None, _arrow=pa.schema([("a", pa.int64()), ("b", pa.string())])
    )
    assert out.to_pydict() == {"a": [0, 1, 2], "b": [None, None, None]}
    # A list of fields / (name, type) pairs is accepted too; BatchKeys groups.
    bulk = await db.batch_read(BatchKeys(ns, set_name, [0, 1, 2, 3]), _arrow=[("a", pa.int64())])
    assert bulk.column(0).to_pylist() == [0, 1, 2, None]
    empty = await db.batch_read([], _arrow=SCHEMA)
    assert empty.num_rows == 0 and empty.schema == SCHEMA
    empty.validate(full=True)


async def test_large_batch_on_event_thread(db: Db, ns: str, set_name: str) -> None:
    n = 600
    await db.batch_write([((ns, set_name, i), {"i": i, "lf": [float(i)] * 3}) for i in range(n)])
    out = await db.batch_read([(ns, set_name, i) for i in range(n + 10)], _arrow=SCHEMA)
    cols = out.to_pydict()
    assert cols["i"] == list(range(n)) + [None] * 10
    assert cols["lf"][n - 1] == [float(n - 1)] * 3 and cols["rc"][n:] == [2] * 10
    assert out.column("s").null_count == n + 10


@pytest.mark.parametrize(
    ("value", "field", "pattern"),
    [
        ("text", pa.field("v", pa.int64()), "a string cannot be stored"),
        (1.5, pa.field("v", pa.int64()), "a float cannot be stored"),
        (b"xy", pa.field("v", pa.string()), "bytes cannot be stored"),
        (7, pa.field("v", pa.bool_()), "an integer cannot be stored"),
        ([1, "x"], pa.field("v", pa.list_(pa.int64())), "list item"),
        ([[1], [2]], pa.field("v", pa.list_(pa.int64())), "list item"),
        ({"a": 1}, pa.field("v", pa.list_(pa.float64())), "a map cannot be stored"),
        (5, pa.field("v", pa.list_(pa.string())), "an integer cannot be stored"),
    ],
)
async def test_mismatch_raises_naming_record_key_and_bin(
    db: Db, ns: str, set_name: str, value: Any, field: Any, pattern: str
) -> None:
    await db.put((ns, set_name, "ok"), {"other": 1})
    await db.put((ns, set_name, "bad"), {"v": value})
    keys = [(ns, set_name, "ok"), (ns, set_name, "bad")]
    with pytest.raises(InvalidArgError, match=pattern) as info:
        await db.batch_read(keys, _arrow=pa.schema([field]))
    message = str(info.value)
    assert "batch record 1" in message and "bin 'v'" in message and "'bad'" in message
    # Asked for: the value reads as a null, the rest of the batch is kept.
    out = await db.batch_read(keys, _arrow=pa.schema([null_on_mismatch(field)]))
    assert out.column(0).to_pylist() == [None, None]
    schema_wide = pa.schema([field], metadata={b"aerospike.on_mismatch": b"null"})
    assert (await db.batch_read(keys, _arrow=schema_wide)).column(0).null_count == 2


@pytest.mark.parametrize(
    ("schema", "pattern"),
    [
        (pa.schema([("v", pa.int32())]), "type int32 is not supported"),
        (pa.schema([("v", pa.list_(pa.bool_()))]), "not supported"),
        (pa.schema([("v", pa.struct([("a", pa.int64())]))]), "not supported"),
        (pa.schema([]), "no columns"),
        (pa.schema([("v", pa.int64()), ("v", pa.string())]), "named by two columns"),
        (pa.schema([pa.field("g", pa.int64(), metadata={b"aerospike": b"generation"})]), "uint32"),
        (pa.schema([pa.field("g", pa.int64(), metadata={b"aerospike": b"digest"})]), "generation"),
        (pa.schema([("v", pa.int64())], metadata={b"aerospike.on_mismatch": b"skip"}), "on_mismatch"),
        ("not a schema", "_arrow"),
        (42, "_arrow"),
    ],
)
async def test_bad_schema_is_invalid_arg(db: Db, ns: str, set_name: str, schema: Any, pattern: str) -> None:
    with pytest.raises(InvalidArgError, match=pattern):
        await db.batch_read([(ns, set_name, 1)], _arrow=schema)


async def test_dtype_and_arrow_together_rejected(db: Db, ns: str, set_name: str) -> None:
    with pytest.raises(InvalidArgError, match="not both"):
        await db.batch_read([(ns, set_name, 1)], _dtype=[("a", "i8")], _arrow=SCHEMA)


async def test_many_calls_release_everything(db: Db, ns: str, set_name: str) -> None:
    keys = [(ns, set_name, i) for i in range(50)]
    await db.batch_write([(k, bins_of(i % 9)) for i, k in enumerate(keys)])
    for _ in range(200):
        out = await db.batch_read(keys, _arrow=SCHEMA)
        assert out.num_rows == 50
        # Slicing / moving children keeps the buffers alive past the batch.
        kept = out.column("lstr")
    del out
    assert kept.to_pylist()[2] == ["t0", "t1"]
    assert await live_arrow_batches() == 1  # the column keeps its batch's buffers
    del kept
    assert await live_arrow_batches() == 0


# --- query streams --------------------------------------------------------------


async def test_query_stream_in_chunks_equals_records(db: Db, ns: str, set_name: str) -> None:
    n = 257
    await db.batch_write([((ns, set_name, i), bins_of(i % 11)) for i in range(n)])
    schema = pa.schema([("i", pa.int64()), ("s", pa.string()), ("li", pa.list_(pa.int64())),
                        generation("gen")])
    stream = db.client.query(ns, set_name).stream()
    batches: list[Any] = []
    if db.is_async:
        batches = [b async for b in stream.arrow_batches(schema, chunk=100)]
    else:
        batches = list(stream.arrow_batches(schema, chunk=100))
    assert batches and all(0 < b.num_rows <= 100 for b in batches)
    assert sum(b.num_rows for b in batches) == n and stream.records == n and stream.ended
    table = pa.Table.from_batches(batches).to_pydict()
    rows = sorted(zip(table["i"], table["s"], table["li"], table["gen"]))
    expected = sorted((bins_of(i % 11)["i"], bins_of(i % 11)["s"], bins_of(i % 11)["li"], 1)
                      for i in range(n))
    assert rows == expected
    del batches, table
    assert await live_arrow_batches() == 0


async def test_query_stream_mismatch_and_bad_chunk(db: Db, ns: str, set_name: str) -> None:
    await db.put((ns, set_name, 1), {"v": "text"})
    stream = db.client.query(ns, set_name).stream()
    with pytest.raises(InvalidArgError, match="chunk"):
        stream.arrow_batches(pa.schema([("v", pa.int64())]), chunk=0)
    batches = stream.arrow_batches(pa.schema([("v", pa.int64())]), chunk=10)
    with pytest.raises(InvalidArgError, match="query record 0, bin 'v'"):
        if db.is_async:
            async for _ in batches:
                pass
        else:
            for _ in batches:
                pass
    if db.is_async:
        await stream.aclose()
    else:
        stream.close()


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


async def test_rss_stays_flat_over_many_calls(db: Db, ns: str, set_name: str) -> None:
    """1,500 batches of 100 records of ~1 KiB each: 150 MiB if the buffers leaked."""
    keys = [(ns, set_name, i) for i in range(100)]
    await db.batch_write([(k, {"s": "x" * 1000 + str(i), "lf": [0.5] * 16}) for i, k in enumerate(keys)])
    schema = pa.schema([("s", pa.string()), ("lf", pa.list_(pa.float64()))])
    for _ in range(200):  # warm-up: allocator pools, caches
        await db.batch_read(keys, _arrow=schema)
    before = rss_mb()
    for _ in range(1500):
        out = await db.batch_read(keys, _arrow=schema)
        assert out.num_rows == 100
    del out
    assert await live_arrow_batches() == 0
    assert rss_mb() - before < 40
