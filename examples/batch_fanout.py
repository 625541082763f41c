"""Batch fan-out: 9 feature sets x 200 keys per request, two ways.

A serving request often needs the same 200 entities from several sets (user
features, item features, counters, ...). Two ways to read them:

* **single**: one mixed ``batch_read`` of all 9 x 200 keys, demultiplexed by
  position (``to_list()`` keeps the input order, so slice i is set i);
* **gather**: one ``batch_read`` of 200 keys per set, all 9 awaited together
  with ``asyncio.gather``.

Both return the same records; ``single`` costs one command (and one wake-up
of the event loop) instead of nine, ``gather`` lets each set's batch finish on
its own. The script loads the data, checks that both agree and prints the
mean latency of each over a few rounds::

    python examples/batch_fanout.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import time
from collections.abc import Iterator
from typing import Any, Optional

import aerospike_py
from aerospike_py.testing import EmbeddedServer, parse_hosts

NAMESPACE = "test"
SETS = [f"features_{i}" for i in range(9)]
KEYS_PER_SET = 200

# Optional[], not `| None`: a runtime alias, and the examples run on CPython 3.9 too.
Rows = list[list[Optional[dict[str, Any]]]]  # per set, per key: bins or None


@contextlib.contextmanager
def aerospike_hosts() -> Iterator[list[tuple[str, int]]]:
    """Seeds of the cluster in AEROSPIKE_HOSTS, or of an embedded server started here."""
    if os.environ.get("AEROSPIKE_HOSTS"):
        yield parse_hosts(os.environ["AEROSPIKE_HOSTS"])
        return
    with EmbeddedServer() as server:
        yield server.hosts


async def load(client: aerospike_py.AsyncClient) -> None:
    """Writes 9 x 200 feature records (every 10th key of each set is left missing)."""
    for s, set_name in enumerate(SETS):
        records = [
            ((NAMESPACE, set_name, k), {"id": k, "set": s, "weights": [k * 0.5, s * 1.0]})
            for k in range(KEYS_PER_SET)
            if k % 10 != 9
        ]
        result = await client.batch_write(records)
        assert all(br.result == 0 for br in result.batch_records)


def request_keys(offset: int) -> list[list[tuple[str, str, int]]]:
    """The 200 keys a request needs from each set (the same entity ids in every set)."""
    ids = [(offset + i) % KEYS_PER_SET for i in range(KEYS_PER_SET)]
    return [[(NAMESPACE, set_name, k) for k in ids] for set_name in SETS]


async def read_single(client: aerospike_py.AsyncClient, keys: list[list[tuple[str, str, int]]]) -> Rows:
    """One batch of all keys; rows come back in input order, so slicing demultiplexes."""
    flat = [key for per_set in keys for key in per_set]
    rows = (await client.batch_read(flat)).to_list()
    return [rows[i * KEYS_PER_SET : (i + 1) * KEYS_PER_SET] for i in range(len(keys))]


async def read_gather(client: aerospike_py.AsyncClient, keys: list[list[tuple[str, str, int]]]) -> Rows:
    """One batch per set, all in flight together."""
    results = await asyncio.gather(*(client.batch_read(per_set) for per_set in keys))
    return [result.to_list() for result in results]


async def run(hosts: list[tuple[str, int]], rounds: int) -> dict[str, Any]:
    async with await aerospike_py.async_client({"hosts": hosts}).connect() as client:
        await load(client)
        timings: dict[str, list[float]] = {"single": [], "gather": []}
        found = 0
        for r in range(rounds):
            keys = request_keys(offset=r * 7)
            started = time.perf_counter()
            single = await read_single(client, keys)
            timings["single"].append(time.perf_counter() - started)
            started = time.perf_counter()
            gathered = await read_gather(client, keys)
            timings["gather"].append(time.perf_counter() - started)
            assert single == gathered, "both ways must return the same records"
            found = sum(row is not None for per_set in single for row in per_set)
        return {
            "sets": len(SETS),
            "keys_per_request": len(SETS) * KEYS_PER_SET,
            "found_per_request": found,
            "mean_ms": {way: 1000 * sum(t) / len(t) for way, t in timings.items()},
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with aerospike_hosts() as hosts:
        out = asyncio.run(run(hosts, args.rounds))
    print(f"{out['sets']} sets x {KEYS_PER_SET} keys = {out['keys_per_request']} keys per request, "
          f"{out['found_per_request']} found")
    for way, ms in out["mean_ms"].items():
        print(f"{way:>6}: {ms:7.2f} ms per request (mean of {args.rounds})")


if __name__ == "__main__":
    main()
