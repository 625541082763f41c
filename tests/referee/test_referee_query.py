"""Secondary indexes, queries, scans and background jobs through the official client.

The same assertions hold on the embedded server (one node, and a 3-node
cluster) and on a real Aerospike (AEROSPIKE_HOSTS): the official client gets
the same records from both. Set and index names start with ``q_``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import aerospike
import pytest
from aerospike import exception as ex
from aerospike import predicates as p
from aerospike_helpers.operations import operations as op


@pytest.fixture
def qset() -> str:
    return "q_" + uuid.uuid4().hex[:12]


@pytest.fixture
def indexes(client: Any, ns: str) -> Iterator[list[str]]:
    created: list[str] = []
    yield created
    for name in created:
        try:
            client.index_remove(ns, name)
        except ex.AerospikeError:
            pass


def iname() -> str:
    return "q_" + uuid.uuid4().hex[:12]


def seed(client: Any, ns: str, qset: str, n: int) -> None:
    for i in range(n):
        client.put((ns, qset, i), {"i": i, "name": f"n{i % 7}", "tags": [i % 3, i % 5],
                                   "m": {f"k{i % 4}": i % 6}},
                   policy={"key": aerospike.POLICY_KEY_SEND})


def ids(records: list[Any]) -> list[int]:
    return sorted(bins["i"] for _, _, bins in records)


def wait_readable(client: Any, ns: str, name: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answers = client.info_all(f"sindex-stat:namespace={ns};indexname={name}")
        if all("load_pct=100" in (v[1] or "") for v in answers.values()):
            return
        time.sleep(0.05)
    raise AssertionError(f"index {name} not built")


def test_scan_and_partition_status(client: Any, ns: str, qset: str) -> None:
    seed(client, ns, qset, 80)
    assert ids(client.scan(ns, qset).results()) == list(range(80))
    q = client.query(ns, qset)
    q.max_records = 25
    q.paginate()
    seen: list[int] = []
    while not q.is_done():
        page = q.results()
        if not page:
            break
        seen += [bins["i"] for _, _, bins in page]
    assert sorted(seen) == list(range(80)) and len(seen) == len(set(seen))
    status = q.get_partitions_status()
    assert len([k for k in status if isinstance(k, int)]) == 4096
    assert status["done"] is True


def test_integer_string_and_collection_queries(client: Any, ns: str, qset: str,
                                               indexes: list[str]) -> None:
    seed(client, ns, qset, 50)
    names = [iname() for _ in range(5)]
    client.index_integer_create(ns, qset, "i", names[0])
    client.index_string_create(ns, qset, "name", names[1])
    client.index_list_create(ns, qset, "tags", aerospike.INDEX_NUMERIC, names[2])
    client.index_map_keys_create(ns, qset, "m", aerospike.INDEX_STRING, names[3])
    client.index_map_values_create(ns, qset, "m", aerospike.INDEX_NUMERIC, names[4])
    indexes += names
    for n in names:
        wait_readable(client, ns, n)

    def run(predicate: Any) -> list[int]:
        q = client.query(ns, qset)
        q.where(predicate)
        return ids(q.results())

    assert run(p.equals("i", 7)) == [7]
    assert run(p.between("i", 10, 14)) == [10, 11, 12, 13, 14]
    assert run(p.equals("name", "n2")) == [i for i in range(50) if i % 7 == 2]
    assert run(p.contains("tags", aerospike.INDEX_TYPE_LIST, 4)) == [i for i in range(50)
                                                                     if i % 5 == 4]
    assert run(p.range("tags", aerospike.INDEX_TYPE_LIST, 3, 4)) == [
        i for i in range(50) if i % 5 in (3, 4)]
    assert run(p.contains("m", aerospike.INDEX_TYPE_MAPKEYS, "k1")) == [
        i for i in range(50) if i % 4 == 1]
    assert run(p.contains("m", aerospike.INDEX_TYPE_MAPVALUES, 5)) == [
        i for i in range(50) if i % 6 == 5]
    q = client.query(ns, qset)
    q.select("name")
    q.where(p.equals("i", 3))
    (_, _, bins), = q.results()
    assert bins == {"name": "n3"}


def test_geo_queries(client: Any, ns: str, qset: str, indexes: list[str]) -> None:
    for i in range(10):
        loc = aerospike.GeoJSON({"type": "Point", "coordinates": [-122.0 + i * 0.01, 37.0]})
        client.put((ns, qset, i), {"i": i, "loc": loc})
    name = iname()
    client.index_geo2dsphere_create(ns, qset, "loc", name)
    indexes.append(name)
    wait_readable(client, ns, name)
    box = {"type": "Polygon", "coordinates": [[[-122.005, 36.9], [-121.955, 36.9],
                                               [-121.955, 37.1], [-122.005, 37.1],
                                               [-122.005, 36.9]]]}
    q = client.query(ns, qset)
    q.where(p.geo_within_geojson_region("loc", json.dumps(box)))
    assert ids(q.results()) == [0, 1, 2, 3, 4]
    q = client.query(ns, qset)
    q.where(p.geo_within_radius("loc", -122.0, 37.0, 2500))  # official: (long, lat, radius)
    assert ids(q.results()) == [0, 1, 2]


def test_index_errors(client: Any, ns: str, qset: str, indexes: list[str]) -> None:
    seed(client, ns, qset, 3)
    q = client.query(ns, qset)
    q.where(p.equals("i", 1))
    with pytest.raises(ex.IndexNotFound):
        q.results()
    name = iname()
    client.index_integer_create(ns, qset, "i", name)
    indexes.append(name)
    with pytest.raises(ex.IndexFoundError):
        client.index_string_create(ns, qset, "name", name)


def test_set_index(client: Any, ns: str, qset: str, indexes: list[str]) -> None:
    """index_set_create (server 8.1): created on every node, renamed by a
    create under another name, the name taken elsewhere is 200; a scan of the
    set returns every record."""
    seed(client, ns, qset, 12)
    first, second = iname(), iname()
    indexes.extend([first, second])  # removed afterwards whatever happens
    assert client.index_set_create(ns, qset, first) == 0
    wait_readable(client, ns, first)
    for _, answer in client.info_all(f"sindex-list:namespace={ns}").values():
        assert f"indexname={first}:set={qset}:indextype=set" in answer
    client.index_set_create(ns, qset, second)
    wait_readable(client, ns, second)
    for _, answer in client.info_all(f"sindex-exists:namespace={ns};indexname={first}").values():
        assert answer.strip().endswith("false")
    with pytest.raises(ex.IndexFoundError):
        client.index_set_create(ns, qset + "_other", second)
    assert ids(client.query(ns, qset).results()) == list(range(12))
    client.index_remove(ns, second)
    for _, answer in client.info_all(f"sets/{ns}/{qset}").values():
        assert ":enable-index=false:" in answer


def test_background_ops(client: Any, ns: str, qset: str, indexes: list[str]) -> None:
    seed(client, ns, qset, 20)
    name = iname()
    client.index_integer_create(ns, qset, "i", name)
    indexes.append(name)
    wait_readable(client, ns, name)
    q = client.query(ns, qset)
    q.where(p.between("i", 0, 4))
    q.add_ops([op.write("bg", 1)])
    job = q.execute_background()
    deadline = time.monotonic() + 30
    while client.job_info(job, aerospike.JOB_QUERY)["status"] != aerospike.JOB_STATUS_COMPLETED:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    done = sorted(bins["i"] for _, _, bins in client.scan(ns, qset).results() if "bg" in bins)
    assert done == [0, 1, 2, 3, 4]
