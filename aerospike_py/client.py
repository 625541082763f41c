"""The client classes of aerospike_py: ``Client`` (blocking) and ``AsyncClient`` (asyncio).

Both are thin subclasses of the native types in :mod:`aerospike_py._core`.
Every data method (``get``, ``put``, ``operate``, ``batch_read``, ...) is the
native method itself, called without a Python frame in between; this module
adds only what is not on the hot path: ``connect()`` returning ``self`` for
chaining, ``close()``, and the ``with`` / ``async with`` protocols.

A ``Client`` method blocks the calling thread with the GIL released; an
``AsyncClient`` method returns an :class:`asyncio.Future` of the running
loop, resolved by the loop's completion bridge::

    client = aerospike_py.client({"hosts": [("127.0.0.1", 3000)]}).connect()
    record = client.get(("test", "demo", "k1"))

    async with await aerospike_py.async_client({"hosts": [("127.0.0.1", 3000)]}).connect() as c:
        record = await c.get(("test", "demo", "k1"))

As in aerospike-py, entering ``with`` / ``async with`` does not connect (it
returns the client as it is); leaving it closes the client.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, cast, overload

from aerospike_py import _core
from aerospike_py._observability import ensure_log_thread
from aerospike_py._local_helpers import LocalHelpers
from aerospike_py._query_api import AsyncQueryClientMethods, QueryClientMethods
from aerospike_py._udf import AsyncUdfMixin, UdfMixin  # UDF registration (issue 15)
from aerospike_py.batch import BatchRecords, fill_batch_records, is_batch_records
from aerospike_py.exception import AerospikeError, ParamError
from aerospike_py.types import BatchRecord, BatchRetryInfo, BatchWriteResult

# Per-record result codes worth retrying in batch_write(retry=N): timeout,
# device overload, key busy, server memory, partition unavailable.
_RETRYABLE = frozenset({9, 18, 14, 8, 11})
_BACKOFF_BASE_S = 0.010
_BACKOFF_CAP_S = 0.500
_DEFAULT_TOTAL_TIMEOUT_MS = 1000


def _check_retry(retry: object) -> int:
    if type(retry) is not int or retry < 0:
        raise ParamError(f"retry must be an int >= 0, not {retry!r}", code=-2)
    return retry


def _batch_budget_ms(config: Mapping[str, Any], policy: Mapping[str, Any] | None) -> int:
    """The total timeout a batch_write retry loop must stay within."""
    if policy and "total_timeout" in policy:
        return int(policy["total_timeout"])
    batch = config.get("policies", {}).get("batch", {})
    return int(batch.get("total_timeout", _DEFAULT_TOTAL_TIMEOUT_MS))


class _RetryState:
    """Bookkeeping of a batch_write retry loop (shared by both clients)."""

    def __init__(self, retry: int, budget_ms: int) -> None:
        """Starts the budget's clock: create it before the first attempt is sent."""
        self.batch_records: list[BatchRecord] = []
        self.max_attempts = retry + 1
        self.attempts = 1
        self.budget_s = budget_ms / 1000.0
        self.started = time.monotonic()
        self.truncated = False

    def first(self, result: BatchWriteResult) -> None:
        """Records the first attempt's answer."""
        self.batch_records = list(result.batch_records)

    def rounds(self) -> Iterator[tuple[list[int], float]]:
        """Each further attempt: the indexes still failing, and the delay to wait first."""
        while self.attempts < self.max_attempts:
            indexes = self.pending()
            if not indexes:
                return
            delay = self.backoff()
            if delay is None:
                return
            yield indexes, delay

    def pending(self) -> list[int]:
        return [i for i, br in enumerate(self.batch_records) if br.result in _RETRYABLE]

    def backoff(self) -> float | None:
        """Full-jitter backoff before the next attempt, or None to stop."""
        exp = min(self.attempts - 1, 6)
        delay = random.uniform(0.0, min(_BACKOFF_CAP_S, _BACKOFF_BASE_S * (2**exp)))
        if self.budget_s > 0 and time.monotonic() - self.started + delay >= self.budget_s:
            self.truncated = True
            return None
        return delay

    def merge(self, indexes: list[int], again: BatchWriteResult) -> None:
        self.attempts += 1
        for j, i in enumerate(indexes):
            self.batch_records[i] = again.batch_records[j]

    def result(self) -> BatchWriteResult:
        info = BatchRetryInfo(
            attempts=self.attempts,
            max_attempts=self.max_attempts,
            truncated_by_timeout=self.truncated,
            unresolved=len(self.pending()),
        )
        return BatchWriteResult(self.batch_records, info)


def _retry_batch(
    state: _RetryState, resend: Callable[[list[int]], BatchWriteResult]
) -> BatchWriteResult:
    """Runs the retry rounds of a blocking batch write."""
    for indexes, delay in state.rounds():
        time.sleep(delay)
        try:
            again = resend(indexes)
        except AerospikeError:
            state.attempts += 1  # the whole attempt failed: try again
            continue
        state.merge(indexes, again)
    return state.result()


async def _aretry_batch(
    state: _RetryState, resend: Callable[[list[int]], Awaitable[BatchWriteResult]]
) -> BatchWriteResult:
    """Runs the retry rounds of an asyncio batch write."""
    for indexes, delay in state.rounds():
        await asyncio.sleep(delay)
        try:
            again = await resend(indexes)
        except AerospikeError:
            state.attempts += 1  # the whole attempt failed: try again
            continue
        state.merge(indexes, again)
    return state.result()

__all__ = ["AsyncClient", "Client", "async_client", "client"]


class Client(QueryClientMethods, UdfMixin, LocalHelpers, _core.Client):
    """Blocking Aerospike client.

    ``Client(config)`` does not connect; call :meth:`connect` (it returns the
    client). As a context manager it closes on exit; entering does not
    connect (as in aerospike-py): ``with client(cfg).connect() as c:``. One
    client may be shared by many threads.
    """

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self._config = config
        ensure_log_thread()  # the core's log records reach `logging` from here on

    @overload
    def batch_write(
        self,
        records: Sequence[tuple[Any, ...]],
        policy: Mapping[str, Any] | None = None,
        retry: int = 0,
    ) -> BatchWriteResult: ...
    @overload
    def batch_write(
        self, records: BatchRecords, policy: Mapping[str, Any] | None = None, retry: int = 0
    ) -> BatchRecords: ...
    def batch_write(
        self,
        records: Sequence[tuple[Any, ...]] | BatchRecords,
        policy: Mapping[str, Any] | None = None,
        retry: int = 0,
    ) -> BatchWriteResult | BatchRecords:
        """Write ``(key, bins[, meta])`` records in one batch: ``BatchWriteResult``.

        Per-record meta overrides the batch-level policy. With ``retry=N``,
        records failing with a transient code (timeout, device overload, key
        busy, server memory, partition unavailable) are sent again, up to N
        more times, after a full-jitter backoff (10 ms doubling, capped at
        500 ms), within the batch's ``total_timeout``; ``result.retry`` says
        what happened.

        ``records`` may also be a :class:`aerospike_py.batch.BatchRecords` of
        ``Read``/``Write``/``Remove`` rows (the official client's shape): the
        rows are filled in place and the ``BatchRecords`` is returned.
        """
        if is_batch_records(records):
            rows = cast(BatchRecords, records)
            return fill_batch_records(rows, self.batch(rows, policy))
        records = cast(Sequence[tuple[Any, ...]], records)
        if _check_retry(retry) == 0:
            return super().batch_write(records, policy)
        items = list(records)
        send = super().batch_write
        state = _RetryState(retry, _batch_budget_ms(self._config, policy))
        state.first(send(items, policy))
        return _retry_batch(state, lambda indexes: send([items[i] for i in indexes], policy))

    def batch_write_numpy(
        self,
        data: Any,
        namespace: str,
        set_name: str,
        _dtype: Any,
        key_field: str = "_key",
        policy: Mapping[str, Any] | None = None,
        retry: int = 0,
    ) -> BatchWriteResult:
        """Write one record per row of a NumPy structured array: ``BatchWriteResult``.

        The ``key_field`` field is the user key (integer, ``S`` or ``U``);
        every other field not starting with ``_`` is a bin (integers, floats,
        bools; ``S``/``V`` fields and sub-arrays as blobs of their bytes);
        ``_namespace``/``_set`` fields override ``namespace``/``set_name`` per
        row. ``retry`` works as in :meth:`batch_write`.
        """
        if _check_retry(retry) == 0:
            return super().batch_write_numpy(data, namespace, set_name, _dtype, key_field, policy)
        send = super().batch_write_numpy
        state = _RetryState(retry, _batch_budget_ms(self._config, policy))
        state.first(send(data, namespace, set_name, _dtype, key_field, policy))
        return _retry_batch(
            state,
            lambda indexes: send(data[indexes], namespace, set_name, _dtype, key_field, policy),
        )

    def connect(self, username: str | None = None, password: str | None = None) -> Client:
        """Connect to the cluster and return ``self``.

        Waits until a node is validated and the partition map is known.
        Raises ``ClusterError`` when no seed can be reached within the
        configured ``timeout`` (the client can then connect again), and
        ``ClientError`` when the client is already connected or connecting
        (``close()`` it first to reconnect).
        """
        self._connect(username, password)
        return self

    def close(self) -> None:
        """Close the client: in-flight commands fail with ``ClientError``.

        Closes every socket and stops the client's event thread. Idempotent.
        """
        self._close()

    def __enter__(self) -> Client:
        """Returns the client as it is, connected or not (aerospike-py's behaviour)."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> Literal[False]:
        self.close()
        return False


class AsyncClient(AsyncQueryClientMethods, AsyncUdfMixin, LocalHelpers, _core.AsyncClient):
    """asyncio Aerospike client.

    Data methods return futures of the running event loop: ``await
    client.get(key)``. Any number of loops (in any threads) may use one
    client; each loop gets its own completion mailbox. Works with asyncio's
    loops and uvloop.
    """

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self._config = config
        ensure_log_thread()  # the core's log records reach `logging` from here on

    @overload  # type: ignore[override]
    async def batch_write(
        self,
        records: Sequence[tuple[Any, ...]],
        policy: Mapping[str, Any] | None = None,
        retry: int = 0,
    ) -> BatchWriteResult: ...
    @overload
    async def batch_write(
        self, records: BatchRecords, policy: Mapping[str, Any] | None = None, retry: int = 0
    ) -> BatchRecords: ...
    async def batch_write(
        self,
        records: Sequence[tuple[Any, ...]] | BatchRecords,
        policy: Mapping[str, Any] | None = None,
        retry: int = 0,
    ) -> BatchWriteResult | BatchRecords:
        """Write ``(key, bins[, meta])`` records in one batch (see ``Client.batch_write``)."""
        if is_batch_records(records):
            rows = cast(BatchRecords, records)
            return fill_batch_records(rows, await self.batch(rows, policy))
        records = cast(Sequence[tuple[Any, ...]], records)
        if _check_retry(retry) == 0:
            return await super().batch_write(records, policy)
        items = list(records)
        send = super().batch_write
        state = _RetryState(retry, _batch_budget_ms(self._config, policy))
        state.first(await send(items, policy))
        return await _aretry_batch(state, lambda indexes: send([items[i] for i in indexes], policy))

    async def batch_write_numpy(  # type: ignore[override]
        self,
        data: Any,
        namespace: str,
        set_name: str,
        _dtype: Any,
        key_field: str = "_key",
        policy: Mapping[str, Any] | None = None,
        retry: int = 0,
    ) -> BatchWriteResult:
        """Write one record per row of a structured array (see ``Client.batch_write_numpy``)."""
        if _check_retry(retry) == 0:
            return await super().batch_write_numpy(
                data, namespace, set_name, _dtype, key_field, policy
            )
        send = super().batch_write_numpy
        state = _RetryState(retry, _batch_budget_ms(self._config, policy))
        state.first(await send(data, namespace, set_name, _dtype, key_field, policy))
        return await _aretry_batch(
            state,
            lambda indexes: send(data[indexes], namespace, set_name, _dtype, key_field, policy),
        )

    async def connect(
        self, username: str | None = None, password: str | None = None
    ) -> AsyncClient:
        """Connect to the cluster and return ``self`` (awaitable).

        Raises ``ClusterError`` when no seed can be reached within the
        configured ``timeout``; the client is then closed again and can
        connect again. Raises ``ClientError`` when the client is already
        connected or connecting: of concurrent ``connect()`` calls exactly one
        connects.
        """
        pending = self._connect(username, password)
        if pending is not None:
            try:
                await pending
            except BaseException:
                self._close()
                raise
        return self

    async def close(self) -> None:
        """Close the client: in-flight commands fail with ``ClientError``.

        Closes every socket and stops the client's event thread. Idempotent.
        """
        self._close()

    async def __aenter__(self) -> AsyncClient:
        """Returns the client as it is, connected or not (aerospike-py's behaviour)."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> Literal[False]:
        await self.close()
        return False


def client(config: Mapping[str, Any]) -> Client:
    """Create a blocking client (not connected yet; call ``.connect()``).

    ``config`` is a :class:`aerospike_py.ClientConfig` dict; it must hold
    ``"hosts"``. Every key is validated: unknown keys, wrong types and
    out-of-range values raise ``ParamError`` here.
    """
    return Client(config)


def async_client(config: Mapping[str, Any]) -> AsyncClient:
    """Create an asyncio client (not connected yet; ``await c.connect()``)."""
    return AsyncClient(config)
