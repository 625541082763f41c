#!/usr/bin/env bash
# Builds the static archives a wheel links, libuv, abseil and Lua 5.4, with
# -fPIC, from Debian's own sources (the versions of the installed libuv1-dev,
# libabsl-dev and liblua5.4-dev, Debian's patches applied). Debian's libuv_a.a and libabsl_*.a
# are built as PIE: they reference data with PC-relative relocations
# (R_X86_64_PC32 against `environ` in libuv) and thread-locals with the
# local-exec TLS model (R_X86_64_TPOFF32 in abseil), both of which the linker
# refuses in a shared object such as our extension.
#
# The sources come from Debian's archive through `apt-get source`, with a
# private source list and state directory under build/static-deps (the
# system's apt configuration is not touched). Only the archives we link are
# built: libuv's uv_a and the ~35 abseil archives pkg-config names for the
# components we use (about a minute on 2 cores). Re-running reuses the build.
#
# Prints, at the end:
#   STATIC_LIBDIR=<directory holding libuv_a.a, libabsl_*.a and liblua5.4-c++_pic.a>
#   STATIC_INCLUDE=<header directories the archives were built with, ':'-separated>
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD/build/static-deps"
mkdir -p "$root/src"
apt_dir="$root/apt"

absl_components=(absl_status absl_statusor absl_strings absl_str_format absl_flat_hash_map
                 absl_synchronization absl_time)
mapfile -t absl_libs < <(pkg-config --libs --static "${absl_components[@]}" | tr ' ' '\n' |
                         sed -n 's/^-l\(absl_.*\)/lib\1.a/p')

apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/empty.list" -o "Dir::Etc::SourceParts=$apt_dir/parts"
          -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
          -o "APT::Sandbox::User=root")

apt_lists_ready() { [ -f "$apt_dir/updated" ]; }
prepare_apt() {
  apt_lists_ready && return 0
  local codename
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME}")
  mkdir -p "$apt_dir/parts" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  : > "$apt_dir/empty.list"
  cat > "$apt_dir/parts/debian-src.sources" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $codename $codename-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: $codename-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  apt-get -qq "${apt_opts[@]}" update
  touch "$apt_dir/updated"
}

# fetch_source SOURCE_PACKAGE BINARY_PACKAGE -> prints the unpacked source dir
fetch_source() {
  local pkg=$1 bin=$2 version upstream dir
  version=$(dpkg-query -W -f='${source:Version}' "$bin")
  upstream=${version%-*}
  upstream=${upstream#*:}
  dir="$root/src/$pkg-$upstream"
  if [ ! -d "$dir" ]; then
    prepare_apt
    # The installed version first; if the archive moved on, its current one
    # (the wheel compiles against the fetched source's headers, see setup.py).
    (cd "$root/src" && { apt-get -qq "${apt_opts[@]}" source "$pkg=$version" >/dev/null 2>&1 \
                         || apt-get -qq "${apt_opts[@]}" source "$pkg" >/dev/null 2>&1; }) \
      || { echo "build_static_deps: cannot fetch Debian's $pkg source" >&2; exit 1; }
    dir=$(ls -d "$root/src/$pkg"-*/ | head -1)
    dir=${dir%/}
  fi
  echo "$dir"
}

# build SOURCE_DIR NAME TARGET... : cmake + ninja with -fPIC, only TARGETs.
build() {
  local src=$1 name=$2
  shift 2
  local out="$root/build-$name"
  cmake -S "$src" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DBUILD_TESTING=OFF -DCMAKE_POLICY_VERSION_MINIMUM=3.5 "${CMAKE_EXTRA[@]}" \
    >"$out.configure.log" 2>&1 || { tail -20 "$out.configure.log" >&2; exit 1; }
  # CMake gives each archive a phony target of its file name.
  ninja -C "$out" -j2 "$@" >"$out.build.log" 2>&1 || { tail -30 "$out.build.log" >&2; exit 1; }
  for lib in "$@"; do
    find "$out" -name "$lib" -not -path '*/CMakeFiles/*' -exec cp {} "$root/lib/" \;
    [ -f "$root/lib/$lib" ] || { echo "build_static_deps: $lib was not built" >&2; exit 1; }
  done
}

# Lua as Debian builds liblua5.4-c++: the C sources compiled as C++ (so
# lua_error unwinds with an exception), Lua 5.3 compatibility on; only the
# library, not the lua/luac programs.
build_lua() {
  local src=$1 out="$root/build-lua"
  rm -rf "$out" && mkdir -p "$out"
  local f objs=()
  for f in "$src"/src/*.c; do
    case "$(basename "$f")" in lua.c|luac.c) continue ;; esac
    g++ -x c++ -O2 -fPIC -DLUA_COMPAT_5_3 -DLUA_USE_LINUX -c "$f" -o "$out/$(basename "$f" .c).o" \
      2>>"$out.build.log" || { tail -20 "$out.build.log" >&2; exit 1; }
    objs+=("$out/$(basename "$f" .c).o")
  done
  ar rcs "$root/lib/liblua5.4-c++_pic.a" "${objs[@]}"
}

uv_src=$(fetch_source libuv1 libuv1-dev)
absl_src=$(fetch_source abseil libabsl-dev)
lua_src=$(fetch_source lua5.4 liblua5.4-dev)
stamp="$root/built-$(basename "$uv_src")-$(basename "$absl_src")-$(basename "$lua_src")"
if [ ! -f "$stamp" ]; then
  rm -rf "$root/lib" "$root"/built-* && mkdir -p "$root/lib"
  CMAKE_EXTRA=(-DLIBUV_BUILD_TESTS=OFF -DLIBUV_BUILD_BENCH=OFF)
  build "$uv_src" libuv libuv_a.a
  CMAKE_EXTRA=(-DCMAKE_CXX_STANDARD=17 -DABSL_PROPAGATE_CXX_STD=ON)
  build "$absl_src" abseil "${absl_libs[@]}"
  build_lua "$lua_src"
  touch "$stamp"
fi
echo "STATIC_LIBDIR=$root/lib"
echo "STATIC_INCLUDE=$uv_src/include:$absl_src:$lua_src/src"
