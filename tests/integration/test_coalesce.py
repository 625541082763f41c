"""Coalesced gets (issue 17): single-key get/select calls issued together
for the same node go as one batch request, and each caller gets exactly
what an uncoalesced call would have given it: its own record, or its own
exception (not found, filtered out, timeout).

Every scenario runs the same calls twice, coalesced and not, and compares
the outcomes call by call; serving_stats() shows the batches were made.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from typing import Any

import pytest

import aerospike_py
from aerospike_py import _core, exp
from aerospike_py import exception as ex
from aerospike_py.testing import EmbeddedServer, ServerHandle

from .conftest import close, connect

# Wide enough that every call of one asyncio loop iteration (or of a few
# threads) lands in the same wakeup, even on a busy machine.
WINDOW_US = 3000


def outcome(call: Any) -> Any:
    """A call's result, or its exception's class (for comparisons)."""
    try:
        return call()
    except ex.AerospikeError as e:
        return type(e)


async def aoutcome(aw: Any) -> Any:
    try:
        return await aw
    except ex.AerospikeError as e:
        return type(e)


def stats() -> dict[str, Any]:
    return _core.serving_stats()  # type: ignore[no-any-return]


@pytest.fixture
def records(aerospike_server: ServerHandle, set_name: str) -> list[tuple[str, str, int]]:
    """20 records (v = i, tag = 'even'/'odd') and the keys of 10 missing ones."""
    ns = aerospike_server.namespace
    c = aerospike_py.client(aerospike_server.client_config()).connect()
    try:
        for i in range(20):
            c.put((ns, set_name, i), {"v": i, "tag": "even" if i % 2 == 0 else "odd", "l": [i, "x"]})
    finally:
        c.close()
    return [(ns, set_name, i) for i in range(30)]


def even_only() -> dict[str, Any]:
    return {"filter_expression": exp.eq(exp.string_bin("tag"), "even").compile()}


@pytest.mark.asyncio
async def test_async_coalesced_gets_mix_hits_misses_filtered(
    aerospike_server: ServerHandle, records: list[tuple[str, str, int]]
) -> None:
    config = aerospike_server.client_config()
    plain = await aerospike_py.async_client(config).connect()
    merged = await aerospike_py.async_client(
        {**config, "coalesce_gets": True, "coalesce_window_us": WINDOW_US}
    ).connect()
    try:

        def calls(c: aerospike_py.AsyncClient) -> list[Any]:
            out: list[Any] = []
            for k in records:
                out.append(c.get(k))                         # hits (0..19), misses (20..29)
                out.append(c.get(k, policy=even_only()))     # + filtered out (odd)
                out.append(c.select(k, ["v"]))               # a different row shape
            return out

        expected = await asyncio.gather(*(aoutcome(a) for a in calls(plain)))
        stats_before = stats()
        _core.serving_stats(True)
        got = await asyncio.gather(*(aoutcome(a) for a in calls(merged)))
        s = stats()
        assert got == expected
        kinds = {r if isinstance(r, type) else "record" for r in got}
        assert kinds == {"record", ex.RecordNotFound, ex.FilteredOut}
        # 90 calls, two policies (with and without the filter): at least two
        # batches, and most calls went in one.
        assert s["coalesced_batches"] >= 2, (stats_before, s)
        assert s["coalesced_calls"] >= 60, s
        assert s["coalesced_max_calls"] >= 30, s
        # The uncoalesced client never merges.
        _core.serving_stats(True)
        await asyncio.gather(*(aoutcome(a) for a in calls(plain)))
        assert stats()["coalesced_calls"] == 0
    finally:
        await plain.close()
        await merged.close()


@pytest.mark.asyncio
async def test_per_call_policy_turns_coalescing_on_and_off(
    aerospike_server: ServerHandle, records: list[tuple[str, str, int]]
) -> None:
    config = {**aerospike_server.client_config(), "coalesce_window_us": WINDOW_US}
    c = await aerospike_py.async_client(config).connect()
    try:
        _core.serving_stats(True)
        await asyncio.gather(*(aoutcome(c.get(k)) for k in records))
        assert stats()["coalesced_calls"] == 0  # off by default
        got = await asyncio.gather(*(aoutcome(c.get(k, policy={"coalesce": True})) for k in records))
        assert stats()["coalesced_calls"] >= 2
        assert [g[2]["v"] for g in got[:20]] == list(range(20))
        assert got[20:] == [ex.RecordNotFound] * 10
    finally:
        await c.close()
    c = await aerospike_py.async_client({**config, "coalesce_gets": True}).connect()
    try:
        _core.serving_stats(True)
        await asyncio.gather(*(aoutcome(c.get(k, policy={"coalesce": False})) for k in records))
        assert stats()["coalesced_calls"] == 0
    finally:
        await c.close()


@pytest.mark.asyncio
async def test_different_policies_are_not_merged(
    aerospike_server: ServerHandle, records: list[tuple[str, str, int]]
) -> None:
    config = {**aerospike_server.client_config(), "coalesce_gets": True,
              "coalesce_window_us": WINDOW_US}
    c = await aerospike_py.async_client(config).connect()
    try:
        _core.serving_stats(True)
        policies = [{"total_timeout": 900}, {"total_timeout": 800}, {"max_retries": 1}]
        got = await asyncio.gather(
            *(aoutcome(c.get(k, policy=p)) for p in policies for k in records[:20])
        )
        assert all(isinstance(g, tuple) for g in got)
        s = stats()
        # Never more calls in one batch than one policy group holds.
        assert s["coalesced_max_calls"] <= 20, s
        assert s["coalesced_batches"] >= 3 or s["coalesced_calls"] < 60, s
    finally:
        await c.close()


def test_sync_threads_coalesce(
    aerospike_server: ServerHandle, records: list[tuple[str, str, int]]
) -> None:
    config = aerospike_server.client_config()
    plain = aerospike_py.client(config).connect()
    merged = aerospike_py.client({**config, "coalesce_gets": True,
                                  "coalesce_window_us": WINDOW_US}).connect()
    try:
        expected = [outcome(lambda k=k: plain.get(k, policy=even_only())) for k in records]
        _core.serving_stats(True)
        barrier = threading.Barrier(len(records))

        def one(k: tuple[str, str, int]) -> Any:
            barrier.wait()
            return outcome(lambda: merged.get(k, policy=even_only()))

        with concurrent.futures.ThreadPoolExecutor(len(records)) as pool:
            got = list(pool.map(one, records))
        assert got == expected
        assert {r if isinstance(r, type) else "record" for r in got} == {
            "record", ex.RecordNotFound, ex.FilteredOut}
        assert stats()["coalesced_calls"] >= 2
    finally:
        plain.close()
        merged.close()


@pytest.mark.embedded_server
@pytest.mark.asyncio
@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_coalesced_timeouts_are_each_callers_own(
    aerospike_cluster3: EmbeddedServer, set_name: str, flavour: str
) -> None:
    """One node answers late: the calls routed to it time out (each with
    its own TimeoutError), the others get their records, as uncoalesced."""
    ns = "test"
    keys = [(ns, set_name, i) for i in range(40)]
    seed = aerospike_py.client({"hosts": aerospike_cluster3.hosts}).connect()
    try:
        for i, k in enumerate(keys[:30]):
            seed.put(k, {"v": i})
    finally:
        seed.close()
    policy = {"total_timeout": 150, "max_retries": 0, "replica": aerospike_py.POLICY_REPLICA_MASTER}
    aerospike_cluster3.set_fault(1, "delay", delay_ms=600, scope="data")
    results: dict[bool, list[Any]] = {}
    for coalesce in (False, True):
        config = {"hosts": aerospike_cluster3.hosts, "coalesce_gets": coalesce,
                  "coalesce_window_us": WINDOW_US}
        client = await connect(config, flavour == "async")
        try:
            _core.serving_stats(True)
            if isinstance(client, aerospike_py.AsyncClient):
                results[coalesce] = list(await asyncio.gather(
                    *(aoutcome(client.get(k, policy=policy)) for k in keys)))
            else:
                sync_client = client

                def one(k: tuple[str, str, int]) -> Any:
                    return outcome(lambda: sync_client.get(k, policy=policy))

                with concurrent.futures.ThreadPoolExecutor(20) as pool:
                    results[coalesce] = list(pool.map(one, keys))
            if coalesce:
                assert stats()["coalesced_calls"] >= 2
            else:
                assert stats()["coalesced_calls"] == 0
        finally:
            await close(client)
            # Late answers of the delayed node must not leak into the next run.
            await asyncio.sleep(0.7)
    aerospike_cluster3.clear_faults()
    assert results[True] == results[False]
    kinds = {r if isinstance(r, type) else "record" for r in results[True]}
    assert kinds == {"record", ex.RecordNotFound, ex.AerospikeTimeoutError}


@pytest.mark.embedded_server
@pytest.mark.asyncio
async def test_one_batch_per_node_on_three_nodes(
    aerospike_cluster3: EmbeddedServer, set_name: str
) -> None:
    keys = [("test", set_name, i) for i in range(60)]
    seed = aerospike_py.client({"hosts": aerospike_cluster3.hosts}).connect()
    try:
        for i, k in enumerate(keys):
            seed.put(k, {"v": i})
    finally:
        seed.close()
    c = await aerospike_py.async_client({"hosts": aerospike_cluster3.hosts, "coalesce_gets": True,
                                         "coalesce_window_us": WINDOW_US}).connect()
    try:
        _core.serving_stats(True)
        got = await asyncio.gather(*(c.get(k) for k in keys))
        assert [g[2]["v"] for g in got] == list(range(60))
        s = stats()
        # The keys spread over three masters: one batch per node, none
        # carrying keys of another node.
        assert s["coalesced_batches"] >= 3, s
        assert s["coalesced_max_calls"] < 60, s
    finally:
        await c.close()


@pytest.mark.asyncio
async def test_close_with_coalesced_gets_in_flight(
    aerospike_server: ServerHandle, records: list[tuple[str, str, int]]
) -> None:
    """Closing the client while merged calls wait: every caller is woken
    (its record, or ClientAbortError for the closed client) and nothing leaks
    (the autouse fixture checks the live counters)."""
    c = await aerospike_py.async_client({**aerospike_server.client_config(),
                                         "coalesce_gets": True,
                                         "coalesce_window_us": WINDOW_US}).connect()
    tasks = [asyncio.ensure_future(aoutcome(c.get(k))) for k in records * 5]
    await asyncio.sleep(0)
    await c.close()
    got = await asyncio.gather(*tasks)
    for g in got:
        assert isinstance(g, tuple) or g in (ex.RecordNotFound, ex.ClientAbortError), g


def test_serving_config_keys_are_validated() -> None:
    for bad in ({"hedge_reads": 1.0}, {"hedge_reads": -0.1}, {"hedge_reads": "x"},
                {"hedge_reads": True}, {"coalesce_gets": "yes"}, {"coalesce_window_us": -1},
                {"coalesce_window_us": 10001}):
        with pytest.raises(ex.InvalidArgError):
            aerospike_py.client({"hosts": [("127.0.0.1", 1)], **bad})
    c = aerospike_py.client({"hosts": [("127.0.0.1", 1)]})
    with pytest.raises(ex.InvalidArgError):
        c.get(("test", "s", 1), policy={"hedge_fraction": 2})
    with pytest.raises(ex.InvalidArgError):
        c.get(("test", "s", 1), policy={"coalesce": "on"})
