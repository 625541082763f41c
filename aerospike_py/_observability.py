"""aerospike-py's module-level observability functions, on our stage timers.

aerospike-py code often calls ``set_log_level`` or reads ``get_metrics()``;
these keep such code running. Metrics come from the bridge's own stage
timers (:func:`aerospike_py._core.stage_stats`): per operation, how many
calls, and the nanoseconds spent parsing arguments, submitting, queued,
on the event thread, waking the caller and converting results.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aerospike_py import _core
from aerospike_py.exception import ParamError

__all__ = [
    "dropped_log_count",
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
]

_log_level = -1
_metrics_enabled = True
_logger = logging.getLogger("aerospike_py")
# Core records (0 error .. 3 debug) to logging levels.
_LOGGING_LEVELS = (logging.ERROR, logging.WARNING, logging.INFO, logging.DEBUG)
_forwarder: threading.Thread | None = None
_forwarder_lock = threading.Lock()
FORWARD_INTERVAL_S = 0.5


def forward_core_logs() -> int:
    """Hand the core's queued log records to ``logging`` (logger ``aerospike_py``).

    Returns how many were forwarded. Called periodically by a daemon thread
    once :func:`set_log_level` enabled logging.
    """
    records = _core._drain_logs()
    for level, message, _ in records:
        _logger.log(_LOGGING_LEVELS[min(max(level, 0), 3)], "%s", message)
    return len(records)


def _forward_forever() -> None:
    while True:
        time.sleep(FORWARD_INTERVAL_S)
        try:
            forward_core_logs()
        except Exception:  # noqa: BLE001 - logging must never kill the thread
            pass


def set_log_level(level: int) -> None:
    """Set the client's log level (``LOG_LEVEL_OFF`` -1 .. ``LOG_LEVEL_TRACE`` 4).

    The event thread queues cluster events (nodes joining and leaving,
    partition map changes, tend failures) at or below this level; a daemon
    thread hands them to the ``aerospike_py`` logger twice a second.
    """
    global _log_level, _forwarder
    if type(level) is not int or not -1 <= level <= 4:
        raise ParamError(f"log level must be one of LOG_LEVEL_* (-1..4), not {level!r}", code=-2)
    _log_level = level
    _core._set_log_level(min(level, 3))
    if level >= 0:
        with _forwarder_lock:
            if _forwarder is None or not _forwarder.is_alive():
                _forwarder = threading.Thread(
                    target=_forward_forever, name="aerospike_py-log", daemon=True
                )
                _forwarder.start()


def dropped_log_count() -> int:
    """Core log records dropped because nobody collected them in time."""
    dropped: int = _core._dropped_logs()
    return dropped


def set_metrics_enabled(enabled: bool) -> None:
    """Turn the per-operation stage timers on or off (on by default)."""
    global _metrics_enabled
    _metrics_enabled = bool(enabled)
    _core.set_stage_timing(_metrics_enabled)


def is_metrics_enabled() -> bool:
    """Whether the stage timers run."""
    return _metrics_enabled


def set_internal_stage_metrics_enabled(enabled: bool) -> None:
    """aerospike-py's name for :func:`set_metrics_enabled` (stages are all we time)."""
    set_metrics_enabled(enabled)


def is_internal_stage_metrics_enabled() -> bool:
    """aerospike-py's name for :func:`is_metrics_enabled`."""
    return _metrics_enabled


@contextlib.contextmanager
def internal_stage_profiling() -> Iterator[None]:
    """Run the block with the stage timers on, restoring the previous setting."""
    previous = _metrics_enabled
    set_metrics_enabled(True)
    try:
        yield
    finally:
        set_metrics_enabled(previous)


_STAGES = ("parse", "submit", "queue", "io", "wake", "convert")


def get_metrics() -> str:
    """The stage timers and live counters in Prometheus text exposition format."""
    lines = [
        "# HELP aerospike_py_operations_total Client operations submitted.",
        "# TYPE aerospike_py_operations_total counter",
    ]
    stats = _core.stage_stats()
    for op, st in sorted(stats.items()):
        lines.append(f'aerospike_py_operations_total{{op="{op}"}} {st["calls"]}')
    lines += [
        "# HELP aerospike_py_stage_seconds_total Time spent per stage of an operation.",
        "# TYPE aerospike_py_stage_seconds_total counter",
    ]
    for op, st in sorted(stats.items()):
        for stage in _STAGES:
            seconds = st[f"{stage}_ns"] / 1e9
            lines.append(f'aerospike_py_stage_seconds_total{{op="{op}",stage="{stage}"}} {seconds:.9f}')
    lines += [
        "# HELP aerospike_py_live Live objects of the native core and bridge.",
        "# TYPE aerospike_py_live gauge",
    ]
    for name, value in sorted(_core.debug_counters().items()):
        lines.append(f'aerospike_py_live{{object="{name}"}} {value}')
    return "\n".join(lines) + "\n"


def init_tracing() -> None:
    """aerospike-py's OpenTelemetry setup: tracing is not built in; does nothing."""


def shutdown_tracing() -> None:
    """Counterpart of :func:`init_tracing`; does nothing."""


class _MetricsHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = get_metrics().encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # scrapes are not worth a log line each


_metrics_server: ThreadingHTTPServer | None = None


def start_metrics_server(port: int = 9464, host: str = "127.0.0.1") -> None:
    """Serve :func:`get_metrics` over HTTP (any path) from a daemon thread.

    aerospike-py listens on every interface; this one listens on ``host``
    (loopback by default; pass ``""`` for every interface). One server at a
    time: a second call replaces the first.
    """
    global _metrics_server
    stop_metrics_server()
    server = ThreadingHTTPServer((host, port), _MetricsHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="aerospike_py-metrics", daemon=True).start()
    _metrics_server = server


def stop_metrics_server() -> None:
    """Stop the server started by :func:`start_metrics_server` (idempotent)."""
    global _metrics_server
    server, _metrics_server = _metrics_server, None
    if server is not None:
        server.shutdown()
        server.server_close()
