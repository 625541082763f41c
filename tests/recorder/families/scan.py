"""Scans (primary-index queries without a where clause) of one set: all
partitions, partition subsets, digest resume, selected bins, no bins, max
records, filter expressions, and the request errors (no PARTITION_DONE bit,
duplicate or out-of-range partitions, unknown namespace or set)."""

from __future__ import annotations

import itertools
import random
import struct
from collections.abc import Iterator
from typing import Any

from .. import wire
from ..catalogue import Case, Compare
from ._common import put

SET = "rec_scan"
EMPTY_SET = "rec_scan_empty"
SETS = (SET, EMPTY_SET)
UNORDERED = Compare(unordered=True)


def _task_ids() -> Iterator[int]:
    # Each scan its own task id: the real server refuses (4) a task id
    # whose job is still registered as active.
    return itertools.count(1000)


def cases(rng: random.Random) -> list[Case]:
    ids = _task_ids()

    def scan(*args: Any, **kwargs: Any) -> bytes:
        return wire.scan_request(*args, task_id=next(ids), **kwargs)

    out = []
    seed = Case("seed")
    keys = list(range(40)) + [f"s{i}" for i in range(20)]
    for i, k in enumerate(keys):
        bins = {"n": i, "s": f"v{i}"}
        if i % 3 == 0:
            bins["l"] = [i, "x"]
        if i % 5 == 0:
            bins["m"] = {"k": i}
        seed.add(f"put_{k}", put(SET, k, bins, send_key=i % 2 == 0,
                                 ttl=wire.TTL_NEVER_EXPIRE if i % 4 else 0))
    out.append(seed)
    pids = sorted({wire.partition_id(wire.digest(SET, k)) for k in keys})
    c = Case("scans")
    c.add("all", scan("test", SET), UNORDERED)
    c.add("all_select", scan("test", SET, bins=["s", "m", "zz"]), UNORDERED)
    c.add("all_nobins", scan("test", SET, no_bins=True), UNORDERED)
    c.add("owned_pids", scan("test", SET, pids=pids), UNORDERED)
    c.add("first_pids", scan("test", SET, pids=pids[:10]), UNORDERED)
    c.add("empty_pids", scan("test", SET, pids=[p for p in range(50)
                                                           if p not in pids][:20]), UNORDERED)
    c.add("max_5_one_pid", scan("test", SET, pids=pids[:1], max_records=5),
          UNORDERED)
    c.add("max_1000", scan("test", SET, max_records=1000), UNORDERED)
    resume = [wire.digest(SET, k) for k in keys[:10]]
    c.add("resume_digests", scan("test", SET, pids=None, digests=resume), UNORDERED)
    c.add("resume_and_pids", scan(
        "test", SET, pids=[p for p in pids if p not in {wire.partition_id(d) for d in resume}],
        digests=resume), UNORDERED)
    even = wire.pack_exp([1, [26, wire.exp_bin(2, "n"), 2], 0])
    c.add("filter", scan("test", SET, filter_exp=even), UNORDERED)
    c.add("filter_select", scan("test", SET, filter_exp=even, bins=["n"]), UNORDERED)
    c.add("empty_set", scan("test", EMPTY_SET), UNORDERED)
    c.add("unknown_set", scan("test", "rec_scan_never_written"), UNORDERED)
    c.add("unknown_namespace", scan("nope", SET))
    c.add("no_partition_done", scan("test", SET, info3=0))
    c.add("duplicate_pid", scan("test", SET, pids=[1, 1]))
    c.add("pid_4096", scan("test", SET, pids=[4096]))
    c.add("no_pids", scan("test", SET, pids=[]))
    c.add("odd_pid_bytes", wire.message(
        wire.Header(info1=wire.READ, info3=wire.PARTITION_DONE, timeout=1000),
        [wire.fld(wire.F_NAMESPACE, "test"), wire.fld(wire.F_SET, SET),
         wire.fld(wire.F_PID_ARRAY, b"\x01\x00\x02")], []))
    c.add("max_records_short", wire.message(
        wire.Header(info1=wire.READ, info3=wire.PARTITION_DONE, timeout=1000),
        [wire.fld(wire.F_NAMESPACE, "test"), wire.fld(wire.F_SET, SET),
         wire.fld(wire.F_PID_ARRAY, struct.pack("<H", pids[0])),
         wire.fld(wire.F_MAX_RECORDS, b"\x01")], []), UNORDERED)
    c.add("bad_filter", scan("test", SET, filter_exp=b"\x93\x01"))
    c.add("after_errors", scan("test", SET, pids=pids[:3]), UNORDERED)
    out.append(c)
    c = Case("random")
    for i in range(15):
        chosen = sorted(rng.sample(pids, rng.randrange(1, len(pids))))
        sel = rng.choice([(), ("n",), ("s", "l")])
        c.add(f"{i}", scan("test", SET, pids=chosen, bins=sel,
                                        no_bins=rng.random() < 0.2), UNORDERED)
    out.append(c)
    return out
