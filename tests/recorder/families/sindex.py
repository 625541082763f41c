"""Secondary indexes: sindex-create of every type (numeric, string, blob,
list / map keys / map values collections, GeoJSON points and regions, a CDT
context path, an expression), built over records already written; creating
again (same definition: ok; the name taken: 200), sindex-stat /
sindex-exists / sindex/<ns>/<name>, a missing index (201), bad definitions
(4), and sindex-delete (present and missing). Set indexes (8.1
indextype=SET) have their own family, set_index."""

from __future__ import annotations

import random

from ..catalogue import Case, Compare
from ._common import info, put
from ._query import (creates, deletes, index_specs, seed, sindex_create, sindex_exists,
                     sindex_stat)

SET = "rec_q_sindex"
SETS = (SET,)

INDEXES = index_specs("q_si")


# sindex-stat values that are timing or memory of the moment.
VARY = ("load_time", "memory_size", "used_bytes", "entries_per_bval", "entries_per_rec",
        "stat_gc_recs", "histogram", "*_time", "*_us")


def stat_cmp(command: str) -> Compare:
    return Compare(info_keys=(command,), info_vary=VARY)


def cases(rng: random.Random) -> list[Case]:
    out = [deletes("clean_before", list(INDEXES)), seed(SET), creates("create", SET, INDEXES)]
    c = Case("build")
    first = True
    for name in INDEXES:
        # The build is asynchronous: give it a moment over ~70 records.
        c.add(f"stat_{name}", sindex_stat(name),
              stat_cmp(f"sindex-stat:namespace=test;indexname={name}"),
              pause_ms=1500 if first else 0)
        first = False
    c.add("exists", sindex_exists("q_si_name"))
    c.add("exists_missing", sindex_exists("q_si_missing"))
    c.add("path", info("sindex/test/q_si_i"), stat_cmp("sindex/test/q_si_i"))
    out.append(c)
    c = Case("again")
    c.add("same_definition", sindex_create("q_si_i", SET, "NUMERIC", bin_name="i"))
    c.add("name_taken", sindex_create("q_si_i", SET, "STRING", bin_name="name"))
    c.add("definition_taken", sindex_create("q_si_other", SET, "NUMERIC", bin_name="i"))
    out.append(c)
    c = Case("errors")
    c.add("stat_missing", sindex_stat("q_si_missing"))
    c.add("bad_type", sindex_create("q_si_bad", SET, "FLOAT", bin_name="f"))
    c.add("bad_indextype", sindex_create("q_si_bad", SET, "NUMERIC", bin_name="f",
                                         indextype="SET"))
    c.add("no_bin", sindex_create("q_si_bad", SET, "NUMERIC"))
    c.add("bad_context", sindex_create("q_si_bad", SET, "NUMERIC", bin_name="f",
                                       context=b"\x01"))
    c.add("geo_in_list", sindex_create("q_si_geolist", SET, "GEO2DSPHERE", bin_name="g",
                                       indextype="LIST"))
    c.add("unknown_namespace", info("sindex-create:namespace=nope;indexname=q_si_bad;"
                                    "bin=i;type=NUMERIC"))
    c.add("long_name", sindex_create("q_" + "x" * 70, SET, "NUMERIC", bin_name="i"))
    out.append(c)
    c = Case("upkeep")
    c.add("write_new", put(SET, "late", {"i": 5, "name": "n5"}, send_key=True))
    c.add("stat_after_write", sindex_stat("q_si_i"),
          stat_cmp("sindex-stat:namespace=test;indexname=q_si_i"))
    out.append(c)
    out.append(deletes("remove", list(INDEXES) + ["q_si_geolist", "q_si_other"]))
    c = Case("after_remove")
    c.add("stat_removed", sindex_stat("q_si_i"))
    c.add("exists_removed", sindex_exists("q_si_i"))
    out.append(c)
    return out
