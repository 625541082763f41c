"""Fixtures of the integration tests.

``db`` is a connected client in both flavours (``sync``: aerospike_py.Client,
``async``: aerospike_py.AsyncClient) behind one awaitable interface, so every
scenario is written once and checked against both. Tests run against the
``aerospike_server`` fixture: the embedded server, or a real cluster when
``AEROSPIKE_HOSTS`` is set; they use a fresh set name each, so they do not
depend on (or disturb) other data.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
import pytest_asyncio

import aerospike_py
from aerospike_py.testing import EmbeddedServer, ServerHandle


class Db:
    """Awaitable calls on a sync or async client: ``await db.get(key)``."""

    def __init__(self, client: aerospike_py.Client | aerospike_py.AsyncClient) -> None:
        self.client = client
        self.is_async = isinstance(client, aerospike_py.AsyncClient)

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        method = getattr(self.client, name)
        if self.is_async:
            return method  # type: ignore[no-any-return]

        async def call(*args: Any, **kwargs: Any) -> Any:
            return method(*args, **kwargs)

        return call


async def connect(
    config: dict[str, Any], is_async: bool
) -> aerospike_py.Client | aerospike_py.AsyncClient:
    if is_async:
        return await aerospike_py.async_client(config).connect()
    return aerospike_py.client(config).connect()


async def close(client: aerospike_py.Client | aerospike_py.AsyncClient) -> None:
    if isinstance(client, aerospike_py.AsyncClient):
        await client.close()
    else:
        client.close()


@pytest_asyncio.fixture(params=["sync", "async"])
async def db(request: pytest.FixtureRequest, aerospike_server: ServerHandle) -> AsyncIterator[Db]:
    client = await connect(aerospike_server.client_config(), request.param == "async")
    try:
        yield Db(client)
    finally:
        await close(client)


@pytest.fixture
def ns(aerospike_server: ServerHandle) -> str:
    return aerospike_server.namespace


@pytest.fixture
def set_name() -> str:
    return "t" + uuid.uuid4().hex[:12]


@pytest.fixture
def key(ns: str, set_name: str) -> tuple[str, str, str]:
    return (ns, set_name, "k-" + uuid.uuid4().hex[:8])


@pytest.fixture(scope="module")
def server_address() -> Iterator[tuple[str, int]]:
    """(host, port) of a server of the module's own, for tests whose child
    process loads it heavily: the embedded server in its own process, or the
    first of ``AEROSPIKE_HOSTS``."""
    real = os.environ.get("AEROSPIKE_HOSTS")
    if real:
        host, _, port = real.split(",")[0].partition(":")
        yield host, int(port or 3000)
        return
    proc = subprocess.Popen(
        [sys.executable, "-m", "aerospike_py.server", "--port", "0"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        m = re.search(r"listening on ([\d.]+):(\d+)", line)
        assert m, f"the embedded server did not start: {line!r}"
        yield m.group(1), int(m.group(2))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def seed_numbered(server: EmbeddedServer, set_name: str, n: int) -> list[tuple[str, str, int]]:
    """Writes records 0..n-1 of ``set_name`` (bin ``v`` = the key) and returns their keys."""
    keys = [("test", set_name, i) for i in range(n)]
    c = aerospike_py.client({"hosts": server.hosts}).connect()
    try:
        for i, k in enumerate(keys):
            c.put(k, {"v": i})
    finally:
        c.close()
    return keys
