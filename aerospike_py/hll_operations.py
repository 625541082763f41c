"""HyperLogLog operations for ``operate``, ``operate_ordered`` and
``batch_operate``.

Each function returns an op dict (``{"op": 3001, "bin": ..., ...}``) with
aerospike-py's codes and keys; the native core checks and encodes it.
``policy`` is an :class:`~aerospike_py.HLLPolicy` (``{"flags":
HLL_WRITE_*}``). Sketches read back (a bin, or ``hll_get_union``) are
:class:`~aerospike_py.HyperLogLog` values (bytes); pass them in ``values``
of the union and similarity operations.

Beyond aerospike-py: the official client's :func:`hll_refresh_count`.
"""

from __future__ import annotations

from typing import Any

from aerospike_py._op_dict import op_dict as _op
from aerospike_py.policy import HLLPolicy, Operation

__all__ = [
    "Operation",
    "hll_init",
    "hll_add",
    "hll_get_count",
    "hll_get_union",
    "hll_get_union_count",
    "hll_get_intersect_count",
    "hll_get_similarity",
    "hll_describe",
    "hll_fold",
    "hll_set_union",
    "hll_refresh_count",
]

_INIT = 3001
_ADD = 3002
_GET_COUNT = 3003
_GET_UNION = 3004
_GET_UNION_COUNT = 3005
_GET_INTERSECT_COUNT = 3006
_GET_SIMILARITY = 3007
_DESCRIBE = 3008
_FOLD = 3009
_SET_UNION = 3010
_REFRESH_COUNT = 3011


def hll_init(
    bin: str,
    index_bit_count: int,
    minhash_bit_count: int | None = None,
    *,
    policy: HLLPolicy | None = None,
) -> Operation:
    """Create (or reset) the sketch: ``index_bit_count`` 4-16,
    ``minhash_bit_count`` 0 or 4-51 (None: 0). (Write)"""
    return _op(
        {"op": _INIT, "bin": bin, "index_bit_count": index_bit_count},
        minhash_bit_count=minhash_bit_count, hll_policy=policy,
    )


def hll_add(
    bin: str,
    values: list[Any],
    index_bit_count: int | None = None,
    minhash_bit_count: int | None = None,
    *,
    policy: HLLPolicy | None = None,
) -> Operation:
    """Add ``values``, creating the sketch with the given bit counts when
    the bin has none; the result is the number of registers changed. (Write)"""
    return _op(
        {"op": _ADD, "bin": bin, "val": values},
        index_bit_count=index_bit_count, minhash_bit_count=minhash_bit_count, hll_policy=policy,
    )


def hll_get_count(bin: str) -> Operation:
    """The estimated number of distinct elements. (Read)"""
    return {"op": _GET_COUNT, "bin": bin}


def hll_get_union(bin: str, values: list[Any]) -> Operation:
    """The union of the bin's sketch and the sketches ``values``, as a HyperLogLog. (Read)"""
    return {"op": _GET_UNION, "bin": bin, "val": values}


def hll_get_union_count(bin: str, values: list[Any]) -> Operation:
    """The estimated distinct count of that union. (Read)"""
    return {"op": _GET_UNION_COUNT, "bin": bin, "val": values}


def hll_get_intersect_count(bin: str, values: list[Any]) -> Operation:
    """The estimated distinct count of the intersection with ``values``. (Read)"""
    return {"op": _GET_INTERSECT_COUNT, "bin": bin, "val": values}


def hll_get_similarity(bin: str, values: list[Any]) -> Operation:
    """The estimated Jaccard similarity with ``values``, a float. (Read)"""
    return {"op": _GET_SIMILARITY, "bin": bin, "val": values}


def hll_describe(bin: str) -> Operation:
    """``[index_bit_count, minhash_bit_count]`` of the sketch. (Read)"""
    return {"op": _DESCRIBE, "bin": bin}


def hll_fold(bin: str, index_bit_count: int) -> Operation:
    """Reduce the sketch to ``index_bit_count`` index bits (min-hash bits must be 0). (Write)"""
    return {"op": _FOLD, "bin": bin, "index_bit_count": index_bit_count}


def hll_set_union(bin: str, values: list[Any], *, policy: HLLPolicy | None = None) -> Operation:
    """Store the union of the bin's sketch and ``values`` in the bin. (Write)"""
    return _op({"op": _SET_UNION, "bin": bin, "val": values}, hll_policy=policy)


def hll_refresh_count(bin: str) -> Operation:
    """Recompute and store the sketch's cached count; the result is the
    count (the official client's ``hll_refresh_count``). (Write)"""
    return {"op": _REFRESH_COUNT, "bin": bin}
