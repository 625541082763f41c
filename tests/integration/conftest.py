"""Fixtures of the integration tests.

``db`` is a connected client in both flavours (``sync``: aerospike_py.Client,
``async``: aerospike_py.AsyncClient) behind one awaitable interface, so every
scenario is written once and checked against both. Tests run against the
``aerospike_server`` fixture: the embedded server, or a real cluster when
``AEROSPIKE_HOSTS`` is set; they use a fresh set name each, so they do not
depend on (or disturb) other data.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio

import aerospike_py
from aerospike_py.testing import ServerHandle


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
