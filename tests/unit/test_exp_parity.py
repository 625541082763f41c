"""aerospike_py.exp has every builder of aerospike-py 0.14.4's exp under
the same name and signature, and builds the same dict for the same call.

The reference is tests/unit/data/aerospike_py_exp.json, a snapshot of
aerospike-py's module (names, signatures, and the dict each builder returns
for a sample call) made by tests/unit/data/make_aerospike_py_exp.py.
"""

from __future__ import annotations

import inspect
import json
import pathlib
from typing import Any

import pytest

from aerospike_py import exp

REFERENCE: dict[str, Any] = json.loads(
    (pathlib.Path(__file__).parent / "data" / "aerospike_py_exp.json").read_text()
)


def decode(v: Any) -> Any:
    if isinstance(v, dict) and set(v) == {"e"}:
        return getattr(exp, v["e"].split("(")[0])(1)
    if isinstance(v, dict) and set(v) == {"bytes"}:
        return bytes.fromhex(v["bytes"])
    if isinstance(v, dict):
        return {k: decode(x) for k, x in v.items()}
    if isinstance(v, list):
        return [decode(x) for x in v]
    return v


def test_reference_is_aerospike_py_0_14_4() -> None:
    assert REFERENCE["aerospike_py_version"] == "0.14.4"
    assert len(REFERENCE["builders"]) == 72


def test_every_public_name_exists() -> None:
    assert set(REFERENCE["all"]) <= set(exp.__all__)
    for name, value in REFERENCE["constants"].items():
        assert getattr(exp, name) == value


@pytest.mark.parametrize("name", sorted(REFERENCE["builders"]))
def test_same_signature(name: str) -> None:
    ours = inspect.signature(getattr(exp, name))
    theirs = REFERENCE["builders"][name]["params"]
    got = [{"name": p.name, "kind": p.kind.name,
            "default": None if p.default is p.empty else repr(p.default)}
           for p in ours.parameters.values()]
    assert got == theirs


@pytest.mark.parametrize("name", sorted(REFERENCE["builders"]))
def test_same_dict_for_the_same_call(name: str) -> None:
    entry = REFERENCE["builders"][name]
    if name == "let_":
        built = exp.let_(exp.def_("x", exp.int_val(1)), exp.var("x"))
    else:
        built = getattr(exp, name)(*[decode(a) for a in entry["sample"]])
    assert built == decode(entry["result"])
    # And it is a compiled node, usable as a filter as it is.
    assert isinstance(built, exp.Expr) and built.compile()
