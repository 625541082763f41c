"""The soak benchmark's two-minute run (what CI runs; the hour-long one is run by hand).

``benchmark/soak.py`` drives mixed load at a fixed rate against a three-node
embedded cluster in another process, restarting nodes and reconnecting the
client, and fails when RSS or open fds trend upward after warm-up or native
objects are left behind. Here: its exit status, and that its summary and
plot say what happened.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def test_two_minute_soak_holds_memory_and_fds_flat(tmp_path: Path) -> None:
    out = tmp_path / "soak"
    env = {k: v for k, v in os.environ.items() if k != "AEROSPIKE_HOSTS"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmark" / "soak.py"), "--minutes", "2", "--rate", "500",
         "--sample-every", "2", "--restart-every", "30", "--reconnect-every", "25",
         "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=600, cwd=ROOT,
    )
    summary = json.loads((out / "summary.json").read_text())
    assert done.returncode == 0, (summary["failures"], done.stdout[-2000:], done.stderr[-2000:])
    assert summary["passed"] and summary["failures"] == []
    assert summary["restarts"] >= 3 and summary["reconnects"] >= 4
    assert summary["commands"] > 500 * 60  # the fixed rate was held (roughly)
    assert summary["success_ratio"] >= 0.9
    assert summary["final_live_objects"] == 0
    # Every kind of the mix ran, the queries and the early-closed streams too.
    done_by_op = summary["succeeded_by_operation"]
    assert set(done_by_op) == {"get", "put", "exists", "operate", "batch_read",
                               "batch_operate", "query", "stream"}
    assert all(n > 0 for n in done_by_op.values()), done_by_op
    assert summary["steady_samples"] >= 30
    with open(out / "samples.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) >= 50
    assert {"rss_kib", "fds", "open_connections", "live_objects"} <= set(rows[0])
    # Connections were really open during the run (three nodes).
    assert max(int(r["open_connections"]) for r in rows) >= 3
    svg = (out / "soak.svg").read_text()
    assert svg.startswith("<svg") and svg.count("<polyline") == 4
