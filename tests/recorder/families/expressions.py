"""Expressions: the seeded random trees and hand-written cases of
families/expressions.json (made by tests/make_expression_recordings.py:
built with aerospike_py.exp and byte-equal to the official client's
compilation), each sent three ways against one fixture record:

* as a filter (field 43) on a read of the fixture record;
* as an expression read op (op 7, ``[expression, flags]``), some with
  EVAL_NO_FAIL;
* as an expression write op (op 8) into bin ``out`` of a second record with
  the same bins, with seeded write flags, followed by a read of ``out``.

The fixture bins are tests/expression_gen.py's RECORD_BINS; the record is
stored with its key (send-key) so key expressions see it."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from .. import wire
from ..catalogue import Case
from ..wire import Header
from ._common import TIMEOUT, fields, get, operate, put, r

SET = "rec_expressions"
SETS = (SET,)
SEED = 2026

EXPRESSIONS = Path(__file__).with_name("expressions.json")
FIXTURE = "fx"
WRITE_KEY = "wx"
# tests/expression_gen.py RECORD_BINS_SOURCE, as wire values (bin order kept).
RECORD_BINS: list[tuple[str, Any]] = [
    ("i", 42), ("n", -7), ("z", 0), ("f", 2.5), ("g0", -0.5), ("s", "hello"), ("e", ""),
    ("b", b"\x01\x02\xff"), ("t", True), ("u", False),
    ("l", [1, 5, 3, 9, 5]), ("ls", ["b", "a", "c"]), ("lm", [1, "a", [2, 3], 2.5, None]),
    ("m", {"a": 1, "b": 2, "c": 3}), ("ms", {"x": "u", "y": "v"}),
    ("nest", {"k": [10, 20, {"z": 30}], "q": {"r": 1}}),
]
EXP_READ_EVAL_NO_FAIL = 16
EXP_WRITE_FLAGS = (0, 0, 0, 1, 2, 4, 8, 16, 4 | 8 | 16)
PER_CASE = 100  # expressions per case (so a failure names a small group)


def _expressions() -> list[dict[str, str]]:
    data = json.loads(EXPRESSIONS.read_text())
    return list(data["expressions"])


def _exp_op(op_type: int, name: str, expression: bytes, flags: int) -> bytes:
    body = wire.RawMsgpack(b"\x92" + expression)  # [expression, flags]
    raw = bytes(wire.pack(body)) + bytes(wire.pack(flags))
    return wire.op(op_type, name, raw=raw, ptype=wire.P_BLOB)


def _filtered_get(expression: bytes) -> bytes:
    h = Header(info1=wire.READ | wire.GET_ALL, timeout=TIMEOUT)
    return wire.message(h, fields(SET, FIXTURE, extra=[wire.fld(wire.F_FILTER, expression)]), [])


def cases(rng: random.Random) -> list[Case]:
    out: list[Case] = []
    c = Case("fixture")
    c.add("put", put(SET, FIXTURE, RECORD_BINS, send_key=True))
    c.add("put_write_record", put(SET, WRITE_KEY, RECORD_BINS, send_key=True))
    c.add("get", get(SET, FIXTURE))
    out.append(c)
    entries = _expressions()
    for start in range(0, len(entries), PER_CASE):
        c = Case(f"exp{start // PER_CASE:02d}")
        for e in entries[start:start + PER_CASE]:
            name = e["name"]
            x = bytes.fromhex(e["wire"])
            c.add(f"{name}_filter", _filtered_get(x))
            read_flags = EXP_READ_EVAL_NO_FAIL if rng.random() < 0.25 else 0
            c.add(f"{name}_read", operate(SET, FIXTURE, [_exp_op(wire.OP_EXP_READ, "r", x,
                                                                 read_flags)]))
            write_flags = rng.choice(EXP_WRITE_FLAGS)
            c.add(f"{name}_write", operate(SET, WRITE_KEY, [
                _exp_op(wire.OP_EXP_MODIFY, "out", x, write_flags), r("out")],
                respond_all=True))
        out.append(c)
    return out
