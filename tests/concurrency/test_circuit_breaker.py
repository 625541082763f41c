"""The per-node circuit breaker: with ``max_error_rate`` set, a node that cost
that many connections in the current window (broken replies, timeouts) is
skipped with MaxErrorRateExceeded until the window (``error_rate_window``
tend intervals) ends; without it, every command keeps trying the node."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

import aerospike_py
from aerospike_py.exception import (
    AerospikeError,
    ClientError,
    MaxErrorRateExceeded,
)
from aerospike_py.testing import EmbeddedServer

# Every test injects faults into the embedded server.
pytestmark = pytest.mark.embedded_server

NO_RETRY = {"max_retries": 0, "total_timeout": 2000}


@pytest.fixture
def embedded() -> Iterator[EmbeddedServer]:
    """A private embedded node: these tests inject faults."""
    with EmbeddedServer() as server:
        yield server


def _codes(client: aerospike_py.Client, key: tuple[str, str, int], n: int) -> list[int]:
    codes = []
    for _ in range(n):
        try:
            client.get(key, NO_RETRY)
            codes.append(0)
        except AerospikeError as exc:
            codes.append(exc.code)
    return codes


def test_breaker_opens_after_max_errors_and_closes_with_the_window(
    embedded: EmbeddedServer,
) -> None:
    tend_ms = 300
    config = {"hosts": embedded.hosts, "max_error_rate": 3, "error_rate_window": 2,
              "tend_interval": tend_ms}
    client = aerospike_py.client(config).connect()
    try:
        key = ("test", "breaker", 1)
        client.put(key, {"a": 1})
        time.sleep(2 * tend_ms / 1000 + 0.1)  # start from a fresh window
        embedded.set_fault(0, "garbage", scope="data")
        codes = _codes(client, key, 6)
        # Three broken replies (a bad frame is a client-side parse error),
        # then the node is skipped without a round trip.
        assert all(c != 0 and c != -14 for c in codes[:3]), codes
        assert codes[3:] == [-14, -14, -14], codes
        embedded.clear_faults()
        with pytest.raises(MaxErrorRateExceeded) as info:
            client.get(key, NO_RETRY)
        assert isinstance(info.value, ClientError)
        assert "max_error_rate 3" in info.value.msg
        # The window ends after error_rate_window tends: the node is used again.
        deadline = time.monotonic() + 10 * tend_ms / 1000
        while True:
            try:
                assert client.get(key, NO_RETRY).bins == {"a": 1}
                break
            except MaxErrorRateExceeded:
                assert time.monotonic() < deadline, "the breaker never closed"
                time.sleep(0.05)
    finally:
        client.close()


def test_a_batch_to_a_tripped_node_fails_with_max_error_rate(embedded: EmbeddedServer) -> None:
    config = {"hosts": embedded.hosts, "max_error_rate": 1, "tend_interval": 60000}
    client = aerospike_py.client(config).connect()
    try:
        keys = [("test", "breaker_b", i) for i in range(5)]
        for k in keys:
            client.put(k, {"i": k[2]})
        embedded.set_fault(0, "drop_mid_reply", scope="data", count=1)
        with pytest.raises(AerospikeError):
            client.get(keys[0], NO_RETRY)
        # Every key lives on the tripped node: the batch fails as a whole,
        # as it does when the node cannot be reached.
        with pytest.raises(MaxErrorRateExceeded, match="max_error_rate 1"):
            client.batch_read(keys, policy=NO_RETRY)
    finally:
        client.close()


def test_without_max_error_rate_the_node_is_always_tried(embedded: EmbeddedServer) -> None:
    client = aerospike_py.client({"hosts": embedded.hosts}).connect()
    try:
        key = ("test", "breaker_off", 1)
        client.put(key, {"a": 1})
        embedded.set_fault(0, "garbage", scope="data", count=20)
        codes = _codes(client, key, 20)
        assert -14 not in codes and all(c != 0 for c in codes), codes
        assert client.get(key, NO_RETRY).bins == {"a": 1}
    finally:
        client.close()
