"""Serving benchmarks (issue 17): coalesced gets and hedged reads.

``gets`` (default): 10,000 concurrent single-key gets in one asyncio loop
(``asyncio.gather`` of 10,000 ``get`` calls), per client, each client in its
own process and virtualenv, all in the same run against the same server and
keys:

* ``ours-coalesced``  this repository, ``coalesce_gets=True`` (one batch
  request per node for the calls of one wakeup)
* ``ours``            this repository, plain gets
* ``aerospike-py``    aerospike-py 0.14.4 ``AsyncClient.get``
* ``aerospike-native`` aerospike-native 1.0.0 ``Client.get``
* ``aerospike-sdk``   aerospike-sdk 1.0.0 ``Session.get`` (its same-tick
  coalescer on, as by default)
* ``null-client``     no client and no server: ``get`` returns a future that
  the next loop iteration completes with a record built before the bursts
  (the same shape: key tuple with digest, metadata, the three bins). It
  measures the harness alone (10,000 tasks, their futures and wake-ups,
  ``gather``, the GC over them): a client that returns an asyncio future
  cannot exceed its calls/s in this loop, so ``ours / null-client`` says
  how much of the loop's ceiling a client's own work takes.

``--loop uvloop`` runs every worker (the floor too) on uvloop instead of
stock asyncio.

A burst's calls/s is 10,000 / its wall time; a call's latency runs from the
burst's start to the call's own answer. Each client does one warm-up burst,
then ``--rounds`` bursts; the report gives the median calls/s, p50/p99
latency over all rounds, CPU seconds per burst, and ratios against the best
peer.

``hedge``: our client on the embedded three-node cluster (RF 2), lanes of
sequential gets for ``--seconds``; p50/p99 healthy, with one node slowed
(fault hook ``delay``), and slowed but hedged: after a fixed fraction of the
budget (``--hedge-fraction``) and adaptively, after the other replica's
``--hedge-percentile`` (healthy too, to count the hedges it sends for
nothing). Then the same with lanes of sequential ``batch_read`` calls of
``--batch-keys`` keys (hedged in the batch policy; 0 leaves them out).

Run from the repository root: ``.venv/bin/python -m benchmark.serving_gets
[--hosts 127.0.0.1:3600] [--mode gets|hedge]``. Without ``--hosts`` an
embedded server runs the ``gets`` mode.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

try:  # run as `-m benchmark.serving_gets` (orchestrator) or as a script (workers)
    from .workers.aspy_bench import peers
except ImportError:
    from workers.aspy_bench import peers  # type: ignore[no-redef]

NAMESPACE = "test"
SET = "serve10k"
PEER_PYTHONS = {
    "aerospike-py": "/root/venvs/aspy/bin/python",
    "aerospike-native": "/root/venvs/native/bin/python",
    "aerospike-sdk": "/root/venvs/native/bin/python",
}
CLIENTS = ["ours-coalesced", "ours", "aerospike-py", "aerospike-native", "aerospike-sdk",
           "null-client"]


# ---------------------------------------------------------------- worker side

def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    i = min(len(sorted_values) - 1, max(0, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[i]


async def run_worker(kind: str, host: str, port: int, n: int, rounds: int,
                     window_us: int) -> dict[str, Any]:
    # A peer started from the repository root would import our package under
    # aerospike-py's name: fail instead of measuring the wrong client.
    if kind != "null-client":
        peers.assert_library("ours" if kind.startswith("ours") else kind)
    if kind in ("ours", "ours-coalesced"):
        import aerospike_py

        config: dict[str, Any] = {"hosts": [(host, port)],
                                  "policies": {"read": {"total_timeout": 10000}}}
        if kind == "ours-coalesced":
            config["coalesce_gets"] = True
            config["coalesce_window_us"] = window_us
        client: Any = await aerospike_py.async_client(config).connect()
        keys: list[Any] = [(NAMESPACE, SET, i) for i in range(n)]

        def get(k: Any) -> Any:
            return client.get(k)

        async def close() -> None:
            await client.close()
    elif kind == "aerospike-py":
        import aerospike_py  # aerospike-py 0.14.4 in its own venv

        client = aerospike_py.AsyncClient({"hosts": [(host, port)],
                                           "policies": {"read": {"total_timeout": 10000}}})
        await client.connect()
        keys = [(NAMESPACE, SET, i) for i in range(n)]

        def get(k: Any) -> Any:
            return client.get(k)

        async def close() -> None:
            await client.close()
    elif kind == "aerospike-native":
        client = await peers.native_connect([(host, port)])
        keys = peers.native_keys([(NAMESPACE, SET, i) for i in range(n)])
        read_policy = peers.native_read_policy(10000)  # as the others: a loaded machine

        def get(k: Any) -> Any:
            return client.get(k, policy=read_policy)

        async def close() -> None:
            await client.close()
    elif kind == "null-client":
        loop = asyncio.get_running_loop()
        pending: list[tuple[asyncio.Future[Any], Any]] = []
        meta = {"gen": 1, "ttl": 2592000}
        # Records built before the bursts: the floor pays for no decoding.
        keys = [(NAMESPACE, SET, i) for i in range(n)]
        records = [((NAMESPACE, SET, i, i.to_bytes(20, "little")), meta,
                    {"a": i, "s": "v" * 16, "l": [i, i + 1]}) for i in range(n)]

        def answer() -> None:
            done = pending[:]
            pending.clear()
            for fut, k in done:
                fut.set_result(records[k[2]])

        def get(k: Any) -> Any:
            fut = loop.create_future()
            if not pending:
                loop.call_soon(answer)
            pending.append((fut, k))
            return fut

        async def close() -> None:
            pass
    elif kind == "aerospike-sdk":
        # As the others: a 10 s budget (its default gives up after 1 s on a
        # loaded machine); the same-tick coalescer stays on (the default).
        sdk, session = await peers.sdk_connect([(host, port)], 10000)
        keys = peers.native_keys([(NAMESPACE, SET, i) for i in range(n)])

        def get(k: Any) -> Any:
            return session.get(k)

        async def close() -> None:
            await sdk.close()
    else:
        raise SystemExit(f"unknown client {kind}")

    bursts: list[dict[str, float]] = []
    all_lat: list[float] = []
    try:
        for r in range(rounds + 1):  # round 0 warms up
            lat: list[float] = []
            t0 = time.perf_counter()

            async def one(k: Any) -> None:
                rec = await get(k)
                if rec is None:
                    raise RuntimeError("missing record")
                lat.append(time.perf_counter() - t0)

            cpu0 = time.process_time()
            await asyncio.gather(*(one(k) for k in keys))
            wall = time.perf_counter() - t0
            cpu = time.process_time() - cpu0
            if r == 0:
                continue
            bursts.append({"wall_s": wall, "cpu_s": cpu, "calls_per_s": n / wall})
            all_lat.extend(lat)
    finally:
        await close()
        # aerospike-py's threads may still hand a last callback to the loop
        # after close(): let it land before the loop is closed (on uvloop a
        # late one fails the worker).
        await asyncio.sleep(0.1)
    all_lat.sort()
    out: dict[str, Any] = {
        "client": kind,
        "calls_per_s": statistics.median(b["calls_per_s"] for b in bursts),
        "cpu_s_per_burst": statistics.median(b["cpu_s"] for b in bursts),
        "p50_ms": percentile(all_lat, 0.50) * 1000,
        "p99_ms": percentile(all_lat, 0.99) * 1000,
        "bursts": bursts,
    }
    if kind == "ours-coalesced":
        import aerospike_py

        out["serving_stats"] = aerospike_py._core.serving_stats()
    return out


# ----------------------------------------------------------- orchestrator

def seed(host: str, port: int, n: int) -> None:
    import aerospike_py

    c = aerospike_py.client({"hosts": [(host, port)]}).connect()
    try:
        for i in range(n):
            c.put((NAMESPACE, SET, i), {"a": i, "s": "v" * 16, "l": [i, i + 1]})
    finally:
        c.close()


def python_for(kind: str) -> str:
    if kind.startswith("ours") or kind == "null-client":
        return sys.executable
    return PEER_PYTHONS[kind]


def run_gets(args: argparse.Namespace, host: str, port: int, server: str) -> dict[str, Any]:
    seed(host, port, args.n)
    results: dict[str, Any] = {}
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for rep in range(args.repeat):  # interleaved repeats: A B C ... A B C
        for kind in args.clients.split(","):
            py = python_for(kind)
            if not os.path.exists(py):
                print(f"# {kind}: {py} missing, left out", file=sys.stderr)
                continue
            env = dict(os.environ)
            # Peers must not see this repository on their path (same import name).
            env["PYTHONPATH"] = here if kind.startswith("ours") else ""
            cmd = [py, os.path.abspath(__file__), "--worker", kind, "--host", host,
                   "--port", str(port), "--n", str(args.n), "--rounds", str(args.rounds),
                   "--window-us", str(args.window_us), "--loop", args.loop]
            cwd = here if kind.startswith("ours") else "/"
            p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd,
                               timeout=600)
            if p.returncode != 0:
                print(f"# {kind} failed:\n{p.stderr[-2000:]}", file=sys.stderr)
                continue
            r = json.loads(p.stdout.strip().splitlines()[-1])
            results.setdefault(kind, []).append(r)
            print(f"# rep {rep} {kind}: {r['calls_per_s']:.0f} calls/s p99 {r['p99_ms']:.1f} ms",
                  file=sys.stderr)
    summary: dict[str, Any] = {}
    for kind, runs in results.items():
        summary[kind] = {
            "calls_per_s": statistics.median(r["calls_per_s"] for r in runs),
            "p50_ms": statistics.median(r["p50_ms"] for r in runs),
            "p99_ms": statistics.median(r["p99_ms"] for r in runs),
            "cpu_s_per_burst": statistics.median(r["cpu_s_per_burst"] for r in runs),
            "runs": runs,
        }
    peers = [k for k in summary if not k.startswith("ours") and k != "null-client"]
    best = max(peers, key=lambda k: summary[k]["calls_per_s"]) if peers else None
    lines = [f"server: {server}; loop: {args.loop}; {args.n} concurrent gets per burst, "
             f"{args.rounds} bursts x {args.repeat} interleaved repeats; "
             f"load average {os.getloadavg()}",
             "", "| client | calls/s | p50 ms | p99 ms | CPU s/burst |", "|---|---|---|---|---|"]
    for kind in summary:
        s = summary[kind]
        lines.append(f"| {kind} | {s['calls_per_s']:.0f} | {s['p50_ms']:.1f} | {s['p99_ms']:.1f} | "
                     f"{s['cpu_s_per_burst']:.3f} |")
    if best is not None:
        lines += ["", f"best peer by calls/s: {best}", ""]
        for kind in ("ours-coalesced", "ours"):
            if kind in summary:
                s, b = summary[kind], summary[best]
                lines.append(f"{kind} / {best}: calls/s x{s['calls_per_s'] / b['calls_per_s']:.2f}, "
                             f"p99 x{s['p99_ms'] / b['p99_ms']:.2f} (lower is better)")
    if "null-client" in summary:
        floor = summary["null-client"]["calls_per_s"]
        lines += ["", f"share of the loop's ceiling (null-client, {floor:.0f} calls/s): "
                  + ", ".join(f"{kind} {summary[kind]['calls_per_s'] / floor:.2f}"
                              for kind in summary if kind != "null-client")]
    return {"summary": summary, "report": "\n".join(lines)}


def run_hedge(args: argparse.Namespace) -> dict[str, Any]:
    import aerospike_py
    from aerospike_py.testing import EmbeddedServer

    server = EmbeddedServer(nodes=3, replication_factor=2).start()
    try:
        host, port = server.hosts[0]
        seed(host, port, 2000)
        out: dict[str, Any] = {}

        async def measure(policy: dict[str, Any], batch: int) -> dict[str, float]:
            """Lanes of gets (batch 0) or of batch_read calls of `batch` keys."""
            client = await aerospike_py.async_client({"hosts": server.hosts}).connect()
            lat: list[float] = []
            stop = time.perf_counter() + args.seconds

            async def lane(w: int) -> None:
                i = w
                while time.perf_counter() < stop:
                    t = time.perf_counter()
                    if batch:
                        keys = [(NAMESPACE, SET, (i * batch + j) % 2000) for j in range(batch)]
                        got = await client.batch_read(keys, policy=policy)
                        if any(r.result != 0 for r in got.batch_records):
                            raise RuntimeError("a batch row failed")
                    else:
                        await client.get((NAMESPACE, SET, i % 2000), policy=policy)
                    lat.append(time.perf_counter() - t)
                    i += args.lanes
            try:
                await asyncio.gather(*(lane(w) for w in range(args.lanes)))
            finally:
                await client.close()
            lat.sort()
            return {"calls": len(lat), "p50_ms": percentile(lat, 0.5) * 1000,
                    "p99_ms": percentile(lat, 0.99) * 1000, "max_ms": lat[-1] * 1000}

        base = {"total_timeout": 1000, "max_retries": 0}
        hedged = {**base, "hedge_fraction": args.hedge_fraction}
        adaptive = {**base, "hedge_percentile": args.hedge_percentile}

        def case(name: str, policy: dict[str, Any], batch: int = 0) -> None:
            aerospike_py._core.serving_stats(True)
            out[name] = asyncio.run(measure(policy, batch))
            st = aerospike_py._core.serving_stats()
            # Gets count second attempts; batches their hedge requests.
            out[name]["hedged_reads"] = st["hedged_batch_requests" if batch else "hedged_reads"]
            out[name]["hedge_wins"] = st["hedge_batch_rows" if batch else "hedge_wins"]

        adaptive_name = f"hedged adaptively (p{args.hedge_percentile:g})"
        kinds = [("", 0)]
        if args.batch_keys:
            kinds.append((f"batch of {args.batch_keys}, ", args.batch_keys))
        for prefix, batch in kinds:
            case(f"{prefix}healthy", base, batch)
            case(f"{prefix}healthy, {adaptive_name}", adaptive, batch)
            server.set_fault(1, "delay", delay_ms=args.slow_ms, scope="data")
            case(f"{prefix}slow node, not hedged", base, batch)
            case(f"{prefix}slow node, hedged", hedged, batch)
            case(f"{prefix}slow node, {adaptive_name}", adaptive, batch)
            server.clear_faults()
    finally:
        server.stop()
    lines = [f"embedded 3-node cluster, RF 2; node 1 holds each data reply {args.slow_ms} ms; "
             f"{args.lanes} lanes of sequential gets, {args.seconds} s each (a new client "
             f"each); hedged: after {args.hedge_fraction} x 1000 ms; adaptively: after the "
             f"other replica's p{args.hedge_percentile:g}; batch cases: lanes of sequential "
             f"batch_read calls of {args.batch_keys} keys, 'hedged' = hedge requests sent and "
             f"'hedge wins' = rows a hedge answered first; load average {os.getloadavg()}", "",
             "| case | calls | p50 ms | p99 ms | max ms | hedged | hedge wins |",
             "|---|---|---|---|---|---|---|"]
    for name, r in out.items():
        lines.append(f"| {name} | {r['calls']} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
                     f"{r['max_ms']:.1f} | {r['hedged_reads']} | {r['hedge_wins']} |")
    lines.append("")
    for prefix, _ in kinds:
        h, p = out[f"{prefix}healthy"], out[f"{prefix}slow node, not hedged"]
        for name in (n for n in out if n.startswith(f"{prefix}slow node, hedged")):
            s = out[name]
            lines.append(f"{name}: p99 / healthy x{s['p99_ms'] / h['p99_ms']:.2f}; "
                         f"p99 / not hedged x{s['p99_ms'] / p['p99_ms']:.3f}")
    return {"cases": out, "report": "\n".join(lines)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=["gets", "hedge"], default="gets")
    ap.add_argument("--hosts", default=os.environ.get("AEROSPIKE_HOSTS", ""),
                    help="host:port of a real server (default: an embedded one)")
    ap.add_argument("--clients", default=",".join(CLIENTS))
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--window-us", type=int, default=200)
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio",
                    help="event loop of every worker")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--lanes", type=int, default=20)
    ap.add_argument("--slow-ms", type=int, default=20)
    ap.add_argument("--hedge-fraction", type=float, default=0.003)
    ap.add_argument("--hedge-percentile", type=float, default=95.0)
    ap.add_argument("--batch-keys", type=int, default=50,
                    help="hedge mode: keys per batch_read of the batch cases (0: none)")
    ap.add_argument("--out", default="")
    ap.add_argument("--worker", default="")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=3000)
    args = ap.parse_args()
    if args.worker:
        if args.loop == "uvloop":
            import uvloop

            loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
        else:
            loop = asyncio.new_event_loop()
        try:
            r = loop.run_until_complete(run_worker(args.worker, args.host, args.port, args.n,
                                                   args.rounds, args.window_us))
        finally:
            loop.close()
        print(json.dumps(r))
        return
    if args.mode == "hedge":
        result = run_hedge(args)
    elif args.hosts:
        host, _, port = args.hosts.split(",")[0].rpartition(":")
        result = run_gets(args, host, int(port), f"real Aerospike at {args.hosts}")
    else:
        from aerospike_py.testing import EmbeddedServer

        server = EmbeddedServer().start()
        try:
            host, port = server.hosts[0]
            result = run_gets(args, host, port, "embedded (this repository's server)")
        finally:
            server.stop()
    print(result["report"])
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, f"serving_{args.mode}.json"), "w") as f:
            json.dump(result, f, indent=1)
        with open(os.path.join(args.out, f"serving_{args.mode}.md"), "w") as f:
            f.write(result["report"] + "\n")


if __name__ == "__main__":
    main()
