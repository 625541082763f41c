"""Record UDFs through the official client: registration, apply, batch_apply
and their errors, with the answers a real Aerospike 8.1 gives (recorded with
this same client against one). On the 3-node topology the module is put
through one node and must be visible to (and run on) every node."""

from __future__ import annotations

import pathlib
import re
import time
import uuid
from typing import Any

import aerospike
import pytest
from aerospike import exception as ex
from referee_helpers import OFFICIAL_VERSION

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
        # The official client 19.x puts the node's address before the
        # server's text ("127.0.0.1:3000 function not found"); 18.1.0
        # (CPython 3.9's newest) gives the server's text alone.
        ("no_such_function", [],
         r" function not found$" if OFFICIAL_VERSION >= (19, 0) else r"^function not found$"),
    ]:
        with pytest.raises(ex.UDFError) as e:
            registered.apply(k, MODULE, function, args)
        assert e.value.code == 100
        assert re.search(pattern, e.value.msg), e.value.msg
    with pytest.raises(ex.UDFError) as e:
        registered.apply(k, "no_such_module_" + uuid.uuid4().hex[:6], "f", [])
    if OFFICIAL_VERSION >= (19, 0):  # after the node's address, as above
        assert e.value.msg.endswith(" UDF: Execution Error 1"), e.value.msg
    else:
        assert e.value.msg == "UDF: Execution Error 1", e.value.msg


def test_batch_apply(registered: Any, key: Any) -> None:
    keys = [key("b1"), key("b2")]
    result = registered.batch_apply(keys, MODULE, "add", [3, 4])
    assert [(br.result, br.record[2]) for br in result.batch_records] == [
        (0, {"SUCCESS": 7}), (0, {"SUCCESS": 7})]
    result = registered.batch_apply(keys, MODULE, "boom", [])
    assert [br.result for br in result.batch_records] == [100, 100]


# --- aggregations and background UDFs (tests/udf/udf_streams.lua) ---

STREAMS = pathlib.Path(__file__).resolve().parents[1] / "udf" / "udf_streams.lua"


@pytest.fixture
def streams(client: Any, ns: str, set_name: str) -> Any:
    """The stream module and 40 records {"i": i, "name": "n<i % 4>"}."""
    client.udf_put(str(STREAMS))
    for i in range(40):
        client.put((ns, set_name, i), {"i": i, "name": f"n{i % 4}"})
    yield client
    client.truncate(ns, set_name, 0)


def _aggregate(client: Any, ns: str, set_name: str, function: str, args: list[Any]) -> list[Any]:
    q = client.query(ns, set_name)
    q.apply("udf_streams", function, args)
    return list(q.results())


def test_aggregations(streams: Any, ns: str, set_name: str) -> None:
    assert _aggregate(streams, ns, set_name, "sum", ["i"]) == [sum(range(40))]
    assert _aggregate(streams, ns, set_name, "sum_aggregate", ["i"]) == [sum(range(40))]
    assert _aggregate(streams, ns, set_name, "count_by", ["name"]) == [
        {"n0": 10, "n1": 10, "n2": 10, "n3": 10}]
    [groups] = _aggregate(streams, ns, set_name, "by_parity", [])
    assert sorted(groups[0]) == list(range(0, 40, 2))
    assert sorted(groups[1]) == list(range(1, 40, 2))
    assert sorted(_aggregate(streams, ns, set_name, "above", [35])) == [36, 37, 38, 39]
    assert _aggregate(streams, ns, set_name, "sum_doubled", []) == [2 * sum(range(40))]


def test_aggregation_errors(streams: Any, ns: str, set_name: str) -> None:
    # A node's Lua error: its FAILURE value ("UDF: Execution Error 2 : ...").
    with pytest.raises(ex.AerospikeError) as e:
        _aggregate(streams, ns, set_name, "fails_on_node", [])
    assert re.search(r"UDF: Execution Error 2 : \S*udf_streams.lua:48: node boom", e.value.msg)
    with pytest.raises(ex.UDFError):
        _aggregate(streams, ns, set_name, "fails_on_client", [])


def test_background_udf_and_job_info(streams: Any, ns: str, set_name: str) -> None:
    q = streams.query(ns, set_name)
    q.apply("udf_streams", "bump", [100])
    job = q.execute_background()
    streams.job_info(job, aerospike.JOB_QUERY)
    for _ in range(200):
        info = streams.job_info(job, aerospike.JOB_QUERY)
        if info["status"] == aerospike.JOB_STATUS_COMPLETED:
            break
        time.sleep(0.05)
    assert info["status"] == aerospike.JOB_STATUS_COMPLETED
    assert info["records_read"] == 40
    assert _aggregate(streams, ns, set_name, "sum", ["i"]) == [sum(range(40)) + 4000]
