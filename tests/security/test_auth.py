"""Logging in: internal (bcrypt credential), external (LDAP-like, clear
password over TLS only) and PKI (the client certificate names the user);
session tokens reused by new connections and renewed when they expire, on
every node; refusals raise the AdminError subclass of the server's code;
passwords never show in reprs, logs or error messages.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest

import aerospike_py
from aerospike_py import exception as ex
from aerospike_py.testing import EmbeddedServer
from aerospike_py.testing_pki import TestPki

from .conftest import ADMIN, EXTERNAL, SECURITY, WRITER, call, close, connect, tls_config

FLAVOURS = ["sync", "async"]


def logins(server: EmbeddedServer, node: int = 0) -> int:
    return int(server.info("logins", node))


@pytest.mark.asyncio
@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_internal_login_over_tls(flavour: str, secure_server: EmbeddedServer,
                                       pki: TestPki) -> None:
    config = tls_config(secure_server, pki, user=WRITER[0], password=WRITER[1])
    client = await connect(config, flavour)
    try:
        key = ("test", "auth", f"internal-{flavour}")
        await call(client, "put", key, {"v": 1})
        assert (await call(client, "get", key)).bins == {"v": 1}
        batch = await call(client, "batch_read", [key, ("test", "auth", "missing")])
        assert list(batch.values()) == [{"v": 1}]
    finally:
        await close(client)


def test_login_on_the_clear_port(secure_server: EmbeddedServer) -> None:
    config = {"hosts": secure_server.hosts, "user": WRITER[0], "password": WRITER[1]}
    with aerospike_py.client(config).connect() as client:
        client.put(("test", "auth", "clear"), {"v": 2})
        assert client.get(("test", "auth", "clear")).bins == {"v": 2}


def test_connect_username_password_arguments(secure_server: EmbeddedServer) -> None:
    with aerospike_py.client({"hosts": secure_server.hosts}).connect(*WRITER) as client:
        assert client.is_connected()


@pytest.mark.asyncio
@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_wrong_password_is_invalid_credential(flavour: str,
                                                    secure_server: EmbeddedServer) -> None:
    config = {"hosts": secure_server.hosts, "user": WRITER[0], "password": "not-it", "timeout": 2000}
    with pytest.raises(ex.AdminError) as info:
        await connect(config, flavour)
    assert info.value.code == 65  # INVALID_CREDENTIAL
    assert "INVALID_CREDENTIAL" in str(info.value)


def test_unknown_user_is_invalid_user(secure_server: EmbeddedServer) -> None:
    config = {"hosts": secure_server.hosts, "user": "nobody", "password": "x", "timeout": 2000}
    with pytest.raises(ex.AdminError) as info:
        aerospike_py.client(config).connect()
    assert info.value.code == 60  # INVALID_USER


def test_no_user_is_not_authenticated(secure_server: EmbeddedServer) -> None:
    with pytest.raises(ex.AdminError) as info:
        aerospike_py.client({"hosts": secure_server.hosts, "timeout": 2000}).connect()
    assert info.value.code == 80  # NOT_AUTHENTICATED


def test_sessions_are_reused_by_new_connections(secure_server: EmbeddedServer) -> None:
    before = logins(secure_server)
    config = {"hosts": secure_server.hosts, "user": WRITER[0], "password": WRITER[1],
              "max_conns_per_node": 64}
    with aerospike_py.client(config).connect() as client:

        async def burst() -> None:
            async with await aerospike_py.async_client(config).connect() as ac:
                await asyncio.gather(*(ac.put(("test", "auth", i), {"i": i}) for i in range(64)))

        asyncio.run(burst())
        client.batch_read([("test", "auth", i) for i in range(64)])
    # One LOGIN per client (on its seed's validation connection); every
    # other connection AUTHENTICATEs with that session.
    assert logins(secure_server) - before == 2


def test_relogin_when_the_session_expires_on_every_node(pki: TestPki) -> None:
    security = dict(SECURITY, session_ttl=2)
    with EmbeddedServer(nodes=3, replication_factor=2, security=security) as server:
        config = {"hosts": server.hosts[:1], "user": WRITER[0], "password": WRITER[1],
                  "tend_interval": 100, "idle_timeout": 200}
        with aerospike_py.client(config).connect() as client:
            deadline = time.monotonic() + 10
            while len(client.get_node_names()) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(client.get_node_names()) == 3
            first = [logins(server, n) for n in range(3)]
            assert all(n >= 1 for n in first), first
            keys = [("test", "expiry", i) for i in range(300)]
            client.batch_write([(k, {"i": i}) for i, k in enumerate(keys)])
            # Past the session TTL; idle connections are reaped, so the next
            # commands need new connections, which must log in again.
            time.sleep(3.0)
            assert len(client.batch_read(keys)) == 300
            for i in range(30):
                client.put(("test", "expiry", f"after-{i}"), {"i": i})
            again = [logins(server, n) for n in range(3)]
            assert all(a > f for a, f in zip(again, first)), (first, again)


def test_external_login_over_tls(secure_server: EmbeddedServer, pki: TestPki) -> None:
    config = tls_config(secure_server, pki, user=EXTERNAL[0], password=EXTERNAL[1],
                        auth_mode=aerospike_py.AUTH_EXTERNAL)
    with aerospike_py.client(config).connect() as client:
        client.put(("test", "auth", "external"), {"v": 3})
    config["password"] = "wrong"
    with pytest.raises(ex.AdminError) as info:
        aerospike_py.client(config).connect()
    assert info.value.code == 65


def test_external_login_needs_tls(secure_server: EmbeddedServer) -> None:
    config = {"hosts": secure_server.hosts, "user": EXTERNAL[0], "password": EXTERNAL[1],
              "auth_mode": aerospike_py.AUTH_EXTERNAL}
    with pytest.raises(ex.ParamError) as info:
        aerospike_py.client(config).connect()
    assert "TLS" in str(info.value)
    assert EXTERNAL[1] not in str(info.value)


def test_pki_login_with_the_client_certificate(secure_server: EmbeddedServer,
                                               pki: TestPki) -> None:
    config = tls_config(secure_server, pki, cert="pki-user", auth_mode=aerospike_py.AUTH_PKI)
    with aerospike_py.client(config).connect() as client:
        client.put(("test", "auth", "pki"), {"v": 4})
        assert client.admin_query_user_info("pki-user")["conns_in_use"] >= 1
    # A certificate whose name is no user.
    config = tls_config(secure_server, pki, cert="app-user", auth_mode=aerospike_py.AUTH_PKI)
    with pytest.raises(ex.AdminError) as info:
        aerospike_py.client(config).connect()
    assert info.value.code == 60


def test_pki_needs_a_client_certificate(secure_server: EmbeddedServer, pki: TestPki) -> None:
    config = tls_config(secure_server, pki, auth_mode=aerospike_py.AUTH_PKI)
    with pytest.raises(ex.ParamError):
        aerospike_py.client(config).connect()


def test_policies_auth_mode_spelling(secure_server: EmbeddedServer, pki: TestPki) -> None:
    """The official client's config['policies']['auth_mode']."""
    config = tls_config(secure_server, pki, user=EXTERNAL[0], password=EXTERNAL[1],
                        policies={"auth_mode": aerospike_py.AUTH_EXTERNAL})
    with aerospike_py.client(config).connect() as client:
        assert client.ping()


def test_tls_for_login_only(secure_server: EmbeddedServer, pki: TestPki) -> None:
    before = logins(secure_server)
    config = tls_config(secure_server, pki, user=WRITER[0], password=WRITER[1])
    config["tls"]["for_login_only"] = True
    with aerospike_py.client(config).connect() as client:
        client.put(("test", "auth", "login-only"), {"v": 5})
        assert client.get(("test", "auth", "login-only")).bins == {"v": 5}
        # The node is used at its clear address.
        assert client.info_random_node("service-clear-std").endswith(
            f":{secure_server.ports[0]}")
    assert logins(secure_server) - before == 1


def test_login_timeout(secure_server: EmbeddedServer) -> None:
    secure_server.set_fault(0, "stop_answering", scope="info")
    try:
        config = {"hosts": secure_server.hosts, "user": WRITER[0], "password": WRITER[1],
                  "timeout": 3000, "login_timeout_ms": 300}
        started = time.monotonic()
        with pytest.raises(ex.ConnectionError) as info:
            aerospike_py.client(config).connect()
        assert time.monotonic() - started < 3
        assert "login" in str(info.value) and "timed out" in str(info.value)
    finally:
        secure_server.clear_faults()


def test_passwords_never_shown(secure_server: EmbeddedServer, pki: TestPki,
                               caplog: pytest.LogCaptureFixture) -> None:
    secret = "Very-Secret-Passw0rd"
    aerospike_py.set_log_level(aerospike_py.LOG_LEVEL_DEBUG)
    caplog.set_level(logging.DEBUG)
    try:
        config = {"hosts": secure_server.hosts, "user": WRITER[0], "password": secret,
                  "timeout": 2000}
        client = aerospike_py.client(config)
        assert secret not in repr(client) and secret not in str(client)
        with pytest.raises(ex.AdminError) as info:
            client.connect()
        texts = [str(info.value), repr(info.value), str(info.value.msg)]
        with aerospike_py.client({"hosts": secure_server.hosts, "user": ADMIN[0],
                                  "password": ADMIN[1]}).connect() as admin:
            admin.admin_create_user("shown-never", secret, ["read"])
            try:
                with pytest.raises(ex.AdminError) as dup:
                    admin.admin_create_user("shown-never", secret, ["read"])
                texts += [str(dup.value), repr(dup.value)]
                with pytest.raises(ex.ParamError) as bad:
                    admin.admin_create_user("x", secret, "not-a-list")  # type: ignore[arg-type]
                texts.append(str(bad.value))
            finally:
                admin.admin_drop_user("shown-never")
        aerospike_py.forward_core_logs()
        texts += [r.getMessage() for r in caplog.records]
        assert any("login refused" in t for t in texts), "the core's log was not captured"
        hashed = "$2a$10$7EqJtq98hPqEX7fNZaFWoO"
        for t in texts:
            assert secret not in t, t
            assert hashed not in t, t
    finally:
        aerospike_py.set_log_level(aerospike_py.LOG_LEVEL_WARN)
