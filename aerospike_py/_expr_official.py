"""The official client's compiled expressions, as aerospike_py.exp nodes.

The official client's ``aerospike_helpers.expressions`` objects compile
(``.compile()``) to a list of ``(op, result_type, fixed, child_count)``
tuples in pre-order. Code moving from the official client may pass those
lists (or the expression objects) as ``filter_expression``; this rebuilds
them with our builders, so the bytes are the ones the official client would
send. The base families are covered (values, bins, metadata, comparisons,
logic, arithmetic, integer bits, regex, geo, cond/let/var, unknown);
list/map/bit/HLL calls raise ParamError pointing at aerospike_py.exp.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from aerospike_py._expr import Expr, fail

# The official client's op numbers (aerospike_helpers.expressions.resources
# _ExprOp), which differ from the wire codes for the metadata ops.
_VAL, _END_VA_ARGS = 200, 150

_Tuple = tuple[int, Any, Any, int]


class _Reader:
    def __init__(self, compiled: Sequence[_Tuple]) -> None:
        self.items = compiled
        self.pos = 0

    def next(self) -> Expr:
        from aerospike_py import exp

        if self.pos >= len(self.items):
            fail("filter_expression", "official compiled expression ends early")
        item = self.items[self.pos]
        if not (isinstance(item, tuple) and len(item) == 4):
            fail(f"filter_expression[{self.pos}]", "not an official compiled expression entry")
        op, rt, fixed, count = item
        self.pos += 1
        fixed = fixed or {}
        where = f"filter_expression[{self.pos - 1}]"
        children = [self.next() for _ in range(count)]
        # Variadic ops end with an END_OF_VA_ARGS marker child.
        children = [c for c in children if c is not _END]
        if op == _END_VA_ARGS:
            end: Expr = _END
            return end
        if op == _VAL:
            from aerospike_py._expr import as_expr

            return as_expr(fixed.get("val"), where)
        builder = _OPS.get(op)
        if builder is None:
            fail(where, f"official expression op {op} is not converted; build it with "
                        "aerospike_py.exp")
        built: Expr = builder(exp, rt, fixed, children)
        return built


_END: Any = object()


def _bin(name: str) -> Callable[[Any, Any, Any, list[Expr]], Expr]:
    return lambda exp, rt, fixed, ch: getattr(exp, name)(fixed["bin"])


_BIN_BY_TYPE = {1: "bool_bin", 2: "int_bin", 3: "string_bin", 4: "list_bin", 5: "map_bin",
                6: "blob_bin", 7: "float_bin", 8: "geo_bin", 9: "hll_bin"}

_OPS: dict[int, Callable[[Any, Any, Any, list[Expr]], Expr]] = {
    0: lambda exp, rt, fixed, ch: exp.unknown(),
    1: lambda exp, rt, fixed, ch: exp.eq(*ch),
    2: lambda exp, rt, fixed, ch: exp.ne(*ch),
    3: lambda exp, rt, fixed, ch: exp.gt(*ch),
    4: lambda exp, rt, fixed, ch: exp.ge(*ch),
    5: lambda exp, rt, fixed, ch: exp.lt(*ch),
    6: lambda exp, rt, fixed, ch: exp.le(*ch),
    7: lambda exp, rt, fixed, ch: exp.regex_compare(fixed["val"], fixed.get("regex_options", 0),
                                                    *ch),
    8: lambda exp, rt, fixed, ch: exp.geo_compare(*ch),
    16: lambda exp, rt, fixed, ch: exp.and_(*ch),
    17: lambda exp, rt, fixed, ch: exp.or_(*ch),
    18: lambda exp, rt, fixed, ch: exp.not_(*ch),
    19: lambda exp, rt, fixed, ch: exp.xor_(*ch),
    20: lambda exp, rt, fixed, ch: exp.num_add(*ch),
    21: lambda exp, rt, fixed, ch: exp.num_sub(*ch),
    22: lambda exp, rt, fixed, ch: exp.num_mul(*ch),
    23: lambda exp, rt, fixed, ch: exp.num_div(*ch),
    24: lambda exp, rt, fixed, ch: exp.num_pow(*ch),
    25: lambda exp, rt, fixed, ch: exp.num_log(*ch),
    26: lambda exp, rt, fixed, ch: exp.num_mod(*ch),
    27: lambda exp, rt, fixed, ch: exp.num_abs(*ch),
    28: lambda exp, rt, fixed, ch: exp.num_floor(*ch),
    29: lambda exp, rt, fixed, ch: exp.num_ceil(*ch),
    30: lambda exp, rt, fixed, ch: exp.to_int(*ch),
    31: lambda exp, rt, fixed, ch: exp.to_float(*ch),
    32: lambda exp, rt, fixed, ch: exp.int_and(*ch),
    33: lambda exp, rt, fixed, ch: exp.int_or(*ch),
    34: lambda exp, rt, fixed, ch: exp.int_xor(*ch),
    35: lambda exp, rt, fixed, ch: exp.int_not(*ch),
    36: lambda exp, rt, fixed, ch: exp.int_lshift(*ch),
    37: lambda exp, rt, fixed, ch: exp.int_rshift(*ch),
    38: lambda exp, rt, fixed, ch: exp.int_arshift(*ch),
    39: lambda exp, rt, fixed, ch: exp.int_count(*ch),
    40: lambda exp, rt, fixed, ch: exp.int_lscan(*ch),
    41: lambda exp, rt, fixed, ch: exp.int_rscan(*ch),
    50: lambda exp, rt, fixed, ch: exp.min_(*ch),
    51: lambda exp, rt, fixed, ch: exp.max_(*ch),
    64: lambda exp, rt, fixed, ch: exp.digest_modulo(fixed["val"]),
    65: lambda exp, rt, fixed, ch: exp.device_size(),
    66: lambda exp, rt, fixed, ch: exp.last_update(),
    67: lambda exp, rt, fixed, ch: exp.void_time(),
    68: lambda exp, rt, fixed, ch: exp.ttl(),
    69: lambda exp, rt, fixed, ch: exp.set_name(),
    70: lambda exp, rt, fixed, ch: exp.key_exists(),
    71: lambda exp, rt, fixed, ch: exp.since_update(),
    72: lambda exp, rt, fixed, ch: exp.is_tombstone(),
    73: lambda exp, rt, fixed, ch: exp.memory_size(),
    74: lambda exp, rt, fixed, ch: exp.record_size(),
    80: lambda exp, rt, fixed, ch: exp.key(rt),
    81: lambda exp, rt, fixed, ch: getattr(exp, _BIN_BY_TYPE[rt])(fixed["bin"]),
    82: _bin("bin_type"),
    83: _bin("bin_exists"),
    123: lambda exp, rt, fixed, ch: exp.cond(*ch),
    124: lambda exp, rt, fixed, ch: exp.var(fixed["val"]),
    125: lambda exp, rt, fixed, ch: exp.let_(*ch),
    126: lambda exp, rt, fixed, ch: exp.def_(fixed["val"], *ch),
}


def from_official(compiled: Sequence[_Tuple]) -> Expr:
    """Our node for an official compiled expression."""
    reader = _Reader(compiled)
    try:
        node = reader.next()
    except (KeyError, TypeError, IndexError) as e:
        fail("filter_expression", f"malformed official compiled expression: {e!r}")
    if reader.pos != len(compiled):
        fail("filter_expression", "official compiled expression has entries left over")
    return node
