"""Malformed requests: what the server answers (or whether it closes the
connection) for a bad proto version or type, a bad AS_MSG header size,
fields or ops that overrun or underrun the message, bad op and particle
sizes. (Type 5, XDR between servers, is left out: the real server reads
it and never answers.) Each case starts on a fresh connection state (a close makes the
next step reconnect) and ends with a request that must work."""

from __future__ import annotations

import random
import struct

from .. import wire
from ..catalogue import Case
from ..wire import Header
from ._common import get, put

SET = "rec_malformed"
SETS = (SET,)
PENDING = {
    "admin_login/bad": "deliberate: security commands are answered 52 (not enabled) so that "
                       "clients configured with a user proceed; CE answers 51",
    "admin_short/bad": "deliberate: as admin_login",
}


def _frame(ptype: int, body: bytes, version: int = 2) -> bytes:
    return struct.pack(">Q", (version << 56) | (ptype << 48) | len(body)) + body


def cases(rng: random.Random) -> list[Case]:
    ok_put = put(SET, "m", {"a": 1})
    ok_get = get(SET, "m")
    good = ok_get[8:]
    hdr = good[:22]
    fields_ops = good[22:]
    bad: list[tuple[str, bytes]] = [
        ("version_0", _frame(3, good, version=0)),
        ("version_1", _frame(3, good, version=1)),
        ("version_3", _frame(3, good, version=3)),
        ("type_0", _frame(0, good)),
        ("type_6", _frame(6, good)),
        ("type_99", _frame(99, good)),
        ("admin_login", _frame(2, bytes([0, 0, 20, 0]) + b"\x00" * 12)),
        ("admin_short", _frame(2, b"\x00\x00")),
        ("empty_msg", _frame(3, b"")),
        ("short_header", _frame(3, hdr[:10])),
        ("header_size_0", _frame(3, b"\x00" + good[1:])),
        ("header_size_30", _frame(3, b"\x1e" + good[1:])),
        ("only_header", _frame(3, hdr[:18] + b"\x00\x00\x00\x00")),
        ("fields_count_high", _frame(3, hdr[:18] + b"\x00\x09\x00\x00" + fields_ops)),
        ("fields_count_low", _frame(3, hdr[:18] + b"\x00\x01\x00\x00" + fields_ops)),
        ("ops_count_high", _frame(3, hdr[:18] + hdr[18:20] + b"\x00\x05" + fields_ops)),
        ("trailing_byte", _frame(3, good + b"\x00")),
        ("field_size_0", _frame(3, hdr[:18] + b"\x00\x01\x00\x00" + b"\x00\x00\x00\x00")),
        ("field_size_huge", _frame(3, hdr[:18] + b"\x00\x01\x00\x00" + b"\x7f\xff\xff\xff\x00")),
        ("op_size_small", wire.proto(Header(info2=wire.WRITE, timeout=1000).pack(3, 1) +
                                     b"".join(wire.record_fields("test", SET, "m")) +
                                     b"\x00\x00\x00\x02\x02\x01")),
        ("op_name_overrun", wire.proto(Header(info2=wire.WRITE, timeout=1000).pack(3, 1) +
                                       b"".join(wire.record_fields("test", SET, "m")) +
                                       b"\x00\x00\x00\x05\x02\x01\x00\x09abc")),
        ("compressed_garbage", _frame(4, b"\x00" * 8 + b"garbage")),
        ("compressed_short", _frame(4, b"\x00\x01")),
        ("info_type_with_binary", _frame(1, b"\x00\xff\xfe\n")),
    ]
    out = []
    for name, request in bad:
        c = Case(name)
        c.add("seed", ok_put)
        c.add("bad", request)
        c.add("after", ok_get)
        out.append(c)
    # Well-formed but odd requests that must not close the connection.
    c = Case("odd")
    c.add("seed", ok_put)
    c.add("unknown_field_type", wire.message(Header(info1=wire.READ | wire.GET_ALL, timeout=1000),
                                             wire.record_fields("test", SET, "m",
                                                                extra=[wire.fld(99, b"x")]), []))
    c.add("field_8_scan_options", wire.message(
        Header(info1=wire.READ | wire.GET_ALL, timeout=1000),
        wire.record_fields("test", SET, "m", extra=[wire.fld(8, b"\x00\x00")]), []))
    c.add("op_flags_byte_set", wire.proto(Header(info1=wire.READ, timeout=1000).pack(3, 1) +
                                          b"".join(wire.record_fields("test", SET, "m")) +
                                          b"\x00\x00\x00\x05\x01\x00\x01\x01a"))
    c.add("read_op_with_value", wire.message(Header(info1=wire.READ, timeout=1000),
                                             wire.record_fields("test", SET, "m"),
                                             [wire.op(wire.OP_READ, "a", 5)]))
    c.add("transaction_ttl_1ms", wire.message(Header(info1=wire.READ | wire.GET_ALL, timeout=1),
                                              wire.record_fields("test", SET, "m"), []))
    c.add("info4_bits", wire.message(Header(info2=wire.WRITE, info4=0x10, timeout=1000),
                                     wire.record_fields("test", SET, "m"),
                                     [wire.op(wire.OP_WRITE, "b", 1)]))
    c.add("mrt_field", wire.message(Header(info2=wire.WRITE, timeout=1000),
                                    wire.record_fields("test", SET, "m", extra=[
                                        wire.fld(wire.F_MRT_ID, b"\x01" * 8)]),
                                    [wire.op(wire.OP_WRITE, "b", 1)]))
    c.add("udf_fields_no_op", wire.message(Header(info2=wire.WRITE, timeout=1000),
                                           wire.record_fields("test", SET, "m", extra=[
                                               wire.fld(wire.F_UDF_PACKAGE, "nope"),
                                               wire.fld(wire.F_UDF_FUNCTION, "f"),
                                               wire.fld(wire.F_UDF_ARGS, b"\x90")]), []))
    c.add("after", ok_get)
    out.append(c)
    # Seeded random byte flips of a valid write: whatever the server answers.
    for i in range(30):
        data = bytearray(ok_put)
        pos = rng.randrange(8, len(data))
        data[pos] ^= 1 << rng.randrange(8)
        c = Case(f"flip_{i}")
        c.add("seed", ok_put)
        c.add("bad", bytes(data))
        c.add("after", ok_get)
        out.append(c)
    return out
