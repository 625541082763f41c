"""BatchKeys: many keys of one namespace/set without a tuple per key, in
batch_read (dict, lossless view, NumPy), batch_operate and batch_remove;
sync and async, one node and three."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import numpy as np
import pytest
import pytest_asyncio

import aerospike_py
from aerospike_py import BatchKeys
from aerospike_py.exception import ParamError
from aerospike_py.testing import EmbeddedServer

from .conftest import Db, close, connect

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture(params=["sync", "async"])
async def db3(request: pytest.FixtureRequest, aerospike_cluster3: EmbeddedServer) -> AsyncIterator[Db]:
    """A client of a fresh three-node embedded cluster."""
    client = await connect({"hosts": aerospike_cluster3.hosts}, request.param == "async")
    try:
        yield Db(client)
    finally:
        await close(client)


async def load(db: Db, ns: str, set_name: str, keys: list[object]) -> None:
    written = await db.batch_write([((ns, set_name, k), {"k": repr(k), "n": i}) for i, k in enumerate(keys)])
    assert all(r.result == 0 for r in written.batch_records)


async def check_forms(db: Db, ns: str, set_name: str) -> None:
    ints = list(range(0, 40, 2))
    await load(db, ns, set_name, ints)
    expected = {k: {"k": repr(k), "n": i} for i, k in enumerate(ints)}
    # A list, a tuple, a range, and NumPy arrays of every integer kind.
    for keys in (ints, tuple(ints), range(0, 40, 2)):
        assert await db.batch_read(BatchKeys(ns, set_name, keys)) == expected
    for dtype in ("i1", "i2", "<i4", ">i4", "i8", ">i8", "u1", "u2", "u4", "u8", ">u8"):
        arr = np.array(ints, dtype=dtype)
        assert await db.batch_read(BatchKeys(ns, set_name, arr)) == expected, dtype
    # A strided view reads every other element.
    wide = np.array([k for k in ints for _ in (0, 1)], dtype="i8")[::2]
    assert await db.batch_read(BatchKeys(ns, set_name, wide)) == expected
    # NumPy integer scalars in a list are ints too.
    assert await db.batch_read(BatchKeys(ns, set_name, list(np.array(ints)))) == expected
    # Misses are left out of the dict and kept in the view, in order.
    view = await db.batch_read_view(BatchKeys(ns, set_name, np.array([2, 3, 4])))
    assert [r.result for r in view] == [0, 2, 0]
    assert [r.key.user_key for r in view] == [2, 3, 4]
    assert all(type(r.key.user_key) is int for r in view)
    assert [r.key.set_name for r in view] == [set_name] * 3
    single = await db.get((ns, set_name, 4))
    assert view[2].key.digest == single.key.digest
    assert view[2].record.bins == single.bins


async def test_int_keys_in_every_form(db: Db, ns: str, set_name: str) -> None:
    await check_forms(db, ns, set_name)


async def test_int_keys_in_every_form_on_three_nodes(db3: Db) -> None:
    await check_forms(db3, "test", "t" + uuid.uuid4().hex[:12])


async def test_str_and_bytes_keys(db: Db, ns: str, set_name: str) -> None:
    strs = ["a", "bb", "ccc", "ünï"]
    raw = [b"x", b"yy", b"z\x00z"]
    await load(db, ns, set_name, strs + raw)
    got = await db.batch_read(BatchKeys(ns, set_name, strs))
    assert sorted(got) == sorted(strs)
    got = await db.batch_read(BatchKeys(ns, set_name, np.array(strs)))  # a U array
    assert sorted(got) == sorted(strs) and all(type(k) is str for k in got)
    got = await db.batch_read(BatchKeys(ns, set_name, raw))
    assert got == {k: {"k": repr(k), "n": 4 + i} for i, k in enumerate(raw)}
    # An S array: NumPy drops trailing NULs of S items, and so do the keys.
    padded = np.array([b"x", b"yy"], dtype="S5")
    view = await db.batch_read_view(BatchKeys(ns, set_name, padded))
    assert [r.key.user_key for r in view] == [b"x", b"yy"]
    assert [r.record.bins["k"] for r in view] == [repr(b"x"), repr(b"yy")]
    # bytes keys hash as strings (as in aerospike-py and the official client).
    same = await db.batch_read_view([(ns, set_name, b"x"), (ns, set_name, "x")])
    assert same[0].key.digest == same[1].key.digest


async def test_digests(db: Db, ns: str, set_name: str) -> None:
    keys = list(range(6))
    await load(db, ns, set_name, keys)
    digests = [r.key.digest for r in await db.batch_read_view([(ns, set_name, k) for k in keys])]
    for given in (
        digests,
        b"".join(digests),
        np.frombuffer(b"".join(digests), dtype=np.uint8).reshape(6, 20),
        np.array(digests, dtype="S20"),
    ):
        view = await db.batch_read_view(BatchKeys.from_digests(ns, set_name, given))
        assert [r.record.bins["n"] for r in view] == keys
        assert all(r.key.user_key is None for r in view)
        assert [r.key.digest for r in view] == digests
    # Digest-only keys have no user key: the dict leaves them out, to_list not.
    result = await db.batch_read(BatchKeys(ns, set_name, digests, digests=True))
    assert result == {} and result.found_count() == 6
    assert [b["n"] for b in result.to_list()] == keys
    assert len(BatchKeys.from_digests(ns, set_name, b"".join(digests))) == 6


async def test_groups_mixed_with_tuples_keep_input_order(db: Db, ns: str, set_name: str) -> None:
    other = set_name + "o"
    await load(db, ns, set_name, [1, 2, 3])
    await load(db, ns, other, [1, 2, 3])
    await db.put((ns, other, 2), {"k": "other-2", "n": 99})
    keys = [
        (ns, set_name, 3),
        BatchKeys(ns, other, np.array([2, 1])),
        BatchKeys(ns, set_name, []),  # an empty group adds nothing
        (ns, other, 3),
        BatchKeys(ns, set_name, [1, 7]),
    ]
    view = await db.batch_read_view(keys)
    assert [(r.key.set_name, r.key.user_key, r.result) for r in view] == [
        (set_name, 3, 0),
        (other, 2, 0),
        (other, 1, 0),
        (other, 3, 0),
        (set_name, 1, 0),
        (set_name, 7, 2),
    ]
    assert view[1].record.bins == {"k": "other-2", "n": 99}
    # Equal user keys in two sets: the lossless views keep both; the dict,
    # as aerospike-py's, keeps the later one.
    lazy = await db.batch_read(keys)
    assert [r.key.set_name for r in lazy.batch_records][:2] == [set_name, other]
    assert lazy[1] == {"k": "1", "n": 0} and lazy.all_user_keys() == [3, 2, 1, 3, 1, 7]
    assert len(lazy.to_list()) == 6 and lazy.to_list()[5] is None
    dtype = np.dtype([("n", "i8")])
    arrays = await db.batch_read(keys, _dtype=dtype)
    assert arrays.batch_records["n"].tolist() == [2, 99, 0, 2, 0, 0]
    assert arrays.result_codes.tolist() == [0, 0, 0, 0, 0, 2]


async def test_operate_and_remove_take_batch_keys(db: Db, ns: str, set_name: str) -> None:
    await load(db, ns, set_name, [1, 2, 3, 4])
    ops = [
        {"op": aerospike_py.OPERATOR_INCR, "bin": "n", "val": 10},
        {"op": aerospike_py.OPERATOR_READ, "bin": "n"},
    ]
    result = await db.batch_operate(BatchKeys(ns, set_name, np.array([1, 2])), ops)
    assert [r.record.bins["n"] for r in result.batch_records] == [10, 11]
    assert [r.key.user_key for r in result.batch_records] == [1, 2]
    removed = await db.batch_remove([BatchKeys(ns, set_name, [1, 9]), ((ns, set_name, 3), {"gen": 5})])
    assert [r.result for r in removed.batch_records] == [0, 2, 3]
    assert [r.key.user_key for r in removed.batch_records] == [1, 9, 3]
    removed = await db.batch_remove(BatchKeys(ns, set_name, [2, 3, 4]))
    assert [r.result for r in removed.batch_records] == [0, 0, 0]
    assert await db.batch_read(BatchKeys(ns, set_name, range(1, 5))) == {}


async def test_bad_bulk_keys_name_their_place(db: Db, ns: str, set_name: str) -> None:
    from aerospike_py import _core

    cases = [
        ([(ns, set_name, 1), BatchKeys(ns, set_name, [1, 2, 3.5])], r"keys\[1\]\.keys\[2\]"),
        (BatchKeys(ns, set_name, [1, None]), r"keys\.keys\[1\]"),
        (BatchKeys(ns, set_name, [1, 2**64]), r"keys\.keys\[1\].*64 bits"),
        (BatchKeys(ns, set_name, np.array([1, 2**63], dtype="u8")), r"keys\.keys\[1\].*64 bits"),
        (BatchKeys(ns, set_name, np.array([1.5])), r"format"),
        (BatchKeys(ns, set_name, np.zeros((2, 2), dtype="i8")), r"1-dimensional"),
        (BatchKeys("n" * 40, set_name, [1]), r"namespace"),
        (BatchKeys(ns, set_name, "abc"), r"sequence or a 1-D array"),
        (BatchKeys(ns, set_name, b"x" * 21, digests=True), r"multiple of 20"),
        (BatchKeys(ns, set_name, [b"short"], digests=True), r"keys\.keys\[0\].*20 bytes"),
        ([BatchKeys(ns, set_name, [1]), 5], r"keys\[1\]"),
    ]
    for keys, pattern in cases:
        with pytest.raises(ParamError, match=pattern):
            await db.batch_read(keys)
    assert _core.debug_counters()["live_commands"] == 0


async def test_large_bulk_batch(db: Db, ns: str, set_name: str) -> None:
    n = 12_000  # several requests per node: above the server's 5000-keys-per-request limit
    ids = np.arange(n, dtype=np.int64)
    dtype = np.dtype([("_key", "i8"), ("v", "i8")])
    data = np.zeros(n, dtype=dtype)
    data["_key"] = ids
    data["v"] = ids * 3
    written = await db.batch_write_numpy(data, ns, set_name, dtype)
    assert all(r.result == 0 for r in written.batch_records)
    out = await db.batch_read(BatchKeys(ns, set_name, ids[::-1]), _dtype=np.dtype([("v", "i8")]))
    assert (out.batch_records["v"] == ids[::-1] * 3).all()
    assert (out.result_codes == 0).all()
    assert len(await db.batch_read(BatchKeys(ns, set_name, ids))) == n
