"""List operations for ``operate``, ``operate_ordered`` and ``batch_operate``.

Each function returns an op dict (``{"op": 1001, "bin": ..., ...}``) with
aerospike-py's codes and keys, so code written for aerospike-py runs
unchanged and hand-built dicts work too. The native core checks every dict
completely before anything is sent (a bad one raises ``ParamError``) and
encodes it; nothing here touches the network.

Beyond aerospike-py: every function takes ``ctx=`` (a path into nested
collections, built with :mod:`aerospike_py.cdt_ctx`); the range and value
selections take ``inverted=True`` (select everything *not* matched); and
the official client's :func:`list_create`,
:func:`list_get_by_value_rank_range_relative` and
:func:`list_remove_by_value_rank_range_relative` are here under its names.

Return types are the ``LIST_RETURN_*`` constants; what each returns is in
the documentation's "Collections" page.
"""

from __future__ import annotations

from typing import Any

from aerospike_py._op_dict import Ctx
from aerospike_py._op_dict import op_dict as _op
from aerospike_py.cdt_ctx import _with_create_flag
from aerospike_py.policy import ListPolicy, Operation

__all__ = [
    "Operation",
    "list_append",
    "list_append_items",
    "list_insert",
    "list_insert_items",
    "list_pop",
    "list_pop_range",
    "list_remove",
    "list_remove_range",
    "list_set",
    "list_trim",
    "list_clear",
    "list_size",
    "list_get",
    "list_get_range",
    "list_get_by_value",
    "list_get_by_index",
    "list_get_by_index_range",
    "list_get_by_rank",
    "list_get_by_rank_range",
    "list_get_by_value_list",
    "list_get_by_value_range",
    "list_remove_by_value",
    "list_remove_by_value_list",
    "list_remove_by_value_range",
    "list_remove_by_index",
    "list_remove_by_index_range",
    "list_remove_by_rank",
    "list_remove_by_rank_range",
    "list_increment",
    "list_sort",
    "list_set_order",
    "list_create",
    "list_get_by_value_rank_range_relative",
    "list_remove_by_value_rank_range_relative",
]

# Operation codes (aerospike-py's numbering; 1032+ are the official client's
# operations aerospike-py lacks).
_APPEND = 1001
_APPEND_ITEMS = 1002
_INSERT = 1003
_INSERT_ITEMS = 1004
_POP = 1005
_POP_RANGE = 1006
_REMOVE = 1007
_REMOVE_RANGE = 1008
_SET = 1009
_TRIM = 1010
_CLEAR = 1011
_SIZE = 1012
_GET = 1013
_GET_RANGE = 1014
_GET_BY_VALUE = 1015
_GET_BY_INDEX = 1016
_GET_BY_INDEX_RANGE = 1017
_GET_BY_RANK = 1018
_GET_BY_RANK_RANGE = 1019
_GET_BY_VALUE_LIST = 1020
_GET_BY_VALUE_RANGE = 1021
_REMOVE_BY_VALUE = 1022
_REMOVE_BY_VALUE_LIST = 1023
_REMOVE_BY_VALUE_RANGE = 1024
_REMOVE_BY_INDEX = 1025
_REMOVE_BY_INDEX_RANGE = 1026
_REMOVE_BY_RANK = 1027
_REMOVE_BY_RANK_RANGE = 1028
_INCREMENT = 1029
_SORT = 1030
_SET_ORDER = 1031
_GET_BY_VALUE_REL_RANK_RANGE = 1032
_REMOVE_BY_VALUE_REL_RANK_RANGE = 1033

_LIST_ORDERED = 1
_PERSIST_INDEX = 0x10
# ctx create flags of list_create (the official client's mapping).
_CREATE_UNORDERED = 0x40
_CREATE_UNORDERED_PADDED = 0x80
_CREATE_ORDERED = 0xC0


def list_append(bin: str, val: Any, policy: ListPolicy | None = None, *, ctx: Ctx = None) -> Operation:
    """Append ``val``; the result is the new list size. (Write)"""
    return _op({"op": _APPEND, "bin": bin, "val": val}, ctx=ctx, list_policy=policy)


def list_append_items(
    bin: str, values: list[Any], policy: ListPolicy | None = None, *, ctx: Ctx = None
) -> Operation:
    """Append every item of ``values``; the result is the new list size. (Write)"""
    return _op({"op": _APPEND_ITEMS, "bin": bin, "val": values}, ctx=ctx, list_policy=policy)


def list_insert(
    bin: str, index: int, val: Any, policy: ListPolicy | None = None, *, ctx: Ctx = None
) -> Operation:
    """Insert ``val`` at ``index`` (negative: from the end); the result is the new size. (Write)"""
    return _op({"op": _INSERT, "bin": bin, "index": index, "val": val}, ctx=ctx, list_policy=policy)


def list_insert_items(
    bin: str, index: int, values: list[Any], policy: ListPolicy | None = None, *, ctx: Ctx = None
) -> Operation:
    """Insert the items of ``values`` at ``index``; the result is the new size. (Write)"""
    return _op(
        {"op": _INSERT_ITEMS, "bin": bin, "index": index, "val": values},
        ctx=ctx, list_policy=policy,
    )


def list_pop(bin: str, index: int, *, ctx: Ctx = None) -> Operation:
    """Remove and return the item at ``index``. (Write)"""
    return _op({"op": _POP, "bin": bin, "index": index}, ctx=ctx)


def list_pop_range(bin: str, index: int, count: int, *, ctx: Ctx = None) -> Operation:
    """Remove and return ``count`` items from ``index``. (Write)"""
    return _op({"op": _POP_RANGE, "bin": bin, "index": index, "count": count}, ctx=ctx)


def list_remove(bin: str, index: int, *, ctx: Ctx = None) -> Operation:
    """Remove the item at ``index``; the result is the number removed. (Write)"""
    return _op({"op": _REMOVE, "bin": bin, "index": index}, ctx=ctx)


def list_remove_range(bin: str, index: int, count: int, *, ctx: Ctx = None) -> Operation:
    """Remove ``count`` items from ``index``; the result is the number removed. (Write)"""
    return _op({"op": _REMOVE_RANGE, "bin": bin, "index": index, "count": count}, ctx=ctx)


def list_set(bin: str, index: int, val: Any, *, policy: ListPolicy | None = None, ctx: Ctx = None) -> Operation:
    """Set the item at ``index`` to ``val`` (padding with None past the end). (Write)"""
    return _op({"op": _SET, "bin": bin, "index": index, "val": val}, ctx=ctx, list_policy=policy)


def list_trim(bin: str, index: int, count: int, *, ctx: Ctx = None) -> Operation:
    """Keep only ``count`` items from ``index``; the result is the number removed. (Write)"""
    return _op({"op": _TRIM, "bin": bin, "index": index, "count": count}, ctx=ctx)


def list_clear(bin: str, *, ctx: Ctx = None) -> Operation:
    """Remove every item. (Write)"""
    return _op({"op": _CLEAR, "bin": bin}, ctx=ctx)


def list_size(bin: str, *, ctx: Ctx = None) -> Operation:
    """The number of items. (Read)"""
    return _op({"op": _SIZE, "bin": bin}, ctx=ctx)


def list_get(bin: str, index: int, *, ctx: Ctx = None) -> Operation:
    """The item at ``index``. (Read)"""
    return _op({"op": _GET, "bin": bin, "index": index}, ctx=ctx)


def list_get_range(bin: str, index: int, count: int, *, ctx: Ctx = None) -> Operation:
    """``count`` items from ``index``. (Read)"""
    return _op({"op": _GET_RANGE, "bin": bin, "index": index, "count": count}, ctx=ctx)


def list_get_by_value(
    bin: str, val: Any, return_type: int, *, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """The items equal to ``val``. (Read)"""
    return _op(
        {"op": _GET_BY_VALUE, "bin": bin, "val": val, "return_type": return_type},
        ctx=ctx, inverted=inverted,
    )


def list_get_by_index(bin: str, index: int, return_type: int, *, ctx: Ctx = None) -> Operation:
    """The item at ``index``. (Read)"""
    return _op({"op": _GET_BY_INDEX, "bin": bin, "index": index, "return_type": return_type}, ctx=ctx)


def list_get_by_index_range(
    bin: str,
    index: int,
    return_type: int,
    count: int | None = None,
    *,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """``count`` items from ``index`` (None: to the end). (Read)"""
    return _op(
        {"op": _GET_BY_INDEX_RANGE, "bin": bin, "index": index, "return_type": return_type},
        ctx=ctx, inverted=inverted, count=count,
    )


def list_get_by_rank(bin: str, rank: int, return_type: int, *, ctx: Ctx = None) -> Operation:
    """The item of ``rank`` (0: smallest; negative: from the largest). (Read)"""
    return _op({"op": _GET_BY_RANK, "bin": bin, "rank": rank, "return_type": return_type}, ctx=ctx)


def list_get_by_rank_range(
    bin: str,
    rank: int,
    return_type: int,
    count: int | None = None,
    *,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """``count`` items from ``rank`` upwards (None: to the largest). (Read)"""
    return _op(
        {"op": _GET_BY_RANK_RANGE, "bin": bin, "rank": rank, "return_type": return_type},
        ctx=ctx, inverted=inverted, count=count,
    )


def list_get_by_value_list(
    bin: str, values: list[Any], return_type: int, *, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """The items equal to any of ``values``. (Read)"""
    return _op(
        {"op": _GET_BY_VALUE_LIST, "bin": bin, "val": values, "return_type": return_type},
        ctx=ctx, inverted=inverted,
    )


def list_get_by_value_range(
    bin: str, begin: Any, end: Any, return_type: int, *, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """The items with ``begin <= value < end`` (None ``end``: no upper bound). (Read)"""
    return _op({
        "op": _GET_BY_VALUE_RANGE,
        "bin": bin,
        "val": begin,
        "val_end": end,
        "return_type": return_type,
    }, ctx=ctx, inverted=inverted)


def list_remove_by_value(
    bin: str, val: Any, return_type: int, *, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Remove the items equal to ``val``. (Write)"""
    return _op(
        {"op": _REMOVE_BY_VALUE, "bin": bin, "val": val, "return_type": return_type},
        ctx=ctx, inverted=inverted,
    )


def list_remove_by_value_list(
    bin: str, values: list[Any], return_type: int, *, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Remove the items equal to any of ``values``. (Write)"""
    return _op(
        {"op": _REMOVE_BY_VALUE_LIST, "bin": bin, "val": values, "return_type": return_type},
        ctx=ctx, inverted=inverted,
    )


def list_remove_by_value_range(
    bin: str, begin: Any, end: Any, return_type: int, *, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Remove the items with ``begin <= value < end``. (Write)"""
    return _op({
        "op": _REMOVE_BY_VALUE_RANGE,
        "bin": bin,
        "val": begin,
        "val_end": end,
        "return_type": return_type,
    }, ctx=ctx, inverted=inverted)


def list_remove_by_index(bin: str, index: int, return_type: int, *, ctx: Ctx = None) -> Operation:
    """Remove the item at ``index``. (Write)"""
    return _op({"op": _REMOVE_BY_INDEX, "bin": bin, "index": index, "return_type": return_type}, ctx=ctx)


def list_remove_by_index_range(
    bin: str,
    index: int,
    return_type: int,
    count: int | None = None,
    *,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """Remove ``count`` items from ``index`` (None: to the end). (Write)"""
    return _op(
        {"op": _REMOVE_BY_INDEX_RANGE, "bin": bin, "index": index, "return_type": return_type},
        ctx=ctx, inverted=inverted, count=count,
    )


def list_remove_by_rank(bin: str, rank: int, return_type: int, *, ctx: Ctx = None) -> Operation:
    """Remove the item of ``rank``. (Write)"""
    return _op({"op": _REMOVE_BY_RANK, "bin": bin, "rank": rank, "return_type": return_type}, ctx=ctx)


def list_remove_by_rank_range(
    bin: str,
    rank: int,
    return_type: int,
    count: int | None = None,
    *,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """Remove ``count`` items from ``rank`` upwards (None: to the largest). (Write)"""
    return _op(
        {"op": _REMOVE_BY_RANK_RANGE, "bin": bin, "rank": rank, "return_type": return_type},
        ctx=ctx, inverted=inverted, count=count,
    )


def list_increment(
    bin: str, index: int, val: int, policy: ListPolicy | None = None, *, ctx: Ctx = None
) -> Operation:
    """Add ``val`` (int or float) to the item at ``index``; the result is the new item. (Write)"""
    return _op({"op": _INCREMENT, "bin": bin, "index": index, "val": val}, ctx=ctx, list_policy=policy)


def list_sort(bin: str, sort_flags: int = 0, *, ctx: Ctx = None) -> Operation:
    """Sort the list (``LIST_SORT_DEFAULT`` or ``LIST_SORT_DROP_DUPLICATES``). (Write)"""
    return _op({"op": _SORT, "bin": bin, "val": sort_flags}, ctx=ctx)


def list_set_order(bin: str, list_order: int = 0, *, ctx: Ctx = None) -> Operation:
    """Make the list ordered (``LIST_ORDERED``) or unordered. (Write)"""
    return _op({"op": _SET_ORDER, "bin": bin, "val": list_order}, ctx=ctx)


def list_create(
    bin: str, list_order: int = 0, pad: bool = False, persist_index: bool = False, *, ctx: Ctx = None
) -> Operation:
    """Create a list of ``list_order`` at ``ctx`` when none is there (the
    official client's ``list_create``). Without ``ctx`` it sets the bin's
    order, with ``persist_index`` keeping a persisted index of a top-level
    ordered list. ``pad`` lets a ctx index beyond the end of an unordered
    list fill the gap with None. (Write)"""
    if ctx is None:
        order = list_order | (_PERSIST_INDEX if persist_index else 0)
        return {"op": _SET_ORDER, "bin": bin, "val": order}
    if list_order == _LIST_ORDERED:
        flag = _CREATE_ORDERED
    else:
        flag = _CREATE_UNORDERED_PADDED if pad else _CREATE_UNORDERED
    return {
        "op": _SET_ORDER,
        "bin": bin,
        "val": list_order,
        "ctx": _with_create_flag(ctx, flag, "list_create"),
    }


def list_get_by_value_rank_range_relative(
    bin: str,
    value: Any,
    offset: int,
    return_type: int,
    count: int | None = None,
    *,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """``count`` items from the rank of ``value`` plus ``offset`` (None: to
    the largest); ``value`` need not be in the list. (Read)"""
    return _op({
        "op": _GET_BY_VALUE_REL_RANK_RANGE,
        "bin": bin,
        "val": value,
        "rank": offset,
        "return_type": return_type,
    }, ctx=ctx, inverted=inverted, count=count)


def list_remove_by_value_rank_range_relative(
    bin: str,
    value: Any,
    offset: int,
    return_type: int,
    count: int | None = None,
    *,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """Remove ``count`` items from the rank of ``value`` plus ``offset``. (Write)"""
    return _op({
        "op": _REMOVE_BY_VALUE_REL_RANK_RANGE,
        "bin": bin,
        "val": value,
        "rank": offset,
        "return_type": return_type,
    }, ctx=ctx, inverted=inverted, count=count)
