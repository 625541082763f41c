"""An aggregation whose every record is a result (a stream UDF without a
reduce) streams into a slow ``foreach`` callback in bounded memory.

The values cross two bounded queues on the client (client/aggregation.h:
at most 1,024 node values waiting for the client's chain, at most 1,024
results waiting for the caller) and the query stream's bounded buffer, which
pauses the socket. The measurement runs in a fresh child process against the
embedded server in its own process (or the real server of AEROSPIKE_HOSTS):
the child writes N records with a 4 KiB string bin (20,000 by default, 80 MB
of values; ASPY_UDF_STREAM_RECORDS changes it), registers
tests/udf/udf_streams.lua, then runs ``values_of`` with ``foreach`` through
a callback that sleeps 2 ms every 200 values, once on the sync client and
once on the async one. It reports the RSS before each query and the peak
seen during it. The bound asserted is +40 MiB: half the data, which a
client that collected the results (or the node values) before handing them
out could not stay under.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.slow

RECORDS = int(os.environ.get("ASPY_UDF_STREAM_RECORDS", "20000"))
PAYLOAD = 4096
RSS_BOUND_MB = 40
MODULE = pathlib.Path(__file__).resolve().parents[1] / "udf" / "udf_streams.lua"

CHILD = textwrap.dedent(
    r"""
    import asyncio, json, sys, time, uuid
    import aerospike_py
    from aerospike_py import _core

    host, port, n, size, module = (sys.argv[1], int(sys.argv[2]), int(sys.argv[3]),
                                   int(sys.argv[4]), sys.argv[5])
    set_name = "udf_mem_" + uuid.uuid4().hex[:8]

    def rss_mb():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096 / 2**20

    def run_sync(c):
        seen = {"count": 0, "bytes": 0, "peak": rss_mb(), "first_at": None}
        before = seen["peak"]
        t0 = time.monotonic()

        def slow(value):
            if seen["first_at"] is None:
                seen["first_at"] = time.monotonic() - t0
            seen["count"] += 1
            seen["bytes"] += len(value)
            if seen["count"] % 200 == 0:
                time.sleep(0.002)
                seen["peak"] = max(seen["peak"], rss_mb())

        q = c.query("test", set_name)
        q.apply("udf_streams", "values_of", ["p"])
        q.foreach(slow, {"total_timeout": 300000})
        return {"count": seen["count"], "bytes": seen["bytes"], "before_mb": before,
                "peak_mb": max(seen["peak"], rss_mb()), "first_s": seen["first_at"],
                "elapsed_s": time.monotonic() - t0}

    async def run_async(c):
        seen = {"count": 0, "bytes": 0, "peak": rss_mb(), "first_at": None}
        before = seen["peak"]
        t0 = time.monotonic()

        async def slow(value):
            if seen["first_at"] is None:
                seen["first_at"] = time.monotonic() - t0
            seen["count"] += 1
            seen["bytes"] += len(value)
            if seen["count"] % 200 == 0:
                await asyncio.sleep(0.002)
                seen["peak"] = max(seen["peak"], rss_mb())

        q = c.query("test", set_name)
        q.apply("udf_streams", "values_of", ["p"])
        await q.foreach(slow, {"total_timeout": 300000})
        return {"count": seen["count"], "bytes": seen["bytes"], "before_mb": before,
                "peak_mb": max(seen["peak"], rss_mb()), "first_s": seen["first_at"],
                "elapsed_s": time.monotonic() - t0}

    async def main():
        config = {"hosts": [(host, port)]}
        c = aerospike_py.client(config).connect()
        try:
            c.udf_put(module)
            pad = "x" * size
            for start in range(0, n, 1000):
                c.batch_write([(("test", set_name, i), {"p": pad}) for i in
                               range(start, min(n, start + 1000))],
                              {"total_timeout": 60000, "socket_timeout": 60000})
            sync = run_sync(c)
            ac = await aerospike_py.async_client(config).connect()
            try:
                await ac.udf_put(module)
                asy = await run_async(ac)
            finally:
                await ac.close()
        finally:
            try:
                c.truncate("test", set_name, 0)
            finally:
                c.close()
        counters = _core.debug_counters()
        print(json.dumps({"sync": sync, "async": asy,
                          "live": {k: counters[k] for k in ("live_commands", "live_query_streams",
                                                            "futures_held", "live_clients")}}))

    asyncio.run(main())
    """
)


def test_aggregation_without_reduce_streams_to_a_slow_consumer_in_bounded_memory(
    server_address: tuple[str, int]
) -> None:
    host, port = server_address
    out = subprocess.run(
        [sys.executable, "-c", CHILD, host, str(port), str(RECORDS), str(PAYLOAD), str(MODULE)],
        capture_output=True, text=True, timeout=900, cwd="/",
    )
    assert out.returncode == 0, out.stderr[-4000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps(report, indent=1))
    for mode in ("sync", "async"):
        r = report[mode]
        assert r["count"] == RECORDS, (mode, r)
        assert r["bytes"] == RECORDS * PAYLOAD, (mode, r)
        growth = r["peak_mb"] - r["before_mb"]
        assert growth < RSS_BOUND_MB, (
            f"{mode}: RSS grew by {growth:.1f} MiB streaming "
            f"{RECORDS * PAYLOAD / 2**20:.0f} MiB of results (bound {RSS_BOUND_MB} MiB)")
    assert report["live"] == {"live_commands": 0, "live_query_streams": 0, "futures_held": 0,
                              "live_clients": 0}, report["live"]
