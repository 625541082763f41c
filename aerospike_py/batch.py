"""Batch inputs beyond key tuples: bulk keys and heterogeneous batches.

``BatchKeys`` — many keys of one namespace and set without a tuple per key::

    import numpy as np
    from aerospike_py import BatchKeys

    ids = np.arange(200, dtype=np.int64)
    records = await client.batch_read(BatchKeys("test", "user", ids))
    # several sets in one batch: a list of groups (key tuples may be mixed in)
    records = await client.batch_read([BatchKeys("test", "user", ids),
                                       BatchKeys("test", "item", item_ids)])

``keys`` may be a list/tuple of ``int``/``str``/``bytes``/``bytearray`` (or
anything with ``__index__``, e.g. NumPy integer scalars), or a 1-D NumPy
array of integers, fixed bytes (``S``: trailing NULs dropped, as NumPy reads
them) or str (``U``), read through the buffer protocol with no Python object
per key. With ``digests=True`` (or :meth:`BatchKeys.from_digests`) ``keys``
holds 20-byte digests instead: a sequence of ``bytes``, or one contiguous
buffer of ``20 * n`` bytes (``bytes``, an ``(n, 20)`` uint8 array, an ``S20``
array). ``batch_read``, ``batch_read_view``, ``batch_read(_dtype=...)``,
``batch_operate`` and ``batch_remove`` accept a ``BatchKeys`` wherever they
accept a list of keys, and a list mixing ``BatchKeys`` and key tuples; the
results are in the order the keys were given, each with its own namespace,
set and user key (digest-only keys have user key ``None``). Digests are
computed on the client's event thread, not while holding the GIL.

``Read``, ``Write``, ``Remove`` and ``BatchRecords`` — one batch of mixed
reads, writes (bins and/or operations) and deletes, with the official
``aerospike`` client's names (``aerospike_helpers.batch.records``)::

    from aerospike_py.batch import BatchRecords, Read, Remove, Write

    result = client.batch([
        Read(("test", "demo", 1)),                        # all bins
        Read(("test", "demo", 2), bins=["a"]),            # some bins ([]: header only)
        Write(("test", "demo", 3), bins={"a": 1}, meta={"ttl": 60}),
        Write(("test", "demo", 4), ops=[{"op": aerospike_py.OPERATOR_INCR, "bin": "n", "val": 1},
                                        {"op": aerospike_py.OPERATOR_READ, "bin": "n"}]),
        Remove(("test", "demo", 5), meta={"gen": 3}),
    ])
    for br in result.batch_records:  # BatchRecord(key, result, record, in_doubt), row order
        ...

``client.batch(rows, policy=None)`` returns a ``BatchWriteResult`` with one
``BatchRecord`` per row (per-row result codes: a generation failure on one
row does not fail the others). ``client.batch_write(BatchRecords([...]))``
behaves as the official client's ``batch_write``: it fills each row's
``result``, ``record`` and ``in_doubt`` in place, sets ``BatchRecords.result``
(0, or -16 when a row failed with something other than "not found" or
"filtered out") and returns the ``BatchRecords``. The official client's own
``Read``/``Write``/``Remove`` objects are accepted too. Differences from the
official client: ``Read(key)`` with neither ``ops`` nor ``bins`` reads all
bins; rows also take ``bins=`` (``Read``: bin names; ``Write``: a bins dict);
``Remove`` takes ``meta={"gen": n}`` for a generation check; records come back
as ``Record(key, meta, bins)`` NamedTuples; ``Apply`` (UDF) rows are not
supported yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, TypeVar

from aerospike_py.types import BatchWriteResult, Record

__all__ = ["BatchKeys", "BatchRecord", "BatchRecords", "Read", "Remove", "Write"]


class BatchKeys:
    """Keys of one namespace and set, given as one sequence or array (see the module docs)."""

    __slots__ = ("namespace", "set_name", "keys", "digests")

    namespace: str
    set_name: str | None
    keys: Any
    digests: bool

    def __init__(
        self, namespace: str, set_name: str | None, keys: Any, *, digests: bool = False
    ) -> None:
        self.namespace = namespace
        self.set_name = set_name
        self.keys = keys
        self.digests = bool(digests)

    @classmethod
    def from_digests(cls, namespace: str, set_name: str | None, digests: Any) -> BatchKeys:
        """Keys given by their 20-byte digests (a sequence, or one buffer of 20*n bytes)."""
        return cls(namespace, set_name, digests, digests=True)

    def user_keys(self) -> list[Any]:
        """The user key of every key in order (None for digests), as results report them."""
        if self.digests:
            return [None] * len(self)
        tolist = getattr(self.keys, "tolist", None)
        if tolist is not None and not isinstance(self.keys, (list, tuple)):
            return list(tolist())
        return list(self.keys)

    def __len__(self) -> int:
        if self.digests and not isinstance(self.keys, (list, tuple)):
            return len(memoryview(self.keys).cast("B")) // 20
        return len(self.keys)

    def __repr__(self) -> str:
        kind = "digests" if self.digests else "keys"
        return f"BatchKeys({self.namespace!r}, {self.set_name!r}, <{len(self)} {kind}>)"


class BatchRecord:
    """Base of the batch rows: the key, and after a batch its outcome.

    ``result`` (the row's result code), ``record`` (``Record(key, meta,
    bins)`` or None) and ``in_doubt`` are filled by
    ``client.batch_write(BatchRecords(...))``.
    """

    _type: ClassVar[int] = -1

    def __init__(self, key: tuple[Any, ...]) -> None:
        self.key = key
        self.record: Record | None = None
        self.result = 0
        self.in_doubt = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key!r}, result={self.result})"


class Read(BatchRecord):
    """Read one record: all bins by default, ``bins=[...]`` for some (``[]``: header only),
    or ``ops`` (read operations). ``read_all_bins=True`` reads all bins whatever ``ops`` say.
    ``policy``: a BatchReadPolicy dict. ``meta`` exists for the official signature; it must be None.
    """

    _type: ClassVar[int] = 0

    def __init__(
        self,
        key: tuple[Any, ...],
        ops: Sequence[Mapping[str, Any]] | None = None,
        read_all_bins: bool = False,
        meta: Mapping[str, Any] | None = None,
        policy: Mapping[str, Any] | None = None,
        *,
        bins: Sequence[str] | None = None,
    ) -> None:
        super().__init__(key)
        self.ops = ops
        self.read_all_bins = read_all_bins
        self.meta = meta
        self.policy = policy
        self.bins = bins


class Write(BatchRecord):
    """Write one record: ``bins`` (a dict) and/or ``ops`` (operations; read operations
    return values in ``record``). ``meta``: ``{"gen": n, "ttl": s}``; ``policy``: a
    BatchWritePolicy dict.
    """

    _type: ClassVar[int] = 1

    def __init__(
        self,
        key: tuple[Any, ...],
        ops: Sequence[Mapping[str, Any]] | None = None,
        meta: Mapping[str, Any] | None = None,
        policy: Mapping[str, Any] | None = None,
        *,
        bins: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(key)
        self.ops = ops
        self.meta = meta
        self.policy = policy
        self.bins = bins


class Remove(BatchRecord):
    """Delete one record. ``policy``: a BatchDeletePolicy dict; ``meta={"gen": n}``
    deletes only at that generation.
    """

    _type: ClassVar[int] = 3

    def __init__(
        self,
        key: tuple[Any, ...],
        policy: Mapping[str, Any] | None = None,
        *,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(key)
        self.policy = policy
        self.meta = meta


class BatchRecords:
    """Rows of one heterogeneous batch, and after ``client.batch_write(...)`` its outcome.

    ``result`` is 0 when every row succeeded (or failed only with "not found"
    or "filtered out"), else -16 (``BATCH_FAILED``), as in the official client.
    """

    def __init__(self, batch_records: list[BatchRecord] | None = None) -> None:
        self.batch_records: list[BatchRecord] = [] if batch_records is None else batch_records
        self.result = 0

    def __len__(self) -> int:
        return len(self.batch_records)

    def __repr__(self) -> str:
        return f"BatchRecords(<{len(self.batch_records)} rows>, result={self.result})"


# Row codes that do not make a BatchRecords fail (official client): OK,
# record not found, filtered out.
_BENIGN_CODES = frozenset({0, 2, 27})


_Records = TypeVar("_Records")


def fill_batch_records(records: _Records, result: BatchWriteResult) -> _Records:
    """Copies a ``BatchWriteResult`` into the rows of ``records`` (official in-place shape)."""
    failed = False
    rows: list[Any] = records.batch_records  # type: ignore[attr-defined]
    for row, br in zip(rows, result.batch_records):
        row.result = br.result
        row.record = br.record
        row.in_doubt = br.in_doubt
        failed = failed or br.result not in _BENIGN_CODES
    records.result = -16 if failed else 0  # type: ignore[attr-defined]
    return records


def is_batch_records(value: object) -> bool:
    """True for a BatchRecords (ours or the official client's), not a list of tuples."""
    return not isinstance(value, (list, tuple)) and hasattr(value, "batch_records")
