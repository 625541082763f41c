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
import time
from typing import Any

import pytest

import aerospike_py
from aerospike_py import _core, exp
from aerospike_py import exception as ex
from aerospike_py.testing import EmbeddedServer, ServerHandle

from .conftest import close, connect, seed_numbered

# Wide enough that every call of one asyncio loop iteration (or of a few
# threads) lands in the same window even on a busy machine: at 3 ms a CI run
# once split 90 calls made back to back into six batches (a collection or a
# preemption of the calling thread outlasted the window).
WINDOW_US = 10_000  # the widest the client accepts


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
    seed_numbered(aerospike_cluster3, set_name, 30)  # keys 30..39 are missing
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
    keys = seed_numbered(aerospike_cluster3, set_name, 60)
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


# -- Each caller woken as soon as its own record has arrived ------------------
#
# The embedded server's "stall_after_rows" fault sends a batch reply's first
# HEAD rows at once and holds the rest (and the batch's end) for STALL_MS:
# the callers whose rows came first must be done before the stall ends,
# not when the node's whole batch is.

STALL_MS = 2000
HEAD = 10
N_CALLS = 30


@pytest.mark.embedded_server
@pytest.mark.asyncio
@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_early_rows_wake_their_callers_before_the_batch_ends(
    set_name: str, flavour: str
) -> None:
    server = EmbeddedServer().start()
    try:
        keys = seed_numbered(server, set_name, N_CALLS)
        # The widest window: threads released together still share a batch.
        config = {"hosts": server.hosts, "coalesce_gets": True, "coalesce_window_us": 10_000}
        client = await connect(config, flavour == "async")
        try:
            server.set_fault(0, "stall_after_rows", delay_ms=STALL_MS, rows=HEAD, scope="data")
            policy = {"total_timeout": 20_000}  # far beyond the stall
            _core.serving_stats(True)
            t0 = time.monotonic()
            done_at: dict[int, float] = {}
            if isinstance(client, aerospike_py.AsyncClient):
                async_client = client

                async def one(i: int) -> Any:
                    r = await async_client.get(keys[i], policy=policy)
                    done_at[i] = time.monotonic() - t0
                    return r

                got = list(await asyncio.gather(*(one(i) for i in range(N_CALLS))))
            else:
                sync_client = client
                start = threading.Barrier(N_CALLS)

                def one_sync(i: int) -> Any:
                    start.wait()
                    r = sync_client.get(keys[i], policy=policy)
                    done_at[i] = time.monotonic() - t0
                    return r

                with concurrent.futures.ThreadPoolExecutor(N_CALLS) as pool:
                    got = list(await asyncio.get_running_loop().run_in_executor(
                        None, lambda: list(pool.map(one_sync, range(N_CALLS)))))
            s = stats()
        finally:
            server.clear_faults()
            await close(client)
    finally:
        server.stop()
    assert [g[2]["v"] for g in got] == list(range(N_CALLS))
    # The stall mattered: some batch carried more calls than the head.
    assert s["coalesced_max_calls"] > HEAD, s
    stall = STALL_MS / 1000
    early = sorted(i for i, t in done_at.items() if t < stall)
    late = sorted(i for i, t in done_at.items() if t >= stall)
    # Every batch sends HEAD rows before its stall: at least that many
    # callers were done before any tail row could have arrived...
    assert len(early) >= HEAD, (done_at, s)
    # ... and the rows held back kept their callers waiting.
    assert late, (done_at, s)
    if flavour == "async" and s["coalesced_batches"] == 1 and s["coalesced_calls"] == N_CALLS:
        # One batch, rows in call order (the tasks ran in order): exactly
        # the first HEAD calls came early. (Threads call in any order.)
        assert early == list(range(HEAD)), done_at


@pytest.mark.embedded_server
@pytest.mark.asyncio
async def test_connection_dies_mid_batch_after_early_rows(set_name: str) -> None:
    """The node goes away while the tail of a coalesced batch is held back:
    the callers already woken keep their records; every other caller fails
    with the error of that connection (as it would have uncoalesced), none
    hangs, nothing leaks."""
    server = EmbeddedServer().start()
    try:
        keys = seed_numbered(server, set_name, N_CALLS)
        client = await aerospike_py.async_client(
            {"hosts": server.hosts, "coalesce_gets": True, "coalesce_window_us": WINDOW_US}
        ).connect()
        try:
            server.set_fault(0, "stall_after_rows", delay_ms=60_000, rows=HEAD, scope="data")
            _core.serving_stats(True)
            policy = {"max_retries": 0, "total_timeout": 20_000}
            tasks = [asyncio.ensure_future(aoutcome(client.get(k, policy=policy))) for k in keys]
            # Wait for the head to come in, then stop the node.
            for _ in range(400):
                if sum(t.done() for t in tasks) >= HEAD:
                    break
                await asyncio.sleep(0.01)
            woken_first = sum(t.done() for t in tasks)
            await asyncio.get_running_loop().run_in_executor(None, server.stop_node, 0)
            got = await asyncio.wait_for(asyncio.gather(*tasks), 15)
            s = stats()
        finally:
            await client.close()
    finally:
        server.stop()
    assert woken_first >= HEAD, (woken_first, s)
    records = [g for g in got if isinstance(g, tuple)]
    errors = [g for g in got if not isinstance(g, tuple)]
    assert len(records) >= HEAD and errors, got
    assert all(0 <= g[2]["v"] < N_CALLS for g in records), records
    assert all(isinstance(e, type) and issubclass(e, ex.AerospikeError) for e in errors), errors
    assert ex.RecordNotFound not in errors and ex.AerospikeTimeoutError not in errors, errors


@pytest.mark.asyncio
async def test_window_does_not_stall_the_event_thread(
    aerospike_server: ServerHandle, records: list[tuple[str, str, int]]
) -> None:
    """While coalesced gets wait for their window to close, the client's
    other commands go out and their replies are read: a put issued with
    them is answered before the window closes (the event thread used to
    sleep through the window, so nothing could be answered sooner)."""
    window_s = 0.010
    config = {**aerospike_server.client_config(), "coalesce_gets": True,
              "coalesce_window_us": int(window_s * 1e6)}
    client = await aerospike_py.async_client(config).connect()
    other = (records[0][0], records[0][1], 1000)
    try:
        await client.put(other, {"v": -1})  # a warm connection for the put
        put_times: list[float] = []
        for _ in range(3):  # a busy machine may slow one put past the window
            t0 = time.monotonic()

            async def put() -> float:
                await client.put(other, {"v": -1})
                return time.monotonic() - t0

            async def get(i: int) -> float:
                await client.get(records[i])
                return time.monotonic() - t0

            put_s, *get_s = await asyncio.gather(put(), get(1), get(2), get(3))
            # The gets were held for the window, the put was not.
            assert min(get_s) >= window_s * 0.9
            put_times.append(put_s)
            if put_s < window_s:
                break
        assert min(put_times) < window_s, put_times
    finally:
        await client.close()
