"""bit_operations and hll_operations in operate(), sync and async, against
the server: every function, flags and overflow actions."""

from __future__ import annotations

from typing import Any

import pytest

import aerospike_py as ap
from aerospike_py import HyperLogLog
from aerospike_py import bit_operations as bo
from aerospike_py import hll_operations as ho
from aerospike_py.exception import AerospikeError

from .conftest import Db

pytestmark = pytest.mark.asyncio

Key = tuple[str, str, str]


async def bits(db: Db, key: Key, *ops: dict[str, Any]) -> Any:
    return (await db.operate(key, list(ops))).bins.get("b")


async def stored(db: Db, key: Key, name: str = "b") -> Any:
    return (await db.get(key)).bins.get(name)


async def test_byte_layout(db: Db, key: Key) -> None:
    await db.put(key, {"b": b"\x01\x02\x03"})
    await db.operate(key, [bo.bit_resize("b", 5)])
    assert await stored(db, key) == b"\x01\x02\x03\x00\x00"
    await db.operate(key, [bo.bit_resize("b", 6, ap.BIT_RESIZE_FROM_FRONT)])
    assert await stored(db, key) == b"\x00\x01\x02\x03\x00\x00"
    await db.operate(key, [bo.bit_resize("b", 4, ap.BIT_RESIZE_FROM_FRONT | ap.BIT_RESIZE_SHRINK_ONLY)])
    assert await stored(db, key) == b"\x02\x03\x00\x00"
    await db.operate(key, [bo.bit_insert("b", 1, b"\xaa\xbb")])
    assert await stored(db, key) == b"\x02\xaa\xbb\x03\x00\x00"
    await db.operate(key, [bo.bit_remove("b", 0, 3)])
    assert await stored(db, key) == b"\x03\x00\x00"


async def test_bitwise_writes(db: Db, key: Key) -> None:
    await db.put(key, {"b": b"\x0f\xf0"})
    await db.operate(key, [bo.bit_set("b", 4, 8, b"\xa5")])
    assert await stored(db, key) == b"\x0a\x50"
    await db.operate(key, [bo.bit_or("b", 0, 8, b"\x01")])
    await db.operate(key, [bo.bit_xor("b", 8, 8, b"\xff")])
    assert await stored(db, key) == b"\x0b\xaf"
    await db.operate(key, [bo.bit_and("b", 0, 16, b"\xf0\x0f")])
    assert await stored(db, key) == b"\x00\x0f"
    await db.operate(key, [bo.bit_not("b", 0, 8)])
    await db.operate(key, [bo.bit_lshift("b", 8, 8, 4)])
    assert await stored(db, key) == b"\xff\xf0"
    await db.operate(key, [bo.bit_rshift("b", 0, 16, 8)])
    assert await stored(db, key) == b"\x00\xff"


async def test_integer_arithmetic(db: Db, key: Key) -> None:
    await db.put(key, {"b": b"\x00\x00"})
    await db.operate(key, [bo.bit_set_int("b", 0, 8, 250)])
    await db.operate(key, [bo.bit_add("b", 0, 8, 10, False, ap.BIT_OVERFLOW_SATURATE)])
    assert await bits(db, key, bo.bit_get_int("b", 0, 8)) == 255
    await db.operate(key, [bo.bit_add("b", 0, 8, 2, False, ap.BIT_OVERFLOW_WRAP)])
    assert await bits(db, key, bo.bit_get_int("b", 0, 8)) == 1
    with pytest.raises(AerospikeError) as info:
        await db.operate(key, [bo.bit_subtract("b", 0, 8, 5, False, ap.BIT_OVERFLOW_FAIL)])
    assert info.value.code == 26  # op not applicable: overflow
    await db.operate(key, [bo.bit_subtract("b", 8, 8, 3, True, ap.BIT_OVERFLOW_WRAP)])
    assert await bits(db, key, bo.bit_get_int("b", 8, 8, True)) == -3
    assert await bits(db, key, bo.bit_get_int("b", 8, 8)) == 253


async def test_reads(db: Db, key: Key) -> None:
    await db.put(key, {"b": b"\x0f\xf0\x01"})
    assert await bits(db, key, bo.bit_get("b", 4, 8)) == b"\xff"
    assert await bits(db, key, bo.bit_get("b", 0, 4)) == b"\x00"
    assert await bits(db, key, bo.bit_count("b", 0, 24)) == 9
    assert await bits(db, key, bo.bit_lscan("b", 0, 24, True)) == 4
    assert await bits(db, key, bo.bit_rscan("b", 0, 24, True)) == 23
    assert await bits(db, key, bo.bit_lscan("b", 4, 8, False)) == -1


async def test_write_flags(db: Db, key: Key) -> None:
    with pytest.raises(AerospikeError) as info:
        await db.operate(key, [bo.bit_resize("b", 2, policy=ap.BIT_WRITE_UPDATE_ONLY)])
    assert info.value.code == 17  # bin not found
    await db.operate(key, [bo.bit_resize("b", 2, policy=ap.BIT_WRITE_CREATE_ONLY)])
    with pytest.raises(AerospikeError) as info:
        await db.operate(key, [bo.bit_resize("b", 3, policy=ap.BIT_WRITE_CREATE_ONLY)])
    assert info.value.code == 6  # bin exists
    await db.operate(key, [bo.bit_resize("b", 3, policy=ap.BIT_WRITE_CREATE_ONLY | ap.BIT_WRITE_NO_FAIL)])
    assert await stored(db, key) == b"\x00\x00"
    # The official client's policy dict works too.
    await db.operate(key, [bo.bit_set("b", 0, 8, b"\x80", {"bit_write_flags": ap.BIT_WRITE_UPDATE_ONLY})])
    assert await stored(db, key) == b"\x80\x00"


async def test_hll(db: Db, key: Key) -> None:
    record = await db.operate(
        key,
        [ho.hll_init("h", 10), ho.hll_add("h", ["a", "b", "c", "a"]), ho.hll_get_count("h"), ho.hll_describe("h")],
    )
    # hll_init has no result; the others answer for the same bin, in order.
    assert record.bins == {"h": [3, 3, [10, 0]]}
    sketch = await stored(db, key, "h")
    assert isinstance(sketch, HyperLogLog)
    other = (await db.operate(key, [ho.hll_add("h2", ["c", "d"], 10)])).bins["h2"]
    assert other == 2
    sketch2 = await stored(db, key, "h2")
    union = (await db.operate(key, [ho.hll_get_union("h", [sketch2])])).bins["h"]
    assert isinstance(union, HyperLogLog)
    assert (await db.operate(key, [ho.hll_get_union_count("h", [sketch2])])).bins["h"] == 4
    assert (await db.operate(key, [ho.hll_get_intersect_count("h", [sketch2])])).bins["h"] == 1
    similarity = (await db.operate(key, [ho.hll_get_similarity("h", [sketch2])])).bins["h"]
    assert isinstance(similarity, float) and 0.2 < similarity < 0.3
    await db.operate(key, [ho.hll_set_union("h", [sketch2])])
    assert (await db.operate(key, [ho.hll_refresh_count("h")])).bins["h"] == 4
    await db.operate(key, [ho.hll_fold("h", 6)])
    assert (await db.operate(key, [ho.hll_describe("h")])).bins["h"] == [6, 0]


async def test_hll_minhash_and_flags(db: Db, key: Key) -> None:
    await db.operate(key, [ho.hll_init("h", 12, 8)])
    assert (await db.operate(key, [ho.hll_describe("h")])).bins["h"] == [12, 8]
    with pytest.raises(AerospikeError) as info:
        await db.operate(key, [ho.hll_init("h", 10, policy={"flags": ap.HLL_WRITE_CREATE_ONLY})])
    assert info.value.code == 6  # bin exists
    await db.operate(
        key, [ho.hll_init("h", 10, policy={"flags": ap.HLL_WRITE_CREATE_ONLY | ap.HLL_WRITE_NO_FAIL})]
    )
    assert (await db.operate(key, [ho.hll_describe("h")])).bins["h"] == [12, 8]
    assert (await db.operate(key, [ho.hll_add("n", ["x"], 8, 4)])).bins["n"] == 1
    assert (await db.operate(key, [ho.hll_describe("n")])).bins["n"] == [8, 4]
