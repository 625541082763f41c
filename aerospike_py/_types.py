"""aerospike-py's private ``aerospike_py._types`` helpers, for code that imports them.

aerospike-py keeps its policy TypedDicts and a small op-dict helper in a
private module of this name; the TypedDicts are public here in
:mod:`aerospike_py.types` and :mod:`aerospike_py.policy`. Only the helper is
repeated, with its behaviour, so that code importing it keeps working.
"""

from __future__ import annotations

from typing import Any

_UNSET: Any = object()
"""The "argument not given" marker of :func:`_build_op`."""


def _build_op(op_code: int, bin: str, /, **kwargs: Any) -> dict[str, Any]:  # noqa: A002
    """The op dict ``{"op": op_code, "bin": bin, **kwargs}`` without the
    arguments whose value is ``_UNSET``."""
    op: dict[str, Any] = {"op": op_code, "bin": bin}
    op.update((k, v) for k, v in kwargs.items() if v is not _UNSET)
    return op
