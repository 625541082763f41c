"""House rules that a grep can check, enforced as a test.

- Python.h only in csrc/python/ (the GIL lives only in the bridge);
- uv.h only in csrc/io/ and csrc/server/ (the event loops);
- PyGILState_* nowhere: the event thread never takes the GIL;
- Lua's headers only in csrc/lua/ (the UDF environment owns the Lua API);
- csrc/server/cdt/ (the collection engine) includes nothing of the rest of the server.
"""

from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
CSRC = ROOT / "csrc"
SOURCE_SUFFIXES = {".h", ".hpp", ".cc", ".cpp", ".c"}


def _sources() -> list[pathlib.Path]:
    return sorted(p for p in CSRC.rglob("*") if p.suffix in SOURCE_SUFFIXES)


def _includes(path: pathlib.Path, header: str) -> bool:
    pattern = re.compile(r'^\s*#\s*include\s*[<"]' + re.escape(header) + r'[>"]', re.M)
    return bool(pattern.search(path.read_text(errors="replace")))


def _room(path: pathlib.Path) -> str:
    return path.relative_to(CSRC).parts[0]


def test_there_are_sources_to_check() -> None:
    assert len(_sources()) > 10


def test_python_h_only_in_the_bridge() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in _sources()
                 if _includes(p, "Python.h") and _room(p) != "python"]
    assert offenders == [], f"Python.h included outside csrc/python/: {offenders}"


def test_uv_h_only_in_event_loop_rooms() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in _sources()
                 if _includes(p, "uv.h") and _room(p) not in ("io", "server")]
    assert offenders == [], f"uv.h included outside csrc/io/ and csrc/server/: {offenders}"


def test_no_pygilstate_anywhere() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in _sources()
                 if "PyGILState_" in p.read_text(errors="replace")]
    assert offenders == [], f"PyGILState_* used in: {offenders}"


def test_lua_headers_only_in_the_lua_room() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in _sources()
                 if any(_includes(p, h) for h in ("lua.h", "lua.hpp", "lauxlib.h", "lualib.h"))
                 and _room(p) != "lua"]
    assert offenders == [], f"Lua headers included outside csrc/lua/: {offenders}"


def test_rules_catch_a_violation(tmp_path: pathlib.Path) -> None:
    """The include matcher really matches the forms used in C++."""
    f = tmp_path / "x.cc"
    f.write_text('#include <Python.h>\n  #  include "uv.h"\n')
    assert _includes(f, "Python.h")
    assert _includes(f, "uv.h")
    f.write_text('// #include <Python.h> is not allowed here\n')
    assert not _includes(f, "Python.h")


def test_cdt_engine_stands_alone() -> None:
    """csrc/server/cdt/ (the collection engine that record ops and
    expressions share) includes only itself, common/ and the standard
    library: nothing of the processor, store or server I/O."""
    include = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
    offenders = []
    for p in _sources():
        if p.relative_to(CSRC).parts[:2] != ("server", "cdt"):
            continue
        for header in include.findall(p.read_text(errors="replace")):
            if not header.startswith(("server/cdt/", "common/")):
                offenders.append(f"{p.relative_to(ROOT)}: {header}")
    assert offenders == [], f"the CDT engine includes outside itself: {offenders}"
