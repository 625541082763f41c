"""What one call in flight costs above the wire: a tiny get, one at a time.

    .venv/bin/python benchmark/hop_floor.py --hosts 127.0.0.1:3400 [--calls 3000 --rounds 3]

Three ways to read the same 3-bin record, taking turns round by round in one
process:

* ``raw``: the request encoded before the clock starts (the recorder's
  stdlib-only encoder, tests/recorder/wire.py), written to a blocking socket
  and read back whole into a buffer allocated once (benchmark/raw_reply.py,
  as cdt_operate's floor): the server's time plus loopback TCP and one wake-up
  of the reading thread — the floor of any client;
* ``sync``: ``aerospike_py.Client.get`` (the caller hands the command to the
  event thread and sleeps until it is woken with the answer);
* ``async``: ``await aerospike_py.AsyncClient.get`` on asyncio (the event
  thread wakes the loop through its self-pipe).

Both of ours pay two thread hand-offs the raw socket does not (caller to
event thread, event thread back), which the architecture requires (the
event thread owns every socket); their latency above ``raw`` at p50 is that
price plus the encode and decode of a tiny record. It bounds what any
client built this way can reach against a peer at one call in flight
(issue 12's collection operations: see docs/performance.md).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import sys
import time
from typing import Callable

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import aerospike_py  # noqa: E402
from benchmark.raw_reply import read_reply  # noqa: E402
from tests.recorder.families._common import get as wire_get  # noqa: E402

SET = "hop_floor"
KEY = 5


def raw(host: str, port: int, n: int) -> list[float]:
    s = socket.create_connection((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    request = wire_get(SET, KEY)
    buf = bytearray(1 << 16)
    lat = []
    try:
        for _ in range(n):
            t = time.perf_counter()
            s.sendall(request)
            if read_reply(s, buf) != 0:
                raise RuntimeError("the floor's get did not find its record")
            lat.append(time.perf_counter() - t)
    finally:
        s.close()
    return lat


def sync_get(host: str, port: int, n: int) -> list[float]:
    c = aerospike_py.client({"hosts": [(host, port)]}).connect()
    lat = []
    try:
        for _ in range(n):
            t = time.perf_counter()
            c.get(("test", SET, KEY))
            lat.append(time.perf_counter() - t)
    finally:
        c.close()
    return lat


def async_get(host: str, port: int, n: int) -> list[float]:
    async def main() -> list[float]:
        c = await aerospike_py.async_client({"hosts": [(host, port)]}).connect()
        lat = []
        try:
            for _ in range(n):
                t = time.perf_counter()
                await c.get(("test", SET, KEY))
                lat.append(time.perf_counter() - t)
        finally:
            await c.close()
        return lat
    return asyncio.run(main())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hosts", default=os.environ.get("AEROSPIKE_HOSTS", ""),
                    help="host:port (default: start the embedded server)")
    ap.add_argument("--calls", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    server = None
    if args.hosts:
        host, _, port_text = args.hosts.split(",")[0].partition(":")
        port = int(port_text or 3000)
    else:
        from benchmark.embedded import start_server
        server, host, port = start_server()
    try:
        with aerospike_py.client({"hosts": [(host, port)]}).connect() as c:
            c.put(("test", SET, KEY), {"a": 1, "s": "v" * 16, "l": [1, 2]})
        ways: dict[str, Callable[[str, int, int], list[float]]] = {
            "raw": raw, "sync": sync_get, "async": async_get}
        p50s: dict[str, list[float]] = {name: [] for name in ways}
        for r in range(args.rounds):
            for name, f in ways.items():
                cpu0 = time.process_time()
                lat = sorted(f(host, port, args.calls))
                cpu = (time.process_time() - cpu0) / args.calls
                p50s[name].append(lat[len(lat) // 2])
                print(f"round {r + 1} {name:5s} mean {statistics.mean(lat) * 1e6:7.1f} us  "
                      f"p50 {lat[len(lat) // 2] * 1e6:7.1f}  p99 {lat[int(len(lat) * .99)] * 1e6:7.1f}"
                      f"  CPU/call {cpu * 1e6:6.1f} us", flush=True)
        floor = statistics.median(p50s["raw"])
        print(f"\nserver: {host}:{port}; load average {os.getloadavg()}")
        for name in ("sync", "async"):
            p50 = statistics.median(p50s[name])
            print(f"{name}: median p50 {p50 * 1e6:.1f} us, {(p50 - floor) * 1e6:.1f} us above raw "
                  f"({floor * 1e6:.1f})")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
