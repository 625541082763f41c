"""The core's log records reach Python's ``logging`` on their own.

Cluster events arrive at INFO and one line per command at DEBUG on the logger
``aerospike_py``, passed on by the bridge's log thread (never by the event
thread, which must not touch Python), without the application calling
anything. The core builds only the records that logger would keep.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator

import pytest

import aerospike_py
from aerospike_py import _core
from aerospike_py._observability import forward_core_logs, sync_log_level
from aerospike_py.testing import EmbeddedServer, ServerHandle

LOGGER = "aerospike_py"


@pytest.fixture(autouse=True)
def _restore_logger_level() -> Iterator[None]:
    logger = logging.getLogger(LOGGER)
    previous = logger.level
    yield
    logger.setLevel(previous)
    sync_log_level()
    forward_core_logs()


def _wait_for(
    caplog: pytest.LogCaptureFixture,
    predicate: Callable[[logging.LogRecord], bool],
    timeout: float = 10.0,
) -> logging.LogRecord:
    """Waits (without calling into aerospike_py) for a matching captured record."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for record in list(caplog.records):
            if record.name == LOGGER and predicate(record):
                return record
        time.sleep(0.02)
    seen = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    raise AssertionError(f"no matching record within {timeout}s; saw {seen}")


def test_cluster_events_reach_logging_at_info(
    aerospike_cluster3: EmbeddedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    client = aerospike_py.client({"hosts": aerospike_cluster3.hosts}).connect()
    try:
        assert _core._log_level() == 2, "INFO on the logger: the core queues up to INFO"
        added = _wait_for(caplog, lambda r: " added at 127.0.0.1:" in r.getMessage())
        assert added.levelno == logging.INFO
        # Passed on by the bridge's log thread, not by the caller or the event thread.
        assert added.threadName == "aerospike_py-log"
        for node in range(3):
            name = aerospike_cluster3.node_id(node)
            _wait_for(caplog, lambda r, n=name: r.getMessage().startswith(f"node {n} added"))

        stopped = aerospike_cluster3.node_id(1)
        aerospike_cluster3.stop_node(1)
        removed = _wait_for(caplog, lambda r: r.getMessage().startswith(f"node {stopped} removed"))
        assert removed.levelno == logging.INFO
        assert removed.threadName == "aerospike_py-log"
        assert removed.created <= time.time()
        _wait_for(caplog, lambda r: r.getMessage() == "partition map updated: 2 nodes")
        # INFO does not include per-command lines: the core did not even build them.
        client.put(("test", "demo", "info-only"), {"a": 1})
        forward_core_logs()
        assert not [r for r in caplog.records if r.getMessage().startswith("record ")]
    finally:
        client.close()


def test_commands_are_logged_at_debug(
    aerospike_server: ServerHandle, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    with aerospike_py.client(aerospike_server.client_config()).connect() as client:
        assert _core._log_level() == 3
        key = ("test", "logdemo", "k1")
        client.put(key, {"a": 1})
        assert client.get(key).bins == {"a": 1}
        client.batch_read([key, ("test", "logdemo", "missing")])
        with pytest.raises(aerospike_py.RecordNotFound):
            client.get(("test", "logdemo", "missing"))
    write = _wait_for(caplog, lambda r: r.getMessage().startswith("record write test/logdemo"))
    assert write.levelno == logging.DEBUG
    assert " -> node " in write.getMessage() and ", ok in " in write.getMessage()
    _wait_for(caplog, lambda r: r.getMessage().startswith("record read test/logdemo"))
    batch = _wait_for(caplog, lambda r: r.getMessage().startswith("batch of 2 keys"))
    assert "1 found, 0 failed" in batch.getMessage()
    miss = _wait_for(caplog, lambda r: "RECORD_NOT_FOUND (2)" in r.getMessage())
    assert miss.getMessage().startswith("record read test/logdemo")
    # User keys are not written to logs; the digest identifies the record.
    assert not [r for r in caplog.records if "k1" in r.getMessage()]


def test_async_commands_are_logged(
    aerospike_server: ServerHandle, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)

    async def run() -> None:
        async with await aerospike_py.async_client(aerospike_server.client_config()).connect() as client:
            await client.put(("test", "logdemo", "async"), {"b": 2})

    asyncio.run(run())
    _wait_for(caplog, lambda r: r.getMessage().startswith("record write test/logdemo"))


def test_core_level_follows_the_logger(
    aerospike_server: ServerHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aerospike_py import _observability

    # Every record that reaches Python, whether the log thread or
    # forward_core_logs() takes it from the queue.
    reached: list[str] = []
    real_emit = _observability._emit

    def spy(records: list[tuple[int, str, float]]) -> None:
        reached.extend(message for _, message, _ in records)
        real_emit(records)

    monkeypatch.setattr(_observability, "_emit", spy)
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.WARNING)
    assert sync_log_level() == 1
    logger.setLevel(logging.ERROR)
    assert sync_log_level() == 0
    aerospike_py.set_log_level(aerospike_py.LOG_LEVEL_OFF)
    assert logger.level > logging.CRITICAL and _core._log_level() == -1
    with aerospike_py.client(aerospike_server.client_config()).connect() as client:
        client.put(("test", "logdemo", "off"), {"c": 3})
    time.sleep(0.1)  # the log thread looks every 20 ms
    forward_core_logs()
    assert reached == [], "nothing is queued while the logger is off"
    aerospike_py.set_log_level(aerospike_py.LOG_LEVEL_DEBUG)
    with aerospike_py.client(aerospike_server.client_config()).connect() as client:
        client.put(("test", "logdemo", "on"), {"c": 4})
    deadline = time.monotonic() + 5
    while not any(m.startswith("record write test/logdemo") for m in reached):
        assert time.monotonic() < deadline, reached
        time.sleep(0.02)
    aerospike_py.set_log_level(aerospike_py.LOG_LEVEL_INFO)
    assert logger.level == logging.INFO and _core._log_level() == 2
    aerospike_py.set_log_level(aerospike_py.LOG_LEVEL_TRACE)
    assert logger.isEnabledFor(logging.DEBUG) and _core._log_level() == 3
    # A level changed behind our back is picked up by the log thread within a second.
    logger.setLevel(logging.WARNING)
    deadline = time.monotonic() + 5
    while _core._log_level() != 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _core._log_level() == 1


def test_wait_logs_releases_the_gil_and_times_out() -> None:
    import threading

    logging.getLogger(LOGGER).setLevel(logging.CRITICAL + 10)
    sync_log_level()
    forward_core_logs()
    ticks = 0
    stop = False

    def spin() -> None:
        nonlocal ticks
        while not stop:
            ticks += 1

    t = threading.Thread(target=spin)
    t.start()
    started = time.monotonic()
    try:
        assert _core._wait_logs(300) == []
    finally:
        stop = True
        t.join()
    assert time.monotonic() - started >= 0.25
    assert ticks > 1000, "another Python thread ran while _wait_logs waited"
