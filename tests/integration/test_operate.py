"""operate() and operate_ordered(), sync and async."""

from __future__ import annotations

import pytest

import aerospike_py
from aerospike_py import BinTuple, OperateOrderedResult, Record
from aerospike_py.exception import RecordNotFound

from .conftest import Db

pytestmark = pytest.mark.asyncio

READ, WRITE, INCR = aerospike_py.OPERATOR_READ, aerospike_py.OPERATOR_WRITE, aerospike_py.OPERATOR_INCR
APPEND, PREPEND = aerospike_py.OPERATOR_APPEND, aerospike_py.OPERATOR_PREPEND
TOUCH, DELETE = aerospike_py.OPERATOR_TOUCH, aerospike_py.OPERATOR_DELETE


async def test_operate_writes_and_reads_atomically(db: Db, key: tuple[str, str, str]) -> None:
    await db.put(key, {"counter": 1, "s": "b"})
    record = await db.operate(
        key,
        [
            {"op": INCR, "bin": "counter", "val": 2},
            {"op": APPEND, "bin": "s", "val": "c"},
            {"op": PREPEND, "bin": "s", "val": "a"},
            {"op": WRITE, "bin": "new", "val": [1, 2]},
            {"op": READ, "bin": "counter"},
            {"op": READ, "bin": "s"},
        ],
    )
    assert isinstance(record, Record)
    assert record.bins == {"counter": 3, "s": "abc"}
    assert record.meta.gen == 2
    assert (await db.get(key)).bins == {"counter": 3, "s": "abc", "new": [1, 2]}


async def test_operate_read_all(db: Db, key: tuple[str, str, str]) -> None:
    await db.put(key, {"a": 1, "b": "x"})
    record = await db.operate(key, [{"op": INCR, "bin": "a", "val": 1}, {"op": READ}])
    assert record.bins == {"a": 2, "b": "x"}


async def test_operate_touch_and_delete(db: Db, key: tuple[str, str, str]) -> None:
    await db.put(key, {"a": 1})
    record = await db.operate(key, [{"op": TOUCH}], meta={"ttl": 100})
    assert record.meta.gen == 2
    await db.operate(key, [{"op": DELETE}])
    assert (await db.exists(key)).meta is None


async def test_operate_on_missing_record(db: Db, key: tuple[str, str, str]) -> None:
    with pytest.raises(RecordNotFound):
        await db.operate(key, [{"op": READ, "bin": "a"}])
    # A write creates it.
    record = await db.operate(key, [{"op": INCR, "bin": "n", "val": 5}, {"op": READ, "bin": "n"}])
    assert record.bins == {"n": 5}


async def test_operate_ordered_keeps_order_and_duplicates(db: Db, key: tuple[str, str, str]) -> None:
    await db.put(key, {"z": 1, "a": 2, "m": "x"})
    result = await db.operate_ordered(
        key,
        [
            {"op": READ, "bin": "m"},
            {"op": READ, "bin": "z"},
            {"op": INCR, "bin": "z", "val": 10},
            {"op": READ, "bin": "z"},
            {"op": READ, "bin": "a"},
            {"op": READ, "bin": "z"},
        ],
    )
    assert isinstance(result, OperateOrderedResult)
    assert all(isinstance(b, BinTuple) for b in result.ordered_bins)
    assert result.ordered_bins == [("m", "x"), ("z", 1), ("z", 11), ("a", 2), ("z", 11)]
    assert result.key.user_key == key[2]
    assert result.meta.gen == 2


async def test_operate_with_generation_meta(db: Db, key: tuple[str, str, str]) -> None:
    await db.put(key, {"a": 1})
    with pytest.raises(aerospike_py.RecordGenerationError):
        await db.operate(key, [{"op": WRITE, "bin": "a", "val": 2}], meta={"gen": 7})
    await db.operate(key, [{"op": WRITE, "bin": "a", "val": 2}], meta={"gen": 1})
    assert (await db.get(key)).bins == {"a": 2}
