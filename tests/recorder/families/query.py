"""Secondary-index queries: every predicate (integer equal and range,
string, blob, list / map keys / map values contains and range, GeoJSON
within a region, within a radius, region containing a point), a CDT
context, an expression index, an index named instead of a bin; selected
bins, no bins, max records, a filter expression, partition subsets; and
the errors (no index for the bin 201, a range of the wrong type, two
ranges, an unknown index name or namespace)."""

from __future__ import annotations

import itertools
import json
import random
import struct
from typing import Callable

from .. import wire
from ..catalogue import Case, Compare
from ._common import get, put
from ._query import (CTX_INNER, INT_BIN_V, LIST, MAPKEYS, MAPVALUES, V_IS_1, blob_equal, creates,
                     deletes, geo, index_specs, int_range, query_request, seed, sindex_stat,
                     str_equal)

SET = "rec_q_query"
SETS = (SET,)
INDEXES = index_specs("q_qy")
UNORDERED = Compare(unordered=True)
# sindex-stat values that are timing or memory of the moment.
STAT_VARY = ("load_time", "memory_size", "used_bytes", "entries_per_bval", "entries_per_rec",
             "stat_gc_recs", "histogram", "*_time", "*_us")

PENDING: dict[str, str] = {}

WITHIN = ('{"type":"Polygon","coordinates":[[[-122.005,36.9],[-121.955,36.9],[-121.955,37.1],'
          '[-122.005,37.1],[-122.005,36.9]]]}')
CIRCLE = '{"type":"AeroCircle","coordinates":[[-122.0,37.0],2500.0]}'
POINT_IN = '{"type":"Point","coordinates":[-122.0,37.0]}'
POINT_OUT = '{"type":"Point","coordinates":[0.0,0.0]}'


def _square(lng: float, lat: float, half: float, clockwise: bool = False) -> list[list[float]]:
    ring = [[lng - half, lat - half], [lng + half, lat - half], [lng + half, lat + half],
            [lng - half, lat + half]]
    if clockwise:
        ring.reverse()
    return ring + [ring[0]]


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def _polygon(*rings: list[list[float]]) -> str:
    return _json({"type": "Polygon", "coordinates": list(rings)})


def _point(lng: float, lat: float) -> str:
    return _json({"type": "Point", "coordinates": [lng, lat]})


def _circle(lng: float, lat: float, radius_m: float) -> str:
    return _json({"type": "AeroCircle", "coordinates": [[lng, lat], radius_m]})


# Regions (in the "area" bin, indexed by q_qy_area under their S2 covering
# cells) and points (in "loc", q_qy_loc) of the geo case; each name a key.
MULTI = _json({"type": "MultiPolygon",
               "coordinates": [[_square(10.5, 10.5, 0.5)], [_square(20.5, 20.5, 0.5)]]})
HOLED = _polygon(_square(0.0, 0.0, 5.0), _square(0.0, 0.0, 1.0))
GEO_REGIONS = {
    "gx_multi": MULTI,
    "gx_holed": HOLED,
    "gx_circle": _circle(30.0, 30.0, 50000.0),
    "gx_feature": _json({"type": "Feature", "properties": {"name": "f"},
                         "geometry": {"type": "Polygon",
                                      "coordinates": [_square(40.0, 40.0, 0.5)]}}),
    # Given clockwise: the real server normalizes a loop to its smaller side.
    "gx_clockwise": _polygon(_square(50.0, 10.0, 0.5, clockwise=True)),
    "gx_tiny": _polygon(_square(60.0, -20.0, 0.0001)),
    "gx_big": _polygon(_square(-60.0, -30.0, 40.0)),
    "gx_point_in_area": _point(10.5, 10.5),  # a point in the region bin: never "contains"
}
GEO_POINTS = {
    "gp_a": (10.2, 10.2), "gp_b": (10.9, 10.9), "gp_c": (11.5, 11.5), "gp_d": (20.5, 20.5),
    "gp_origin": (0.0, 0.0), "gp_e": (0.5, 0.5), "gp_f": (3.0, 3.0), "gp_g": (-4.9, 4.9),
    "gp_h": (30.2, 30.1), "gp_i": (-122.001, 37.0005), "gp_edge": (5.0, 0.0),
}
# A region in the point bin: points-within queries never return it.
LOC_REGION = _polygon(_square(-122.0, 37.0, 0.01))


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
    out.append(geo_case(q))
    out.append(deletes("remove", list(INDEXES)))
    return out


def geo_case(q: Callable[..., bytes]) -> Case:
    """Regions of every shape indexed under their S2 coverings, points read
    through covering ranges: what the real server stores (the cells come
    back in the particle), which entries it indexes, what it matches."""
    c = Case("geo")
    for name, region in GEO_REGIONS.items():
        c.add(f"put_{name}", put(SET, name, {"area": wire.Geo(region), "g": 1}, send_key=True))
    for name, (lng, lat) in GEO_POINTS.items():
        c.add(f"put_{name}", put(SET, name, {"loc": wire.Geo(_point(lng, lat)), "g": 2},
                                 send_key=True))
    c.add("put_loc_region", put(SET, "gx_loc_region", {"loc": wire.Geo(LOC_REGION), "g": 3},
                                send_key=True))
    c.add("get_multi", get(SET, "gx_multi"))
    c.add("get_circle", get(SET, "gx_circle"))
    c.add("stat_area", sindex_stat("q_qy_area"),
          Compare(info_keys=("sindex-stat:namespace=test;indexname=q_qy_area",),
                  info_vary=STAT_VARY))
    contains = {
        "multi_first": (10.5, 10.5), "multi_second": (20.7, 20.2), "hole": (0.0, 0.0),
        "ring": (3.0, -3.0), "circle": (30.1, 30.1), "circle_outside": (31.0, 31.0),
        "feature": (40.2, 39.9), "clockwise_inside": (50.1, 10.1),
        "clockwise_outside": (-100.0, -50.0), "tiny": (60.00005, -20.00005),
        "big": (-60.0, -30.0), "big_corner": (-99.9, -69.9),
    }
    for name, (lng, lat) in contains.items():
        c.add(f"contains_{name}", q(index_range=geo("area", _point(lng, lat))), UNORDERED)
    within = {
        "holed_polygon": HOLED,
        "multipolygon": MULTI,
        "circle": _circle(10.0, 10.0, 200000.0),
        "small_circle": _circle(0.0, 0.0, 1000.0),
        "feature": _json({"type": "Feature", "geometry": json.loads(_polygon(
            _square(20.0, 20.0, 1.0)))}),
        "around_loc_region": _polygon(_square(-122.0, 37.0, 0.5)),
        "clockwise": _polygon(_square(10.5, 10.5, 1.0, clockwise=True)),
    }
    for name, region in within.items():
        c.add(f"within_{name}", q(index_range=geo("loc", region)), UNORDERED)
    c.add("within_selected_bins", q(index_range=geo("loc", HOLED), bins=["g"]), UNORDERED)
    c.add("within_bad_json", q(index_range=geo("loc", '{"type":"Polygon","coordinates":[')))
    c.add("within_unclosed", q(index_range=geo("loc", _json(
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}))))
    return c
