"""Testing your own code against the embedded server with the pytest plugin.

Installing aerospike_py registers a pytest plugin (entry point ``pytest11``)
with a session fixture ``aerospike_server``: an in-process embedded server,
or the real cluster named by ``AEROSPIKE_HOSTS=host:port[,host:port]``. No
conftest.py is needed::

    pytest examples/pytest_fixture
    AEROSPIKE_HOSTS=127.0.0.1:3000 pytest examples/pytest_fixture

(``aerospike_cluster3`` gives a fresh three-node embedded cluster with fault
hooks, for failover tests.) Async tests use pytest-asyncio.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

import aerospike_py
from aerospike_py.testing import ServerHandle


class UserStore:
    """The application code under test: a tiny user repository."""

    def __init__(self, client: aerospike_py.Client, namespace: str) -> None:
        self.client = client
        self.namespace = namespace

    def save(self, user_id: int, name: str) -> None:
        self.client.put((self.namespace, "users", user_id), {"name": name})

    def name_of(self, user_id: int) -> str | None:
        try:
            bins = self.client.get((self.namespace, "users", user_id)).bins
        except aerospike_py.RecordNotFound:
            return None
        return None if bins is None else str(bins["name"])


@pytest.fixture
def client(aerospike_server: ServerHandle) -> Iterator[aerospike_py.Client]:
    with aerospike_py.client(aerospike_server.client_config()).connect() as c:
        yield c


@pytest_asyncio.fixture
async def async_client(aerospike_server: ServerHandle) -> AsyncIterator[aerospike_py.AsyncClient]:
    async with await aerospike_py.async_client(aerospike_server.client_config()).connect() as c:
        yield c


def test_saved_user_is_found(client: aerospike_py.Client, aerospike_server: ServerHandle) -> None:
    store = UserStore(client, aerospike_server.namespace)
    store.save(1, "Ann")
    assert store.name_of(1) == "Ann"
    assert store.name_of(2) is None


@pytest.mark.asyncio
async def test_async_batch(async_client: aerospike_py.AsyncClient, aerospike_server: ServerHandle) -> None:
    ns = aerospike_server.namespace
    for i in range(10):
        await async_client.put((ns, "scores", i), {"score": i * i})
    found = await async_client.batch_read([(ns, "scores", i) for i in range(12)])
    assert {k: v["score"] for k, v in found.items()} == {i: i * i for i in range(10)}
