"""Expressions written twice: with aerospike_py.exp and with the official
client's aerospike_helpers.expressions, for the byte-equality checks.

Each case is ``(ours, official)``: two Python expressions as text, ``ours``
evaluated with ``exp`` (aerospike_py.exp) and ``c`` (aerospike_py
constants) in scope, ``official`` with ``e`` (aerospike_helpers.expressions),
``aerospike`` and ``ctx`` (aerospike_helpers.cdt_ctx). ``exp_ctx`` on our
side builds context steps as ``{"id": ..., "value": ...}`` dicts. The official side is
compiled by the official client (``get_expression_base64``); the two must
give the same bytes. tests/unit/data/make_expression_wire.py records the
official bytes into tests/unit/data/expression_wire.json (so the unit test
needs no official client); tests/referee/test_referee_expressions.py checks
the same table live.
"""

from __future__ import annotations

CASES: list[tuple[str, str]] = []


class exp_ctx:  # noqa: N801 - a namespace of context-step builders for the cases
    """Context steps as the dicts aerospike_py.exp accepts."""

    @staticmethod
    def list_index(i: int) -> dict[str, int]:
        return {"id": 0x10, "value": i}

    @staticmethod
    def list_rank(i: int) -> dict[str, int]:
        return {"id": 0x11, "value": i}

    @staticmethod
    def map_index(i: int) -> dict[str, int]:
        return {"id": 0x20, "value": i}

    @staticmethod
    def map_key(k: object) -> dict[str, object]:
        return {"id": 0x22, "value": k}


def case(ours: str, official: str) -> None:
    CASES.append((ours, official))


# -- values -----------------------------------------------------------------
for v in ["0", "1", "127", "128", "255", "256", "65535", "65536", "2**32 - 1", "2**32",
          "2**63 - 1", "-1", "-32", "-33", "-128", "-129", "-32768", "-32769",
          "-2**31", "-2**31 - 1", "-2**63"]:
    case(f"exp.eq(exp.int_bin('a'), exp.int_val({v}))", f"e.Eq(e.IntBin('a'), {v})")
    case(f"exp.eq(exp.int_bin('a'), {v})", f"e.Eq(e.IntBin('a'), {v})")
for v in ["0.0", "-0.0", "1.5", "-2.25", "1e300", "float('inf')", "float('-inf')", "3.0"]:
    case(f"exp.eq(exp.float_bin('f'), exp.float_val({v}))", f"e.Eq(e.FloatBin('f'), {v})")
for s in ["''", "'a'", "'x' * 30", "'x' * 31", "'x' * 32", "'x' * 254", "'x' * 255",
          "'x' * 256", "'x' * 65534", "'x' * 65535", "'héllo ☃'"]:
    case(f"exp.eq(exp.string_bin('s'), exp.string_val({s}))", f"e.Eq(e.StrBin('s'), {s})")
for b in ["b''", "b'\\x00\\x01'", "b'z' * 31", "b'z' * 300"]:
    case(f"exp.eq(exp.blob_bin('b'), exp.blob_val({b}))", f"e.Eq(e.BlobBin('b'), {b})")
case("exp.eq(exp.bool_bin('t'), exp.bool_val(True))", "e.Eq(e.BoolBin('t'), True)")
case("exp.eq(exp.bool_bin('t'), False)", "e.Eq(e.BoolBin('t'), False)")
case("exp.eq(exp.list_bin('l'), exp.list_val([1, 'a', b'b', 2.5, None, True, [1, [2]]]))",
     "e.Eq(e.ListBin('l'), [1, 'a', b'b', 2.5, None, True, [1, [2]]])")
case("exp.eq(exp.list_bin('l'), exp.list_val([]))", "e.Eq(e.ListBin('l'), [])")
case("exp.eq(exp.list_bin('l'), exp.list_val(list(range(20))))",
     "e.Eq(e.ListBin('l'), list(range(20)))")
case("exp.eq(exp.map_bin('m'), exp.map_val({'k': 1}))", "e.Eq(e.MapBin('m'), {'k': 1})")
case("exp.eq(exp.map_bin('m'), exp.map_val({}))", "e.Eq(e.MapBin('m'), {})")
case("exp.eq(exp.map_bin('m'), {1: [1, 2]})", "e.Eq(e.MapBin('m'), {1: [1, 2]})")
case("exp.eq(exp.nil(), exp.nil())", "e.Eq(None, None)")
case("exp.geo_compare(exp.geo_bin('g'), exp.geo_val('{\"type\": \"Point\", \"coordinates\": [1, 2]}'))",
     "e.CmpGeo(e.GeoBin('g'), aerospike.GeoJSON({'type': 'Point', 'coordinates': [1, 2]}))")

# -- bins, metadata ------------------------------------------------------------
for ours, off in [("int_bin", "IntBin"), ("float_bin", "FloatBin"), ("string_bin", "StrBin"),
                  ("bool_bin", "BoolBin"), ("blob_bin", "BlobBin"), ("list_bin", "ListBin"),
                  ("map_bin", "MapBin"), ("geo_bin", "GeoBin"), ("hll_bin", "HLLBin")]:
    # Bytes only: the server refuses comparing geo or HLL values.
    case(f"exp.ne(exp.{ours}('bin1'), exp.{ours}('b2'))", f"e.NE(e.{off}('bin1'), e.{off}('b2'))")
case("exp.bin_exists('name')", "e.BinExists('name')")
case("exp.eq(exp.bin_type('name'), 3)", "e.Eq(e.BinType('name'), 3)")
case("exp.eq(exp.bin_type('x' * 15), 0)", "e.Eq(e.BinType('x' * 15), 0)")
case("exp.eq(exp.key(exp.EXP_TYPE_INT), 5)", "e.Eq(e.KeyInt(), 5)")
case("exp.eq(exp.key_str(), 'k')", "e.Eq(e.KeyStr(), 'k')")
case("exp.eq(exp.key_blob(), b'k')", "e.Eq(e.KeyBlob(), b'k')")
case("exp.key_exists()", "e.KeyExists()")
case("exp.eq(exp.set_name(), 'demo')", "e.Eq(e.SetName(), 'demo')")
case("exp.gt(exp.record_size(), 0)", "e.GT(e.RecordSize(), 0)")
case("exp.gt(exp.device_size(), 0)", "e.GT(e.DeviceSize(), 0)")
case("exp.gt(exp.memory_size(), 0)", "e.GT(e.MemorySize(), 0)")
case("exp.gt(exp.last_update(), 0)", "e.GT(e.LastUpdateTime(), 0)")
case("exp.gt(exp.since_update(), 0)", "e.GT(e.SinceUpdateTime(), 0)")
case("exp.gt(exp.void_time(), 0)", "e.GT(e.VoidTime(), 0)")
case("exp.gt(exp.ttl(), 0)", "e.GT(e.TTL(), 0)")
case("exp.is_tombstone()", "e.IsTombstone()")
for m in ["1", "3", "255", "1000000", "-7"]:
    case(f"exp.eq(exp.digest_modulo({m}), 0)", f"e.Eq(e.DigestMod({m}), 0)")

# -- comparisons and logic -----------------------------------------------------
for ours, off in [("eq", "Eq"), ("ne", "NE"), ("gt", "GT"), ("ge", "GE"), ("lt", "LT"),
                  ("le", "LE")]:
    case(f"exp.{ours}(exp.int_bin('a'), 7)", f"e.{off}(e.IntBin('a'), 7)")
    case(f"exp.{ours}(exp.string_bin('s'), 'x')", f"e.{off}(e.StrBin('s'), 'x')")
case("exp.and_(exp.eq(exp.int_bin('a'), 1), exp.eq(exp.int_bin('b'), 2))",
     "e.And(e.Eq(e.IntBin('a'), 1), e.Eq(e.IntBin('b'), 2))")
case("exp.or_(exp.eq(exp.int_bin('a'), 1), exp.eq(exp.int_bin('b'), 2), exp.bool_bin('t'))",
     "e.Or(e.Eq(e.IntBin('a'), 1), e.Eq(e.IntBin('b'), 2), e.BoolBin('t'))")
case("exp.and_(*[exp.eq(exp.int_bin('a'), i) for i in range(20)])",
     "e.And(*[e.Eq(e.IntBin('a'), i) for i in range(20)])")
case("exp.not_(exp.bool_bin('t'))", "e.Not(e.BoolBin('t'))")
case("exp.xor_(exp.bool_bin('t'), exp.bool_bin('u'))", "e.Exclusive(e.BoolBin('t'), e.BoolBin('u'))")
for flags in ["0", "1", "2", "3", "4", "8", "15"]:
    case(f"exp.regex_compare('^ab.*c$', {flags}, exp.string_bin('s'))",
         f"e.CmpRegex({flags}, '^ab.*c$', e.StrBin('s'))")
case("exp.regex_compare('x' * 40, 0, exp.key_str())", "e.CmpRegex(0, 'x' * 40, e.KeyStr())")
case("exp.geo_compare(exp.geo_bin('g'), exp.geo_val("
     "'{\"type\": \"AeroCircle\", \"coordinates\": [[-122.0, 37.5], 1000.0]}'))",
     "e.CmpGeo(e.GeoBin('g'), aerospike.GeoJSON({'type': 'AeroCircle', "
     "'coordinates': [[-122.0, 37.5], 1000.0]}))")

# -- arithmetic and integer bits ---------------------------------------------------
for ours, off in [("num_add", "Add"), ("num_sub", "Sub"), ("num_mul", "Mul"), ("num_div", "Div"),
                  ("min_", "Min"), ("max_", "Max")]:
    case(f"exp.eq(exp.{ours}(exp.int_bin('a'), 2, 3), 1)", f"e.Eq(e.{off}(e.IntBin('a'), 2, 3), 1)")
    case(f"exp.eq(exp.{ours}(exp.float_bin('f')), 1.0)", f"e.Eq(e.{off}(e.FloatBin('f')), 1.0)")
case("exp.eq(exp.num_mod(exp.int_bin('a'), 3), 1)", "e.Eq(e.Mod(e.IntBin('a'), 3), 1)")
case("exp.eq(exp.num_pow(exp.float_bin('f'), 2.0), 4.0)", "e.Eq(e.Pow(e.FloatBin('f'), 2.0), 4.0)")
case("exp.eq(exp.num_log(exp.float_bin('f'), 2.0), 4.0)", "e.Eq(e.Log(e.FloatBin('f'), 2.0), 4.0)")
case("exp.eq(exp.num_abs(exp.int_bin('a')), 1)", "e.Eq(e.Abs(e.IntBin('a')), 1)")
case("exp.eq(exp.num_floor(exp.float_bin('f')), 1.0)", "e.Eq(e.Floor(e.FloatBin('f')), 1.0)")
case("exp.eq(exp.num_ceil(exp.float_bin('f')), 1.0)", "e.Eq(e.Ceil(e.FloatBin('f')), 1.0)")
case("exp.eq(exp.to_int(exp.float_bin('f')), 1)", "e.Eq(e.ToInt(e.FloatBin('f')), 1)")
case("exp.eq(exp.to_float(exp.int_bin('a')), 1.0)", "e.Eq(e.ToFloat(e.IntBin('a')), 1.0)")
for ours, off in [("int_and", "IntAnd"), ("int_or", "IntOr"), ("int_xor", "IntXOr")]:
    case(f"exp.eq(exp.{ours}(exp.int_bin('a'), 0xff, 3), 1)",
         f"e.Eq(e.{off}(e.IntBin('a'), 0xff, 3), 1)")
case("exp.eq(exp.int_not(exp.int_bin('a')), 1)", "e.Eq(e.IntNot(e.IntBin('a')), 1)")
for ours, off in [("int_lshift", "IntLeftShift"), ("int_rshift", "IntRightShift"),
                  ("int_arshift", "IntArithmeticRightShift")]:
    case(f"exp.eq(exp.{ours}(exp.int_bin('a'), 3), 8)", f"e.Eq(e.{off}(e.IntBin('a'), 3), 8)")
case("exp.eq(exp.int_count(exp.int_bin('a')), 2)", "e.Eq(e.IntCount(e.IntBin('a')), 2)")
case("exp.eq(exp.int_lscan(exp.int_bin('a'), True), 2)",
     "e.Eq(e.IntLeftScan(e.IntBin('a'), True), 2)")
case("exp.eq(exp.int_rscan(exp.int_bin('a'), False), 2)",
     "e.Eq(e.IntRightScan(e.IntBin('a'), False), 2)")

# -- control flow -------------------------------------------------------------------
case("exp.eq(exp.cond(exp.bool_bin('t'), 1, exp.bool_bin('u'), 2, 3), 2)",
     "e.Eq(e.Cond(e.BoolBin('t'), 1, e.BoolBin('u'), 2, 3), 2)")
case("exp.let_(exp.def_('x', exp.int_bin('a')), exp.def_('y', 2), "
     "exp.gt(exp.var('x'), exp.var('y')))",
     "e.Let(e.Def('x', e.IntBin('a')), e.Def('y', 2), e.GT(e.Var('x'), e.Var('y')))")
case("exp.eq(exp.cond(exp.bool_bin('t'), 1, exp.unknown()), 1)",
     "e.Eq(e.Cond(e.BoolBin('t'), 1, e.Unknown()), 1)")

# -- list expressions ------------------------------------------------------------------
LB = "exp.list_bin('l')"
OLB = "e.ListBin('l')"
CTX = "[exp_ctx.list_index(1)]"
OCTX = "[ctx.cdt_ctx_list_index(1)]"
for octx_ours, octx_off in [("", "None"), (f", ctx={CTX}", OCTX),
                            (", ctx=[exp_ctx.map_key('k'), exp_ctx.list_rank(-1)]",
                             "[ctx.cdt_ctx_map_key('k'), ctx.cdt_ctx_list_rank(-1)]")]:
    case(f"exp.eq(exp.list_size({LB}{octx_ours}), 2)", f"e.Eq(e.ListSize({octx_off}, {OLB}), 2)")
    for rt, rt_name in [("c.LIST_RETURN_VALUE", "aerospike.LIST_RETURN_VALUE"),
                        ("c.LIST_RETURN_COUNT", "aerospike.LIST_RETURN_COUNT"),
                        ("c.LIST_RETURN_INDEX", "aerospike.LIST_RETURN_INDEX"),
                        ("c.LIST_RETURN_EXISTS", "aerospike.LIST_RETURN_EXISTS")]:
        case(f"exp.list_get_by_value({rt}, 3, {LB}{octx_ours})",
             f"e.ListGetByValue({octx_off}, {rt_name}, 3, {OLB})")
        case(f"exp.list_get_by_value_range({rt}, 1, 5, {LB}{octx_ours})",
             f"e.ListGetByValueRange({octx_off}, {rt_name}, 1, 5, {OLB})")
        case(f"exp.list_get_by_value_list({rt}, [1, 2], {LB}{octx_ours})",
             f"e.ListGetByValueList({octx_off}, {rt_name}, [1, 2], {OLB})")
        case(f"exp.list_get_by_value_rel_rank_range_to_end({rt}, 2, 1, {LB}{octx_ours})",
             f"e.ListGetByValueRelRankRangeToEnd({octx_off}, {rt_name}, 2, 1, {OLB})")
        case(f"exp.list_get_by_value_rel_rank_range({rt}, 2, 1, 3, {LB}{octx_ours})",
             f"e.ListGetByValueRelRankRange({octx_off}, {rt_name}, 2, 1, 3, {OLB})")
        case(f"exp.list_get_by_index_range_to_end({rt}, 1, {LB}{octx_ours})",
             f"e.ListGetByIndexRangeToEnd({octx_off}, {rt_name}, 1, {OLB})")
        case(f"exp.list_get_by_index_range({rt}, 1, 2, {LB}{octx_ours})",
             f"e.ListGetByIndexRange({octx_off}, {rt_name}, 1, 2, {OLB})")
        case(f"exp.list_get_by_rank_range_to_end({rt}, 1, {LB}{octx_ours})",
             f"e.ListGetByRankRangeToEnd({octx_off}, {rt_name}, 1, {OLB})")
        case(f"exp.list_get_by_rank_range({rt}, -2, 2, {LB}{octx_ours})",
             f"e.ListGetByRankRange({octx_off}, {rt_name}, -2, 2, {OLB})")
        case(f"exp.list_get_by_value({rt}, 3, {LB}{octx_ours}, inverted=True)",
             f"e.ListGetByValue({octx_off}, {rt_name}, 3, {OLB}, inverted=True)")
    case(f"exp.list_get_by_index(c.LIST_RETURN_VALUE, exp.EXP_TYPE_INT, 0, {LB}{octx_ours})",
         f"e.ListGetByIndex({octx_off}, aerospike.LIST_RETURN_VALUE, e.ResultType.INTEGER, 0, {OLB})")
    case(f"exp.list_get_by_index(c.LIST_RETURN_COUNT, exp.EXP_TYPE_INT, -1, {LB}{octx_ours})",
         f"e.ListGetByIndex({octx_off}, aerospike.LIST_RETURN_COUNT, e.ResultType.INTEGER, -1, {OLB})")
    case(f"exp.list_get_by_rank(c.LIST_RETURN_VALUE, exp.EXP_TYPE_STRING, 0, {LB}{octx_ours})",
         f"e.ListGetByRank({octx_off}, aerospike.LIST_RETURN_VALUE, e.ResultType.STRING, 0, {OLB})")
    for pol_ours, pol_off in [("", "None"),
                              (", policy={'order': c.LIST_ORDERED, 'flags': c.LIST_WRITE_ADD_UNIQUE}",
                               "{'list_order': aerospike.LIST_ORDERED, "
                               "'write_flags': aerospike.LIST_WRITE_ADD_UNIQUE}")]:
        case(f"exp.list_append(5, {LB}{pol_ours}{octx_ours})",
             f"e.ListAppend({octx_off}, {pol_off}, 5, {OLB})")
        case(f"exp.list_append_items([5, 6], {LB}{pol_ours}{octx_ours})",
             f"e.ListAppendItems({octx_off}, {pol_off}, [5, 6], {OLB})")
        case(f"exp.list_insert(1, 5, {LB}{pol_ours}{octx_ours})",
             f"e.ListInsert({octx_off}, {pol_off}, 1, 5, {OLB})")
        case(f"exp.list_insert_items(1, [5, 6], {LB}{pol_ours}{octx_ours})",
             f"e.ListInsertItems({octx_off}, {pol_off}, 1, [5, 6], {OLB})")
        case(f"exp.list_increment(1, 5, {LB}{pol_ours}{octx_ours})",
             f"e.ListIncrement({octx_off}, {pol_off}, 1, 5, {OLB})")
        case(f"exp.list_set(1, 5, {LB}{pol_ours}{octx_ours})",
             f"e.ListSet({octx_off}, {pol_off}, 1, 5, {OLB})")
    case(f"exp.list_clear({LB}{octx_ours})", f"e.ListClear({octx_off}, {OLB})")
    case(f"exp.list_sort(c.LIST_SORT_DROP_DUPLICATES, {LB}{octx_ours})",
         f"e.ListSort({octx_off}, aerospike.LIST_SORT_DROP_DUPLICATES, {OLB})")
    for inv in ["False", "True"]:
        case(f"exp.list_remove_by_value(3, {LB}{octx_ours}, inverted={inv})",
             f"e.ListRemoveByValue({octx_off}, 3, {OLB}, inverted={inv})")
        case(f"exp.list_remove_by_value_list([3, 4], {LB}{octx_ours}, inverted={inv})",
             f"e.ListRemoveByValueList({octx_off}, [3, 4], {OLB}, inverted={inv})")
        case(f"exp.list_remove_by_value_range(3, 9, {LB}{octx_ours}, inverted={inv})",
             f"e.ListRemoveByValueRange({octx_off}, 3, 9, {OLB}, inverted={inv})")
        case(f"exp.list_remove_by_value_rel_rank_range_to_end(3, 1, {LB}{octx_ours}, inverted={inv})",
             f"e.ListRemoveByValueRelRankToEnd({octx_off}, 3, 1, {OLB}, inverted={inv})")
        case(f"exp.list_remove_by_value_rel_rank_range(3, 1, 2, {LB}{octx_ours}, inverted={inv})",
             f"e.ListRemoveByValueRelRankRange({octx_off}, 3, 1, 2, {OLB}, inverted={inv})")
        case(f"exp.list_remove_by_index_range_to_end(1, {LB}{octx_ours}, inverted={inv})",
             f"e.ListRemoveByIndexRangeToEnd({octx_off}, 1, {OLB}, inverted={inv})")
        case(f"exp.list_remove_by_index_range(1, 2, {LB}{octx_ours}, inverted={inv})",
             f"e.ListRemoveByIndexRange({octx_off}, 1, 2, {OLB}, inverted={inv})")
        case(f"exp.list_remove_by_rank_range_to_end(1, {LB}{octx_ours}, inverted={inv})",
             f"e.ListRemoveByRankRangeToEnd({octx_off}, 1, {OLB}, inverted={inv})")
        case(f"exp.list_remove_by_rank_range(1, 2, {LB}{octx_ours}, inverted={inv})",
             f"e.ListRemoveByRankRange({octx_off}, 1, 2, {OLB}, inverted={inv})")
    case(f"exp.list_remove_by_index(0, {LB}{octx_ours})",
         f"e.ListRemoveByIndex({octx_off}, 0, {OLB})")
    case(f"exp.list_remove_by_rank(0, {LB}{octx_ours})",
         f"e.ListRemoveByRank({octx_off}, 0, {OLB})")
case("exp.in_list(5, exp.list_bin('l'))", "e.InList(5, e.ListBin('l'))")
case("exp.eq(exp.list_size('l'), 1)", "e.Eq(e.ListSize(None, 'l'), 1)")

# -- map expressions ----------------------------------------------------------------------
MB = "exp.map_bin('m')"
OMB = "e.MapBin('m')"
for octx_ours, octx_off in [("", "None"), (", ctx=[exp_ctx.map_key('inner')]",
                                           "[ctx.cdt_ctx_map_key('inner')]"),
                            (", ctx=[exp_ctx.list_index(0), exp_ctx.map_index(-1)]",
                             "[ctx.cdt_ctx_list_index(0), ctx.cdt_ctx_map_index(-1)]")]:
    case(f"exp.eq(exp.map_size({MB}{octx_ours}), 2)", f"e.Eq(e.MapSize({octx_off}, {OMB}), 2)")
    for rt, rt_name in [("c.MAP_RETURN_VALUE", "aerospike.MAP_RETURN_VALUE"),
                        ("c.MAP_RETURN_KEY", "aerospike.MAP_RETURN_KEY"),
                        ("c.MAP_RETURN_KEY_VALUE", "aerospike.MAP_RETURN_KEY_VALUE"),
                        ("c.MAP_RETURN_COUNT", "aerospike.MAP_RETURN_COUNT"),
                        ("c.MAP_RETURN_RANK", "aerospike.MAP_RETURN_RANK"),
                        ("c.MAP_RETURN_EXISTS", "aerospike.MAP_RETURN_EXISTS"),
                        ("c.MAP_RETURN_ORDERED_MAP", "aerospike.MAP_RETURN_ORDERED_MAP")]:
        case(f"exp.map_get_by_key_range({rt}, 'a', 'm', {MB}{octx_ours})",
             f"e.MapGetByKeyRange({octx_off}, {rt_name}, 'a', 'm', {OMB})")
        case(f"exp.map_get_by_key_list({rt}, ['a', 'b'], {MB}{octx_ours})",
             f"e.MapGetByKeyList({octx_off}, {rt_name}, ['a', 'b'], {OMB})")
        case(f"exp.map_get_by_key_rel_index_range_to_end({rt}, 'a', 1, {MB}{octx_ours})",
             f"e.MapGetByKeyRelIndexRangeToEnd({octx_off}, {rt_name}, 'a', 1, {OMB})")
        case(f"exp.map_get_by_key_rel_index_range({rt}, 'a', 1, 2, {MB}{octx_ours})",
             f"e.MapGetByKeyRelIndexRange({octx_off}, {rt_name}, 'a', 1, 2, {OMB})")
        case(f"exp.map_get_by_value({rt}, 5, {MB}{octx_ours})",
             f"e.MapGetByValue({octx_off}, {rt_name}, 5, {OMB})")
        case(f"exp.map_get_by_value_range({rt}, 5, 10, {MB}{octx_ours})",
             f"e.MapGetByValueRange({octx_off}, {rt_name}, 5, 10, {OMB})")
        case(f"exp.map_get_by_value_list({rt}, [5, 6], {MB}{octx_ours})",
             f"e.MapGetByValueList({octx_off}, {rt_name}, [5, 6], {OMB})")
        case(f"exp.map_get_by_value_rel_rank_range_to_end({rt}, 5, 1, {MB}{octx_ours})",
             f"e.MapGetByValueRelRankRangeToEnd({octx_off}, {rt_name}, 5, 1, {OMB})")
        case(f"exp.map_get_by_value_rel_rank_range({rt}, 5, 1, 2, {MB}{octx_ours})",
             f"e.MapGetByValueRelRankRange({octx_off}, {rt_name}, 5, 1, 2, {OMB})")
        case(f"exp.map_get_by_index_range_to_end({rt}, 1, {MB}{octx_ours})",
             f"e.MapGetByIndexRangeToEnd({octx_off}, {rt_name}, 1, {OMB})")
        case(f"exp.map_get_by_index_range({rt}, 1, 2, {MB}{octx_ours})",
             f"e.MapGetByIndexRange({octx_off}, {rt_name}, 1, 2, {OMB})")
        case(f"exp.map_get_by_rank_range_to_end({rt}, 1, {MB}{octx_ours})",
             f"e.MapGetByRankRangeToEnd({octx_off}, {rt_name}, 1, {OMB})")
        case(f"exp.map_get_by_rank_range({rt}, 1, 2, {MB}{octx_ours})",
             f"e.MapGetByRankRange({octx_off}, {rt_name}, 1, 2, {OMB})")
        case(f"exp.map_get_by_value({rt}, 5, {MB}{octx_ours}, inverted=True)",
             f"e.MapGetByValue({octx_off}, {rt_name}, 5, {OMB}, inverted=True)")
    case(f"exp.map_get_by_key(c.MAP_RETURN_VALUE, exp.EXP_TYPE_INT, 'k', {MB}{octx_ours})",
         f"e.MapGetByKey({octx_off}, aerospike.MAP_RETURN_VALUE, e.ResultType.INTEGER, 'k', {OMB})")
    case(f"exp.map_get_by_key(c.MAP_RETURN_KEY_VALUE, exp.EXP_TYPE_MAP, 'k', {MB}{octx_ours})",
         f"e.MapGetByKey({octx_off}, aerospike.MAP_RETURN_KEY_VALUE, e.ResultType.MAP, 'k', {OMB})")
    case(f"exp.map_get_by_index(c.MAP_RETURN_KEY, exp.EXP_TYPE_STRING, 0, {MB}{octx_ours})",
         f"e.MapGetByIndex({octx_off}, aerospike.MAP_RETURN_KEY, e.ResultType.STRING, 0, {OMB})")
    case(f"exp.map_get_by_rank(c.MAP_RETURN_VALUE, exp.EXP_TYPE_FLOAT, -1, {MB}{octx_ours})",
         f"e.MapGetByRank({octx_off}, aerospike.MAP_RETURN_VALUE, e.ResultType.FLOAT, -1, {OMB})")
    for pol_ours, pol_off in [("", "None"),
                              (", policy={'order': c.MAP_KEY_ORDERED, 'write_mode': c.MAP_CREATE_ONLY}",
                               "{'map_order': aerospike.MAP_KEY_ORDERED, "
                               "'map_write_flags': aerospike.MAP_WRITE_FLAGS_CREATE_ONLY}")]:
        case(f"exp.map_put('k', 5, {MB}{pol_ours}{octx_ours})",
             f"e.MapPut({octx_off}, {pol_off}, 'k', 5, {OMB})")
        case(f"exp.map_put_items({{'k': 5}}, {MB}{pol_ours}{octx_ours})",
             f"e.MapPutItems({octx_off}, {pol_off}, {{'k': 5}}, {OMB})")
        case(f"exp.map_increment('k', 5, {MB}{pol_ours}{octx_ours})",
             f"e.MapIncrement({octx_off}, {pol_off}, 'k', 5, {OMB})")
    case(f"exp.map_clear({MB}{octx_ours})", f"e.MapClear({octx_off}, {OMB})")
    case(f"exp.map_remove_by_key('k', {MB}{octx_ours})", f"e.MapRemoveByKey({octx_off}, 'k', {OMB})")
    case(f"exp.map_remove_by_index(0, {MB}{octx_ours})", f"e.MapRemoveByIndex({octx_off}, 0, {OMB})")
    case(f"exp.map_remove_by_rank(0, {MB}{octx_ours})", f"e.MapRemoveByRank({octx_off}, 0, {OMB})")
    for inv in ["False", "True"]:
        case(f"exp.map_remove_by_key_list(['a'], {MB}{octx_ours}, inverted={inv})",
             f"e.MapRemoveByKeyList({octx_off}, ['a'], {OMB}, inverted={inv})")
        case(f"exp.map_remove_by_key_range('a', 'c', {MB}{octx_ours}, inverted={inv})",
             f"e.MapRemoveByKeyRange({octx_off}, 'a', 'c', {OMB}, inverted={inv})")
        case(f"exp.map_remove_by_key_rel_index_range_to_end('a', 1, {MB}{octx_ours}, inverted={inv})",
             f"e.MapRemoveByKeyRelIndexRangeToEnd({octx_off}, 'a', 1, {OMB}, inverted={inv})")
        case(f"exp.map_remove_by_key_rel_index_range('a', 1, 2, {MB}{octx_ours}, inverted={inv})",
             f"e.MapRemoveByKeyRelIndexRange({octx_off}, 'a', 1, 2, {OMB}, inverted={inv})")
        case(f"exp.map_remove_by_value(5, {MB}{octx_ours}, inverted={inv})",
             f"e.MapRemoveByValue({octx_off}, 5, {OMB}, inverted={inv})")
        case(f"exp.map_remove_by_value_list([5], {MB}{octx_ours}, inverted={inv})",
             f"e.MapRemoveByValueList({octx_off}, [5], {OMB}, inverted={inv})")
        case(f"exp.map_remove_by_value_range(5, 9, {MB}{octx_ours}, inverted={inv})",
             f"e.MapRemoveByValueRange({octx_off}, 5, 9, {OMB}, inverted={inv})")
        case(f"exp.map_remove_by_value_rel_rank_range_to_end(5, 1, {MB}{octx_ours}, inverted={inv})",
             f"e.MapRemoveByValueRelRankRangeToEnd({octx_off}, 5, 1, {OMB}, inverted={inv})")
        case(f"exp.map_remove_by_value_rel_rank_range(5, 1, 2, {MB}{octx_ours}, inverted={inv})",
             f"e.MapRemoveByValueRelRankRange({octx_off}, 5, 1, 2, {OMB}, inverted={inv})")
        case(f"exp.map_remove_by_index_range_to_end(1, {MB}{octx_ours}, inverted={inv})",
             f"e.MapRemoveByIndexRangeToEnd({octx_off}, 1, {OMB}, inverted={inv})")
        case(f"exp.map_remove_by_index_range(1, 2, {MB}{octx_ours}, inverted={inv})",
             f"e.MapRemoveByIndexRange({octx_off}, 1, 2, {OMB}, inverted={inv})")
        case(f"exp.map_remove_by_rank_range_to_end(1, {MB}{octx_ours}, inverted={inv})",
             f"e.MapRemoveByRankRangeToEnd({octx_off}, 1, {OMB}, inverted={inv})")
        case(f"exp.map_remove_by_rank_range(1, 2, {MB}{octx_ours}, inverted={inv})",
             f"e.MapRemoveByRankRange({octx_off}, 1, 2, {OMB}, inverted={inv})")
case("exp.eq(exp.map_keys(exp.map_bin('m')), ['a'])", "e.Eq(e.MapGetKeys(e.MapBin('m')), ['a'])")
case("exp.eq(exp.map_values(exp.map_bin('m')), [1])", "e.Eq(e.MapGetValues(e.MapBin('m')), [1])")
case("exp.eq(exp.map_keys('m'), ['a'])", "e.Eq(e.MapGetKeys('m'), ['a'])")
case("exp.eq(exp.map_values('m'), [1])", "e.Eq(e.MapGetValues('m'), [1])")

# -- bit expressions ---------------------------------------------------------------------------
BB = "exp.blob_bin('b')"
OBB = "e.BlobBin('b')"
for pol_ours, pol_off in [("", "None"), (", policy={'bit_write_flags': c.BIT_WRITE_NO_FAIL}",
                                          "{'bit_write_flags': aerospike.BIT_WRITE_NO_FAIL}")]:
    case(f"exp.bit_resize(4, c.BIT_RESIZE_FROM_FRONT, {BB}{pol_ours})",
         f"e.BitResize({pol_off}, 4, aerospike.BIT_RESIZE_FROM_FRONT, {OBB})")
    case(f"exp.bit_insert(1, b'\\x01', {BB}{pol_ours})", f"e.BitInsert({pol_off}, 1, b'\\x01', {OBB})")
    case(f"exp.bit_remove(1, 2, {BB}{pol_ours})", f"e.BitRemove({pol_off}, 1, 2, {OBB})")
    for ours, off in [("bit_set", "BitSet"), ("bit_or", "BitOr"), ("bit_xor", "BitXor"),
                      ("bit_and", "BitAnd")]:
        case(f"exp.{ours}(0, 8, b'\\xff', {BB}{pol_ours})", f"e.{off}({pol_off}, 0, 8, b'\\xff', {OBB})")
    case(f"exp.bit_not(0, 8, {BB}{pol_ours})", f"e.BitNot({pol_off}, 0, 8, {OBB})")
    case(f"exp.bit_lshift(0, 8, 3, {BB}{pol_ours})", f"e.BitLeftShift({pol_off}, 0, 8, 3, {OBB})")
    case(f"exp.bit_rshift(0, 8, 3, {BB}{pol_ours})", f"e.BitRightShift({pol_off}, 0, 8, 3, {OBB})")
    case(f"exp.bit_add(0, 8, 3, c.BIT_OVERFLOW_WRAP, {BB}{pol_ours})",
         f"e.BitAdd({pol_off}, 0, 8, 3, aerospike.BIT_OVERFLOW_WRAP, {OBB})")
    case(f"exp.bit_subtract(0, 8, 3, c.BIT_OVERFLOW_SATURATE, {BB}{pol_ours})",
         f"e.BitSubtract({pol_off}, 0, 8, 3, aerospike.BIT_OVERFLOW_SATURATE, {OBB})")
    case(f"exp.bit_set_int(0, 8, 3, {BB}{pol_ours})", f"e.BitSetInt({pol_off}, 0, 8, 3, {OBB})")
case(f"exp.eq(exp.bit_get(0, 8, {BB}), b'\\x01')", f"e.Eq(e.BitGet(0, 8, {OBB}), b'\\x01')")
case(f"exp.eq(exp.bit_count(0, 8, {BB}), 1)", f"e.Eq(e.BitCount(0, 8, {OBB}), 1)")
case(f"exp.eq(exp.bit_lscan(0, 8, True, {BB}), 1)", f"e.Eq(e.BitLeftScan(0, 8, True, {OBB}), 1)")
case(f"exp.eq(exp.bit_rscan(0, 8, False, {BB}), 1)", f"e.Eq(e.BitRightScan(0, 8, False, {OBB}), 1)")
case(f"exp.eq(exp.bit_get_int(0, 8, True, {BB}), 1)", f"e.Eq(e.BitGetInt(0, 8, True, {OBB}), 1)")
case(f"exp.eq(exp.bit_get_int(0, 8, False, 'b'), 1)", f"e.Eq(e.BitGetInt(0, 8, False, 'b'), 1)")

# -- HyperLogLog expressions -----------------------------------------------------------------------
HB = "exp.hll_bin('h')"
OHB = "e.HLLBin('h')"
for pol_ours, pol_off in [("", "None"), (", policy={'flags': c.HLL_WRITE_CREATE_ONLY}",
                                          "{'flags': aerospike.HLL_WRITE_CREATE_ONLY}")]:
    case(f"exp.hll_init(10, {HB}{pol_ours})", f"e.HLLInit({pol_off}, 10, None, {OHB})")
    case(f"exp.hll_init(10, {HB}, mh_bit_count=20{pol_ours})", f"e.HLLInit({pol_off}, 10, 20, {OHB})")
    case(f"exp.hll_add(['a', 'b'], {HB}{pol_ours})", f"e.HLLAdd({pol_off}, ['a', 'b'], None, None, {OHB})")
    case(f"exp.hll_add(['a'], {HB}, index_bit_count=8{pol_ours})",
         f"e.HLLAdd({pol_off}, ['a'], 8, None, {OHB})")
    case(f"exp.hll_add(['a'], {HB}, 8, 12{pol_ours})", f"e.HLLAdd({pol_off}, ['a'], 8, 12, {OHB})")
case(f"exp.eq(exp.hll_get_count({HB}), 1)", f"e.Eq(e.HLLGetCount({OHB}), 1)")
case(f"exp.eq(exp.hll_get_union_count(exp.list_bin('hl'), {HB}), 1)",
     f"e.Eq(e.HLLGetUnionCount(e.ListBin('hl'), {OHB}), 1)")
case(f"exp.eq(exp.hll_get_intersect_count(exp.list_bin('hl'), {HB}), 1)",
     f"e.Eq(e.HLLGetIntersectCount(e.ListBin('hl'), {OHB}), 1)")
case(f"exp.eq(exp.hll_get_similarity(exp.list_bin('hl'), {HB}), 1.0)",
     f"e.Eq(e.HLLGetSimilarity(e.ListBin('hl'), {OHB}), 1.0)")
case(f"exp.eq(exp.hll_describe({HB}), [10, 0])", f"e.Eq(e.HLLDescribe({OHB}), [10, 0])")
case(f"exp.eq(exp.hll_may_contain(['a'], {HB}), 1)", f"e.Eq(e.HLLMayContain(['a'], {OHB}), 1)")
case(f"exp.eq(exp.hll_get_union(exp.list_bin('hl'), {HB}), exp.hll_bin('h3'))",
     f"e.Eq(e.HLLGetUnion(e.ListBin('hl'), {OHB}), e.HLLBin('h3'))")

# -- nesting -----------------------------------------------------------------------------------------
case("exp.eq(exp.list_get_by_index(c.LIST_RETURN_VALUE, exp.EXP_TYPE_INT, 0, "
     "exp.list_append(exp.int_bin('a'), exp.list_sort(0, 'l'))), exp.num_add(exp.int_bin('a'), 1))",
     "e.Eq(e.ListGetByIndex(None, aerospike.LIST_RETURN_VALUE, e.ResultType.INTEGER, 0, "
     "e.ListAppend(None, None, e.IntBin('a'), e.ListSort(None, 0, 'l'))), e.Add(e.IntBin('a'), 1))")
case("exp.eq(exp.map_get_by_key(c.MAP_RETURN_VALUE, exp.EXP_TYPE_LIST, 'k', "
     "exp.map_put('k', exp.list_val([1]), 'm')), [1])",
     "e.Eq(e.MapGetByKey(None, aerospike.MAP_RETURN_VALUE, e.ResultType.LIST, 'k', "
     "e.MapPut(None, None, 'k', [1], 'm')), [1])")
