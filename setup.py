"""Build of the aerospike_py extensions.

Two extensions are built from csrc/:
  aerospike_py._core    the client: common, proto, cluster, tls, io, lua (aggregation), client
                        + python bridge
  aerospike_py._server  the embedded test server: common, proto, tls, server (+ server/security,
                        server/cdt, server/udf and the lua room) + its binding

Switches (environment variables):
  ASPY_DEBUG=1     -O0 -g, assertions on
  ASPY_SANITIZE=1  AddressSanitizer + UndefinedBehaviorSanitizer (load with
                   LD_PRELOAD=$(gcc -print-file-name=libasan.so))
  ASPY_STATIC=1    link libuv and abseil statically (wheels); needs
                   ASPY_STATIC_LIBDIR (their archives built with -fPIC) and
                   ASPY_STATIC_INCLUDE (their headers, ':'-separated), which
                   scripts/build_wheel.sh sets
  ASPY_SHARED_OBJECTS=DIR  compile the sources outside csrc/python/ (which
                   never see Python.h) into DIR and reuse an object already
                   there: scripts/build_wheel.sh names a directory per source
                   hash, so the wheels of five interpreters compile the core
                   once and only the bridge five times
  ASPY_INPLACE_BUILT=1  build no extension: `setup.py build_ext --inplace`
                   already put them in aerospike_py/, and an editable
                   registration (`pip install -e .`, scripts/bootstrap.sh)
                   only needs the package path and its entry points; without
                   it pip compiled every source a second time in a temporary
                   folder. `pip install .` and wheel builds never set it.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))

ABSL_PACKAGES = [
    "absl_status",
    "absl_statusor",
    "absl_strings",
    "absl_str_format",
    "absl_flat_hash_map",
    "absl_synchronization",
    "absl_time",
]


def _flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0", "false", "no")


def _pkg_config(*args: str) -> list[str]:
    try:
        out = subprocess.check_output(["pkg-config", *args], text=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        sys.exit(
            f"pkg-config {' '.join(args)} failed ({exc}); install the build "
            "dependencies: apt-get install libuv1-dev libabsl-dev libssl-dev zlib1g-dev"
        )
    return shlex.split(out)


def _sources(*rooms: str) -> list[str]:
    files: list[str] = []
    for room in rooms:
        files += sorted(glob.glob(os.path.join("csrc", room, "*.cc")))
    return files


def _link_args(static: bool) -> list[str]:
    """Link arguments for libuv, abseil, OpenSSL and zlib."""
    absl = _pkg_config("--libs", *(["--static"] if static else []), *ABSL_PACKAGES)
    uv = ["-luv"]
    if static:
        # Debian's libuv_a.a and libabsl_*.a are built as PIE (PC-relative
        # data references, local-exec TLS) and ld refuses them in a shared
        # object, so static builds link archives rebuilt with -fPIC from the
        # same Debian sources (scripts/build_static_deps.sh), found first in
        # ASPY_STATIC_LIBDIR. OpenSSL and zlib stay dynamic for auditwheel.
        libdir = os.environ.get("ASPY_STATIC_LIBDIR", "")
        if not all(os.path.exists(os.path.join(libdir, a)) for a in ("libuv_a.a", "libabsl_base.a")):
            sys.exit(
                "ASPY_STATIC=1 needs ASPY_STATIC_LIBDIR: a directory with libuv_a.a and "
                "libabsl_*.a built with -fPIC (Debian's are PIE only); scripts/build_wheel.sh "
                "builds them with scripts/build_static_deps.sh"
            )
        uv = [f"-L{libdir}", "-l:libuv_a.a"]
        absl = ["-Wl,--start-group"] + [
            a.replace("-labsl_", "-l:libabsl_") + ".a" if a.startswith("-labsl_") else a
            for a in absl
        ] + ["-Wl,--end-group"]
    return uv + absl + _lua_link_args(static) + ["-lssl", "-lcrypto", "-lz", "-lpthread"]


def _lua_link_args(static: bool) -> list[str]:
    """Lua 5.4 for UDFs (csrc/lua/): Debian's build as C++ (liblua5.4-c++),
    whose errors unwind C++ frames. Wheels link liblua5.4-c++_pic.a, which
    scripts/build_static_deps.sh compiles with -fPIC from Debian's source
    (Debian's own archive is PIE only, like libuv's)."""
    if not static:
        return _pkg_config("--libs", "lua5.4-c++")
    libdir = os.environ.get("ASPY_STATIC_LIBDIR", "")
    if not os.path.exists(os.path.join(libdir, "liblua5.4-c++_pic.a")):
        sys.exit("ASPY_STATIC=1 needs liblua5.4-c++_pic.a in ASPY_STATIC_LIBDIR "
                 "(scripts/build_static_deps.sh builds it)")
    return [f"-L{libdir}", "-l:liblua5.4-c++_pic.a", "-ldl"]


DEBUG = _flag("ASPY_DEBUG")
SANITIZE = _flag("ASPY_SANITIZE")
STATIC = _flag("ASPY_STATIC")

def _project_version() -> str:
    """[project] version from pyproject.toml (tomllib is 3.11+; wheels build on 3.9 too)."""
    with open(os.path.join(HERE, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    project = text.split("[project]", 1)[1].split("\n[", 1)[0]
    match = re.search(r'^version\s*=\s*"([^"]+)"', project, re.MULTILINE)
    if match is None:
        sys.exit("setup.py: no version in pyproject.toml's [project] table")
    return match.group(1)


VERSION = _project_version()

compile_args = [f'-DASPY_VERSION="{VERSION}"', "-std=c++20", "-fvisibility=hidden", "-Wall", "-Wextra",
                "-Wno-missing-field-initializers", "-Wno-unused-parameter",
                # x.d beside each x.o: the headers it was compiled from (BuildExt
                # recompiles an object only when one of them changed).
                "-MMD"]
compile_args += _pkg_config("--cflags", "libuv", *ABSL_PACKAGES)
compile_args += _pkg_config("--cflags", "lua5.4-c++")
if DEBUG or SANITIZE:
    compile_args += ["-O0", "-g3", "-UNDEBUG", "-DASPY_DEBUG=1"]
else:
    compile_args += ["-O2", "-DNDEBUG"]
link_args = _link_args(STATIC)
if SANITIZE:
    san = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer",
           "-fno-sanitize-recover=undefined"]
    compile_args += san
    link_args = san + link_args

# Static builds compile against the headers of the sources whose archives
# they link (the same Debian versions, so normally identical to /usr/include,
# but never mismatched).
_static_include = (
    [d for d in os.environ.get("ASPY_STATIC_INCLUDE", "").split(os.pathsep) if d] if STATIC else []
)

COMMON = dict(
    include_dirs=[os.path.join(HERE, "csrc")] + _static_include,
    # A header change rebuilds the extensions (build_ext compares the .so
    # with its sources and these; BuildExt then recompiles what is older).
    depends=sorted(glob.glob(os.path.join("csrc", "**", "*.h"), recursive=True)),
    extra_compile_args=compile_args,
    extra_link_args=link_args,
    language="c++",
)

server_binding = sorted(glob.glob("csrc/python/server_*.cc"))
client_binding = [f for f in sorted(glob.glob("csrc/python/*.cc")) if f not in server_binding]

extensions = [
    Extension(
        "aerospike_py._core",
        sources=_sources("common", "proto", "cluster", "tls", "io", "lua", "client") + client_binding,
        **COMMON,
    ),
]
# --- S2 geometry for the embedded server's geo indexes (csrc/server/sindex/s2_cover.cc).
# The real server covers GeoJSON regions with s2geometry; so does ours when
# libs2-dev is installed (scripts/bootstrap.sh and .ci/run install it).
# Wheels (ASPY_STATIC=1) leave it out: Debian ships no PIC archive of it, and
# its shared library would bring Debian's shared abseil next to our static
# one; their embedded server falls back to whole-partition geo queries.
# ASPY_S2=0/1 forces either way.
def _s2_wanted() -> bool:
    forced = os.environ.get("ASPY_S2")
    if forced is not None:
        return forced not in ("", "0")
    if STATIC:
        return False
    if not os.path.exists("/usr/include/s2/s2region_coverer.h"):
        sys.exit("setup.py: the embedded server needs libs2-dev (apt-get install libs2-dev; "
                 "scripts/bootstrap.sh installs it), or ASPY_S2=0 to build without it")
    return True


# s2_cover.cc uses libs2 when its headers are there (__has_include) unless
# ASPY_NO_S2 says not to; the define goes to every extension alike (BuildExt
# recompiles a shared object directory whose flags changed).
SERVER = dict(COMMON)
if _s2_wanted():
    SERVER["extra_link_args"] = list(COMMON["extra_link_args"]) + ["-ls2"]
else:
    compile_args.append("-DASPY_NO_S2")
# --- end S2

if server_binding:
    extensions.append(
        Extension(
            "aerospike_py._server",
            sources=_sources("common", "proto", "tls", "server", "server/security", "server/cdt",
                             "server/sindex", "lua", "server/udf")
            + server_binding,
            **SERVER,  # type: ignore[arg-type]
        )
    )


def _headers() -> list[str]:
    return sorted(glob.glob(os.path.join("csrc", "**", "*.h"), recursive=True))


def _newest_header_mtime() -> float:
    return max((os.path.getmtime(h) for h in _headers()), default=0.0)


def _dependencies(obj: str) -> list[str] | None:
    """The files `obj` was compiled from, as the compiler's -MMD file lists them."""
    text = _read(os.path.splitext(obj)[0] + ".d")
    if ":" not in text:
        return None
    return text.replace("\\\n", " ").split(":", 1)[1].split()


def _up_to_date(obj: str, src: str, newest_header: float) -> bool:
    try:
        built = os.path.getmtime(obj)
    except OSError:
        return False
    deps = _dependencies(obj)
    if deps is None:  # compiled without -MMD: any newer header may matter
        return built >= os.path.getmtime(src) and built >= newest_header
    try:
        return all(os.path.getmtime(d) <= built for d in [src, *deps])
    except OSError:
        return False  # a header it used is gone


def _read(path: str) -> str:
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def _is_bridge_source(path: str) -> bool:
    """Sources of csrc/python/ include Python.h: compiled once per interpreter."""
    return os.path.normpath(path).split(os.sep)[-2:-1] == ["python"]


class BuildExt(build_ext):
    """Builds one extension at a time, compiling its sources in parallel and
    only those whose object is older than its source or a header it includes
    (the compiler's -MMD file), or was compiled with other flags: setuptools
    alone recompiles every source of an extension on any change.

    setuptools' own parallel mode builds whole extensions concurrently, and
    ours share csrc/common and csrc/proto: both wrote the same object files
    at once, and a wheel once linked a half-written one (an undefined symbol
    at import). Source-level parallelism keeps the speed without the race.
    """

    def build_extensions(self) -> None:
        self.check_extensions_list(self.extensions)
        jobs = self.parallel if isinstance(self.parallel, int) and self.parallel > 1 else (
            os.cpu_count() or 1)
        compiler = self.compiler

        shared_dir = os.environ.get("ASPY_SHARED_OBJECTS", "")

        def compile_parallel(sources, output_dir=None, macros=None, include_dirs=None, debug=0,
                             extra_preargs=None, extra_postargs=None, depends=None):
            groups = [(list(sources), output_dir, False)]
            if shared_dir:
                bridge = [s for s in sources if _is_bridge_source(s)]
                core = [s for s in sources if not _is_bridge_source(s)]
                groups = [(bridge, output_dir, False), (core, shared_dir, True)]
            objects_of: dict[str, str] = {}
            work = []
            stamps = []
            newest_header = _newest_header_mtime()
            for group, out_dir, reuse in groups:
                if not group:
                    continue
                _macros, objects, post, pp_opts, build = compiler._setup_compile(
                    out_dir, macros, include_dirs, group, depends, extra_postargs)
                cc_args = compiler._get_cc_args(pp_opts, debug, extra_preargs)
                # Objects are reused only if they were compiled with exactly
                # these flags (the stamp) and are newer than their source and
                # every header of csrc/ (setuptools itself recompiles all).
                flags = hashlib.sha256(repr((compiler.compiler_so, cc_args, post, pp_opts))
                                       .encode()).hexdigest()
                stamp = os.path.join(out_dir or ".", ".aspy-compile-flags")
                same_flags = _read(stamp) == flags
                if not same_flags and os.path.exists(stamp):
                    os.remove(stamp)
                stamps.append((stamp, flags))
                for src, obj in zip(group, objects):
                    objects_of[src] = obj
                    if obj not in build:
                        continue
                    if reuse and os.path.exists(obj):
                        # A shared directory is named by the sources' hash: an
                        # object there is current whatever its timestamp.
                        continue
                    if same_flags and _up_to_date(obj, src, newest_header):
                        continue
                    work.append((obj, build[obj], cc_args, post, pp_opts))

            def one(item):
                obj, (src, ext), cc_args, post, pp_opts = item
                compiler._compile(obj, src, ext, cc_args, post, pp_opts)

            with ThreadPoolExecutor(max_workers=jobs) as pool:
                list(pool.map(one, work))
            for stamp, flags in stamps:
                with open(stamp, "w") as f:
                    f.write(flags)
            return [objects_of[s] for s in sources]

        compiler.compile = compile_parallel
        for ext in self.extensions:
            self.build_extension(ext)


# ASPY_ONLY=core|server builds one extension (parallel developers each
# rebuild only what they work on).
_only = os.environ.get("ASPY_ONLY", "")
if _only:
    extensions = [e for e in extensions if e.name == f"aerospike_py._{_only}"]
if _flag("ASPY_INPLACE_BUILT"):
    extensions = []

setup(ext_modules=extensions, cmdclass={"build_ext": BuildExt})
