"""Bitwise operations on bytes bins for ``operate``, ``operate_ordered`` and
``batch_operate``.

Each function returns an op dict (``{"op": 4001, "bin": ..., ...}``) with
aerospike-py's codes and keys; the native core checks and encodes it. Bit
offsets count from the most significant bit of the first byte; a negative
offset counts from the end. ``policy`` is a ``BIT_WRITE_*`` flag word (or
the official client's ``{"bit_write_flags": ...}`` dict).

Results: modifying operations return None; ``bit_get`` returns bytes,
``bit_count`` the number of set bits, ``bit_lscan``/``bit_rscan`` the bit
offset of the first match (-1 when none), ``bit_get_int`` an int.
"""

from __future__ import annotations

from typing import Any

from aerospike_py._op_dict import op_dict as _op
from aerospike_py.policy import Operation

__all__ = [
    "Operation",
    "bit_resize",
    "bit_insert",
    "bit_remove",
    "bit_set",
    "bit_or",
    "bit_xor",
    "bit_and",
    "bit_not",
    "bit_lshift",
    "bit_rshift",
    "bit_add",
    "bit_subtract",
    "bit_set_int",
    "bit_get",
    "bit_count",
    "bit_lscan",
    "bit_rscan",
    "bit_get_int",
]

_RESIZE = 4001
_INSERT = 4002
_REMOVE = 4003
_SET = 4004
_OR = 4005
_XOR = 4006
_AND = 4007
_NOT = 4008
_LSHIFT = 4009
_RSHIFT = 4010
_ADD = 4011
_SUBTRACT = 4012
_SET_INT = 4013
_GET = 4050
_COUNT = 4051
_LSCAN = 4052
_RSCAN = 4053
_GET_INT = 4054

BitPolicy = int | dict[str, Any] | None


def bit_resize(bin: str, byte_size: int, resize_flags: int = 0, policy: BitPolicy = None) -> Operation:
    """Resize to ``byte_size`` bytes (``BIT_RESIZE_FROM_FRONT``,
    ``BIT_RESIZE_GROW_ONLY``, ``BIT_RESIZE_SHRINK_ONLY``, or from-front with
    one of the others). (Write)"""
    # 0 (no flag) is left out, as aerospike-py leaves it.
    flags = resize_flags if resize_flags != 0 else None
    return _op({"op": _RESIZE, "bin": bin, "byte_size": byte_size}, resize_flags=flags, bit_policy=policy)


def bit_insert(bin: str, byte_offset: int, value: bytes | bytearray, policy: BitPolicy = None) -> Operation:
    """Insert ``value`` at ``byte_offset``. (Write)"""
    return _op({"op": _INSERT, "bin": bin, "byte_offset": byte_offset, "val": value}, bit_policy=policy)


def bit_remove(bin: str, byte_offset: int, byte_size: int, policy: BitPolicy = None) -> Operation:
    """Remove ``byte_size`` bytes from ``byte_offset``. (Write)"""
    return _op(
        {"op": _REMOVE, "bin": bin, "byte_offset": byte_offset, "byte_size": byte_size},
        bit_policy=policy,
    )


def bit_set(
    bin: str, bit_offset: int, bit_size: int, value: bytes | bytearray, policy: BitPolicy = None
) -> Operation:
    """Overwrite ``bit_size`` bits from ``bit_offset`` with the leading bits of ``value``. (Write)"""
    return _op(
        {"op": _SET, "bin": bin, "bit_offset": bit_offset, "bit_size": bit_size, "val": value},
        bit_policy=policy,
    )


def bit_or(
    bin: str, bit_offset: int, bit_size: int, value: bytes | bytearray, policy: BitPolicy = None
) -> Operation:
    """OR ``value`` into ``bit_size`` bits from ``bit_offset``. (Write)"""
    return _op(
        {"op": _OR, "bin": bin, "bit_offset": bit_offset, "bit_size": bit_size, "val": value},
        bit_policy=policy,
    )


def bit_xor(
    bin: str, bit_offset: int, bit_size: int, value: bytes | bytearray, policy: BitPolicy = None
) -> Operation:
    """XOR ``value`` into ``bit_size`` bits from ``bit_offset``. (Write)"""
    return _op(
        {"op": _XOR, "bin": bin, "bit_offset": bit_offset, "bit_size": bit_size, "val": value},
        bit_policy=policy,
    )


def bit_and(
    bin: str, bit_offset: int, bit_size: int, value: bytes | bytearray, policy: BitPolicy = None
) -> Operation:
    """AND ``value`` into ``bit_size`` bits from ``bit_offset``. (Write)"""
    return _op(
        {"op": _AND, "bin": bin, "bit_offset": bit_offset, "bit_size": bit_size, "val": value},
        bit_policy=policy,
    )


def bit_not(bin: str, bit_offset: int, bit_size: int, policy: BitPolicy = None) -> Operation:
    """Invert ``bit_size`` bits from ``bit_offset``. (Write)"""
    return _op(
        {"op": _NOT, "bin": bin, "bit_offset": bit_offset, "bit_size": bit_size},
        bit_policy=policy,
    )


def bit_lshift(bin: str, bit_offset: int, bit_size: int, shift: int, policy: BitPolicy = None) -> Operation:
    """Shift ``bit_size`` bits from ``bit_offset`` left by ``shift``. (Write)"""
    return _op(
        {"op": _LSHIFT, "bin": bin, "bit_offset": bit_offset, "bit_size": bit_size, "shift": shift},
        bit_policy=policy,
    )


def bit_rshift(bin: str, bit_offset: int, bit_size: int, shift: int, policy: BitPolicy = None) -> Operation:
    """Shift ``bit_size`` bits from ``bit_offset`` right by ``shift``. (Write)"""
    return _op(
        {"op": _RSHIFT, "bin": bin, "bit_offset": bit_offset, "bit_size": bit_size, "shift": shift},
        bit_policy=policy,
    )


def bit_add(
    bin: str,
    bit_offset: int,
    bit_size: int,
    value: int,
    signed: bool = False,
    action: int = 0,
    policy: BitPolicy = None,
) -> Operation:
    """Add ``value`` to the ``bit_size``-bit integer (at most 64) at
    ``bit_offset``; on overflow ``action`` fails (``BIT_OVERFLOW_FAIL``),
    saturates or wraps. (Write)"""
    return _op({
        "op": _ADD,
        "bin": bin,
        "bit_offset": bit_offset,
        "bit_size": bit_size,
        "val": value,
        "signed": signed,
        "action": action,
    }, bit_policy=policy)


def bit_subtract(
    bin: str,
    bit_offset: int,
    bit_size: int,
    value: int,
    signed: bool = False,
    action: int = 0,
    policy: BitPolicy = None,
) -> Operation:
    """Subtract ``value`` from the ``bit_size``-bit integer at ``bit_offset``. (Write)"""
    return _op({
        "op": _SUBTRACT,
        "bin": bin,
        "bit_offset": bit_offset,
        "bit_size": bit_size,
        "val": value,
        "signed": signed,
        "action": action,
    }, bit_policy=policy)


def bit_set_int(bin: str, bit_offset: int, bit_size: int, value: int, policy: BitPolicy = None) -> Operation:
    """Write ``value`` as a ``bit_size``-bit integer (at most 64) at ``bit_offset``. (Write)"""
    return _op(
        {"op": _SET_INT, "bin": bin, "bit_offset": bit_offset, "bit_size": bit_size, "val": value},
        bit_policy=policy,
    )


def bit_get(bin: str, bit_offset: int, bit_size: int) -> Operation:
    """``bit_size`` bits from ``bit_offset``, as bytes (left-aligned). (Read)"""
    return {"op": _GET, "bin": bin, "bit_offset": bit_offset, "bit_size": bit_size}


def bit_count(bin: str, bit_offset: int, bit_size: int) -> Operation:
    """The number of set bits among ``bit_size`` bits from ``bit_offset``. (Read)"""
    return {"op": _COUNT, "bin": bin, "bit_offset": bit_offset, "bit_size": bit_size}


def bit_lscan(bin: str, bit_offset: int, bit_size: int, value: bool) -> Operation:
    """The offset (from ``bit_offset``) of the first bit equal to ``value``, or -1. (Read)"""
    return {"op": _LSCAN, "bin": bin, "bit_offset": bit_offset, "bit_size": bit_size, "val": value}


def bit_rscan(bin: str, bit_offset: int, bit_size: int, value: bool) -> Operation:
    """The offset of the last bit equal to ``value``, or -1. (Read)"""
    return {"op": _RSCAN, "bin": bin, "bit_offset": bit_offset, "bit_size": bit_size, "val": value}


def bit_get_int(bin: str, bit_offset: int, bit_size: int, signed: bool = False) -> Operation:
    """The ``bit_size``-bit integer (at most 64) at ``bit_offset``. (Read)"""
    return {"op": _GET_INT, "bin": bin, "bit_offset": bit_offset, "bit_size": bit_size, "signed": signed}
