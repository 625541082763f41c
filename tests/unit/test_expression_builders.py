"""aerospike_py.exp without a server: the nodes it builds, the ParamErrors
a malformed expression raises (naming what is wrong), hand-built dicts of
aerospike-py's shape, and the official client's compiled form."""

from __future__ import annotations

import copy
import json
import pathlib
import pickle
from typing import Any

import pytest

from aerospike_py import _core, constants, exp
from aerospike_py.exception import InvalidArgError, ParamError

DATA = pathlib.Path(__file__).parent / "data"


def test_nodes_are_read_only_dicts_of_aerospike_py_shape() -> None:
    e = exp.ge(exp.int_bin("age"), exp.int_val(21))
    assert e == {
        "__expr__": "ge",
        "left": {"__expr__": "int_bin", "name": "age"},
        "right": {"__expr__": "int_val", "val": 21},
    }
    assert isinstance(e, dict) and isinstance(e, exp.Expr)
    for mutate in (lambda: e.__setitem__("x", 1), lambda: e.pop("left"), e.clear,
                   lambda: e.update(a=1), lambda: e.setdefault("x", 1), e.popitem,
                   lambda: e.__delitem__("left")):
        with pytest.raises(TypeError):
            mutate()
    assert copy.deepcopy(e) is e
    again = pickle.loads(pickle.dumps(e))
    assert again == e and again.compile() == e.compile()
    with pytest.raises(TypeError):
        exp.Expr({"__expr__": "nil"})


def test_variadic_and_control_flow_shapes() -> None:
    assert exp.and_(True, False)["exprs"][1] == {"__expr__": "bool_val", "val": False}
    assert exp.num_mod(5, 2)["exprs"] == [exp.int_val(5), exp.int_val(2)]
    assert exp.let_(exp.def_("x", 1), exp.var("x"))["__expr__"] == "let"
    assert exp.regex_compare("a", 0, exp.string_bin("s"))["bin"] == exp.string_bin("s")


def test_plain_values_become_value_expressions() -> None:
    assert exp.eq(exp.int_bin("a"), 5).compile() == exp.eq(exp.int_bin("a"), exp.int_val(5)).compile()
    assert exp.eq(exp.list_bin("l"), [1, 2])["right"]["__expr__"] == "list_val"
    assert exp.eq(exp.map_bin("m"), {"k": 1})["right"]["__expr__"] == "map_val"
    assert exp.eq(exp.nil(), None)["right"]["__expr__"] == "nil"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: exp.eq(exp.int_bin("a"), object()), "exp.eq: 'right'"),
        (lambda: exp.int_bin(5), "exp.int_bin: 'name'"),
        (lambda: exp.int_val(2**64), "exp.int_val: 'val'"),
        (lambda: exp.int_val(True), "must be an int"),
        (lambda: exp.let_(exp.def_("x", 1)), "at least 2 operands"),
        (lambda: exp.let_(exp.int_val(1), exp.int_val(2)), "must be a def_()"),
        (lambda: exp.eq(exp.def_("x", 1), 1), "only valid as an operand of let_()"),
        (lambda: exp.and_(), "at least 1 operand"),
        (lambda: exp.key(12), "exp.key: 'exp_type'"),
        (lambda: exp.list_get_by_index(constants.LIST_RETURN_NONE, exp.EXP_TYPE_INT, 0, "l"),
         "cannot be read by an expression"),
        (lambda: exp.list_get_by_index(constants.LIST_RETURN_COUNT, exp.EXP_TYPE_STRING, 0, "l"),
         "does not match return_type"),
        (lambda: exp.map_get_by_key(constants.MAP_RETURN_VALUE, exp.EXP_TYPE_INT, "k", "m",
                                    ctx=[{"id": 5, "value": 1}]), "unknown ctx id 5"),
        (lambda: exp.list_append(1, "l", policy={"order": 5}), "exp.list_append: 'policy'"),
        (lambda: exp.exp_read("x" * 16, 1), "exp.exp_read: 'name'"),
    ],
)
def test_malformed_expressions_raise_param_error(build: Any, message: str) -> None:
    with pytest.raises(ParamError) as info:
        build()
    assert message in str(info.value)
    assert isinstance(info.value, InvalidArgError)
    assert info.value.code == -2


def test_what_only_the_server_refuses_is_built_as_in_aerospike_py() -> None:
    # aerospike-py builds these; the server refuses them (code 4) when a
    # command carries them (tests/integration/test_aerospike_py_dropin.py).
    lone = exp.cond(exp.string_val("default"))
    assert lone["__expr__"] == "cond" and len(lone["exprs"]) == 1
    assert lone.compile() == b"\x92\x7b" + exp.string_val("default").compile()
    dangling = exp.cond(exp.bool_val(True), 1)
    assert len(dangling["exprs"]) == 2
    long_name = exp.int_bin("special-chars_123")
    assert long_name["name"] == "special-chars_123"
    assert exp.bin_exists("x" * 16)["__expr__"] == "bin_exists"
    assert exp.bin_type("x" * 16)["__expr__"] == "bin_type"
    # Names of operation bins are still checked: they are not expressions.
    with pytest.raises(ParamError, match="longer than 15 bytes"):
        exp.exp_write("x" * 16, exp.int_val(1))


def test_hand_built_dicts_compile_like_the_builders() -> None:
    hand = {
        "__expr__": "and",
        "exprs": [
            {"__expr__": "ge", "left": {"__expr__": "int_bin", "name": "age"},
             "right": {"__expr__": "int_val", "val": 21}},
            {"__expr__": "regex_compare", "regex": "^a", "flags": 2,
             "bin": {"__expr__": "string_bin", "name": "n"}},
            {"__expr__": "let", "exprs": [
                {"__expr__": "def", "name": "x", "value": {"__expr__": "int_val", "val": 1}},
                {"__expr__": "eq", "left": {"__expr__": "var", "name": "x"},
                 "right": {"__expr__": "int_val", "val": 1}}]},
        ],
    }
    built = exp.and_(
        exp.ge(exp.int_bin("age"), exp.int_val(21)),
        exp.regex_compare("^a", 2, exp.string_bin("n")),
        exp.let_(exp.def_("x", exp.int_val(1)), exp.eq(exp.var("x"), exp.int_val(1))),
    )
    assert _core._exp_wire(hand) == built.compile()
    assert exp.from_dict(hand) == built


@pytest.mark.parametrize(
    ("hand", "where"),
    [
        ({"__expr__": "eq", "left": {"__expr__": "int_bin", "name": "a"},
          "right": {"__expr__": "nope"}}, "filter_expression.right: unknown expression 'nope'"),
        ({"__expr__": "and", "exprs": [{"__expr__": "int_bin"}]}, "filter_expression.exprs[0]"),
        ({"__expr__": "and", "exprs": "x"}, "filter_expression.exprs: must be a list"),
        ({"left": 1}, "needs a str '__expr__' key"),
        ({"__expr__": "eq", "left": {"__expr__": "int_bin", "name": "a"},
          "right": {"__expr__": "int_val", "val": "7"}}, "filter_expression.right"),
    ],
)
def test_malformed_hand_built_dicts_name_the_path(hand: dict[str, Any], where: str) -> None:
    with pytest.raises(ParamError) as info:
        _core._exp_wire(hand)
    assert where in str(info.value)


def test_filter_expression_refuses_other_types() -> None:
    for bad in ("eq", 5, [1, 2], exp.def_("x", 1)):
        with pytest.raises(ParamError):
            _core._exp_wire(bad)
    assert _core._exp_wire(b"\x91\x00") == b"\x91\x00"
    assert _core._exp_wire(None) == b""


def test_compile_once_and_reuse() -> None:
    e = exp.eq(exp.int_bin("a"), 1)
    _core._expression_stats(True)
    for _ in range(5):
        _core._exp_wire(e)
    _core._exp_wire({"__expr__": "eq", "left": {"__expr__": "int_bin", "name": "a"},
                     "right": {"__expr__": "int_val", "val": 1}})
    stats = _core._expression_stats(True)
    assert stats["reused"] == 5 and stats["encoded"] == 1


def test_expression_ops_build_op_dicts() -> None:
    e = exp.num_add(exp.int_bin("a"), 1)
    assert exp.exp_read("out", e) == {"op": 5001, "bin": "out", "expr": e, "expr_flags": 0}
    assert exp.exp_write("b", e, exp.EXP_WRITE_CREATE_ONLY)["expr_flags"] == 1
    assert constants.OPERATOR_EXP_WRITE == exp.OPERATOR_EXP_WRITE == 5002


def test_base64_round_trip() -> None:
    e = exp.and_(exp.key_exists(), exp.gt(exp.ttl(), 0))
    assert exp.from_base64(e.base64()).compile() == e.compile()
    with pytest.raises(ParamError):
        exp.from_base64("not base64!")


def test_official_compiled_expressions_are_accepted() -> None:
    pytest.importorskip("aerospike_helpers")
    from aerospike_helpers import expressions as e  # type: ignore[import-untyped]

    wire = {c["official"]: c.get("wire") for c in
            json.loads((DATA / "expression_wire.json").read_text())["cases"]}
    checked = 0
    for official, expected in wire.items():
        if expected is None or any(f in official for f in ("List", "Map", "Bit", "HLL", "InList",
                                                            "Geo", "aerospike.")):
            continue
        compiled = eval(official, {"e": e}).compile()
        assert _core._exp_wire(compiled).hex() == expected, official
        checked += 1
    assert checked >= 120
