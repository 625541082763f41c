"""Pages of scans and queries: max records within one partition (in the
server's order: a scan walks a partition's digests, a query its index
entries), then the resume a cursor sends (the partition with the digest,
and for a query the bval, of the last record seen), a resume digest that
names no record, partitions mixed with resumed ones, and a whole-partition
page after a resume."""

from __future__ import annotations

import itertools
import random

from .. import wire
from ..catalogue import Case, Compare
from ._common import put
from ._query import creates, deletes, int_range, query_request

SET = "rec_q_paging"
SETS = (SET,)
INDEXES = {"q_pg_i": dict(datatype="NUMERIC", bin_name="i")}
UNORDERED = Compare(unordered=True)
PER_PARTITION = 6


def _crowded(n_partitions: int) -> list[tuple[int, list[int]]]:
    """The first partitions to get PER_PARTITION + 1 integer keys (the last
    one is never written): [(pid, keys)]."""
    found: dict[int, list[int]] = {}
    out: list[tuple[int, list[int]]] = []
    for k in itertools.count():
        pid = wire.partition_id(wire.digest(SET, k))
        keys = found.setdefault(pid, [])
        keys.append(k)
        if len(keys) == PER_PARTITION + 1:
            out.append((pid, keys))
            if len(out) == n_partitions:
                return out


def cases(rng: random.Random) -> list[Case]:
    ids = itertools.count(7000)

    def q(**kwargs: object) -> bytes:
        return query_request(SET, task_id=next(ids), **kwargs)  # type: ignore[arg-type]

    (p1, keys1), (p2, keys2) = _crowded(2)
    written1, missing1 = keys1[:-1], keys1[-1]
    written2 = keys2[:-1]
    out = [deletes("clean_before", list(INDEXES))]
    seed = Case("seed")
    # i runs against the key order so that index order and digest order differ.
    for n, k in enumerate(written1 + written2):
        seed.add(f"put_{k}", put(SET, k, {"i": 100 - n, "k": k}, send_key=True))
    for k in range(20):
        if k not in keys1 and k not in keys2:
            seed.add(f"put_{k}", put(SET, k, {"i": 500 + k, "k": k}, send_key=True))
    out.append(seed)
    out.append(creates("create", SET, INDEXES))

    by_digest = sorted(written1, key=lambda k: wire.digest(SET, k), reverse=True)
    by_bval = sorted(written1, key=lambda k: (100 - (written1 + written2).index(k)))
    d = {k: wire.digest(SET, k) for k in keys1 + keys2}
    bval = {k: 100 - n for n, k in enumerate(written1 + written2)}

    c = Case("scan")
    c.add("page1", q(pids=[p1], max_records=2))
    c.add("resume_after_2nd", q(pids=[], digests=[d[by_digest[1]]]))
    c.add("resume_after_first", q(pids=[], digests=[d[by_digest[0]]], max_records=3))
    c.add("resume_after_last", q(pids=[], digests=[d[by_digest[-1]]]))
    c.add("resume_missing_digest", q(pids=[], digests=[d[missing1]]))
    c.add("resume_and_partition", q(pids=[p2], digests=[d[by_digest[2]]]), UNORDERED)
    c.add("two_resumes", q(pids=[], digests=[d[by_digest[3]], d[written2[0]]]), UNORDERED)
    c.add("whole_partition", q(pids=[p2]))
    c.add("max_bigger_than_partition", q(pids=[p1], max_records=100))
    out.append(c)

    c = Case("query")
    rng_all = int_range("i", 0, 1000)
    c.add("page1", q(index_range=rng_all, pids=[p1], max_records=2), pause_ms=1500)
    c.add("resume_after_2nd", q(index_range=rng_all, pids=[], digests=[d[by_bval[1]]],
                                bvals=[bval[by_bval[1]]]))
    c.add("resume_after_first", q(index_range=rng_all, pids=[], digests=[d[by_bval[0]]],
                                  bvals=[bval[by_bval[0]]], max_records=3))
    c.add("resume_after_last", q(index_range=rng_all, pids=[], digests=[d[by_bval[-1]]],
                                 bvals=[bval[by_bval[-1]]]))
    c.add("resume_missing_digest", q(index_range=rng_all, pids=[], digests=[d[missing1]],
                                     bvals=[bval[by_bval[2]]]))
    c.add("resume_and_partition", q(index_range=rng_all, pids=[p2], digests=[d[by_bval[2]]],
                                    bvals=[bval[by_bval[2]]]), UNORDERED)
    c.add("whole_partition", q(index_range=rng_all, pids=[p2]))
    c.add("digests_without_bvals", q(index_range=rng_all, pids=[], digests=[d[by_bval[1]]]))
    out.append(c)
    out.append(deletes("remove", list(INDEXES)))
    return out
