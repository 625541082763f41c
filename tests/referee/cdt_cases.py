"""Collection-operation cases for the referee: scripted and seeded random
sequences of the official client's list, map, bit and HLL operations
(``aerospike_helpers.operations``), with nested contexts, every return type
and flag, and error cases.

``run_case`` plays one case through a connected official client and returns
a JSON-able transcript: each operation's result (or the server's error
code) and the bin as stored afterwards. ``python cdt_cases.py --record
HOST:PORT`` records the transcripts of a real Aerospike into
``cdt_recorded.json``, which the referee test replays against the embedded
server.
"""

from __future__ import annotations

import json
import os
import random
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aerospike
from aerospike import exception as ex
from aerospike_helpers import cdt_ctx
from aerospike_helpers.operations import bitwise_operations as bo
from aerospike_helpers.operations import hll_operations as ho
from aerospike_helpers.operations import list_operations as lo
from aerospike_helpers.operations import map_operations as mo

# The bitwise helpers warn about their value_byte_size argument, which their
# signatures still require.
warnings.filterwarnings("ignore", message="value_byte_size is deprecated",
                        category=DeprecationWarning)

RECORDED = Path(__file__).with_name("cdt_recorded.json")
SET = "cdt_referee"
# The recording uses the defaults; other seeds and scales explore (with
# --compare) without changing it.
SEED = int(os.environ.get("CDT_CASES_SEED", "20261206"))
_SCALE = int(os.environ.get("CDT_CASES_SCALE", "1"))
N_RANDOM_LIST = 45 * _SCALE
N_RANDOM_MAP = 45 * _SCALE
N_RANDOM_BITS = 20 * _SCALE
N_RANDOM_HLL = 12 * _SCALE
OPS_PER_CASE = 12

LIST_RETURNS = [aerospike.LIST_RETURN_NONE, aerospike.LIST_RETURN_INDEX,
                aerospike.LIST_RETURN_REVERSE_INDEX, aerospike.LIST_RETURN_RANK,
                aerospike.LIST_RETURN_REVERSE_RANK, aerospike.LIST_RETURN_COUNT,
                aerospike.LIST_RETURN_VALUE, aerospike.LIST_RETURN_EXISTS]
MAP_RETURNS = [aerospike.MAP_RETURN_NONE, aerospike.MAP_RETURN_INDEX,
               aerospike.MAP_RETURN_REVERSE_INDEX, aerospike.MAP_RETURN_RANK,
               aerospike.MAP_RETURN_REVERSE_RANK, aerospike.MAP_RETURN_COUNT,
               aerospike.MAP_RETURN_KEY, aerospike.MAP_RETURN_VALUE,
               aerospike.MAP_RETURN_KEY_VALUE, aerospike.MAP_RETURN_EXISTS,
               aerospike.MAP_RETURN_UNORDERED_MAP, aerospike.MAP_RETURN_ORDERED_MAP]


def normalize(v: Any) -> Any:
    """A JSON form that keeps types and map order."""
    if isinstance(v, bool):
        return {"bool": v}
    if isinstance(v, float):
        return {"float": repr(v)}
    if isinstance(v, (bytes, bytearray)):
        return {"bytes": bytes(v).hex()}
    if isinstance(v, dict):
        return {"map": [[normalize(k), normalize(x)] for k, x in v.items()],
                "class": type(v).__name__}
    if isinstance(v, (list, tuple)):
        return [normalize(x) for x in v]
    return v


# --- random values -------------------------------------------------------------

def scalar(r: random.Random) -> Any:
    kind = r.randrange(9)
    if kind <= 2:
        return r.choice([0, 1, 2, 3, 5, 7, -1, -3, 100, 300, -200, 70000, 2**40, -(2**40)])
    if kind <= 4:
        return r.choice(["a", "b", "c", "ab", "zz", "", "x" * 40])
    if kind == 5:
        return r.choice([b"\x00", b"\x01\x02", b"zz"])
    if kind == 6:
        return r.choice([0.5, -1.25, 3.0, 1e10])
    if kind == 7:
        return None
    return r.choice([1, 2, 3])


def value(r: random.Random, depth: int = 0) -> Any:
    k = r.randrange(10)
    if depth < 2 and k == 0:
        return [value(r, depth + 1) for _ in range(r.randrange(4))]
    if depth < 2 and k == 1:
        return {map_key(r): value(r, depth + 1) for _ in range(r.randrange(4))}
    return scalar(r)


def map_key(r: random.Random) -> Any:
    return r.choice([1, 2, 3, 5, -1, 10, "a", "b", "c", "d", "k", "zz", b"\x01"])


# --- case building ------------------------------------------------------------

def list_ops(r: random.Random, ctx: list[Any] | None) -> list[Any]:
    """One random list operation (as a one-element operate list)."""
    b = "l"
    rt = r.choice(LIST_RETURNS)
    inv = r.random() < 0.2
    idx = r.choice([0, 1, 2, -1, -2, 3, 5, 10, -10])
    cnt = r.choice([0, 1, 2, 3, 10])
    v = value(r)
    pol = r.choice([None, {"write_flags": aerospike.LIST_WRITE_ADD_UNIQUE},
                    {"write_flags": aerospike.LIST_WRITE_ADD_UNIQUE | aerospike.LIST_WRITE_NO_FAIL},
                    {"write_flags": aerospike.LIST_WRITE_ADD_UNIQUE | aerospike.LIST_WRITE_NO_FAIL
                     | aerospike.LIST_WRITE_PARTIAL},
                    {"write_flags": aerospike.LIST_WRITE_INSERT_BOUNDED},
                    {"list_order": aerospike.LIST_ORDERED}])
    choices: list[Callable[[], Any]] = [
        lambda: lo.list_append(b, v, pol, ctx=ctx),
        lambda: lo.list_append_items(b, [value(r) for _ in range(r.randrange(1, 4))], pol, ctx=ctx),
        lambda: lo.list_insert(b, idx, v, pol, ctx=ctx),
        lambda: lo.list_insert_items(b, idx, [value(r), value(r)], pol, ctx=ctx),
        lambda: lo.list_increment(b, idx, r.choice([1, -2, 0.5]), ctx=ctx),
        lambda: lo.list_pop(b, idx, ctx=ctx),
        lambda: lo.list_pop_range(b, idx, cnt, ctx=ctx),
        lambda: lo.list_remove(b, idx, ctx=ctx),
        lambda: lo.list_remove_range(b, idx, cnt, ctx=ctx),
        lambda: lo.list_set(b, idx, v, ctx=ctx),
        lambda: lo.list_get(b, idx, ctx=ctx),
        lambda: lo.list_get_range(b, idx, cnt, ctx=ctx),
        lambda: lo.list_trim(b, idx, cnt, ctx=ctx),
        lambda: lo.list_size(b, ctx=ctx),
        lambda: lo.list_sort(b, r.choice([0, aerospike.LIST_SORT_DROP_DUPLICATES, 1]), ctx=ctx),
        lambda: lo.list_set_order(b, r.choice([aerospike.LIST_ORDERED, aerospike.LIST_UNORDERED]),
                                  ctx=ctx),
        lambda: lo.list_get_by_index(b, idx, rt, ctx=ctx),
        lambda: lo.list_get_by_index_range(b, idx, rt, cnt, inv, ctx=ctx),
        lambda: lo.list_get_by_rank(b, idx, rt, ctx=ctx),
        lambda: lo.list_get_by_rank_range(b, idx, rt, cnt, inv, ctx=ctx),
        lambda: lo.list_get_by_value(b, v, rt, inv, ctx=ctx),
        lambda: lo.list_get_by_value_list(b, [value(r), scalar(r)], rt, inv, ctx=ctx),
        lambda: lo.list_get_by_value_range(b, rt, scalar(r), scalar(r), inv, ctx=ctx),
        lambda: lo.list_get_by_value_rank_range_relative(b, scalar(r), r.choice([0, 1, -1, 2]),
                                                         rt, cnt, inv, ctx=ctx),
        lambda: lo.list_remove_by_index(b, idx, rt, ctx=ctx),
        lambda: lo.list_remove_by_index_range(b, idx, rt, cnt, inv, ctx=ctx),
        lambda: lo.list_remove_by_rank(b, idx, rt, ctx=ctx),
        lambda: lo.list_remove_by_rank_range(b, idx, rt, cnt, inv, ctx=ctx),
        lambda: lo.list_remove_by_value(b, v, rt, inv, ctx=ctx),
        lambda: lo.list_remove_by_value_list(b, [value(r), scalar(r)], rt, inv, ctx=ctx),
        lambda: lo.list_remove_by_value_range(b, rt, scalar(r), scalar(r), inv, ctx=ctx),
        lambda: lo.list_remove_by_value_rank_range_relative(b, scalar(r), r.choice([0, 1, -1]),
                                                            rt, cnt, inv, ctx=ctx),
        lambda: lo.list_clear(b, ctx=ctx),
    ]
    return [r.choice(choices)()]


def map_ops(r: random.Random, ctx: list[Any] | None) -> list[Any]:
    """One random map operation."""
    b = "m"
    rt = r.choice(MAP_RETURNS)
    inv = r.random() < 0.2
    idx = r.choice([0, 1, 2, -1, -2, 3, 5, -10])
    cnt = r.choice([0, 1, 2, 3, 10])
    k = map_key(r)
    v = value(r)
    pol = r.choice([None, {"map_order": aerospike.MAP_KEY_ORDERED},
                    {"map_order": aerospike.MAP_KEY_VALUE_ORDERED},
                    {"map_write_flags": aerospike.MAP_WRITE_FLAGS_CREATE_ONLY},
                    {"map_write_flags": aerospike.MAP_WRITE_FLAGS_UPDATE_ONLY},
                    {"map_write_flags": aerospike.MAP_WRITE_FLAGS_CREATE_ONLY
                     | aerospike.MAP_WRITE_FLAGS_NO_FAIL},
                    {"map_write_flags": aerospike.MAP_WRITE_FLAGS_CREATE_ONLY
                     | aerospike.MAP_WRITE_FLAGS_NO_FAIL | aerospike.MAP_WRITE_FLAGS_PARTIAL}])
    choices: list[Callable[[], Any]] = [
        lambda: mo.map_put(b, k, v, pol, ctx=ctx),
        lambda: mo.map_put(b, k, v, pol, ctx=ctx),
        lambda: mo.map_put_items(b, {map_key(r): value(r) for _ in range(r.randrange(1, 4))}, pol,
                                 ctx=ctx),
        lambda: mo.map_increment(b, k, r.choice([1, -3, 0.5]), pol, ctx=ctx),
        lambda: mo.map_decrement(b, k, r.choice([1, 2]), pol, ctx=ctx),
        lambda: mo.map_size(b, ctx=ctx),
        lambda: mo.map_clear(b, ctx=ctx),
        lambda: mo.map_set_policy(b, {"map_order": r.choice([aerospike.MAP_UNORDERED,
                                                             aerospike.MAP_KEY_ORDERED,
                                                             aerospike.MAP_KEY_VALUE_ORDERED])},
                                  ctx=ctx),
        lambda: mo.map_get_by_key(b, k, rt, ctx=ctx),
        lambda: mo.map_get_by_key_range(b, map_key(r), map_key(r), rt, inv, ctx=ctx),
        lambda: mo.map_get_by_key_list(b, [map_key(r), map_key(r)], rt, inv, ctx=ctx),
        lambda: mo.map_get_by_key_index_range_relative(b, map_key(r), r.choice([0, 1, -1]), rt,
                                                       cnt, inv, ctx=ctx),
        lambda: mo.map_get_by_index(b, idx, rt, ctx=ctx),
        lambda: mo.map_get_by_index_range(b, idx, cnt, rt, inv, ctx=ctx),
        lambda: mo.map_get_by_rank(b, idx, rt, ctx=ctx),
        lambda: mo.map_get_by_rank_range(b, idx, cnt, rt, inv, ctx=ctx),
        lambda: mo.map_get_by_value(b, scalar(r), rt, inv, ctx=ctx),
        lambda: mo.map_get_by_value_range(b, scalar(r), scalar(r), rt, inv, ctx=ctx),
        lambda: mo.map_get_by_value_list(b, [scalar(r), scalar(r)], rt, inv, ctx=ctx),
        lambda: mo.map_get_by_value_rank_range_relative(b, scalar(r), r.choice([0, 1, -1]), rt,
                                                        cnt, inv, ctx=ctx),
        lambda: mo.map_remove_by_key(b, k, rt, ctx=ctx),
        lambda: mo.map_remove_by_key_range(b, map_key(r), map_key(r), rt, inv, ctx=ctx),
        lambda: mo.map_remove_by_key_list(b, [map_key(r), map_key(r)], rt, inv, ctx=ctx),
        lambda: mo.map_remove_by_key_index_range_relative(b, map_key(r), r.choice([0, 1]), rt,
                                                          cnt, inv, ctx=ctx),
        lambda: mo.map_remove_by_index(b, idx, rt, ctx=ctx),
        lambda: mo.map_remove_by_index_range(b, idx, cnt, rt, inv, ctx=ctx),
        lambda: mo.map_remove_by_rank(b, idx, rt, ctx=ctx),
        lambda: mo.map_remove_by_rank_range(b, idx, cnt, rt, inv, ctx=ctx),
        lambda: mo.map_remove_by_value(b, scalar(r), rt, inv, ctx=ctx),
        lambda: mo.map_remove_by_value_range(b, scalar(r), scalar(r), rt, inv, ctx=ctx),
        lambda: mo.map_remove_by_value_list(b, [scalar(r)], rt, inv, ctx=ctx),
        lambda: mo.map_remove_by_value_rank_range_relative(b, scalar(r), r.choice([0, 1]), rt,
                                                           cnt, inv, ctx=ctx),
    ]
    return [r.choice(choices)()]


def random_ctx(r: random.Random, for_map: bool) -> list[Any] | None:
    """No context most of the time; otherwise one or two levels."""
    k = r.randrange(8)
    if k < 5:
        return None
    if k == 5:
        return [cdt_ctx.cdt_ctx_list_index(r.choice([0, 1, -1, 4]))]
    if k == 6:
        return [cdt_ctx.cdt_ctx_map_key(r.choice(["a", "b", "k", 1]))]
    return [cdt_ctx.cdt_ctx_map_key_create("k", r.choice([aerospike.MAP_UNORDERED,
                                                         aerospike.MAP_KEY_ORDERED]))
            if for_map else
            cdt_ctx.cdt_ctx_list_index_create(r.choice([0, 1, 2]),
                                              r.choice([aerospike.LIST_UNORDERED,
                                                        aerospike.LIST_ORDERED]),
                                              r.random() < 0.5)]


def bit_op(r: random.Random) -> list[Any]:
    b = "bb"
    off = r.choice([0, 1, 3, 7, 8, 12, 15, -8, -3, 40])
    size = r.choice([1, 3, 8, 9, 16, 24])
    pol = r.choice([None, {"bit_write_flags": aerospike.BIT_WRITE_NO_FAIL},
                    {"bit_write_flags": aerospike.BIT_WRITE_PARTIAL},
                    {"bit_write_flags": aerospike.BIT_WRITE_UPDATE_ONLY},
                    {"bit_write_flags": aerospike.BIT_WRITE_CREATE_ONLY}])
    ov = r.choice([aerospike.BIT_OVERFLOW_FAIL, aerospike.BIT_OVERFLOW_SATURATE,
                   aerospike.BIT_OVERFLOW_WRAP])
    buf = bytes(r.randrange(256) for _ in range(3))
    choices: list[Callable[[], Any]] = [
        lambda: bo.bit_resize(b, r.choice([0, 1, 3, 5]), pol, r.choice([0, 1, 2, 4])),
        lambda: bo.bit_insert(b, r.choice([0, 1, 4]), 2, buf[:2], pol),
        lambda: bo.bit_remove(b, r.choice([0, 1, 3]), r.choice([1, 2, 4]), pol),
        lambda: bo.bit_set(b, off, size, 3, buf, pol),
        lambda: bo.bit_or(b, off, size, 3, buf, pol),
        lambda: bo.bit_xor(b, off, size, 3, buf, pol),
        lambda: bo.bit_and(b, off, size, 3, buf, pol),
        lambda: bo.bit_not(b, off, size, pol),
        lambda: bo.bit_lshift(b, off, size, r.choice([1, 3, 9]), pol),
        lambda: bo.bit_rshift(b, off, size, r.choice([1, 3, 9]), pol),
        lambda: bo.bit_add(b, off, r.choice([4, 8, 16]), r.choice([1, 7, 200]), r.random() < 0.5,
                           ov, pol),
        lambda: bo.bit_subtract(b, off, r.choice([4, 8, 16]), r.choice([1, 7, 200]),
                                r.random() < 0.5, ov, pol),
        lambda: bo.bit_set_int(b, off, r.choice([4, 8, 13]), r.choice([3, 255, 4096]), pol),
        lambda: bo.bit_get(b, off, size),
        lambda: bo.bit_count(b, off, size),
        lambda: bo.bit_lscan(b, off, size, r.random() < 0.5),
        lambda: bo.bit_rscan(b, off, size, r.random() < 0.5),
        lambda: bo.bit_get_int(b, off, r.choice([3, 8, 12]), r.random() < 0.5),
    ]
    return [r.choice(choices)()]


def hll_op(r: random.Random, others: list[bytes]) -> list[Any]:
    b = "h"
    items = [r.choice(["a", "b", "c", "d" + str(r.randrange(300)), r.randrange(1000)])
             for _ in range(r.randrange(1, 20))]
    pol = r.choice([None, {"flags": aerospike.HLL_WRITE_CREATE_ONLY},
                    {"flags": aerospike.HLL_WRITE_NO_FAIL | aerospike.HLL_WRITE_CREATE_ONLY},
                    {"flags": aerospike.HLL_WRITE_ALLOW_FOLD}])
    choices: list[Callable[[], Any]] = [
        lambda: ho.hll_add(b, items, r.choice([None, 4, 8, 12]), r.choice([None, 0, 4, 8]), pol),
        lambda: ho.hll_add(b, items, 10, None),
        lambda: ho.hll_init(b, r.choice([4, 8, 10]), r.choice([0, 6]), pol),
        lambda: ho.hll_get_count(b),
        lambda: ho.hll_refresh_count(b),
        lambda: ho.hll_describe(b),
        lambda: ho.hll_fold(b, r.choice([4, 6, 8])),
        lambda: ho.hll_get_union(b, others),
        lambda: ho.hll_get_union_count(b, others),
        lambda: ho.hll_get_intersect_count(b, others[:1]),
        lambda: ho.hll_get_similarity(b, others[:1]),
        lambda: ho.hll_set_union(b, others, pol),
    ]
    return [r.choice(choices)()]


def scripted_cases() -> list[dict[str, Any]]:
    """Hand-written sequences: one per behaviour the random ones may miss."""
    l_, m_ = "l", "m"
    cases: list[list[list[Any]]] = [
        # ordered list: append keeps order, duplicates, ranks
        [[lo.list_append_items(l_, [5, 1, 3, 3, "a", None, [1], {"k": 1}],
                               {"list_order": aerospike.LIST_ORDERED})],
         [lo.list_get_by_rank_range(l_, 1, aerospike.LIST_RETURN_VALUE, 3)],
         [lo.list_get_by_value(l_, 3, aerospike.LIST_RETURN_INDEX)],
         [lo.list_remove_by_value_range(l_, aerospike.LIST_RETURN_RANK, 2, "b")],
         [lo.list_insert(l_, 0, 1)],
         [lo.list_set(l_, 0, 1)]],
        # unordered list: padding, bounded insert, unique
        [[lo.list_insert(l_, 3, "x")],
         [lo.list_insert(l_, 9, "y", {"write_flags": aerospike.LIST_WRITE_INSERT_BOUNDED})],
         [lo.list_append(l_, "x", {"write_flags": aerospike.LIST_WRITE_ADD_UNIQUE})],
         [lo.list_append_items(l_, ["q", "q"], {"write_flags": aerospike.LIST_WRITE_ADD_UNIQUE})],
         [lo.list_get_by_rank(l_, 0, aerospike.LIST_RETURN_VALUE)],
         [lo.list_sort(l_, aerospike.LIST_SORT_DROP_DUPLICATES)]],
        # nested contexts and create
        [[mo.map_put(m_, "x", 1, ctx=[cdt_ctx.cdt_ctx_map_key_create("a", aerospike.MAP_KEY_ORDERED)])],
         [lo.list_append(m_, 5, ctx=[cdt_ctx.cdt_ctx_map_key_create("b", aerospike.MAP_UNORDERED)])],
         [lo.list_append(m_, 5, ctx=[cdt_ctx.cdt_ctx_map_key("b")])],
         [mo.map_get_by_key(m_, "x", aerospike.MAP_RETURN_VALUE, ctx=[cdt_ctx.cdt_ctx_map_key("a")])],
         [mo.map_get_by_key(m_, "x", aerospike.MAP_RETURN_VALUE, ctx=[cdt_ctx.cdt_ctx_map_key("zz")])],
         [lo.list_size(m_, ctx=[cdt_ctx.cdt_ctx_map_key("a")])],
         [lo.list_append(m_, 1, ctx=[cdt_ctx.cdt_ctx_map_key("b"), cdt_ctx.cdt_ctx_list_index(0)])],
         [mo.map_get_by_rank_range(m_, 0, 5, aerospike.MAP_RETURN_KEY_VALUE)]],
        # wrong bin types
        [[lo.list_append(l_, 1)],
         [mo.map_put(l_, "a", 1)],
         [bo.bit_get(l_, 0, 8)],
         [ho.hll_get_count(l_)],
         [lo.list_sort("missing", 0)],
         [lo.list_remove_by_index("missing", 0, aerospike.LIST_RETURN_VALUE)],
         [lo.list_get("missing", 0)]],
        # map orders and result map types
        [[mo.map_put_items(m_, {"c": 3, "a": 1, "b": 2}, {"map_order": aerospike.MAP_KEY_VALUE_ORDERED})],
         [mo.map_get_by_rank_range(m_, 0, 3, aerospike.MAP_RETURN_UNORDERED_MAP)],
         [mo.map_get_by_rank_range(m_, 0, 3, aerospike.MAP_RETURN_ORDERED_MAP)],
         [mo.map_get_by_index_range(m_, 1, 2, aerospike.MAP_RETURN_KEY_VALUE, True)],
         [mo.map_put(m_, "d", 0, {"map_write_flags": aerospike.MAP_WRITE_FLAGS_UPDATE_ONLY})],
         [mo.map_set_policy(m_, {"map_order": aerospike.MAP_UNORDERED})],
         [mo.map_put(m_, "0", 0)]],
    ]
    return [{"name": f"scripted_{i}", "ops": c} for i, c in enumerate(cases)]


def random_cases() -> list[dict[str, Any]]:
    r = random.Random(SEED)
    cases: list[dict[str, Any]] = []
    for i in range(N_RANDOM_LIST):
        ops = [lo.list_append_items("l", [value(r) for _ in range(r.randrange(0, 8))],
                                    r.choice([None, {"list_order": aerospike.LIST_ORDERED}]))]
        steps = [ops]
        for _ in range(OPS_PER_CASE):
            steps.append(list_ops(r, random_ctx(r, False) if i % 3 == 0 else None))
        cases.append({"name": f"list_{i}", "ops": steps})
    for i in range(N_RANDOM_MAP):
        init = {map_key(r): value(r) for _ in range(r.randrange(0, 6))}
        steps = [[mo.map_put_items("m", init, r.choice([None, {"map_order": aerospike.MAP_KEY_ORDERED},
                                                        {"map_order": aerospike.MAP_KEY_VALUE_ORDERED}]))]]
        for _ in range(OPS_PER_CASE):
            steps.append(map_ops(r, random_ctx(r, True) if i % 3 == 0 else None))
        cases.append({"name": f"map_{i}", "ops": steps})
    for i in range(N_RANDOM_BITS):
        steps = [[bo.bit_insert("bb", 0, 4, bytes(r.randrange(256) for _ in range(4)))]]
        for _ in range(OPS_PER_CASE):
            steps.append(bit_op(r))
        cases.append({"name": f"bits_{i}", "ops": steps})
    for i in range(N_RANDOM_HLL):
        steps = [[ho.hll_add("h", [f"e{k}" for k in range(r.randrange(1, 60))], r.choice([6, 8, 10]),
                             r.choice([0, 4, 8]))]]
        cases.append({"name": f"hll_{i}", "ops": steps, "hll_source": True})
    return cases


def all_cases() -> list[dict[str, Any]]:
    return scripted_cases() + random_cases()


def all_cases_by_name() -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in all_cases()}


def run_case(client: Any, ns: str, case: dict[str, Any]) -> list[Any]:
    """Plays a case; returns one entry per operation plus the stored record."""
    key = (ns, SET, case["name"])
    try:
        client.remove(key)
    except ex.RecordNotFound:
        pass
    out: list[Any] = []
    for ops in case["ops"]:
        try:
            _, _, bins = client.operate(key, ops)
            out.append({"ok": normalize(bins)})
        except ex.AerospikeError as e:
            out.append({"error": e.code})
    try:
        _, _, bins = client.get(key)
        out.append({"record": normalize(bins)})
    except ex.RecordNotFound:
        out.append({"record": None})
    return out


def run_all(client: Any, ns: str) -> dict[str, list[Any]]:
    # HLL cases take their "other" HLLs from a first HLL built on the server.
    key = (ns, SET, "hll_other")
    try:
        client.remove(key)
    except ex.RecordNotFound:
        pass
    client.operate(key, [ho.hll_add("h", [f"o{k}" for k in range(30)], 8, 4)])
    client.operate(key, [ho.hll_add("h2", [f"o{k}" for k in range(50)], 8, 0)])
    _, _, bins = client.get(key)
    others = [bins["h"]]
    results: dict[str, list[Any]] = {}
    for case in all_cases():
        if case.get("hll_source"):
            case = dict(case)
            # Rebuild the HLL ops with the server-made HLL values.
            r = random.Random(f"{SEED}-{case['name']}")
            case["ops"] = [case["ops"][0]] + [hll_op(r, others if r.random() < 0.7 else [bins["h2"]])
                                             for _ in range(OPS_PER_CASE)]
        results[case["name"]] = run_case(client, ns, case)
    return results


def _run_against(hostport: str) -> dict[str, list[Any]]:
    host, port = hostport.rsplit(":", 1)
    timeouts = {"total_timeout": 20000, "socket_timeout": 20000}
    client = aerospike.client({"hosts": [(host, int(port))],
                               "policies": {"operate": timeouts, "read": timeouts,
                                            "write": timeouts, "remove": timeouts}}).connect()
    try:
        return run_all(client, "test")
    finally:
        client.close()


def main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[1] == "--compare":
        a, b = _run_against(argv[2]), _run_against(argv[3])
        n_bad = 0
        for name in a:
            for i, (x, y) in enumerate(zip(a[name], b.get(name, []))):
                if x != y:
                    n_bad += 1
                    print(f"{name} step {i}: ops {all_cases_by_name()[name]['ops'][i] if i < len(all_cases_by_name()[name]['ops']) else 'get'}")
                    print(f"   first : {x}")
                    print(f"   second: {y}")
                    break
        print(f"{n_bad} of {len(a)} cases differ")
        return 1 if n_bad else 0
    if len(argv) != 3 or argv[1] != "--record":
        print("usage: cdt_cases.py --record HOST:PORT | --compare HOST:PORT HOST:PORT",
              file=sys.stderr)
        return 2
    results = _run_against(argv[2])
    RECORDED.write_text(json.dumps(results, indent=0, sort_keys=True) + "\n")
    n = sum(len(v) for v in results.values())
    print(f"recorded {len(results)} cases, {n} exchanges into {RECORDED}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
