"""Contexts: paths into nested lists and maps for list and map operations.

Every list and map operation takes ``ctx=[...]``: the steps that lead from
the bin to the nested list or map the operation works on. Each step selects
one element of the collection reached so far::

    from aerospike_py import cdt_ctx, map_operations, MAP_RETURN_VALUE

    # bin "users" = [{"name": "Ann", "scores": {"a": 1}}, ...]
    ctx = [cdt_ctx.cdt_ctx_list_index(0), cdt_ctx.cdt_ctx_map_key("scores")]
    op = map_operations.map_get_by_key("users", "a", MAP_RETURN_VALUE, ctx=ctx)

The function names are the official ``aerospike`` client's
(``aerospike_helpers.cdt_ctx``); aerospike-py has no contexts. A step is a
:class:`CDTContext` ``(type, value)`` where ``type`` is the step's wire code
(``CDT_CTX_*``); a plain ``(type, value)`` tuple works the same.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from aerospike_py.constants import (
    CDT_CTX_LIST_INDEX,
    CDT_CTX_LIST_RANK,
    CDT_CTX_LIST_VALUE,
    CDT_CTX_MAP_INDEX,
    CDT_CTX_MAP_KEY,
    CDT_CTX_MAP_RANK,
    CDT_CTX_MAP_VALUE,
)
from aerospike_py.exception import ParamError

__all__ = [
    "CDTContext",
    "CDT_CTX_LIST_INDEX",
    "CDT_CTX_LIST_RANK",
    "CDT_CTX_LIST_VALUE",
    "CDT_CTX_MAP_INDEX",
    "CDT_CTX_MAP_RANK",
    "CDT_CTX_MAP_KEY",
    "CDT_CTX_MAP_VALUE",
    "cdt_ctx_list_index",
    "cdt_ctx_list_rank",
    "cdt_ctx_list_value",
    "cdt_ctx_list_index_create",
    "cdt_ctx_map_index",
    "cdt_ctx_map_rank",
    "cdt_ctx_map_key",
    "cdt_ctx_map_value",
    "cdt_ctx_map_key_create",
]


# Create flags or-ed into a list-index / map-key step: create the list or
# map at that place when it is missing.
_CREATE_LIST_UNORDERED = 0x40
_CREATE_LIST_UNORDERED_PADDED = 0x80
_CREATE_LIST_ORDERED = 0xC0
_CREATE_MAP = {0: 0x40, 1: 0x80, 3: 0xC0}  # by MAP_UNORDERED / KEY_ORDERED / KEY_VALUE_ORDERED


class CDTContext(NamedTuple):
    """One step of a context path: the step ``type`` (``CDT_CTX_*``, with
    create flags for the ``*_create`` steps) and the index, rank, key or
    value it selects."""

    type: int
    value: Any


def cdt_ctx_list_index(index: int) -> CDTContext:
    """The list element at ``index`` (negative: from the end)."""
    return CDTContext(CDT_CTX_LIST_INDEX, index)


def cdt_ctx_list_rank(rank: int) -> CDTContext:
    """The list element of ``rank`` in value order (negative: from the largest)."""
    return CDTContext(CDT_CTX_LIST_RANK, rank)


def cdt_ctx_list_value(value: Any) -> CDTContext:
    """The first list element equal to ``value``."""
    return CDTContext(CDT_CTX_LIST_VALUE, value)


def cdt_ctx_list_index_create(index: int, order: int = 0, pad: bool = False) -> CDTContext:
    """The list element at ``index``, created when missing: a missing list at
    this step is created with ``order`` (``LIST_UNORDERED``/``LIST_ORDERED``),
    and the element is created at the end of it; ``pad`` lets ``index`` lie
    further out, the gap filled with None (unordered lists only)."""
    if order == 1:
        if pad:
            raise ParamError("cdt_ctx_list_index_create: pad applies to unordered lists only")
        flag = _CREATE_LIST_ORDERED
    elif order == 0:
        flag = _CREATE_LIST_UNORDERED_PADDED if pad else _CREATE_LIST_UNORDERED
    else:
        raise ParamError(f"cdt_ctx_list_index_create: order must be LIST_UNORDERED or LIST_ORDERED, not {order!r}")
    return CDTContext(CDT_CTX_LIST_INDEX | flag, index)


def cdt_ctx_map_index(index: int) -> CDTContext:
    """The map entry at ``index`` in key order (negative: from the end)."""
    return CDTContext(CDT_CTX_MAP_INDEX, index)


def cdt_ctx_map_rank(rank: int) -> CDTContext:
    """The map entry of ``rank`` in value order (negative: from the largest)."""
    return CDTContext(CDT_CTX_MAP_RANK, rank)


def cdt_ctx_map_key(key: Any) -> CDTContext:
    """The map value under ``key``."""
    return CDTContext(CDT_CTX_MAP_KEY, key)


def cdt_ctx_map_value(value: Any) -> CDTContext:
    """The first map entry whose value equals ``value``."""
    return CDTContext(CDT_CTX_MAP_VALUE, value)


def cdt_ctx_map_key_create(key: Any, order: int = 0) -> CDTContext:
    """The map value under ``key``, created when missing: a missing map at
    this step is created with ``order`` (``MAP_UNORDERED``,
    ``MAP_KEY_ORDERED``, ``MAP_KEY_VALUE_ORDERED``), and the key in it."""
    flag = _CREATE_MAP.get(order)
    if flag is None:
        raise ParamError(f"cdt_ctx_map_key_create: order must be a MAP_*ORDERED constant, not {order!r}")
    return CDTContext(CDT_CTX_MAP_KEY | flag, key)


def _with_create_flag(ctx: Any, flag: int, what: str) -> list[CDTContext]:
    """``ctx`` with ``flag`` or-ed into its last step (list_create, map_create),
    as the official client does."""
    steps = list(ctx)
    if not steps:
        raise ParamError(f"{what}: ctx is empty")
    last = steps[-1]
    if not isinstance(last, tuple) or len(last) != 2 or not isinstance(last[0], int):
        raise ParamError(f"{what}: ctx steps must be CDTContext values, not {last!r}")
    steps[-1] = CDTContext(last[0] | flag, last[1])
    return steps
