"""Exceptions raised by aerospike_py, and the result-code → class table.

The tree follows aerospike-py (PyPI ``aerospike-py``) so code written for it
catches the same classes::

    AerospikeError
     ├─ ClientError ─ BackpressureError, RustPanicError
     ├─ ServerError ─ AerospikeIndexError ─ IndexNotFound, IndexFoundError
     │               ├─ QueryError ─ QueryAbortedError
     │               ├─ AdminError
     │               └─ UDFError
     ├─ RecordError ─ RecordNotFound, RecordExistsError, RecordGenerationError,
     │                RecordTooBig, BinNameError, BinExistsError, BinNotFound,
     │                BinTypeError, FilteredOut
     ├─ ClusterError
     ├─ AerospikeTimeoutError
     └─ InvalidArgError

``TimeoutError`` and ``IndexError`` are aerospike-py's deprecated spellings of
``AerospikeTimeoutError`` / ``AerospikeIndexError``: reading them from this
module works and emits a ``DeprecationWarning``.

Every instance carries structured context (aerospike-py only has a message):

``code`` (int)
    The result code: the server's code (``2`` record not found, ...) or a
    negative client-side code (``-10`` connection failed, ...). Client
    timeouts use ``9`` like the server's timeout. ``result_code`` is the
    same value under aerospike-py's attribute name.
``msg`` (str), ``in_doubt`` (bool: a write may have been applied),
``key`` (the key tuple involved, or None), ``node`` (node name, or None).

An exception can be built as ``cls("message")`` or
``cls("message", code=..., in_doubt=..., key=..., node=...)``; a class built
without ``code`` uses its class-level default ``cls.code``.

Names from the official ``aerospike`` client
--------------------------------------------
Code ported from the official client keeps working: every name of
``aerospike.exception`` exists here. Where the official name means the same
thing as an aerospike-py class it is the *same class* (an alias); where it is
more specific it is a *subclass*, placed so that both an aerospike-py style
``except`` and an official style ``except`` catch it (several use two bases).

Aliases (same class):
    BinIncompatibleType = BinTypeError, and the deprecated TimeoutError /
    IndexError (as in aerospike-py).
Subclasses, with their default code:
    ParamError (-2)                 InvalidArgError + ClientError, and the builtin
                                    TypeError + ValueError that aerospike-py raises
                                    for bad arguments detected before anything is sent
    InvalidRequest (4)              InvalidArgError + ServerError (server rejected
                                    a parameter)
    ConnectionError (-10)           ClusterError + ClientError
    AsyncConnectionError (-6)       ConnectionError
    TLSError (-9)                   ConnectionError (a handshake that failed is a
                                    connection that could not be made)
    InvalidHostError (-4), InvalidNodeError (-8), NoMoreConnectionsError (-7)
                                    ClusterError + ClientError
    ClusterChangeError (7)          ClusterError (+ ServerError)
    ClientAbortError (-5), MaxRetriesExceeded (-12), MaxErrorRateExceeded (-14),
    NoResponse (-15), BatchFailed (-16), TransactionFailed (-17),
    TransactionAlreadyCommitted (-18), TransactionAlreadyAborted (-19)
                                    ClientError
    RecordBusy (14), RecordKeyMismatch (19)
                                    RecordError (+ ServerError)
    ElementNotFoundError (23), ElementExistsError (24)
                                    RecordError + ServerError (aerospike-py reports
                                    these as a plain RecordError)
    ScanAbortedError (15)           QueryAbortedError
    QueryQueueFull (211)            QueryError
    QueryTimeout (212)              QueryError + AerospikeTimeoutError
    IndexOOM (202), IndexNotReadable (203), IndexNameMaxLen (205),
    IndexNameMaxCount (206)         AerospikeIndexError
    UDFNotFound (1301), LuaFileNotFound (1302)
                                    UDFError
    ServerFull (8), AlwaysForbidden (10), UnsupportedFeature (16),
    DeviceOverload (18), NamespaceNotFound (20), ForbiddenError (22),
    OpNotApplicable (26), LostConflict (28), BatchDisabledError (150),
    BatchMaxRequestError (151), BatchQueueFullError (152), InvalidGeoJSON (160)
                                    ServerError
    SecurityNotSupported (51), SecurityNotEnabled (52),
    SecuritySchemeNotSupported (53), InvalidCommand (54), InvalidField (55),
    IllegalState (56), InvalidUser (60), UserExistsError (61),
    InvalidPassword (62), ExpiredPassword (63), ForbiddenPassword (64),
    InvalidCredential (65), InvalidRole (70), RoleExistsError (71),
    InvalidPrivilege (72), InvalidWhitelist (73), QuotasNotEnabled (74),
    InvalidQuota (75), NotAuthenticated (80), RoleViolation (81),
    NotWhitelisted (82), QuotaExceeded (83)
                                    AdminError

Codes without a class of their own: 11 (partition unavailable) →
``ClusterError``; 25 (enterprise only) and 120-127 (transaction states) →
``ServerError``; 32 (XDR key busy) → ``RecordBusy``; 66 (expired session) →
``NotAuthenticated``. 0 (OK), 50 (query end), -3 (no more records) and -13
(internal retry) are not errors and have no entry.

Differences from the official tree that remain (aerospike-py's tree wins):
``RecordError``, ``ClusterError`` and ``FilteredOut`` are not ``ServerError``
subclasses, ``InvalidArgError`` is not a ``ClientError``, and ``TimeoutError``
is deprecated. The official ``file``/``line`` attributes are not provided.

``EXCEPTION_BY_CODE`` maps each known result code to its class and
``exception_for_code`` looks a code up with fallbacks (``ServerError`` for an
unknown code >= 0, ``ClientError`` for an unknown negative code).
"""

from __future__ import annotations

import warnings
from typing import Any, Final

__all__ = [
    # aerospike-py's names.
    "AerospikeError",
    "ClientError",
    "ServerError",
    "RecordError",
    "ClusterError",
    "AerospikeTimeoutError",
    "BackpressureError",
    "RustPanicError",
    "InvalidArgError",
    "RecordNotFound",
    "RecordExistsError",
    "RecordGenerationError",
    "RecordTooBig",
    "BinNameError",
    "BinExistsError",
    "BinNotFound",
    "BinTypeError",
    "FilteredOut",
    "AerospikeIndexError",
    "IndexNotFound",
    "IndexFoundError",
    "QueryError",
    "QueryAbortedError",
    "AdminError",
    "UDFError",
    # Official-client names (aliases and subclasses).
    "AlwaysForbidden",
    "AsyncConnectionError",
    "BatchDisabledError",
    "BatchFailed",
    "BatchMaxRequestError",
    "BatchQueueFullError",
    "BinIncompatibleType",
    "ClientAbortError",
    "ClusterChangeError",
    "ConnectionError",
    "DeviceOverload",
    "ElementExistsError",
    "ElementNotFoundError",
    "ExpiredPassword",
    "ForbiddenError",
    "ForbiddenPassword",
    "IllegalState",
    "IndexNameMaxCount",
    "IndexNameMaxLen",
    "IndexNotReadable",
    "IndexOOM",
    "InvalidCommand",
    "InvalidCredential",
    "InvalidField",
    "InvalidGeoJSON",
    "InvalidHostError",
    "InvalidNodeError",
    "InvalidPassword",
    "InvalidPrivilege",
    "InvalidQuota",
    "InvalidRequest",
    "InvalidRole",
    "InvalidUser",
    "InvalidWhitelist",
    "LostConflict",
    "LuaFileNotFound",
    "MaxErrorRateExceeded",
    "MaxRetriesExceeded",
    "NamespaceNotFound",
    "NoMoreConnectionsError",
    "NoResponse",
    "NotAuthenticated",
    "NotWhitelisted",
    "OpNotApplicable",
    "ParamError",
    "QueryQueueFull",
    "QueryTimeout",
    "QuotaExceeded",
    "QuotasNotEnabled",
    "RecordBusy",
    "RecordKeyMismatch",
    "RoleExistsError",
    "RoleViolation",
    "ScanAbortedError",
    "SecurityNotEnabled",
    "SecurityNotSupported",
    "SecuritySchemeNotSupported",
    "ServerFull",
    "TLSError",
    "TransactionAlreadyAborted",
    "TransactionAlreadyCommitted",
    "TransactionFailed",
    "UDFNotFound",
    "UnsupportedFeature",
    "UserExistsError",
    # Code table and helpers.
    "EXCEPTION_BY_CODE",
    "RESULT_CODE_NAMES",
    "exception_for_code",
    "new_exception",
    "result_code_name",
]


# Short names of the result codes, used in str(exc). The server codes follow
# the wire protocol; the negative codes are the client-side codes of the C
# client (csrc/common/result_code.h uses the same numbers).
RESULT_CODE_NAMES: Final[dict[int, str]] = {
    -19: "TXN_ALREADY_ABORTED",
    -18: "TXN_ALREADY_COMMITTED",
    -17: "TXN_FAILED",
    -16: "BATCH_FAILED",
    -15: "NO_RESPONSE",
    -14: "MAX_ERROR_RATE",
    -13: "USE_NORMAL_RETRY",
    -12: "MAX_RETRIES_EXCEEDED",
    -11: "CLUSTER",
    -10: "CONNECTION",
    -9: "TLS",
    -8: "INVALID_NODE",
    -7: "NO_MORE_CONNECTIONS",
    -6: "ASYNC_CONNECTION",
    -5: "CLIENT_ABORT",
    -4: "INVALID_HOST",
    -3: "NO_MORE_RECORDS",
    -2: "PARAM",
    -1: "CLIENT",
    0: "OK",
    1: "SERVER_ERROR",
    2: "RECORD_NOT_FOUND",
    3: "GENERATION",
    4: "PARAMETER",
    5: "RECORD_EXISTS",
    6: "BIN_EXISTS",
    7: "CLUSTER_KEY_MISMATCH",
    8: "SERVER_MEMORY",
    9: "TIMEOUT",
    10: "ALWAYS_FORBIDDEN",
    11: "PARTITION_UNAVAILABLE",
    12: "BIN_INCOMPATIBLE_TYPE",
    13: "RECORD_TOO_BIG",
    14: "KEY_BUSY",
    15: "SCAN_ABORT",
    16: "UNSUPPORTED_FEATURE",
    17: "BIN_NOT_FOUND",
    18: "DEVICE_OVERLOAD",
    19: "KEY_MISMATCH",
    20: "INVALID_NAMESPACE",
    21: "BIN_NAME",
    22: "FORBIDDEN",
    23: "ELEMENT_NOT_FOUND",
    24: "ELEMENT_EXISTS",
    25: "ENTERPRISE_ONLY",
    26: "OP_NOT_APPLICABLE",
    27: "FILTERED_OUT",
    28: "LOST_CONFLICT",
    32: "XDR_KEY_BUSY",
    50: "QUERY_END",
    51: "SECURITY_NOT_SUPPORTED",
    52: "SECURITY_NOT_ENABLED",
    53: "SECURITY_SCHEME_NOT_SUPPORTED",
    54: "INVALID_COMMAND",
    55: "INVALID_FIELD",
    56: "ILLEGAL_STATE",
    60: "INVALID_USER",
    61: "USER_ALREADY_EXISTS",
    62: "INVALID_PASSWORD",
    63: "EXPIRED_PASSWORD",
    64: "FORBIDDEN_PASSWORD",
    65: "INVALID_CREDENTIAL",
    66: "EXPIRED_SESSION",
    70: "INVALID_ROLE",
    71: "ROLE_ALREADY_EXISTS",
    72: "INVALID_PRIVILEGE",
    73: "INVALID_WHITELIST",
    74: "QUOTAS_NOT_ENABLED",
    75: "INVALID_QUOTA",
    80: "NOT_AUTHENTICATED",
    81: "ROLE_VIOLATION",
    82: "NOT_WHITELISTED",
    83: "QUOTA_EXCEEDED",
    100: "UDF",
    120: "MRT_BLOCKED",
    121: "MRT_VERSION_MISMATCH",
    122: "MRT_EXPIRED",
    123: "MRT_TOO_MANY_WRITES",
    124: "MRT_COMMITTED",
    125: "MRT_ABORTED",
    126: "MRT_ALREADY_LOCKED",
    127: "MRT_MONITOR_EXISTS",
    150: "BATCH_DISABLED",
    151: "BATCH_MAX_REQUESTS",
    152: "BATCH_QUEUES_FULL",
    160: "GEO_INVALID_GEOJSON",
    200: "INDEX_FOUND",
    201: "INDEX_NOT_FOUND",
    202: "INDEX_OOM",
    203: "INDEX_NOT_READABLE",
    204: "INDEX_GENERIC",
    205: "INDEX_NAME_MAXLEN",
    206: "INDEX_MAXCOUNT",
    210: "QUERY_ABORTED",
    211: "QUERY_QUEUE_FULL",
    212: "QUERY_TIMEOUT",
    213: "QUERY_GENERIC",
    1301: "UDF_NOT_FOUND",
    1302: "LUA_FILE_NOT_FOUND",
}


def result_code_name(code: int) -> str:
    """Return the short upper-case name of a result code ("UNKNOWN" if none)."""
    return RESULT_CODE_NAMES.get(code, "UNKNOWN")


# ---------------------------------------------------------------------------
# aerospike-py's tree
# ---------------------------------------------------------------------------


class AerospikeError(Exception):
    """Base class of every error raised by aerospike_py.

    Attributes: ``code`` (result code), ``msg`` (message), ``in_doubt`` (a
    write may have been applied although it failed), ``key`` (the key tuple
    involved, or None) and ``node`` (name of the node involved, or None).
    The class attribute ``code`` is the default code of the class.
    """

    code: int = -1
    msg: str = ""
    in_doubt: bool = False
    key: tuple[Any, ...] | None = None
    node: str | None = None

    def __init__(
        self,
        *args: Any,
        code: int | None = None,
        msg: str | None = None,
        in_doubt: bool = False,
        key: tuple[Any, ...] | None = None,
        node: str | None = None,
    ) -> None:
        if msg is None:
            msg = str(args[0]) if args else ""
        if not args:
            args = (msg,)
        super().__init__(*args)
        self.code = type(self).code if code is None else code
        self.msg = msg
        self.in_doubt = in_doubt
        self.key = key
        self.node = node

    @property
    def result_code(self) -> int:
        """aerospike-py's name for ``code``."""
        return self.code

    def __str__(self) -> str:
        code = self.code
        text = f"{result_code_name(code)} ({code})"
        if self.msg:
            text = f"{text}: {self.msg}"
        extras = []
        if self.node is not None:
            extras.append(f"node={self.node}")
        if self.key is not None:
            extras.append(f"key={self.key!r}")
        if self.in_doubt:
            extras.append("in_doubt")
        if extras:
            text = f"{text} [{', '.join(extras)}]"
        return text

    def __repr__(self) -> str:
        parts = [repr(self.msg), f"code={self.code}"]
        if self.in_doubt:
            parts.append("in_doubt=True")
        if self.key is not None:
            parts.append(f"key={self.key!r}")
        if self.node is not None:
            parts.append(f"node={self.node!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


class ClientError(AerospikeError):
    """An error detected by the client itself (no usable server reply)."""

    code = -1


class ServerError(AerospikeError):
    """The server answered with an error result code."""

    code = 1


class RecordError(AerospikeError):
    """A record-level error (not found, exists, generation, bin problems...)."""

    code = 1


class ClusterError(AerospikeError):
    """The cluster or a node could not be reached or used."""

    code = -11


class AerospikeTimeoutError(AerospikeError):
    """The command did not finish within its timeout (code 9)."""

    code = 9


class InvalidArgError(AerospikeError):
    """An argument, key, value or policy given to the client is invalid."""

    code = -2


class BackpressureError(ClientError):
    """No command slot became free within ``operation_queue_timeout_ms``."""

    code = -1


class RustPanicError(ClientError):
    """Present for compatibility with aerospike-py; aerospike_py never raises it."""

    code = -1


class RecordNotFound(RecordError):
    """The record does not exist (code 2)."""

    code = 2


class RecordExistsError(RecordError):
    """The record already exists and the write required it not to (code 5)."""

    code = 5


class RecordGenerationError(RecordError):
    """The record's generation did not match the expected one (code 3)."""

    code = 3


class RecordTooBig(RecordError):
    """The record exceeds the server's size limit (code 13)."""

    code = 13


class BinNameError(RecordError):
    """A bin name is too long or otherwise invalid (code 21)."""

    code = 21


class BinExistsError(RecordError):
    """The bin already exists and the operation required it not to (code 6)."""

    code = 6


class BinNotFound(RecordError):
    """The bin does not exist (code 17)."""

    code = 17


class BinTypeError(RecordError):
    """The bin's type does not fit the operation (code 12)."""

    code = 12


class FilteredOut(RecordError):
    """The record did not pass the filter expression (code 27)."""

    code = 27


class AerospikeIndexError(ServerError):
    """A secondary-index error (generic index code 204)."""

    code = 204


class IndexNotFound(AerospikeIndexError):
    """The secondary index does not exist (code 201)."""

    code = 201


class IndexFoundError(AerospikeIndexError):
    """The secondary index already exists (code 200)."""

    code = 200


class QueryError(ServerError):
    """A query or scan failed on the server (generic query code 213)."""

    code = 213


class QueryAbortedError(QueryError):
    """The server aborted the query (code 210)."""

    code = 210


class AdminError(ServerError):
    """A security / user administration error."""

    code = 1


class UDFError(ServerError):
    """A user-defined function failed (code 100)."""

    code = 100


# ---------------------------------------------------------------------------
# Official-client names
# ---------------------------------------------------------------------------

BinIncompatibleType = BinTypeError


class ParamError(InvalidArgError, ClientError, TypeError, ValueError):
    """An invalid argument detected before anything was sent (code -2).

    Also a :class:`TypeError` and a :class:`ValueError`: aerospike-py raises
    those builtins for bad arguments (a non-dict ``bins``, a short
    ``batch_write`` tuple, an over-long bin name ...), and code written for
    it catches them with ``except TypeError`` / ``except ValueError``.
    """

    code = -2


class InvalidRequest(InvalidArgError, ServerError):
    """The server rejected a parameter of the request (code 4)."""

    code = 4


class ConnectionError(ClusterError, ClientError):  # noqa: A001 - official name
    """A connection to a node failed or broke (code -10)."""

    code = -10


class AsyncConnectionError(ConnectionError):
    """A connection failed while opening asynchronously (code -6)."""

    code = -6


class InvalidHostError(ClusterError, ClientError):
    """A seed host could not be resolved or is malformed (code -4)."""

    code = -4


class InvalidNodeError(ClusterError, ClientError):
    """No usable node for the partition, or the node is invalid (code -8)."""

    code = -8


class NoMoreConnectionsError(ClusterError, ClientError):
    """The node's connection pool is exhausted (code -7)."""

    code = -7


class TLSError(ConnectionError):
    """The TLS handshake failed (code -9); the message says why (unknown CA,
    name mismatch, expired certificate, no common protocol, ...)."""

    code = -9


class ClusterChangeError(ClusterError, ServerError):
    """The cluster changed during the command (cluster key mismatch, code 7)."""

    code = 7


class ClientAbortError(ClientError):
    """The command was aborted by the client, e.g. the client closed (code -5)."""

    code = -5


class MaxRetriesExceeded(ClientError):
    """The command ran out of retries (code -12)."""

    code = -12


class MaxErrorRateExceeded(ClientError):
    """The node's error-rate circuit breaker is open (code -14)."""

    code = -14


class NoResponse(ClientError):
    """The server did not respond (code -15)."""

    code = -15


class BatchFailed(ClientError):
    """One or more batch sub-commands failed (code -16)."""

    code = -16


class TransactionFailed(ClientError):
    """A multi-record transaction failed (code -17)."""

    code = -17


class TransactionAlreadyCommitted(ClientError):
    """The transaction was already committed (code -18)."""

    code = -18


class TransactionAlreadyAborted(ClientError):
    """The transaction was already aborted (code -19)."""

    code = -19


class RecordBusy(RecordError, ServerError):
    """Too many concurrent operations on the record (key busy, code 14)."""

    code = 14


class RecordKeyMismatch(RecordError, ServerError):
    """The stored key does not match the request's key (code 19)."""

    code = 19


class ElementNotFoundError(RecordError, ServerError):
    """A collection element does not exist (code 23)."""

    code = 23


class ElementExistsError(RecordError, ServerError):
    """A collection element already exists (code 24)."""

    code = 24


class ScanAbortedError(QueryAbortedError):
    """The server aborted the scan (code 15)."""

    code = 15


class QueryQueueFull(QueryError):
    """The server's query queue is full (code 211)."""

    code = 211


class QueryTimeout(QueryError, AerospikeTimeoutError):
    """The query timed out on the server (code 212)."""

    code = 212


class IndexOOM(AerospikeIndexError):
    """The secondary index ran out of memory (code 202)."""

    code = 202


class IndexNotReadable(AerospikeIndexError):
    """The secondary index is not readable yet (code 203)."""

    code = 203


class IndexNameMaxLen(AerospikeIndexError):
    """The index name is too long (code 205)."""

    code = 205


class IndexNameMaxCount(AerospikeIndexError):
    """Too many secondary indexes (code 206)."""

    code = 206


class UDFNotFound(UDFError):
    """The UDF module does not exist (code 1301)."""

    code = 1301


class LuaFileNotFound(UDFError):
    """The Lua source file could not be found (code 1302)."""

    code = 1302


class ServerFull(ServerError):
    """The server is out of memory or storage (code 8)."""

    code = 8


class AlwaysForbidden(ServerError):
    """The operation is never allowed in this configuration (code 10)."""

    code = 10


class UnsupportedFeature(ServerError):
    """The server does not support the feature (code 16)."""

    code = 16


class DeviceOverload(ServerError):
    """The server's storage device is overloaded (code 18)."""

    code = 18


class NamespaceNotFound(ServerError):
    """The namespace does not exist (code 20)."""

    code = 20


class ForbiddenError(ServerError):
    """The operation is forbidden right now (code 22)."""

    code = 22


class OpNotApplicable(ServerError):
    """The operation cannot be applied to the value (code 26)."""

    code = 26


class LostConflict(ServerError):
    """The write lost a conflict resolution (code 28)."""

    code = 28


class BatchDisabledError(ServerError):
    """Batch commands are disabled on the server (code 150)."""

    code = 150


class BatchMaxRequestError(ServerError):
    """Too many concurrent batch requests (code 151)."""

    code = 151


class BatchQueueFullError(ServerError):
    """The server's batch queues are full (code 152)."""

    code = 152


class InvalidGeoJSON(ServerError):
    """The GeoJSON value is invalid (code 160)."""

    code = 160


class SecurityNotSupported(AdminError):
    """Security is not supported by the server (code 51)."""

    code = 51


class SecurityNotEnabled(AdminError):
    """Security is not enabled on the server (code 52)."""

    code = 52


class SecuritySchemeNotSupported(AdminError):
    """The security scheme is not supported (code 53)."""

    code = 53


class InvalidCommand(AdminError):
    """The admin command is not recognised (code 54)."""

    code = 54


class InvalidField(AdminError):
    """A field of the admin command is invalid (code 55)."""

    code = 55


class IllegalState(AdminError):
    """The security state does not allow the command (code 56)."""

    code = 56


class InvalidUser(AdminError):
    """The user does not exist or the name is invalid (code 60)."""

    code = 60


class UserExistsError(AdminError):
    """The user already exists (code 61)."""

    code = 61


class InvalidPassword(AdminError):
    """The password is invalid (code 62)."""

    code = 62


class ExpiredPassword(AdminError):
    """The password has expired (code 63)."""

    code = 63


class ForbiddenPassword(AdminError):
    """The password is not allowed, e.g. reused (code 64)."""

    code = 64


class InvalidCredential(AdminError):
    """The credential is invalid (code 65)."""

    code = 65


class InvalidRole(AdminError):
    """The role does not exist or the name is invalid (code 70)."""

    code = 70


class RoleExistsError(AdminError):
    """The role already exists (code 71)."""

    code = 71


class InvalidPrivilege(AdminError):
    """The privilege is invalid (code 72)."""

    code = 72


class InvalidWhitelist(AdminError):
    """The allow-list is invalid (code 73)."""

    code = 73


class QuotasNotEnabled(AdminError):
    """Quotas are not enabled on the server (code 74)."""

    code = 74


class InvalidQuota(AdminError):
    """The quota value is invalid (code 75)."""

    code = 75


class NotAuthenticated(AdminError):
    """The connection is not authenticated (code 80)."""

    code = 80


class RoleViolation(AdminError):
    """The user's roles do not allow the command (code 81)."""

    code = 81


class NotWhitelisted(AdminError):
    """The client address is not on the allow-list (code 82)."""

    code = 82


class QuotaExceeded(AdminError):
    """A rate quota was exceeded (code 83)."""

    code = 83


# ---------------------------------------------------------------------------
# Result code → class
# ---------------------------------------------------------------------------

EXCEPTION_BY_CODE: Final[dict[int, type[AerospikeError]]] = {
    # Client-side codes.
    -1: ClientError,
    -2: ParamError,
    -4: InvalidHostError,
    -5: ClientAbortError,
    -6: AsyncConnectionError,
    -7: NoMoreConnectionsError,
    -8: InvalidNodeError,
    -9: TLSError,
    -10: ConnectionError,
    -11: ClusterError,
    -12: MaxRetriesExceeded,
    -14: MaxErrorRateExceeded,
    -15: NoResponse,
    -16: BatchFailed,
    -17: TransactionFailed,
    -18: TransactionAlreadyCommitted,
    -19: TransactionAlreadyAborted,
    # Server codes.
    1: ServerError,
    2: RecordNotFound,
    3: RecordGenerationError,
    4: InvalidRequest,
    5: RecordExistsError,
    6: BinExistsError,
    7: ClusterChangeError,
    8: ServerFull,
    9: AerospikeTimeoutError,
    10: AlwaysForbidden,
    11: ClusterError,
    12: BinTypeError,
    13: RecordTooBig,
    14: RecordBusy,
    15: ScanAbortedError,
    16: UnsupportedFeature,
    17: BinNotFound,
    18: DeviceOverload,
    19: RecordKeyMismatch,
    20: NamespaceNotFound,
    21: BinNameError,
    22: ForbiddenError,
    23: ElementNotFoundError,
    24: ElementExistsError,
    25: ServerError,
    26: OpNotApplicable,
    27: FilteredOut,
    28: LostConflict,
    32: RecordBusy,
    51: SecurityNotSupported,
    52: SecurityNotEnabled,
    53: SecuritySchemeNotSupported,
    54: InvalidCommand,
    55: InvalidField,
    56: IllegalState,
    60: InvalidUser,
    61: UserExistsError,
    62: InvalidPassword,
    63: ExpiredPassword,
    64: ForbiddenPassword,
    65: InvalidCredential,
    66: NotAuthenticated,
    70: InvalidRole,
    71: RoleExistsError,
    72: InvalidPrivilege,
    73: InvalidWhitelist,
    74: QuotasNotEnabled,
    75: InvalidQuota,
    80: NotAuthenticated,
    81: RoleViolation,
    82: NotWhitelisted,
    83: QuotaExceeded,
    100: UDFError,
    120: ServerError,
    121: ServerError,
    122: ServerError,
    123: ServerError,
    124: ServerError,
    125: ServerError,
    126: ServerError,
    127: ServerError,
    150: BatchDisabledError,
    151: BatchMaxRequestError,
    152: BatchQueueFullError,
    160: InvalidGeoJSON,
    200: IndexFoundError,
    201: IndexNotFound,
    202: IndexOOM,
    203: IndexNotReadable,
    204: AerospikeIndexError,
    205: IndexNameMaxLen,
    206: IndexNameMaxCount,
    210: QueryAbortedError,
    211: QueryQueueFull,
    212: QueryTimeout,
    213: QueryError,
    1301: UDFNotFound,
    1302: LuaFileNotFound,
}


def exception_for_code(code: int) -> type[AerospikeError]:
    """Return the exception class for a result code.

    Unknown codes fall back to ``ServerError`` (code >= 0) or ``ClientError``
    (negative code).
    """
    cls = EXCEPTION_BY_CODE.get(code)
    if cls is not None:
        return cls
    return ServerError if code >= 0 else ClientError


def new_exception(
    code: int,
    msg: str = "",
    *,
    in_doubt: bool = False,
    key: tuple[Any, ...] | None = None,
    node: str | None = None,
) -> AerospikeError:
    """Build (not raise) the exception matching ``code`` with its context."""
    return exception_for_code(code)(msg, code=code, in_doubt=in_doubt, key=key, node=node)


# aerospike-py's deprecated spellings, served with a warning on access.
_DEPRECATED_ALIASES: Final[dict[str, tuple[type[AerospikeError], str]]] = {
    "TimeoutError": (AerospikeTimeoutError, "AerospikeTimeoutError"),
    "IndexError": (AerospikeIndexError, "AerospikeIndexError"),
}


def __getattr__(name: str) -> type[AerospikeError]:
    alias = _DEPRECATED_ALIASES.get(name)
    if alias is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    cls, replacement = alias
    warnings.warn(
        f"{__name__}.{name} is deprecated; use {replacement}",
        DeprecationWarning,
        stacklevel=2,
    )
    return cls


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_DEPRECATED_ALIASES))
