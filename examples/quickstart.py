"""Quickstart: the blocking and the asyncio client, side by side.

Run it as is (it starts the embedded server that ships with the package), or
against a real cluster::

    python examples/quickstart.py
    AEROSPIKE_HOSTS=127.0.0.1:3000 python examples/quickstart.py
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from typing import Any

import aerospike_py
from aerospike_py.testing import EmbeddedServer, parse_hosts

NAMESPACE = "test"
SET = "quickstart"


@contextlib.contextmanager
def aerospike_hosts() -> Iterator[list[tuple[str, int]]]:
    """Seeds of the cluster in AEROSPIKE_HOSTS, or of an embedded server started here."""
    if os.environ.get("AEROSPIKE_HOSTS"):
        yield parse_hosts(os.environ["AEROSPIKE_HOSTS"])
        return
    with EmbeddedServer() as server:
        yield server.hosts


def sync_basics(hosts: list[tuple[str, int]]) -> dict[str, Any]:
    """Single-record calls, an operate, a batch read and errors with the blocking client."""
    out: dict[str, Any] = {}
    # `with` connects on entry and closes on exit.
    with aerospike_py.client({"hosts": hosts}).connect() as client:
        key = (NAMESPACE, SET, "alice")
        client.put(key, {"name": "Alice", "visits": 1}, meta={"ttl": 3600})

        record = client.get(key)  # Record(key, meta, bins), a NamedTuple
        # meta and bins are typed Optional (as in aerospike-py): a record read
        # by get() always has both.
        assert record.meta is not None and record.bins is not None
        out["get"] = record.bins
        out["generation"] = record.meta.gen

        out["select"] = client.select(key, ["name"]).bins
        out["exists"] = client.exists(key).meta is not None

        # Several operations on one record, atomically.
        record = client.operate(
            key,
            [
                {"op": aerospike_py.OPERATOR_INCR, "bin": "visits", "val": 1},
                {"op": aerospike_py.OPERATOR_READ, "bin": "visits"},
            ],
        )
        out["visits"] = (record.bins or {})["visits"]

        # batch_read returns {user_key: bins} for the records found.
        client.put((NAMESPACE, SET, "bob"), {"name": "Bob", "visits": 7})
        keys = [(NAMESPACE, SET, k) for k in ("alice", "bob", "nobody")]
        out["batch"] = dict(client.batch_read(keys, bins=["name"]))

        client.remove(key)
        try:
            client.get(key)
        except aerospike_py.RecordNotFound as error:
            # Every exception carries code, msg, in_doubt, key and node.
            out["missing"] = (type(error).__name__, error.code, error.in_doubt)
    return out


async def async_basics(hosts: list[tuple[str, int]]) -> dict[str, Any]:
    """The same calls awaited, and many in flight at once with asyncio.gather."""
    out: dict[str, Any] = {}
    async with await aerospike_py.async_client({"hosts": hosts}).connect() as client:
        await client.put((NAMESPACE, SET, "carol"), {"name": "Carol", "score": 9.5})
        record = await client.get((NAMESPACE, SET, "carol"))
        out["get"] = record.bins

        # 100 writes, then 100 reads, all concurrently: one event thread serves them.
        await asyncio.gather(
            *(client.put((NAMESPACE, SET, i), {"n": i, "square": i * i}) for i in range(100))
        )
        records = await asyncio.gather(*(client.get((NAMESPACE, SET, i)) for i in range(100)))
        out["sum_of_squares"] = sum((r.bins or {})["square"] for r in records)

        found = await client.batch_read([(NAMESPACE, SET, i) for i in range(0, 100, 10)])
        out["batch_found"] = len(found)
    return out


def main() -> None:
    with aerospike_hosts() as hosts:
        for name, value in sync_basics(hosts).items():
            print(f"sync  {name}: {value}")
        for name, value in asyncio.run(async_basics(hosts)).items():
            print(f"async {name}: {value}")


if __name__ == "__main__":
    main()
