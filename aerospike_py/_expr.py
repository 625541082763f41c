"""Expression values: the immutable :class:`Expr` node and its wire form.

An expression is a tree of :class:`Expr` nodes. Each node is a read-only
``dict`` with aerospike-py's shape (``{"__expr__": "eq", "left": ...,
"right": ...}``), so code that inspects aerospike-py's expression dicts keeps
working, and it carries the node's compiled wire bytes (Aerospike's
expression MessagePack), computed once when the node is built from its
children's bytes. A policy's ``filter_expression`` and the expression
operations take those bytes as they are: nothing is re-encoded per call.

The wire form is the one the official client (``aerospike`` on PyPI,
through the C client's ``as_exp_compile``) sends for the same expression,
byte for byte.

Hand-built dicts in aerospike-py's shape (and in the shape of our added
builders) are converted by :func:`from_dict`, which names the place of any
mistake (``filter_expression.exprs[1].left: ...``). This module is private;
:mod:`aerospike_py.exp` is the public face.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn

from aerospike_py import _core
from aerospike_py.exception import ParamError

__all__ = ["Def", "Expr", "ExprLike", "from_dict", "to_wire", "as_expr", "fail"]

#: Anything a builder accepts where an expression is expected: an
#: expression, or a plain value (int, float, str, bytes, bool, None, list,
#: dict, GeoJSON), which becomes a value expression.
ExprLike = Any


def fail(where: str, message: str) -> NoReturn:
    """Raises ParamError for a malformed expression, naming where it is."""
    raise ParamError(f"{where}: {message}")


class Expr(dict[str, Any]):
    """One node of an expression: a read-only dict plus its wire bytes.

    Build nodes with the functions of :mod:`aerospike_py.exp`; ``Expr(...)``
    itself is not a constructor. Nodes compare equal to dicts with the same
    keys (aerospike-py's expression dicts), cannot be changed, and are safe
    to share between calls, threads and clients.
    """

    __slots__ = ("_wire",)

    _wire: bytes

    def __new__(cls, *args: Any, **kwargs: Any) -> Expr:
        raise TypeError("build expressions with the functions of aerospike_py.exp")

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # pragma: no cover - unreachable
        pass

    # -- read-only -----------------------------------------------------------

    def _read_only(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("expressions are immutable; build a new one with aerospike_py.exp")

    __setitem__ = _read_only
    __delitem__ = _read_only
    __ior__ = _read_only
    clear = _read_only
    pop = _read_only
    popitem = _read_only
    setdefault = _read_only
    update = _read_only

    def __copy__(self) -> Expr:
        return self

    def __deepcopy__(self, memo: Any) -> Expr:
        return self

    def __reduce__(self) -> tuple[Callable[..., Expr], tuple[dict[str, Any]]]:
        return (from_dict, (dict(self),))

    # -- the wire form ---------------------------------------------------------

    def compile(self) -> bytes:
        """The expression's wire bytes (what goes into the request)."""
        return self._wire

    def base64(self) -> str:
        """The wire bytes in base64, as the official client's
        ``get_expression_base64`` gives them (secondary index and XDR filter
        expressions take this form)."""
        return base64.b64encode(self._wire).decode("ascii")

    @property
    def op(self) -> str:
        """The node's kind (the ``__expr__`` key)."""
        return str(dict.__getitem__(self, "__expr__"))


_new_dict = dict.__new__
_dict_update = dict.update


def node(op: str, wire: bytes, fields: Mapping[str, Any], cls: type[Expr] = Expr) -> Expr:
    """A new node of kind `op` with the given fields and wire bytes."""
    e: Expr = _new_dict(cls)
    _dict_update(e, {"__expr__": op})
    _dict_update(e, fields)
    e._wire = wire
    return e


# ---------------------------------------------------------------------------
# MessagePack pieces (Aerospike's dialect, as the C client packs them)
# ---------------------------------------------------------------------------

_FIXINT = [bytes([i]) for i in range(128)]
_NEG_FIXINT = {i: struct.pack(">b", i) for i in range(-32, 0)}
_ARRAY = [bytes([0x90 | i]) for i in range(16)]


def pack_int(v: int) -> bytes:
    """A signed 64-bit int (``as_pack_int64``: non-negative values use the
    unsigned formats)."""
    if v >= 0:
        if v < 128:
            return _FIXINT[v]
        if v < 0x100:
            return b"\xcc" + bytes((v,))
        if v < 0x10000:
            return b"\xcd" + v.to_bytes(2, "big")
        if v < 0x100000000:
            return b"\xce" + v.to_bytes(4, "big")
        return b"\xcf" + v.to_bytes(8, "big")
    if v >= -32:
        return _NEG_FIXINT[v]
    if v >= -0x80:
        return b"\xd0" + v.to_bytes(1, "big", signed=True)
    if v >= -0x8000:
        return b"\xd1" + v.to_bytes(2, "big", signed=True)
    if v >= -0x80000000:
        return b"\xd2" + v.to_bytes(4, "big", signed=True)
    return b"\xd3" + v.to_bytes(8, "big", signed=True)


def array_header(n: int) -> bytes:
    if n < 16:
        return _ARRAY[n]
    if n < 0x10000:
        return b"\xdc" + n.to_bytes(2, "big")
    return b"\xdd" + n.to_bytes(4, "big")


def raw_str(s: str) -> bytes:
    """A msgpack str without Aerospike's particle-type prefix (bin and
    variable names, regex patterns)."""
    b = s.encode("utf-8")
    n = len(b)
    if n < 32:
        return bytes((0xA0 | n,)) + b
    if n < 0x100:
        return b"\xd9" + bytes((n,)) + b
    if n < 0x10000:
        return b"\xda" + n.to_bytes(2, "big") + b
    return b"\xdb" + n.to_bytes(4, "big") + b


def pack_value(value: Any, where: str) -> bytes:
    """One value packed as the client packs CDT values (strings carry their
    particle-type byte, dicts keep insertion order)."""
    try:
        packed: bytes = _core._exp_pack_value(value)
    except ParamError:
        raise
    except Exception as e:  # InvalidArgError from the value encoder
        fail(where, str(getattr(e, "msg", e)) or f"cannot pack {type(value).__name__}")
    return packed


def call_list(items: Iterable[bytes]) -> bytes:
    parts = list(items)
    return array_header(len(parts)) + b"".join(parts)


# ---------------------------------------------------------------------------
# Argument checks shared by the builders
# ---------------------------------------------------------------------------

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1


def check_int(v: Any, where: str, lo: int = INT64_MIN, hi: int = INT64_MAX) -> int:
    if type(v) is bool or not isinstance(v, int):
        fail(where, f"must be an int, not {type(v).__name__}")
    if not lo <= v <= hi:
        fail(where, f"{v} is out of range {lo}..{hi}")
    return int(v)


def check_str(v: Any, where: str) -> str:
    if not isinstance(v, str):
        fail(where, f"must be a str, not {type(v).__name__}")
    return str(v)


def check_bin_name(v: Any, where: str) -> str:
    name = check_str(v, where)
    if len(name.encode("utf-8")) > 15:
        fail(where, f"bin name {name!r} is longer than 15 bytes")
    return name


# The builders of plain values, filled by aerospike_py.exp (value kind ->
# builder); as_expr() wraps plain values with them.
VALUE_BUILDERS: dict[str, Callable[..., Expr]] = {}


class Def(Expr):
    """A ``def_()`` node: a variable definition, valid only as an operand of
    ``let_()`` (its wire bytes are the "name, value" pair let_ writes)."""

    __slots__ = ()


def as_expr(v: Any, where: str, allow_def: bool = False) -> Expr:
    """`v` as an expression node: nodes as they are, hand-built dicts
    converted, plain values wrapped as value expressions."""
    if type(v) is Expr:
        return v
    if isinstance(v, dict):
        if type(v) is Def or "__expr__" in v:
            e = from_dict(v, where)
            if type(e) is Def and not allow_def:
                fail(where, "a def_() is only valid as an operand of let_()")
            return e
        return VALUE_BUILDERS["map"](v)
    if v is None:
        return VALUE_BUILDERS["nil"]()
    if isinstance(v, bool):
        return VALUE_BUILDERS["bool"](v)
    if isinstance(v, int):
        return VALUE_BUILDERS["int"](check_int(v, where))
    if isinstance(v, float):
        return VALUE_BUILDERS["float"](v)
    if isinstance(v, str):
        return VALUE_BUILDERS["str"](v)
    if isinstance(v, (bytes, bytearray, memoryview)):
        return VALUE_BUILDERS["blob"](bytes(v))
    if isinstance(v, (list, tuple)):
        return VALUE_BUILDERS["list"](list(v))
    if _is_geojson(v):
        return VALUE_BUILDERS["geo"](v)
    fail(where, f"expected an expression or a plain value, not {type(v).__name__}")


def _is_geojson(v: Any) -> bool:
    from aerospike_py.types import GeoJSON

    return isinstance(v, GeoJSON)


# ---------------------------------------------------------------------------
# Hand-built dicts (aerospike-py's shape) -> nodes
# ---------------------------------------------------------------------------

# op name -> (builder, {dict key: parameter name}); filled by aerospike_py.exp.
BUILDERS: dict[str, tuple[Callable[..., Expr], dict[str, str]]] = {}
# Fields that hold sub-expressions (converted recursively), per op name;
# anything else is passed to the builder as it is.
EXPR_FIELDS = frozenset(
    {"left", "right", "expr", "value", "bin", "bin_expr", "index", "rank", "count", "key",
     "begin", "end", "value_begin", "value_end", "values", "keys", "map", "list",
     "byte_size", "byte_offset", "bit_offset", "bit_size", "shift", "index_bit_count",
     "mh_bit_count", "regex_subject"}
)


def from_dict(d: Mapping[str, Any], where: str = "expression") -> Expr:
    """A node from a hand-built dict of aerospike-py's shape
    (``{"__expr__": "eq", "left": {...}, "right": {...}}``)."""
    if type(d) is Expr or type(d) is Def:
        return d
    if not isinstance(d, Mapping):
        fail(where, f"expected an expression dict, not {type(d).__name__}")
    op = d.get("__expr__")
    if not isinstance(op, str):
        fail(where, "an expression dict needs a str '__expr__' key (use aerospike_py.exp)")
    entry = BUILDERS.get(op)
    if entry is None:
        fail(where, f"unknown expression {op!r}")
    builder, renames = entry
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for k, v in d.items():
        if k == "__expr__":
            continue
        if not isinstance(k, str):
            fail(where, f"expression keys must be str, not {type(k).__name__}")
        here = f"{where}.{k}"
        if k == "exprs":
            if not isinstance(v, (list, tuple)):
                fail(here, f"must be a list of expressions, not {type(v).__name__}")
            args = [as_expr(x, f"{here}[{i}]", op == "let") for i, x in enumerate(v)]
            continue
        if k in EXPR_FIELDS and isinstance(v, Mapping) and "__expr__" in v:
            v = as_expr(v, here)
        kwargs[renames.get(k, k)] = v
    try:
        return builder(*args, **kwargs)
    except TypeError as e:
        fail(where, f"{op}: {e}")
    except ParamError as e:
        # Builder messages name the builder ("exp.eq: 'left' ..."); prefix the path.
        if e.msg.startswith(where):
            raise
        fail(where, e.msg)


def to_wire(obj: Any) -> bytes:
    """The wire bytes of anything a policy's ``filter_expression`` accepts
    besides bytes: a node, a hand-built dict, or the official client's
    compiled form (the list returned by its ``.compile()``). Called by the
    native policy parser for everything that is not already a node."""
    if type(obj) is Expr:
        return obj._wire
    if isinstance(obj, Mapping):
        if "__expr__" not in obj:
            fail("filter_expression",
                 "an expression dict needs a str '__expr__' key (use aerospike_py.exp)")
        return as_expr(obj, "filter_expression")._wire
    if isinstance(obj, list) and obj and all(isinstance(t, tuple) and len(t) == 4 for t in obj):
        from aerospike_py._expr_official import from_official

        return from_official(obj)._wire
    if hasattr(obj, "compile") and hasattr(obj, "_op") and hasattr(obj, "_children"):
        from aerospike_py._expr_official import from_official

        return from_official(obj.compile())._wire
    fail(
        "filter_expression",
        f"expected an expression (aerospike_py.exp) or its compiled bytes, not "
        f"{type(obj).__name__}",
    )
