"""aerospike-py's module-level observability functions keep working."""

from __future__ import annotations

import pytest

import aerospike_py
from aerospike_py.exception import ParamError


def test_log_level() -> None:
    for level in (aerospike_py.LOG_LEVEL_OFF, aerospike_py.LOG_LEVEL_TRACE, 2):
        aerospike_py.set_log_level(level)
    with pytest.raises(ParamError):
        aerospike_py.set_log_level(9)
    with pytest.raises(ValueError):  # aerospike-py's exception, ParamError is one
        aerospike_py.set_log_level(9)
    with pytest.raises(ParamError):
        aerospike_py.set_log_level("info")  # type: ignore[arg-type]
    assert aerospike_py.dropped_log_count() == 0


def test_metrics_toggles_and_text() -> None:
    # Two independent switches, as in aerospike-py: the operation metrics
    # (on by default) and the internal stage series (off by default).
    assert aerospike_py.is_metrics_enabled()
    aerospike_py.set_metrics_enabled(False)
    assert not aerospike_py.is_metrics_enabled()
    assert not aerospike_py.is_internal_stage_metrics_enabled()
    with aerospike_py.internal_stage_profiling():
        assert aerospike_py.is_internal_stage_metrics_enabled()
        assert not aerospike_py.is_metrics_enabled()
    assert not aerospike_py.is_internal_stage_metrics_enabled()
    aerospike_py.set_internal_stage_metrics_enabled(True)
    assert not aerospike_py.is_metrics_enabled()
    aerospike_py.set_metrics_enabled(True)
    aerospike_py.set_internal_stage_metrics_enabled(False)
    text = aerospike_py.get_metrics()
    assert "# TYPE db_client_operation_duration_seconds histogram" in text
    assert "# TYPE aerospike_py_operations counter" in text
    assert 'aerospike_py_live{object="futures_held"} 0' in text
    aerospike_py.init_tracing()
    aerospike_py.shutdown_tracing()


def test_metrics_server() -> None:
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    aerospike_py.start_metrics_server(port)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
            body = r.read().decode()
        assert "aerospike_py_live" in body
    finally:
        aerospike_py.stop_metrics_server()
    aerospike_py.stop_metrics_server()
