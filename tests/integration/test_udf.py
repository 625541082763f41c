"""Record UDFs end to end: udf_put/udf_list/udf_get/udf_remove, apply and
batch_apply, sync and async, on the embedded server or a real one
(AEROSPIKE_HOSTS). The expectations are the real server's answers (Aerospike
8.1, recorded with the official client): the same module and calls give the
same values and the same error texts on both. Lua messages carry the
server's user path, which differs between servers, so they are matched from
the file name on ("udf_records.lua:14: kaboom").
"""

from __future__ import annotations

import pathlib
import re
import time
import uuid

import pytest
import pytest_asyncio

from aerospike_py import exception

from .conftest import Db

pytestmark = pytest.mark.asyncio

MODULE = "udf_records"
SOURCE = pathlib.Path(__file__).resolve().parents[1] / "udf" / f"{MODULE}.lua"


@pytest_asyncio.fixture
async def udf(db: Db) -> Db:
    await db.udf_put(str(SOURCE))
    return db


def _key(ns: str, set_name: str) -> tuple[str, str, str]:
    return (ns, set_name, "u-" + uuid.uuid4().hex[:8])


async def test_register_list_get_remove(db: Db, tmp_path: pathlib.Path) -> None:
    name = f"udf_reg_{uuid.uuid4().hex[:8]}"
    path = tmp_path / f"{name}.lua"
    source = "function one(rec)\n  return 1\nend\n"
    path.write_text(source)
    await db.udf_put(str(path))
    listed = {m["name"]: m for m in await db.udf_list()}
    assert f"{name}.lua" in listed
    assert listed[f"{name}.lua"]["type"] == 0
    assert re.fullmatch(r"[0-9a-f]{40}", listed[f"{name}.lua"]["hash"])
    assert await db.udf_get(name) == source
    assert await db.udf_get(f"{name}.lua") == source
    await db.udf_remove(name)
    assert f"{name}.lua" not in {m["name"] for m in await db.udf_list()}
    with pytest.raises(exception.UDFError):
        await db.udf_get(name)
    await db.udf_remove(name)  # removing an absent module is not an error


async def test_udf_put_refuses_a_module_that_does_not_compile(
    db: Db, tmp_path: pathlib.Path
) -> None:
    path = tmp_path / f"udf_bad_{uuid.uuid4().hex[:8]}.lua"
    path.write_text("function f(\n  x = \n")
    with pytest.raises(exception.UDFError) as e:
        await db.udf_put(str(path))
    assert e.value.code == 100
    assert f"{path.name} line 2: ')' expected near '='" in e.value.msg
    with pytest.raises(exception.ClientError, match="Failed to read UDF file"):
        await db.udf_put(str(tmp_path / "missing.lua"))


async def test_apply_returns_the_function_value(udf: Db, ns: str, set_name: str) -> None:
    key = _key(ns, set_name)
    assert await udf.apply(key, MODULE, "add", [1, 2]) == 3
    for value in [None, True, 1.5, -7, "text", b"xy", [1, "a", [2]], {"a": [1, 2]}]:
        assert await udf.apply(key, MODULE, "echo", [value]) == value
    assert await udf.apply(key, MODULE, "echo") is None  # no args: v is nil
    # A read-only call on an absent record leaves it absent.
    assert (await udf.exists(key)).meta is None


async def test_apply_record_api(udf: Db, ns: str, set_name: str) -> None:
    key = _key(ns, set_name)
    assert await udf.apply(key, MODULE, "meta") == {
        "digest_len": 20, "exists": False, "gen": 0, "key": None, "numbins": 0,
        "setname": None,
    }
    assert await udf.apply(key, MODULE, "read_bin", ["x"]) is None
    assert await udf.apply(key, MODULE, "remove_rec") == "absent"
    assert await udf.apply(key, MODULE, "write_bin", ["x", 5]) == 5
    assert await udf.apply(key, MODULE, "meta") == {
        "digest_len": 20, "exists": True, "gen": 1, "key": None, "numbins": 1,
        "setname": set_name,
    }
    assert await udf.apply(key, MODULE, "bin_names") == ["x"]
    assert await udf.apply(key, MODULE, "containers") == {"a": 1, "l": [1, "two", 3.5, [4, 5]]}
    record = await udf.get(key)
    assert record.bins == {"x": 5, "c": {"a": 1, "l": [1, "two", 3.5, [4, 5]]}}
    assert record.meta.gen == 2
    assert await udf.apply(key, MODULE, "incr", ["n", 2]) == 2
    assert await udf.apply(key, MODULE, "incr", ["n", 3]) == 5
    assert (await udf.get(key)).bins["n"] == 5
    assert await udf.apply(key, MODULE, "logs") == 1
    assert await udf.apply(key, MODULE, "remove_rec") == "removed"
    assert (await udf.exists(key)).meta is None
    assert await udf.apply(key, MODULE, "remove_rec") == "absent"


async def _udf_error(db: Db, key: tuple[str, str, str], function: str, args: list[object],
                     module: str = MODULE) -> exception.UDFError:
    with pytest.raises(exception.UDFError) as e:
        await db.apply(key, module, function, args)
    assert e.value.code == 100
    return e.value


async def test_apply_errors_carry_the_lua_message(udf: Db, ns: str, set_name: str) -> None:
    key = _key(ns, set_name)
    await udf.put(key, {"x": 1})
    e = await _udf_error(udf, key, "boom", [])
    assert re.search(r"/udf_records\.lua:14: kaboom$", e.msg), e.msg
    e = await _udf_error(udf, key, "add", [1, "a"])
    assert re.search(r"/udf_records\.lua:6: attempt to add a 'number' with a 'string'$", e.msg)
    e = await _udf_error(udf, key, "bad_arg", [5])
    assert re.search(
        r"/udf_records\.lua:94: bad argument #1 to 'size' \(userdata expected, got number\)$",
        e.msg), e.msg
    assert (await _udf_error(udf, key, "no_such_function", [])).msg == "function not found"
    e = await _udf_error(udf, key, "f", [], module="no_such_module_" + uuid.uuid4().hex[:6])
    assert e.msg == "UDF: Execution Error 1"
    # A failed call changes nothing.
    assert (await udf.get(key)).bins == {"x": 1}
    assert (await udf.get(key)).meta.gen == 1


async def test_a_runaway_udf_is_stopped(udf: Db, ns: str, set_name: str) -> None:
    key = _key(ns, set_name)
    started = time.monotonic()
    # The server stops the loop at the transaction deadline ("UDF Execution
    # Timeout", 100); the client's own deadline is the same instant, so
    # either may be the one reported.
    with pytest.raises((exception.UDFError, exception.AerospikeTimeoutError)) as e:
        await udf.apply(key, MODULE, "runaway", [], {"total_timeout": 500})
    if isinstance(e.value, exception.UDFError):
        assert e.value.msg.endswith("UDF Execution Timeout"), e.value.msg
    assert time.monotonic() - started < 10
    # The server is free again: the next call answers at once.
    assert await udf.apply(key, MODULE, "add", [2, 2]) == 4


async def test_apply_refuses_bad_arguments_before_sending(
    udf: Db, ns: str, set_name: str
) -> None:
    key = _key(ns, set_name)
    with pytest.raises(exception.InvalidArgError):
        await udf.apply(key, MODULE, "add", 5)
    with pytest.raises(exception.InvalidArgError):
        await udf.apply(key, 7, "add", [])
    with pytest.raises(exception.InvalidArgError):
        await udf.apply(key, MODULE, "", [])
    with pytest.raises(exception.InvalidArgError):
        await udf.apply(key, MODULE, "echo", [object()])


async def test_batch_apply(udf: Db, ns: str, set_name: str) -> None:
    k1, k2, k3 = _key(ns, set_name), _key(ns, set_name), _key(ns, set_name)
    result = await udf.batch_apply([k1, k2, (k3, {"args": [10, 20]})], MODULE, "add", [3, 4])
    assert [br.result for br in result.batch_records] == [0, 0, 0]
    assert [br.record.bins for br in result.batch_records] == [
        {"SUCCESS": 7}, {"SUCCESS": 7}, {"SUCCESS": 30}]
    assert [br.key.user_key for br in result.batch_records] == [k1[2], k2[2], k3[2]]

    result = await udf.batch_apply([k1, k2], MODULE, "write_bin", ["b", "v"])
    assert [br.record.bins for br in result.batch_records] == [{"SUCCESS": "v"}] * 2
    assert [br.record.meta.gen for br in result.batch_records] == [1, 1]
    assert (await udf.get(k1)).bins == {"b": "v"}

    result = await udf.batch_apply(
        [k1, (k2, {"function": "echo", "args": ["x"]})], MODULE, "boom")
    first, second = result.batch_records
    assert first.result == 100
    assert re.search(r"/udf_records\.lua:14: kaboom$", first.record.bins["FAILURE"])
    assert second.result == 0 and second.record.bins == {"SUCCESS": "x"}
    assert (await udf.get(k1)).bins == {"b": "v"}
