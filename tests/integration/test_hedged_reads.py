"""Hedged reads (issue 17) on the embedded three-node cluster (RF 2) with
one node slowed by the fault hook: a read still unanswered after its
threshold (a fraction of its budget, or the other replica's recent p95)
goes to the other replica too, the
first answer wins, and the slow attempt is cancelled (its connection closed
or handed back to drain). Writes are never hedged.

The latency bounds below are deliberately loose (the slow node holds each
reply 800 ms; hedged reads must stay far below that): they check that the
hedge answered, not how fast the machine is.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from typing import Any

import pytest

import aerospike_py
from aerospike_py import _core
from aerospike_py import exception as ex
from aerospike_py.testing import EmbeddedServer

from .conftest import close, connect, seed_numbered

pytestmark = [pytest.mark.embedded_server, pytest.mark.asyncio]

SLOW_MS = 800
POLICY = {"total_timeout": 2000, "socket_timeout": 2000, "max_retries": 0}


async def timed_gets(client: Any, keys: list[tuple[str, str, int]],
                     policy: dict[str, Any]) -> tuple[list[float], list[Any]]:
    """Each get alone (sequentially), so each one's latency is its own."""
    lat: list[float] = []
    got: list[Any] = []
    for k in keys:
        t = time.perf_counter()
        r = client.get(k, policy=policy)
        if inspect.isawaitable(r):
            r = await r
        lat.append((time.perf_counter() - t) * 1000)
        got.append(r[2])
    return lat, got


@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_hedged_read_beats_a_slow_node(
    aerospike_cluster3: EmbeddedServer, set_name: str, flavour: str
) -> None:
    keys = seed_numbered(aerospike_cluster3, set_name, 30)
    aerospike_cluster3.set_fault(1, "delay", delay_ms=SLOW_MS, scope="data")
    try:
        client = await connect({"hosts": aerospike_cluster3.hosts}, flavour == "async")
        try:
            # Not hedged: the keys mastered by the slow node wait for it.
            plain_lat, plain_got = await timed_gets(client, keys, POLICY)
            assert max(plain_lat) >= SLOW_MS * 0.9
            slow_calls = sum(1 for x in plain_lat if x >= SLOW_MS * 0.9)
            assert slow_calls >= 3  # about a third of the keys

            _core.serving_stats(True)
            hedged = {**POLICY, "hedge_fraction": 0.02}  # after 40 ms
            hedged_lat, hedged_got = await timed_gets(client, keys, hedged)
            s = _core.serving_stats()
        finally:
            await close(client)
    finally:
        aerospike_cluster3.clear_faults()
    assert hedged_got == plain_got == [{"v": i} for i in range(30)]
    # Every read that met the slow node was hedged and won by the replica.
    assert s["hedged_reads"] >= slow_calls, s
    assert s["hedge_wins"] >= slow_calls, s
    assert s["hedge_losers_cancelled"] >= slow_calls, s
    assert max(hedged_lat) < SLOW_MS / 2, hedged_lat


@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_adaptive_hedge_after_the_replicas_own_latency(
    aerospike_cluster3: EmbeddedServer, set_name: str, flavour: str
) -> None:
    """hedge_percentile alone (no fraction): healthy reads teach the client
    each node's latency; once a node is slowed, the reads it masters go to
    the other replica after that replica's p95 (a few ms), far under the
    slow node's 800 ms."""
    keys = seed_numbered(aerospike_cluster3, set_name, 60)
    client = await connect({"hosts": aerospike_cluster3.hosts, "hedge_percentile": 95},
                           flavour == "async")
    try:
        for _ in range(3):  # 180 healthy reads: about 60 per node, 32 are enough
            await timed_gets(client, keys, POLICY)
        aerospike_cluster3.set_fault(1, "delay", delay_ms=SLOW_MS, scope="data")
        try:
            _core.serving_stats(True)
            lat, got = await timed_gets(client, keys, POLICY)
            s = _core.serving_stats()
        finally:
            aerospike_cluster3.clear_faults()
    finally:
        await close(client)
    assert got == [{"v": i} for i in range(60)]
    # About a third of the keys are mastered by the slow node ((2/3)**60 that
    # none is); each of their reads was hedged and won by the replica.
    assert s["hedge_wins"] >= 5, s
    assert max(lat) < SLOW_MS / 2, lat


async def test_hedge_loser_connection_is_returned_to_drain(
    aerospike_cluster3: EmbeddedServer, set_name: str
) -> None:
    """With timeout_delay, the losing attempt's connection is handed to its
    pool to read the late answer and be reused, not leaked."""
    # 30 keys, so some are mastered by the slow node ((2/3)**30 that none is;
    # with 12 it was 0.8%).
    keys = seed_numbered(aerospike_cluster3, set_name, 30)
    aerospike_cluster3.set_fault(1, "delay", delay_ms=300, scope="data")
    try:
        client = await aerospike_py.async_client(
            {"hosts": aerospike_cluster3.hosts, "hedge_reads": 0.05}).connect()
        try:
            _core.serving_stats(True)
            policy = {**POLICY, "timeout_delay": 1000}
            got = await asyncio.gather(*(client.get(k, policy=policy) for k in keys))
            assert [g[2]["v"] for g in got] == list(range(30))
            s = _core.serving_stats()
            assert s["hedge_wins"] >= 1, s
            await asyncio.sleep(0.5)  # the late answers drain
            again = await asyncio.gather(*(client.get(k, policy=policy) for k in keys))
            assert [g[2]["v"] for g in again] == list(range(30))
        finally:
            await client.close()
    finally:
        aerospike_cluster3.clear_faults()


async def test_writes_are_never_hedged(aerospike_cluster3: EmbeddedServer, set_name: str) -> None:
    # 30 keys: about a third are mastered by the slow node (with 9, none was
    # in 2.6% of runs, (2/3)**9, and the test proved nothing and failed).
    keys = [("test", set_name, i) for i in range(30)]
    slow_ms = 100  # far above the 20 ms hedge threshold below
    aerospike_cluster3.set_fault(1, "delay", delay_ms=slow_ms, scope="data")
    try:
        client = await aerospike_py.async_client(
            {"hosts": aerospike_cluster3.hosts, "hedge_reads": 0.01}).connect()
        try:
            _core.serving_stats(True)
            slow_writes = 0
            for k in keys:
                t = time.perf_counter()
                await client.put(k, {"v": 1}, policy={"total_timeout": 2000})
                slow_writes += (time.perf_counter() - t) * 1000 >= slow_ms * 0.9
            assert slow_writes >= 1  # some writes waited for the slow node, unhedged
            # A read key in a write policy is not a read policy: ignored.
            for k in keys:
                await client.put(k, {"v": 2}, policy={"total_timeout": 2000,
                                                      "hedge_fraction": 0.01})
            assert _core.serving_stats()["hedged_reads"] == 0
            # Reads of the same client are hedged.
            for k in keys:
                assert (await client.get(k, policy={"total_timeout": 2000}))[2] == {"v": 2}
            assert _core.serving_stats()["hedged_reads"] >= 1
        finally:
            await client.close()
    finally:
        aerospike_cluster3.clear_faults()



async def test_hedged_reads_are_not_coalesced(
    aerospike_cluster3: EmbeddedServer, set_name: str
) -> None:
    """A merged batch goes once per node: a hedged read stays on its own
    path even when coalescing is on, and is hedged."""
    keys = seed_numbered(aerospike_cluster3, set_name, 30)
    aerospike_cluster3.set_fault(1, "delay", delay_ms=300, scope="data")
    try:
        client = await aerospike_py.async_client(
            {"hosts": aerospike_cluster3.hosts, "coalesce_gets": True,
             "coalesce_window_us": 2000}).connect()
        try:
            _core.serving_stats(True)
            got = await asyncio.gather(*(client.get(k, policy={**POLICY, "hedge_fraction": 0.02})
                                         for k in keys))
            assert [g[2]["v"] for g in got] == list(range(30))
            s = _core.serving_stats()
            assert s["coalesced_calls"] == 0, s
            assert s["hedge_wins"] >= 1, s
            # The same client still merges its unhedged gets.
            await asyncio.gather(*(client.get(k) for k in keys))
            assert _core.serving_stats()["coalesced_calls"] >= 2
        finally:
            await client.close()
    finally:
        aerospike_cluster3.clear_faults()


# ---------------------------------------------------------------- batch reads


async def timed_batch(client: Any, keys: list[tuple[str, str, int]],
                      policy: dict[str, Any]) -> tuple[float, list[Any]]:
    """One batch_read: its latency (ms) and each row's (result, bins)."""
    t = time.perf_counter()
    r = client.batch_read(keys, policy=policy)
    if inspect.isawaitable(r):
        r = await r
    ms = (time.perf_counter() - t) * 1000
    return ms, [(b.result, b.record[2] if b.record else None) for b in r.batch_records]


@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_hedged_batch_read_beats_a_slow_node(
    aerospike_cluster3: EmbeddedServer, set_name: str, flavour: str
) -> None:
    """The slow node's request of a batch is hedged: its rows go to their
    other replicas, which answer first; the slow request is cancelled."""
    keys = seed_numbered(aerospike_cluster3, set_name, 60)
    missing = [("test", set_name, 1000 + i) for i in range(6)]
    expected = [(0, {"v": i}) for i in range(60)] + [(2, None)] * 6
    aerospike_cluster3.set_fault(1, "delay", delay_ms=SLOW_MS, scope="data")
    try:
        client = await connect({"hosts": aerospike_cluster3.hosts}, flavour == "async")
        try:
            plain_ms, plain = await timed_batch(client, keys + missing, POLICY)
            _core.serving_stats(True)
            hedged_policy = {**POLICY, "hedge_fraction": 0.02}  # after 40 ms
            hedged_ms, hedged = await timed_batch(client, keys + missing, hedged_policy)
            s = _core.serving_stats()
            # The client stays usable: later batches (healthy node set) agree.
            aerospike_cluster3.clear_faults()
            _, again = await timed_batch(client, keys + missing, hedged_policy)
        finally:
            await close(client)
    finally:
        aerospike_cluster3.clear_faults()
    assert plain == hedged == again == expected
    assert plain_ms >= SLOW_MS * 0.9  # (2/3)**66 that the slow node masters none of them
    assert hedged_ms < SLOW_MS / 2, hedged_ms
    assert s["hedged_batch_requests"] >= 1, s
    # Every row the slow node owed was answered by its replica.
    assert s["hedge_batch_rows"] >= 10, s
    assert s["hedge_losers_cancelled"] >= 1, s
    assert s["hedged_reads"] == 0, s  # single-record counters untouched


async def test_adaptive_hedged_batch_after_the_replicas_batch_latency(
    aerospike_cluster3: EmbeddedServer, set_name: str
) -> None:
    """hedge_percentile alone: healthy batches teach the client each node's
    batch latency; once a node is slowed, its request is hedged after the
    other replicas' p95, far under the slow node's 800 ms."""
    keys = seed_numbered(aerospike_cluster3, set_name, 60)
    policy = {**POLICY, "hedge_percentile": 95}
    client = await aerospike_py.async_client({"hosts": aerospike_cluster3.hosts}).connect()
    try:
        for _ in range(40):  # a request per node per batch: 40 samples each, 32 are enough
            await timed_batch(client, keys, policy)
        _core.serving_stats(True)
        aerospike_cluster3.set_fault(1, "delay", delay_ms=SLOW_MS, scope="data")
        try:
            lat = []
            for _ in range(3):
                ms, got = await timed_batch(client, keys, policy)
                lat.append(ms)
                assert got == [(0, {"v": i}) for i in range(60)]
            s = _core.serving_stats()
        finally:
            aerospike_cluster3.clear_faults()
    finally:
        await client.close()
    assert s["hedged_batch_requests"] >= 3, s
    assert max(lat) < SLOW_MS / 2, lat


async def test_batches_with_writes_are_never_hedged(
    aerospike_cluster3: EmbeddedServer, set_name: str
) -> None:
    keys = seed_numbered(aerospike_cluster3, set_name, 30)
    aerospike_cluster3.set_fault(1, "delay", delay_ms=100, scope="data")
    try:
        client = await aerospike_py.async_client({"hosts": aerospike_cluster3.hosts}).connect()
        try:
            _core.serving_stats(True)
            policy = {**POLICY, "hedge_fraction": 0.005}  # after 10 ms
            t = time.perf_counter()
            res = await client.batch_write([(k, {"w": 1}) for k in keys], policy=policy)
            assert (time.perf_counter() - t) * 1000 >= 90  # it waited for the slow node
            assert [r.result for r in res.batch_records] == [0] * 30
            assert _core.serving_stats()["hedged_batch_requests"] == 0
            # A read-only batch of the same client and policy is hedged.
            await client.batch_read(keys, policy=policy)
            assert _core.serving_stats()["hedged_batch_requests"] >= 1
        finally:
            await client.close()
    finally:
        aerospike_cluster3.clear_faults()
