"""Structure of the _core extension and argument checks that need no server."""

from __future__ import annotations

import asyncio
import importlib.util
from typing import Any

import pytest

import aerospike_py
from aerospike_py import _core
from aerospike_py.exception import ClientError, ParamError

CONFIG = {"hosts": [("127.0.0.1", 1)]}  # never contacted by these tests
KEY = ("test", "demo", "k")


def test_multi_phase_init_gives_each_module_instance_its_own_state() -> None:
    spec = importlib.util.find_spec("aerospike_py._core")
    assert spec is not None and spec.loader is not None
    second = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(second)
    assert second is not _core
    assert second.Client is not _core.Client
    assert second.debug_counters()["live_clients"] == _core.debug_counters()["live_clients"]


def test_client_types_are_subclassable_heap_types() -> None:
    assert issubclass(aerospike_py.Client, _core.Client)
    assert issubclass(aerospike_py.AsyncClient, _core.AsyncClient)
    assert _core.Client.__flags__ & (1 << 9)  # Py_TPFLAGS_HEAPTYPE

    class Mine(aerospike_py.Client):
        extra = 1

    c = Mine(CONFIG)
    assert c.extra == 1 and not c.is_connected()


def test_factories() -> None:
    assert type(aerospike_py.client(CONFIG)) is aerospike_py.Client
    assert type(aerospike_py.async_client(CONFIG)) is aerospike_py.AsyncClient


def test_debug_counters_and_stage_stats() -> None:
    counters = _core.debug_counters()
    for name in ("live_commands", "open_connections", "live_clients", "futures_held",
                 "mailboxes_alive", "sync_waiting"):
        assert isinstance(counters[name], int)
    assert isinstance(_core.stage_stats(), dict)
    _core.stage_stats(reset=True)
    _core.set_stage_timing(False)
    _core.set_stage_timing(True)
    with pytest.raises(TypeError):
        _core.stage_stats(1, 2)  # type: ignore[call-arg]


@pytest.mark.parametrize("config", [None, {}, {"hosts": [("h", 1)], "timeout": -1}])
def test_bad_config_raises_param_error(config: Any) -> None:
    with pytest.raises(ParamError):
        aerospike_py.client(config)
    with pytest.raises(ParamError):
        aerospike_py.async_client(config)


def test_bad_hosts_and_unknown_keys_do_not_stop_creation() -> None:
    # As in aerospike-py: hosts are checked by connect(), unknown keys ignored.
    c = aerospike_py.client({"hosts": []})
    with pytest.raises(ParamError, match="empty"):
        c.connect()
    with pytest.warns(UserWarning, match="unknown key 'x'"):
        aerospike_py.client({"hosts": [("h", 1)], "x": 1})


def test_unconnected_client() -> None:
    c = aerospike_py.client(CONFIG)
    assert not c.is_connected()
    assert c.get_node_names() == []
    assert c.ping() is False
    with pytest.raises(ClientError, match="not connected"):
        c.get(KEY)
    c.close()
    c.close()  # idempotent
    with pytest.raises(ClientError, match="closed"):
        c.put(KEY, {"a": 1})


def test_bad_arguments_are_refused_before_anything_is_sent() -> None:
    c = aerospike_py.client(CONFIG)
    bad_calls = [
        lambda: c.get(("test", "demo")),
        lambda: c.get(KEY, policy=5),
        lambda: c.select(KEY, "a"),
        lambda: c.select(KEY, [1]),
        lambda: c.select(KEY, ["a" * 16]),
        lambda: c.exists(("test", "demo", 1.5)),
        lambda: c.put(KEY, [("a", 1)]),
        lambda: c.put(KEY, {}),
        lambda: c.put(KEY, {"a" * 16: 1}),
        lambda: c.put(KEY, {1: 1}),
        lambda: c.put(KEY, {"a": object()}),
        lambda: c.put(KEY, {"a": 2**64}),
        lambda: c.put(KEY, {"a": 1}, meta={"gen": -1}),
        lambda: c.put(KEY, {"a": 1}, policy={"exists": 9}),
        lambda: c.touch(KEY, -1),
        lambda: c.touch(KEY, "10"),
        lambda: c.append(KEY, "a", 5),
        lambda: c.prepend(KEY, 5, "x"),
        lambda: c.increment(KEY, "a", "1"),
        lambda: c.increment(KEY, "a", True),
        lambda: c.remove_bin(KEY, []),
        lambda: c.remove_bin(KEY, "a"),
        lambda: c.operate(KEY, []),
        lambda: c.operate(KEY, {"op": 1}),
        lambda: c.operate(KEY, [{"op": 999, "bin": "a"}]),
        lambda: c.operate(KEY, [{"bin": "a"}]),
        lambda: c.operate(KEY, [{"op": 2}]),
        lambda: c.operate(KEY, [{"op": 5, "bin": "a", "val": "x"}]),
        lambda: c.operate(KEY, [{"op": 1, "bin": "a", "extra": 1}]),
        lambda: c.operate_ordered(KEY, [{"op": 9, "bin": "a", "val": 3}]),
        lambda: c.info_all(5),
        lambda: c.info_all(""),
        lambda: c.info_single_node("build", 5),
        lambda: c.truncate("", "demo"),
        lambda: c.truncate("test", "demo", -1),
        lambda: c.truncate("test", "demo", "0"),
    ]
    for i, call in enumerate(bad_calls):
        with pytest.raises(ParamError):
            call()
        assert _core.debug_counters()["live_commands"] == 0, i


def test_unknown_and_foreign_policy_keys_pass_validation() -> None:
    # aerospike-py ignores keys it does not use: these reach the connection
    # check (a typo with a UserWarning, another policy's key silently).
    c = aerospike_py.client(CONFIG)
    with pytest.warns(UserWarning, match="unknown key 'bogus'"):
        with pytest.raises(ClientError, match="not connected"):
            c.get(KEY, policy={"bogus": 1})
    with pytest.warns(UserWarning, match="unknown key 'bogus'"):
        with pytest.raises(ClientError, match="not connected"):
            c.put(KEY, {"a": 1}, meta={"bogus": 1})
    with pytest.raises(ClientError, match="not connected"):
        c.remove(KEY, policy={"replica": 0})
    with pytest.raises(ClientError, match="not connected"):
        c.info_random_node("build", policy={"total_timeout": 1})


def test_wrong_arity_is_a_type_error() -> None:
    c = aerospike_py.client(CONFIG)
    with pytest.raises(TypeError):
        c.get()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        c.get(KEY, None, None)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        c.get(KEY, polcy=None)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        c.get(KEY, key=KEY)  # type: ignore[misc]


def test_async_methods_need_a_running_loop() -> None:
    c = aerospike_py.async_client(CONFIG)
    with pytest.raises(RuntimeError):
        c.ping()


@pytest.mark.asyncio
async def test_async_unconnected_client() -> None:
    c = aerospike_py.async_client(CONFIG)
    assert await c.ping() is False
    with pytest.raises(ClientError, match="not connected"):
        await c.get(KEY)
    with pytest.raises(ParamError):
        await c.get(("bad",))
    await c.close()
    assert asyncio.get_running_loop() is not None
