"""Constants of aerospike_py: every constant aerospike-py exports, same values.

The values are aerospike-py's (PyPI ``aerospike-py``), which differ from the
official ``aerospike`` client for some enums (e.g. ``POLICY_EXISTS_*``,
``OPERATOR_*``, ``TTL_*``); code written for aerospike-py therefore runs
unchanged. Each constant is ``Final`` so type checkers see its literal value.

After aerospike-py's constants come additions: official-client names that
aerospike-py lacks, where the meaning is unambiguous (given values in
aerospike-py's numbering where the two differ), the result codes aerospike-py
does not name (C client names), and ``Literal`` aliases of the enum values.
"""

from __future__ import annotations

import typing
from typing import Final, Literal

if typing.TYPE_CHECKING:  # typing.TypeAlias is 3.10+; annotations are not evaluated here
    from typing import TypeAlias

__all__ = [
    "POLICY_KEY_DIGEST",
    "POLICY_KEY_SEND",
    "POLICY_EXISTS_IGNORE",
    "POLICY_EXISTS_UPDATE",
    "POLICY_EXISTS_UPDATE_ONLY",
    "POLICY_EXISTS_REPLACE",
    "POLICY_EXISTS_REPLACE_ONLY",
    "POLICY_EXISTS_CREATE_ONLY",
    "POLICY_GEN_IGNORE",
    "POLICY_GEN_EQ",
    "POLICY_GEN_GT",
    "POLICY_REPLICA_MASTER",
    "POLICY_REPLICA_SEQUENCE",
    "POLICY_REPLICA_PREFER_RACK",
    "POLICY_COMMIT_LEVEL_ALL",
    "POLICY_COMMIT_LEVEL_MASTER",
    "POLICY_READ_MODE_AP_ONE",
    "POLICY_READ_MODE_AP_ALL",
    "BATCH_CONCURRENCY_SEQUENTIAL",
    "BATCH_CONCURRENCY_PARALLEL",
    "READ_TOUCH_TTL_PERCENT_SERVER_DEFAULT",
    "READ_TOUCH_TTL_PERCENT_DONT_RESET",
    "QUERY_DURATION_LONG",
    "QUERY_DURATION_SHORT",
    "QUERY_DURATION_LONG_RELAX_AP",
    "TTL_NAMESPACE_DEFAULT",
    "TTL_NEVER_EXPIRE",
    "TTL_DONT_UPDATE",
    "TTL_CLIENT_DEFAULT",
    "AUTH_INTERNAL",
    "AUTH_EXTERNAL",
    "AUTH_PKI",
    "OPERATOR_READ",
    "OPERATOR_WRITE",
    "OPERATOR_INCR",
    "OPERATOR_APPEND",
    "OPERATOR_PREPEND",
    "OPERATOR_TOUCH",
    "OPERATOR_DELETE",
    "INDEX_NUMERIC",
    "INDEX_STRING",
    "INDEX_BLOB",
    "INDEX_GEO2DSPHERE",
    "INDEX_TYPE_DEFAULT",
    "INDEX_TYPE_LIST",
    "INDEX_TYPE_MAPKEYS",
    "INDEX_TYPE_MAPVALUES",
    "LOG_LEVEL_OFF",
    "LOG_LEVEL_ERROR",
    "LOG_LEVEL_WARN",
    "LOG_LEVEL_INFO",
    "LOG_LEVEL_DEBUG",
    "LOG_LEVEL_TRACE",
    "SERIALIZER_NONE",
    "SERIALIZER_PYTHON",
    "SERIALIZER_USER",
    "LIST_RETURN_NONE",
    "LIST_RETURN_INDEX",
    "LIST_RETURN_REVERSE_INDEX",
    "LIST_RETURN_RANK",
    "LIST_RETURN_REVERSE_RANK",
    "LIST_RETURN_COUNT",
    "LIST_RETURN_VALUE",
    "LIST_RETURN_EXISTS",
    "LIST_UNORDERED",
    "LIST_ORDERED",
    "LIST_SORT_DEFAULT",
    "LIST_SORT_DROP_DUPLICATES",
    "LIST_WRITE_DEFAULT",
    "LIST_WRITE_ADD_UNIQUE",
    "LIST_WRITE_INSERT_BOUNDED",
    "LIST_WRITE_NO_FAIL",
    "LIST_WRITE_PARTIAL",
    "MAP_RETURN_NONE",
    "MAP_RETURN_INDEX",
    "MAP_RETURN_REVERSE_INDEX",
    "MAP_RETURN_RANK",
    "MAP_RETURN_REVERSE_RANK",
    "MAP_RETURN_COUNT",
    "MAP_RETURN_KEY",
    "MAP_RETURN_VALUE",
    "MAP_RETURN_KEY_VALUE",
    "MAP_RETURN_EXISTS",
    "MAP_UNORDERED",
    "MAP_KEY_ORDERED",
    "MAP_KEY_VALUE_ORDERED",
    "MAP_WRITE_FLAGS_DEFAULT",
    "MAP_WRITE_FLAGS_CREATE_ONLY",
    "MAP_WRITE_FLAGS_UPDATE_ONLY",
    "MAP_WRITE_FLAGS_NO_FAIL",
    "MAP_WRITE_FLAGS_PARTIAL",
    "MAP_UPDATE",
    "MAP_UPDATE_ONLY",
    "MAP_CREATE_ONLY",
    "BIT_WRITE_DEFAULT",
    "BIT_WRITE_CREATE_ONLY",
    "BIT_WRITE_UPDATE_ONLY",
    "BIT_WRITE_NO_FAIL",
    "BIT_WRITE_PARTIAL",
    "BIT_RESIZE_DEFAULT",
    "BIT_RESIZE_FROM_FRONT",
    "BIT_RESIZE_GROW_ONLY",
    "BIT_RESIZE_SHRINK_ONLY",
    "BIT_OVERFLOW_FAIL",
    "BIT_OVERFLOW_SATURATE",
    "BIT_OVERFLOW_WRAP",
    "HLL_WRITE_DEFAULT",
    "HLL_WRITE_CREATE_ONLY",
    "HLL_WRITE_UPDATE_ONLY",
    "HLL_WRITE_NO_FAIL",
    "HLL_WRITE_ALLOW_FOLD",
    "REGEX_NONE",
    "REGEX_EXTENDED",
    "REGEX_ICASE",
    "REGEX_NOSUB",
    "REGEX_NEWLINE",
    "PRIV_READ",
    "PRIV_WRITE",
    "PRIV_READ_WRITE",
    "PRIV_READ_WRITE_UDF",
    "PRIV_SYS_ADMIN",
    "PRIV_USER_ADMIN",
    "PRIV_DATA_ADMIN",
    "PRIV_UDF_ADMIN",
    "PRIV_SINDEX_ADMIN",
    "PRIV_TRUNCATE",
    "AEROSPIKE_OK",
    "AEROSPIKE_ERR_SERVER",
    "AEROSPIKE_ERR_RECORD_NOT_FOUND",
    "AEROSPIKE_ERR_RECORD_GENERATION",
    "AEROSPIKE_ERR_PARAM",
    "AEROSPIKE_ERR_RECORD_EXISTS",
    "AEROSPIKE_ERR_BIN_EXISTS",
    "AEROSPIKE_ERR_CLUSTER_KEY_MISMATCH",
    "AEROSPIKE_ERR_SERVER_MEM",
    "AEROSPIKE_ERR_TIMEOUT",
    "AEROSPIKE_ERR_ALWAYS_FORBIDDEN",
    "AEROSPIKE_ERR_PARTITION_UNAVAILABLE",
    "AEROSPIKE_ERR_BIN_TYPE",
    "AEROSPIKE_ERR_RECORD_TOO_BIG",
    "AEROSPIKE_ERR_KEY_BUSY",
    "AEROSPIKE_ERR_SCAN_ABORT",
    "AEROSPIKE_ERR_UNSUPPORTED_FEATURE",
    "AEROSPIKE_ERR_BIN_NOT_FOUND",
    "AEROSPIKE_ERR_DEVICE_OVERLOAD",
    "AEROSPIKE_ERR_KEY_MISMATCH",
    "AEROSPIKE_ERR_INVALID_NAMESPACE",
    "AEROSPIKE_ERR_BIN_NAME",
    "AEROSPIKE_ERR_FAIL_FORBIDDEN",
    "AEROSPIKE_ERR_ELEMENT_NOT_FOUND",
    "AEROSPIKE_ERR_ELEMENT_EXISTS",
    "AEROSPIKE_ERR_ENTERPRISE_ONLY",
    "AEROSPIKE_ERR_OP_NOT_APPLICABLE",
    "AEROSPIKE_ERR_FILTERED_OUT",
    "AEROSPIKE_ERR_LOST_CONFLICT",
    "AEROSPIKE_QUERY_END",
    "AEROSPIKE_SECURITY_NOT_SUPPORTED",
    "AEROSPIKE_SECURITY_NOT_ENABLED",
    "AEROSPIKE_ERR_INVALID_USER",
    "AEROSPIKE_ERR_NOT_AUTHENTICATED",
    "AEROSPIKE_ERR_ROLE_VIOLATION",
    "AEROSPIKE_ERR_UDF",
    "AEROSPIKE_ERR_BATCH_DISABLED",
    "AEROSPIKE_ERR_INDEX_FOUND",
    "AEROSPIKE_ERR_INDEX_NOT_FOUND",
    "AEROSPIKE_ERR_QUERY_ABORTED",
    "AEROSPIKE_ERR_CLIENT",
    "AEROSPIKE_ERR_CONNECTION",
    "AEROSPIKE_ERR_CLUSTER",
    "AEROSPIKE_ERR_INVALID_HOST",
    "AEROSPIKE_ERR_NO_MORE_CONNECTIONS",
    "POLICY_EXISTS_CREATE",
    "POLICY_EXISTS_CREATE_OR_REPLACE",
    "POLICY_REPLICA_ANY",
    "MAP_WRITE_NO_FAIL",
    "MAP_WRITE_PARTIAL",
    "MAP_RETURN_UNORDERED_MAP",
    "MAP_RETURN_ORDERED_MAP",
    "CDT_CTX_LIST_INDEX",
    "CDT_CTX_LIST_RANK",
    "CDT_CTX_LIST_VALUE",
    "CDT_CTX_MAP_INDEX",
    "CDT_CTX_MAP_RANK",
    "CDT_CTX_MAP_KEY",
    "CDT_CTX_MAP_VALUE",
    "INDEX_INTEGER",
    "UDF_TYPE_LUA",
    "AS_BYTES_UNDEF",
    "AS_BYTES_INTEGER",
    "AS_BYTES_DOUBLE",
    "AS_BYTES_STRING",
    "AS_BYTES_BLOB",
    "AS_BYTES_JAVA",
    "AS_BYTES_CSHARP",
    "AS_BYTES_PYTHON",
    "AS_BYTES_RUBY",
    "AS_BYTES_PHP",
    "AS_BYTES_ERLANG",
    "AS_BYTES_BOOL",
    "AS_BYTES_HLL",
    "AS_BYTES_MAP",
    "AS_BYTES_LIST",
    "AS_BYTES_GEOJSON",
    "AS_BYTES_TYPE_MAX",
    "AEROSPIKE_TXN_ALREADY_ABORTED",
    "AEROSPIKE_TXN_ALREADY_COMMITTED",
    "AEROSPIKE_TXN_FAILED",
    "AEROSPIKE_BATCH_FAILED",
    "AEROSPIKE_NO_RESPONSE",
    "AEROSPIKE_MAX_ERROR_RATE",
    "AEROSPIKE_ERR_MAX_RETRIES_EXCEEDED",
    "AEROSPIKE_ERR_TLS_ERROR",
    "AEROSPIKE_ERR_INVALID_NODE",
    "AEROSPIKE_ERR_ASYNC_CONNECTION",
    "AEROSPIKE_ERR_CLIENT_ABORT",
    "AEROSPIKE_NO_MORE_RECORDS",
    "AEROSPIKE_XDR_KEY_BUSY",
    "AEROSPIKE_SECURITY_SCHEME_NOT_SUPPORTED",
    "AEROSPIKE_INVALID_COMMAND",
    "AEROSPIKE_INVALID_FIELD",
    "AEROSPIKE_ILLEGAL_STATE",
    "AEROSPIKE_USER_ALREADY_EXISTS",
    "AEROSPIKE_INVALID_PASSWORD",
    "AEROSPIKE_EXPIRED_PASSWORD",
    "AEROSPIKE_FORBIDDEN_PASSWORD",
    "AEROSPIKE_INVALID_CREDENTIAL",
    "AEROSPIKE_EXPIRED_SESSION",
    "AEROSPIKE_INVALID_ROLE",
    "AEROSPIKE_ROLE_ALREADY_EXISTS",
    "AEROSPIKE_INVALID_PRIVILEGE",
    "AEROSPIKE_INVALID_WHITELIST",
    "AEROSPIKE_QUOTAS_NOT_ENABLED",
    "AEROSPIKE_INVALID_QUOTA",
    "AEROSPIKE_NOT_WHITELISTED",
    "AEROSPIKE_QUOTA_EXCEEDED",
    "AEROSPIKE_MRT_BLOCKED",
    "AEROSPIKE_MRT_VERSION_MISMATCH",
    "AEROSPIKE_MRT_EXPIRED",
    "AEROSPIKE_MRT_TOO_MANY_WRITES",
    "AEROSPIKE_MRT_COMMITTED",
    "AEROSPIKE_MRT_ABORTED",
    "AEROSPIKE_MRT_ALREADY_LOCKED",
    "AEROSPIKE_MRT_MONITOR_EXISTS",
    "AEROSPIKE_ERR_BATCH_MAX_REQUESTS_EXCEEDED",
    "AEROSPIKE_ERR_BATCH_QUEUES_FULL",
    "AEROSPIKE_ERR_GEO_INVALID_GEOJSON",
    "AEROSPIKE_ERR_INDEX_OOM",
    "AEROSPIKE_ERR_INDEX_NOT_READABLE",
    "AEROSPIKE_ERR_INDEX",
    "AEROSPIKE_ERR_INDEX_NAME_MAXLEN",
    "AEROSPIKE_ERR_INDEX_MAXCOUNT",
    "AEROSPIKE_ERR_QUERY_QUEUE_FULL",
    "AEROSPIKE_ERR_QUERY_TIMEOUT",
    "AEROSPIKE_ERR_QUERY",
    "AEROSPIKE_ERR_UDF_NOT_FOUND",
    "AEROSPIKE_ERR_LUA_FILE_NOT_FOUND",
    "PolicyKey",
    "PolicyExists",
    "PolicyGen",
    "PolicyReplica",
    "PolicyCommitLevel",
    "PolicyReadModeAP",
    "TTL",
    "AuthMode",
    "IndexType",
    "IndexCollectionType",
    "LogLevel",
    "Serializer",
    "ListReturnType",
    "ListOrder",
    "MapReturnType",
    "MapOrder",
    "PrivilegeCode",
    "PrivilegeName",
]

# ---------------------------------------------------------------------------
# aerospike-py's constants
# ---------------------------------------------------------------------------

# Policy ``key``: send the user key or only the digest.
POLICY_KEY_DIGEST: Final = 0
POLICY_KEY_SEND: Final = 1

# Policy ``exists``: what a write does when the record exists / does not.
POLICY_EXISTS_IGNORE: Final = 0
POLICY_EXISTS_UPDATE: Final = 1
POLICY_EXISTS_UPDATE_ONLY: Final = 1
POLICY_EXISTS_REPLACE: Final = 2
POLICY_EXISTS_REPLACE_ONLY: Final = 3
POLICY_EXISTS_CREATE_ONLY: Final = 4

# Policy ``gen``: generation check on writes.
POLICY_GEN_IGNORE: Final = 0
POLICY_GEN_EQ: Final = 1
POLICY_GEN_GT: Final = 2

# Policy ``replica``: which replica serves reads.
POLICY_REPLICA_MASTER: Final = 0
POLICY_REPLICA_SEQUENCE: Final = 1
POLICY_REPLICA_PREFER_RACK: Final = 2

# Policy ``commit_level``.
POLICY_COMMIT_LEVEL_ALL: Final = 0
POLICY_COMMIT_LEVEL_MASTER: Final = 1

# Policy ``read_mode_ap``.
POLICY_READ_MODE_AP_ONE: Final = 0
POLICY_READ_MODE_AP_ALL: Final = 1

# BatchPolicy ``concurrency``.
BATCH_CONCURRENCY_SEQUENTIAL: Final = 0
BATCH_CONCURRENCY_PARALLEL: Final = 1

# Special values of ``read_touch_ttl_percent``.
READ_TOUCH_TTL_PERCENT_SERVER_DEFAULT: Final = 0
READ_TOUCH_TTL_PERCENT_DONT_RESET: Final = -1

# QueryPolicy ``expected_duration``.
QUERY_DURATION_LONG: Final = 0
QUERY_DURATION_SHORT: Final = 1
QUERY_DURATION_LONG_RELAX_AP: Final = 2

# Special ``ttl`` values.
TTL_NAMESPACE_DEFAULT: Final = 0
TTL_NEVER_EXPIRE: Final = -1
TTL_DONT_UPDATE: Final = -2
TTL_CLIENT_DEFAULT: Final = -3

# ClientConfig ``auth_mode``.
AUTH_INTERNAL: Final = 0
AUTH_EXTERNAL: Final = 1
AUTH_PKI: Final = 2

# Operation codes of ``operate`` op dicts (``{"op": ...}``).
OPERATOR_READ: Final = 1
OPERATOR_WRITE: Final = 2
OPERATOR_INCR: Final = 5
OPERATOR_APPEND: Final = 9
OPERATOR_PREPEND: Final = 10
OPERATOR_TOUCH: Final = 11
OPERATOR_DELETE: Final = 12

# Secondary index data types.
INDEX_NUMERIC: Final = 0
INDEX_STRING: Final = 1
INDEX_BLOB: Final = 2
INDEX_GEO2DSPHERE: Final = 3

# Secondary index collection types.
INDEX_TYPE_DEFAULT: Final = 0
INDEX_TYPE_LIST: Final = 1
INDEX_TYPE_MAPKEYS: Final = 2
INDEX_TYPE_MAPVALUES: Final = 3

# Log levels.
LOG_LEVEL_OFF: Final = -1
LOG_LEVEL_ERROR: Final = 0
LOG_LEVEL_WARN: Final = 1
LOG_LEVEL_INFO: Final = 2
LOG_LEVEL_DEBUG: Final = 3
LOG_LEVEL_TRACE: Final = 4

# Serializers (kept for compatibility).
SERIALIZER_NONE: Final = 0
SERIALIZER_PYTHON: Final = 1
SERIALIZER_USER: Final = 2

# List CDT return types.
LIST_RETURN_NONE: Final = 0
LIST_RETURN_INDEX: Final = 1
LIST_RETURN_REVERSE_INDEX: Final = 2
LIST_RETURN_RANK: Final = 3
LIST_RETURN_REVERSE_RANK: Final = 4
LIST_RETURN_COUNT: Final = 5
LIST_RETURN_VALUE: Final = 7
LIST_RETURN_EXISTS: Final = 13

# List order.
LIST_UNORDERED: Final = 0
LIST_ORDERED: Final = 1

# List sort flags.
LIST_SORT_DEFAULT: Final = 0
LIST_SORT_DROP_DUPLICATES: Final = 2

# List write flags.
LIST_WRITE_DEFAULT: Final = 0
LIST_WRITE_ADD_UNIQUE: Final = 1
LIST_WRITE_INSERT_BOUNDED: Final = 2
LIST_WRITE_NO_FAIL: Final = 4
LIST_WRITE_PARTIAL: Final = 8

# Map CDT return types.
MAP_RETURN_NONE: Final = 0
MAP_RETURN_INDEX: Final = 1
MAP_RETURN_REVERSE_INDEX: Final = 2
MAP_RETURN_RANK: Final = 3
MAP_RETURN_REVERSE_RANK: Final = 4
MAP_RETURN_COUNT: Final = 5
MAP_RETURN_KEY: Final = 6
MAP_RETURN_VALUE: Final = 7
MAP_RETURN_KEY_VALUE: Final = 8
MAP_RETURN_EXISTS: Final = 13

# Map order.
MAP_UNORDERED: Final = 0
MAP_KEY_ORDERED: Final = 1
MAP_KEY_VALUE_ORDERED: Final = 3

# Map write flags.
MAP_WRITE_FLAGS_DEFAULT: Final = 0
MAP_WRITE_FLAGS_CREATE_ONLY: Final = 1
MAP_WRITE_FLAGS_UPDATE_ONLY: Final = 2
MAP_WRITE_FLAGS_NO_FAIL: Final = 4
MAP_WRITE_FLAGS_PARTIAL: Final = 8

# Map write modes.
MAP_UPDATE: Final = 0
MAP_UPDATE_ONLY: Final = 2
MAP_CREATE_ONLY: Final = 1

# Bit write flags.
BIT_WRITE_DEFAULT: Final = 0
BIT_WRITE_CREATE_ONLY: Final = 1
BIT_WRITE_UPDATE_ONLY: Final = 2
BIT_WRITE_NO_FAIL: Final = 4
BIT_WRITE_PARTIAL: Final = 8

# Bit resize flags.
BIT_RESIZE_DEFAULT: Final = 0
BIT_RESIZE_FROM_FRONT: Final = 1
BIT_RESIZE_GROW_ONLY: Final = 2
BIT_RESIZE_SHRINK_ONLY: Final = 4

# Bit overflow actions.
BIT_OVERFLOW_FAIL: Final = 0
BIT_OVERFLOW_SATURATE: Final = 2
BIT_OVERFLOW_WRAP: Final = 4

# HyperLogLog write flags.
HLL_WRITE_DEFAULT: Final = 0
HLL_WRITE_CREATE_ONLY: Final = 1
HLL_WRITE_UPDATE_ONLY: Final = 2
HLL_WRITE_NO_FAIL: Final = 4
HLL_WRITE_ALLOW_FOLD: Final = 8

# Regular-expression flags of ``exp.regex_compare``.
REGEX_NONE: Final = 0
REGEX_EXTENDED: Final = 1
REGEX_ICASE: Final = 2
REGEX_NOSUB: Final = 4
REGEX_NEWLINE: Final = 8

# Privilege codes.
PRIV_READ: Final = 10
PRIV_WRITE: Final = 13
PRIV_READ_WRITE: Final = 11
PRIV_READ_WRITE_UDF: Final = 12
PRIV_SYS_ADMIN: Final = 1
PRIV_USER_ADMIN: Final = 0
PRIV_DATA_ADMIN: Final = 2
PRIV_UDF_ADMIN: Final = 3
PRIV_SINDEX_ADMIN: Final = 4
PRIV_TRUNCATE: Final = 14

# Result codes.
AEROSPIKE_OK: Final = 0
AEROSPIKE_ERR_SERVER: Final = 1
AEROSPIKE_ERR_RECORD_NOT_FOUND: Final = 2
AEROSPIKE_ERR_RECORD_GENERATION: Final = 3
AEROSPIKE_ERR_PARAM: Final = 4
AEROSPIKE_ERR_RECORD_EXISTS: Final = 5
AEROSPIKE_ERR_BIN_EXISTS: Final = 6
AEROSPIKE_ERR_CLUSTER_KEY_MISMATCH: Final = 7
AEROSPIKE_ERR_SERVER_MEM: Final = 8
AEROSPIKE_ERR_TIMEOUT: Final = 9
AEROSPIKE_ERR_ALWAYS_FORBIDDEN: Final = 10
AEROSPIKE_ERR_PARTITION_UNAVAILABLE: Final = 11
AEROSPIKE_ERR_BIN_TYPE: Final = 12
AEROSPIKE_ERR_RECORD_TOO_BIG: Final = 13
AEROSPIKE_ERR_KEY_BUSY: Final = 14
AEROSPIKE_ERR_SCAN_ABORT: Final = 15
AEROSPIKE_ERR_UNSUPPORTED_FEATURE: Final = 16
AEROSPIKE_ERR_BIN_NOT_FOUND: Final = 17
AEROSPIKE_ERR_DEVICE_OVERLOAD: Final = 18
AEROSPIKE_ERR_KEY_MISMATCH: Final = 19
AEROSPIKE_ERR_INVALID_NAMESPACE: Final = 20
AEROSPIKE_ERR_BIN_NAME: Final = 21
AEROSPIKE_ERR_FAIL_FORBIDDEN: Final = 22
AEROSPIKE_ERR_ELEMENT_NOT_FOUND: Final = 23
AEROSPIKE_ERR_ELEMENT_EXISTS: Final = 24
AEROSPIKE_ERR_ENTERPRISE_ONLY: Final = 25
AEROSPIKE_ERR_OP_NOT_APPLICABLE: Final = 26
AEROSPIKE_ERR_FILTERED_OUT: Final = 27
AEROSPIKE_ERR_LOST_CONFLICT: Final = 28
AEROSPIKE_QUERY_END: Final = 50
AEROSPIKE_SECURITY_NOT_SUPPORTED: Final = 51
AEROSPIKE_SECURITY_NOT_ENABLED: Final = 52
AEROSPIKE_ERR_INVALID_USER: Final = 60
AEROSPIKE_ERR_NOT_AUTHENTICATED: Final = 80
AEROSPIKE_ERR_ROLE_VIOLATION: Final = 81
AEROSPIKE_ERR_UDF: Final = 100
AEROSPIKE_ERR_BATCH_DISABLED: Final = 150
AEROSPIKE_ERR_INDEX_FOUND: Final = 200
AEROSPIKE_ERR_INDEX_NOT_FOUND: Final = 201
AEROSPIKE_ERR_QUERY_ABORTED: Final = 210
AEROSPIKE_ERR_CLIENT: Final = -1
AEROSPIKE_ERR_CONNECTION: Final = -10
AEROSPIKE_ERR_CLUSTER: Final = -11
AEROSPIKE_ERR_INVALID_HOST: Final = -4
AEROSPIKE_ERR_NO_MORE_CONNECTIONS: Final = -7

# ---------------------------------------------------------------------------
# Additions: official-client names aerospike-py lacks
# ---------------------------------------------------------------------------

# Policy ``exists`` under the official client's names, in aerospike-py's
# numbering: create only / create or replace.
POLICY_EXISTS_CREATE: Final = 4
POLICY_EXISTS_CREATE_OR_REPLACE: Final = 2

# Policy ``replica``: rotate reads over the master and its replicas. (The
# official client numbers its replica enum differently; this is our value.)
POLICY_REPLICA_ANY: Final = 3

# Map write flags under the official client's short names.
MAP_WRITE_NO_FAIL: Final = 4
MAP_WRITE_PARTIAL: Final = 8

# Map return types returning the selected entries as a map.
MAP_RETURN_UNORDERED_MAP: Final = 16
MAP_RETURN_ORDERED_MAP: Final = 17

# Context step types (official names and values): the ``type`` of the
# aerospike_py.cdt_ctx steps that lead into nested lists and maps.
CDT_CTX_LIST_INDEX: Final = 0x10
CDT_CTX_LIST_RANK: Final = 0x11
CDT_CTX_LIST_VALUE: Final = 0x13
CDT_CTX_MAP_INDEX: Final = 0x20
CDT_CTX_MAP_RANK: Final = 0x21
CDT_CTX_MAP_KEY: Final = 0x22
CDT_CTX_MAP_VALUE: Final = 0x23

# Official name of the integer index type (aerospike-py: INDEX_NUMERIC).
INDEX_INTEGER: Final = 0

# UDF language for ``udf_put(..., udf_type=...)``.
UDF_TYPE_LUA: Final = 0

# Particle (value) types on the wire; ``TypedBlob.particle_type`` uses them.
AS_BYTES_UNDEF: Final = 0
AS_BYTES_INTEGER: Final = 1
AS_BYTES_DOUBLE: Final = 2
AS_BYTES_STRING: Final = 3
AS_BYTES_BLOB: Final = 4
AS_BYTES_JAVA: Final = 7
AS_BYTES_CSHARP: Final = 8
AS_BYTES_PYTHON: Final = 9
AS_BYTES_RUBY: Final = 10
AS_BYTES_PHP: Final = 11
AS_BYTES_ERLANG: Final = 12
AS_BYTES_BOOL: Final = 17
AS_BYTES_HLL: Final = 18
AS_BYTES_MAP: Final = 19
AS_BYTES_LIST: Final = 20
AS_BYTES_GEOJSON: Final = 23
AS_BYTES_TYPE_MAX: Final = 24

# Result codes aerospike-py does not name (C client names). Client side:
AEROSPIKE_TXN_ALREADY_ABORTED: Final = -19
AEROSPIKE_TXN_ALREADY_COMMITTED: Final = -18
AEROSPIKE_TXN_FAILED: Final = -17
AEROSPIKE_BATCH_FAILED: Final = -16
AEROSPIKE_NO_RESPONSE: Final = -15
AEROSPIKE_MAX_ERROR_RATE: Final = -14
AEROSPIKE_ERR_MAX_RETRIES_EXCEEDED: Final = -12
AEROSPIKE_ERR_TLS_ERROR: Final = -9
AEROSPIKE_ERR_INVALID_NODE: Final = -8
AEROSPIKE_ERR_ASYNC_CONNECTION: Final = -6
AEROSPIKE_ERR_CLIENT_ABORT: Final = -5
AEROSPIKE_NO_MORE_RECORDS: Final = -3
# Server side:
AEROSPIKE_XDR_KEY_BUSY: Final = 32
AEROSPIKE_SECURITY_SCHEME_NOT_SUPPORTED: Final = 53
AEROSPIKE_INVALID_COMMAND: Final = 54
AEROSPIKE_INVALID_FIELD: Final = 55
AEROSPIKE_ILLEGAL_STATE: Final = 56
AEROSPIKE_USER_ALREADY_EXISTS: Final = 61
AEROSPIKE_INVALID_PASSWORD: Final = 62
AEROSPIKE_EXPIRED_PASSWORD: Final = 63
AEROSPIKE_FORBIDDEN_PASSWORD: Final = 64
AEROSPIKE_INVALID_CREDENTIAL: Final = 65
AEROSPIKE_EXPIRED_SESSION: Final = 66
AEROSPIKE_INVALID_ROLE: Final = 70
AEROSPIKE_ROLE_ALREADY_EXISTS: Final = 71
AEROSPIKE_INVALID_PRIVILEGE: Final = 72
AEROSPIKE_INVALID_WHITELIST: Final = 73
AEROSPIKE_QUOTAS_NOT_ENABLED: Final = 74
AEROSPIKE_INVALID_QUOTA: Final = 75
AEROSPIKE_NOT_WHITELISTED: Final = 82
AEROSPIKE_QUOTA_EXCEEDED: Final = 83
AEROSPIKE_MRT_BLOCKED: Final = 120
AEROSPIKE_MRT_VERSION_MISMATCH: Final = 121
AEROSPIKE_MRT_EXPIRED: Final = 122
AEROSPIKE_MRT_TOO_MANY_WRITES: Final = 123
AEROSPIKE_MRT_COMMITTED: Final = 124
AEROSPIKE_MRT_ABORTED: Final = 125
AEROSPIKE_MRT_ALREADY_LOCKED: Final = 126
AEROSPIKE_MRT_MONITOR_EXISTS: Final = 127
AEROSPIKE_ERR_BATCH_MAX_REQUESTS_EXCEEDED: Final = 151
AEROSPIKE_ERR_BATCH_QUEUES_FULL: Final = 152
AEROSPIKE_ERR_GEO_INVALID_GEOJSON: Final = 160
AEROSPIKE_ERR_INDEX_OOM: Final = 202
AEROSPIKE_ERR_INDEX_NOT_READABLE: Final = 203
AEROSPIKE_ERR_INDEX: Final = 204
AEROSPIKE_ERR_INDEX_NAME_MAXLEN: Final = 205
AEROSPIKE_ERR_INDEX_MAXCOUNT: Final = 206
AEROSPIKE_ERR_QUERY_QUEUE_FULL: Final = 211
AEROSPIKE_ERR_QUERY_TIMEOUT: Final = 212
AEROSPIKE_ERR_QUERY: Final = 213
AEROSPIKE_ERR_UDF_NOT_FOUND: Final = 1301
AEROSPIKE_ERR_LUA_FILE_NOT_FOUND: Final = 1302

# ---------------------------------------------------------------------------
# Literal aliases of enum values (aerospike-py has these in its stubs only)
# ---------------------------------------------------------------------------

PolicyKey: TypeAlias = Literal[0, 1]
"""Values of policy ``key`` (POLICY_KEY_*)."""
PolicyExists: TypeAlias = Literal[0, 1, 2, 3, 4]
"""Values of policy ``exists`` (POLICY_EXISTS_*)."""
PolicyGen: TypeAlias = Literal[0, 1, 2]
"""Values of policy ``gen`` (POLICY_GEN_*)."""
PolicyReplica: TypeAlias = Literal[0, 1, 2, 3]
"""Values of policy ``replica`` (POLICY_REPLICA_*)."""
PolicyCommitLevel: TypeAlias = Literal[0, 1]
"""Values of policy ``commit_level`` (POLICY_COMMIT_LEVEL_*)."""
PolicyReadModeAP: TypeAlias = Literal[0, 1]
"""Values of policy ``read_mode_ap`` (POLICY_READ_MODE_AP_*)."""
TTL: TypeAlias = Literal[0, -1, -2, -3]
"""Special ``ttl`` values (TTL_*)."""
AuthMode: TypeAlias = Literal[0, 1, 2]
"""Values of config ``auth_mode`` (AUTH_*)."""
IndexType: TypeAlias = Literal[0, 1, 2, 3]
"""Secondary index data types (INDEX_NUMERIC...)."""
IndexCollectionType: TypeAlias = Literal[0, 1, 2, 3]
"""Secondary index collection types (INDEX_TYPE_*)."""
LogLevel: TypeAlias = Literal[-1, 0, 1, 2, 3, 4]
"""Log levels (LOG_LEVEL_*)."""
Serializer: TypeAlias = Literal[0, 1, 2]
"""Serializers (SERIALIZER_*)."""
ListReturnType: TypeAlias = Literal[0, 1, 2, 3, 4, 5, 7, 13]
"""List return types (LIST_RETURN_*)."""
ListOrder: TypeAlias = Literal[0, 1]
"""List orders (LIST_ORDERED / LIST_UNORDERED)."""
MapReturnType: TypeAlias = Literal[0, 1, 2, 3, 4, 5, 6, 7, 8, 13, 16, 17]
"""Map return types (MAP_RETURN_*)."""
MapOrder: TypeAlias = Literal[0, 1, 3]
"""Map orders (MAP_UNORDERED, MAP_KEY_ORDERED, MAP_KEY_VALUE_ORDERED)."""
PrivilegeCode: TypeAlias = Literal[0, 1, 2, 3, 4, 10, 11, 12, 13, 14]
"""Privilege codes (PRIV_*)."""
PrivilegeName: TypeAlias = Literal[
    "read",
    "read-write",
    "read-write-udf",
    "write",
    "truncate",
    "user-admin",
    "sys-admin",
    "data-admin",
    "udf-admin",
    "sindex-admin",
]
"""Privilege names accepted in place of a PrivilegeCode."""

# --- Scans and queries (official-client names; aerospike_py.query) ----------
# job_info(job_id, module): which kind of background job, and its status.
JOB_SCAN: Final = "scan"
JOB_QUERY: Final = "query"
JOB_STATUS_UNDEF: Final = 0
JOB_STATUS_INPROGRESS: Final = 1
JOB_STATUS_COMPLETED: Final = 2
__all__ += ["JOB_SCAN", "JOB_QUERY", "JOB_STATUS_UNDEF", "JOB_STATUS_INPROGRESS",
            "JOB_STATUS_COMPLETED"]
# ---------------------------------------------------------------------------
# Expression operations (aerospike_py.exp.exp_read / exp_write): the op codes
# of their op dicts and their flags (the official client's names and values)
# ---------------------------------------------------------------------------

OPERATOR_EXP_READ: Final = 5001
OPERATOR_EXP_WRITE: Final = 5002
EXP_READ_DEFAULT: Final = 0
EXP_READ_EVAL_NO_FAIL: Final = 16
EXP_WRITE_DEFAULT: Final = 0
EXP_WRITE_CREATE_ONLY: Final = 1
EXP_WRITE_UPDATE_ONLY: Final = 2
EXP_WRITE_ALLOW_DELETE: Final = 4
EXP_WRITE_POLICY_NO_FAIL: Final = 8
EXP_WRITE_EVAL_NO_FAIL: Final = 16

__all__ += [
    "OPERATOR_EXP_READ",
    "OPERATOR_EXP_WRITE",
    "EXP_READ_DEFAULT",
    "EXP_READ_EVAL_NO_FAIL",
    "EXP_WRITE_DEFAULT",
    "EXP_WRITE_CREATE_ONLY",
    "EXP_WRITE_UPDATE_ONLY",
    "EXP_WRITE_ALLOW_DELETE",
    "EXP_WRITE_POLICY_NO_FAIL",
    "EXP_WRITE_EVAL_NO_FAIL",
]
