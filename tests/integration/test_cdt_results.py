"""How results of collection ops come back from operate(),
operate_ordered() and batch_operate(), and that a bad op dict sends
nothing."""

from __future__ import annotations

import pytest

import aerospike_py as ap
from aerospike_py import BinTuple, OperateOrderedResult
from aerospike_py import bit_operations as bo
from aerospike_py import hll_operations as ho
from aerospike_py import list_operations as lo
from aerospike_py import map_operations as mo
from aerospike_py.exception import ParamError

from .conftest import Db

pytestmark = pytest.mark.asyncio

Key = tuple[str, str, str]
READ = ap.OPERATOR_READ


async def test_several_results_for_one_bin_are_a_list(db: Db, key: Key) -> None:
    await db.put(key, {"l": [5, 1, 4], "m": {"a": 1}})
    record = await db.operate(
        key,
        [
            lo.list_size("l"),
            lo.list_get("l", 0),
            lo.list_get_range("l", 1, 2),  # a result that is itself a list
            mo.map_get_by_key("m", "a", ap.MAP_RETURN_KEY_VALUE),
        ],
    )
    assert record.bins == {"l": [3, 5, [1, 4]], "m": [("a", 1)]}
    record = await db.operate(key, [{"op": READ, "bin": "m"}, mo.map_put("m", "b", 2)])
    assert record.bins == {"m": [{"a": 1}, 2]}


async def test_ops_without_a_result_leave_nothing(db: Db, key: Key) -> None:
    await db.put(key, {"l": [3, 1, 2], "b": b"\x00"})
    record = await db.operate(
        key, [lo.list_sort("l"), lo.list_size("l"), bo.bit_set("b", 0, 8, b"\xff"), bo.bit_get("b", 0, 8)]
    )
    assert record.bins == {"l": 3, "b": b"\xff"}
    # With a KEY_VALUE result the server answers every op; still no None.
    record = await db.operate(
        key,
        [
            lo.list_sort("l"),
            mo.map_put("m", "k", 1),
            mo.map_get_by_key("m", "missing", ap.MAP_RETURN_VALUE),
            mo.map_get_by_key_list("m", ["k"], ap.MAP_RETURN_KEY_VALUE),
        ],
    )
    assert record.bins == {"m": [1, [("k", 1)]]}


async def test_operate_ordered_has_one_entry_per_op(db: Db, key: Key) -> None:
    await db.put(key, {"l": [3, 1, 2], "n": 1})
    ops = [
        lo.list_sort("l"),
        lo.list_size("l"),
        {"op": ap.OPERATOR_INCR, "bin": "n", "val": 1},
        {"op": READ, "bin": "n"},
        mo.map_put("m", "a", 1),
        mo.map_get_by_key_list("m", ["a"], ap.MAP_RETURN_KEY_VALUE),
        ho.hll_init("h", 8),
        {"op": READ, "bin": "nope"},
    ]
    result = await db.operate_ordered(key, ops)
    assert isinstance(result, OperateOrderedResult)
    assert all(isinstance(b, BinTuple) for b in result.ordered_bins)
    assert result.ordered_bins == [
        ("l", None),
        ("l", 3),
        ("n", None),
        ("n", 2),
        ("m", 1),
        ("m", [("a", 1)]),
        ("h", None),
        ("nope", None),
    ]
    assert len(result.ordered_bins) == len(ops)


async def test_batch_operate(db: Db, ns: str, set_name: str) -> None:
    keys = [(ns, set_name, f"b{i}") for i in range(3)]
    for i, k in enumerate(keys[:2]):
        await db.put(k, {"l": [i, 5, 1], "m": {"a": i}})
    result = await db.batch_operate(
        keys,
        [
            lo.list_size("l"),
            lo.list_get("l", 0),
            mo.map_get_by_key_list("m", ["a"], ap.MAP_RETURN_KEY_VALUE),
            mo.map_get_by_key("m", "missing", ap.MAP_RETURN_VALUE),
        ],
    )
    records = result.batch_records
    assert [r.result for r in records] == [0, 0, 2]
    assert records[0].record.bins == {"l": [3, 0], "m": [("a", 0)]}
    assert records[1].record.bins == {"l": [3, 1], "m": [("a", 1)]}
    assert records[2].record is None
    # A batch that writes answers every op (None for no result), as aerospike-py's.
    result = await db.batch_operate(keys[:2], [lo.list_append("l", 9), lo.list_sort("l")])
    assert [r.record.bins for r in result.batch_records] == [{"l": [4, None]}, {"l": [4, None]}]
    assert (await db.get(keys[0])).bins["l"] == [0, 1, 5, 9]


async def test_bad_op_sends_nothing(db: Db, key: Key) -> None:
    await db.put(key, {"l": [1]})
    before = (await db.get(key)).meta.gen
    with pytest.raises(ParamError, match=r"ops\[1\] \(list_append\): 'list_policy.flags' is 64"):
        await db.operate(key, [lo.list_append("l", 2), lo.list_append("l", 3, {"flags": 64})])
    with pytest.raises(ParamError, match="takes no 'ctx'"):
        await db.operate(key, [{**bo.bit_get("b", 0, 8), "ctx": [(0x10, 0)]}])
    with pytest.raises(ParamError):
        await db.batch_operate([key], [lo.list_append("l", 2), mo.map_get_by_key("m", "k", 99)])
    record = await db.get(key)
    assert record.bins == {"l": [1]} and record.meta.gen == before


async def test_mixed_batch_rows(db: Db, ns: str, set_name: str) -> None:
    from aerospike_py.batch import Read, Write

    k1, k2 = (ns, set_name, "r"), (ns, set_name, "w")
    await db.put(k1, {"m": {"a": 1, "b": 2}})
    await db.put(k2, {"l": [1]})
    result = await db.batch(
        [
            Read(k1, ops=[mo.map_get_by_key_list("m", ["b"], ap.MAP_RETURN_KEY_VALUE), mo.map_size("m")]),
            Write(k2, bins={"x": 1}, ops=[lo.list_append("l", 2), mo.map_put("m", "k", 1),
                                          mo.map_get_by_key_list("m", ["k"], ap.MAP_RETURN_KEY_VALUE)]),
        ]
    )
    read, write = result.batch_records
    assert read.result == 0 and read.record.bins == {"m": [[("b", 2)], 2]}
    assert write.result == 0 and write.record.bins == {"l": 2, "m": [1, [("k", 1)]]}
    assert (await db.get(k2)).bins == {"l": [1, 2], "x": 1, "m": {"k": 1}}
