"""`python -m benchmark [--quick] ...`: run the benchmark, write results/<date>_<host>/.

Run from the repository root with any Python 3.10+ (the orchestrator needs
only the standard library; clients run in their own interpreters).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from . import clients as clients_mod
from . import orchestrator, report
from .plotting import make_plots


def _csv(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def parse_args(argv: list[str]) -> orchestrator.Config:
    p = argparse.ArgumentParser(prog="python -m benchmark", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="the whole pipeline in seconds (smoke test)")
    p.add_argument("--envs", default="ABC", help="which environments to run (default ABC)")
    p.add_argument("--clients", default=",".join(clients_mod.DEFAULT_CLIENTS),
                   help="comma-separated; known: " + ", ".join(clients_mod.DEFAULT_CLIENTS)
                   + ", fake")
    p.add_argument("--hosts", help="host:port[,...] of a running cluster "
                   "(default: $AEROSPIKE_HOSTS, else the embedded server)")
    p.add_argument("--nodes", type=int, help="embedded server nodes (default 1)")
    p.add_argument("--namespace", help="namespace (default test)")
    p.add_argument("--records-per-set", type=int)
    p.add_argument("--sets", help="Env A/B sets (default set_1..set_9)")
    p.add_argument("--batch-sizes", help="Env A batch sizes (default 50,200)")
    p.add_argument("--concurrency", type=int, help="Env A concurrency (default 10)")
    p.add_argument("--iterations", type=int, help="Env A measured calls per caller")
    p.add_argument("--warmup", type=int, help="Env A warm-up calls per caller")
    p.add_argument("--loop", choices=["asyncio", "uvloop"], help="Env A event loop")
    p.add_argument("--b-levels", help="Env B concurrency levels (default 5,10,50)")
    p.add_argument("--b-duration", type=float, help="Env B seconds per level")
    p.add_argument("--c-modes", help="Env C modes (default single,gather,merge_gather,ramp)")
    p.add_argument("--c-ramp-stages", help="Env C stress ramp: users per stage (default 20,50)")
    p.add_argument("--c-ramp-stage", type=float, help="Env C seconds per ramp stage")
    p.add_argument("--c-concurrency", type=int, help="Env C concurrency (default 10)")
    p.add_argument("--c-duration", type=float, help="Env C seconds per mode")
    p.add_argument("--no-gil", action="store_true", help="skip the GIL-contention runs")
    p.add_argument("--gc-freeze", action="store_true",
                   help="Env B/C: every app calls gc.freeze() after start-up (the serving "
                        "practice that keeps the start-up heap out of full collections)")
    p.add_argument("--timeout-ms", type=int, help="per-call total_timeout for every client")
    p.add_argument("--python", action="append", default=[], metavar="CLIENT=PATH",
                   help="interpreter (or, for native, binary) to use for a client or library")
    p.add_argument("--this-python-only", action="store_true",
                   help="run every Python client with this interpreter (skip those it lacks)")
    p.add_argument("--out", help="output directory (default benchmark/results/<date>_<host>)")
    p.add_argument("--tls", action="store_true",
                   help="Env A over TLS: the embedded server also listens for TLS; ours and the "
                        "official client use it, ours-async-clear is ours over clear TCP in the "
                        "same run (default clients: " + ",".join(clients_mod.TLS_CLIENTS) + ")")
    a = p.parse_args(argv)

    cfg = orchestrator.preset(a.quick)
    cfg.envs = a.envs.upper()
    cfg.clients = _csv(a.clients)
    if a.tls:
        cfg.tls = True
        cfg.envs = "A"
        if a.clients == ",".join(clients_mod.DEFAULT_CLIENTS):
            cfg.clients = list(clients_mod.TLS_CLIENTS)
    cfg.hosts = a.hosts
    for attr, val in (("nodes", a.nodes), ("namespace", a.namespace),
                      ("records_per_set", a.records_per_set), ("concurrency", a.concurrency),
                      ("iterations", a.iterations), ("warmup", a.warmup), ("loop", a.loop),
                      ("b_duration_s", a.b_duration), ("c_concurrency", a.c_concurrency),
                      ("c_duration_s", a.c_duration), ("timeout_ms", a.timeout_ms),
                      ("out_dir", a.out)):
        if val is not None:
            setattr(cfg, attr, val)
    if a.sets:
        cfg.sets = _csv(a.sets)
    if a.batch_sizes:
        cfg.batch_sizes = [int(x) for x in _csv(a.batch_sizes)]
    if a.b_levels:
        cfg.b_levels = [int(x) for x in _csv(a.b_levels)]
    if a.c_modes:
        cfg.c_modes = _csv(a.c_modes)
    if a.c_ramp_stages:
        cfg.c_ramp_stages = [int(x) for x in _csv(a.c_ramp_stages)]
    if a.c_ramp_stage is not None:
        cfg.c_ramp_stage_s = a.c_ramp_stage
    if a.this_python_only:
        cfg.only_python = sys.executable
    if a.no_gil:
        cfg.gil = False
    cfg.gc_freeze = a.gc_freeze
    for item in a.python:
        name, sep, path = item.partition("=")
        if not sep:
            p.error(f"--python wants CLIENT=PATH, got {item!r}")
        cfg.overrides[name] = os.path.abspath(path)
    return cfg


def _exit_on_sigterm(signum: int, frame: object) -> None:
    # SIGTERM (a CI timeout, `kill`) would end the process without the
    # orchestrator's clean-up, leaving the server, workers and apps running.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    cfg = parse_args(sys.argv[1:] if argv is None else argv)
    runner = orchestrator.Runner(cfg)
    results = runner.run()
    out_dir = runner.out_dir
    orchestrator.write_results(results, out_dir)
    plots, why = make_plots(out_dir, results)
    if why:
        results["notes"].append(f"plots not drawn: {why}")
        orchestrator.write_results(results, out_dir)
    path = report.write(results, out_dir, plots)
    print(f"report: {path}", file=sys.stderr)
    print(out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
