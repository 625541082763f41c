"""The serving benchmark (benchmark/serving_gets.py) runs end to end in a
tiny configuration with this interpreter's client: coalesced and plain gets
on an embedded server, and the hedged-read mode on an embedded 3-node
cluster. No timing is asserted; only that every case ran and reported."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(tmp_path: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": REPO}
    env.pop("AEROSPIKE_HOSTS", None)
    return subprocess.run([sys.executable, "-m", "benchmark.serving_gets", "--out", tmp_path, *args],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_gets_mode_quick(tmp_path: os.PathLike[str]) -> None:
    p = run(str(tmp_path), "--clients", "ours-coalesced,ours", "--n", "300", "--rounds", "1",
            "--repeat", "1", "--window-us", "500")
    assert p.returncode == 0, p.stderr[-3000:]
    assert "| ours-coalesced |" in p.stdout and "| ours |" in p.stdout
    result = json.loads((tmp_path / "serving_gets.json").read_text())  # type: ignore[operator]
    stats = result["summary"]["ours-coalesced"]["runs"][0]["serving_stats"]
    assert stats["coalesced_calls"] >= 2


def test_gets_mode_floor_on_uvloop(tmp_path: os.PathLike[str]) -> None:
    p = run(str(tmp_path), "--clients", "ours-coalesced,null-client", "--n", "300", "--rounds",
            "1", "--repeat", "1", "--loop", "uvloop")
    assert p.returncode == 0, p.stderr[-3000:]
    assert "loop: uvloop" in p.stdout
    result = json.loads((tmp_path / "serving_gets.json").read_text())  # type: ignore[operator]
    assert result["summary"]["null-client"]["calls_per_s"] > 0
    # The floor is no peer: the ratios against "the best peer" leave it out.
    assert "best peer" not in p.stdout
    assert "share of the loop's ceiling (null-client" in p.stdout
    assert "ours-coalesced " in p.stdout.split("share of the loop's ceiling")[1]


@pytest.mark.embedded_server
def test_hedge_mode_quick(tmp_path: os.PathLike[str]) -> None:
    p = run(str(tmp_path), "--mode", "hedge", "--seconds", "0.5", "--lanes", "4")
    assert p.returncode == 0, p.stderr[-3000:]
    result = json.loads((tmp_path / "serving_hedge.json").read_text())  # type: ignore[operator]
    names = ["healthy", "healthy, hedged adaptively (p95)", "slow node, not hedged",
             "slow node, hedged", "slow node, hedged adaptively (p95)"]
    assert set(result["cases"]) == set(names) | {f"batch of 50, {n}" for n in names}
    cases = result["cases"]
    assert all(c["calls"] > 0 for c in cases.values())
    for prefix in ("", "batch of 50, "):
        assert cases[f"{prefix}healthy"]["hedged_reads"] == 0
        assert cases[f"{prefix}slow node, not hedged"]["hedged_reads"] == 0
        assert cases[f"{prefix}slow node, hedged"]["hedge_wins"] > 0  # 3 ms against 20 ms
    assert "| hedge wins |" in result["report"]


@pytest.mark.embedded_server
def test_merged_batches_quick(tmp_path: os.PathLike[str]) -> None:
    out = os.path.join(str(tmp_path), "merged.json")
    env = {**os.environ, "PYTHONPATH": REPO}
    env.pop("AEROSPIKE_HOSTS", None)
    p = subprocess.run([sys.executable, "-m", "benchmark.merged_batches", "--lanes", "4",
                        "--requests", "3", "--rounds", "1", "--sets", "3", "--keys", "20",
                        "--records", "50", "--json", out],
                       cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    for name in ("not merged", "merged", "merged 500", "merged 2000"):
        assert f"| {name} |" in p.stdout
    assert "merged 2000 / not merged: requests/s x" in p.stdout
    rounds = json.loads(open(out).read())["rounds"]
    assert rounds["not merged"][0]["merged_calls"] == 0
    # 4 lanes x 3 requests x 3 calls, a 2 ms window: calls did travel together.
    assert rounds["merged 2000"][0]["merged_calls"] >= 2
