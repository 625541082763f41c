"""Request shapes shared by the families: the single-record commands as the
clients send them (C client / aerospike_py header conventions), built with
``wire``. A module whose name starts with ``_`` is not a family."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .. import wire
from ..wire import Header, op

NS = "test"
TIMEOUT = 1000  # transaction_ttl of single-record requests (ms)


def fields(set_name: str | None, key: Any, *, send_key: bool = False, ns: str = NS,
           extra: Sequence[bytes] = (), digest_override: bytes | None = None) -> list[bytes]:
    return wire.record_fields(ns, set_name, key, send_key=send_key, extra=extra,
                              digest_override=digest_override)


def put(set_name: str | None, key: Any, bins: Mapping[str, Any] | Sequence[tuple[str, Any]],
        *, ttl: int = 0, info2: int = 0, info3: int = 0, generation: int = 0,
        send_key: bool = False, ns: str = NS, extra: Sequence[bytes] = ()) -> bytes:
    items = bins.items() if isinstance(bins, Mapping) else bins
    ops = [op(wire.OP_WRITE, n, v) for n, v in items]
    h = Header(info2=wire.WRITE | info2, info3=info3, generation=generation, ttl=ttl,
               timeout=TIMEOUT)
    return wire.message(h, fields(set_name, key, send_key=send_key, ns=ns, extra=extra), ops)


def get(set_name: str | None, key: Any, bins: Sequence[str] | None = None, *,
        send_key: bool = False, ns: str = NS, info1: int = 0, info3: int = 0,
        extra: Sequence[bytes] = ()) -> bytes:
    if bins is None:
        h = Header(info1=wire.READ | wire.GET_ALL | info1, info3=info3, timeout=TIMEOUT)
        ops: list[bytes] = []
    else:
        h = Header(info1=wire.READ | info1, info3=info3, timeout=TIMEOUT)
        ops = [op(wire.OP_READ, b) for b in bins]
    return wire.message(h, fields(set_name, key, send_key=send_key, ns=ns, extra=extra), ops)


def exists(set_name: str | None, key: Any, *, ns: str = NS) -> bytes:
    h = Header(info1=wire.READ | wire.NOBINDATA, timeout=TIMEOUT)
    return wire.message(h, fields(set_name, key, ns=ns), [])


def remove(set_name: str | None, key: Any, *, info2: int = 0, generation: int = 0,
           send_key: bool = False, ns: str = NS, extra: Sequence[bytes] = ()) -> bytes:
    h = Header(info2=wire.WRITE | wire.DELETE | info2, generation=generation, timeout=TIMEOUT)
    return wire.message(h, fields(set_name, key, send_key=send_key, ns=ns, extra=extra), [])


def touch(set_name: str | None, key: Any, *, ttl: int = 0, info2: int = 0,
          generation: int = 0, ns: str = NS) -> bytes:
    h = Header(info2=wire.WRITE | info2, generation=generation, ttl=ttl, timeout=TIMEOUT)
    return wire.message(h, fields(set_name, key, ns=ns), [op(wire.OP_TOUCH)])


READ_OPS = {wire.OP_READ, wire.OP_CDT_READ, wire.OP_EXP_READ, wire.OP_BIT_READ,
            wire.OP_HLL_READ}


def operate(set_name: str | None, key: Any, ops: Sequence[bytes], *, ttl: int = 0,
            info1: int = 0, info2: int = 0, info3: int = 0, generation: int = 0,
            send_key: bool = False, ns: str = NS, respond_all: bool = False,
            extra: Sequence[bytes] = ()) -> bytes:
    """Header flags as the clients derive them from the ops: READ for read
    ops (+GET_ALL for a nameless read), WRITE for the others."""
    i1, i2 = info1, info2
    for o in ops:
        kind, name_len = o[4], o[7]
        if kind in READ_OPS:
            i1 |= wire.READ
            if kind == wire.OP_READ and name_len == 0:
                i1 |= wire.GET_ALL
        else:
            i2 |= wire.WRITE
    if respond_all:
        i2 |= wire.RESPOND_ALL_OPS
    h = Header(info1=i1, info2=i2, info3=info3, generation=generation, ttl=ttl,
               timeout=TIMEOUT)
    return wire.message(h, fields(set_name, key, send_key=send_key, ns=ns, extra=extra),
                        list(ops))


def w(name: str, value: Any) -> bytes:
    return op(wire.OP_WRITE, name, value)


def r(name: str = "") -> bytes:
    return op(wire.OP_READ, name)


def incr(name: str, value: Any) -> bytes:
    return op(wire.OP_INCR, name, value)


def append(name: str, value: Any) -> bytes:
    return op(wire.OP_APPEND, name, value)


def prepend(name: str, value: Any) -> bytes:
    return op(wire.OP_PREPEND, name, value)


def touch_op() -> bytes:
    return op(wire.OP_TOUCH)


def delete_op() -> bytes:
    return op(wire.OP_DELETE)


def info(*names: str) -> bytes:
    return wire.info_request(*names)
