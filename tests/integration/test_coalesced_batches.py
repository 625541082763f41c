"""Merged batch reads (issue 17, the serving path): batch_read calls issued
together (asyncio.gather, or threads) with the batch policy's ``coalesce``
travel as one batch, one request per node for all of them, and each call
gets exactly what it would have got alone: its own rows, its own misses,
its own exception.

Every scenario runs the same calls on a client that merges and on one that
does not, and compares the outcomes call by call; serving_stats() shows the
merges were made.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

import aerospike_py
from aerospike_py import _core, exp
from aerospike_py import exception as ex
from aerospike_py.testing import EmbeddedServer, ServerHandle

from .conftest import close, connect, seed_numbered

# Every call of one loop iteration (or of a few threads) lands in one window
# even on a busy machine (see test_coalesce.py).
WINDOW_US = 10_000
SETS = 5


def stats() -> dict[str, Any]:
    return _core.serving_stats()  # type: ignore[no-any-return]


def rows(result: Any) -> Any:
    """What a batch_read answered, comparable: each key's code and record,
    or the call's exception class."""
    if isinstance(result, type):
        return result
    return [(br.key, br.result, br.record) for br in result.batch_records]


async def aoutcome(aw: Any) -> Any:
    try:
        return rows(await aw)
    except ex.AerospikeError as e:
        return type(e)


@pytest.fixture
def sets(aerospike_server: ServerHandle, set_name: str) -> list[str]:
    """SETS sets of 20 records each (v = set number * 100 + i, tag even/odd)."""
    names = [f"{set_name}_{s}" for s in range(SETS)]
    c = aerospike_py.client(aerospike_server.client_config()).connect()
    try:
        for s, name in enumerate(names):
            for i in range(20):
                c.put((aerospike_server.namespace, name, i),
                      {"v": s * 100 + i, "tag": "even" if i % 2 == 0 else "odd", "l": [i, "x"]})
    finally:
        c.close()
    return names


def even_only() -> dict[str, Any]:
    return {"filter_expression": exp.eq(exp.string_bin("tag"), "even").compile()}


@pytest.mark.asyncio
async def test_gathered_batch_reads_travel_together(
    aerospike_server: ServerHandle, sets: list[str]
) -> None:
    ns = aerospike_server.namespace
    config = aerospike_server.client_config()
    plain = await aerospike_py.async_client(config).connect()
    merging = await aerospike_py.async_client(
        {**config, "coalesce_batches": True, "coalesce_window_us": WINDOW_US}
    ).connect()
    try:

        def calls(c: aerospike_py.AsyncClient) -> list[Any]:
            out: list[Any] = []
            for s in sets:
                keys = [(ns, s, i) for i in range(10, 30)]  # 10 hits, 10 misses
                out.append(c.batch_read(keys))
                out.append(c.batch_read(keys[::2], ["v"]))  # named bins: another row kind
                out.append(c.batch_read(keys[::3], []))     # header only
            return out

        expected = await asyncio.gather(*(aoutcome(a) for a in calls(plain)))
        _core.serving_stats(True)
        got = await asyncio.gather(*(aoutcome(a) for a in calls(merging)))
        s = stats()
        assert got == expected
        assert s["merged_batch_calls"] == 3 * SETS, s
        assert s["merged_batch_requests"] == 1, s
        first = got[0]
        assert [r[1] for r in first] == [0] * 10 + [2] * 10
        assert first[0][2][2] == {"v": 10, "tag": "even", "l": [10, "x"]}
        assert got[1][0][2][2] == {"v": 10}
        assert got[2][0][2][2] == {}
        # The dict view of a merged call holds its own keys only.
        dicts = await asyncio.gather(*(merging.batch_read([(ns, s, i) for i in range(15, 25)])
                                       for s in sets))
        for n, d in enumerate(dicts):
            assert sorted(d.to_dict()) == list(range(15, 20))
            assert d[15]["v"] == n * 100 + 15
        # The client that does not merge never does.
        _core.serving_stats(True)
        await asyncio.gather(*(aoutcome(a) for a in calls(plain)))
        assert stats()["merged_batch_calls"] == 0
    finally:
        await plain.close()
        await merging.close()


@pytest.mark.asyncio
async def test_policies_that_differ_are_not_merged(
    aerospike_server: ServerHandle, sets: list[str]
) -> None:
    ns = aerospike_server.namespace
    config = {**aerospike_server.client_config(), "coalesce_window_us": WINDOW_US}
    c = await aerospike_py.async_client(config).connect()
    try:
        keys = [[(ns, s, i) for i in range(20)] for s in sets]
        _core.serving_stats(True)
        await asyncio.gather(*(c.batch_read(k) for k in keys))
        assert stats()["merged_batch_calls"] == 0  # off by default
        on = {"coalesce": True}
        got = await asyncio.gather(
            *(aoutcome(c.batch_read(k, policy=on)) for k in keys),
            *(aoutcome(c.batch_read(k, policy={**on, **even_only()})) for k in keys),
            *(aoutcome(c.batch_read(k, policy={**on, "total_timeout": 4321})) for k in keys),
        )
        s = stats()
        assert s["merged_batch_requests"] == 3 and s["merged_batch_calls"] == 3 * SETS, s
        plain, filtered, slower = got[:SETS], got[SETS:2 * SETS], got[2 * SETS:]
        assert plain == slower
        for n, (p, f) in enumerate(zip(plain, filtered)):
            assert [r[2][2]["v"] for r in p] == [n * 100 + i for i in range(20)]
            # Odd records filtered out (27), each call's own filter kept.
            assert [r[1] for r in f] == [0 if i % 2 == 0 else 27 for i in range(20)]
    finally:
        await c.close()
    c = await aerospike_py.async_client({**config, "coalesce_batches": True}).connect()
    try:
        _core.serving_stats(True)
        await asyncio.gather(*(c.batch_read([(ns, s, 1)], policy={"coalesce": False})
                               for s in sets))
        assert stats()["merged_batch_calls"] == 0
    finally:
        await c.close()


@pytest.mark.asyncio
async def test_a_bad_call_fails_alone(aerospike_server: ServerHandle, sets: list[str]) -> None:
    ns = aerospike_server.namespace
    config = {**aerospike_server.client_config(), "coalesce_batches": True,
              "coalesce_window_us": WINDOW_US}
    c = await aerospike_py.async_client(config).connect()
    try:
        good = [[(ns, s, i) for i in range(5)] for s in sets]

        async def too_long_set() -> Any:
            return await c.batch_read([(ns, "s" * 70, 1)])

        _core.serving_stats(True)
        got = await asyncio.gather(
            *(aoutcome(c.batch_read(k)) for k in good),
            aoutcome(too_long_set()),
            aoutcome(c.batch_read([("no_such_namespace", sets[0], 1)])),
        )
        for n, g in enumerate(got[:SETS]):
            assert [r[2][2]["v"] for r in g] == [n * 100 + i for i in range(5)]
        assert got[SETS] is ex.ParamError
        # A namespace no node serves: that call's key carries its own code.
        assert isinstance(got[SETS + 1], list) and got[SETS + 1][0][1] == 20
        assert stats()["merged_batch_calls"] == SETS + 1
    finally:
        await c.close()


@pytest.mark.asyncio
async def test_numpy_and_arrow_calls_merge(aerospike_server: ServerHandle, sets: list[str]) -> None:
    ns = aerospike_server.namespace
    config = aerospike_server.client_config()
    plain = await aerospike_py.async_client(config).connect()
    merging = await aerospike_py.async_client(
        {**config, "coalesce_batches": True, "coalesce_window_us": WINDOW_US}
    ).connect()
    dtype = np.dtype([("v", "i8")])
    schema = pa.schema([("v", pa.int64())])
    try:

        def calls(c: aerospike_py.AsyncClient) -> list[Any]:
            return [c.batch_read([(ns, s, i) for i in range(15, 25)], _dtype=dtype)
                    for s in sets] + [c.batch_read([(ns, s, i) for i in range(18, 22)],
                                                   _arrow=schema) for s in sets]

        expected = await asyncio.gather(*calls(plain))
        _core.serving_stats(True)
        got = await asyncio.gather(*calls(merging))
        assert stats()["merged_batch_calls"] == 2 * SETS
        for n in range(SETS):
            e, g = expected[n], got[n]
            assert g.batch_records["v"].tolist() == e.batch_records["v"].tolist()
            assert g.result_codes.tolist() == e.result_codes.tolist() == [0] * 5 + [2] * 5
            assert g.batch_records["v"].tolist()[:5] == [n * 100 + i for i in range(15, 20)]
            ea, ga = expected[SETS + n], got[SETS + n]
            assert ga.to_pydict() == ea.to_pydict()
            assert ga.to_pydict()["v"] == [n * 100 + 18, n * 100 + 19, None, None]
    finally:
        await plain.close()
        await merging.close()


def test_sync_threads_merge(aerospike_server: ServerHandle, sets: list[str]) -> None:
    ns = aerospike_server.namespace
    config = {**aerospike_server.client_config(), "coalesce_batches": True,
              "coalesce_window_us": WINDOW_US}
    c = aerospike_py.client(config).connect()
    try:
        keys = [[(ns, s, i) for i in range(25)] for s in sets] * 4

        def one(k: list[tuple[str, str, int]]) -> Any:
            return rows(c.batch_read(k))

        _core.serving_stats(True)
        with concurrent.futures.ThreadPoolExecutor(len(keys)) as pool:
            got = list(pool.map(one, keys))
        for n, g in enumerate(got):
            assert [r[1] for r in g] == [0] * 20 + [2] * 5
            assert g[3][2][2]["v"] == (n % SETS) * 100 + 3
        assert stats()["merged_batch_calls"] >= 2
    finally:
        c.close()


@pytest.mark.embedded_server
@pytest.mark.asyncio
@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_merged_timeouts_reach_every_call(
    aerospike_cluster3: EmbeddedServer, set_name: str, flavour: str
) -> None:
    """One node answers late: every merged call with a key on it times out
    (its own TimeoutError), as it would alone; the calls whose keys all
    live elsewhere get their rows."""
    keys = seed_numbered(aerospike_cluster3, set_name, 60)
    policy = {"total_timeout": 150, "max_retries": 0, "replica": aerospike_py.POLICY_REPLICA_MASTER}
    calls = [keys[i:i + 3] for i in range(0, 60, 3)]
    aerospike_cluster3.set_fault(1, "delay", delay_ms=600, scope="data")
    results: dict[bool, list[Any]] = {}
    try:
        for merge in (False, True):
            config = {"hosts": aerospike_cluster3.hosts, "coalesce_batches": merge,
                      "coalesce_window_us": WINDOW_US}
            client = await connect(config, flavour == "async")
            try:
                _core.serving_stats(True)
                if isinstance(client, aerospike_py.AsyncClient):
                    results[merge] = list(await asyncio.gather(
                        *(aoutcome(client.batch_read(k, policy=policy)) for k in calls)))
                else:
                    sync_client = client

                    def one(k: list[tuple[str, str, int]]) -> Any:
                        try:
                            return rows(sync_client.batch_read(k, policy=policy))
                        except ex.AerospikeError as e:
                            return type(e)

                    with concurrent.futures.ThreadPoolExecutor(len(calls)) as pool:
                        results[merge] = list(pool.map(one, calls))
                assert (stats()["merged_batch_calls"] >= 2) == merge
            finally:
                await close(client)
                await asyncio.sleep(0.7)  # late answers stay out of the next run
    finally:
        aerospike_cluster3.clear_faults()
    timed_out = [r is ex.AerospikeTimeoutError for r in results[True]]
    assert timed_out == [r is ex.AerospikeTimeoutError for r in results[False]]
    assert any(timed_out) and not all(timed_out)
    for r, alone in zip(results[True], results[False]):
        if r is not ex.AerospikeTimeoutError:
            assert r == alone
