"""What the report records about the machine, the build and the run."""

from __future__ import annotations

import datetime
import glob
import os
import platform
import socket
import subprocess
from typing import Any

from .clients import REPO


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", "-C", REPO, *args], capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def build_flags() -> dict[str, str]:
    """How our extension is built: setup.py's switches as set in this environment."""
    switches = {k: os.environ.get(k, "") for k in ("ASPY_DEBUG", "ASPY_SANITIZE", "ASPY_STATIC")}
    debug = switches["ASPY_DEBUG"] not in ("", "0") or switches["ASPY_SANITIZE"] not in ("", "0")
    return {**switches,
            "optimization": "-O0 -g3 (debug)" if debug else "-O2 -DNDEBUG (setup.py default)",
            "note": "switches as seen by the benchmark; an extension built earlier keeps its own"}


def newer_sources(path: str, rooms: tuple[str, ...]) -> list[str]:
    """csrc files of these rooms modified after `path` was built."""
    built = os.path.getmtime(path)
    return sorted(os.path.relpath(p, REPO) for room in rooms
                  for p in glob.glob(os.path.join(REPO, "csrc", room, "*"))
                  if p.endswith((".cc", ".h")) and not os.path.basename(p).startswith("server_")
                  and os.path.getmtime(p) > built)


def extension_freshness() -> dict[str, Any]:
    """Our in-place extension (shared by .venv and benchmark/.venvs/ours) vs csrc/.

    A stale `_core` would benchmark old code, so the report warns about it.
    """
    sos = glob.glob(os.path.join(REPO, "aerospike_py", "_core*.so"))
    if not sos:
        return {"core_so": None}
    so = max(sos, key=os.path.getmtime)
    so_time = os.path.getmtime(so)
    # setup.py's _core: these rooms, csrc/python minus the server binding.
    newer = newer_sources(so, ("common", "proto", "cluster", "tls", "io", "client", "python"))
    return {"core_so": os.path.relpath(so, REPO),
            "core_so_built": datetime.datetime.fromtimestamp(so_time).isoformat(timespec="seconds"),
            "sources_newer_than_so": newer[:20], "stale": bool(newer)}


def collect() -> dict[str, Any]:
    now = datetime.datetime.now()
    return {
        "date": now.isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "orchestrator_python": platform.python_version(),
        "loadavg_start": loadavg(),
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "git_dirty_files": len([ln for ln in _git("status", "--porcelain").splitlines() if ln]),
        "build": build_flags(),
        "extension": extension_freshness(),
    }


def run_dir_name(info: dict[str, Any]) -> str:
    """`<date>_<host>`, e.g. 20260501-1342_myhost."""
    stamp = datetime.datetime.fromisoformat(info["date"]).strftime("%Y%m%d-%H%M")
    host = "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in info["host"])[:40]
    return f"{stamp}_{host}"
