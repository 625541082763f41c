"""Heterogeneous batches: Read/Write/Remove rows in one call, through
client.batch() (BatchWriteResult) and client.batch_write(BatchRecords(...))
(the official client's in-place shape); sync and async, one node and three."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

import aerospike_py
from aerospike_py import BatchRecord, BatchWriteResult, Record
from aerospike_py.batch import BatchRecords, Read, Remove, Write
from aerospike_py.exception import ParamError
from aerospike_py.testing import EmbeddedServer

from .conftest import Db, close, connect

pytestmark = pytest.mark.asyncio

INCR = aerospike_py.OPERATOR_INCR
READ = aerospike_py.OPERATOR_READ
WRITE = aerospike_py.OPERATOR_WRITE


@pytest_asyncio.fixture(params=["sync", "async"])
async def db3(request: pytest.FixtureRequest, aerospike_cluster3: EmbeddedServer) -> AsyncIterator[Db]:
    """A client of a fresh three-node embedded cluster."""
    client = await connect({"hosts": aerospike_cluster3.hosts}, request.param == "async")
    try:
        yield Db(client)
    finally:
        await close(client)


async def check_mixed(db: Db, ns: str, set_name: str) -> None:
    k = [(ns, set_name, i) for i in range(9)]
    for key in k[:6]:
        await db.put(key, {"a": key[2], "b": "x" * key[2]})
    rows = [
        Read(k[0]),  # all bins
        Read(k[1], bins=["a"]),
        Read(k[2], bins=[]),  # header only
        Read(k[3], [{"op": READ, "bin": "b"}]),  # official order: ops second
        Write(k[4], bins={"a": 40, "c": [1, 2]}, meta={"ttl": 500}),
        Write(k[5], [{"op": INCR, "bin": "a", "val": 100}, {"op": READ, "bin": "a"}]),
        Write(k[6], bins={"new": True}),
        Remove(k[0 + 7]),  # missing: not found
        Read(k[8]),  # missing
    ]
    result = await db.batch(rows)
    assert isinstance(result, BatchWriteResult)
    brs = result.batch_records
    assert all(isinstance(r, BatchRecord) for r in brs)
    assert [r.result for r in brs] == [0, 0, 0, 0, 0, 0, 0, 2, 2]
    assert [r.key.user_key for r in brs] == list(range(9))
    assert isinstance(brs[0].record, Record)
    assert brs[0].record.bins == {"a": 0, "b": ""}
    assert brs[1].record.bins == {"a": 1}
    assert brs[2].record.bins == {} and brs[2].record.meta.gen == 1
    assert brs[3].record.bins == {"b": "xxx"}
    assert brs[5].record.bins == {"a": 105}
    assert brs[8].record is None and brs[7].record is None
    assert (await db.get(k[4])).bins == {"a": 40, "b": "xxxx", "c": [1, 2]}
    assert (await db.get(k[4])).meta.ttl <= 501
    assert (await db.get(k[6])).bins == {"new": True}
    single = await db.get(k[1])
    assert brs[1].key.digest == single.key.digest


async def test_mixed_batch(db: Db, ns: str, set_name: str) -> None:
    await check_mixed(db, ns, set_name)


async def test_mixed_batch_on_three_nodes(db3: Db) -> None:
    await check_mixed(db3, "test", "t" + uuid.uuid4().hex[:12])


async def test_per_row_errors_do_not_fail_the_batch(db: Db, ns: str, set_name: str) -> None:
    k = [(ns, set_name, i) for i in range(4)]
    for key in k:
        await db.put(key, {"v": 1})
    result = await db.batch(
        [
            Write(k[0], bins={"v": 2}, meta={"gen": 7}),  # generation mismatch
            Write(k[1], bins={"v": 2}, meta={"gen": 1}),
            Remove(k[2], meta={"gen": 9}),  # generation mismatch
            Write(k[3], bins={"v": 2}, policy={"exists": aerospike_py.POLICY_EXISTS_CREATE}),
        ]
    )
    assert [r.result for r in result.batch_records] == [3, 0, 3, 5]
    assert [(await db.get(key)).bins["v"] for key in k] == [1, 2, 1, 1]
    result = await db.batch([Remove(k[2], meta={"gen": 1}), Read(k[2])])
    assert [r.result for r in result.batch_records] == [0, 2]


async def test_batch_records_filled_in_place(db: Db, ns: str, set_name: str) -> None:
    k = [(ns, set_name, i) for i in range(3)]
    await db.put(k[0], {"a": 1})
    records = BatchRecords(
        [
            Read(k[0], None, read_all_bins=True),
            Write(k[1], [{"op": WRITE, "bin": "a", "val": 2}, {"op": READ, "bin": "a"}]),
            Remove(k[2]),
        ]
    )
    returned = await db.batch_write(records)
    assert returned is records
    assert [r.result for r in records.batch_records] == [0, 0, 2]
    assert records.result == 0  # "not found" is not a failure of the batch
    assert records.batch_records[0].record.bins == {"a": 1}
    assert records.batch_records[1].record.bins == {"a": 2}
    assert records.batch_records[2].record is None
    assert all(r.in_doubt is False for r in records.batch_records)
    failing = BatchRecords([Write(k[0], bins={"a": 3}, meta={"gen": 42})])
    await db.batch_write(failing)
    assert failing.result == -16 and failing.batch_records[0].result == 3
    # batch() takes a BatchRecords too, and leaves it alone.
    result = await db.batch(BatchRecords([Read(k[1])]))
    assert result.batch_records[0].record.bins == {"a": 2}


async def test_official_client_rows_are_accepted(db: Db, ns: str, set_name: str) -> None:
    from aerospike_helpers.batch import records as official  # the official client's classes

    k = [(ns, set_name, i) for i in range(3)]
    await db.put(k[0], {"a": 1})
    rows = official.BatchRecords(
        [
            official.Read(k[0], None, read_all_bins=True),
            official.Write(k[1], [{"op": WRITE, "bin": "a", "val": 5}]),
            official.Remove(k[2]),
        ]
    )
    await db.batch_write(rows)
    assert [r.result for r in rows.batch_records] == [0, 0, 2]
    assert rows.batch_records[0].record.bins == {"a": 1}
    assert (await db.get(k[1])).bins == {"a": 5}


async def test_shared_row_shapes(db: Db, ns: str, set_name: str) -> None:
    # Many rows built from the same objects (one ops list) share a row spec;
    # their results stay per row.
    ops = [{"op": INCR, "bin": "n", "val": 1}, {"op": READ, "bin": "n"}]
    keys = [(ns, set_name, i) for i in range(50)]
    result = await db.batch([Write(key, ops) for key in keys] + [Read(key) for key in keys])
    assert [r.record.bins["n"] for r in result.batch_records] == [1] * 100
    assert [r.key.user_key for r in result.batch_records] == list(range(50)) * 2


async def test_bad_rows(db: Db, ns: str, set_name: str) -> None:
    from aerospike_py import _core

    key = (ns, set_name, 1)
    cases = [
        ([Read(key), "not a row"], r"records\[1\]"),
        ([Read(key), Read((ns, set_name, 2.5))], r"records\[1\]"),
        ([Read(key, [{"op": WRITE, "bin": "a", "val": 1}])], r"may only read"),
        ([Read(key, bins=["a"], read_all_bins=True)], r"not both"),
        ([Read(key, meta={"gen": 1})], r"no meta"),
        ([Write(key)], r"needs bins or ops"),
        ([Write(key, bins={"a": object()})], r"records|bin"),
        ([Remove(key, policy={"gen": -1})], r"records\[0\] policy"),
    ]
    for rows, pattern in cases:
        with pytest.raises(ParamError, match=pattern):
            await db.batch(rows)
    # Row policies are as lenient as aerospike-py's: a typo is ignored with a
    # UserWarning, another policy's key ('ttl' on a read) silently.
    with pytest.warns(UserWarning, match=r"records\[0\] policy: unknown key 'no_such_key'"):
        await db.batch([Remove(key, policy={"no_such_key": 1})])
    await db.batch([Read(key, policy={"ttl": 5})])
    from aerospike_helpers.batch import records as official

    with pytest.raises(ParamError, match="Apply"):
        await db.batch([official.Apply(key, "m", "f", [])])
    assert _core.debug_counters()["live_commands"] == 0


async def test_empty_mixed_batch(db: Db) -> None:
    result = await db.batch([])
    assert isinstance(result, BatchWriteResult) and result.batch_records == []
    records = BatchRecords()
    assert (await db.batch_write(records)) is records and records.result == 0
