"""Expression builders: server-side filters and computed values (server >= 5.2).

Every builder of aerospike-py's ``exp`` module is here under the same name
and signature, plus the families it lacks: list, map, bit and HyperLogLog
expressions (reads and modifications of a local copy, with nested ``ctx``),
``unknown()``, ``in_list``, ``map_keys``/``map_values``, the typed key
builders, and the expression operations :func:`exp_read` /
:func:`exp_write` for ``operate`` and ``batch_operate``::

    from aerospike_py import exp

    # Filter: bin "age" >= 21
    expr = exp.ge(exp.int_bin("age"), exp.int_val(21))

    # Filter: bin "name" == "Alice" AND bin "active" == True
    expr = exp.and_(
        exp.eq(exp.string_bin("name"), exp.string_val("Alice")),
        exp.eq(exp.bool_bin("active"), exp.bool_val(True)),
    )

    # Pass to policy
    policy = {"filter_expression": expr}
    client.get(key, policy=policy)

A built expression is an :class:`Expr`: a read-only dict of aerospike-py's
shape that also holds the expression's wire bytes, computed once when it is
built. Build it once and pass it to any number of calls; nothing is encoded
again. Plain values are accepted wherever an expression is expected
(``exp.eq(exp.int_bin("a"), 5)``), as the official client accepts them.
Hand-built dicts of aerospike-py's shape are accepted too (converted on each
use). A malformed expression raises :class:`~aerospike_py.exception.ParamError`
naming the builder and argument (or the dict path) that is wrong.

The bytes equal what the official ``aerospike`` client sends for the same
expression.
"""

from __future__ import annotations

import base64 as _base64
import binascii as _binascii
import struct as _struct
from collections.abc import Mapping, Sequence
from typing import Any

from aerospike_py._expr import (
    BUILDERS as _BUILDERS,
)
from aerospike_py._expr import (
    VALUE_BUILDERS as _VALUE_BUILDERS,
)
from aerospike_py._expr import (
    Def,
    Expr,
    ExprLike,
    as_expr,
    check_bin_name,
    check_int,
    check_str,
    fail,
    from_dict,
    node,
    pack_int,
    pack_value,
    raw_str,
)

__all__ = [
    "Expr",
    "ExprLike",
    "EXP_TYPE_NIL",
    "EXP_TYPE_BOOL",
    "EXP_TYPE_INT",
    "EXP_TYPE_STRING",
    "EXP_TYPE_LIST",
    "EXP_TYPE_MAP",
    "EXP_TYPE_BLOB",
    "EXP_TYPE_FLOAT",
    "EXP_TYPE_GEO",
    "EXP_TYPE_HLL",
    "EXP_READ_DEFAULT",
    "EXP_READ_EVAL_NO_FAIL",
    "EXP_WRITE_DEFAULT",
    "EXP_WRITE_CREATE_ONLY",
    "EXP_WRITE_UPDATE_ONLY",
    "EXP_WRITE_ALLOW_DELETE",
    "EXP_WRITE_POLICY_NO_FAIL",
    "EXP_WRITE_EVAL_NO_FAIL",
    "OPERATOR_EXP_READ",
    "OPERATOR_EXP_WRITE",
    # aerospike-py's builders
    "int_val",
    "float_val",
    "string_val",
    "bool_val",
    "blob_val",
    "list_val",
    "map_val",
    "geo_val",
    "nil",
    "infinity",
    "wildcard",
    "int_bin",
    "float_bin",
    "string_bin",
    "bool_bin",
    "blob_bin",
    "list_bin",
    "map_bin",
    "geo_bin",
    "hll_bin",
    "bin_exists",
    "bin_type",
    "key",
    "key_exists",
    "set_name",
    "record_size",
    "last_update",
    "since_update",
    "void_time",
    "ttl",
    "is_tombstone",
    "digest_modulo",
    "eq",
    "ne",
    "gt",
    "ge",
    "lt",
    "le",
    "and_",
    "or_",
    "not_",
    "xor_",
    "num_add",
    "num_sub",
    "num_mul",
    "num_div",
    "num_mod",
    "num_pow",
    "num_log",
    "num_abs",
    "num_floor",
    "num_ceil",
    "to_int",
    "to_float",
    "min_",
    "max_",
    "int_and",
    "int_or",
    "int_xor",
    "int_not",
    "int_lshift",
    "int_rshift",
    "int_arshift",
    "int_count",
    "int_lscan",
    "int_rscan",
    "regex_compare",
    "geo_compare",
    "cond",
    "var",
    "def_",
    "let_",
    # additions
    "unknown",
    "key_int",
    "key_str",
    "key_blob",
    "device_size",
    "memory_size",
    "in_list",
    "map_keys",
    "map_values",
    "from_dict",
    "from_wire",
    "from_base64",
    "exp_read",
    "exp_write",
    # list
    "list_size",
    "list_get_by_value",
    "list_get_by_value_range",
    "list_get_by_value_list",
    "list_get_by_value_rel_rank_range_to_end",
    "list_get_by_value_rel_rank_range",
    "list_get_by_index",
    "list_get_by_index_range_to_end",
    "list_get_by_index_range",
    "list_get_by_rank",
    "list_get_by_rank_range_to_end",
    "list_get_by_rank_range",
    "list_append",
    "list_append_items",
    "list_insert",
    "list_insert_items",
    "list_increment",
    "list_set",
    "list_clear",
    "list_sort",
    "list_remove_by_value",
    "list_remove_by_value_list",
    "list_remove_by_value_range",
    "list_remove_by_value_rel_rank_range_to_end",
    "list_remove_by_value_rel_rank_range",
    "list_remove_by_index",
    "list_remove_by_index_range_to_end",
    "list_remove_by_index_range",
    "list_remove_by_rank",
    "list_remove_by_rank_range_to_end",
    "list_remove_by_rank_range",
    # map
    "map_size",
    "map_get_by_key",
    "map_get_by_key_range",
    "map_get_by_key_list",
    "map_get_by_key_rel_index_range_to_end",
    "map_get_by_key_rel_index_range",
    "map_get_by_value",
    "map_get_by_value_range",
    "map_get_by_value_list",
    "map_get_by_value_rel_rank_range_to_end",
    "map_get_by_value_rel_rank_range",
    "map_get_by_index",
    "map_get_by_index_range_to_end",
    "map_get_by_index_range",
    "map_get_by_rank",
    "map_get_by_rank_range_to_end",
    "map_get_by_rank_range",
    "map_put",
    "map_put_items",
    "map_increment",
    "map_clear",
    "map_remove_by_key",
    "map_remove_by_key_list",
    "map_remove_by_key_range",
    "map_remove_by_key_rel_index_range_to_end",
    "map_remove_by_key_rel_index_range",
    "map_remove_by_value",
    "map_remove_by_value_list",
    "map_remove_by_value_range",
    "map_remove_by_value_rel_rank_range_to_end",
    "map_remove_by_value_rel_rank_range",
    "map_remove_by_index",
    "map_remove_by_index_range_to_end",
    "map_remove_by_index_range",
    "map_remove_by_rank",
    "map_remove_by_rank_range_to_end",
    "map_remove_by_rank_range",
    # bit
    "bit_resize",
    "bit_insert",
    "bit_remove",
    "bit_set",
    "bit_or",
    "bit_xor",
    "bit_and",
    "bit_not",
    "bit_lshift",
    "bit_rshift",
    "bit_add",
    "bit_subtract",
    "bit_set_int",
    "bit_get",
    "bit_count",
    "bit_lscan",
    "bit_rscan",
    "bit_get_int",
    # HyperLogLog
    "hll_init",
    "hll_add",
    "hll_get_count",
    "hll_get_union",
    "hll_get_union_count",
    "hll_get_intersect_count",
    "hll_get_similarity",
    "hll_describe",
    "hll_may_contain",
]

# Expression type constants
EXP_TYPE_NIL = 0
EXP_TYPE_BOOL = 1
EXP_TYPE_INT = 2
EXP_TYPE_STRING = 3
EXP_TYPE_LIST = 4
EXP_TYPE_MAP = 5
EXP_TYPE_BLOB = 6
EXP_TYPE_FLOAT = 7
EXP_TYPE_GEO = 8
EXP_TYPE_HLL = 9

# Flags of exp_read / exp_write and the op codes of their dicts (also in
# aerospike_py.constants, the package's namespace).
from aerospike_py.constants import (  # noqa: E402
    EXP_READ_DEFAULT,
    EXP_READ_EVAL_NO_FAIL,
    EXP_WRITE_ALLOW_DELETE,
    EXP_WRITE_CREATE_ONLY,
    EXP_WRITE_DEFAULT,
    EXP_WRITE_EVAL_NO_FAIL,
    EXP_WRITE_POLICY_NO_FAIL,
    EXP_WRITE_UPDATE_ONLY,
    OPERATOR_EXP_READ,
    OPERATOR_EXP_WRITE,
)

# Wire op codes (the server's exp_op_code).
_UNKNOWN, _EQ, _NE, _GT, _GE, _LT, _LE, _REGEX, _GEO, _IN_LIST = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9
_AND, _OR, _NOT, _EXCLUSIVE = 16, 17, 18, 19
_ADD, _SUB, _MUL, _DIV, _POW, _LOG, _MOD, _ABS, _FLOOR, _CEIL = range(20, 30)
_TO_INT, _TO_FLOAT = 30, 31
_INT_AND, _INT_OR, _INT_XOR, _INT_NOT, _INT_LSHIFT, _INT_RSHIFT = 32, 33, 34, 35, 36, 37
_INT_ARSHIFT, _INT_COUNT, _INT_LSCAN, _INT_RSCAN = 38, 39, 40, 41
_MIN, _MAX = 50, 51
_DIGEST_MODULO, _DEVICE_SIZE, _LAST_UPDATE, _SINCE_UPDATE, _VOID_TIME, _TTL = 64, 65, 66, 67, 68, 69
_SET_NAME, _KEY_EXISTS, _IS_TOMBSTONE, _MEMORY_SIZE, _RECORD_SIZE = 70, 71, 72, 73, 74
_KEY, _BIN, _BIN_TYPE = 80, 81, 82
_MAP_KEYS, _MAP_VALUES = 101, 102
_COND, _VAR, _LET, _QUOTE = 123, 124, 125, 126

_OP = [pack_int(i) for i in range(128)]


def _typed(prefix: int, data: bytes) -> bytes:
    """A msgpack str holding Aerospike's particle-type byte and the data."""
    n = len(data) + 1
    if n < 32:
        head = bytes((0xA0 | n,))
    elif n < 0x100:
        head = b"\xd9" + bytes((n,))
    elif n < 0x10000:
        head = b"\xda" + n.to_bytes(2, "big")
    else:
        head = b"\xdb" + n.to_bytes(4, "big")
    return head + bytes((prefix,)) + data


def _fixed(code: int, *parts: bytes) -> bytes:
    """``[code, part, ...]`` from already packed parts."""
    return bytes((0x91 + len(parts),)) + _OP[code] + b"".join(parts)


def _register(op: str, builder: Any, renames: dict[str, str] | None = None) -> None:
    _BUILDERS[op] = (builder, renames or {})


# ── Value constructors ──────────────────────────────────────────────


def int_val(val: int) -> Expr:
    """Create 64-bit integer value expression."""
    v = check_int(val, "exp.int_val: 'val'")
    return node("int_val", pack_int(v), {"val": v})


def float_val(val: float) -> Expr:
    """Create 64-bit float value expression."""
    if type(val) is bool or not isinstance(val, (int, float)):
        fail("exp.float_val: 'val'", f"must be a float, not {type(val).__name__}")
    f = float(val)
    return node("float_val", b"\xcb" + _struct.pack(">d", f), {"val": f})


def string_val(val: str) -> Expr:
    """Create string value expression."""
    s = check_str(val, "exp.string_val: 'val'")
    return node("string_val", _typed(3, s.encode("utf-8")), {"val": s})


def bool_val(val: bool) -> Expr:
    """Create boolean value expression."""
    if not isinstance(val, bool):
        fail("exp.bool_val: 'val'", f"must be a bool, not {type(val).__name__}")
    return node("bool_val", b"\xc3" if val else b"\xc2", {"val": val})


def blob_val(val: bytes) -> Expr:
    """Create blob (bytes) value expression."""
    if not isinstance(val, (bytes, bytearray, memoryview)):
        fail("exp.blob_val: 'val'", f"must be bytes, not {type(val).__name__}")
    b = bytes(val)
    return node("blob_val", _typed(4, b), {"val": b})


def list_val(val: list[Any]) -> Expr:
    """Create list value expression."""
    if not isinstance(val, (list, tuple)):
        fail("exp.list_val: 'val'", f"must be a list, not {type(val).__name__}")
    # A list literal is quoted ([126, list]) so that the server does not
    # read it as a call.
    wire = b"\x92" + _OP[_QUOTE] + pack_value(list(val), "exp.list_val: 'val'")
    return node("list_val", wire, {"val": val})


def map_val(val: dict[Any, Any]) -> Expr:
    """Create map value expression."""
    if not isinstance(val, Mapping) or "__expr__" in val:
        fail("exp.map_val: 'val'", f"must be a dict, not {type(val).__name__}")
    return node("map_val", pack_value(val, "exp.map_val: 'val'"), {"val": val})


def geo_val(val: str) -> Expr:
    """Create geospatial JSON string value expression."""
    from aerospike_py.types import GeoJSON

    if isinstance(val, GeoJSON):
        text = val.text
    else:
        text = check_str(val, "exp.geo_val: 'val'")
    return node("geo_val", _typed(23, text.encode("utf-8")), {"val": val})


def nil() -> Expr:
    """Create nil value expression."""
    return node("nil", b"\xc0", {})


def infinity() -> Expr:
    """Create infinity value expression (a range end above every value)."""
    return node("infinity", b"\xd4\xff\x01", {})


def wildcard() -> Expr:
    """Create wildcard value expression (matches any value in a list/map
    comparison)."""
    return node("wildcard", b"\xd4\xff\x00", {})


_VALUE_BUILDERS.update(
    {
        "int": int_val,
        "float": float_val,
        "str": string_val,
        "bool": bool_val,
        "blob": blob_val,
        "list": list_val,
        "map": map_val,
        "geo": geo_val,
        "nil": nil,
    }
)

# ── Bin accessors ───────────────────────────────────────────────────


def _accessor_bin_name(name: Any, where: str) -> str:
    # Any str, as in aerospike-py: a name the server cannot hold (over 15
    # bytes) makes the command that carries the expression fail with the
    # server's InvalidRequest (code 4), not the building of the expression.
    return check_str(name, where)


def _bin(op: str, exp_type: int, name: str) -> Expr:
    n = _accessor_bin_name(name, f"exp.{op}: 'name'")
    return node(op, b"\x93" + _OP[_BIN] + _OP[exp_type] + raw_str(n), {"name": n})


def int_bin(name: str) -> Expr:
    """Create 64-bit integer bin expression."""
    return _bin("int_bin", EXP_TYPE_INT, name)


def float_bin(name: str) -> Expr:
    """Create 64-bit float bin expression."""
    return _bin("float_bin", EXP_TYPE_FLOAT, name)


def string_bin(name: str) -> Expr:
    """Create string bin expression."""
    return _bin("string_bin", EXP_TYPE_STRING, name)


def bool_bin(name: str) -> Expr:
    """Create boolean bin expression."""
    return _bin("bool_bin", EXP_TYPE_BOOL, name)


def blob_bin(name: str) -> Expr:
    """Create blob bin expression."""
    return _bin("blob_bin", EXP_TYPE_BLOB, name)


def list_bin(name: str) -> Expr:
    """Create list bin expression."""
    return _bin("list_bin", EXP_TYPE_LIST, name)


def map_bin(name: str) -> Expr:
    """Create map bin expression."""
    return _bin("map_bin", EXP_TYPE_MAP, name)


def geo_bin(name: str) -> Expr:
    """Create geospatial bin expression."""
    return _bin("geo_bin", EXP_TYPE_GEO, name)


def hll_bin(name: str) -> Expr:
    """Create HyperLogLog bin expression."""
    return _bin("hll_bin", EXP_TYPE_HLL, name)


def bin_exists(name: str) -> Expr:
    """Create expression that returns true if bin exists."""
    n = _accessor_bin_name(name, "exp.bin_exists: 'name'")
    # bin_type(name) != 0, as every client sends it.
    wire = b"\x93" + _OP[_NE] + b"\x92" + _OP[_BIN_TYPE] + raw_str(n) + _OP[0]
    return node("bin_exists", wire, {"name": n})


def bin_type(name: str) -> Expr:
    """Create expression that returns bin's particle type."""
    n = _accessor_bin_name(name, "exp.bin_type: 'name'")
    return node("bin_type", b"\x92" + _OP[_BIN_TYPE] + raw_str(n), {"name": n})


# ── Record metadata ────────────────────────────────────────────────


def key(exp_type: int) -> Expr:
    """Create record key expression of specified type."""
    t = check_int(exp_type, "exp.key: 'exp_type'", 0, 9)
    return node("key", b"\x92" + _OP[_KEY] + _OP[t], {"exp_type": t})


def key_int() -> Expr:
    """The record's key as an integer (unknown unless the key is an int
    stored with the record)."""
    return key(EXP_TYPE_INT)


def key_str() -> Expr:
    """The record's key as a string (unknown unless the key is a str stored
    with the record)."""
    return key(EXP_TYPE_STRING)


def key_blob() -> Expr:
    """The record's key as bytes (unknown unless the key is bytes stored
    with the record)."""
    return key(EXP_TYPE_BLOB)


def _meta(op: str, code: int) -> Expr:
    return node(op, b"\x91" + _OP[code], {})


def key_exists() -> Expr:
    """Create expression that returns if primary key is stored in record metadata."""
    return _meta("key_exists", _KEY_EXISTS)


def set_name() -> Expr:
    """Create expression that returns record set name."""
    return _meta("set_name", _SET_NAME)


def record_size() -> Expr:
    """Create expression that returns record size (server 7.0+)."""
    return _meta("record_size", _RECORD_SIZE)


def device_size() -> Expr:
    """The record's size on device (deprecated by the server in favour of
    :func:`record_size`)."""
    return _meta("device_size", _DEVICE_SIZE)


def memory_size() -> Expr:
    """The record's size in memory (deprecated by the server in favour of
    :func:`record_size`)."""
    return _meta("memory_size", _MEMORY_SIZE)


def last_update() -> Expr:
    """Create expression that returns record last update time (nanoseconds since epoch)."""
    return _meta("last_update", _LAST_UPDATE)


def since_update() -> Expr:
    """Create expression that returns milliseconds since last update."""
    return _meta("since_update", _SINCE_UPDATE)


def void_time() -> Expr:
    """Create expression that returns record expiration time (nanoseconds since epoch)."""
    return _meta("void_time", _VOID_TIME)


def ttl() -> Expr:
    """Create expression that returns record TTL in seconds."""
    return _meta("ttl", _TTL)


def is_tombstone() -> Expr:
    """Create expression that returns if record is in tombstone state."""
    return _meta("is_tombstone", _IS_TOMBSTONE)


def digest_modulo(modulo: int) -> Expr:
    """Create expression that returns record digest modulo."""
    m = check_int(modulo, "exp.digest_modulo: 'modulo'")
    return node("digest_modulo", b"\x92" + _OP[_DIGEST_MODULO] + pack_int(m), {"modulo": m})


# ── Comparison operations ──────────────────────────────────────────


def _binary(op: str, code: int, left: ExprLike, right: ExprLike) -> Expr:
    a = as_expr(left, f"exp.{op}: 'left'")
    b = as_expr(right, f"exp.{op}: 'right'")
    return node(op, b"\x93" + _OP[code] + a._wire + b._wire, {"left": a, "right": b})


def eq(left: ExprLike, right: ExprLike) -> Expr:
    """Create equal (==) expression."""
    return _binary("eq", _EQ, left, right)


def ne(left: ExprLike, right: ExprLike) -> Expr:
    """Create not equal (!=) expression."""
    return _binary("ne", _NE, left, right)


def gt(left: ExprLike, right: ExprLike) -> Expr:
    """Create greater than (>) expression."""
    return _binary("gt", _GT, left, right)


def ge(left: ExprLike, right: ExprLike) -> Expr:
    """Create greater than or equal (>=) expression."""
    return _binary("ge", _GE, left, right)


def lt(left: ExprLike, right: ExprLike) -> Expr:
    """Create less than (<) expression."""
    return _binary("lt", _LT, left, right)


def le(left: ExprLike, right: ExprLike) -> Expr:
    """Create less than or equal (<=) expression."""
    return _binary("le", _LE, left, right)


# ── Logical operations ─────────────────────────────────────────────


def _variadic(op: str, code: int, exprs: Sequence[ExprLike], minimum: int = 1) -> Expr:
    if len(exprs) < minimum:
        fail(f"exp.{op}", f"needs at least {minimum} operand(s), got {len(exprs)}")
    nodes = [as_expr(e, f"exp.{op}: operand {i}") for i, e in enumerate(exprs)]
    wire = _array(1 + len(nodes)) + _OP[code] + b"".join(n._wire for n in nodes)
    return node(op.rstrip("_"), wire, {"exprs": nodes})


def _array(n: int) -> bytes:
    if n < 16:
        return bytes((0x90 | n,))
    if n < 0x10000:
        return b"\xdc" + n.to_bytes(2, "big")
    return b"\xdd" + n.to_bytes(4, "big")


def and_(*exprs: ExprLike) -> Expr:
    """Create logical AND expression."""
    return _variadic("and_", _AND, exprs)


def or_(*exprs: ExprLike) -> Expr:
    """Create logical OR expression."""
    return _variadic("or_", _OR, exprs)


def not_(expr: ExprLike) -> Expr:
    """Create logical NOT expression."""
    e = as_expr(expr, "exp.not_: 'expr'")
    return node("not", b"\x92" + _OP[_NOT] + e._wire, {"expr": e})


def xor_(*exprs: ExprLike) -> Expr:
    """Create logical XOR expression (true when exactly one operand is true)."""
    return _variadic("xor_", _EXCLUSIVE, exprs)


# ── Numeric operations ─────────────────────────────────────────────


def _fixed_arity(op: str, code: int, names: Sequence[str], values: Sequence[ExprLike]) -> Expr:
    nodes = [as_expr(v, f"exp.{op}: '{n}'") for n, v in zip(names, values)]
    wire = _array(1 + len(nodes)) + _OP[code] + b"".join(n._wire for n in nodes)
    return node(op, wire, {"exprs": nodes})


def num_add(*exprs: ExprLike) -> Expr:
    """Create numeric add expression."""
    return _variadic("num_add", _ADD, exprs)


def num_sub(*exprs: ExprLike) -> Expr:
    """Create numeric subtract expression (one operand: its negation)."""
    return _variadic("num_sub", _SUB, exprs)


def num_mul(*exprs: ExprLike) -> Expr:
    """Create numeric multiply expression."""
    return _variadic("num_mul", _MUL, exprs)


def num_div(*exprs: ExprLike) -> Expr:
    """Create numeric divide expression (integer division truncates)."""
    return _variadic("num_div", _DIV, exprs)


def num_mod(numerator: ExprLike, denominator: ExprLike) -> Expr:
    """Create numeric modulo expression."""
    return _fixed_arity("num_mod", _MOD, ("numerator", "denominator"), (numerator, denominator))


def num_pow(base: ExprLike, exponent: ExprLike) -> Expr:
    """Create numeric power expression."""
    return _fixed_arity("num_pow", _POW, ("base", "exponent"), (base, exponent))


def num_log(num: ExprLike, base: ExprLike) -> Expr:
    """Create numeric log expression."""
    return _fixed_arity("num_log", _LOG, ("num", "base"), (num, base))


def num_abs(value: ExprLike) -> Expr:
    """Create numeric absolute value expression."""
    return _fixed_arity("num_abs", _ABS, ("value",), (value,))


def num_floor(num: ExprLike) -> Expr:
    """Create numeric floor expression."""
    return _fixed_arity("num_floor", _FLOOR, ("num",), (num,))


def num_ceil(num: ExprLike) -> Expr:
    """Create numeric ceil expression."""
    return _fixed_arity("num_ceil", _CEIL, ("num",), (num,))


def to_int(num: ExprLike) -> Expr:
    """Create convert-to-integer expression."""
    return _fixed_arity("to_int", _TO_INT, ("num",), (num,))


def to_float(num: ExprLike) -> Expr:
    """Create convert-to-float expression."""
    return _fixed_arity("to_float", _TO_FLOAT, ("num",), (num,))


def min_(*exprs: ExprLike) -> Expr:
    """Create minimum value expression."""
    return _variadic("min_", _MIN, exprs)


def max_(*exprs: ExprLike) -> Expr:
    """Create maximum value expression."""
    return _variadic("max_", _MAX, exprs)


# ── Integer bitwise operations ─────────────────────────────────────


def int_and(*exprs: ExprLike) -> Expr:
    """Create integer bitwise AND expression."""
    return _variadic("int_and", _INT_AND, exprs)


def int_or(*exprs: ExprLike) -> Expr:
    """Create integer bitwise OR expression."""
    return _variadic("int_or", _INT_OR, exprs)


def int_xor(*exprs: ExprLike) -> Expr:
    """Create integer bitwise XOR expression."""
    return _variadic("int_xor", _INT_XOR, exprs)


def int_not(expr: ExprLike) -> Expr:
    """Create integer bitwise NOT expression."""
    return _fixed_arity("int_not", _INT_NOT, ("expr",), (expr,))


def int_lshift(value: ExprLike, shift: ExprLike) -> Expr:
    """Create integer left shift expression."""
    return _fixed_arity("int_lshift", _INT_LSHIFT, ("value", "shift"), (value, shift))


def int_rshift(value: ExprLike, shift: ExprLike) -> Expr:
    """Create integer logical right shift expression."""
    return _fixed_arity("int_rshift", _INT_RSHIFT, ("value", "shift"), (value, shift))


def int_arshift(value: ExprLike, shift: ExprLike) -> Expr:
    """Create integer arithmetic right shift expression."""
    return _fixed_arity("int_arshift", _INT_ARSHIFT, ("value", "shift"), (value, shift))


def int_count(expr: ExprLike) -> Expr:
    """Create integer bit count expression."""
    return _fixed_arity("int_count", _INT_COUNT, ("expr",), (expr,))


def int_lscan(value: ExprLike, search: ExprLike) -> Expr:
    """Create integer scan from MSB expression."""
    return _fixed_arity("int_lscan", _INT_LSCAN, ("value", "search"), (value, search))


def int_rscan(value: ExprLike, search: ExprLike) -> Expr:
    """Create integer scan from LSB expression."""
    return _fixed_arity("int_rscan", _INT_RSCAN, ("value", "search"), (value, search))


# ── Pattern matching ───────────────────────────────────────────────


def regex_compare(regex: str, flags: int, bin_expr: ExprLike) -> Expr:
    """Create regex string comparison expression.

    ``flags`` is a bitwise OR of ``REGEX_*`` constants exposed at the package
    level: ``REGEX_NONE``, ``REGEX_EXTENDED``, ``REGEX_ICASE``, ``REGEX_NOSUB``,
    ``REGEX_NEWLINE``. The values mirror POSIX ``regex.h`` flags.

    ``flags=0`` (equivalent to ``REGEX_NONE``) selects the server's default
    mode — POSIX basic regular expression syntax, case-sensitive — and
    matches the Java client's ``RegexFlag.NONE``.
    """
    pattern = check_str(regex, "exp.regex_compare: 'regex'")
    f = check_int(flags, "exp.regex_compare: 'flags'")
    subject = as_expr(bin_expr, "exp.regex_compare: 'bin_expr'")
    wire = b"\x94" + _OP[_REGEX] + pack_int(f) + raw_str(pattern) + subject._wire
    return node("regex_compare", wire, {"regex": pattern, "flags": f, "bin": subject})


def geo_compare(left: ExprLike, right: ExprLike) -> Expr:
    """Create geospatial comparison expression (true when ``left`` is within
    or contains ``right``)."""
    return _binary("geo_compare", _GEO, left, right)


# ── Variables and control flow ─────────────────────────────────────


def cond(*exprs: ExprLike) -> Expr:
    """Create conditional expression: cond(bool1, action1, bool2, action2, ..., default).

    Pass one or more ``(condition, action)`` pairs followed by a single default
    action — i.e. an **odd** number of arguments, at least 3. Other counts
    are built (as in aerospike-py) and refused by the server with
    ``InvalidRequest`` (code 4) when a command carries the expression.
    """
    # Any count is built, as in aerospike-py: the server refuses a cond
    # without a pair and a default (code 4) when a command carries it.
    return _variadic("cond", _COND, exprs)


def var(name: str) -> Expr:
    """Create variable reference expression."""
    n = check_str(name, "exp.var: 'name'")
    return node("var", b"\x92" + _OP[_VAR] + raw_str(n), {"name": n})


def def_(name: str, value: ExprLike) -> Expr:
    """Create variable definition expression (used with let_)."""
    n = check_str(name, "exp.def_: 'name'")
    v = as_expr(value, "exp.def_: 'value'")
    # Not an expression by itself: let_() writes "name, value" in its list.
    return node("def", raw_str(n) + v._wire, {"name": n, "value": v}, Def)


def let_(*exprs: ExprLike) -> Expr:
    """Create let binding expression: let_(def_("x", ...), def_("y", ...), scope_expr).

    Pass one or more ``def_(...)`` variable definitions followed by a scope
    expression — i.e. at least 2 arguments. A lone definition (or a lone scope
    expression) is rejected with ``ParamError`` (an ``InvalidArgError``) when
    the expression is built.
    """
    if len(exprs) < 2:
        fail(
            "exp.let_",
            "needs at least 2 operands: one or more variable definitions followed by "
            f"a scope expression, got {len(exprs)} operand(s)",
        )
    nodes = [as_expr(e, f"exp.let_: operand {i}", True) for i, e in enumerate(exprs)]
    for i, n in enumerate(nodes[:-1]):
        if type(n) is not Def:
            fail(f"exp.let_: operand {i}", f"must be a def_() definition, not {n.op}")
    if type(nodes[-1]) is Def:
        fail(f"exp.let_: operand {len(nodes) - 1}", "the last operand is the scope, not a def_()")
    n_items = 1 + 2 * (len(nodes) - 1) + 1
    wire = _array(n_items) + _OP[_LET] + b"".join(n._wire for n in nodes)
    return node("let", wire, {"exprs": nodes})


def unknown() -> Expr:
    """The "unknown" value: an expression operation that evaluates to it
    fails with OpNotApplicable (26) unless its flags say EVAL_NO_FAIL; a
    filter that evaluates to it excludes the record. Useful as the default
    of :func:`cond`."""
    return node("unknown", b"\x91" + _OP[_UNKNOWN], {})


def in_list(value: ExprLike, list: ExprLike) -> Expr:  # noqa: A002 - the official name
    """True when ``value`` is an element of ``list`` (server 8.1+)."""
    v = as_expr(value, "exp.in_list: 'value'")
    lst = as_expr(list, "exp.in_list: 'list'")
    return node("in_list", b"\x93" + _OP[_IN_LIST] + v._wire + lst._wire, {"value": v, "list": lst})


def map_keys(map: ExprLike) -> Expr:  # noqa: A002 - the official name
    """The keys of a map expression, as a list (server 8.1+). A string is a
    bin name (``map_bin(name)``), as in the official client."""
    m = map_bin(map) if isinstance(map, str) else as_expr(map, "exp.map_keys: 'map'")
    return node("map_keys", b"\x92" + _OP[_MAP_KEYS] + m._wire, {"map": m})


def map_values(map: ExprLike) -> Expr:  # noqa: A002 - the official name
    """The values of a map expression, as a list (server 8.1+). A string is
    a bin name (``map_bin(name)``), as in the official client."""
    m = map_bin(map) if isinstance(map, str) else as_expr(map, "exp.map_values: 'map'")
    return node("map_values", b"\x92" + _OP[_MAP_VALUES] + m._wire, {"map": m})


# ── Compiled forms ─────────────────────────────────────────────────


def from_wire(data: bytes) -> Expr:
    """An expression from its wire bytes (for example the decoded result of
    the official client's ``get_expression_base64``). The bytes are taken as
    they are; the server checks them."""
    if not isinstance(data, (bytes, bytearray, memoryview)) or len(data) == 0:
        fail("exp.from_wire: 'data'", "must be non-empty bytes")
    b = bytes(data)
    return node("wire", b, {"data": b})


def from_base64(text: str) -> Expr:
    """An expression from the base64 text of its wire bytes."""
    s = check_str(text, "exp.from_base64: 'text'")
    try:
        return from_wire(_base64.b64decode(s, validate=True))
    except (ValueError, _binascii.Error) as e:
        fail("exp.from_base64: 'text'", f"is not base64: {e}")


# ── Expression operations (operate / batch_operate) ─────────────────


def exp_read(name: str, expr: ExprLike, flags: int = EXP_READ_DEFAULT) -> dict[str, Any]:
    """An operation that evaluates ``expr`` against the record and returns
    its value under the name ``name`` (like a bin in the result).

    ``flags``: ``EXP_READ_DEFAULT`` or ``EXP_READ_EVAL_NO_FAIL``.
    """
    n = check_bin_name(name, "exp.exp_read: 'name'")
    e = as_expr(expr, "exp.exp_read: 'expr'")
    f = check_int(flags, "exp.exp_read: 'flags'", 0, 0xFFFFFFFF)
    return {"op": OPERATOR_EXP_READ, "bin": n, "expr": e, "expr_flags": f}


def exp_write(bin: str, expr: ExprLike, flags: int = EXP_WRITE_DEFAULT) -> dict[str, Any]:  # noqa: A002
    """An operation that evaluates ``expr`` and writes its value to ``bin``.

    ``flags``: a combination of ``EXP_WRITE_*`` (``CREATE_ONLY``,
    ``UPDATE_ONLY``, ``ALLOW_DELETE``, ``POLICY_NO_FAIL``, ``EVAL_NO_FAIL``).
    """
    n = check_bin_name(bin, "exp.exp_write: 'bin'")
    e = as_expr(expr, "exp.exp_write: 'expr'")
    f = check_int(flags, "exp.exp_write: 'flags'", 0, 0xFFFFFFFF)
    return {"op": OPERATOR_EXP_WRITE, "bin": n, "expr": e, "expr_flags": f}


for _name, _fn in {
    "int_val": int_val, "float_val": float_val, "string_val": string_val,
    "bool_val": bool_val, "blob_val": blob_val, "list_val": list_val, "map_val": map_val,
    "geo_val": geo_val, "nil": nil, "infinity": infinity, "wildcard": wildcard,
    "int_bin": int_bin, "float_bin": float_bin, "string_bin": string_bin,
    "bool_bin": bool_bin, "blob_bin": blob_bin, "list_bin": list_bin, "map_bin": map_bin,
    "geo_bin": geo_bin, "hll_bin": hll_bin, "bin_exists": bin_exists, "bin_type": bin_type,
    "key": key, "key_exists": key_exists, "set_name": set_name, "record_size": record_size,
    "device_size": device_size, "memory_size": memory_size,
    "last_update": last_update, "since_update": since_update, "void_time": void_time,
    "ttl": ttl, "is_tombstone": is_tombstone, "digest_modulo": digest_modulo,
    "eq": eq, "ne": ne, "gt": gt, "ge": ge, "lt": lt, "le": le,
    "and": and_, "or": or_, "not": not_, "xor": xor_,
    "num_add": num_add, "num_sub": num_sub, "num_mul": num_mul, "num_div": num_div,
    "num_mod": num_mod, "num_pow": num_pow, "num_log": num_log, "num_abs": num_abs,
    "num_floor": num_floor, "num_ceil": num_ceil, "to_int": to_int, "to_float": to_float,
    "min": min_, "max": max_,
    "int_and": int_and, "int_or": int_or, "int_xor": int_xor, "int_not": int_not,
    "int_lshift": int_lshift, "int_rshift": int_rshift, "int_arshift": int_arshift,
    "int_count": int_count, "int_lscan": int_lscan, "int_rscan": int_rscan,
    "geo_compare": geo_compare, "cond": cond, "var": var, "def": def_, "let": let_,
    "unknown": unknown, "in_list": in_list, "map_keys": map_keys, "map_values": map_values,
}.items():
    _register(_name, _fn)
_register("regex_compare", regex_compare, {"bin": "bin_expr"})
_register("wire", from_wire)

# The collection, bit and HyperLogLog families (defined in their own file,
# part of this module's API).
from aerospike_py._exp_families import (  # noqa: E402
    list_size as list_size,
    list_get_by_value as list_get_by_value,
    list_get_by_value_range as list_get_by_value_range,
    list_get_by_value_list as list_get_by_value_list,
    list_get_by_value_rel_rank_range_to_end as list_get_by_value_rel_rank_range_to_end,
    list_get_by_value_rel_rank_range as list_get_by_value_rel_rank_range,
    list_get_by_index as list_get_by_index,
    list_get_by_index_range_to_end as list_get_by_index_range_to_end,
    list_get_by_index_range as list_get_by_index_range,
    list_get_by_rank as list_get_by_rank,
    list_get_by_rank_range_to_end as list_get_by_rank_range_to_end,
    list_get_by_rank_range as list_get_by_rank_range,
    list_append as list_append,
    list_append_items as list_append_items,
    list_insert as list_insert,
    list_insert_items as list_insert_items,
    list_increment as list_increment,
    list_set as list_set,
    list_clear as list_clear,
    list_sort as list_sort,
    list_remove_by_value as list_remove_by_value,
    list_remove_by_value_list as list_remove_by_value_list,
    list_remove_by_value_range as list_remove_by_value_range,
    list_remove_by_value_rel_rank_range_to_end as list_remove_by_value_rel_rank_range_to_end,
    list_remove_by_value_rel_rank_range as list_remove_by_value_rel_rank_range,
    list_remove_by_index as list_remove_by_index,
    list_remove_by_index_range_to_end as list_remove_by_index_range_to_end,
    list_remove_by_index_range as list_remove_by_index_range,
    list_remove_by_rank as list_remove_by_rank,
    list_remove_by_rank_range_to_end as list_remove_by_rank_range_to_end,
    list_remove_by_rank_range as list_remove_by_rank_range,
    map_size as map_size,
    map_get_by_key as map_get_by_key,
    map_get_by_key_range as map_get_by_key_range,
    map_get_by_key_list as map_get_by_key_list,
    map_get_by_key_rel_index_range_to_end as map_get_by_key_rel_index_range_to_end,
    map_get_by_key_rel_index_range as map_get_by_key_rel_index_range,
    map_get_by_value as map_get_by_value,
    map_get_by_value_range as map_get_by_value_range,
    map_get_by_value_list as map_get_by_value_list,
    map_get_by_value_rel_rank_range_to_end as map_get_by_value_rel_rank_range_to_end,
    map_get_by_value_rel_rank_range as map_get_by_value_rel_rank_range,
    map_get_by_index as map_get_by_index,
    map_get_by_index_range_to_end as map_get_by_index_range_to_end,
    map_get_by_index_range as map_get_by_index_range,
    map_get_by_rank as map_get_by_rank,
    map_get_by_rank_range_to_end as map_get_by_rank_range_to_end,
    map_get_by_rank_range as map_get_by_rank_range,
    map_put as map_put,
    map_put_items as map_put_items,
    map_increment as map_increment,
    map_clear as map_clear,
    map_remove_by_key as map_remove_by_key,
    map_remove_by_key_list as map_remove_by_key_list,
    map_remove_by_key_range as map_remove_by_key_range,
    map_remove_by_key_rel_index_range_to_end as map_remove_by_key_rel_index_range_to_end,
    map_remove_by_key_rel_index_range as map_remove_by_key_rel_index_range,
    map_remove_by_value as map_remove_by_value,
    map_remove_by_value_list as map_remove_by_value_list,
    map_remove_by_value_range as map_remove_by_value_range,
    map_remove_by_value_rel_rank_range_to_end as map_remove_by_value_rel_rank_range_to_end,
    map_remove_by_value_rel_rank_range as map_remove_by_value_rel_rank_range,
    map_remove_by_index as map_remove_by_index,
    map_remove_by_index_range_to_end as map_remove_by_index_range_to_end,
    map_remove_by_index_range as map_remove_by_index_range,
    map_remove_by_rank as map_remove_by_rank,
    map_remove_by_rank_range_to_end as map_remove_by_rank_range_to_end,
    map_remove_by_rank_range as map_remove_by_rank_range,
    bit_resize as bit_resize,
    bit_insert as bit_insert,
    bit_remove as bit_remove,
    bit_set as bit_set,
    bit_or as bit_or,
    bit_xor as bit_xor,
    bit_and as bit_and,
    bit_not as bit_not,
    bit_lshift as bit_lshift,
    bit_rshift as bit_rshift,
    bit_add as bit_add,
    bit_subtract as bit_subtract,
    bit_set_int as bit_set_int,
    bit_get as bit_get,
    bit_count as bit_count,
    bit_lscan as bit_lscan,
    bit_rscan as bit_rscan,
    bit_get_int as bit_get_int,
    hll_init as hll_init,
    hll_add as hll_add,
    hll_get_count as hll_get_count,
    hll_get_union as hll_get_union,
    hll_get_union_count as hll_get_union_count,
    hll_get_intersect_count as hll_get_intersect_count,
    hll_get_similarity as hll_get_similarity,
    hll_describe as hll_describe,
    hll_may_contain as hll_may_contain,
)
from aerospike_py._exp_families import register_families as _register_families  # noqa: E402

_register_families(_register)
del _name, _fn


# --- aerospike-py's internal builder names ---------------------------------
# aerospike-py builds every node with a private ``_cmd(op, **fields)`` that
# checks ``op`` against ``_VALID_OPS``; code (and aerospike-py's own tests)
# reaching for them keeps working: here they go through from_dict(), so the
# node is validated and compiled like any other.

_VALID_OPS: frozenset[str] = frozenset(_BUILDERS)


def _cmd(op: str, **kwargs: Any) -> Expr:
    """The node ``{"__expr__": op, **kwargs}``; an unknown ``op`` raises
    ``ParamError`` (a ``ValueError``) as aerospike-py's ``_cmd`` does."""
    if op not in _VALID_OPS:
        fail("exp._cmd", f"Unknown expression op: {op!r}; use the aerospike_py.exp builders")
    return from_dict({"__expr__": op, **kwargs}, "exp._cmd")
