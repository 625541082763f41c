"""Records the official client's bytes for every case of
tests/expression_cases.py into expression_wire.json.

Run from the repository root with the official client (``aerospike`` from
PyPI) installed::

    .venv/bin/python tests/unit/data/make_expression_wire.py

The official client compiles expressions only on a connected client, so
this connects it to ``AEROSPIKE_HOSTS`` (host:port) when set, else to an
embedded server it starts (nothing is sent: the bytes come from its
``get_expression_base64``). Each entry keeps the two
sources and the official bytes in hex; tests/unit/test_expression_wire.py
checks aerospike_py.exp against them.
"""

from __future__ import annotations

import base64
import importlib.metadata
import contextlib
import hashlib
import json
import os
import pathlib
import sys
from collections.abc import Iterator
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def official_wire(client: object, source: str) -> bytes:
    import aerospike
    from aerospike_helpers import cdt_ctx as ctx
    from aerospike_helpers import expressions as e

    built = eval(source, {"e": e, "aerospike": aerospike, "ctx": ctx})
    b64 = client.get_expression_base64(built.compile())  # type: ignore[attr-defined]
    return base64.b64decode(b64)


def entry(ours: str, official: str, wire: bytes) -> dict[str, Any]:
    """A case's record: the bytes in hex, or their SHA-256 when long; a
    malformed official encoding (the official client has one) is marked."""
    out: dict[str, Any] = {"ours": ours, "official": official}
    if len(wire) <= 1024:
        out["wire"] = wire.hex()
    else:
        out["sha256"] = hashlib.sha256(wire).hexdigest()
    from msgpack_walk import well_formed

    if not well_formed(wire):
        out["official_malformed"] = True
    return out


@contextlib.contextmanager
def server_address() -> Iterator[tuple[str, int]]:
    hosts = os.environ.get("AEROSPIKE_HOSTS")
    if hosts:
        host, port = hosts.split(",")[0].rsplit(":", 1)
        yield host, int(port)
        return
    from aerospike_py.testing import EmbeddedServer

    with EmbeddedServer() as server:
        yield server.hosts[0]


def main() -> None:
    import aerospike

    from expression_cases import CASES

    with server_address() as (host, port):
        client = aerospike.client({"hosts": [(host, port)]})
        try:
            entries = [entry(ours, off, official_wire(client, off)) for ours, off in CASES]
        finally:
            client.close()
    out = HERE / "expression_wire.json"
    out.write_text(json.dumps({"aerospike_version": importlib.metadata.version("aerospike"), "cases": entries},
                              indent=1) + "\n")
    print(f"{len(entries)} cases -> {out}")


if __name__ == "__main__":
    main()
