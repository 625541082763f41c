"""report.md from results.json: the seed's tables plus ratios against ours.

Ratios are always ours / theirs: for latency below 1.0 means we are faster,
for TPS above 1.0 means we serve more. `python -m benchmark.report DIR`
regenerates the report (and the plots) of an earlier run.
"""

from __future__ import annotations

import json
import math
import os
import sys
from typing import Any, Iterable

from . import stats

OURS = "ours-async"
OURS_SYNC = "ours-sync"
OURS_NUMPY = "ours-async-numpy"
OURS_CLEAR = "ours-async-clear"
OURS_MERGED = "ours-async-merged"
CLIENT_ORDER = ("ours-async", "ours-async-merged", "ours-sync", "ours-async-numpy", "ours-async-clear", "aerospike-py",
                "aerospike-py-numpy", "aerospike-native", "aerospike-sdk", "official",
                "official-async", "native", "native-values", "null-client", "fake")
# The async peers every async ratio is taken against (Env A, B, C).
ASYNC_PEERS = ("aerospike-py", "aerospike-native", "aerospike-sdk", "official-async")


def _f(x: Any, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def _x(r: float) -> str:
    return "—" if not math.isfinite(r) else f"{r:.2f}×"


def _table(header: list[str], rows: Iterable[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def _rank(name: str) -> int:
    return CLIENT_ORDER.index(name) if name in CLIENT_ORDER else 99


def _ordered(names: Iterable[str]) -> list[str]:
    names = list(dict.fromkeys(names))
    return sorted(names, key=lambda n: (CLIENT_ORDER.index(n) if n in CLIENT_ORDER else 99, n))


def _mean(values: list[float]) -> float:
    vals = [v for v in values if math.isfinite(v)]
    return sum(vals) / len(vals) if vals else math.nan


# --- Env A ----------------------------------------------------------------


def a_scenario(run: dict[str, Any]) -> dict[str, float]:
    """Per-scenario figures: latency summary, TPS, found %, CPU µs per record."""
    raw = run["raw"]
    s = dict(run.get("summary") or stats.summarize(raw["latencies_ms"]))
    ok = raw.get("ok_calls", len(raw["latencies_ms"]))
    s["tps"] = ok / raw["wall_s"] if raw.get("wall_s") else math.nan
    s["found_pct"] = 100.0 * raw["found"] / (ok * run["batch"]) if ok else math.nan
    s["cpu_us_per_record"] = (1e6 * raw["cpu_s"] / (ok * run["batch"])
                              if ok and raw.get("cpu_s") is not None else math.nan)
    s["errors"] = float(raw.get("errors", 0))
    return s


def a_aggregate(runs: list[dict[str, Any]], batch: int | None = None) -> dict[str, dict[str, float]]:
    """client -> averages over sets (the seed's "avg mean / avg p99 / avg TPS")."""
    per: dict[str, list[dict[str, float]]] = {}
    for run in runs:
        if run["gil"] or (batch is not None and run["batch"] != batch):
            continue
        per.setdefault(run["client"], []).append(a_scenario(run))
    out: dict[str, dict[str, float]] = {}
    for client, rows in per.items():
        out[client] = {k: _mean([r[k] for r in rows])
                       for k in ("mean", "p50", "p90", "p95", "p99", "tps", "found_pct",
                                 "cpu_us_per_record")}
        out[client]["errors"] = sum(r["errors"] for r in rows)
        out[client]["scenarios"] = float(len(rows))
    return out


def _ratio_rows(agg: dict[str, dict[str, float]], ours: str,
                others: Iterable[str]) -> list[list[str]]:
    rows: list[list[str]] = []
    if ours not in agg:
        return rows
    for other in others:
        if other == ours or other not in agg:
            continue
        a, b = agg[ours], agg[other]
        rows.append([f"{ours} / {other}", _x(stats.ratio(a["mean"], b["mean"])),
                     _x(stats.ratio(a["p99"], b["p99"])), _x(stats.ratio(a["tps"], b["tps"])),
                     _x(stats.ratio(a["cpu_us_per_record"], b["cpu_us_per_record"]))])
    return rows


def env_a_section(res: dict[str, Any]) -> list[str]:
    runs = res["env_a"]["runs"]
    out = ["## Environment A — pure client", ""]
    if not runs:
        out += ["No Env A runs.", ""]
        return out
    cfg = res["meta"].get("config", {})
    if cfg.get("tls"):
        out += ["**Over TLS**: the embedded server's TLS listener (TLSv1.3, a certificate made "
                "for the run); ours and the official client connect with TLS, "
                "`ours-async-clear` is ours over clear TCP in the same run (the cost of TLS). "
                "aerospike-py has no TLS.", ""]
    out += [f"`batch_read` from a Python loop: {cfg.get('concurrency')} concurrent callers "
            f"(asyncio tasks, or threads for sync clients), each {cfg.get('iterations')} calls "
            f"after {cfg.get('warmup')} warm-up calls, per set and batch size. TPS = calls / "
            "wall time; CPU per record = process CPU time (all threads) / records requested.", ""]
    if any(r["client"].endswith("-numpy") for r in runs):
        out += ["The `-numpy` clients return the found records as rows of a NumPy structured "
                "array with one field per bin (ints i8, floats f8, words fixed bytes, float32 "
                "blobs f4 sub-arrays), not dicts: ours fills it on the event thread from "
                "`batch_read(keys, _dtype=dt)`, with list bins as numeric sub-arrays; "
                "aerospike-py's AsyncClient has only `(await batch_read(keys)).to_numpy(dt)`, "
                "which cannot fill a field from a list, so its dtype leaves the list bins out "
                "(less work than ours). `native` decodes nothing: it walks each record's ops; "
                "`native-values` is the same C++ program handing out records, every bin "
                "decoded into the core's `proto::Value`.",
                ""]
    clients = _ordered(r["client"] for r in runs)
    batches = sorted({r["batch"] for r in runs})
    for label, batch in [("all batch sizes", None)] + [(f"batch={b}", b) for b in batches]:
        agg = a_aggregate(runs, batch)
        out += [f"### Aggregate ({label})", ""]
        out += _table(["client", "avg mean (ms)", "avg p50", "avg p90", "avg p95", "avg p99",
                       "avg TPS", "found %", "CPU µs/record", "errors"],
                      [[c, _f(agg[c]["mean"]), _f(agg[c]["p50"]), _f(agg[c]["p90"]),
                        _f(agg[c]["p95"]), _f(agg[c]["p99"]), _f(agg[c]["tps"], 1),
                        _f(agg[c]["found_pct"], 1), _f(agg[c]["cpu_us_per_record"], 2),
                        _f(int(agg[c]["errors"]))] for c in clients if c in agg])
        out.append("")
        ratio_rows = _ratio_rows(agg, OURS, ["aerospike-py", "aerospike-native", "aerospike-sdk",
                                             "official", "official-async",
                                             "native", "native-values"])
        ratio_rows += _ratio_rows(agg, OURS_SYNC, ["official", "aerospike-py"])
        ratio_rows += _ratio_rows(agg, OURS_NUMPY, ["aerospike-py-numpy", "aerospike-py",
                                                    "native", "native-values"])
        ratio_rows += _ratio_rows(agg, OURS, [OURS_CLEAR])  # TLS / clear (--tls runs)
        if ratio_rows:
            out += _table(["ratio (ours / theirs)", "mean", "p99", "TPS", "CPU/record"],
                          ratio_rows)
            out.append("")
    out += ["### Per set", "", "mean / p99 latency (ms), then TPS, per client.", ""]
    base = [r for r in runs if not r["gil"]]
    keyed = {(r["set"], r["batch"], r["client"]): a_scenario(r) for r in base}
    sets = sorted({r["set"] for r in base}, key=lambda s: int(s.split("_")[1]))
    rows = []
    for b in batches:
        for s in sets:
            found = [keyed[(s, b, c)]["found_pct"] for c in clients if (s, b, c) in keyed]
            row = [s, str(b), _f(_mean(found), 0)]
            for c in clients:
                v = keyed.get((s, b, c))
                row.append("—" if v is None else f"{_f(v['mean'])} / {_f(v['p99'])}")
            for c in clients:
                v = keyed.get((s, b, c))
                row.append("—" if v is None else _f(v["tps"], 0))
            if (s, b, OURS) in keyed and (s, b, "aerospike-py") in keyed:
                row.append(_x(stats.ratio(keyed[(s, b, OURS)]["mean"],
                                          keyed[(s, b, "aerospike-py")]["mean"])))
            else:
                row.append("—")
            rows.append(row)
    out += _table(["set", "batch", "found %"] + [f"{c} mean/p99" for c in clients]
                  + [f"{c} TPS" for c in clients] + ["mean ours/aerospike-py"], rows)
    out.append("")
    return out


STAGES = ("parse", "submit", "queue", "io", "wake", "convert")


def stages_section(res: dict[str, Any]) -> list[str]:
    """Our bridge's stage timers over Env A's measured calls, per client and batch size."""
    totals: dict[tuple[str, int], dict[str, float]] = {}
    for run in res["env_a"]["runs"]:
        st = run["raw"].get("stages")
        if run["gil"] or not st:
            continue
        op = max(st.values(), key=lambda v: v.get("completed", 0))
        t = totals.setdefault((run["client"], run["batch"]), {})
        for k, v in op.items():
            if isinstance(v, (int, float)):
                t[k] = t.get(k, 0.0) + float(v)
    if not totals:
        return []
    rows = []
    for (client, batch), t in sorted(totals.items(), key=lambda kv: (_rank(kv[0][0]), kv[0][1])):
        n = t.get("completed") or t.get("calls") or 0.0
        if not n:
            continue
        per = [t.get(f"{s}_ns", 0.0) / n / 1e3 for s in STAGES]
        gil_held = t.get("gil_held_ns", sum(t.get(f"{s}_ns", 0.0) for s in
                                            ("parse", "submit", "convert"))) / n / 1e3
        rows.append([client, str(batch), f"{int(n)}"] + [_f(x, 1) for x in per]
                    + [_f(gil_held, 1), _f(gil_held / batch, 2)])
    return ["## Where our client's time goes (stage timers)", "",
            "Averages per `batch_read` call over Env A's measured calls, in µs, from "
            "`aerospike_py._core.stage_stats()`: parse/submit/convert hold the GIL; queue, io "
            "and wake are the event thread's share and the wake-up of the caller.", ""] + \
        _table(["client", "batch", "calls"] + list(STAGES) + ["GIL held", "GIL held / record"],
               rows) + [""]


def gc_section(res: dict[str, Any]) -> list[str]:
    """Python's cyclic GC during Env A's measured calls, per client and batch size."""
    totals: dict[tuple[str, int], list[float]] = {}
    for run in res["env_a"]["runs"]:
        g = run["raw"].get("gc")
        if run["gil"] or not g:
            continue
        t = totals.setdefault((run["client"], run["batch"]), [0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
        t[0] += float(g.get("seconds", 0.0))
        t[1] += float(run["raw"].get("wall_s") or 0.0)
        t[2] += float(run["raw"].get("ok_calls", len(run["raw"]["latencies_ms"])))
        for i, n in enumerate(g.get("collections", [])[:3]):
            t[3 + i] += float(n)
    rows = []
    for (client, batch), t in sorted(totals.items(), key=lambda kv: (kv[0][1], _rank(kv[0][0]))):
        gc_s, wall, calls = t[0], t[1], t[2]
        if not calls:
            continue
        per100 = "/".join(_f(100.0 * n / calls, 1) for n in t[3:6])
        rows.append([client, str(batch), _f(1e6 * gc_s / calls, 1),
                     _f(100.0 * gc_s / wall if wall else math.nan, 1), per100])
    if not rows:
        return []
    return ["## Python's garbage collector during Env A", "",
            "Time the client's process spent in the cyclic GC (`gc.callbacks`) during the "
            "measured calls: every client builds the same dicts and lists, and each container "
            "allocated counts towards a collection.", ""] + \
        _table(["client", "batch", "GC µs/call", "GC % of wall",
                "collections per 100 calls (gen 0/1/2)"], rows) + [""]


# --- GIL ------------------------------------------------------------------


def _gil_loss(g: dict[str, float]) -> float:
    base, during = g.get("baseline_rate"), g.get("during_rate")
    if not base or during is None:
        return math.nan
    return 100.0 * (1.0 - during / base)


def _loss_per_kcall(loss: float, tps_with_task: float | None) -> float:
    """Task loss per 1,000 calls/s served: the cost of the client's work.

    Closed-loop runs let a faster client do more calls in the same second,
    so its raw loss mixes cost with volume; this puts clients on equal work.
    """
    if not tps_with_task or math.isnan(loss):
        return math.nan
    return loss / (tps_with_task / 1000.0)


def gil_section(res: dict[str, Any]) -> list[str]:
    rows = []
    a_runs = res["env_a"]["runs"]
    plain = {(r["client"], r["set"], r["batch"]): a_scenario(r) for r in a_runs if not r["gil"]}
    for r in sorted((r for r in a_runs if r["gil"]),
                    key=lambda r: (r["batch"], r["set"], _rank(r["client"]))):
        g = r["raw"].get("gil", {})
        with_task = a_scenario(r)
        without = plain.get((r["client"], r["set"], r["batch"]), {})
        rows.append([f"A {r['set']} b={r['batch']}", r["client"], _f(without.get("tps"), 1),
                     _f(with_task["tps"], 1), _f(g.get("baseline_rate"), 0),
                     _f(g.get("during_rate"), 0), _f(_gil_loss(g), 1),
                     _f(_loss_per_kcall(_gil_loss(g), with_task["tps"]), 1)])
    for env, key in (("env_b", "concurrency"), ("env_c", "mode")):
        env_runs = res[env]["runs"]
        plain_bc = {(r["client"], r[key]): r for r in env_runs if not r["gil"]}
        for r in (r for r in env_runs if r["gil"]):
            g = r.get("gil_rates", {})
            alone = plain_bc.get((r["client"], r[key]))
            rows.append([f"{env[-1].upper()} {key}={r[key]}", r["client"],
                         _f(alone["summary"]["tps"] if alone else None, 1),
                         _f(r["summary"]["tps"], 1), _f(g.get("baseline_rate"), 0),
                         _f(g.get("during_rate"), 0), _f(_gil_loss(g), 1),
                         _f(_loss_per_kcall(_gil_loss(g), r["summary"]["tps"]), 1)])
    if not rows:
        return []
    return ["## GIL contention", "",
            "A CPU-bound pure-Python thread runs in the client's process. Its rate alone "
            "(chunks/s, measured in the same process just before) against its rate during "
            "the run shows how much interpreter time the client takes from the application; "
            "the benchmark's own TPS without and with the competitor is alongside. "
            "These runs are closed loops, so a faster client also serves more calls in the "
            "same second; `loss per 1k calls/s` divides the loss by the calls served "
            "(thousands per second) to compare clients at equal work. A saturated asyncio "
            "loop whose iterations hold the GIL for well under CPython's 5 ms switch "
            "interval starves a CPU-bound thread whatever the client (see "
            "docs/performance.md, 'GIL contention').", ""] + \
        _table(["scenario", "client", "TPS without task", "TPS with task", "task rate alone",
                "task rate during", "task loss %", "loss per 1k calls/s"], rows) + [""]


# --- Env B / C ------------------------------------------------------------


def _bc_rows(runs: list[dict[str, Any]], key: str, server_cols: list[tuple[str, str, str]]
             ) -> list[list[str]]:
    rows = []
    for r in sorted((r for r in runs if not r["gil"]),
                    key=lambda r: (str(r[key]).zfill(6), _rank(r["client"]))):
        s = r["summary"]
        row = [str(r[key]), r["client"], _f(s["mean"]), _f(s["p50"]), _f(s["p90"]),
               _f(s["p95"]), _f(s["p99"]), _f(s["tps"], 1), str(int(s["errors"]))]
        for name, stat, _title in server_cols:
            row.append(_f(r.get("server", {}).get(name, {}).get(stat)))
        rows.append(row)
    return rows


def _bc_ratios(runs: list[dict[str, Any]], key: str) -> list[list[str]]:
    by = {(r["client"], r[key]): r["summary"] for r in runs if not r["gil"]}
    rows = []
    for level in sorted({r[key] for r in runs}, key=lambda v: str(v).zfill(6)):
        for ours in (OURS, OURS_MERGED):
            if (ours, level) not in by:
                continue
            a = by[(ours, level)]
            for other in ASYNC_PEERS:
                b = by.get((other, level))
                if b is None:
                    continue
                rows.append([str(level), f"{ours} / {other}",
                             _x(stats.ratio(a["mean"], b["mean"])),
                             _x(stats.ratio(a["p95"], b["p95"])),
                             _x(stats.ratio(a["p99"], b["p99"])),
                             _x(stats.ratio(a["tps"], b["tps"]))])
    return rows


def env_b_section(res: dict[str, Any]) -> list[str]:
    runs = res["env_b"]["runs"]
    cfg = res["meta"].get("config", {})
    out = ["## Environment B — uvicorn ASGI only", ""]
    if not runs:
        return out + ["No Env B runs.", ""]
    out += [f"FastAPI + uvicorn, one `batch_read` of {cfg.get('b_batch')} random keys per "
            f"request (sets in turn); closed-loop HTTP load from another process, "
            f"{cfg.get('b_duration_s')} s per level after {cfg.get('b_warmup_s')} s warm-up. "
            "Latency in ms; `aerospike step` is measured inside the app.", ""]
    cols = [("aerospike", "mean", "aerospike step mean"), ("aerospike", "p95", "aerospike step p95")]
    out += _table(["concurrency", "client", "mean", "p50", "p90", "p95", "p99", "TPS", "errors"]
                  + [c[2] for c in cols], _bc_rows(runs, "concurrency", cols))
    out.append("")
    ratios = _bc_ratios(runs, "concurrency")
    if ratios:
        out += _table(["concurrency", "ratio (ours / theirs)", "mean", "p95", "p99", "TPS"], ratios)
        out.append("")
    return out


def env_c_section(res: dict[str, Any]) -> list[str]:
    runs = res["env_c"]["runs"]
    cfg = res["meta"].get("config", {})
    out = ["## Environment C — uvicorn + DLRM (real serving)", ""]
    if not runs:
        return out + ["No Env C runs.", ""]
    backends = {name: (h.get("model") or {}) for name, h in res.get("apps", {}).items()}
    kinds = sorted({f"{m.get('backend')} {m.get('version')}" for m in backends.values() if m})
    if len(kinds) > 1:
        out += ["> **Model backends differ between clients** ("
                + ", ".join(f"{n}: {m.get('backend')}" for n, m in sorted(backends.items()) if m)
                + "): inference costs differ, so compare the `batch_read_all` column, not "
                "end-to-end latency. Run benchmark/setup_envs.sh so every client has PyTorch.", ""]
    out += [f"Each request: 9 sets × {cfg.get('c_keys')} keys → features → DLRM "
            f"({', '.join(kinds) or 'model backend unknown'}); `single` = one mixed batch "
            "then demux, `gather` = 9 batch_reads under asyncio.gather, `merge_gather` = "
            "the 9 reads handed to the client at once, merged into one request per node "
            "as far as its API allows (below: what each did). "
            f"Concurrency {cfg.get('c_concurrency')}, {cfg.get('c_duration_s')} s per mode. "
            "Client side = the load generator; server side = inside the app.", ""]
    if any(str(r.get("mode", "")).startswith("ramp") for r in runs):
        out += [f"`ramp N` = the stress ramp: from idle to {cfg.get('c_ramp_stages')} "
                f"concurrent users in turn, `{cfg.get('c_ramp_mode')}` requests, "
                f"{cfg.get('c_ramp_stage_s')} s per stage back to back (after "
                f"{cfg.get('c_ramp_settle_s')} s unmeasured at each step); p95 per stage "
                "is in the tables.", ""]
    merged = {name: h.get("merge_how") for name, h in res.get("apps", {}).items()
              if h.get("merge_how")}
    if merged and any(r.get("mode") == "merge_gather" for r in runs):
        out += ["`merge_gather`, what each client did:", ""]
        out += [f"- `{name}`: {how}" for name, how in sorted(merged.items(),
                                                              key=lambda t: _rank(t[0]))]
        out.append("")
    cols = [("predict", "p95", "server predict p95"),
            ("batch_read_all", "p95", "batch_read_all p95"),
            ("inference", "mean", "inference mean")]
    out += _table(["mode", "client", "mean", "p50", "p90", "p95", "p99", "TPS", "errors"]
                  + [c[2] for c in cols], _bc_rows(runs, "mode", cols))
    out.append("")
    ratios = _bc_ratios(runs, "mode")
    if ratios:
        out += _table(["mode", "ratio (ours / theirs)", "mean", "p95", "p99", "TPS"], ratios)
        out.append("")
    out += c_time_section(runs, int(res["meta"].get("system", {}).get("cpu_count") or 1))
    return out


def c_time_section(runs: list[dict[str, Any]], cpus: int) -> list[str]:
    """Where each app's time goes per request: the app process's CPU (all
    threads, the client's own), its cyclic GC, the steps timed in the handler
    and, for ours, the GIL held inside the bridge (stage timers)."""
    rows = []
    for r in sorted((r for r in runs if not r["gil"] and r.get("process")),
                    key=lambda r: (str(r["mode"]).zfill(6), _rank(r["client"]))):
        srv = r.get("server", {})
        n = (srv.get("predict") or {}).get("count") or 0
        if not n:
            continue
        proc = r["process"]
        wall = proc.get("wall_s") or math.nan
        gil_ms = math.nan
        st = r.get("stage_stats") or {}
        if st:
            op = max(st.values(), key=lambda v: v.get("completed", 0))
            gil_ns = op.get("gil_held_ns", sum(op.get(f"{x}_ns", 0) for x in
                                               ("parse", "submit", "convert")))
            gil_ms = gil_ns / 1e6 / n
        srv_cpu = r.get("server_cpu_s")
        srv_cpu = math.nan if srv_cpu is None else float(srv_cpu)
        load_cpu = float(r.get("loadgen_cpu_s") or math.nan)
        total = proc.get("cpu_s", math.nan) + (0.0 if math.isnan(srv_cpu) else srv_cpu) \
            + (0.0 if math.isnan(load_cpu) else load_cpu)
        rows.append([str(r["mode"]), r["client"], str(int(n)),
                     _f(1e3 * proc.get("cpu_s", math.nan) / n),
                     _f(100.0 * proc.get("cpu_s", math.nan) / wall, 0),
                     _f(1e3 * srv_cpu / n), _f(1e3 * load_cpu / n),
                     _f(100.0 * total / wall / cpus, 0),
                     _f(1e3 * proc.get("gc_s", math.nan) / n),
                     _f((srv.get("batch_read_all") or {}).get("mean")),
                     _f((srv.get("features") or {}).get("mean")),
                     _f((srv.get("inference") or {}).get("mean")), _f(gil_ms)])
    if not rows:
        return []
    return ["### Where the app's time goes (Env C, per request)", "",
            "Over each run (warm-up included): the app process's CPU time (every thread, "
            "the client's own) per request and as % of one core, time in Python's cyclic GC, "
            "the handler's steps (batch_read_all = reads + demux, waiting included; "
            "features and inference are the same Python/PyTorch code for every client) and, "
            "for ours, the GIL held inside the bridge per request (parse + submit + convert, "
            "from `stage_stats()`). `null-client` is the same app with no client at all "
            "(rows from records cached in the process): its CPU per request is the "
            "environment's own work, every client's floor. `server CPU` is the server process's CPU per request "
            "(the embedded server, or a local real server found by its port), `loadgen` the "
            "load generator's, `machine busy` all three together as % of all the machine's "
            "CPUs: near 100% the run is bound by the machine, not by one client's latency. "
            "All in ms.", ""] + \
        _table(["mode", "client", "requests", "app CPU / req", "app CPU % of a core",
                "server CPU / req", "loadgen CPU / req", "machine busy %", "GC / req",
                "batch_read_all mean", "features mean", "inference mean", "ours: GIL held / req"],
               rows) + [""]


# --- whole report ---------------------------------------------------------


def _server_statement(tgt: dict[str, Any]) -> str:
    """Which server answered, in one line: the embedded server identifies
    itself as the Aerospike build it imitates, so say which it was."""
    ident = " ".join(x for x in (tgt.get("edition"), tgt.get("build") or tgt.get("version")) if x)
    if tgt.get("kind") == "embedded":
        return ("**Server: the embedded server** (this repository's `aerospike_py.server`, "
                f"its own process, answering as {ident or 'unknown'}) at {tgt.get('hosts')}.")
    if tgt.get("kind") == "external":
        return (f"**Server: an external cluster** at {tgt.get('hosts')} (`--hosts`): "
                f"answering as {ident or 'unknown'} (not an embedded server started by this run).")
    return f"**Server: none** ({tgt.get('kind')}: harness test)."


def header(res: dict[str, Any]) -> list[str]:
    meta = res["meta"]
    sysi = meta.get("system", {})
    cfg = meta.get("config", {})
    tgt = meta.get("target", {})
    mode = "quick (smoke test: numbers are not meaningful)" if cfg.get("quick") else "full"
    out = [f"# aerospike_py benchmark — {sysi.get('date', '?')} on {sysi.get('host', '?')}", ""]
    out += [_server_statement(tgt), ""]
    if cfg.get("quick"):
        out += ["> **Quick mode**: a few calls per scenario to exercise the pipeline. "
                "Do not read performance into these numbers.", ""]
    la0, la1 = sysi.get("loadavg_start") or [], sysi.get("loadavg_end") or []
    if la0 and la0[0] > 1.0:
        out += [f"> **Machine was busy** at start (load average {la0[0]} on "
                f"{sysi.get('cpu_count')} CPUs): other processes competed for the CPU.", ""]
    ext = sysi.get("extension") or {}
    if ext.get("stale"):
        out += [f"> **Our extension may be stale**: `{ext.get('core_so')}` (built "
                f"{ext.get('core_so_built')}) is older than "
                f"{', '.join(ext.get('sources_newer_than_so', [])[:5])}… — rebuild it before "
                "trusting our client's numbers.", ""]
    server = " ".join(x for x in (tgt.get("edition"), tgt.get("build") or tgt.get("version")) if x)
    load = res.get("load", {})
    rows = [
        ["mode", mode],
        ["CPU", f"{sysi.get('cpu_model')} ({sysi.get('cpu_count')} CPUs)"],
        ["platform", str(sysi.get("platform"))],
        ["load average start / end", f"{la0} / {la1}"],
        ["target", f"{tgt.get('kind')} {tgt.get('hosts')} namespace {tgt.get('namespace')}"
                   f"{' nodes ' + str(tgt.get('cluster-size')) if tgt.get('cluster-size') else ''}"],
        ["server", server or str(tgt.get("info_error", "unknown"))],
        ["data", f"{cfg.get('records_per_set')} records in each of set_1..set_9 except set_8 "
                 f"(empty); set_9 requested over a 25% larger key space; loaded via "
                 f"{load.get('via')}"],
        ["our build", ", ".join(f"{k}={v}" for k, v in sysi.get("build", {}).items()
                                if k != "note")
         + (f"; {ext.get('core_so')} built {ext.get('core_so_built')}" if ext.get("core_so")
            else "")],
        ["git", f"{sysi.get('git_commit')} ({sysi.get('git_dirty_files')} uncommitted files)"],
        ["per-call timeout", f"{cfg.get('timeout_ms')} ms" if cfg.get("timeout_ms")
         else "each client's default"],
        ["Env B/C apps' cyclic GC", "gc.freeze() after start-up in every app"
         if cfg.get("gc_freeze") else "as started (nothing frozen)"],
    ]
    out += _table(["item", "value"], rows)
    out += ["", "### Clients", ""]
    crow = []
    for name in _ordered(meta.get("clients", {})):
        c = meta["clients"][name]
        ident = c.get("identity") or {}
        if c["library"] == "official":
            ver = (ident.get("aerospike") or {}).get("version")
        elif c["library"] in ("ours", "aerospike-py"):
            ver = (ident.get("aerospike_py") or {}).get("version")
        elif c["library"] in ("aerospike-native", "aerospike-sdk"):
            mod = c["library"].replace("-", "_")
            ver = (ident.get(mod) or {}).get("version")
        else:
            ver = c.get("binary") or ""
        status = "ran" if c["available"] else f"not run: {c.get('skipped')}"
        if c.get("binary_older_than"):
            status += (" (binary older than " + ", ".join(c["binary_older_than"][:3])
                       + "…: rebuild with setup_envs.sh native)")
        crow.append([name, c.get("description", ""), str(ver or "—"),
                     str(c.get("python_version") or "—"), status])
    out += _table(["client", "what", "version", "python", "status"], crow)
    out.append("")
    return out


def render(res: dict[str, Any], plots: list[str] | None = None) -> str:
    lines = header(res) + env_a_section(res) + stages_section(res) + gc_section(res) \
        + gil_section(res) \
        + env_b_section(res) + env_c_section(res)
    failures = [(env, f) for env in ("env_a", "env_b", "env_c")
                for f in res.get(env, {}).get("failures", [])]
    notes = res.get("notes", [])
    if failures or notes:
        lines += ["## Notes and failures", ""]
        lines += [f"- {n}" for n in notes]
        for env, f in failures:
            detail = {k: v for k, v in f.items() if k != "error"}
            lines.append(f"- {env} {detail}: {str(f.get('error', '')).splitlines()[0][:300]}")
        lines.append("")
    if plots:
        lines += ["## Plots", ""] + [f"![{p}]({p})" for p in plots] + [""]
    lines += ["Raw measurements: `results.json` (every latency sample); logs of every process "
              "under `logs/`.", ""]
    return "\n".join(lines)


def write(res: dict[str, Any], out_dir: str, plots: list[str] | None = None) -> str:
    path = os.path.join(out_dir, "report.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write(render(res, plots))
    return path


def main(argv: list[str]) -> int:
    """`python -m benchmark.report RESULTS_DIR`: rewrite report.md (and plots)."""
    if len(argv) != 1:
        print("usage: python -m benchmark.report RESULTS_DIR", file=sys.stderr)
        return 2
    from .plotting import make_plots

    # Absolute: the plots run in another interpreter with its own cwd.
    out_dir = os.path.abspath(argv[0])
    with open(os.path.join(out_dir, "results.json"), encoding="utf-8") as f:
        res = json.load(f)
    plots, why = make_plots(out_dir, res)
    if why:
        print(f"plots: {why}", file=sys.stderr)
    print(write(res, out_dir, plots))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
