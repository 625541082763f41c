"""aerospike-py's private helper names that code written for it may import.

Not API in aerospike-py either, but reached for by its users' op builders
(and by its own tests): ``aerospike_py._types._build_op``,
``exp._cmd`` / ``exp._VALID_OPS``, the ``_OP_LIST_*`` / ``_OP_MAP_*`` codes.
Also: every public name of the package is in ``__all__``.
"""

from __future__ import annotations

import types

import pytest

import aerospike_py
from aerospike_py import exp, list_operations, map_operations
from aerospike_py._types import _UNSET, _build_op
from aerospike_py.exception import ParamError


def test_every_public_name_of_the_package_is_in_all() -> None:
    public = {
        name for name in dir(aerospike_py)
        if not name.startswith("_") and not isinstance(getattr(aerospike_py, name), types.ModuleType)
    }
    assert public - set(aerospike_py.__all__) <= {"Any"}  # typing's, as in aerospike-py
    assert "annotations" not in public


def test_build_op_drops_unset_arguments() -> None:
    assert _build_op(1001, "l", val=5, policy=_UNSET) == {"op": 1001, "bin": "l", "val": 5}
    assert _build_op(2017, "m") == {"op": 2017, "bin": "m"}
    # The dict is what the builders make, and what operate takes.
    assert _build_op(1001, "l", val=5) == list_operations.list_append("l", 5)
    assert _build_op(2017, "m") == map_operations.map_size("m")
    with pytest.raises(TypeError):
        _build_op(op_code=1001, bin="l")  # type: ignore[call-arg]  # positional only


def test_exp_cmd_builds_validated_nodes() -> None:
    node = exp._cmd("int_val", val=42)
    assert node == exp.int_val(42)
    assert node.compile() == exp.int_val(42).compile()
    assert exp._cmd("eq", left=exp.int_bin("a"), right=exp.int_val(1)) == exp.eq(exp.int_bin("a"), 1)
    assert {"int_val", "eq", "cond", "let", "def", "var", "list_bin"} <= exp._VALID_OPS
    with pytest.raises(ValueError, match="Unknown expression op") as info:
        exp._cmd("nonexistent_op", val=42)
    assert isinstance(info.value, ParamError)
    with pytest.raises(ParamError, match="exp._cmd"):
        exp._cmd("int_val", val="not an int")


@pytest.mark.parametrize(("module", "prefix", "first"), [(list_operations, "_OP_LIST_", 1001),
                                                           (map_operations, "_OP_MAP_", 2001)])
def test_operation_codes_under_aerospike_py_names(module: types.ModuleType, prefix: str,
                                                   first: int) -> None:
    codes = {name: getattr(module, name) for name in dir(module) if name.startswith(prefix)}
    assert sorted(codes.values()) == list(range(first, first + len(codes)))
    assert len(codes) >= 27
    assert not hasattr(module, "_name") and not hasattr(module, "_code")


def test_operation_codes_match_the_builders() -> None:
    assert list_operations._OP_LIST_APPEND == list_operations.list_append("l", 1)["op"] == 1001
    assert list_operations._OP_LIST_SET_ORDER == 1031
    assert list_operations._OP_LIST_SORT == list_operations.list_sort("l")["op"]
    assert map_operations._OP_MAP_SET_ORDER == 2001
    assert map_operations._OP_MAP_PUT == map_operations.map_put("m", "k", 1)["op"] == 2002
    assert map_operations._OP_MAP_GET_BY_VALUE_LIST == 2027
