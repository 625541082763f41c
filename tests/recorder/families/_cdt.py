"""CDT, bit and HLL op encoders for the recorder families, in pure Python
(op codes and argument layouts from the server's as/include/base/proto.h
and the clients' conventions), so recordings never depend on the client
under test. A module whose name starts with ``_`` is not a family."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import wire

# List op codes.
L_SET_TYPE, L_APPEND, L_APPEND_ITEMS, L_INSERT, L_INSERT_ITEMS = 0, 1, 2, 3, 4
L_POP, L_POP_RANGE, L_REMOVE, L_REMOVE_RANGE, L_SET, L_TRIM, L_CLEAR = 5, 6, 7, 8, 9, 10, 11
L_INCREMENT, L_SORT, L_SIZE, L_GET, L_GET_RANGE = 12, 13, 16, 17, 18
L_GET_BY_INDEX, L_GET_BY_VALUE, L_GET_BY_RANK, L_GET_ALL_BY_VALUE = 19, 20, 21, 22
L_GET_BY_VALUE_LIST, L_GET_BY_INDEX_RANGE, L_GET_BY_VALUE_INTERVAL = 23, 24, 25
L_GET_BY_RANK_RANGE, L_GET_BY_VALUE_REL_RANK_RANGE = 26, 27
L_REMOVE_BY_INDEX, L_REMOVE_BY_VALUE, L_REMOVE_BY_RANK, L_REMOVE_ALL_BY_VALUE = 32, 33, 34, 35
L_REMOVE_BY_VALUE_LIST, L_REMOVE_BY_INDEX_RANGE, L_REMOVE_BY_VALUE_INTERVAL = 36, 37, 38
L_REMOVE_BY_RANK_RANGE, L_REMOVE_BY_VALUE_REL_RANK_RANGE = 39, 40

# Map op codes.
M_SET_TYPE, M_ADD, M_ADD_ITEMS, M_PUT, M_PUT_ITEMS, M_REPLACE, M_REPLACE_ITEMS = (
    64, 65, 66, 67, 68, 69, 70)
M_INCREMENT, M_DECREMENT, M_CLEAR = 73, 74, 75
M_REMOVE_BY_KEY, M_REMOVE_BY_INDEX, M_REMOVE_BY_VALUE, M_REMOVE_BY_RANK = 76, 77, 78, 79
M_REMOVE_BY_KEY_LIST, M_REMOVE_ALL_BY_VALUE, M_REMOVE_BY_VALUE_LIST = 81, 82, 83
M_REMOVE_BY_KEY_INTERVAL, M_REMOVE_BY_INDEX_RANGE, M_REMOVE_BY_VALUE_INTERVAL = 84, 85, 86
M_REMOVE_BY_RANK_RANGE, M_REMOVE_BY_KEY_REL_INDEX_RANGE = 87, 88
M_REMOVE_BY_VALUE_REL_RANK_RANGE = 89
M_SIZE, M_GET_BY_KEY, M_GET_BY_INDEX, M_GET_BY_VALUE, M_GET_BY_RANK = 96, 97, 98, 99, 100
M_GET_ALL_BY_VALUE, M_GET_BY_KEY_INTERVAL, M_GET_BY_INDEX_RANGE = 102, 103, 104
M_GET_BY_VALUE_INTERVAL, M_GET_BY_RANK_RANGE, M_GET_BY_KEY_LIST = 105, 106, 107
M_GET_BY_VALUE_LIST, M_GET_BY_KEY_REL_INDEX_RANGE, M_GET_BY_VALUE_REL_RANK_RANGE = 108, 109, 110

CONTEXT_EVAL = 0xFF

# Result types (+ INVERTED).
RT_NONE, RT_INDEX, RT_REVERSE_INDEX, RT_RANK, RT_REVERSE_RANK, RT_COUNT = 0, 1, 2, 3, 4, 5
RT_KEY, RT_VALUE, RT_KEY_VALUE, RT_EXISTS, RT_ORDERED_MAP, RT_UNORDERED_MAP = (
    6, 7, 8, 13, 16, 17)
INVERTED = 0x10000

# List orders / write flags / sort flags.
UNORDERED, ORDERED = 0, 1
L_ADD_UNIQUE, L_INSERT_BOUNDED, L_NO_FAIL, L_DO_PARTIAL = 1, 2, 4, 8
SORT_DESCENDING, SORT_DROP_DUPLICATES = 1, 2
# Map orders / write flags.
M_UNORDERED, M_KEY_ORDERED, M_KEY_VALUE_ORDERED = 0, 1, 3
M_CREATE_ONLY, M_UPDATE_ONLY, M_NO_FAIL, M_DO_PARTIAL = 1, 2, 4, 8

# Context item types.
CTX_LIST_INDEX, CTX_LIST_RANK, CTX_LIST_VALUE = 0x10, 0x11, 0x13
CTX_MAP_INDEX, CTX_MAP_RANK, CTX_MAP_KEY, CTX_MAP_VALUE = 0x20, 0x21, 0x22, 0x23
# Create flags or'ed into a context type (lists: 0x40 unordered, 0x80 pad,
# 0xc0 ordered; maps: 0x40 unordered, 0x80 key-ordered, 0xc0 kv-ordered).
CTX_CREATE_UNORDERED, CTX_CREATE_PAD, CTX_CREATE_ORDERED = 0x40, 0x80, 0xC0
CTX_CREATE_MAP_K, CTX_CREATE_MAP_KV = 0x80, 0xC0

# Bit op codes.
B_RESIZE, B_INSERT, B_REMOVE, B_SET, B_OR, B_XOR, B_AND, B_NOT = 0, 1, 2, 3, 4, 5, 6, 7
B_LSHIFT, B_RSHIFT, B_ADD, B_SUBTRACT, B_SET_INT = 8, 9, 10, 11, 12
B_GET, B_COUNT, B_LSCAN, B_RSCAN, B_GET_INT = 50, 51, 52, 53, 54
# Bit write flags, resize flags, overflow actions.
BW_CREATE_ONLY, BW_UPDATE_ONLY, BW_NO_FAIL, BW_PARTIAL = 1, 2, 4, 8
BR_FROM_FRONT, BR_GROW_ONLY, BR_SHRINK_ONLY = 1, 2, 4
B_SIGNED, B_OVERFLOW_FAIL, B_OVERFLOW_SATURATE, B_OVERFLOW_WRAP = 1, 0, 2, 4

# HLL op codes and write flags.
H_INIT, H_ADD, H_UNION, H_REFRESH_COUNT, H_FOLD = 0, 1, 2, 3, 4
H_COUNT, H_GET_UNION, H_UNION_COUNT, H_INTERSECT_COUNT, H_SIMILARITY, H_DESCRIBE = (
    50, 51, 52, 53, 54, 55)
HW_CREATE_ONLY, HW_UPDATE_ONLY, HW_NO_FAIL, HW_ALLOW_FOLD = 1, 2, 4, 8


def ctx(*items: tuple[int, Any]) -> list[Any]:
    """A context path: (type, value) pairs, flattened as the wire wants."""
    flat: list[Any] = []
    for t, v in items:
        flat += [t, v]
    return flat


def _cdt(op_type: int, code: int, bin_name: str, args: Sequence[Any],
         context: list[Any] | None) -> bytes:
    body: Any = [code, *args]
    if context:
        body = [CONTEXT_EVAL, context, body]
    return wire.op(op_type, bin_name, raw=bytes(wire.pack(body)), ptype=wire.P_BLOB)


def cdt_read(code: int, bin_name: str, *args: Any, context: list[Any] | None = None) -> bytes:
    return _cdt(wire.OP_CDT_READ, code, bin_name, args, context)


def cdt_modify(code: int, bin_name: str, *args: Any,
               context: list[Any] | None = None) -> bytes:
    return _cdt(wire.OP_CDT_MODIFY, code, bin_name, args, context)


def bit_read(code: int, bin_name: str, *args: Any) -> bytes:
    return wire.op(wire.OP_BIT_READ, bin_name, raw=bytes(wire.pack([code, *args])),
                   ptype=wire.P_BLOB)


def bit_modify(code: int, bin_name: str, *args: Any) -> bytes:
    return wire.op(wire.OP_BIT_MODIFY, bin_name, raw=bytes(wire.pack([code, *args])),
                   ptype=wire.P_BLOB)


def hll_read(code: int, bin_name: str, *args: Any) -> bytes:
    return wire.op(wire.OP_HLL_READ, bin_name, raw=bytes(wire.pack([code, *args])),
                   ptype=wire.P_BLOB)


def hll_modify(code: int, bin_name: str, *args: Any) -> bytes:
    return wire.op(wire.OP_HLL_MODIFY, bin_name, raw=bytes(wire.pack([code, *args])),
                   ptype=wire.P_BLOB)


LIST_READS = {L_SIZE, L_GET, L_GET_RANGE} | set(range(19, 28))
MAP_READS = set(range(96, 111))


def list_op(code: int, bin_name: str, *args: Any, context: list[Any] | None = None) -> bytes:
    """A list op, read or modify by its code."""
    f = cdt_read if code in LIST_READS else cdt_modify
    return f(code, bin_name, *args, context=context)


def map_op(code: int, bin_name: str, *args: Any, context: list[Any] | None = None) -> bytes:
    """A map op, read or modify by its code."""
    f = cdt_read if code in MAP_READS else cdt_modify
    return f(code, bin_name, *args, context=context)
