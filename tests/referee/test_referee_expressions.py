"""The official client's expressions (aerospike_helpers.expressions) as
referee: its filters and expression operations give the real server's
answers on our servers, and aerospike_py.exp compiles every expression of
tests/expression_cases.py to the bytes it compiles.

The expected values are the real server's (Aerospike CE 8.1); run with
AEROSPIKE_HOSTS to check them there.
"""

from __future__ import annotations

import base64
import pathlib
import sys
from typing import Any

import aerospike
import pytest
from aerospike import exception as ex
from aerospike_helpers import cdt_ctx as ctx
from aerospike_helpers import expressions as e
from aerospike_helpers.batch import records as br
from aerospike_helpers.operations import expression_operations as exp_op
from aerospike_helpers.operations import operations as op

from aerospike_py import constants, exp

sys.path.insert(0, str(pathlib.Path(__file__).parents[1]))
from expression_cases import CASES, exp_ctx  # noqa: E402
from referee_helpers import OFFICIAL_VERSION  # noqa: E402


def official_bytes(client: Any, source: str) -> bytes:
    built = eval(source, {"e": e, "aerospike": aerospike, "ctx": ctx})
    return base64.b64decode(client.get_expression_base64(built.compile()))


@pytest.mark.skipif(
    OFFICIAL_VERSION < (19, 0),
    reason="the cases are written with the official client 19.x's builders and compared with "
    "its bytes; 18.1.0 (the newest release pip finds for CPython 3.9) lacks builders such as "
    "InList. The reference is the official client's, not ours: aerospike_py.exp is pure "
    "Python, checked against 19.3 on 3.10+")
def test_every_case_compiles_to_the_official_bytes(client: Any) -> None:
    checked = 0
    for ours, official in CASES:
        mine = eval(ours, {"exp": exp, "c": constants, "exp_ctx": exp_ctx}).compile()
        theirs = official_bytes(client, official)
        if "map_increment" in ours and "policy" in ours:
            continue  # the official encoding is malformed (see exp.map_increment)
        assert mine == theirs, ours
        checked += 1
    assert checked >= 860


def expr_policy(expression: Any) -> dict[str, Any]:
    return {"expressions": expression.compile()}


def test_filters_on_single_record_commands(client: Any, key: Any) -> None:
    k = key("f")
    client.put(k, {"a": 5, "s": "abc", "l": [1, 2, 3]})
    _, _, bins = client.get(k, policy=expr_policy(e.Eq(e.IntBin("a"), 5)))
    assert bins["a"] == 5
    with pytest.raises(ex.FilteredOut) as info:
        client.get(k, policy=expr_policy(e.GT(e.IntBin("a"), 5)))
    assert info.value.code == 27
    with pytest.raises(ex.FilteredOut):
        client.put(k, {"a": 6}, policy=expr_policy(e.Eq(e.StrBin("s"), "zzz")))
    with pytest.raises(ex.FilteredOut):
        client.remove(k, policy=expr_policy(e.Eq(e.IntBin("missing"), 1)))
    client.put(k, {"a": 6}, policy=expr_policy(e.CmpRegex(0, "^ab", e.StrBin("s"))))
    assert client.get(k)[2]["a"] == 6
    with pytest.raises(ex.InvalidRequest):  # mismatched types: the server refuses it (4)
        client.get(k, policy=expr_policy(e.Eq(e.IntBin("a"), "x")))


def test_filter_on_missing_record(client: Any, key: Any) -> None:
    with pytest.raises(ex.RecordNotFound):
        client.get(key("none"), policy=expr_policy(e.Eq(e.IntBin("a"), 1)))


def test_expression_operations(client: Any, key: Any) -> None:
    k = key("ops")
    client.put(k, {"a": 5, "b": 7})
    _, _, bins = client.operate(k, [
        exp_op.expression_read("sum", e.Add(e.IntBin("a"), e.IntBin("b")).compile()),
        exp_op.expression_write("c", e.Mul(e.IntBin("a"), 10).compile()),
        op.read("c"),
    ])
    assert bins == {"sum": 12, "c": 50}
    with pytest.raises(ex.OpNotApplicable):
        client.operate(k, [exp_op.expression_read("x", e.Div(e.IntBin("a"), 0).compile())])
    _, _, bins = client.operate(k, [exp_op.expression_read(
        "x", e.IntBin("missing").compile(), aerospike.EXP_READ_EVAL_NO_FAIL)])
    assert bins.get("x") is None
    with pytest.raises(ex.BinExistsError):
        client.operate(k, [exp_op.expression_write("a", e.Val(1).compile(),
                                                   aerospike.EXP_WRITE_CREATE_ONLY)])


def test_batch_with_filters_and_expression_ops(client: Any, ns: str, set_name: str) -> None:
    keys = [(ns, set_name, i) for i in range(6)]
    for i, k in enumerate(keys):
        client.put(k, {"n": i})
    records = client.batch_read(keys, policy=expr_policy(e.Eq(e.Mod(e.IntBin("n"), 2), 0)))
    assert [r.result for r in records.batch_records] == [0, 27, 0, 27, 0, 27]
    batch = br.BatchRecords([
        br.Read(k, ops=[exp_op.expression_read("sq", e.Mul(e.IntBin("n"), e.IntBin("n")).compile())],
                policy={"expressions": e.GE(e.IntBin("n"), 3).compile()})
        for k in keys
    ])
    client.batch_write(batch)
    if OFFICIAL_VERSION >= (19, 0):
        assert [r.result for r in batch.batch_records] == [27, 27, 27, 0, 0, 0]
        assert [r.record[2]["sq"] for r in batch.batch_records[3:]] == [9, 16, 25]
    else:
        # 18.1.0 (CPython 3.9's newest) does not send a Read's own policy
        # expression in batch_write: the real server (8.1.2) then reads all
        # six, and so must ours.
        assert [r.result for r in batch.batch_records] == [0] * 6
        assert [r.record[2]["sq"] for r in batch.batch_records] == [0, 1, 4, 9, 16, 25]


def test_scan_with_a_filter(client: Any, ns: str, set_name: str) -> None:
    for i in range(8):
        client.put((ns, set_name, i), {"n": i, "s": f"v{i}"})
    scan = client.query(ns, set_name)
    found = scan.results(policy=expr_policy(e.CmpRegex(0, "^v[246]$", e.StrBin("s"))))
    assert sorted(bins["n"] for _, _, bins in found) == [2, 4, 6]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (e.Add(e.IntBin("big"), 1), -(2**63)),
        (e.Div(e.IntBin("neg"), 2), -3),
        (e.Mod(e.IntBin("neg"), 4), -3),
        (e.IntLeftShift(1, 65), 2),
        (e.IntRightScan(e.IntBin("x"), True), 62),
        (e.Pow(e.FloatBin("f"), 2.0), 6.25),
        (e.ToInt(e.FloatBin("f")), 2),
        (e.Cond(e.GT(e.IntBin("x"), 5), "big", "small"), "big"),
        (e.Let(e.Def("v", e.IntBin("x")), e.Mul(e.Var("v"), e.Var("v"))), 36),
        (e.Or(e.Eq(e.IntBin("missing"), 1), e.BoolBin("t")), True),
        (e.And(e.Eq(e.IntBin("missing"), 1), e.Not(e.BoolBin("t"))), False),
        (e.CmpRegex(aerospike.REGEX_ICASE, "^HEL", e.StrBin("s")), True),
        (e.LT(e.StrBin("s"), "help"), True),
        (e.SetName(), None),  # filled in below
        (e.KeyExists(), False),
        (e.BinType("s"), 3),
        (e.BinExists("nope"), False),
    ],
)
def test_values_of_expressions(client: Any, key: Any, set_name: str, expression: Any,
                               expected: Any) -> None:
    k = key("v")
    client.put(k, {"big": 2**63 - 1, "neg": -7, "x": 6, "f": 2.5, "t": True, "s": "hello"})
    _, _, bins = client.operate(k, [exp_op.expression_read("v", expression.compile())])
    assert bins["v"] == (set_name if isinstance(expression, e.SetName) else expected)
