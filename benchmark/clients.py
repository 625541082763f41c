"""The clients under test and where each one's interpreter comes from.

Our client and aerospike-py share the import name `aerospike_py`, so every
client runs in its own process, normally from its own virtualenv under
benchmark/.venvs/ (made by setup_envs.sh). When a virtualenv is missing, a
fallback interpreter is used if it really has that library (probed, never
assumed); otherwise the client is skipped and the report says why.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

from .workerproc import REPLY_PREFIX, WORKERS_DIR

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
VENVS = os.path.join(HERE, ".venvs")
NATIVE_CANDIDATES = (
    os.path.join(REPO, "build", "bench", "benchmark", "native_client", "aspy_batch_floor"),
    os.path.join(REPO, "build", "cmake", "benchmark", "native_client", "aspy_batch_floor"),
)


@dataclass(frozen=True)
class ClientSpec:
    """One client as the report names it."""

    name: str
    library: str  # "ours", "aerospike-py", "official", "aerospike-native", "aerospike-sdk",
                  # "native" (the C++ floor), "fake"
    driver: str   # a driver kind of workers/aspy_bench/drivers.py ("native" for C++)
    envs: str     # which of A, B, C it takes part in
    venv: str     # benchmark/.venvs/<venv>
    fallbacks: tuple[str, ...] = ()
    description: str = ""


CLIENTS: tuple[ClientSpec, ...] = (
    ClientSpec("ours-async", "ours", "aspy-async", "ABC", "ours", ("@self",),
               "aerospike_py (this repo) AsyncClient"),
    ClientSpec("ours-sync", "ours", "aspy-sync", "A", "ours", ("@self",),
               "aerospike_py (this repo) sync Client, threads"),
    ClientSpec("aerospike-py", "aerospike-py", "aspy-async", "ABC", "aerospike-py",
               ("/opt/venv-aspy-rust",), "aerospike-py (PyPI, Rust) AsyncClient"),
    ClientSpec("ours-async-numpy", "ours", "aspy-async-numpy", "A", "ours", ("@self",),
               "ours, batch_read(_dtype=) into a NumPy structured array (every bin)"),
    ClientSpec("aerospike-py-numpy", "aerospike-py", "aspy-async-numpy", "A", "aerospike-py",
               ("/opt/venv-aspy-rust",),
               "aerospike-py, batch_read(...).to_numpy() (every bin but lists)"),
    ClientSpec("official", "official", "official", "A", "official",
               ("/opt/venv-official", "@self"), "official aerospike (C) sync client, threads"),
    ClientSpec("official-async", "official", "official-async", "ABC", "official",
               ("/opt/venv-official", "@self"), "official sync client under run_in_executor"),
    ClientSpec("aerospike-native", "aerospike-native", "native-async", "ABC", "aerospike-native",
               ("/root/venvs/native",),
               "aerospike-native (PyPI, Aerospike's Rust core) async Client.batch_read"),
    ClientSpec("aerospike-sdk", "aerospike-sdk", "sdk-async", "ABC", "aerospike-native",
               ("/root/venvs/native",),
               "aerospike-sdk (PyPI, on aerospike-native) Session.query(keys) batch"),
    ClientSpec("native", "native", "native", "A", "", (),
               "C++ program on csrc/client, no Python (the floor)"),
    # Env C's floor: the same app with no client (records cached in the
    # process), in our venv's interpreter (same PyTorch as the others).
    ClientSpec("null-client", "fake", "null", "C", "ours", ("@self",),
               "no client: Env C's app answering from cached records (the environment's "
               "own work)"),
    ClientSpec("native-values", "native", "native-values", "A", "", (),
               "the same C++ program handing out records: every bin decoded to proto::Value"),
)
FAKE = ClientSpec("fake", "fake", "fake", "ABC", "", ("@self",), "no server (harness test)")
DEFAULT_CLIENTS = tuple(c.name for c in CLIENTS)
# --tls: clients that speak TLS run over it; `ours-async-clear` is our async
# client over clear TCP in the same run (what TLS costs us). aerospike-py
# has no TLS and the native floor takes none.
CLEAR_BASELINE = ClientSpec("ours-async-clear", "ours", "aspy-async", "A", "ours", ("@self",),
                            "aerospike_py AsyncClient over clear TCP (the TLS run's baseline)")
# Opt-in (--clients ours-async-merged): our async client with merged batch
# reads, so the nine batch_read calls of an Env C `gather` request travel
# as one batch (docs/serving.md). Not a default: the default `ours-async`
# stays the client as it comes.
MERGED = ClientSpec("ours-async-merged", "ours", "aspy-async-merged", "C", "ours", ("@self",),
                    "aerospike_py AsyncClient with coalesce_batches (no window): batch_read "
                    "calls that reach the event thread together merged into one batch")
TLS_CLIENTS = ("ours-async", "ours-sync", "official", "official-async", "ours-async-clear")
NO_TLS = ("aerospike-py", "aerospike-py-numpy", "native", "native-values", "aerospike-native",
          "aerospike-sdk")


@dataclass
class Resolved:
    """A client with the interpreter (or binary) that will run it, or why not."""

    spec: ClientSpec
    python: str | None = None
    binary: str | None = None
    hello: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None

    @property
    def available(self) -> bool:
        return self.skipped is None

    def can(self, package: str) -> bool:
        caps = self.hello.get("capabilities", {})
        return bool(caps.get(package))


def venv_python(venv: str) -> str:
    return os.path.join(VENVS, venv, "bin", "python")


def probe(python: str) -> dict[str, Any] | None:
    """`hello` from a one-shot worker in that interpreter (None if it fails)."""
    if not os.path.exists(python):
        return None
    try:
        done = subprocess.run(
            [python, "-E", "-s", os.path.join(WORKERS_DIR, "run_worker.py")],
            input=json.dumps({"cmd": "hello"}) + "\n", capture_output=True, text=True,
            timeout=60, cwd="/")
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in done.stdout.splitlines():
        if line.startswith(REPLY_PREFIX):
            reply: dict[str, Any] = json.loads(line[len(REPLY_PREFIX):])
            return reply if reply.get("ok") else None
    return None


def has_library(hello: dict[str, Any], library: str) -> bool:
    ident = hello.get("identity", {})
    if library == "official":
        return ident.get("aerospike") is not None
    if library in ("ours", "aerospike-py"):
        a = ident.get("aerospike_py")
        return a is not None and a.get("flavor") == library
    if library == "aerospike-native":
        return ident.get("aerospike_native") is not None
    if library == "aerospike-sdk":
        return ident.get("aerospike_sdk") is not None and ident.get("aerospike_native") is not None
    return library == "fake"


def resolve(names: list[str], overrides: dict[str, str],
            only_python: str | None = None) -> list[Resolved]:
    """Finds an interpreter (or the native binary) for each named client.

    With `only_python`, that interpreter is the only candidate for every
    Python client (the test suite runs the quick mode this way).
    """
    by_name = {c.name: c for c in CLIENTS + (FAKE, CLEAR_BASELINE, MERGED)}
    cache: dict[str, dict[str, Any] | None] = {}
    out: list[Resolved] = []
    for name in names:
        if name not in by_name:
            raise ValueError(f"unknown client {name!r}; known: {', '.join(by_name)}")
        spec = by_name[name]
        r = Resolved(spec)
        if spec.library == "native":
            binary = overrides.get("native") or next(
                (p for p in NATIVE_CANDIDATES if os.access(p, os.X_OK)), None)
            if binary and os.access(binary, os.X_OK):
                r.binary = binary
            else:
                r.skipped = ("native floor not built (cmake --build build/bench "
                             "--target aspy_batch_floor)")
            out.append(r)
            continue
        candidates: list[str] = []
        if only_python is not None:
            candidates.append(only_python)
        elif name in overrides:
            candidates.append(overrides[name])
        elif spec.library in overrides:
            candidates.append(overrides[spec.library])
        else:
            if spec.venv:
                candidates.append(venv_python(spec.venv))
            for fb in spec.fallbacks:
                candidates.append(sys.executable if fb == "@self" else
                                  os.path.join(fb, "bin", "python"))
        tried: list[str] = []
        for py in candidates:
            if py not in cache:
                cache[py] = probe(py)
            hello = cache[py]
            if hello is not None and has_library(hello, spec.library):
                r.python, r.hello = py, hello
                break
            tried.append(py if os.path.exists(py) else f"{py} (missing)")
        if r.python is None:
            r.skipped = (f"no interpreter with the {spec.library} library "
                         f"(tried: {', '.join(tried) or 'nothing'}); run benchmark/setup_envs.sh")
        out.append(r)
    return out
