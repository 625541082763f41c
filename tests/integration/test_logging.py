"""Cluster events of the core reach Python's logging once a level is set."""

from __future__ import annotations

import logging

import pytest

import aerospike_py
from aerospike_py._observability import forward_core_logs
from aerospike_py.testing import ServerHandle


def test_core_log_records_reach_logging(
    aerospike_server: ServerHandle, caplog: pytest.LogCaptureFixture
) -> None:
    aerospike_py.set_log_level(aerospike_py.LOG_LEVEL_DEBUG)
    try:
        with caplog.at_level(logging.DEBUG, logger="aerospike_py"):
            client = aerospike_py.client(aerospike_server.client_config()).connect()
            client.close()
            forward_core_logs()
        messages = [r.getMessage() for r in caplog.records if r.name == "aerospike_py"]
        assert messages, "connecting should log the node joining"
        assert aerospike_py.dropped_log_count() >= 0
    finally:
        aerospike_py.set_log_level(aerospike_py.LOG_LEVEL_OFF)
        forward_core_logs()
    # With logging off, nothing is queued.
    client = aerospike_py.client(aerospike_server.client_config()).connect()
    client.close()
    assert forward_core_logs() == 0
