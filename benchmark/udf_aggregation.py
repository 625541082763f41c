"""Aggregations (issue 15): a sum and a group-by (count per value) of a stream
UDF over N records, through this repository's client (sync and async) and the
official ``aerospike`` client (sync; aerospike-py has no aggregation). Prints
seconds per run and the ratios measured in the same run.

    .venv/bin/python benchmark/udf_aggregation.py [--hosts 127.0.0.1:3000]
        [--records 1000000] [--rounds 5]

Without --hosts (or AEROSPIKE_HOSTS) it starts the embedded server. The
module is tests/udf/udf_streams.lua (``sum_aggregate`` and ``count_by``).
Timing only; the answers of both clients are compared, nothing is timed-
asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import statistics
import tempfile
import time
from typing import Any

import aerospike

import aerospike_py
from aerospike_py.testing import EmbeddedServer

MODULE = pathlib.Path(__file__).resolve().parents[1] / "tests" / "udf" / "udf_streams.lua"
SET = "udf_agg_bench"


def _median(fn: Any, rounds: int) -> tuple[float, Any]:
    result = fn()  # warm-up
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--hosts", default=os.environ.get("AEROSPIKE_HOSTS", ""))
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--namespace", default="test")
    args = ap.parse_args()
    server = None
    if args.hosts:
        hosts = [(h.rsplit(":", 1)[0], int(h.rsplit(":", 1)[1])) for h in args.hosts.split(",")]
    else:
        server = EmbeddedServer().start()
        hosts = list(server.hosts)
    ns = args.namespace
    lua_dir = tempfile.mkdtemp(prefix="udf-agg-bench-")
    try:
        config = {"hosts": hosts}
        ours = aerospike_py.client(config).connect()
        ours.udf_put(str(MODULE))
        ours.truncate(ns, SET, 0)
        for start in range(0, args.records, 5000):
            ours.batch_write(
                [((ns, SET, i), {"i": i, "name": f"n{i % 10}"})
                 for i in range(start, min(start + 5000, args.records))],
                {"total_timeout": 30000},
            )
        official = aerospike.client(
            {"hosts": hosts, "lua": {"user_path": lua_dir}}).connect()
        official.udf_put(str(MODULE))
        policy = {"total_timeout": 600000}

        def ours_run(function: str, bin_name: str) -> Any:
            q = ours.query(ns, SET)
            q.apply("udf_streams", function, [bin_name])
            return q.results(policy)

        def official_run(function: str, bin_name: str) -> Any:
            q = official.query(ns, SET)
            q.apply("udf_streams", function, [bin_name])
            return q.results({"total_timeout": 600000})

        async def ours_async(function: str, bin_name: str) -> tuple[float, Any]:
            client = await aerospike_py.async_client(config).connect()
            try:
                async def once() -> Any:
                    q = client.query(ns, SET)
                    q.apply("udf_streams", function, [bin_name])
                    return await q.results(policy)
                result = await once()
                samples = []
                for _ in range(args.rounds):
                    t = time.perf_counter()
                    result = await once()
                    samples.append(time.perf_counter() - t)
                return statistics.median(samples), result
            finally:
                await client.close()

        print(f"aggregation over {args.records} records, median of {args.rounds} runs")
        for label, function, bin_name in (("sum", "sum_aggregate", "i"),
                                          ("group-by", "count_by", "name")):
            t_ours, r_ours = _median(lambda f=function, b=bin_name: ours_run(f, b), args.rounds)
            t_async, r_async = asyncio.run(ours_async(function, bin_name))
            t_off, r_off = _median(lambda f=function, b=bin_name: official_run(f, b), args.rounds)
            same = r_ours == r_off == r_async
            print(f"  {label:9s} ours-sync {t_ours * 1e3:9.1f} ms  ours-async {t_async * 1e3:9.1f} ms"
                  f"  official {t_off * 1e3:9.1f} ms  official/ours-sync = {t_off / t_ours:5.2f}x"
                  f"  official/ours-async = {t_off / t_async:5.2f}x  same answer: {same}")
        ours.truncate(ns, SET, 0)
        ours.close()
        official.close()
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
