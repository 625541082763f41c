"""The `timeout_delay` policy: after a timeout mid-answer the connection keeps
reading the late answer and is reused, instead of being closed and replaced."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

import aerospike_py
from aerospike_py import _core
from aerospike_py.exception import AerospikeTimeoutError
from aerospike_py.testing import EmbeddedServer

# Every test injects faults into the embedded server.
pytestmark = pytest.mark.embedded_server


@pytest.fixture
def embedded() -> Iterator[EmbeddedServer]:
    """A private embedded node: these tests inject faults."""
    with EmbeddedServer() as server:
        yield server


def _opened() -> int:
    return _core.debug_counters()["connections_opened"]


@pytest.mark.parametrize("delay_ms, reused", [(1000, True), (0, False)])
def test_a_late_answer_is_drained_and_its_connection_reused(
        embedded: EmbeddedServer, delay_ms: int, reused: bool) -> None:
    client = aerospike_py.client({"hosts": embedded.hosts}).connect()
    try:
        key = ("test", "timeout_delay", 1)
        client.put(key, {"a": 1})
        opened = _opened()
        embedded.set_fault(0, "delay", delay_ms=150, scope="data")
        policy = {"socket_timeout": 40, "total_timeout": 2000, "max_retries": 0,
                  "timeout_delay": delay_ms}
        with pytest.raises(AerospikeTimeoutError):
            client.get(key, policy)
        embedded.clear_faults()
        time.sleep(0.3)  # the held answer arrives
        assert client.get(key).bins == {"a": 1}
        assert _opened() == opened + (0 if reused else 1)
    finally:
        client.close()


@pytest.mark.asyncio
async def test_batch_read_timeout_with_delay_reuses_the_connection(
        embedded: EmbeddedServer) -> None:
    client = aerospike_py.async_client({"hosts": embedded.hosts})
    await client.connect()
    try:
        keys = [("test", "timeout_delay_b", i) for i in range(100)]
        for k in keys:
            await client.put(k, {"v": k[2]})
        opened = _opened()
        embedded.set_fault(0, "delay", delay_ms=150, scope="data")
        with pytest.raises(AerospikeTimeoutError):
            await client.batch_read(keys, None, {"socket_timeout": 40, "total_timeout": 2000,
                                                 "max_retries": 0, "timeout_delay": 1000})
        embedded.clear_faults()
        time.sleep(0.3)
        got = await client.batch_read(keys)
        assert len(got) == 100
        assert _opened() == opened
    finally:
        await client.close()
