"""Test helpers: the embedded server and the pytest plugin (entry point pytest11).

``EmbeddedServer`` runs the in-memory Aerospike-compatible server of this
package (``aerospike_py._server``, C++ on its own event thread) inside the
current process::

    with EmbeddedServer(nodes=3, replication_factor=2) as server:
        client = aerospike.client({"hosts": server.hosts}).connect()

The pytest plugin provides two fixtures:

* ``aerospike_server`` (session scope): a handle with ``.hosts``,
  ``.namespace`` and ``.client_config()``. It starts one embedded node, unless
  the environment variable ``AEROSPIKE_HOSTS=host:port[,host:port]`` names a
  real cluster, in which case ``.embedded`` is ``None`` and the tests run
  against that cluster.
* ``aerospike_cluster3`` (function scope): a fresh three-node embedded
  cluster (replication factor 2), always embedded since tests use its fault
  hooks.

and one marker, ``embedded_server``: a test that needs the embedded
server's own hooks (faults, misrouting counters, several nodes, its
``user-agents`` tally) says so with it; every test using
``aerospike_cluster3`` carries it implicitly. When ``AEROSPIKE_HOSTS`` names
a real cluster, these tests, and only these, are left out of the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aerospike_py import _server as _server_module

__all__ = [
    "FAULT_KINDS",
    "FAULT_SCOPES",
    "EmbeddedServer",
    "ServerHandle",
    "parse_hosts",
]

#: Fault kinds accepted by :meth:`EmbeddedServer.set_fault`.
FAULT_KINDS: dict[str, int] = {
    "none": 0,
    "delay": 1,
    "drop_mid_reply": 2,
    "garbage": 3,
    "stop_answering": 4,
    "key_busy": 5,
    "stall_after_rows": 6,
}

#: Which replies a fault applies to: every reply, AS_MSG (data) replies
#: only, or info replies only.
FAULT_SCOPES: dict[str, int] = {"all": 0, "data": 1, "info": 2}


def _native() -> Any:
    # Imported lazily so that loading the pytest plugin never requires the
    # extension (a real-server run does not need it).
    from aerospike_py import _server

    return _server


class EmbeddedServer:
    """An embedded server of one or more nodes; a context manager.

    Args:
        port: 0 gives every node its own ephemeral port; otherwise node ``i``
            listens on ``port + i``.
        nodes: number of nodes (they share one in-memory store).
        namespaces: namespace names.
        replication_factor: copies of each partition (capped by live nodes).
        cluster_name: answered by the ``cluster-name`` info command; clients
            configured with a cluster name must use the same.
        default_ttl: seconds a record lives when a write asks for the
            namespace default; 0 means never expire.
        host: the address to listen on.
        tls: with a dict (``certfile``, ``keyfile``, optional ``keyfile_pw``,
            ``cafile``, ``protocols``, ``cipher_suite``,
            ``require_client_cert`` for mutual TLS), every node also listens
            for TLS on its own port (:attr:`tls_hosts`); see
            :mod:`aerospike_py.testing_pki` for certificates.
        tls_port: 0 gives every node an ephemeral TLS port; otherwise node
            ``i`` listens for TLS on ``tls_port + i``.
        tls_name: the name ``peers-tls-std`` advertises (the server
            certificate must carry it).
        security: an Enterprise-like security mode: ``{"users": [{"name",
            "password", "roles", "external"}], "roles": [{"name",
            "privileges": [{"code", "ns", "set"}], "whitelist", "read_quota",
            "write_quota"}], "session_ttl": seconds, "enable_quotas": bool}``
            (``{}``: only user ``admin``/``admin`` with role ``user-admin``).
            Every connection must log in; commands are checked against the
            user's privileges with the server's result codes.
    """

    def __init__(
        self,
        port: int = 0,
        nodes: int = 1,
        namespaces: Sequence[str] = ("test",),
        replication_factor: int = 1,
        cluster_name: str = "",
        default_ttl: int = 0,
        host: str = "127.0.0.1",
        node_ids: Sequence[str] | None = None,
        tls: dict[str, Any] | None = None,
        tls_port: int = 0,
        tls_name: str = "aerospike-test",
        security: dict[str, Any] | None = None,
    ) -> None:
        self._options: dict[str, Any] = {
            "host": host,
            "port": port,
            "nodes": nodes,
            "namespaces": tuple(namespaces),
            "replication_factor": replication_factor,
            "cluster_name": cluster_name,
            "default_ttl": default_ttl,
            "node_ids": tuple(node_ids) if node_ids is not None else None,
            "tls": dict(tls) if tls is not None else None,
            "tls_port": tls_port,
            "tls_name": tls_name,
            "security": dict(security) if security is not None else None,
        }
        self._server: _server_module.Server | None = None

    # -- life cycle ---------------------------------------------------------

    def start(self) -> EmbeddedServer:
        """Binds every node's port and starts serving; returns self."""
        if self._server is None:
            self._server = _native().start(**self._options)
        return self

    def stop(self) -> None:
        """Stops every node (idempotent)."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def _live(self) -> _server_module.Server:
        if self._server is None:
            raise RuntimeError("the embedded server is not running; call start()")
        return self._server

    # -- addresses ----------------------------------------------------------

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return self._server is not None

    @property
    def hosts(self) -> list[tuple[str, int]]:
        """``(host, port)`` of every node, in node order."""
        server = self._live
        return [(server.host, port) for port in server.ports]

    @property
    def ports(self) -> list[int]:
        """The port of every node, in node order."""
        return list(self._live.ports)

    @property
    def tls_hosts(self) -> list[tuple[str, int, str]]:
        """``(host, tls_port, tls_name)`` of every node (empty without ``tls``)."""
        server = self._live
        name = str(self._options["tls_name"])
        return [(server.host, port, name) for port in server.tls_ports]

    @property
    def tls_ports(self) -> list[int]:
        """The TLS port of every node (empty without ``tls``)."""
        return list(self._live.tls_ports)

    @property
    def nodes(self) -> int:
        """Number of nodes (running or stopped)."""
        return len(self._live.ports)

    def node_id(self, node: int) -> str:
        """The node's id, as the ``node`` info command answers it."""
        return str(self._live.node_id(node))

    # -- cluster control ----------------------------------------------------

    def stop_node(self, node: int) -> None:
        """Stops one node: its port closes, peers and partitions move away."""
        self._live.stop_node(node)

    def start_node(self, node: int) -> None:
        """Restarts a stopped node on its old port."""
        self._live.start_node(node)

    def node_running(self, node: int) -> bool:
        """Whether a node is running."""
        return bool(self._live.node_running(node))

    def reshuffle(self) -> None:
        """Moves partition ownership around (partition-generation bumps)."""
        self._live.reshuffle()

    def misrouted(self, node: int | None = None) -> int:
        """Requests that reached a node not owning the partition.

        Writes count when the node is not the master, reads when it is not a
        replica; batch rows and scanned partitions count one each. ``None``
        sums all nodes.
        """
        return int(self._live.misrouted(node))

    def reset_misrouted(self) -> None:
        """Zeroes every node's misrouting counter."""
        self._live.reset_misrouted()

    # -- faults -------------------------------------------------------------

    def set_fault(
        self,
        node: int | None,
        kind: str,
        *,
        delay_ms: int = 0,
        count: int = 0,
        scope: str = "all",
        rows: int = 0,
    ) -> None:
        """Makes a node (``None``: every node) misbehave.

        Args:
            kind: ``"delay"`` (hold each reply ``delay_ms``), ``"drop_mid_reply"``
                (send half a reply, then close), ``"garbage"`` (send bytes
                that are not a frame), ``"stop_answering"`` (read requests,
                never reply), ``"key_busy"`` (answer every record of a reply,
                single or batch row, with KEY_BUSY (14) without executing
                it), ``"stall_after_rows"`` (a batch or scan reply sends its
                first ``rows`` records at once, the rest and its end
                ``delay_ms`` later) or ``"none"``.
            delay_ms: for ``"delay"`` and ``"stall_after_rows"``.
            count: replies to affect before the fault clears itself; 0 means
                until :meth:`clear_faults`.
            scope: ``"all"``, ``"data"`` (commands only) or ``"info"``
                (info/tend only).
            rows: for ``"stall_after_rows"``: records sent before the stall.
        """
        try:
            kind_code = FAULT_KINDS[kind]
            scope_code = FAULT_SCOPES[scope]
        except KeyError as exc:
            raise ValueError(f"unknown fault kind or scope: {exc.args[0]!r}") from None
        self._live.set_fault(
            -1 if node is None else node, kind_code, scope_code, delay_ms, count, rows
        )

    def clear_faults(self) -> None:
        """Clears the faults of every node."""
        self._live.clear_faults()

    # -- inspection ---------------------------------------------------------

    def info(self, command: str, node: int = 0) -> str:
        """The value a node answers to one info command (no echoed name)."""
        return str(self._live.info(command, node))

    def record_count(self, namespace: str = "test") -> int:
        """Live records in a namespace."""
        return int(self._live.record_count(namespace))

    def clear(self) -> None:
        """Empties every namespace."""
        self._live.clear()


def parse_hosts(text: str) -> list[tuple[str, int]]:
    """Parses ``host:port[,host:port]`` (``[v6]:port`` allowed; port 3000 by default)."""
    hosts: list[tuple[str, int]] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if part.startswith("["):
            host, _, rest = part[1:].partition("]")
            port = int(rest[1:]) if rest.startswith(":") else 3000
        elif part.count(":") == 1:
            host, _, port_text = part.partition(":")
            port = int(port_text)
        else:
            host, port = part, 3000
        hosts.append((host, port))
    if not hosts:
        raise ValueError(f"no hosts in {text!r}")
    return hosts


class ServerHandle:
    """What the ``aerospike_server`` fixture yields."""

    def __init__(
        self,
        hosts: list[tuple[str, int]],
        namespace: str = "test",
        embedded: EmbeddedServer | None = None,
    ) -> None:
        #: ``(host, port)`` seeds.
        self.hosts = hosts
        #: The namespace tests should use.
        self.namespace = namespace
        #: The embedded server, or ``None`` when running against a real one.
        self.embedded = embedded

    def client_config(self) -> dict[str, Any]:
        """A client configuration dict: ``{"hosts": [...]}``."""
        return {"hosts": list(self.hosts)}


try:
    import pytest
except ImportError:  # pragma: no cover - the plugin needs pytest, the helpers do not
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    EMBEDDED_MARKER = "embedded_server"

    def pytest_configure(config: pytest.Config) -> None:
        """Registers the ``embedded_server`` marker."""
        config.addinivalue_line(
            "markers",
            f"{EMBEDDED_MARKER}: needs the embedded server's own hooks (faults, misrouting "
            "counters, several nodes); left out when AEROSPIKE_HOSTS names a real cluster",
        )

    def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
        """Marks the users of ``aerospike_cluster3``; on a real cluster, leaves
        out every test marked ``embedded_server``."""
        for item in items:
            if "aerospike_cluster3" in getattr(item, "fixturenames", ()):
                item.add_marker(EMBEDDED_MARKER)
        if not os.environ.get("AEROSPIKE_HOSTS", "").strip():
            return
        kept = [i for i in items if i.get_closest_marker(EMBEDDED_MARKER) is None]
        left_out = [i for i in items if i.get_closest_marker(EMBEDDED_MARKER) is not None]
        if left_out:
            config.hook.pytest_deselected(items=left_out)
            items[:] = kept

    @pytest.fixture(scope="session")
    def aerospike_server() -> Iterator[ServerHandle]:
        """One server for the session: embedded, or ``AEROSPIKE_HOSTS``."""
        real = os.environ.get("AEROSPIKE_HOSTS", "").strip()
        if real:
            yield ServerHandle(parse_hosts(real), os.environ.get("AEROSPIKE_NAMESPACE", "test"))
            return
        server = EmbeddedServer().start()
        try:
            yield ServerHandle(server.hosts, "test", server)
        finally:
            server.stop()

    @pytest.fixture
    def aerospike_cluster3() -> Iterator[EmbeddedServer]:
        """A fresh embedded three-node cluster with replication factor 2."""
        server = EmbeddedServer(nodes=3, replication_factor=2).start()
        try:
            yield server
        finally:
            server.stop()
