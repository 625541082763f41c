"""A small, pure-Python builder and parser of the Aerospike wire protocol.

The recorder builds every request with this module instead of the client
under test, so a recording's request bytes never depend on the client's
encoder (and the recordings cross-check it). Nothing here knows about
sockets; ``session.py`` moves the bytes.

What it covers: the proto header (info, AS_MSG), the 22-byte AS_MSG
header, fields, ops, particles (with the Aerospike flavour of MessagePack
for lists and maps), digests (RIPEMD-160, as the server hashes them),
batch rows (field 41 and the legacy field 42), scans, and the parsing of
replies into messages for the replay's comparison.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

# -- constants (wire protocol fact sheet §3-§6) ------------------------------

PROTO_VERSION = 2
INFO, ADMIN, MESSAGE, COMPRESSED = 1, 2, 3, 4

# info1
READ, GET_ALL, SHORT_QUERY, BATCH, XDR, NOBINDATA, READ_AP_ALL, COMPRESS_RESPONSE = (
    1, 2, 4, 8, 16, 32, 64, 128)
# info2
WRITE, DELETE, GENERATION, GENERATION_GT, DURABLE_DELETE, CREATE_ONLY, RELAX_AP_LONG_QUERY, \
    RESPOND_ALL_OPS = (1, 2, 4, 8, 16, 32, 64, 128)
# info3
LAST, COMMIT_MASTER, PARTITION_DONE, UPDATE_ONLY, CREATE_OR_REPLACE, REPLACE_ONLY, \
    SC_READ_TYPE, SC_READ_RELAX = (1, 2, 4, 8, 16, 32, 64, 128)

# Field types.
F_NAMESPACE, F_SET, F_KEY, F_RECORD_VERSION, F_DIGEST = 0, 1, 2, 3, 4
F_MRT_ID, F_MRT_DEADLINE, F_TASK_ID, F_SOCKET_TIMEOUT, F_RPS = 5, 6, 7, 9, 10
F_PID_ARRAY, F_DIGEST_ARRAY, F_MAX_RECORDS, F_BVAL_ARRAY = 11, 12, 13, 15
F_INDEX_NAME, F_INDEX_RANGE, F_INDEX_CONTEXT, F_INDEX_EXPRESSION, F_INDEX_TYPE = 21, 22, 23, 24, 26
F_UDF_PACKAGE, F_UDF_FUNCTION, F_UDF_ARGS, F_UDF_OP = 30, 31, 32, 33
F_QUERY_BINS, F_BATCH, F_BATCH_WITH_SET, F_FILTER = 40, 41, 42, 43

# Op types.
OP_READ, OP_WRITE, OP_CDT_READ, OP_CDT_MODIFY, OP_INCR = 1, 2, 3, 4, 5
OP_EXP_READ, OP_EXP_MODIFY, OP_APPEND, OP_PREPEND, OP_TOUCH = 7, 8, 9, 10, 11
OP_BIT_READ, OP_BIT_MODIFY, OP_DELETE, OP_HLL_READ, OP_HLL_MODIFY = 12, 13, 14, 15, 16

# Particle types.
P_NULL, P_INTEGER, P_FLOAT, P_STRING, P_BLOB = 0, 1, 2, 3, 4
P_JAVA_BLOB, P_CSHARP_BLOB, P_PYTHON_BLOB, P_RUBY_BLOB, P_PHP_BLOB, P_ERLANG_BLOB = (
    7, 8, 9, 10, 11, 12)
P_BOOL, P_HLL, P_MAP, P_LIST, P_GEOJSON = 17, 18, 19, 20, 23

# Special record_ttl values on writes.
TTL_NAMESPACE_DEFAULT = 0
TTL_NEVER_EXPIRE = 0xFFFFFFFF
TTL_DONT_UPDATE = 0xFFFFFFFE

# Batch row flags.
ROW_REPEAT, ROW_HAS_INFO, ROW_HAS_GENERATION, ROW_HAS_TTL, ROW_HAS_INFO4 = 1, 2, 4, 8, 16
# Batch (field 41) flags.
BATCH_INLINE, BATCH_INLINE_SSD, BATCH_REPORT_ALL, BATCH_REPORT_ERROR_REC = 1, 2, 4, 8

CITRUSLEAF_EPOCH = 1262304000  # 2010-01-01T00:00:00Z: void times count from here


# -- values ------------------------------------------------------------------

class Geo(str):
    """A GeoJSON text (particle 23, or prefix 0x17 inside msgpack)."""


class Hll(bytes):
    """Raw HyperLogLog bytes (particle 18)."""


@dataclass(frozen=True)
class Raw:
    """A particle of any type with exactly these value bytes (for malformed
    or unusual inputs: a 4-byte integer, a bool of 2, a language blob)."""

    ptype: int
    data: bytes


@dataclass(frozen=True)
class Ext:
    """A msgpack ext value (order flags, wildcard, infinity)."""

    type: int
    data: bytes = b""


@dataclass(frozen=True)
class OrderedMap:
    """A key-ordered map (flags 1) or key-value-ordered map (flags 3): the
    items are written in the given order after the order-flag pair."""

    items: tuple[tuple[Any, Any], ...]
    flags: int = 1


@dataclass(frozen=True)
class OrderedList:
    """A list carrying the ordered flag ext as its first element."""

    items: tuple[Any, ...]
    flags: int = 1


@dataclass(frozen=True)
class RawMsgpack:
    """Bytes spliced verbatim into a msgpack stream (malformed inputs)."""

    data: bytes


WILDCARD = Ext(0xFF, b"\x00")
INFINITY = Ext(0xFF, b"\x01")

Value = Union[None, bool, int, float, str, bytes, list, dict, tuple, Geo, Hll, Raw, Ext,
              OrderedMap, OrderedList, RawMsgpack]


def _pack_int(v: int, out: bytearray) -> None:
    if 0 <= v < 0x80:
        out.append(v)
    elif -32 <= v < 0:
        out.append(v & 0xFF)
    elif v >= 0:
        if v < 1 << 8:
            out += b"\xcc" + struct.pack(">B", v)
        elif v < 1 << 16:
            out += b"\xcd" + struct.pack(">H", v)
        elif v < 1 << 32:
            out += b"\xce" + struct.pack(">I", v)
        else:
            out += b"\xcf" + struct.pack(">Q", v)
    else:
        if v >= -(1 << 7):
            out += b"\xd0" + struct.pack(">b", v)
        elif v >= -(1 << 15):
            out += b"\xd1" + struct.pack(">h", v)
        elif v >= -(1 << 31):
            out += b"\xd2" + struct.pack(">i", v)
        else:
            out += b"\xd3" + struct.pack(">q", v)


def _pack_str_payload(payload: bytes, out: bytearray) -> None:
    n = len(payload)
    if n < 32:
        out.append(0xA0 | n)
    elif n < 1 << 8:
        out += b"\xd9" + struct.pack(">B", n)
    elif n < 1 << 16:
        out += b"\xda" + struct.pack(">H", n)
    else:
        out += b"\xdb" + struct.pack(">I", n)
    out += payload


def _pack_array_header(n: int, out: bytearray) -> None:
    if n < 16:
        out.append(0x90 | n)
    elif n < 1 << 16:
        out += b"\xdc" + struct.pack(">H", n)
    else:
        out += b"\xdd" + struct.pack(">I", n)


def _pack_map_header(n: int, out: bytearray) -> None:
    if n < 16:
        out.append(0x80 | n)
    elif n < 1 << 16:
        out += b"\xde" + struct.pack(">H", n)
    else:
        out += b"\xdf" + struct.pack(">I", n)


def _pack_ext(e: Ext, out: bytearray) -> None:
    n = len(e.data)
    fixed = {1: 0xD4, 2: 0xD5, 4: 0xD6, 8: 0xD7, 16: 0xD8}
    if n in fixed:
        out.append(fixed[n])
    elif n < 1 << 8:
        out += b"\xc7" + struct.pack(">B", n)
    elif n < 1 << 16:
        out += b"\xc8" + struct.pack(">H", n)
    else:
        out += b"\xc9" + struct.pack(">I", n)
    out.append(e.type & 0xFF)
    out += e.data


def pack(value: Any, out: bytearray | None = None, names: bool = False) -> bytearray:
    """Aerospike msgpack: strings carry the particle-type prefix byte 3,
    blobs 4, GeoJSON 23. ``names`` packs strings without a prefix (bin and
    variable names inside expressions)."""
    if out is None:
        out = bytearray()
    if value is None:
        out.append(0xC0)
    elif value is True:
        out.append(0xC3)
    elif value is False:
        out.append(0xC2)
    elif isinstance(value, int):
        _pack_int(value, out)
    elif isinstance(value, float):
        out += b"\xcb" + struct.pack(">d", value)
    elif isinstance(value, Geo):
        _pack_str_payload(b"\x17" + value.encode(), out)
    elif isinstance(value, str):
        raw = value.encode()
        _pack_str_payload(raw if names else b"\x03" + raw, out)
    elif isinstance(value, Raw):
        _pack_str_payload(bytes([value.ptype]) + value.data, out)
    elif isinstance(value, (bytes, bytearray)):
        _pack_str_payload(b"\x04" + bytes(value), out)
    elif isinstance(value, Ext):
        _pack_ext(value, out)
    elif isinstance(value, RawMsgpack):
        out += value.data
    elif isinstance(value, OrderedMap):
        _pack_map_header(len(value.items) + 1, out)
        out += b"\xc7\x00" + bytes([value.flags]) + b"\xc0"
        for k, v in value.items:
            pack(k, out, names)
            pack(v, out, names)
    elif isinstance(value, OrderedList):
        _pack_array_header(len(value.items) + 1, out)
        out += b"\xc7\x00" + bytes([value.flags])
        for v in value.items:
            pack(v, out, names)
    elif isinstance(value, (list, tuple)):
        _pack_array_header(len(value), out)
        for v in value:
            pack(v, out, names)
    elif isinstance(value, dict):
        _pack_map_header(len(value), out)
        for k, v in value.items():
            pack(k, out, names)
            pack(v, out, names)
    else:
        raise TypeError(f"cannot pack {type(value).__name__}")
    return out


def particle(value: Any) -> tuple[int, bytes]:
    """A bin value as (particle type, value bytes) for a WRITE op."""
    if value is None:
        return P_NULL, b""
    if isinstance(value, Raw):
        return value.ptype, value.data
    if value is True or value is False:
        return P_BOOL, b"\x01" if value else b"\x00"
    if isinstance(value, int):
        return P_INTEGER, struct.pack(">q", value)
    if isinstance(value, float):
        return P_FLOAT, struct.pack(">d", value)
    if isinstance(value, Geo):
        return P_GEOJSON, b"\x00\x00\x00" + value.encode()
    if isinstance(value, str):
        return P_STRING, value.encode()
    if isinstance(value, Hll):
        return P_HLL, bytes(value)
    if isinstance(value, (bytes, bytearray)):
        return P_BLOB, bytes(value)
    if isinstance(value, (dict, OrderedMap)):
        return P_MAP, bytes(pack(value))
    if isinstance(value, (list, tuple, OrderedList)):
        return P_LIST, bytes(pack(value))
    raise TypeError(f"no particle for {type(value).__name__}")


def key_bytes(key: Any) -> bytes:
    """The user key as the KEY field carries it (type byte + value)."""
    if isinstance(key, Raw):
        return bytes([key.ptype]) + key.data
    if isinstance(key, bool):
        raise TypeError("bool keys are not keys")
    if isinstance(key, int):
        return b"\x01" + struct.pack(">q", key)
    if isinstance(key, str):
        return b"\x03" + key.encode()
    if isinstance(key, (bytes, bytearray)):
        return b"\x04" + bytes(key)
    if isinstance(key, float):
        return b"\x02" + struct.pack(">d", key)
    raise TypeError(f"no key encoding for {type(key).__name__}")


def digest(set_name: str, key: Any) -> bytes:
    """RIPEMD-160(set ‖ key type ‖ key value): the record's digest."""
    h = hashlib.new("ripemd160")
    h.update(set_name.encode())
    h.update(key_bytes(key))
    return h.digest()


def partition_id(d: bytes) -> int:
    return int.from_bytes(d[:2], "little") & 0xFFF


# -- building ----------------------------------------------------------------

def proto(body: bytes, ptype: int = MESSAGE) -> bytes:
    return struct.pack(">Q", (PROTO_VERSION << 56) | (ptype << 48) | len(body)) + body


def info_request(*names: str) -> bytes:
    """An info frame asking each name (each line ends in a newline)."""
    return proto("".join(n + "\n" for n in names).encode(), INFO)


def fld(ftype: int, data: bytes | str) -> bytes:
    if isinstance(data, str):
        data = data.encode()
    return struct.pack(">IB", len(data) + 1, ftype) + data


def op(op_type: int, name: str | bytes = b"", value: Any = None, *,
       ptype: int | None = None, raw: bytes | None = None) -> bytes:
    """One op. ``value`` is converted by particle(); ``raw``/``ptype`` give
    the bytes and type directly (CDT/expression ops: ptype 4, msgpack)."""
    nm = name.encode() if isinstance(name, str) else name
    if raw is not None:
        pt, data = (P_BLOB if ptype is None else ptype), raw
    else:
        pt, data = particle(value)
        if ptype is not None:
            pt = ptype
    return struct.pack(">IBBBB", 4 + len(nm) + len(data), op_type, pt, 0, len(nm)) + nm + data


@dataclass
class Header:
    info1: int = 0
    info2: int = 0
    info3: int = 0
    info4: int = 0
    generation: int = 0
    ttl: int = 0
    timeout: int = 0

    def pack(self, n_fields: int, n_ops: int) -> bytes:
        return struct.pack(">BBBBBBIIIHH", 22, self.info1, self.info2, self.info3, self.info4,
                           0, self.generation, self.ttl, self.timeout, n_fields, n_ops)


def message(header: Header, fields: Sequence[bytes], ops: Sequence[bytes]) -> bytes:
    """A whole AS_MSG frame."""
    return proto(header.pack(len(fields), len(ops)) + b"".join(fields) + b"".join(ops))


def record_fields(ns: str, set_name: str | None, key: Any, *, send_key: bool = False,
                  digest_override: bytes | None = None,
                  extra: Sequence[bytes] = ()) -> list[bytes]:
    """Namespace, set, digest (and key) fields of a single-record command."""
    d = digest_override if digest_override is not None else digest(set_name or "", key)
    out = [fld(F_NAMESPACE, ns)]
    if set_name is not None:
        out.append(fld(F_SET, set_name))
    out.append(fld(F_DIGEST, d))
    if send_key:
        out.append(fld(F_KEY, key_bytes(key)))
    out.extend(extra)
    return out


@dataclass
class BatchRow:
    """One row of a batch (field 41/42). ``repeat`` rows reuse the previous
    full row's namespace, set, fields, ops and flags."""

    index: int
    key: Any
    set_name: str | None = None
    ns: str = "test"
    info1: int = 0
    info2: int | None = None  # None: no HAS_INFO (info1 only)
    info3: int = 0
    info4: int | None = None
    generation: int | None = None
    ttl: int | None = None
    ops: Sequence[bytes] = ()
    extra_fields: Sequence[bytes] = ()
    send_key: bool = False
    repeat: bool = False
    digest_override: bytes | None = None

    def pack(self) -> bytes:
        d = self.digest_override or digest(self.set_name or "", self.key)
        head = struct.pack(">I", self.index) + d
        if self.repeat:
            return head + bytes([ROW_REPEAT])
        flags = 0
        attrs = bytes([self.info1])
        if self.info2 is not None:
            flags |= ROW_HAS_INFO
            attrs += bytes([self.info2, self.info3])
        if self.info4 is not None:
            flags |= ROW_HAS_INFO4
            attrs += bytes([self.info4])
        if self.generation is not None:
            flags |= ROW_HAS_GENERATION
            attrs += struct.pack(">H", self.generation)
        if self.ttl is not None:
            flags |= ROW_HAS_TTL
            attrs += struct.pack(">I", self.ttl)
        fields = [fld(F_NAMESPACE, self.ns)]
        if self.set_name is not None:
            fields.append(fld(F_SET, self.set_name))
        if self.send_key:
            fields.append(fld(F_KEY, key_bytes(self.key)))
        fields.extend(self.extra_fields)
        return (head + bytes([flags]) + attrs + struct.pack(">HH", len(fields), len(self.ops))
                + b"".join(fields) + b"".join(self.ops))


def batch_request(rows: Sequence[BatchRow], *, flags: int = BATCH_INLINE | BATCH_REPORT_ERROR_REC,
                  header: Header | None = None, field_type: int = F_BATCH,
                  filter_exp: bytes | None = None, count: int | None = None) -> bytes:
    """A batch frame. ``count`` overrides the row count (malformed inputs)."""
    h = header or Header(info1=BATCH)
    data = struct.pack(">IB", len(rows) if count is None else count, flags)
    data += b"".join(r.pack() for r in rows)
    fields = []
    if filter_exp is not None:
        fields.append(fld(F_FILTER, filter_exp))
    fields.append(fld(field_type, data))
    return message(h, fields, [])


def scan_request(ns: str, set_name: str | None, *, pids: Iterable[int] | None = None,
                 bins: Sequence[str] = (), no_bins: bool = False, max_records: int | None = None,
                 task_id: int = 1, filter_exp: bytes | None = None,
                 digests: Sequence[bytes] = (), info3: int = PARTITION_DONE,
                 extra: Sequence[bytes] = ()) -> bytes:
    """A foreground scan (a query without an index range)."""
    info1 = READ | (NOBINDATA if no_bins else 0)
    fields = [fld(F_NAMESPACE, ns)]
    if set_name is not None:
        fields.append(fld(F_SET, set_name))
    fields.append(fld(F_SOCKET_TIMEOUT, struct.pack(">I", 10000)))
    fields.append(fld(F_TASK_ID, struct.pack(">Q", task_id)))
    if filter_exp is not None:
        fields.append(fld(F_FILTER, filter_exp))
    if pids is None and not digests:
        pids = range(4096)
    if pids is not None:
        fields.append(fld(F_PID_ARRAY, b"".join(struct.pack("<H", p) for p in pids)))
    if digests:
        fields.append(fld(F_DIGEST_ARRAY, b"".join(digests)))
    if max_records is not None:
        fields.append(fld(F_MAX_RECORDS, struct.pack(">Q", max_records)))
    fields.extend(extra)
    ops = [op(OP_READ, b) for b in bins]
    return message(Header(info1=info1, info3=info3, ttl=TTL_NEVER_EXPIRE, timeout=10000),
                   fields, ops)


# -- expressions (wire protocol §12) -----------------------------------------

def exp_bin(exp_type: int, name: str) -> list[Any]:
    return [81, exp_type, Name(name)]


@dataclass(frozen=True)
class Name:
    """A string packed without a particle prefix (bin/variable names)."""

    text: str


def pack_exp(tree: Any) -> bytes:
    """Packs an expression tree; Name() leaves are prefix-less strings."""
    out = bytearray()

    def walk(v: Any) -> None:
        if isinstance(v, Name):
            _pack_str_payload(v.text.encode(), out)
        elif isinstance(v, list):
            _pack_array_header(len(v), out)
            for x in v:
                walk(x)
        else:
            pack(v, out)

    walk(tree)
    return bytes(out)


# -- parsing replies ---------------------------------------------------------

def split_frames(data: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos + 2:pos + 8], "big")
        out.append(data[pos:pos + 8 + size])
        pos += 8 + size
    return out


@dataclass
class Msg:
    """One AS_MSG of a reply."""

    info1: int
    info2: int
    info3: int
    info4: int
    result: int
    generation: int
    void_time: int
    index: int
    fields: list[tuple[int, bytes]] = field(default_factory=list)
    ops: list[tuple[int, int, bytes, bytes]] = field(default_factory=list)

    def field(self, ftype: int) -> bytes | None:
        for t, d in self.fields:
            if t == ftype:
                return d
        return None


class ParseError(ValueError):
    pass


def parse_messages(frame: bytes) -> Iterator[Msg]:
    """The AS_MSGs of one type-3 frame (several in a stream frame)."""
    try:
        yield from _parse_messages(frame)
    except (IndexError, struct.error) as e:
        raise ParseError(f"malformed AS_MSG: {e}") from None


def _parse_messages(frame: bytes) -> Iterator[Msg]:
    if len(frame) < 8 or frame[1] != MESSAGE:
        raise ParseError(f"not an AS_MSG frame: {frame[:8].hex()}")
    body = frame[8:]
    pos = 0
    while pos < len(body):
        if pos + 22 > len(body):
            raise ParseError("truncated AS_MSG header")
        (_, i1, i2, i3, i4, rc, gen, vt, idx, nf, no) = struct.unpack(
            ">BBBBBBIIIHH", body[pos:pos + 22])
        p = pos + 22
        m = Msg(i1, i2, i3, i4, rc, gen, vt, idx)
        for _ in range(nf):
            sz = int.from_bytes(body[p:p + 4], "big")
            m.fields.append((body[p + 4], bytes(body[p + 5:p + 4 + sz])))
            p += 4 + sz
        for _ in range(no):
            sz = int.from_bytes(body[p:p + 4], "big")
            nl = body[p + 7]
            m.ops.append((body[p + 4], body[p + 5], bytes(body[p + 8:p + 8 + nl]),
                          bytes(body[p + 8 + nl:p + 4 + sz])))
            p += 4 + sz
        if p > len(body):
            raise ParseError("AS_MSG overruns its frame")
        yield m
        pos = p


def parse_info(frame: bytes) -> list[tuple[str, str]]:
    """An info reply as (echoed name, value) pairs."""
    text = frame[8:].decode("utf-8", "replace")
    out = []
    for line in text.split("\n"):
        if line == "":
            continue
        name, _, value = line.partition("\t")
        out.append((name, value))
    return out


def is_stream_end(frame: bytes) -> bool:
    """Whether a type-3 frame holds a LAST message."""
    try:
        return any(m.info3 & LAST for m in parse_messages(frame))
    except ParseError:
        return True


def batch_indexes_masked(request: bytes) -> bytes:
    """``request`` with every batch row's index zeroed (other requests as they are).

    The client numbers a batch's rows from a random base on each call (so that
    an answer to another batch can never pass for this one), so only the rows'
    other bytes say whether a family's requests are still the ones recorded.
    """
    if len(request) < 30 or request[1] != 3:
        return request
    out = bytearray(request)
    try:
        n_fields = struct.unpack_from(">H", out, 8 + 18)[0]
        at = 8 + 22
        for _ in range(n_fields):
            size = struct.unpack_from(">I", out, at)[0]
            if out[at + 4] == F_BATCH:
                _zero_row_indexes(out, at + 5, at + 4 + size)
            at += 4 + size
    except (struct.error, IndexError):
        return request  # a deliberately malformed request: compared whole
    return bytes(out)


def _zero_row_indexes(out: bytearray, at: int, end: int) -> None:
    n_rows = struct.unpack_from(">I", out, at)[0]
    at += 5  # row count, batch flags
    for _ in range(n_rows):
        if at + 25 > end:
            return
        out[at:at + 4] = b"\0\0\0\0"
        flags = out[at + 24]
        at += 25
        if flags & ROW_REPEAT:
            continue
        at += 1  # info1
        at += 2 if flags & ROW_HAS_INFO else 0
        at += 1 if flags & ROW_HAS_INFO4 else 0
        at += 2 if flags & ROW_HAS_GENERATION else 0
        at += 4 if flags & ROW_HAS_TTL else 0
        n_fields, n_ops = struct.unpack_from(">HH", out, at)
        at += 4
        for _ in range(n_fields + n_ops):
            at += 4 + struct.unpack_from(">I", out, at)[0]
