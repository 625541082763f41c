"""Secondary-index queries: every predicate (integer equal and range,
string, blob, list / map keys / map values contains and range, GeoJSON
within a region, within a radius, region containing a point), a CDT
context, an expression index, an index named instead of a bin; selected
bins, no bins, max records, a filter expression, partition subsets; and
the errors (no index for the bin 201, a range of the wrong type, two
ranges, an unknown index name or namespace)."""

from __future__ import annotations

import itertools
import random
import struct

from .. import wire
from ..catalogue import Case, Compare
from ._query import (CTX_INNER, INT_BIN_V, LIST, MAPKEYS, MAPVALUES, V_IS_1, blob_equal, creates,
                     deletes, geo, index_specs, int_range, query_request, seed, str_equal)

SET = "rec_q_query"
SETS = (SET,)
INDEXES = index_specs("q_qy")
UNORDERED = Compare(unordered=True)

PENDING = {
    "predicates/geo_contains_point": "a GeoJSON region is stored without the S2 cells that "
                                     "cover it (the real server returns them in the particle "
                                     "and matches by cell: another bval)",
}

WITHIN = ('{"type":"Polygon","coordinates":[[[-122.005,36.9],[-121.955,36.9],[-121.955,37.1],'
          '[-122.005,37.1],[-122.005,36.9]]]}')
CIRCLE = '{"type":"AeroCircle","coordinates":[[-122.0,37.0],2500.0]}'
POINT_IN = '{"type":"Point","coordinates":[-122.0,37.0]}'
POINT_OUT = '{"type":"Point","coordinates":[0.0,0.0]}'


def cases(rng: random.Random) -> list[Case]:
    ids = itertools.count(5000)

    def q(**kwargs: object) -> bytes:
        return query_request(SET, task_id=next(ids), **kwargs)  # type: ignore[arg-type]

    out = [deletes("clean_before", list(INDEXES)), seed(SET), creates("create", SET, INDEXES)]
    c = Case("predicates")
    # The index builds are asynchronous: give them a moment over ~70 records.
    c.add("equals_int", q(index_range=int_range("i", 17, 17)), UNORDERED, pause_ms=1500)
    c.add("between_int", q(index_range=int_range("i", 10, 29)), UNORDERED)
    # Up to the region's record (i=2000), which geo_contains_point reads.
    c.add("between_wide", q(index_range=int_range("i", -(2**63), 1999)), UNORDERED)
    c.add("equals_string", q(index_range=str_equal("name", "n3")), UNORDERED)
    c.add("equals_blob", q(index_range=blob_equal("blob", bytes([2]))), UNORDERED)
    c.add("contains_list", q(index_type=LIST, index_range=int_range("tags", 4, 4)), UNORDERED)
    c.add("range_list", q(index_type=LIST, index_range=int_range("tags", 1, 2)), UNORDERED)
    c.add("contains_mapkeys", q(index_type=MAPKEYS, index_range=str_equal("m", "k2")),
          UNORDERED)
    c.add("contains_mapvalues", q(index_type=MAPVALUES, index_range=int_range("m", 5, 5)),
          UNORDERED)
    c.add("range_mapvalues", q(index_type=MAPVALUES, index_range=int_range("m", 1, 3)),
          UNORDERED)
    c.add("geo_within_region", q(index_range=geo("loc", WITHIN)), UNORDERED)
    c.add("geo_within_radius", q(index_range=geo("loc", CIRCLE)), UNORDERED)
    c.add("geo_contains_point", q(index_range=geo("area", POINT_IN)), UNORDERED)
    c.add("geo_contains_point_outside", q(index_range=geo("area", POINT_OUT)), UNORDERED)
    c.add("ctx_equals", q(index_range=int_range("doc", 3, 3), context=CTX_INNER), UNORDERED)
    c.add("expression_index", q(index_range=int_range("", 2, 2), expression=INT_BIN_V),
          UNORDERED)
    c.add("by_index_name", q(index_range=int_range("", 3, 3), index_name="q_qy_exp"),
          UNORDERED)
    c.add("no_match", q(index_range=int_range("i", 99999, 99999)), UNORDERED)
    out.append(c)
    c = Case("shapes")
    c.add("select_bins", q(index_range=int_range("i", 0, 9), bins=["i", "name", "zz"]),
          UNORDERED)
    c.add("no_bins", q(index_range=int_range("i", 0, 9), no_bins=True), UNORDERED)
    c.add("max_records", q(index_range=int_range("i", 0, 99), max_records=7), UNORDERED)
    c.add("filter_expression", q(index_range=int_range("i", 0, 59), filter_exp=V_IS_1),
          UNORDERED)
    pids = sorted({wire.partition_id(wire.digest(SET, k)) for k in range(60)})
    c.add("partition_subset", q(index_range=int_range("i", 0, 59), pids=pids[:15]), UNORDERED)
    c.add("partition_empty", q(index_range=int_range("i", 0, 59),
                               pids=[p for p in range(200) if p not in pids][:10]), UNORDERED)
    c.add("records_per_second", q(index_range=int_range("i", 0, 29), rps=1000), UNORDERED)
    out.append(c)
    c = Case("errors")
    c.add("unindexed_bin", q(index_range=int_range("nobin", 1, 1)))
    c.add("wrong_type", q(index_range=int_range("name", 5, 5)))
    c.add("string_on_numeric", q(index_range=str_equal("i", "x")))
    c.add("wrong_collection", q(index_type=MAPKEYS, index_range=int_range("tags", 1, 1)))
    c.add("unknown_index_name", q(index_range=int_range("", 3, 3), index_name="q_qy_nope"))
    two = int_range("i", 1, 2)
    c.add("two_ranges", q(index_range=bytes([2]) + two[1:] + two[1:]))
    c.add("inverted_range", q(index_range=int_range("i", 20, 10)), UNORDERED)
    c.add("short_bound", q(index_range=b"\x01\x01i\x01" + struct.pack(">I", 4) + b"\0\0\0\1"
                           + struct.pack(">I", 4) + b"\0\0\0\2"))
    c.add("unknown_namespace", wire.message(
        wire.Header(info1=wire.READ, info3=wire.PARTITION_DONE),
        [wire.fld(wire.F_NAMESPACE, "nope"), wire.fld(wire.F_SET, SET),
         wire.fld(wire.F_TASK_ID, struct.pack(">Q", next(ids))),
         wire.fld(wire.F_INDEX_RANGE, int_range("i", 1, 1)),
         wire.fld(wire.F_PID_ARRAY, b"".join(struct.pack("<H", p) for p in range(4096)))], []))
    c.add("after_errors", q(index_range=int_range("i", 0, 4)), UNORDERED)
    out.append(c)
    c = Case("random")
    for i in range(10):
        low = rng.randrange(-5, 60)
        high = low + rng.randrange(0, 30)
        chosen = sorted(rng.sample(pids, rng.randrange(1, len(pids))))
        c.add(f"{i}", q(index_range=int_range("i", low, high), pids=chosen,
                        bins=rng.choice([(), ("i",), ("name", "tags")])), UNORDERED)
    out.append(c)
    out.append(deletes("remove", list(INDEXES)))
    return out
