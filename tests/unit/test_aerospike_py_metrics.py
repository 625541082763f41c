"""Metric names, labels and switches as aerospike-py has them (no server needed).

Dashboards built on aerospike-py scrape ``db_client_operation_duration_seconds``
and ``db_client_internal_stage_seconds``; the two switches are independent and
the stage series start off unless ``AEROSPIKE_PY_INTERNAL_METRICS`` says on.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

import aerospike_py
from aerospike_py import _core

OPERATION = "db_client_operation_duration_seconds"
STAGE = "db_client_internal_stage_seconds"


@pytest.fixture(autouse=True)
def _restore_switches() -> Iterator[None]:
    metrics = aerospike_py.is_metrics_enabled()
    stages = aerospike_py.is_internal_stage_metrics_enabled()
    yield
    aerospike_py.set_metrics_enabled(metrics)
    aerospike_py.set_internal_stage_metrics_enabled(stages)
    aerospike_py.stop_metrics_server()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_families_are_always_declared_and_text_ends_with_eof() -> None:
    text = aerospike_py.get_metrics()
    assert f"# HELP {OPERATION} " in text
    assert f"# TYPE {OPERATION} histogram" in text
    assert f"# HELP {STAGE} " in text
    assert f"# TYPE {STAGE} histogram" in text
    assert text.endswith("# EOF\n")
    for line in text.splitlines():
        assert line.startswith("#") or line[0].isalpha(), line


def test_operation_series_carry_aerospike_py_labels() -> None:
    aerospike_py.set_metrics_enabled(True)
    # Parse and submit are timed even for a call that fails on an unconnected
    # client: the get series appears with its labels.
    c = aerospike_py.client({"hosts": [("127.0.0.1", 1)]})
    with pytest.raises(aerospike_py.ClientError):
        c.get(("test", "demo", "k"))
    stats = _core.stage_stats()
    text = aerospike_py.get_metrics()
    if "get" in stats and stats["get"]["completed"]:
        line = next(ln for ln in text.splitlines() if ln.startswith(f"{OPERATION}_count{{"))
        for label in ("db_system_name=\"aerospike\"", "db_namespace=", "db_collection_name=",
                      "db_operation_name=", "error_type="):
            assert label in line
    # Every series has real buckets (aerospike-py's bounds among them) and
    # ends with +Inf.
    buckets = [ln for ln in text.splitlines() if ln.startswith(f"{OPERATION}_bucket")]
    series = {ln.split(",le=")[0] for ln in buckets}
    for name in series:
        les = [ln.split(',le="')[1].split('"')[0] for ln in buckets if ln.startswith(name + ",")]
        assert les[-1] == "+Inf"
        assert {"0.001", "0.005", "0.01", "0.05", "0.1", "0.5", "1.0", "5.0", "10.0"} <= set(les)


def test_switches_are_independent() -> None:
    aerospike_py.set_metrics_enabled(True)
    aerospike_py.set_internal_stage_metrics_enabled(False)
    assert aerospike_py.is_metrics_enabled() is True
    assert aerospike_py.is_internal_stage_metrics_enabled() is False
    aerospike_py.set_metrics_enabled(False)
    aerospike_py.set_internal_stage_metrics_enabled(True)
    assert aerospike_py.is_metrics_enabled() is False
    assert aerospike_py.is_internal_stage_metrics_enabled() is True


def test_profiling_block_restores_the_stage_switch() -> None:
    aerospike_py.set_internal_stage_metrics_enabled(False)
    with pytest.raises(RuntimeError), aerospike_py.internal_stage_profiling():
        assert aerospike_py.is_internal_stage_metrics_enabled()
        raise RuntimeError("boom")
    assert aerospike_py.is_internal_stage_metrics_enabled() is False


def test_stage_series_only_when_switched_on() -> None:
    aerospike_py.set_internal_stage_metrics_enabled(False)
    assert aerospike_py.get_metrics() == aerospike_py.get_metrics()
    assert f"{STAGE}_count" not in aerospike_py.get_metrics()


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, False), ("", False), ("0", False), ("false", False), ("1", True), ("true", True),
     ("TrUe", True), ("yes", True), ("YES", True), ("on", True), ("On", True)],
)
def test_environment_variable_sets_the_stage_switch_at_import(
    value: str | None, expected: bool
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "AEROSPIKE_PY_INTERNAL_METRICS"}
    if value is not None:
        env["AEROSPIKE_PY_INTERNAL_METRICS"] = value
    out = subprocess.run(
        [sys.executable, "-c",
         "import aerospike_py; print(aerospike_py.is_internal_stage_metrics_enabled())"],
        capture_output=True, text=True, env=env, timeout=60, check=True,
    )
    assert out.stdout.strip() == str(expected)


def test_server_answers_metrics_path_only() -> None:
    port = _free_port()
    aerospike_py.start_metrics_server(port=port)
    # Without an Accept header: the classic text format, as aerospike-py serves it.
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        body = r.read().decode()
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    # Ends with "# EOF" as aerospike-py's does (a comment in this format).
    assert f"# TYPE {OPERATION} histogram" in body and body.endswith("\n# EOF\n")
    assert body.count("# EOF") == 1
    # Still the classic format, read by prometheus_client's classic parser.
    from prometheus_client.parser import text_string_to_metric_families
    assert OPERATION in {f.name for f in text_string_to_metric_families(body)}
    # A scraper asking for OpenMetrics gets it (ending with # EOF).
    req = urllib.request.Request(f"http://127.0.0.1:{port}/metrics",
                                 headers={"Accept": "application/openmetrics-text"})
    with urllib.request.urlopen(req, timeout=5) as r:
        body = r.read().decode()
    assert f"# TYPE {OPERATION} histogram" in body and body.endswith("# EOF\n")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
    assert info.value.code == 404


def test_restart_on_same_port_and_failed_restart_keeps_old_server() -> None:
    port = _free_port()
    aerospike_py.start_metrics_server(port=port)
    aerospike_py.start_metrics_server(port=port)  # the same port: replaced
    assert urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).status == 200
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        with pytest.raises(OSError):
            aerospike_py.start_metrics_server(port=taken.getsockname()[1])
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).status == 200
    aerospike_py.stop_metrics_server()
    aerospike_py.stop_metrics_server()
