"""Certificates for TLS tests, made at test time with the ``openssl`` command.

:func:`make_test_pki` writes a small public-key infrastructure into a
directory: a CA, a server certificate for the embedded server (TLS name
``aerospike-test``, also valid for ``localhost`` and ``127.0.0.1``), client
certificates (mutual TLS; the common name is the user a PKI login maps to),
and the broken certificates each handshake failure needs: one that expired,
one for another name, and one from a CA nobody trusts::

    pki = make_test_pki(tmp_path, clients=("app-user",))
    with EmbeddedServer(tls=pki.server_tls()) as server:
        client = aerospike_py.client({
            "hosts": server.tls_hosts,
            "tls": {"enable": True, "cafile": pki.ca_file},
        }).connect()

Python's :mod:`ssl` cannot make certificates, and the ``cryptography``
package is not a dependency; the ``openssl`` command line (Debian package
``openssl``) is used instead.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CertPair", "TestPki", "make_test_pki"]

#: The TLS name the embedded server's certificate carries (EmbeddedServer's default).
SERVER_TLS_NAME = "aerospike-test"


@dataclass(frozen=True)
class CertPair:
    """A certificate (PEM) and its private key (PEM)."""

    cert: str
    key: str


@dataclass(frozen=True)
class TestPki:
    """Paths of the files :func:`make_test_pki` made."""

    __test__ = False  # not a pytest test class despite its name

    directory: str
    ca_file: str
    server: CertPair
    clients: dict[str, CertPair] = field(default_factory=dict)
    expired_server: CertPair | None = None
    wrong_name_server: CertPair | None = None
    other_ca_file: str = ""
    untrusted_server: CertPair | None = None
    #: A server certificate the CA has revoked, the CA's CRL listing it, and
    #: the CA certificate followed by that CRL (a cafile for ``crl_check``).
    revoked_server: CertPair | None = None
    crl_file: str = ""
    ca_with_crl_file: str = ""
    #: The first client's key encrypted with :attr:`encrypted_key_password`.
    encrypted_client_key: str = ""
    encrypted_key_password: str = ""

    def server_tls(self, *, require_client_cert: bool = False, cert: CertPair | None = None,
                   protocols: str = "") -> dict[str, Any]:
        """The ``tls`` argument of :class:`~aerospike_py.testing.EmbeddedServer`."""
        pair = cert or self.server
        tls: dict[str, Any] = {
            "certfile": pair.cert,
            "keyfile": pair.key,
            "cafile": self.ca_file,
            "require_client_cert": require_client_cert,
        }
        if protocols:
            tls["protocols"] = protocols
        return tls

    def client_tls(self, user: str | None = None, **extra: Any) -> dict[str, Any]:
        """A client ``config["tls"]``: trust the CA; with ``user``, present its certificate."""
        tls: dict[str, Any] = {"enable": True, "cafile": self.ca_file}
        if user is not None:
            tls["certfile"] = self.clients[user].cert
            tls["keyfile"] = self.clients[user].key
        tls.update(extra)
        return tls


def _openssl(*args: str, cwd: str) -> None:
    exe = shutil.which("openssl")
    if exe is None:
        raise RuntimeError("the 'openssl' command is needed to make test certificates")
    done = subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed: {done.stderr.strip()}")


def _key_and_request(d: str, stem: str, cn: str) -> None:
    _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", f"{stem}.key", "-out", f"{stem}.csr", "-subj", f"/CN={cn}", cwd=d)


def _self_signed_ca(d: str, stem: str, cn: str) -> None:
    _openssl("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-keyout", f"{stem}.key", "-out", f"{stem}.pem", "-subj", f"/CN={cn}",
             "-days", "3650", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)


def _sign(d: str, ca: str, stem: str, san: str, start: str = "", end: str = "") -> CertPair:
    """Signs ``stem.csr`` with ``ca`` through ``openssl ca`` (which, unlike
    ``openssl x509`` of OpenSSL 3.0, takes explicit validity dates)."""
    with open(os.path.join(d, f"{stem}.ext"), "w", encoding="ascii") as f:
        f.write("basicConstraints=critical,CA:FALSE\n")
        if san:
            f.write(f"subjectAltName={san}\n")
    dates = ["-startdate", start, "-enddate", end] if start else ["-days", "365"]
    _openssl("ca", "-batch", "-notext", "-config", f"{ca}.cnf", "-in", f"{stem}.csr",
             "-out", f"{stem}.pem", "-extfile", f"{stem}.ext", *dates, cwd=d)
    return CertPair(os.path.join(d, f"{stem}.pem"), os.path.join(d, f"{stem}.key"))


def _ca_config(d: str, ca: str) -> None:
    with open(os.path.join(d, f"{ca}.cnf"), "w", encoding="ascii") as f:
        f.write(
            "[ ca ]\ndefault_ca = test_ca\n"
            "[ test_ca ]\n"
            "default_crl_days = 30\n"
            f"database = {ca}.index\nnew_certs_dir = {ca}.issued\n"
            f"certificate = {ca}.pem\nprivate_key = {ca}.key\nserial = {ca}.serial\n"
            "default_md = sha256\npolicy = any_name\nunique_subject = no\n"
            "[ any_name ]\ncommonName = supplied\n"
        )
    open(os.path.join(d, f"{ca}.index"), "w", encoding="ascii").close()
    with open(os.path.join(d, f"{ca}.serial"), "w", encoding="ascii") as f:
        f.write("1000\n")
    os.makedirs(os.path.join(d, f"{ca}.issued"), exist_ok=True)


def make_test_pki(directory: str | os.PathLike[str], clients: Iterable[str] = ("app-user",)
                  ) -> TestPki:
    """Makes a CA, server and client certificates and the broken ones in ``directory``.

    Args:
        directory: where the files go (created if missing).
        clients: common names of the client certificates to make (a PKI login
            logs in as the user of that name).
    """
    d = str(pathlib.Path(directory).resolve())
    os.makedirs(d, exist_ok=True)
    server_san = f"DNS:{SERVER_TLS_NAME},DNS:localhost,IP:127.0.0.1"
    _self_signed_ca(d, "ca", "aerospike_py test CA")
    _ca_config(d, "ca")
    _self_signed_ca(d, "other-ca", "an untrusted CA")
    _ca_config(d, "other-ca")

    _key_and_request(d, "server", SERVER_TLS_NAME)
    server = _sign(d, "ca", "server", server_san)
    _key_and_request(d, "expired", SERVER_TLS_NAME)
    expired = _sign(d, "ca", "expired", server_san, "20200101000000Z", "20200201000000Z")
    _key_and_request(d, "wrong-name", "not-the-server")
    wrong_name = _sign(d, "ca", "wrong-name", "DNS:not-the-server.example")
    _key_and_request(d, "untrusted", SERVER_TLS_NAME)
    untrusted = _sign(d, "other-ca", "untrusted", server_san)

    made: dict[str, CertPair] = {}
    for i, name in enumerate(clients):
        stem = f"client-{i}"
        _key_and_request(d, stem, name)
        made[name] = _sign(d, "ca", stem, "")

    # A revoked server certificate and the CRL that says so.
    _key_and_request(d, "revoked", SERVER_TLS_NAME)
    revoked = _sign(d, "ca", "revoked", server_san)
    _openssl("ca", "-batch", "-config", "ca.cnf", "-revoke", "revoked.pem", cwd=d)
    _openssl("ca", "-batch", "-config", "ca.cnf", "-gencrl", "-crldays", "30", "-out", "ca.crl",
             cwd=d)
    with open(os.path.join(d, "ca-with-crl.pem"), "w", encoding="ascii") as out:
        for part in ("ca.pem", "ca.crl"):
            with open(os.path.join(d, part), encoding="ascii") as f:
                out.write(f.read())

    encrypted_key, key_password = "", ""
    if made:
        key_password = "client-key-Pass-1"
        encrypted_key = os.path.join(d, "client-0.encrypted.key")
        _openssl("pkey", "-in", "client-0.key", "-aes256", "-passout", f"pass:{key_password}",
                 "-out", encrypted_key, cwd=d)
    return TestPki(
        directory=d,
        ca_file=os.path.join(d, "ca.pem"),
        server=server,
        clients=made,
        expired_server=expired,
        wrong_name_server=wrong_name,
        other_ca_file=os.path.join(d, "other-ca.pem"),
        untrusted_server=untrusted,
        revoked_server=revoked,
        crl_file=os.path.join(d, "ca.crl"),
        ca_with_crl_file=os.path.join(d, "ca-with-crl.pem"),
        encrypted_client_key=encrypted_key,
        encrypted_key_password=key_password,
    )
