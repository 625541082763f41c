"""Fixtures of the referee tests: the official ``aerospike`` client (PyPI)
against two topologies, and every command test runs on both:

* ``server``: the ``aerospike_server`` fixture (one embedded node, or the
  real cluster that AEROSPIKE_HOSTS names);
* ``cluster3``: an embedded 3-node cluster with replication factor 2, seeded
  with one node. When its tests are done, no request may have reached a
  node that does not own the partition (the misrouting counters are 0).

Every test works in a set of its own, so the same tests pass unchanged
against a real server that already holds data.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from aerospike_py.testing import EmbeddedServer, ServerHandle
from referee_helpers import connect, wait_for


@pytest.fixture(scope="session",
                params=["server", pytest.param("cluster3", marks=pytest.mark.embedded_server)])
def topology(request: pytest.FixtureRequest,
             aerospike_server: ServerHandle) -> Iterator[tuple[ServerHandle, EmbeddedServer | None]]:
    if request.param == "server":
        yield aerospike_server, None
        return
    cluster = EmbeddedServer(nodes=3, replication_factor=2).start()
    try:
        yield ServerHandle(cluster.hosts[:1], "test", cluster), cluster
        assert cluster.misrouted() == 0, "a command reached a node that does not own it"
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def client(topology: tuple[ServerHandle, EmbeddedServer | None]) -> Iterator[Any]:
    handle, cluster = topology
    c = connect(handle.hosts)
    try:
        if cluster is not None:
            wait_for(lambda: len(c.get_nodes()) == 3, "client sees 3 nodes")
        yield c
    finally:
        c.close()


@pytest.fixture(scope="session")
def ns(topology: tuple[ServerHandle, EmbeddedServer | None]) -> str:
    return topology[0].namespace


@pytest.fixture(scope="session")
def community(client: Any) -> bool:
    """True when the server is Community Edition (CE-only result codes)."""
    value = next(iter(client.info_all("edition").values()))[1]
    return "Community" in value


@pytest.fixture
def set_name(request: pytest.FixtureRequest) -> str:
    """A set used by this test only."""
    base = request.node.name.replace("[", "_").replace("]", "").replace("-", "_")
    return f"r_{base[:40]}_{uuid.uuid4().hex[:8]}"


@pytest.fixture
def key(ns: str, set_name: str) -> Callable[[Any], tuple[str, str, Any]]:
    def make(user_key: Any) -> tuple[str, str, Any]:
        return (ns, set_name, user_key)

    return make


@pytest.fixture
def cluster3(aerospike_cluster3: EmbeddedServer) -> Iterator[tuple[EmbeddedServer, Any]]:
    """A 3-node embedded cluster and an official client seeded with node 0."""
    c = connect(aerospike_cluster3.hosts[:1])
    try:
        wait_for(lambda: len(c.get_nodes()) == 3, "client sees 3 nodes")
        yield aerospike_cluster3, c
    finally:
        c.close()
