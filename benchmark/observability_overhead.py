"""What metrics and tracing cost: Env A's shape with them on and off, in one run.

Env A's shape (benchmark/README.md): 10 concurrent asyncio callers, each
running ``batch_read`` calls of ``--batch`` keys back to back against records
of a few bins, on one AsyncClient. The server is the embedded one (three
nodes, as the soak's) in its own process. The configurations take turns round by round (their order reversed
every other round), so drift of the shared machine hits each alike:

* ``metrics-off``: ``set_metrics_enabled(False)``, tracing off;
* ``metrics-on``: the default (core histograms on), tracing off;
* ``tracing-on``: metrics on and ``init_tracing`` with an SDK provider that
  keeps the spans in memory (the cost of making spans, not of exporting them).

Prints, per configuration, the median over rounds of mean latency and TPS,
and the ratios ``metrics-on / metrics-off`` (the "no regression" check: near
1.0) and ``tracing-on / metrics-on``, each the median of the ratios within a
round (the configurations of a round ran back to back). ``--json`` writes
the numbers too.

    .venv/bin/python benchmark/observability_overhead.py
    .venv/bin/python benchmark/observability_overhead.py --rounds 12 --calls 100 --batch 200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

import aerospike_py  # noqa: E402
from benchmark.soak import ServerProcess  # noqa: E402

NS, SET = "test", "obs"
CONFIGS = ("metrics-off", "metrics-on", "tracing-on")
# A shared machine under load must not turn a slow call into a failed run.
PATIENT = {"total_timeout": 30_000, "socket_timeout": 30_000}


def configure(name: str, provider: Any) -> None:
    aerospike_py.shutdown_tracing()
    aerospike_py.set_metrics_enabled(name != "metrics-off")
    if name == "tracing-on":
        aerospike_py.init_tracing(tracer_provider=provider)


async def one_round(client: aerospike_py.AsyncClient, keys: list[tuple[str, str, int]],
                    callers: int, calls: int, batch: int, seed: int
                    ) -> tuple[float, float, float, float]:
    """(mean latency s, p99 latency s, calls per second, process CPU s per call) of one round.

    The CPU time is the whole process's (the caller's thread and the event
    thread): what the client itself spends, which the shared machine's load
    disturbs far less than latency."""
    latencies: list[float] = []

    async def caller(c: int) -> None:
        for i in range(calls):
            start = ((seed * 7919 + c * 104729 + i * 1299709) % (len(keys) - batch))
            chunk = keys[start:start + batch]
            t0 = time.perf_counter()
            await client.batch_read(chunk, policy=PATIENT)
            latencies.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    cpu0 = time.process_time()
    await asyncio.gather(*(caller(c) for c in range(callers)))
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - t0
    latencies.sort()
    return (statistics.fmean(latencies), latencies[int(len(latencies) * 0.99) - 1],
            len(latencies) / wall, cpu / len(latencies))


async def run(args: argparse.Namespace) -> dict[str, Any]:
    provider: Any = None
    configs = list(CONFIGS)
    try:
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        provider = TracerProvider()
        exporter = InMemorySpanExporter()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    except ImportError:
        configs.remove("tracing-on")
    server = ServerProcess()
    results: dict[str, list[tuple[float, float, float, float]]] = {c: [] for c in configs}
    order_seen: dict[str, list[int]] = {c: [] for c in configs}
    try:
        config = {"hosts": server.hosts}
        async with await aerospike_py.async_client(config).connect() as client:
            keys = [(NS, SET, i) for i in range(args.records)]
            for start in range(0, len(keys), 100):
                await asyncio.gather(*(client.put(k, {"a": k[2], "b": "x" * 32, "c": 1.5,
                                                      "d": [1, 2, 3]}, policy=PATIENT)
                                       for k in keys[start:start + 100]))
            configure("metrics-on", provider)
            await one_round(client, keys, args.callers, 5, args.batch, 0)  # warm-up
            for r in range(args.rounds):
                order = configs if r % 2 == 0 else configs[::-1]
                for name in order:
                    configure(name, provider)
                    results[name].append(await one_round(client, keys, args.callers, args.calls,
                                                         args.batch, r))
                    order_seen[name].append(order.index(name))
                    if provider is not None:
                        exporter.clear()
    finally:
        aerospike_py.shutdown_tracing()
        aerospike_py.set_metrics_enabled(True)
        server.close()

    summary: dict[str, Any] = {"rounds": args.rounds, "callers": args.callers,
                               "calls": args.calls, "batch": args.batch, "configs": {}}
    for name, rows in results.items():
        summary["configs"][name] = {
            "mean_ms": statistics.median(r[0] for r in rows) * 1e3,
            "p99_ms": statistics.median(r[1] for r in rows) * 1e3,
            "tps": statistics.median(r[2] for r in rows),
            "cpu_us_per_call": statistics.median(r[3] for r in rows) * 1e6,
            "rounds": [[round(v, 6) for v in r] for r in rows],
            "position_in_round": order_seen[name],
        }
    # Ratios of the same round (the configurations ran back to back), then
    # their median: the machine's drift between rounds cancels out.
    def paired(a: str, b: str, field: int) -> float:
        return statistics.median(x[field] / y[field] for x, y in zip(results[a], results[b]))

    summary["ratios"] = {
        "metrics-on/metrics-off mean latency": paired("metrics-on", "metrics-off", 0),
        "metrics-on/metrics-off TPS": paired("metrics-on", "metrics-off", 2),
        "metrics-on/metrics-off CPU per call": paired("metrics-on", "metrics-off", 3),
    }
    if "tracing-on" in results:
        summary["ratios"]["tracing-on/metrics-on mean latency"] = paired("tracing-on",
                                                                        "metrics-on", 0)
        summary["ratios"]["tracing-on/metrics-on TPS"] = paired("tracing-on", "metrics-on", 2)
        summary["ratios"]["tracing-on/metrics-on CPU per call"] = paired("tracing-on",
                                                                        "metrics-on", 3)
    return summary


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=16)
    p.add_argument("--callers", type=int, default=10)
    p.add_argument("--calls", type=int, default=25, help="batch_read calls per caller per round")
    p.add_argument("--batch", type=int, default=200)
    p.add_argument("--records", type=int, default=5000)
    p.add_argument("--json", help="also write the numbers to this file")
    args = p.parse_args(argv)
    summary = asyncio.run(run(args))
    print(f"Env A shape: {args.callers} callers x {args.calls} batch_read({args.batch}) per round, "
          f"{args.rounds} rounds, median of rounds")
    print(f"{'config':<14} {'mean ms':>9} {'p99 ms':>9} {'TPS':>9} {'CPU us/call':>12}")
    for name, row in summary["configs"].items():
        print(f"{name:<14} {row['mean_ms']:9.3f} {row['p99_ms']:9.3f} {row['tps']:9.1f} "
              f"{row['cpu_us_per_call']:12.1f}")
    for label, ratio in summary["ratios"].items():
        print(f"{label}: {ratio:.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
