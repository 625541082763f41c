"""Single-record methods, sync and async: put/get/select/exists/remove/touch/
append/prepend/increment/remove_bin, their result shapes and their errors."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

import aerospike_py
from aerospike_py import (
    AerospikeKey,
    ExistsResult,
    GeoJSON,
    KeyOrderedDict,
    Record,
    RecordMetadata,
    TypedBlob,
)
from aerospike_py.exception import (
    BinTypeError,
    RecordExistsError,
    RecordGenerationError,
    RecordNotFound,
)

from .conftest import Db

pytestmark = pytest.mark.asyncio

NEVER = 0xFFFFFFFF


def digest_of(set_name: str, particle: int, data: bytes) -> bytes:
    h = hashlib.new("ripemd160")
    h.update(set_name.encode() + bytes([particle]) + data)
    return h.digest()


async def test_put_get_roundtrip_and_record_shape(db: Db, key: tuple[str, str, str]) -> None:
    assert await db.put(key, {"name": "Alice", "age": 30}) is None
    record = await db.get(key)
    assert isinstance(record, Record)
    assert isinstance(record.key, AerospikeKey)
    assert isinstance(record.meta, RecordMetadata)
    k, meta, bins = record  # still unpacks as a plain tuple
    assert bins == {"name": "Alice", "age": 30}
    assert k.namespace == key[0] and k.set_name == key[1] and k.user_key == key[2]
    assert k.digest == digest_of(key[1], 3, key[2].encode())
    assert meta.gen == 1


async def test_every_value_type_roundtrips(db: Db, key: tuple[str, str, str]) -> None:
    bins: dict[str, Any] = {
        "int": -(2**63),
        "float": 3.25,
        "str": "héllo",
        "bytes": b"\x00\x01\xff",
        "true": True,
        "false": False,
        "list": [1, "a", [2.5, None], {"k": b"v"}],
        "map": {"z": 1, "a": [1, 2], 3: "int key"},
        "geo": GeoJSON({"type": "Point", "coordinates": [103.9, 1.3]}),
        "kod": KeyOrderedDict({"b": 2, "a": 1}),
        "blob9": TypedBlob(b"pickled", 9),
    }
    await db.put(key, bins)
    got = (await db.get(key)).bins
    for name, value in bins.items():
        assert got[name] == value, name
        assert type(got[name]) is type(value), name
    # The server stores every map sorted by key (integers before strings),
    # whatever order the writer sent.
    assert list(got["map"]) == [3, "a", "z"]
    assert list(got["kod"]) == ["a", "b"]  # key order


async def test_bytearray_value_is_stored_as_bytes(db: Db, key: tuple[str, str, str]) -> None:
    await db.put(key, {"b": bytearray(b"xyz")})
    assert (await db.get(key)).bins == {"b": b"xyz"}


async def test_none_bin_deletes_the_bin(db: Db, key: tuple[str, str, str]) -> None:
    await db.put(key, {"a": 1, "b": 2})
    await db.put(key, {"a": None})
    assert (await db.get(key)).bins == {"b": 2}


@pytest.mark.parametrize("pk", [0, -1, 2**63 - 1, "unicode ✓", b"\x00bytes", bytearray(b"ba")])
async def test_key_types(db: Db, ns: str, set_name: str, pk: Any) -> None:
    key = (ns, set_name, pk)
    await db.put(key, {"v": 1})
    record = await db.get(key)
    assert record.bins == {"v": 1}
    assert record.key.user_key == pk
    # The same record by digest only.
    by_digest = await db.get((ns, set_name, None, record.key.digest))
    assert by_digest.bins == {"v": 1}
    assert by_digest.key.user_key is None
    assert by_digest.key.digest == record.key.digest


async def test_get_missing_raises_record_not_found(db: Db, key: tuple[str, str, str]) -> None:
    with pytest.raises(RecordNotFound) as info:
        await db.get(key)
    err = info.value
    assert err.code == 2
    assert err.key == key
    assert err.in_doubt is False
    assert isinstance(err.node, str) and err.node


async def test_select(db: Db, key: tuple[str, str, str]) -> None:
    await db.put(key, {"a": 1, "b": 2, "c": 3})
    assert (await db.select(key, ["a", "c", "missing"])).bins == {"a": 1, "c": 3}
    header = await db.select(key, [])
    assert header.bins == {} and header.meta.gen == 1
    with pytest.raises(RecordNotFound):
        await db.select((key[0], key[1], "nope-" + key[2]), ["a"])


async def test_exists(db: Db, key: tuple[str, str, str]) -> None:
    missing = await db.exists(key)
    assert isinstance(missing, ExistsResult)
    assert missing.meta is None and missing.key.user_key == key[2]
    await db.put(key, {"a": 1})
    await db.put(key, {"a": 2})
    found = await db.exists(key)
    assert found.meta.gen == 2


async def test_remove(db: Db, key: tuple[str, str, str]) -> None:
    await db.put(key, {"a": 1})
    assert await db.remove(key) is None
    assert (await db.exists(key)).meta is None
    with pytest.raises(RecordNotFound):
        await db.remove(key)


async def test_remove_with_generation_check(db: Db, key: tuple[str, str, str]) -> None:
    await db.put(key, {"a": 1})
    with pytest.raises(RecordGenerationError) as info:
        await db.remove(key, meta={"gen": 5}, policy={"gen": aerospike_py.POLICY_GEN_EQ})
    assert info.value.code == 3
    await db.remove(key, meta={"gen": 1})
    assert (await db.exists(key)).meta is None


async def test_touch(db: Db, key: tuple[str, str, str]) -> None:
    await db.put(key, {"a": 1}, meta={"ttl": aerospike_py.TTL_NEVER_EXPIRE})
    assert (await db.get(key)).meta.ttl == NEVER
    await db.touch(key, 1000)
    meta = (await db.get(key)).meta
    assert meta.gen == 2
    assert 990 <= meta.ttl <= 1001
    with pytest.raises(RecordNotFound):
        await db.touch((key[0], key[1], "nope-" + key[2]))


async def test_ttl_meta(db: Db, key: tuple[str, str, str]) -> None:
    await db.put(key, {"a": 1}, meta={"ttl": 500})
    assert 490 <= (await db.get(key)).meta.ttl <= 501
    await db.put(key, {"a": 2}, meta={"ttl": aerospike_py.TTL_DONT_UPDATE})
    assert 490 <= (await db.get(key)).meta.ttl <= 501
    await db.put(key, {"a": 3}, meta={"ttl": aerospike_py.TTL_NEVER_EXPIRE})
    assert (await db.get(key)).meta.ttl == NEVER


async def test_append_prepend_increment(db: Db, key: tuple[str, str, str]) -> None:
    await db.put(key, {"s": "mid", "n": 10, "f": 1.5, "b": b"2"})
    await db.append(key, "s", "-end")
    await db.prepend(key, "s", "start-")
    await db.append(key, "b", b"3")
    await db.prepend(key, "b", b"1")
    await db.increment(key, "n", 5)
    await db.increment(key, "n", -20)
    await db.increment(key, "f", 0.25)
    await db.increment(key, "new", 7)
    bins = (await db.get(key)).bins
    assert bins == {"s": "start-mid-end", "n": -5, "f": 1.75, "b": b"123", "new": 7}
    with pytest.raises(BinTypeError) as info:
        await db.increment(key, "s", 1)
    assert info.value.code == 12


async def test_remove_bin(db: Db, key: tuple[str, str, str]) -> None:
    await db.put(key, {"a": 1, "b": 2, "c": 3})
    await db.remove_bin(key, ["a", "c"])
    assert (await db.get(key)).bins == {"b": 2}


async def test_exists_policy_create_only_and_update_only(db: Db, key: tuple[str, str, str]) -> None:
    create_only = {"exists": aerospike_py.POLICY_EXISTS_CREATE_ONLY}
    await db.put(key, {"a": 1}, policy=create_only)
    with pytest.raises(RecordExistsError) as info:
        await db.put(key, {"a": 2}, policy=create_only)
    assert info.value.code == 5
    other = (key[0], key[1], "other-" + key[2])
    with pytest.raises(RecordNotFound):
        await db.put(other, {"a": 1}, policy={"exists": aerospike_py.POLICY_EXISTS_UPDATE_ONLY})
    await db.put(key, {"b": 9}, policy={"exists": aerospike_py.POLICY_EXISTS_REPLACE})
    assert (await db.get(key)).bins == {"b": 9}


async def test_generation_policy_on_put(db: Db, key: tuple[str, str, str]) -> None:
    await db.put(key, {"a": 1})
    await db.put(key, {"a": 2}, meta={"gen": 1})  # meta gen implies POLICY_GEN_EQ
    with pytest.raises(RecordGenerationError):
        await db.put(key, {"a": 3}, meta={"gen": 1})
    with pytest.raises(RecordGenerationError):
        await db.put(key, {"a": 3}, meta={"gen": 2}, policy={"gen": aerospike_py.POLICY_GEN_GT})
    # GT: the given generation must be greater than the record's (2).
    await db.put(key, {"a": 3}, meta={"gen": 3}, policy={"gen": aerospike_py.POLICY_GEN_GT})
    assert (await db.get(key)).bins == {"a": 3}


async def test_send_key_policy(db: Db, key: tuple[str, str, str]) -> None:
    await db.put(key, {"a": 1}, policy={"key": aerospike_py.POLICY_KEY_SEND})
    assert (await db.get(key)).bins == {"a": 1}


async def test_read_and_write_policies_are_accepted(db: Db, key: tuple[str, str, str]) -> None:
    await db.put(
        key,
        {"a": 1},
        policy={
            "total_timeout": 2000,
            "socket_timeout": 1000,
            "max_retries": 1,
            "commit_level": aerospike_py.POLICY_COMMIT_LEVEL_MASTER,
            "durable_delete": False,
        },
    )
    record = await db.get(
        key,
        policy={
            "total_timeout": 2000,
            "replica": aerospike_py.POLICY_REPLICA_MASTER,
            "read_mode_ap": aerospike_py.POLICY_READ_MODE_AP_ALL,
        },
    )
    assert record.bins == {"a": 1}


async def test_large_record(db: Db, key: tuple[str, str, str]) -> None:
    blob = bytes(range(256)) * 2048  # 512 KiB
    await db.put(key, {"blob": blob, "list": list(range(10000))})
    bins = (await db.get(key)).bins
    assert bins["blob"] == blob and bins["list"] == list(range(10000))


async def test_bad_input_is_refused_before_sending(db: Db, key: tuple[str, str, str]) -> None:
    from aerospike_py import _core
    from aerospike_py.exception import ParamError

    before = _core.debug_counters()["live_commands"]
    for call in (
        lambda: db.client.put(key, {"a": 2**64}),
        lambda: db.client.put(key, {"sixteen_chars_xx": 1}),
        lambda: db.client.put(("n" * 32, "s", "k"), {"a": 1}),
        lambda: db.client.get(key, policy={"total_timeout": -5}),
        lambda: db.client.operate(key, [{"op": 77, "bin": "a"}]),
        lambda: db.client.touch(key, val=-5),
    ):
        with pytest.raises(ParamError):
            call()
        assert _core.debug_counters()["live_commands"] == before
