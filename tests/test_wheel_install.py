"""The binary wheel installs into a fresh virtualenv and works from outside the tree.

Builds the wheel with ``scripts/build_wheel.sh`` (the README's command; it
reuses dist/ when the sources did not change), checks what ``auditwheel``
and the dynamic section say about it, installs it into a new virtualenv and
runs a smoke script there, in a temporary directory, against the embedded
server that ships in the wheel: connect, put/get, batch_read (sync and
asyncio), and that neither libuv nor abseil was loaded from the system.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow
# Libraries every manylinux platform provides (auditwheel's policy list).
MANYLINUX_SYSTEM_LIBS = ("libc.so", "libm.so", "libstdc++.so", "libgcc_s.so", "ld-linux",
                         "libpthread.so", "libdl.so", "librt.so", "libz.so")

SMOKE = r'''
import asyncio, json, sys

import aerospike_py
from aerospike_py.testing import EmbeddedServer

out = {"file": aerospike_py.__file__, "version": aerospike_py.__version__}
with EmbeddedServer() as server:
    config = {"hosts": server.hosts}
    with aerospike_py.client(config).connect() as client:
        client.put(("test", "wheel", "k1"), {"name": "Alice", "n": 1})
        client.put(("test", "wheel", "k2"), {"name": "Bob", "n": 2})
        record = client.get(("test", "wheel", "k1"))
        out["get"] = record.bins
        out["gen"] = record.meta.gen
        keys = [("test", "wheel", k) for k in ("k1", "k2", "missing")]
        out["batch"] = {str(k): v for k, v in client.batch_read(keys).items()}

    async def run_async():
        async with await aerospike_py.async_client(config).connect() as client:
            await client.put(("test", "wheel", "a1"), {"x": 1.5})
            record = await client.get(("test", "wheel", "a1"))
            batch = await client.batch_read([("test", "wheel", "a1"), ("test", "wheel", "k2")])
            return record.bins, {str(k): v for k, v in batch.items()}

    out["async_get"], out["async_batch"] = asyncio.run(run_async())

with open("/proc/self/maps") as maps:
    out["mapped"] = sorted({line.split()[-1] for line in maps if ".so" in line.split()[-1]})
print(json.dumps(out))
'''


def _run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    assert result.returncode == 0, f"{cmd} failed:\n{result.stdout}\n{result.stderr}"
    return result  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def wheel() -> Path:
    env = dict(os.environ, ASPY_SKIP_BOOTSTRAP="1")
    _run([str(ROOT / "scripts" / "build_wheel.sh")], cwd=ROOT, env=env, timeout=1800)
    wheels = sorted((ROOT / "dist").glob("aerospike_py-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_is_manylinux_and_self_contained(wheel: Path, tmp_path: Path) -> None:
    assert re.search(r"-cp3\d+-cp3\d+-manylinux_2_\d+_x86_64\.whl$", wheel.name), wheel.name
    show = _run([str(ROOT / ".venv" / "bin" / "auditwheel"), "show", str(wheel)]).stdout
    tag = re.search(r'is consistent\s+with the following platform tag:\s+"(manylinux_2_\d+_x86_64)"', show)
    assert tag, show
    assert tag.group(1) in wheel.name

    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        zf.extractall(tmp_path)
    extensions = [n for n in names if n.endswith(".so") and n.startswith("aerospike_py/")]
    assert sorted(Path(n).name.split(".")[0] for n in extensions) == ["_core", "_server"]
    grafted = {Path(n).name for n in names if n.startswith("aerospike_py.libs/")}
    for name in extensions:
        dynamic = _run(["readelf", "-d", str(tmp_path / name)]).stdout
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic)
        assert needed, dynamic
        assert not [n for n in needed if n.startswith(("libuv", "libabsl"))], needed
        # Everything else is either a manylinux system library or was copied
        # into the wheel by auditwheel (OpenSSL's libcrypto/libssl if used).
        foreign = [n for n in needed if not n.startswith(MANYLINUX_SYSTEM_LIBS)]
        assert set(foreign) <= grafted, (foreign, grafted)
    assert "aerospike_py/py.typed" in names and "aerospike_py/_core.pyi" in names


def test_wheel_installs_and_runs_outside_the_tree(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    base_python = getattr(sys, "_base_executable", sys.executable)
    _run([base_python, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
          "--no-index", "--no-deps", str(wheel)])

    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "smoke.py").write_text(SMOKE)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.pop("AEROSPIKE_HOSTS", None)
    result = _run([str(python), "-I", "smoke.py"], cwd=work, env=env, timeout=120)
    out = json.loads(result.stdout.strip().splitlines()[-1])

    installed = Path(out["file"]).resolve()
    assert installed.is_relative_to(venv.resolve()), installed
    assert not installed.is_relative_to(ROOT), installed
    assert out["get"] == {"name": "Alice", "n": 1} and out["gen"] == 1
    assert out["batch"] == {"k1": {"name": "Alice", "n": 1}, "k2": {"name": "Bob", "n": 2}}
    assert out["async_get"] == {"x": 1.5}
    assert out["async_batch"] == {"a1": {"x": 1.5}, "k2": {"name": "Bob", "n": 2}}
    # Neither libuv nor abseil was loaded from the system. (libcrypto may be:
    # Python's own _ssl and _hashlib modules use the system's OpenSSL.)
    mapped = [Path(p).name for p in out["mapped"]]
    assert not [m for m in mapped if m.startswith(("libuv", "libabsl"))], mapped
