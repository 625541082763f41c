"""Stream UDFs (aggregations) and background UDFs: a Lua module registered
through info, then queries carrying UDF op AGGREGATE (field 33 = 1) over a
set (map, filter, reduce, aggregate, groupby, record metadata in a stream,
arguments of every type), over a secondary-index range and with a filter
expression; Lua errors inside the stream (error() in map, a runtime error in
filter, an error in the node's reduce, an error before the stream is built,
a function that returns no stream), a missing function and a missing module;
then background queries carrying UDF op BACKGROUND (2) over a scan, an index
range and a filter expression, a UDF that fails on every record, a missing
function, and each job's ``query-show`` once done, and what the records hold
afterwards.

What the real server makes random and how replay copes: the order in which
partitions answer (aggregation and scan replies are compared as multisets,
``unordered``); query-show's times and the client address (``info_vary``,
as in the ``background`` family). Job ids (task ids) are the family's own,
so they are the same on every run. Error cases run over an index range that
matches one record, so exactly one partition fails (a scan would make the
number of FAILURE messages depend on the server's thread timing)."""

from __future__ import annotations

import base64
import itertools
import random
import struct
from collections.abc import Sequence
from typing import Any

from .. import wire
from ..catalogue import Case, Compare
from ._common import info, put
from ._query import V_IS_1, deletes, int_range, query_show, sindex_create

SET = "rec_udf_agg"
BG_SET = "rec_udf_bg"
SETS = (SET, BG_SET)
MODULE = "rec_udf_stream"
INDEXES = {"udf_agg_i": dict(datatype="NUMERIC", bin_name="i"),
           "udf_bg_i": dict(datatype="NUMERIC", bin_name="i")}
INDEX_SETS = {"udf_agg_i": SET, "udf_bg_i": BG_SET}
N_RECORDS = 60
N_BG_RECORDS = 30

# UDF_OP (field 33) values.
UDF_AGGREGATE, UDF_BACKGROUND = 1, 2

# Line numbers show in error messages: keep the functions where they are.
LUA = """\
-- recorder family udf_stream (tests/recorder/families/udf_stream.py)
local function add(a, b) return a + b end

function values(stream, bin)
  return stream : map(function(rec) return rec[bin] end)
end

function above(stream, bin, limit)
  return stream : filter(function(rec) return rec[bin] > limit end)
                : map(function(rec) return rec['i'] end)
end

function sum(stream, bin)
  return stream : map(function(rec) return rec[bin] end) : reduce(add)
end

function count(stream)
  return stream : aggregate(0, function(acc, rec) return acc + 1 end) : reduce(add)
end

function group(stream, bin)
  return stream : map(function(rec) return rec[bin] end)
                : groupby(function(v) return v % 3 end)
end

function collect(stream)
  local function append(l, rec)
    list.append(l, rec['i'])
    return l
  end
  return stream : aggregate(list(), append)
end

function meta(stream)
  return stream : map(function(rec)
    return list{record.gen(rec), record.setname(rec), record.key(rec),
                record.numbins(rec), record.ttl(rec), bytes.size(record.digest(rec))}
  end)
end

function arg(stream, a)
  return stream : filter(function(rec) return rec['i'] == 0 end)
                : map(function(rec) return a end)
end

function arg_type(stream, a)
  return stream : filter(function(rec) return rec['i'] == 0 end)
                : map(function(rec) return type(a) end)
end

function two_args(stream, a, b)
  return stream : filter(function(rec) return rec['i'] == 0 end)
                : map(function(rec) return list{a, b} end)
end

function boom_map(stream)
  return stream : map(function(rec) error('map boom') end)
end

function boom_filter(stream)
  return stream : filter(function(rec) return rec['i'] + nil end)
end

function boom_reduce(stream)
  return stream : map(function(rec) return 1 end)
                : reduce(function(a, b) error('reduce boom') end)
end

function boom_top(stream)
  error('top boom')
end

function no_stream(stream)
  return 5
end

function shapes(stream)
  return stream : filter(function(rec) return rec['i'] == 0 end)
                : map(function(rec)
                    local m = map()
                    m['l'] = list{1, 2.5, 'x'}
                    return list{m, bytes(2), true, 3.25, 'str', -7}
                  end)
end

function bump(rec, by)
  rec['i'] = rec['i'] + by
  aerospike:update(rec)
end

function tag(rec, v)
  rec['tag'] = v
  aerospike:update(rec)
end

function bg_boom(rec)
  error('bg boom')
end

function drop(rec)
  aerospike:remove(rec)
end
"""


def _register(content: str, name: str = MODULE) -> bytes:
    b64 = base64.b64encode(content.encode()).decode()
    return info(f"udf-put:filename={name}.lua;content={b64};content-len={len(b64)};"
                f"udf-type=LUA;")


def udf_query(set_name: str, task_id: int, function: str, args: Any, *,
              udf_op: int = UDF_AGGREGATE, module: str = MODULE,
              index_range: bytes | None = None, filter_exp: bytes | None = None,
              info1: int = 0, info2: int = 0) -> bytes:
    """A query carrying a UDF as aerospike_py sends it (the official C
    client's field order): ns, set, socket timeout, task id, index range,
    UDF op, package, function, arguments, filter, pid array. An aggregation
    is a READ with PARTITION_DONE; a background UDF a WRITE without ops."""
    fields = [wire.fld(wire.F_NAMESPACE, "test"), wire.fld(wire.F_SET, set_name),
              wire.fld(wire.F_SOCKET_TIMEOUT, struct.pack(">I", 10000)),
              wire.fld(wire.F_TASK_ID, struct.pack(">Q", task_id))]
    if index_range is not None:
        fields.append(wire.fld(wire.F_INDEX_RANGE, index_range))
    fields += [wire.fld(wire.F_UDF_OP, bytes([udf_op])), wire.fld(wire.F_UDF_PACKAGE, module),
               wire.fld(wire.F_UDF_FUNCTION, function),
               wire.fld(wire.F_UDF_ARGS, bytes(wire.pack(args)))]
    if filter_exp is not None:
        fields.append(wire.fld(wire.F_FILTER, filter_exp))
    if udf_op != UDF_BACKGROUND:
        fields.append(wire.fld(wire.F_PID_ARRAY,
                               b"".join(struct.pack("<H", p) for p in range(4096))))
        header = wire.Header(info1=wire.READ | info1, info2=info2, info3=wire.PARTITION_DONE)
    else:
        header = wire.Header(info1=info1, info2=wire.WRITE | info2)
    return wire.message(header, fields, [])


def scan(set_name: str, task_id: int) -> bytes:
    fields = [wire.fld(wire.F_NAMESPACE, "test"), wire.fld(wire.F_SET, set_name),
              wire.fld(wire.F_SOCKET_TIMEOUT, struct.pack(">I", 10000)),
              wire.fld(wire.F_TASK_ID, struct.pack(">Q", task_id)),
              wire.fld(wire.F_PID_ARRAY, b"".join(struct.pack("<H", p) for p in range(4096)))]
    header = wire.Header(info1=wire.READ, info3=wire.PARTITION_DONE,
                         ttl=wire.TTL_NEVER_EXPIRE)
    return wire.message(header, fields, [])


ARGS: list[tuple[str, Any]] = [
    ("int", 7), ("neg", -3), ("big", (1 << 63) - 1), ("float", 1.25), ("str", "hello"),
    ("empty_str", ""), ("blob", b"\x00\x01"), ("nil", None), ("true", True),
    ("false", False), ("list", [1, "a", [2]]), ("map", {"k": 1}), ("empty_list", []),
    ("empty_map", {}), ("geo", wire.Geo('{"type":"Point","coordinates":[1,2]}')),
    ("unicode", "h\u00e9llo"),
]

UNORDERED = Compare(unordered=True, lua_paths=True)
# query-show values of the moment (times, the client's address).
SHOW_VARY = ("run-time", "time-since-done", "from", "net-io-time", "start-time",
             "active-threads")


def cases(rng: random.Random) -> list[Case]:
    tasks = itertools.count(7000)
    out = [deletes("clean_before", list(INDEXES))]

    c = Case("register")
    c.add("put", _register(LUA))
    c.add("get", info(f"udf-get:filename={MODULE}.lua"), pause_ms=300)
    out.append(c)

    c = Case("seed")
    for k in range(N_RECORDS):
        c.add(f"put_{k}", put(SET, k, {"i": k, "g": k % 7, "f": k * 0.5, "s": f"s{k % 4}"},
                              send_key=True))
    for k in range(N_BG_RECORDS):
        c.add(f"bg_put_{k}", put(BG_SET, k, {"i": k, "v": k % 4}, send_key=True))
    out.append(c)
    c = Case("create")
    for name, spec in INDEXES.items():
        c.add(name, sindex_create(name, INDEX_SETS[name], **spec))  # type: ignore[arg-type]
    out.append(c)

    def agg(case: Case, name: str, function: str, args: Sequence[Any] = (), *,
            pause_ms: int = 0, **kwargs: Any) -> None:
        case.add(name, udf_query(SET, next(tasks), function, list(args), **kwargs), UNORDERED,
                 pause_ms=pause_ms)

    c = Case("streams")
    agg(c, "values_i", "values", ["i"], pause_ms=800)  # the indexes are being built
    agg(c, "values_f", "values", ["f"])
    agg(c, "values_s", "values", ["s"])
    agg(c, "values_missing_bin", "values", ["nope"])
    agg(c, "above", "above", ["i", 50])
    agg(c, "above_none", "above", ["i", 1000])
    agg(c, "sum", "sum", ["i"])
    agg(c, "sum_floats", "sum", ["f"])
    agg(c, "count", "count")
    agg(c, "group", "group", ["i"])
    agg(c, "collect", "collect")
    agg(c, "meta", "meta")
    agg(c, "shapes", "shapes")
    agg(c, "where_values", "values", ["i"], index_range=int_range("i", 10, 29))
    agg(c, "where_sum", "sum", ["i"], index_range=int_range("i", 10, 29))
    agg(c, "where_count_none", "count", index_range=int_range("i", 1000, 2000))
    agg(c, "filter_sum", "sum", ["i"], filter_exp=wire.pack_exp(
        [1, wire.exp_bin(2, "g"), 1]))
    agg(c, "where_filter_values", "values", ["i"], index_range=int_range("i", 0, 30),
        filter_exp=wire.pack_exp([1, wire.exp_bin(2, "g"), 3]))
    out.append(c)

    c = Case("args")
    for name, v in ARGS:
        agg(c, f"arg_{name}", "arg", [v])
        agg(c, f"type_{name}", "arg_type", [v])
    agg(c, "no_args", "arg")
    agg(c, "two_args", "two_args", [1, "b"])
    agg(c, "extra_args", "two_args", [1, 2, 3])
    for i in range(4):
        a, b = rng.randint(-1000, 1000), rng.choice(["x", 2.5, [rng.randint(0, 9)]])
        agg(c, f"two_args_random_{i}", "two_args", [a, b])
    out.append(c)

    one = int_range("i", 5, 5)  # exactly one record: one failing partition
    c = Case("errors")
    agg(c, "boom_map", "boom_map", index_range=one)
    agg(c, "boom_filter", "boom_filter", index_range=one)
    agg(c, "boom_reduce_one", "boom_reduce", index_range=one)
    agg(c, "boom_top", "boom_top", index_range=one)
    agg(c, "no_stream", "no_stream", index_range=one)
    agg(c, "no_function", "nope", index_range=one)
    agg(c, "no_module", "values", ["i"], module="rec_udf_none", index_range=one)
    agg(c, "boom_none_match", "boom_map", index_range=int_range("i", 1000, 2000))
    out.append(c)

    # Odd requests: most are refused before the job starts (one reply, no
    # LAST); arguments that are not a list and the WRITE flag are not.
    c = Case("edge_requests")
    c.add("unknown_set", udf_query("rec_udf_none", next(tasks), "count", []), UNORDERED)
    c.add("no_index", udf_query(SET, next(tasks), "count", [],
                                index_range=int_range("nope", 1, 2)), UNORDERED)
    c.add("filter_exp", udf_query(SET, next(tasks), "count", [], filter_exp=V_IS_1), UNORDERED)
    c.add("short_query", udf_query(SET, next(tasks), "count", [], info1=wire.SHORT_QUERY),
          UNORDERED)
    c.add("bad_udf_op", udf_query(SET, next(tasks), "count", [], udf_op=5), UNORDERED)
    c.add("args_not_list", udf_query(SET, next(tasks), "count", 5, index_range=one),
          UNORDERED)
    c.add("agg_with_write_flag", udf_query(SET, next(tasks), "arg", [1], info2=wire.WRITE),
          UNORDERED)
    c.add("bg_no_index", udf_query(BG_SET, next(tasks), "tag", [1], udf_op=UDF_BACKGROUND,
                                   index_range=int_range("nope", 1, 2)))
    c.add("bg_unknown_set", udf_query("rec_udf_none", next(tasks), "tag", [1],
                                      udf_op=UDF_BACKGROUND))
    c.add("bg_args_not_list", udf_query(BG_SET, next(tasks), "tag", 5, udf_op=UDF_BACKGROUND,
                                        index_range=int_range("i", 5000, 5001)))
    out.append(c)

    def job(case: Case, name: str, function: str, args: Sequence[Any] = (), *,
            pause_ms: int = 0, **kwargs: Any) -> None:
        task_id = next(tasks)
        case.add(name, udf_query(BG_SET, task_id, function, args, udf_op=UDF_BACKGROUND,
                                 **kwargs), pause_ms=pause_ms)
        # Jobs over 30 records end within a moment (the real server: 1-60 ms).
        case.add(f"{name}_show", query_show(task_id),
                 Compare(info_keys=(f"query-show:id={task_id}",), info_vary=SHOW_VARY),
                 pause_ms=400)

    c = Case("background")
    job(c, "bump_scan", "bump", [1000])
    job(c, "tag_where", "tag", ["w"], index_range=int_range("i", 1000, 1009))
    job(c, "tag_filter", "tag", [[1, 2]], filter_exp=V_IS_1)
    job(c, "boom", "bg_boom", index_range=int_range("i", 1020, 1024))
    job(c, "no_function", "nope", index_range=int_range("i", 1025, 1026))
    job(c, "drop_where", "drop", index_range=int_range("i", 1027, 1029))
    c.add("scan_after", scan(BG_SET, next(tasks)), UNORDERED)
    out.append(c)

    c = Case("unregister")
    c.add("remove", info(f"udf-remove:filename={MODULE}.lua"))
    c.add("agg_after_remove", udf_query(SET, next(tasks), "values", ["i"],
                                        index_range=int_range("i", 5, 5)), UNORDERED,
          pause_ms=300)
    out.append(c)
    out.append(deletes("remove", list(INDEXES)))
    for case in out:  # Lua errors name the module by its path on the server
        for step in case.steps:
            step.compare.lua_paths = True
    return out
