"""The benchmark harness without a server: statistics, data set, key draws,
report, load generator, model, drivers' result shapes, and a whole quick run
with the in-process fake client. No timing assertions anywhere."""

from __future__ import annotations

import asyncio
import json
import math
import os
import struct
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmark import loadgen, report, stats  # noqa: E402
from benchmark.workers.aspy_bench import dataset, dlrm, drivers  # noqa: E402


def test_percentiles_interpolate_like_numpy() -> None:
    values = [float(v) for v in range(1, 101)]
    s = stats.summarize(values)
    assert s["count"] == 100
    assert s["mean"] == pytest.approx(50.5)
    assert s["p50"] == pytest.approx(50.5)
    assert s["p90"] == pytest.approx(90.1)
    assert s["p99"] == pytest.approx(99.01)
    assert s["min"] == 1.0 and s["max"] == 100.0
    assert math.isnan(stats.summarize([])["p95"])
    assert stats.summarize([7.0])["p99"] == 7.0


def test_ratio_and_cdf() -> None:
    assert stats.ratio(10.0, 20.0) == 0.5
    assert math.isnan(stats.ratio(1.0, 0.0))
    assert math.isnan(stats.ratio(None, 1.0))
    pts = stats.cdf_points([3.0, 1.0, 2.0])
    assert pts == [(1.0, 1 / 3), (2.0, 2 / 3), (3.0, 1.0)]


def test_splitmix64_reference_value() -> None:
    # First output of splitmix64 from state 0 (the published reference).
    _state, out = dataset.splitmix64(0)
    assert out == 0xE220A8397B1DCDAF


def test_key_draws_are_distinct_deterministic_and_in_range() -> None:
    rows = dataset.draw_indices(seed=42, stream=3, calls=5, batch=200, key_space=300)
    assert len(rows) == 5
    for row in rows:
        assert len(row) == 200 and len(set(row)) == 200
        assert all(0 <= i < 300 for i in row)
    assert rows == dataset.draw_indices(42, 3, 5, 200, 300)
    assert rows != dataset.draw_indices(42, 4, 5, 200, 300)
    with pytest.raises(ValueError):
        dataset.draw_indices(1, 0, 1, 301, 300)


def test_data_set_shape() -> None:
    plans = {p.name: p for p in dataset.plan(1000)}
    assert sorted(plans) == sorted(dataset.SET_NAMES) and len(plans) == 9
    assert plans["set_8"].loaded == 0
    assert plans["set_9"].key_space == 1250 and plans["set_1"].key_space == 1000
    for name in dataset.SET_NAMES:
        rec = dataset.record(name, 17)
        assert 10 <= len(rec) <= 20, name
        assert rec == dataset.record(name, 17)
        kinds = {type(v) for v in rec.values()}
        assert {int, float, str} <= kinds, name
        assert all(len(b) <= 15 for b in rec)  # Aerospike's bin name limit
    user = dataset.record("set_1", 5)
    assert isinstance(user["emb"], bytes) and len(user["emb"]) == 4 * 32
    assert len(struct.unpack("<32f", user["emb"])) == 32
    item = dataset.record("set_9", 5)
    assert isinstance(item["emb"], list) and len(item["emb"]) == 32
    key = dataset.user_key("set_3", 42)
    assert key == "s3_00000042" and dataset.set_of_user_key(key) == "set_3"
    assert dataset.scenario_seed("A", "set_1", 50) == dataset.scenario_seed("A", "set_1", 50)
    assert dataset.scenario_seed("A", "set_1", 50) != dataset.scenario_seed("A", "set_1", 200)


def test_numpy_dtypes_hold_every_bin_of_every_set() -> None:
    np = pytest.importorskip("numpy")
    for name in dataset.SET_NAMES:
        full = np.dtype(dataset.numpy_fields(name))
        rec = dataset.record(name, 17)
        assert set(full.names) == set(rec), name  # every bin has a field
        row = np.zeros(1, dtype=full)[0]
        for bin_name, value in rec.items():  # and each value fits its field
            if isinstance(value, bytes):
                value = np.frombuffer(value, dtype="<f4")
            elif isinstance(value, list):
                value = value + [0] * (full[bin_name].shape[0] - len(value))
            elif isinstance(value, str):
                value = value.encode()
                assert len(value) <= full[bin_name].itemsize, (name, bin_name)
            row[bin_name] = value
        no_lists = np.dtype(dataset.numpy_fields(name, lists=False))
        kinds = dict(dataset.SCHEMAS[name])
        assert set(no_lists.names) == {
            b for b in rec if not kinds[b].startswith(("ilist", "flist"))}, name
    found = drivers.FoundRows(np.zeros(3), 2)
    assert len(found) == 2 and found.rows.shape == (3,)


def test_numpy_dlrm_scores_candidates_with_missing_records() -> None:
    model = dlrm.NumpyDLRM()
    n = 6
    rows: dict[str, list[Any]] = {
        s: [dataset.record(s, j) if (j + i) % 3 else None for j in range(n)]
        for i, s in enumerate(dataset.SET_NAMES)
    }
    dense, sparse = dlrm.build_features(rows, n)
    assert len(dense) == n and all(len(d) == dlrm.DENSE_DIM for d in dense)
    assert len(sparse) == 9 and all(len(ids) == n for ids in sparse)
    assert all(0 <= i < dlrm.TABLE_SIZE for ids in sparse for i in ids)
    scores = model.predict(dense, sparse)
    assert len(scores) == n and all(0.0 < s < 1.0 for s in scores)


def test_driver_result_shapes() -> None:
    class Lazy:
        def to_dict(self) -> dict[str, Any]:
            return {"k": {"a": 1}}

    assert drivers.as_user_dict(Lazy()) == {"k": {"a": 1}}
    assert drivers.as_user_dict({"x": {}}) == {"x": {}}
    found = SimpleNamespace(result=0, key=("test", "s", "u1", b"d"),
                            record=(("test", "s", "u1", b"d"), {"gen": 1}, {"b": 2}))
    missing = SimpleNamespace(result=2, key=("test", "s", "u2", b"d"), record=None)
    batch = SimpleNamespace(batch_records=[found, missing])
    assert drivers.official_to_user_dict(batch) == {"u1": {"b": 2}}
    with pytest.raises(ValueError):
        drivers.make("nope", [("127.0.0.1", 3000)])


def _synthetic_results() -> dict[str, Any]:
    def a_run(client: str, set_name: str, mean: float, gil: bool = False) -> dict[str, Any]:
        lat = [mean] * 10
        raw = {"latencies_ms": lat, "wall_s": mean / 10, "cpu_s": 0.5, "calls": 10, "ok_calls": 10,
               "records_requested": 500, "found": 500, "errors": 0, "error_kinds": {},
               "first_error": "", "gil": {"baseline_rate": 100.0, "during_rate": 60.0} if gil else {}}
        if client == "ours-async":
            raw["stages"] = {"batch_read": {
                "calls": 10, "completed": 10, "parse_ns": 100_000, "submit_ns": 10_000,
                "queue_ns": 20_000, "io_ns": 500_000, "wake_ns": 30_000, "convert_ns": 200_000,
                "gil_held_ns": 310_000}}
            raw["gc"] = {"seconds": 0.002, "collections": [30, 3, 1]}
        return {"client": client, "set": set_name, "batch": 50, "gil": gil,
                "summary": stats.summarize(lat), "raw": raw}

    def bc_run(client: str, key: str, level: Any, mean: float) -> dict[str, Any]:
        lat = [mean] * 20
        return {"client": client, key: level, "concurrency": 10, "gil": False,
                "load": {"latencies_ms": lat, "errors": 0},
                "summary": {**stats.summarize(lat), "tps": 1000.0 / mean, "errors": 0},
                "server": {"predict": stats.summarize(lat), "aerospike": stats.summarize(lat)},
                "gil_rates": {}}

    return {
        "meta": {"config": {"quick": True, "concurrency": 10, "iterations": 1, "warmup": 0,
                            "records_per_set": 10},
                 "system": {"date": "2026-01-01T00:00:00", "host": "h", "cpu_count": 2,
                            "loadavg_start": [0.1], "loadavg_end": [0.2]},
                 "target": {"kind": "embedded", "hosts": "127.0.0.1:1"},
                 "clients": {
                     "ours-async": {"library": "ours", "available": True, "description": "",
                                    "identity": {"aerospike_py": {"version": "0.1.0"}}},
                     "aerospike-py": {"library": "aerospike-py", "available": False,
                                      "skipped": "no venv", "description": ""}}},
        "env_a": {"runs": [a_run("ours-async", "set_1", 10.0), a_run("aerospike-py", "set_1", 20.0),
                           a_run("ours-async", "set_1", 12.0, gil=True)], "failures": []},
        "env_b": {"runs": [bc_run("ours-async", "concurrency", 5, 4.0),
                           bc_run("aerospike-py", "concurrency", 5, 8.0)], "failures": []},
        "env_c": {"runs": [bc_run("ours-async", "mode", "single", 30.0)], "failures": []},
        "notes": ["client aerospike-py not run: no venv"],
    }


def test_report_tables_and_ratios() -> None:
    text = report.render(_synthetic_results(), ["env_a_cdf_b50.png"])
    assert "## Environment A" in text and "## Environment B" in text and "## Environment C" in text
    assert "| ours-async / aerospike-py | 0.50× | 0.50× | 2.00× |" in text
    assert "0.50×" in text.split("## Environment B")[1]  # Env B mean ratio 4/8
    assert "task loss %" in text and "40.0" in text     # GIL: 60 of 100 left
    assert "not run: no venv" in text
    # Stage timers: 310 µs of GIL per call over 10 calls -> 31.0 µs per call, 0.62 per record.
    stages = text.split("## Where our client's time goes")[1].split("##")[0]
    assert "| ours-async | 50 | 10 | 10.0 | 1.0 | 2.0 | 50.0 | 3.0 | 20.0 | 31.0 | 0.62 |" in stages
    # GC: 2 ms over 10 calls in 1 s of wall -> 200 µs per call, 0.2 % of wall.
    gc_part = text.split("## Python's garbage collector")[1].split("##")[0]
    assert "| ours-async | 50 | 200.0 | 0.2 | 300.0/30.0/10.0 |" in gc_part
    assert "![env_a_cdf_b50.png](env_a_cdf_b50.png)" in text
    assert "Quick mode" in text


def test_loadgen_counts_answers_and_errors() -> None:
    async def main() -> loadgen.LoadResult:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:
                    head = await reader.readuntil(b"\r\n\r\n")
                    path = head.split(b" ")[1]
                    body = b'{"ok": true}'
                    status = b"500 Internal Server Error" if path == b"/bad" else b"200 OK"
                    writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: "
                                 + str(len(body)).encode() + b"\r\n\r\n" + body)
                    await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError):
                writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            return await loadgen.run_load("127.0.0.1", port, ["/good", "/bad"], 4, 0.3, 0.05)

    res = asyncio.run(main())
    assert len(res.latencies_ms) > 0
    assert res.errors > 0 and set(res.error_kinds) == {"http_500"}
    assert res.tps > 0


def test_quick_run_with_the_fake_client(tmp_path: Path) -> None:
    out = tmp_path / "run"
    done = subprocess.run(
        [sys.executable, "-m", "benchmark", "--quick", "--clients", "fake", "--envs", "A",
         "--this-python-only", "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": ""})
    assert done.returncode == 0, done.stderr[-3000:]
    res = json.loads((out / "results.json").read_text())
    runs = res["env_a"]["runs"]
    plain = [r for r in runs if not r["gil"]]
    assert {r["set"] for r in plain} == set(dataset.SET_NAMES)
    assert {r["batch"] for r in plain} == {50, 200}
    for r in plain:
        raw = r["raw"]
        assert raw["errors"] == 0 and raw["ok_calls"] == raw["calls"] == 30
        found_pct = 100.0 * raw["found"] / (raw["ok_calls"] * r["batch"])
        if r["set"] == "set_8":
            assert found_pct == 0.0
        elif r["set"] == "set_9":
            assert 50.0 < found_pct < 100.0
        else:
            assert found_pct == 100.0
    gil_runs = [r for r in runs if r["gil"]]
    assert gil_runs and all(r["raw"]["gil"]["baseline_rate"] > 0 for r in gil_runs)
    text = (out / "report.md").read_text()
    assert "## Environment A" in text and "## GIL contention" in text
    assert "[env A" in done.stderr  # the progress line
