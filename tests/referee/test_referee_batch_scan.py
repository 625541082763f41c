"""Batch and scan commands through the official client."""

from __future__ import annotations

import time
from typing import Any

import aerospike
import pytest
from aerospike import exception as ex
from aerospike_helpers import expressions as exp
from aerospike_helpers.batch import records as br
from aerospike_helpers.operations import operations as op


def seed(client: Any, key: Any, n: int) -> list[tuple[str, str, Any]]:
    keys = [key(i) for i in range(n)]
    for i, k in enumerate(keys):
        client.put(k, {"a": i, "s": f"v{i}"})
    return keys


def test_batch_read_all_bins_named_bins_and_exists(client: Any, key: Any) -> None:
    keys = seed(client, key, 7) + [key("m1"), key("m2")]
    res = client.batch_read(keys)
    assert res.result == 0
    assert [r.result for r in res.batch_records] == [0] * 7 + [2, 2]
    for i, r in enumerate(res.batch_records[:7]):
        assert r.key[:3] == keys[i]
        assert r.record[1]["gen"] == 1
        assert r.record[2] == {"a": i, "s": f"v{i}"}
    assert res.batch_records[7].record is None
    named = client.batch_read(keys, ["s"])
    assert named.batch_records[3].record[2] == {"s": "v3"}
    exists = client.batch_read(keys, [])
    assert len(exists.batch_records[0].record) == 2  # (key, meta): no bins
    assert [r.result for r in exists.batch_records][-2:] == [2, 2]


def test_batch_read_many_keys(client: Any, key: Any) -> None:
    keys = seed(client, key, 300)
    res = client.batch_read(keys)
    assert all(r.result == 0 for r in res.batch_records)
    assert sorted(r.record[2]["a"] for r in res.batch_records) == list(range(300))


def test_batch_write_mixed_records(client: Any, key: Any) -> None:
    keys = seed(client, key, 3)
    records = br.BatchRecords([
        br.Write(key("w1"), [op.write("a", 1), op.write("s", "w")]),
        br.Write(key("w2"), [op.increment("a", 5)], policy={"exists": aerospike.POLICY_EXISTS_CREATE}),
        br.Read(keys[0], [op.read("a"), op.read("s")]),
        br.Remove(keys[1]),
        br.Remove(key("missing")),
        br.Write(keys[2], [op.write("x", 1)], policy={"exists": aerospike.POLICY_EXISTS_CREATE}),
    ])
    res = client.batch_write(records)
    assert [r.result for r in res.batch_records] == [0, 0, 0, 0, 2, 5]
    assert res.batch_records[2].record[2] == {"a": 0, "s": "v0"}
    assert client.get(key("w1"))[2] == {"a": 1, "s": "w"}
    assert client.get(key("w2"))[2] == {"a": 5}
    with pytest.raises(ex.RecordNotFound):
        client.get(keys[1])


def test_batch_error_without_respond_all_keys_keeps_its_block(client: Any, key: Any) -> None:
    keys = seed(client, key, 1)
    # Both rows on one key, so one node answers both (in a cluster, rows for
    # other nodes would travel in batches of their own).
    records = br.BatchRecords([
        br.Write(keys[0], [op.write("x", 1)], policy={"exists": aerospike.POLICY_EXISTS_CREATE}),
        br.Read(keys[0], [op.read("a")]),
    ])
    res = client.batch_write(records, {"respond_all_keys": False})
    assert res.batch_records[0].result == 5
    # The server executes every row; without respond-all-keys an error only
    # stops the sending of later reply blocks. The client asks for the
    # failing row's block (REPORT_ERROR_REC), which holds both rows here.
    assert res.batch_records[1].result == 0
    assert res.batch_records[1].record[2] == {"a": 0}


def test_batch_operate_and_remove(client: Any, key: Any) -> None:
    keys = seed(client, key, 4)
    res = client.batch_operate(keys, [op.increment("a", 10), op.read("a")])
    assert [r.record[2]["a"] for r in res.batch_records] == [10, 11, 12, 13]
    removed = client.batch_remove(keys[:2] + [key("missing")])
    assert [r.result for r in removed.batch_records] == [0, 0, 2]
    left = client.batch_read(keys)
    assert [r.result for r in left.batch_records] == [2, 2, 0, 0]


def test_batch_with_filter_expression(client: Any, key: Any) -> None:
    keys = seed(client, key, 5)
    res = client.batch_read(keys, policy={"expressions": exp.GE(exp.IntBin("a"), 3).compile()})
    assert [r.result for r in res.batch_records] == [27, 27, 27, 0, 0]


def test_scan_set_select_and_max_records(client: Any, key: Any, ns: str, set_name: str) -> None:
    seed(client, key, 40)
    client.put(key("only"), {"only": 1})
    records = client.scan(ns, set_name).results()
    assert len(records) == 41
    for rec_key, meta, bins in records:
        assert rec_key[0] == ns and rec_key[1] == set_name and len(rec_key[3]) == 20
        assert meta["gen"] == 1
    scan = client.scan(ns, set_name)
    scan.select("only")
    selected = scan.results()
    assert [r[2] for r in selected] == [{"only": 1}]
    assert len(client.scan(ns, set_name).results(policy={"max_records": 7})) == 7


def test_scan_partition_filter_covers_the_set_exactly_once(client: Any, key: Any, ns: str,
                                                          set_name: str) -> None:
    seed(client, key, 60)
    seen: list[int] = []
    for begin in range(0, 4096, 1024):
        part = client.scan(ns, set_name).results(
            policy={"partition_filter": {"begin": begin, "count": 1024}})
        for rec_key, _, bins in part:
            assert begin <= client.get_key_partition_id(ns, set_name, bins["a"]) < begin + 1024
            seen.append(bins["a"])
    assert sorted(seen) == list(range(60))


def test_query_pagination_and_expression(client: Any, key: Any, ns: str, set_name: str) -> None:
    seed(client, key, 30)
    query = client.query(ns, set_name)
    query.max_records = 8
    query.paginate()
    pages: list[int] = []
    total: list[int] = []
    while not query.is_done():
        got = query.results()
        pages.append(len(got))
        total += [r[2]["a"] for r in got]
    assert sorted(total) == list(range(30))
    assert max(pages) <= 8
    q = client.query(ns, set_name)
    q.select("a")
    got = q.results(policy={"expressions": exp.GE(exp.IntBin("a"), 20).compile()})
    assert sorted(r[2]["a"] for r in got) == list(range(20, 30))
    assert all(set(r[2]) == {"a"} for r in got)


def test_truncate_set(client: Any, key: Any, ns: str, set_name: str) -> None:
    seed(client, key, 10)
    # A truncate removes the records last updated before its millisecond.
    time.sleep(0.01)
    client.truncate(ns, set_name, 0)
    deadline = time.monotonic() + 10
    while client.scan(ns, set_name).results() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert client.scan(ns, set_name).results() == []
    client.put(key("after"), {"v": 1})  # writes after a truncate are kept
    assert client.get(key("after"))[2] == {"v": 1}


def test_background_query_with_write_ops(client: Any, key: Any, ns: str, set_name: str) -> None:
    seed(client, key, 40)
    query = client.query(ns, set_name)
    query.add_ops([op.write("bg", 1), op.increment("a", 1000)])
    job = query.execute_background(policy={"expressions": exp.GE(exp.IntBin("a"), 30).compile()})
    deadline = time.monotonic() + 10
    while client.job_info(job, aerospike.JOB_QUERY)["status"] != aerospike.JOB_STATUS_COMPLETED:
        assert time.monotonic() < deadline, "background query did not finish"
        time.sleep(0.1)
    assert client.job_info(job, aerospike.JOB_QUERY)["records_read"] == 10
    res = client.batch_read([key(i) for i in range(40)])
    for i, r in enumerate(res.batch_records):
        bins = r.record[2]
        assert bins["a"] == (i + 1000 if i >= 30 else i)
        assert ("bg" in bins) == (i >= 30)
