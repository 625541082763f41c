"""Request shapes of secondary indexes, queries and background jobs, built
from `wire` alone (as aerospike_py and the official C client send them):
sindex-* info commands, a query's INDEX_RANGE / INDEX_TYPE / INDEX_CONTEXT /
INDEX_NAME / INDEX_EXPRESSION fields, partition and digest/bval resume
arrays, and background queries with write ops.

Used by the sindex, query, paging and background families."""

from __future__ import annotations

import base64
import struct
from collections.abc import Iterable, Sequence
from typing import Any

from .. import wire
from ..catalogue import Case
from ._common import info, put

NS = "test"

# Particle types of an INDEX_RANGE.
INTEGER, STRING, BLOB, GEOJSON = 1, 3, 4, 23
# INDEX_TYPE field values (collection indexes).
LIST, MAPKEYS, MAPVALUES = 1, 2, 3
# Background-query write (info2) and the record ops it may carry.
WRITE = 0x01
OP_WRITE, OP_INCR = 2, 5

# An expression reading the integer bin "v": [81, 2, "v"].
INT_BIN_V = wire.pack_exp(wire.exp_bin(2, "v"))
# v == 1 as a filter expression.
V_IS_1 = wire.pack_exp([1, wire.exp_bin(2, "v"), 1])
# A CDT context: the map key "inner" (map_key = 0x22).
CTX_INNER = bytes(wire.pack([0x22, "inner"]))


def sindex_create(name: str, set_name: str | None, datatype: str, *, bin_name: str | None = None,
                  indextype: str | None = None, context: bytes | None = None,
                  exp: bytes | None = None) -> bytes:
    """``sindex-create`` in the 8.x syntax (what aerospike_py sends)."""
    parts = [f"namespace={NS}"]
    if set_name:
        parts.append(f"set={set_name}")
    parts.append(f"indexname={name}")
    if context is not None:
        parts.append("context=" + base64.b64encode(context).decode())
    if exp is not None:
        parts.append("exp=" + base64.b64encode(exp).decode())
    if indextype is not None:
        parts.append(f"indextype={indextype}")
    if bin_name is not None:
        parts.append(f"bin={bin_name}")
    parts.append(f"type={datatype}")
    return info("sindex-create:" + ";".join(parts))


def sindex_delete(name: str) -> bytes:
    return info(f"sindex-delete:namespace={NS};indexname={name}")


def sindex_stat(name: str) -> bytes:
    return info(f"sindex-stat:namespace={NS};indexname={name}")


def sindex_exists(name: str) -> bytes:
    return info(f"sindex-exists:namespace={NS};indexname={name}")


def int_range(bin_name: str, low: int, high: int) -> bytes:
    return _range(bin_name, INTEGER, struct.pack(">q", low), struct.pack(">q", high))


def str_equal(bin_name: str, value: str) -> bytes:
    raw = value.encode()
    return _range(bin_name, STRING, raw, raw)


def blob_equal(bin_name: str, value: bytes) -> bytes:
    return _range(bin_name, BLOB, value, value)


def geo(bin_name: str, region: str) -> bytes:
    raw = region.encode()
    return _range(bin_name, GEOJSON, raw, raw)


def _range(bin_name: str, particle: int, begin: bytes, end: bytes) -> bytes:
    name = bin_name.encode()
    return (bytes([1, len(name)]) + name + bytes([particle]) + struct.pack(">I", len(begin))
            + begin + struct.pack(">I", len(end)) + end)


def query_request(set_name: str | None, *, task_id: int, index_range: bytes | None = None,
                  index_type: int | None = None, context: bytes | None = None,
                  index_name: str | None = None, expression: bytes | None = None,
                  pids: Iterable[int] | None = None, digests: Sequence[bytes] = (),
                  bvals: Sequence[int] = (), bins: Sequence[str] = (), no_bins: bool = False,
                  max_records: int | None = None, rps: int | None = None,
                  filter_exp: bytes | None = None, background_ops: Sequence[bytes] = (),
                  ttl: int = wire.TTL_NEVER_EXPIRE) -> bytes:
    """A query (or a scan, without a range) in the official C client's field
    order: ns, set, rps, socket timeout, task id, index type, index range,
    context, index name, expression, filter, pids, digests, bvals, max
    records; then the background ops or one READ op per selected bin."""
    fields = [wire.fld(wire.F_NAMESPACE, NS)]
    if set_name is not None:
        fields.append(wire.fld(wire.F_SET, set_name))
    if rps:
        fields.append(wire.fld(wire.F_RPS, struct.pack(">I", rps)))
    fields.append(wire.fld(wire.F_SOCKET_TIMEOUT, struct.pack(">I", 10000)))
    fields.append(wire.fld(wire.F_TASK_ID, struct.pack(">Q", task_id)))
    if index_type is not None:
        fields.append(wire.fld(wire.F_INDEX_TYPE, bytes([index_type])))
    if index_range is not None:
        fields.append(wire.fld(wire.F_INDEX_RANGE, index_range))
    if context is not None:
        fields.append(wire.fld(wire.F_INDEX_CONTEXT, context))
    if index_name is not None:
        fields.append(wire.fld(wire.F_INDEX_NAME, index_name))
    if expression is not None:
        fields.append(wire.fld(wire.F_INDEX_EXPRESSION, expression))
    if filter_exp is not None:
        fields.append(wire.fld(wire.F_FILTER, filter_exp))
    if pids is None and not digests:
        pids = range(4096)
    pids = None if pids is None else list(pids)
    if pids or (pids is not None and not digests):  # a resume alone has no pid array
        fields.append(wire.fld(wire.F_PID_ARRAY, b"".join(struct.pack("<H", p) for p in pids)))
    if digests:
        fields.append(wire.fld(wire.F_DIGEST_ARRAY, b"".join(digests)))
    if bvals:
        fields.append(wire.fld(wire.F_BVAL_ARRAY, b"".join(struct.pack("<q", b) for b in bvals)))
    if max_records is not None:
        fields.append(wire.fld(wire.F_MAX_RECORDS, struct.pack(">Q", max_records)))
    if background_ops:
        # As aerospike_py sends it: WRITE, the ops' TTL (0: the default).
        header = wire.Header(info2=WRITE, ttl=0 if ttl == wire.TTL_NEVER_EXPIRE else ttl)
        return wire.message(header, fields, list(background_ops))
    info1 = wire.READ | (wire.NOBINDATA if no_bins else 0)
    header = wire.Header(info1=info1, info3=wire.PARTITION_DONE, ttl=ttl)
    return wire.message(header, fields, [wire.op(wire.OP_READ, b) for b in bins])


def write_op(bin_name: str, value: Any) -> bytes:
    return wire.op(OP_WRITE, bin_name, value)


def incr_op(bin_name: str, value: int) -> bytes:
    return wire.op(OP_INCR, bin_name, value)


def query_show(task_id: int) -> bytes:
    return info(f"query-show:id={task_id}")


def bins_of(i: int) -> dict[str, Any]:
    """The records every query family writes: a bin for each index type."""
    return {"i": i, "name": f"n{i % 7}", "blob": bytes([i % 5]), "tags": [i % 3, i % 5],
            "m": {f"k{i % 4}": i % 6}, "doc": {"inner": i % 4, "other": 1}, "v": i % 4}


POINT = '{{"type":"Point","coordinates":[{lng},{lat}]}}'
REGION = ('{"type":"Polygon","coordinates":[[[-123.0,36.0],[-121.0,36.0],[-121.0,38.0],'
          '[-123.0,38.0],[-123.0,36.0]]]}')


def index_specs(prefix: str) -> dict[str, dict[str, Any]]:
    """One index of every type over bins_of()'s bins, named ``<prefix>_<what>``."""
    return {
        f"{prefix}_i": dict(datatype="NUMERIC", bin_name="i"),
        f"{prefix}_name": dict(datatype="STRING", bin_name="name"),
        f"{prefix}_blob": dict(datatype="BLOB", bin_name="blob"),
        f"{prefix}_tags": dict(datatype="NUMERIC", bin_name="tags", indextype="LIST"),
        f"{prefix}_mk": dict(datatype="STRING", bin_name="m", indextype="MAPKEYS"),
        f"{prefix}_mv": dict(datatype="NUMERIC", bin_name="m", indextype="MAPVALUES"),
        f"{prefix}_loc": dict(datatype="GEO2DSPHERE", bin_name="loc"),
        f"{prefix}_area": dict(datatype="GEO2DSPHERE", bin_name="area"),
        f"{prefix}_ctx": dict(datatype="NUMERIC", bin_name="doc", context=CTX_INNER),
        f"{prefix}_exp": dict(datatype="NUMERIC", exp=INT_BIN_V),
    }


def seed(set_name: str, n: int = 60) -> Case:
    """Records with a bin for every index type, geo points and a region."""
    c = Case("seed")
    for i in range(n):
        c.add(f"put_{i}", put(set_name, i, bins_of(i), send_key=True))
    for i in range(6):
        loc = POINT.format(lng=-122.0 + i * 0.01, lat=37.0)
        c.add(f"put_geo{i}", put(set_name, f"geo{i}", {"loc": wire.Geo(loc), "i": 1000 + i},
                                 send_key=True))
    c.add("put_region", put(set_name, "region", {"area": wire.Geo(REGION), "i": 2000},
                            send_key=True))
    return c


def deletes(case_name: str, names: Sequence[str]) -> Case:
    c = Case(case_name)
    for name in names:
        c.add(f"delete_{name}", sindex_delete(name))
    return c


def creates(case_name: str, set_name: str, specs: dict[str, dict[str, Any]]) -> Case:
    c = Case(case_name)
    for name, spec in specs.items():
        c.add(name, sindex_create(name, set_name, **spec))
    return c
