"""The embedded server in a process of its own, for the benchmarks that start one.

A process rather than a thread: the server's CPU then shows apart from the
client's, and the client's GIL is not shared with it.

Benchmarks run as scripts import this as a sibling module (``from embedded
import start_server``), never by putting the repository on sys.path: some of
them also run as workers in aerospike-py's venv, where that would import our
``aerospike_py`` in place of theirs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start_server(python: str = sys.executable) -> tuple[subprocess.Popen[str], str, int]:
    """Starts ``python -m aerospike_py.server --port 0`` from the repository root.

    Returns the process (the caller terminates it), the host and the port it
    listens on. Raises RuntimeError if it does not say where it listens.
    """
    proc = subprocess.Popen([python, "-m", "aerospike_py.server", "--port", "0"],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    m = re.search(r"listening on ([\d.]+):(\d+)", line)
    if not m:
        proc.kill()
        raise RuntimeError(f"the embedded server did not start: {line!r}")
    return proc, m.group(1), int(m.group(2))
