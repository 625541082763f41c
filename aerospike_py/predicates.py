"""Predicates of secondary-index queries: pass one to ``Query.where()``.

The functions and the tuples they return are aerospike-py's, so code written
for it runs unchanged::

    from aerospike_py import predicates as p

    query = client.query("test", "demo")
    query.where(p.between("age", 18, 65))

Additions: every predicate takes ``ctx=`` (index on an element inside a
list/map bin, see :func:`encode_ctx`), the geo predicates take
``index_type=`` (a geo index on a list or map of regions) and work (the
server evaluates them); :func:`range` and :func:`geo_contains_point` come from
the official client. ``geo_within_radius`` keeps aerospike-py's argument order
``(bin, lat, lng, radius)``; the official client's is ``(bin, long, lat,
radius)``.

A predicate is a tuple ``(kind, bin, ...)``; ``ctx`` and ``index_type`` of the
additions travel in a trailing dict, which aerospike-py's helpers never add.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping, Sequence
from typing import Any

from aerospike_py.exception import InvalidArgError

__all__ = [
    "between",
    "contains",
    "encode_ctx",
    "equals",
    "geo_contains_geojson_point",
    "geo_contains_point",
    "geo_within_geojson_region",
    "geo_within_radius",
    "normalize",
    "range",
]

# Index types (aerospike_py.INDEX_TYPE_*).
_INDEX_TYPES = (0, 1, 2, 3)
# Particle types of an INDEX_RANGE.
_INTEGER, _STRING, _BLOB, _GEOJSON = 1, 3, 4, 23
_I64 = struct.Struct(">q")


def _extras(ctx: Any, index_type: int | None) -> tuple[dict[str, Any], ...]:
    extra: dict[str, Any] = {}
    if ctx is not None:
        extra["ctx"] = ctx
    if index_type is not None:
        extra["index_type"] = index_type
    return (extra,) if extra else ()


def equals(bin_name: str, val: Any, *, ctx: Any = None) -> tuple[Any, ...]:
    """Records whose ``bin_name`` equals ``val`` (an int, str or bytes)."""
    return ("equals", bin_name, val, *_extras(ctx, None))


def between(bin_name: str, min_val: Any, max_val: Any, *, ctx: Any = None) -> tuple[Any, ...]:
    """Records whose integer ``bin_name`` lies in ``[min_val, max_val]``."""
    return ("between", bin_name, min_val, max_val, *_extras(ctx, None))


def contains(bin_name: str, index_type: int, val: Any, *, ctx: Any = None) -> tuple[Any, ...]:
    """Records whose list/map bin holds ``val`` (``index_type``: INDEX_TYPE_LIST,
    INDEX_TYPE_MAPKEYS, INDEX_TYPE_MAPVALUES or INDEX_TYPE_DEFAULT)."""
    return ("contains", bin_name, index_type, val, *_extras(ctx, None))


def range(  # noqa: A001 - the official client's name
    bin_name: str, index_type: int, min_val: int, max_val: int, *, ctx: Any = None
) -> tuple[Any, ...]:
    """Records with an integer in ``[min_val, max_val]`` in a list/map bin (or
    the bin itself for INDEX_TYPE_DEFAULT)."""
    return ("range", bin_name, index_type, min_val, max_val, *_extras(ctx, None))


def geo_within_geojson_region(
    bin_name: str, geojson: str, *, index_type: int | None = None, ctx: Any = None
) -> tuple[Any, ...]:
    """Records whose GeoJSON point lies inside the region ``geojson``."""
    return ("geo_within_geojson_region", bin_name, geojson, *_extras(ctx, index_type))


def geo_within_radius(
    bin_name: str,
    lat: float,
    lng: float,
    radius: float,
    *,
    index_type: int | None = None,
    ctx: Any = None,
) -> tuple[Any, ...]:
    """Records whose GeoJSON point lies within ``radius`` metres of (lat, lng)."""
    return ("geo_within_radius", bin_name, lat, lng, radius, *_extras(ctx, index_type))


def geo_contains_geojson_point(
    bin_name: str, geojson: str, *, index_type: int | None = None, ctx: Any = None
) -> tuple[Any, ...]:
    """Records whose GeoJSON region contains the point ``geojson``."""
    return ("geo_contains_geojson_point", bin_name, geojson, *_extras(ctx, index_type))


def geo_contains_point(
    bin_name: str, lng: float, lat: float, *, index_type: int | None = None, ctx: Any = None
) -> tuple[Any, ...]:
    """Records whose GeoJSON region contains the point (lng, lat) (the official
    client's helper: longitude first)."""
    point = json.dumps({"type": "Point", "coordinates": [lng, lat]})
    return ("geo_contains_geojson_point", bin_name, point, *_extras(ctx, index_type))


# --- normalization ------------------------------------------------------------


def encode_ctx(ctx: Any) -> bytes | None:
    """The wire form (msgpack) of an index context.

    Accepted: ``bytes`` already encoded (e.g. the official client's
    ``get_cdtctx_base64()`` decoded), a list of ``(ctx_type, value)`` pairs
    (``CDT_CTX_*`` numbers, e.g. ``[(0x10, 0)]`` for list index 0), or of
    objects with ``id`` and ``value`` attributes (the official client's
    ``cdt_ctx`` items).
    """
    if ctx is None:
        return None
    if isinstance(ctx, (bytes, bytearray, memoryview)):
        data = bytes(ctx)
        if not data:
            raise InvalidArgError("ctx is empty", code=-2)
        return data
    if not isinstance(ctx, Sequence) or isinstance(ctx, str) or not ctx:
        raise InvalidArgError(f"ctx must be a non-empty list or bytes, not {ctx!r}", code=-2)
    flat: list[Any] = []
    for item in ctx:
        if isinstance(item, tuple) and len(item) == 2:
            kind, value = item
        elif hasattr(item, "id") and hasattr(item, "value"):
            kind, value = item.id, item.value
        else:
            raise InvalidArgError(f"ctx items must be (type, value) pairs, not {item!r}", code=-2)
        if type(kind) is not int:
            raise InvalidArgError(f"ctx type must be an int, not {kind!r}", code=-2)
        flat += [kind, value]
    from aerospike_py import _core

    _, data = _core._encode_value(flat)
    return data


def _expression_bytes(expression: Any) -> bytes:
    if isinstance(expression, (bytes, bytearray, memoryview)):
        data = bytes(expression)
        if data:
            return data
    raise InvalidArgError(
        f"an index expression must be a compiled expression (bytes), not {expression!r}",
        code=-2,
    )


def _value(val: Any, what: str) -> tuple[int, bytes]:
    if isinstance(val, bool) or not isinstance(val, (int, str, bytes, bytearray)):
        raise InvalidArgError(
            f"{what} must be an int, str or bytes, not {type(val).__name__}", code=-2
        )
    if isinstance(val, int):
        try:
            return _INTEGER, _I64.pack(val)
        except struct.error:
            raise InvalidArgError(f"{what} {val} does not fit in 64 bits", code=-2) from None
    if isinstance(val, str):
        return _STRING, val.encode()
    return _BLOB, bytes(val)


def _int(val: Any, what: str) -> bytes:
    if isinstance(val, bool) or not isinstance(val, int):
        raise InvalidArgError(f"{what} must be an int, not {type(val).__name__}", code=-2)
    try:
        return _I64.pack(val)
    except struct.error:
        raise InvalidArgError(f"{what} {val} does not fit in 64 bits", code=-2) from None


def _index_type(value: Any) -> int:
    if value is None:
        return 0
    if type(value) is not int or value not in _INDEX_TYPES:
        raise InvalidArgError(
            f"index_type must be INDEX_TYPE_DEFAULT, INDEX_TYPE_LIST, INDEX_TYPE_MAPKEYS or "
            f"INDEX_TYPE_MAPVALUES, not {value!r}",
            code=-2,
        )
    return value


def _geo_text(value: Any, what: str) -> bytes:
    if isinstance(value, Mapping):
        return json.dumps(value).encode()
    text = getattr(value, "_text", None)  # aerospike_py.types.GeoJSON
    if isinstance(text, str):
        return text.encode()
    if isinstance(value, str):
        return value.encode()
    raise InvalidArgError(f"{what} must be a GeoJSON string, not {value!r}", code=-2)


def normalize(
    predicate: Any,
    *,
    ctx: Any = None,
    index_name: str | None = None,
    expression: Any = None,
) -> tuple[Any, ...]:
    """A predicate in the form the native query takes: ``(bin | None,
    particle_type, begin, end, index_type, ctx | None, index_name | None,
    expression | None)``. Raises InvalidArgError for anything malformed.

    ``index_name``: address the index by its name (the predicate's bin name
    is not sent); ``expression``: address an expression index.
    """
    if not isinstance(predicate, tuple) or len(predicate) < 3 or not isinstance(predicate[0], str):
        raise InvalidArgError(
            f"a predicate must be a tuple from aerospike_py.predicates, not {predicate!r}", code=-2
        )
    extra: dict[str, Any] = {}
    if isinstance(predicate[-1], dict):
        extra = predicate[-1]
        predicate = predicate[:-1]
    kind, bin_name, args = predicate[0], predicate[1], predicate[2:]
    index_type = _index_type(extra.get("index_type"))
    if ctx is None:
        ctx = extra.get("ctx")

    def arity(n: int) -> None:
        if len(args) != n:
            raise InvalidArgError(f"malformed {kind} predicate {predicate!r}", code=-2)

    if kind == "equals":
        arity(1)
        particle, begin = _value(args[0], "equals value")
        end = begin
    elif kind == "between":
        arity(2)
        particle, begin, end = _INTEGER, _int(args[0], "between min"), _int(args[1], "between max")
    elif kind == "contains":
        arity(2)
        index_type = _index_type(args[0])
        particle, begin = _value(args[1], "contains value")
        end = begin
    elif kind == "range":
        arity(3)
        index_type = _index_type(args[0])
        particle, begin, end = _INTEGER, _int(args[1], "range min"), _int(args[2], "range max")
    elif kind in ("geo_within_geojson_region", "geo_contains_geojson_point"):
        arity(1)
        particle, begin = _GEOJSON, _geo_text(args[0], "GeoJSON")
        end = begin
    elif kind == "geo_within_radius":
        arity(3)
        lat, lng, radius = args
        for v, what in ((lat, "lat"), (lng, "lng"), (radius, "radius")):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise InvalidArgError(f"geo_within_radius {what} must be a number", code=-2)
        circle = {"type": "AeroCircle", "coordinates": [[float(lng), float(lat)], float(radius)]}
        particle, begin = _GEOJSON, json.dumps(circle).encode()
        end = begin
    else:
        raise InvalidArgError(f"unknown predicate kind {kind!r}", code=-2)
    if particle == _INTEGER and kind in ("between", "range") and begin != end:
        if _I64.unpack(begin)[0] > _I64.unpack(end)[0]:
            raise InvalidArgError(f"{kind} predicate: min is greater than max", code=-2)

    name: str | None = None
    exp: bytes | None = None
    if index_name is not None:
        if not isinstance(index_name, str) or not index_name:
            raise InvalidArgError("index_name must be a non-empty str", code=-2)
        name = index_name
    if expression is not None:
        exp = _expression_bytes(expression)
    if name is not None or exp is not None:
        if ctx is not None:
            raise InvalidArgError("a ctx cannot be combined with an index name or expression",
                                  code=-2)
        bin_field: str | None = None
    else:
        if not isinstance(bin_name, str) or not bin_name:
            raise InvalidArgError(f"predicate bin name must be a non-empty str, not {bin_name!r}",
                                  code=-2)
        bin_field = bin_name
    return (bin_field, particle, begin, end, index_type, encode_ctx(ctx), name, exp)
