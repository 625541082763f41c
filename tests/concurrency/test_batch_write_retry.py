"""batch_write(retry=N) against transient per-record failures: the embedded
server's ``key_busy`` fault answers every record of a reply with KEY_BUSY (14)
without executing it, so the retry rounds really run."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pytest

import aerospike_py
from aerospike_py import BatchRetryInfo
from aerospike_py.testing import EmbeddedServer

# Every test injects faults into the embedded server.
pytestmark = pytest.mark.embedded_server

KEY_BUSY = 14


@pytest.fixture
def embedded() -> Iterator[EmbeddedServer]:
    """A private embedded node: these tests inject faults."""
    with EmbeddedServer() as server:
        yield server


def test_busy_records_are_sent_again_until_written(embedded: EmbeddedServer) -> None:
    with aerospike_py.client({"hosts": embedded.hosts}).connect() as client:
        keys = [("test", "retry", i) for i in range(5)]
        embedded.set_fault(0, "key_busy", scope="data", count=2)
        result = client.batch_write([(k, {"v": k[2]}) for k in keys], retry=3)
        assert [r.result for r in result.batch_records] == [0] * 5
        assert result.retry == BatchRetryInfo(3, 4, False, 0)
        assert [client.get(k).bins for k in keys] == [{"v": i} for i in range(5)]


def test_retries_run_out_and_say_so(embedded: EmbeddedServer) -> None:
    with aerospike_py.client({"hosts": embedded.hosts}).connect() as client:
        keys = [("test", "retry_out", i) for i in range(3)]
        embedded.set_fault(0, "key_busy", scope="data", count=5)
        result = client.batch_write([(k, {"v": 1}) for k in keys], retry=1)
        assert [r.result for r in result.batch_records] == [KEY_BUSY] * 3
        assert result.retry == BatchRetryInfo(2, 2, False, 3)
        embedded.clear_faults()
        assert client.exists(keys[0]).meta is None  # nothing was written


def test_the_retry_loop_stays_inside_the_total_timeout(embedded: EmbeddedServer) -> None:
    with aerospike_py.client({"hosts": embedded.hosts}).connect() as client:
        embedded.set_fault(0, "key_busy", scope="data")
        started = time.monotonic()
        result = client.batch_write(
            [(("test", "retry_budget", 1), {"v": 1})], policy={"total_timeout": 50}, retry=100
        )
        elapsed = time.monotonic() - started
        assert result.retry.truncated_by_timeout and result.retry.unresolved == 1
        assert 1 <= result.retry.attempts < 100
        assert elapsed < 1.0


@pytest.mark.asyncio
async def test_numpy_rows_are_retried_async(embedded: EmbeddedServer) -> None:
    client = await aerospike_py.async_client({"hosts": embedded.hosts}).connect()
    try:
        data = np.array([(i, i * 10) for i in range(4)], dtype=[("_key", "i8"), ("v", "i8")])
        embedded.set_fault(0, "key_busy", scope="data", count=1)
        result = await client.batch_write_numpy(data, "test", "retry_np", data.dtype, retry=2)
        assert [r.result for r in result.batch_records] == [0] * 4
        assert result.retry.attempts == 2 and result.retry.unresolved == 0
        got = await client.batch_read([("test", "retry_np", i) for i in range(4)])
        assert got == {i: {"v": i * 10} for i in range(4)}
        # The async dict form of batch_write retries the same way.
        embedded.set_fault(0, "key_busy", scope="data", count=1)
        again = await client.batch_write([(("test", "retry_np", 9), {"v": 9})], retry=1)
        assert again.retry == BatchRetryInfo(2, 2, False, 0)
    finally:
        await client.close()
