"""A three-node embedded cluster: routing, a node stopping mid-load, a node joining."""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

import pytest

import aerospike_py
from aerospike_py.exception import AerospikeError, RecordNotFound
from aerospike_py.testing import EmbeddedServer

pytestmark = pytest.mark.asyncio

OPERATORS = aerospike_py


def config(server: EmbeddedServer, **extra: Any) -> dict[str, Any]:
    return {"hosts": server.hosts[:1], "tend_interval": 100, **extra}


async def wait_for(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return predicate()


async def test_no_misrouted_requests_over_10000_mixed_operations(
    aerospike_cluster3: EmbeddedServer,
) -> None:
    server = aerospike_cluster3
    async with await aerospike_py.async_client(config(server)).connect() as client:
        assert await wait_for(lambda: len(client.get_node_names()) == 3, 5)
        server.reset_misrouted()
        rng = random.Random(7)
        keys = [("test", "mix", i) for i in range(500)]
        done = 0
        while done < 10_000:
            batch = []
            for _ in range(500):
                k = rng.choice(keys)
                choice = rng.randrange(5)
                if choice == 0:
                    batch.append(client.put(k, {"v": done, "s": "x" * rng.randrange(20)}))
                elif choice == 1:
                    batch.append(client.get(k))
                elif choice == 2:
                    batch.append(client.exists(k))
                elif choice == 3:
                    batch.append(
                        client.operate(
                            k,
                            [
                                {"op": OPERATORS.OPERATOR_INCR, "bin": "n", "val": 1},
                                {"op": OPERATORS.OPERATOR_READ, "bin": "n"},
                            ],
                        )
                    )
                else:
                    batch.append(client.select(k, ["v"]))
            results = await asyncio.gather(*batch, return_exceptions=True)
            for r in results:
                assert not isinstance(r, BaseException) or isinstance(r, RecordNotFound), r
            done += len(batch)
        assert server.misrouted() == 0


async def test_node_stopped_mid_load(aerospike_cluster3: EmbeddedServer) -> None:
    server = aerospike_cluster3
    total_timeout = 1000
    policy = {"total_timeout": total_timeout, "max_retries": 2}
    async with await aerospike_py.async_client(config(server)).connect() as client:
        assert await wait_for(lambda: len(client.get_node_names()) == 3, 5)
        keys = [("test", "stop", i) for i in range(300)]
        await asyncio.gather(*(client.put(k, {"i": k[2]}) for k in keys))

        durations: list[float] = []
        outcomes: list[Any] = []
        end = time.monotonic() + 1.5

        async def worker(offset: int) -> None:
            i = offset
            while time.monotonic() < end:
                started = time.monotonic()
                try:
                    outcomes.append(await client.get(keys[i % 300], policy))
                except AerospikeError as exc:
                    outcomes.append(exc)
                durations.append(time.monotonic() - started)
                i += 7

        workers = [asyncio.ensure_future(worker(w)) for w in range(50)]
        await asyncio.sleep(0.4)
        before = len(outcomes)
        server.stop_node(1)
        await asyncio.wait_for(asyncio.gather(*workers), 10)
        # Load ran on both sides of the stop, and every await resolved (a
        # record or an AerospikeError) within its total timeout.
        assert before > 100 and len(outcomes) > before + 100
        assert max(durations) < total_timeout / 1000 + 0.5
        # Later operations succeed on the remaining nodes (replication 2).
        assert await wait_for(lambda: len(client.get_node_names()) == 2, 5)

        async def all_readable() -> bool:
            got = await asyncio.gather(*(client.get(k, policy) for k in keys), return_exceptions=True)
            return all(not isinstance(g, BaseException) and g.bins == {"i": k[2]}
                       for g, k in zip(got, keys))

        deadline = time.monotonic() + 5
        ok = await all_readable()
        while not ok and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            ok = await all_readable()
        assert ok
        await asyncio.gather(*(client.put(k, {"i": -1}) for k in keys))


async def test_node_added_is_used(aerospike_cluster3: EmbeddedServer) -> None:
    server = aerospike_cluster3
    server.stop_node(2)
    async with await aerospike_py.async_client(config(server)).connect() as client:
        assert await wait_for(lambda: len(client.get_node_names()) == 2, 5)
        server.start_node(2)
        assert await wait_for(lambda: len(client.get_node_names()) == 3, 5)
        new_node = server.node_id(2)
        assert new_node in client.get_node_names()
        assert await client.info_single_node("node", new_node) == new_node
        # Let the partition map settle, then every write goes where it belongs.
        await asyncio.sleep(0.5)
        server.reset_misrouted()
        keys = [("test", "added", i) for i in range(2000)]
        await asyncio.gather(*(client.put(k, {"i": k[2]}) for k in keys))
        records = await asyncio.gather(*(client.get(k) for k in keys))
        assert [r.bins["i"] for r in records] == list(range(2000))
        assert server.misrouted() == 0
        assert server.misrouted(2) == 0
