#!/usr/bin/env bash
# Prepares a fresh Debian/Ubuntu machine (idempotent): system packages, a
# virtualenv in .venv with the test and demo dependencies, and the
# extensions built in place. Sourced by scripts/demo.sh and scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(build-essential cmake ninja-build pkg-config python3-venv python3-dev
              libuv1-dev libabsl-dev libssl-dev zlib1g-dev libgtest-dev liblua5.4-dev
              libs2-dev)  # libs2-dev: the embedded server's geo coverings (setup.py)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# python3-venv/python3-dev may be provided by a non-Debian Python (pyenv);
# only install what the build really lacks.
if ((${#missing[@]})); then
  if python3 -c 'import venv, sysconfig, os; assert os.path.exists(sysconfig.get_paths()["include"] + "/Python.h")' 2>/dev/null; then
    filtered=()
    for p in "${missing[@]}"; do [[ $p == python3-* ]] || filtered+=("$p"); done
    missing=("${filtered[@]}")
  fi
fi
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "bootstrap: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.deps-installed-v1
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip setuptools wheel
  .venv/bin/pip install -q pytest pytest-asyncio uvloop aerospike numpy mypy
  touch "$stamp"
fi
# The benchmark's quick-mode test drives Env B/C (FastAPI + uvicorn) in .venv.
if [ ! -f .venv/.deps-bench-v1 ]; then
  .venv/bin/pip install -q fastapi uvicorn
  touch .venv/.deps-bench-v1
fi
# The optional observability libraries (the [metrics] and [otel] extras) and
# OpenTelemetry's SDK, whose in-memory exporter the tracing tests read.
if [ ! -f .venv/.deps-obs-v1 ]; then
  .venv/bin/pip install -q "prometheus_client>=0.17" "opentelemetry-api>=1.20" "opentelemetry-sdk>=1.20"
  touch .venv/.deps-obs-v1
fi
# pyarrow, optional at run time, for the Arrow tests (batch_read(_arrow=...)).
if [ ! -f .venv/.deps-arrow-v1 ]; then
  .venv/bin/pip install -q pyarrow
  touch .venv/.deps-arrow-v1
fi
# The documentation toolchain (pinned in docs/requirements.txt; re-installed
# when that file changes) and httpx2, which FastAPI's TestClient uses in
# tests/unit/test_examples.py.
docs_stamp=.venv/.deps-docs-$(sha256sum docs/requirements.txt | cut -c1-16)
if [ ! -f "$docs_stamp" ]; then
  .venv/bin/pip install -q -r docs/requirements.txt "httpx2==2.16.2"
  rm -f .venv/.deps-docs-* && touch "$docs_stamp"
fi

# Build the extensions in place (incremental: setuptools skips up-to-date
# objects only per extension, so this is quick after the first build) and
# register the package (with its pytest plugin entry point) in the venv.
.venv/bin/python setup.py -q build_ext --inplace >/dev/null
# The distribution is called aerospike-uv (aerospike-py is the Rust client's
# name on PyPI); a venv made before the rename still has our old editable
# registration under that name, whose pytest11 entry point would register the
# plugin twice.
if .venv/bin/python -c 'import importlib.metadata as m; m.distribution("aerospike-py")' 2>/dev/null; then
  .venv/bin/pip uninstall -q -y aerospike-py
fi
# ASPY_INPLACE_BUILT=1: setup.py declares no extension, so the editable
# registration does not compile everything again in a temporary folder (the
# in-place build above already made aerospike_py/_core*.so and _server*.so).
if ! .venv/bin/python -c 'import importlib.metadata as m; m.distribution("aerospike-uv")' 2>/dev/null; then
  ASPY_INPLACE_BUILT=1 .venv/bin/pip install -q --no-build-isolation --no-deps -e .
fi
