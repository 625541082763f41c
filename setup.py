"""Build of the aerospike_py extensions.

Two extensions are built from csrc/:
  aerospike_py._core    the client: common, proto, cluster, tls, io, client + python bridge
  aerospike_py._server  the embedded test server: common, proto, server + its binding

Switches (environment variables):
  ASPY_DEBUG=1     -O0 -g, assertions on
  ASPY_SANITIZE=1  AddressSanitizer + UndefinedBehaviorSanitizer (load with
                   LD_PRELOAD=$(gcc -print-file-name=libasan.so))
  ASPY_STATIC=1    link libuv and abseil statically (wheels); needs
                   ASPY_STATIC_LIBDIR (their archives built with -fPIC) and
                   ASPY_STATIC_INCLUDE (their headers, ':'-separated), which
                   scripts/build_wheel.sh sets
"""

from __future__ import annotations

import glob
import os
import shlex
import subprocess
import sys
import tomllib
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
    return uv + absl + ["-lssl", "-lcrypto", "-lz", "-lpthread"]


DEBUG = _flag("ASPY_DEBUG")
SANITIZE = _flag("ASPY_SANITIZE")
STATIC = _flag("ASPY_STATIC")

with open(os.path.join(HERE, "pyproject.toml"), "rb") as _f:
    VERSION = tomllib.load(_f)["project"]["version"]

compile_args = [f'-DASPY_VERSION="{VERSION}"', "-std=c++20", "-fvisibility=hidden", "-Wall", "-Wextra",
                "-Wno-missing-field-initializers", "-Wno-unused-parameter"]
compile_args += _pkg_config("--cflags", "libuv", *ABSL_PACKAGES)
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
    extra_compile_args=compile_args,
    extra_link_args=link_args,
    language="c++",
)

server_binding = sorted(glob.glob("csrc/python/server_*.cc"))
client_binding = [f for f in sorted(glob.glob("csrc/python/*.cc")) if f not in server_binding]

extensions = [
    Extension(
        "aerospike_py._core",
        sources=_sources("common", "proto", "cluster", "tls", "io", "client") + client_binding,
        **COMMON,
    ),
]
if server_binding:
    extensions.append(
        Extension(
            "aerospike_py._server",
            sources=_sources("common", "proto", "server", "server/sindex", "server/cdt") + server_binding,
            **COMMON,
        )
    )


class BuildExt(build_ext):
    """Builds one extension at a time, compiling its sources in parallel.

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

        def compile_parallel(sources, output_dir=None, macros=None, include_dirs=None, debug=0,
                             extra_preargs=None, extra_postargs=None, depends=None):
            macros, objects, extra_postargs, pp_opts, build = compiler._setup_compile(
                output_dir, macros, include_dirs, sources, depends, extra_postargs)
            cc_args = compiler._get_cc_args(pp_opts, debug, extra_preargs)

            def one(obj):
                if obj in build:
                    src, ext = build[obj]
                    compiler._compile(obj, src, ext, cc_args, extra_postargs, pp_opts)

            with ThreadPoolExecutor(max_workers=jobs) as pool:
                list(pool.map(one, objects))
            return objects

        compiler.compile = compile_parallel
        for ext in self.extensions:
            self.build_extension(ext)


# ASPY_ONLY=core|server builds one extension (parallel developers each
# rebuild only what they work on).
_only = os.environ.get("ASPY_ONLY", "")
if _only:
    extensions = [e for e in extensions if e.name == f"aerospike_py._{_only}"]

setup(ext_modules=extensions, cmdclass={"build_ext": BuildExt})
