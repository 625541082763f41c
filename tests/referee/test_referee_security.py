"""The official client (``aerospike`` from PyPI, which has TLS and
authentication) against the embedded server's TLS + security mode: it must
connect over TLS (server-only and mutual), log in, and pass the same data
and admin calls our client passes (tests/security/). Always embedded:
Community Edition has neither TLS nor security.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import aerospike
import pytest
from aerospike import exception as official_ex

from aerospike_py.testing import EmbeddedServer
from aerospike_py.testing_pki import TestPki, make_test_pki

ADMIN = ("admin", "admin-Secret-1")
SECURITY: dict[str, Any] = {
    "users": [
        {"name": ADMIN[0], "password": ADMIN[1], "roles": ["user-admin", "read-write", "truncate"]},
        {"name": "reader", "password": "reader-Secret-3", "roles": ["scoped-read"]},
        {"name": "pki-user", "password": "unused-Secret-5", "roles": ["read-write"]},
    ],
    "roles": [{"name": "scoped-read", "privileges": [{"code": 10, "ns": "test", "set": "open"}]}],
}


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return make_test_pki(tmp_path_factory.mktemp("referee-pki"), clients=("app-user", "pki-user"))


@pytest.fixture(scope="module")
def server(pki: TestPki) -> Iterator[EmbeddedServer]:
    with EmbeddedServer(nodes=2, replication_factor=2, tls=pki.server_tls(),
                        security=SECURITY) as s:
        yield s


def official(server: EmbeddedServer, pki: TestPki, user: tuple[str, str] | None = ADMIN,
             cert: str | None = None, **extra: Any) -> Any:
    tls: dict[str, Any] = {"enable": True, "cafile": pki.ca_file}
    if cert is not None:
        tls["certfile"] = pki.clients[cert].cert
        tls["keyfile"] = pki.clients[cert].key
    config: dict[str, Any] = {
        "hosts": server.tls_hosts[:1],
        "tls": tls,
        "policies": {"read": {"total_timeout": 3000}, "write": {"total_timeout": 3000}},
    }
    if user is not None:
        config["user"], config["password"] = user
    config.update(extra)
    return aerospike.client(config).connect()


def test_official_client_tls_login_data_calls(server: EmbeddedServer, pki: TestPki) -> None:
    client = official(server, pki)
    try:
        assert len(client.get_nodes()) == 2  # the peer came from peers-tls-std
        s = f"ref-{uuid.uuid4().hex[:6]}"
        keys = [("test", s, i) for i in range(20)]
        for i, k in enumerate(keys):
            client.put(k, {"i": i, "name": f"n{i}"})
        _, meta, bins = client.get(keys[3])
        assert bins == {"i": 3, "name": "n3"} and meta["gen"] == 1
        client.operate(keys[3], [{"op": aerospike.OPERATOR_INCR, "bin": "i", "val": 10}])
        assert client.get(keys[3])[2]["i"] == 13
        found = client.batch_read(keys)
        assert [br.record[2]["name"] for br in found.batch_records] == [f"n{i}" for i in range(20)]
        client.remove(keys[0])
        with pytest.raises(official_ex.RecordNotFound):
            client.get(keys[0])
        client.truncate("test", s, 0)
    finally:
        client.close()


def test_official_client_mutual_tls_and_pki(server: EmbeddedServer, pki: TestPki) -> None:
    client = official(server, pki, cert="app-user")
    try:
        client.put(("test", "mtls", 1), {"v": 1})
    finally:
        client.close()
    pki_client = official(server, pki, user=None, cert="pki-user",
                          policies={"auth_mode": aerospike.AUTH_PKI})
    try:
        pki_client.put(("test", "pki", 1), {"v": 2})
        assert pki_client.get(("test", "pki", 1))[2] == {"v": 2}
    finally:
        pki_client.close()


def test_official_client_admin_calls(server: EmbeddedServer, pki: TestPki) -> None:
    client = official(server, pki)
    tag = uuid.uuid4().hex[:6]
    user, role = f"ou-{tag}", f"or-{tag}"
    try:
        client.admin_create_role(role, [{"code": aerospike.PRIV_READ, "ns": "test", "set": "a"}],
                                 whitelist=["127.0.0.1"])
        got = client.admin_get_role(role)
        assert got["privileges"] == [{"code": aerospike.PRIV_READ, "ns": "test", "set": "a"}]
        assert got["whitelist"] == ["127.0.0.1"]
        client.admin_grant_privileges(role, [{"code": aerospike.PRIV_WRITE, "ns": "test"}])
        client.admin_revoke_privileges(role, [{"code": aerospike.PRIV_READ, "ns": "test",
                                               "set": "a"}])
        assert client.admin_get_role(role)["privileges"] == [
            {"code": aerospike.PRIV_WRITE, "ns": "test", "set": ""}]
        client.admin_set_whitelist(role, ["127.0.0.0/8"])
        assert client.admin_get_role(role)["whitelist"] == ["127.0.0.0/8"]
        with pytest.raises(official_ex.QuotasNotEnabled):  # 74: this server has no quotas
            client.admin_set_quotas(role, 10, 10)
        assert role in client.admin_get_roles()
        client.admin_create_user(user, "o-Pass-1", [role])
        info = client.admin_query_user_info(user)
        assert info["roles"] == [role]
        client.admin_grant_roles(user, ["read"])
        client.admin_revoke_roles(user, [role])
        assert client.admin_query_user_info(user)["roles"] == ["read"]
        assert user in client.admin_query_users_info()
        client.admin_set_password(user, "o-Pass-2")
        other = official(server, pki, user=(user, "o-Pass-2"))
        other.close()
        with pytest.raises(official_ex.AerospikeError) as refused:
            official(server, pki, user=(user, "o-Pass-1"))
        assert refused.value.code == 65  # INVALID_CREDENTIAL
        with pytest.raises(official_ex.AerospikeError) as dup:
            client.admin_create_user(user, "o-Pass-3", [])
        assert dup.value.code == 61  # USER_ALREADY_EXISTS
        client.admin_drop_user(user)
        client.admin_drop_role(role)
        with pytest.raises(official_ex.AerospikeError) as gone:
            client.admin_query_user_info(user)
        assert gone.value.code == 60  # INVALID_USER
    finally:
        client.close()


def test_official_client_is_refused_with_the_server_codes(server: EmbeddedServer,
                                                          pki: TestPki) -> None:
    with pytest.raises(official_ex.AerospikeError) as bad:
        official(server, pki, user=(ADMIN[0], "wrong"))
    assert bad.value.code == 65
    reader = official(server, pki, user=("reader", "reader-Secret-3"))
    try:
        admin = official(server, pki)
        admin.put(("test", "open", 1), {"v": 1})
        admin.put(("test", "closed", 1), {"v": 2})
        admin.close()
        assert reader.get(("test", "open", 1))[2] == {"v": 1}
        with pytest.raises(official_ex.AerospikeError) as denied:
            reader.get(("test", "closed", 1))
        assert denied.value.code == 81  # ROLE_VIOLATION
        with pytest.raises(official_ex.AerospikeError) as denied:
            reader.put(("test", "open", 1), {"v": 3})
        assert denied.value.code == 81
    finally:
        reader.close()


def test_official_client_handshake_failures(pki: TestPki) -> None:
    assert pki.expired_server is not None
    with EmbeddedServer(tls=pki.server_tls(cert=pki.expired_server)) as expired:
        with pytest.raises(official_ex.AerospikeError):
            official(expired, pki, user=None, timeout=2000)
