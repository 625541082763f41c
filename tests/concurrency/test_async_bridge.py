"""The asyncio bridge under load and through its life cycle: 100,000 awaits on
one loop, cancellation, close with commands in flight, closed loops, several
loops and threads, backpressure."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

import aerospike_py
from aerospike_py import _core
from aerospike_py.exception import BackpressureError, ClientError
from aerospike_py.testing import EmbeddedServer, ServerHandle


def _keys(ns: str, n: int) -> list[tuple[str, str, int]]:
    set_name = "c" + uuid.uuid4().hex[:10]
    return [(ns, set_name, i) for i in range(n)]


@pytest.fixture
def embedded() -> Iterator[EmbeddedServer]:
    """A private embedded node: these tests inject faults."""
    with EmbeddedServer() as server:
        yield server


@pytest.mark.asyncio
async def test_100k_concurrent_gets_on_one_loop(aerospike_server: ServerHandle) -> None:
    keys = _keys(aerospike_server.namespace, 100)
    async with await aerospike_py.async_client(aerospike_server.client_config()).connect() as client:
        await asyncio.gather(*(client.put(k, {"i": k[2]}) for k in keys))
        n = 100_000
        futures = [client.get(keys[i % 100], {"total_timeout": 60_000}) for i in range(n)]
        assert _core.debug_counters()["futures_held"] >= 1
        records = await asyncio.gather(*futures)
        assert len(records) == n
        assert all(r.bins["i"] == i % 100 for i, r in enumerate(records))
        assert _core.debug_counters()["futures_held"] == 0


@pytest.mark.asyncio
@pytest.mark.embedded_server  # fault hooks
async def test_cancelled_awaits_drop_their_replies(embedded: EmbeddedServer) -> None:
    keys = _keys("test", 50)
    async with await aerospike_py.async_client({"hosts": embedded.hosts}).connect() as client:
        await asyncio.gather(*(client.put(k, {"i": k[2]}) for k in keys))
        embedded.set_fault(None, "delay", delay_ms=300, scope="data")
        tasks = [asyncio.ensure_future(client.get(k)) for k in keys for _ in range(20)]
        await asyncio.sleep(0.05)
        for t in tasks:
            t.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(r, asyncio.CancelledError) for r in results)
        embedded.clear_faults()
        # The replies arrive later and are dropped; the client is fine.
        record = await client.get(keys[0])
        assert record.bins == {"i": 0}
        deadline = time.monotonic() + 3
        while _core.debug_counters()["futures_held"] and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert _core.debug_counters()["futures_held"] == 0


@pytest.mark.asyncio
@pytest.mark.embedded_server  # fault hooks
async def test_wait_for_timeout_cancels_cleanly(embedded: EmbeddedServer) -> None:
    key = _keys("test", 1)[0]
    async with await aerospike_py.async_client({"hosts": embedded.hosts}).connect() as client:
        await client.put(key, {"a": 1})
        embedded.set_fault(None, "delay", delay_ms=300, scope="data")
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.get(key), 0.05)
        embedded.clear_faults()
        assert (await client.get(key)).bins == {"a": 1}


@pytest.mark.asyncio
@pytest.mark.embedded_server  # fault hooks
async def test_close_fails_in_flight_commands(embedded: EmbeddedServer) -> None:
    keys = _keys("test", 10)
    client = await aerospike_py.async_client({"hosts": embedded.hosts}).connect()
    await asyncio.gather(*(client.put(k, {"i": 1}) for k in keys))
    embedded.set_fault(None, "stop_answering", scope="data")
    futures = [client.get(k, {"total_timeout": 30_000}) for k in keys for _ in range(10)]
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await client.close()
    results = await asyncio.wait_for(asyncio.gather(*futures, return_exceptions=True), 5)
    assert time.monotonic() - started < 5
    assert all(isinstance(r, ClientError) for r in results), results[:3]
    assert "closed" in str(results[0])
    embedded.clear_faults()


@pytest.mark.embedded_server  # fault hooks
def test_sync_close_from_another_thread_wakes_the_waiter(embedded: EmbeddedServer) -> None:
    key = _keys("test", 1)[0]
    client = aerospike_py.client({"hosts": embedded.hosts}).connect()
    client.put(key, {"a": 1})
    embedded.set_fault(None, "stop_answering", scope="data")
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            client.get(key, {"total_timeout": 30_000})
        except BaseException as exc:  # noqa: BLE001 - recorded for the assertion
            errors.append(exc)

    thread = threading.Thread(target=reader)
    thread.start()
    time.sleep(0.1)
    client.close()
    thread.join(5)
    assert not thread.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], ClientError)
    embedded.clear_faults()


@pytest.mark.embedded_server  # fault hooks
def test_closing_a_loop_with_commands_in_flight_releases_its_mailbox(
    embedded: EmbeddedServer,
) -> None:
    keys = _keys("test", 5)
    client = aerospike_py.async_client({"hosts": embedded.hosts})
    for factory in (asyncio.new_event_loop, uvloop_factory()):
        loop = factory()

        async def prepare() -> None:
            await client.connect()
            await asyncio.gather(*(client.put(k, {"i": 1}) for k in keys))

        loop.run_until_complete(prepare())
        embedded.set_fault(None, "delay", delay_ms=200, scope="data")

        async def start() -> list[Any]:
            return [client.get(k) for k in keys]

        pending = loop.run_until_complete(start())
        assert _core.debug_counters()["futures_held"] >= len(keys)
        loop.close()  # with the futures unresolved
        del pending
        counters = _core.debug_counters()  # notices the closed loop
        assert counters["mailboxes_alive"] == 0
        assert counters["futures_held"] == 0
        embedded.clear_faults()
        client._close()
    time.sleep(0.3)  # the delayed replies arrive at a closed mailbox


def uvloop_factory() -> Any:
    import uvloop

    return uvloop.new_event_loop


def test_one_client_many_loops_in_threads(aerospike_server: ServerHandle) -> None:
    keys = _keys(aerospike_server.namespace, 20)
    client = aerospike_py.async_client(aerospike_server.client_config())
    asyncio.run(client.connect())
    errors: list[BaseException] = []

    def worker(offset: int) -> None:
        async def run() -> None:
            for round_ in range(20):
                k = keys[(offset + round_) % len(keys)]
                await client.put(k, {"v": offset})
                rec = await client.get(k)
                assert "v" in rec.bins

        try:
            asyncio.run(run())
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    client._close()
    assert not errors, errors


def test_sync_client_shared_by_threads(aerospike_server: ServerHandle) -> None:
    keys = _keys(aerospike_server.namespace, 50)
    client = aerospike_py.client(aerospike_server.client_config()).connect()
    errors: list[BaseException] = []

    def worker(offset: int) -> None:
        try:
            for i in range(200):
                k = keys[(offset * 7 + i) % len(keys)]
                client.put(k, {"t": offset, "i": i})
                assert client.get(k).bins.keys() == {"t", "i"}
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    client.close()
    assert not errors, errors


@pytest.mark.asyncio
@pytest.mark.embedded_server  # fault hooks
async def test_backpressure_waits_then_fails_after_the_queue_timeout(
    embedded: EmbeddedServer,
) -> None:
    keys = _keys("test", 1)
    config: dict[str, Any] = {
        "hosts": embedded.hosts,
        "max_concurrent_operations": 2,
        "operation_queue_timeout_ms": 50,
    }
    async with await aerospike_py.async_client(config).connect() as client:
        await client.put(keys[0], {"a": 1})
        embedded.set_fault(None, "delay", delay_ms=300, scope="data")
        results = await asyncio.gather(
            *(client.get(keys[0]) for _ in range(10)), return_exceptions=True
        )
        embedded.clear_faults()
        ok = [r for r in results if not isinstance(r, BaseException)]
        rejected = [r for r in results if isinstance(r, BackpressureError)]
        assert len(ok) == 2 and len(rejected) == 8, results
    # Without a queue timeout, callers wait instead of failing.
    config["operation_queue_timeout_ms"] = 0
    async with await aerospike_py.async_client(config).connect() as client:
        embedded.set_fault(None, "delay", delay_ms=50, scope="data")
        results = await asyncio.gather(*(client.get(keys[0]) for _ in range(10)))
        embedded.clear_faults()
        assert all(r.bins == {"a": 1} for r in results)
