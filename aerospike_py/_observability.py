"""Logging, metrics and tracing: aerospike-py's module-level observability functions.

Logging: the core's records reach the standard :mod:`logging` module under
the logger ``aerospike_py`` (cluster events at INFO, one line per command at
DEBUG); see the comment block below for how they cross from the event thread.

Metrics: the core counts (lock-free latency histograms per operation,
namespace, set and result code, see csrc/client/operation_metrics.h; the
bridge's stage timers; live-object counters) and Python reads them only when
scraped: :class:`AerospikeCollector` turns them into metric families for
``prometheus_client`` (the ``aerospike-uv[metrics]`` extra), whose own
OpenMetrics exposition writes :func:`get_metrics` and serves
:func:`start_metrics_server`. Tracing lives in :mod:`aerospike_py._tracing`.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterator
import socketserver
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Callable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from aerospike_py import _core
from aerospike_py._tracing import init_tracing, is_tracing_enabled, shutdown_tracing
from aerospike_py.exception import ParamError, exception_for_code

__all__ = [
    "LOGGER_NAME",
    "AerospikeCollector",
    "dropped_log_count",
    "ensure_log_thread",
    "forward_core_logs",
    "get_metrics",
    "init_tracing",
    "internal_stage_profiling",
    "is_internal_stage_metrics_enabled",
    "is_metrics_enabled",
    "is_tracing_enabled",
    "metrics_collector",
    "set_internal_stage_metrics_enabled",
    "set_log_level",
    "set_metrics_enabled",
    "shutdown_tracing",
    "start_metrics_server",
    "stop_metrics_server",
    "sync_log_level",
]

_metrics_enabled = True

# --- logging --------------------------------------------------------------
#
# The core (C++, event thread) never touches Python. It queues plain log
# records: cluster events (nodes added and removed, partition map updates) at
# INFO, tend trouble at WARNING/DEBUG, and one line per finished command at
# DEBUG. A daemon thread ("aerospike_py-log") waits for them inside
# ``_core._wait_logs`` with the GIL released and takes the GIL only when
# records are there (or once a second); it then hands them to the logger
# ``aerospike_py``. The core builds only the records that logger would keep:
# its level follows ``logging.getLogger("aerospike_py").getEffectiveLevel()``,
# read when a client is created, by :func:`set_log_level` and by the log
# thread once a second.

LOGGER_NAME = "aerospike_py"
_logger = logging.getLogger(LOGGER_NAME)
# A library adds no output of its own: without logging configured by the
# application, records stop here instead of reaching logging's last resort.
_logger.addHandler(logging.NullHandler())
# Core levels (0 error .. 3 debug) to logging levels.
_LOGGING_LEVELS = (logging.ERROR, logging.WARNING, logging.INFO, logging.DEBUG)
# aerospike-py's LOG_LEVEL_* (-1 off .. 4 trace) to logger levels.
_LOGGER_LEVEL_FOR = {
    -1: logging.CRITICAL + 10,
    0: logging.ERROR,
    1: logging.WARNING,
    2: logging.INFO,
    3: logging.DEBUG,
    4: logging.DEBUG - 5,
}
# How long the log thread waits in one call (GIL released) before it looks
# at the logger's level again.
_WAIT_MS = 1000
_CORE_PATHNAME = "<aerospike_py core>"

_pump: threading.Thread | None = None
_pump_lock = threading.Lock()
_pump_stopping = False


def _core_level() -> int:
    """The most verbose core level the ``aerospike_py`` logger would keep (-1: none)."""
    level = _logger.getEffectiveLevel()
    if _logger.disabled or level > logging.ERROR:
        return -1
    for core_level in (3, 2, 1, 0):
        if level <= _LOGGING_LEVELS[core_level]:
            return core_level
    return -1


def sync_log_level() -> int:
    """Make the core queue exactly the records the ``aerospike_py`` logger keeps.

    Called when a client is created, by :func:`set_log_level` and by the log
    thread once a second; call it yourself right after changing the logger's
    level if the next second's records matter. Returns the core level
    (-1 none, 0 error, 1 warning, 2 info, 3 debug).
    """
    level = _core_level()
    if _core._log_level() != level:
        _core._set_log_level(level)
    return level


def _emit(records: list[tuple[int, str, float]]) -> None:
    for core_level, message, created in records:
        level = _LOGGING_LEVELS[min(max(core_level, 0), 3)]
        if not _logger.isEnabledFor(level):
            continue
        record = _logger.makeRecord(
            LOGGER_NAME, level, _CORE_PATHNAME, 0, message, (), None, func="event_thread"
        )
        # When the event thread queued it, not when this thread passed it on.
        record.created = created
        record.msecs = (created - int(created)) * 1000.0
        _logger.handle(record)


def forward_core_logs() -> int:
    """Hand the records the core has queued to the ``aerospike_py`` logger now.

    The log thread does this on its own within a few milliseconds; call it
    when a record must be in the logs at a known point (tests, shutdown).
    Returns how many records were taken from the queue.
    """
    records = _core._drain_logs()
    _emit(records)
    return len(records)


def _pump_forever() -> None:
    while not _pump_stopping:
        try:
            records = _core._wait_logs(_WAIT_MS)
            if records:
                _emit(records)
            sync_log_level()
        except Exception:  # noqa: BLE001 - a broken handler must not end logging
            time.sleep(0.1)


def ensure_log_thread() -> None:
    """Start the log thread if it is not running (and follow the logger's level).

    Called when a client is created; safe to call any number of times, from
    any thread, and again in a child process after ``fork()``.
    """
    global _pump
    sync_log_level()
    if _pump is not None and _pump.is_alive():
        return
    with _pump_lock:
        if _pump_stopping or (_pump is not None and _pump.is_alive()):
            return
        _pump = threading.Thread(target=_pump_forever, name="aerospike_py-log", daemon=True)
        _pump.start()


def _stop_log_thread() -> None:
    """At interpreter exit: stop the log thread, then pass on what is left."""
    global _pump_stopping
    _pump_stopping = True
    _core._stop_log_wait(True)
    pump = _pump
    if pump is not None and pump.is_alive():
        pump.join(timeout=2.0)
    try:
        forward_core_logs()
    except Exception:  # noqa: BLE001 - logging may already be torn down
        pass


def _after_fork_in_child() -> None:
    global _pump
    _core._log_fork_unlock()
    _pump = None  # the thread did not survive fork(); the next client starts one


atexit.register(_stop_log_thread)
os.register_at_fork(
    before=_core._log_fork_lock,
    after_in_parent=_core._log_fork_unlock,
    after_in_child=_after_fork_in_child,
)
sync_log_level()


def set_log_level(level: int) -> None:
    """Set the level of the ``aerospike_py`` logger from aerospike-py's ``LOG_LEVEL_*``.

    ``LOG_LEVEL_OFF`` (-1) silences the logger, ``LOG_LEVEL_ERROR`` (0) ..
    ``LOG_LEVEL_DEBUG`` (3) map to ``logging.ERROR`` .. ``logging.DEBUG`` and
    ``LOG_LEVEL_TRACE`` (4) to 5, below DEBUG. Equivalent to
    ``logging.getLogger("aerospike_py").setLevel(...)``; records still need a
    handler (e.g. ``logging.basicConfig()``) to be seen.
    """
    if type(level) is not int or not -1 <= level <= 4:
        raise ParamError(f"log level must be one of LOG_LEVEL_* (-1..4), not {level!r}", code=-2)
    _logger.setLevel(_LOGGER_LEVEL_FOR[level])
    ensure_log_thread()


def dropped_log_count() -> int:
    """Core log records dropped because nobody collected them in time."""
    dropped: int = _core._dropped_logs()
    return dropped


def _env_flag(name: str) -> bool:
    """An on/off environment variable as aerospike-py reads it (1/true/yes/on, any case)."""
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


# Two switches, as in aerospike-py: the operation histogram (on by default)
# and the internal stage series (off by default; AEROSPIKE_PY_INTERNAL_METRICS
# turns it on at import). The core's stage timers run while either is on.
_internal_stage_enabled = _env_flag("AEROSPIKE_PY_INTERNAL_METRICS")


def _apply_stage_timing() -> None:
    _core.set_stage_timing(_metrics_enabled or _internal_stage_enabled)
    _core._set_operation_metrics(_metrics_enabled)


def set_metrics_enabled(enabled: bool) -> None:
    """Turn the operation metrics (``db_client_operation_duration_seconds``) on or off.

    On by default. Independent of :func:`set_internal_stage_metrics_enabled`.
    """
    global _metrics_enabled
    _metrics_enabled = bool(enabled)
    _apply_stage_timing()


def is_metrics_enabled() -> bool:
    """Whether the operation metrics are collected."""
    return _metrics_enabled


def set_internal_stage_metrics_enabled(enabled: bool) -> None:
    """Turn the per-stage series (``db_client_internal_stage_seconds``) on or off.

    Off by default, or on when ``AEROSPIKE_PY_INTERNAL_METRICS`` is ``1``,
    ``true``, ``yes`` or ``on`` (any case) at import, as in aerospike-py.
    """
    global _internal_stage_enabled
    _internal_stage_enabled = bool(enabled)
    _apply_stage_timing()


def is_internal_stage_metrics_enabled() -> bool:
    """Whether the per-stage series are collected."""
    return _internal_stage_enabled


@contextlib.contextmanager
def internal_stage_profiling() -> Iterator[None]:
    """Run the block with the per-stage series on, restoring the previous setting."""
    previous = _internal_stage_enabled
    set_internal_stage_metrics_enabled(True)
    try:
        yield
    finally:
        set_internal_stage_metrics_enabled(previous)


_apply_stage_timing()


# --- metrics -------------------------------------------------------------
#
# Nothing here runs per command: the core's counters are read when a scrape
# asks (get_metrics, the /metrics server, or any prometheus_client registry
# the application registered metrics_collector() with).

# Our stages (see csrc/python/stage_stats.h), by their series' stage label.
_STAGES = ("parse", "submit", "queue", "io", "wake", "convert")
_OPERATION = "db_client_operation_duration_seconds"
_STAGE = "db_client_internal_stage_seconds"
_OPERATION_LABELS = ("db_system_name", "db_namespace", "db_collection_name",
                     "db_operation_name", "error_type")
# debug_counters() keys shown as gauges of their own (the rest: aerospike_py_live).
_GAUGES = (
    ("open_connections", "aerospike_py_connections_open",
     "Open connections of every client of this process (data and tend)."),
    ("live_commands", "aerospike_py_commands_in_flight",
     "Commands submitted and not yet finished."),
    ("queued_commands", "aerospike_py_commands_queued",
     "Commands waiting for admission (max_concurrent_commands backpressure)."),
    ("live_clients", "aerospike_py_clients", "Connected clients (event threads running)."),
    ("active_nodes", "aerospike_py_nodes",
     "Active cluster nodes, summed over this process's clients."),
)


@dataclass
class _Family:
    """One metric family: what prometheus_client's Metric holds, without needing it."""

    name: str
    type: str  # "histogram", "counter" or "gauge"
    documentation: str
    samples: list[tuple[str, dict[str, str], float]] = field(default_factory=list)


def _error_type(code: int) -> str:
    """The ``error_type`` label: empty on success, else the exception class's name."""
    return "" if code == 0 else exception_for_code(code).__name__


def _operation_family() -> _Family:
    fam = _Family(_OPERATION, "histogram", "Duration of database client operations.")
    if not _metrics_enabled:
        return fam
    bounds = _core._operation_metric_bounds()
    for op, ns, set_name, code, buckets, count, sum_ns in sorted(_core._operation_metrics()):
        labels = {"db_system_name": "aerospike", "db_namespace": ns,
                  "db_collection_name": set_name, "db_operation_name": op,
                  "error_type": _error_type(code)}
        cumulative = 0
        for bound, n in zip(bounds, buckets):
            cumulative += n
            fam.samples.append((f"{_OPERATION}_bucket", {**labels, "le": repr(float(bound))},
                                float(cumulative)))
        fam.samples.append((f"{_OPERATION}_bucket", {**labels, "le": "+Inf"}, float(count)))
        fam.samples.append((f"{_OPERATION}_count", labels, float(count)))
        fam.samples.append((f"{_OPERATION}_sum", labels, sum_ns / 1e9))
    return fam


def _error_family() -> _Family:
    fam = _Family("aerospike_py_errors", "counter",
                  "Failed operations by result code (from the operation histograms).")
    if not _metrics_enabled:
        return fam
    totals: dict[tuple[str, int], int] = {}
    for op, _ns, _set, code, _buckets, count, _sum in _core._operation_metrics():
        if code != 0:
            totals[(op, code)] = totals.get((op, code), 0) + count
    for (op, code), count in sorted(totals.items()):
        fam.samples.append(("aerospike_py_errors_total",
                            {"db_operation_name": op, "result_code": str(code),
                             "error_type": _error_type(code)}, float(count)))
    return fam


def _stage_families(stats: dict[str, dict[str, int]]) -> list[_Family]:
    stage = _Family(_STAGE, "histogram", "Internal stage durations within a database "
                    f"operation ({', '.join(_STAGES)}).")
    # The stage timers keep totals, not per-call values: each series has its
    # _count, _sum and the +Inf bucket only.
    if _internal_stage_enabled:
        for op, st in sorted(stats.items()):
            for name in _STAGES:
                count = float(st["calls"] if name in ("parse", "submit") else st["completed"])
                labels = {"stage": name, "db_operation_name": op}
                stage.samples.append((f"{_STAGE}_bucket", {**labels, "le": "+Inf"}, count))
                stage.samples.append((f"{_STAGE}_count", labels, count))
                stage.samples.append((f"{_STAGE}_sum", labels, st[f"{name}_ns"] / 1e9))
    ops = _Family("aerospike_py_operations", "counter", "Client operations submitted.")
    gil = _Family("aerospike_py_gil_held_seconds", "counter",
                  "Seconds the bridge held the GIL for an operation (parse, submit, convert).")
    for op, st in sorted(stats.items()):
        ops.samples.append(("aerospike_py_operations_total", {"op": op}, float(st["calls"])))
        gil.samples.append(("aerospike_py_gil_held_seconds_total", {"db_operation_name": op},
                            st["gil_held_ns"] / 1e9))
    return [stage, ops, gil]


def _gauge_families() -> list[_Family]:
    counters = _core.debug_counters()
    out = []
    for key, name, doc in _GAUGES:
        out.append(_Family(name, "gauge", doc, [(name, {}, float(counters.get(key, 0)))]))
    live = _Family("aerospike_py_live", "gauge", "Live objects of the native core and bridge.")
    for name, value in sorted(counters.items()):
        live.samples.append(("aerospike_py_live", {"object": name}, float(value)))
    out.append(live)
    return out


def _families() -> list[_Family]:
    """Everything a scrape reports, read from the core now."""
    stats = _core.stage_stats() if (_metrics_enabled or _internal_stage_enabled) else {}
    return [_operation_family(), _error_family(), *_stage_families(stats), *_gauge_families()]


class AerospikeCollector:
    """A ``prometheus_client`` collector of this client's metrics.

    Register it with any registry to have the client's metrics in the
    application's own scrape::

        from prometheus_client import REGISTRY
        REGISTRY.register(aerospike_py.metrics_collector())

    Reads the core's counters on each ``collect()``; holds no state.
    """

    def collect(self) -> Iterable[Any]:
        """Yields one ``prometheus_client`` ``Metric`` per family."""
        from prometheus_client.metrics_core import Metric

        for fam in _families():
            metric = Metric(fam.name, fam.documentation, fam.type)
            for name, labels, value in fam.samples:
                metric.add_sample(name, labels, value)
            yield metric


_collector = AerospikeCollector()
_registry: Any = None
_registry_lock = threading.Lock()


def metrics_collector() -> AerospikeCollector:
    """The collector of this client's metrics, for a ``prometheus_client`` registry."""
    return _collector


def _own_registry() -> Any:
    """A private prometheus_client registry with only our collector (None without the library)."""
    global _registry
    with _registry_lock:
        if _registry is None:
            try:
                from prometheus_client import CollectorRegistry
            except ImportError:
                return None
            registry = CollectorRegistry(auto_describe=False)
            collector: Any = _collector  # duck-typed: prometheus_client wants collect()
            registry.register(collector)
            _registry = registry
        return _registry


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _render_without_library() -> str:
    # Only when prometheus_client is not installed (it is the [metrics]
    # extra): the same families in OpenMetrics text, so aerospike-py code
    # that prints get_metrics() keeps working without the extra.
    lines = []
    for fam in _families():
        lines.append(f"# HELP {fam.name} {fam.documentation}")
        lines.append(f"# TYPE {fam.name} {fam.type}")
        for name, labels, value in fam.samples:
            text = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
            lines.append(f"{name}{{{text}}} {value!r}" if text else f"{name} {value!r}")
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def get_metrics() -> str:
    """The client's metrics in OpenMetrics text format, ending with ``# EOF``.

    Written by ``prometheus_client``'s own exposition when it is installed
    (``pip install aerospike-uv[metrics]``). Families:

    * ``db_client_operation_duration_seconds`` (histogram; labels
      ``db_system_name``, ``db_namespace``, ``db_collection_name``,
      ``db_operation_name``, ``error_type``): aerospike-py's family, from the
      core's histograms; buckets 0.1 ms .. 10 s, a superset of aerospike-py's.
      ``error_type`` is empty on success, else the exception class's name.
    * ``db_client_internal_stage_seconds`` (labels ``stage``,
      ``db_operation_name``): only while the internal stage metrics are on;
      totals per operation (``_count``, ``_sum`` and the ``+Inf`` bucket).
    * ``aerospike_py_errors_total{db_operation_name,result_code,error_type}``,
      ``aerospike_py_operations_total{op}``,
      ``aerospike_py_gil_held_seconds_total{db_operation_name}``.
    * Gauges: ``aerospike_py_connections_open``,
      ``aerospike_py_commands_in_flight``, ``aerospike_py_commands_queued``,
      ``aerospike_py_clients`` and ``aerospike_py_live{object}``.
    """
    registry = _own_registry()
    if registry is None:
        return _render_without_library()
    from prometheus_client.openmetrics import exposition

    generate: Callable[[Any], bytes] = exposition.generate_latest
    text: str = generate(registry).decode("utf-8")
    return text


# --- the /metrics server ---------------------------------------------------


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # scrapes are not worth a log line each


def _metrics_app() -> Callable[..., Iterable[bytes]]:
    """A WSGI app: prometheus_client's own at /metrics (content negotiation
    included), 404 elsewhere."""
    registry = _own_registry()
    if registry is not None:
        from prometheus_client import make_wsgi_app

        inner = make_wsgi_app(registry)
    else:
        def inner(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
            body = get_metrics().encode()
            start_response("200 OK", [("Content-Type", "application/openmetrics-text; "
                                       "version=1.0.0; charset=utf-8"),
                                      ("Content-Length", str(len(body)))])
            return [body]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "") != "/metrics":
            body = b"metrics are served at /metrics\n"
            start_response("404 Not Found", [("Content-Type", "text/plain"),
                                             ("Content-Length", str(len(body)))])
            return [body]
        return _with_eof_line(inner, environ, start_response)

    return app


def _with_eof_line(inner: Callable[..., Iterable[bytes]], environ: dict[str, Any],
                   start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Runs `inner`; a classic text-format answer gets a final ``# EOF`` line.

    aerospike-py's /metrics always ends with ``# EOF`` (Content-Type
    ``text/plain``); prometheus_client ends only its OpenMetrics answer so.
    In the classic format the line is a comment, ignored by every parser, so
    adding it keeps what aerospike-py's scrapers and checks see.
    """
    captured: list[Any] = []

    def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured[:] = [status, headers, exc_info]
        return lambda data: None  # the legacy write() callable; prometheus_client does not use it

    body = b"".join(inner(environ, capture))
    status, headers, exc_info = captured
    names = {k.lower(): v for k, v in headers}
    if (status.startswith("200") and names.get("content-type", "").startswith("text/plain")
            and "content-encoding" not in names and not body.rstrip().endswith(b"# EOF")):
        body += b"# EOF\n"
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
    start_response(status, headers, exc_info)
    return [body]


_metrics_server: WSGIServer | None = None
_metrics_server_lock = threading.Lock()


def start_metrics_server(port: int = 9464, host: str = "127.0.0.1") -> None:
    """Serve the metrics at ``/metrics`` over HTTP from a daemon thread.

    Uses ``prometheus_client``'s WSGI exposition (OpenMetrics or the classic
    text format, as the scraper's ``Accept`` header asks). aerospike-py
    listens on every interface; this one listens on ``host`` (loopback by
    default; pass ``""`` for every interface). One server at a time: a second
    call replaces the first. When the new port cannot be bound the
    ``OSError`` is raised and the running server keeps serving.
    """
    global _metrics_server
    with _metrics_server_lock:
        old = _metrics_server
        if old is not None and old.server_address[1] == port:
            _shutdown(old)  # the same port: free it first
            old = _metrics_server = None
        server = make_server(host, port, _metrics_app(), server_class=_ThreadingWSGIServer,
                             handler_class=_QuietHandler)
        threading.Thread(
            target=server.serve_forever, name="aerospike_py-metrics", daemon=True
        ).start()
        _metrics_server = server
        if old is not None:
            _shutdown(old)


def _shutdown(server: WSGIServer) -> None:
    server.shutdown()
    server.server_close()


def stop_metrics_server() -> None:
    """Stop the server started by :func:`start_metrics_server` (idempotent)."""
    global _metrics_server
    with _metrics_server_lock:
        server, _metrics_server = _metrics_server, None
        if server is not None:
            _shutdown(server)
