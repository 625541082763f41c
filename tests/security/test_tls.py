"""TLS between the client and the embedded server's TLS listeners.

Every command kind (single record, operate, batch of each kind, info,
truncate) runs over server-only TLS and over mutual TLS, in both client
flavours; tending runs over TLS too (a three-node cluster found through
``peers-tls-std``). Each handshake failure surfaces at connect() as a
TLSError (a ConnectionError) that says why, within the connect timeout.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

import aerospike_py
from aerospike_py import exception as ex
from aerospike_py.testing import EmbeddedServer
from aerospike_py.testing_pki import TestPki

from .conftest import call, close, connect, tls_config

FLAVOURS = ["sync", "async"]


async def exercise_every_command(client: Any) -> None:
    """One of each command kind, checked for its real effect."""
    s = f"tls-{uuid.uuid4().hex[:8]}"
    key = ("test", s, "k1")
    await call(client, "put", key, {"a": 1, "s": "x", "l": [1, 2]})
    rec = await call(client, "get", key)
    assert rec.bins == {"a": 1, "s": "x", "l": [1, 2]}
    assert (await call(client, "select", key, ["a"])).bins == {"a": 1}
    assert (await call(client, "exists", key)).meta is not None
    await call(client, "touch", key, 100)
    await call(client, "append", key, "s", "y")
    await call(client, "prepend", key, "s", "w")
    await call(client, "increment", key, "a", 5)
    got = await call(client, "operate", key, [
        {"op": aerospike_py.OPERATOR_READ, "bin": "a"},
        {"op": aerospike_py.OPERATOR_READ, "bin": "s"},
    ])
    assert got.bins == {"a": 6, "s": "wxy"}
    ordered = await call(client, "operate_ordered", key, [{"op": aerospike_py.OPERATOR_READ, "bin": "a"}])
    assert [b.value for b in ordered.ordered_bins] == [6]
    await call(client, "remove_bin", key, ["l"])
    assert "l" not in (await call(client, "get", key)).bins

    keys = [("test", s, f"b{i}") for i in range(50)]
    written = await call(client, "batch_write", [(k, {"v": i}) for i, k in enumerate(keys)])
    assert all(br.result == 0 for br in written.batch_records)
    found = await call(client, "batch_read", keys)
    assert len(found) == 50
    view = await call(client, "batch_read_view", keys)
    assert [r.record.bins["v"] for r in view] == list(range(50))
    ops = await call(client, "batch_operate", keys[:10],
                     [{"op": aerospike_py.OPERATOR_INCR, "bin": "v", "val": 100}])
    assert all(br.result == 0 for br in ops.batch_records)
    removed = await call(client, "batch_remove", keys[40:])
    assert all(br.result == 0 for br in removed.batch_records)
    assert len(await call(client, "batch_read", keys)) == 40

    assert (await call(client, "info_random_node", "build")).startswith("8.")
    nodes = await call(client, "info_all", "namespaces")
    assert nodes and all(n.error_code == 0 and "test" in n.response for n in nodes)
    name = client.get_node_names()[0]
    assert await call(client, "info_single_node", "node", name) == name
    assert await call(client, "ping") is True
    await call(client, "remove", ("test", s, "b0"))
    assert (await call(client, "exists", ("test", s, "b0"))).meta is None
    await call(client, "truncate", "test", s)
    deadline = time.monotonic() + 5
    while (await call(client, "exists", key)).meta is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert (await call(client, "exists", key)).meta is None


@pytest.mark.asyncio
@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_server_only_tls_every_command(flavour: str, tls_server: EmbeddedServer,
                                             pki: TestPki) -> None:
    client = await connect(tls_config(tls_server, pki), flavour)
    try:
        await exercise_every_command(client)
    finally:
        await close(client)


@pytest.mark.asyncio
@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_mutual_tls_every_command(flavour: str, mtls_server: EmbeddedServer,
                                        pki: TestPki) -> None:
    client = await connect(tls_config(mtls_server, pki, cert="app-user"), flavour)
    try:
        await exercise_every_command(client)
    finally:
        await close(client)


def test_tend_over_tls_finds_peers_and_follows_a_node_leaving(pki: TestPki) -> None:
    with EmbeddedServer(nodes=3, replication_factor=2,
                        tls=pki.server_tls(require_client_cert=True)) as server:
        config = tls_config(server, pki, cert="app-user", tend_interval=100)
        config["hosts"] = server.tls_hosts[:1]  # the others come from peers-tls-std
        with aerospike_py.client(config).connect() as client:
            deadline = time.monotonic() + 10
            while len(client.get_node_names()) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert sorted(client.get_node_names()) == sorted(server.node_id(i) for i in range(3))
            keys = [("test", "tend", i) for i in range(200)]
            client.batch_write([(k, {"i": i}) for i, k in enumerate(keys)])
            server.stop_node(2)
            deadline = time.monotonic() + 10
            while len(client.get_node_names()) > 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert server.node_id(2) not in client.get_node_names()
            assert len(client.batch_read(keys)) == 200
            assert server.misrouted() == 0


def connect_error(config: dict[str, Any]) -> tuple[BaseException, float]:
    started = time.monotonic()
    with pytest.raises(aerospike_py.AerospikeError) as info:
        aerospike_py.client(config).connect()
    return info.value, time.monotonic() - started


def assert_tls_error(err: BaseException, *words: str) -> None:
    assert isinstance(err, ex.TLSError), repr(err)
    assert isinstance(err, ex.ConnectionError)
    assert err.code == -9
    for w in words:
        assert w in str(err), str(err)


def test_unknown_ca(tls_server: EmbeddedServer, pki: TestPki) -> None:
    config = tls_config(tls_server, pki)
    config["tls"]["cafile"] = pki.other_ca_file
    err, took = connect_error(config)
    assert_tls_error(err, "unknown CA")
    assert took < 5


def test_server_certificate_from_an_untrusted_ca(pki: TestPki) -> None:
    assert pki.untrusted_server is not None
    with EmbeddedServer(tls=pki.server_tls(cert=pki.untrusted_server)) as server:
        err, _ = connect_error(tls_config(server, pki))
        assert_tls_error(err, "unknown CA")


def test_name_mismatch(tls_server: EmbeddedServer, pki: TestPki) -> None:
    config = tls_config(tls_server, pki)
    config["hosts"] = [(h, p, "some-other-name") for h, p, _ in tls_server.tls_hosts]
    err, _ = connect_error(config)
    assert_tls_error(err, "name mismatch", "some-other-name")


def test_wrong_name_certificate(pki: TestPki) -> None:
    assert pki.wrong_name_server is not None
    with EmbeddedServer(tls=pki.server_tls(cert=pki.wrong_name_server)) as server:
        err, _ = connect_error(tls_config(server, pki))
        assert_tls_error(err, "name mismatch", "aerospike-test")


def test_expired_certificate(pki: TestPki) -> None:
    assert pki.expired_server is not None
    with EmbeddedServer(tls=pki.server_tls(cert=pki.expired_server)) as server:
        err, _ = connect_error(tls_config(server, pki))
        assert_tls_error(err, "expired")


def test_no_protocol_in_common(pki: TestPki) -> None:
    with EmbeddedServer(tls=pki.server_tls(protocols="TLSv1.3")) as server:
        config = tls_config(server, pki)
        config["tls"]["protocols"] = "TLSv1.2"
        err, _ = connect_error(config)
        assert_tls_error(err, "protocol")


def test_mutual_tls_without_a_client_certificate(mtls_server: EmbeddedServer,
                                                 pki: TestPki) -> None:
    err, took = connect_error(tls_config(mtls_server, pki))
    assert_tls_error(err, "certificate")
    assert took < 5


def test_blacklisted_server_certificate(tls_server: EmbeddedServer, pki: TestPki,
                                        tmp_path: Any) -> None:
    import subprocess

    serial = subprocess.run(["openssl", "x509", "-in", pki.server.cert, "-noout", "-serial"],
                            capture_output=True, text=True, check=True).stdout
    listed = tmp_path / "blacklist"
    listed.write_text(serial.strip().split("=", 1)[1] + "\n")
    config = tls_config(tls_server, pki)
    config["tls"]["cert_blacklist"] = str(listed)
    err, _ = connect_error(config)
    assert_tls_error(err, "blacklisted")


def test_tls_client_at_a_clear_port_fails_fast(tls_server: EmbeddedServer, pki: TestPki) -> None:
    config = tls_config(tls_server, pki)
    config["hosts"] = [(h, p, "aerospike-test") for h, p in tls_server.hosts]
    err, took = connect_error(config)
    assert isinstance(err, ex.ConnectionError), repr(err)
    assert took < 5


def test_clear_client_at_a_tls_port_fails_fast(tls_server: EmbeddedServer) -> None:
    config = {"hosts": [(h, p) for h, p, _ in tls_server.tls_hosts], "timeout": 1000}
    err, took = connect_error(config)
    assert isinstance(err, ex.ClusterError), repr(err)
    assert took < 5


def test_bad_tls_files_are_param_errors(pki: TestPki, tls_server: EmbeddedServer,
                                        tmp_path: Any) -> None:
    for tls in (
        {"enable": True, "cafile": str(tmp_path / "missing.pem")},
        {"enable": True, "cafile": pki.ca_file, "certfile": pki.server.cert,
         "keyfile": pki.clients["app-user"].key},
        {"enable": True, "cafile": pki.ca_file, "protocols": "SSLv3"},
        {"enable": True, "cafile": pki.ca_file, "cipher_suite": "NOT-A-CIPHER"},
    ):
        with pytest.raises(ex.ParamError):
            aerospike_py.client({"hosts": tls_server.tls_hosts, "tls": tls}).connect()
    with pytest.warns(UserWarning, match="unknown key 'bogus'"):
        aerospike_py.client({"hosts": tls_server.tls_hosts, "tls": {"enable": False, "bogus": 1}})


def test_tls_disabled_dict_is_clear_text(tls_server: EmbeddedServer) -> None:
    with aerospike_py.client({"hosts": tls_server.hosts, "tls": {"enable": False}}).connect() as c:
        assert c.ping()


def test_crl_check_refuses_a_revoked_certificate(pki: TestPki) -> None:
    assert pki.revoked_server is not None
    with EmbeddedServer(tls=pki.server_tls(cert=pki.revoked_server)) as server:
        config = tls_config(server, pki)
        config["tls"].update(cafile=pki.ca_with_crl_file, crl_check=True)
        err, _ = connect_error(config)
        assert_tls_error(err, "revoked")
        config["tls"].update(crl_check=False, crl_check_all=True)
        err, _ = connect_error(config)
        assert_tls_error(err, "revoked")
        # Without a CRL check the same certificate is accepted.
        config["tls"].update(crl_check_all=False)
        with aerospike_py.client(config).connect() as client:
            assert client.ping()
    # A good certificate passes the check.
    with EmbeddedServer(tls=pki.server_tls()) as server:
        config = tls_config(server, pki)
        config["tls"].update(cafile=pki.ca_with_crl_file, crl_check_all=True)
        with aerospike_py.client(config).connect() as client:
            assert client.ping()


def test_capath_cipher_suite_and_session_log(tls_server: EmbeddedServer, pki: TestPki,
                                             tmp_path: Any,
                                             caplog: pytest.LogCaptureFixture) -> None:
    import logging
    import os
    import subprocess

    # capath: a directory of CA certificates named by their subject hash.
    subject_hash = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", pki.ca_file],
                                  capture_output=True, text=True, check=True).stdout.strip()
    os.symlink(pki.ca_file, tmp_path / f"{subject_hash}.0")
    config = tls_config(tls_server, pki)
    config["tls"] = {"enable": True, "capath": str(tmp_path),
                     "cipher_suite": "TLS_CHACHA20_POLY1305_SHA256", "log_session_info": True}
    caplog.set_level(logging.INFO, logger="aerospike_py")
    with aerospike_py.client(config).connect() as client:
        assert client.ping()
        aerospike_py.forward_core_logs()
    sessions = [r.getMessage() for r in caplog.records if "TLS session with" in r.getMessage()]
    assert sessions and all("TLSv1.3 TLS_CHACHA20_POLY1305_SHA256" in m for m in sessions), sessions


def test_encrypted_client_key(mtls_server: EmbeddedServer, pki: TestPki) -> None:
    config = tls_config(mtls_server, pki, cert="app-user")
    config["tls"]["keyfile"] = pki.encrypted_client_key
    with pytest.raises(ex.ParamError) as info:
        aerospike_py.client(config).connect()
    assert "keyfile" in str(info.value)
    config["tls"]["keyfile_pw"] = "wrong"
    with pytest.raises(ex.ParamError):
        aerospike_py.client(config).connect()
    config["tls"]["keyfile_pw"] = pki.encrypted_key_password
    with aerospike_py.client(config).connect() as client:
        assert client.ping()
