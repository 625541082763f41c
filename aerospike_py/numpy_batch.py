"""``NumpyBatchRecords``: batch results in NumPy structured arrays.

``client.batch_read(keys, bins=None, policy=None, _dtype=dtype)`` (and
``LazyBatchRecords.to_numpy(dtype)``) writes every record straight from the
wire into a structured array of ``dtype`` — on the client's event thread,
without the GIL — one row per requested key in input order::

    dtype = np.dtype([("age", "i4"), ("score", "f8"), ("name", "S16"),
                      ("embedding", "f4", (128,))])
    res = await client.batch_read(keys, _dtype=dtype)
    ok = res.result_codes == 0
    scores = res.batch_records["score"][ok]

Field kinds: integers (``i``, ``u``: 1/2/4/8 bytes), floats (``f2``, ``f4``,
``f8``), ``bool`` and fixed bytes (``S``, ``V``); numeric sub-arrays such as
``("embedding", "f4", (128,))`` are filled from a list bin (nested lists are
flattened) or from a blob of raw bytes (``ndarray.tobytes()``, which is what
``batch_write_numpy`` writes). Strings fill ``S``/``V`` fields as UTF-8.
Bins the dtype does not name are ignored; fields no bin fills, and rows of
keys not found or failed, stay zero — mask with ``result_codes == 0``.
Nothing is lost silently: a number out of its field's range raises
``OverflowError``; a value longer than its field, a list longer than its
sub-array, a float with a fraction for an integer field or a value the field
cannot hold raises ``ParamError``.

``meta`` holds ``gen`` and ``ttl`` (``u4``) per row and ``result_codes`` the
per-key result (``int32``; 0 found, 2 not found). ``get(user_key)``, ``in``
and ``_map`` find a row by its user key (built on first use; two keys with
the same user key map to the later row). NumPy is imported only when used.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["NumpyBatchRecords"]

# Field kinds a structured dtype may use in aerospike-py's Python converter
# (integers, unsigned, floats, fixed bytes, void); our native fill also
# takes ``b`` (bool).
_ALLOWED_KINDS = frozenset({"i", "u", "f", "S", "V"})

_MISSING: Any = object()


def _user_keys(entries: Any) -> Iterator[Any]:
    """User keys, in order, of a batch's key entries (key tuples and BatchKeys)."""
    for entry in entries:
        if isinstance(entry, tuple):
            yield entry[2] if len(entry) > 2 else None
        else:
            yield from entry.user_keys()


class NumpyBatchRecords:
    """Batch results as NumPy arrays (aerospike-py's ``NumpyBatchRecords`` shape).

    ``batch_records``: the structured array, one row per requested key;
    ``meta``: ``[("gen", "u4"), ("ttl", "u4")]`` per row; ``result_codes``:
    ``int32`` per row; ``_map``: ``{user_key: row index}``.
    """

    __slots__ = ("_keys", "_map_", "batch_records", "meta", "result_codes")

    def __init__(
        self,
        batch_records: np.ndarray[Any, Any],
        meta: np.ndarray[Any, Any],
        result_codes: np.ndarray[Any, Any],
        _map: dict[Any, int] | None = None,
        _keys: Any = None,
    ) -> None:
        self.batch_records = batch_records
        self.meta = meta
        self.result_codes = result_codes
        self._map_ = _map
        self._keys = _keys

    @property
    def _map(self) -> dict[Any, int]:
        """``{user_key: row index}`` (digest-only keys are left out)."""
        index = self._map_
        if index is None:
            index = {}
            if self._keys is not None:
                for i, user_key in enumerate(_user_keys(self._keys)):
                    if user_key is not None:
                        index[user_key] = i
            self._map_ = index
        return index

    def get(self, key: Any, default: Any = _MISSING) -> Any:
        """The row of user key ``key``; KeyError (as in aerospike-py) or ``default``
        when no row has it."""
        i = self._map.get(key)
        if i is not None:
            return self.batch_records[i]
        if default is _MISSING:
            raise KeyError(f"key {key!r} not found in NumpyBatchRecords ({len(self._map)} keys)")
        return default

    def found(self) -> np.ndarray[Any, Any]:
        """Boolean mask of the rows whose record was found (result code 0)."""
        mask: np.ndarray[Any, Any] = self.result_codes == 0
        return mask

    def __len__(self) -> int:
        return len(self.batch_records)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.batch_records)

    def __contains__(self, key: object) -> bool:
        return key in self._map

    def __repr__(self) -> str:
        ok = int((self.result_codes == 0).sum()) if len(self.result_codes) else 0
        names = list(self.batch_records.dtype.names or ())
        return f"NumpyBatchRecords(count={len(self)}, ok={ok}, fields={names})"


def _meta_value(meta: Any, name: str) -> int:
    """``gen``/``ttl`` from a record's meta: a RecordMetadata or a plain dict."""
    if meta is None:
        return 0
    if isinstance(meta, Mapping):
        return int(meta.get(name, 0) or 0)
    return int(getattr(meta, name, 0) or 0)


def _batch_records_to_numpy(
    batch_records_obj: Any, dtype: Any, keys: Any, *, strict: bool = False
) -> NumpyBatchRecords:
    """Convert a batch result already in Python objects into a :class:`NumpyBatchRecords`.

    aerospike-py's Python-level converter, kept for code that calls it:
    ``batch_records_obj.batch_records`` is a sequence of ``BatchRecord``-like
    rows (``key``, ``result``, ``record`` = ``(key, meta, bins)`` or None).
    Our ``batch_read(..., _dtype=...)`` does not go through here: it fills
    the arrays natively, without the GIL.

    Fields must be of kind ``i``, ``u``, ``f``, ``S`` or ``V`` (sub-arrays
    by their base type), else ``TypeError``. Rows are keyed by their user
    key (``key[2]``); a row whose key is missing or too short is keyed by its
    index, and a repeated user key maps to the later row (both with a
    ``UserWarning``). A value the field cannot hold raises the error NumPy
    raised, of the same type, with the field, row index and key added. With
    ``strict``, bins missing from the dtype and dtype fields missing from
    the bins are reported as warnings.
    """
    import numpy as np

    names = tuple(dtype.names or ())
    for name in names:
        field = dtype[name]
        if field.base.kind not in _ALLOWED_KINDS:
            raise TypeError(
                f"dtype field '{name}' must be numeric (int/float) or fixed-length bytes, "
                f"got {field} (kind='{field.base.kind}')"
            )
    rows = list(batch_records_obj.batch_records)
    data = np.zeros(len(rows), dtype=dtype)
    meta = np.zeros(len(rows), dtype=[("gen", "u4"), ("ttl", "u4")])
    result_codes = np.zeros(len(rows), dtype=np.int32)
    index: dict[Any, int] = {}
    wanted = set(names)
    for i, row in enumerate(rows):
        result_codes[i] = row.result
        key = row.key
        if key is not None and len(key) >= 3:
            user_key = key[2]
        else:
            warnings.warn(
                f"batch record at index {i} has a missing or malformed key ({key!r}); "
                "its index is its key in the map, so get() cannot find it by user key",
                stacklevel=2,
            )
            user_key = i
        if user_key in index:
            warnings.warn(
                f"batch record at index {i}: user key {user_key!r} collides with the record "
                f"at index {index[user_key]}; the map keeps the later one",
                stacklevel=2,
            )
        index[user_key] = i
        if row.result != 0 or row.record is None:
            continue
        _, record_meta, bins = row.record
        meta[i]["gen"] = _meta_value(record_meta, "gen")
        meta[i]["ttl"] = _meta_value(record_meta, "ttl")
        if not bins:
            continue
        if strict:
            present = set(bins)
            if wanted - present:
                warnings.warn(
                    f"record at index {i}: dtype fields {wanted - present} not found in bins "
                    "(left zero)",
                    stacklevel=2,
                )
            if present - wanted:
                warnings.warn(
                    f"record at index {i}: bins {present - wanted} not in dtype (ignored)",
                    stacklevel=2,
                )
        for name in names:
            value = bins.get(name)
            if value is None:
                continue
            try:
                data[i][name] = value
            except (TypeError, ValueError, OverflowError) as exc:
                raise type(exc)(
                    f"cannot store {value!r} in field '{name}' (dtype {dtype[name]}) of the "
                    f"record at index {i} (key={user_key!r}): {exc}"
                ) from exc
    return NumpyBatchRecords(data, meta, result_codes, index)
