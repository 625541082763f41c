"""Every example in examples/ runs against the embedded server and does what it says.

Each example is imported and its functions are called with the session
server's hosts (so results can be asserted), and each is also run as a
script, the way its docstring tells a user to, with ``AEROSPIKE_HOSTS``
naming the same server.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from aerospike_py.testing import ServerHandle

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _hosts_env(server: ServerHandle) -> dict[str, str]:
    hosts = ",".join(f"{h}:{p}" for h, p in server.hosts)
    return dict(os.environ, AEROSPIKE_HOSTS=hosts)


def _run_script(server: ServerHandle, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=EXAMPLES.parent, env=_hosts_env(server),
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_quickstart(aerospike_server: ServerHandle) -> None:
    quickstart = _load("quickstart")
    out = quickstart.sync_basics(aerospike_server.hosts)
    assert out["get"] == {"name": "Alice", "visits": 1}
    assert out["generation"] >= 1
    assert out["select"] == {"name": "Alice"}
    assert out["exists"] is True
    assert out["visits"] == 2
    assert out["batch"] == {"alice": {"name": "Alice"}, "bob": {"name": "Bob"}}
    assert out["missing"] == ("RecordNotFound", 2, False)

    out = asyncio.run(quickstart.async_basics(aerospike_server.hosts))
    assert out["get"] == {"name": "Carol", "score": 9.5}
    assert out["sum_of_squares"] == sum(i * i for i in range(100))
    assert out["batch_found"] == 10

    text = _run_script(aerospike_server, "examples/quickstart.py")
    assert "sync  visits: 2" in text and "async batch_found: 10" in text


@pytest.fixture
def fastapi_client(aerospike_server: ServerHandle, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    from fastapi.testclient import TestClient

    monkeypatch.setenv("AEROSPIKE_HOSTS", _hosts_env(aerospike_server)["AEROSPIKE_HOSTS"])
    app = _load("fastapi_app")
    with TestClient(app.app) as http:  # runs the lifespan: connects the AsyncClient
        yield http
    assert app.resources.client is None, "the lifespan closed the client"


def test_fastapi_endpoint(fastapi_client: object, aerospike_server: ServerHandle) -> None:
    from fastapi.testclient import TestClient

    assert isinstance(fastapi_client, TestClient)
    http = fastapi_client
    r = http.put("/users/42", json={"name": "Ann", "weight": 2.0})
    assert r.status_code == 200 and r.json() == {"user_id": 42, "stored": ["name", "weight"]}
    r = http.get("/users/42")
    assert r.status_code == 200
    assert r.json()["bins"] == {"name": "Ann", "weight": 2.0} and r.json()["generation"] >= 1
    assert http.get("/users/424242").status_code == 404

    import aerospike_py

    with aerospike_py.client(aerospike_server.client_config()).connect() as c:
        for item, popularity in ((1, 5), (2, 9), (3, 1)):
            c.put(("test", "items", item), {"popularity": popularity})
        c.remove(("test", "items", 4)) if c.exists(("test", "items", 4)).meta else None
    r = http.get("/recommendations/42", params={"items": "1,2,3,4"})
    assert r.status_code == 200
    assert r.json() == {
        "user_id": 42,
        "ranked": [{"item": 2, "score": 18.0}, {"item": 1, "score": 10.0}, {"item": 3, "score": 2.0}],
        "missing": 1,
    }
    assert http.get("/recommendations/424242", params={"items": "1"}).status_code == 404


def test_batch_fanout(aerospike_server: ServerHandle) -> None:
    fanout = _load("batch_fanout")
    out = asyncio.run(fanout.run(aerospike_server.hosts, rounds=3))
    assert out["sets"] == 9 and out["keys_per_request"] == 1800
    assert out["found_per_request"] == 9 * 180  # every 10th key of each set is missing
    assert set(out["mean_ms"]) == {"single", "gather"}
    assert all(ms > 0 for ms in out["mean_ms"].values())

    text = _run_script(aerospike_server, "examples/batch_fanout.py", "--rounds", "2")
    assert "1800 keys per request, 1620 found" in text
    assert "single:" in text and "gather:" in text


def test_numpy_batch(aerospike_server: ServerHandle) -> None:
    example = _load("numpy_batch")
    out = asyncio.run(example.run(aerospike_server.hosts))
    assert out["requested"] == 200 and out["found"] == 180
    # Items with i % 7 == 0 have no stock: 26 of 100..279.
    assert out["in_stock"] == 180 - sum(1 for i in range(100, 280) if i % 7 == 0)
    assert abs(out["mean_price"] - sum(10.0 + i % 50 for i in range(100, 280)) / 180) < 1e-9
    assert out["top"][0] == (123, 1.0), "the query is item 123's own embedding"
    assert len(out["top"]) == 5 and all(-1.0 <= s <= 1.0 for _, s in out["top"])
    assert out["generations"] and min(out["generations"]) >= 1

    text = _run_script(aerospike_server, "examples/numpy_batch.py")
    assert "200 keys, 180 found" in text and "item   123  similarity 1.0000" in text


def test_pytest_fixture_example(aerospike_server: ServerHandle) -> None:
    text = _run_script(
        aerospike_server, "-m", "pytest", "-q", "-p", "no:cacheprovider", "examples/pytest_fixture"
    )
    assert "2 passed" in text
