"""Set indexes (server 8.1, ``sindex-create ... indextype=SET``, what the
official client's ``index_set_create`` sends): created over records already
written and on a set never written (the server makes the set); how
sindex-list (bin indexes, then ';', then set indexes), sindex, sindex/<ns>,
sindex-stat, sindex/<ns>/<name>, sindex-exists and the `sets` info
(enable-index, sindexes counting bin indexes only) show them; creating
again (same set: ok, in any case of SET; another name on the same set:
renamed; the name taken by another set's or a bin index: 200), the
parameters a set index refuses (4), an unknown namespace (4), and
sindex-delete. A scan of the indexed set returns the same records.

One set index at a time is listed: the real server lists several in the
order of its name hash."""

from __future__ import annotations

import random

from ..catalogue import Case, Compare
from ._common import info, put
from ._query import query_request, sindex_create, sindex_delete, sindex_exists, sindex_stat

SET = "rec_set_index"
NEW_SET = "rec_set_index_new"  # never written: the create makes it
SETS = (SET,)

NAMES = ("rec_si_a", "rec_si_b", "rec_si_new", "rec_si_bin")

SET_STATS = Compare(info_keys=(f"sets/test/{SET}",),
                    info_vary=("data_used_bytes", "truncate_lut", "tombstones"))
NEW_SET_STATS = Compare(info_keys=(f"sets/test/{NEW_SET}",),
                        info_vary=("data_used_bytes", "truncate_lut", "tombstones"))
UNORDERED = Compare(unordered=True)


def set_index(name: str, set_name: str | None, indextype: str = "SET", extra: str = "") -> bytes:
    """``sindex-create`` of a set index, as the official client sends it."""
    set_part = "" if set_name is None else f"set={set_name};"
    return info(f"sindex-create:namespace=test;{set_part}indexname={name};"
                f"indextype={indextype}{extra}")


def cases(rng: random.Random) -> list[Case]:
    out = []
    c = Case("clean_before")
    for name in NAMES:
        c.add(f"delete_{name}", sindex_delete(name))
    out.append(c)

    c = Case("seed")
    for i in range(25):
        c.add(f"put_{i}", put(SET, i, {"x": i, "s": f"v{i % 3}"}, send_key=True))
    out.append(c)

    c = Case("create")
    c.add("create", set_index("rec_si_a", SET))
    # The real server fills the index in the background, even for 25 records.
    c.add("list_ns", info("sindex-list:namespace=test"), pause_ms=1500)
    c.add("list_all", info("sindex-list"))
    c.add("bin_indexes_only", info("sindex", "sindex/test"))
    c.add("sets_info", info(f"sets/test/{SET}"), SET_STATS)
    c.add("stat", sindex_stat("rec_si_a"))
    c.add("stat_path", info("sindex/test/rec_si_a"))
    c.add("exists", sindex_exists("rec_si_a"))
    c.add("scan", query_request(SET, task_id=7101), UNORDERED)
    out.append(c)

    c = Case("again")
    c.add("same_definition", set_index("rec_si_a", SET))
    c.add("same_definition_lower_case", set_index("rec_si_a", SET, indextype="set"))
    c.add("renamed", set_index("rec_si_b", SET, indextype="Set"))
    c.add("list_renamed", info("sindex-list:namespace=test"))
    c.add("stat_old_name", sindex_stat("rec_si_a"))
    c.add("name_taken_other_set", set_index("rec_si_b", NEW_SET))
    c.add("bin_index", sindex_create("rec_si_bin", SET, "NUMERIC", bin_name="x"))
    c.add("set_index_named_as_bin_index", set_index("rec_si_bin", SET))
    c.add("bin_index_named_as_set_index", sindex_create("rec_si_b", SET, "NUMERIC",
                                                        bin_name="x"))
    c.add("list_both", info("sindex-list:namespace=test"), pause_ms=1000)
    c.add("list_both_b64", info("sindex-list:namespace=test;b64=true"))
    c.add("sets_info_both", info(f"sets/test/{SET}"), SET_STATS)
    out.append(c)

    c = Case("errors")
    c.add("unknown_namespace", info("sindex-create:namespace=nope;set=x;indexname=rec_si_x;"
                                    "indextype=SET"))
    c.add("no_set", set_index("rec_si_x", None))
    c.add("empty_set", set_index("rec_si_x", ""))
    c.add("set_too_long", set_index("rec_si_x", "s" * 64))
    for param in ("bin=x", "type=numeric", "context=kQ==", "exp=kQ==", "indexdata=x,numeric"):
        c.add(f"with_{param.partition('=')[0]}", set_index("rec_si_x", SET, extra=";" + param))
    c.add("exists_after_errors", sindex_exists("rec_si_x"))
    out.append(c)

    c = Case("new_set")
    c.add("create", set_index("rec_si_new", NEW_SET))
    c.add("sets_info", info(f"sets/test/{NEW_SET}"), NEW_SET_STATS, pause_ms=500)
    c.add("stat", sindex_stat("rec_si_new"))
    c.add("delete", sindex_delete("rec_si_new"))
    c.add("sets_info_after", info(f"sets/test/{NEW_SET}"), NEW_SET_STATS)
    out.append(c)

    c = Case("remove")
    c.add("delete_bin", sindex_delete("rec_si_bin"))
    c.add("delete", sindex_delete("rec_si_b"))
    c.add("delete_again", sindex_delete("rec_si_b"))
    c.add("list", info("sindex-list:namespace=test"))
    c.add("sets_info", info(f"sets/test/{SET}"), SET_STATS)
    c.add("stat", sindex_stat("rec_si_b"))
    c.add("exists", sindex_exists("rec_si_b"))
    c.add("scan", query_request(SET, task_id=7102), UNORDERED)
    out.append(c)
    return out
