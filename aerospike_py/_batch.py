"""What ``batch_read`` returns: ``LazyBatchRecords``, a dict with lazy lossless views.

aerospike-py's ``batch_read`` returned a plain ``{user_key: bins}`` dict up to
0.4 and a ``LazyBatchRecords`` handle (with ``to_dict()``, ``batch_records``,
...) since; code written for either keeps working, because our result *is*
the dict (built in one pass by the native bridge) and also has the handle's
methods. The per-key views (``batch_records``, ``to_list()``) are converted
only when asked for, from the finished batch the native handle keeps.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from aerospike_py.numpy_batch import NumpyBatchRecords
from aerospike_py.types import BatchRecord

if TYPE_CHECKING:
    import numpy as np

__all__ = ["LazyBatchRecords", "NumpyBatchRecords"]


class LazyBatchRecords(dict[Any, dict[str, Any]]):
    """``{user_key: bins}`` of the records found, plus lossless per-key views.

    As a dict it holds exactly what aerospike-py's dict view holds: found
    records that have a user key (two sets sharing a user key collide; later
    keys win). ``batch_records`` and ``to_list()`` keep every requested key in
    input order, with its result code and metadata.
    """

    __slots__ = ("_handle", "_records")

    # Both slots are set lazily: the bridge creates instances without
    # running __init__ (one Python frame less per batch) and sets _handle.
    _handle: Any
    _records: list[BatchRecord] | None

    def to_dict(self) -> dict[Any, dict[str, Any]]:
        """The ``{user_key: bins}`` view (this object itself)."""
        return self

    def to_list(self) -> list[dict[str, Any] | None]:
        """Bins per requested key, in input order; None where not found or failed."""
        result: list[dict[str, Any] | None] = self._handle.to_list()
        return result

    @property
    def batch_records(self) -> list[BatchRecord]:
        """One ``BatchRecord(key, result, record, in_doubt)`` per requested key (cached)."""
        try:
            records = self._records
        except AttributeError:
            records = None
        if records is None:
            records = self._records = self._handle.view()
        return records

    def iter_records(self) -> Iterator[BatchRecord]:
        """Iterate every requested key's ``BatchRecord`` in input order."""
        return iter(self.batch_records)

    def all_user_keys(self) -> list[Any]:
        """Every requested key's user key in input order (None for digest-only keys)."""
        keys: list[Any] = self._handle.user_keys()
        return keys

    def found_count(self) -> int:
        """How many keys were found (including digest-only keys)."""
        count: int = self._handle.found_count()
        return count

    def release_cache(self) -> None:
        """Drop the cached ``batch_records`` list."""
        self._records = None

    @staticmethod
    def merge_to_dict(handles: list[LazyBatchRecords]) -> list[dict[Any, dict[str, Any]]]:
        """aerospike-py's helper: the dict view of each handle."""
        return [h.to_dict() for h in handles]

    def to_numpy(self, dtype: np.dtype[Any]) -> NumpyBatchRecords:
        """The records as a NumPy structured array of ``dtype``, one row per requested
        key in input order (see :mod:`aerospike_py.numpy_batch`); filled from the
        wire bytes without building dicts."""
        result: NumpyBatchRecords = self._handle.to_numpy(dtype)
        return result
