"""Scans and secondary-index queries: ``client.query(namespace, set_name)``.

aerospike-py's API, same names and shapes::

    q = client.query("test", "demo")          # Query (Client) / AsyncQuery (AsyncClient)
    q.select("name", "age")
    q.where(predicates.between("age", 20, 30))  # no where(): a scan
    records = q.results()                     # await q.results() on AsyncQuery
    q.foreach(lambda record: print(record.bins))

Additions:

* ``q.stream(policy)`` returns a :class:`QueryStream`: iterate it with ``for``
  (sync) or ``async for`` (asyncio); records arrive as the server sends them.
  When the consumer is slower than the server, the client stops reading the
  query's sockets once a bounded buffer (``record_queue_size`` x 4 KiB, 256
  KiB by default) is full, so TCP pushes back on the server and memory stays flat
  however large the result. Leaving the loop and closing the stream (or just
  dropping it) cancels the query on the server and closes its connections.
* Cursors: ``stream.cursor()`` (or ``q.cursor()`` after ``results``/``foreach``)
  is a :class:`PartitionFilter` that continues exactly where the consumer
  stopped; ``cursor.to_bytes()`` / ``PartitionFilter.from_bytes()`` carry it to
  another process. Pass it back as ``policy={"partition_filter": cursor}``.
* The official client's query features: ``paginate()``/``is_done()``/
  ``get_partitions_status()``, ``where_with_index_name``, ``where_with_expr``,
  ``add_ops``/``apply`` + ``execute_background()``, ``max_records``,
  ``records_per_second``, ``ttl``, and partition filters (all, by id, by range,
  by digest).
"""

from __future__ import annotations

import asyncio
import inspect
import struct
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, TypeVar

from aerospike_py import _core
from aerospike_py.arrow import ArrowBatches
from aerospike_py.exception import InvalidArgError, UDFError
from aerospike_py.predicates import normalize
from aerospike_py.types import Record

__all__ = [
    "AsyncQuery",
    "PartitionFilter",
    "Query",
    "QueryStream",
    "partition_filter_all",
    "partition_filter_by_digest",
    "partition_filter_by_id",
    "partition_filter_by_range",
]

N_PARTITIONS = 4096

# One partition's progress: (pid, started, done, digest | None, bval | None).
PartitionTuple = tuple[int, bool, bool, "bytes | None", "int | None"]

# Keys of a background query's policy that belong to the write it performs.
_WRITE_KEYS = frozenset({"durable_delete", "ttl", "key", "exists", "gen", "commit_level"})


# --- partition filters and cursors ------------------------------------------------


class PartitionFilter:
    """Which partitions a query reads, and where each one resumes.

    Made by :func:`partition_filter_all`, :func:`partition_filter_by_id`,
    :func:`partition_filter_by_range`, :func:`partition_filter_by_digest`, or
    taken from a finished query (:meth:`QueryStream.cursor`,
    :meth:`Query.cursor`): then it carries each partition's resume point and
    a query given it reads exactly the records not read yet. Pass it as
    ``policy={"partition_filter": pf}``. A filter is never changed by the
    queries that use it.
    """

    __slots__ = ("begin", "count", "_digest", "_status")

    _MAGIC = b"ASPQC1"

    def __init__(
        self,
        begin: int = 0,
        count: int = N_PARTITIONS,
        digest: bytes | None = None,
        status: Sequence[PartitionTuple] | None = None,
    ) -> None:
        """A filter of ``count`` partitions from ``begin``; with ``digest``, the
        one partition of that digest, resumed after it."""
        if type(begin) is not int or type(count) is not int or begin < 0 or count < 0 or (
            begin + count > N_PARTITIONS
        ):
            raise ValueError(f"partition range begin={begin!r} count={count!r} is outside 0..4096")
        if digest is not None:
            digest = bytes(digest)
            if len(digest) != 20:
                raise ValueError("a partition filter digest must be 20 bytes")
        self.begin = begin
        self.count = count
        self._digest = digest
        self._status: tuple[PartitionTuple, ...] | None = (
            tuple(status) if status is not None else None
        )

    @property
    def digest(self) -> bytes | None:
        """The digest a by-digest filter resumes after, or None."""
        return self._digest

    def partitions(self) -> list[PartitionTuple]:
        """Every partition of the filter as ``(pid, started, done, digest, bval)``."""
        if self._status is not None:
            return list(self._status)
        if self._digest is not None:
            pid = int.from_bytes(self._digest[:2], "little") & 0x0FFF
            return [(pid, True, False, self._digest, None)]
        return [(p, False, False, None, None) for p in range(self.begin, self.begin + self.count)]

    def is_done(self) -> bool:
        """True when every partition was read to its end (nothing left)."""
        return self._status is not None and all(s[2] for s in self._status)

    def _arg(self) -> list[PartitionTuple] | None:
        """The native query's ``partitions`` argument (None: all, untouched)."""
        if self._status is None and self._digest is None and self.begin == 0 and (
            self.count == N_PARTITIONS
        ):
            return None
        parts = self.partitions()
        if not parts:
            raise InvalidArgError("the partition filter selects no partition", code=-2)
        return parts

    def status(self) -> dict[int, PartitionTuple]:
        """The official client's ``get_partitions_status()`` shape:
        ``{pid: (pid, init, done, digest, bval)}``."""
        return {p[0]: p for p in self.partitions()}

    def to_bytes(self) -> bytes:
        """A compact form of the filter (with its resume points), for storing a
        cursor or sending it to another process."""
        out = bytearray(self._MAGIC)
        parts = self.partitions()
        out += struct.pack("<H", len(parts))
        for pid, started, done, digest, bval in parts:
            flags = (1 if started else 0) | (2 if done else 0) | (4 if bval is not None else 0)
            out += struct.pack("<HB", pid, flags)
            if started:
                out += digest if digest is not None else bytes(20)
            if bval is not None:
                out += struct.pack("<q", bval)
        return bytes(out)

    @classmethod
    def from_bytes(cls, data: bytes) -> PartitionFilter:
        """The filter :meth:`to_bytes` wrote."""
        data = bytes(data)
        if not data.startswith(cls._MAGIC):
            raise InvalidArgError("not a partition filter written by to_bytes()", code=-2)
        pos = len(cls._MAGIC)
        try:
            (n,) = struct.unpack_from("<H", data, pos)
            pos += 2
            parts: list[PartitionTuple] = []
            for _ in range(n):
                pid, flags = struct.unpack_from("<HB", data, pos)
                pos += 3
                digest = None
                bval = None
                if flags & 1:
                    digest = data[pos:pos + 20]
                    if len(digest) != 20:
                        raise struct.error("truncated digest")
                    pos += 20
                if flags & 4:
                    (bval,) = struct.unpack_from("<q", data, pos)
                    pos += 8
                parts.append((pid, bool(flags & 1), bool(flags & 2), digest, bval))
        except struct.error as exc:
            raise InvalidArgError(f"truncated partition filter: {exc}", code=-2) from None
        if pos != len(data):
            raise InvalidArgError("trailing bytes after a partition filter", code=-2)
        pids = [p[0] for p in parts]
        if any(p >= N_PARTITIONS for p in pids) or len(set(pids)) != len(pids):
            raise InvalidArgError("a partition filter lists a bad or repeated partition", code=-2)
        lo = min(pids) if pids else 0
        return cls(lo, len(parts), None, parts)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PartitionFilter):
            return NotImplemented
        return self.partitions() == other.partitions()

    def __hash__(self) -> int:
        return hash(tuple(self.partitions()))

    def __repr__(self) -> str:
        if self._status is not None:
            done = sum(1 for s in self._status if s[2])
            return f"PartitionFilter(cursor of {len(self._status)} partitions, {done} done)"
        if self._digest is not None:
            return f"PartitionFilter(digest={self._digest.hex()})"
        return f"PartitionFilter(begin={self.begin}, count={self.count})"


def partition_filter_all() -> PartitionFilter:
    """All 4096 partitions (what a query reads without a filter)."""
    return PartitionFilter()


def partition_filter_by_id(partition_id: int) -> PartitionFilter:
    """One partition (0..4095)."""
    # aerospike-py's wording: code that matches its message keeps working.
    if type(partition_id) is int and not 0 <= partition_id < N_PARTITIONS:
        raise ValueError(f"partition_id must be in 0..{N_PARTITIONS - 1}, not {partition_id}")
    return PartitionFilter(partition_id, 1)


def partition_filter_by_range(begin: int, count: int) -> PartitionFilter:
    """``count`` partitions from ``begin`` (``begin + count <= 4096``)."""
    if type(begin) is int and type(count) is int and begin + count > N_PARTITIONS:
        raise ValueError(f"begin + count must be at most {N_PARTITIONS}, not {begin} + {count}")
    return PartitionFilter(begin, count)


def partition_filter_by_digest(digest: bytes) -> PartitionFilter:
    """The partition of ``digest``, read after that record (the official
    client's "by key" filter)."""
    return PartitionFilter(0, 1, digest)


def _partitions_from_policy(value: Any) -> list[PartitionTuple] | None:
    """The native ``partitions`` argument from a policy's ``partition_filter``."""
    if value is None:
        return None
    if isinstance(value, PartitionFilter):
        return value._arg()
    if isinstance(value, Mapping):
        # The official client's dict: {"begin", "count", "digest": {"init", "value"},
        # "partition_status": {pid: (pid, init, done, digest, bval)}}.
        unknown = set(value) - {"begin", "count", "digest", "partition_status"}
        if unknown:
            raise InvalidArgError(f"partition_filter: unknown keys {sorted(unknown)}", code=-2)
        begin = value.get("begin", 0)
        count = value.get("count", N_PARTITIONS)
        digest = value.get("digest")
        digest_bytes = None
        if isinstance(digest, Mapping) and digest.get("init"):
            digest_bytes = bytes(digest["value"])
        status = value.get("partition_status")
        try:
            pf = PartitionFilter(begin, count, digest_bytes)
        except ValueError as exc:
            raise InvalidArgError(f"partition_filter: {exc}", code=-2) from None
        if status:
            parts: list[PartitionTuple] = []
            for pid in range(begin, begin + count):
                entry = status.get(pid)  # (also skips the "done"/"retry" keys)
                if entry is None:
                    parts.append((pid, False, False, None, None))
                    continue
                _, init, done, d, bval = tuple(entry)[:5]
                parts.append((pid, bool(init), bool(done), bytes(d) if init and d else None,
                              bval if init and d else None))
            return parts
        return pf._arg()
    raise InvalidArgError(
        f"partition_filter must be a PartitionFilter (aerospike_py.partition_filter_*), "
        f"not {type(value).__name__}",
        code=-2,
    )


# --- the stream -------------------------------------------------------------------


class QueryStream(_core.QueryStream):
    """A running scan/query: ``for record in stream`` / ``async for record in stream``.

    Records are :class:`aerospike_py.Record` NamedTuples, handed out as the
    server sends them. ``close()`` / ``await aclose()`` (or the ``with`` /
    ``async with`` blocks, or dropping the stream) stops a query still
    running: the server stops, its connections close. ``records`` counts the
    records handed out; :meth:`cursor` continues where the consumer stopped.
    """

    __slots__ = ()

    def cursor(self) -> PartitionFilter:
        """A partition filter continuing after the last record the consumer took
        (closes the stream first if it still runs)."""
        parts = self.partitions()
        if parts is None:
            raise InvalidArgError("the query ended before it started", code=-1)
        lo = min(p[0] for p in parts) if parts else 0
        return PartitionFilter(lo, len(parts), None, parts)

    def arrow_batches(self, schema: Any, chunk: int = 65_536) -> ArrowBatches:
        """The records as ``pyarrow.RecordBatch`` es of up to ``chunk`` rows, columns
        as ``schema`` says (see :mod:`aerospike_py.arrow`); ``for`` on a sync
        stream, ``async for`` on an async one."""
        return ArrowBatches(self, schema, chunk)

    def __enter__(self) -> QueryStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Literal[False]:
        self.close()
        return False

    async def __aenter__(self) -> QueryStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Literal[False]:
        await self.aclose()
        return False


# --- queries ----------------------------------------------------------------------

_Q = TypeVar("_Q", bound="_QueryBase")


class _QueryBase:
    """What Query and AsyncQuery share: the builder and the native call."""

    def __init__(self, client: Any, namespace: str, set_name: str | None) -> None:
        self._client = client
        self._ns = namespace
        self._set = set_name
        self._bins: list[str] | None = None
        self._where: tuple[Any, ...] | None = None
        self._ops: list[Any] | None = None
        self._udf: tuple[str, str, bytes] | None = None
        self._udf_args: list[Any] = []
        self._paginate = False
        self._cursor: PartitionFilter | None = None
        self._last: QueryStream | None = None  # its cursor is computed when asked for
        #: Records wanted at most (0: all); a policy's ``max_records`` wins.
        self.max_records = 0
        #: Server-side throttle per node (0: none); a policy's value wins.
        self.records_per_second = 0
        #: TTL of the records a background query writes (0: namespace default).
        self.ttl = 0

    # -- building --

    def select(self: _Q, *bins: str) -> _Q:
        """Return only these bins (all when never called)."""
        if len(bins) == 1 and isinstance(bins[0], (list, tuple)):
            bins = tuple(bins[0])
        for b in bins:
            if not isinstance(b, str):
                raise InvalidArgError(f"bin names must be str, not {b!r}", code=-2)
        self._bins = list(bins)
        return self

    def where(self: _Q, predicate: tuple[Any, ...], ctx: Any = None) -> _Q:
        """Filter by a secondary index (an ``aerospike_py.predicates`` tuple);
        ``ctx``: the index is on an element inside the bin."""
        self._where = normalize(predicate, ctx=ctx)
        return self

    def where_with_index_name(self: _Q, index_name: str, predicate: tuple[Any, ...]) -> _Q:
        """Filter through the index named ``index_name`` (server 8.1+)."""
        self._where = normalize(predicate, index_name=index_name)
        return self

    def where_with_expr(self: _Q, expr: Any, predicate: tuple[Any, ...]) -> _Q:
        """Filter through the expression index defined by ``expr`` (compiled
        expression bytes; server 8.1+)."""
        self._where = normalize(predicate, expression=expr)
        return self

    def add_ops(self: _Q, ops: Iterable[Mapping[str, Any]]) -> _Q:
        """Write ops for :meth:`execute_background` (or read ops as a projection
        of a foreground query, server 8.1.2+)."""
        self._ops = list(ops)
        return self

    def apply(self: _Q, module: str, function: str, arguments: Sequence[Any] | None = None) -> _Q:
        """A UDF: for :meth:`execute_background`, a record UDF run on every
        record; for ``results()``/``foreach()``, a stream UDF (aggregation):
        the nodes run it over their records and this client reduces what they
        send with its own copy of ``module`` (see :doc:`udf`); the results are
        the reduced values, not records."""
        if not isinstance(module, str) or not isinstance(function, str):
            raise InvalidArgError("module and function must be str", code=-2)
        self._udf_args = list(arguments or [])
        _, args = _core._encode_value(self._udf_args)
        self._udf = (module[:-4] if module.endswith(".lua") else module, function, args)
        return self

    def paginate(self) -> None:
        """Make each ``results()``/``foreach()`` call continue where the previous
        one stopped (set ``max_records`` for the page size)."""
        self._paginate = True

    def is_done(self) -> bool:
        """After pagination: True when every partition was read to its end."""
        cursor = self.cursor()
        return cursor is not None and cursor.is_done()

    def get_partitions_status(self) -> dict[Any, Any]:
        """The official client's view of :meth:`cursor`: ``{pid: (pid, init, done,
        digest, bval), ..., "done": bool, "retry": False}``."""
        cursor = self.cursor()
        if cursor is None:
            return {}
        out: dict[Any, Any] = dict(cursor.status())
        out["done"] = cursor.is_done()
        out["retry"] = False
        return out

    def cursor(self) -> PartitionFilter | None:
        """Where the last ``results()``/``foreach()`` stopped, as a partition
        filter (None before the first)."""
        if self._cursor is None and self._last is not None:
            self._cursor = self._last.cursor()
            self._last = None
        return self._cursor

    # -- running --

    def _query_args(self, policy: Mapping[str, Any] | None) -> dict[str, Any]:
        pol = dict(policy) if policy else {}
        if not isinstance(policy, (Mapping, type(None))):
            raise InvalidArgError(f"policy must be a dict, not {type(policy).__name__}", code=-2)
        partitions = _partitions_from_policy(pol.pop("partition_filter", None))
        cursor = self.cursor() if self._paginate else None
        if partitions is None and cursor is not None:
            partitions = cursor._arg()
        if self.max_records and "max_records" not in pol:
            pol["max_records"] = self.max_records
        if self.records_per_second and "records_per_second" not in pol:
            pol["records_per_second"] = self.records_per_second
        return {
            "bins": self._bins,
            "where": self._where,
            "policy": pol or None,
            "partitions": partitions,
            "ops": self._ops,
        }

    def _start(self, policy: Mapping[str, Any] | None) -> QueryStream:
        args = self._query_args(policy)
        stream = self._client._query(self._ns, self._set, stream_type=QueryStream, **args)
        assert isinstance(stream, QueryStream)
        return stream

    def _finish(self, stream: QueryStream) -> None:
        self._last = stream
        self._cursor = None

    # -- aggregation (query.apply + results/foreach) --

    def _aggregation_args(self, policy: Mapping[str, Any] | None) -> dict[str, Any]:
        args = self._query_args(policy)
        if self._bins or self._ops:
            raise InvalidArgError("an aggregation selects no bins and takes no ops", code=-2)
        if args["partitions"] is not None:
            raise InvalidArgError("an aggregation reads every partition", code=-2)
        return {"where": args["where"], "policy": args["policy"], "udf": self._udf,
                "stream_type": QueryStream}

    def _aggregation_timeout_ms(self, policy: Mapping[str, Any] | None) -> int:
        value = (policy or {}).get("total_timeout", (policy or {}).get("timeout", 0))
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    def _new_aggregation(self, sources: dict[str, str],
                         policy: Mapping[str, Any] | None) -> Any:
        assert self._udf is not None
        module, function, _ = self._udf
        return _core.Aggregation(module, function, self._udf_args, sources,
                                 self._aggregation_timeout_ms(policy), _AGGREGATION_QUEUE)

    def _background_args(self, policy: Mapping[str, Any] | None) -> dict[str, Any]:
        pol = dict(policy) if policy else {}
        write = {k: pol.pop(k) for k in list(pol) if k in _WRITE_KEYS}
        if self.ttl and "ttl" not in write:
            write["ttl"] = self.ttl
        partitions = _partitions_from_policy(pol.pop("partition_filter", None))
        if self.records_per_second and "records_per_second" not in pol:
            pol["records_per_second"] = self.records_per_second
        if self._udf is None and not self._ops:
            raise InvalidArgError(
                "execute_background() needs write ops (add_ops) or a UDF (apply)", code=-2
            )
        return {
            "where": self._where,
            "policy": pol or None,
            "partitions": partitions,
            "ops": self._ops if self._udf is None else None,
            "udf": self._udf,
            "background": True,
            "write_policy": write or None,
        }


async def _call_each(items: AsyncIterator[Any], callback: Callable[[Any], Any]) -> None:
    """AsyncQuery.foreach's loop: ``callback(item)`` per item (awaited when it
    returns an awaitable) until the items end or it returns ``False``."""
    async for item in items:
        result = callback(item)
        if inspect.isawaitable(result):
            result = await result
        if result is False:
            break


def _node_value(record: Any) -> Any:
    """One value a node sent: ``Record(None, meta, {"SUCCESS": v})``, or
    ``{"FAILURE": message}`` when the node's stream UDF failed."""
    bins = record[2] or {}
    if "FAILURE" in bins:
        raise UDFError(str(bins["FAILURE"]), code=100)
    return bins.get("SUCCESS")


# Values queued between the nodes' stream and the client's reduce, and
# results waiting for the caller: both bounded, so a slow consumer holds
# the worker, the worker holds the stream and the stream pauses the socket.
_AGGREGATION_QUEUE = 1024


class Query(_QueryBase):
    """A scan/query of the blocking :class:`aerospike_py.Client`."""

    def results(self, policy: Mapping[str, Any] | None = None) -> list[Any]:
        """Run the query: every matching Record, in the order the server sent them
        (after :meth:`apply`: the aggregation's reduced values)."""
        if self._udf is not None:
            return list(self._aggregate(policy))
        stream = self._start(policy)
        try:
            out = list(stream)
        finally:
            stream.close()
        self._finish(stream)
        return out

    def foreach(
        self,
        callback: Callable[[Record], Any],
        policy: Mapping[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        """Call ``callback(record)`` for each record as it arrives; a callback
        returning ``False`` stops the query (the server stops too). After
        :meth:`apply`: ``callback(value)`` for each reduced value."""
        if self._udf is not None:
            values = self._aggregate(policy)
            try:
                for value in values:
                    if callback(value) is False:
                        break
            finally:
                values.close()
            return
        stream = self._start(policy)
        try:
            for record in stream:
                if callback(record) is False:
                    break
        finally:
            stream.close()
        self._finish(stream)

    def stream(self, policy: Mapping[str, Any] | None = None) -> QueryStream:
        """Start the query and return its :class:`QueryStream` (``for record in ...``)."""
        return self._start(policy)

    def _aggregate(self, policy: Mapping[str, Any] | None) -> Generator[Any, None, None]:
        """The aggregation's results as the client's chain produces them:
        node values are pushed as the stream yields them, and the results
        come out as they are ready (memory stays bounded by the queues)."""
        assert self._udf is not None
        sources = self._client._udf_sources(self._udf[0])
        agg = self._new_aggregation(sources, policy)
        try:
            stream = self._client._query(self._ns, self._set, **self._aggregation_args(policy))
            try:
                for record in stream:
                    _, ready = agg.push(_node_value(record))
                    yield from ready
            finally:
                stream.close()
            agg.end()
            while True:
                ready = agg.take()
                if not ready:
                    break
                yield from ready
        finally:
            agg.close()

    def execute_background(self, policy: Mapping[str, Any] | None = None) -> int:
        """Run the ops (``add_ops``) or UDF (``apply``) on every matching record,
        on the servers: returns the job id for :meth:`Client.job_info` once every
        node accepted the job. ``policy``: query keys (timeouts,
        ``filter_expression``, ``records_per_second``, ``partition_filter``)
        and write keys (``ttl``, ``durable_delete``)."""
        task_id, _ = self._client._query(self._ns, self._set, **self._background_args(policy))
        return int(task_id)


class AsyncQuery(_QueryBase):
    """A scan/query of :class:`aerospike_py.AsyncClient`."""

    async def results(self, policy: Mapping[str, Any] | None = None) -> list[Any]:
        """Run the query: every matching Record, in the order the server sent them
        (after :meth:`apply`: the aggregation's reduced values)."""
        if self._udf is not None:
            values = self._aggregate(policy)
            try:
                return [value async for value in values]
            finally:
                await values.aclose()
        stream = self._start(policy)
        try:
            out = [record async for record in stream]
        finally:
            await stream.aclose()
        self._finish(stream)
        return out

    async def foreach(
        self,
        callback: Callable[[Record], Any],
        policy: Mapping[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        """Call ``callback(record)`` for each record as it arrives (a coroutine
        callback is awaited); returning ``False`` stops the query. After
        :meth:`apply`: ``callback(value)`` for each reduced value."""
        if self._udf is not None:
            values = self._aggregate(policy)
            try:
                await _call_each(values, callback)
            finally:
                await values.aclose()
            return
        stream = self._start(policy)
        try:
            await _call_each(stream, callback)
        finally:
            await stream.aclose()
        self._finish(stream)

    def stream(self, policy: Mapping[str, Any] | None = None) -> QueryStream:
        """Start the query and return its :class:`QueryStream`
        (``async for record in ...``)."""
        return self._start(policy)

    async def _aggregate(self,
                         policy: Mapping[str, Any] | None) -> AsyncGenerator[Any, None]:
        """See :meth:`Query._aggregate`. The worker's waits never block the
        loop: a full input queue and the results at the end are waited for
        on the default executor (GIL released there)."""
        assert self._udf is not None
        sources = await self._client._udf_sources(self._udf[0])
        agg = self._new_aggregation(sources, policy)
        loop = asyncio.get_running_loop()
        try:
            stream = self._client._query(self._ns, self._set, **self._aggregation_args(policy))
            try:
                async for record in stream:
                    value = _node_value(record)
                    while True:
                        queued, ready = agg.push(value, False)
                        for result in ready:
                            yield result
                        if queued:
                            break
                        await loop.run_in_executor(None, agg.wait_room)
            finally:
                await stream.aclose()
            agg.end()
            while True:
                ready = await loop.run_in_executor(None, agg.take)
                if not ready:
                    break
                for result in ready:
                    yield result
        finally:
            agg.close()

    async def execute_background(self, policy: Mapping[str, Any] | None = None) -> int:
        """The asyncio form of :meth:`Query.execute_background`."""
        task_id, pending = self._client._query(self._ns, self._set,
                                               **self._background_args(policy))
        if pending is not None:
            await pending
        return int(task_id)
