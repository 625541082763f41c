"""The official client's helpers that need no server: a key's digest and
partition id, and the base64 forms of a CDT context and of an expression.

Mixed into :class:`aerospike_py.Client` and :class:`aerospike_py.AsyncClient`
alike (plain methods on both: nothing to await). Code written for the
official ``aerospike`` client calls them to build info commands (a secondary
index on a ctx path or an expression, XDR filters) or to route work by
partition.
"""

from __future__ import annotations

import base64
from typing import Any

from aerospike_py import _core
from aerospike_py.exception import InvalidArgError
from aerospike_py.predicates import encode_ctx
from aerospike_py.query import N_PARTITIONS

__all__ = ["LocalHelpers", "calc_digest"]


def calc_digest(ns: str, set: str, key: Any) -> bytearray:
    """The 20-byte digest of the key ``(ns, set, key)`` (RIPEMD-160 of the
    set name, the key's type and its bytes), as the official client's
    ``aerospike.calc_digest`` gives it. ``key`` is a str, int, bytes or
    bytearray; a bytes key is hashed as the str of the same bytes, where a
    ``put`` with it stores the record (as the official client and aerospike-py
    do). Anything else, or a ``set`` that is not a str, is an InvalidArgError."""
    if not isinstance(ns, str):
        raise InvalidArgError(f"namespace must be a str, not {type(ns).__name__}", code=-2)
    if not isinstance(set, str):
        raise InvalidArgError(f"set must be a str, not {type(set).__name__}", code=-2)
    if key is None:
        raise InvalidArgError("key must be a str, int, bytes or bytearray, not None", code=-2)
    return bytearray(_core._parse_key((ns, set, key))[4])


class LocalHelpers:
    """``get_key_partition_id``, ``get_cdtctx_base64``, ``get_expression_base64``."""

    def get_key_partition_id(self, ns: str, set: str, key: Any) -> int:
        """The partition (0-4095) the key ``(ns, set, key)`` lives in: the
        first two bytes of its digest, little-endian, modulo 4096, as the
        servers route it. ``key`` is a str, int, bytes or bytearray user key;
        anything else is an InvalidArgError, and so is a ``set`` that is not
        a str (as the official client requires); see :func:`calc_digest`."""
        digest = calc_digest(ns, set, key)
        return (digest[0] | digest[1] << 8) % N_PARTITIONS

    def get_cdtctx_base64(self, ctx: Any) -> str:
        """A CDT context (a list of ``(CDT_CTX_*, value)`` pairs, of the
        official client's ``cdt_ctx`` items, or its msgpack bytes) in the
        base64 form ``sindex-create``'s ``context=`` takes."""
        data = encode_ctx(ctx)
        if data is None:
            raise InvalidArgError("ctx must be a non-empty list or bytes, not None", code=-2)
        return base64.b64encode(data).decode("ascii")

    def get_expression_base64(self, expression: Any) -> str:
        """An expression (an ``aerospike_py.exp`` expression or its compiled
        bytes) in base64, as ``sindex-create``'s ``exp=`` and XDR filters
        take it."""
        compile_ = getattr(expression, "compile", None)
        data = compile_() if callable(compile_) else expression
        if not isinstance(data, (bytes, bytearray, memoryview)) or not bytes(data):
            raise InvalidArgError(
                f"expression must be an aerospike_py.exp expression or its compiled bytes, "
                f"not {type(expression).__name__}", code=-2)
        return base64.b64encode(bytes(data)).decode("ascii")
