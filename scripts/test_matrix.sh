#!/usr/bin/env bash
# The Python test suite on other CPythons (3.9 .. 3.13, pyenv's): for each
# version named, builds the extensions in place with that interpreter (their
# file names carry its ABI tag, so they sit beside .venv's in aerospike_py/),
# makes build/matrix/venv-cpXY with the test dependencies, and runs pytest in
# it. The core's objects are compiled once and shared (ASPY_SHARED_OBJECTS);
# each interpreter compiles only the bridge. A script, not CI: the whole
# suite five times is over an hour on two cores. Extra arguments after `--`
# go to pytest. Exit status: non-zero if any interpreter's run failed.
#
#   ./scripts/test_matrix.sh                 # 3.9 3.10 3.11 3.12 3.13
#   ./scripts/test_matrix.sh 3.13 -- -x tests/unit
set -euo pipefail
cd "$(dirname "$0")/.."
VERSIONS=()
while (($#)) && [ "$1" != "--" ]; do VERSIONS+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
((${#VERSIONS[@]})) || VERSIONS=(3.9 3.10 3.11 3.12 3.13)

find_python() {
  local root=${ASPY_PYENV_ROOT:-${PYENV_ROOT:-$HOME/.pyenv}} best=""
  for d in "$root"/versions/"$1".*; do
    [[ -x $d/bin/python && $(basename "$d") =~ ^$1\.[0-9]+$ ]] && best=$d/bin/python
  done
  [ -n "$best" ] || best=$(command -v "python$1" || true)
  echo "$best"
}

hash=$(find csrc -type f \( -name '*.cc' -o -name '*.h' \) | LC_ALL=C sort | xargs sha256sum |
       sha256sum | cut -c1-16)
objs=$PWD/build/matrix/objs-$hash
mkdir -p build/matrix
summary=()
rc=0
for v in "${VERSIONS[@]}"; do
  py=$(find_python "$v")
  [ -n "$py" ] || { echo "test_matrix: no CPython $v found" >&2; exit 1; }
  tag=cp${v/./}
  venv=build/matrix/venv-$tag
  if [ ! -f "$venv/.ready-v3" ]; then
    rm -rf "$venv"
    "$py" -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip "setuptools>=77" wheel
    # --prefer-binary: the newest official client has no cp39 wheel (its
    # sdist does not build here); the newest release that has one is taken.
    # httpx, not the httpx2 pin of bootstrap.sh: FastAPI's TestClient takes
    # either, and httpx2 2.16 has no release for 3.9. pyarrow for the Arrow
    # tests, as bootstrap.sh installs it in .venv.
    "$venv/bin/pip" install -q --prefer-binary pytest pytest-asyncio uvloop aerospike numpy mypy \
      fastapi uvicorn httpx prometheus_client opentelemetry-api opentelemetry-sdk pyarrow
    touch "$venv/.ready-v3"
  fi
  echo "test_matrix: CPython $v: building in place"
  ASPY_SHARED_OBJECTS=$objs "$venv/bin/python" setup.py -q build_ext --inplace >/dev/null
  # Registered as bootstrap.sh registers .venv's (editable, nothing compiled
  # again): tests that start pytest or the benchmark in a child process find
  # the package and its pytest11 plugin entry point there.
  ASPY_INPLACE_BUILT=1 "$venv/bin/pip" install -q --no-build-isolation --no-deps -e .
  echo "test_matrix: CPython $v: pytest"
  log=build/matrix/pytest-$tag.log
  set +e
  # The wheel test is left to its own per-interpreter run (ASPY_WHEEL_PYTHONS,
  # docs/installing.md): it needs .venv's auditwheel and builds from scratch.
  "$venv/bin/python" -m pytest -q --ignore=tests/test_wheel_install.py "$@" 2>&1 | tee "$log"
  r=${PIPESTATUS[0]}
  set -e
  [ "$r" -eq 5 ] && r=0
  ((r == 0)) || rc=1
  summary+=("CPython $v: $(tail -1 "$log")")
done
printf '%s\n' "${summary[@]}"
exit "$rc"
