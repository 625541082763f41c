"""List, map, bit and HyperLogLog expressions (re-exported by
:mod:`aerospike_py.exp`, where they are documented for users).

Reads return part of a collection/blob/HLL; modifications return the bin's
value after the change, computed on a local copy (the record is not
changed; write the result with ``exp.exp_write`` to store it). Arguments
that are values may be expressions or plain Python values. ``bin`` is an
expression, or a bin name that becomes the family's bin expression
(``list_bin``, ``map_bin``, ``blob_bin``, ``hll_bin``), as in the official
client. ``ctx`` is a list of context steps (the official client's
``aerospike_helpers.cdt_ctx`` objects, or ``{"id": ..., "value": ...}``
dicts) that selects a nested list or map; ``inverted=True`` selects every
element the criteria do not select (also expressible by OR-ing
``INVERTED`` (0x10000) into ``return_type``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from aerospike_py import _expr_cdt as _c
from aerospike_py._expr import Expr, ExprLike, as_expr, check_int, fail, node, pack_int

__all__ = [
    "list_size", "list_get_by_value", "list_get_by_value_range", "list_get_by_value_list",
    "list_get_by_value_rel_rank_range_to_end", "list_get_by_value_rel_rank_range",
    "list_get_by_index", "list_get_by_index_range_to_end", "list_get_by_index_range",
    "list_get_by_rank", "list_get_by_rank_range_to_end", "list_get_by_rank_range",
    "list_append", "list_append_items", "list_insert", "list_insert_items", "list_increment",
    "list_set", "list_clear", "list_sort", "list_remove_by_value", "list_remove_by_value_list",
    "list_remove_by_value_range", "list_remove_by_value_rel_rank_range_to_end",
    "list_remove_by_value_rel_rank_range", "list_remove_by_index",
    "list_remove_by_index_range_to_end", "list_remove_by_index_range", "list_remove_by_rank",
    "list_remove_by_rank_range_to_end", "list_remove_by_rank_range",
    "map_size", "map_get_by_key", "map_get_by_key_range", "map_get_by_key_list",
    "map_get_by_key_rel_index_range_to_end", "map_get_by_key_rel_index_range",
    "map_get_by_value", "map_get_by_value_range", "map_get_by_value_list",
    "map_get_by_value_rel_rank_range_to_end", "map_get_by_value_rel_rank_range",
    "map_get_by_index", "map_get_by_index_range_to_end", "map_get_by_index_range",
    "map_get_by_rank", "map_get_by_rank_range_to_end", "map_get_by_rank_range",
    "map_put", "map_put_items", "map_increment", "map_clear", "map_remove_by_key",
    "map_remove_by_key_list", "map_remove_by_key_range",
    "map_remove_by_key_rel_index_range_to_end", "map_remove_by_key_rel_index_range",
    "map_remove_by_value", "map_remove_by_value_list", "map_remove_by_value_range",
    "map_remove_by_value_rel_rank_range_to_end", "map_remove_by_value_rel_rank_range",
    "map_remove_by_index", "map_remove_by_index_range_to_end", "map_remove_by_index_range",
    "map_remove_by_rank", "map_remove_by_rank_range_to_end", "map_remove_by_rank_range",
    "bit_resize", "bit_insert", "bit_remove", "bit_set", "bit_or", "bit_xor", "bit_and",
    "bit_not", "bit_lshift", "bit_rshift", "bit_add", "bit_subtract", "bit_set_int", "bit_get",
    "bit_count", "bit_lscan", "bit_rscan", "bit_get_int",
    "hll_init", "hll_add", "hll_get_count", "hll_get_union", "hll_get_union_count",
    "hll_get_intersect_count", "hll_get_similarity", "hll_describe", "hll_may_contain",
]


def _bin_builder(kind: str) -> Callable[[str], Expr]:
    from aerospike_py import exp

    builder: Callable[[str], Expr] = {
        "list": exp.list_bin,
        "map": exp.map_bin,
        "bit": exp.blob_bin,
        "hll": exp.hll_bin,
    }[kind]
    return builder


class _Args:
    """Collects a family builder's converted arguments: the node's fields
    and the packed operation arguments, in order."""

    __slots__ = ("op", "fields", "wires")

    def __init__(self, op: str) -> None:
        self.op = op
        self.fields: dict[str, Any] = {}
        self.wires: list[bytes] = []

    def where(self, name: str) -> str:
        return f"exp.{self.op}: '{name}'"

    def expr(self, name: str, value: ExprLike) -> None:
        e = as_expr(value, self.where(name))
        self.fields[name] = e
        self.wires.append(e._wire)

    def integer(self, name: str, value: Any, lo: int, hi: int) -> int:
        v = check_int(value, self.where(name), lo, hi)
        self.fields[name] = v
        self.wires.append(pack_int(v))
        return v

    def return_type(self, return_type: Any, inverted: bool) -> int:
        rt = _c.check_return_type(return_type, self.where("return_type"))
        if inverted:
            rt |= _c.INVERTED
        self.fields["return_type"] = rt
        self.wires.append(pack_int(rt))
        return rt

    def bin(self, kind: str, bin: Any) -> Expr:  # noqa: A002
        b = _c.bin_arg(bin, _bin_builder(kind), self.where("bin"))
        self.fields["bin"] = b
        return b

    def ctx(self, ctx: Any) -> tuple[bytes, int] | None:
        packed = _c.ctx_wire(ctx, self.where("ctx"))
        self.fields["ctx"] = _c.ctx_field(ctx)
        return packed


def _read(
    kind: str,
    op: str,
    code: int,
    return_type: Any,
    value_type: Any,
    multi: bool,
    named: Sequence[tuple[str, ExprLike]],
    bin: Any,  # noqa: A002
    ctx: Any,
    inverted: bool,
) -> Expr:
    a = _Args(op)
    rt = a.return_type(return_type, inverted)
    vt = _c.T_AUTO
    if value_type is not None:
        vt = _c.check_value_type(value_type, a.where("value_type"))
        a.fields["value_type"] = vt
    for name, value in named:
        a.expr(name, value)
    b = a.bin(kind, bin)
    packed_ctx = a.ctx(ctx)
    result = _c.read_type(kind, rt, vt, multi, f"exp.{op}")
    return _c.call(op, a.fields, result, _c.SYS_CDT, code, a.wires, b, packed_ctx)


def _size(kind: str, op: str, code: int, bin: Any, ctx: Any) -> Expr:  # noqa: A002
    a = _Args(op)
    b = a.bin(kind, bin)
    packed_ctx = a.ctx(ctx)
    return _c.call(op, a.fields, _c.T_INT, _c.SYS_CDT, code, [], b, packed_ctx)


def _remove(
    kind: str,
    op: str,
    code: int,
    named: Sequence[tuple[str, ExprLike]],
    bin: Any,  # noqa: A002
    ctx: Any,
    inverted: bool,
    with_return_type: bool = True,
) -> Expr:
    a = _Args(op)
    if with_return_type:
        a.return_type(0, inverted)
    else:
        a.wires.append(pack_int(0))
    for name, value in named:
        a.expr(name, value)
    b = a.bin(kind, bin)
    packed_ctx = a.ctx(ctx)
    default = _c.T_LIST if kind == "list" else _c.T_MAP
    result = _c.modify_type(default, packed_ctx)
    return _c.call(
        op, a.fields, result, _c.SYS_CDT | _c.MODIFY_LOCAL, code, a.wires, b, packed_ctx
    )


def _list_modify(
    op: str,
    code: int,
    named: Sequence[tuple[str, ExprLike]],
    bin: Any,  # noqa: A002
    policy: Any,
    ctx: Any,
    policy_form: str,
) -> Expr:
    """policy_form: "crmod" (order and flags), "mod" (flags) or "" (none)."""
    a = _Args(op)
    for name, value in named:
        a.expr(name, value)
    if policy_form:
        pol = _c.list_policy(policy, a.where("policy"))
        a.fields["policy"] = policy
        if pol is not None:
            if policy_form == "crmod":
                a.wires.append(pack_int(pol[0]))
            a.wires.append(pack_int(pol[1]))
    b = a.bin("list", bin)
    packed_ctx = a.ctx(ctx)
    result = _c.modify_type(_c.T_LIST, packed_ctx)
    return _c.call(
        op, a.fields, result, _c.SYS_CDT | _c.MODIFY_LOCAL, code, a.wires, b, packed_ctx
    )


def _map_modify(
    op: str,
    code: int,
    named: Sequence[tuple[str, ExprLike]],
    bin: Any,  # noqa: A002
    policy: Any,
    ctx: Any,
    policy_form: str,
) -> Expr:
    a = _Args(op)
    for name, value in named:
        a.expr(name, value)
    if policy_form:
        pol = _c.map_policy(policy, a.where("policy"))
        a.fields["policy"] = policy
        if pol is not None:
            # put/put_items take the map's order and the write flags;
            # increment takes only the order of a map it creates (the
            # server's MAP_INCREMENT reads one "attributes" argument).
            a.wires.append(pack_int(pol[0]))
            if policy_form == "crmod":
                a.wires.append(pack_int(pol[1]))
    b = a.bin("map", bin)
    packed_ctx = a.ctx(ctx)
    result = _c.modify_type(_c.T_MAP, packed_ctx)
    return _c.call(
        op, a.fields, result, _c.SYS_CDT | _c.MODIFY_LOCAL, code, a.wires, b, packed_ctx
    )


# ── List reads ─────────────────────────────────────────────────────


def list_size(bin: Any, ctx: Any = None) -> Expr:  # noqa: A002
    """The number of elements of a list."""
    return _size("list", "list_size", _c.LIST_SIZE, bin, ctx)


def list_get_by_value(
    return_type: int, value: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The list elements equal to ``value``, as ``return_type`` (a
    ``LIST_RETURN_*``) says."""
    return _read("list", "list_get_by_value", _c.LIST_GET_ALL_BY_VALUE, return_type, None, True,
                 [("value", value)], bin, ctx, inverted)


def list_get_by_value_range(
    return_type: int,
    value_begin: ExprLike,
    value_end: ExprLike,
    bin: Any,  # noqa: A002
    ctx: Any = None,
    inverted: bool = False,
) -> Expr:
    """The list elements in ``[value_begin, value_end)`` (``nil()`` for an
    open start, ``infinity()`` for an open end)."""
    return _read("list", "list_get_by_value_range", _c.LIST_GET_BY_VALUE_INTERVAL, return_type,
                 None, True, [("value_begin", value_begin), ("value_end", value_end)], bin, ctx,
                 inverted)


def list_get_by_value_list(
    return_type: int, values: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The list elements equal to any of ``values``."""
    return _read("list", "list_get_by_value_list", _c.LIST_GET_BY_VALUE_LIST, return_type, None,
                 True, [("values", values)], bin, ctx, inverted)


def list_get_by_value_rel_rank_range_to_end(
    return_type: int,
    value: ExprLike,
    rank: ExprLike,
    bin: Any,  # noqa: A002
    ctx: Any = None,
    inverted: bool = False,
) -> Expr:
    """The list elements from rank ``rank`` relative to ``value`` to the end."""
    return _read("list", "list_get_by_value_rel_rank_range_to_end",
                 _c.LIST_GET_BY_VALUE_REL_RANK_RANGE, return_type, None, True,
                 [("value", value), ("rank", rank)], bin, ctx, inverted)


def list_get_by_value_rel_rank_range(
    return_type: int,
    value: ExprLike,
    rank: ExprLike,
    count: ExprLike,
    bin: Any,  # noqa: A002
    ctx: Any = None,
    inverted: bool = False,
) -> Expr:
    """``count`` list elements from rank ``rank`` relative to ``value``."""
    return _read("list", "list_get_by_value_rel_rank_range", _c.LIST_GET_BY_VALUE_REL_RANK_RANGE,
                 return_type, None, True, [("value", value), ("rank", rank), ("count", count)],
                 bin, ctx, inverted)


def list_get_by_index(
    return_type: int, value_type: int, index: ExprLike, bin: Any, ctx: Any = None  # noqa: A002
) -> Expr:
    """The list element at ``index``; ``value_type`` (an ``EXP_TYPE_*``) is
    the type of the element when ``return_type`` is ``LIST_RETURN_VALUE``."""
    return _read("list", "list_get_by_index", _c.LIST_GET_BY_INDEX, return_type, value_type,
                 False, [("index", index)], bin, ctx, False)


def list_get_by_index_range_to_end(
    return_type: int, index: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The list elements from ``index`` to the end."""
    return _read("list", "list_get_by_index_range_to_end", _c.LIST_GET_BY_INDEX_RANGE,
                 return_type, None, True, [("index", index)], bin, ctx, inverted)


def list_get_by_index_range(
    return_type: int,
    index: ExprLike,
    count: ExprLike,
    bin: Any,  # noqa: A002
    ctx: Any = None,
    inverted: bool = False,
) -> Expr:
    """``count`` list elements from ``index``."""
    return _read("list", "list_get_by_index_range", _c.LIST_GET_BY_INDEX_RANGE, return_type, None,
                 True, [("index", index), ("count", count)], bin, ctx, inverted)


def list_get_by_rank(
    return_type: int, value_type: int, rank: ExprLike, bin: Any, ctx: Any = None  # noqa: A002
) -> Expr:
    """The list element of rank ``rank`` (0 is the smallest)."""
    return _read("list", "list_get_by_rank", _c.LIST_GET_BY_RANK, return_type, value_type, False,
                 [("rank", rank)], bin, ctx, False)


def list_get_by_rank_range_to_end(
    return_type: int, rank: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The list elements from rank ``rank`` to the largest."""
    return _read("list", "list_get_by_rank_range_to_end", _c.LIST_GET_BY_RANK_RANGE, return_type,
                 None, True, [("rank", rank)], bin, ctx, inverted)


def list_get_by_rank_range(
    return_type: int,
    rank: ExprLike,
    count: ExprLike,
    bin: Any,  # noqa: A002
    ctx: Any = None,
    inverted: bool = False,
) -> Expr:
    """``count`` list elements from rank ``rank``."""
    return _read("list", "list_get_by_rank_range", _c.LIST_GET_BY_RANK_RANGE, return_type, None,
                 True, [("rank", rank), ("count", count)], bin, ctx, inverted)


# ── List modifications (of a local copy) ───────────────────────────


def list_append(value: ExprLike, bin: Any, policy: Any = None, ctx: Any = None) -> Expr:  # noqa: A002
    """The list with ``value`` appended. ``policy``: a ListPolicy
    (``{"order": LIST_*, "flags": LIST_WRITE_*}``)."""
    return _list_modify("list_append", _c.LIST_APPEND, [("value", value)], bin, policy, ctx,
                        "crmod")


def list_append_items(values: ExprLike, bin: Any, policy: Any = None, ctx: Any = None) -> Expr:  # noqa: A002
    """The list with the items of ``values`` appended."""
    return _list_modify("list_append_items", _c.LIST_APPEND_ITEMS, [("values", values)], bin,
                        policy, ctx, "crmod")


def list_insert(
    index: ExprLike, value: ExprLike, bin: Any, policy: Any = None, ctx: Any = None  # noqa: A002
) -> Expr:
    """The list with ``value`` inserted at ``index``."""
    return _list_modify("list_insert", _c.LIST_INSERT, [("index", index), ("value", value)], bin,
                        policy, ctx, "mod")


def list_insert_items(
    index: ExprLike, values: ExprLike, bin: Any, policy: Any = None, ctx: Any = None  # noqa: A002
) -> Expr:
    """The list with the items of ``values`` inserted at ``index``."""
    return _list_modify("list_insert_items", _c.LIST_INSERT_ITEMS,
                        [("index", index), ("values", values)], bin, policy, ctx, "mod")


def list_increment(
    index: ExprLike, value: ExprLike, bin: Any, policy: Any = None, ctx: Any = None  # noqa: A002
) -> Expr:
    """The list with the number at ``index`` increased by ``value``."""
    return _list_modify("list_increment", _c.LIST_INCREMENT, [("index", index), ("value", value)],
                        bin, policy, ctx, "crmod")


def list_set(
    index: ExprLike, value: ExprLike, bin: Any, policy: Any = None, ctx: Any = None  # noqa: A002
) -> Expr:
    """The list with the element at ``index`` replaced by ``value``."""
    return _list_modify("list_set", _c.LIST_SET, [("index", index), ("value", value)], bin,
                        policy, ctx, "mod")


def list_clear(bin: Any, ctx: Any = None) -> Expr:  # noqa: A002
    """The list emptied."""
    return _list_modify("list_clear", _c.LIST_CLEAR, [], bin, None, ctx, "")


def list_sort(sort_flags: int, bin: Any, ctx: Any = None) -> Expr:  # noqa: A002
    """The list sorted (``LIST_SORT_DEFAULT`` or ``LIST_SORT_DROP_DUPLICATES``)."""
    a = _Args("list_sort")
    a.integer("sort_flags", sort_flags, 0, 0xFF)
    b = a.bin("list", bin)
    packed_ctx = a.ctx(ctx)
    result = _c.modify_type(_c.T_LIST, packed_ctx)
    return _c.call("list_sort", a.fields, result, _c.SYS_CDT | _c.MODIFY_LOCAL, _c.LIST_SORT,
                   a.wires, b, packed_ctx)


def list_remove_by_value(
    value: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The list without the elements equal to ``value``."""
    return _remove("list", "list_remove_by_value", _c.LIST_REMOVE_ALL_BY_VALUE,
                   [("value", value)], bin, ctx, inverted)


def list_remove_by_value_list(
    values: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The list without the elements equal to any of ``values``."""
    return _remove("list", "list_remove_by_value_list", _c.LIST_REMOVE_BY_VALUE_LIST,
                   [("values", values)], bin, ctx, inverted)


def list_remove_by_value_range(
    begin: ExprLike, end: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The list without the elements in ``[begin, end)``."""
    return _remove("list", "list_remove_by_value_range", _c.LIST_REMOVE_BY_VALUE_INTERVAL,
                   [("begin", begin), ("end", end)], bin, ctx, inverted)


def list_remove_by_value_rel_rank_range_to_end(
    value: ExprLike, rank: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The list without the elements from rank ``rank`` relative to ``value``
    to the end."""
    return _remove("list", "list_remove_by_value_rel_rank_range_to_end",
                   _c.LIST_REMOVE_BY_VALUE_REL_RANK_RANGE, [("value", value), ("rank", rank)],
                   bin, ctx, inverted)


def list_remove_by_value_rel_rank_range(
    value: ExprLike,
    rank: ExprLike,
    count: ExprLike,
    bin: Any,  # noqa: A002
    ctx: Any = None,
    inverted: bool = False,
) -> Expr:
    """The list without ``count`` elements from rank ``rank`` relative to
    ``value``."""
    return _remove("list", "list_remove_by_value_rel_rank_range",
                   _c.LIST_REMOVE_BY_VALUE_REL_RANK_RANGE,
                   [("value", value), ("rank", rank), ("count", count)], bin, ctx, inverted)


def list_remove_by_index(index: ExprLike, bin: Any, ctx: Any = None) -> Expr:  # noqa: A002
    """The list without the element at ``index``."""
    return _remove("list", "list_remove_by_index", _c.LIST_REMOVE_BY_INDEX, [("index", index)],
                   bin, ctx, False, with_return_type=False)


def list_remove_by_index_range_to_end(
    index: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The list without the elements from ``index`` to the end."""
    return _remove("list", "list_remove_by_index_range_to_end", _c.LIST_REMOVE_BY_INDEX_RANGE,
                   [("index", index)], bin, ctx, inverted)


def list_remove_by_index_range(
    index: ExprLike, count: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The list without ``count`` elements from ``index``."""
    return _remove("list", "list_remove_by_index_range", _c.LIST_REMOVE_BY_INDEX_RANGE,
                   [("index", index), ("count", count)], bin, ctx, inverted)


def list_remove_by_rank(rank: ExprLike, bin: Any, ctx: Any = None) -> Expr:  # noqa: A002
    """The list without the element of rank ``rank``."""
    return _remove("list", "list_remove_by_rank", _c.LIST_REMOVE_BY_RANK, [("rank", rank)], bin,
                   ctx, False, with_return_type=False)


def list_remove_by_rank_range_to_end(
    rank: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The list without the elements from rank ``rank`` to the largest."""
    return _remove("list", "list_remove_by_rank_range_to_end", _c.LIST_REMOVE_BY_RANK_RANGE,
                   [("rank", rank)], bin, ctx, inverted)


def list_remove_by_rank_range(
    rank: ExprLike, count: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The list without ``count`` elements from rank ``rank``."""
    return _remove("list", "list_remove_by_rank_range", _c.LIST_REMOVE_BY_RANK_RANGE,
                   [("rank", rank), ("count", count)], bin, ctx, inverted)


# ── Map reads ──────────────────────────────────────────────────────


def map_size(bin: Any, ctx: Any = None) -> Expr:  # noqa: A002
    """The number of entries of a map."""
    return _size("map", "map_size", _c.MAP_SIZE, bin, ctx)


def map_get_by_key(
    return_type: int, value_type: int, key: ExprLike, bin: Any, ctx: Any = None  # noqa: A002
) -> Expr:
    """The map entry with key ``key``, as ``return_type`` (a
    ``MAP_RETURN_*``) says; ``value_type`` (an ``EXP_TYPE_*``) is the type
    of the value when ``return_type`` is ``MAP_RETURN_VALUE``."""
    return _read("map", "map_get_by_key", _c.MAP_GET_BY_KEY, return_type, value_type, False,
                 [("key", key)], bin, ctx, False)


def map_get_by_key_range(
    return_type: int,
    begin: ExprLike,
    end: ExprLike,
    bin: Any,  # noqa: A002
    ctx: Any = None,
    inverted: bool = False,
) -> Expr:
    """The map entries with keys in ``[begin, end)``."""
    return _read("map", "map_get_by_key_range", _c.MAP_GET_BY_KEY_INTERVAL, return_type, None,
                 True, [("begin", begin), ("end", end)], bin, ctx, inverted)


def map_get_by_key_list(
    return_type: int, keys: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The map entries whose key is one of ``keys``."""
    return _read("map", "map_get_by_key_list", _c.MAP_GET_BY_KEY_LIST, return_type, None, True,
                 [("keys", keys)], bin, ctx, inverted)


def map_get_by_key_rel_index_range_to_end(
    return_type: int,
    key: ExprLike,
    index: ExprLike,
    bin: Any,  # noqa: A002
    ctx: Any = None,
    inverted: bool = False,
) -> Expr:
    """The map entries from index ``index`` relative to key ``key`` to the end."""
    return _read("map", "map_get_by_key_rel_index_range_to_end",
                 _c.MAP_GET_BY_KEY_REL_INDEX_RANGE, return_type, None, True,
                 [("key", key), ("index", index)], bin, ctx, inverted)


def map_get_by_key_rel_index_range(
    return_type: int,
    key: ExprLike,
    index: ExprLike,
    count: ExprLike,
    bin: Any,  # noqa: A002
    ctx: Any = None,
    inverted: bool = False,
) -> Expr:
    """``count`` map entries from index ``index`` relative to key ``key``."""
    return _read("map", "map_get_by_key_rel_index_range", _c.MAP_GET_BY_KEY_REL_INDEX_RANGE,
                 return_type, None, True, [("key", key), ("index", index), ("count", count)],
                 bin, ctx, inverted)


def map_get_by_value(
    return_type: int, value: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The map entries whose value equals ``value``."""
    return _read("map", "map_get_by_value", _c.MAP_GET_ALL_BY_VALUE, return_type, None, True,
                 [("value", value)], bin, ctx, inverted)


def map_get_by_value_range(
    return_type: int,
    value_begin: ExprLike,
    value_end: ExprLike,
    bin: Any,  # noqa: A002
    ctx: Any = None,
    inverted: bool = False,
) -> Expr:
    """The map entries with values in ``[value_begin, value_end)``."""
    return _read("map", "map_get_by_value_range", _c.MAP_GET_BY_VALUE_INTERVAL, return_type, None,
                 True, [("value_begin", value_begin), ("value_end", value_end)], bin, ctx,
                 inverted)


def map_get_by_value_list(
    return_type: int, values: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The map entries whose value is one of ``values``."""
    return _read("map", "map_get_by_value_list", _c.MAP_GET_BY_VALUE_LIST, return_type, None,
                 True, [("values", values)], bin, ctx, inverted)


def map_get_by_value_rel_rank_range_to_end(
    return_type: int,
    value: ExprLike,
    rank: ExprLike,
    bin: Any,  # noqa: A002
    ctx: Any = None,
    inverted: bool = False,
) -> Expr:
    """The map entries from rank ``rank`` relative to ``value`` to the end."""
    return _read("map", "map_get_by_value_rel_rank_range_to_end",
                 _c.MAP_GET_BY_VALUE_REL_RANK_RANGE, return_type, None, True,
                 [("value", value), ("rank", rank)], bin, ctx, inverted)


def map_get_by_value_rel_rank_range(
    return_type: int,
    value: ExprLike,
    rank: ExprLike,
    count: ExprLike,
    bin: Any,  # noqa: A002
    ctx: Any = None,
    inverted: bool = False,
) -> Expr:
    """``count`` map entries from rank ``rank`` relative to ``value``."""
    return _read("map", "map_get_by_value_rel_rank_range", _c.MAP_GET_BY_VALUE_REL_RANK_RANGE,
                 return_type, None, True, [("value", value), ("rank", rank), ("count", count)],
                 bin, ctx, inverted)


def map_get_by_index(
    return_type: int, value_type: int, index: ExprLike, bin: Any, ctx: Any = None  # noqa: A002
) -> Expr:
    """The map entry at ``index`` (in key order)."""
    return _read("map", "map_get_by_index", _c.MAP_GET_BY_INDEX, return_type, value_type, False,
                 [("index", index)], bin, ctx, False)


def map_get_by_index_range_to_end(
    return_type: int, index: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The map entries from ``index`` to the end."""
    return _read("map", "map_get_by_index_range_to_end", _c.MAP_GET_BY_INDEX_RANGE, return_type,
                 None, True, [("index", index)], bin, ctx, inverted)


def map_get_by_index_range(
    return_type: int,
    index: ExprLike,
    count: ExprLike,
    bin: Any,  # noqa: A002
    ctx: Any = None,
    inverted: bool = False,
) -> Expr:
    """``count`` map entries from ``index``."""
    return _read("map", "map_get_by_index_range", _c.MAP_GET_BY_INDEX_RANGE, return_type, None,
                 True, [("index", index), ("count", count)], bin, ctx, inverted)


def map_get_by_rank(
    return_type: int, value_type: int, rank: ExprLike, bin: Any, ctx: Any = None  # noqa: A002
) -> Expr:
    """The map entry whose value has rank ``rank``."""
    return _read("map", "map_get_by_rank", _c.MAP_GET_BY_RANK, return_type, value_type, False,
                 [("rank", rank)], bin, ctx, False)


def map_get_by_rank_range_to_end(
    return_type: int, rank: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The map entries from value rank ``rank`` to the largest."""
    return _read("map", "map_get_by_rank_range_to_end", _c.MAP_GET_BY_RANK_RANGE, return_type,
                 None, True, [("rank", rank)], bin, ctx, inverted)


def map_get_by_rank_range(
    return_type: int,
    rank: ExprLike,
    count: ExprLike,
    bin: Any,  # noqa: A002
    ctx: Any = None,
    inverted: bool = False,
) -> Expr:
    """``count`` map entries from value rank ``rank``."""
    return _read("map", "map_get_by_rank_range", _c.MAP_GET_BY_RANK_RANGE, return_type, None,
                 True, [("rank", rank), ("count", count)], bin, ctx, inverted)


# ── Map modifications (of a local copy) ────────────────────────────


def map_put(
    key: ExprLike, value: ExprLike, bin: Any, policy: Any = None, ctx: Any = None  # noqa: A002
) -> Expr:
    """The map with ``key`` set to ``value``. ``policy``: a MapPolicy
    (``{"order": MAP_*, "write_mode": ...}``)."""
    return _map_modify("map_put", _c.MAP_PUT, [("key", key), ("value", value)], bin, policy, ctx,
                       "crmod")


def map_put_items(map: ExprLike, bin: Any, policy: Any = None, ctx: Any = None) -> Expr:  # noqa: A002
    """The map with the entries of ``map`` put."""
    return _map_modify("map_put_items", _c.MAP_PUT_ITEMS, [("map", map)], bin, policy, ctx,
                       "crmod")


def map_increment(
    key: ExprLike, value: ExprLike, bin: Any, policy: Any = None, ctx: Any = None  # noqa: A002
) -> Expr:
    """The map with the number under ``key`` increased by ``value``.

    With a ``policy``, only its ``order`` is sent (the order of a map this
    creates), which is the one argument the server reads here. (The official
    client 19.3 sends the order and the write flags under a count of one,
    a malformed expression the server refuses.)
    """
    return _map_modify("map_increment", _c.MAP_INCREMENT, [("key", key), ("value", value)], bin,
                       policy, ctx, "increment")


def map_clear(bin: Any, ctx: Any = None) -> Expr:  # noqa: A002
    """The map emptied."""
    return _map_modify("map_clear", _c.MAP_CLEAR, [], bin, None, ctx, "")


def map_remove_by_key(key: ExprLike, bin: Any, ctx: Any = None) -> Expr:  # noqa: A002
    """The map without the entry of ``key``."""
    return _remove("map", "map_remove_by_key", _c.MAP_REMOVE_BY_KEY, [("key", key)], bin, ctx,
                   False, with_return_type=False)


def map_remove_by_key_list(
    keys: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The map without the entries of ``keys``."""
    return _remove("map", "map_remove_by_key_list", _c.MAP_REMOVE_BY_KEY_LIST, [("keys", keys)],
                   bin, ctx, inverted)


def map_remove_by_key_range(
    begin: ExprLike, end: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The map without the entries with keys in ``[begin, end)``."""
    return _remove("map", "map_remove_by_key_range", _c.MAP_REMOVE_BY_KEY_INTERVAL,
                   [("begin", begin), ("end", end)], bin, ctx, inverted)


def map_remove_by_key_rel_index_range_to_end(
    key: ExprLike, index: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The map without the entries from index ``index`` relative to ``key``
    to the end."""
    return _remove("map", "map_remove_by_key_rel_index_range_to_end",
                   _c.MAP_REMOVE_BY_KEY_REL_INDEX_RANGE, [("key", key), ("index", index)], bin,
                   ctx, inverted)


def map_remove_by_key_rel_index_range(
    key: ExprLike,
    index: ExprLike,
    count: ExprLike,
    bin: Any,  # noqa: A002
    ctx: Any = None,
    inverted: bool = False,
) -> Expr:
    """The map without ``count`` entries from index ``index`` relative to
    ``key``."""
    return _remove("map", "map_remove_by_key_rel_index_range", _c.MAP_REMOVE_BY_KEY_REL_INDEX_RANGE,
                   [("key", key), ("index", index), ("count", count)], bin, ctx, inverted)


def map_remove_by_value(
    value: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The map without the entries whose value equals ``value``."""
    return _remove("map", "map_remove_by_value", _c.MAP_REMOVE_ALL_BY_VALUE, [("value", value)],
                   bin, ctx, inverted)


def map_remove_by_value_list(
    values: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The map without the entries whose value is one of ``values``."""
    return _remove("map", "map_remove_by_value_list", _c.MAP_REMOVE_BY_VALUE_LIST,
                   [("values", values)], bin, ctx, inverted)


def map_remove_by_value_range(
    begin: ExprLike, end: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The map without the entries with values in ``[begin, end)``."""
    return _remove("map", "map_remove_by_value_range", _c.MAP_REMOVE_BY_VALUE_INTERVAL,
                   [("begin", begin), ("end", end)], bin, ctx, inverted)


def map_remove_by_value_rel_rank_range_to_end(
    value: ExprLike, rank: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The map without the entries from rank ``rank`` relative to ``value``
    to the end."""
    return _remove("map", "map_remove_by_value_rel_rank_range_to_end",
                   _c.MAP_REMOVE_BY_VALUE_REL_RANK_RANGE, [("value", value), ("rank", rank)], bin,
                   ctx, inverted)


def map_remove_by_value_rel_rank_range(
    value: ExprLike,
    rank: ExprLike,
    count: ExprLike,
    bin: Any,  # noqa: A002
    ctx: Any = None,
    inverted: bool = False,
) -> Expr:
    """The map without ``count`` entries from rank ``rank`` relative to
    ``value``."""
    return _remove("map", "map_remove_by_value_rel_rank_range",
                   _c.MAP_REMOVE_BY_VALUE_REL_RANK_RANGE,
                   [("value", value), ("rank", rank), ("count", count)], bin, ctx, inverted)


def map_remove_by_index(index: ExprLike, bin: Any, ctx: Any = None) -> Expr:  # noqa: A002
    """The map without the entry at ``index``."""
    return _remove("map", "map_remove_by_index", _c.MAP_REMOVE_BY_INDEX, [("index", index)], bin,
                   ctx, False, with_return_type=False)


def map_remove_by_index_range_to_end(
    index: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The map without the entries from ``index`` to the end."""
    return _remove("map", "map_remove_by_index_range_to_end", _c.MAP_REMOVE_BY_INDEX_RANGE,
                   [("index", index)], bin, ctx, inverted)


def map_remove_by_index_range(
    index: ExprLike, count: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The map without ``count`` entries from ``index``."""
    return _remove("map", "map_remove_by_index_range", _c.MAP_REMOVE_BY_INDEX_RANGE,
                   [("index", index), ("count", count)], bin, ctx, inverted)


def map_remove_by_rank(rank: ExprLike, bin: Any, ctx: Any = None) -> Expr:  # noqa: A002
    """The map without the entry whose value has rank ``rank``."""
    return _remove("map", "map_remove_by_rank", _c.MAP_REMOVE_BY_RANK, [("rank", rank)], bin, ctx,
                   False, with_return_type=False)


def map_remove_by_rank_range_to_end(
    rank: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The map without the entries from value rank ``rank`` to the largest."""
    return _remove("map", "map_remove_by_rank_range_to_end", _c.MAP_REMOVE_BY_RANK_RANGE,
                   [("rank", rank)], bin, ctx, inverted)


def map_remove_by_rank_range(
    rank: ExprLike, count: ExprLike, bin: Any, ctx: Any = None, inverted: bool = False  # noqa: A002
) -> Expr:
    """The map without ``count`` entries from value rank ``rank``."""
    return _remove("map", "map_remove_by_rank_range", _c.MAP_REMOVE_BY_RANK_RANGE,
                   [("rank", rank), ("count", count)], bin, ctx, inverted)


# ── Bit (blob) expressions ─────────────────────────────────────────


def _bit_modify(
    op: str,
    code: int,
    named: Sequence[tuple[str, ExprLike]],
    bin: Any,  # noqa: A002
    policy: Any,
    trailing: Sequence[tuple[str, int]] = (),
) -> Expr:
    a = _Args(op)
    for name, value in named:
        a.expr(name, value)
    a.fields["policy"] = policy
    a.wires.append(pack_int(_c.bit_policy_flags(policy, a.where("policy"))))
    for name, v in trailing:
        a.integer(name, v, 0, 0xFF)
    b = a.bin("bit", bin)
    return _c.call(op, a.fields, _c.T_BLOB, _c.SYS_BITS | _c.MODIFY_LOCAL, code, a.wires, b, None)


def _bit_read(
    op: str, code: int, result: int, named: Sequence[tuple[str, ExprLike]], bin: Any  # noqa: A002
) -> Expr:
    a = _Args(op)
    for name, value in named:
        a.expr(name, value)
    b = a.bin("bit", bin)
    return _c.call(op, a.fields, result, _c.SYS_BITS, code, a.wires, b, None)


def bit_resize(byte_size: ExprLike, resize_flags: int, bin: Any, policy: Any = None) -> Expr:  # noqa: A002
    """The blob resized to ``byte_size`` bytes (``BIT_RESIZE_*`` flags)."""
    a = _Args("bit_resize")
    a.expr("byte_size", byte_size)
    a.fields["policy"] = policy
    a.wires.append(pack_int(_c.bit_policy_flags(policy, a.where("policy"))))
    a.integer("resize_flags", resize_flags, 0, 0xFF)
    b = a.bin("bit", bin)
    return _c.call("bit_resize", a.fields, _c.T_BLOB, _c.SYS_BITS | _c.MODIFY_LOCAL, _c.BIT_RESIZE,
                   a.wires, b, None)


def bit_insert(byte_offset: ExprLike, value: ExprLike, bin: Any, policy: Any = None) -> Expr:  # noqa: A002
    """The blob with the bytes ``value`` inserted at ``byte_offset``."""
    return _bit_modify("bit_insert", _c.BIT_INSERT,
                       [("byte_offset", byte_offset), ("value", value)], bin, policy)


def bit_remove(byte_offset: ExprLike, byte_size: ExprLike, bin: Any, policy: Any = None) -> Expr:  # noqa: A002
    """The blob without ``byte_size`` bytes from ``byte_offset``."""
    return _bit_modify("bit_remove", _c.BIT_REMOVE,
                       [("byte_offset", byte_offset), ("byte_size", byte_size)], bin, policy)


def _bit_value_op(
    op: str, code: int, bit_offset: ExprLike, bit_size: ExprLike, value: ExprLike, bin: Any,  # noqa: A002
    policy: Any,
) -> Expr:
    return _bit_modify(op, code,
                       [("bit_offset", bit_offset), ("bit_size", bit_size), ("value", value)],
                       bin, policy)


def bit_set(
    bit_offset: ExprLike, bit_size: ExprLike, value: ExprLike, bin: Any, policy: Any = None  # noqa: A002
) -> Expr:
    """The blob with ``bit_size`` bits from ``bit_offset`` set from ``value``."""
    return _bit_value_op("bit_set", _c.BIT_SET, bit_offset, bit_size, value, bin, policy)


def bit_or(
    bit_offset: ExprLike, bit_size: ExprLike, value: ExprLike, bin: Any, policy: Any = None  # noqa: A002
) -> Expr:
    """The blob with the bits OR-ed with ``value``."""
    return _bit_value_op("bit_or", _c.BIT_OR, bit_offset, bit_size, value, bin, policy)


def bit_xor(
    bit_offset: ExprLike, bit_size: ExprLike, value: ExprLike, bin: Any, policy: Any = None  # noqa: A002
) -> Expr:
    """The blob with the bits XOR-ed with ``value``."""
    return _bit_value_op("bit_xor", _c.BIT_XOR, bit_offset, bit_size, value, bin, policy)


def bit_and(
    bit_offset: ExprLike, bit_size: ExprLike, value: ExprLike, bin: Any, policy: Any = None  # noqa: A002
) -> Expr:
    """The blob with the bits AND-ed with ``value``."""
    return _bit_value_op("bit_and", _c.BIT_AND, bit_offset, bit_size, value, bin, policy)


def bit_not(bit_offset: ExprLike, bit_size: ExprLike, bin: Any, policy: Any = None) -> Expr:  # noqa: A002
    """The blob with the bits inverted."""
    return _bit_modify("bit_not", _c.BIT_NOT, [("bit_offset", bit_offset), ("bit_size", bit_size)],
                       bin, policy)


def bit_lshift(
    bit_offset: ExprLike, bit_size: ExprLike, shift: ExprLike, bin: Any, policy: Any = None  # noqa: A002
) -> Expr:
    """The blob with the bits shifted left by ``shift``."""
    return _bit_modify("bit_lshift", _c.BIT_LSHIFT,
                       [("bit_offset", bit_offset), ("bit_size", bit_size), ("shift", shift)],
                       bin, policy)


def bit_rshift(
    bit_offset: ExprLike, bit_size: ExprLike, shift: ExprLike, bin: Any, policy: Any = None  # noqa: A002
) -> Expr:
    """The blob with the bits shifted right by ``shift``."""
    return _bit_modify("bit_rshift", _c.BIT_RSHIFT,
                       [("bit_offset", bit_offset), ("bit_size", bit_size), ("shift", shift)],
                       bin, policy)


def _bit_arith(
    op: str, code: int, bit_offset: ExprLike, bit_size: ExprLike, value: ExprLike, action: int,
    bin: Any, policy: Any, signed: bool,  # noqa: A002
) -> Expr:
    a = _Args(op)
    for name, v in (("bit_offset", bit_offset), ("bit_size", bit_size), ("value", value)):
        a.expr(name, v)
    a.fields["policy"] = policy
    a.wires.append(pack_int(_c.bit_policy_flags(policy, a.where("policy"))))
    act = check_int(action, a.where("action"), 0, 0xFF)
    a.fields["action"] = act
    a.fields["signed"] = bool(signed)
    a.wires.append(pack_int(act | 1 if signed else act))
    b = a.bin("bit", bin)
    return _c.call(op, a.fields, _c.T_BLOB, _c.SYS_BITS | _c.MODIFY_LOCAL, code, a.wires, b, None)


def bit_add(
    bit_offset: ExprLike,
    bit_size: ExprLike,
    value: ExprLike,
    action: int,
    bin: Any,  # noqa: A002
    policy: Any = None,
    signed: bool = False,
) -> Expr:
    """The blob with the ``bit_size``-bit integer at ``bit_offset`` increased
    by ``value`` (``action``: ``BIT_OVERFLOW_*``)."""
    return _bit_arith("bit_add", _c.BIT_ADD, bit_offset, bit_size, value, action, bin, policy,
                      signed)


def bit_subtract(
    bit_offset: ExprLike,
    bit_size: ExprLike,
    value: ExprLike,
    action: int,
    bin: Any,  # noqa: A002
    policy: Any = None,
    signed: bool = False,
) -> Expr:
    """The blob with the integer at ``bit_offset`` decreased by ``value``."""
    return _bit_arith("bit_subtract", _c.BIT_SUBTRACT, bit_offset, bit_size, value, action, bin,
                      policy, signed)


def bit_set_int(
    bit_offset: ExprLike, bit_size: ExprLike, value: ExprLike, bin: Any, policy: Any = None  # noqa: A002
) -> Expr:
    """The blob with the integer at ``bit_offset`` set to ``value``."""
    return _bit_value_op("bit_set_int", _c.BIT_SET_INT, bit_offset, bit_size, value, bin, policy)


def bit_get(bit_offset: ExprLike, bit_size: ExprLike, bin: Any) -> Expr:  # noqa: A002
    """``bit_size`` bits from ``bit_offset``, as bytes."""
    return _bit_read("bit_get", _c.BIT_GET, _c.T_BLOB,
                     [("bit_offset", bit_offset), ("bit_size", bit_size)], bin)


def bit_count(bit_offset: ExprLike, bit_size: ExprLike, bin: Any) -> Expr:  # noqa: A002
    """The number of set bits among ``bit_size`` bits from ``bit_offset``."""
    return _bit_read("bit_count", _c.BIT_COUNT, _c.T_INT,
                     [("bit_offset", bit_offset), ("bit_size", bit_size)], bin)


def bit_lscan(bit_offset: ExprLike, bit_size: ExprLike, value: ExprLike, bin: Any) -> Expr:  # noqa: A002
    """The offset of the first bit equal to ``value`` (a bool), from the left."""
    return _bit_read("bit_lscan", _c.BIT_LSCAN, _c.T_INT,
                     [("bit_offset", bit_offset), ("bit_size", bit_size), ("value", value)], bin)


def bit_rscan(bit_offset: ExprLike, bit_size: ExprLike, value: ExprLike, bin: Any) -> Expr:  # noqa: A002
    """The offset of the last bit equal to ``value``, from the right."""
    return _bit_read("bit_rscan", _c.BIT_RSCAN, _c.T_INT,
                     [("bit_offset", bit_offset), ("bit_size", bit_size), ("value", value)], bin)


def bit_get_int(bit_offset: ExprLike, bit_size: ExprLike, signed: bool, bin: Any) -> Expr:  # noqa: A002
    """The ``bit_size``-bit integer at ``bit_offset``."""
    a = _Args("bit_get_int")
    a.expr("bit_offset", bit_offset)
    a.expr("bit_size", bit_size)
    a.fields["signed"] = bool(signed)
    a.wires.append(pack_int(1 if signed else 0))
    b = a.bin("bit", bin)
    return _c.call("bit_get_int", a.fields, _c.T_INT, _c.SYS_BITS, _c.BIT_GET_INT, a.wires, b, None)


# ── HyperLogLog expressions ────────────────────────────────────────


def _bits_arg(a: _Args, name: str, value: Any) -> None:
    a.expr(name, -1 if value is None else value)


def hll_init(
    index_bit_count: ExprLike,
    bin: Any,  # noqa: A002
    mh_bit_count: ExprLike | None = None,
    policy: Any = None,
) -> Expr:
    """A new empty HLL with ``index_bit_count`` index bits (and
    ``mh_bit_count`` min-hash bits)."""
    a = _Args("hll_init")
    _bits_arg(a, "index_bit_count", index_bit_count)
    _bits_arg(a, "mh_bit_count", mh_bit_count)
    a.fields["policy"] = policy
    a.wires.append(pack_int(_c.hll_policy_flags(policy, a.where("policy"))))
    b = a.bin("hll", bin)
    return _c.call("hll_init", a.fields, _c.T_HLL, _c.SYS_HLL | _c.MODIFY_LOCAL, _c.HLL_INIT,
                   a.wires, b, None)


def hll_add(
    list: ExprLike,  # noqa: A002
    bin: Any,  # noqa: A002
    index_bit_count: ExprLike | None = None,
    mh_bit_count: ExprLike | None = None,
    policy: Any = None,
) -> Expr:
    """The HLL with the values of ``list`` added (created with the given bit
    counts when the bin has none)."""
    a = _Args("hll_add")
    a.expr("list", list)
    _bits_arg(a, "index_bit_count", index_bit_count)
    _bits_arg(a, "mh_bit_count", mh_bit_count)
    a.fields["policy"] = policy
    a.wires.append(pack_int(_c.hll_policy_flags(policy, a.where("policy"))))
    b = a.bin("hll", bin)
    return _c.call("hll_add", a.fields, _c.T_HLL, _c.SYS_HLL | _c.MODIFY_LOCAL, _c.HLL_ADD, a.wires,
                   b, None)


def _hll_read(op: str, code: int, result: int, named: Sequence[tuple[str, ExprLike]], bin: Any) -> Expr:  # noqa: A002
    a = _Args(op)
    for name, value in named:
        a.expr(name, value)
    b = a.bin("hll", bin)
    return _c.call(op, a.fields, result, _c.SYS_HLL, code, a.wires, b, None)


def hll_get_count(bin: Any) -> Expr:  # noqa: A002
    """The estimated number of distinct values in the HLL."""
    return _hll_read("hll_get_count", _c.HLL_COUNT, _c.T_INT, [], bin)


def hll_get_union(values: ExprLike, bin: Any) -> Expr:  # noqa: A002
    """The union of the HLL with the HLLs of ``values`` (a list of HLLs)."""
    return _hll_read("hll_get_union", _c.HLL_GET_UNION, _c.T_HLL, [("values", values)], bin)


def hll_get_union_count(values: ExprLike, bin: Any) -> Expr:  # noqa: A002
    """The estimated count of the union with the HLLs of ``values``."""
    return _hll_read("hll_get_union_count", _c.HLL_UNION_COUNT, _c.T_INT, [("values", values)], bin)


def hll_get_intersect_count(values: ExprLike, bin: Any) -> Expr:  # noqa: A002
    """The estimated count of the intersection with the HLLs of ``values``."""
    return _hll_read("hll_get_intersect_count", _c.HLL_INTERSECT_COUNT, _c.T_INT,
                     [("values", values)], bin)


def hll_get_similarity(values: ExprLike, bin: Any) -> Expr:  # noqa: A002
    """The estimated Jaccard similarity with the HLLs of ``values``."""
    return _hll_read("hll_get_similarity", _c.HLL_SIMILARITY, _c.T_FLOAT, [("values", values)], bin)


def hll_describe(bin: Any) -> Expr:  # noqa: A002
    """``[index_bit_count, mh_bit_count]`` of the HLL."""
    return _hll_read("hll_describe", _c.HLL_DESCRIBE, _c.T_LIST, [], bin)


def hll_may_contain(list: ExprLike, bin: Any) -> Expr:  # noqa: A002
    """1 when the HLL may contain any value of ``list``, else 0."""
    return _hll_read("hll_may_contain", _c.HLL_MAY_CONTAIN, _c.T_INT, [("list", list)], bin)


def register_families(register: Callable[[str, Any], None]) -> None:
    """Registers every family builder for hand-built dicts."""
    g = globals()
    for name in __all__:
        register(name, g[name])


_ = (fail, node)
