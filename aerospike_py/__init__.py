"""aerospike_py: an asyncio-first Aerospike client with a C++ core.

A libuv event thread owns every socket and all protocol work; results reach
asyncio through one completion mailbox per event loop, drained in a single
GIL hold. The API follows aerospike-py (PyPI ``aerospike-py``): the same
factory functions, methods, NamedTuple results, exceptions, constants and
policy dicts, so code written for it runs unchanged::

    import aerospike_py

    async with await aerospike_py.async_client({"hosts": [("127.0.0.1", 3000)]}).connect() as client:
        await client.put(("test", "demo", "k1"), {"name": "Alice"})
        record = await client.get(("test", "demo", "k1"))

Additions: every exception carries ``code``, ``msg``, ``in_doubt``, ``key``
and ``node``; policy dicts are validated; reads never fail because of one
undecodable bin (it comes back as :class:`TypedBlob`).
"""

# No `from __future__ import annotations` here: it would leave a public
# `annotations` name in the package that is not in __all__.
import warnings
from typing import Any

from aerospike_py import _core, batch, constants, exception, exp, policy, types

# Collection operations (list/map/bit/HLL op dicts for operate) and contexts.
from aerospike_py import (
    bit_operations,
    cdt_ctx,
    hll_operations,
    list_operations,
    map_operations,
)
from aerospike_py._batch import LazyBatchRecords, NumpyBatchRecords
from aerospike_py.batch import BatchKeys
from aerospike_py._observability import (
    dropped_log_count,
    forward_core_logs,
    get_metrics,
    init_tracing,
    internal_stage_profiling,
    is_internal_stage_metrics_enabled,
    is_metrics_enabled,
    is_tracing_enabled,
    metrics_collector,
    set_internal_stage_metrics_enabled,
    set_log_level,
    set_metrics_enabled,
    shutdown_tracing,
    start_metrics_server,
    stop_metrics_server,
    sync_log_level,
)
from aerospike_py.client import AsyncClient, Client, async_client, client
from aerospike_py._local_helpers import calc_digest
from aerospike_py import predicates
from aerospike_py.query import (
    AsyncQuery,
    PartitionFilter,
    Query,
    QueryStream,
    partition_filter_all,
    partition_filter_by_digest,
    partition_filter_by_id,
    partition_filter_by_range,
)
from aerospike_py.constants import *  # noqa: F403
from aerospike_py.exception import *  # noqa: F403
from aerospike_py.policy import *  # noqa: F403
from aerospike_py.types import (
    AerospikeKey,
    AerospikeRecord,
    BatchRecord,
    BatchRecords,
    BatchRetryInfo,
    BatchWriteResult,
    Bins,
    BinTuple,
    CDTInfinite,
    CDTWildcard,
    ExistsResult,
    GeoJSON,
    HyperLogLog,
    InfoNodeResult,
    Key,
    KeyOrderedDict,
    OperateOrderedResult,
    Record,
    RecordMetadata,
    TypedBlob,
    UserKey,
)

__version__ = "0.1.0"
#: The distribution (pip name) that installed this ``aerospike_py``: this
#: client is ``aerospike-uv``; the Rust client that shares the import name is
#: ``aerospike-py`` and has no such attribute. The two cannot be installed
#: side by side (see docs/installing.md).
__distribution__ = "aerospike-uv"

__all__ = [
    "__distribution__",
    "__version__",
    "AerospikeKey",
    "AerospikeRecord",
    "AsyncClient",
    "BatchKeys",
    "BatchRecord",
    "BatchRecords",
    "BatchRetryInfo",
    "BatchWriteResult",
    "BinTuple",
    "Bins",
    "CDTInfinite",
    "CDTWildcard",
    "Client",
    "ExistsResult",
    "GeoJSON",
    "HyperLogLog",
    "InfoNodeResult",
    "Key",
    "KeyOrderedDict",
    "LazyBatchRecords",
    "NumpyBatchRecords",
    "OperateOrderedResult",
    "Record",
    "RecordMetadata",
    "TypedBlob",
    "UserKey",
    "async_client",
    "client",
    "dropped_log_count",
    "forward_core_logs",
    "get_metrics",
    "init_tracing",
    "internal_stage_profiling",
    "is_internal_stage_metrics_enabled",
    "is_metrics_enabled",
    "is_tracing_enabled",
    "metrics_collector",
    "set_internal_stage_metrics_enabled",
    "set_log_level",
    "set_metrics_enabled",
    "shutdown_tracing",
    "start_metrics_server",
    "stop_metrics_server",
    "sync_log_level",
    "batch",
    "constants",
    "exception",
    "exp",
    "policy",
    "types",
    # Collection operations.
    "list_operations",
    "map_operations",
    "bit_operations",
    "hll_operations",
    "cdt_ctx",
]
# Scans and queries (aerospike_py.query).
__all__ += [
    "AsyncQuery",
    "PartitionFilter",
    "Query",
    "QueryStream",
    "partition_filter_all",
    "partition_filter_by_digest",
    "partition_filter_by_id",
    "partition_filter_by_range",
    "predicates",
]
# The official client's digest of a key.
__all__ += ["calc_digest"]
__all__ += constants.__all__
__all__ += exception.__all__
__all__ += policy.__all__


def __getattr__(name: str) -> Any:
    # aerospike-py's deprecated spellings (exception.TimeoutError/IndexError)
    # are importable from the package too, with their DeprecationWarning.
    if name in ("TimeoutError", "IndexError"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            value = getattr(exception, name)
        warnings.warn(
            f"aerospike_py.{name} is deprecated; use aerospike_py.{value.__name__}",
            DeprecationWarning,
            stacklevel=2,
        )
        return value
    raise AttributeError(f"module 'aerospike_py' has no attribute {name!r}")
