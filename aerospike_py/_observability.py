"""Logging and metrics: aerospike-py's module-level observability functions.

Logging: the core's records reach the standard :mod:`logging` module under
the logger ``aerospike_py`` (cluster events at INFO, one line per command at
DEBUG); see the comment block below for how they cross from the event thread.
aerospike-py code often calls ``set_log_level`` or reads ``get_metrics()``;
these keep such code running. Metrics come from the bridge's own stage
timers (:func:`aerospike_py._core.stage_stats`): per operation, how many
calls, and the nanoseconds spent parsing arguments, submitting, queued,
on the event thread, waking the caller and converting results.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aerospike_py import _core
from aerospike_py.exception import ParamError

__all__ = [
    "LOGGER_NAME",
    "dropped_log_count",
    "ensure_log_thread",
    "forward_core_logs",
    "get_metrics",
    "init_tracing",
    "internal_stage_profiling",
    "is_internal_stage_metrics_enabled",
    "is_metrics_enabled",
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

# Our stages (see csrc/python/stage_stats.h), by their series' stage label.
_STAGES = ("parse", "submit", "queue", "io", "wake", "convert")
_OPERATION = "db_client_operation_duration_seconds"
_STAGE = "db_client_internal_stage_seconds"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def get_metrics() -> str:
    """The client's metrics in Prometheus (OpenMetrics) text format, ending with ``# EOF``.

    ``db_client_operation_duration_seconds`` (a histogram, OpenTelemetry's
    database semantic-convention name, labels ``db_system_name``,
    ``db_namespace``, ``db_collection_name``, ``db_operation_name``,
    ``error_type``) and ``db_client_internal_stage_seconds`` (labels
    ``stage``, ``db_operation_name``) are aerospike-py's families. Our
    stage timers keep totals per operation, not per call: each series has
    its ``_count``, ``_sum`` and the ``+Inf`` bucket only, and namespace,
    set and error type are not split out (their labels are empty). Then
    ``aerospike_py_operations_total{op}`` and ``aerospike_py_live{object}``
    (live native objects).
    """
    stats = _core.stage_stats() if (_metrics_enabled or _internal_stage_enabled) else {}
    lines = [
        f"# HELP {_OPERATION} Duration of database client operations.",
        f"# TYPE {_OPERATION} histogram",
    ]
    if _metrics_enabled:
        for op, st in sorted(stats.items()):
            count = st["completed"]
            seconds = sum(st[f"{stage}_ns"] for stage in _STAGES) / 1e9
            labels = (
                f'db_system_name="aerospike",db_namespace="",db_collection_name="",'
                f'db_operation_name="{_escape(op)}",error_type=""'
            )
            lines.append(f'{_OPERATION}_bucket{{{labels},le="+Inf"}} {count}')
            lines.append(f"{_OPERATION}_count{{{labels}}} {count}")
            lines.append(f"{_OPERATION}_sum{{{labels}}} {seconds:.9f}")
    lines += [
        f"# HELP {_STAGE} Internal stage durations within a database operation "
        f"({', '.join(_STAGES)}).",
        f"# TYPE {_STAGE} histogram",
    ]
    if _internal_stage_enabled:
        for op, st in sorted(stats.items()):
            for stage in _STAGES:
                count = st["calls"] if stage in ("parse", "submit") else st["completed"]
                labels = f'stage="{stage}",db_operation_name="{_escape(op)}"'
                lines.append(f'{_STAGE}_bucket{{{labels},le="+Inf"}} {count}')
                lines.append(f"{_STAGE}_count{{{labels}}} {count}")
                lines.append(f"{_STAGE}_sum{{{labels}}} {st[f'{stage}_ns'] / 1e9:.9f}")
    lines += [
        "# HELP aerospike_py_operations Client operations submitted.",
        "# TYPE aerospike_py_operations counter",
    ]
    for op, st in sorted(stats.items()):
        lines.append(f'aerospike_py_operations_total{{op="{_escape(op)}"}} {st["calls"]}')
    lines += [
        "# HELP aerospike_py_live Live objects of the native core and bridge.",
        "# TYPE aerospike_py_live gauge",
    ]
    for name, value in sorted(_core.debug_counters().items()):
        lines.append(f'aerospike_py_live{{object="{_escape(name)}"}} {value}')
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def init_tracing() -> None:
    """aerospike-py's OpenTelemetry setup: tracing is not built in; does nothing."""


def shutdown_tracing() -> None:
    """Counterpart of :func:`init_tracing`; does nothing."""


class _MetricsHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.split("?", 1)[0] != "/metrics":
            self.send_error(404, "metrics are served at /metrics")
            return
        body = get_metrics().encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # scrapes are not worth a log line each


_metrics_server: ThreadingHTTPServer | None = None
_metrics_server_lock = threading.Lock()


def start_metrics_server(port: int = 9464, host: str = "127.0.0.1") -> None:
    """Serve :func:`get_metrics` at ``/metrics`` over HTTP from a daemon thread.

    aerospike-py listens on every interface; this one listens on ``host``
    (loopback by default; pass ``""`` for every interface). One server at a
    time: a second call replaces the first. When the new port cannot be
    bound the ``OSError`` is raised and the running server keeps serving.
    """
    global _metrics_server
    with _metrics_server_lock:
        old = _metrics_server
        if old is not None and old.server_address[1] == port:
            _shutdown(old)  # the same port: free it first
            old = _metrics_server = None
        server = ThreadingHTTPServer((host, port), _MetricsHandler)
        server.daemon_threads = True
        threading.Thread(
            target=server.serve_forever, name="aerospike_py-metrics", daemon=True
        ).start()
        _metrics_server = server
        if old is not None:
            _shutdown(old)


def _shutdown(server: ThreadingHTTPServer) -> None:
    server.shutdown()
    server.server_close()


def stop_metrics_server() -> None:
    """Stop the server started by :func:`start_metrics_server` (idempotent)."""
    global _metrics_server
    with _metrics_server_lock:
        server, _metrics_server = _metrics_server, None
        if server is not None:
            _shutdown(server)
