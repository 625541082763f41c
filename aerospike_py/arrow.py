"""Apache Arrow output: records as ``pyarrow.RecordBatch`` columns, no dict per record.

``client.batch_read(keys, _arrow=schema)`` (sync and async) returns one
``pyarrow.RecordBatch`` with one row per key, in input order, filled on the
client's event thread through the Arrow C Data Interface; a query stream gives
its records in RecordBatches of up to ``chunk`` rows::

    import pyarrow as pa
    from aerospike_py.arrow import generation, result_code

    schema = pa.schema([
        ("age", pa.int64()),
        ("score", pa.float64()),
        ("name", pa.string()),
        ("tags", pa.list_(pa.string())),
        generation("gen"),
        result_code("rc"),
    ])
    batch = client.batch_read(keys, _arrow=schema)        # sync Client
    batch = await client.batch_read(keys, _arrow=schema)  # AsyncClient

    with client.query("test", "users").stream() as stream:
        for part in stream.arrow_batches(schema, chunk=10_000):
            ...

Each column is filled from the bin of its name. Supported column types:
``int64``, ``float64`` (integer bins are converted), ``bool``, ``string``,
``large_string``, ``binary``, ``large_binary`` (string or bytes bins),
``list<int64>``, ``list<float64>`` and ``list<string>`` (list bins; nil items
are null items). A missing record (not found, filtered out, failed) is a row
of nulls; a bin the record does not have, or a nil bin, is a null. A value the
column cannot hold (a string in an int64 column, a nested list, ...) raises
:class:`aerospike_py.exception.InvalidArgError` naming the record, its key and
the bin, unless the field (or the schema) carries the metadata
``{b"aerospike.on_mismatch": b"null"}`` (see :func:`null_on_mismatch`), which
makes such values nulls.

pyarrow is optional: it is imported on first use only; without it these calls
raise ``ImportError`` saying so.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

__all__ = [
    "ArrowBatches",
    "generation",
    "null_on_mismatch",
    "result_code",
    "ttl",
]

#: Chunk size of :meth:`aerospike_py.query.QueryStream.arrow_batches` by default.
DEFAULT_CHUNK = 65_536


def _pa() -> Any:
    try:
        # Imported by name: pyarrow is optional and ships no type information.
        pyarrow = importlib.import_module("pyarrow")
    except ImportError as e:  # the same message as the native calls'
        raise ImportError(
            "pyarrow is needed for _arrow= and QueryStream.arrow_batches() (pip install pyarrow)"
        ) from e
    return pyarrow


def generation(name: str = "generation") -> Any:
    """A ``uint32`` column of each record's generation (null for a missing record)."""
    pa = _pa()
    return pa.field(name, pa.uint32(), metadata={b"aerospike": b"generation"})


def ttl(name: str = "ttl") -> Any:
    """A ``uint32`` column of each record's TTL in seconds (``0xFFFFFFFF``: never
    expires; null for a missing record)."""
    pa = _pa()
    return pa.field(name, pa.uint32(), metadata={b"aerospike": b"ttl"})


def result_code(name: str = "result_code") -> Any:
    """An ``int32`` column of each key's result code (0: found, 2: not found, 27:
    filtered out, ...); never null."""
    pa = _pa()
    return pa.field(name, pa.int32(), metadata={b"aerospike": b"result_code"})


def null_on_mismatch(field: Any) -> Any:
    """``field`` (a ``pyarrow.Field``) with values its type cannot hold read as nulls
    instead of raising."""
    metadata = dict(field.metadata or {})
    metadata[b"aerospike.on_mismatch"] = b"null"
    return field.with_metadata(metadata)


class ArrowBatches:
    """The records of a query stream as RecordBatches of up to ``chunk`` rows.

    Iterate it with ``for`` (sync streams: waits with the GIL released) or
    ``async for`` (streams of an ``AsyncClient``). A batch is handed out as soon
    as it is full, or when it has rows and the next records have not arrived
    yet, so it never waits for rows it could already give. The stream's
    ``records`` count and cursor advance as the batches are taken.
    """

    __slots__ = ("_stream", "_schema", "_chunk")

    def __init__(self, stream: Any, schema: Any, chunk: int = DEFAULT_CHUNK) -> None:
        if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
            from aerospike_py.exception import InvalidArgError

            raise InvalidArgError("chunk must be an int >= 1", code=-2)
        self._stream = stream
        self._schema = schema
        self._chunk = chunk

    def __iter__(self) -> Iterator[Any]:
        take = self._stream._arrow_take
        while True:
            batch = take(self._schema, self._chunk, True)
            if batch is None:
                return
            yield batch

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._async_batches()

    async def _async_batches(self) -> AsyncIterator[Any]:
        take = self._stream._arrow_take
        pa = _pa()
        record_batch = pa.RecordBatch
        while True:
            got = take(self._schema, self._chunk, False)
            if got is None:
                return
            if isinstance(got, record_batch):
                yield got
            else:
                await got  # a future resolved when the stream has news
