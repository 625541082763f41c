#!/usr/bin/env bash
# Makes the benchmark's virtualenvs under benchmark/.venvs/ (idempotent) and
# builds the native floor client:
#   ours          this repository, editable (--no-build-isolation), + serving deps
#   aerospike-py  aerospike-py from PyPI (same import name as ours: own venv)
#   official      the official `aerospike` client from PyPI
#   aerospike-native  aerospike-native + aerospike-sdk from PyPI (Aerospike's
#                 Rust-core client and its high-level SDK; import names
#                 aerospike_native / aerospike_sdk)
# Each also gets FastAPI, uvicorn (uvloop, httptools), NumPy, matplotlib and
# PyTorch CPU for Env C. PyTorch is installed only from a local CPU wheel
# (pip's find-links, e.g. /opt/wheels/torch-2.13.0+cpu-*.whl): from PyPI,
# `torch` is a multi-GB CUDA build. Without it Env C runs its NumPy model and
# the report says so. Set ASPY_BENCH_TORCH=skip to leave torch out.
# Usage: benchmark/setup_envs.sh [ours|aerospike-py|official|native ...]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
VENVS="$HERE/.venvs"
PY="${PYTHON:-python3}"
TORCH_VERSION="${ASPY_BENCH_TORCH_VERSION:-2.13.0}"
SERVING=(fastapi uvicorn uvloop httptools numpy matplotlib)
ALL=(ours aerospike-py official aerospike-native native)
WANT=("$@")
((${#WANT[@]})) || WANT=("${ALL[@]}")

log() { echo "setup_envs: $*" >&2; }
# pip, minus the warnings about local index folders that lack a package.
pipq() {
  local py="$1"; shift
  "$py" -m pip install -q "$@" 2> >(grep -v '^WARNING: Location' >&2)
}

# A local CPU wheel of torch, from pip's find-links (env or config) or /opt/wheels.
local_torch_wheel() {
  local dirs=() d
  [ -n "${PIP_FIND_LINKS:-}" ] && dirs+=(${PIP_FIND_LINKS//,/ })
  dirs+=(/opt/wheels)
  for d in "${dirs[@]}"; do
    d="${d#file://}"
    ls "$d"/torch-"$TORCH_VERSION"+cpu-*.whl 2>/dev/null | head -n1 && return 0
  done
  return 1
}

install_torch() {  # $1 = venv python
  local py="$1" wheel
  [ "${ASPY_BENCH_TORCH:-}" = "skip" ] && { log "torch skipped (ASPY_BENCH_TORCH=skip)"; return 0; }
  if "$py" -c 'import torch, sys; sys.exit(0 if torch.version.cuda is None else 1)' 2>/dev/null; then
    return 0
  fi
  if wheel="$(local_torch_wheel)"; then
    log "torch: $wheel"
    pipq "$py" "$wheel"
    "$py" -c 'import torch; assert torch.version.cuda is None, "a CUDA torch was installed"'
  else
    log "no local CPU wheel of torch $TORCH_VERSION: Env C will use its NumPy model"
  fi
}

make_venv() {  # $1 = name, rest = pip requirements
  local name="$1"; shift
  local dir="$VENVS/$name" stamp
  stamp="$dir/.bench-stamp-$(printf '%s\n' "$@" "${SERVING[@]}" "$TORCH_VERSION" | md5sum | cut -c1-12)"
  if [ -f "$stamp" ]; then log "$name: up to date"; return 0; fi
  log "$name: creating $dir"
  [ -x "$dir/bin/python" ] || "$PY" -m venv "$dir"
  pipq "$dir/bin/python" --upgrade pip setuptools wheel
  pipq "$dir/bin/python" "${SERVING[@]}"
  install_torch "$dir/bin/python"
  if (($#)); then pipq "$dir/bin/python" "$@"; fi
  rm -f "$dir"/.bench-stamp-*
  touch "$stamp"
}

build_native() {
  if ! ls "$REPO"/csrc/io/*.cc >/dev/null 2>&1; then
    log "native: csrc/io has no sources yet; the floor client cannot link (skipped)"
    return 0
  fi
  log "native: building build/bench/benchmark/native_client/aspy_batch_floor"
  cmake -S "$REPO" -B "$REPO/build/bench" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$REPO/build/bench" -j2 --target aspy_batch_floor
}

mkdir -p "$VENVS"
for what in "${WANT[@]}"; do
  case "$what" in
    ours)
      make_venv ours
      # The repository on the venv's path (a .pth file): it imports the
      # in-place extension that `setup.py build_ext --inplace` makes, the
      # same file .venv uses. (`pip install -e` would compile every C++
      # source a second time for the same result.)
      site="$("$VENVS/ours/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
      echo "$REPO" > "$site/aerospike_py_repo.pth"
      if ! "$VENVS/ours/bin/python" -E -s -c 'import aerospike_py._core' 2>/dev/null; then
        log "ours: aerospike_py._core does not import: build it first" \
            "(ASPY_ONLY=core .venv/bin/python setup.py build_ext --inplace)"
      fi
      ;;
    aerospike-py) make_venv aerospike-py aerospike-py ;;
    official) make_venv official aerospike ;;
    aerospike-native) make_venv aerospike-native aerospike-native aerospike-sdk ;;
    native) build_native ;;
    *) log "unknown target $what (known: ${ALL[*]})"; exit 2 ;;
  esac
done
log "done; run: python3 -m benchmark --quick   (from $REPO)"
