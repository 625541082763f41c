"""The batch paths' contract (issue 5), for every batch call, sync and async:
empty inputs give empty results of the right type, mixed namespaces and
sets in one call, bin-name strings shared across records (the drain's
cache), and 100,000 keys in one bulk call on three nodes."""

from __future__ import annotations

import numpy as np
import pytest

import aerospike_py
from aerospike_py import BatchKeys, BatchWriteResult, LazyBatchRecords, NumpyBatchRecords
from aerospike_py.testing import EmbeddedServer

from .conftest import Db, close, connect

pytestmark = pytest.mark.asyncio


async def test_empty_inputs_give_empty_results(db: Db, ns: str, set_name: str) -> None:
    lazy = await db.batch_read([])
    assert isinstance(lazy, LazyBatchRecords) and lazy == {} and lazy.batch_records == []
    assert await db.batch_read(BatchKeys(ns, set_name, [])) == {}
    assert await db.batch_read_view([]) == []
    assert await db.batch_read_view(BatchKeys(ns, set_name, np.array([], dtype="i8"))) == []
    arrays = await db.batch_read([], _dtype=[("a", "i8")])
    assert isinstance(arrays, NumpyBatchRecords) and len(arrays) == 0
    for result in (
        await db.batch_write([]),
        await db.batch_operate([], [{"op": aerospike_py.OPERATOR_READ, "bin": "a"}]),
        await db.batch_remove([]),
        await db.batch([]),
        await db.batch_write_numpy(np.zeros(0, [("_key", "i8"), ("a", "i8")]), ns, set_name, np.dtype([("_key", "i8"), ("a", "i8")])),
    ):
        assert isinstance(result, BatchWriteResult) and result.batch_records == []


async def test_mixed_namespaces_and_sets(db: Db, ns: str, set_name: str) -> None:
    sets = [set_name + s for s in "abc"]
    for s in sets:
        await db.put((ns, s, 1), {"set": s})
    keys = [(ns, sets[0], 1), ("nosuchns", sets[0], 1), (ns, sets[1], 1), (ns, sets[2], 1)]
    view = await db.batch_read_view(keys)
    assert [r.result for r in view] == [0, 20, 0, 0]  # 20: namespace unknown to the cluster
    assert [r.record.bins["set"] for r in view if r.record] == sets
    assert [r.key.namespace for r in view] == [ns, "nosuchns", ns, ns]


@pytest.mark.embedded_server  # three nodes, two namespaces
async def test_two_namespaces_on_three_nodes() -> None:
    with EmbeddedServer(nodes=3, namespaces=("test", "other"), replication_factor=2) as server:
        for is_async in (False, True):
            client = await connect({"hosts": server.hosts}, is_async)
            db = Db(client)
            try:
                await db.batch_write(
                    [(("test", "s", i), {"ns": "test", "i": i}) for i in range(20)]
                    + [(("other", "s", i), {"ns": "other", "i": i}) for i in range(20)]
                )
                keys = [BatchKeys("test", "s", range(20)), BatchKeys("other", "s", range(20))]
                view = await db.batch_read_view(keys)
                assert [r.record.bins["ns"] for r in view] == ["test"] * 20 + ["other"] * 20
                assert [r.key.namespace for r in view] == ["test"] * 20 + ["other"] * 20
                # Equal user keys in two namespaces: the dict collides, the arrays do not.
                assert len(await db.batch_read(keys)) == 20
                arrays = await db.batch_read(keys, _dtype=[("i", "i8")])
                assert arrays.batch_records["i"].tolist() == list(range(20)) * 2
            finally:
                await close(client)
        assert server.misrouted() == 0


async def test_bin_names_are_shared_across_records(db: Db, ns: str, set_name: str) -> None:
    keys = [(ns, set_name, i) for i in range(20)]
    await db.batch_write([(k, {"alpha": 1, "beta": 2.5, "gamma": "g"}) for k in keys])
    result = await db.batch_read(keys)
    names = [list(bins) for bins in result.values()]
    first = names[0]
    # One str object per bin name for the whole batch (and batch after batch).
    assert all(n[j] is first[j] for n in names for j in range(3))
    again = await db.batch_read(keys)
    assert list(next(iter(again.values())))[0] is first[0]


async def test_bin_names_that_change_at_one_position(db: Db, ns: str, set_name: str) -> None:
    # Names are looked up by position first (the name seen last there); a
    # different name of the same length, a non-ASCII one and a longer one
    # at that position must each come back as themselves.
    shapes = [
        {"ab": 1, "cd": 2},
        {"ab": 1, "ce": 2},
        {"é": 3, "cd": 4},
        {"ab": 5, "c" * 15: 6},
        {"ab": 7, "cd": 8},
    ]
    keys = [(ns, set_name, i) for i in range(len(shapes))]
    for key, bins in zip(keys, shapes):
        await db.put(key, bins)
    for _ in range(2):  # the second pass starts from the first's hints
        result = await db.batch_read(keys)
        assert [result[i] for i in range(len(shapes))] == shapes
        assert [sorted(bins) for bins in result.to_list()] == [sorted(b) for b in shapes]


async def test_100k_bulk_keys_into_numpy_on_three_nodes(aerospike_cluster3: EmbeddedServer) -> None:
    n = 100_000
    policy = {"total_timeout": 60_000}
    dtype = np.dtype([("_key", "i8"), ("v", "i8"), ("f", "f4")])
    data = np.zeros(n, dtype=dtype)
    data["_key"] = np.arange(n)
    data["v"] = np.arange(n) * 7
    data["f"] = np.arange(n) / 2
    for is_async in (True, False):
        client = await connect({"hosts": aerospike_cluster3.hosts}, is_async)
        db = Db(client)
        try:
            if is_async:
                for start in range(0, n, 50_000):
                    written = await db.batch_write_numpy(data[start : start + 50_000], "test", "big", dtype, policy=policy)
                    assert all(r.result == 0 for r in written.batch_records)
            out = await db.batch_read(BatchKeys("test", "big", data["_key"]), None, policy, dtype)
            assert (out.result_codes == 0).all()
            assert (out.batch_records["v"] == data["v"]).all()
            assert (out.batch_records["f"] == data["f"]).all()
        finally:
            await close(client)
    assert aerospike_cluster3.misrouted() == 0


async def test_positional_views_are_independent_copies(db: Db, ns: str, set_name: str) -> None:
    keys = [(ns, set_name, 1), (ns, set_name, 2), (ns, set_name + "x", 1)]
    await db.put(keys[0], {"a": 1, "l": [1]})
    await db.put(keys[2], {"a": 3, "l": [3]})
    result = await db.batch_read(keys)
    assert result == {1: {"a": 3, "l": [3]}}  # the later key wins the user key
    rows = result.to_list()
    assert rows == [{"a": 1, "l": [1]}, None, {"a": 3, "l": [3]}]
    rows[2]["a"] = 99
    assert result[1]["a"] == 3 and result.to_list()[2]["a"] == 3
    view = result.batch_records
    assert [r.record.bins if r.record else None for r in view] == [{"a": 1, "l": [1]}, None, {"a": 3, "l": [3]}]
    view[2].record.bins["a"] = 7
    assert result[1]["a"] == 3
