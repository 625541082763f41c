"""Merged batch reads (issue 17): a serving request's gather of per-set
batch_read calls, merged into one batch or not.

Each request is ``asyncio.gather`` of ``--sets`` ``batch_read`` calls of
``--keys`` random keys (one per set, keys built as each call is issued, as
an application does), ``--lanes`` lanes of sequential requests, one
asyncio loop. The same requests run on four clients of this repository, in
turn, round after round (the order fixed, the keys the same per round):

* ``not merged``  the default client
* ``merged``      ``coalesce_batches=True`` (what one event-thread wakeup
  brings is merged)
* ``merged 500``  the same with ``coalesce_window_us=500``
* ``merged 2000`` the same with ``coalesce_window_us=2000``

Printed per client: requests/s, mean and p95 latency, the client process's
CPU per request (all threads), the merges made (serving_stats), each the
median over rounds, and the ratios against ``not merged`` of the same run.
Run from the repository root: ``.venv/bin/python -m benchmark.merged_batches
[--hosts 127.0.0.1:3400] [--lanes 10]``; without ``--hosts`` an embedded
server answers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from typing import Any

import aerospike_py
from aerospike_py import _core

VARIANTS: dict[str, dict[str, Any]] = {
    "not merged": {},
    "merged": {"coalesce_batches": True},
    "merged 500": {"coalesce_batches": True, "coalesce_window_us": 500},
    "merged 2000": {"coalesce_batches": True, "coalesce_window_us": 2000},
}


def record(i: int, shape: str) -> dict[str, Any]:
    """`small`: four bins; `wide`: a feature record like Env C's (14 bins,
    a 32-float embedding, an id list, a blob)."""
    if shape == "small":
        return {"v": i, "f": i * 0.5, "s": "abc", "l": [i, i]}
    return {"id": i, "age": i % 100, "country": ("kr", "us", "jp", "de")[i % 4],
            "segment": i % 1000, "ctr_7d": (i % 97) / 97, "ctr_30d": (i % 89) / 89,
            "sessions": i % 5000, "spend": i * 1.25, "last_seen": 1_700_000_000 + i,
            "device": ("ios", "android", "web")[i % 3], "premium": i % 2,
            "interests": [i % 50, i % 51, i % 52, i % 53], "emb": [(i % 7) / 7.0] * 32,
            "blob": bytes(32)}


def seed(hosts: list[tuple[str, int]], ns: str, sets: list[str], records: int,
         shape: str) -> None:
    c = aerospike_py.client({"hosts": hosts}).connect()
    try:
        for s in sets:
            for i in range(records):
                c.put((ns, s, i), record(i, shape))
    finally:
        c.close()


async def measure(args: argparse.Namespace, hosts: list[tuple[str, int]],
                  sets: list[str]) -> dict[str, list[dict[str, float]]]:
    clients = {name: await aerospike_py.async_client({"hosts": hosts, **extra}).connect()
               for name, extra in VARIANTS.items()}
    out: dict[str, list[dict[str, float]]] = {name: [] for name in VARIANTS}
    try:
        for rnd in range(args.rounds):
            for name, client in clients.items():
                rng = random.Random(rnd)
                lat: list[float] = []

                async def request(c: Any = client, r: random.Random = rng,
                                  lat: list[float] = lat) -> None:
                    t = time.perf_counter()
                    await asyncio.gather(*(
                        c.batch_read([(args.namespace, s, r.randrange(args.records))
                                      for _ in range(args.keys)])
                        for s in sets))
                    lat.append(time.perf_counter() - t)

                async def lane() -> None:
                    for _ in range(args.requests):
                        await request()

                _core.serving_stats(True)
                t0, cpu0 = time.perf_counter(), time.process_time()
                await asyncio.gather(*(lane() for _ in range(args.lanes)))
                wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
                merged = _core.serving_stats(True)
                lat.sort()
                out[name].append({
                    "req_per_s": len(lat) / wall,
                    "mean_ms": statistics.mean(lat) * 1e3,
                    "p95_ms": lat[min(len(lat) - 1, int(0.95 * len(lat)))] * 1e3,
                    "cpu_ms_per_req": cpu * 1e3 / len(lat),
                    "merged_requests": merged["merged_batch_requests"],
                    "merged_calls": merged["merged_batch_calls"],
                })
    finally:
        for c in clients.values():
            await c.close()
    return out


def report(args: argparse.Namespace, server: str,
           rounds: dict[str, list[dict[str, float]]]) -> str:
    med = {name: {k: statistics.median(r[k] for r in runs) for k in runs[0]}
           for name, runs in rounds.items()}
    calls = args.lanes * args.requests * args.sets
    lines = [f"server: {server}; {args.lanes} lanes x {args.requests} requests of "
             f"{args.sets} batch_read x {args.keys} keys, {args.record} records; "
             f"{args.rounds} rounds (medians)", "",
             "| client | requests/s | mean ms | p95 ms | CPU ms/request | calls merged | merges |",
             "|---|---|---|---|---|---|---|"]
    for name, m in med.items():
        lines.append(f"| {name} | {m['req_per_s']:.1f} | {m['mean_ms']:.1f} | {m['p95_ms']:.1f} | "
                     f"{m['cpu_ms_per_req']:.2f} | {m['merged_calls']:.0f} of {calls} | "
                     f"{m['merged_requests']:.0f} |")
    base = med["not merged"]
    lines.append("")
    for name, m in med.items():
        if name == "not merged":
            continue
        lines.append(f"{name} / not merged: requests/s x{m['req_per_s'] / base['req_per_s']:.2f}, "
                     f"mean x{m['mean_ms'] / base['mean_ms']:.2f}, "
                     f"p95 x{m['p95_ms'] / base['p95_ms']:.2f}, "
                     f"CPU/request x{m['cpu_ms_per_req'] / base['cpu_ms_per_req']:.2f}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hosts", default="", help="host:port of a real server (default: embedded)")
    ap.add_argument("--namespace", default="test")
    ap.add_argument("--lanes", type=int, default=10)
    ap.add_argument("--requests", type=int, default=25, help="per lane and round")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--sets", type=int, default=9)
    ap.add_argument("--keys", type=int, default=200, help="per batch_read")
    ap.add_argument("--records", type=int, default=2000, help="per set")
    ap.add_argument("--record", choices=["small", "wide"], default="wide")
    ap.add_argument("--json", default="", help="also write the rounds here")
    args = ap.parse_args()
    sets = [f"merged_{args.record}_{i}" for i in range(args.sets)]
    server_handle = None
    if args.hosts:
        host, _, port = args.hosts.split(",")[0].rpartition(":")
        hosts = [(host, int(port))]
        server = f"real Aerospike at {args.hosts}"
    else:
        from aerospike_py.testing import EmbeddedServer

        server_handle = EmbeddedServer().start()
        hosts = [tuple(h) for h in server_handle.hosts]  # type: ignore[misc]
        server = "embedded (this repository's server)"
    try:
        seed(hosts, args.namespace, sets, args.records, args.record)
        rounds = asyncio.run(measure(args, hosts, sets))
    finally:
        if server_handle is not None:
            server_handle.stop()
    print(report(args, server, rounds))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"server": server, "args": vars(args), "rounds": rounds}, f, indent=1)


if __name__ == "__main__":
    main()
