"""Contexts (ctx=) of list and map operations against the server: every
step type, create steps with order and pad, and list_create/map_create."""

from __future__ import annotations

import pytest

import aerospike_py as ap
from aerospike_py import KeyOrderedDict, cdt_ctx as cx
from aerospike_py import list_operations as lo
from aerospike_py import map_operations as mo
from aerospike_py.exception import AerospikeError

from .conftest import Db

pytestmark = pytest.mark.asyncio

Key = tuple[str, str, str]
USERS = [
    {"name": "Ann", "scores": {"a": 1, "b": 2}, "tags": [3, 1, 2]},
    {"name": "Bob", "scores": {"a": 5}, "tags": [9]},
]


async def test_every_step_type(db: Db, key: Key) -> None:
    await db.put(key, {"u": USERS, "n": [[5, 6], [1, 2], [3, 4]], "m": {"x": {"k": 1}, "y": {"k": 2}}})
    val = ap.MAP_RETURN_VALUE

    async def get(op: dict[str, object], bin: str) -> object:
        return (await db.operate(key, [op])).bins[bin]

    assert await get(mo.map_get_by_key("u", "name", val, ctx=[cx.cdt_ctx_list_index(1)]), "u") == "Bob"
    assert await get(mo.map_get_by_key("u", "a", val, ctx=[cx.cdt_ctx_list_index(0), cx.cdt_ctx_map_key("scores")]), "u") == 1
    assert await get(lo.list_get("u", -1, ctx=[cx.cdt_ctx_list_index(0), cx.cdt_ctx_map_key("tags")]), "u") == 2
    assert await get(lo.list_size("n", ctx=[cx.cdt_ctx_list_rank(0)]), "n") == 2  # [1, 2]
    assert await get(lo.list_get("n", 0, ctx=[cx.cdt_ctx_list_rank(-1)]), "n") == 5
    assert await get(lo.list_get("n", 1, ctx=[cx.cdt_ctx_list_value([3, 4])]), "n") == 4
    assert await get(mo.map_get_by_key("m", "k", val, ctx=[cx.cdt_ctx_map_index(1)]), "m") == 2
    assert await get(mo.map_get_by_key("m", "k", val, ctx=[cx.cdt_ctx_map_rank(0)]), "m") == 1
    assert await get(mo.map_size("m", ctx=[cx.cdt_ctx_map_value({"k": 2})]), "m") == 1


async def test_writes_inside_nested_collections(db: Db, key: Key) -> None:
    await db.put(key, {"u": USERS})
    ctx = [cx.cdt_ctx_list_index(0), cx.cdt_ctx_map_key("scores")]
    assert (await db.operate(key, [mo.map_increment("u", "a", 10, ctx=ctx)])).bins["u"] == 11
    tags = [cx.cdt_ctx_list_index(0), cx.cdt_ctx_map_key("tags")]
    await db.operate(key, [lo.list_sort("u", ctx=tags), lo.list_append("u", 0, ctx=tags)])
    users = (await db.get(key)).bins["u"]
    assert users[0]["scores"] == {"a": 11, "b": 2}
    assert users[0]["tags"] == [1, 2, 3, 0]
    assert users[1] == USERS[1]


async def test_missing_path_without_create_fails(db: Db, key: Key) -> None:
    await db.put(key, {"m": {"x": {}}})
    with pytest.raises(AerospikeError):
        await db.operate(key, [mo.map_put("m", "k", 1, ctx=[cx.cdt_ctx_map_key("nope")])])


async def test_create_steps(db: Db, key: Key) -> None:
    await db.put(key, {"m": {"x": 1}, "l": [[1]]})
    create = [cx.cdt_ctx_map_key_create("new", ap.MAP_KEY_ORDERED)]
    await db.operate(key, [mo.map_put("m", "z", 26, ctx=create), mo.map_put("m", "a", 1, ctx=create)])
    # The entries went into a new map at "new", kept in key order.
    inner = (await db.get(key)).bins["m"]["new"]
    assert inner == {"a": 1, "z": 26} and list(inner) == ["a", "z"]
    # On a missing bin the step creates the map it steps into, key-ordered.
    await db.operate(key, [mo.map_put("fresh", "k", 1, ctx=create)])
    fresh = (await db.get(key)).bins["fresh"]
    assert isinstance(fresh, KeyOrderedDict) and fresh == {"new": {"k": 1}}
    # An element created at index 1 (right after the end).
    await db.operate(key, [lo.list_append_items("l", [3, 1, 2], ctx=[cx.cdt_ctx_list_index_create(1, ap.LIST_UNORDERED)])])
    assert (await db.get(key)).bins["l"] == [[1], [3, 1, 2]]
    # Padding: index 3 of a 2-item unordered list fills the gap with None.
    await db.operate(key, [lo.list_append("l", 7, ctx=[cx.cdt_ctx_list_index_create(3, ap.LIST_UNORDERED, True)])])
    assert (await db.get(key)).bins["l"] == [[1], [3, 1, 2], None, [7]]


async def test_list_and_map_create_at_a_context(db: Db, key: Key) -> None:
    await db.put(key, {"m": {"x": 1}})
    await db.operate(key, [lo.list_create("m", ap.LIST_ORDERED, ctx=[cx.cdt_ctx_map_key("lst")])])
    await db.operate(key, [lo.list_append_items("m", [2, 1], ctx=[cx.cdt_ctx_map_key("lst")])])
    await db.operate(key, [mo.map_create("m", ap.MAP_KEY_ORDERED, ctx=[cx.cdt_ctx_map_key("mp")])])
    await db.operate(key, [mo.map_put_items("m", {"b": 2, "a": 1}, ctx=[cx.cdt_ctx_map_key("mp")])])
    m = (await db.get(key)).bins["m"]
    assert m["lst"] == [1, 2]
    assert isinstance(m["mp"], KeyOrderedDict) and list(m["mp"]) == ["a", "b"]


async def test_plain_tuples_work_as_steps(db: Db, key: Key) -> None:
    await db.put(key, {"n": [[5, 6], [1, 2]]})
    record = await db.operate(key, [lo.list_get("n", 0, ctx=[(ap.CDT_CTX_LIST_INDEX, 1)])])
    assert record.bins["n"] == 1
