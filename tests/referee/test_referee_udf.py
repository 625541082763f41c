"""Record UDFs through the official client: registration, apply, batch_apply
and their errors, with the answers a real Aerospike 8.1 gives (recorded with
this same client against one). On the 3-node topology the module is put
through one node and must be visible to (and run on) every node."""

from __future__ import annotations

import pathlib
import re
import uuid
from typing import Any

import pytest
from aerospike import exception as ex

SOURCE = pathlib.Path(__file__).resolve().parents[1] / "udf" / "udf_records.lua"
MODULE = "udf_records"


@pytest.fixture(autouse=True)
def _lua_copies_in_tmp(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The official client keeps a copy of each module it registers in its
    Lua user path (the working directory by default): not in the tree."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def registered(client: Any) -> Any:
    client.udf_put(str(SOURCE))
    return client


def test_udf_register_list_get(registered: Any) -> None:
    names = [m["name"] for m in registered.udf_list()]
    assert f"{MODULE}.lua" in names
    assert registered.udf_get(f"{MODULE}.lua") == SOURCE.read_text()


def test_udf_put_compile_error(client: Any, tmp_path: pathlib.Path) -> None:
    path = tmp_path / f"ref_bad_{uuid.uuid4().hex[:8]}.lua"
    path.write_text("function f(\n  x = \n")
    with pytest.raises(ex.UDFError) as e:
        client.udf_put(str(path))
    assert e.value.msg.startswith(f"error=compile_error;file={path.name};line=2;"
                                  "message=')' expected near '=' from "), e.value.msg


def test_apply_record_api(registered: Any, key: Any) -> None:
    k = key("rec")
    assert registered.apply(k, MODULE, "meta", []) == {
        "digest_len": 20, "exists": False, "gen": 0, "key": None, "numbins": 0,
        "setname": None}
    assert registered.apply(k, MODULE, "write_bin", ["x", 5]) == 5
    assert registered.apply(k, MODULE, "meta", [])["gen"] == 1
    assert registered.apply(k, MODULE, "containers", []) == {"a": 1, "l": [1, "two", 3.5, [4, 5]]}
    _, meta, bins = registered.get(k)
    assert bins == {"x": 5, "c": {"a": 1, "l": [1, "two", 3.5, [4, 5]]}}
    assert meta["gen"] == 2
    assert registered.apply(k, MODULE, "echo", [{"a": [1, 2]}]) == {"a": [1, 2]}
    assert registered.apply(k, MODULE, "echo", [b"xy"]) == b"xy"
    assert registered.apply(k, MODULE, "remove_rec", []) == "removed"
    assert registered.apply(k, MODULE, "remove_rec", []) == "absent"


def test_apply_errors(registered: Any, key: Any) -> None:
    k = key("err")
    for function, args, pattern in [
        ("boom", [], r"udf_records\.lua:14: kaboom$"),
        ("add", [1, "a"], r"udf_records\.lua:6: attempt to add a 'number' with a 'string'$"),
        ("no_such_function", [], r" function not found$"),
    ]:
        with pytest.raises(ex.UDFError) as e:
            registered.apply(k, MODULE, function, args)
        assert e.value.code == 100
        assert re.search(pattern, e.value.msg), e.value.msg
    with pytest.raises(ex.UDFError) as e:
        registered.apply(k, "no_such_module_" + uuid.uuid4().hex[:6], "f", [])
    assert e.value.msg.endswith(" UDF: Execution Error 1"), e.value.msg


def test_batch_apply(registered: Any, key: Any) -> None:
    keys = [key("b1"), key("b2")]
    result = registered.batch_apply(keys, MODULE, "add", [3, 4])
    assert [(br.result, br.record[2]) for br in result.batch_records] == [
        (0, {"SUCCESS": 7}), (0, {"SUCCESS": 7})]
    result = registered.batch_apply(keys, MODULE, "boom", [])
    assert [br.result for br in result.batch_records] == [100, 100]
