"""Stored lists and maps (CDT ops), bit ops and HLL ops: every list op on
unordered and ordered lists with policies and flags, every map op in every
map order with every result type (index/rank/value/key ranges, relative
ranges, inverted), nested contexts (incl. create contexts), bit ops with
their write/resize/overflow flags, HLL ops; the errors of each (wrong type,
out of range, element exists/not found, bad arguments); and seeded random op
sequences on lists and maps.

Every op runs on its own record (key = the step's name) seeded fresh, so a
difference stays in its own exchange."""

from __future__ import annotations

import base64
import random
import zlib
from typing import Any

from .. import wire
from ..catalogue import Case
from ..wire import INFINITY, WILDCARD
from . import _cdt as C
from ._common import get, operate, put, r, w

SET = "rec_cdt"
SETS = (SET,)
SEED = 11

LIST = [5, 3, 8, 1, 3, "a", [1, 2], 2.5, None, True, {"k": 1}, b"\x01"]
INTS = [7, 3, 9, 3, 1, 12, 5]
MAP: dict[Any, Any] = {"b": 2, "a": 1, 10: "x", "c": 3, 5: [1], "d": 2, "e": 2.5}
NESTED = {"a": [1, 2, {"x": [5, 6]}], "b": {"c": {"d": 1}}, "n": 4}
BITS = b"\x0f\xf0\xaa\x55\xff"
# HLL values as the real server stored them (hll/add and hll/add_new_bin of
# this family's recording): 10 index bits over a,b,c,x,y,1,\x01 and 8 index
# bits over a,b,c,d. zlib + base64 (they are mostly zeros).
HLL10 = zlib.decompress(base64.b64decode(
    "eNpj4GKgChCgRLMDmfoUGIY1cBhUxuAGDVQzyWAggxsAWa0Bqw=="))
HLL8 = zlib.decompress(base64.b64decode("eNpj4GCgIjDAJujAQGPQACIYGQA8DQD6"))

LIST_RTS = [("none", C.RT_NONE), ("index", C.RT_INDEX), ("rindex", C.RT_REVERSE_INDEX),
            ("rank", C.RT_RANK), ("rrank", C.RT_REVERSE_RANK), ("count", C.RT_COUNT),
            ("value", C.RT_VALUE), ("exists", C.RT_EXISTS), ("inv_value", C.RT_VALUE | C.INVERTED),
            ("inv_count", C.RT_COUNT | C.INVERTED), ("key", C.RT_KEY)]
MAP_RTS = [("none", C.RT_NONE), ("index", C.RT_INDEX), ("rindex", C.RT_REVERSE_INDEX),
           ("rank", C.RT_RANK), ("rrank", C.RT_REVERSE_RANK), ("count", C.RT_COUNT),
           ("key", C.RT_KEY), ("value", C.RT_VALUE), ("kv", C.RT_KEY_VALUE),
           ("exists", C.RT_EXISTS), ("omap", C.RT_ORDERED_MAP), ("umap", C.RT_UNORDERED_MAP),
           ("inv_kv", C.RT_KEY_VALUE | C.INVERTED), ("inv_count", C.RT_COUNT | C.INVERTED)]


def _seed_list(key: str, items: list[Any], order: int) -> bytes:
    ops = [w("l", items)]
    if order:
        ops.append(C.list_op(C.L_SET_TYPE, "l", order))
    return operate(SET, key, ops, respond_all=True)


def _seed_map(key: str, items: dict[Any, Any], order: int) -> bytes:
    ops = [w("m", items)]
    if order:
        ops.append(C.map_op(C.M_SET_TYPE, "m", order))
    return operate(SET, key, ops, respond_all=True)


def _op_then_read(key: str, o: bytes, bin_name: str) -> bytes:
    return operate(SET, key, [o, r(bin_name)], respond_all=True)


def _list_ops() -> list[tuple[str, bytes]]:
    L = C.list_op
    b = "l"
    ops: list[tuple[str, bytes]] = [
        ("append", L(C.L_APPEND, b, 9)),
        ("append_pol", L(C.L_APPEND, b, "z", C.UNORDERED, 0)),
        ("append_unique_dup", L(C.L_APPEND, b, 3, C.UNORDERED, C.L_ADD_UNIQUE)),
        ("append_unique_nofail", L(C.L_APPEND, b, 3, C.UNORDERED, C.L_ADD_UNIQUE | C.L_NO_FAIL)),
        ("append_unique_new", L(C.L_APPEND, b, 77, C.UNORDERED, C.L_ADD_UNIQUE)),
        ("append_items", L(C.L_APPEND_ITEMS, b, [9, "b", [0]])),
        ("append_items_empty", L(C.L_APPEND_ITEMS, b, [])),
        ("append_items_unique", L(C.L_APPEND_ITEMS, b, [3, 9], C.UNORDERED, C.L_ADD_UNIQUE)),
        ("append_items_unique_nofail", L(C.L_APPEND_ITEMS, b, [3, 9], C.UNORDERED,
                                         C.L_ADD_UNIQUE | C.L_NO_FAIL)),
        ("append_items_unique_partial", L(C.L_APPEND_ITEMS, b, [3, 9, 9], C.UNORDERED,
                                          C.L_ADD_UNIQUE | C.L_NO_FAIL | C.L_DO_PARTIAL)),
        ("append_items_not_list", L(C.L_APPEND_ITEMS, b, 5)),
        ("insert_0", L(C.L_INSERT, b, 0, "x")),
        ("insert_neg", L(C.L_INSERT, b, -1, "x")),
        ("insert_end", L(C.L_INSERT, b, len(LIST), "x")),
        ("insert_past_end", L(C.L_INSERT, b, 20, "x")),
        ("insert_bounded", L(C.L_INSERT, b, 20, "x", C.L_INSERT_BOUNDED)),
        ("insert_bounded_nofail", L(C.L_INSERT, b, 20, "x", C.L_INSERT_BOUNDED | C.L_NO_FAIL)),
        ("insert_neg_out", L(C.L_INSERT, b, -20, "x")),
        ("insert_unique_dup", L(C.L_INSERT, b, 1, 8, C.L_ADD_UNIQUE)),
        ("insert_items", L(C.L_INSERT_ITEMS, b, 2, ["x", "y"])),
        ("insert_items_past", L(C.L_INSERT_ITEMS, b, 15, ["x", "y"])),
        ("pop_0", L(C.L_POP, b, 0)),
        ("pop_neg", L(C.L_POP, b, -1)),
        ("pop_out", L(C.L_POP, b, 20)),
        ("pop_range", L(C.L_POP_RANGE, b, 1, 2)),
        ("pop_range_tail", L(C.L_POP_RANGE, b, -2)),
        ("pop_range_out", L(C.L_POP_RANGE, b, 20, 2)),
        ("remove_0", L(C.L_REMOVE, b, 0)),
        ("remove_out", L(C.L_REMOVE, b, 30)),
        ("remove_range", L(C.L_REMOVE_RANGE, b, 1, 3)),
        ("remove_range_tail", L(C.L_REMOVE_RANGE, b, -3)),
        ("remove_range_neg_count", L(C.L_REMOVE_RANGE, b, 1, -1)),
        ("set_0", L(C.L_SET, b, 0, "x")),
        ("set_neg", L(C.L_SET, b, -2, "x")),
        ("set_past", L(C.L_SET, b, 14, "x")),
        ("set_neg_out", L(C.L_SET, b, -20, "x")),
        ("set_bounded", L(C.L_SET, b, 14, "x", C.L_INSERT_BOUNDED)),
        ("set_unique_dup", L(C.L_SET, b, 0, 8, C.L_ADD_UNIQUE)),
        ("trim", L(C.L_TRIM, b, 1, 3)),
        ("trim_out", L(C.L_TRIM, b, 20, 1)),
        ("trim_neg", L(C.L_TRIM, b, -3, 2)),
        ("clear", L(C.L_CLEAR, b)),
        ("incr_int", L(C.L_INCREMENT, b, 0, 5)),
        ("incr_default", L(C.L_INCREMENT, b, 1)),
        ("incr_float", L(C.L_INCREMENT, b, 7, 1.5)),
        ("incr_int_by_float", L(C.L_INCREMENT, b, 0, 1.5)),
        ("incr_str", L(C.L_INCREMENT, b, 5, 1)),
        ("incr_by_str", L(C.L_INCREMENT, b, 0, "x")),
        ("incr_past", L(C.L_INCREMENT, b, 20, 1)),
        ("incr_pol", L(C.L_INCREMENT, b, 0, 2, C.UNORDERED, 0)),
        ("sort", L(C.L_SORT, b, 0)),
        ("sort_desc", L(C.L_SORT, b, C.SORT_DESCENDING)),
        ("sort_dedup", L(C.L_SORT, b, C.SORT_DROP_DUPLICATES)),
        ("sort_desc_dedup", L(C.L_SORT, b, C.SORT_DESCENDING | C.SORT_DROP_DUPLICATES)),
        ("size", L(C.L_SIZE, b)),
        ("get_0", L(C.L_GET, b, 0)),
        ("get_neg", L(C.L_GET, b, -1)),
        ("get_out", L(C.L_GET, b, 20)),
        ("get_range", L(C.L_GET_RANGE, b, 1, 3)),
        ("get_range_tail", L(C.L_GET_RANGE, b, 9)),
        ("get_range_neg", L(C.L_GET_RANGE, b, -20, 3)),
        ("get_range_out", L(C.L_GET_RANGE, b, 20, 3)),
        ("set_type_ordered", L(C.L_SET_TYPE, b, C.ORDERED)),
        ("set_type_unordered", L(C.L_SET_TYPE, b, C.UNORDERED)),
        ("set_type_bad", L(C.L_SET_TYPE, b, 7)),
        ("unknown_op", C.cdt_modify(15, b)),
        ("bad_args", L(C.L_APPEND, b)),
        ("extra_args", L(C.L_SIZE, b, 1, 2)),
    ]
    for rn, rt in LIST_RTS:
        ops += [
            (f"by_index_{rn}", L(C.L_GET_BY_INDEX, b, rt, 2)),
            (f"by_value_{rn}", L(C.L_GET_ALL_BY_VALUE, b, rt, 3)),
            (f"by_rank_{rn}", L(C.L_GET_BY_RANK, b, rt, 1)),
            (f"by_index_range_{rn}", L(C.L_GET_BY_INDEX_RANGE, b, rt, 1, 3)),
            (f"by_value_interval_{rn}", L(C.L_GET_BY_VALUE_INTERVAL, b, rt, 3, 8)),
            (f"by_rank_range_{rn}", L(C.L_GET_BY_RANK_RANGE, b, rt, 1, 3)),
            (f"by_value_list_{rn}", L(C.L_GET_BY_VALUE_LIST, b, rt, [3, "a", 99])),
            (f"by_rel_rank_{rn}", L(C.L_GET_BY_VALUE_REL_RANK_RANGE, b, rt, 3, 0, 2)),
        ]
    ops += [
        ("by_index_out", L(C.L_GET_BY_INDEX, b, C.RT_VALUE, 30)),
        ("by_index_neg", L(C.L_GET_BY_INDEX, b, C.RT_VALUE, -1)),
        ("by_rank_neg", L(C.L_GET_BY_RANK, b, C.RT_VALUE, -1)),
        ("by_rank_out", L(C.L_GET_BY_RANK, b, C.RT_VALUE, 30)),
        ("by_index_range_open", L(C.L_GET_BY_INDEX_RANGE, b, C.RT_VALUE, 3)),
        ("by_index_range_neg", L(C.L_GET_BY_INDEX_RANGE, b, C.RT_VALUE, -4, 2)),
        ("by_index_range_inv_open", L(C.L_GET_BY_INDEX_RANGE, b, C.RT_VALUE | C.INVERTED, 3)),
        ("by_value_interval_nil", L(C.L_GET_BY_VALUE_INTERVAL, b, C.RT_VALUE, None, 5)),
        ("by_value_interval_inf", L(C.L_GET_BY_VALUE_INTERVAL, b, C.RT_VALUE, 5, INFINITY)),
        ("by_value_interval_open", L(C.L_GET_BY_VALUE_INTERVAL, b, C.RT_VALUE, "a")),
        ("by_value_interval_lists", L(C.L_GET_BY_VALUE_INTERVAL, b, C.RT_VALUE, [1], [3])),
        ("by_value_interval_wild", L(C.L_GET_BY_VALUE_INTERVAL, b, C.RT_VALUE,
                                     [1, WILDCARD], [2, WILDCARD])),
        ("by_value_interval_rev", L(C.L_GET_BY_VALUE_INTERVAL, b, C.RT_VALUE, 8, 3)),
        ("by_value_wild", L(C.L_GET_ALL_BY_VALUE, b, C.RT_VALUE, [1, WILDCARD])),
        ("by_value_missing", L(C.L_GET_ALL_BY_VALUE, b, C.RT_INDEX, 99)),
        ("by_value_single", L(C.L_GET_BY_VALUE, b, C.RT_INDEX, 3)),
        ("by_rank_range_open", L(C.L_GET_BY_RANK_RANGE, b, C.RT_VALUE, -3)),
        ("by_rank_range_inv", L(C.L_GET_BY_RANK_RANGE, b, C.RT_VALUE | C.INVERTED, 0, 3)),
        ("by_rel_rank_neg", L(C.L_GET_BY_VALUE_REL_RANK_RANGE, b, C.RT_VALUE, 3, -1, 3)),
        ("by_rel_rank_open", L(C.L_GET_BY_VALUE_REL_RANK_RANGE, b, C.RT_VALUE, 4, 1)),
        ("by_rel_rank_absent", L(C.L_GET_BY_VALUE_REL_RANK_RANGE, b, C.RT_VALUE, 6, 0, 2)),
        ("by_rt_bad", L(C.L_GET_BY_INDEX, b, 99, 0)),
        ("by_value_list_empty", L(C.L_GET_BY_VALUE_LIST, b, C.RT_VALUE, [])),
        ("by_value_list_not_list", L(C.L_GET_BY_VALUE_LIST, b, C.RT_VALUE, 3)),
        ("rm_by_index", L(C.L_REMOVE_BY_INDEX, b, C.RT_VALUE, 2)),
        ("rm_by_index_none", L(C.L_REMOVE_BY_INDEX, b, C.RT_NONE, 2)),
        ("rm_by_index_out", L(C.L_REMOVE_BY_INDEX, b, C.RT_VALUE, 30)),
        ("rm_by_value", L(C.L_REMOVE_ALL_BY_VALUE, b, C.RT_COUNT, 3)),
        ("rm_by_value_single", L(C.L_REMOVE_BY_VALUE, b, C.RT_INDEX, 3)),
        ("rm_by_value_inv", L(C.L_REMOVE_ALL_BY_VALUE, b, C.RT_VALUE | C.INVERTED, 3)),
        ("rm_by_rank", L(C.L_REMOVE_BY_RANK, b, C.RT_VALUE, 0)),
        ("rm_by_value_list", L(C.L_REMOVE_BY_VALUE_LIST, b, C.RT_INDEX, [3, "a"])),
        ("rm_by_value_list_inv", L(C.L_REMOVE_BY_VALUE_LIST, b, C.RT_COUNT | C.INVERTED,
                                   [3, "a"])),
        ("rm_by_index_range", L(C.L_REMOVE_BY_INDEX_RANGE, b, C.RT_VALUE, 1, 3)),
        ("rm_by_index_range_inv", L(C.L_REMOVE_BY_INDEX_RANGE, b, C.RT_INDEX | C.INVERTED,
                                    1, 3)),
        ("rm_by_value_interval", L(C.L_REMOVE_BY_VALUE_INTERVAL, b, C.RT_RANK, 2, 9)),
        ("rm_by_rank_range", L(C.L_REMOVE_BY_RANK_RANGE, b, C.RT_VALUE, -2, 2)),
        ("rm_by_rel_rank", L(C.L_REMOVE_BY_VALUE_REL_RANK_RANGE, b, C.RT_VALUE, 3, 1, 2)),
        ("rm_by_rel_rank_inv", L(C.L_REMOVE_BY_VALUE_REL_RANK_RANGE, b,
                                 C.RT_COUNT | C.INVERTED, 3, 1)),
        ("rm_by_index_exists", L(C.L_REMOVE_BY_INDEX, b, C.RT_EXISTS, 0)),
    ]
    return ops


def _map_ops() -> list[tuple[str, bytes]]:
    M = C.map_op
    b = "m"
    ops: list[tuple[str, bytes]] = [
        ("put_new", M(C.M_PUT, b, "f", 6, 0)),
        ("put_existing", M(C.M_PUT, b, "a", 9, 0)),
        ("put_create_only_dup", M(C.M_PUT, b, "a", 9, 0, C.M_CREATE_ONLY)),
        ("put_create_only_nofail", M(C.M_PUT, b, "a", 9, 0, C.M_CREATE_ONLY | C.M_NO_FAIL)),
        ("put_update_only_missing", M(C.M_PUT, b, "z", 9, 0, C.M_UPDATE_ONLY)),
        ("put_update_only_nofail", M(C.M_PUT, b, "z", 9, 0, C.M_UPDATE_ONLY | C.M_NO_FAIL)),
        ("put_update_only", M(C.M_PUT, b, "a", 9, 0, C.M_UPDATE_ONLY)),
        ("put_no_attr", M(C.M_PUT, b, "g", 1)),
        ("put_float_key", M(C.M_PUT, b, 1.5, 1, 0)),
        ("put_list_key", M(C.M_PUT, b, [1], 1, 0)),
        ("put_blob_key", M(C.M_PUT, b, b"\x02", 1, 0)),
        ("put_nil_key", M(C.M_PUT, b, None, 1, 0)),
        ("put_items", M(C.M_PUT_ITEMS, b, {"z": 26, "a": 0, 3: 3}, 0)),
        ("put_items_create_only", M(C.M_PUT_ITEMS, b, {"z": 26, "a": 0}, 0, C.M_CREATE_ONLY)),
        ("put_items_create_only_partial", M(C.M_PUT_ITEMS, b, {"z": 26, "a": 0}, 0,
                                            C.M_CREATE_ONLY | C.M_NO_FAIL | C.M_DO_PARTIAL)),
        ("put_items_update_only_nofail", M(C.M_PUT_ITEMS, b, {"z": 26, "a": 0}, 0,
                                           C.M_UPDATE_ONLY | C.M_NO_FAIL)),
        ("put_items_update_only_partial", M(C.M_PUT_ITEMS, b, {"z": 26, "a": 0}, 0,
                                            C.M_UPDATE_ONLY | C.M_NO_FAIL | C.M_DO_PARTIAL)),
        ("put_items_empty", M(C.M_PUT_ITEMS, b, {}, 0)),
        ("put_items_not_map", M(C.M_PUT_ITEMS, b, [1, 2], 0)),
        ("add_legacy_dup", M(C.M_ADD, b, "a", 5, 0)),
        ("add_legacy_new", M(C.M_ADD, b, "q", 5, 0)),
        ("add_items_legacy", M(C.M_ADD_ITEMS, b, {"q": 5, "a": 5}, 0)),
        ("replace_legacy", M(C.M_REPLACE, b, "a", 5)),
        ("replace_legacy_missing", M(C.M_REPLACE, b, "q", 5)),
        ("replace_items_legacy", M(C.M_REPLACE_ITEMS, b, {"a": 5, "b": 6})),
        ("incr", M(C.M_INCREMENT, b, "a", 5, 0)),
        ("incr_float", M(C.M_INCREMENT, b, "e", 1, 0)),
        ("incr_by_float", M(C.M_INCREMENT, b, "a", 0.5, 0)),
        ("incr_new", M(C.M_INCREMENT, b, "zz", 3, 0)),
        ("incr_str_value", M(C.M_INCREMENT, b, 10, 1, 0)),
        ("incr_by_str", M(C.M_INCREMENT, b, "a", "x", 0)),
        ("incr_no_attr", M(C.M_INCREMENT, b, "a", 2)),
        ("decr", M(C.M_DECREMENT, b, "a", 5, 0)),
        ("clear", M(C.M_CLEAR, b)),
        ("size", M(C.M_SIZE, b)),
        ("set_type_k", M(C.M_SET_TYPE, b, C.M_KEY_ORDERED)),
        ("set_type_kv", M(C.M_SET_TYPE, b, C.M_KEY_VALUE_ORDERED)),
        ("set_type_u", M(C.M_SET_TYPE, b, C.M_UNORDERED)),
        ("set_type_bad", M(C.M_SET_TYPE, b, 2)),
        ("unknown_op", C.cdt_read(101, b, 0)),
    ]
    for rn, rt in MAP_RTS:
        ops += [
            (f"by_key_{rn}", M(C.M_GET_BY_KEY, b, rt, "c")),
            (f"by_index_{rn}", M(C.M_GET_BY_INDEX, b, rt, 1)),
            (f"by_rank_{rn}", M(C.M_GET_BY_RANK, b, rt, -1)),
            (f"by_value_{rn}", M(C.M_GET_ALL_BY_VALUE, b, rt, 2)),
            (f"by_key_interval_{rn}", M(C.M_GET_BY_KEY_INTERVAL, b, rt, "a", "c")),
            (f"by_index_range_{rn}", M(C.M_GET_BY_INDEX_RANGE, b, rt, 1, 3)),
            (f"by_value_interval_{rn}", M(C.M_GET_BY_VALUE_INTERVAL, b, rt, 1, 3)),
            (f"by_rank_range_{rn}", M(C.M_GET_BY_RANK_RANGE, b, rt, 0, 3)),
            (f"by_key_list_{rn}", M(C.M_GET_BY_KEY_LIST, b, rt, ["a", 10, "q"])),
            (f"by_value_list_{rn}", M(C.M_GET_BY_VALUE_LIST, b, rt, [2, "x", 99])),
            (f"by_key_rel_{rn}", M(C.M_GET_BY_KEY_REL_INDEX_RANGE, b, rt, "b", 0, 2)),
            (f"by_value_rel_{rn}", M(C.M_GET_BY_VALUE_REL_RANK_RANGE, b, rt, 2, 0, 2)),
        ]
    ops += [
        ("by_key_missing", M(C.M_GET_BY_KEY, b, C.RT_VALUE, "q")),
        ("by_key_missing_kv", M(C.M_GET_BY_KEY, b, C.RT_KEY_VALUE, "q")),
        ("by_index_out", M(C.M_GET_BY_INDEX, b, C.RT_KEY_VALUE, 20)),
        ("by_index_neg", M(C.M_GET_BY_INDEX, b, C.RT_KEY_VALUE, -1)),
        ("by_value_single", M(C.M_GET_BY_VALUE, b, C.RT_KEY, 2)),
        ("by_key_interval_nil", M(C.M_GET_BY_KEY_INTERVAL, b, C.RT_KEY, None, "b")),
        ("by_key_interval_open", M(C.M_GET_BY_KEY_INTERVAL, b, C.RT_KEY, "b")),
        ("by_key_interval_inf", M(C.M_GET_BY_KEY_INTERVAL, b, C.RT_KEY, 0, INFINITY)),
        ("by_key_interval_ints", M(C.M_GET_BY_KEY_INTERVAL, b, C.RT_KEY_VALUE, 5, 11)),
        ("by_index_range_open", M(C.M_GET_BY_INDEX_RANGE, b, C.RT_KEY, 4)),
        ("by_index_range_neg", M(C.M_GET_BY_INDEX_RANGE, b, C.RT_KEY, -3, 2)),
        ("by_index_range_out", M(C.M_GET_BY_INDEX_RANGE, b, C.RT_KEY, 20, 2)),
        ("by_value_interval_open", M(C.M_GET_BY_VALUE_INTERVAL, b, C.RT_KEY, 2)),
        ("by_value_interval_nil", M(C.M_GET_BY_VALUE_INTERVAL, b, C.RT_KEY, None, 2)),
        ("by_rank_range_open", M(C.M_GET_BY_RANK_RANGE, b, C.RT_VALUE, -2)),
        ("by_key_rel_absent", M(C.M_GET_BY_KEY_REL_INDEX_RANGE, b, C.RT_KEY, "bb", -1, 3)),
        ("by_key_rel_open", M(C.M_GET_BY_KEY_REL_INDEX_RANGE, b, C.RT_KEY, "c", 1)),
        ("by_value_rel_neg", M(C.M_GET_BY_VALUE_REL_RANK_RANGE, b, C.RT_VALUE, 2, -1, 2)),
        ("by_value_rel_open", M(C.M_GET_BY_VALUE_REL_RANK_RANGE, b, C.RT_VALUE, 1.5, 0)),
        ("by_rt_bad", M(C.M_GET_BY_KEY, b, 99, "a")),
        ("by_key_wild", M(C.M_GET_BY_VALUE, b, C.RT_KEY, [WILDCARD])),
        ("rm_by_key", M(C.M_REMOVE_BY_KEY, b, C.RT_VALUE, "a")),
        ("rm_by_key_missing", M(C.M_REMOVE_BY_KEY, b, C.RT_VALUE, "q")),
        ("rm_by_key_none", M(C.M_REMOVE_BY_KEY, b, C.RT_NONE, "a")),
        ("rm_by_index", M(C.M_REMOVE_BY_INDEX, b, C.RT_KEY_VALUE, 0)),
        ("rm_by_value", M(C.M_REMOVE_ALL_BY_VALUE, b, C.RT_KEY, 2)),
        ("rm_by_value_single", M(C.M_REMOVE_BY_VALUE, b, C.RT_KEY, 2)),
        ("rm_by_rank", M(C.M_REMOVE_BY_RANK, b, C.RT_KEY_VALUE, 0)),
        ("rm_by_key_list", M(C.M_REMOVE_BY_KEY_LIST, b, C.RT_KEY_VALUE, ["a", "q", 10])),
        ("rm_by_key_list_inv", M(C.M_REMOVE_BY_KEY_LIST, b, C.RT_COUNT | C.INVERTED, ["a", 10])),
        ("rm_by_value_list", M(C.M_REMOVE_BY_VALUE_LIST, b, C.RT_KEY, [2, 3])),
        ("rm_by_key_interval", M(C.M_REMOVE_BY_KEY_INTERVAL, b, C.RT_KEY, "b", "d")),
        ("rm_by_index_range", M(C.M_REMOVE_BY_INDEX_RANGE, b, C.RT_KEY, 2, 2)),
        ("rm_by_index_range_inv", M(C.M_REMOVE_BY_INDEX_RANGE, b, C.RT_KEY | C.INVERTED, 2, 2)),
        ("rm_by_value_interval", M(C.M_REMOVE_BY_VALUE_INTERVAL, b, C.RT_KEY, 2, 3)),
        ("rm_by_rank_range", M(C.M_REMOVE_BY_RANK_RANGE, b, C.RT_KEY_VALUE, 1, 2)),
        ("rm_by_key_rel", M(C.M_REMOVE_BY_KEY_REL_INDEX_RANGE, b, C.RT_KEY, "b", 1, 2)),
        ("rm_by_value_rel", M(C.M_REMOVE_BY_VALUE_REL_RANK_RANGE, b, C.RT_KEY, 2, 1)),
        ("rm_by_key_omap", M(C.M_REMOVE_BY_KEY_INTERVAL, b, C.RT_ORDERED_MAP, "a", "c")),
    ]
    return ops


def _nested_ops() -> list[tuple[str, bytes]]:
    L, M, X = C.list_op, C.map_op, C.ctx
    b = "m"
    return [
        ("key_list_append", L(C.L_APPEND, b, 3, context=X((C.CTX_MAP_KEY, "a")))),
        ("key_index_key_get", L(C.L_GET, b, 1, context=X((C.CTX_MAP_KEY, "a"),
                                                        (C.CTX_LIST_INDEX, 2),
                                                        (C.CTX_MAP_KEY, "x")))),
        ("key_key_put", M(C.M_PUT, b, "e", 5, 0, context=X((C.CTX_MAP_KEY, "b"),
                                                          (C.CTX_MAP_KEY, "c")))),
        ("key_key_size", M(C.M_SIZE, b, context=X((C.CTX_MAP_KEY, "b"), (C.CTX_MAP_KEY, "c")))),
        ("missing_key", L(C.L_APPEND, b, 1, context=X((C.CTX_MAP_KEY, "zz")))),
        ("missing_key_read", L(C.L_SIZE, b, context=X((C.CTX_MAP_KEY, "zz")))),
        ("create_list", L(C.L_APPEND, b, 1, context=X((C.CTX_MAP_KEY | C.CTX_CREATE_UNORDERED,
                                                       "zz")))),
        ("create_map_k", M(C.M_PUT, b, "k", 1, 0, context=X((C.CTX_MAP_KEY | C.CTX_CREATE_MAP_K,
                                                              "zz")))),
        ("create_map_kv_deep", M(C.M_PUT, b, "k", 1, 0,
                                 context=X((C.CTX_MAP_KEY | C.CTX_CREATE_MAP_KV, "y1"),
                                           (C.CTX_MAP_KEY | C.CTX_CREATE_MAP_K, "y2")))),
        ("create_list_pad", L(C.L_APPEND, b, 1,
                              context=X((C.CTX_MAP_KEY, "a"),
                                        (C.CTX_LIST_INDEX | C.CTX_CREATE_PAD, 5)))),
        ("create_list_nopad", L(C.L_APPEND, b, 1,
                                context=X((C.CTX_MAP_KEY, "a"),
                                          (C.CTX_LIST_INDEX | C.CTX_CREATE_UNORDERED, 5)))),
        ("create_list_ordered", L(C.L_APPEND, b, 1,
                                  context=X((C.CTX_MAP_KEY | C.CTX_CREATE_ORDERED, "ol")))),
        ("list_index_out", L(C.L_SIZE, b, context=X((C.CTX_MAP_KEY, "a"),
                                                    (C.CTX_LIST_INDEX, 9)))),
        ("list_index_neg", M(C.M_SIZE, b, context=X((C.CTX_MAP_KEY, "a"),
                                                    (C.CTX_LIST_INDEX, -1)))),
        ("list_rank", L(C.L_SIZE, b, context=X((C.CTX_MAP_KEY, "a"), (C.CTX_LIST_RANK, -1)))),
        ("list_value", L(C.L_SIZE, b, context=X((C.CTX_MAP_KEY, "a"),
                                                (C.CTX_LIST_VALUE, {"x": [5, 6]})))),
        ("map_index", L(C.L_SIZE, b, context=X((C.CTX_MAP_INDEX, 0)))),
        ("map_rank", M(C.M_SIZE, b, context=X((C.CTX_MAP_RANK, -1)))),
        ("map_value", M(C.M_SIZE, b, context=X((C.CTX_MAP_VALUE, {"c": {"d": 1}})))),
        ("wrong_type_ctx", L(C.L_SIZE, b, context=X((C.CTX_MAP_KEY, "n")))),
        ("wrong_type_step", L(C.L_SIZE, b, context=X((C.CTX_LIST_INDEX, 0)))),
        ("map_op_on_list", M(C.M_SIZE, b, context=X((C.CTX_MAP_KEY, "a")))),
        ("bad_ctx_type", L(C.L_SIZE, b, context=X((0x55, "a")))),
        ("odd_ctx", C.cdt_read(C.L_SIZE, b, context=[C.CTX_MAP_KEY])),
        ("nested_rm", M(C.M_REMOVE_BY_KEY, b, C.RT_VALUE, "d",
                        context=X((C.CTX_MAP_KEY, "b"), (C.CTX_MAP_KEY, "c")))),
        ("nested_clear", M(C.M_CLEAR, b, context=X((C.CTX_MAP_KEY, "b")))),
        ("nested_sort", L(C.L_SORT, b, C.SORT_DESCENDING, context=X((C.CTX_MAP_KEY, "a")))),
        ("nested_incr", M(C.M_INCREMENT, b, "d", 2, 0,
                          context=X((C.CTX_MAP_KEY, "b"), (C.CTX_MAP_KEY, "c")))),
        ("nested_by_rank", L(C.L_GET_BY_RANK_RANGE, b, C.RT_VALUE, 0, 2,
                             context=X((C.CTX_MAP_KEY, "a")))),
    ]


def _bit_ops() -> list[tuple[str, bytes]]:
    B, R = C.bit_modify, C.bit_read
    b = "b"
    return [
        ("resize_grow", B(C.B_RESIZE, b, 8, 0, 0)),
        ("resize_shrink", B(C.B_RESIZE, b, 2, 0, 0)),
        ("resize_from_front", B(C.B_RESIZE, b, 8, 0, C.BR_FROM_FRONT)),
        ("resize_grow_only_shrink", B(C.B_RESIZE, b, 2, 0, C.BR_GROW_ONLY)),
        ("resize_shrink_only_grow", B(C.B_RESIZE, b, 9, 0, C.BR_SHRINK_ONLY)),
        ("resize_zero", B(C.B_RESIZE, b, 0, 0, 0)),
        ("resize_huge", B(C.B_RESIZE, b, 2 * 1024 * 1024, 0, 0)),
        ("resize_create_only", B(C.B_RESIZE, b, 8, C.BW_CREATE_ONLY, 0)),
        ("resize_create_only_nofail", B(C.B_RESIZE, b, 8, C.BW_CREATE_ONLY | C.BW_NO_FAIL, 0)),
        ("insert", B(C.B_INSERT, b, 1, b"\xaa\xbb", 0)),
        ("insert_past", B(C.B_INSERT, b, 9, b"\xaa", 0)),
        ("remove", B(C.B_REMOVE, b, 1, 2, 0)),
        ("remove_out", B(C.B_REMOVE, b, 4, 3, 0)),
        ("remove_out_partial", B(C.B_REMOVE, b, 4, 3, C.BW_PARTIAL | C.BW_NO_FAIL)),
        ("set", B(C.B_SET, b, 4, 8, b"\xff", 0)),
        ("set_unaligned", B(C.B_SET, b, 3, 13, b"\x12\x34", 0)),
        ("set_out", B(C.B_SET, b, 36, 8, b"\xff", 0)),
        ("set_out_partial", B(C.B_SET, b, 36, 8, b"\xff", C.BW_PARTIAL | C.BW_NO_FAIL)),
        ("set_short_value", B(C.B_SET, b, 0, 16, b"\xff", 0)),
        ("or", B(C.B_OR, b, 0, 8, b"\x81", 0)),
        ("xor", B(C.B_XOR, b, 4, 12, b"\xff\xf0", 0)),
        ("and", B(C.B_AND, b, 8, 16, b"\x0f\x0f", 0)),
        ("not", B(C.B_NOT, b, 2, 9, 0)),
        ("lshift", B(C.B_LSHIFT, b, 0, 16, 3, 0)),
        ("rshift", B(C.B_RSHIFT, b, 4, 20, 5, 0)),
        ("lshift_big", B(C.B_LSHIFT, b, 0, 8, 20, 0)),
        ("add", B(C.B_ADD, b, 8, 8, 5, 0, C.B_OVERFLOW_FAIL)),
        ("add_overflow_fail", B(C.B_ADD, b, 0, 8, 250, 0, C.B_OVERFLOW_FAIL)),
        ("add_overflow_sat", B(C.B_ADD, b, 0, 8, 250, 0, C.B_OVERFLOW_SATURATE)),
        ("add_overflow_wrap", B(C.B_ADD, b, 0, 8, 250, 0, C.B_OVERFLOW_WRAP)),
        ("add_signed", B(C.B_ADD, b, 0, 8, 100, 0, C.B_SIGNED | C.B_OVERFLOW_FAIL)),
        ("add_signed_wrap", B(C.B_ADD, b, 0, 8, 120, 0, C.B_SIGNED | C.B_OVERFLOW_WRAP)),
        ("add_too_wide", B(C.B_ADD, b, 0, 65, 1, 0, 0)),
        ("sub", B(C.B_SUBTRACT, b, 8, 8, 5, 0, C.B_OVERFLOW_FAIL)),
        ("sub_underflow_sat", B(C.B_SUBTRACT, b, 0, 8, 100, 0, C.B_OVERFLOW_SATURATE)),
        ("sub_signed_sat", B(C.B_SUBTRACT, b, 0, 4, 9, 0, C.B_SIGNED | C.B_OVERFLOW_SATURATE)),
        ("set_int", B(C.B_SET_INT, b, 4, 12, 0xABC, 0)),
        ("set_int_neg", B(C.B_SET_INT, b, 0, 16, -2, 0)),
        ("get", R(C.B_GET, b, 4, 12)),
        ("get_all", R(C.B_GET, b, 0, 40)),
        ("get_out", R(C.B_GET, b, 36, 8)),
        ("get_zero", R(C.B_GET, b, 0, 0)),
        ("count", R(C.B_COUNT, b, 0, 40)),
        ("count_part", R(C.B_COUNT, b, 3, 11)),
        ("lscan_true", R(C.B_LSCAN, b, 0, 40, True)),
        ("lscan_false", R(C.B_LSCAN, b, 4, 20, False)),
        ("lscan_none", R(C.B_LSCAN, b, 32, 8, False)),
        ("rscan_true", R(C.B_RSCAN, b, 0, 40, True)),
        ("rscan_false", R(C.B_RSCAN, b, 0, 16, False)),
        ("get_int", R(C.B_GET_INT, b, 4, 12)),
        ("get_int_signed", R(C.B_GET_INT, b, 8, 8, C.B_SIGNED)),
        ("get_int_too_wide", R(C.B_GET_INT, b, 0, 65)),
        ("unknown_op", R(49, b, 0, 8)),
        ("bad_args", R(C.B_GET, b, 0)),
        ("modify_missing_bin", B(C.B_SET, "nb", 0, 8, b"\xff", 0)),
        ("resize_missing_bin", B(C.B_RESIZE, "nb", 4, 0, 0)),
        ("resize_missing_update_only", B(C.B_RESIZE, "nb", 4, C.BW_UPDATE_ONLY, 0)),
        ("insert_missing_bin", B(C.B_INSERT, "nb", 0, b"\x01", 0)),
        ("read_missing_bin", R(C.B_GET, "nb", 0, 8)),
        ("read_wrong_type", R(C.B_GET, "i", 0, 8)),
        ("modify_wrong_type", B(C.B_NOT, "i", 0, 8, 0)),
    ]


def _hll_ops() -> list[tuple[str, bytes]]:
    H, R = C.hll_modify, C.hll_read
    b = "h"
    return [
        ("init", H(C.H_INIT, b, 10, 0, 0)),
        ("init_minhash", H(C.H_INIT, b, 8, 8, 0)),
        ("init_default_bits", H(C.H_INIT, b, -1, -1, 0)),
        ("init_bad_index", H(C.H_INIT, b, 3, 0, 0)),
        ("init_bad_index_hi", H(C.H_INIT, b, 17, 0, 0)),
        ("init_bad_minhash", H(C.H_INIT, b, 10, 52, 0)),
        ("init_bad_sum", H(C.H_INIT, b, 16, 50, 0)),
        ("init_create_only", H(C.H_INIT, b, 10, 0, C.HW_CREATE_ONLY)),
        ("init_create_only_nofail", H(C.H_INIT, b, 10, 0, C.HW_CREATE_ONLY | C.HW_NO_FAIL)),
        ("init_update_only_missing", H(C.H_INIT, "nh", 10, 0, C.HW_UPDATE_ONLY)),
        ("add", H(C.H_ADD, b, ["x", "y", 1, b"\x01"], -1, -1, 0)),
        ("add_dups", H(C.H_ADD, b, ["a", "b", "c"], -1, -1, 0)),
        ("add_new_bin", H(C.H_ADD, "nh", ["a", "b", "c", "d"], 8, 0, 0)),
        ("add_new_bin_minhash", H(C.H_ADD, "nh", ["a", "b"], 8, 6, 0)),
        ("add_new_bin_no_bits", H(C.H_ADD, "nh", ["a"], -1, -1, 0)),
        ("add_not_list", H(C.H_ADD, b, "a", -1, -1, 0)),
        ("add_mismatched_bits", H(C.H_ADD, b, ["q"], 8, 0, 0)),
        ("refresh", H(C.H_REFRESH_COUNT, b)),
        ("fold", H(C.H_FOLD, b, 6)),
        ("fold_up", H(C.H_FOLD, b, 12)),
        ("fold_minhash", H(C.H_FOLD, "hm", 6)),
        ("count", R(C.H_COUNT, b)),
        ("count_minhash", R(C.H_COUNT, "hm")),
        ("describe", R(C.H_DESCRIBE, b)),
        ("describe_minhash", R(C.H_DESCRIBE, "hm")),
        ("get_union_empty", R(C.H_GET_UNION, b, [])),
        ("union_count_empty", R(C.H_UNION_COUNT, b, [])),
        ("intersect_empty", R(C.H_INTERSECT_COUNT, b, [])),
        ("similarity_empty", R(C.H_SIMILARITY, b, [])),
        ("union_not_hll", H(C.H_UNION, b, [b"\x01\x02"], 0)),
        ("union_empty", H(C.H_UNION, b, [], 0)),
        ("unknown_op", R(60, b)),
        ("read_missing_bin", R(C.H_COUNT, "nh")),
        ("read_wrong_type", R(C.H_COUNT, "i")),
        ("modify_wrong_type", H(C.H_ADD, "i", ["a"], -1, -1, 0)),
        ("fold_bad", H(C.H_FOLD, b, 3)),
    ]


def _random_list_op(rng: random.Random, size: int) -> bytes:
    L = C.list_op
    b = "l"
    v = rng.randint(-3, 15)
    i = rng.randint(-size - 2, size + 2)
    n = rng.randint(0, 4)
    rt = rng.choice([C.RT_VALUE, C.RT_INDEX, C.RT_RANK, C.RT_COUNT, C.RT_REVERSE_INDEX,
                     C.RT_VALUE | C.INVERTED, C.RT_NONE])
    choices = [
        lambda: L(C.L_APPEND, b, v), lambda: L(C.L_INSERT, b, i, v),
        lambda: L(C.L_POP, b, i), lambda: L(C.L_REMOVE_RANGE, b, i, n),
        lambda: L(C.L_SET, b, i, v), lambda: L(C.L_INCREMENT, b, i, v),
        lambda: L(C.L_GET_RANGE, b, i, n), lambda: L(C.L_TRIM, b, i, n),
        lambda: L(C.L_GET_BY_VALUE_INTERVAL, b, rt, v, v + n),
        lambda: L(C.L_GET_BY_RANK_RANGE, b, rt, i, n),
        lambda: L(C.L_REMOVE_BY_INDEX_RANGE, b, rt, i, n),
        lambda: L(C.L_GET_BY_VALUE_REL_RANK_RANGE, b, rt, v, i, n),
        lambda: L(C.L_REMOVE_ALL_BY_VALUE, b, rt, v),
        lambda: L(C.L_APPEND_ITEMS, b, [v, v + 1], C.UNORDERED, rng.choice([0, 5, 13])),
        lambda: L(C.L_SORT, b, rng.randint(0, 3)), lambda: L(C.L_SIZE, b),
    ]
    return rng.choice(choices)()


def _random_map_op(rng: random.Random, size: int) -> bytes:
    M = C.map_op
    b = "m"
    k = rng.choice(["a", "b", "c", "d", "e", 1, 2, 3])
    v = rng.randint(-2, 9)
    i = rng.randint(-size - 2, size + 2)
    n = rng.randint(0, 4)
    rt = rng.choice([C.RT_KEY, C.RT_VALUE, C.RT_KEY_VALUE, C.RT_INDEX, C.RT_RANK, C.RT_COUNT,
                     C.RT_ORDERED_MAP, C.RT_KEY | C.INVERTED, C.RT_NONE])
    choices = [
        lambda: M(C.M_PUT, b, k, v, 0, rng.choice([0, 1, 2, 5, 6])),
        lambda: M(C.M_PUT_ITEMS, b, {k: v, "z": v}, 0, rng.choice([0, 5, 6, 13, 14])),
        lambda: M(C.M_INCREMENT, b, k, v, 0),
        lambda: M(C.M_GET_BY_KEY, b, rt, k), lambda: M(C.M_REMOVE_BY_KEY, b, rt, k),
        lambda: M(C.M_GET_BY_INDEX_RANGE, b, rt, i, n),
        lambda: M(C.M_GET_BY_RANK_RANGE, b, rt, i, n),
        lambda: M(C.M_REMOVE_BY_VALUE_INTERVAL, b, rt, v, v + n),
        lambda: M(C.M_GET_BY_KEY_REL_INDEX_RANGE, b, rt, k, i, n),
        lambda: M(C.M_GET_BY_VALUE_REL_RANK_RANGE, b, rt, v, i, n),
        lambda: M(C.M_REMOVE_BY_INDEX, b, rt, i), lambda: M(C.M_SIZE, b),
    ]
    return rng.choice(choices)()


# Value and key lists given out of order (with duplicates and absent
# items): the order in which INDEX/RANK results are listed, per list and map
# order, get and remove.
UNSORTED_VALUE_LISTS = [[8, 1, 3], ["a", 5, None], [3, 8, 3, 1], [99, 5, 2.5, True]]
UNSORTED_MAP_KEYS = [["d", "a", 10], ["e", 5, "b", "zz"], ["c", "a", "c"], ["zz", 7]]
UNSORTED_MAP_VALUES = [[3, 1, 2], ["x", 2.5, 1], [2, 1, 2]]
UNSORTED_LIST_RTS = [("rank", C.RT_RANK), ("rrank", C.RT_REVERSE_RANK), ("index", C.RT_INDEX),
                     ("rindex", C.RT_REVERSE_INDEX), ("value", C.RT_VALUE),
                     ("inv_rank", C.RT_RANK | C.INVERTED), ("count", C.RT_COUNT)]
UNSORTED_MAP_RTS = [("rank", C.RT_RANK), ("rrank", C.RT_REVERSE_RANK), ("index", C.RT_INDEX),
                    ("rindex", C.RT_REVERSE_INDEX), ("key", C.RT_KEY), ("value", C.RT_VALUE),
                    ("kv", C.RT_KEY_VALUE), ("inv_rank", C.RT_RANK | C.INVERTED),
                    ("inv_index", C.RT_INDEX | C.INVERTED),
                    ("inv_rrank", C.RT_REVERSE_RANK | C.INVERTED),
                    ("inv_rindex", C.RT_REVERSE_INDEX | C.INVERTED)]


def _unsorted_list_cases() -> list[Case]:
    out = []
    for kind, order in (("ulist", C.UNORDERED), ("olist", C.ORDERED)):
        c = Case(f"unsorted_values_{kind}")
        for vi, values in enumerate(UNSORTED_VALUE_LISTS):
            for rn, rt in UNSORTED_LIST_RTS:
                for verb, code in (("get", C.L_GET_BY_VALUE_LIST),
                                   ("rm", C.L_REMOVE_BY_VALUE_LIST)):
                    name = f"{verb}_{vi}_{rn}"
                    key = f"uv_{kind}_{name}"
                    c.add(f"{name}_seed", _seed_list(key, LIST, order))
                    c.add(name, _op_then_read(key, C.list_op(code, "l", rt, values), "l"))
        out.append(c)
    return out


def _unsorted_map_cases() -> list[Case]:
    out = []
    for kind, order in (("umap", C.M_UNORDERED), ("kmap", C.M_KEY_ORDERED),
                        ("kvmap", C.M_KEY_VALUE_ORDERED)):
        c = Case(f"unsorted_values_{kind}")
        lists = [("keys", C.M_GET_BY_KEY_LIST, C.M_REMOVE_BY_KEY_LIST, UNSORTED_MAP_KEYS),
                 ("values", C.M_GET_BY_VALUE_LIST, C.M_REMOVE_BY_VALUE_LIST, UNSORTED_MAP_VALUES)]
        for what, get_code, rm_code, given in lists:
            for vi, items in enumerate(given):
                for rn, rt in UNSORTED_MAP_RTS:
                    for verb, code in (("get", get_code), ("rm", rm_code)):
                        name = f"{verb}_{what}{vi}_{rn}"
                        key = f"uv_{kind}_{name}"
                        c.add(f"{name}_seed", _seed_map(key, MAP, order))
                        c.add(name, _op_then_read(key, C.map_op(code, "m", rt, items), "m"))
        out.append(c)
    return out


def cases(rng: random.Random) -> list[Case]:
    out: list[Case] = []
    for kind, items, order in (("ulist", LIST, C.UNORDERED), ("olist", LIST, C.ORDERED),
                               ("ilist", INTS, C.ORDERED)):
        c = Case(f"list_{kind}")
        ops = _list_ops()
        if kind == "ilist":  # the ordered-only subset on plain ints
            ops = [o for o in ops if o[0].startswith(("by_", "rm_", "append", "insert", "sort",
                                                      "incr", "set_"))]
        for name, o in ops:
            key = f"{kind}_{name}"
            c.add(f"{name}_seed", _seed_list(key, items, order))
            c.add(name, _op_then_read(key, o, "l"))
        out.append(c)
    for kind, order in (("umap", C.M_UNORDERED), ("kmap", C.M_KEY_ORDERED),
                        ("kvmap", C.M_KEY_VALUE_ORDERED)):
        c = Case(f"map_{kind}")
        for name, o in _map_ops():
            key = f"{kind}_{name}"
            c.add(f"{name}_seed", _seed_map(key, MAP, order))
            c.add(name, _op_then_read(key, o, "m"))
        out.append(c)
    c = Case("nested")
    for name, o in _nested_ops():
        key = f"nested_{name}"
        c.add(f"{name}_seed", put(SET, key, {"m": NESTED}, info3=wire.CREATE_OR_REPLACE))
        c.add(name, _op_then_read(key, o, "m"))
    out.append(c)
    c = Case("bits")
    for name, o in _bit_ops():
        key = f"bits_{name}"
        c.add(f"{name}_seed", put(SET, key, {"b": BITS, "i": 5}, info3=wire.CREATE_OR_REPLACE))
        c.add(name, operate(SET, key, [o, r("b"), r("nb")], respond_all=True))
    out.append(c)
    c = Case("hll")
    for name, o in _hll_ops():
        key = f"hll_{name}"
        seed = operate(SET, key, [w("i", 5), C.hll_modify(C.H_ADD, "h", ["a", "b", "c"], 10, 0, 0),
                                  C.hll_modify(C.H_ADD, "hm", ["a", "b", "c"], 8, 8, 0)],
                       respond_all=True)
        c.add(f"{name}_seed", seed)
        c.add(name, operate(SET, key, [o, r("h"), r("nh")], respond_all=True))
    out.append(c)
    # HLL values given in the request: unions, counts, similarity, stored HLLs.
    c = Case("hll_values")
    h10, h8 = wire.Raw(wire.P_HLL, HLL10), wire.Raw(wire.P_HLL, HLL8)
    bad = wire.Raw(wire.P_HLL, HLL10[:100])
    for name, o in (("get_union", C.hll_read(C.H_GET_UNION, "h", [h10])),
                    ("get_union_two", C.hll_read(C.H_GET_UNION, "h", [h10, h10])),
                    ("get_union_mixed_bits", C.hll_read(C.H_GET_UNION, "h", [h8])),
                    ("union_count", C.hll_read(C.H_UNION_COUNT, "h", [h10])),
                    ("union_count_mixed_bits", C.hll_read(C.H_UNION_COUNT, "h", [h8])),
                    ("intersect_count", C.hll_read(C.H_INTERSECT_COUNT, "h", [h10])),
                    ("intersect_count_mixed", C.hll_read(C.H_INTERSECT_COUNT, "h", [h8])),
                    ("similarity", C.hll_read(C.H_SIMILARITY, "h", [h10])),
                    ("similarity_mixed", C.hll_read(C.H_SIMILARITY, "h", [h8])),
                    ("get_union_bad", C.hll_read(C.H_GET_UNION, "h", [bad])),
                    ("get_union_blob", C.hll_read(C.H_GET_UNION, "h", [b"\x00\x0a"])),
                    ("set_union", C.hll_modify(C.H_UNION, "h", [h10], 0)),
                    ("set_union_create_only", C.hll_modify(C.H_UNION, "h", [h10],
                                                           C.HW_CREATE_ONLY)),
                    ("set_union_new_bin", C.hll_modify(C.H_UNION, "nh", [h10], 0)),
                    ("set_union_new_bin_update_only", C.hll_modify(C.H_UNION, "nh", [h10],
                                                                   C.HW_UPDATE_ONLY)),
                    ("set_union_mixed_bits", C.hll_modify(C.H_UNION, "h", [h8], 0)),
                    ("set_union_fold", C.hll_modify(C.H_UNION, "h", [h8], C.HW_ALLOW_FOLD)),
                    ("set_union_fold_nofail", C.hll_modify(C.H_UNION, "h", [h8],
                                                           C.HW_ALLOW_FOLD | C.HW_NO_FAIL)),
                    ("add_to_given_bits", C.hll_modify(C.H_ADD, "h", ["q", "r"], 10, 0, 0))):
        key = f"hllv_{name}"
        c.add(f"{name}_seed", operate(SET, key, [
            C.hll_modify(C.H_ADD, "h", ["a", "b", "c", "z"], 10, 0, 0)], respond_all=True))
        c.add(name, operate(SET, key, [o, C.hll_read(C.H_COUNT, "h"), r("nh")],
                            respond_all=True))
    c.add("put_hll", put(SET, "hllv_put", {"h": h10, "g": h8}))
    c.add("put_hll_get", get(SET, "hllv_put"))
    c.add("put_hll_count", operate(SET, "hllv_put", [C.hll_read(C.H_COUNT, "h"),
                                                     C.hll_read(C.H_DESCRIBE, "g"),
                                                     C.hll_read(C.H_UNION_COUNT, "g", [h8])],
                                   respond_all=True))
    c.add("put_bad_hll", put(SET, "hllv_bad", {"h": bad}))
    c.add("put_bad_hll_get", get(SET, "hllv_bad"))
    out.append(c)
    # Wrong types, missing bins and records, several CDT ops in one command.
    c = Case("errors")
    c.add("seed", put(SET, "err", {"i": 1, "s": "x", "l": [1, 2], "m": {"a": 1}}))
    for name, o in (("list_on_int", C.list_op(C.L_APPEND, "i", 1)),
                    ("list_read_on_str", C.list_op(C.L_SIZE, "s")),
                    ("list_on_map", C.list_op(C.L_GET, "m", 0)),
                    ("map_on_list", C.map_op(C.M_PUT, "l", "a", 1, 0)),
                    ("map_read_on_list", C.map_op(C.M_SIZE, "l")),
                    ("map_on_int", C.map_op(C.M_GET_BY_KEY, "i", C.RT_VALUE, "a")),
                    ("list_read_missing_bin", C.list_op(C.L_SIZE, "nope")),
                    ("map_read_missing_bin", C.map_op(C.M_GET_BY_KEY, "nope", C.RT_VALUE, "a")),
                    ("list_modify_missing_bin", C.list_op(C.L_POP, "nope", 0)),
                    ("map_remove_missing_bin", C.map_op(C.M_REMOVE_BY_KEY, "nope", C.RT_VALUE,
                                                        "a")),
                    ("not_msgpack", wire.op(wire.OP_CDT_READ, "l", raw=b"\x93\x11",
                                            ptype=wire.P_BLOB)),
                    ("empty_value", wire.op(wire.OP_CDT_READ, "l", raw=b"", ptype=wire.P_BLOB)),
                    ("not_array", wire.op(wire.OP_CDT_READ, "l", raw=b"\x10",
                                          ptype=wire.P_BLOB))):
        c.add(name, operate(SET, "err", [o], respond_all=True))
    c.add("several", operate(SET, "err", [
        C.list_op(C.L_APPEND, "l", 3), C.list_op(C.L_SIZE, "l"),
        C.map_op(C.M_PUT, "m", "b", 2, 0), C.map_op(C.M_GET_BY_KEY, "m", C.RT_VALUE, "b"),
        r("l"), r("m")], respond_all=True))
    c.add("several_not_respond_all", operate(SET, "err", [
        C.list_op(C.L_APPEND, "l", 4), C.list_op(C.L_SIZE, "l"), r("l")]))
    c.add("read_all_after", get(SET, "err"))
    c.add("replace_with_cdt_op", operate(SET, "err", [w("l", [1]), C.list_op(C.L_SIZE, "l")],
                                         info3=wire.CREATE_OR_REPLACE, respond_all=True))
    for name, o in (("list_missing_record", C.list_op(C.L_SIZE, "l")),
                    ("map_missing_record", C.map_op(C.M_SIZE, "m")),
                    ("list_create_record", C.list_op(C.L_APPEND, "l", 1)),
                    ("map_create_record", C.map_op(C.M_PUT, "m", "a", 1, C.M_KEY_ORDERED)),
                    ("map_create_record_kv", C.map_op(C.M_PUT_ITEMS, "m", {"b": 1, "a": 2},
                                                      C.M_KEY_VALUE_ORDERED)),
                    ("list_create_ordered", C.list_op(C.L_APPEND_ITEMS, "l", [3, 1, 2],
                                                      C.ORDERED, 0))):
        c.add(name, operate(SET, f"err_{name}", [o], respond_all=True))
        c.add(f"{name}_get", get(SET, f"err_{name}"))
    out.append(c)
    out.extend(_unsorted_list_cases())
    out.extend(_unsorted_map_cases())
    # Seeded random op sequences on one list / one map each.
    for seq in range(4):
        c = Case(f"random_list_{seq}")
        key = f"rlist{seq}"
        c.add("seed", _seed_list(key, [rng.randint(0, 9) for _ in range(8)], seq % 2))
        for i in range(40):
            c.add(f"op{i:02d}", _op_then_read(key, _random_list_op(rng, 8), "l"))
        out.append(c)
    for seq, order in enumerate((C.M_UNORDERED, C.M_KEY_ORDERED, C.M_KEY_VALUE_ORDERED)):
        c = Case(f"random_map_{seq}")
        key = f"rmap{seq}"
        c.add("seed", _seed_map(key, {k: rng.randint(0, 9) for k in ("a", "c", 2, "e")}, order))
        for i in range(40):
            c.add(f"op{i:02d}", _op_then_read(key, _random_map_op(rng, 5), "m"))
        out.append(c)
    return out
