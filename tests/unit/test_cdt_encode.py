"""The bridge's checks of list/map/bit/HLL op dicts (no server): every bad
input is a ParamError naming the op and the key, raised before anything is
sent; good input encodes (the bytes themselves are checked against the
official client in test_cdt_official_bytes.py)."""

from __future__ import annotations

from typing import Any

import pytest

import aerospike_py as ap
from aerospike_py import _core, bit_operations as bo, cdt_ctx as cx, hll_operations as ho
from aerospike_py import list_operations as lo, map_operations as mo
from aerospike_py.exception import InvalidArgError, ParamError


def encode(*ops: dict[str, Any]) -> tuple[bytes, int, bool, bool, bytes]:
    return _core._encode_ops(list(ops))


def refused(op: dict[str, Any], match: str) -> None:
    with pytest.raises(ParamError, match=match):
        encode(op)


def test_param_error_is_an_invalid_arg_error() -> None:
    with pytest.raises(InvalidArgError) as info:
        encode({"op": 1012, "bin": "l", "bogus": 1})
    assert info.value.code == -2


# --- keys ---------------------------------------------------------------------


def test_unknown_key() -> None:
    refused({"op": 1012, "bin": "l", "bogus": 1}, r"ops\[0\]: unknown key 'bogus'")


def test_key_the_operation_does_not_take() -> None:
    refused({"op": 1012, "bin": "l", "index": 1}, r"ops\[0\] \(list_size\): takes no 'index'")
    refused({**lo.list_size("l"), "return_type": 7}, "takes no 'return_type'")
    refused({**mo.map_put("m", "k", 1), "list_policy": {}}, "takes no 'list_policy'")


def test_none_counts_as_absent() -> None:
    # aerospike-py documents "val": None for reads.
    data, n, has_read, has_write, _ = encode({"op": 1012, "bin": "l", "val": None, "index": None})
    assert n == 1 and has_read and not has_write


def test_ctx_on_an_operation_that_takes_none() -> None:
    for op in (bo.bit_get("b", 0, 8), ho.hll_get_count("h"), bo.bit_not("b", 0, 8)):
        refused({**op, "ctx": [cx.cdt_ctx_list_index(0)]}, r"takes no 'ctx'")


def test_inverted_only_where_there_is_a_return_type() -> None:
    refused({**lo.list_size("l"), "inverted": True}, "takes no 'inverted'")
    refused({**lo.list_get_by_index_range("l", 0, ap.LIST_RETURN_VALUE), "inverted": "yes"},
            "'inverted' must be a bool")


def test_missing_keys() -> None:
    refused({"op": 1016, "bin": "l", "return_type": 7}, r"\(list_get_by_index\): needs 'index'")
    refused({"op": 1016, "bin": "l", "index": 0}, "needs 'return_type'")
    refused({"op": 1016, "index": 0, "return_type": 7}, "needs a 'bin'")
    refused({"op": 2018, "bin": "m", "return_type": 7}, "needs 'map_key'")
    refused({"op": 4004, "bin": "b", "bit_offset": 0, "bit_size": 8}, "needs 'val'")
    refused({"op": 3001, "bin": "h"}, "needs 'index_bit_count'")
    refused({"op": 1018, "bin": "l", "return_type": 7}, "needs a 'rank'")


def test_rank_may_come_as_index() -> None:
    # aerospike-py falls back to "index" when a rank op has no "rank".
    a = encode({"op": 1018, "bin": "l", "index": 2, "return_type": 7})[0]
    b = encode(lo.list_get_by_rank("l", 2, ap.LIST_RETURN_VALUE))[0]
    assert a == b


# --- types and ranges -----------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "match"),
    [
        (lo.list_get_by_index("l", "0", 7), "'index' must be an int, not str"),  # type: ignore[arg-type]
        (lo.list_get_by_index("l", True, 7), "'index' must be an int, not bool"),
        (lo.list_get_by_index("l", 2**70, 7), "does not fit in 64 bits"),
        (lo.list_get_range("l", 0, -1), "'count' is -1, outside 0..4294967295"),
        (lo.list_get_by_index("l", 0, 6), "'return_type' 6 is not a LIST_RETURN_"),
        (mo.map_get_by_key("m", "k", 9), "'return_type' 9 is not a MAP_RETURN_"),
        (mo.map_get_by_key_list("m", "k", 7), "'val' must be a list, not str"),  # type: ignore[arg-type]
        (mo.map_put_items("m", [1, 2]), "'val' must be a dict, not list"),  # type: ignore[arg-type]
        (lo.list_increment("l", 0, "x"), "'val' must be an int or float, not str"),  # type: ignore[arg-type]
        (lo.list_increment("l", 0, True), "'val' must be an int or float, not bool"),
        (mo.map_increment("m", "k", None), "needs 'val'"),
        (bo.bit_set("b", 0, 8, "x"), "'val' must be bytes or bytearray, not str"),  # type: ignore[arg-type]
        (bo.bit_get("b", 0, -8), "'bit_size' is -8, outside"),
        (bo.bit_get("b", 2**31, 8), "'bit_offset' is 2147483648, outside"),
        (bo.bit_lscan("b", 0, 8, 2), "'val' must be a bool"),  # type: ignore[arg-type]
        (bo.bit_add("b", 0, 8, 1, False, 1), "'action' is 1"),
        (bo.bit_add("b", 0, 8, 1.5), "'val' must be an int, not float"),  # type: ignore[arg-type]
        (bo.bit_resize("b", 4, 6), "grow-only and shrink-only"),
        (bo.bit_resize("b", 4, 8), "'resize_flags' is 8"),
        (bo.bit_not("b", 0, 8, 16), "'bit_policy' is 16"),
        (ho.hll_init("h", 3), "'index_bit_count' is 3, outside 4..16"),
        (ho.hll_init("h", 17), "outside 4..16"),
        (ho.hll_init("h", 8, 2), "'minhash_bit_count' is 2"),
        (ho.hll_add("h", ["a"], 8, 52), "'minhash_bit_count' is 52"),
        (ho.hll_add("h", "abc"), "'val' must be a list"),  # type: ignore[arg-type]
        (ho.hll_get_union("h", [1]), r"'val'\[0\] must be a HyperLogLog"),
        (ho.hll_set_union("h", [], policy={"flags": 16}), "'hll_policy.flags' is 16"),
        (ho.hll_init("h", 8, policy={"flag": 1}), "'hll_policy': unknown key 'flag'"),  # type: ignore[typeddict-unknown-key]
        (lo.list_sort("l", 4), "'val \\(sort flags\\)' is 4"),
        (lo.list_set_order("l", 2), "use LIST_UNORDERED or LIST_ORDERED"),
        (mo.map_set_order("m", 2), "use MAP_UNORDERED"),
        (lo.list_append("l", 1, {"order": 2}), "'list_policy.order' is 2"),
        (lo.list_append("l", 1, {"flags": 16}), "'list_policy.flags' is 16"),
        (lo.list_append("l", 1, {"bogus": 1}), "'list_policy': unknown key 'bogus'"),  # type: ignore[typeddict-unknown-key]
        (lo.list_append("l", 1, [1]), "'list_policy' must be a dict"),  # type: ignore[arg-type]
        (mo.map_put("m", "k", 1, {"order": 2}), "'map_policy.order' is 2"),
        (mo.map_put("m", "k", 1, {"write_mode": 16}), "'map_policy.write_mode' is 16"),
        (mo.map_put("m", "k", 1, {"write_mode": ap.MAP_UPDATE_ONLY, "flags": 4}), "not both"),
        (lo.list_append(3, 1), "bin name must be str"),  # type: ignore[arg-type]
        (lo.list_append("a_bin_name_too_long", 1), "the 15-byte limit"),
        (lo.list_append("l", object()), "unsupported value type object"),
        (lo.list_get_by_value_range("l", 1, object(), 7), "unsupported value type"),
    ],
)
def test_bad_input(op: dict[str, Any], match: str) -> None:
    refused(op, match)


# --- contexts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ctx", "match"),
    [
        ("x", "'ctx' must be a list"),
        ([1], r"ctx\[0\] must be a cdt_ctx step"),
        ([(0x12, 1)], r"ctx\[0\]: 18 is not a context step type"),
        ([(0x13 | 0x40, 1)], "is not a context step type"),  # create flags only on list index / map key
        ([cx.cdt_ctx_list_index("a")], "'ctx index/rank' must be an int"),  # type: ignore[arg-type]
        ([cx.cdt_ctx_map_rank(1.5)], "'ctx index/rank' must be an int"),  # type: ignore[arg-type]
        ([cx.cdt_ctx_map_key(object())], "unsupported value type"),
        ([("a", 1)], "'ctx step type' must be an int"),
    ],
)
def test_bad_context(ctx: Any, match: str) -> None:
    refused(lo.list_size("l", ctx=ctx), match)


def test_empty_context_is_no_context() -> None:
    assert encode(lo.list_size("l", ctx=[]))[0] == encode(lo.list_size("l"))[0]


def test_context_helpers_check_their_arguments() -> None:
    with pytest.raises(ParamError, match="order must be LIST_UNORDERED or LIST_ORDERED"):
        cx.cdt_ctx_list_index_create(0, 5)
    with pytest.raises(ParamError, match="pad applies to unordered lists only"):
        cx.cdt_ctx_list_index_create(0, ap.LIST_ORDERED, True)
    with pytest.raises(ParamError, match="must be a MAP_"):
        cx.cdt_ctx_map_key_create("k", 2)
    with pytest.raises(ParamError, match="ctx is empty"):
        lo.list_create("l", ctx=[])
    with pytest.raises(ParamError, match="must be a MAP_"):
        mo.map_create("m", 2, ctx=[cx.cdt_ctx_map_key("k")])
    assert cx.cdt_ctx_list_index(1) == (ap.CDT_CTX_LIST_INDEX, 1)
    assert cx.cdt_ctx_map_key_create("k", ap.MAP_KEY_ORDERED) == (0x22 | 0x80, "k")


# --- whole operate() calls --------------------------------------------------------


def test_read_write_flags_and_op_count() -> None:
    _, n, has_read, has_write, _ = encode(lo.list_size("l"), mo.map_get_by_key("m", "k", 7))
    assert (n, has_read, has_write) == (2, True, False)
    _, n, has_read, has_write, _ = encode(lo.list_append("l", 1), bo.bit_set_int("b", 0, 8, 1))
    assert (n, has_read, has_write) == (2, False, True)
    _, n, has_read, has_write, _ = encode(
        {"op": ap.OPERATOR_READ, "bin": "x"}, hll_op := ho.hll_add("h", ["a"], 8)
    )
    assert hll_op["op"] == 3002
    assert (n, has_read, has_write) == (2, True, True)


def test_key_value_results_are_marked() -> None:
    *_, shapes = encode(lo.list_size("l"), mo.map_get_by_key_list("m", ["a"], ap.MAP_RETURN_KEY_VALUE))
    assert shapes == bytes([0, 1])
    *_, shapes = encode(mo.map_get_by_key_list("m", ["a"], ap.MAP_RETURN_VALUE), lo.list_size("l"))
    assert shapes == b""
    *_, shapes = encode(
        mo.map_get_by_index_range("m", 0, ap.MAP_RETURN_KEY_VALUE, inverted=True),
        {"op": ap.OPERATOR_READ, "bin": "x"},
    )
    assert shapes == bytes([1, 0])


def test_basic_ops_unchanged() -> None:
    data, n, _, has_write, _ = encode({"op": ap.OPERATOR_WRITE, "bin": "a", "val": 1})
    assert n == 1 and has_write
    with pytest.raises(ParamError, match="unknown key 'return_type'"):
        encode({"op": ap.OPERATOR_READ, "bin": "a", "return_type": 1})
    with pytest.raises(ParamError, match="operator 999 is not supported"):
        encode({"op": 999, "bin": "a"})
    with pytest.raises(ParamError, match="operator 1034 is not supported"):
        encode({"op": 1034, "bin": "a"})
    with pytest.raises(ParamError, match="operator 5999 is not supported"):
        encode({"op": 5999, "bin": "a"})
