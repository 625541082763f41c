"""Filtered batch reads: 9 sets x 200 keys under a filter expression that
keeps half of the records, through our client, aerospike-py and
aerospike-native, in one sitting.

    .venv/bin/python benchmark/filtered_batch.py                 # ~2 minutes
    .venv/bin/python benchmark/filtered_batch.py --hosts 127.0.0.1:3300 --runs 5

One request is what a serving path does per HTTP call: nine ``batch_read``
calls of 200 keys, one per set, in flight together on one asyncio loop, each
with ``filter_expression`` ``n % 2 == 0`` (the server drops half of the
records: FILTERED_OUT). Every client builds its filter once, before timing,
the way its API suggests:

* ``ours``          — ``aerospike_py.exp`` (an ``Expr``: compiled when
  built, its bytes copied by the policy parser on every call);
* ``ours-dict``     — ours given aerospike-py's hand-built dict shape (no
  compiled bytes to reuse: encoded on every call), to show what compiling
  once saves;
* ``aerospike-py``  — its ``exp`` dicts (its Rust side converts them on
  every call);
* ``aerospike-native`` — ``FilterExpression`` objects on a ``BatchPolicy``.

Each client runs in its own process (aerospike-py shares our import name;
each peer from its own virtualenv: ``benchmark/.venvs/<name>`` or
``/root/venvs/{aspy,native}``). Per client: a warm-up round, then ``--runs``
rounds of ``--requests`` requests with ``--concurrency`` requests in flight;
reported as medians over rounds: mean and p99 latency per request, client
CPU per request (the whole process, its native threads included) and, for
ours, the bridge's stage timers: GIL-held time per batch_read and how many
filter expressions were taken compiled (``reused``) versus encoded during
the calls (``encoded``). The last columns are ours / peer (below 1.0: ours
is cheaper or faster).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from typing import Any

try:  # run as a script, benchmark/ is on sys.path (see embedded.py's docstring)
    from benchmark.embedded import start_server
except ImportError:
    from embedded import start_server  # type: ignore[no-redef]

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

NAMESPACE = "test"
SETS = [f"fb_{i}" for i in range(1, 10)]
RECORDS = 4_000  # per set
BATCH = 200


def peer_python(name: str) -> str | None:
    for path in (os.path.join(HERE, ".venvs", name, "bin", "python"),
                 {"aerospike-py": "/root/venvs/aspy/bin/python",
                  "aerospike-native": "/root/venvs/native/bin/python"}[name]):
        if os.path.exists(path):
            return path
    return None


def request_keys(n: int, seed: int) -> list[list[list[int]]]:
    """`n` requests, each nine lists of 200 distinct record numbers."""
    rng = random.Random(seed)
    return [[rng.sample(range(RECORDS), BATCH) for _ in SETS] for _ in range(n)]


# ---------------------------------------------------------------------------
# Worker: one client in this process (imports only that client).

def worker(args: argparse.Namespace) -> dict[str, Any]:
    plans = request_keys(args.requests * (args.runs + 1), seed=7)
    kind = args.client
    stage = None

    if kind in ("ours", "ours-dict", "aerospike-py"):
        import aerospike_py

        config = {"hosts": [(args.host, args.port)],
                  "policies": {"batch": {"total_timeout": 20_000}}}
        if kind == "aerospike-py":
            from aerospike_py import exp

            flt: Any = exp.eq(exp.num_mod(exp.int_bin("n"), exp.int_val(2)), exp.int_val(0))
        elif kind == "ours":
            from aerospike_py import exp

            flt = exp.eq(exp.num_mod(exp.int_bin("n"), exp.int_val(2)), exp.int_val(0))
        else:  # aerospike-py's dict shape, hand built
            flt = {"__expr__": "eq",
                   "left": {"__expr__": "num_mod", "exprs": [
                       {"__expr__": "int_bin", "name": "n"},
                       {"__expr__": "int_val", "val": 2}]},
                   "right": {"__expr__": "int_val", "val": 0}}
        policy = {"filter_expression": flt}
        keysets = [[[(NAMESPACE, s, k) for k in plan] for s, plan in zip(SETS, req)]
                   for req in plans]
        if kind != "aerospike-py":
            stage = aerospike_py._core

        async def connect() -> Any:
            if kind == "aerospike-py":
                client = aerospike_py.AsyncClient(config)
                await client.connect()
                return client
            return await aerospike_py.async_client(config).connect()

        async def one(client: Any, i: int) -> int:
            results = await asyncio.gather(*(client.batch_read(keys, policy=policy)
                                             for keys in keysets[i]))
            return sum(len(r) for r in results)

        async def close(client: Any) -> None:
            await client.close()
    else:  # aerospike-native
        from aerospike_native import BatchPolicy, ClientPolicy, Key, new_client
        from aerospike_native import FilterExpression as Exp

        bp = BatchPolicy()
        bp.total_timeout = 20_000
        bp.filter_expression = Exp.eq(Exp.num_mod(Exp.int_bin("n"), Exp.int_val(2)), Exp.int_val(0))
        keysets = [[[Key(NAMESPACE, s, k) for k in plan] for s, plan in zip(SETS, req)]
                   for req in plans]

        async def connect() -> Any:
            return await new_client(ClientPolicy(), f"{args.host}:{args.port}")

        async def one(client: Any, i: int) -> int:
            results = await asyncio.gather(*(client.batch_read(keys, batch_policy=bp)
                                             for keys in keysets[i]))
            # Materialize what an application reads: the found records' bins.
            found = 0
            for batch in results:
                for r in batch:
                    rec = r.record
                    if rec is not None:
                        _ = rec.bins
                        found += 1
            return found

        async def close(client: Any) -> None:
            await client.close()

    rounds: list[dict[str, float]] = []

    async def main() -> None:
        client = await connect()
        latencies: list[float] = []

        async def lane(first: int, w: int) -> int:
            total = 0
            for i in range(first + w, first + args.requests, args.concurrency):
                t0 = time.perf_counter()
                total += await one(client, i)
                latencies.append(time.perf_counter() - t0)
            return total

        try:
            for r in range(args.runs + 1):  # round 0 warms up
                first = r * args.requests
                latencies.clear()
                if stage is not None:
                    stage.stage_stats(reset=True)
                    stage._expression_stats(True)
                cpu0, wall0 = time.process_time(), time.perf_counter()
                found = sum(await asyncio.gather(*(lane(first, w)
                                                   for w in range(args.concurrency))))
                wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
                if r == 0:
                    continue
                lat = sorted(latencies)
                entry = {
                    "mean_ms": statistics.mean(lat) * 1000,
                    "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000,
                    "cpu_ms_req": cpu * 1000 / args.requests,
                    "req_s": args.requests / wall,
                    "found_share": found / (args.requests * len(SETS) * BATCH),
                }
                if stage is not None:
                    br = stage.stage_stats(reset=True).get("batch_read", {})
                    es = stage._expression_stats(True)
                    entry["gil_us_batch"] = br.get("gil_held_ns", 0) / 1000 / max(1, br.get("calls", 1))
                    entry["exp_reused"] = es["reused"]
                    entry["exp_encoded"] = es["encoded"]
                    entry["exp_encode_us_call"] = es["encode_ns"] / 1000 / max(1, br.get("calls", 1))
                rounds.append(entry)
        finally:
            await close(client)

    asyncio.run(main())
    return {"client": kind, "rounds": rounds}


# ---------------------------------------------------------------------------
# Orchestrator


def load(host: str, port: int) -> None:
    import aerospike_py

    client = aerospike_py.client({"hosts": [(host, port)]}).connect()
    try:
        for s in SETS:
            for start in range(0, RECORDS, 2000):
                rows = [((NAMESPACE, s, i), {"n": i, "f": i / 7, "name": f"item-{i}",
                                             "tags": [i % 5, i % 7], "emb": bytes(32)})
                        for i in range(start, min(RECORDS, start + 2000))]
                result = client.batch_write(rows)
                if any(r.result != 0 for r in result.batch_records):
                    raise RuntimeError("load failed")
    finally:
        client.close()


def run_worker(python: str, client: str, host: str, port: int,
               a: argparse.Namespace) -> dict[str, Any]:
    cmd = [python, "-E", "-s", os.path.join(HERE, "filtered_batch.py"), "--worker",
           "--client", client, "--host", host, "--port", str(port), "--runs", str(a.runs),
           "--requests", str(a.requests), "--concurrency", str(a.concurrency)]
    env = dict(os.environ)
    if client in ("ours", "ours-dict"):
        env["PYTHONPATH"] = ROOT  # this repository's package, in place
    # Run from / so that aerospike-py's venv does not import our package.
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, cwd="/", env=env)
    if out.returncode != 0:
        raise RuntimeError(f"worker {client} failed:\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def med(rounds: list[dict[str, float]], field: str) -> float:
    return statistics.median(r[field] for r in rounds)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Filtered batch_read benchmark (see the docstring).")
    p.add_argument("--runs", type=int, default=3, help="measured rounds per client (median)")
    p.add_argument("--requests", type=int, default=60, help="requests (9 batch_reads) per round")
    p.add_argument("--concurrency", type=int, default=4, help="requests in flight")
    p.add_argument("--hosts", default=os.environ.get("AEROSPIKE_HOSTS", ""),
                   help="host:port of a server to use instead of an embedded one")
    p.add_argument("--json", help="write the results here")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--client", help=argparse.SUPPRESS)
    p.add_argument("--host", default="127.0.0.1", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args)))
        return 0

    clients: list[tuple[str, str]] = [("ours", sys.executable), ("ours-dict", sys.executable)]
    for peer in ("aerospike-py", "aerospike-native"):
        python = peer_python(peer)
        if python is None:
            print(f"{peer}: no virtualenv found, skipped")
        else:
            clients.append((peer, python))

    server = None
    if args.hosts:
        host, port_text = args.hosts.split(",")[0].rsplit(":", 1)
        port = int(port_text)
        target = f"server {host}:{port}"
    else:
        server, _, port = start_server()
        host = "127.0.0.1"
        target = f"embedded server (pid {server.pid})"
    results: dict[str, dict[str, Any]] = {}
    try:
        load(host, port)
        print(f"{len(SETS)} sets x {RECORDS:,} records on the {target}; a request = "
              f"{len(SETS)} batch_reads of {BATCH} keys with filter n % 2 == 0; "
              f"{args.requests} requests per round, {args.concurrency} in flight, median of "
              f"{args.runs} rounds; load average {os.getloadavg()[0]:.1f}")
        order = list(clients)
        for turn in range(2):  # two passes, the order reversed in the second
            for name, python in (order if turn == 0 else list(reversed(order))):
                got = run_worker(python, name, host, port, args)
                results.setdefault(name, {"client": name, "rounds": []})["rounds"] += got["rounds"]
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)

    ours = results["ours"]["rounds"]
    header = (f"{'client':<18}{'req/s':>8}{'mean ms':>9}{'p99 ms':>9}{'CPU ms/req':>12}"
              f"{'found':>7}{'GIL us/batch':>14}{'exp reused':>12}{'exp encoded':>13}"
              f"   ours vs this (CPU, mean, p99)")
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        rounds = r["rounds"]
        cpu, mean, p99 = med(rounds, "cpu_ms_req"), med(rounds, "mean_ms"), med(rounds, "p99_ms")
        gil = f"{med(rounds, 'gil_us_batch'):.1f}" if "gil_us_batch" in rounds[0] else "n/a"
        reused = f"{int(med(rounds, 'exp_reused'))}" if "exp_reused" in rounds[0] else "n/a"
        encoded = f"{int(med(rounds, 'exp_encoded'))}" if "exp_encoded" in rounds[0] else "n/a"
        ratio = ""
        if name != "ours":
            ratio = (f"{med(ours, 'cpu_ms_req') / cpu:.2f}x, {med(ours, 'mean_ms') / mean:.2f}x, "
                     f"{med(ours, 'p99_ms') / p99:.2f}x")
        print(f"{name:<18}{med(rounds, 'req_s'):>8.1f}{mean:>9.2f}{p99:>9.2f}{cpu:>12.2f}"
              f"{med(rounds, 'found_share'):>7.0%}{gil:>14}{reused:>12}{encoded:>13}   {ratio}")
    calls = args.requests * len(SETS)
    print(f"each round: {calls} batch_read calls; ours took the compiled filter "
          f"{int(med(ours, 'exp_reused'))} times and encoded it {int(med(ours, 'exp_encoded'))} "
          f"times; load average at the end: {os.getloadavg()[0]:.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": results, "args": vars(args)}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
