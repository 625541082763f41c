"""Batch commands in both formats the clients use (field 41 with the
batch-any row attributes; the legacy read-only header with field 42), every
row kind (read all/selected/no bins, write, operate, delete, touch), REPEAT
rows, the batch flags (inline, report-all-errors, report-error-record),
errors inside rows, filter expressions and the whole-batch failures."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from .. import wire
from ..catalogue import Case
from ..wire import BatchRow, Header
from ._common import get, incr, put, r, w

SET = "rec_batch"
SET2 = "rec_batch_b"
SETS = (SET, SET2)

REPORT_ERR = wire.BATCH_INLINE | wire.BATCH_REPORT_ERROR_REC


def read_row(i: int, key: Any, *, bins: Sequence[str] | None = None, no_bins: bool = False,
             set_name: str = SET, repeat: bool = False, legacy: bool = False) -> BatchRow:
    info1 = wire.READ | (wire.NOBINDATA if no_bins else 0) | \
        (wire.GET_ALL if bins is None and not no_bins else 0)
    ops = [r(b) for b in bins or ()]
    if legacy:
        return BatchRow(i, key, set_name, info1=info1, ops=ops, repeat=repeat)
    return BatchRow(i, key, set_name, info1=info1, info2=0, info3=0, ttl=0, ops=ops,
                    repeat=repeat)


def write_row(i: int, key: Any, ops: Sequence[bytes], *, set_name: str = SET, info2: int = 0,
              info3: int = 0, generation: int = 0, ttl: int = 0, send_key: bool = False,
              read: bool = False) -> BatchRow:
    info1 = wire.READ if read else 0
    if read and any(o[4] == wire.OP_READ and o[7] == 0 for o in ops):
        info1 |= wire.GET_ALL
    return BatchRow(i, key, set_name, info1=info1,
                    info2=wire.WRITE | wire.RESPOND_ALL_OPS | info2, info3=info3,
                    generation=generation, ttl=ttl, ops=ops, send_key=send_key)


def delete_row(i: int, key: Any, *, set_name: str = SET, info2: int = 0,
               generation: int = 0) -> BatchRow:
    return BatchRow(i, key, set_name, info1=0,
                    info2=wire.WRITE | wire.RESPOND_ALL_OPS | wire.DELETE | info2, info3=0,
                    generation=generation, ttl=0)


def batch(rows: Sequence[BatchRow], flags: int = REPORT_ERR, **kw: Any) -> bytes:
    return wire.batch_request(rows, flags=flags, header=Header(info1=wire.BATCH, timeout=1000),
                              **kw)


def legacy_batch(rows: Sequence[BatchRow], flags: int = wire.BATCH_INLINE,
                 field_type: int = wire.F_BATCH_WITH_SET) -> bytes:
    return wire.batch_request(rows, flags=flags, field_type=field_type,
                              header=Header(info1=wire.READ | wire.BATCH, timeout=1000))


def cases(rng: random.Random) -> list[Case]:
    out = []
    seed = Case("seed")
    for i in range(20):
        seed.add(f"put{i}", put(SET, i, {"i": i, "s": f"v{i}", "l": [i] * (i % 3)},
                                send_key=i % 2 == 0))
    seed.add("put_other_set", put(SET2, 100, {"x": 1}))
    out.append(seed)

    keys = list(range(8)) + [50, 51]  # 50, 51 do not exist
    c = Case("reads")
    for fname, flags in (("inline_err", REPORT_ERR), ("report_all", wire.BATCH_INLINE |
                                                      wire.BATCH_REPORT_ALL),
                         ("none", 0), ("all_flags", 15)):
        c.add(f"all_bins_{fname}", batch([read_row(i, k) for i, k in enumerate(keys)], flags))
        c.add(f"select_{fname}", batch([read_row(i, k, bins=["s", "zz", "i"])
                                        for i, k in enumerate(keys)], flags))
        c.add(f"exists_{fname}", batch([read_row(i, k, no_bins=True)
                                        for i, k in enumerate(keys)], flags))
    c.add("repeat_rows", batch([read_row(0, 0)] + [read_row(i, k, repeat=True)
                                                   for i, k in enumerate(keys[1:], 1)]))
    c.add("repeat_first_row", batch([read_row(0, 0, repeat=True), read_row(1, 1)]))
    c.add("repeat_after_key", batch([BatchRow(0, 0, SET, info1=wire.READ | wire.GET_ALL,
                                              info2=0, info3=0, ttl=0, send_key=True),
                                     read_row(1, 1, repeat=True), read_row(2, 2)]))
    c.add("mixed_sets", batch([read_row(0, 1), read_row(1, 100, set_name=SET2),
                               read_row(2, 100), read_row(3, 1, set_name=SET2)]))
    c.add("same_key_twice", batch([read_row(0, 3), read_row(1, 3), read_row(2, 3, bins=["i"])]))
    c.add("odd_indexes", batch([read_row(7, 1), read_row(3, 2), read_row(1000000, 3)]))
    c.add("legacy_41", legacy_batch([read_row(i, k, legacy=True) for i, k in enumerate(keys)],
                                    field_type=wire.F_BATCH))
    c.add("legacy_42", legacy_batch([read_row(i, k, legacy=True) for i, k in enumerate(keys)]))
    c.add("legacy_42_select", legacy_batch([read_row(i, k, bins=["s"], legacy=True)
                                            for i, k in enumerate(keys)]))
    c.add("legacy_42_exists", legacy_batch([read_row(i, k, no_bins=True, legacy=True)
                                            for i, k in enumerate(keys)]))
    c.add("legacy_42_repeat", legacy_batch([read_row(0, 0, legacy=True)] +
                                           [read_row(i, k, legacy=True, repeat=True)
                                            for i, k in enumerate(keys[1:], 1)]))
    c.add("unknown_namespace_row", batch([read_row(0, 1),
                                          BatchRow(1, 2, SET, ns="nope", info1=wire.READ |
                                                   wire.GET_ALL, info2=0, info3=0, ttl=0),
                                          read_row(2, 3)]))
    c.add("unknown_namespace_row_report_all", batch(
        [read_row(0, 1), BatchRow(1, 2, SET, ns="nope", info1=wire.READ | wire.GET_ALL,
                                  info2=0, info3=0, ttl=0), read_row(2, 3)],
        wire.BATCH_INLINE | wire.BATCH_REPORT_ALL))
    c.add("set_mismatch_row", batch([read_row(0, 1), BatchRow(
        1, 2, SET2, info1=wire.READ | wire.GET_ALL, info2=0, info3=0, ttl=0,
        digest_override=wire.digest(SET, 2)), read_row(2, 3)]))
    c.add("key_mismatch_row", batch([BatchRow(0, 2, SET, info1=wire.READ | wire.GET_ALL,
                                              info2=0, info3=0, ttl=0,
                                              extra_fields=[wire.fld(wire.F_KEY,
                                                                     wire.key_bytes(99))])]))
    # Filter expressions: batch-level and per row.
    even = wire.pack_exp([1, [26, wire.exp_bin(2, "i"), 2], 0])
    c.add("filter_batch", batch([read_row(i, k) for i, k in enumerate(keys)], filter_exp=even))
    c.add("filter_row", batch([BatchRow(i, k, SET, info1=wire.READ | wire.GET_ALL, info2=0,
                                        info3=0, ttl=0,
                                        extra_fields=[wire.fld(wire.F_FILTER, even)])
                               for i, k in enumerate(keys)]))
    c.add("filter_bad", batch([read_row(0, 1)], filter_exp=b"\x93\x01\x02"))
    out.append(c)

    c = Case("writes")
    c.add("mixed", batch([
        write_row(0, 200, [w("a", 1), w("b", "x")]),
        write_row(1, 201, [w("a", 2)], send_key=True),
        read_row(2, 200),
        write_row(3, 200, [incr("a", 10), r("a")], read=True),
        delete_row(4, 201),
        read_row(5, 201),
        write_row(6, 202, [w("a", 1)], info2=wire.CREATE_ONLY),
        write_row(7, 202, [w("a", 2)], info2=wire.CREATE_ONLY),
        write_row(8, 203, [w("a", 1)], info3=wire.UPDATE_ONLY),
        write_row(9, 200, [w("c", 1)], info2=wire.GENERATION, generation=9),
        write_row(10, 200, [r()], read=True),
        write_row(11, 204, [w("a", 1)], ttl=100),
        write_row(12, 200, [w("a", 1)], info2=wire.DURABLE_DELETE),
        delete_row(13, 205),
        write_row(14, 200, [wire.op(wire.OP_TOUCH)]),
        write_row(15, 200, [incr("b", 1)]),
    ]))
    c.add("mixed_report_all", batch([
        write_row(0, 210, [w("a", 1)]),
        write_row(1, 210, [incr("a", "x")]),
        write_row(2, 211, [w("a", 1)]),
        write_row(3, 212, [w("a", 1)], info3=wire.UPDATE_ONLY),
        read_row(4, 210),
    ], wire.BATCH_INLINE | wire.BATCH_REPORT_ALL))
    c.add("error_stops_batch", batch([
        write_row(0, 220, [w("a", 1)]),
        write_row(1, 220, [incr("a", "x")]),
        write_row(2, 221, [w("a", 1)]),
        read_row(3, 220),
    ], wire.BATCH_INLINE))
    c.add("error_rec_stops_batch", batch([
        write_row(0, 222, [w("a", 1)]),
        write_row(1, 222, [incr("a", "x")]),
        write_row(2, 223, [w("a", 1)]),
    ], REPORT_ERR))
    c.add("gets_after", batch([read_row(i, k) for i, k in enumerate(
        [200, 201, 202, 203, 204, 205, 210, 211, 212, 220, 221, 222, 223])]))
    c.add("write_repeat", batch([write_row(0, 230, [w("a", 1)])] +
                                [BatchRow(i, 230 + i, SET, repeat=True) for i in range(1, 6)]))
    c.add("gets_repeat", batch([read_row(i, 230 + i) for i in range(6)]))
    c.add("delete_repeat", batch([delete_row(0, 230)] +
                                 [BatchRow(i, 230 + i, SET, repeat=True) for i in range(1, 6)]))
    c.add("gets_deleted", batch([read_row(i, 230 + i) for i in range(6)]))
    c.add("single_get", get(SET, 200))
    out.append(c)

    c = Case("envelope")
    c.add("zero_rows", batch([]))
    c.add("count_says_more", batch([read_row(0, 1)], count=3))
    c.add("count_says_fewer", batch([read_row(0, 1), read_row(1, 2)], count=1))
    c.add("no_batch_field", wire.message(Header(info1=wire.BATCH, timeout=1000),
                                         [wire.fld(wire.F_NAMESPACE, "test")], []))
    c.add("truncated_row", wire.message(Header(info1=wire.BATCH, timeout=1000),
                                        [wire.fld(wire.F_BATCH, b"\x00\x00\x00\x01\x09" +
                                                  b"\x00\x00\x00\x00" + b"\x11" * 10)], []))
    c.add("row_without_namespace", batch([BatchRow(0, 1, SET, info1=wire.READ | wire.GET_ALL,
                                                   info2=0, info3=0, ttl=0)][:0] +
                                         [read_row(0, 1)]))
    c.add("after_envelope_errors", batch([read_row(0, 1)]))
    out.append(c)

    c = Case("many")
    c.add("keys_300", batch([read_row(i, i % 25) for i in range(300)]))
    c.add("keys_300_exists", batch([read_row(i, i % 25, no_bins=True) for i in range(300)]))
    c.add("writes_100", batch([write_row(i, 1000 + i, [w("n", i)]) for i in range(100)]))
    c.add("reads_100", batch([read_row(i, 1000 + i) for i in range(100)]))
    out.append(c)

    c = Case("random")
    pool = list(range(20)) + [60, 61, 62]
    for i in range(40):
        rows = []
        for j in range(rng.randrange(1, 12)):
            k = rng.choice(pool)
            kind = rng.randrange(5)
            if kind == 0:
                rows.append(read_row(j, k))
            elif kind == 1:
                rows.append(read_row(j, k, bins=rng.sample(["i", "s", "l", "q"], 2)))
            elif kind == 2:
                rows.append(read_row(j, k, no_bins=True))
            elif kind == 3:
                rows.append(write_row(j, k, [w("q", rng.randrange(100))]))
            else:
                rows.append(write_row(j, k, [incr("i", 1), r("i")], read=True))
        c.add(f"{i}", batch(rows, rng.choice([REPORT_ERR, wire.BATCH_INLINE |
                                              wire.BATCH_REPORT_ALL])))
    out.append(c)
    return out
