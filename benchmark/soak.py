"""Soak: the client under steady mixed load for a long time, watching its memory.

Runs a fixed rate of mixed commands (get, put, exists, operate, batch_read of
100 keys, batch_operate, a secondary-index query read to its end, and a
query stream closed after its first records) from one asyncio client
against a three-node
embedded cluster (replication factor 2) that runs in a separate process, so
that only the client's own memory is measured. While it runs, a node is
stopped and started again every ``--restart-every`` seconds and the client is
closed and replaced by a new one every ``--reconnect-every`` seconds. Every
``--sample-every`` seconds it records the process's RSS and open file
descriptors, the core's open connections and live native objects (commands,
clients, bridges), and the commands done and failed since the last sample.

After a warm-up (the first ``max(30 s, 10 %)`` of the run) it fits a line to
RSS and to the open fds other than the client's sockets (the pool opens and
closes connections as the load's concurrency moves, and fds follow), and
compares the median of the last third of the samples with the median of the
first third. The run fails (exit 1) when RSS grows by more than
``--rss-allowance-mib`` with a positive slope, when those other fds grow by
more than 2, when live native objects are left once the last client closed
and the event loop ended, or when fewer than 90 % of the commands succeeded.

Before the load starts the keyspace is written once and an integer index is
built on bin ``n``, so every query finds records from the first second.
(Commands fail while a node restarts; those errors are counted, not fatal.)
The rate is an upper bound: at most ``2 * --concurrency`` commands are
started and unfinished at once, and a tick that finds that many sheds its
commands (counted as ``shed``), so a client slowed by a busy machine does not
pile up waiting tasks whose memory would be counted as the client's.

Writes, under ``--out`` (default ``benchmark/results/soak-<date>``):
``samples.csv``, ``summary.json`` and ``soak.svg`` (four panels: RSS, fds other
than sockets, connections, live objects, with node restarts and reconnects
marked).

    .venv/bin/python benchmark/soak.py --minutes 60          # the long run
    .venv/bin/python benchmark/soak.py --minutes 2           # what CI runs
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aerospike_py  # noqa: E402
from aerospike_py import _core, predicates  # noqa: E402

NAMESPACE = "test"
SET = "soak"
KEYSPACE = 20_000
BATCH = 100
INDEX = "soak_n"
# Bin "n" holds 0..N_VALUES-1: a query on a range of QUERY_WIDTH values finds
# about KEYSPACE * QUERY_WIDTH / N_VALUES records (60), a stream on
# STREAM_WIDTH values about 1,000, of which STREAM_TAKE are read before the
# stream is closed (the server is told to stop mid-query).
N_VALUES = 1000
QUERY_WIDTH = 3
STREAM_WIDTH = 50
STREAM_TAKE = 10
# The mix, as (weight, operation).
MIX = (
    (33, "get"),
    (20, "put"),
    (10, "exists"),
    (15, "operate"),
    (13, "batch_read"),
    (5, "batch_operate"),
    (3, "query"),
    (1, "stream"),
)

SERVER_SCRIPT = r"""
import json, sys
from aerospike_py.testing import EmbeddedServer
server = EmbeddedServer(nodes=3, replication_factor=2).start()
print(json.dumps({"hosts": server.hosts}), flush=True)
for line in sys.stdin:
    cmd, _, arg = line.strip().partition(" ")
    if cmd == "stop":
        server.stop_node(int(arg))
    elif cmd == "start":
        server.start_node(int(arg))
    elif cmd == "quit":
        break
    print("ok", flush=True)
server.stop()
"""


class ServerProcess:
    """The three-node embedded cluster in a child process, driven over stdin."""

    def __init__(self) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVER_SCRIPT],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the embedded server process did not start")
        self.hosts: list[Any] = [tuple(h) if isinstance(h, list) else h
                                 for h in json.loads(line)["hosts"]]

    def command(self, text: str) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        if self.proc.stdout.readline().strip() != "ok":
            raise RuntimeError(f"the embedded server process failed on {text!r}")

    def close(self) -> None:
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired, AssertionError):
            self.proc.kill()
            self.proc.wait()


@dataclass
class Sample:
    t: float
    rss_kib: int
    fds: int
    open_connections: int
    live_commands: int
    live_clients: int
    live_objects: int
    ops: int
    errors: int
    shed: int = 0

    @property
    def other_fds(self) -> int:
        """Open fds that are not the client's sockets."""
        return self.fds - self.open_connections


@dataclass
class Events:
    restarts: list[float] = field(default_factory=list)
    reconnects: list[float] = field(default_factory=list)


def rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


# The live-object counters of debug_counters() (what tests/conftest.py
# asserts are zero after each test), connections apart.
LIVE_COUNTERS = ("live_commands", "queued_commands", "live_clients", "futures_held",
                 "mailboxes_alive", "sync_waiting")


def live_objects(counters: dict[str, int]) -> int:
    """Live native objects: commands, clients, futures, mailboxes and sync waits."""
    return sum(counters.get(k, 0) for k in LIVE_COUNTERS)


class Load:
    """A fixed-rate mixed load from one AsyncClient, replaced on reconnect."""

    def __init__(self, hosts: list[Any], rate: int, concurrency: int) -> None:
        self.config: dict[str, Any] = {"hosts": hosts}
        self.rate = rate
        self.sem = asyncio.Semaphore(concurrency)
        self.client: aerospike_py.AsyncClient | None = None
        self.ops = 0
        self.errors = 0
        self.error_kinds: dict[str, int] = {}
        self.done_by_op: dict[str, int] = {op: 0 for _, op in MIX}
        self.tasks: set[asyncio.Task[None]] = set()
        # Commands started but not finished: `concurrency` in flight, as many
        # again waiting for the semaphore; beyond that ticks are shed.
        self.max_backlog = 2 * concurrency
        self.shed = 0
        weights = [w for w, _ in MIX]
        self.choices = random.Random(7).choices([op for _, op in MIX], weights, k=10_000)
        self.rng = random.Random(11)

    async def connect(self) -> None:
        self.client = await aerospike_py.async_client(self.config).connect()

    async def prepare(self) -> None:
        """Writes every key once and builds the index the queries use."""
        client = self.client
        assert client is not None
        sem = asyncio.Semaphore(64)

        async def put(i: int) -> None:
            async with sem:
                await client.put((NAMESPACE, SET, i),
                                 {"n": i % N_VALUES, "s": "x" * 64})

        await asyncio.gather(*(put(i) for i in range(KEYSPACE)))
        await client.index_integer_create(NAMESPACE, SET, "n", INDEX)

    async def reconnect(self) -> None:
        old, self.client = self.client, None
        if old is not None:
            await old.close()
        await self.connect()

    def key(self) -> tuple[str, str, int]:
        return (NAMESPACE, SET, self.rng.randrange(KEYSPACE))

    async def one(self, op: str) -> None:
        async with self.sem:
            client = self.client
            if client is None:
                return
            try:
                if op == "get":
                    await client.get(self.key())
                elif op == "put":
                    await client.put(self.key(), {"n": self.rng.randrange(1000), "s": "x" * 64})
                elif op == "exists":
                    await client.exists(self.key())
                elif op == "operate":
                    await client.operate(self.key(), [
                        {"op": aerospike_py.OPERATOR_INCR, "bin": "c", "val": 1},
                        {"op": aerospike_py.OPERATOR_READ, "bin": "c"},
                    ])
                elif op == "batch_read":
                    await client.batch_read([self.key() for _ in range(BATCH)])
                elif op == "batch_operate":
                    await client.batch_operate([self.key() for _ in range(BATCH // 4)],
                                               [{"op": aerospike_py.OPERATOR_READ, "bin": "n"}])
                elif op == "query":
                    lo = self.rng.randrange(N_VALUES - QUERY_WIDTH)
                    query = client.query(NAMESPACE, SET).select("n").where(
                        predicates.between("n", lo, lo + QUERY_WIDTH - 1))
                    await query.results()
                elif op == "stream":
                    lo = self.rng.randrange(N_VALUES - STREAM_WIDTH)
                    query = client.query(NAMESPACE, SET).where(
                        predicates.between("n", lo, lo + STREAM_WIDTH - 1))
                    async with query.stream() as stream:
                        taken = 0
                        async for _ in stream:
                            taken += 1
                            if taken >= STREAM_TAKE:
                                break
                self.ops += 1
                self.done_by_op[op] += 1
            except aerospike_py.RecordNotFound:
                self.ops += 1
                self.done_by_op[op] += 1
            except aerospike_py.AerospikeError as exc:
                self.errors += 1
                name = type(exc).__name__
                self.error_kinds[name] = self.error_kinds.get(name, 0) + 1

    async def run(self, until: float) -> None:
        tick = 0.01
        per_tick = self.rate * tick
        owed = 0.0
        i = 0
        next_t = time.monotonic()
        while time.monotonic() < until:
            owed += per_tick
            while owed >= 1.0:
                owed -= 1.0
                if len(self.tasks) >= self.max_backlog:
                    # The client (or the machine) is slower than the rate:
                    # shed this command rather than queue it. Queued tasks
                    # would grow without bound, and RSS with them, which
                    # is the harness's memory, not the client's.
                    self.shed += 1
                    continue
                op = self.choices[i % len(self.choices)]
                i += 1
                task = asyncio.create_task(self.one(op))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
            next_t += tick
            delay = next_t - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                next_t = time.monotonic()  # behind: do not burst to catch up
                await asyncio.sleep(0)
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)


def slope_per_minute(samples: list[Sample], attr: str) -> float:
    """Least-squares slope of `attr` against time, per minute."""
    if len(samples) < 2:
        return 0.0
    xs = [s.t for s in samples]
    ys = [float(getattr(s, attr)) for s in samples]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    if den == 0:
        return 0.0
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den * 60.0


def thirds_growth(samples: list[Sample], attr: str) -> float:
    """Median of the last third minus median of the first third."""
    n = len(samples) // 3
    if n == 0:
        return 0.0
    first = statistics.median(getattr(s, attr) for s in samples[:n])
    last = statistics.median(getattr(s, attr) for s in samples[-n:])
    return float(last - first)


def verdict(samples: list[Sample], warmup_s: float, load: Load, final_live: int,
            rss_allowance_mib: float) -> dict[str, Any]:
    steady = [s for s in samples if s.t >= warmup_s]
    rss_slope = slope_per_minute(steady, "rss_kib")
    fd_slope = slope_per_minute(steady, "fds")
    rss_growth = thirds_growth(steady, "rss_kib")
    fd_growth = thirds_growth(steady, "fds")
    # The pool opens and closes sockets as the load's concurrency moves (and
    # node restarts drop them): open fds follow the connections. A leak is
    # an fd that no connection explains.
    other_fd_slope = slope_per_minute(steady, "other_fds")
    other_fd_growth = thirds_growth(steady, "other_fds")
    total = load.ops + load.errors
    success = load.ops / total if total else 0.0
    failures = []
    if len(steady) < 6:
        failures.append(f"only {len(steady)} samples after warm-up")
    if rss_slope > 0 and rss_growth > rss_allowance_mib * 1024:
        failures.append(f"RSS grew {rss_growth / 1024:.1f} MiB after warm-up "
                        f"(slope {rss_slope:.1f} KiB/min)")
    if other_fd_slope > 0 and other_fd_growth > 2:
        failures.append(f"open fds other than connections grew by {other_fd_growth:.0f} after "
                        f"warm-up (slope {other_fd_slope:.3f}/min)")
    if final_live != 0:
        failures.append(f"{final_live} native objects still live after the last client closed")
    if success < 0.9:
        failures.append(f"only {success:.1%} of {total} commands succeeded")
    return {
        "passed": not failures,
        "failures": failures,
        "warmup_s": warmup_s,
        "steady_samples": len(steady),
        "rss_slope_kib_per_min": round(rss_slope, 3),
        "rss_growth_kib_first_to_last_third": rss_growth,
        "rss_first_kib": steady[0].rss_kib if steady else None,
        "rss_last_kib": steady[-1].rss_kib if steady else None,
        "fd_slope_per_min": round(fd_slope, 4),
        "fd_growth_first_to_last_third": fd_growth,
        "other_fd_slope_per_min": round(other_fd_slope, 4),
        "other_fd_growth_first_to_last_third": other_fd_growth,
        "commands": total,
        "errors": load.errors,
        "error_kinds": load.error_kinds,
        "succeeded_by_operation": load.done_by_op,
        "shed": load.shed,
        "success_ratio": round(success, 5),
        "final_live_objects": final_live,
    }


# --- the plot (plain SVG: no plotting library needed) ----------------------

PANELS = (
    ("rss_kib", "RSS (MiB)", 1 / 1024),
    ("other_fds", "fds - sockets", 1.0),
    ("open_connections", "open connections", 1.0),
    ("live_objects", "live native objects", 1.0),
)


def svg_plot(samples: list[Sample], events: Events, warmup_s: float, title: str) -> str:
    width, panel_h, left, right, top = 900, 170, 80, 20, 40
    height = top + panel_h * len(PANELS) + 30
    t_max = max((s.t for s in samples), default=1.0) or 1.0
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="14">{title}</text>']
    plot_w = width - left - right

    def x(t: float) -> float:
        return left + plot_w * t / t_max

    for i, (attr, label, scale) in enumerate(PANELS):
        y0 = top + i * panel_h
        h = panel_h - 35
        ys = [getattr(s, attr) * scale for s in samples]
        lo, hi = (min(ys), max(ys)) if ys else (0.0, 1.0)
        if hi - lo < 1e-9:
            lo, hi = lo - 1, hi + 1
        pad = (hi - lo) * 0.1
        lo, hi = lo - pad, hi + pad

        def y(v: float, y0: int = y0, h: int = h, lo: float = lo, hi: float = hi) -> float:
            return y0 + h - h * (v - lo) / (hi - lo)

        out.append(f'<rect x="{left}" y="{y0}" width="{plot_w}" height="{h}" fill="none" '
                   f'stroke="#888"/>')
        out.append(f'<text x="10" y="{y0 + h / 2}" >{label}</text>')
        out.append(f'<text x="{left - 4}" y="{y0 + 10}" text-anchor="end">{hi:.1f}</text>')
        out.append(f'<text x="{left - 4}" y="{y0 + h}" text-anchor="end">{lo:.1f}</text>')
        out.append(f'<rect x="{left}" y="{y0}" width="{x(warmup_s) - left:.1f}" height="{h}" '
                   f'fill="#eee"/>')
        for t in events.restarts:
            out.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{y0}" y2="{y0 + h}" '
                       f'stroke="#d62728" stroke-opacity="0.35"/>')
        for t in events.reconnects:
            out.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{y0}" y2="{y0 + h}" '
                       f'stroke="#2ca02c" stroke-opacity="0.35" stroke-dasharray="3,3"/>')
        points = " ".join(f"{x(s.t):.1f},{y(v):.1f}" for s, v in zip(samples, ys))
        out.append(f'<polyline points="{points}" fill="none" stroke="#1f77b4" '
                   f'stroke-width="1.5"/>')
        out.append(f'<text x="{left}" y="{y0 + h + 14}">0 s</text>')
        out.append(f'<text x="{left + plot_w}" y="{y0 + h + 14}" text-anchor="end">'
                   f'{t_max:.0f} s</text>')
    out.append(f'<text x="{left}" y="{height - 8}">grey: warm-up; red: node restart; '
               f'green dashed: client reconnect</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


async def soak(args: argparse.Namespace) -> Run:
    duration = args.minutes * 60.0
    warmup_s = max(30.0, duration * 0.1)
    out_dir = Path(args.out or HERE / "results" / time.strftime("soak-%Y%m%d-%H%M"))
    out_dir.mkdir(parents=True, exist_ok=True)
    server = ServerProcess()
    load = Load(server.hosts, args.rate, args.concurrency)
    samples: list[Sample] = []
    events = Events()
    t0 = time.monotonic()
    until = t0 + duration
    try:
        await load.connect()
        await load.prepare()
        t0 = time.monotonic()
        until = t0 + duration

        async def sampler() -> None:
            last_ops = last_err = last_shed = 0
            while True:
                counters = _core.debug_counters()
                samples.append(Sample(
                    t=round(time.monotonic() - t0, 3), rss_kib=rss_kib(), fds=open_fds(),
                    open_connections=counters.get("open_connections", 0),
                    live_commands=counters.get("live_commands", 0),
                    live_clients=counters.get("live_clients", 0),
                    live_objects=live_objects(counters),
                    ops=load.ops - last_ops, errors=load.errors - last_err,
                    shed=load.shed - last_shed))
                last_ops, last_err, last_shed = load.ops, load.errors, load.shed
                if args.verbose:
                    s = samples[-1]
                    print(f"soak: t={s.t:7.1f}s rss={s.rss_kib / 1024:7.1f}MiB fds={s.fds} "
                          f"conns={s.open_connections} live={s.live_objects} ops={s.ops} "
                          f"err={s.errors} shed={s.shed}", flush=True)
                if time.monotonic() >= until:
                    return
                await asyncio.sleep(args.sample_every)

        async def chaos() -> None:
            node = 0
            next_restart = t0 + args.restart_every
            next_reconnect = t0 + args.reconnect_every
            while True:
                now = time.monotonic()
                if now >= until - 5:
                    return
                if now >= next_restart:
                    events.restarts.append(round(now - t0, 3))
                    await asyncio.to_thread(server.command, f"stop {node}")
                    await asyncio.sleep(args.down_seconds)
                    await asyncio.to_thread(server.command, f"start {node}")
                    node = (node + 1) % 3
                    next_restart += args.restart_every
                if now >= next_reconnect:
                    events.reconnects.append(round(now - t0, 3))
                    await load.reconnect()
                    next_reconnect += args.reconnect_every
                await asyncio.sleep(0.2)

        await asyncio.gather(load.run(until), sampler(), chaos())
    finally:
        if load.client is not None:
            await load.client.close()
            load.client = None
        server.close()
    return Run(samples, events, load, warmup_s, out_dir)


@dataclass
class Run:
    """What a finished run hands to the report."""

    samples: list[Sample]
    events: Events
    load: Load
    warmup_s: float
    out_dir: Path


def report(args: argparse.Namespace, run: Run) -> int:
    """The verdict, samples.csv, summary.json and the plot; 0 when the run passed.

    Called after the event loop closed: the loop's bridge (one per loop, a
    live "mailbox") is released only then, so live native objects are
    counted when nothing of the run can hold any.
    """
    samples, events, load, warmup_s, out_dir = (run.samples, run.events, run.load,
                                                run.warmup_s, run.out_dir)
    # Give the core a moment to release what the last client held.
    for _ in range(50):
        if live_objects(_core.debug_counters()) == 0:
            break
        time.sleep(0.1)
    counters = _core.debug_counters()
    final_live = live_objects(counters)

    result = verdict(samples, warmup_s, load, final_live, args.rss_allowance_mib)
    result.update(minutes=args.minutes, rate=args.rate, restarts=len(events.restarts),
                  reconnects=len(events.reconnects), python=sys.version.split()[0],
                  distribution=aerospike_py.__distribution__, version=aerospike_py.__version__,
                  final_counters={k: v for k, v in counters.items() if k in LIVE_COUNTERS},
                  restart_times=events.restarts, reconnect_times=events.reconnects)
    with open(out_dir / "samples.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(asdict(samples[0]).keys()))
        writer.writeheader()
        for s in samples:
            writer.writerow(asdict(s))
    (out_dir / "summary.json").write_text(json.dumps(result, indent=2) + "\n")
    title = (f"soak: {args.minutes:g} min at {args.rate}/s; RSS slope "
             f"{result['rss_slope_kib_per_min']:.1f} KiB/min, non-socket fd slope "
             f"{result['other_fd_slope_per_min']:.3f}/min")
    (out_dir / "soak.svg").write_text(svg_plot(samples, events, warmup_s, title))
    print(json.dumps(result, indent=2))
    print(f"soak: {'PASSED' if result['passed'] else 'FAILED'}; results in {out_dir}")
    return 0 if result["passed"] else 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=60.0)
    p.add_argument("--rate", type=int, default=1000, help="commands per second")
    p.add_argument("--concurrency", type=int, default=64, help="commands in flight at most")
    p.add_argument("--sample-every", type=float, default=5.0, help="seconds between samples")
    p.add_argument("--restart-every", type=float, default=120.0,
                   help="seconds between node restarts")
    p.add_argument("--down-seconds", type=float, default=3.0, help="how long a node stays down")
    p.add_argument("--reconnect-every", type=float, default=90.0,
                   help="seconds between client reconnects")
    p.add_argument("--rss-allowance-mib", type=float, default=8.0,
                   help="RSS growth after warm-up that fails the run")
    p.add_argument("--out", help="output directory")
    p.add_argument("--uvloop", action="store_true", help="run on uvloop")
    p.add_argument("-v", "--verbose", action="store_true", help="print every sample")
    args = p.parse_args(argv)
    if args.uvloop:
        import uvloop

        run = uvloop.run(soak(args))
    else:
        run = asyncio.run(soak(args))
    return report(args, run)


if __name__ == "__main__":
    sys.exit(main())
