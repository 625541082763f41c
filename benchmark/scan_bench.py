"""Scan benchmark: a whole set of 10-bin records into Python, every client, same run.

    python3 -m benchmark.scan_bench                      # embedded server, 200,000 records
    python3 -m benchmark.scan_bench --hosts 127.0.0.1:3300 --records 200000 --runs 3

Each client runs in its own process from its own virtualenv (ours and aerospike-py share the
import name ``aerospike_py``), against the same server and the same set, loaded once. A worker
scans the set ``--runs`` times and reports, per run: records/s (wall clock), CPU microseconds per
record (the process's user + system time, every thread included, / records) and RSS growth (peak
resident memory sampled every 10,000 records while scanning, minus the RSS before the scan). The
best run (highest records/s) of each client is kept. Every record's bins are touched so each
client pays for the objects it hands out.

Clients (skipped, with the reason printed, when their interpreter is missing):

| name | what |
|---|---|
| ours-stream | this repo, ``async for record in client.query(ns, set).stream()`` (asyncio) |
| ours-stream-uvloop | the same on uvloop |
| ours-foreach | this repo, sync ``Client.query(ns, set).foreach(callback)`` |
| ours-results | this repo, sync ``Client.query(ns, set).results()`` |
| aerospike-py-foreach / -results | aerospike-py 0.14.4 (Rust), sync ``Query.foreach`` / ``results`` |
| aerospike-py-async | aerospike-py ``AsyncQuery.results()`` (a thread under the hood) |
| native-blocking | aerospike-native ``query_blocking`` + ``for`` |
| native-async | aerospike-native ``await query`` + ``async for`` |
| official-foreach / -results | the official ``aerospike`` client (C), ``Query.foreach`` / ``results`` |

The last lines print each client's figures and, for ours, the ratio of records/s to the best
peer (and to each peer).

On two shared cores the client, the server's scan threads and the hypervisor's steal compete for
the same CPUs, so a client's rate moves by tens of percent with whatever else ran at that moment.
``--rounds N`` runs the whole list of clients N times, one after the other within each round, and
prints each round's ratio and their median: the clients of one round met the same machine. With
``--server-pid`` (known without it for the embedded server) each line also gives the server's CPU
microseconds per record while that client scanned (its scans, connect and close included), which
tells how much of two cores were left to the client.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass

try:  # run as a script, benchmark/ is on sys.path (see embedded.py's docstring)
    from benchmark.embedded import start_server
except ImportError:
    from embedded import start_server  # type: ignore[no-redef]

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
OURS = os.path.join(REPO, ".venv", "bin", "python")
ASPY = os.environ.get("ASPY_VENV_PYTHON", "/root/venvs/aspy/bin/python")
NATIVE = os.environ.get("NATIVE_VENV_PYTHON", "/root/venvs/native/bin/python")
OFFICIAL = os.environ.get("OFFICIAL_PYTHON", OURS)  # the official client lives in .venv

COMMON = r"""
import json, os, resource, sys, time
host, port, set_name, runs = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
def cpu_s():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
class Meter:
    def __init__(self):
        self.n = 0; self.rss0 = rss_mb(); self.peak = self.rss0
        self.cpu0 = cpu_s(); self.t0 = time.perf_counter()
    def tick(self, k=1):
        self.n += k
        if self.n % 10000 < k:
            self.peak = max(self.peak, rss_mb())
    def done(self, hold=None):
        t = time.perf_counter() - self.t0
        cpu = cpu_s() - self.cpu0
        self.peak = max(self.peak, rss_mb())
        return {"records": self.n, "seconds": t, "rps": self.n / t if t else 0.0,
                "cpu_us_per_record": cpu * 1e6 / max(self.n, 1),
                "rss_growth_mb": self.peak - self.rss0}
def touch(bins):
    for v in bins.values():
        pass
out = []
"""

WORKERS = {
    "ours-stream": r"""
import asyncio, aerospike_py
async def main():
    c = await aerospike_py.async_client({"hosts": [(host, port)]}).connect()
    for _ in range(runs):
        m = Meter()
        async for r in c.query("test", set_name).stream():
            touch(r.bins); m.tick()
        out.append(m.done())
    await c.close()
asyncio.run(main())
""",
    "ours-stream-uvloop": r"""
import asyncio, uvloop, aerospike_py
async def main():
    c = await aerospike_py.async_client({"hosts": [(host, port)]}).connect()
    for _ in range(runs):
        m = Meter()
        async for r in c.query("test", set_name).stream():
            touch(r.bins); m.tick()
        out.append(m.done())
    await c.close()
uvloop.run(main())
""",
    "ours-foreach": r"""
import aerospike_py
c = aerospike_py.client({"hosts": [(host, port)]}).connect()
for _ in range(runs):
    m = Meter()
    def cb(r):
        touch(r.bins); m.tick()
    c.query("test", set_name).foreach(cb)
    out.append(m.done())
c.close()
""",
    "ours-results": r"""
import aerospike_py
c = aerospike_py.client({"hosts": [(host, port)]}).connect()
for _ in range(runs):
    m = Meter()
    recs = c.query("test", set_name).results()
    for r in recs:
        touch(r.bins)
    m.tick(len(recs))
    out.append(m.done())
    del recs
c.close()
""",
    "aerospike-py-foreach": r"""
import aerospike_py
if getattr(aerospike_py, "__distribution__", None):  # ours has it; aerospike-py has not
    raise SystemExit("this worker imported this repo's aerospike_py, not aerospike-py")
c = aerospike_py.client({"hosts": [(host, port)]}).connect()
for _ in range(runs):
    m = Meter()
    def cb(r):
        touch(r.bins); m.tick()
    c.query("test", set_name).foreach(cb)
    out.append(m.done())
c.close()
""",
    "aerospike-py-results": r"""
import aerospike_py
if getattr(aerospike_py, "__distribution__", None):  # ours has it; aerospike-py has not
    raise SystemExit("this worker imported this repo's aerospike_py, not aerospike-py")
c = aerospike_py.client({"hosts": [(host, port)]}).connect()
for _ in range(runs):
    m = Meter()
    recs = c.query("test", set_name).results()
    for r in recs:
        touch(r.bins)
    m.tick(len(recs))
    out.append(m.done())
    del recs
c.close()
""",
    "aerospike-py-async": r"""
import asyncio, aerospike_py
if getattr(aerospike_py, "__distribution__", None):  # ours has it; aerospike-py has not
    raise SystemExit("this worker imported this repo's aerospike_py, not aerospike-py")
async def main():
    c = aerospike_py.AsyncClient({"hosts": [(host, port)]})
    await c.connect()
    for _ in range(runs):
        m = Meter()
        recs = await c.query("test", set_name).results()
        for r in recs:
            touch(r.bins)
        m.tick(len(recs))
        out.append(m.done())
        del recs
    await c.close()
asyncio.run(main())
""",
    "native-blocking": r"""
import aerospike_native as an
c = an.new_client_blocking(an.ClientPolicy(), f"{host}:{port}")
for _ in range(runs):
    m = Meter()
    for r in c.query_blocking(an.Statement("test", set_name), an.PartitionFilter.all()):
        touch(r.bins); m.tick()
    out.append(m.done())
c.close_blocking()
""",
    "native-async": r"""
import asyncio, aerospike_native as an
async def main():
    c = await an.new_client(an.ClientPolicy(), f"{host}:{port}")
    for _ in range(runs):
        m = Meter()
        rs = await c.query(an.Statement("test", set_name), an.PartitionFilter.all())
        async for r in rs:
            touch(r.bins); m.tick()
        out.append(m.done())
    await c.close()
asyncio.run(main())
""",
    "official-foreach": r"""
import aerospike
c = aerospike.client({"hosts": [(host, port)]}).connect()
for _ in range(runs):
    m = Meter()
    def cb(rec):
        touch(rec[2]); m.tick()
    c.query("test", set_name).foreach(cb)
    out.append(m.done())
c.close()
""",
    "official-results": r"""
import aerospike
c = aerospike.client({"hosts": [(host, port)]}).connect()
for _ in range(runs):
    m = Meter()
    recs = c.query("test", set_name).results()
    for rec in recs:
        touch(rec[2])
    m.tick(len(recs))
    out.append(m.done())
    del recs
c.close()
""",
}

PYTHONS = {
    "ours-stream": OURS, "ours-stream-uvloop": OURS, "ours-foreach": OURS, "ours-results": OURS,
    "aerospike-py-foreach": ASPY, "aerospike-py-results": ASPY, "aerospike-py-async": ASPY,
    "native-blocking": NATIVE, "native-async": NATIVE,
    "official-foreach": OFFICIAL, "official-results": OFFICIAL,
}

LOADER = r"""
import sys, aerospike_py
host, port, set_name, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
c = aerospike_py.client({"hosts": [(host, port)]}).connect()
bins = lambda i: {"id": i, "user": f"user-{i}", "score": i * 0.5, "count": i % 1000,
                  "flag": i % 2 == 0, "tags": [i % 7, i % 11, i % 13], "name": "x" * 24,
                  "blob": bytes(16), "ts": 1700000000 + i, "kind": f"k{i % 5}"}
for start in range(0, n, 2000):
    r = c.batch_write([(("test", set_name, i), bins(i)) for i in range(start, min(n, start + 2000))],
                      {"total_timeout": 30000})
c.close()
"""


@dataclass
class Result:
    name: str
    runs: list[dict[str, float]]
    error: str = ""

    server_cpu_us_per_record: float | None = None

    @property
    def best(self) -> dict[str, float] | None:
        return max(self.runs, key=lambda r: r["rps"]) if self.runs else None


def process_cpu_s(pid: int) -> float | None:
    """The user + system CPU seconds a process has used (None when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
    except OSError:
        return None
    # utime and stime are the 14th and 15th fields; the split starts at the 3rd.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")



def run_worker(name: str, host: str, port: int, set_name: str, runs: int,
               server_pid: int | None = None) -> Result:
    """One client's scans in a process of its own; the server's CPU while it ran, if known."""
    before = process_cpu_s(server_pid) if server_pid else None
    result = run_worker_process(name, host, port, set_name, runs)
    after = process_cpu_s(server_pid) if server_pid else None
    records = sum(r["records"] for r in result.runs)
    if before is not None and after is not None and records:
        result.server_cpu_us_per_record = (after - before) * 1e6 / records
    return result


def run_worker_process(name: str, host: str, port: int, set_name: str, runs: int) -> Result:
    python = PYTHONS[name]
    if not os.path.exists(python):
        return Result(name, [], f"no interpreter at {python}")
    code = COMMON + textwrap.dedent(WORKERS[name]) + "\nprint('RESULT ' + json.dumps(out))\n"
    env = dict(os.environ)
    if python == OURS:
        env["PYTHONPATH"] = REPO
    # cwd="/": `python -c` puts the working directory first on sys.path, and from the repo's
    # root that would make the aerospike-py worker import this repo's aerospike_py instead.
    proc = subprocess.run([python, "-c", code, host, str(port), set_name, str(runs)],
                          capture_output=True, text=True, env=env, timeout=3600, cwd="/")
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return Result(name, json.loads(line[7:]))
    return Result(name, [], (proc.stderr.strip().splitlines() or ["no output"])[-1][:200])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hosts", default=os.environ.get("AEROSPIKE_HOSTS", ""),
                    help="host:port of a server (default: start the embedded one)")
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--clients", default=",".join(WORKERS), help="comma-separated subset")
    ap.add_argument("--set", default="", help="use an existing set (skip loading)")
    ap.add_argument("--json", default="", help="also write the results to this file")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run the list of clients this many times, interleaved")
    ap.add_argument("--server-pid", type=int, default=0,
                    help="the server's process id, to report its CPU per record")
    args = ap.parse_args(argv)
    server = None
    server_pid = args.server_pid or None
    if args.hosts:
        host, _, port_text = args.hosts.split(",")[0].partition(":")
        port = int(port_text or 3000)
    else:
        server, host, port = start_server(OURS)
        server_pid = server.pid
    set_name = args.set or f"q_scan_{os.getpid()}"
    try:
        if not args.set:
            t0 = time.perf_counter()
            subprocess.run([OURS, "-c", LOADER, host, str(port), set_name, str(args.records)],
                           check=True, env={**os.environ, "PYTHONPATH": REPO})
            print(f"loaded {args.records} records into test/{set_name} in "
                  f"{time.perf_counter() - t0:.1f} s", flush=True)
        names = [c for c in args.clients.split(",") if c]
        rounds: list[list[Result]] = []
        for k in range(args.rounds):
            if args.rounds > 1:
                print(f"-- round {k + 1} of {args.rounds}", flush=True)
            rounds.append([])
            for name in names:
                r = run_worker(name, host, port, set_name, args.runs, server_pid)
                rounds[-1].append(r)
                print_line(r)
        results = merge_rounds(rounds)
        if args.rounds > 1:
            print("-- best of every round")
            for r in results:
                print_line(r)
        report(results)
        if args.rounds > 1:
            report_rounds(rounds)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"clients": {r.name: {"runs": r.runs, "error": r.error,
                                                "server_cpu_us_per_record":
                                                    r.server_cpu_us_per_record}
                                       for r in results},
                           "rounds": [{r.name: r.runs for r in rnd} for rnd in rounds]},
                          f, indent=1)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        elif not args.set:
            # A shared real server keeps no leftovers (they slow every index build).
            print(f"truncate test/{set_name}: {info(host, port, f'truncate:namespace=test;set={set_name}')}")
    return 0


def info(host: str, port: int, command: str) -> str:
    """One info command over a plain socket (the answer's value)."""
    body = (command + "\n").encode()
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(bytes([2, 1]) + len(body).to_bytes(6, "big") + body)
        data = b""
        while len(data) < 8 or len(data) < 8 + int.from_bytes(data[2:8], "big"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data[8:].decode(errors="replace").strip().partition("\t")[2]


def print_line(r: Result) -> None:
    b = r.best
    if b is None:
        print(f"{r.name:24s} skipped: {r.error}", flush=True)
        return
    server = ("" if r.server_cpu_us_per_record is None
              else f"  server {r.server_cpu_us_per_record:5.2f} us CPU/rec")
    print(f"{r.name:24s} {b['rps']:>11,.0f} rec/s  {b['cpu_us_per_record']:6.2f} us CPU/rec"
          f"  RSS +{b['rss_growth_mb']:7.1f} MiB  ({b['records']:.0f} records){server}", flush=True)


def merge_rounds(rounds: list[list[Result]]) -> list[Result]:
    """One Result per client with the runs of every round; the server's CPU per record is
    the mean over the rounds that measured it."""
    merged: dict[str, Result] = {}
    server: dict[str, list[float]] = {}
    for rnd in rounds:
        for r in rnd:
            m = merged.setdefault(r.name, Result(r.name, []))
            m.runs.extend(r.runs)
            m.error = m.error or r.error
            if r.server_cpu_us_per_record is not None:
                server.setdefault(r.name, []).append(r.server_cpu_us_per_record)
    for name, values in server.items():
        merged[name].server_cpu_us_per_record = sum(values) / len(values)
    return list(merged.values())


def report_rounds(rounds: list[list[Result]]) -> None:
    """Each round's ratio of ours to that round's best peer, and the median over rounds."""
    ratios: dict[str, list[float]] = {}
    for k, rnd in enumerate(rounds):
        peers = [r for r in rnd if not r.name.startswith("ours") and r.best]
        if not peers:
            continue
        best_peer = max(peers, key=lambda r: r.best["rps"])  # type: ignore[index]
        cells = []
        for o in (r for r in rnd if r.name.startswith("ours") and r.best):
            x = o.best["rps"] / best_peer.best["rps"]  # type: ignore[index]
            ratios.setdefault(o.name, []).append(x)
            cells.append(f"{o.name} x{x:.2f}")
        print(f"round {k + 1}: best peer {best_peer.name}; " + ", ".join(cells))
    for name, xs in ratios.items():
        print(f"{name}: median x{statistics.median(xs):.2f} the round's best peer over "
              f"{len(xs)} rounds (x{min(xs):.2f}-x{max(xs):.2f})")


def report(results: list[Result]) -> None:
    peers = [r for r in results if not r.name.startswith("ours") and r.best]
    ours = [r for r in results if r.name.startswith("ours") and r.best]
    if not peers or not ours:
        return
    best_peer = max(peers, key=lambda r: r.best["rps"])  # type: ignore[index]
    print(f"\nbest peer: {best_peer.name} {best_peer.best['rps']:,.0f} rec/s")  # type: ignore[index]
    for o in ours:
        ob = o.best
        assert ob is not None
        ratios = ", ".join(f"{p.name} x{ob['rps'] / p.best['rps']:.2f}" for p in peers)  # type: ignore[index]
        print(f"{o.name}: x{ob['rps'] / best_peer.best['rps']:.2f} the best peer; {ratios}")  # type: ignore[index]


if __name__ == "__main__":
    sys.exit(main())
