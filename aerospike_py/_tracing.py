"""OpenTelemetry tracing: one span per command, parented to the caller's current span.

Needs ``opentelemetry-api`` (the ``aerospike-uv[otel]`` extra). Off until
:func:`init_tracing` is called, and then free of cost when off in the
strictest sense: turning tracing on installs traced versions of the client
methods on :class:`~aerospike_py.Client` and :class:`~aerospike_py.AsyncClient`
and :func:`shutdown_tracing` removes them again, so an untraced call runs
exactly the code it runs without this module (no flag is even tested).

A traced call starts its span in the calling thread or coroutine, before the
command is submitted, so the span's parent is whatever span is current
there (OpenTelemetry keeps it in a context variable, which asyncio copies
into each task). For the asyncio client the span ends when the command's
future resolves (a done callback), for the sync client when the call
returns. Attributes follow OpenTelemetry's database semantic conventions:
``db.system.name`` (and the older ``db.system``) = ``aerospike``,
``db.namespace``, ``db.collection.name`` (the set), ``db.operation.name``,
``db.operation.batch.size`` for batches, ``db.response.status_code`` (the
result code: ``"0"`` on success) and ``server.address`` (the node that
answered a single-record command, or the node a failure names; a batch spans
several nodes and names none on success). On failure also ``error.type`` (the
exception class), and the span's status is ERROR.

The answering node comes from the native bridge: while tracing is on it calls
a hook (``_core._set_trace_node_hook``) with the command's future (asyncio)
or ``None`` (sync, in the calling thread) and the node's name after each
command, before the caller sees the result. With tracing off no hook is
installed and the bridge only tests a null pointer.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import os
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["init_tracing", "is_tracing_enabled", "shutdown_tracing"]

# Methods whose first argument is one key.
_KEY_METHODS = ("get", "select", "exists", "put", "remove", "touch", "append", "prepend",
                "increment", "remove_bin", "operate", "operate_ordered")
# Methods whose first argument is many keys (or records for batch_write).
_BATCH_METHODS = ("batch_read", "batch_read_view", "batch_write", "batch_write_numpy",
                  "batch_operate", "batch_remove")
_OTHER_METHODS = ("truncate",)

_lock = threading.Lock()
_tracer: Any = None
_owned_provider: Any = None  # a provider init_tracing built (shut down by shutdown_tracing)
_given_provider: Any = None  # one the caller passed (flushed, not shut down)
# (class, method name, the attribute the class had before, or None)
_patched: list[tuple[type, str, Any]] = []
# Spans of single-record asyncio commands in flight, by id() of their future
# (the future is alive until its done callback removes the entry).
_spans_by_future: dict[int, Any] = {}
# The node of the last sync command of this thread (set by the bridge's hook).
_sync_node = threading.local()

# The status code attribute of a success (Aerospike's result code OK).
_OK = "0"


def is_tracing_enabled() -> bool:
    """Whether client calls are traced (between :func:`init_tracing` and :func:`shutdown_tracing`)."""
    return _tracer is not None


def _env_true(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _sdk_provider() -> Any:
    """A TracerProvider exporting over OTLP as the OTEL_* variables say, or None.

    Only when the SDK and an OTLP exporter are installed; otherwise spans go
    to the global provider (a no-op until the application sets one).
    """
    exporter_kind = os.environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower()
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        return None
    service = os.environ.get("OTEL_SERVICE_NAME", "aerospike-py")
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    if exporter_kind == "none":
        return provider  # spans are made (and can be read by processors) but not exported
    exporter: Any = None
    # The gRPC exporter if installed, else the HTTP one (optional packages:
    # imported by name so that neither is needed to type-check this module).
    for module in ("opentelemetry.exporter.otlp.proto.grpc.trace_exporter",
                   "opentelemetry.exporter.otlp.proto.http.trace_exporter"):
        try:
            exporter = importlib.import_module(module).OTLPSpanExporter()
            break
        except ImportError:
            continue
    if exporter is None:
        return None
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def init_tracing(tracer_provider: Any = None) -> None:
    """Start tracing client calls with OpenTelemetry.

    Like aerospike-py's: ``OTEL_SDK_DISABLED=true`` leaves tracing off;
    otherwise, when the application has not set a global tracer provider
    and ``opentelemetry-sdk`` with an OTLP exporter is installed, a provider
    is built from the standard variables (``OTEL_EXPORTER_OTLP_ENDPOINT``,
    ``OTEL_SERVICE_NAME`` (default ``aerospike-py``), ``OTEL_TRACES_EXPORTER=none``
    to make spans without exporting them). Otherwise spans go to the global
    provider. ``tracer_provider`` (an addition): use this provider instead.
    Calling it again replaces the previous setup. Without ``opentelemetry-api``
    installed it warns and does nothing.
    """
    global _tracer, _owned_provider, _given_provider
    if _env_true("OTEL_SDK_DISABLED"):
        return
    try:
        from opentelemetry import trace
    except ImportError:
        warnings.warn("aerospike_py.init_tracing(): opentelemetry-api is not installed "
                      "(pip install aerospike-uv[otel]); tracing stays off", stacklevel=2)
        return
    shutdown_tracing()
    from aerospike_py import __version__

    with _lock:
        provider = tracer_provider
        if provider is None:
            current = trace.get_tracer_provider()
            if type(current).__name__ in ("ProxyTracerProvider", "NoOpTracerProvider"):
                _owned_provider = _sdk_provider()
                provider = _owned_provider
        else:
            _given_provider = provider
        if provider is None:
            _tracer = trace.get_tracer("aerospike_py", __version__)
        else:
            _tracer = provider.get_tracer("aerospike_py", __version__)
        _install()


def shutdown_tracing() -> None:
    """Stop tracing and flush pending spans (shutting down a provider init_tracing built)."""
    global _tracer, _owned_provider, _given_provider
    with _lock:
        _uninstall()
        _tracer = None
        owned, _owned_provider = _owned_provider, None
        given, _given_provider = _given_provider, None
    if owned is not None:
        owned.shutdown()
    elif given is not None and hasattr(given, "force_flush"):
        given.force_flush()


# --- the traced methods -----------------------------------------------------


def _key_labels(args: Sequence[Any], kwargs: Mapping[str, Any]) -> tuple[Any, Any, int | None]:
    key = args[0] if args else kwargs.get("key")
    if isinstance(key, tuple) and len(key) >= 2:
        return key[0], key[1], None
    return None, None, None


def _batch_labels(args: Sequence[Any], kwargs: Mapping[str, Any]) -> tuple[Any, Any, int | None]:
    keys = args[0] if args else kwargs.get("keys", kwargs.get("records"))
    if hasattr(keys, "namespace") and hasattr(keys, "set_name"):  # BatchKeys
        try:
            size = len(keys.keys)
        except TypeError:
            size = None
        return keys.namespace, keys.set_name, size
    try:
        size = len(keys)
        first = keys[0] if size else None
    except (TypeError, KeyError, IndexError):
        return None, None, None
    if isinstance(first, tuple) and first and isinstance(first[0], tuple):
        first = first[0]  # batch_write: (key, bins, ...) records
    elif first is not None and not isinstance(first, tuple) and hasattr(first, "key"):
        first = first.key  # batch_write: Write/Read/... records
    if isinstance(first, tuple) and len(first) >= 2:
        return first[0], first[1], size
    return None, None, size


def _other_labels(args: Sequence[Any], kwargs: Mapping[str, Any]) -> tuple[Any, Any, int | None]:
    ns = args[0] if args else kwargs.get("namespace")
    set_name = args[1] if len(args) > 1 else kwargs.get("set_name")
    return ns, set_name, None


def _start(op: str, labels: Callable[..., tuple[Any, Any, int | None]],
           args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    from opentelemetry.trace import SpanKind

    ns, set_name, size = labels(args, kwargs)
    attributes: dict[str, Any] = {"db.system": "aerospike", "db.system.name": "aerospike",
                                  "db.operation.name": op}
    if isinstance(ns, str):
        attributes["db.namespace"] = ns
    if isinstance(set_name, str) and set_name:
        attributes["db.collection.name"] = set_name
    if size is not None:
        attributes["db.operation.batch.size"] = size
    target = set_name if isinstance(set_name, str) and set_name else ns
    name = f"{op} {target}" if isinstance(target, str) and target else op
    return _tracer.start_span(name, kind=SpanKind.CLIENT, attributes=attributes)


def _fail(span: Any, exc: BaseException) -> None:
    from opentelemetry.trace import Status, StatusCode

    span.set_attribute("error.type", type(exc).__name__)
    code = getattr(exc, "code", None)
    if isinstance(code, int):
        span.set_attribute("db.response.status_code", str(code))
    node = getattr(exc, "node", None)
    if isinstance(node, str) and node:
        span.set_attribute("server.address", node)
    span.record_exception(exc)
    span.set_status(Status(StatusCode.ERROR, str(exc)))


def _node_hook(fut: Any, node: str) -> None:
    """Called by the bridge after a command finished: which node answered."""
    if fut is None:
        _sync_node.node = node
        return
    span = _spans_by_future.get(id(fut))
    if span is not None:
        span.set_attribute("server.address", node)


def _finish_future(span: Any, fut: Any) -> None:
    _spans_by_future.pop(id(fut), None)
    try:
        if fut.cancelled():
            from opentelemetry.trace import Status, StatusCode

            span.set_attribute("error.type", "CancelledError")
            span.set_status(Status(StatusCode.ERROR, "cancelled"))
        else:
            exc = fut.exception()
            if exc is not None:
                _fail(span, exc)
            else:
                span.set_attribute("db.response.status_code", _OK)
    finally:
        span.end()


def _traced(original: Callable[..., Any], op: str,
            labels: Callable[..., tuple[Any, Any, int | None]], is_async: bool) -> Any:
    # Only a single-record command has one node that answered it.
    single = labels is _key_labels
    if inspect.iscoroutinefunction(original):
        @functools.wraps(original)
        async def traced_coroutine(self: Any, *args: Any, **kwargs: Any) -> Any:
            from opentelemetry import trace

            span = _start(op, labels, args, kwargs)
            with trace.use_span(span, end_on_exit=True, record_exception=False,
                                set_status_on_exception=False):
                try:
                    result = await original(self, *args, **kwargs)
                except BaseException as exc:
                    _fail(span, exc)
                    raise
                span.set_attribute("db.response.status_code", _OK)
                return result

        return traced_coroutine

    if is_async:
        @functools.wraps(original)
        def traced_future(self: Any, *args: Any, **kwargs: Any) -> Any:
            span = _start(op, labels, args, kwargs)
            try:
                fut = original(self, *args, **kwargs)
            except BaseException as exc:
                _fail(span, exc)
                span.end()
                raise
            if not hasattr(fut, "add_done_callback"):  # not a future: nothing to wait for
                span.end()
                return fut
            if single and not fut.done():
                _spans_by_future[id(fut)] = span
            fut.add_done_callback(functools.partial(_finish_future, span))
            return fut

        return traced_future

    @functools.wraps(original)
    def traced_call(self: Any, *args: Any, **kwargs: Any) -> Any:
        span = _start(op, labels, args, kwargs)
        _sync_node.node = None
        try:
            result = original(self, *args, **kwargs)
        except BaseException as exc:
            _fail(span, exc)
            raise
        else:
            span.set_attribute("db.response.status_code", _OK)
            node = _sync_node.node
            if single and node:
                span.set_attribute("server.address", node)
            return result
        finally:
            _sync_node.node = None
            span.end()

    return traced_call


def _install() -> None:
    from aerospike_py import _core
    from aerospike_py.client import AsyncClient, Client

    _core._set_trace_node_hook(_node_hook)
    groups = ((_KEY_METHODS, _key_labels), (_BATCH_METHODS, _batch_labels),
              (_OTHER_METHODS, _other_labels))
    for cls, is_async in ((Client, False), (AsyncClient, True)):
        for names, labels in groups:
            for name in names:
                original = getattr(cls, name, None)
                if original is None:
                    continue
                _patched.append((cls, name, cls.__dict__.get(name)))
                setattr(cls, name, _traced(original, name, labels, is_async))


def _uninstall() -> None:
    from aerospike_py import _core

    _core._set_trace_node_hook(None)
    _spans_by_future.clear()
    while _patched:
        cls, name, before = _patched.pop()
        if before is None:
            delattr(cls, name)
        else:
            setattr(cls, name, before)
