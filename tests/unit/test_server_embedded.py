"""aerospike_py.testing and `python -m aerospike_py.server`: the embedded
server's Python surface (life cycle, options, faults, the pytest plugin)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from aerospike_py.testing import EmbeddedServer, ServerHandle, parse_hosts

ROOT = Path(__file__).resolve().parents[2]


def info(port: int, command: str) -> str:
    """One info command over a raw socket (no client library)."""
    body = (command + "\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(bytes([2, 1]) + len(body).to_bytes(6, "big") + body)
        data = b""
        while len(data) < 8 or len(data) < 8 + int.from_bytes(data[2:8], "big"):
            chunk = s.recv(65536)
            assert chunk, "server closed the connection"
            data += chunk
    name, _, value = data[8:].decode().rstrip("\n").partition("\t")
    assert name == command
    return value


def test_context_manager_starts_and_stops() -> None:
    with EmbeddedServer() as server:
        assert server.running
        (host, port), = server.hosts
        assert host == "127.0.0.1" and port > 0
        assert info(port, "build") == "8.1.2.0"
        assert server.info("namespaces") == "test"
        assert server.node_id(0) == info(port, "node")
    assert not server.running
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
    server.stop()  # idempotent


def test_options_reach_the_server() -> None:
    with EmbeddedServer(nodes=2, namespaces=("alpha", "beta"), replication_factor=2,
                        cluster_name="unit", default_ttl=60, node_ids=["AA1", ""]) as server:
        assert server.nodes == 2
        assert server.info("namespaces") == "alpha;beta"
        assert server.info("cluster-name", node=1) == "unit"
        assert server.node_id(0) == "AA1"
        assert server.node_id(1) != "AA1"
        assert "default-ttl=60" in server.info("namespace/alpha")
        assert server.info("replicas", node=0).startswith("alpha:0,2,")


def test_localhost_is_accepted() -> None:
    with EmbeddedServer(host="localhost") as server:
        assert info(server.ports[0], "build") == "8.1.2.0"


def test_bad_options_and_busy_port() -> None:
    with pytest.raises(ValueError):
        EmbeddedServer(nodes=0).start()
    with pytest.raises(ValueError):
        EmbeddedServer(namespaces=("x" * 40,)).start()
    with pytest.raises(ValueError, match="at most 32 namespaces"):
        EmbeddedServer(namespaces=[f"ns{i}" for i in range(33)]).start()
    with pytest.raises(ValueError):
        EmbeddedServer(host="no.such.host.invalid").start()
    with EmbeddedServer() as server:
        with pytest.raises(RuntimeError):
            EmbeddedServer(port=server.ports[0]).start()


def test_methods_need_a_running_server() -> None:
    server = EmbeddedServer()
    with pytest.raises(RuntimeError):
        server.hosts
    with pytest.raises(RuntimeError):
        server.info("build")


def test_node_control_and_misrouting_counters() -> None:
    with EmbeddedServer(nodes=3) as server:
        assert server.misrouted() == 0
        server.stop_node(2)
        assert not server.node_running(2)
        with pytest.raises(RuntimeError):
            server.stop_node(2)
        assert server.info("peers-generation") == "1"
        server.start_node(2)
        assert server.node_running(2)
        gen = server.info("partition-generation")
        server.reshuffle()
        assert server.info("partition-generation") != gen
        with pytest.raises(ValueError):
            server.stop_node(5)
        with pytest.raises(ValueError):
            server.misrouted(9)
        server.reset_misrouted()
        assert [server.misrouted(i) for i in range(3)] == [0, 0, 0]


def test_fault_arguments_are_checked() -> None:
    with EmbeddedServer() as server:
        with pytest.raises(ValueError):
            server.set_fault(0, "explode")
        with pytest.raises(ValueError):
            server.set_fault(0, "delay", scope="nowhere")
        server.set_fault(None, "stop_answering", scope="info")
        with pytest.raises(socket.timeout):
            with socket.create_connection(server.hosts[0], timeout=0.5) as s:
                s.sendall(bytes([2, 1, 0, 0, 0, 0, 0, 5]) + b"node\n")
                s.recv(100)
        server.clear_faults()
        assert info(server.ports[0], "node") == server.node_id(0)


def test_record_count_and_clear() -> None:
    import aerospike

    with EmbeddedServer() as server:
        client = aerospike.client({"hosts": server.hosts}).connect()
        try:
            for i in range(5):
                client.put(("test", "unit", i), {"v": i})
            assert server.record_count("test") == 5
            server.clear()
            assert server.record_count("test") == 0
            assert server.record_count("nope") == 0
        finally:
            client.close()


def test_parse_hosts() -> None:
    assert parse_hosts("a:1,b:2") == [("a", 1), ("b", 2)]
    assert parse_hosts("host") == [("host", 3000)]
    assert parse_hosts("[::1]:3100, [fe80::1]") == [("::1", 3100), ("fe80::1", 3000)]
    with pytest.raises(ValueError):
        parse_hosts(" , ")
    handle = ServerHandle([("h", 1)])
    assert handle.client_config() == {"hosts": [("h", 1)]}
    assert handle.namespace == "test" and handle.embedded is None


def test_module_runs_until_sigterm() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "aerospike_py.server", "--port", "0", "--nodes", "2",
         "--namespace", "test", "--namespace", "other"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(3)]
        ports = [int(line.rsplit(":", 1)[1]) for line in lines[:2]]
        assert "namespaces: test, other" in lines[2]
        assert info(ports[1], "namespaces") == "test;other"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
        assert proc.returncode == 0, err
        assert "stopped" in out
    finally:
        if proc.poll() is None:
            proc.kill()


def test_module_reports_a_busy_port() -> None:
    with EmbeddedServer() as server:
        proc = subprocess.run(
            [sys.executable, "-m", "aerospike_py.server", "--port", str(server.ports[0])],
            capture_output=True, text=True, timeout=30, cwd=ROOT)
        assert proc.returncode == 1
        assert "aerospike_py.server:" in proc.stderr


def test_pytest_plugin_fixtures(tmp_path: Path) -> None:
    test_file = tmp_path / "test_plugin_use.py"
    test_file.write_text(textwrap.dedent("""
        import os

        def test_server(aerospike_server):
            assert aerospike_server.namespace == "test"
            if os.environ.get("AEROSPIKE_HOSTS"):
                assert aerospike_server.embedded is None
                assert aerospike_server.hosts == [("127.0.0.1", int(os.environ["EXPECT_PORT"]))]
            else:
                assert aerospike_server.embedded is not None
            assert aerospike_server.client_config() == {"hosts": aerospike_server.hosts}

        def test_cluster(aerospike_cluster3):
            assert aerospike_cluster3.nodes == 3
            assert len(aerospike_cluster3.hosts) == 3
    """))
    env = {k: v for k, v in os.environ.items() if k != "AEROSPIKE_HOSTS"}
    run = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)]
    embedded = subprocess.run(run, capture_output=True, text=True, env=env, timeout=120)
    assert embedded.returncode == 0, embedded.stdout + embedded.stderr
    with EmbeddedServer() as real:
        env_real = dict(env, AEROSPIKE_HOSTS=f"127.0.0.1:{real.ports[0]}",
                        EXPECT_PORT=str(real.ports[0]))
        pointed = subprocess.run(run, capture_output=True, text=True, env=env_real, timeout=120)
        assert pointed.returncode == 0, pointed.stdout + pointed.stderr
