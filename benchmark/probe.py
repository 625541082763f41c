"""A focused Env A probe for profiling our client (not part of the report).

    .venv/bin/python -m benchmark.probe [--batch 200] [--concurrency 10]
        [--iterations 300] [--set set_1] [--records 3000] [--repeat 3]
        [--mode async|sync|get] [--hosts h:p [--no-load]] [--uvloop]
        [--gc on|off|freeze] [--hold SECONDS]

Starts the embedded server in its own process (like the benchmark) unless
--hosts is given, loads one set with our client, then runs the Env A loop
(`concurrency` callers, each `iterations` back-to-back calls) `repeat`
times and prints per run: mean/p50/p99 latency, TPS, CPU µs per record of
this process split per thread (Python caller vs the `aspy-io` event
thread), the server process's CPU, run-queue delay per thread (schedstat:
time runnable but not running, the cost of sharing two cores), and the
bridge's stage timers per call, and the time spent in Python's cyclic GC.
Everything is read from /proc and gc.callbacks, so it works without
hardware counters. The first run of each invocation is a warm-up and is not
printed. See docs/performance.md for how it was used.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import threading
import time
from typing import Any

from benchmark.embedded import start_server
from benchmark.workers.aspy_bench import dataset


def _thread_times() -> dict[str, tuple[float, float]]:
    """{thread name: (cpu s, run-queue wait s)} of this process (names merged)."""
    out: dict[str, tuple[float, float]] = {}
    base = f"/proc/{os.getpid()}/task"
    for tid in os.listdir(base):
        try:
            with open(f"{base}/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"{base}/{tid}/schedstat") as f:
                run_ns, wait_ns, _ = (int(x) for x in f.read().split())
        except OSError:
            continue
        if name.startswith("python"):
            name = "python" if int(tid) == os.getpid() else "py-thread"
        cpu, wait = out.get(name, (0.0, 0.0))
        out[name] = (cpu + run_ns / 1e9, wait + wait_ns / 1e9)
    return out


def _proc_times(pid: int) -> tuple[float, float]:
    """(cpu s, run-queue wait s) summed over a process's threads."""
    cpu = wait = 0.0
    base = f"/proc/{pid}/task"
    for tid in os.listdir(base):
        try:
            with open(f"{base}/{tid}/schedstat") as f:
                run_ns, wait_ns, _ = (int(x) for x in f.read().split())
        except OSError:
            continue
        cpu += run_ns / 1e9
        wait += wait_ns / 1e9
    return cpu, wait


def _delta(a: dict[str, tuple[float, float]],
           b: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    return {k: (v[0] - a.get(k, (0.0, 0.0))[0], v[1] - a.get(k, (0.0, 0.0))[1])
            for k, v in b.items()}


def load(hosts: list[tuple[str, int]], set_name: str, n: int) -> None:
    import aerospike_py
    c = aerospike_py.client({"hosts": hosts}).connect()
    pol = {"key": aerospike_py.POLICY_KEY_SEND}
    for i in range(n):
        c.put(("test", set_name, dataset.user_key(set_name, i)), dataset.record(set_name, i), policy=pol)
    c.close()


def rows_for(args: argparse.Namespace, worker: int, rep: int) -> list[list[Any]]:
    idx = dataset.draw_indices(1234 + rep, worker, args.iterations, args.batch, args.records)
    return [[("test", args.set, dataset.user_key(args.set, i)) for i in row] for row in idx]


async def async_phase(client: Any, rows: list[list[list[Any]]], lat: list[float],
                      mode: str) -> int:
    found = 0

    async def one(my_rows: list[list[Any]]) -> None:
        nonlocal found
        for keys in my_rows:
            t0 = time.perf_counter_ns()
            if mode == "get":
                await client.get(keys[0])
                found += 1
            else:
                got = await client.batch_read(keys)
                found += len(got)
            lat.append((time.perf_counter_ns() - t0) / 1e6)

    await asyncio.gather(*(one(r) for r in rows))
    return found


def sync_phase(client: Any, rows: list[list[list[Any]]], lat: list[float]) -> int:
    found = [0]

    def one(my_rows: list[list[Any]]) -> None:
        for keys in my_rows:
            t0 = time.perf_counter_ns()
            found[0] += len(client.batch_read(keys))
            lat.append((time.perf_counter_ns() - t0) / 1e6)

    ts = [threading.Thread(target=one, args=(r,)) for r in rows]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return found[0]


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m benchmark.probe")
    p.add_argument("--batch", type=int, default=200)
    p.add_argument("--concurrency", type=int, default=10)
    p.add_argument("--iterations", type=int, default=300)
    p.add_argument("--set", default="set_1")
    p.add_argument("--records", type=int, default=3000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--mode", choices=("async", "sync", "get"), default="async")
    p.add_argument("--hosts", default="")
    p.add_argument("--uvloop", action="store_true")
    p.add_argument("--gc", choices=("on", "off", "freeze"), default="on",
                   help="the cyclic GC as is, disabled, or with the set-up objects frozen")
    p.add_argument("--no-load", action="store_true", help="the set is already loaded")
    p.add_argument("--hold", type=float, default=0.0,
                   help="seconds to sleep before measuring (attach a profiler)")
    args = p.parse_args()

    import aerospike_py
    from aerospike_py import _core

    server = None
    server_pid = 0
    if args.hosts:
        h, port = args.hosts.rsplit(":", 1)
        hosts = [(h, int(port))]
    else:
        server, host, port = start_server()
        hosts = [(host, port)]
        server_pid = server.pid
    try:
        if not args.no_load:
            load(hosts, args.set, args.records)
        if args.uvloop:
            import uvloop
            loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
        else:
            loop = asyncio.new_event_loop()
        if args.mode == "sync":
            client: Any = aerospike_py.client({"hosts": hosts}).connect()
        else:
            client = aerospike_py.async_client({"hosts": hosts})
            loop.run_until_complete(client.connect())
        print(f"pid {os.getpid()} server {server_pid} mode {args.mode} batch {args.batch} "
              f"conc {args.concurrency} iters {args.iterations}", flush=True)
        if args.hold:
            time.sleep(args.hold)
        if args.gc == "off":
            gc.disable()
        gc_time = [0.0, 0.0]

        def on_gc(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                gc_time[1] = time.perf_counter()
            else:
                gc_time[0] += time.perf_counter() - gc_time[1]

        gc.callbacks.append(on_gc)
        for rep in range(args.repeat + 1):  # the first run is a warm-up
            # Built per run, like the benchmark's worker (which builds each
            # scenario's keys before timing it).
            rows = [rows_for(args, w, rep) for w in range(args.concurrency)]
            if args.gc == "freeze":  # everything built so far, keys included
                gc.freeze()
            lat: list[float] = []
            gc_time[0] = 0.0
            gc0 = [g["collections"] for g in gc.get_stats()]
            _core.stage_stats(reset=True)
            th0 = _thread_times()
            sv0 = _proc_times(server_pid) if server_pid else (0.0, 0.0)
            cpu0 = time.process_time()
            t0 = time.perf_counter()
            if args.mode == "sync":
                found = sync_phase(client, rows, lat)
            else:
                found = loop.run_until_complete(async_phase(client, rows, lat, args.mode))
            wall = time.perf_counter() - t0
            cpu = time.process_time() - cpu0
            th = _delta(th0, _thread_times())
            sv1 = _proc_times(server_pid) if server_pid else (0.0, 0.0)
            stages = _core.stage_stats(reset=True)
            gcn = [g["collections"] - c for g, c in zip(gc.get_stats(), gc0)]
            if rep == 0:
                continue
            calls = len(lat)
            recs = calls * (1 if args.mode == "get" else args.batch)
            lat.sort()
            p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
            print(f"run {rep}: mean {statistics.fmean(lat):.3f} ms p50 {lat[len(lat)//2]:.3f} "
                  f"p99 {p99:.3f} TPS {calls / wall:.0f} found {found / recs * 100:.0f}% "
                  f"cpu/rec {cpu / recs * 1e6:.2f} us (wall {wall:.2f}s, cpu {cpu:.2f}s)")
            parts = ", ".join(f"{k} {v[0] / recs * 1e6:.2f}us/rec wait {v[1] / calls * 1e6:.0f}us/call"
                              for k, v in sorted(th.items()) if v[0] > 0.001 or v[1] > 0.001)
            print(f"   threads: {parts}")
            print(f"   gc: {gc_time[0] / calls * 1e6:.0f}us/call "
                  f"({gc_time[0] / wall * 100:.0f}% of wall), collections {gcn}")
            if server_pid:
                print(f"   server: {(sv1[0] - sv0[0]) / recs * 1e6:.2f}us/rec "
                      f"({(sv1[0] - sv0[0]) / wall * 100:.0f}% of a core) "
                      f"wait {(sv1[1] - sv0[1]) / calls * 1e6:.0f}us/call")
            for op, s in stages.items():
                n = max(s["completed"], 1)
                keys = ("parse_ns", "submit_ns", "queue_ns", "io_ns", "wake_ns", "convert_ns")
                print(f"   stages {op} (us/call): " + " ".join(
                    f"{k[:-3]} {s[k] / n / 1e3:.1f}" for k in keys))
        if args.mode == "sync":
            client.close()
        else:
            loop.run_until_complete(client.close())
        loop.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
