"""Aggregations (``query.apply`` + ``results``/``foreach``) and background
UDFs (``execute_background`` after ``apply``, then ``job_info``), sync and
async, on the embedded server or a real one (AEROSPIKE_HOSTS).

The nodes run the stream UDF of tests/udf/udf_streams.lua over their records
(one run per partition, as a real 8.1 server does) and send the values; the
client reduces them with its own copy of the module on the core's worker
thread. Expected answers are computed from the data written, and they are
what the official client gets from a real server for the same module.
"""

from __future__ import annotations

import asyncio
import inspect
import pathlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

import aerospike_py
from aerospike_py import exception
from aerospike_py import predicates as p

from .conftest import Db

pytestmark = pytest.mark.asyncio

MODULE = "udf_streams"
SOURCE = pathlib.Path(__file__).resolve().parents[1] / "udf" / f"{MODULE}.lua"
N = 60


async def wait(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


@pytest_asyncio.fixture
async def agg(db: Db, ns: str) -> AsyncIterator[str]:
    """A fresh set of N records {"i": i, "name": "n<i % 3>"} and the module."""
    await db.udf_put(str(SOURCE))
    set_name = "agg_" + uuid.uuid4().hex[:10]
    await db.batch_write([((ns, set_name, i), {"i": i, "name": f"n{i % 3}"}) for i in range(N)])
    yield set_name
    await wait(db.truncate(ns, set_name, 0))


def query(db: Db, ns: str, set_name: str, function: str, args: list[Any] | None = None) -> Any:
    q = db.client.query(ns, set_name)
    q.apply(MODULE, function, args or [])
    return q


async def results(db: Db, ns: str, set_name: str, function: str,
                  args: list[Any] | None = None) -> list[Any]:
    return list(await wait(query(db, ns, set_name, function, args).results()))


async def test_sum_by_map_reduce_and_by_aggregate(db: Db, ns: str, agg: str) -> None:
    total = sum(range(N))
    assert await results(db, ns, agg, "sum", ["i"]) == [total]
    assert await results(db, ns, agg, "sum_aggregate", ["i"]) == [total]


async def test_count_by_merges_the_nodes_maps(db: Db, ns: str, agg: str) -> None:
    assert await results(db, ns, agg, "count_by", ["name"]) == [{"n0": 20, "n1": 20, "n2": 20}]


async def test_groupby(db: Db, ns: str, agg: str) -> None:
    [groups] = await results(db, ns, agg, "by_parity")
    assert sorted(groups) == [0, 1]
    assert sorted(groups[0]) == list(range(0, N, 2))
    assert sorted(groups[1]) == list(range(1, N, 2))


async def test_filter_map_without_reduce_gives_every_value(db: Db, ns: str, agg: str) -> None:
    assert sorted(await results(db, ns, agg, "above", [N - 6])) == list(range(N - 5, N))


async def test_operators_after_the_reduce_run_on_the_client(db: Db, ns: str, agg: str) -> None:
    assert await results(db, ns, agg, "sum_doubled") == [2 * sum(range(N))]


async def test_foreach_sees_the_reduced_values(db: Db, ns: str, agg: str) -> None:
    seen: list[Any] = []
    await wait(query(db, ns, agg, "sum", ["i"]).foreach(seen.append))
    assert seen == [sum(range(N))]


async def test_foreach_streams_values_and_stops_when_told(db: Db, ns: str, agg: str) -> None:
    # Without a reduce every record is a result: they reach the callback as
    # the client's chain produces them, and False stops the aggregation.
    seen: list[Any] = []

    def take_three(value: Any) -> bool:
        seen.append(value)
        return len(seen) < 3

    await wait(query(db, ns, agg, "values_of", ["i"]).foreach(take_three))
    assert len(seen) == 3 and set(seen) <= set(range(N))
    # The client is free for the next one at once.
    assert sorted(await results(db, ns, agg, "values_of", ["i"])) == list(range(N))


async def test_a_callback_error_ends_the_aggregation(db: Db, ns: str, agg: str) -> None:
    def fail(value: Any) -> None:
        raise KeyError("callback")

    with pytest.raises(KeyError):
        await wait(query(db, ns, agg, "values_of", ["i"]).foreach(fail))
    assert await results(db, ns, agg, "sum", ["i"]) == [sum(range(N))]


async def test_cancelling_an_async_aggregation(aerospike_server: Any, ns: str) -> None:
    # Task cancellation is the asyncio client's: its own client here.
    client = await aerospike_py.async_client(aerospike_server.client_config()).connect()
    set_name = "agg_" + uuid.uuid4().hex[:10]
    try:
        await client.udf_put(str(SOURCE))
        await client.batch_write([((ns, set_name, i), {"i": i}) for i in range(N)])
        first = asyncio.Event()

        async def slow(value: Any) -> None:
            first.set()
            await asyncio.sleep(10)

        q = client.query(ns, set_name)
        q.apply(MODULE, "values_of", ["i"])
        task = asyncio.ensure_future(q.foreach(slow))
        await asyncio.wait_for(first.wait(), 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        q = client.query(ns, set_name)
        q.apply(MODULE, "sum", ["i"])
        assert await q.results() == [sum(range(N))]
    finally:
        await client.truncate(ns, set_name, 0)
        await client.close()


async def test_empty_set_gives_no_value(db: Db, ns: str, agg: str) -> None:
    # Truncation removes records last updated before its cut-off (ms): let
    # the clock pass the writes first.
    await asyncio.sleep(0.01)
    await wait(db.truncate(ns, agg, 0))
    assert await results(db, ns, agg, "sum", ["i"]) == []


async def test_with_a_where_clause(db: Db, ns: str, agg: str) -> None:
    name = "agg_" + uuid.uuid4().hex[:12]
    await db.index_integer_create(ns, agg, "i", name)
    try:
        q = query(db, ns, agg, "sum", ["i"])
        q.where(p.between("i", 10, 19))
        assert list(await wait(q.results())) == [sum(range(10, 20))]
    finally:
        await db.index_remove(ns, name)


async def test_a_lua_error_on_the_nodes_is_a_udf_error(db: Db, ns: str, agg: str) -> None:
    with pytest.raises(exception.UDFError) as e:
        await results(db, ns, agg, "fails_on_node")
    assert "udf_streams.lua:48: node boom" in e.value.msg


async def test_a_lua_error_in_the_client_reduce_is_a_udf_error(db: Db, ns: str, agg: str) -> None:
    with pytest.raises(exception.UDFError) as e:
        await results(db, ns, agg, "fails_on_client")
    assert "udf_streams.lua:53: client boom" in e.value.msg


async def test_a_missing_function_is_a_udf_error(db: Db, ns: str, agg: str) -> None:
    with pytest.raises(exception.UDFError, match="function not found"):
        await results(db, ns, agg, "no_such_function")


async def test_a_module_this_client_did_not_register_is_fetched(db: Db, ns: str,
                                                                 agg: str) -> None:
    db.client._udf_local_sources.clear()
    assert await results(db, ns, agg, "sum", ["i"]) == [sum(range(N))]


async def test_an_unknown_module_is_a_udf_error(db: Db, ns: str, agg: str) -> None:
    q = db.client.query(ns, agg)
    q.apply("no_such_module_" + uuid.uuid4().hex[:6], "sum", ["i"])
    with pytest.raises(exception.UDFError, match="not known to the client"):
        await wait(q.results())


async def test_an_aggregation_takes_no_bins(db: Db, ns: str, agg: str) -> None:
    q = query(db, ns, agg, "sum", ["i"])
    q.select("i")
    with pytest.raises(exception.InvalidArgError):
        await wait(q.results())


async def test_background_udf_and_job_info(db: Db, ns: str, agg: str) -> None:
    q = query(db, ns, agg, "bump", [100])
    job = await wait(q.execute_background())
    assert isinstance(job, int) and job > 0
    await db.wait_for_job(job)
    info = await db.job_info(job, aerospike_py.JOB_QUERY)
    assert info["status"] == aerospike_py.JOB_STATUS_COMPLETED
    assert info["records_read"] == N
    # Every record was bumped once, and an aggregation sees the new values.
    assert await results(db, ns, agg, "sum", ["i"]) == [sum(range(N)) + 100 * N]


async def test_background_udf_with_a_where_clause(db: Db, ns: str, agg: str) -> None:
    name = "agg_" + uuid.uuid4().hex[:12]
    await db.index_integer_create(ns, agg, "i", name)
    try:
        q = query(db, ns, agg, "bump", [1000])
        q.where(p.between("i", 0, 9))
        job = await wait(q.execute_background())
        await db.wait_for_job(job)
        bumped = await results(db, ns, agg, "above", [999])
        assert sorted(bumped) == [1000 + i for i in range(10)]
    finally:
        await db.index_remove(ns, name)


async def test_scan_apply_and_query_apply(db: Db, ns: str, agg: str) -> None:
    """The official client's scan_apply / query_apply: background UDFs over
    the whole set and over an index range, job ids for job_info."""
    job = await db.scan_apply(ns, agg, MODULE, "bump", [100])
    assert isinstance(job, int) and job > 0
    await db.wait_for_job(job)
    assert (await db.job_info(job))["records_read"] == N
    assert await results(db, ns, agg, "sum", ["i"]) == [sum(range(N)) + 100 * N]
    name = "agg_" + uuid.uuid4().hex[:12]
    await db.index_integer_create(ns, agg, "i", name)
    try:
        job = await db.query_apply(ns, agg, p.between("i", 100, 109), MODULE, "bump", [1000])
        await db.wait_for_job(job)
        bumped = await results(db, ns, agg, "above", [999])
        assert sorted(bumped) == [1100 + i for i in range(10)]
    finally:
        await db.index_remove(ns, name)
    with pytest.raises(exception.InvalidArgError):
        await db.scan_apply(ns, agg, MODULE, "bump", [1], None, "not a dict")
