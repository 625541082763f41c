"""Background queries (execute_background): write ops over a scan, over a
secondary-index range, with a filter expression, with a TTL, with
records-per-second; the job's query-show once done; what the records hold
afterwards; and a query-show / query-abort of a job that never ran."""

from __future__ import annotations

import itertools
import random

from ..catalogue import Case, Compare
from ._common import info, put
from ._query import (V_IS_1, creates, deletes, incr_op, int_range, query_request, query_show,
                     write_op)

SET = "rec_q_bg"
SETS = (SET,)
INDEXES = {"q_bg_i": dict(datatype="NUMERIC", bin_name="i")}
UNORDERED = Compare(unordered=True)

# query-show values of the moment (times, the client's address).
SHOW_VARY = ("run-time", "time-since-done", "from", "net-io-time", "start-time",
             "active-threads")


def show(task_id: int) -> tuple[bytes, Compare]:
    return query_show(task_id), Compare(info_keys=(f"query-show:id={task_id}",),
                                        info_vary=SHOW_VARY)


def cases(rng: random.Random) -> list[Case]:
    ids = itertools.count(9000)
    out = [deletes("clean_before", list(INDEXES))]
    seed = Case("seed")
    for k in range(40):
        seed.add(f"put_{k}", put(SET, k, {"i": k, "v": k % 4}, send_key=True))
    out.append(seed)
    out.append(creates("create", SET, INDEXES))

    def job(case: Case, name: str, pause_ms: int = 0, **kwargs: object) -> None:
        task_id = next(ids)
        case.add(name, query_request(SET, task_id=task_id, **kwargs),  # type: ignore[arg-type]
                 pause_ms=pause_ms)
        request, cmp = show(task_id)
        # Jobs over 40 records end within a moment.
        case.add(f"{name}_show", request, cmp, pause_ms=1000)

    c = Case("jobs")
    job(c, "ops_where", pause_ms=1500, index_range=int_range("i", 0, 9),
        background_ops=[write_op("flag", 1)])
    job(c, "ops_scan_filter", filter_exp=V_IS_1, background_ops=[incr_op("i", 1000)])
    job(c, "ops_ttl", index_range=int_range("i", 30, 39), background_ops=[write_op("t", "x")],
        ttl=86400)
    job(c, "ops_rps", rps=50, background_ops=[write_op("r", 1)])
    out.append(c)
    c = Case("after")
    task = itertools.count(9500)
    c.add("scan", query_request(SET, task_id=next(task)), UNORDERED)
    c.add("query_moved", query_request(SET, task_id=next(task),
                                       index_range=int_range("i", 1000, 1100)), UNORDERED)
    out.append(c)
    c = Case("unknown")
    c.add("show_missing", info("query-show:id=123456789"))
    c.add("abort_missing", info("query-abort:id=123456789"))
    c.add("show_bad_id", info("query-show:id=abc"))
    out.append(c)
    out.append(deletes("remove", list(INDEXES)))
    return out
