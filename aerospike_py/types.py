"""Result types, type aliases and value types of aerospike_py.

Result NamedTuples have aerospike-py's names and fields, so results unpack,
index and ``_asdict()`` the same way. They are plain NamedTuples: the native
bridge builds them by allocating the tuple subclass directly.

Value types mark values whose Aerospike type a plain Python value cannot
express:

* :class:`GeoJSON` - a GeoJSON document (particle type 23).
* :class:`TypedBlob` - bytes tagged with a particle type (language blobs 7-12
  and unknown types read from the server; written back with the same type).
* :class:`HyperLogLog` - a HyperLogLog value (particle type 18).
* :class:`KeyOrderedDict` - a dict written as a key-ordered map; key-ordered
  maps read from the server come back as this type.
* :class:`CDTWildcard`, :class:`CDTInfinite` - "any value" and "above every
  value" inside the value arguments of list/map operations.

The policy TypedDicts live in :mod:`aerospike_py.policy` and are re-exported
here, where aerospike-py defines them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, Union

if TYPE_CHECKING:  # typing.TypeAlias is 3.10+; annotations are not evaluated here
    from typing import TypeAlias

from aerospike_py.policy import (
    AdminPolicy,
    BatchDeleteMeta,
    BatchDeletePolicy,
    BatchPolicy,
    BatchReadPolicy,
    BatchUDFMeta,
    BatchUDFPolicy,
    ClientConfig,
    HLLPolicy,
    InfoPolicy,
    ListPolicy,
    MapPolicy,
    Operation,
    Privilege,
    QueryPolicy,
    ReadPolicy,
    RoleInfo,
    ScanPolicy,
    UserInfo,
    WriteMeta,
    WritePolicy,
)

__all__ = [
    # Result NamedTuples.
    "AerospikeKey",
    "RecordMetadata",
    "Record",
    "ExistsResult",
    "InfoNodeResult",
    "BinTuple",
    "OperateOrderedResult",
    "BatchRecord",
    "BatchRetryInfo",
    "BatchWriteResult",
    # Aliases.
    "Bins",
    "Key",
    "UserKey",
    "AerospikeRecord",
    "BatchRecords",
    "Operation",
    # Value types.
    "GeoJSON",
    "TypedBlob",
    "HyperLogLog",
    "KeyOrderedDict",
    "CDTWildcard",
    "CDTInfinite",
    # Policy TypedDicts (defined in aerospike_py.policy).
    "AdminPolicy",
    "BatchDeleteMeta",
    "BatchDeletePolicy",
    "BatchPolicy",
    "BatchReadPolicy",
    "BatchUDFMeta",
    "BatchUDFPolicy",
    "ClientConfig",
    "HLLPolicy",
    "InfoPolicy",
    "ListPolicy",
    "MapPolicy",
    "Privilege",
    "QueryPolicy",
    "ReadPolicy",
    "RoleInfo",
    "ScanPolicy",
    "UserInfo",
    "WriteMeta",
    "WritePolicy",
]

# ---------------------------------------------------------------------------
# Aliases
# ---------------------------------------------------------------------------

Bins: TypeAlias = dict[str, Any]
"""A record's bins: ``{bin_name: value}``."""

# Union[...], not |: the value is evaluated at import, and 3.9 has no | on types.
Key: TypeAlias = tuple[str, str, Union[str, int, bytes]]  # noqa: UP007
"""A key as passed to the client: ``(namespace, set, user_key)``."""

UserKey: TypeAlias = Union[str, int]  # noqa: UP007
"""The user key of a record in a ``batch_read`` result."""

AerospikeRecord: TypeAlias = dict[str, Any]
"""One record's bins in a ``batch_read`` result."""

BatchRecords: TypeAlias = dict[UserKey, AerospikeRecord]
"""``batch_read`` result: ``{user_key: {bin_name: value}}``."""

# ---------------------------------------------------------------------------
# Result NamedTuples
# ---------------------------------------------------------------------------


class AerospikeKey(NamedTuple):
    """The key of a returned record; ``digest`` is its 20-byte RIPEMD-160 digest."""

    namespace: str
    set_name: str
    user_key: str | int | bytes | None
    digest: bytes


class RecordMetadata(NamedTuple):
    """Generation and remaining time-to-live (seconds) of a record."""

    gen: int
    ttl: int


class Record(NamedTuple):
    """A record as returned by ``get``/``select``/``operate``: ``(key, meta, bins)``."""

    key: AerospikeKey | None
    meta: RecordMetadata | None
    bins: Bins | None


class ExistsResult(NamedTuple):
    """Result of ``exists``: ``meta`` is None when the record does not exist."""

    key: AerospikeKey | None
    meta: RecordMetadata | None


class InfoNodeResult(NamedTuple):
    """One node's answer to an info command."""

    node_name: str
    error_code: int
    response: str


class BinTuple(NamedTuple):
    """One ``(name, value)`` pair of an ``operate_ordered`` result."""

    name: str
    value: Any


class OperateOrderedResult(NamedTuple):
    """Result of ``operate_ordered``; ``ordered_bins`` keeps the operation order."""

    key: AerospikeKey | None
    meta: RecordMetadata | None
    ordered_bins: list[BinTuple]


class BatchRecord(NamedTuple):
    """One key's outcome in a batch write/operate/remove/apply.

    ``result`` is the record's result code (0 on success); ``record`` is the
    returned record when there is one.
    """

    key: AerospikeKey | None
    result: int
    record: Record | None
    in_doubt: bool = False


class BatchRetryInfo(NamedTuple):
    """How many attempts a batch call made.

    ``attempts`` were issued out of ``max_attempts`` allowed;
    ``truncated_by_timeout`` tells whether the total timeout stopped the
    retries early; ``unresolved`` counts records still failing with a
    retryable code at the end.
    """

    attempts: int = 1
    max_attempts: int = 1
    truncated_by_timeout: bool = False
    unresolved: int = 0


class BatchWriteResult(NamedTuple):
    """Result of a batch write/operate/remove/apply: one ``BatchRecord`` per key."""

    batch_records: list[BatchRecord]
    retry: BatchRetryInfo = BatchRetryInfo()


# ---------------------------------------------------------------------------
# Value types
# ---------------------------------------------------------------------------


class GeoJSON:
    """A GeoJSON value, stored by the server as a geo particle.

    ``GeoJSON('{"type": "Point", "coordinates": [1.0, 2.0]}')`` or
    ``GeoJSON({"type": "Point", "coordinates": [1.0, 2.0]})``. Text is kept
    exactly as given (a mapping is serialised compactly); ``text`` returns it
    and ``geo_data`` the parsed mapping. Two values are equal when their text
    is equal. Text must parse as a JSON object.
    """

    __slots__ = ("_text", "_data")

    _text: str
    _data: dict[str, Any] | None

    def __init__(self, value: str | bytes | Mapping[str, Any] | GeoJSON) -> None:
        if isinstance(value, GeoJSON):
            self._text = value._text
            self._data = value._data
            return
        if isinstance(value, Mapping):
            data = dict(value)
            self._text = json.dumps(data, separators=(",", ":"))
            self._data = data
            return
        if isinstance(value, (bytes, bytearray)):
            value = bytes(value).decode("utf-8")
        if not isinstance(value, str):
            raise TypeError(f"GeoJSON needs a str or a mapping, not {type(value).__name__}")
        try:
            parsed = json.loads(value)
        except ValueError as err:
            raise ValueError(f"GeoJSON text is not valid JSON: {err}") from None
        if not isinstance(parsed, dict):
            raise ValueError("GeoJSON text must be a JSON object")
        self._text = value
        self._data = parsed

    @property
    def text(self) -> str:
        """The GeoJSON document as JSON text."""
        return self._text

    @property
    def geo_data(self) -> dict[str, Any]:
        """The parsed GeoJSON document (a fresh copy each time)."""
        data = self._data
        if data is None:
            data = json.loads(self._text)
            self._data = data
        return dict(data)

    def dumps(self) -> str:
        """Return the JSON text (the official client's spelling of ``text``)."""
        return self._text

    def unwrap(self) -> dict[str, Any]:
        """Return the parsed document (the official client's spelling of ``geo_data``)."""
        return self.geo_data

    def __eq__(self, other: object) -> bool:
        if isinstance(other, GeoJSON):
            return self._text == other._text
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("GeoJSON", self._text))

    def __repr__(self) -> str:
        return f"GeoJSON({self._text!r})"

    def __str__(self) -> str:
        return self._text

    def __reduce__(self) -> tuple[type[GeoJSON], tuple[str]]:
        return (GeoJSON, (self._text,))


class TypedBlob(bytes):
    """Bytes tagged with an Aerospike particle type.

    Language blobs (Java 7, C# 8, Python 9, Ruby 10, PHP 11, Erlang 12) and
    values of unknown particle types are read as ``TypedBlob``; writing one
    sends its bytes with its particle type, so such values round-trip.
    Two TypedBlobs are equal when both bytes and particle type are equal; a
    TypedBlob never equals plain ``bytes``.
    """

    particle_type: int

    def __new__(cls, data: bytes | bytearray | memoryview, particle_type: int) -> TypedBlob:
        if type(particle_type) is not int or not 0 <= particle_type <= 255:
            raise ValueError(f"particle_type must be an int in 0..255, not {particle_type!r}")
        self = super().__new__(cls, data)
        self.particle_type = particle_type
        return self

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TypedBlob):
            return self.particle_type == other.particle_type and bytes.__eq__(self, other)
        if isinstance(other, (bytes, bytearray, memoryview)):
            return False
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        if isinstance(other, (TypedBlob, bytes, bytearray, memoryview)):
            return not self.__eq__(other)
        return NotImplemented

    def __hash__(self) -> int:
        return bytes.__hash__(self)

    def __repr__(self) -> str:
        return f"TypedBlob({bytes(self)!r}, particle_type={self.particle_type})"

    def __reduce__(self) -> tuple[type[TypedBlob], tuple[bytes, int]]:
        return (TypedBlob, (bytes(self), self.particle_type))


class HyperLogLog(bytes):
    """A HyperLogLog value (particle type 18); compares equal to the same bytes."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"HyperLogLog({bytes(self)!r})"

    def __reduce__(self) -> tuple[type[HyperLogLog], tuple[bytes]]:
        return (HyperLogLog, (bytes(self),))


class KeyOrderedDict(dict[Any, Any]):
    """A dict stored as a key-ordered map.

    Writing one creates a KEY_ORDERED map on the server; key-ordered maps read
    back come as ``KeyOrderedDict`` in the server's (key) order. Otherwise it
    is an ordinary dict.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"KeyOrderedDict({dict.__repr__(self)})"

    def __reduce__(self) -> tuple[type[KeyOrderedDict], tuple[dict[Any, Any]]]:
        return (KeyOrderedDict, (dict(self),))


class CDTWildcard:
    """Matches any value at its place in a value argument of a list/map
    operation: ``list_get_by_value("l", [1, CDTWildcard()], ...)`` selects
    the items that are lists starting with 1 (the official client's
    ``aerospike.CDTWildcard``). Only valid inside operation arguments."""

    __slots__ = ()
    # The Aerospike MessagePack extension it is written as (ext 0xff, this byte).
    _aerospike_ext: ClassVar[int] = 0

    def __repr__(self) -> str:
        return "CDTWildcard()"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CDTWildcard)

    def __hash__(self) -> int:
        return hash(CDTWildcard)


class CDTInfinite:
    """Greater than every value: an open end of a value range
    (``map_get_by_key_range("m", ["a"], [CDTInfinite()], ...)``; the
    official client's ``aerospike.CDTInfinite``). Only valid inside
    operation arguments."""

    __slots__ = ()
    _aerospike_ext: ClassVar[int] = 1

    def __repr__(self) -> str:
        return "CDTInfinite()"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CDTInfinite)

    def __hash__(self) -> int:
        return hash(CDTInfinite)
