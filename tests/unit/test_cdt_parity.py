"""list/map/bit/hll_operations match aerospike-py 0.14.4's modules.

The reference is tests/unit/data/aerospike_py_cdt_signatures.json, made by
tests/unit/data/make_cdt_signatures.py from aerospike-py's stubs and
functions (CI has no aerospike-py install):

* every public function of its four modules exists here, with the same
  parameters (names, kinds, defaults, in order); ours may add keyword-only
  parameters with defaults after them (``ctx``, ``inverted``, ...);
* for the same arguments ours build the same op dict as aerospike-py's, so
  code that inspects or builds dicts by hand keeps working;
* every dict aerospike-py builds is accepted by our encoder.
"""

from __future__ import annotations

import inspect
import json
import pathlib
from typing import Any

import pytest

import aerospike_py
from aerospike_py import _core, bit_operations, hll_operations, list_operations, map_operations

DATA = pathlib.Path(__file__).parent / "data"
REF: dict[str, Any] = json.loads((DATA / "aerospike_py_cdt_signatures.json").read_text())
MODULES = {
    "list_operations": list_operations,
    "map_operations": map_operations,
    "bit_operations": bit_operations,
    "hll_operations": hll_operations,
}
FUNCTIONS = [(m, f) for m, fns in sorted(REF["signatures"].items()) for f in sorted(fns)]
SAMPLES = [(m, i) for m, samples in sorted(REF["samples"].items()) for i in range(len(samples))]


def decode(v: Any) -> Any:
    if isinstance(v, dict):
        if set(v) == {"__bytes__"}:
            return bytes.fromhex(v["__bytes__"])
        return {k: decode(x) for k, x in v.items()}
    if isinstance(v, list):
        return [decode(x) for x in v]
    return v


def test_reference_is_aerospike_py_0_14_4() -> None:
    assert REF["aerospike_py_version"] == "0.14.4"
    counts = {m: len(f) for m, f in REF["signatures"].items()}
    assert counts == {"list_operations": 31, "map_operations": 27, "bit_operations": 18, "hll_operations": 10}


def test_modules_are_attributes_of_the_package() -> None:
    for name, module in MODULES.items():
        assert getattr(aerospike_py, name) is module
        assert name in aerospike_py.__all__


@pytest.mark.parametrize(("module", "function"), FUNCTIONS)
def test_signature_matches(module: str, function: str) -> None:
    ours = getattr(MODULES[module], function)
    assert function in MODULES[module].__all__
    theirs = REF["signatures"][module][function]
    params = list(inspect.signature(ours).parameters.values())
    assert len(params) >= len(theirs["params"])
    for p, t in zip(params, theirs["params"]):
        assert p.name == t["name"], (function, p.name)
        assert p.kind.name == t["kind"], (function, p.name)
        if t["default"] is None:
            assert p.default is inspect.Parameter.empty, (function, p.name)
        else:
            assert repr(p.default) == t["default"], (function, p.name)
    for extra in params[len(theirs["params"]) :]:
        assert extra.kind is inspect.Parameter.KEYWORD_ONLY, (function, extra.name)
        assert extra.default is not inspect.Parameter.empty, (function, extra.name)
    assert theirs["returns"] == "Operation"
    assert inspect.signature(ours).return_annotation == "Operation"


@pytest.mark.parametrize(("module", "i"), SAMPLES)
def test_builds_the_same_dict(module: str, i: int) -> None:
    sample = REF["samples"][module][i]
    fn = getattr(MODULES[module], sample["function"])
    assert fn(**decode(sample["kwargs"])) == decode(sample["op"])


@pytest.mark.parametrize(("module", "i"), SAMPLES)
def test_their_dict_is_accepted(module: str, i: int) -> None:
    op = decode(REF["samples"][module][i]["op"])
    data, n_ops, has_read, has_write, _ = _core._encode_ops([op])
    assert n_ops == 1 and data
    assert has_read != has_write


def test_every_module_function_is_in_all() -> None:
    for module in MODULES.values():
        public = {n for n, v in vars(module).items() if inspect.isfunction(v) and not n.startswith("_")}
        assert public == set(module.__all__) - {"Operation"}, module.__name__
