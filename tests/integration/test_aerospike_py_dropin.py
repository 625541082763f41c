"""aerospike-py behaviours that need a server: policy leniency, racks, empty batches."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import aerospike_py
from aerospike_py import exp
from aerospike_py.exception import InvalidArgError, InvalidRequest, ServerError
from aerospike_py.testing import ServerHandle

from .conftest import Db

pytestmark = pytest.mark.asyncio


async def test_read_policy_accepts_keys_of_other_policies(db: Db, key: tuple[str, str, str]) -> None:
    # aerospike-py code passes e.g. {"key": POLICY_KEY_SEND} to reads; it means
    # nothing there and must neither fail nor warn.
    await db.put(key, {"v": 1}, policy={"key": aerospike_py.POLICY_KEY_SEND})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        record = await db.get(key, policy={"key": aerospike_py.POLICY_KEY_SEND, "ttl": 5})
    assert record.bins == {"v": 1}


async def test_unknown_policy_key_warns_but_the_call_runs(db: Db, key: tuple[str, str, str]) -> None:
    with pytest.warns(UserWarning, match="unknown key 'totl_timeout'"):
        await db.put(key, {"v": 2}, policy={"totl_timeout": 100})
    assert (await db.get(key)).bins == {"v": 2}


async def test_prefer_rack_needs_a_rack_config(db: Db, key: tuple[str, str, str]) -> None:
    await db.put(key, {"v": 1})
    prefer_rack = {"replica": aerospike_py.POLICY_REPLICA_PREFER_RACK}
    with pytest.raises(InvalidArgError, match="rack"):
        await db.get(key, policy=prefer_rack)
    with pytest.raises(InvalidArgError, match="rack"):
        await db.batch_read([key], policy=prefer_rack)
    # Other replica policies need nothing.
    assert (await db.get(key, policy={"replica": aerospike_py.POLICY_REPLICA_SEQUENCE})).bins


async def test_prefer_rack_with_a_rack_config_reads(
    aerospike_server: ServerHandle, key: tuple[str, str, str]
) -> None:
    config = aerospike_server.client_config()
    config.update(rack_aware=True, rack_id=0)
    with aerospike_py.client(config).connect() as c:
        c.put(key, {"v": 3})
        prefer_rack = {"replica": aerospike_py.POLICY_REPLICA_PREFER_RACK}
        assert c.get(key, policy=prefer_rack).bins == {"v": 3}
        assert c.batch_read([key], policy=prefer_rack)[key[2]] == {"v": 3}


async def test_empty_batches_on_a_connected_client(db: Db) -> None:
    assert await db.batch_read([]) == {}
    assert (await db.batch_remove([])).batch_records == []
    ops = [{"op": aerospike_py.OPERATOR_READ, "bin": "a"}]
    assert (await db.batch_operate([], ops)).batch_records == []


@pytest.mark.parametrize(
    "build",
    [lambda: exp.cond(exp.string_val("default")),
     lambda: exp.cond(exp.bool_val(True), exp.bool_val(True)),
     lambda: exp.eq(exp.int_bin("special-chars_123"), 1),
     lambda: exp.bin_exists("x" * 16)],
    ids=["lone_default", "no_default", "long_bin_name", "long_bin_exists"],
)
async def test_expressions_only_the_server_refuses(
    db: Db, key: tuple[str, str, str], build: Any
) -> None:
    # aerospike-py builds these, and so do we; the server (real and
    # embedded alike) refuses the command that carries one with code 4.
    expression = build()
    await db.put(key, {"v": 1})
    with pytest.raises(ServerError) as info:
        await db.get(key, policy={"filter_expression": expression})
    assert info.value.code == 4 and isinstance(info.value, InvalidRequest)
    assert (await db.get(key)).bins == {"v": 1}
