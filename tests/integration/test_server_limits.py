"""The server's limits as a client meets them, against the embedded server
and, with AEROSPIKE_HOSTS, a real one: both must answer alike (the byte
level is pinned by tests/recorder, these are the user-visible effects)."""

from __future__ import annotations

import pytest

from aerospike_py.exception import InvalidRequest, RecordTooBig

from .conftest import Db

pytestmark = pytest.mark.asyncio

MIB = 1024 * 1024


async def test_generation_wraps_to_one(db: Db, key: tuple[str, str, str]) -> None:
    # Generations are 16 bits; after 65535 the next write gives 1 (0 means
    # "no record"). 65535 writes of one key, in batches of 5000 rows.
    total = 0
    while total < 65535:
        n = min(5000, 65535 - total)
        result = await db.batch_write([(key, {"g": total + i}) for i in range(n)])
        assert {r.result for r in result.batch_records} == {0}
        total += n
    assert (await db.get(key)).meta.gen == 65535
    await db.put(key, {"g": -1})
    assert (await db.get(key)).meta.gen == 1


async def test_record_size_counts_the_stored_record(db: Db, key: tuple[str, str, str]) -> None:
    # max-record-size (1 MiB) holds the record as stored: a 35-byte header,
    # the set name and its length, the bin count, the bin's name and value
    # with their sizes and a 4-byte end mark.
    overhead = 35 + (1 + len(key[1])) + 1 + (1 + 1) + 5 + 4
    await db.put(key, {"v": "x" * (MIB - overhead)})
    with pytest.raises(RecordTooBig):
        await db.put(key, {"v": "x" * (MIB - overhead + 1)})
    # The refused write left the record as it was.
    assert len((await db.get(key)).bins["v"]) == MIB - overhead


async def test_a_write_that_grows_a_record_past_the_limit_is_refused(
    db: Db, key: tuple[str, str, str]
) -> None:
    await db.put(key, {"a": "x" * (MIB // 2)})
    with pytest.raises(RecordTooBig):
        await db.put(key, {"b": "y" * (MIB // 2)})
    assert list((await db.get(key)).bins) == ["a"]


async def test_more_ops_than_the_server_runs_are_refused(db: Db, key: tuple[str, str, str]) -> None:
    # MAX_N_OPS: a command with more than 32768 ops is refused with
    # PARAMETER, however many the 16-bit op count could announce.
    await db.put(key, {"a": 1})
    assert (await db.select(key, ["a"] * 32768)).bins == {"a": 1}
    with pytest.raises(InvalidRequest) as err:
        await db.select(key, ["a"] * 32769)
    assert err.value.code == 4
