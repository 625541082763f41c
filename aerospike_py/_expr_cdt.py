"""Wire form of the collection, bit and HyperLogLog expressions.

These expressions are CALL nodes: ``[127, result_type, system, payload,
bin]`` where the payload is a CDT/bit/HLL operation whose arguments are
themselves expressions (``[op_code, arg, ...]``), wrapped as
``[0xff, ctx, [op_code, ...]]`` when a nested context is given. The layout
of each operation (which arguments, where a policy's order and flags go,
what result type a read declares) follows the C client's ``as_exp_*``
macros, which the official Python client uses, so the bytes are the same.

Private helpers of :mod:`aerospike_py.exp`; the operation codes here are the
server's (``as_cdt_optype``, ``as_bits_op_type``, ``as_hll_op_type``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aerospike_py._expr import (
    Expr,
    array_header,
    as_expr,
    check_int,
    fail,
    node,
    pack_int,
    pack_value,
)

# Result types (EXP_TYPE_*).
T_NIL, T_BOOL, T_INT, T_STR, T_LIST, T_MAP, T_BLOB, T_FLOAT, T_GEO, T_HLL = range(10)
T_AUTO = -1  # "whatever the return type implies" (AS_EXP_TYPE_AUTO)

# Systems of a CALL, and the flag of a call that modifies a local copy.
SYS_CDT, SYS_BITS, SYS_HLL = 0, 1, 2
MODIFY_LOCAL = 0x40

CALL = 127
CONTEXT_EVAL = 0xFF

INVERTED = 0x10000

# List operation codes (as_cdt_optype).
LIST_APPEND, LIST_APPEND_ITEMS, LIST_INSERT, LIST_INSERT_ITEMS = 1, 2, 3, 4
LIST_SET, LIST_CLEAR, LIST_INCREMENT, LIST_SORT = 9, 11, 12, 13
LIST_SIZE = 16
LIST_GET_BY_INDEX, LIST_GET_BY_RANK = 19, 21
LIST_GET_ALL_BY_VALUE, LIST_GET_BY_VALUE_LIST = 22, 23
LIST_GET_BY_INDEX_RANGE, LIST_GET_BY_VALUE_INTERVAL = 24, 25
LIST_GET_BY_RANK_RANGE, LIST_GET_BY_VALUE_REL_RANK_RANGE = 26, 27
LIST_REMOVE_BY_INDEX, LIST_REMOVE_BY_RANK = 32, 34
LIST_REMOVE_ALL_BY_VALUE, LIST_REMOVE_BY_VALUE_LIST = 35, 36
LIST_REMOVE_BY_INDEX_RANGE, LIST_REMOVE_BY_VALUE_INTERVAL = 37, 38
LIST_REMOVE_BY_RANK_RANGE, LIST_REMOVE_BY_VALUE_REL_RANK_RANGE = 39, 40

# Map operation codes.
MAP_PUT, MAP_PUT_ITEMS, MAP_INCREMENT, MAP_CLEAR = 67, 68, 73, 75
MAP_REMOVE_BY_KEY, MAP_REMOVE_BY_INDEX, MAP_REMOVE_BY_RANK = 76, 77, 79
MAP_REMOVE_BY_KEY_LIST, MAP_REMOVE_ALL_BY_VALUE, MAP_REMOVE_BY_VALUE_LIST = 81, 82, 83
MAP_REMOVE_BY_KEY_INTERVAL, MAP_REMOVE_BY_INDEX_RANGE = 84, 85
MAP_REMOVE_BY_VALUE_INTERVAL, MAP_REMOVE_BY_RANK_RANGE = 86, 87
MAP_REMOVE_BY_KEY_REL_INDEX_RANGE, MAP_REMOVE_BY_VALUE_REL_RANK_RANGE = 88, 89
MAP_SIZE, MAP_GET_BY_KEY, MAP_GET_BY_INDEX, MAP_GET_BY_RANK = 96, 97, 98, 100
MAP_GET_ALL_BY_VALUE, MAP_GET_BY_KEY_INTERVAL, MAP_GET_BY_INDEX_RANGE = 102, 103, 104
MAP_GET_BY_VALUE_INTERVAL, MAP_GET_BY_RANK_RANGE = 105, 106
MAP_GET_BY_KEY_LIST, MAP_GET_BY_VALUE_LIST = 107, 108
MAP_GET_BY_KEY_REL_INDEX_RANGE, MAP_GET_BY_VALUE_REL_RANK_RANGE = 109, 110

# Bit operation codes.
BIT_RESIZE, BIT_INSERT, BIT_REMOVE, BIT_SET, BIT_OR, BIT_XOR, BIT_AND = 0, 1, 2, 3, 4, 5, 6
BIT_NOT, BIT_LSHIFT, BIT_RSHIFT, BIT_ADD, BIT_SUBTRACT, BIT_SET_INT = 7, 8, 9, 10, 11, 12
BIT_GET, BIT_COUNT, BIT_LSCAN, BIT_RSCAN, BIT_GET_INT = 50, 51, 52, 53, 54

# HyperLogLog operation codes.
HLL_INIT, HLL_ADD = 0, 1
HLL_COUNT, HLL_GET_UNION, HLL_UNION_COUNT, HLL_INTERSECT_COUNT = 50, 51, 52, 53
HLL_SIMILARITY, HLL_DESCRIBE, HLL_MAY_CONTAIN = 54, 55, 56

# Return types (LIST_RETURN_* / MAP_RETURN_*).
RT_NONE, RT_INDEX, RT_REVERSE_INDEX, RT_RANK, RT_REVERSE_RANK, RT_COUNT = 0, 1, 2, 3, 4, 5
RT_KEY, RT_VALUE, RT_KEY_VALUE, RT_EXISTS = 6, 7, 8, 13
RT_UNORDERED_MAP, RT_ORDERED_MAP = 16, 17

# ---------------------------------------------------------------------------
# Contexts
# ---------------------------------------------------------------------------

# The official client's ctx ids (aerospike_helpers.cdt_ctx); all but the two
# "create" ids are the wire types themselves.
CTX_LIST_INDEX, CTX_LIST_RANK, CTX_LIST_VALUE, CTX_LIST_INDEX_CREATE = 0x10, 0x11, 0x13, 20
CTX_MAP_INDEX, CTX_MAP_RANK, CTX_MAP_KEY, CTX_MAP_VALUE, CTX_MAP_KEY_CREATE = (
    0x20, 0x21, 0x22, 0x23, 36,
)
_CTX_WIRE_TYPES = {CTX_LIST_INDEX, CTX_LIST_RANK, CTX_LIST_VALUE,
                   CTX_MAP_INDEX, CTX_MAP_RANK, CTX_MAP_KEY, CTX_MAP_VALUE}
_CTX_INT_VALUED = {CTX_LIST_INDEX, CTX_LIST_RANK, CTX_MAP_INDEX, CTX_MAP_RANK}


def _ctx_step(step: Any, where: str) -> tuple[int, Any, Mapping[str, Any]]:
    """(id, value, extra) of one context step: an object with ``id`` and
    ``value`` attributes (the official client's ``cdt_ctx`` objects), a dict
    with those keys, or an ``(id, value)`` tuple."""
    extra: Any = None
    if isinstance(step, Mapping):
        if "id" not in step or "value" not in step:
            fail(where, "a ctx step dict needs 'id' and 'value'")
        ident, value, extra = step["id"], step["value"], step.get("extra_args")
    elif isinstance(step, tuple) and len(step) in (2, 3):
        ident, value = step[0], step[1]
        extra = step[2] if len(step) == 3 else None
    elif hasattr(step, "id") and hasattr(step, "value"):
        ident, value, extra = step.id, step.value, getattr(step, "extra_args", None)
    else:
        fail(where, f"a ctx step must be a cdt_ctx object, not {type(step).__name__}")
    if extra is None:
        extra = {}
    if not isinstance(extra, Mapping):
        fail(where, "ctx extra_args must be a dict")
    ident = check_int(ident, f"{where}.id", 0, 0xFF)
    return ident, value, extra


def ctx_wire(ctx: Any, where: str) -> tuple[bytes, int] | None:
    """The packed context (``[type, value, ...]``) and the wire type of its
    first step, or None without a context."""
    if ctx is None:
        return None
    if not isinstance(ctx, Sequence) or isinstance(ctx, (str, bytes)):
        fail(where, f"ctx must be a list of context steps, not {type(ctx).__name__}")
    if len(ctx) == 0:
        return None
    parts = [array_header(2 * len(ctx))]
    first = -1
    for i, step in enumerate(ctx):
        here = f"{where}[{i}]"
        ident, value, extra = _ctx_step(step, here)
        if ident == CTX_LIST_INDEX_CREATE:
            order = check_int(extra.get("order_key", 0), f"{here}.order", 0, 1)
            pad = bool(extra.get("pad_key", False))
            wire_type = CTX_LIST_INDEX | (0xC0 if order == 1 else 0x80 if pad else 0x40)
            value = check_int(value, f"{here}.value")
        elif ident == CTX_MAP_KEY_CREATE:
            order = check_int(extra.get("order_key", 0), f"{here}.order", 0, 3)
            wire_type = CTX_MAP_KEY | (0x80 if order == 1 else 0xC0 if order == 3 else 0x40)
        elif ident in _CTX_WIRE_TYPES or (ident & 0x3F) in _CTX_WIRE_TYPES:
            wire_type = ident
            if (ident & 0x3F) in _CTX_INT_VALUED:
                value = check_int(value, f"{here}.value")
        else:
            fail(here, f"unknown ctx id {ident}")
        if first < 0:
            first = wire_type
        parts.append(pack_int(wire_type))
        parts.append(pack_value(value, f"{here}.value"))
    return b"".join(parts), first


def ctx_field(ctx: Any) -> Any:
    return None if ctx is None else list(ctx)


# ---------------------------------------------------------------------------
# Policies
# ---------------------------------------------------------------------------


def _policy_dict(policy: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(policy, Mapping):
        fail(where, f"policy must be a dict, not {type(policy).__name__}")
    return policy


def _policy_int(p: Mapping[str, Any], names: Sequence[str], where: str, hi: int) -> int:
    for n in names:
        if n in p and p[n] is not None:
            return check_int(p[n], f"{where}['{n}']", 0, hi)
    return 0


def list_policy(policy: Any, where: str) -> tuple[int, int] | None:
    """(order, flags) of a list policy (aerospike-py ``{"order", "flags"}``
    or the official ``{"list_order", "write_flags"}``), None without one."""
    if policy is None:
        return None
    p = _policy_dict(policy, where)
    order = _policy_int(p, ("order", "list_order"), where, 1)
    flags = _policy_int(p, ("flags", "write_flags"), where, 0xFF)
    return order, flags


def map_policy(policy: Any, where: str) -> tuple[int, int] | None:
    """(order, flags) of a map policy (aerospike-py ``{"order",
    "write_mode"}`` or the official ``{"map_order", "map_write_flags"}``)."""
    if policy is None:
        return None
    p = _policy_dict(policy, where)
    order = _policy_int(p, ("order", "map_order"), where, 3)
    flags = _policy_int(p, ("write_mode", "flags", "map_write_flags", "map_write_mode"), where, 0xFF)
    return order, flags


def bit_policy_flags(policy: Any, where: str) -> int:
    if policy is None:
        return 0
    return _policy_int(_policy_dict(policy, where), ("bit_write_flags", "flags"), where, 0xFF)


def hll_policy_flags(policy: Any, where: str) -> int:
    if policy is None:
        return 0
    return _policy_int(_policy_dict(policy, where), ("flags", "hll_write_flags"), where, 0xFF)


# ---------------------------------------------------------------------------
# Result types of reads (as_exp_get_list_type / as_exp_get_map_type)
# ---------------------------------------------------------------------------

_TYPE_NAMES = ["NIL", "BOOL", "INT", "STRING", "LIST", "MAP", "BLOB", "FLOAT", "GEO", "HLL"]


def read_type(kind: str, return_type: int, value_type: int, multi: bool, where: str) -> int:
    rt = return_type & ~INVERTED
    if rt in (RT_INDEX, RT_REVERSE_INDEX, RT_RANK, RT_REVERSE_RANK):
        expected = T_LIST if multi else T_INT
    elif rt == RT_COUNT:
        expected = T_INT
    elif rt == RT_VALUE or (kind == "map" and rt == RT_KEY):
        expected = T_LIST if multi else value_type
    elif kind == "map" and rt in (RT_KEY_VALUE, RT_UNORDERED_MAP, RT_ORDERED_MAP):
        expected = T_MAP
    elif rt == RT_EXISTS:
        expected = T_BOOL
    else:
        fail(where, f"return_type {return_type} cannot be read by an expression")
    if expected == T_AUTO:
        fail(where, "value_type is needed with this return_type")
    if value_type not in (T_AUTO, expected):
        fail(
            where,
            f"value_type EXP_TYPE_{_TYPE_NAMES[value_type]} does not match return_type "
            f"{return_type} (which gives EXP_TYPE_{_TYPE_NAMES[expected]})",
        )
    return expected


def check_return_type(v: Any, where: str) -> int:
    rt = check_int(v, where, 0, 0x1FFFF)
    return rt


def check_value_type(v: Any, where: str) -> int:
    return check_int(v, where, 0, 9)


# ---------------------------------------------------------------------------
# The CALL node
# ---------------------------------------------------------------------------


def call(
    op: str,
    fields: dict[str, Any],
    result_type: int,
    system: int,
    code: int,
    args: Sequence[bytes],
    bin_expr: Expr,
    ctx: tuple[bytes, int] | None,
) -> Expr:
    """A CALL node: ``[127, result_type, system, payload, bin]``."""
    payload = array_header(1 + len(args)) + pack_int(code) + b"".join(args)
    if ctx is not None:
        payload = b"\x93" + pack_int(CONTEXT_EVAL) + ctx[0] + payload
    wire = b"\x95" + pack_int(CALL) + pack_int(result_type) + pack_int(system) + payload
    return node(op, wire + bin_expr._wire, fields)


def modify_type(default: int, ctx: tuple[bytes, int] | None) -> int:
    """A modify call returns its bin: a list or map, as the context's first
    step says (a map step has bit 0x10 clear)."""
    if ctx is None:
        return default
    return T_LIST if ctx[1] & 0x10 else T_MAP


def arg(v: Any, where: str) -> Expr:
    return as_expr(v, where)


def uint_arg(v: int) -> bytes:
    return pack_int(v)


def bin_arg(bin: Any, default_builder: Any, where: str) -> Expr:
    """The bin argument: an expression, or a bin name (made into the family's
    bin expression, as the official client does)."""
    if isinstance(bin, str):
        result: Expr = default_builder(bin)
        return result
    return as_expr(bin, where)


def value_field(v: Any) -> Any:
    return v


def pack_plain(v: Any, where: str) -> bytes:
    return pack_value(v, where)


__all__ = [name for name in dict(globals()) if not name.startswith("_")]
