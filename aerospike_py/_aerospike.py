"""``aerospike_py._aerospike``: the name of aerospike-py's native module.

aerospike-py (the Rust client) builds its extension as
``aerospike_py._aerospike`` and some code imports from it directly::

    from aerospike_py._aerospike import AerospikeError, init_tracing

Our native module is :mod:`aerospike_py._core`, whose types are wrapped by
:mod:`aerospike_py.client`; this module gives that code the names it
expects: the exception classes, the constants, the client classes (the
ones users construct, so ``Client`` and ``AsyncClient`` expose the same
public methods as in aerospike-py) and the observability functions under
their native names (``get_metrics_text`` is :func:`aerospike_py.get_metrics`).
Any other public name of the package is looked up there on first use.
"""

from __future__ import annotations

from typing import Any

import aerospike_py
from aerospike_py._observability import (
    dropped_log_count,
    get_metrics,
    init_tracing,
    is_internal_stage_metrics_enabled,
    is_metrics_enabled,
    set_internal_stage_metrics_enabled,
    set_metrics_enabled,
    shutdown_tracing,
)
from aerospike_py.client import AsyncClient, Client
from aerospike_py.constants import *  # noqa: F403
from aerospike_py.exception import *  # noqa: F403

get_metrics_text = get_metrics

__all__ = [
    "AsyncClient",
    "Client",
    "dropped_log_count",
    "get_metrics_text",
    "init_tracing",
    "is_internal_stage_metrics_enabled",
    "is_metrics_enabled",
    "set_internal_stage_metrics_enabled",
    "set_metrics_enabled",
    "shutdown_tracing",
]
__all__ += aerospike_py.constants.__all__
__all__ += aerospike_py.exception.__all__


def __getattr__(name: str) -> Any:
    # The rest of the package's public names (and those other modules add
    # later, such as the query types) without importing them here.
    if not name.startswith("_"):
        try:
            return getattr(aerospike_py, name)
        except AttributeError:
            pass
    raise AttributeError(f"module 'aerospike_py._aerospike' has no attribute {name!r}")
