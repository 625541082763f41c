#!/usr/bin/env bash
# The wheel matrix: one wheel per CPython 3.9 .. 3.13 (the interpreters pyenv
# carries on the development machines), each built by scripts/build_wheel.sh
# (static libuv/abseil, auditwheel repair) into dist/. The core's objects are
# compiled once and shared; only the bridge (csrc/python/) is compiled per
# interpreter. Prints each wheel's name, platform tag and size.
#
#   ./scripts/build_wheels.sh               # all five
#   ./scripts/build_wheels.sh 3.9 3.13      # some
#   ASPY_PYENV_ROOT=/path ./scripts/build_wheels.sh   # pyenv elsewhere than ~/.pyenv
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${ASPY_SKIP_BOOTSTRAP:-}" ]; then
  source scripts/bootstrap.sh
fi
export ASPY_SKIP_BOOTSTRAP=1
VERSIONS=("$@")
((${#VERSIONS[@]})) || VERSIONS=(3.9 3.10 3.11 3.12 3.13)

# find_python 3.X -> the newest pyenv CPython 3.X.* (or python3.X on PATH)
find_python() {
  local root=${ASPY_PYENV_ROOT:-${PYENV_ROOT:-$HOME/.pyenv}} best=""
  for d in "$root"/versions/"$1".*; do
    [[ -x $d/bin/python && $(basename "$d") =~ ^$1\.[0-9]+$ ]] && best=$d/bin/python
  done
  [ -n "$best" ] || best=$(command -v "python$1" || true)
  echo "$best"
}

built=()
for v in "${VERSIONS[@]}"; do
  py=$(find_python "$v")
  if [ -z "$py" ]; then
    echo "build_wheels: no CPython $v found (pyenv install $v)" >&2
    exit 1
  fi
  echo "build_wheels: CPython $v ($py)"
  ASPY_WHEEL_PYTHON=$py scripts/build_wheel.sh | tail -1
  tag=cp${v/./}
  built+=("$(ls dist/aerospike_uv-*-"$tag"-"$tag"-*.whl)")
done
echo
printf '%-70s %8s\n' wheel KiB
for w in "${built[@]}"; do
  printf '%-70s %8s\n' "$(basename "$w")" "$(du -k "$w" | cut -f1)"
done
