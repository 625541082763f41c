"""The binary wheels install into fresh virtualenvs and work from outside the tree.

For each CPython 3.9 .. 3.13 (pyenv's, as scripts/build_wheels.sh finds
them) builds the wheel with ``scripts/build_wheel.sh`` (it reuses dist/ when
the sources did not change, and compiles the core once for all five),
checks what ``auditwheel`` and the dynamic section say about it, installs it
into a new virtualenv of that interpreter and runs a smoke script there, in
a temporary directory, against the embedded server that ships in the wheel:
connect, put/get, batch_read (sync and asyncio), the distribution's name,
and that neither libuv nor abseil was loaded from the system.

Then what happens between ours (``aerospike-uv``) and the Rust client
(``aerospike-py``), which share the import name: pip installs either over
the other without a word, the last one installed is what ``import
aerospike_py`` finds, and uninstalling the other one afterwards deletes the
shared files; docs/installing.md tells users to uninstall first.
"""

from __future__ import annotations

import glob
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

import importlib.metadata as md
out = {"file": aerospike_py.__file__, "version": aerospike_py.__version__,
       "distribution": aerospike_py.__distribution__, "python": sys.version.split()[0],
       "dist_version": md.version(aerospike_py.__distribution__)}
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
        metrics = aerospike_py.get_metrics()
        out["metrics_get_count"] = [line for line in metrics.splitlines() if line.startswith(
            "db_client_operation_duration_seconds_count") and 'db_operation_name="get"' in line]

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


# The interpreter running the suite by default; ASPY_WHEEL_PYTHONS="3.9 3.10 3.11 3.12 3.13"
# builds and tests every CPython the wheels are made for (each further interpreter compiles the
# bridge again and makes a venv: minutes each, more than CI's time limit allows).
VERSIONS = tuple(os.environ.get("ASPY_WHEEL_PYTHONS", f"{sys.version_info[0]}.{sys.version_info[1]}")
                 .replace(",", " ").split())


def _find_python(version: str) -> str:
    """The newest pyenv CPython ``version``.* (what scripts/build_wheels.sh uses)."""
    root = os.environ.get("ASPY_PYENV_ROOT") or os.environ.get("PYENV_ROOT") or os.path.expanduser(
        "~/.pyenv")
    found = sorted(
        (p for p in glob.glob(f"{root}/versions/{version}.*/bin/python")
         if re.fullmatch(rf"{re.escape(version)}\.\d+", Path(p).parent.parent.name)),
        key=lambda p: int(Path(p).parent.parent.name.rsplit(".", 1)[1]),
    )
    assert found, f"no CPython {version} under {root}/versions (pyenv install {version})"
    return found[-1]


@pytest.fixture(scope="module", params=VERSIONS)
def python_version(request: pytest.FixtureRequest) -> str:
    version: str = request.param
    return version


@pytest.fixture(scope="module")
def wheel(python_version: str) -> Path:
    tag = "cp" + python_version.replace(".", "")
    env = dict(os.environ, ASPY_SKIP_BOOTSTRAP="1", ASPY_WHEEL_PYTHON=_find_python(python_version))
    _run([str(ROOT / "scripts" / "build_wheel.sh")], cwd=ROOT, env=env, timeout=2400)
    wheels = sorted((ROOT / "dist").glob(f"aerospike_uv-*-{tag}-{tag}-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_is_manylinux_and_self_contained(wheel: Path, tmp_path: Path) -> None:
    assert re.search(r"^aerospike_uv-[\d.]+-cp3\d+-cp3\d+-manylinux_2_\d+_x86_64\.whl$",
                     wheel.name), wheel.name
    show = _run([str(ROOT / ".venv" / "bin" / "auditwheel"), "show", str(wheel)]).stdout
    tag = re.search(r'is consistent\s+with the following platform tag:\s+"(manylinux_2_\d+_x86_64)"', show)
    assert tag, show
    assert tag.group(1) in wheel.name

    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        zf.extractall(tmp_path)
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = zf.read(metadata).decode()
    assert re.search(r"^Name: aerospike-uv$", meta, re.MULTILINE), meta[:400]
    assert re.search(r"^Requires-Python: >=3\.9$", meta, re.MULTILINE), meta[:400]
    assert "Provides-Extra: metrics" in meta and "Provides-Extra: otel" in meta
    extensions = [n for n in names if n.endswith(".so") and n.startswith("aerospike_py/")]
    assert sorted(Path(n).name.split(".")[0] for n in extensions) == ["_core", "_server"]
    grafted = {Path(n).name for n in names if n.startswith("aerospike_py.libs/")
               or n.startswith("aerospike_uv.libs/")}
    for name in extensions:
        dynamic = _run(["readelf", "-d", str(tmp_path / name)]).stdout
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic)
        assert needed, dynamic
        assert not [n for n in needed if n.startswith(("libuv", "libabsl", "liblua"))], needed
        # Everything else is either a manylinux system library or was copied
        # into the wheel by auditwheel (OpenSSL's libcrypto/libssl if used).
        foreign = [n for n in needed if not n.startswith(MANYLINUX_SYSTEM_LIBS)]
        assert set(foreign) <= grafted, (foreign, grafted)
    assert "aerospike_py/py.typed" in names and "aerospike_py/_core.pyi" in names


def _venv(python: str, where: Path) -> Path:
    """A fresh venv of `python` with the pip that interpreter bundles.

    Its own pip, not ours driven with --python: a current pip refuses to
    run for 3.9 (it requires 3.10+)."""
    _run([python, "-m", "venv", str(where)], timeout=600)
    return where / "bin" / "python"


def _pip(python: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _run([str(python), "-m", "pip", "--disable-pip-version-check", *args], timeout=600)


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.pop("AEROSPIKE_HOSTS", None)
    return env


def test_wheel_installs_and_runs_outside_the_tree(
    wheel: Path, python_version: str, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    python = _venv(_find_python(python_version), venv)
    _pip(python, "install", "-q", "--no-index", "--no-deps", str(wheel))

    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "smoke.py").write_text(SMOKE)
    result = _run([str(python), "-I", "smoke.py"], cwd=work, env=_clean_env(), timeout=120)
    out = json.loads(result.stdout.strip().splitlines()[-1])

    assert out["python"].startswith(python_version + "."), out["python"]
    installed = Path(out["file"]).resolve()
    assert installed.is_relative_to(venv.resolve()), installed
    assert not installed.is_relative_to(ROOT), installed
    assert out["distribution"] == "aerospike-uv" and out["dist_version"] == out["version"]
    assert out["get"] == {"name": "Alice", "n": 1} and out["gen"] == 1
    assert out["batch"] == {"k1": {"name": "Alice", "n": 1}, "k2": {"name": "Bob", "n": 2}}
    assert out["async_get"] == {"x": 1.5}
    assert out["async_batch"] == {"a1": {"x": 1.5}, "k2": {"name": "Bob", "n": 2}}
    # The get above was counted by the core's histograms.
    assert out["metrics_get_count"] and all(
        line.rsplit(" ", 1)[1] != "0.0" for line in out["metrics_get_count"]), out
    # Neither libuv nor abseil was loaded from the system. (libcrypto may be:
    # Python's own _ssl and _hashlib modules use the system's OpenSSL.)
    mapped = [Path(p).name for p in out["mapped"]]
    assert not [m for m in mapped if m.startswith(("libuv", "libabsl", "liblua"))], mapped


WHICH = r"""
import json, importlib.metadata as md
try:
    import aerospike_py
    out = {"distribution": getattr(aerospike_py, "__distribution__", "aerospike-py (no attribute)"),
           "has_get_metrics": hasattr(aerospike_py, "get_metrics")}
except Exception as exc:
    out = {"import_error": f"{type(exc).__name__}: {exc}"}
out["installed"] = sorted(d.metadata["Name"] for d in md.distributions()
                          if d.metadata["Name"] in ("aerospike-py", "aerospike-uv"))
print(json.dumps(out))
"""

PEER = "aerospike-py==0.14.4"


def _which(python: Path, cwd: Path) -> dict[str, object]:
    (cwd / "which.py").write_text(WHICH)
    result = _run([str(python), "-I", "which.py"], cwd=cwd, env=_clean_env(), timeout=120)
    out: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return out


@pytest.fixture(scope="module")
def peer_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """aerospike-py 0.14.4's wheel for this interpreter, from PyPI (once per run)."""
    where = tmp_path_factory.mktemp("peer")
    _run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
          "-d", str(where), PEER], timeout=600)
    wheels = sorted(where.glob("aerospike_py-0.14.4-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_switching_between_aerospike_py_and_ours(peer_wheel: Path, tmp_path: Path) -> None:
    """What docs/installing.md describes, checked: pip sees two unrelated names."""
    tag = f"cp{sys.version_info[0]}{sys.version_info[1]}"
    ours = sorted((ROOT / "dist").glob(f"aerospike_uv-*-{tag}-{tag}-*.whl"))
    if not ours:  # not built yet by the matrix tests in this run
        env = dict(os.environ, ASPY_SKIP_BOOTSTRAP="1")
        _run([str(ROOT / "scripts" / "build_wheel.sh")], cwd=ROOT, env=env, timeout=2400)
        ours = sorted((ROOT / "dist").glob(f"aerospike_uv-*-{tag}-{tag}-*.whl"))
    assert len(ours) == 1, ours
    python = _venv(getattr(sys, "_base_executable", sys.executable), tmp_path / "venv")

    # 1. aerospike-py first, then ours over it: pip reports no conflict (the
    #    names differ), both are "installed", and the import is ours.
    _pip(python, "install", "-q", "--no-index", "--no-deps", str(peer_wheel))
    assert _which(python, tmp_path)["distribution"] == "aerospike-py (no attribute)"
    _pip(python, "install", "-q", "--no-index", "--no-deps", str(ours[0]))
    both = _which(python, tmp_path)
    assert both["distribution"] == "aerospike-uv", both
    assert both["installed"] == ["aerospike-py", "aerospike-uv"], both
    # pip check knows nothing of the shared files: it passes.
    assert _pip(python, "check").returncode == 0

    # 2. Uninstalling aerospike-py now removes files ours needs (the shared
    #    aerospike_py/__init__.py among them): the import breaks.
    _pip(python, "uninstall", "-q", "-y", "aerospike-py")
    broken = _which(python, tmp_path)
    assert "import_error" in broken or broken.get("distribution") != "aerospike-uv", broken

    # 3. The documented switch: uninstall both, install one.
    _pip(python, "uninstall", "-q", "-y", "aerospike-uv")
    _pip(python, "install", "-q", "--no-index", "--no-deps", str(ours[0]))
    switched = _which(python, tmp_path)
    assert switched["distribution"] == "aerospike-uv" and switched["installed"] == ["aerospike-uv"]

    # 4. The reverse: aerospike-py over ours wins the import; switching back
    #    to it cleanly is again uninstall-then-install.
    _pip(python, "install", "-q", "--no-index", "--no-deps", str(peer_wheel))
    assert _which(python, tmp_path)["distribution"] == "aerospike-py (no attribute)"
    _pip(python, "uninstall", "-q", "-y", "aerospike-uv", "aerospike-py")
    _pip(python, "install", "-q", "--no-index", "--no-deps", str(peer_wheel))
    back = _which(python, tmp_path)
    assert back["distribution"] == "aerospike-py (no attribute)" and back["has_get_metrics"]
    assert back["installed"] == ["aerospike-py"]
