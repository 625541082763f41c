"""A 3-node embedded cluster (replication factor 2) through the official
client: peers discovery, partition routing proven by the misrouting
counters, node stop/restart, ownership reshuffles and the fault hooks."""

from __future__ import annotations

import time
from typing import Any

import pytest
from aerospike import exception as ex

from aerospike_py.testing import EmbeddedServer
from referee_helpers import wait_for

# Every test drives a three-node embedded cluster and its hooks.
pytestmark = pytest.mark.embedded_server

SET = "cluster"


def keys(n: int) -> list[tuple[str, str, int]]:
    return [("test", SET, i) for i in range(n)]


def test_client_discovers_every_node_from_one_seed(cluster3: tuple[EmbeddedServer, Any]) -> None:
    server, client = cluster3
    nodes = {f"{h}:{p}" for h, p in client.get_nodes()}
    assert nodes == {f"{h}:{p}" for h, p in server.hosts}
    assert set(client.get_node_names()[i]["node_name"] for i in range(3)) == {
        server.node_id(i) for i in range(3)}


def test_commands_are_routed_to_owners(cluster3: tuple[EmbeddedServer, Any]) -> None:
    server, client = cluster3
    server.reset_misrouted()
    for k in keys(300):
        client.put(k, {"v": k[2]})
    for k in keys(300):
        assert client.get(k)[2] == {"v": k[2]}
    res = client.batch_read(keys(300))
    assert all(r.result == 0 for r in res.batch_records)
    assert len(client.scan("test", SET).results()) == 300
    assert server.misrouted() == 0
    assert [server.info("misrouted", node=i) for i in range(3)] == ["0", "0", "0"]
    # Every node received some of the traffic: the map really is split.
    masters = [server.info("replicas", node=i) for i in range(3)]
    assert len(set(masters)) == 3


def test_stop_and_restart_a_node(cluster3: tuple[EmbeddedServer, Any]) -> None:
    server, client = cluster3
    for k in keys(100):
        client.put(k, {"v": k[2]})
    server.stop_node(1)
    wait_for(lambda: len(client.get_nodes()) == 2, "the client dropped node 1")
    server.reset_misrouted()
    for k in keys(100):
        assert client.get(k)[2] == {"v": k[2]}
        client.put(k, {"v": k[2] + 1})
    assert server.misrouted() == 0
    server.start_node(1)
    wait_for(lambda: len(client.get_nodes()) == 3, "the client found node 1 again")

    def routed_well() -> bool:
        server.reset_misrouted()
        for k in keys(100):
            client.put(k, {"v": k[2] + 2})
        return server.misrouted() == 0

    wait_for(routed_well, "writes are routed to the new masters")
    assert client.get(("test", SET, 5))[2] == {"v": 7}


def test_reshuffle_moves_partitions(cluster3: tuple[EmbeddedServer, Any]) -> None:
    server, client = cluster3
    before = server.info("partition-generation", node=0)
    server.reshuffle()
    assert server.info("partition-generation", node=0) != before

    def routed_well() -> bool:
        server.reset_misrouted()
        for k in keys(200):
            client.put(k, {"v": 1})
        return server.misrouted() == 0

    wait_for(routed_well, "the client re-read the partition map")


FAST = {"total_timeout": 400, "socket_timeout": 400, "max_retries": 0}


@pytest.mark.parametrize("kind", ["delay", "stop_answering"])
def test_slow_or_silent_node_times_out(cluster3: tuple[EmbeddedServer, Any], kind: str) -> None:
    server, client = cluster3
    k = ("test", SET, "slow")
    client.put(k, {"v": 1})
    server.set_fault(None, kind, delay_ms=1500, scope="data")
    t0 = time.monotonic()
    with pytest.raises(ex.TimeoutError) as info:
        client.get(k, policy=FAST)
    assert info.value.code == 9
    assert time.monotonic() - t0 < 1.4
    server.clear_faults()
    assert client.get(k)[2] == {"v": 1}


@pytest.mark.parametrize("kind", ["garbage", "drop_mid_reply"])
def test_broken_replies_fail_the_command_not_the_client(cluster3: tuple[EmbeddedServer, Any],
                                                       kind: str) -> None:
    server, client = cluster3
    k = ("test", SET, "broken")
    client.put(k, {"v": 1})
    server.set_fault(None, kind, scope="data", count=1)
    with pytest.raises(ex.AerospikeError) as info:
        client.get(k, policy=FAST)
    assert info.value.code != 0
    # The fault cleared itself after one reply; the client recovers.
    assert client.get(k)[2] == {"v": 1}


def test_scan_right_after_a_reshuffle_retries_moved_partitions(
        cluster3: tuple[EmbeddedServer, Any]) -> None:
    server, client = cluster3
    for k in keys(300):
        client.put(k, {"v": k[2]})
    server.reshuffle()  # the client's map is now stale for most partitions
    got = client.scan("test", SET).results(policy={"max_retries": 5, "sleep_between_retries": 50})
    assert sorted(r[2]["v"] for r in got) == list(range(300))
