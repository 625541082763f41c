"""map_operations in operate(), sync and async, against the server: every
function, every return type (KEY_VALUE as aerospike-py's (key, value)
tuples), policies, write modes and flags, and inverted selections."""

from __future__ import annotations

from typing import Any

import pytest

import aerospike_py as ap
from aerospike_py import KeyOrderedDict
from aerospike_py import cdt_ctx as cx
from aerospike_py import map_operations as mo
from aerospike_py.exception import AerospikeError

from .conftest import Db

pytestmark = pytest.mark.asyncio

Key = tuple[str, str, str]
COUNTERS = {"b": 2, "a": 1, "d": 4, "c": 3}


async def one(db: Db, key: Key, op: dict[str, Any]) -> Any:
    return (await db.operate(key, [op])).bins.get("m")


async def stored(db: Db, key: Key) -> Any:
    return (await db.get(key)).bins.get("m")


async def test_return_types(db: Db, key: Key) -> None:
    await db.put(key, {"m": COUNTERS})
    keys = ["a", "c", "zz"]
    assert await one(db, key, mo.map_get_by_key_list("m", keys, ap.MAP_RETURN_VALUE)) == [1, 3]
    assert await one(db, key, mo.map_get_by_key_list("m", keys, ap.MAP_RETURN_KEY)) == ["a", "c"]
    assert await one(db, key, mo.map_get_by_key_list("m", keys, ap.MAP_RETURN_KEY_VALUE)) == [("a", 1), ("c", 3)]
    assert await one(db, key, mo.map_get_by_key_list("m", keys, ap.MAP_RETURN_COUNT)) == 2
    assert await one(db, key, mo.map_get_by_key_list("m", keys, ap.MAP_RETURN_INDEX)) == [0, 2]
    assert await one(db, key, mo.map_get_by_key_list("m", keys, ap.MAP_RETURN_REVERSE_INDEX)) == [3, 1]
    assert await one(db, key, mo.map_get_by_value_list("m", [1, 3], ap.MAP_RETURN_RANK)) == [0, 2]
    assert await one(db, key, mo.map_get_by_value_list("m", [1, 3], ap.MAP_RETURN_REVERSE_RANK)) == [3, 1]
    assert await one(db, key, mo.map_get_by_key("m", "c", ap.MAP_RETURN_RANK)) == 2
    assert await one(db, key, mo.map_get_by_key("m", "c", ap.MAP_RETURN_REVERSE_RANK)) == 1
    # The server keeps no value order for a key list of an unordered map.
    with pytest.raises(AerospikeError) as info:
        await db.operate(key, [mo.map_get_by_key_list("m", keys, ap.MAP_RETURN_RANK)])
    assert info.value.code == 26
    assert await one(db, key, mo.map_get_by_key_list("m", keys, ap.MAP_RETURN_UNORDERED_MAP)) == {"a": 1, "c": 3}
    ordered = await one(db, key, mo.map_get_by_key_list("m", keys, ap.MAP_RETURN_ORDERED_MAP))
    assert isinstance(ordered, KeyOrderedDict) and ordered == {"a": 1, "c": 3}
    assert await one(db, key, mo.map_get_by_key("m", "a", ap.MAP_RETURN_EXISTS)) is True
    assert await one(db, key, mo.map_get_by_key("m", "zz", ap.MAP_RETURN_EXISTS)) is False
    assert await one(db, key, mo.map_get_by_key("m", "b", ap.MAP_RETURN_VALUE)) == 2
    assert await one(db, key, mo.map_get_by_key("m", "b", ap.MAP_RETURN_KEY_VALUE)) == [("b", 2)]
    # A missing key has no value: nothing comes back for the bin (as in aerospike-py).
    assert (await db.operate(key, [mo.map_get_by_key("m", "zz", ap.MAP_RETURN_VALUE)])).bins == {}
    assert (await db.operate(key, [mo.map_get_by_key("m", "a", ap.MAP_RETURN_NONE)])).bins == {}


async def test_selections(db: Db, key: Key) -> None:
    await db.put(key, {"m": COUNTERS})
    kv = ap.MAP_RETURN_KEY_VALUE
    assert await one(db, key, mo.map_size("m")) == 4
    assert await one(db, key, mo.map_get_by_key_range("m", "b", "d", kv)) == [("b", 2), ("c", 3)]
    assert await one(db, key, mo.map_get_by_key_range("m", "c", None, kv)) == [("c", 3), ("d", 4)]
    assert await one(db, key, mo.map_get_by_key_range("m", "b", "d", ap.MAP_RETURN_KEY, inverted=True)) == ["a", "d"]
    assert await one(db, key, mo.map_get_by_value("m", 3, ap.MAP_RETURN_KEY)) == ["c"]
    assert await one(db, key, mo.map_get_by_value_range("m", 2, 4, ap.MAP_RETURN_KEY)) == ["b", "c"]
    assert await one(db, key, mo.map_get_by_value_list("m", [1, 4], ap.MAP_RETURN_KEY)) == ["a", "d"]
    assert await one(db, key, mo.map_get_by_index("m", 0, ap.MAP_RETURN_KEY)) == "a"
    assert await one(db, key, mo.map_get_by_index("m", -1, kv)) == [("d", 4)]
    assert await one(db, key, mo.map_get_by_index_range("m", 1, ap.MAP_RETURN_KEY, 2)) == ["b", "c"]
    assert await one(db, key, mo.map_get_by_index_range("m", 1, ap.MAP_RETURN_KEY)) == ["b", "c", "d"]
    assert await one(db, key, mo.map_get_by_rank("m", -1, ap.MAP_RETURN_VALUE)) == 4
    assert await one(db, key, mo.map_get_by_rank_range("m", 0, kv, 2)) == [("a", 1), ("b", 2)]
    assert await one(db, key, mo.map_get_by_rank_range("m", 0, ap.MAP_RETURN_VALUE, 2, inverted=True)) == [3, 4]
    assert await one(db, key, mo.map_get_by_key_index_range_relative("m", "b", 1, ap.MAP_RETURN_KEY, 2)) == [
        "c",
        "d",
    ]
    assert await one(db, key, mo.map_get_by_value_rank_range_relative("m", 2, -1, ap.MAP_RETURN_VALUE, 2)) == [
        1,
        2,
    ]
    assert await stored(db, key) == COUNTERS


async def test_writes(db: Db, key: Key) -> None:
    assert await one(db, key, mo.map_put("m", "a", 1)) == 1
    assert await one(db, key, mo.map_put_items("m", {"b": 2, "c": 3})) == 3
    assert await one(db, key, mo.map_increment("m", "a", 10)) == 11
    assert await one(db, key, mo.map_decrement("m", "b", 3)) == -1
    assert await one(db, key, mo.map_increment("m", "new", 2.5)) == 2.5
    assert await one(db, key, mo.map_increment("m", "new", 1)) == 3.5  # a float stays a float
    assert await stored(db, key) == {"a": 11, "b": -1, "c": 3, "new": 3.5}
    await db.operate(key, [mo.map_clear("m")])
    assert await stored(db, key) == {}


async def test_unflagged_map_takes_new_keys_in_key_order(db: Db, key: Key) -> None:
    # A real 8.x server keeps a map without order flags in key order as new
    # keys arrive (single puts, several at once, and a created context key).
    await db.put(key, {"m": {"b": 1, "x": 2}})
    await db.operate(key, [mo.map_put("m", "a", 0), mo.map_put("m", "c", 3)])
    assert list(await stored(db, key)) == ["a", "b", "c", "x"]
    await db.operate(key, [mo.map_put_items("m", {"z": 9, "d": 4}), mo.map_increment("m", "bb", 1)])
    assert list(await stored(db, key)) == ["a", "b", "bb", "c", "d", "x", "z"]
    create = [cx.cdt_ctx_map_key_create("cc", ap.MAP_UNORDERED)]
    await db.operate(key, [mo.map_put("m", "q", 1, ctx=create), mo.map_put("m", "p", 2, ctx=create)])
    m = await stored(db, key)
    assert list(m) == ["a", "b", "bb", "c", "cc", "d", "x", "z"] and list(m["cc"]) == ["p", "q"]


async def test_removes(db: Db, key: Key) -> None:
    await db.put(key, {"m": COUNTERS})
    assert await one(db, key, mo.map_remove_by_key("m", "a", ap.MAP_RETURN_VALUE)) == 1
    assert await one(db, key, mo.map_remove_by_key_list("m", ["b", "x"], ap.MAP_RETURN_KEY_VALUE)) == [("b", 2)]
    assert await stored(db, key) == {"c": 3, "d": 4}
    await db.put(key, {"m": COUNTERS})
    assert await one(db, key, mo.map_remove_by_key_range("m", "a", "c", ap.MAP_RETURN_COUNT)) == 2
    assert await one(db, key, mo.map_remove_by_value("m", 3, ap.MAP_RETURN_KEY)) == ["c"]
    assert await stored(db, key) == {"d": 4}
    await db.put(key, {"m": COUNTERS})
    assert await one(db, key, mo.map_remove_by_value_list("m", [1, 2], ap.MAP_RETURN_NONE)) is None
    assert await one(db, key, mo.map_remove_by_value_range("m", 0, 4, ap.MAP_RETURN_KEY, inverted=True)) == ["d"]
    assert await stored(db, key) == {"c": 3}
    await db.put(key, {"m": COUNTERS})
    assert await one(db, key, mo.map_remove_by_index("m", 0, ap.MAP_RETURN_KEY)) == "a"
    assert await one(db, key, mo.map_remove_by_index_range("m", 1, ap.MAP_RETURN_KEY)) == ["c", "d"]
    assert await stored(db, key) == {"b": 2}
    await db.put(key, {"m": COUNTERS})
    assert await one(db, key, mo.map_remove_by_rank("m", -1, ap.MAP_RETURN_VALUE)) == 4
    assert await one(db, key, mo.map_remove_by_rank_range("m", 0, ap.MAP_RETURN_VALUE, 2)) == [1, 2]
    assert await stored(db, key) == {"c": 3}
    await db.put(key, {"m": COUNTERS})
    assert await one(db, key, mo.map_remove_by_key_index_range_relative("m", "b", 0, ap.MAP_RETURN_KEY, 2)) == [
        "b",
        "c",
    ]
    assert await one(db, key, mo.map_remove_by_value_rank_range_relative("m", 1, 0, ap.MAP_RETURN_KEY)) == [
        "a",
        "d",
    ]
    assert await stored(db, key) == {}


async def test_order_and_policies(db: Db, key: Key) -> None:
    ordered: ap.MapPolicy = {"order": ap.MAP_KEY_ORDERED}
    await db.operate(key, [mo.map_put("m", "z", 26, ordered), mo.map_put("m", "a", 1, ordered)])
    m = await stored(db, key)
    assert isinstance(m, KeyOrderedDict) and list(m) == ["a", "z"]
    await db.put(key, {"u": {"x": 1}})
    await db.operate(key, [mo.map_set_order("u", ap.MAP_KEY_ORDERED)])
    assert isinstance((await db.get(key)).bins["u"], KeyOrderedDict)
    await db.operate(key, [mo.map_create("c", ap.MAP_KEY_VALUE_ORDERED)])
    await db.operate(key, [mo.map_put_items("c", {"k": 1})])
    assert isinstance((await db.get(key)).bins["c"], KeyOrderedDict)
    await db.operate(key, [mo.map_set_policy("c", {"order": ap.MAP_UNORDERED})])
    assert type((await db.get(key)).bins["c"]) is dict


async def test_write_modes_and_flags(db: Db, key: Key) -> None:
    await db.put(key, {"m": {"a": 1}})
    create_only: ap.MapPolicy = {"write_mode": ap.MAP_CREATE_ONLY}
    with pytest.raises(AerospikeError) as info:
        await db.operate(key, [mo.map_put("m", "a", 2, create_only)])
    assert info.value.code == 24  # element exists
    assert await one(db, key, mo.map_put("m", "b", 2, create_only)) == 2
    update_only: ap.MapPolicy = {"write_mode": ap.MAP_UPDATE_ONLY}
    with pytest.raises(AerospikeError) as info:
        await db.operate(key, [mo.map_put("m", "c", 3, update_only)])
    assert info.value.code == 23  # element not found
    assert await one(db, key, mo.map_put("m", "a", 5, update_only)) == 2
    no_fail: ap.MapPolicy = {"flags": ap.MAP_WRITE_FLAGS_CREATE_ONLY | ap.MAP_WRITE_FLAGS_NO_FAIL}
    assert await one(db, key, mo.map_put("m", "a", 9, no_fail)) == 2
    partial: ap.MapPolicy = {
        "flags": ap.MAP_WRITE_FLAGS_CREATE_ONLY | ap.MAP_WRITE_FLAGS_NO_FAIL | ap.MAP_WRITE_FLAGS_PARTIAL
    }
    assert await one(db, key, mo.map_put_items("m", {"a": 0, "d": 4}, partial)) == 3
    # MAP_WRITE_FLAGS_* bits given as the write mode (aerospike-py's MapPolicy accepts both).
    flags_mode: ap.MapPolicy = {"write_mode": ap.MAP_WRITE_FLAGS_UPDATE_ONLY | ap.MAP_WRITE_FLAGS_NO_FAIL}
    assert await one(db, key, mo.map_put("m", "zz", 1, flags_mode)) == 3
    assert await stored(db, key) == {"a": 5, "b": 2, "d": 4}


async def test_keys_of_every_type(db: Db, key: Key) -> None:
    # Map keys are ints, strings and bytes (a float key is refused by the server).
    items = {1: "int", "s": "str", b"\x01": "bytes"}
    await db.operate(key, [mo.map_put_items("m", items)])
    assert await stored(db, key) == items
    assert await one(db, key, mo.map_get_by_key("m", b"\x01", ap.MAP_RETURN_VALUE)) == "bytes"
    assert await one(db, key, mo.map_get_by_key("m", 1, ap.MAP_RETURN_KEY_VALUE)) == [(1, "int")]
