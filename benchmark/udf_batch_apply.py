"""batch_apply of a small record UDF over 9 batches of 200 keys (issue 15):
this repository's client (sync, and async with the 9 batches in flight at
once) against the official ``aerospike`` client (sync; aerospike-py has
batch_apply too but shares our import name, so it is not in this process).
Prints seconds per round and the ratios measured in the same run.

    .venv/bin/python benchmark/udf_batch_apply.py [--hosts 127.0.0.1:3000] [--rounds 30]

Without --hosts (or AEROSPIKE_HOSTS) it starts the embedded server. Timing
only; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import statistics
import time
from typing import Any

import aerospike

import aerospike_py
from aerospike_py.testing import EmbeddedServer

MODULE = pathlib.Path(__file__).resolve().parent / "udf" / "bench.lua"
SETS, KEYS = 9, 200


def _keys(ns: str) -> list[list[tuple[str, str, int]]]:
    return [[(ns, f"udfb_{s}", i) for i in range(KEYS)] for s in range(SETS)]


def _time(fn: Any, rounds: int) -> float:
    fn()  # warm-up
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--hosts", default=os.environ.get("AEROSPIKE_HOSTS", ""))
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--namespace", default="test")
    args = ap.parse_args()
    server = None
    if args.hosts:
        hosts = [(h.rsplit(":", 1)[0], int(h.rsplit(":", 1)[1])) for h in args.hosts.split(",")]
    else:
        server = EmbeddedServer().start()
        hosts = list(server.hosts)
    try:
        config = {"hosts": hosts}
        ours = aerospike_py.client(config).connect()
        ours.udf_put(str(MODULE))
        batches = _keys(args.namespace)
        for batch in batches:
            for k in batch:
                ours.put(k, {"a": k[2], "b": 1})
        official = aerospike.client({"hosts": hosts}).connect()

        def run_ours() -> None:
            for batch in batches:
                r = ours.batch_apply(batch, "bench", "score", [2])
                assert r.batch_records[0].result == 0

        def run_official() -> None:
            for batch in batches:
                r = official.batch_apply(batch, "bench", "score", [2])
                assert r.batch_records[0].result == 0

        async def async_rounds() -> float:
            client = await aerospike_py.async_client(config).connect()
            try:
                async def once() -> None:
                    await asyncio.gather(
                        *(client.batch_apply(b, "bench", "score", [2]) for b in batches))
                await once()
                samples = []
                for _ in range(args.rounds):
                    t = time.perf_counter()
                    await once()
                    samples.append(time.perf_counter() - t)
                return statistics.median(samples)
            finally:
                await client.close()

        t_ours = _time(run_ours, args.rounds)
        t_official = _time(run_official, args.rounds)
        t_async = asyncio.run(async_rounds())
        print(f"batch_apply, {SETS} x {KEYS} keys per round, median of {args.rounds} rounds")
        print(f"  ours-sync       {t_ours * 1e3:8.2f} ms")
        print(f"  ours-async      {t_async * 1e3:8.2f} ms  (9 batches in flight)")
        print(f"  official-sync   {t_official * 1e3:8.2f} ms")
        print(f"  official/ours-sync  = {t_official / t_ours:5.2f}x")
        print(f"  official/ours-async = {t_official / t_async:5.2f}x")
        ours.close()
        official.close()
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
