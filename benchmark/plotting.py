"""Finds an interpreter with matplotlib and runs plots.py in it.

The orchestrator itself needs nothing beyond the standard library; plots are
drawn by whichever known interpreter has matplotlib (this one, a client's, or
benchmark/.venvs/*), and skipped with a reason in the report otherwise.
"""

from __future__ import annotations

import glob
import importlib.util
import json
import os
import subprocess
import sys
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))


def _has_matplotlib(python: str) -> bool:
    if python == sys.executable:
        return importlib.util.find_spec("matplotlib") is not None
    try:
        done = subprocess.run([python, "-E", "-s", "-c", "import matplotlib"],
                              capture_output=True, timeout=60, cwd="/")
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def candidates(res: dict[str, Any]) -> list[str]:
    out = [sys.executable]
    for c in res.get("meta", {}).get("clients", {}).values():
        if c.get("python") and (c.get("capabilities") or {}).get("matplotlib"):
            out.append(c["python"])
    out += sorted(glob.glob(os.path.join(HERE, ".venvs", "*", "bin", "python")))
    return list(dict.fromkeys(out))


def make_plots(out_dir: str, res: dict[str, Any]) -> tuple[list[str], str]:
    """Returns (PNG file names relative to out_dir, reason when none were made)."""
    for python in candidates(res):
        if not os.path.exists(python) or not _has_matplotlib(python):
            continue
        done = subprocess.run([python, "-E", "-s", os.path.join(HERE, "plots.py"), out_dir],
                              capture_output=True, text=True, timeout=600, cwd="/")
        if done.returncode != 0:
            return [], f"plots.py failed with {python}: {done.stderr.strip()[-500:]}"
        files: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
        return files, ""
    return [], "no interpreter with matplotlib (benchmark/setup_envs.sh installs it)"
