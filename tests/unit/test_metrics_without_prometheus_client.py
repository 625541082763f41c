"""get_metrics() and the /metrics server without prometheus_client installed.

The [metrics] extra is optional: aerospike-py code that prints get_metrics()
must keep working without it. The fallback writes the same families in
OpenMetrics text; here it is parsed back with prometheus_client's parser
(imported before the library is hidden) and compared with the library's
own rendering of the same counters.
"""

from __future__ import annotations

import socket
import sys
import urllib.request
from collections.abc import Iterator

import pytest
from prometheus_client.openmetrics.parser import text_string_to_metric_families

import aerospike_py
from aerospike_py import _observability


@pytest.fixture
def without_prometheus_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    hidden = {name: None for name in list(sys.modules)
              if name == "prometheus_client" or name.startswith("prometheus_client.")}
    hidden["prometheus_client"] = None
    for name, value in hidden.items():
        monkeypatch.setitem(sys.modules, name, value)  # import raises ImportError
    monkeypatch.setattr(_observability, "_registry", None)
    yield
    aerospike_py.stop_metrics_server()


def _families(text: str) -> dict[str, tuple[str, list[tuple[str, tuple[tuple[str, str], ...]]]]]:
    out = {}
    for fam in text_string_to_metric_families(text):
        out[fam.name] = (fam.type, sorted((s.name, tuple(sorted(s.labels.items())))
                                          for s in fam.samples))
    return out


def test_fallback_text_parses_and_matches_the_library(without_prometheus_client: None) -> None:
    text = aerospike_py.get_metrics()
    assert text.endswith("# EOF\n")
    fallback = _families(text)
    assert fallback["db_client_operation_duration_seconds"][0] == "histogram"
    assert fallback["aerospike_py_errors"][0] == "counter"
    assert fallback["aerospike_py_connections_open"][0] == "gauge"
    # The same families and series as prometheus_client's own exposition
    # (values may move between the two scrapes; names and labels may not).
    _observability._registry = None
    del sys.modules["prometheus_client"]
    for name in [n for n in sys.modules if n.startswith("prometheus_client.")]:
        del sys.modules[name]
    library = _families(aerospike_py.get_metrics())
    assert {k: v[0] for k, v in library.items()} == {k: v[0] for k, v in fallback.items()}
    gauges = [k for k, v in library.items() if v[0] == "gauge"]
    for name in gauges:
        assert library[name][1] == fallback[name][1], name


def test_fallback_server_answers(without_prometheus_client: None) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    aerospike_py.start_metrics_server(port=port)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        body = r.read().decode()
        assert r.headers["Content-Type"].startswith("application/openmetrics-text")
    assert "# TYPE db_client_operation_duration_seconds histogram" in body
    assert body.endswith("# EOF\n")
