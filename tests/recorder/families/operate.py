"""Operate with the basic ops (read, write, incr, append, prepend, touch,
delete) and their client shorthands (increment, append, prepend): every
value type against every stored type, respond-all-ops, read-all, repeated
bins, ops on missing records, overflow, and seeded random op lists."""

from __future__ import annotations

import random
from typing import Any

from .. import wire
from ..catalogue import Case
from ..wire import Raw
from ._common import append, delete_op, get, incr, operate, prepend, put, r, touch_op, w

SET = "rec_operate"
SETS = (SET,)

STORED: dict[str, Any] = {
    "int": 10, "float": 1.5, "str": "abc", "blob": b"\x01\x02", "bool": True,
    "list": [1, 2], "map": {"a": 1},
}
OPERANDS: dict[str, Any] = {
    "int": 5, "float": 0.25, "str": "xy", "blob": b"\x09", "bool": False,
    "list": [3], "map": {"b": 2}, "nil": None, "int1": Raw(wire.P_INTEGER, b"\x02"),
    "int4": Raw(wire.P_INTEGER, b"\x00\x00\x01\x00"),
    "int3": Raw(wire.P_INTEGER, b"\x00\x00\x01"),
    "java": Raw(wire.P_JAVA_BLOB, b"j"), "geo": wire.Geo('{"type":"Point","coordinates":[1,2]}'),
}


def cases(rng: random.Random) -> list[Case]:
    out = []
    # Every arithmetic/string op with every operand type, on every stored type
    # and on a missing bin.
    for opname, opcode in (("incr", wire.OP_INCR), ("append", wire.OP_APPEND),
                           ("prepend", wire.OP_PREPEND)):
        for sname, stored in list(STORED.items()) + [("missing", None)]:
            key = f"{opname}_{sname}"
            c = Case(key)
            c.add("seed", put(SET, key, {"x": 0} if stored is None else {"v": stored}))
            for oname, operand in OPERANDS.items():
                c.add(f"with_{oname}", operate(SET, key, [wire.op(opcode, "v", operand)]))
                c.add(f"read_{oname}", get(SET, key, ["v"]))
            out.append(c)
    # The same ops on a record that does not exist.
    c = Case("missing_record")
    for i, (opname, o) in enumerate((("incr", incr("v", 1)), ("append", append("v", "a")),
                                     ("prepend", prepend("v", b"b")), ("touch", touch_op()),
                                     ("delete", delete_op()), ("read", r("v")),
                                     ("read_all", r()), ("write", w("v", 1)))):
        key = f"missing_{opname}"
        c.add(opname, operate(SET, key, [o]))
        c.add(f"{opname}_get", get(SET, key))
    out.append(c)
    # Integer overflow and float arithmetic.
    c = Case("overflow")
    c.add("seed", put(SET, "ovf", {"i": (1 << 63) - 1, "f": 1e308, "n": -(1 << 63)}))
    c.add("incr_max", operate(SET, "ovf", [incr("i", 1), r("i")]))
    c.add("decr_min", operate(SET, "ovf", [incr("n", -1), r("n")]))
    c.add("float_inf", operate(SET, "ovf", [incr("f", 1e308), r("f")]))
    c.add("float_nan", operate(SET, "ovf", [incr("f", float("-inf")), r("f")]))
    c.add("int_by_float", operate(SET, "ovf", [incr("i", 0.5)]))
    c.add("float_by_int", operate(SET, "ovf", [incr("f", 1)]))
    c.add("get", get(SET, "ovf"))
    out.append(c)
    # Respond-all-ops, read-all, repeated bins and order of results.
    c = Case("results")
    c.add("seed", put(SET, "res", {"a": 1, "b": "s", "c": [1]}))
    c.add("mixed", operate(SET, "res", [w("d", 4), r("a"), incr("a", 2), r("a"), r("zz"),
                                        append("b", "t"), r("b"), touch_op()]))
    c.add("mixed_all", operate(SET, "res", [w("d", 5), r("a"), incr("a", 2), r("a"), r("zz"),
                                            append("b", "t"), r("b"), touch_op()],
                               respond_all=True))
    c.add("read_all_after_write", operate(SET, "res", [w("e", 1), r()]))
    c.add("read_all_respond_all", operate(SET, "res", [w("e", 2), r()], respond_all=True))
    c.add("read_all_and_named", operate(SET, "res", [r(), r("a")]))
    c.add("two_read_alls", operate(SET, "res", [r(), r()]))
    c.add("write_twice", operate(SET, "res", [w("f", 1), w("f", 2), r("f")]))
    c.add("incr_twice", operate(SET, "res", [incr("g", 1), incr("g", 1), r("g")]))
    c.add("delete_then_write", operate(SET, "res", [delete_op(), w("h", 1), r()]))
    c.add("get_after", get(SET, "res"))
    c.add("write_then_delete", operate(SET, "res", [w("i", 1), delete_op()]))
    c.add("get_after_delete", get(SET, "res"))
    c.add("reseed", put(SET, "res", {"a": 1}))
    c.add("delete_read", operate(SET, "res", [delete_op(), r("a")]))
    c.add("reseed2", put(SET, "res", {"a": 1}))
    c.add("only_reads_getall_flag", operate(SET, "res", [r("a")], info1=wire.GET_ALL))
    c.add("read_nobindata", operate(SET, "res", [r("a")], info1=wire.NOBINDATA))
    c.add("empty_ops_write", wire.message(wire.Header(info2=wire.WRITE, timeout=1000),
                                          wire.record_fields("test", SET, "res"), []))
    c.add("empty_ops_read", wire.message(wire.Header(info1=wire.READ, timeout=1000),
                                         wire.record_fields("test", SET, "res"), []))
    c.add("read_op_without_read_flag", wire.message(
        wire.Header(info2=wire.WRITE, timeout=1000), wire.record_fields("test", SET, "res"),
        [w("a", 2), r("a")]))
    c.add("write_op_in_read", wire.message(
        wire.Header(info1=wire.READ, timeout=1000), wire.record_fields("test", SET, "res"),
        [w("a", 3)]))
    c.add("touch_with_name", operate(SET, "res", [wire.op(wire.OP_TOUCH, "a")]))
    c.add("delete_with_name", operate(SET, "res", [wire.op(wire.OP_DELETE, "a")]))
    c.add("unknown_op_6", operate(SET, "res", [wire.op(6, "a", 1)]))
    c.add("unknown_op_17", operate(SET, "res", [wire.op(17, "a", "x")]))
    c.add("unknown_op_99", operate(SET, "res", [wire.op(99, "a", 1)]))
    c.add("get_end", get(SET, "res"))
    out.append(c)
    # Replace/update-only with ops.
    c = Case("exists_with_ops")
    c.add("replace_missing", operate(SET, "ewo", [w("a", 1)], info3=wire.CREATE_OR_REPLACE))
    c.add("replace_incr", operate(SET, "ewo", [incr("a", 1)], info3=wire.CREATE_OR_REPLACE))
    c.add("replace_read", operate(SET, "ewo", [w("b", 1), r("a")],
                                  info3=wire.CREATE_OR_REPLACE))
    c.add("replace_nil", operate(SET, "ewo", [w("a", None)], info3=wire.CREATE_OR_REPLACE))
    c.add("update_only_incr", operate(SET, "ewo2", [incr("a", 1)], info3=wire.UPDATE_ONLY))
    c.add("create_only_incr", operate(SET, "ewo", [incr("c", 1)], info2=wire.CREATE_ONLY))
    c.add("get", get(SET, "ewo"))
    out.append(c)
    # Seeded random op lists on a few records.
    keys = [f"rnd{i}" for i in range(5)]
    c = Case("random_ops")
    for i in range(150):
        key = rng.choice(keys)
        ops = []
        for _ in range(rng.randrange(1, 5)):
            bin_name = rng.choice("abcd")
            k = rng.randrange(7)
            if k == 0:
                ops.append(w(bin_name, rng.choice([rng.randrange(-9, 9), "s", b"b", 1.5, None])))
            elif k == 1:
                ops.append(incr(bin_name, rng.choice([1, -2, 0.5])))
            elif k == 2:
                ops.append(append(bin_name, rng.choice(["x", b"y"])))
            elif k == 3:
                ops.append(prepend(bin_name, rng.choice(["p", b"q"])))
            elif k == 4:
                ops.append(r(bin_name))
            elif k == 5:
                ops.append(touch_op())
            else:
                ops.append(r())
        c.add(f"{i}", operate(SET, key, ops, respond_all=rng.random() < 0.3,
                              ttl=rng.choice([0, 0, 1000, 0xFFFFFFFE])))
    for key in keys:
        c.add(f"final_{key}", get(SET, key))
    out.append(c)
    return out
