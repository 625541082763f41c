"""Writes cdt_official_ops.json: the bytes of every op in
cdt_official_cases.py as the official ``aerospike`` client sends them.

Each case runs as one ``operate`` call through the golden capture proxy
(/work/shared/golden/tools/proxy.py) in front of a real server; the op is
cut out of the captured request. The server's answer does not matter (many
cases fail on the server: the record holds no such bin). Run from the
repository root with the project's virtualenv (it has the official client)
and a real Aerospike on AEROSPIKE_HOST (default 127.0.0.1:3200)::

    .venv/bin/python tests/unit/data/make_cdt_official_ops.py
"""

from __future__ import annotations

import json
import os
import pathlib
import socket
import struct
import subprocess
import sys
import tempfile
import time
from typing import Any

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE))

from cdt_official_cases import CASES  # noqa: E402

PROXY = pathlib.Path(os.environ.get("ASPY_GOLDEN_TOOLS", "/work/shared/golden/tools")) / "proxy.py"
UPSTREAM = os.environ.get("AEROSPIKE_HOST", "127.0.0.1:3200")
LISTEN, CONTROL = 3290, 3291
OUT = HERE / "cdt_official_ops.json"


def wait_for_port(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def mark(text: str) -> None:
    with socket.create_connection(("127.0.0.1", CONTROL)) as s:
        s.sendall(f"MARK {text}\n".encode())
        s.recv(64)


def ops_of(frame: bytes) -> list[bytes]:
    body = frame[8:]
    n_fields, n_ops = struct.unpack(">HH", body[18:22])
    pos = 22
    for _ in range(n_fields):
        (size,) = struct.unpack(">I", body[pos : pos + 4])
        pos += 4 + size
    ops = []
    for _ in range(n_ops):
        (size,) = struct.unpack(">I", body[pos : pos + 4])
        ops.append(body[pos : pos + 4 + size])
        pos += 4 + size
    return ops


def main() -> None:
    import aerospike
    import aerospike_helpers
    from aerospike_helpers import cdt_ctx
    from aerospike_helpers.operations import bitwise_operations, hll_operations, list_operations, map_operations

    env: dict[str, Any] = {
        "A": aerospike,
        "AH": aerospike_helpers,
        "L": list_operations,
        "M": map_operations,
        "B": bitwise_operations,
        "H": hll_operations,
        "C": cdt_ctx,
    }
    log = pathlib.Path(tempfile.mkdtemp()) / "proxy.jsonl"
    proxy = subprocess.Popen(
        [sys.executable, str(PROXY), str(log), "--listen", f"127.0.0.1:{LISTEN}",
         "--upstream", UPSTREAM, "--control", f"127.0.0.1:{CONTROL}", "--no-chunks"],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(CONTROL)
        client = aerospike.client({"hosts": [("127.0.0.1", LISTEN)]}).connect()
        key = ("test", "cdt_official", "k")
        for name, official, _ in CASES:
            op = eval(official, env)  # noqa: S307 - our own case table
            mark("begin " + name)
            try:
                client.operate(key, [op])
            except aerospike.exception.AerospikeError:
                pass  # only the request matters
            mark("end " + name)
        client.close()
    finally:
        try:
            with socket.create_connection(("127.0.0.1", CONTROL)) as s:
                s.sendall(b"QUIT\n")
            proxy.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            proxy.kill()
            proxy.wait()

    captured: dict[str, str] = {}
    current = None
    for line in log.read_text().splitlines():
        ev = json.loads(line)
        if ev.get("event") == "marker":
            kind, _, name = ev["text"].partition(" ")
            current = name if kind == "begin" else None
        elif current and ev.get("dir") == "c2s" and ev.get("type") == 3:
            ops = ops_of(bytes.fromhex(ev["hex"]))
            assert len(ops) == 1, (current, len(ops))
            captured[current] = ops[0].hex()
            current = None
    missing = [name for name, _, _ in CASES if name not in captured]
    assert not missing, f"no request captured for {missing}"
    client_version = aerospike.__version__ if hasattr(aerospike, "__version__") else "?"
    OUT.write_text(json.dumps({"official_client": client_version, "ops": captured}, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT}: {len(captured)} ops", file=sys.stderr)


if __name__ == "__main__":
    main()
