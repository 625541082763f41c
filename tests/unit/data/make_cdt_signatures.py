"""Writes aerospike_py_cdt_signatures.json: the contract of aerospike-py
0.14.4's list/map/bit/HLL operation modules, for tests/unit/test_cdt_parity.py.

* ``signatures``: every public function of the four modules as its stub
  (``.pyi``) declares it: parameter names, kinds, defaults (as source
  text) and annotations, read with ``ast`` from the installed stubs.
* ``samples``: the op dict each function returns for sample arguments
  (once with only the required ones, once with every optional one too),
  so the dicts users build by hand, and the ones our functions build, can
  be checked against aerospike-py's own.

Run with the interpreter of a virtualenv that has aerospike-py 0.14.4
(never the project's: both packages are named ``aerospike_py``)::

    /root/venvs/aspy/bin/python tests/unit/data/make_cdt_signatures.py
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pathlib
import sys
from typing import Any

MODULES = ("list_operations", "map_operations", "bit_operations", "hll_operations")
OUT = pathlib.Path(__file__).with_name("aerospike_py_cdt_signatures.json")


def stub_signatures(stub: pathlib.Path) -> dict[str, Any]:
    tree = ast.parse(stub.read_text())
    out: dict[str, Any] = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
            continue
        a = node.args
        params: list[dict[str, Any]] = []
        positional = a.posonlyargs + a.args
        defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
        for arg, default in zip(positional, defaults):
            kind = "POSITIONAL_ONLY" if arg in a.posonlyargs else "POSITIONAL_OR_KEYWORD"
            params.append(_param(arg, kind, default))
        for arg, default in zip(a.kwonlyargs, a.kw_defaults):
            params.append(_param(arg, "KEYWORD_ONLY", default))
        out[node.name] = {"params": params, "returns": ast.unparse(node.returns) if node.returns else None}
    return out


def _param(arg: ast.arg, kind: str, default: ast.expr | None) -> dict[str, Any]:
    return {
        "name": arg.arg,
        "kind": kind,
        "default": None if default is None else ast.unparse(default),
        "annotation": ast.unparse(arg.annotation) if arg.annotation else None,
    }


# Sample values by parameter name (JSON-representable; bytes as a marker).
SAMPLE = {
    "bin": "b",
    "val": 7,
    "values": [1, 2, 3],
    "index": 1,
    "count": 2,
    "rank": -1,
    "return_type": 7,
    "begin": 10,
    "end": 20,
    "key": "k",
    "keys": ["k1", "k2"],
    "items": {"a": 1, "b": 2},
    "incr": 5,
    "decr": 3,
    "map_order": 1,
    "list_order": 1,
    "sort_flags": 2,
    "byte_size": 4,
    "byte_offset": 1,
    "bit_offset": 8,
    "bit_size": 16,
    "shift": 3,
    "value": {"__bytes__": "ff00"},
    "signed": True,
    "action": 2,
    "resize_flags": 1,
    "index_bit_count": 10,
    "minhash_bit_count": 4,
}
# HLL operations whose values are sketches (bytes), not elements.
HLL_SKETCH_LISTS = (
    "hll_get_union",
    "hll_get_union_count",
    "hll_get_intersect_count",
    "hll_get_similarity",
    "hll_set_union",
)
POLICIES = {
    "list_operations": {"order": 1, "flags": 2},
    "map_operations": {"order": 1, "write_mode": 0},
    "hll_operations": {"flags": 4},
    "bit_operations": 1,
}


def decode(v: Any) -> Any:
    if isinstance(v, dict) and set(v) == {"__bytes__"}:
        return bytes.fromhex(v["__bytes__"])
    if isinstance(v, list):
        return [decode(x) for x in v]
    return v


def encode(v: Any) -> Any:
    if isinstance(v, (bytes, bytearray)):
        return {"__bytes__": bytes(v).hex()}
    if isinstance(v, dict):
        return {k: encode(x) for k, x in v.items()}
    if isinstance(v, list):
        return [encode(x) for x in v]
    return v


def sample_value(module: str, fn: str, name: str) -> Any:
    if name == "policy":
        return POLICIES[module]
    if name == "value" and fn in ("bit_add", "bit_subtract", "bit_set_int"):
        return 9
    if name == "value" and fn in ("bit_lscan", "bit_rscan"):
        return True
    if name == "values" and fn in HLL_SKETCH_LISTS:
        return [{"__bytes__": "0a04" + "00" * 8}]
    return SAMPLE[name]


def samples(module_name: str) -> list[dict[str, Any]]:
    mod = importlib.import_module(f"aerospike_py.{module_name}")
    out: list[dict[str, Any]] = []
    for name in mod.__all__:
        fn = getattr(mod, name)
        if not inspect.isfunction(fn):
            continue
        sig = inspect.signature(fn)
        required = {
            p.name: sample_value(module_name, name, p.name)
            for p in sig.parameters.values()
            if p.default is inspect.Parameter.empty
        }
        full = {p.name: sample_value(module_name, name, p.name) for p in sig.parameters.values()}
        for kwargs in (required, full):
            op = fn(**{k: decode(v) for k, v in kwargs.items()})
            out.append({"function": name, "kwargs": kwargs, "op": encode(op)})
    return out


def main() -> None:
    import aerospike_py

    root = pathlib.Path(aerospike_py.__file__).parent
    version = importlib.metadata.version("aerospike-py")
    data: dict[str, Any] = {
        "aerospike_py_version": version,
        "signatures": {m: stub_signatures(root / f"{m}.pyi") for m in MODULES},
        "samples": {m: samples(m) for m in MODULES},
    }
    OUT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT} ({sum(len(s) for s in data['signatures'].values())} functions)", file=sys.stderr)


if __name__ == "__main__":
    import importlib.metadata

    main()
