"""Truncate semantics: a set, the records of one set only, a set truncated
before a given last-update time (``lut``), a ``lut`` older than every
record, writes right after a truncate, and the set's statistics."""

from __future__ import annotations

import random

from ..catalogue import Case, Compare
from ._common import exists, get, info, put, touch

SET = "rec_trunc"
OTHER = "rec_trunc_other"
SETS = (SET, OTHER)
SET_STATS = Compare(info_keys=(f"sets/test/{SET}", f"sets/test/{OTHER}"),
                    info_vary=("data_used_bytes", "truncate_lut", "tombstones"))
# Truncates leave a last-update cut-off in the current millisecond; the
# steps that write after one wait a little, as clients do in practice.
AFTER = 20


def cases(rng: random.Random) -> list[Case]:
    out = []
    c = Case("set")
    for i in range(5):
        c.add(f"put{i}", put(SET, i, {"a": i}))
        c.add(f"put_other{i}", put(OTHER, i, {"a": i}))
    c.add("stats_before", info(f"sets/test/{SET}", f"sets/test/{OTHER}"), SET_STATS)
    # The records must be older than the truncate's millisecond.
    c.add("truncate", info(f"truncate:namespace=test;set={SET}"), pause_ms=AFTER)
    c.add("get_truncated", get(SET, 0), pause_ms=AFTER)
    c.add("exists_truncated", exists(SET, 1))
    c.add("touch_truncated", touch(SET, 2))
    c.add("get_other_kept", get(OTHER, 0))
    c.add("stats_after", info(f"sets/test/{SET}", f"sets/test/{OTHER}"), SET_STATS,
          pause_ms=200)
    c.add("rewrite", put(SET, 0, {"b": 1}))
    c.add("get_rewritten", get(SET, 0))
    c.add("stats_rewritten", info(f"sets/test/{SET}"), SET_STATS)
    out.append(c)

    c = Case("lut")
    c.add("old1", put(SET, "old1", {"a": 1}))
    c.add("old2", put(SET, "old2", {"a": 2}))
    # ${lut:-N} is replaced when the request is sent by the time N ms ago,
    # in nanoseconds since 1970 (see session.py).
    c.add("truncate_before_all", info(f"truncate:namespace=test;set={SET};lut=${{lut:-60000}}"),
          pause_ms=AFTER)
    c.add("get_old_kept", get(SET, "old1"), pause_ms=AFTER)
    c.add("truncate_between", info(f"truncate:namespace=test;set={SET};lut=${{lut:-100}}"),
          pause_ms=300)
    c.add("new1", put(SET, "new1", {"a": 3}), pause_ms=AFTER)
    c.add("get_old_gone", get(SET, "old1"))
    c.add("get_old2_gone", get(SET, "old2"))
    c.add("get_new_kept", get(SET, "new1"))
    c.add("truncate_older_again", info(f"truncate:namespace=test;set={SET};lut=${{lut:-60000}}"))
    c.add("get_new_still_kept", get(SET, "new1"), pause_ms=AFTER)
    c.add("truncate_future", info(f"truncate:namespace=test;set={SET};lut=${{lut:+60000}}"))
    c.add("get_new_after_future", get(SET, "new1"))
    c.add("truncate_now_explicit", info(f"truncate:namespace=test;set={SET};lut=${{lut:-0}}"),
          pause_ms=AFTER)
    c.add("get_new_gone", get(SET, "new1"), pause_ms=AFTER)
    out.append(c)

    c = Case("write_window")
    c.add("put", put(SET, "w", {"a": 1}))
    c.add("truncate", info(f"truncate:namespace=test;set={SET}"), pause_ms=AFTER)
    c.add("put_after", put(SET, "w", {"a": 2}), pause_ms=AFTER)
    c.add("get", get(SET, "w"))
    c.add("put_other_set", put(OTHER, "w", {"a": 1}))
    out.append(c)
    _ = rng
    return out
