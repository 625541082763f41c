"""Filter expressions and expression operations, end to end.

Every test runs on the sync and async clients, against the embedded server
or (``AEROSPIKE_HOSTS``) a real one; the expected answers are the real
server's (Aerospike CE 8.1), which the embedded server must give too.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

import aerospike_py
from aerospike_py import exp
from aerospike_py.exception import (
    BinExistsError,
    BinNotFound,
    FilteredOut,
    InvalidRequest,
    OpNotApplicable,
    RecordNotFound,
)

from .conftest import Db

pytestmark = pytest.mark.asyncio

READ = aerospike_py.OPERATOR_READ
WRITE = aerospike_py.OPERATOR_WRITE

Key = tuple[str, str, Any]


def flt(e: exp.Expr) -> dict[str, Any]:
    return {"filter_expression": e}


async def value(db: Db, key: Key, e: Any, flags: int = 0) -> Any:
    """The value of `e` evaluated on the record at `key` (an exp_read)."""
    record = await db.operate(key, [exp.exp_read("v", e, flags)])
    return record.bins.get("v")


# -- filters on single-record commands -----------------------------------------------


async def test_filter_passes_and_filters_out(db: Db, key: Key) -> None:
    await db.put(key, {"a": 5, "s": "abc"})
    assert (await db.get(key, policy=flt(exp.eq(exp.int_bin("a"), 5)))).bins["a"] == 5
    with pytest.raises(FilteredOut) as info:
        await db.get(key, policy=flt(exp.eq(exp.int_bin("a"), 6)))
    assert info.value.code == 27
    with pytest.raises(FilteredOut):
        await db.select(key, ["a"], policy=flt(exp.gt(exp.int_bin("a"), 9)))
    with pytest.raises(FilteredOut):
        await db.exists(key, policy=flt(exp.lt(exp.int_bin("a"), 0)))


async def test_filter_on_missing_record_is_not_found(db: Db, key: Key) -> None:
    with pytest.raises(RecordNotFound):
        await db.get(key, policy=flt(exp.eq(exp.int_bin("a"), 5)))


async def test_filter_on_writes_leaves_the_record_alone(db: Db, key: Key) -> None:
    await db.put(key, {"a": 1})
    no = flt(exp.eq(exp.int_bin("a"), 2))
    with pytest.raises(FilteredOut):
        await db.put(key, {"a": 9}, policy=no)
    with pytest.raises(FilteredOut):
        await db.increment(key, "a", 1, policy=no)
    with pytest.raises(FilteredOut):
        await db.operate(key, [{"op": WRITE, "bin": "a", "val": 3}], policy=no)
    with pytest.raises(FilteredOut):
        await db.remove(key, policy=no)
    with pytest.raises(FilteredOut):
        await db.touch(key, policy=no)
    assert (await db.get(key)).bins == {"a": 1}
    yes = flt(exp.eq(exp.int_bin("a"), 1))
    await db.put(key, {"a": 2}, policy=yes)
    await db.remove(key, policy=flt(exp.eq(exp.int_bin("a"), 2)))
    assert (await db.exists(key)).meta is None


async def test_missing_or_mistyped_bin_filters_out(db: Db, key: Key) -> None:
    await db.put(key, {"a": "text"})
    for e in (exp.eq(exp.int_bin("a"), 1), exp.eq(exp.int_bin("nope"), 1),
              exp.not_(exp.eq(exp.int_bin("a"), 1))):
        with pytest.raises(FilteredOut):
            await db.get(key, policy=flt(e))


async def test_hand_built_dicts_and_bytes_are_accepted(db: Db, key: Key) -> None:
    await db.put(key, {"a": 5})
    hand = {"__expr__": "eq", "left": {"__expr__": "int_bin", "name": "a"},
            "right": {"__expr__": "int_val", "val": 5}}
    assert (await db.get(key, policy=flt(hand))).bins == {"a": 5}  # type: ignore[arg-type]
    wire = exp.eq(exp.int_bin("a"), 5).compile()
    assert (await db.get(key, policy={"filter_expression": wire})).bins == {"a": 5}
    assert (await db.get(key, policy={"filter_expression": exp.from_base64(
        exp.eq(exp.int_bin("a"), 5).base64())})).bins == {"a": 5}


async def test_a_refused_expression_is_parameter_error(db: Db, key: Key) -> None:
    await db.put(key, {"a": 5})
    refused = [
        exp.eq(exp.int_bin("a"), exp.string_val("x")),  # mismatched types
        exp.int_bin("a"),  # a filter must be boolean
        exp.num_add(exp.int_bin("a"), exp.float_val(1.0)),  # mixed int/float (as value)
        exp.let_(exp.def_("x", 1), exp.let_(exp.def_("x", 2), exp.eq(exp.var("x"), 1))),
        exp.regex_compare("(", aerospike_py.REGEX_EXTENDED, exp.string_bin("s")),
        exp.eq(exp.digest_modulo(0), 0),
    ]
    for e in refused:
        with pytest.raises(InvalidRequest) as info:
            await db.get(key, policy=flt(e))
        assert info.value.code == 4


# -- filters on batches and scans ----------------------------------------------------------


async def test_batch_read_drops_filtered_records(db: Db, ns: str, set_name: str) -> None:
    keys = [(ns, set_name, i) for i in range(10)]
    for i, k in enumerate(keys):
        await db.put(k, {"n": i})
    policy = flt(exp.eq(exp.num_mod(exp.int_bin("n"), 2), 0))
    found = await db.batch_read(keys, policy=policy)
    assert sorted(found) == [0, 2, 4, 6, 8]


async def test_batch_operate_reports_filtered_out_per_record(db: Db, ns: str, set_name: str) -> None:
    keys = [(ns, set_name, i) for i in range(4)]
    for i, k in enumerate(keys):
        await db.put(k, {"n": i})
    result = await db.batch_operate(
        keys, [{"op": READ, "bin": "n"}], policy=flt(exp.ge(exp.int_bin("n"), 2))
    )
    codes = [r.result for r in result.batch_records]
    assert codes == [27, 27, 0, 0]


# -- expression operations ---------------------------------------------------------------------


async def test_exp_read_and_write(db: Db, key: Key) -> None:
    await db.put(key, {"a": 5, "b": 7})
    record = await db.operate(
        key,
        [
            exp.exp_read("sum", exp.num_add(exp.int_bin("a"), exp.int_bin("b"))),
            exp.exp_write("c", exp.num_mul(exp.int_bin("a"), 10)),
            {"op": READ, "bin": "c"},
        ],
    )
    assert record.bins == {"sum": 12, "c": 50}
    assert (await db.get(key)).bins == {"a": 5, "b": 7, "c": 50}


async def test_exp_read_of_unknown_fails_unless_eval_no_fail(db: Db, key: Key) -> None:
    await db.put(key, {"a": 5})
    with pytest.raises(OpNotApplicable):
        await value(db, key, exp.num_div(exp.int_bin("a"), 0))
    with pytest.raises(OpNotApplicable):
        await value(db, key, exp.int_bin("missing"))
    assert await value(db, key, exp.int_bin("missing"), exp.EXP_READ_EVAL_NO_FAIL) is None


async def test_exp_write_flags(db: Db, key: Key) -> None:
    await db.put(key, {"a": 1})
    with pytest.raises(BinExistsError):
        await db.operate(key, [exp.exp_write("a", 2, exp.EXP_WRITE_CREATE_ONLY)])
    with pytest.raises(BinNotFound):
        await db.operate(key, [exp.exp_write("z", 2, exp.EXP_WRITE_UPDATE_ONLY)])
    await db.operate(key, [exp.exp_write("a", 2, exp.EXP_WRITE_CREATE_ONLY |
                                         exp.EXP_WRITE_POLICY_NO_FAIL)])
    assert (await db.get(key)).bins == {"a": 1}
    with pytest.raises(OpNotApplicable):
        await db.operate(key, [exp.exp_write("a", exp.nil())])
    await db.operate(key, [exp.exp_write("a", exp.nil(), exp.EXP_WRITE_ALLOW_DELETE),
                           exp.exp_write("b", "x")])
    assert (await db.get(key)).bins == {"b": "x"}


async def test_batch_operate_with_expression_ops(db: Db, ns: str, set_name: str) -> None:
    keys = [(ns, set_name, i) for i in range(3)]
    for i, k in enumerate(keys):
        await db.put(k, {"n": i})
    result = await db.batch_operate(
        keys, [exp.exp_write("sq", exp.num_mul(exp.int_bin("n"), exp.int_bin("n"))),
               exp.exp_read("twice", exp.num_mul(exp.int_bin("n"), 2))]
    )
    assert [r.result for r in result.batch_records] == [0, 0, 0]
    assert [r.record.bins["twice"] for r in result.batch_records] == [0, 2, 4]
    assert [(await db.get(k)).bins["sq"] for k in keys] == [0, 1, 4]


# -- values and semantics ------------------------------------------------------------------------


async def test_integer_semantics(db: Db, key: Key) -> None:
    await db.put(key, {"big": 2**63 - 1, "neg": -7, "x": 6})
    assert await value(db, key, exp.num_add(exp.int_bin("big"), 1)) == -(2**63)
    assert await value(db, key, exp.num_div(exp.int_bin("neg"), 2)) == -3
    assert await value(db, key, exp.num_mod(exp.int_bin("neg"), 4)) == -3
    assert await value(db, key, exp.num_sub(exp.int_bin("x"))) == -6
    assert await value(db, key, exp.num_div(exp.int_bin("x"))) == 0
    assert await value(db, key, exp.int_lshift(1, 65)) == 2
    assert await value(db, key, exp.int_rshift(-1, 60)) == 15
    assert await value(db, key, exp.int_arshift(-16, 2)) == -4
    assert await value(db, key, exp.int_count(exp.int_bin("x"))) == 2
    assert await value(db, key, exp.int_lscan(exp.int_bin("x"), True)) == 61
    assert await value(db, key, exp.int_rscan(exp.int_bin("x"), True)) == 62
    assert await value(db, key, exp.int_lscan(0, True)) == -1
    assert await value(db, key, exp.min_(exp.int_bin("x"), 3, 9)) == 3
    assert await value(db, key, exp.num_abs(exp.int_bin("neg"))) == 7


async def test_float_semantics(db: Db, key: Key) -> None:
    await db.put(key, {"f": 2.5})
    assert await value(db, key, exp.num_pow(exp.float_bin("f"), 2.0)) == 6.25
    assert await value(db, key, exp.num_log(8.0, 2.0)) == 3.0
    assert await value(db, key, exp.num_floor(exp.float_bin("f"))) == 2.0
    assert await value(db, key, exp.num_ceil(exp.float_bin("f"))) == 3.0
    assert await value(db, key, exp.to_int(exp.float_bin("f"))) == 2
    assert await value(db, key, exp.to_float(7)) == 7.0
    assert await value(db, key, exp.num_div(1.0, 0.0)) == float("inf")


async def test_logic_is_three_valued(db: Db, key: Key) -> None:
    await db.put(key, {"t": True})
    unknown = exp.eq(exp.int_bin("missing"), 1)
    assert await value(db, key, exp.or_(unknown, exp.bool_bin("t"))) is True
    assert await value(db, key, exp.and_(unknown, exp.not_(exp.bool_bin("t")))) is False
    with pytest.raises(OpNotApplicable):
        await value(db, key, exp.and_(unknown, exp.bool_bin("t")))
    with pytest.raises(OpNotApplicable):
        await value(db, key, exp.xor_(exp.bool_bin("t"), unknown))
    assert await value(db, key, exp.xor_(exp.bool_bin("t"), False, True)) is False


async def test_cond_let_var(db: Db, key: Key) -> None:
    await db.put(key, {"a": 15})
    e = exp.let_(
        exp.def_("x", exp.int_bin("a")),
        exp.def_("y", exp.num_mul(exp.var("x"), 2)),
        exp.cond(exp.gt(exp.var("y"), 100), "big", exp.gt(exp.var("y"), 20), "mid", "small"),
    )
    assert await value(db, key, e) == "mid"
    with pytest.raises(OpNotApplicable):
        await value(db, key, exp.cond(exp.eq(exp.int_bin("a"), 0), 1, exp.unknown()))


async def test_strings_blobs_regex(db: Db, key: Key) -> None:
    await db.put(key, {"s": "Hello World", "b": b"\x01\x02"})
    assert await value(db, key, exp.regex_compare("^hello", aerospike_py.REGEX_ICASE,
                                                  exp.string_bin("s"))) is True
    assert await value(db, key, exp.regex_compare("^hello", 0, exp.string_bin("s"))) is False
    assert await value(db, key, exp.regex_compare("o W", 0, exp.string_bin("s"))) is True
    assert await value(db, key, exp.lt(exp.string_bin("s"), "Help")) is True
    assert await value(db, key, exp.gt(exp.blob_bin("b"), b"\x01")) is True
    assert await value(db, key, exp.eq(exp.blob_bin("b"), b"\x01\x02")) is True


async def test_record_metadata(db: Db, ns: str, set_name: str) -> None:
    key = (ns, set_name, "meta-key")
    before_ms = int(time.time() * 1000)
    await db.put(key, {"a": 1}, meta={"ttl": 1000}, policy={"key": aerospike_py.POLICY_KEY_SEND})
    assert await value(db, key, exp.set_name()) == set_name
    assert await value(db, key, exp.key_exists()) is True
    assert await value(db, key, exp.key(exp.EXP_TYPE_STRING)) == "meta-key"
    with pytest.raises(OpNotApplicable):
        await value(db, key, exp.key(exp.EXP_TYPE_INT))
    ttl = await value(db, key, exp.ttl())
    assert 990 <= ttl <= 1000
    lut_ns = await value(db, key, exp.last_update())
    assert lut_ns % 1_000_000 == 0  # millisecond resolution
    assert before_ms - 2000 <= lut_ns // 1_000_000 <= int(time.time() * 1000) + 2000
    void_ns = await value(db, key, exp.void_time())
    assert void_ns % 1_000_000_000 == 0
    assert 0 <= await value(db, key, exp.since_update()) < 60_000
    assert await value(db, key, exp.is_tombstone()) is False
    digest_mod = await value(db, key, exp.digest_modulo(3))
    assert digest_mod in (0, 1, 2)
    no_key = (ns, set_name, "no-key")
    await db.put(no_key, {"a": 1}, meta={"ttl": -1})
    assert await value(db, no_key, exp.key_exists()) is False
    assert await value(db, no_key, exp.ttl()) == -1
    assert await value(db, no_key, exp.void_time()) == -1


async def test_record_size(db: Db, ns: str, set_name: str) -> None:
    cases: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = [
        ({"a": 1}, {}, {}),
        ({"a": 300, "bb": 70000, "ccc": 2**40, "n": -1}, {"ttl": 100}, {}),
        ({"s": "x" * 200, "f": 1.5, "t": True}, {}, {"key": aerospike_py.POLICY_KEY_SEND}),
        ({"l": list(range(50)), "m": {"k": "v"}, "b": b"\x00" * 33}, {"ttl": -1}, {}),
    ]
    sizes = []
    for i, (bins, meta, policy) in enumerate(cases):
        k = (ns, set_name, f"size-{i}")
        await db.put(k, bins, meta=meta, policy=policy)
        size = await value(db, k, exp.record_size())
        assert size % 16 == 0
        sizes.append(size)
    # The real server's flat record sizes for these records.
    assert sizes == [64, 112, 288, 176]
    # During the write that creates a record, before it is stored, the real
    # server reports one 16-byte block, whatever the write holds.
    new = (ns, set_name, "size-new")
    await db.operate(new, [{"op": WRITE, "bin": "big", "val": "z" * 5000},
                           exp.exp_write("at_create", exp.record_size())])
    assert (await db.get(new)).bins["at_create"] == 16


async def test_per_record_batch_filters(db: Db, ns: str, set_name: str) -> None:
    from aerospike_py.batch import Read, Remove, Write

    keys = [(ns, set_name, i) for i in range(4)]
    for i, k in enumerate(keys):
        await db.put(k, {"n": i})
    yes = flt(exp.ge(exp.int_bin("n"), 2))
    triple = [exp.exp_write("m", exp.num_mul(exp.int_bin("n"), 3)), {"op": READ, "bin": "m"}]
    result = await db.batch([
        Read(keys[0], policy=yes), Read(keys[2], policy=yes),
        Write(keys[1], ops=triple, policy=yes), Write(keys[3], ops=triple, policy=yes),
        Remove(keys[0], policy=yes),
    ])
    assert [(r.result, r.record.bins if r.record else None) for r in result.batch_records] == [
        (27, None), (0, {"n": 2}), (27, None), (0, {"m": 9}), (27, None)]
    removed = await db.batch_remove(keys, policy=flt(exp.lt(exp.int_bin("n"), 2)))
    assert [r.result for r in removed.batch_records] == [0, 0, 27, 27]


async def test_operate_ordered_with_expression_ops(db: Db, key: Key) -> None:
    await db.put(key, {"n": 3})
    result = await db.operate_ordered(key, [exp.exp_read("x", exp.num_add(exp.int_bin("n"), 2)),
                                            {"op": READ, "bin": "n"}])
    assert [(b.name, b.value) for b in result.ordered_bins] == [("x", 5), ("n", 3)]
