"""Scans and secondary-index queries through aerospike_py.query, on both clients.

Runs against the embedded server, or a real one with AEROSPIKE_HOSTS; every
test uses its own set and index names (``q_`` + a random suffix), and drops
what it created.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

import aerospike_py
from aerospike_py import predicates as p
from aerospike_py.exception import AerospikeError, IndexNotFound, InvalidArgError
from aerospike_py.query import PartitionFilter, partition_filter_by_id, partition_filter_by_range

from .conftest import Db


@pytest_asyncio.fixture
async def qset(db: Db, ns: str) -> AsyncIterator[str]:
    name = "q_" + uuid.uuid4().hex[:10]
    yield name
    await wait(db.truncate(ns, name, 0))  # a shared real server keeps no leftovers


def iname() -> str:
    return "q_" + uuid.uuid4().hex[:12]


async def wait(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def results(q: Any, policy: dict[str, Any] | None = None) -> list[aerospike_py.Record]:
    return list(await wait(q.results(policy)))


async def collect(db: Db, stream: Any, limit: int | None = None) -> list[aerospike_py.Record]:
    """Iterates a stream the way its client type is meant to: async for / for."""
    out: list[aerospike_py.Record] = []
    if db.is_async:
        async for r in stream:
            out.append(r)
            if limit is not None and len(out) >= limit:
                break
    else:
        for r in stream:
            out.append(r)
            if limit is not None and len(out) >= limit:
                break
    return out


async def fill(db: Db, ns: str, qset: str, n: int, **extra: Any) -> None:
    records = []
    for i in range(n):
        bins = {"i": i, "name": f"n{i % 7}", "blob": bytes([i % 5]), "tags": [i % 3, i % 5],
                "m": {f"k{i % 4}": i % 6}}
        bins.update({k: v(i) if callable(v) else v for k, v in extra.items()})
        records.append(((ns, qset, i), bins, {"key": aerospike_py.POLICY_KEY_SEND}))
    for chunk in range(0, n, 500):
        await db.batch_write(
            [(k, b) for k, b, _ in records[chunk:chunk + 500]],
            {"key": aerospike_py.POLICY_KEY_SEND},
        )


@pytest_asyncio.fixture
async def indexes(db: Db, ns: str) -> AsyncIterator[list[str]]:
    created: list[str] = []
    yield created
    for name in created:
        await db.index_remove(ns, name)


def keys_of(records: list[aerospike_py.Record]) -> list[int]:
    return sorted(r.key.user_key for r in records if r.key is not None)  # type: ignore[misc]


# --- scans ----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_scan_results_foreach_and_stream(db: Db, ns: str, qset: str) -> None:
    await fill(db, ns, qset, 120)
    q = db.client.query(ns, qset)
    recs = await results(q)
    assert keys_of(recs) == list(range(120))
    r0 = next(r for r in recs if r.key.user_key == 0)  # type: ignore[union-attr]
    assert r0.key.namespace == ns and r0.key.set_name == qset and len(r0.key.digest) == 20
    assert r0.bins["tags"] == [0, 0] and r0.meta.gen == 1

    seen: list[int] = []
    await wait(db.client.query(ns, qset).foreach(lambda r: seen.append(r.bins["i"])))
    assert sorted(seen) == list(range(120))

    stream = db.client.query(ns, qset).stream()
    got = await collect(db, stream)
    assert keys_of(got) == list(range(120)) and stream.records == 120 and stream.ended


@pytest.mark.asyncio
async def test_stream_metadata_is_each_records_own(db: Db, ns: str, qset: str) -> None:
    """Runs of records with equal metadata share one RecordMetadata; a record
    whose generation or expiry differs from the one before gets its own."""
    await fill(db, ns, qset, 40)
    for i in range(0, 40, 3):  # generation 2 or 3
        await db.put((ns, qset, i), {"i": i})
        if i % 2:
            await db.put((ns, qset, i), {"i": i})
    for i in range(1, 40, 5):  # an expiry of its own
        await db.put((ns, qset, i), {"i": i}, meta={"ttl": 1000 + i * 100})
    def gen_of(i: int) -> int:  # the writes above
        return 1 + (i % 3 == 0) + (i % 3 == 0 and i % 2 == 1) + (i % 5 == 1)

    expected: dict[int, tuple[int, int | None]] = {}
    for i in range(40):  # single reads, alternating metadata: each its own
        rec = await wait(db.client.get((ns, qset, i)))
        assert rec.meta.gen == gen_of(i), (i, rec.meta)
        expected[i] = (rec.meta.gen, rec.meta.ttl)
    batch = await db.batch_read([(ns, qset, i) for i in range(40)])
    for i, row in enumerate(batch.batch_records):
        assert row.record is not None and row.record.meta.gen == gen_of(i), (i, row)
        assert abs(row.record.meta.ttl - expected[i][1]) <= 2  # type: ignore[operator]
    got = await collect(db, db.client.query(ns, qset).stream())
    assert keys_of(got) == list(range(40))
    for r in got:
        gen, ttl = expected[r.key.user_key]  # type: ignore[index,union-attr]
        assert r.meta.gen == gen, r
        # A second may pass between the get and the scan.
        assert ttl is not None and ttl - 2 <= r.meta.ttl <= ttl, (r, ttl)
    assert len({r.meta.gen for r in got}) >= 3  # 1, 2, 3 and 4 (both loops)


@pytest.mark.asyncio
async def test_scan_select_metadata_only_and_max_records(db: Db, ns: str, qset: str) -> None:
    await fill(db, ns, qset, 50)
    q = db.client.query(ns, qset)
    q.select("i", "name")
    recs = await results(q)
    assert len(recs) == 50 and all(set(r.bins) == {"i", "name"} for r in recs)
    meta_only = await results(db.client.query(ns, qset), {"include_bin_data": False})
    assert len(meta_only) == 50 and all(r.bins == {} for r in meta_only)
    capped = await results(db.client.query(ns, qset), {"max_records": 7})
    assert len(capped) == 7


@pytest.mark.asyncio
async def test_foreach_false_stops(db: Db, ns: str, qset: str) -> None:
    await fill(db, ns, qset, 100)
    seen: list[int] = []

    def cb(r: aerospike_py.Record) -> bool | None:
        seen.append(r.bins["i"])
        return False if len(seen) == 10 else None

    await wait(db.client.query(ns, qset).foreach(cb))
    assert len(seen) == 10


@pytest.mark.asyncio
async def test_partition_filters(db: Db, ns: str, qset: str) -> None:
    await fill(db, ns, qset, 200)
    everything = await results(db.client.query(ns, qset))
    by_pid: dict[int, list[int]] = {}
    for r in everything:
        pid = int.from_bytes(r.key.digest[:2], "little") & 0xFFF  # type: ignore[union-attr]
        by_pid.setdefault(pid, []).append(r.key.user_key)  # type: ignore[union-attr]
    pid = next(iter(by_pid))
    one = await results(db.client.query(ns, qset),
                        {"partition_filter": partition_filter_by_id(pid)})
    assert keys_of(one) == sorted(by_pid[pid])
    lo, hi = 0, 2048
    half = await results(db.client.query(ns, qset),
                         {"partition_filter": partition_filter_by_range(lo, hi - lo)})
    assert keys_of(half) == sorted(k for p_, ks in by_pid.items() if lo <= p_ < hi for k in ks)


@pytest.mark.asyncio
async def test_pagination_reads_everything_once(db: Db, ns: str, qset: str) -> None:
    await fill(db, ns, qset, 230)
    q = db.client.query(ns, qset)
    q.max_records = 50
    q.paginate()
    pages: list[list[int]] = []
    while not q.is_done():
        page = await results(q)
        if not page:
            break
        assert len(page) <= 50
        pages.append([r.bins["i"] for r in page])
    flat = [i for page in pages for i in page]
    assert sorted(flat) == list(range(230)) and len(flat) == len(set(flat))
    assert q.is_done()
    status = q.get_partitions_status()
    parts = [v for k, v in status.items() if isinstance(k, int)]
    assert len(parts) == 4096 and all(s[2] for s in parts) and status["done"] is True


@pytest.mark.asyncio
async def test_stop_and_resume_with_cursor_in_new_client(
    db: Db, ns: str, qset: str, aerospike_server: Any
) -> None:
    await fill(db, ns, qset, 300)
    stream = db.client.query(ns, qset).stream({"record_queue_size": 1})
    first = await collect(db, stream, limit=111)
    await wait(stream.aclose() if db.is_async else stream.close())
    cursor = stream.cursor().to_bytes()
    assert not PartitionFilter.from_bytes(cursor).is_done()

    config = aerospike_server.client_config()
    if db.is_async:
        other = await aerospike_py.async_client(config).connect()
    else:
        other = aerospike_py.client(config).connect()
    try:
        pf = PartitionFilter.from_bytes(cursor)
        rest = await results(other.query(ns, qset), {"partition_filter": pf})
    finally:
        await wait(other.close())
    firsts = [r.bins["i"] for r in first]
    rests = [r.bins["i"] for r in rest]
    assert len(firsts) == 111
    assert sorted(firsts + rests) == list(range(300)) and not set(firsts) & set(rests)


@pytest.mark.asyncio
async def test_dropping_a_stream_cancels_it(db: Db, ns: str, qset: str) -> None:
    await fill(db, ns, qset, 400)
    stream = db.client.query(ns, qset).stream({"record_queue_size": 1})
    got = await collect(db, stream, limit=5)
    assert len(got) == 5
    del stream  # the query is cancelled; the autouse fixture checks nothing leaks


# --- secondary indexes ------------------------------------------------------------


@pytest.mark.asyncio
async def test_numeric_string_blob_indexes(db: Db, ns: str, qset: str, indexes: list[str]) -> None:
    await fill(db, ns, qset, 60)
    i_num, i_str, i_blob = iname(), iname(), iname()
    await db.index_integer_create(ns, qset, "i", i_num)
    await db.index_string_create(ns, qset, "name", i_str)
    await db.index_blob_create(ns, qset, "blob", i_blob)
    indexes += [i_num, i_str, i_blob]

    q = db.client.query(ns, qset)
    q.where(p.equals("i", 17))
    assert keys_of(await results(q)) == [17]
    q = db.client.query(ns, qset)
    q.where(p.between("i", 10, 19))
    assert keys_of(await results(q)) == list(range(10, 20))
    q = db.client.query(ns, qset)
    q.where(p.equals("name", "n3"))
    assert keys_of(await results(q)) == [i for i in range(60) if i % 7 == 3]
    q = db.client.query(ns, qset)
    q.where(p.equals("blob", bytes([2])))
    assert keys_of(await results(q)) == [i for i in range(60) if i % 5 == 2]


@pytest.mark.asyncio
async def test_collection_indexes(db: Db, ns: str, qset: str, indexes: list[str]) -> None:
    await fill(db, ns, qset, 40)
    i_list, i_keys, i_vals = iname(), iname(), iname()
    await db.index_list_create(ns, qset, "tags", aerospike_py.INDEX_NUMERIC, i_list)
    await db.index_map_keys_create(ns, qset, "m", aerospike_py.INDEX_STRING, i_keys)
    await db.index_map_values_create(ns, qset, "m", aerospike_py.INDEX_NUMERIC, i_vals)
    indexes += [i_list, i_keys, i_vals]

    q = db.client.query(ns, qset)
    q.where(p.contains("tags", aerospike_py.INDEX_TYPE_LIST, 4))
    assert keys_of(await results(q)) == [i for i in range(40) if i % 5 == 4]
    q = db.client.query(ns, qset)
    q.where(p.range("tags", aerospike_py.INDEX_TYPE_LIST, 3, 4))
    got = keys_of(await results(q))
    assert got == sorted(i for i in range(40) if i % 5 in (3, 4) or i % 3 in (3, 4))
    q = db.client.query(ns, qset)
    q.where(p.contains("m", aerospike_py.INDEX_TYPE_MAPKEYS, "k2"))
    assert keys_of(await results(q)) == [i for i in range(40) if i % 4 == 2]
    q = db.client.query(ns, qset)
    q.where(p.contains("m", aerospike_py.INDEX_TYPE_MAPVALUES, 5))
    assert keys_of(await results(q)) == [i for i in range(40) if i % 6 == 5]


@pytest.mark.asyncio
async def test_ctx_index(db: Db, ns: str, qset: str, indexes: list[str]) -> None:
    for i in range(20):
        await db.put((ns, qset, i), {"doc": {"inner": i % 4, "other": 1}})
    name = iname()
    ctx = [(0x22, "inner")]  # CDT_CTX_MAP_KEY "inner"
    await db.index_cdt_create(ns, qset, "doc", aerospike_py.INDEX_TYPE_DEFAULT,
                              aerospike_py.INDEX_NUMERIC, name, ctx)
    indexes.append(name)
    q = db.client.query(ns, qset)
    q.where(p.equals("doc", 3, ctx=ctx))
    got = await results(q)
    assert sorted(r.bins["doc"]["inner"] for r in got) == [3] * 5


@pytest.mark.asyncio
async def test_geo_queries(db: Db, ns: str, qset: str, indexes: list[str]) -> None:
    for i in range(10):
        point = aerospike_py.GeoJSON({"type": "Point", "coordinates": [-122.0 + i * 0.01, 37.0]})
        await db.put((ns, qset, i), {"loc": point, "i": i})
    await db.put((ns, qset, "region"), {"area": aerospike_py.GeoJSON(
        {"type": "Polygon",
         "coordinates": [[[-123.0, 36.0], [-121.0, 36.0], [-121.0, 38.0], [-123.0, 38.0],
                          [-123.0, 36.0]]]}), "i": 100})
    i_loc, i_area = iname(), iname()
    await db.index_geo2dsphere_create(ns, qset, "loc", i_loc)
    await db.index_geo2dsphere_create(ns, qset, "area", i_area)
    indexes += [i_loc, i_area]
    box = {"type": "Polygon", "coordinates": [[[-122.005, 36.9], [-121.955, 36.9],
                                               [-121.955, 37.1], [-122.005, 37.1],
                                               [-122.005, 36.9]]]}
    q = db.client.query(ns, qset)
    q.where(p.geo_within_geojson_region("loc", json.dumps(box)))
    assert sorted(r.bins["i"] for r in await results(q)) == [0, 1, 2, 3, 4]
    q = db.client.query(ns, qset)
    q.where(p.geo_within_radius("loc", 37.0, -122.0, 2500.0))  # 0.01 deg lng ~ 888 m
    assert sorted(r.bins["i"] for r in await results(q)) == [0, 1, 2]
    q = db.client.query(ns, qset)
    q.where(p.geo_contains_point("area", -122.0, 37.0))
    got = await results(q)
    assert [r.bins["i"] for r in got] == [100]


@pytest.mark.asyncio
async def test_index_kept_through_writes_deletes_and_truncate(
    db: Db, ns: str, qset: str, indexes: list[str]
) -> None:
    name = iname()
    await db.index_integer_create(ns, qset, "v", name)
    indexes.append(name)
    for i in range(10):
        await db.put((ns, qset, i), {"v": i, "k": i})

    async def hits(lo: int, hi: int) -> list[int]:
        q = db.client.query(ns, qset)
        q.where(p.between("v", lo, hi))
        return sorted(r.bins["k"] for r in await results(q))

    assert await hits(0, 4) == [0, 1, 2, 3, 4]
    await db.put((ns, qset, 2), {"v": 100})       # moves out of the range
    await db.remove((ns, qset, 3))                # gone
    await db.put((ns, qset, 50), {"v": 1, "k": 50})  # a new one in range
    await db.put((ns, qset, 4), {"v": None, "other": 1})  # bin removed
    assert await hits(0, 4) == [0, 1, 50]
    assert await hits(100, 100) == [2]
    await db.truncate(ns, qset)
    for _ in range(50):  # truncation is asynchronous on a real server
        if await hits(0, 1000) == []:
            break
        await asyncio.sleep(0.1)
    assert await hits(0, 1000) == []


@pytest.mark.asyncio
async def test_index_errors(db: Db, ns: str, qset: str, indexes: list[str]) -> None:
    await fill(db, ns, qset, 5)
    q = db.client.query(ns, qset)
    q.where(p.equals("i", 1))
    with pytest.raises(IndexNotFound) as err:
        await results(q)
    assert err.value.code == 201
    name = iname()
    await db.index_integer_create(ns, qset, "i", name)
    indexes.append(name)
    await db.index_integer_create(ns, qset, "i", name)  # same definition: no error
    with pytest.raises(AerospikeError) as clash:
        await db.index_string_create(ns, qset, "name", name)
    assert clash.value.code == 200
    with pytest.raises(InvalidArgError):
        db.client.query(ns, qset).where(p.equals("i", 1.5))
    info = await db.index_info(ns, name)
    assert info["load_pct"] == "100" and int(info["entries"]) == 5


@pytest.mark.asyncio
async def test_set_index_create_rename_list_and_remove(db: Db, ns: str, qset: str,
                                                      indexes: list[str]) -> None:
    """index_set_create (the official client's, server 8.1): one index per
    set, shown after the bin indexes, renamed by a create under another
    name; a scan of the set still returns every record."""
    await fill(db, ns, qset, 30)
    first, second = iname(), iname()
    indexes.extend([first, second])  # removed after the test whatever happens (a missing one: ok)
    await db.index_set_create(ns, qset, first)
    await db.index_set_create(ns, qset, first)  # again, same set: no error
    info = await db.index_info(ns, first)
    assert sorted(info) == ["entries", "load_pct", "used_bytes"]
    assert info["entries"] == "30" and info["load_pct"] == "100"
    assert int(info["used_bytes"]) >= 30 * 16  # 16 bytes per record of every indexed set
    listing = await db.info_random_node(f"sindex-list:namespace={ns}")
    assert f"ns={ns}:indexname={first}:set={qset}:indextype=set" in listing
    sets_info = await db.info_random_node(f"sets/{ns}/{qset}")
    assert ":enable-index=true:" in sets_info and ":sindexes=0:" in sets_info
    await db.index_set_create(ns, qset, second)  # renames
    with pytest.raises(IndexNotFound):
        await db.index_info(ns, first)
    assert (await db.index_info(ns, second))["entries"] == "30"
    with pytest.raises(AerospikeError) as taken:
        await db.index_set_create(ns, qset + "_other", second)
    assert taken.value.code == 200
    assert keys_of(await results(db.client.query(ns, qset))) == list(range(30))
    with pytest.raises(InvalidArgError):
        await db.index_set_create(ns, None, iname())
    with pytest.raises(InvalidArgError):
        await db.index_set_create(ns, "bad;set", iname())
    await db.index_remove(ns, second)
    sets_info = await db.info_random_node(f"sets/{ns}/{qset}")
    assert ":enable-index=false:" in sets_info


@pytest.mark.asyncio
async def test_background_ops_and_job_info(db: Db, ns: str, qset: str, indexes: list[str]) -> None:
    await fill(db, ns, qset, 30)
    name = iname()
    await db.index_integer_create(ns, qset, "i", name)
    indexes.append(name)
    q = db.client.query(ns, qset)
    q.where(p.between("i", 0, 9))
    q.add_ops([{"op": aerospike_py.OPERATOR_WRITE, "bin": "flag", "val": 1}])
    job = await wait(q.execute_background())
    assert isinstance(job, int) and job > 0
    await db.wait_for_job(job)
    info = await db.job_info(job, aerospike_py.JOB_QUERY)
    assert info["status"] == aerospike_py.JOB_STATUS_COMPLETED
    flagged = [r.bins["i"] for r in await results(db.client.query(ns, qset)) if "flag" in r.bins]
    assert sorted(flagged) == list(range(10))


# An expression reading integer bin "v" (msgpack [81, 2, "v"]): compiled form.
INT_BIN_V = b"\x93\x51\x02\xa1v"


@pytest.mark.asyncio
async def test_expression_index_and_index_name(db: Db, ns: str, qset: str,
                                               indexes: list[str]) -> None:
    for i in range(20):
        await db.put((ns, qset, i), {"v": i % 4, "k": i})
    by_exp = iname()
    await db.index_expr_create(ns, qset, aerospike_py.INDEX_TYPE_DEFAULT,
                               aerospike_py.INDEX_NUMERIC, INT_BIN_V, by_exp)
    indexes.append(by_exp)
    q = db.client.query(ns, qset)
    q.where_with_expr(INT_BIN_V, p.equals("unused", 2))
    assert sorted(r.bins["k"] for r in await results(q)) == [2, 6, 10, 14, 18]
    q = db.client.query(ns, qset)
    q.where_with_index_name(by_exp, p.between("unused", 3, 3))
    assert sorted(r.bins["k"] for r in await results(q)) == [3, 7, 11, 15, 19]
    with pytest.raises(InvalidArgError):
        db.client.query(ns, qset).where_with_expr("not compiled", p.equals("x", 1))


@pytest.mark.asyncio
async def test_throttled_short_and_shown_queries(db: Db, ns: str, qset: str) -> None:
    await fill(db, ns, qset, 40)
    stream = db.client.query(ns, qset).stream({"records_per_second": 400})
    got = await collect(db, stream)
    assert len(got) == 40
    show = await db.info_all(f"query-show:trid={stream.task_id}")
    answers = [a.response for a in show if "trid=" in a.response]
    assert answers and all(":rps=400:" in a for a in answers), answers
    assert all("status=done(ok)" in a for a in answers), answers
    short = await results(db.client.query(ns, qset),
                          {"expected_duration": aerospike_py.QUERY_DURATION_SHORT})
    assert len(short) == 40
    with pytest.raises(InvalidArgError):
        await results(db.client.query(ns, qset),
                      {"expected_duration": aerospike_py.QUERY_DURATION_SHORT,
                       "records_per_second": 10})


@pytest.mark.asyncio
async def test_bad_policy_and_arguments(db: Db, ns: str, qset: str) -> None:
    # As aerospike-py (and main's lenient policies): an unknown key warns and is ignored.
    with pytest.warns(UserWarning, match="no_such_key"):
        await results(db.client.query(ns, qset), {"no_such_key": 1})
    with pytest.raises(InvalidArgError):
        await results(db.client.query(ns, qset), {"max_records": -1})
    with pytest.raises(InvalidArgError):
        await results(db.client.query(ns, qset), {"partition_filter": "all"})
    with pytest.raises(InvalidArgError):
        db.client.query(ns, qset).select("ok", 5)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgError):
        await wait(db.client.query(ns, qset).execute_background())  # no ops, no UDF


@pytest.mark.asyncio
async def test_cancelling_the_consuming_task_cancels_the_query(
    ns: str, qset: str, aerospike_server: Any
) -> None:
    import gc

    from aerospike_py import _core

    client = await aerospike_py.async_client(aerospike_server.client_config()).connect()
    try:
        await client.batch_write([((ns, qset, i), {"i": i, "pad": "x" * 500})
                                  for i in range(2000)])
        started = asyncio.Event()

        async def consume() -> None:
            async for _ in client.query(ns, qset).stream({"record_queue_size": 1}):
                started.set()
                await asyncio.sleep(10)  # a very slow consumer

        gc.disable()  # the query must end without waiting for a collection
        try:
            task = asyncio.ensure_future(consume())
            await started.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            del task
            for _ in range(200):
                if _core.debug_counters()["live_query_streams"] == 0:
                    break
                await asyncio.sleep(0.01)
            assert _core.debug_counters()["live_query_streams"] == 0
        finally:
            gc.enable()
    finally:
        await client.close()
