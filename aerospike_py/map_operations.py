"""Map operations for ``operate``, ``operate_ordered`` and ``batch_operate``.

Each function returns an op dict (``{"op": 2018, "bin": ..., ...}``) with
aerospike-py's codes and keys, so code written for aerospike-py runs
unchanged and hand-built dicts work too. The native core checks every dict
completely before anything is sent (a bad one raises ``ParamError``) and
encodes it.

Beyond aerospike-py: every function takes ``ctx=`` (a path into nested
collections, built with :mod:`aerospike_py.cdt_ctx`); the selections of
several entries take ``inverted=True``; and the official client's
:func:`map_create`, :func:`map_set_policy` and relative-range operations
are here under its names.

A :class:`~aerospike_py.MapPolicy` gives the map ``order`` (used when the
operation creates the map) and ``write_mode`` (``MAP_UPDATE``,
``MAP_UPDATE_ONLY``, ``MAP_CREATE_ONLY``); ``flags`` takes
``MAP_WRITE_FLAGS_*`` bits (``NO_FAIL``, ``PARTIAL``, ...) instead.
Return types are the ``MAP_RETURN_*`` constants.
"""

from __future__ import annotations

from typing import Any

from aerospike_py._op_dict import Ctx
from aerospike_py._op_dict import op_dict as _op
from aerospike_py.cdt_ctx import _with_create_flag
from aerospike_py.exception import ParamError
from aerospike_py.policy import MapPolicy, Operation

__all__ = [
    "Operation",
    "map_set_order",
    "map_put",
    "map_put_items",
    "map_increment",
    "map_decrement",
    "map_clear",
    "map_remove_by_key",
    "map_remove_by_key_list",
    "map_remove_by_key_range",
    "map_remove_by_value",
    "map_remove_by_value_list",
    "map_remove_by_value_range",
    "map_remove_by_index",
    "map_remove_by_index_range",
    "map_remove_by_rank",
    "map_remove_by_rank_range",
    "map_size",
    "map_get_by_key",
    "map_get_by_key_range",
    "map_get_by_value",
    "map_get_by_value_range",
    "map_get_by_index",
    "map_get_by_index_range",
    "map_get_by_rank",
    "map_get_by_rank_range",
    "map_get_by_key_list",
    "map_get_by_value_list",
    "map_create",
    "map_set_policy",
    "map_get_by_key_index_range_relative",
    "map_get_by_value_rank_range_relative",
    "map_remove_by_key_index_range_relative",
    "map_remove_by_value_rank_range_relative",
]

# Operation codes (aerospike-py's numbering; 2028+ are the official client's
# operations aerospike-py lacks).
_SET_ORDER = 2001
_PUT = 2002
_PUT_ITEMS = 2003
_INCREMENT = 2004
_DECREMENT = 2005
_CLEAR = 2006
_REMOVE_BY_KEY = 2007
_REMOVE_BY_KEY_LIST = 2008
_REMOVE_BY_KEY_RANGE = 2009
_REMOVE_BY_VALUE = 2010
_REMOVE_BY_VALUE_LIST = 2011
_REMOVE_BY_VALUE_RANGE = 2012
_REMOVE_BY_INDEX = 2013
_REMOVE_BY_INDEX_RANGE = 2014
_REMOVE_BY_RANK = 2015
_REMOVE_BY_RANK_RANGE = 2016
_SIZE = 2017
_GET_BY_KEY = 2018
_GET_BY_KEY_RANGE = 2019
_GET_BY_VALUE = 2020
_GET_BY_VALUE_RANGE = 2021
_GET_BY_INDEX = 2022
_GET_BY_INDEX_RANGE = 2023
_GET_BY_RANK = 2024
_GET_BY_RANK_RANGE = 2025
_GET_BY_KEY_LIST = 2026
_GET_BY_VALUE_LIST = 2027
_GET_BY_KEY_REL_INDEX_RANGE = 2028
_GET_BY_VALUE_REL_RANK_RANGE = 2029
_REMOVE_BY_KEY_REL_INDEX_RANGE = 2030
_REMOVE_BY_VALUE_REL_RANK_RANGE = 2031

_PERSIST_INDEX = 0x10
# ctx create flags of map_create, by map order (the official client's mapping).
_CREATE_FLAGS = {0: 0x40, 1: 0x80, 3: 0xC0}


def map_set_order(bin: str, map_order: int, *, ctx: Ctx = None) -> Operation:
    """Set the map's order (``MAP_UNORDERED``, ``MAP_KEY_ORDERED``,
    ``MAP_KEY_VALUE_ORDERED``). (Write)"""
    return _op({"op": _SET_ORDER, "bin": bin, "val": map_order}, ctx=ctx)


def map_put(bin: str, key: Any, val: Any, policy: MapPolicy | None = None, *, ctx: Ctx = None) -> Operation:
    """Set ``key`` to ``val``; the result is the new map size. (Write)"""
    return _op({"op": _PUT, "bin": bin, "map_key": key, "val": val}, ctx=ctx, map_policy=policy)


def map_put_items(
    bin: str, items: dict[Any, Any], policy: MapPolicy | None = None, *, ctx: Ctx = None
) -> Operation:
    """Set every key of ``items``; the result is the new map size. (Write)"""
    return _op({"op": _PUT_ITEMS, "bin": bin, "val": items}, ctx=ctx, map_policy=policy)


def map_increment(
    bin: str, key: Any, incr: Any, policy: MapPolicy | None = None, *, ctx: Ctx = None
) -> Operation:
    """Add ``incr`` (int or float) to the value of ``key`` (a missing key
    starts at 0); the result is the new value. (Write)"""
    return _op({"op": _INCREMENT, "bin": bin, "map_key": key, "val": incr}, ctx=ctx, map_policy=policy)


def map_decrement(
    bin: str, key: Any, decr: Any, policy: MapPolicy | None = None, *, ctx: Ctx = None
) -> Operation:
    """Subtract ``decr`` from the value of ``key``; the result is the new value. (Write)"""
    return _op({"op": _DECREMENT, "bin": bin, "map_key": key, "val": decr}, ctx=ctx, map_policy=policy)


def map_clear(bin: str, *, ctx: Ctx = None) -> Operation:
    """Remove every entry. (Write)"""
    return _op({"op": _CLEAR, "bin": bin}, ctx=ctx)


def map_remove_by_key(bin: str, key: Any, return_type: int, *, ctx: Ctx = None) -> Operation:
    """Remove the entry of ``key``. (Write)"""
    return _op({"op": _REMOVE_BY_KEY, "bin": bin, "map_key": key, "return_type": return_type}, ctx=ctx)


def map_remove_by_key_list(
    bin: str, keys: list[Any], return_type: int, *, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Remove the entries of ``keys``. (Write)"""
    return _op(
        {"op": _REMOVE_BY_KEY_LIST, "bin": bin, "val": keys, "return_type": return_type},
        ctx=ctx, inverted=inverted,
    )


def map_remove_by_key_range(
    bin: str, begin: Any, end: Any, return_type: int, *, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Remove the entries with ``begin <= key < end`` (None ``end``: no upper bound). (Write)"""
    return _op({
        "op": _REMOVE_BY_KEY_RANGE,
        "bin": bin,
        "val": begin,
        "val_end": end,
        "return_type": return_type,
    }, ctx=ctx, inverted=inverted)


def map_remove_by_value(
    bin: str, val: Any, return_type: int, *, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Remove the entries whose value equals ``val``. (Write)"""
    return _op(
        {"op": _REMOVE_BY_VALUE, "bin": bin, "val": val, "return_type": return_type},
        ctx=ctx, inverted=inverted,
    )


def map_remove_by_value_list(
    bin: str, values: list[Any], return_type: int, *, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Remove the entries whose value is one of ``values``. (Write)"""
    return _op(
        {"op": _REMOVE_BY_VALUE_LIST, "bin": bin, "val": values, "return_type": return_type},
        ctx=ctx, inverted=inverted,
    )


def map_remove_by_value_range(
    bin: str, begin: Any, end: Any, return_type: int, *, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Remove the entries with ``begin <= value < end``. (Write)"""
    return _op({
        "op": _REMOVE_BY_VALUE_RANGE,
        "bin": bin,
        "val": begin,
        "val_end": end,
        "return_type": return_type,
    }, ctx=ctx, inverted=inverted)


def map_remove_by_index(bin: str, index: int, return_type: int, *, ctx: Ctx = None) -> Operation:
    """Remove the entry at ``index`` in key order. (Write)"""
    return _op({"op": _REMOVE_BY_INDEX, "bin": bin, "index": index, "return_type": return_type}, ctx=ctx)


def map_remove_by_index_range(
    bin: str,
    index: int,
    return_type: int,
    count: int | None = None,
    *,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """Remove ``count`` entries from ``index`` in key order (None: to the end). (Write)"""
    return _op(
        {"op": _REMOVE_BY_INDEX_RANGE, "bin": bin, "index": index, "return_type": return_type},
        ctx=ctx, inverted=inverted, count=count,
    )


def map_remove_by_rank(bin: str, rank: int, return_type: int, *, ctx: Ctx = None) -> Operation:
    """Remove the entry of value ``rank``. (Write)"""
    return _op({"op": _REMOVE_BY_RANK, "bin": bin, "rank": rank, "return_type": return_type}, ctx=ctx)


def map_remove_by_rank_range(
    bin: str,
    rank: int,
    return_type: int,
    count: int | None = None,
    *,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """Remove ``count`` entries from value ``rank`` upwards (None: to the largest). (Write)"""
    return _op(
        {"op": _REMOVE_BY_RANK_RANGE, "bin": bin, "rank": rank, "return_type": return_type},
        ctx=ctx, inverted=inverted, count=count,
    )


def map_size(bin: str, *, ctx: Ctx = None) -> Operation:
    """The number of entries. (Read)"""
    return _op({"op": _SIZE, "bin": bin}, ctx=ctx)


def map_get_by_key(bin: str, key: Any, return_type: int, *, ctx: Ctx = None) -> Operation:
    """The entry of ``key``. (Read)"""
    return _op({"op": _GET_BY_KEY, "bin": bin, "map_key": key, "return_type": return_type}, ctx=ctx)


def map_get_by_key_range(
    bin: str, begin: Any, end: Any, return_type: int, *, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """The entries with ``begin <= key < end`` (None ``end``: no upper bound). (Read)"""
    return _op({
        "op": _GET_BY_KEY_RANGE,
        "bin": bin,
        "val": begin,
        "val_end": end,
        "return_type": return_type,
    }, ctx=ctx, inverted=inverted)


def map_get_by_value(
    bin: str, val: Any, return_type: int, *, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """The entries whose value equals ``val``. (Read)"""
    return _op(
        {"op": _GET_BY_VALUE, "bin": bin, "val": val, "return_type": return_type},
        ctx=ctx, inverted=inverted,
    )


def map_get_by_value_range(
    bin: str, begin: Any, end: Any, return_type: int, *, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """The entries with ``begin <= value < end``. (Read)"""
    return _op({
        "op": _GET_BY_VALUE_RANGE,
        "bin": bin,
        "val": begin,
        "val_end": end,
        "return_type": return_type,
    }, ctx=ctx, inverted=inverted)


def map_get_by_index(bin: str, index: int, return_type: int, *, ctx: Ctx = None) -> Operation:
    """The entry at ``index`` in key order. (Read)"""
    return _op({"op": _GET_BY_INDEX, "bin": bin, "index": index, "return_type": return_type}, ctx=ctx)


def map_get_by_index_range(
    bin: str,
    index: int,
    return_type: int,
    count: int | None = None,
    *,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """``count`` entries from ``index`` in key order (None: to the end). (Read)"""
    return _op(
        {"op": _GET_BY_INDEX_RANGE, "bin": bin, "index": index, "return_type": return_type},
        ctx=ctx, inverted=inverted, count=count,
    )


def map_get_by_rank(bin: str, rank: int, return_type: int, *, ctx: Ctx = None) -> Operation:
    """The entry of value ``rank`` (0: smallest; negative: from the largest). (Read)"""
    return _op({"op": _GET_BY_RANK, "bin": bin, "rank": rank, "return_type": return_type}, ctx=ctx)


def map_get_by_rank_range(
    bin: str,
    rank: int,
    return_type: int,
    count: int | None = None,
    *,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """``count`` entries from value ``rank`` upwards (None: to the largest). (Read)"""
    return _op(
        {"op": _GET_BY_RANK_RANGE, "bin": bin, "rank": rank, "return_type": return_type},
        ctx=ctx, inverted=inverted, count=count,
    )


def map_get_by_key_list(
    bin: str, keys: list[Any], return_type: int, *, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """The entries of ``keys`` (missing keys are skipped). (Read)"""
    return _op(
        {"op": _GET_BY_KEY_LIST, "bin": bin, "val": keys, "return_type": return_type},
        ctx=ctx, inverted=inverted,
    )


def map_get_by_value_list(
    bin: str, values: list[Any], return_type: int, *, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """The entries whose value is one of ``values``. (Read)"""
    return _op(
        {"op": _GET_BY_VALUE_LIST, "bin": bin, "val": values, "return_type": return_type},
        ctx=ctx, inverted=inverted,
    )


def map_create(bin: str, map_order: int = 0, persist_index: bool = False, *, ctx: Ctx = None) -> Operation:
    """Create a map of ``map_order`` at ``ctx`` when none is there (the
    official client's ``map_create``). Without ``ctx`` it sets the bin's
    order, with ``persist_index`` keeping a persisted index of a top-level
    map. (Write)"""
    if ctx is None:
        order = map_order | (_PERSIST_INDEX if persist_index else 0)
        return {"op": _SET_ORDER, "bin": bin, "val": order}
    flag = _CREATE_FLAGS.get(map_order)
    if flag is None:
        raise ParamError(f"map_create: map_order must be a MAP_*ORDERED constant, not {map_order!r}")
    return {"op": _SET_ORDER, "bin": bin, "val": map_order, "ctx": _with_create_flag(ctx, flag, "map_create")}


def map_set_policy(bin: str, policy: MapPolicy | dict[str, Any], *, ctx: Ctx = None) -> Operation:
    """Set the map's order from ``policy``: its ``order`` (or the official
    ``map_order``) and, for a top-level map, ``persist_index`` (the official
    client's ``map_set_policy``). (Write)"""
    if not isinstance(policy, dict):
        raise ParamError(f"map_set_policy: policy must be a dict, not {type(policy).__name__}")
    order: Any = policy.get("order", policy.get("map_order", 0))
    if policy.get("persist_index") and ctx is None and isinstance(order, int):
        order = order | _PERSIST_INDEX
    return _op({"op": _SET_ORDER, "bin": bin, "val": order}, ctx=ctx)


def map_get_by_key_index_range_relative(
    bin: str,
    key: Any,
    offset: int,
    return_type: int,
    count: int | None = None,
    *,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """``count`` entries from the key-order index of ``key`` plus ``offset``
    (None: to the end); ``key`` need not be in the map. (Read)"""
    return _op({
        "op": _GET_BY_KEY_REL_INDEX_RANGE,
        "bin": bin,
        "map_key": key,
        "index": offset,
        "return_type": return_type,
    }, ctx=ctx, inverted=inverted, count=count)


def map_get_by_value_rank_range_relative(
    bin: str,
    value: Any,
    offset: int,
    return_type: int,
    count: int | None = None,
    *,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """``count`` entries from the value rank of ``value`` plus ``offset``
    (None: to the largest). (Read)"""
    return _op({
        "op": _GET_BY_VALUE_REL_RANK_RANGE,
        "bin": bin,
        "val": value,
        "rank": offset,
        "return_type": return_type,
    }, ctx=ctx, inverted=inverted, count=count)


def map_remove_by_key_index_range_relative(
    bin: str,
    key: Any,
    offset: int,
    return_type: int,
    count: int | None = None,
    *,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """Remove ``count`` entries from the key-order index of ``key`` plus ``offset``. (Write)"""
    return _op({
        "op": _REMOVE_BY_KEY_REL_INDEX_RANGE,
        "bin": bin,
        "map_key": key,
        "index": offset,
        "return_type": return_type,
    }, ctx=ctx, inverted=inverted, count=count)


def map_remove_by_value_rank_range_relative(
    bin: str,
    value: Any,
    offset: int,
    return_type: int,
    count: int | None = None,
    *,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """Remove ``count`` entries from the value rank of ``value`` plus ``offset``. (Write)"""
    return _op({
        "op": _REMOVE_BY_VALUE_REL_RANK_RANGE,
        "bin": bin,
        "val": value,
        "rank": offset,
        "return_type": return_type,
    }, ctx=ctx, inverted=inverted, count=count)
