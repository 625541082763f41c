"""Snapshots aerospike-py 0.14.4's ``aerospike_py.exp`` into
aerospike_py_exp.json: every public name, each builder's signature, and the
dict each builder returns for a sample call (CI has no aerospike-py
install). Run with aerospike-py's interpreter:

    /root/venvs/aspy/bin/python tests/unit/data/make_aerospike_py_exp.py
"""

from __future__ import annotations

import inspect
import json
import pathlib
from typing import Any

from aerospike_py import exp  # aerospike-py's, in its own venv

HERE = pathlib.Path(__file__).resolve().parent

# A sample call per builder; {"e": ...} is an expression argument.
E = {"e": "int_val(1)"}
SAMPLES: dict[str, list[Any]] = {
    "int_val": [7], "float_val": [1.5], "string_val": ["s"], "bool_val": [True],
    "blob_val": [{"bytes": "0102"}], "list_val": [[1, "a"]], "map_val": [{"k": 1}],
    "geo_val": ['{"type":"Point","coordinates":[1,2]}'], "key": [2], "digest_modulo": [3],
    "regex_compare": ["^a", 2, E], "var": ["x"], "def_": ["x", E],
}


def decode(v: Any) -> Any:
    if isinstance(v, dict) and set(v) == {"e"}:
        return getattr(exp, v["e"].split("(")[0])(1)
    if isinstance(v, dict) and set(v) == {"bytes"}:
        return bytes.fromhex(v["bytes"])
    return v


def encode(v: Any) -> Any:
    if isinstance(v, bytes):
        return {"bytes": v.hex()}
    if isinstance(v, dict):
        return {k: encode(x) for k, x in v.items()}
    if isinstance(v, list):
        return [encode(x) for x in v]
    return v


def sample_args(name: str, sig: inspect.Signature) -> list[Any]:
    if name in SAMPLES:
        return SAMPLES[name]
    if name.endswith("_bin") or name in ("bin_exists", "bin_type"):
        return ["b1"]
    args: list[Any] = []
    for p in sig.parameters.values():
        if p.kind == p.VAR_POSITIONAL:
            args += [E, E, E] if name in ("cond",) else [E, E]
        else:
            args.append(E)
    return args


def main() -> None:
    builders = {}
    for name in exp.__all__:
        obj = getattr(exp, name)
        if not callable(obj) or name == "Expr":
            continue
        sig = inspect.signature(obj)
        params = [{"name": p.name, "kind": p.kind.name,
                   "default": None if p.default is p.empty else repr(p.default)}
                  for p in sig.parameters.values()]
        args = sample_args(name, sig)
        if name == "let_":
            result = exp.let_(exp.def_("x", exp.int_val(1)), exp.var("x"))
            args = ["<let>"]
        else:
            result = obj(*[decode(a) for a in args])
        builders[name] = {"params": params, "sample": encode(args), "result": encode(result)}
    constants = {n: getattr(exp, n) for n in exp.__all__ if n.isupper()}
    out = {"aerospike_py_version": "0.14.4", "all": list(exp.__all__), "constants": constants,
           "builders": builders}
    (HERE / "aerospike_py_exp.json").write_text(json.dumps(out, indent=1) + "\n")
    print(f"{len(builders)} builders")


if __name__ == "__main__":
    main()
