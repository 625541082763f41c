"""Connection lifecycle and info methods, sync and async."""

from __future__ import annotations

import asyncio

import pytest

import aerospike_py
from aerospike_py import InfoNodeResult
from aerospike_py.exception import ClientError, ClusterError
from aerospike_py.testing import ServerHandle

from .conftest import Db, close, connect

pytestmark = pytest.mark.asyncio


async def test_connect_returns_self_and_close_is_idempotent(aerospike_server: ServerHandle) -> None:
    sync = aerospike_py.client(aerospike_server.client_config())
    assert not sync.is_connected()
    assert sync.connect() is sync
    assert sync.is_connected()
    # aerospike-py's state machine: a second connect() is refused.
    with pytest.raises(ClientError, match="already connected"):
        sync.connect()
    assert sync.is_connected()
    sync.close()
    sync.close()
    assert not sync.is_connected()
    with pytest.raises(ClientError, match="closed"):
        sync.get(("test", "demo", 1))

    asy = aerospike_py.async_client(aerospike_server.client_config())
    assert await asy.connect() is asy
    assert asy.is_connected()
    with pytest.raises(ClientError, match="already connected"):
        await asy.connect()
    await asy.close()
    await asy.close()
    assert not asy.is_connected()


async def test_reconnect_after_close(aerospike_server: ServerHandle, key: tuple[str, str, str]) -> None:
    c = aerospike_py.client(aerospike_server.client_config()).connect()
    c.put(key, {"a": 1})
    c.close()
    c.connect()
    assert c.get(key).bins == {"a": 1}
    c.close()


async def test_context_managers(aerospike_server: ServerHandle, key: tuple[str, str, str]) -> None:
    with aerospike_py.client(aerospike_server.client_config()).connect() as c:
        assert c.is_connected()
        c.put(key, {"a": 1})
    assert not c.is_connected()
    async with await aerospike_py.async_client(aerospike_server.client_config()).connect() as ac:
        assert ac.is_connected()
        assert (await ac.get(key)).bins == {"a": 1}
    assert not ac.is_connected()
    # aerospike-py style: entering does not connect; connect inside the block.
    async with aerospike_py.AsyncClient(aerospike_server.client_config()) as ac2:
        assert not ac2.is_connected()
        await ac2.connect()
        assert await ac2.ping()
    assert not ac2.is_connected()
    with aerospike_py.client(aerospike_server.client_config()) as c2:
        assert not c2.is_connected()
        c2.connect()
        assert c2.get(key).bins == {"a": 1}
    assert not c2.is_connected()


async def test_context_managers_do_not_connect_on_entry() -> None:
    # A dead port: entering must neither connect nor fail (aerospike-py's
    # tests build clients on such ports); leaving closes without error.
    config = {"hosts": [("127.0.0.1", 1)], "timeout": 200}
    sync = aerospike_py.client(config)
    with sync as entered:
        assert entered is sync
        assert not sync.is_connected()
    asy = aerospike_py.async_client(config)
    async with asy as aentered:
        assert aentered is asy
        assert not asy.is_connected()
    assert sync.__exit__(None, None, None) is False


async def test_concurrent_async_connects_one_wins(aerospike_server: ServerHandle) -> None:
    client = aerospike_py.async_client(aerospike_server.client_config())
    results = await asyncio.gather(
        client.connect(), client.connect(), client.connect(), return_exceptions=True
    )
    assert [r for r in results if r is client] == [client]
    refused = [r for r in results if isinstance(r, ClientError)]
    assert len(refused) == 2 and all("already" in str(e) for e in refused)
    assert client.is_connected()
    await client.close()
    # Closed: connect() works again.
    await client.connect()
    assert client.is_connected()
    await client.close()


async def test_close_while_connecting_ends_the_connect() -> None:
    # A seed that accepts and never answers: connect() is still pending when
    # close() runs. aerospike-py raises from close() here; ours closes and
    # the pending connect() fails (a deliberate difference, in the guide).
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        client = aerospike_py.async_client(
            {"hosts": [("127.0.0.1", silent.getsockname()[1])], "timeout": 5000}
        )
        pending = asyncio.ensure_future(client.connect())
        await asyncio.sleep(0.2)
        assert not pending.done()
        await client.close()
        with pytest.raises(ClusterError, match="closed"):
            await pending
        assert not client.is_connected()


async def test_failed_connect_can_be_retried() -> None:
    config = {"hosts": [("127.0.0.1", 1)], "timeout": 200}
    sync = aerospike_py.client(config)
    for _ in range(2):
        with pytest.raises(ClusterError):
            sync.connect()
        assert not sync.is_connected()
    asy = aerospike_py.async_client(config)
    for _ in range(2):
        with pytest.raises(ClusterError):
            await asy.connect()
        assert not asy.is_connected()


@pytest.mark.parametrize("is_async", [False, True])
async def test_connect_failure_raises_cluster_error(is_async: bool) -> None:
    config = {"hosts": [("127.0.0.1", 1)], "timeout": 300}
    with pytest.raises(ClusterError):
        await connect(config, is_async)


async def test_connect_with_wrong_cluster_name_fails(aerospike_server: ServerHandle) -> None:
    config = aerospike_server.client_config()
    config["cluster_name"] = "definitely-not-this-cluster"
    config["timeout"] = 500
    with pytest.raises(ClusterError):
        aerospike_py.client(config).connect()


async def test_ping_and_node_names(db: Db) -> None:
    assert await db.ping() is True
    names = db.client.get_node_names()
    assert names and all(isinstance(n, str) and n for n in names)


async def test_info_all(db: Db) -> None:
    results = await db.info_all("build")
    assert results
    for r in results:
        assert isinstance(r, InfoNodeResult)
        assert r.error_code == 0
        assert r.response and r.response[0].isdigit()
    assert {r.node_name for r in results} == set(db.client.get_node_names())


async def test_info_random_and_single_node(db: Db, ns: str) -> None:
    assert ns in (await db.info_random_node("namespaces")).split(";")
    node = db.client.get_node_names()[0]
    assert await db.info_single_node("node", node) == node
    with pytest.raises(aerospike_py.AerospikeError):
        await db.info_single_node("node", "NO_SUCH_NODE")


async def test_truncate(db: Db, ns: str, set_name: str) -> None:
    keys = [(ns, set_name, i) for i in range(20)]
    for k in keys:
        await db.put(k, {"i": k[2]})
    # A truncate removes the records last updated before its millisecond
    # (the server's clock): one written in that same millisecond stays.
    await asyncio.sleep(0.01)
    assert await db.truncate(ns, set_name) is None
    # Truncation is asynchronous on a real server: give it a moment.
    for _ in range(100):
        if all([(await db.exists(k)).meta is None for k in keys]):
            break
        await asyncio.sleep(0.05)
    assert all([(await db.exists(k)).meta is None for k in keys])
    # The set is usable again afterwards.
    await db.put(keys[0], {"i": 0})
    assert (await db.get(keys[0])).bins == {"i": 0}


async def test_default_policies_from_config(aerospike_server: ServerHandle, key: tuple[str, str, str]) -> None:
    config = aerospike_server.client_config()
    config["policies"] = {
        "write": {"ttl": 300, "key": aerospike_py.POLICY_KEY_SEND},
        "read": {"total_timeout": 3000},
    }
    for is_async in (False, True):
        client = await connect(config, is_async)
        db = Db(client)
        await db.put(key, {"a": 1})
        assert 290 <= (await db.get(key)).meta.ttl <= 301
        # TTL_CLIENT_DEFAULT uses the configured default too.
        await db.put(key, {"a": 2}, meta={"ttl": aerospike_py.TTL_CLIENT_DEFAULT})
        assert 290 <= (await db.get(key)).meta.ttl <= 301
        await close(client)


async def test_credentials_against_a_server_without_security(
    aerospike_server: ServerHandle,
) -> None:
    # A server without security answers LOGIN with 52 (SECURITY_NOT_ENABLED),
    # which clients take as "proceed": the embedded server does. Community
    # Edition answers 51 (SECURITY_NOT_SUPPORTED), which the official
    # clients refuse too. (Secured servers: tests/security/.)
    config = {**aerospike_server.client_config(), "user": "u", "password": "p"}
    if aerospike_server.embedded is None:
        with pytest.raises(aerospike_py.exception.SecurityNotSupported):
            aerospike_py.client(config).connect()
        return
    with aerospike_py.client(config).connect() as client:
        client.put(("test", "lifecycle", "creds"), {"v": 1})
    async with await aerospike_py.async_client(config).connect() as aclient:
        assert (await aclient.get(("test", "lifecycle", "creds"))).bins == {"v": 1}
    plain = aerospike_py.client(aerospike_server.client_config())
    plain.connect("u", "p")
    assert plain.is_connected()
    plain.close()


@pytest.mark.embedded_server  # the user-agents tally
async def test_the_client_reports_its_user_agent() -> None:
    # Servers 8.1+ learn each client's version and app_id through
    # user-agent-set (the embedded server reports what it was told).
    import base64

    from aerospike_py.testing import EmbeddedServer

    with EmbeddedServer() as server:
        async with await aerospike_py.async_client({"hosts": server.hosts, "app_id": "recsys"}).connect():
            pass
        with aerospike_py.client({"hosts": server.hosts}).connect():
            pass
        agents = {}
        for item in server.info("user-agents").split(";"):
            value, count = item.removeprefix("user-agent=").split(":count=")
            agents[base64.b64decode(value).decode()] = int(count)
    version = aerospike_py.__version__
    assert agents == {
        f"1,aerospike_py-{version},recsys": 1,
        f"1,aerospike_py-{version},not-set": 1,
    }
