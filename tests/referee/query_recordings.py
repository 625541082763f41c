"""Recorded query, scan, index and paging exchanges of a real Aerospike
server, and their replay against another server.

Recording (needs a real server; run it again when a case changes)::

    python tests/referee/query_recordings.py record 127.0.0.1:3300

starts /work/shared/golden/tools/proxy.py (or $ASPY_GOLDEN_PROXY) between
our sync client and the server, runs SCENARIO case by case (each case
begins with a proxy marker) and writes one file per family under
tests/referee/query_recordings/: every exchange (a request and the
frames that answered it), with the case it belongs to. The cluster's
tend traffic is left out; so are the intermediate answers of the polls
that wait for an index build or a background job (how many polls a
build takes is timing, not behaviour).

Replay (what tests/referee/test_query_recordings.py runs in CI)::

    python tests/referee/query_recordings.py replay 127.0.0.1:PORT

sends every recorded request, in order, on as many connections as the
recording used, and compares each answer with the recorded one: message
headers, fields and bins exactly; a record's TTL only as "expires or
not" (it counts down); info values whole, except the runtime keys of
RUNTIME_KEYS. Query answers are compared in order (the real server's
order within a partition: digests descending for a scan, index order for
a query) and, failing that, as a multiset, which is reported separately.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from golden_replay import Conn, frames, parse_info, parse_msgs  # noqa: E402

HERE = Path(__file__).resolve().parent / "query_recordings"
FAMILIES = ("sindex", "query", "scan", "paging", "background")
NS, SET = "test", "q_rec"

# Info commands the scenario sends (anything else on the wire is tend).
KEPT_INFO = ("sindex", "query-show", "jobs", "truncate", "query-abort")
# Values of the moment in info answers: compared by key only.
RUNTIME_KEYS = {"load_time", "run-time", "time-since-done", "from", "recs-throttled",
                "active-threads", "trid", "start-time"}
# ... and in the last answer of a poll for an index build: the real server
# counts entries per bval and per record in a pass that starts when the
# index is already readable, so the first load_pct=100 answer may or may
# not have them yet (later answers are compared whole).
POLL_RUNTIME_KEYS = {"entries_per_bval", "entries_per_rec"}

# Differences we know of and keep for now (reason -> where), reported apart:
# the real server stores a GeoJSON region with the S2 cells that cover it
# (its index holds one entry per cell); the embedded server stores regions
# without cells (points have their one cell) and indexes a region once, so
# a query's answer names another bval (field 15) for a region it matched.
GEO_REGION_CELLS = "GeoJSON regions are stored without their S2 covering cells"
KNOWN_INFO: dict[tuple[str, str], str] = {
    ("sindex-stat:namespace=test;indexname=q_rec_area", "entries"): GEO_REGION_CELLS,
}


# --- the scenario -------------------------------------------------------------

def bins_of(i: int) -> dict[str, Any]:
    return {"i": i, "name": f"n{i % 7}", "blob": bytes([i % 5]), "tags": [i % 3, i % 5],
            "m": {f"k{i % 4}": i % 6}, "doc": {"inner": i % 4, "other": 1}, "v": i % 4}


Case = tuple[str, str, Callable[[Any], None]]


def scenario() -> list[Case]:
    """(family, name, step) in recording order; each step uses the sync client."""
    import aerospike_py
    from aerospike_py import predicates as p
    from aerospike_py.query import partition_filter_by_id, partition_filter_by_range

    rec = aerospike_py.POLICY_KEY_SEND
    cases: list[Case] = []

    def case(family: str, name: str) -> Callable[[Callable[[Any], None]], None]:
        def add(fn: Callable[[Any], None]) -> None:
            cases.append((family, name, fn))
        return add

    def q(c: Any, pred: Any = None) -> Any:
        query = c.query(NS, SET)
        if pred is not None:
            query.where(pred)
        return query

    # Data: 120 records with every bin an index below reads, and geo points.
    @case("sindex", "write_records")
    def _(c: Any) -> None:
        for i in range(120):
            c.put((NS, SET, i), bins_of(i), policy={"key": rec})
        for i in range(10):
            point = aerospike_py.GeoJSON({"type": "Point",
                                          "coordinates": [-122.0 + i * 0.01, 37.0]})
            c.put((NS, SET, f"geo{i}"), {"loc": point, "i": 1000 + i}, policy={"key": rec})
        c.put((NS, SET, "region"), {"area": aerospike_py.GeoJSON(
            {"type": "Polygon",
             "coordinates": [[[-123.0, 36.0], [-121.0, 36.0], [-121.0, 38.0],
                              [-123.0, 38.0], [-123.0, 36.0]]]}), "i": 2000},
            policy={"key": rec})

    index_cases: list[tuple[str, Callable[[Any], None]]] = [
        ("numeric", lambda c: c.index_integer_create(NS, SET, "i", "q_rec_i")),
        ("string", lambda c: c.index_string_create(NS, SET, "name", "q_rec_name")),
        ("blob", lambda c: c.index_blob_create(NS, SET, "blob", "q_rec_blob")),
        ("list_numeric", lambda c: c.index_list_create(
            NS, SET, "tags", aerospike_py.INDEX_NUMERIC, "q_rec_tags")),
        ("mapkeys_string", lambda c: c.index_map_keys_create(
            NS, SET, "m", aerospike_py.INDEX_STRING, "q_rec_mk")),
        ("mapvalues_numeric", lambda c: c.index_map_values_create(
            NS, SET, "m", aerospike_py.INDEX_NUMERIC, "q_rec_mv")),
        ("geo_point", lambda c: c.index_geo2dsphere_create(NS, SET, "loc", "q_rec_loc")),
        ("geo_region", lambda c: c.index_geo2dsphere_create(NS, SET, "area", "q_rec_area")),
        ("ctx_numeric", lambda c: c.index_cdt_create(
            NS, SET, "doc", aerospike_py.INDEX_TYPE_DEFAULT, aerospike_py.INDEX_NUMERIC,
            "q_rec_ctx", [(0x22, "inner")])),
        ("expression_numeric", lambda c: c.index_expr_create(
            NS, SET, aerospike_py.INDEX_TYPE_DEFAULT, aerospike_py.INDEX_NUMERIC,
            INT_BIN_V, "q_rec_exp")),
    ]
    for name, create in index_cases:
        case("sindex", f"create_{name}")(create)

    @case("sindex", "create_same_again")
    def _(c: Any) -> None:
        c.index_integer_create(NS, SET, "i", "q_rec_i")  # the same definition: ok

    @case("sindex", "create_existing_200")
    def _(c: Any) -> None:
        try:
            c.index_string_create(NS, SET, "name", "q_rec_i")
        except aerospike_py.exception.IndexFoundError:
            return
        raise AssertionError("an index name was reused for another definition")

    @case("sindex", "list_and_stat")
    def _(c: Any) -> None:
        c.info_random_node(f"sindex-list:namespace={NS}")
        c.info_random_node(f"sindex-list:namespace={NS};b64=true")
        c.index_info(NS, "q_rec_i")
        c.index_info(NS, "q_rec_tags")
        c.info_random_node(f"sindex-exists:namespace={NS};indexname=q_rec_name")

    @case("sindex", "stat_missing_201")
    def _(c: Any) -> None:
        try:
            c.index_info(NS, "q_rec_missing")
        except aerospike_py.exception.IndexNotFound:
            return
        raise AssertionError("stats of a missing index")

    @case("sindex", "remove_missing")
    def _(c: Any) -> None:
        c.index_remove(NS, "q_rec_missing")

    queries: list[tuple[str, Callable[[], Any]]] = [
        ("equals_int", lambda: p.equals("i", 17)),
        ("between_int", lambda: p.between("i", 10, 29)),
        ("equals_string", lambda: p.equals("name", "n3")),
        ("equals_blob", lambda: p.equals("blob", bytes([2]))),
        ("contains_list", lambda: p.contains("tags", aerospike_py.INDEX_TYPE_LIST, 4)),
        ("range_list", lambda: p.range("tags", aerospike_py.INDEX_TYPE_LIST, 1, 2)),
        ("contains_mapkeys", lambda: p.contains("m", aerospike_py.INDEX_TYPE_MAPKEYS, "k2")),
        ("contains_mapvalues", lambda: p.contains("m", aerospike_py.INDEX_TYPE_MAPVALUES, 5)),
        ("range_mapvalues", lambda: p.range("m", aerospike_py.INDEX_TYPE_MAPVALUES, 1, 3)),
        ("geo_within_region", lambda: p.geo_within_geojson_region("loc", json.dumps(
            {"type": "Polygon", "coordinates": [[[-122.005, 36.9], [-121.955, 36.9],
                                                 [-121.955, 37.1], [-122.005, 37.1],
                                                 [-122.005, 36.9]]]}))),
        ("geo_within_radius", lambda: p.geo_within_radius("loc", 37.0, -122.0, 2500.0)),
        ("geo_contains_point", lambda: p.geo_contains_point("area", -122.0, 37.0)),
        ("geo_contains_point_outside", lambda: p.geo_contains_point("area", 0.0, 0.0)),
        ("ctx_equals", lambda: p.equals("doc", 3, ctx=[(0x22, "inner")])),
        ("no_match", lambda: p.equals("i", 99999)),
    ]
    for name, pred in queries:
        def run(c: Any, pred: Callable[[], Any] = pred) -> None:
            q(c, pred()).results()
        case("query", name)(run)

    @case("query", "expression_index")
    def _(c: Any) -> None:
        query = c.query(NS, SET)
        query.where_with_expr(INT_BIN_V, p.equals("unused", 2))
        query.results()

    @case("query", "by_index_name")
    def _(c: Any) -> None:
        query = c.query(NS, SET)
        query.where_with_index_name("q_rec_exp", p.between("unused", 3, 3))
        query.results()

    @case("query", "select_bins")
    def _(c: Any) -> None:
        query = q(c, p.between("i", 0, 9))
        query.select("i", "name")
        query.results()

    @case("query", "no_bins")
    def _(c: Any) -> None:
        q(c, p.between("i", 0, 9)).results({"include_bin_data": False})

    @case("query", "max_records")
    def _(c: Any) -> None:
        q(c, p.between("i", 0, 99)).results({"max_records": 7})

    @case("query", "filter_expression")
    def _(c: Any) -> None:
        # v == 1, compiled: [1, [81, 2, "v"], 1]
        q(c, p.between("i", 0, 59)).results({"filter_expression": b"\x93\x01\x93\x51\x02\xa1v\x01"})

    @case("query", "unindexed_bin_201")
    def _(c: Any) -> None:
        try:
            q(c, p.equals("nobin", 1)).results()
        except aerospike_py.exception.IndexNotFound:
            return
        raise AssertionError("a query on a bin without an index answered")

    @case("query", "wrong_type_201")
    def _(c: Any) -> None:
        try:
            q(c, p.equals("name", 5)).results()
        except aerospike_py.exception.AerospikeError:
            return
        raise AssertionError("a numeric query on a string index answered")

    @case("scan", "all")
    def _(c: Any) -> None:
        q(c).results()

    @case("scan", "select_bins")
    def _(c: Any) -> None:
        query = q(c)
        query.select("i")
        query.results()

    @case("scan", "no_bins")
    def _(c: Any) -> None:
        q(c).results({"include_bin_data": False})

    @case("scan", "max_records")
    def _(c: Any) -> None:
        q(c).results({"max_records": 10})

    @case("scan", "partition_by_id")
    def _(c: Any) -> None:
        q(c).results({"partition_filter": partition_filter_by_id(5)})

    @case("scan", "partition_by_range")
    def _(c: Any) -> None:
        q(c).results({"partition_filter": partition_filter_by_range(1000, 700)})

    @case("scan", "query_partition_by_range")
    def _(c: Any) -> None:
        q(c, p.between("i", 0, 119)).results(
            {"partition_filter": partition_filter_by_range(0, 2048)})

    @case("scan", "filter_expression")
    def _(c: Any) -> None:
        q(c).results({"filter_expression": b"\x93\x01\x93\x51\x02\xa1v\x01"})

    @case("scan", "records_per_second")
    def _(c: Any) -> None:
        q(c).results({"records_per_second": 1000})

    @case("paging", "scan_pages")
    def _(c: Any) -> None:
        query = q(c)
        query.max_records = 40
        query.paginate()
        while not query.is_done():
            if not query.results():
                break

    @case("paging", "query_pages")
    def _(c: Any) -> None:
        query = q(c, p.between("i", 0, 119))
        query.max_records = 25
        query.paginate()
        while not query.is_done():
            if not query.results():
                break

    @case("paging", "resume_after_digest")
    def _(c: Any) -> None:
        from aerospike_py.query import PartitionFilter
        stream = q(c).stream({"max_records": 30})
        for _ in stream:
            pass
        cursor = PartitionFilter.from_bytes(stream.cursor().to_bytes())
        q(c).results({"partition_filter": cursor})

    @case("paging", "query_resume")
    def _(c: Any) -> None:
        from aerospike_py.query import PartitionFilter
        stream = q(c, p.between("i", 0, 119)).stream({"max_records": 30})
        for _ in stream:
            pass
        cursor = PartitionFilter.from_bytes(stream.cursor().to_bytes())
        q(c, p.between("i", 0, 119)).results({"partition_filter": cursor})

    @case("background", "ops_with_filter")
    def _(c: Any) -> None:
        query = q(c, p.between("i", 0, 9))
        query.add_ops([{"op": aerospike_py.OPERATOR_WRITE, "bin": "flag", "val": 1}])
        job = query.execute_background()
        c.wait_for_job(job)
        c.job_info(job, aerospike_py.JOB_QUERY)

    @case("background", "ops_scan")
    def _(c: Any) -> None:
        query = q(c)
        query.add_ops([{"op": aerospike_py.OPERATOR_INCR, "bin": "i", "val": 1000000}])
        job = query.execute_background({"filter_expression": b"\x93\x01\x93\x51\x02\xa1v\x01"})
        c.wait_for_job(job)
        c.job_info(job, aerospike_py.JOB_QUERY)

    @case("background", "after")
    def _(c: Any) -> None:
        q(c).results()
        q(c, p.between("i", 1000000, 1000200)).results()

    @case("background", "remove_indexes")
    def _(c: Any) -> None:
        for name in ("q_rec_i", "q_rec_name", "q_rec_blob", "q_rec_tags", "q_rec_mk",
                     "q_rec_mv", "q_rec_loc", "q_rec_area", "q_rec_ctx", "q_rec_exp"):
            c.index_remove(NS, name)
        c.info_random_node(f"sindex-list:namespace={NS}")

    return cases


# An expression reading integer bin "v" (msgpack [81, 2, "v"]): compiled form.
INT_BIN_V = b"\x93\x51\x02\xa1v"


# --- recording ------------------------------------------------------------------

def info_direct(port: int, command: str) -> str:
    body = (command + "\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(bytes([2, 1]) + len(body).to_bytes(6, "big") + body)
        data = b""
        while len(data) < 8 or len(data) < 8 + int.from_bytes(data[2:8], "big"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data[8:].decode(errors="replace")


def clean(port: int) -> None:
    """Leaves nothing of an earlier recording on the real server."""
    for name in ("q_rec_i", "q_rec_name", "q_rec_blob", "q_rec_tags", "q_rec_mk", "q_rec_mv",
                 "q_rec_loc", "q_rec_area", "q_rec_ctx", "q_rec_exp"):
        info_direct(port, f"sindex-delete:namespace={NS};indexname={name}")
    info_direct(port, f"truncate:namespace={NS};set={SET}")
    time.sleep(2)


def is_tend(request: bytes) -> bool:
    if request[1] != 1:
        return False
    names = request[8:].decode(errors="replace").split("\n")
    return not any(n.startswith(KEPT_INFO) for n in names if n)


def record(upstream_port: int, listen_port: int = 3390) -> None:
    import aerospike_py

    proxy = os.environ.get("ASPY_GOLDEN_PROXY", "/work/shared/golden/tools/proxy.py")
    log = Path(f"/tmp/queries-recording-{os.getpid()}.jsonl")
    clean(upstream_port)
    proc = subprocess.Popen([sys.executable, proxy, str(log), "--listen",
                             f"127.0.0.1:{listen_port}", "--upstream",
                             f"127.0.0.1:{upstream_port}", "--control",
                             f"127.0.0.1:{listen_port + 1}", "--no-chunks"])
    try:
        for _ in range(100):
            try:
                control = socket.create_connection(("127.0.0.1", listen_port + 1))
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the proxy did not start")
        reader = control.makefile("r")

        def mark(text: str) -> None:
            control.sendall(f"MARK {text}\n".encode())
            reader.readline()

        c = aerospike_py.client({"hosts": [("127.0.0.1", listen_port)]}).connect()
        try:
            for family, name, step in scenario():
                mark(f"case {family}/{name}")
                step(c)
            mark("end")
        finally:
            c.close()
        control.sendall(b"QUIT\n")
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.terminate()
    clean(upstream_port)
    write_families(log)


def write_families(log: Path) -> None:
    """Splits the proxy log into exchanges per case and writes them by family."""
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    case = None
    out: dict[str, list[dict[str, Any]]] = {f: [] for f in FAMILIES}
    open_ex: dict[int, dict[str, Any]] = {}
    for line in lines:
        if line.get("event") == "marker":
            text = line["text"]
            case = text[5:] if text.startswith("case ") else None
            continue
        if "hex" not in line or "dir" not in line or case is None:
            continue
        conn, data = line["conn"], bytes.fromhex(line["hex"])
        if line["dir"] == "c2s":
            if is_tend(data):
                open_ex.pop(conn, None)
                continue
            ex = {"case": case, "conn": conn, "request": data.hex(), "answer": []}
            out[case.split("/")[0]].append(ex)
            open_ex[conn] = ex
        elif conn in open_ex:
            open_ex[conn]["answer"].append(data.hex())
    # Polls for a build or a job: only the last answer of a run of equal
    # requests is kept (the one the client stopped polling on).
    HERE.mkdir(exist_ok=True)
    for family, exchanges in out.items():
        kept: list[dict[str, Any]] = []
        for ex in exchanges:
            if (kept and kept[-1]["request"] == ex["request"] and kept[-1]["case"] == ex["case"]
                    and is_poll(bytes.fromhex(ex["request"]))):
                kept[-1] = ex
            else:
                kept.append(ex)
        with open(HERE / f"{family}.jsonl", "w") as f:
            for ex in kept:
                f.write(json.dumps(ex, separators=(",", ":")) + "\n")


def is_poll(request: bytes) -> bool:
    if request[1] != 1:
        return False
    text = request[8:].decode(errors="replace")
    return text.startswith(("sindex-stat", "query-show", "jobs"))


# --- replay -----------------------------------------------------------------------

@dataclass
class CaseResult:
    name: str
    exchanges: int = 0
    in_order: bool = True
    problems: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)


def load() -> Iterator[dict[str, Any]]:
    for family in FAMILIES:
        for line in (HERE / f"{family}.jsonl").read_text().splitlines():
            yield json.loads(line)


def answer_of(conn: Conn, request: bytes, expected: list[bytes]) -> list[bytes]:
    conn.send(request)
    return conn.read_reply(expected)


def settle(conn: Conn, request: bytes, expected: list[bytes]) -> list[bytes]:
    """A poll: asks again (for up to 60 s) until the answer reaches the recorded
    final state (load_pct=100, a job's status=done...)."""
    want = dict(kv for kv in parse_info(expected[0]))
    deadline = time.monotonic() + 60
    while True:
        got = answer_of(conn, request, expected)
        have = dict(kv for kv in parse_info(got[0]))
        if all(state_of(have.get(k, "")) == state_of(v) for k, v in want.items()):
            return got
        if time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def state_of(value: str) -> str:
    """The part of a poll's answer that says whether it is finished."""
    for marker in ("load_pct=", "status="):
        pos = value.find(marker)
        if pos >= 0:
            end = min([i for i in (value.find(";", pos), value.find(":", pos)) if i >= 0]
                      or [len(value)])
            return value[pos:end]
    return value


def info_problems(exp: bytes, got: bytes, poll: bool, res: CaseResult) -> list[str]:
    problems = []
    e, g = parse_info(exp), parse_info(got)
    if [k for k, _ in e] != [k for k, _ in g]:
        return [f"info names {[k for k, _ in g]} != {[k for k, _ in e]}"]
    for (name, ev), (_, gv) in zip(e, g):
        if ev == gv:
            continue
        keys = RUNTIME_KEYS | (POLL_RUNTIME_KEYS if poll else set())
        known = {k: why for (n, k), why in KNOWN_INFO.items() if n == name}
        if masked(ev, keys) == masked(gv, keys):
            continue
        if known and masked(ev, keys | set(known)) == masked(gv, keys | set(known)):
            res.known.extend(known.values())
            continue
        problems.append(f"info {name!r}: got {gv!r:.300} expected {ev!r:.300}")
    return problems


def masked(value: str, keys: set[str]) -> str:
    out = []
    for part in value.replace(";", "\x00;\x00").replace(":", "\x00:\x00").split("\x00"):
        k, eq, _ = part.partition("=")
        out.append(f"{k}=*" if eq and k in keys else part)
    return "".join(out)


def msg_key(m: Any, regions: bool) -> tuple[Any, ...]:
    """What is compared of a message; with `regions`, a GeoJSON region
    particle (flags u8, cell count u16, cells, JSON) counts by its JSON."""
    ops, fields, region = [], list(m.fields), False
    for op in m.ops:
        if regions and op[1] == 23 and len(op[3]) >= 3 and (
                op[3][0] & 1 or (op[3][:3] == b"\0\0\0" and b"Polygon" in op[3])):
            cells = int.from_bytes(op[3][1:3], "big")
            op = (op[0], op[1], op[2], b"region:" + op[3][3 + 8 * cells:])
            region = True
        ops.append(op)
    if region:  # the bval a region matched by is one of its cells
        fields = [(t, b"cell" if t == 15 else v) for t, v in fields]
    return (m.info1, m.info2, m.info3, m.rc, m.generation, m.record_ttl != 0, m.ttl_field,
            tuple(fields), tuple(ops))


def msg_problems(exp: list[bytes], got: list[bytes], result: CaseResult) -> list[str]:
    e = [msg_key(m, False) for m in parse_msgs(exp)]
    g = [msg_key(m, False) for m in parse_msgs(got)]
    if sorted(e, key=repr) != sorted(g, key=repr):
        e = [msg_key(m, True) for m in parse_msgs(exp)]
        g = [msg_key(m, True) for m in parse_msgs(got)]
        if sorted(e, key=repr) == sorted(g, key=repr):
            result.known.append(GEO_REGION_CELLS)
    if e == g:
        return []
    if sorted(e, key=repr) == sorted(g, key=repr):
        # The real server's query threads interleave partitions; within a
        # partition its order is fixed (a scan: digests descending; a query:
        # the index's bval, digest-stub, digest order).
        if by_partition(e) != by_partition(g):
            result.in_order = False
        return []
    missing = [x for x in e if x not in g]
    extra = [x for x in g if x not in e]
    return [f"{len(g)} messages where the server sent {len(e)}; missing {missing[:2]!r:.400}; "
            f"unexpected {extra[:2]!r:.400}"]


def by_partition(keys: list[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    """Messages by partition: a record by its digest, a partition-done
    marker (info3 0x04) by the partition id in its generation field."""
    out: dict[int, list[tuple[Any, ...]]] = {}
    for k in keys:
        digest = next((v for t, v in k[7] if t == 4), None)
        if digest is not None:
            pid = int.from_bytes(digest[:2], "little") & 0xFFF
        elif k[2] & 4:
            pid = k[4]
        else:
            pid = -1
        out.setdefault(pid, []).append(k)
    return out


def replay(port: int) -> list[CaseResult]:
    conns: dict[int, Conn] = {}
    results: dict[str, CaseResult] = {}
    try:
        for ex in load():
            res = results.setdefault(ex["case"], CaseResult(ex["case"]))
            res.exchanges += 1
            conn = conns.get(ex["conn"])
            if conn is None:
                conn = conns[ex["conn"]] = Conn(port)
            request = bytes.fromhex(ex["request"])
            expected = [bytes.fromhex(h) for h in ex["answer"]]
            if not expected:
                conn.send(request)
                continue
            if is_poll(request):
                got = settle(conn, request, expected)
            else:
                got = answer_of(conn, request, expected)
            if expected[0][1] == 1:
                res.problems += info_problems(expected[0], got[0], is_poll(request), res)
            else:
                res.problems += msg_problems(expected, got, res)
    finally:
        for c in conns.values():
            c.close()
    return list(results.values())


def summary(results: list[CaseResult]) -> str:
    lines = [f"{len(results)} cases, {sum(r.exchanges for r in results)} exchanges; "
             f"{sum(not r.problems for r in results)} answer as recorded"]
    for r in results:
        if r.problems or not r.in_order:
            lines.append(f"  {r.name}: {'; '.join(r.problems)[:600] or 'same records, other order'}")
    known = sorted({k for r in results for k in r.known})
    if known:
        lines.append(f"known differences: {'; '.join(known)}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("record", "replay"):
        print(__doc__)
        return 2
    port = int(argv[1].rpartition(":")[2])
    if argv[0] == "record":
        record(port)
        return 0
    results = replay(port)
    print(summary(results))
    return 0 if all(not r.problems for r in results) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main(sys.argv[1:]))
