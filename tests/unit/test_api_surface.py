"""aerospike_py's pure-Python API surface matches aerospike-py's.

The reference is tests/unit/data/aerospike_py_surface.json, a snapshot of
aerospike-py 0.14.4 made by tests/unit/data/make_aerospike_py_surface.py
(CI has no aerospike-py install).
"""

from __future__ import annotations

import ast
import json
import pathlib
import typing
import warnings
from typing import Any

import pytest

from aerospike_py import constants, exception, policy, types

DATA = pathlib.Path(__file__).parent / "data"
SURFACE: dict[str, Any] = json.loads((DATA / "aerospike_py_surface.json").read_text())
PACKAGE = pathlib.Path(exception.__file__).parent
OUR_MODULES = ("exception.py", "types.py", "constants.py", "policy.py")


def is_typeddict(obj: object) -> bool:
    """typing.is_typeddict, which CPython 3.9 lacks: there a TypedDict is a
    dict subclass carrying ``__total__`` and ``__annotations__``."""
    check = getattr(typing, "is_typeddict", None)
    if check is not None:
        return bool(check(obj))
    return (isinstance(obj, type) and issubclass(obj, dict) and hasattr(obj, "__total__")
            and hasattr(obj, "__annotations__"))


def test_snapshot_is_the_expected_reference() -> None:
    assert SURFACE["aerospike_py_version"] == "0.14.4"
    assert len(SURFACE["constants"]) == 171
    assert len(SURFACE["exceptions"]) == 27


# --- constants ---------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SURFACE["constants"]))
def test_constant_has_aerospike_py_value(name: str) -> None:
    value = getattr(constants, name)
    assert value == SURFACE["constants"][name]
    assert type(value) is type(SURFACE["constants"][name])


def test_every_constant_is_listed_in_all() -> None:
    upper = {n for n in vars(constants) if n.isupper()}
    assert set(SURFACE["constants"]) <= upper
    assert upper <= set(constants.__all__)
    assert len(constants.__all__) == len(set(constants.__all__))


def test_added_constants_do_not_reuse_aerospike_py_names() -> None:
    added = {n for n in vars(constants) if n.isupper()} - set(SURFACE["constants"])
    # The additions are official-client / C-client names aerospike-py lacks.
    assert "POLICY_EXISTS_CREATE" in added
    assert "AS_BYTES_PYTHON" in added
    assert not added & set(SURFACE["package_all"])


def test_added_result_codes_match_exception_table() -> None:
    for name in constants.__all__:
        if name.startswith("AEROSPIKE_") and name not in (
            "AEROSPIKE_OK",
            "AEROSPIKE_QUERY_END",
            "AEROSPIKE_NO_MORE_RECORDS",
        ):
            code = getattr(constants, name)
            assert code in exception.EXCEPTION_BY_CODE, name


def test_official_enum_names_use_aerospike_py_numbering() -> None:
    assert constants.POLICY_EXISTS_CREATE == constants.POLICY_EXISTS_CREATE_ONLY
    assert constants.POLICY_EXISTS_CREATE_OR_REPLACE == constants.POLICY_EXISTS_REPLACE
    assert constants.MAP_WRITE_NO_FAIL == constants.MAP_WRITE_FLAGS_NO_FAIL
    assert constants.MAP_WRITE_PARTIAL == constants.MAP_WRITE_FLAGS_PARTIAL
    assert constants.INDEX_INTEGER == constants.INDEX_NUMERIC
    assert constants.POLICY_REPLICA_ANY not in (
        constants.POLICY_REPLICA_MASTER,
        constants.POLICY_REPLICA_SEQUENCE,
        constants.POLICY_REPLICA_PREFER_RACK,
    )


def test_literal_aliases_cover_their_constants() -> None:
    groups = {
        "POLICY_KEY_": constants.PolicyKey,
        "POLICY_EXISTS_": constants.PolicyExists,
        "POLICY_GEN_": constants.PolicyGen,
        "POLICY_REPLICA_": constants.PolicyReplica,
        "POLICY_COMMIT_LEVEL_": constants.PolicyCommitLevel,
        "POLICY_READ_MODE_AP_": constants.PolicyReadModeAP,
        "TTL_": constants.TTL,
        "AUTH_": constants.AuthMode,
        "INDEX_TYPE_": constants.IndexCollectionType,
        "LOG_LEVEL_": constants.LogLevel,
        "SERIALIZER_": constants.Serializer,
        "LIST_RETURN_": constants.ListReturnType,
        "MAP_RETURN_": constants.MapReturnType,
        "PRIV_": constants.PrivilegeCode,
    }
    for prefix, alias in groups.items():
        allowed = set(typing.get_args(alias))
        values = {getattr(constants, n) for n in constants.__all__ if n.startswith(prefix)}
        assert values and values <= allowed, prefix


# --- exceptions --------------------------------------------------------------


def _our_exception(name: str) -> type:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        cls = getattr(exception, name)
    assert isinstance(cls, type) and issubclass(cls, BaseException)
    return cls


@pytest.mark.parametrize("name", sorted(SURFACE["exceptions"]))
def test_exception_has_aerospike_py_bases(name: str) -> None:
    entry = SURFACE["exceptions"][name]
    cls = _our_exception(name)
    assert cls.__name__ == entry.get("alias_of", name)
    assert [b.__name__ for b in cls.__bases__] == entry["bases"]


def test_exception_all_matches() -> None:
    assert set(SURFACE["exception_all"]) <= set(exception.__all__)
    for name in exception.__all__:
        assert hasattr(exception, name), name
    assert "TimeoutError" not in exception.__all__
    assert "IndexError" not in exception.__all__


def test_package_exception_and_constant_names_are_provided_by_our_modules() -> None:
    # The package re-exports these modules; every aerospike-py top-level
    # exception or constant name must come from one of them.
    for name in SURFACE["package_all"]:
        if name.isupper():
            assert hasattr(constants, name), name
        elif name.endswith("Error") or name in SURFACE["exceptions"]:
            _our_exception(name)


# --- types -------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SURFACE["namedtuples"]))
def test_namedtuple_fields_and_defaults(name: str) -> None:
    entry = SURFACE["namedtuples"][name]
    cls = getattr(types, name)
    assert list(cls._fields) == entry["fields"]
    assert {k: repr(v) for k, v in cls._field_defaults.items()} == entry["defaults"]
    assert cls.__bases__ == (tuple,)
    assert cls.__new__.__code__.co_filename != types.__file__  # collections made it
    assert cls.__slots__ == ()


def test_types_module_names() -> None:
    for name in SURFACE["types_all"]:
        assert hasattr(types, name), name
    assert types.Key == tuple[str, str, typing.Union[str, int, bytes]]


@pytest.mark.parametrize("name", sorted(SURFACE["typeddicts"]))
def test_typeddict_keys(name: str) -> None:
    entry = SURFACE["typeddicts"][name]
    ours = getattr(policy, name)
    assert is_typeddict(ours)
    assert ours.__total__ == entry["total"]
    assert set(entry["keys"]) <= set(ours.__annotations__)
    assert sorted(ours.__required_keys__) == entry["required"]
    # Re-exported where aerospike-py defines it.
    assert getattr(types, name) is ours


def test_policy_keys_table_covers_aerospike_py_keys() -> None:
    kinds = {
        "ClientConfig": "client_config",
        "ReadPolicy": "read",
        "WritePolicy": "write",
        "BatchPolicy": "batch",
        "BatchReadPolicy": "batch_read",
        "BatchDeletePolicy": "batch_remove",
        "BatchDeleteMeta": "batch_remove_meta",
        "BatchUDFPolicy": "batch_apply",
        "BatchUDFMeta": "batch_apply_meta",
        "AdminPolicy": "admin",
        "QueryPolicy": "query",
        "ScanPolicy": "scan",
        "WriteMeta": "meta",
        "ListPolicy": "list_policy",
        "MapPolicy": "map_policy",
        "HLLPolicy": "hll_policy",
        "Privilege": "privilege",
    }
    for td_name, kind in kinds.items():
        expected = set(SURFACE["typeddicts"][td_name]["keys"])
        assert expected <= policy.POLICY_KEYS[kind], td_name


# --- module hygiene ----------------------------------------------------------


@pytest.mark.parametrize("filename", OUR_MODULES)
def test_module_does_not_import_the_extension(filename: str) -> None:
    tree = ast.parse((PACKAGE / filename).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported = [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            imported = [a.name for a in node.names]
        else:
            continue
        for name in imported:
            assert "_core" not in name and "_server" not in name, (filename, name)


@pytest.mark.parametrize("filename", OUR_MODULES)
def test_public_names_have_docstrings(filename: str) -> None:
    tree = ast.parse((PACKAGE / filename).read_text())
    assert ast.get_docstring(tree)
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and not node.name.startswith("_"):
            assert ast.get_docstring(node), (filename, node.name)
