#!/usr/bin/env bash
# The whole test suite: C++ (GoogleTest via CTest), mypy --strict over the
# package and examples/, the documentation build (mkdocs --strict) and
# Python (pytest: unit, integration, referee, the wheel test). Runs against
# the embedded server unless AEROSPIKE_HOSTS=host:port[,host:port] names a
# real cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh

cmake -S . -B build/cmake -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/cmake -j"$(nproc)"
ctest --test-dir build/cmake --output-on-failure -j"$(nproc)"

set +e
# Type check: the package (with the native module's stubs) and the examples.
echo "test.sh: mypy --strict aerospike_py examples"
.venv/bin/python -m mypy --strict aerospike_py examples
mypy_rc=$?
# The documentation site; warnings (broken links, bad API references) fail.
echo "test.sh: mkdocs build --strict"
NO_MKDOCS_2_WARNING=1 .venv/bin/python -m mkdocs build --strict --quiet --site-dir build/site
docs_rc=$?
.venv/bin/python -m pytest -q "$@"
rc=$?
set -e
# pytest exits 5 when it collected no tests; an empty selection is not a failure.
if [ "$rc" -eq 5 ]; then rc=0; fi
if [ "$mypy_rc" -ne 0 ]; then echo "test.sh: mypy failed" >&2; rc=1; fi
if [ "$docs_rc" -ne 0 ]; then echo "test.sh: the docs build failed" >&2; rc=1; fi
exit "$rc"
