"""Fixtures of the TLS, authentication and admin tests.

Community Edition has neither TLS nor security, so these tests always run
against the embedded server's Enterprise-like modes (its TLS listeners and
its security mode), also when ``AEROSPIKE_HOSTS`` names a real server.
Certificates are made once per session with the ``openssl`` command
(:mod:`aerospike_py.testing_pki`).

* ``pki``: the CA, server, client (``app-user``, ``pki-user``) and broken
  certificates.
* ``tls_server``: one node with a TLS listener (server certificate only).
* ``mtls_server``: one node whose TLS listener requires a client certificate.
* ``secure_server``: TLS (mutual optional) + security: users ``admin``
  (user-admin), ``writer`` (read-write), ``reader`` (read on test/readable),
  ``ldap-user`` (external), ``pki-user`` (PKI).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from aerospike_py.testing import EmbeddedServer
from aerospike_py.testing_pki import TestPki, make_test_pki

ADMIN = ("admin", "admin-Secret-1")
WRITER = ("writer", "writer-Secret-2")
READER = ("reader", "reader-Secret-3")
EXTERNAL = ("ldap-user", "ldap-Secret-4")

SECURITY: dict[str, Any] = {
    "users": [
        {"name": ADMIN[0], "password": ADMIN[1], "roles": ["user-admin", "read-write"]},
        {"name": WRITER[0], "password": WRITER[1], "roles": ["read-write", "truncate"]},
        {"name": READER[0], "password": READER[1], "roles": ["test-readable"]},
        {"name": EXTERNAL[0], "password": EXTERNAL[1], "roles": ["read-write"], "external": True},
        {"name": "pki-user", "password": "unused-Secret-5", "roles": ["read-write"]},
    ],
    "roles": [
        {"name": "test-readable", "privileges": [{"code": 10, "ns": "test", "set": "readable"}]},
    ],
}


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return make_test_pki(tmp_path_factory.mktemp("pki"), clients=("app-user", "pki-user"))


@pytest.fixture(scope="session")
def tls_server(pki: TestPki) -> Iterator[EmbeddedServer]:
    server = EmbeddedServer(tls=pki.server_tls()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def mtls_server(pki: TestPki) -> Iterator[EmbeddedServer]:
    server = EmbeddedServer(tls=pki.server_tls(require_client_cert=True)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def secure_server(pki: TestPki) -> Iterator[EmbeddedServer]:
    """TLS (client certificates accepted, not required) and security."""
    tls = pki.server_tls()
    server = EmbeddedServer(tls=tls, security=SECURITY).start()
    try:
        yield server
    finally:
        server.stop()


def tls_config(server: EmbeddedServer, pki: TestPki, cert: str | None = None,
               **extra: Any) -> dict[str, Any]:
    """A client config for the server's TLS listener; with `cert`, mutual TLS
    with that client certificate. `extra`: more config keys (user, ...)."""
    return {"hosts": server.tls_hosts, "tls": pki.client_tls(cert), "timeout": 3000, **extra}


async def connect(config: dict[str, Any], flavour: str) -> Any:
    """A connected Client ("sync") or AsyncClient ("async")."""
    import aerospike_py

    if flavour == "async":
        return await aerospike_py.async_client(config).connect()
    return aerospike_py.client(config).connect()


async def call(client: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    """Calls a method of either flavour and returns its result."""
    import aerospike_py

    result = getattr(client, name)(*args, **kwargs)
    if isinstance(client, aerospike_py.AsyncClient):
        result = await result
    return result


async def close(client: Any) -> None:
    import aerospike_py

    if isinstance(client, aerospike_py.AsyncClient):
        await client.close()
    else:
        client.close()
