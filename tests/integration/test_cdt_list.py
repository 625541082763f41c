"""list_operations in operate(), sync and async, against the server: every
function, its return types, policies and inverted selections."""

from __future__ import annotations

from typing import Any

import pytest

import aerospike_py as ap
from aerospike_py import list_operations as lo
from aerospike_py.exception import AerospikeError, BinTypeError, ServerError

from .conftest import Db

pytestmark = pytest.mark.asyncio

Key = tuple[str, str, str]


async def one(db: Db, key: Key, op: dict[str, Any]) -> Any:
    """The result of one op on bin "l"."""
    record = await db.operate(key, [op])
    return record.bins.get("l")


async def stored(db: Db, key: Key) -> Any:
    return (await db.get(key)).bins.get("l")


async def test_append_insert_and_sizes(db: Db, key: Key) -> None:
    assert await one(db, key, lo.list_append("l", 1)) == 1  # creates the bin
    assert await one(db, key, lo.list_append_items("l", [2, 3, "x"])) == 4
    assert await one(db, key, lo.list_insert("l", 0, 0)) == 5
    assert await one(db, key, lo.list_insert_items("l", -1, [8, 9])) == 7
    assert await stored(db, key) == [0, 1, 2, 3, 8, 9, "x"]
    assert await one(db, key, lo.list_size("l")) == 7


async def test_reads(db: Db, key: Key) -> None:
    await db.put(key, {"l": [5, 1, 4, 2, 3]})
    assert await one(db, key, lo.list_get("l", -1)) == 3
    assert await one(db, key, lo.list_get_range("l", 1, 2)) == [1, 4]
    assert await one(db, key, lo.list_get_by_index("l", 1, ap.LIST_RETURN_VALUE)) == 1
    assert await one(db, key, lo.list_get_by_index("l", 1, ap.LIST_RETURN_RANK)) == 0
    assert await one(db, key, lo.list_get_by_index_range("l", 1, ap.LIST_RETURN_VALUE)) == [1, 4, 2, 3]
    assert await one(db, key, lo.list_get_by_index_range("l", 1, ap.LIST_RETURN_INDEX, 2)) == [1, 2]
    assert await one(db, key, lo.list_get_by_index_range("l", 1, ap.LIST_RETURN_VALUE, 2, inverted=True)) == [
        5,
        2,
        3,
    ]
    assert await one(db, key, lo.list_get_by_rank("l", 0, ap.LIST_RETURN_VALUE)) == 1
    assert await one(db, key, lo.list_get_by_rank("l", -1, ap.LIST_RETURN_INDEX)) == 0
    # Rank selections come back in rank order, largest first for VALUE (the server's order).
    assert await one(db, key, lo.list_get_by_rank_range("l", 0, ap.LIST_RETURN_VALUE, 3)) == [3, 2, 1]
    assert await one(db, key, lo.list_get_by_value("l", 4, ap.LIST_RETURN_INDEX)) == [2]
    assert await one(db, key, lo.list_get_by_value("l", 4, ap.LIST_RETURN_REVERSE_INDEX)) == [2]
    assert await one(db, key, lo.list_get_by_value("l", 4, ap.LIST_RETURN_RANK)) == [3]
    assert await one(db, key, lo.list_get_by_value("l", 4, ap.LIST_RETURN_REVERSE_RANK)) == [1]
    assert await one(db, key, lo.list_get_by_value("l", 4, ap.LIST_RETURN_EXISTS)) is True
    assert await one(db, key, lo.list_get_by_value("l", 40, ap.LIST_RETURN_EXISTS)) is False
    assert await one(db, key, lo.list_get_by_value_list("l", [1, 3, 9], ap.LIST_RETURN_VALUE)) == [1, 3]
    assert await one(db, key, lo.list_get_by_value_list("l", [1, 3], ap.LIST_RETURN_COUNT, inverted=True)) == 3
    assert await one(db, key, lo.list_get_by_value_range("l", 2, 5, ap.LIST_RETURN_VALUE)) == [4, 2, 3]
    assert await one(db, key, lo.list_get_by_value_range("l", 3, None, ap.LIST_RETURN_VALUE)) == [5, 4, 3]
    assert await one(db, key, lo.list_get_by_value_range("l", 2, 5, ap.LIST_RETURN_COUNT)) == 3
    assert await one(db, key, lo.list_get_by_value_rank_range_relative("l", 3, 0, ap.LIST_RETURN_VALUE, 2)) == [
        3,
        4,
    ]
    assert await one(db, key, lo.list_get_by_value_rank_range_relative("l", 3, -1, ap.LIST_RETURN_VALUE)) == [
        2,
        3,
        4,
        5,
    ]
    # Reads leave the list as it was.
    assert await stored(db, key) == [5, 1, 4, 2, 3]


async def test_none_return_type_has_no_result(db: Db, key: Key) -> None:
    await db.put(key, {"l": [1, 2, 2, 3]})
    record = await db.operate(key, [lo.list_remove_by_value("l", 2, ap.LIST_RETURN_NONE)])
    assert record.bins == {}
    assert await stored(db, key) == [1, 3]


async def test_removes(db: Db, key: Key) -> None:
    await db.put(key, {"l": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]})
    assert await one(db, key, lo.list_pop("l", 0)) == 0
    assert await one(db, key, lo.list_pop_range("l", 0, 2)) == [1, 2]
    assert await one(db, key, lo.list_remove("l", -1)) == 1
    assert await one(db, key, lo.list_remove_range("l", 0, 1)) == 1
    assert await stored(db, key) == [4, 5, 6, 7, 8]
    assert await one(db, key, lo.list_remove_by_index("l", 0, ap.LIST_RETURN_VALUE)) == 4
    assert await one(db, key, lo.list_remove_by_index_range("l", 2, ap.LIST_RETURN_VALUE)) == [7, 8]
    assert await stored(db, key) == [5, 6]
    await db.put(key, {"l": [5, 1, 4, 2, 3]})
    assert await one(db, key, lo.list_remove_by_rank("l", 0, ap.LIST_RETURN_VALUE)) == 1
    assert await one(db, key, lo.list_remove_by_rank_range("l", 0, ap.LIST_RETURN_VALUE, 2, inverted=True)) == [
        5,
        4,
    ]
    assert await stored(db, key) == [2, 3]
    await db.put(key, {"l": [1, 2, 3, 4, 5, 6]})
    assert await one(db, key, lo.list_remove_by_value_list("l", [2, 4], ap.LIST_RETURN_COUNT)) == 2
    assert await one(db, key, lo.list_remove_by_value_range("l", 5, None, ap.LIST_RETURN_VALUE)) == [5, 6]
    assert await one(db, key, lo.list_remove_by_value_rank_range_relative("l", 1, 1, ap.LIST_RETURN_VALUE)) == [3]
    assert await stored(db, key) == [1]
    assert await one(db, key, lo.list_remove_by_index_range("l", 0, ap.LIST_RETURN_COUNT, 5)) == 1


async def test_set_trim_clear_increment(db: Db, key: Key) -> None:
    await db.put(key, {"l": [1, 2, 3, 4, 5]})
    await db.operate(key, [lo.list_set("l", 1, "two")])
    assert await one(db, key, lo.list_trim("l", 1, 3)) == 2
    assert await stored(db, key) == ["two", 3, 4]
    assert await one(db, key, lo.list_increment("l", 1, 10)) == 13
    # An integer item stays an integer.
    assert await one(db, key, lo.list_increment("l", 2, 0.5)) == 4
    await db.operate(key, [lo.list_set("l", 0, 1.5)])
    assert await one(db, key, lo.list_increment("l", 0, 0.25)) == 1.75
    await db.operate(key, [lo.list_clear("l")])
    assert await stored(db, key) == []


async def test_sort_and_order(db: Db, key: Key) -> None:
    await db.put(key, {"l": [3, 1, 3, 2]})
    await db.operate(key, [lo.list_sort("l", ap.LIST_SORT_DROP_DUPLICATES)])
    assert await stored(db, key) == [1, 2, 3]
    await db.put(key, {"l": [3, 1, 2]})
    await db.operate(key, [lo.list_set_order("l", ap.LIST_ORDERED)])
    # An ordered list keeps appended items in order.
    await db.operate(key, [lo.list_append("l", 0)])
    assert await stored(db, key) == [0, 1, 2, 3]


async def test_list_policies(db: Db, key: Key) -> None:
    await db.put(key, {"l": [1, 2]})
    unique: ap.ListPolicy = {"flags": ap.LIST_WRITE_ADD_UNIQUE}
    with pytest.raises(AerospikeError) as info:
        await db.operate(key, [lo.list_append("l", 1, unique)])
    assert info.value.code == 24  # element exists
    no_fail: ap.ListPolicy = {"flags": ap.LIST_WRITE_ADD_UNIQUE | ap.LIST_WRITE_NO_FAIL}
    assert await one(db, key, lo.list_append("l", 1, no_fail)) == 2
    partial: ap.ListPolicy = {"flags": ap.LIST_WRITE_ADD_UNIQUE | ap.LIST_WRITE_NO_FAIL | ap.LIST_WRITE_PARTIAL}
    assert await one(db, key, lo.list_append_items("l", [2, 3], partial)) == 3
    bounded: ap.ListPolicy = {"flags": ap.LIST_WRITE_INSERT_BOUNDED}
    with pytest.raises(ServerError):
        await db.operate(key, [lo.list_insert("l", 10, 9, bounded)])
    # A policy's order applies when the list is created.
    ordered: ap.ListPolicy = {"order": ap.LIST_ORDERED}
    await db.operate(key, [lo.list_append_items("o", [3, 1, 2], ordered)])
    assert (await db.get(key)).bins["o"] == [1, 2, 3]


async def test_list_create_and_persist(db: Db, key: Key) -> None:
    await db.operate(key, [lo.list_create("l", ap.LIST_ORDERED)])
    await db.operate(key, [lo.list_append_items("l", [3, 1])])
    assert await stored(db, key) == [1, 3]


async def test_value_types_round_trip(db: Db, key: Key) -> None:
    items = [None, True, -7, 2**63 - 1, 1.5, "s", b"\x00\x01", [1, [2]], {"k": {"n": 1}}]
    await db.operate(key, [lo.list_append_items("l", items)])
    assert await stored(db, key) == items
    assert await one(db, key, lo.list_get_range("l", 0, 20)) == items


async def test_errors_from_the_server(db: Db, key: Key) -> None:
    await db.put(key, {"s": "not a list", "l": [1]})
    with pytest.raises(BinTypeError) as info:
        await db.operate(key, [lo.list_append("s", 1)])
    assert info.value.code == 12
    with pytest.raises(AerospikeError) as info:
        await db.operate(key, [lo.list_get("l", 5)])
    assert info.value.code == 26  # op not applicable (index out of range)


async def test_wildcard_and_infinite(db: Db, key: Key) -> None:
    await db.put(key, {"l": [[1, "a"], [2, "b"], [1, "c"], [3, "d"]]})
    assert await one(db, key, lo.list_get_by_value("l", [1, ap.CDTWildcard()], ap.LIST_RETURN_VALUE)) == [
        [1, "a"],
        [1, "c"],
    ]
    assert await one(db, key, lo.list_get_by_value_range("l", [2], [2, ap.CDTInfinite()], ap.LIST_RETURN_INDEX)) == [1]
    # Only inside operation arguments: not as a bin value.
    with pytest.raises(ap.exception.ParamError, match="unsupported value type CDTWildcard"):
        await db.put(key, {"w": ap.CDTWildcard()})
