"""fork() and signals: a child process gets a clear error from a parent's
client (the parent is unaffected), and a signal interrupts a blocked sync
call promptly without leaking its command."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections.abc import Iterator

import pytest

import aerospike_py
from aerospike_py.exception import ClientError
from aerospike_py.testing import EmbeddedServer, ServerHandle


@pytest.fixture
def embedded() -> Iterator[EmbeddedServer]:
    with EmbeddedServer() as server:
        yield server


def _child_result(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status), status
    return os.WEXITSTATUS(status)


def test_forked_child_gets_client_error_and_parent_is_unaffected(
    aerospike_server: ServerHandle,
) -> None:
    key = (aerospike_server.namespace, "f" + uuid.uuid4().hex[:10], "k")
    sync = aerospike_py.client(aerospike_server.client_config()).connect()
    asy = aerospike_py.async_client(aerospike_server.client_config())
    asyncio.run(asy.connect())
    sync.put(key, {"a": 1})
    pid = os.fork()
    if pid == 0:  # child: report through the exit code, never return into pytest
        code = 0
        try:
            try:
                sync.get(key)
                code |= 1
            except ClientError as exc:
                if "fork" not in str(exc):
                    code |= 2

            async def use_async() -> None:
                await asy.get(key)

            try:
                asyncio.run(use_async())
                code |= 4
            except ClientError:
                pass
            # A fresh client in the child works.
            fresh = aerospike_py.client(aerospike_server.client_config()).connect()
            if fresh.get(key).bins != {"a": 1}:
                code |= 8
            fresh.close()
            sync.close()  # must not touch the parent's event thread
            asy._close()
        except BaseException:  # noqa: BLE001
            code |= 16
        os._exit(code)
    assert _child_result(pid) == 0
    assert sync.get(key).bins == {"a": 1}

    async def parent_async() -> None:
        assert (await asy.get(key)).bins == {"a": 1}

    asyncio.run(parent_async())
    sync.close()
    asy._close()


class Interrupted(Exception):
    pass


@pytest.mark.embedded_server  # fault hooks
def test_signal_interrupts_a_blocked_sync_call(embedded: EmbeddedServer) -> None:
    key = ("test", "sig", "k")
    client = aerospike_py.client({"hosts": embedded.hosts}).connect()
    client.put(key, {"a": 1})
    embedded.set_fault(None, "delay", delay_ms=1500, scope="data")

    def handler(signum: int, frame: object) -> None:
        raise Interrupted

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    started = time.monotonic()
    try:
        with pytest.raises(Interrupted):
            client.get(key, {"total_timeout": 10_000})
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < 1.0
    embedded.clear_faults()
    # The abandoned command completes later; the client keeps working.
    assert client.get(key).bins == {"a": 1}
    client.close()
