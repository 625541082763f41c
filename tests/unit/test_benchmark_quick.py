"""`python -m benchmark --quick` end to end against the embedded server.

Runs every client this interpreter has (our client, sync and async, and the
official client, sync and under run_in_executor) through Env A, B and C and
checks what the run must get right: every scenario ran, no call failed, the
found rates follow the data set (set_8 empty, set_9 partial), the DLRM
answered, and the report names the clients that were not available. The
benchmark virtualenvs are not needed; no timing is asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PY_CLIENTS = ("ours-async", "ours-sync", "official", "official-async")
ASYNC_CLIENTS = ("ours-async", "official-async")


def _found_pct(run: dict[str, Any]) -> float:
    raw = run["raw"]
    found: int = raw["found"]
    calls: int = raw["ok_calls"]
    batch: int = run["batch"]
    return 100.0 * found / (calls * batch)


def test_quick_benchmark_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "quick"
    done = subprocess.run(
        [sys.executable, "-m", "benchmark", "--quick", "--this-python-only",
         "--timeout-ms", "20000", "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=900,
        env={**os.environ, "PYTHONPATH": ""})
    assert done.returncode == 0, done.stderr[-4000:]
    res = json.loads((out / "results.json").read_text())
    meta = res["meta"]
    assert meta["target"]["kind"] in ("embedded", "external")
    assert res["load"]["loaded"] + (300 * 8 if res["load"].get("skipped") else 0) == 300 * 8

    clients = meta["clients"]
    for name in PY_CLIENTS:
        assert clients[name]["available"], (name, clients[name].get("skipped"))
    # aerospike-py shares our import name, so it can never come from this interpreter.
    assert not clients["aerospike-py"]["available"]
    # Aerospike's Rust-core peers are listed (run only where their venv exists).
    assert {"aerospike-native", "aerospike-sdk"} <= set(clients)

    # Env A: every set and batch size for every client, no failed call.
    assert res["env_a"]["failures"] == []
    plain = [r for r in res["env_a"]["runs"] if not r["gil"]]
    for name in PY_CLIENTS:
        by_scenario = {(r["set"], r["batch"]): r for r in plain if r["client"] == name}
        assert set(by_scenario) == {(f"set_{i}", b) for i in range(1, 10) for b in (50, 200)}
        for (set_name, _batch), run in by_scenario.items():
            raw = run["raw"]
            assert raw["errors"] == 0, (name, set_name, raw["first_error"])
            assert raw["ok_calls"] == raw["calls"] == 30
            assert raw["cpu_s"] > 0 and len(raw["latencies_ms"]) == 30
            pct = _found_pct(run)
            if set_name == "set_8":
                assert pct == 0.0
            elif set_name == "set_9":
                assert 50.0 < pct < 100.0
            else:
                assert pct == 100.0, (name, set_name, pct)
    # The same keys for every client: identical found counts per scenario.
    for scenario in {(r["set"], r["batch"]) for r in plain}:
        counts = {r["raw"]["found"] for r in plain if (r["set"], r["batch"]) == scenario}
        assert len(counts) == 1, (scenario, counts)
    gil = [r for r in res["env_a"]["runs"] if r["gil"]]
    assert {r["client"] for r in gil} >= set(PY_CLIENTS)
    assert all(r["raw"]["gil"]["baseline_rate"] > 0 for r in gil)

    # Env B and C: the async clients' apps answered every request.
    for env, key, levels in (("env_b", "concurrency", {5, 10, 50}),
                             ("env_c", "mode", {"single", "gather", "merge_gather",
                                                "ramp 2", "ramp 4"})):
        assert res[env]["failures"] == [], res[env]["failures"]
        runs = [r for r in res[env]["runs"] if not r["gil"]]
        for name in ASYNC_CLIENTS:
            client_runs = [r for r in runs if r["client"] == name]
            assert {r[key] for r in client_runs} == levels, (env, name)
            for r in client_runs:
                assert r["summary"]["errors"] == 0 and r["server_errors"] == 0, (env, name, r[key])
                assert r["summary"]["count"] > 0
    for r in res["env_c"]["runs"]:
        assert r["server"]["predict"]["count"] > 0 and r["server"]["inference"]["count"] > 0
        assert r["process"]["cpu_s"] > 0
    # The stress ramp ran its stages (quick mode: 2 then 4 users) at their own concurrency.
    for r in res["env_c"]["runs"]:
        if str(r["mode"]).startswith("ramp"):
            assert r["concurrency"] == r["ramp_stage"] == int(r["mode"].split()[1])
    # Env C's floor (no client) ran its modes too, and only in Env C.
    assert {r["mode"] for r in res["env_c"]["runs"] if r["client"] == "null-client"} >= {
        "single", "gather", "merge_gather"}
    assert not any(r["client"] == "null-client" for r in res["env_b"]["runs"])
    ours_c = [r for r in res["env_c"]["runs"] if r["client"] == "ours-async" and not r["gil"]]
    assert all(r["stage_stats"] for r in ours_c)
    for name in ASYNC_CLIENTS:
        assert res["apps"][name]["model"]["backend"] in ("torch", "numpy")

    text = (out / "report.md").read_text()
    for section in ("## Environment A", "## GIL contention", "## Environment B",
                    "## Environment C", "### Clients"):
        assert section in text
    assert "aerospike-py" in text and "not run" in text
    assert "ours-async / official" in text
    assert "**Server: the embedded server**" in text or "**Server: an external cluster**" in text
    assert "`merge_gather`, what each client did" in text
    assert "Where the app's time goes" in text
