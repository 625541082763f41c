"""Tracing through OpenTelemetry, checked with the SDK's in-memory exporter.

One span per command, with the database semantic-convention attributes,
parented to the caller's current span (in asyncio: each task's own), and
nothing installed when tracing is off.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

import aerospike_py
from aerospike_py import _core
from aerospike_py.testing import ServerHandle

from .conftest import Db, close, connect


@pytest.fixture
def traced() -> Iterator[tuple[InMemorySpanExporter, Any]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    aerospike_py.init_tracing(tracer_provider=provider)
    try:
        yield exporter, provider.get_tracer("test")
    finally:
        aerospike_py.shutdown_tracing()
        provider.shutdown()


def _by_name(spans: tuple[ReadableSpan, ...], name: str) -> list[ReadableSpan]:
    return [s for s in spans if s.name == name]


@pytest.mark.asyncio
async def test_one_span_per_command_with_semantic_attributes(
    traced: tuple[InMemorySpanExporter, Any], db: Db, ns: str, set_name: str
) -> None:
    exporter, tracer = traced
    keys = [(ns, set_name, i) for i in range(3)]
    with tracer.start_as_current_span("request") as parent:
        for k in keys:
            await db.put(k, {"v": k[2]})
        await db.get(keys[0])
        with pytest.raises(aerospike_py.RecordNotFound):
            await db.get((ns, set_name, "missing"))
        await db.batch_read(keys)
    spans = exporter.get_finished_spans()
    request = _by_name(spans, "request")[0]
    commands = [s for s in spans if s.name != "request"]
    assert [s.name for s in commands] == [f"put {set_name}"] * 3 + [f"get {set_name}"] * 2 + [
        f"batch_read {set_name}"]
    for span in commands:
        assert span.kind is SpanKind.CLIENT
        assert span.parent is not None and span.parent.span_id == parent.get_span_context().span_id
        assert span.context.trace_id == request.context.trace_id
        attrs = dict(span.attributes or {})
        assert attrs["db.system.name"] == "aerospike" and attrs["db.system"] == "aerospike"
        assert attrs["db.namespace"] == ns and attrs["db.collection.name"] == set_name
        assert attrs["db.operation.name"] == span.name.split()[0]
        assert span.end_time is not None and span.end_time >= span.start_time
    ok_get, missing = _by_name(spans, f"get {set_name}")
    assert ok_get.status.status_code is StatusCode.UNSET
    assert missing.status.status_code is StatusCode.ERROR
    assert missing.attributes is not None
    assert missing.attributes["error.type"] == "RecordNotFound"
    assert missing.attributes["db.response.status_code"] == "2"
    batch = _by_name(spans, f"batch_read {set_name}")[0]
    assert batch.attributes is not None and batch.attributes["db.operation.batch.size"] == 3


@pytest.mark.asyncio
async def test_successes_carry_the_result_code_and_the_answering_node(
    traced: tuple[InMemorySpanExporter, Any], db: Db, ns: str, set_name: str
) -> None:
    exporter, tracer = traced
    nodes = set(db.client.get_node_names())
    assert nodes
    keys = [(ns, set_name, f"ok-{i}") for i in range(4)]
    with tracer.start_as_current_span("request") as parent:
        for k in keys:
            await db.put(k, {"v": 1})
        await db.get(keys[0])
        await db.exists(keys[1])
        await db.operate(keys[2], [{"op": aerospike_py.OPERATOR_INCR, "bin": "v", "val": 1}])
        await db.batch_read(keys)
    spans = [s for s in exporter.get_finished_spans() if s.name != "request"]
    assert sorted(s.name.split()[0] for s in spans) == sorted(
        ["put"] * 4 + ["get", "exists", "operate", "batch_read"])
    for span in spans:
        attrs = dict(span.attributes or {})
        assert span.status.status_code is StatusCode.UNSET, span.name
        assert span.parent is not None and span.parent.span_id == parent.get_span_context().span_id
        assert attrs["db.system"] == "aerospike"
        assert attrs["db.namespace"] == ns and attrs["db.collection.name"] == set_name
        assert attrs["db.response.status_code"] == "0", span.name
        if span.name.startswith("batch_read"):
            # A batch goes to every node owning one of its keys: no one node.
            assert attrs["db.operation.batch.size"] == 4
            assert "server.address" not in attrs
        else:
            assert attrs["server.address"] in nodes, (span.name, attrs)
    # Off again: the bridge's hook is gone with the wrappers.
    aerospike_py.shutdown_tracing()
    exporter.clear()
    await db.get(keys[0])
    assert exporter.get_finished_spans() == ()


@pytest.mark.asyncio
async def test_concurrent_tasks_get_their_own_parents(
    traced: tuple[InMemorySpanExporter, Any], aerospike_server: ServerHandle, ns: str,
    set_name: str
) -> None:
    exporter, tracer = traced
    client = await connect(aerospike_server.client_config(), True)
    assert isinstance(client, aerospike_py.AsyncClient)
    try:
        async def request(i: int) -> int:
            with tracer.start_as_current_span(f"request-{i}") as span:
                await asyncio.sleep(0)  # interleave the tasks
                await client.put((ns, set_name, i), {"v": i})
                await client.get((ns, set_name, i))
                return int(span.get_span_context().span_id)

        parents = await asyncio.gather(*(request(i) for i in range(8)))
    finally:
        await close(client)
    spans = exporter.get_finished_spans()
    for i, parent_id in enumerate(parents):
        request_span = _by_name(spans, f"request-{i}")[0]
        children = [s for s in spans if s.parent is not None and s.parent.span_id == parent_id]
        assert sorted(s.name for s in children) == [f"get {set_name}", f"put {set_name}"]
        assert all(s.context.trace_id == request_span.context.trace_id for s in children)


@pytest.mark.asyncio
async def test_off_means_the_native_methods_and_no_spans(
    db: Db, ns: str, set_name: str
) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    aerospike_py.init_tracing(tracer_provider=provider)
    assert aerospike_py.is_tracing_enabled()
    assert "get" in aerospike_py.AsyncClient.__dict__ and "get" in aerospike_py.Client.__dict__
    aerospike_py.shutdown_tracing()
    assert not aerospike_py.is_tracing_enabled()
    # Off: the classes have their own methods back, nothing wraps them.
    assert aerospike_py.AsyncClient.get is _core.AsyncClient.get
    assert aerospike_py.Client.get is _core.Client.get
    assert aerospike_py.AsyncClient.__dict__["batch_write"].__name__ == "batch_write"
    assert not hasattr(aerospike_py.AsyncClient.__dict__["batch_write"], "__wrapped__")
    await db.put((ns, set_name, 1), {"v": 1})
    await db.get((ns, set_name, 1))
    assert exporter.get_finished_spans() == ()
    provider.shutdown()


def test_init_tracing_honours_otel_sdk_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    aerospike_py.init_tracing()
    assert not aerospike_py.is_tracing_enabled()
    assert "get" not in aerospike_py.AsyncClient.__dict__


def test_init_tracing_without_a_provider_builds_one_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No global provider and no OTLP exporter installed here: with
    # OTEL_TRACES_EXPORTER=none an SDK provider that exports nothing is made
    # and shut down again by shutdown_tracing.
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "none")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "svc-under-test")
    aerospike_py.init_tracing()
    try:
        from aerospike_py import _tracing

        assert aerospike_py.is_tracing_enabled()
        provider = _tracing._owned_provider
        assert isinstance(provider, TracerProvider)
        assert provider.resource.attributes["service.name"] == "svc-under-test"
    finally:
        aerospike_py.shutdown_tracing()
    assert not aerospike_py.is_tracing_enabled()
