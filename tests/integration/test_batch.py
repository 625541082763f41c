"""Batch methods, sync and async: batch_read (aerospike-py's dict and the
lossless view), batch_write, batch_operate, batch_remove."""

from __future__ import annotations

import pytest

import aerospike_py
from aerospike_py import BatchRecord, BatchWriteResult, Record
from aerospike_py.exception import ParamError

from .conftest import Db

pytestmark = pytest.mark.asyncio


async def test_batch_read_dict_shape(db: Db, ns: str, set_name: str) -> None:
    keys = [(ns, set_name, i) for i in range(10)]
    for k in keys[:7]:
        await db.put(k, {"i": k[2], "sq": k[2] * k[2]})
    result = await db.batch_read(keys)
    assert result == {i: {"i": i, "sq": i * i} for i in range(7)}
    assert await db.batch_read(keys, ["sq"]) == {i: {"sq": i * i} for i in range(7)}
    # bins=[]: existence only.
    assert await db.batch_read(keys, []) == {i: {} for i in range(7)}
    assert await db.batch_read([]) == {}


async def test_batch_read_view_is_lossless(db: Db, ns: str, set_name: str) -> None:
    other_set = set_name + "b"
    await db.put((ns, set_name, "same"), {"which": "a"})
    await db.put((ns, other_set, "same"), {"which": "b"}, meta={"ttl": 1000})
    await db.put((ns, set_name, "twice"), {"v": 1})
    await db.put((ns, set_name, "twice"), {"v": 2})
    keys = [
        (ns, set_name, "same"),
        (ns, set_name, "missing"),
        (ns, other_set, "same"),
        (ns, set_name, "twice"),
    ]
    view = await db.batch_read_view(keys)
    assert len(view) == 4 and all(isinstance(r, BatchRecord) for r in view)
    assert [r.result for r in view] == [0, 2, 0, 0]
    assert [r.key.user_key for r in view] == ["same", "missing", "same", "twice"]
    assert [r.key.set_name for r in view] == [set_name, set_name, other_set, set_name]
    assert view[1].record is None
    assert isinstance(view[0].record, Record)
    assert view[0].record.bins == {"which": "a"}
    assert view[2].record.bins == {"which": "b"}
    assert 990 <= view[2].record.meta.ttl <= 1001
    assert view[3].record.meta.gen == 2
    # The same digests as single-record commands.
    single = await db.get(keys[3])
    assert view[3].key.digest == single.key.digest
    # The dict form collides on the user key, as aerospike-py's does.
    assert len(await db.batch_read(keys)) == 2


async def test_batch_read_digest_only_and_key_types(db: Db, ns: str, set_name: str) -> None:
    keys = [(ns, set_name, 7), (ns, set_name, "s"), (ns, set_name, b"\x00b")]
    for k in keys:
        await db.put(k, {"k": repr(k[2])})
    digests = [(await db.get(k)).key.digest for k in keys]
    view = await db.batch_read_view([(ns, set_name, None, d) for d in digests])
    assert [r.record.bins["k"] for r in view] == [repr(k[2]) for k in keys]
    assert all(r.key.user_key is None for r in view)
    assert await db.batch_read([(ns, set_name, None, d) for d in digests]) == {}
    assert await db.batch_read(keys) == {k[2]: {"k": repr(k[2])} for k in keys}


async def test_batch_read_large(db: Db, ns: str, set_name: str) -> None:
    n = 6000  # above the server's 5000-keys-per-request limit
    records = [((ns, set_name, i), {"i": i}) for i in range(n)]
    written = await db.batch_write(records)
    assert all(r.result == 0 for r in written.batch_records)
    result = await db.batch_read([k for k, _ in records])
    assert len(result) == n and result[n - 1] == {"i": n - 1}


async def test_malformed_key_in_batch_names_its_index(db: Db, ns: str, set_name: str) -> None:
    from aerospike_py import _core

    keys = [(ns, set_name, 1), (ns, set_name, 2), (ns, set_name, 3.5)]
    with pytest.raises(ParamError, match=r"keys\[2\]"):
        await db.batch_read(keys)
    with pytest.raises(ParamError, match=r"keys\[1\]"):
        await db.batch_read([(ns, set_name, 1), ("n" * 40, set_name, 2)])
    with pytest.raises(ParamError):
        await db.batch_read(keys[:2], bins="a")
    with pytest.raises(ParamError):
        await db.batch_read("not a list")
    assert _core.debug_counters()["live_commands"] == 0


async def test_more_ops_than_a_message_carries_is_refused(
    db: Db, ns: str, set_name: str
) -> None:
    # The op count is a 16-bit header field: 65536 names must not wrap to 0.
    # (The server itself runs at most 32768 ops per command, MAX_N_OPS, and
    # refuses a row with more: test_server_limits.py.)
    key = (ns, set_name, "wide")
    await db.put(key, {"a": 1})
    assert await db.batch_read([key], ["a"] * 32768) == {"wide": {"a": 1}}
    # 65535 names, the field's largest count, go out whole; the server refuses
    # that row (PARAMETER: over its limit) and nothing outlives the call.
    rows = (await db.batch_read([key], ["a"] * 65535)).batch_records
    assert [r.key.user_key for r in rows] == ["wide"]
    assert (rows[0].result, rows[0].record) == (4, None)
    del rows
    with pytest.raises(ParamError, match="65536 operations"):
        await db.batch_read([key], ["a"] * 65536)
    with pytest.raises(ParamError, match="at most 65535"):
        await db.batch_write([(key, {f"b{i}": i for i in range(65536)})])


async def test_batch_write(db: Db, ns: str, set_name: str) -> None:
    keys = [(ns, set_name, i) for i in range(5)]
    result = await db.batch_write(
        [(keys[0], {"a": 1}), (keys[1], {"a": 2}, {"ttl": 500}), (keys[2], {"a": 3, "b": [1]})]
    )
    assert isinstance(result, BatchWriteResult)
    assert [r.result for r in result.batch_records] == [0, 0, 0]
    assert [r.key.user_key for r in result.batch_records] == [0, 1, 2]
    assert result.batch_records[0].in_doubt is False
    assert (await db.get(keys[1])).meta.ttl <= 501
    assert (await db.get(keys[2])).bins == {"a": 3, "b": [1]}
    # A generation failure on one record does not fail the others.
    result = await db.batch_write([(keys[0], {"a": 10}, {"gen": 99}), (keys[1], {"a": 20})])
    assert [r.result for r in result.batch_records] == [3, 0]
    assert result.batch_records[0].record is None
    assert (await db.get(keys[0])).bins == {"a": 1}
    # Batch-level write policy.
    result = await db.batch_write(
        [(keys[3], {"a": 4})], policy={"exists": aerospike_py.POLICY_EXISTS_UPDATE_ONLY}
    )
    assert result.batch_records[0].result == 2
    assert (await db.batch_write([])).batch_records == []


async def test_batch_write_retry(db: Db, ns: str, set_name: str) -> None:
    keys = [(ns, set_name, i) for i in range(3)]
    result = await db.batch_write([(k, {"v": 1}) for k in keys], retry=2)
    assert all(r.result == 0 for r in result.batch_records)
    assert result.retry.attempts == 1


async def test_batch_operate(db: Db, ns: str, set_name: str) -> None:
    keys = [(ns, set_name, i) for i in range(4)]
    for k in keys[:3]:
        await db.put(k, {"n": k[2]})
    result = await db.batch_operate(
        keys,
        [
            {"op": aerospike_py.OPERATOR_INCR, "bin": "n", "val": 100},
            {"op": aerospike_py.OPERATOR_READ, "bin": "n"},
        ],
    )
    records = result.batch_records
    assert [r.result for r in records] == [0, 0, 0, 0]  # INCR creates the 4th
    assert [r.record.bins["n"] for r in records] == [100, 101, 102, 100]


async def test_batch_remove(db: Db, ns: str, set_name: str) -> None:
    keys = [(ns, set_name, i) for i in range(4)]
    for k in keys[:3]:
        await db.put(k, {"v": 1})
    result = await db.batch_remove([keys[0], (keys[1], {"gen": 9}), (keys[2], {"gen": 1}), keys[3]])
    assert [r.result for r in result.batch_records] == [0, 3, 0, 2]
    exists = await db.batch_read_view(keys)
    assert [r.result for r in exists] == [2, 0, 2, 2]


async def test_batch_read_result_has_aerospike_py_handle_methods(
    db: Db, ns: str, set_name: str
) -> None:
    keys = [(ns, set_name, i) for i in range(4)] + [(ns, set_name + "x", 0)]
    await db.put(keys[0], {"a": 1})
    await db.put(keys[2], {"a": 3})
    await db.put(keys[4], {"a": 5})
    result = await db.batch_read(keys)
    assert isinstance(result, aerospike_py.LazyBatchRecords) and isinstance(result, dict)
    assert result.to_dict() == {0: {"a": 5}, 2: {"a": 3}}  # user key 0 collides
    assert result.to_list() == [{"a": 1}, None, {"a": 3}, None, {"a": 5}]
    assert result.found_count() == 3
    assert result.all_user_keys() == [0, 1, 2, 3, 0]
    records = result.batch_records
    assert [r.result for r in records] == [0, 2, 0, 2, 0]
    assert records[4].key.set_name == set_name + "x"
    assert result.batch_records is records  # cached
    assert list(result.iter_records()) == records
    assert aerospike_py.LazyBatchRecords.merge_to_dict([result]) == [result.to_dict()]


async def test_batch_read_to_numpy(db: Db, ns: str, set_name: str) -> None:
    import numpy as np

    keys = [(ns, set_name, i) for i in range(3)]
    vec = np.arange(4, dtype="f4")
    await db.put(keys[0], {"score": 0.5, "count": 7, "emb": vec.tobytes()})
    await db.put(keys[2], {"score": 2.5, "count": 9, "emb": (vec * 2).tobytes()})
    dtype = np.dtype([("score", "f8"), ("count", "i4"), ("emb", "f4", (4,))])
    out = (await db.batch_read(keys)).to_numpy(dtype)
    assert list(out.result_codes) == [0, 2, 0]
    assert list(out.batch_records["count"]) == [7, 0, 9]
    assert out.batch_records["emb"][2].tolist() == [0.0, 2.0, 4.0, 6.0]
    assert out.meta["gen"].tolist() == [1, 0, 1]
    assert out.get(2)["score"] == 2.5 and 1 in out and len(out) == 3
