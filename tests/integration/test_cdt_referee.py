"""The official client as referee: the same collection operations, run by
the official ``aerospike`` client and by ours on two copies of one record,
return the same values (up to the documented shape differences) and leave
the same records behind."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import aerospike
import pytest
from aerospike_helpers import cdt_ctx as C
from aerospike_helpers.operations import bitwise_operations as B
from aerospike_helpers.operations import hll_operations as H
from aerospike_helpers.operations import list_operations as L
from aerospike_helpers.operations import map_operations as M

import aerospike_py as ap
from aerospike_py import cdt_ctx as cx
from aerospike_py import bit_operations as bo
from aerospike_py import hll_operations as ho
from aerospike_py import list_operations as lo
from aerospike_py import map_operations as mo
from aerospike_py.testing import ServerHandle

from .conftest import Db

pytestmark = pytest.mark.asyncio

RECORD: dict[str, Any] = {
    "l": [5, 1, 4, 2, 3],
    "m": {"b": 2, "a": 1, "d": 4, "c": 3},
    "n": [{"k": [1, 2]}, {"k": [3]}],
    "b": bytearray(b"\x0f\xf0\x01"),
}

# (ours, official, KEY_VALUE result): each runs alone in one operate() call.
CASES: list[tuple[dict[str, Any], dict[str, Any], bool]] = [
    (lo.list_append("l", 9), L.list_append("l", 9), False),
    (lo.list_insert_items("l", 1, [7, 8]), L.list_insert_items("l", 1, [7, 8]), False),
    (lo.list_get_by_index_range("l", 1, ap.LIST_RETURN_VALUE, 3), L.list_get_by_index_range("l", 1, aerospike.LIST_RETURN_VALUE, 3), False),
    (lo.list_get_by_rank_range("l", 0, ap.LIST_RETURN_INDEX, 2, inverted=True),
     L.list_get_by_rank_range("l", 0, aerospike.LIST_RETURN_INDEX, 2, inverted=True), False),
    (lo.list_get_by_value_range("l", 2, 5, ap.LIST_RETURN_COUNT), L.list_get_by_value_range("l", aerospike.LIST_RETURN_COUNT, 2, 5), False),
    (lo.list_remove_by_value_list("l", [1, 3], ap.LIST_RETURN_REVERSE_INDEX),
     L.list_remove_by_value_list("l", [1, 3], aerospike.LIST_RETURN_REVERSE_INDEX), False),
    (lo.list_get_by_value_rank_range_relative("l", 3, -1, ap.LIST_RETURN_VALUE, 3),
     L.list_get_by_value_rank_range_relative("l", 3, -1, aerospike.LIST_RETURN_VALUE, 3), False),
    (lo.list_sort("l", ap.LIST_SORT_DROP_DUPLICATES), L.list_sort("l", aerospike.LIST_SORT_DROP_DUPLICATES), False),
    (lo.list_increment("l", 0, 2.5, {"order": ap.LIST_UNORDERED}), L.list_increment("l", 0, 2.5, {"list_order": aerospike.LIST_UNORDERED}), False),
    (mo.map_put("m", "e", 5, {"order": ap.MAP_KEY_ORDERED}), M.map_put("m", "e", 5, {"map_order": aerospike.MAP_KEY_ORDERED}), False),
    (mo.map_put_items("m", {"x": 1}, {"flags": ap.MAP_WRITE_FLAGS_CREATE_ONLY}),
     M.map_put_items("m", {"x": 1}, {"map_write_flags": aerospike.MAP_WRITE_FLAGS_CREATE_ONLY}), False),
    (mo.map_get_by_key_list("m", ["a", "c", "z"], ap.MAP_RETURN_KEY_VALUE),
     M.map_get_by_key_list("m", ["a", "c", "z"], aerospike.MAP_RETURN_KEY_VALUE), True),
    (mo.map_get_by_rank_range("m", 1, ap.MAP_RETURN_KEY_VALUE, 2), M.map_get_by_rank_range("m", 1, 2, aerospike.MAP_RETURN_KEY_VALUE), True),
    (mo.map_get_by_value_range("m", 2, 4, ap.MAP_RETURN_KEY, inverted=True),
     M.map_get_by_value_range("m", 2, 4, aerospike.MAP_RETURN_KEY, inverted=True), False),
    (mo.map_remove_by_key_range("m", "b", "d", ap.MAP_RETURN_VALUE), M.map_remove_by_key_range("m", "b", "d", aerospike.MAP_RETURN_VALUE), False),
    (mo.map_get_by_key_index_range_relative("m", "b", 1, ap.MAP_RETURN_KEY),
     M.map_get_by_key_index_range_relative("m", "b", 1, aerospike.MAP_RETURN_KEY), False),
    (mo.map_increment("m", "a", 3), M.map_increment("m", "a", 3), False),
    (mo.map_get_by_key_list("m", ["a", "b"], ap.MAP_RETURN_ORDERED_MAP),
     M.map_get_by_key_list("m", ["a", "b"], aerospike.MAP_RETURN_ORDERED_MAP), False),
    (lo.list_append("n", 9, ctx=[cx.cdt_ctx_list_index(0), cx.cdt_ctx_map_key("k")]),
     L.list_append("n", 9, ctx=[C.cdt_ctx_list_index(0), C.cdt_ctx_map_key("k")]), False),
    (mo.map_put("n", "new", 1, ctx=[cx.cdt_ctx_list_index_create(2, ap.LIST_UNORDERED, True)]),
     M.map_put("n", "new", 1, ctx=[C.cdt_ctx_list_index_create(2, aerospike.LIST_UNORDERED, True)]), False),
    (mo.map_put("n", "x", 1, ctx=[cx.cdt_ctx_list_index(1), cx.cdt_ctx_map_key_create("sub", ap.MAP_KEY_ORDERED)]),
     M.map_put("n", "x", 1, ctx=[C.cdt_ctx_list_index(1), C.cdt_ctx_map_key_create("sub", aerospike.MAP_KEY_ORDERED)]), False),
    (bo.bit_set("b", 4, 8, b"\xa5"), B.bit_set("b", 4, 8, 1, bytearray(b"\xa5")), False),
    (bo.bit_add("b", 8, 8, 20, True, ap.BIT_OVERFLOW_WRAP), B.bit_add("b", 8, 8, 20, True, aerospike.BIT_OVERFLOW_WRAP), False),
    (bo.bit_get_int("b", 0, 16, True), B.bit_get_int("b", 0, 16, True), False),
    (bo.bit_rscan("b", 0, 24, True), B.bit_rscan("b", 0, 24, True), False),
    (bo.bit_resize("b", 6, ap.BIT_RESIZE_FROM_FRONT), B.bit_resize("b", 6, resize_flags=aerospike.BIT_RESIZE_FROM_FRONT), False),
    (ho.hll_add("h", ["a", "b", "c"], 10, 4), H.hll_add("h", ["a", "b", "c"], 10, 4), False),
]


@pytest.fixture
def official(aerospike_server: ServerHandle) -> Iterator[Any]:
    client = aerospike.client({"hosts": list(aerospike_server.hosts)}).connect()
    try:
        yield client
    finally:
        client.close()


def as_pairs(flat: list[Any]) -> list[tuple[Any, Any]]:
    """The official client's KEY_VALUE list [k, v, k, v] as ours, [(k, v), ...]."""
    return list(zip(flat[0::2], flat[1::2]))


def plain(value: Any) -> Any:
    """Values the clients represent with different types compared as plain data."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


@pytest.mark.parametrize("case", range(len(CASES)))
async def test_same_results_and_records(db: Db, official: Any, ns: str, set_name: str, case: int) -> None:
    ours_op, official_op, key_value = CASES[case]
    ours_key = (ns, set_name, f"ours-{case}")
    their_key = (ns, set_name, f"official-{case}")
    official.put(their_key, RECORD)
    official.put(ours_key, RECORD)
    bin_name = ours_op["bin"]
    ours = (await db.operate(ours_key, [ours_op])).bins.get(bin_name)
    theirs = official.operate(their_key, [official_op])[2].get(bin_name)
    if key_value:
        theirs = as_pairs(theirs)
    assert plain(ours) == plain(theirs)
    ours_after = official.get(ours_key)[2]
    theirs_after = official.get(their_key)[2]
    assert plain(ours_after) == plain(theirs_after)
