"""Metrics scraped over HTTP and parsed by prometheus_client's own parsers.

Runs in a fresh interpreter so the core's process-wide histograms hold only
what this test did: an embedded server, known commands on both clients
(including a failure and commands while metrics are off), then a scrape of
``start_metrics_server``'s ``/metrics`` in both exposition formats.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
OPERATION = "db_client_operation_duration_seconds"
# Every bucket bound aerospike-py's histogram has (dashboards use them).
ASPY_BOUNDS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0)

SCRIPT = r'''
import asyncio, json, socket, sys, urllib.error, urllib.request
import aerospike_py
from aerospike_py.testing import EmbeddedServer
from prometheus_client.parser import text_string_to_metric_families as parse_text
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_om

def samples(families):
    out = []
    for fam in families:
        for s in fam.samples:
            out.append({"family": fam.name, "type": fam.type, "name": s.name,
                        "labels": dict(s.labels), "value": s.value})
    return out

with EmbeddedServer() as server:
    cfg = {"hosts": server.hosts}
    with aerospike_py.client(cfg).connect() as c:
        for i in range(5):
            c.put(("test", "scrape", i), {"v": i})
        for i in range(5):
            c.get(("test", "scrape", i))
        try:
            c.get(("test", "scrape", "missing"))
        except aerospike_py.RecordNotFound:
            pass
        c.batch_read([("test", "scrape", i) for i in range(5)])
        connected = samples(parse_om(aerospike_py.get_metrics()))  # gauges while connected
        aerospike_py.set_metrics_enabled(False)
        for i in range(4):
            c.get(("test", "scrape", i))  # not counted
        aerospike_py.set_metrics_enabled(True)

    async def run_async():
        async with await aerospike_py.async_client(cfg).connect() as c:
            await asyncio.gather(*(c.put(("test", "ascrape", i), {"v": i}) for i in range(3)))
            await asyncio.gather(*(c.get(("test", "ascrape", i)) for i in range(3)))
            await c.operate(("test", "ascrape", 0),
                            [{"op": aerospike_py.OPERATOR_INCR, "bin": "v", "val": 1}])

    asyncio.run(run_async())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    aerospike_py.start_metrics_server(port=port)
    url = f"http://127.0.0.1:{port}/metrics"
    with urllib.request.urlopen(url, timeout=10) as r:
        classic, classic_type = r.read().decode(), r.headers["Content-Type"]
    req = urllib.request.Request(url, headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    with urllib.request.urlopen(req, timeout=10) as r:
        om, om_type = r.read().decode(), r.headers["Content-Type"]
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/other", timeout=10)
        other = 200
    except urllib.error.HTTPError as e:
        other = e.code
    aerospike_py.stop_metrics_server()
    text = aerospike_py.get_metrics()

print(json.dumps({
    "classic": samples(parse_text(classic)), "classic_type": classic_type,
    "om": samples(parse_om(om)), "om_type": om_type, "other": other,
    "get_metrics": samples(parse_om(text)), "get_metrics_eof": text.endswith("# EOF\n"),
    "connected": connected,
}))
'''


@pytest.fixture(scope="module")
def scrape() -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "AEROSPIKE_HOSTS"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          env=env, timeout=180, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def _series(samples: list[dict[str, Any]], name: str, **labels: str) -> list[dict[str, Any]]:
    return [s for s in samples if s["name"] == name
            and all(s["labels"].get(k) == v for k, v in labels.items())]


def _one(samples: list[dict[str, Any]], name: str, **labels: str) -> float:
    found = _series(samples, name, **labels)
    assert len(found) == 1, (name, labels, found)
    value: float = found[0]["value"]
    return value


@pytest.mark.parametrize("fmt", ["classic", "om", "get_metrics"])
def test_operation_histogram_counts_what_was_done(scrape: dict[str, Any], fmt: str) -> None:
    samples = scrape[fmt]
    fam = {s["family"]: s["type"] for s in samples}
    assert fam[OPERATION] == "histogram"
    base = {"db_system_name": "aerospike", "db_namespace": "test"}
    ok_get = dict(base, db_collection_name="scrape", db_operation_name="get", error_type="")
    # 5 gets counted; the 4 made while metrics were off are not.
    assert _one(samples, f"{OPERATION}_count", **ok_get) == 5
    assert _one(samples, f"{OPERATION}_sum", **ok_get) > 0
    buckets = _series(samples, f"{OPERATION}_bucket", **ok_get)
    bounds = [float(b["labels"]["le"]) for b in buckets]
    assert bounds == sorted(bounds) and bounds[-1] == float("inf")
    assert set(ASPY_BOUNDS) <= set(bounds)
    counts = [b["value"] for b in buckets]
    assert counts == sorted(counts) and counts[-1] == 5  # cumulative, +Inf == count

    missing = dict(ok_get, error_type="RecordNotFound")
    assert _one(samples, f"{OPERATION}_count", **missing) == 1
    assert _one(samples, f"{OPERATION}_count", **dict(ok_get, db_operation_name="put")) == 5
    assert _one(samples, f"{OPERATION}_count",
                **dict(ok_get, db_operation_name="batch_read")) == 1
    async_get = dict(base, db_collection_name="ascrape", db_operation_name="get", error_type="")
    assert _one(samples, f"{OPERATION}_count", **async_get) == 3
    assert _one(samples, f"{OPERATION}_count",
                **dict(async_get, db_operation_name="operate")) == 1


@pytest.mark.parametrize("fmt", ["classic", "om"])
def test_errors_gauges_and_counters(scrape: dict[str, Any], fmt: str) -> None:
    samples = scrape[fmt]
    assert _one(samples, "aerospike_py_errors_total", db_operation_name="get",
                result_code="2", error_type="RecordNotFound") == 1
    assert not _series(samples, "aerospike_py_errors_total", db_operation_name="put")
    # Every client was closed before the scrape.
    assert _one(samples, "aerospike_py_clients") == 0
    assert _one(samples, "aerospike_py_commands_in_flight") == 0
    assert _one(samples, "aerospike_py_connections_open") == 0
    assert _one(samples, "aerospike_py_commands_queued") == 0
    assert _one(samples, "aerospike_py_nodes") == 0
    # The bridge's counters: 5 + 1 sync gets and 3 async ones (the 4 made while
    # metrics were off are not timed either).
    assert _one(samples, "aerospike_py_operations_total", op="get") == 9
    assert _one(samples, "aerospike_py_gil_held_seconds_total", db_operation_name="get") > 0
    types = {s["family"]: s["type"] for s in samples}
    assert types["aerospike_py_errors"] == "counter"
    assert types["aerospike_py_connections_open"] == "gauge"


def test_exposition_formats_and_paths(scrape: dict[str, Any]) -> None:
    assert scrape["classic_type"].startswith("text/plain; version=0.0.4")
    assert scrape["om_type"].startswith("application/openmetrics-text")
    assert scrape["other"] == 404
    assert scrape["get_metrics_eof"]


def test_gauges_while_a_client_is_connected(scrape: dict[str, Any]) -> None:
    samples = scrape["connected"]
    # One sync client connected to the one-node embedded server.
    assert _one(samples, "aerospike_py_clients") == 1
    assert _one(samples, "aerospike_py_nodes") == 1
    assert _one(samples, "aerospike_py_connections_open") >= 1  # tend + pooled data sockets
    assert _one(samples, "aerospike_py_commands_in_flight") == 0
    assert _one(samples, "aerospike_py_live", object="active_nodes") == 1
