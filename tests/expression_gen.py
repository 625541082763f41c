"""Seeded random expression trees, rendered twice: with aerospike_py.exp
(``ours``) and with the official client's aerospike_helpers.expressions
(``official``), over every builder and argument type.

A tree is built for a wanted result type from templates; each template
names a builder in both dialects and the types of its arguments, so trees
mix families freely (a list size inside arithmetic inside a cond...). Leaves
are literals, bins of the fixture record ``RECORD_BINS`` (present, missing,
or of another type than asked), and record metadata. Most trees are well
typed; a share deliberately are not (mismatched comparisons, wrong argument
types), because the server's answer to those (PARAMETER) must match too.

Used by the expressions family of the recorder (recorded on the real server,
replayed against the embedded one) and by tests/expression_diff.py.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

# The fixture record every generated expression is evaluated on.
RECORD_BINS_SOURCE = (
    "{'i': 42, 'n': -7, 'z': 0, 'f': 2.5, 'g0': -0.5, 's': 'hello', 'e': '', "
    "'b': b'\\x01\\x02\\xff', 't': True, 'u': False, "
    "'l': [1, 5, 3, 9, 5], 'ls': ['b', 'a', 'c'], 'lm': [1, 'a', [2, 3], 2.5, None], "
    "'m': {'a': 1, 'b': 2, 'c': 3}, 'ms': {'x': 'u', 'y': 'v'}, "
    "'nest': {'k': [10, 20, {'z': 30}], 'q': {'r': 1}}}"
)
INT_BINS = ["i", "n", "z"]
FLOAT_BINS = ["f", "g0"]
STR_BINS = ["s", "e"]
BLOB_BINS = ["b"]
BOOL_BINS = ["t", "u"]
LIST_BINS = ["l", "ls", "lm"]
MAP_BINS = ["m", "ms", "nest"]
OTHER_BINS = ["missing", "x9"]  # never written


@dataclass
class Rendered:
    ours: str
    official: str


T = str  # a type name: "int", "float", "str", "bool", "blob", "list", "map", "nil"


class Gen:
    """One generator; `rng` drives every choice."""

    def __init__(self, rng: random.Random, max_depth: int = 4, ill_typed: float = 0.05,
                 calls: bool = True) -> None:
        self.rng = rng
        self.calls = calls
        self.max_depth = max_depth
        self.ill_typed = ill_typed
        self.vars: list[tuple[str, T]] = []
        self.var_counter = 0

    # -- entry points -------------------------------------------------------

    def expr(self, t: T, depth: int = 0) -> Rendered:
        if 0 < depth < self.max_depth and self.rng.random() < self.ill_typed:
            t = self.rng.choice(["int", "float", "str", "bool", "blob", "list", "map"])
        if depth >= self.max_depth or (depth > 0 and self.rng.random() < 0.25):
            return self.leaf(t)
        options = [f for f in TEMPLATES.get(t, []) if f.enabled(self) and (self.calls or not f.is_call)]
        if not options:
            return self.leaf(t)
        return self.rng.choice(options).render(self, depth + 1)

    # -- leaves --------------------------------------------------------------

    def leaf(self, t: T) -> Rendered:
        choice = self.rng.random()
        in_scope = [name for name, vt in self.vars if vt == t]
        if in_scope and choice < 0.3:
            name = self.rng.choice(in_scope)
            return Rendered(f"exp.var({name!r})", f"e.Var({name!r})")
        if choice < 0.55:
            return self.literal(t)
        return self.bin_of(t)

    def bin_of(self, t: T) -> Rendered:
        table = {
            "int": (INT_BINS, "int_bin", "IntBin"),
            "float": (FLOAT_BINS, "float_bin", "FloatBin"),
            "str": (STR_BINS, "string_bin", "StrBin"),
            "blob": (BLOB_BINS, "blob_bin", "BlobBin"),
            "bool": (BOOL_BINS, "bool_bin", "BoolBin"),
            "list": (LIST_BINS, "list_bin", "ListBin"),
            "map": (MAP_BINS, "map_bin", "MapBin"),
        }
        if t not in table:
            return self.literal(t)
        names, ours, off = table[t]
        pool = names + OTHER_BINS[:1]
        if self.rng.random() < 0.1:  # a bin of another type: unknown at run time
            pool = INT_BINS + STR_BINS + LIST_BINS
        name = self.rng.choice(pool)
        return Rendered(f"exp.{ours}({name!r})", f"e.{off}({name!r})")

    def literal(self, t: T) -> Rendered:
        r = self.rng
        if t == "int":
            v = r.choice([0, 1, -1, 2, 3, 5, 7, 42, 100, -128, 255, 65536, 2**31, 2**62,
                          2**63 - 1, -(2**63), r.randint(-1000, 1000)])
            return self.both(repr(v), f"exp.int_val({v!r})")
        if t == "float":
            v = r.choice([0.0, 1.0, -1.5, 2.5, 0.1, 1e10, -3.75, 1e-5, 100.25])
            return self.both(repr(v), f"exp.float_val({v!r})")
        if t == "str":
            v = r.choice(["", "a", "hello", "abc", "Hello", "zz", "b", "x" * 40, "héllo"])
            return self.both(repr(v), f"exp.string_val({v!r})")
        if t == "blob":
            v = r.choice([b"", b"\x01", b"\x01\x02\xff", b"\x00\x00", bytes(range(20))])
            return self.both(repr(v), f"exp.blob_val({v!r})")
        if t == "bool":
            v = r.choice([True, False])
            return self.both(repr(v), f"exp.bool_val({v!r})")
        if t == "list":
            v = r.choice([[], [1], [1, 2, 3], [5, 1], ["a", "b"], [1, "a", [2]], [9, 5, 1, 3]])
            return self.both(repr(v), f"exp.list_val({v!r})")
        if t == "map":
            v = r.choice([{}, {"a": 1}, {"k": [1, 2]}, {1: "x"}])
            return self.both(repr(v), f"exp.map_val({v!r})")
        if t == "nil":
            return Rendered("exp.nil()", "None")
        raise ValueError(t)

    def both(self, official: str, ours_builder: str) -> Rendered:
        # Literals go in raw half of the time (builders wrap plain values).
        return Rendered(ours_builder if self.rng.random() < 0.5 else official, official)

    def int_literal(self, lo: int, hi: int) -> str:
        return str(self.rng.randint(lo, hi))

    def fresh_var(self) -> str:
        self.var_counter += 1
        return f"v{self.var_counter}"


@dataclass
class Template:
    result: T
    ours: str  # format string; {0}, {1}, ... are the arguments
    official: str
    args: tuple[str, ...]  # argument types, or "lit:<kind>" for static literals
    variadic: bool = False
    needs: Callable[[Gen], bool] | None = None

    @property
    def is_call(self) -> bool:
        """A list/map/bit/HLL expression (a CALL, run by the CDT engine)."""
        return any(f in self.ours for f in ("exp.list_", "exp.map_", "exp.bit_", "exp.hll_",
                                            "exp.in_list"))

    def enabled(self, g: Gen) -> bool:
        return self.needs is None or self.needs(g)

    def render(self, g: Gen, depth: int) -> Rendered:
        args = list(self.args)
        if self.variadic:
            args = args + [args[-1]] * g.rng.randint(0, 2)
        ours, off = [], []
        for a in args:
            if a.startswith("lit:"):
                text = LITERALS[a[4:]](g)
                ours.append(text)
                off.append(_off(text))
            else:
                bin_slot = a.startswith("@")
                r = g.expr(a.lstrip("@"), depth)
                if bin_slot and r.ours[:1] in ("'", '"'):
                    # A bare str in a bin slot names a bin; the tree means a value.
                    r = Rendered(f"exp.string_val({r.ours})", r.official)
                ours.append(r.ours)
                # The official builders take a bin slot's value only as an
                # expression (a str there is a bin name): wrap literals.
                off.append(f"e.Val({r.official})" if bin_slot and not r.official.startswith("e.")
                           else r.official)
        if self.variadic:
            return Rendered(self.ours.format(", ".join(ours)), self.official.format(", ".join(off)))
        return Rendered(self.ours.format(*ours), self.official.format(*off))


LITERALS: dict[str, Callable[[Gen], str]] = {
    "small": lambda g: g.int_literal(-3, 6),
    "count": lambda g: g.int_literal(0, 4),
    "mod": lambda g: str(g.rng.choice([1, 2, 3, 7, 100, -5])),
    "shift": lambda g: str(g.rng.choice([0, 1, 3, 63, 64, 65, -1])),
    "regex": lambda g: repr(g.rng.choice(["^h", "l+o$", "^$", "[a-c]", "HEL", "x{2,}", ".*"])),
    "rflags": lambda g: str(g.rng.choice([0, 1, 2, 3, 4, 8])),
    "list_rt_multi": lambda g: g.rng.choice(["c.LIST_RETURN_VALUE", "c.LIST_RETURN_INDEX",
                                             "c.LIST_RETURN_RANK", "c.LIST_RETURN_REVERSE_INDEX"]),
    "map_rt_multi": lambda g: g.rng.choice(["c.MAP_RETURN_VALUE", "c.MAP_RETURN_KEY",
                                            "c.MAP_RETURN_INDEX", "c.MAP_RETURN_RANK"]),
    "map_rt_map": lambda g: g.rng.choice(["c.MAP_RETURN_KEY_VALUE", "c.MAP_RETURN_ORDERED_MAP",
                                          "c.MAP_RETURN_UNORDERED_MAP"]),
    "bool": lambda g: g.rng.choice(["True", "False"]),
}


def _t(result: T, ours: str, official: str, *args: str, variadic: bool = False,
       needs: Callable[[Gen], bool] | None = None) -> Template:
    return Template(result, ours, official, args, variadic, needs)


_NUMERIC_VARGS = [("num_add", "Add"), ("num_sub", "Sub"), ("num_mul", "Mul"), ("num_div", "Div"),
                  ("min_", "Min"), ("max_", "Max")]
_CMP = [("eq", "Eq"), ("ne", "NE"), ("gt", "GT"), ("ge", "GE"), ("lt", "LT"), ("le", "LE")]
def _off(s: str) -> str:
    return s.replace("c.LIST_", "aerospike.LIST_").replace("c.MAP_", "aerospike.MAP_")


TEMPLATES: dict[T, list[Template]] = {t: [] for t in
                                      ("int", "float", "str", "bool", "blob", "list", "map", "nil")}


def _add(tmpl: Template) -> None:
    # The last argument of a list/map/bit/HLL builder is its bin.
    if any(f in tmpl.ours for f in ("exp.list_", "exp.map_", "exp.bit_", "exp.hll_")) and \
            tmpl.args and tmpl.args[-1] in ("list", "map", "blob") and \
            not tmpl.ours.startswith(("exp.map_keys", "exp.map_values")):
        tmpl.args = tmpl.args[:-1] + ("@" + tmpl.args[-1],)
    TEMPLATES[tmpl.result].append(tmpl)


for ours, off in _NUMERIC_VARGS:
    for t in ("int", "float"):
        _add(_t(t, f"exp.{ours}({{}})", f"e.{off}({{}})", t, variadic=True))
for t in ("int", "float"):
    _add(_t(t, "exp.num_abs({0})", "e.Abs({0})", t))
_add(_t("int", "exp.num_mod({0}, {1})", "e.Mod({0}, {1})", "int", "int"))
_add(_t("float", "exp.num_pow({0}, {1})", "e.Pow({0}, {1})", "float", "float"))
_add(_t("float", "exp.num_log({0}, {1})", "e.Log({0}, {1})", "float", "float"))
_add(_t("float", "exp.num_floor({0})", "e.Floor({0})", "float"))
_add(_t("float", "exp.num_ceil({0})", "e.Ceil({0})", "float"))
_add(_t("int", "exp.to_int({0})", "e.ToInt({0})", "float"))
_add(_t("float", "exp.to_float({0})", "e.ToFloat({0})", "int"))
for ours, off in (("int_and", "IntAnd"), ("int_or", "IntOr"), ("int_xor", "IntXOr")):
    _add(_t("int", f"exp.{ours}({{}})", f"e.{off}({{}})", "int", variadic=True))
_add(_t("int", "exp.int_not({0})", "e.IntNot({0})", "int"))
_add(_t("int", "exp.int_count({0})", "e.IntCount({0})", "int"))
for ours, off in (("int_lshift", "IntLeftShift"), ("int_rshift", "IntRightShift"),
                  ("int_arshift", "IntArithmeticRightShift")):
    _add(_t("int", f"exp.{ours}({{0}}, {{1}})", f"e.{off}({{0}}, {{1}})", "int", "lit:shift"))
_add(_t("int", "exp.int_lscan({0}, {1})", "e.IntLeftScan({0}, {1})", "int", "bool"))
_add(_t("int", "exp.int_rscan({0}, {1})", "e.IntRightScan({0}, {1})", "int", "bool"))
_add(_t("int", "exp.digest_modulo({0})", "e.DigestMod({0})", "lit:mod"))
_add(_t("int", "exp.record_size()", "e.RecordSize()"))
_add(_t("int", "exp.bin_type({0})", "e.BinType({0})", "lit:binname"))
_add(_t("str", "exp.set_name()", "e.SetName()"))
_add(_t("bool", "exp.key_exists()", "e.KeyExists()"))
_add(_t("bool", "exp.is_tombstone()", "e.IsTombstone()"))
_add(_t("bool", "exp.bin_exists({0})", "e.BinExists({0})", "lit:binname"))
_add(_t("int", "exp.key(exp.EXP_TYPE_INT)", "e.KeyInt()"))
_add(_t("str", "exp.key(exp.EXP_TYPE_STRING)", "e.KeyStr()"))
for ours, off in _CMP:
    for t in ("int", "float", "str", "blob", "bool", "list", "nil"):
        _add(_t("bool", f"exp.{ours}({{0}}, {{1}})", f"e.{off}({{0}}, {{1}})", t, t))
    _add(_t("bool", f"exp.{ours}({{0}}, {{1}})", f"e.{off}({{0}}, {{1}})", "map", "map"))
_add(_t("bool", "exp.and_({})", "e.And({})", "bool", "bool", variadic=True))
_add(_t("bool", "exp.or_({})", "e.Or({})", "bool", "bool", variadic=True))
_add(_t("bool", "exp.xor_({})", "e.Exclusive({})", "bool", "bool", variadic=True))
_add(_t("bool", "exp.not_({0})", "e.Not({0})", "bool"))
_add(_t("bool", "exp.regex_compare({0}, {1}, {2})", "e.CmpRegex({1}, {0}, {2})",
        "lit:regex", "lit:rflags", "str"))
_add(_t("bool", "exp.in_list({0}, {1})", "e.InList({0}, {1})", "int", "list"))
_add(_t("bool", "exp.in_list({0}, {1})", "e.InList({0}, {1})", "str", "list"))
_add(_t("list", "exp.map_keys({0})", "e.MapGetKeys({0})", "map"))
_add(_t("list", "exp.map_values({0})", "e.MapGetValues({0})", "map"))
# Lists.
_add(_t("int", "exp.list_size({0})", "e.ListSize(None, {0})", "list"))
_add(_t("int", "exp.list_get_by_index(c.LIST_RETURN_VALUE, exp.EXP_TYPE_INT, {0}, {1})",
        "e.ListGetByIndex(None, aerospike.LIST_RETURN_VALUE, e.ResultType.INTEGER, {0}, {1})",
        "int", "list"))
_add(_t("str", "exp.list_get_by_index(c.LIST_RETURN_VALUE, exp.EXP_TYPE_STRING, {0}, {1})",
        "e.ListGetByIndex(None, aerospike.LIST_RETURN_VALUE, e.ResultType.STRING, {0}, {1})",
        "lit:small", "list"))
_add(_t("int", "exp.list_get_by_rank(c.LIST_RETURN_VALUE, exp.EXP_TYPE_INT, {0}, {1})",
        "e.ListGetByRank(None, aerospike.LIST_RETURN_VALUE, e.ResultType.INTEGER, {0}, {1})",
        "lit:small", "list"))
_add(_t("int", "exp.list_get_by_value(c.LIST_RETURN_COUNT, {0}, {1})",
        "e.ListGetByValue(None, aerospike.LIST_RETURN_COUNT, {0}, {1})", "int", "list"))
_add(_t("bool", "exp.list_get_by_value(c.LIST_RETURN_EXISTS, {0}, {1})",
        "e.ListGetByValue(None, aerospike.LIST_RETURN_EXISTS, {0}, {1})", "int", "list"))
_add(_t("list", "exp.list_get_by_value_range({0}, {1}, {2}, {3})",
        "e.ListGetByValueRange(None, {0}, {1}, {2}, {3})",
        "lit:list_rt_multi", "int", "int", "list"))
_add(_t("list", "exp.list_get_by_value_list({0}, {1}, {2})",
        "e.ListGetByValueList(None, {0}, {1}, {2})", "lit:list_rt_multi", "list", "list"))
_add(_t("list", "exp.list_get_by_index_range({0}, {1}, {2}, {3})",
        "e.ListGetByIndexRange(None, {0}, {1}, {2}, {3})",
        "lit:list_rt_multi", "lit:small", "lit:count", "list"))
_add(_t("list", "exp.list_get_by_index_range_to_end({0}, {1}, {2})",
        "e.ListGetByIndexRangeToEnd(None, {0}, {1}, {2})", "lit:list_rt_multi", "lit:small",
        "list"))
_add(_t("list", "exp.list_get_by_rank_range({0}, {1}, {2}, {3})",
        "e.ListGetByRankRange(None, {0}, {1}, {2}, {3})",
        "lit:list_rt_multi", "lit:small", "lit:count", "list"))
_add(_t("list", "exp.list_get_by_rank_range_to_end({0}, {1}, {2})",
        "e.ListGetByRankRangeToEnd(None, {0}, {1}, {2})", "lit:list_rt_multi", "lit:small",
        "list"))
_add(_t("list", "exp.list_get_by_value_rel_rank_range({0}, {1}, {2}, {3}, {4})",
        "e.ListGetByValueRelRankRange(None, {0}, {1}, {2}, {3}, {4})",
        "lit:list_rt_multi", "int", "lit:small", "lit:count", "list"))
_add(_t("list", "exp.list_get_by_value_rel_rank_range_to_end({0}, {1}, {2}, {3})",
        "e.ListGetByValueRelRankRangeToEnd(None, {0}, {1}, {2}, {3})",
        "lit:list_rt_multi", "int", "lit:small", "list"))
_add(_t("list", "exp.list_append({0}, {1})", "e.ListAppend(None, None, {0}, {1})", "int", "list"))
_add(_t("list", "exp.list_append_items({0}, {1})", "e.ListAppendItems(None, None, {0}, {1})",
        "list", "list"))
_add(_t("list", "exp.list_insert({0}, {1}, {2})", "e.ListInsert(None, None, {0}, {1}, {2})",
        "lit:small", "int", "list"))
_add(_t("list", "exp.list_insert_items({0}, {1}, {2})",
        "e.ListInsertItems(None, None, {0}, {1}, {2})", "lit:small", "list", "list"))
_add(_t("list", "exp.list_increment({0}, {1}, {2})", "e.ListIncrement(None, None, {0}, {1}, {2})",
        "lit:small", "int", "list"))
_add(_t("list", "exp.list_set({0}, {1}, {2})", "e.ListSet(None, None, {0}, {1}, {2})",
        "lit:small", "int", "list"))
_add(_t("list", "exp.list_clear({0})", "e.ListClear(None, {0})", "list"))
_add(_t("list", "exp.list_sort({0}, {1})", "e.ListSort(None, {0}, {1})", "lit:sortflags", "list"))
_add(_t("list", "exp.list_remove_by_value({0}, {1})", "e.ListRemoveByValue(None, {0}, {1})",
        "int", "list"))
_add(_t("list", "exp.list_remove_by_value_list({0}, {1})",
        "e.ListRemoveByValueList(None, {0}, {1})", "list", "list"))
_add(_t("list", "exp.list_remove_by_value_range({0}, {1}, {2})",
        "e.ListRemoveByValueRange(None, {0}, {1}, {2})", "int", "int", "list"))
_add(_t("list", "exp.list_remove_by_index({0}, {1})", "e.ListRemoveByIndex(None, {0}, {1})",
        "lit:small", "list"))
_add(_t("list", "exp.list_remove_by_index_range({0}, {1}, {2})",
        "e.ListRemoveByIndexRange(None, {0}, {1}, {2})", "lit:small", "lit:count", "list"))
_add(_t("list", "exp.list_remove_by_rank({0}, {1})", "e.ListRemoveByRank(None, {0}, {1})",
        "lit:small", "list"))
_add(_t("list", "exp.list_remove_by_rank_range_to_end({0}, {1})",
        "e.ListRemoveByRankRangeToEnd(None, {0}, {1})", "lit:small", "list"))
# Maps.
_add(_t("int", "exp.map_size({0})", "e.MapSize(None, {0})", "map"))
_add(_t("int", "exp.map_get_by_key(c.MAP_RETURN_VALUE, exp.EXP_TYPE_INT, {0}, {1})",
        "e.MapGetByKey(None, aerospike.MAP_RETURN_VALUE, e.ResultType.INTEGER, {0}, {1})",
        "str", "map"))
_add(_t("str", "exp.map_get_by_index(c.MAP_RETURN_KEY, exp.EXP_TYPE_STRING, {0}, {1})",
        "e.MapGetByIndex(None, aerospike.MAP_RETURN_KEY, e.ResultType.STRING, {0}, {1})",
        "lit:small", "map"))
_add(_t("int", "exp.map_get_by_rank(c.MAP_RETURN_VALUE, exp.EXP_TYPE_INT, {0}, {1})",
        "e.MapGetByRank(None, aerospike.MAP_RETURN_VALUE, e.ResultType.INTEGER, {0}, {1})",
        "lit:small", "map"))
_add(_t("list", "exp.map_get_by_key_range({0}, {1}, {2}, {3})",
        "e.MapGetByKeyRange(None, {0}, {1}, {2}, {3})", "lit:map_rt_multi", "str", "str", "map"))
_add(_t("map", "exp.map_get_by_key_list({0}, {1}, {2})",
        "e.MapGetByKeyList(None, {0}, {1}, {2})", "lit:map_rt_map", "list", "map"))
_add(_t("list", "exp.map_get_by_value({0}, {1}, {2})", "e.MapGetByValue(None, {0}, {1}, {2})",
        "lit:map_rt_multi", "int", "map"))
_add(_t("list", "exp.map_get_by_value_range({0}, {1}, {2}, {3})",
        "e.MapGetByValueRange(None, {0}, {1}, {2}, {3})", "lit:map_rt_multi", "int", "int", "map"))
_add(_t("list", "exp.map_get_by_index_range({0}, {1}, {2}, {3})",
        "e.MapGetByIndexRange(None, {0}, {1}, {2}, {3})",
        "lit:map_rt_multi", "lit:small", "lit:count", "map"))
_add(_t("map", "exp.map_get_by_rank_range_to_end({0}, {1}, {2})",
        "e.MapGetByRankRangeToEnd(None, {0}, {1}, {2})", "lit:map_rt_map", "lit:small", "map"))
_add(_t("list", "exp.map_get_by_key_rel_index_range({0}, {1}, {2}, {3}, {4})",
        "e.MapGetByKeyRelIndexRange(None, {0}, {1}, {2}, {3}, {4})",
        "lit:map_rt_multi", "str", "lit:small", "lit:count", "map"))
_add(_t("list", "exp.map_get_by_value_rel_rank_range_to_end({0}, {1}, {2}, {3})",
        "e.MapGetByValueRelRankRangeToEnd(None, {0}, {1}, {2}, {3})",
        "lit:map_rt_multi", "int", "lit:small", "map"))
_add(_t("map", "exp.map_put({0}, {1}, {2})", "e.MapPut(None, None, {0}, {1}, {2})",
        "str", "int", "map"))
_add(_t("map", "exp.map_put_items({0}, {1})", "e.MapPutItems(None, None, {0}, {1})",
        "map", "map"))
_add(_t("map", "exp.map_increment({0}, {1}, {2})", "e.MapIncrement(None, None, {0}, {1}, {2})",
        "str", "int", "map"))
_add(_t("map", "exp.map_clear({0})", "e.MapClear(None, {0})", "map"))
_add(_t("map", "exp.map_remove_by_key({0}, {1})", "e.MapRemoveByKey(None, {0}, {1})",
        "str", "map"))
_add(_t("map", "exp.map_remove_by_key_list({0}, {1})", "e.MapRemoveByKeyList(None, {0}, {1})",
        "list", "map"))
_add(_t("map", "exp.map_remove_by_value({0}, {1})", "e.MapRemoveByValue(None, {0}, {1})",
        "int", "map"))
_add(_t("map", "exp.map_remove_by_index_range({0}, {1}, {2})",
        "e.MapRemoveByIndexRange(None, {0}, {1}, {2})", "lit:small", "lit:count", "map"))
_add(_t("map", "exp.map_remove_by_rank_range_to_end({0}, {1})",
        "e.MapRemoveByRankRangeToEnd(None, {0}, {1})", "lit:small", "map"))
# Blobs (bit expressions) and HLLs.
_add(_t("blob", "exp.bit_get({0}, {1}, {2})", "e.BitGet({0}, {1}, {2})",
        "lit:bitoff", "lit:bitsize", "blob"))
_add(_t("int", "exp.bit_count({0}, {1}, {2})", "e.BitCount({0}, {1}, {2})",
        "lit:bitoff", "lit:bitsize", "blob"))
_add(_t("int", "exp.bit_lscan({0}, {1}, {2}, {3})", "e.BitLeftScan({0}, {1}, {2}, {3})",
        "lit:bitoff", "lit:bitsize", "lit:bool", "blob"))
_add(_t("int", "exp.bit_rscan({0}, {1}, {2}, {3})", "e.BitRightScan({0}, {1}, {2}, {3})",
        "lit:bitoff", "lit:bitsize", "lit:bool", "blob"))
_add(_t("int", "exp.bit_get_int({0}, {1}, {2}, {3})", "e.BitGetInt({0}, {1}, {2}, {3})",
        "lit:bitoff", "lit:intsize", "lit:bool", "blob"))
for ours, off in (("bit_set", "BitSet"), ("bit_or", "BitOr"), ("bit_xor", "BitXor"),
                  ("bit_and", "BitAnd")):
    _add(_t("blob", f"exp.{ours}({{0}}, {{1}}, {{2}}, {{3}})",
            f"e.{off}(None, {{0}}, {{1}}, {{2}}, {{3}})", "lit:bitoff", "lit:bitsize",
            "lit:bytes", "blob"))
_add(_t("blob", "exp.bit_not({0}, {1}, {2})", "e.BitNot(None, {0}, {1}, {2})",
        "lit:bitoff", "lit:bitsize", "blob"))
_add(_t("blob", "exp.bit_lshift({0}, {1}, {2}, {3})", "e.BitLeftShift(None, {0}, {1}, {2}, {3})",
        "lit:bitoff", "lit:bitsize", "lit:count", "blob"))
_add(_t("blob", "exp.bit_resize({0}, {1}, {2})", "e.BitResize(None, {0}, {1}, {2})",
        "lit:count", "lit:resize", "blob"))
_add(_t("blob", "exp.bit_insert({0}, {1}, {2})", "e.BitInsert(None, {0}, {1}, {2})",
        "lit:count", "lit:bytes", "blob"))
_add(_t("blob", "exp.bit_add({0}, {1}, {2}, {3}, {4})", "e.BitAdd(None, {0}, {1}, {2}, {3}, {4})",
        "lit:bitoff", "lit:intsize", "lit:small", "lit:overflow", "blob"))
_add(_t("int", "exp.hll_get_count(exp.hll_init(8, exp.hll_bin('nohll')))",
        "e.HLLGetCount(e.HLLInit(None, 8, None, e.HLLBin('nohll')))"))
_add(_t("int", "exp.hll_get_count(exp.hll_add({0}, exp.hll_bin('nohll'), 8))",
        "e.HLLGetCount(e.HLLAdd(None, {0}, 8, None, e.HLLBin('nohll')))", "list"))
_add(_t("list", "exp.hll_describe(exp.hll_add({0}, exp.hll_bin('nohll'), 10, 4))",
        "e.HLLDescribe(e.HLLAdd(None, {0}, 10, 4, e.HLLBin('nohll')))", "list"))
# Control flow, for every type.
for t in ("int", "float", "str", "bool", "list", "map", "blob"):
    _add(_t(t, "exp.cond({0}, {1}, {2})", "e.Cond({0}, {1}, {2})", "bool", t, t))
    _add(_t(t, "exp.cond({0}, {1}, {2}, {3}, {4})", "e.Cond({0}, {1}, {2}, {3}, {4})",
            "bool", t, "bool", t, t))

LITERALS.update({
    "binname": lambda g: repr(g.rng.choice(INT_BINS + STR_BINS + LIST_BINS + OTHER_BINS)),
    "sortflags": lambda g: str(g.rng.choice([0, 1, 2, 3])),
    "bitoff": lambda g: str(g.rng.choice([0, 1, 4, 8, 15, 23, 24, 40])),
    "bitsize": lambda g: str(g.rng.choice([1, 3, 8, 9, 16, 24, 0])),
    "intsize": lambda g: str(g.rng.choice([1, 4, 8, 16, 63, 64, 65])),
    "bytes": lambda g: repr(g.rng.choice([b"\xff", b"\x0f", b"\xaa\x55", b""])),
    "resize": lambda g: str(g.rng.choice([0, 1, 2, 4, 3])),
    "overflow": lambda g: str(g.rng.choice([0, 2, 4])),
})


def let_expr(g: Gen, t: T) -> Rendered:
    """let(v = <expr>, <scope of type t using v>)."""
    vt = g.rng.choice(["int", "str", "list", "bool", "float"])
    value = g.expr(vt, 1)
    name = g.fresh_var()
    g.vars.append((name, vt))
    try:
        scope = g.expr(t, 0)
    finally:
        g.vars.pop()
    return Rendered(f"exp.let_(exp.def_({name!r}, {value.ours}), {scope.ours})",
                    f"e.Let(e.Def({name!r}, {value.official}), {scope.official})")


def generate(rng: random.Random, n: int, calls: bool = True) -> list[Rendered]:
    """`n` trees: filters (bool) and values of every type, some in lets;
    `calls`: include list/map/bit/HLL expressions."""
    g = Gen(rng, calls=calls)
    types = ["bool", "bool", "int", "int", "float", "str", "list", "map", "blob"]
    out = []
    for _ in range(n):
        t = rng.choice(types)
        if rng.random() < 0.15:
            out.append(let_expr(g, t))
        else:
            out.append(g.expr(t))
    return out
