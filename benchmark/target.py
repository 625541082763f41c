"""The server the benchmark reads from.

By default the embedded server (`python -m aerospike_py.server`) in its own
process, started with our client's interpreter; with AEROSPIKE_HOSTS (or
--hosts) an existing cluster. `info()` is a minimal info-protocol request in
plain Python, so the report can name the server without any client library.
"""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import time
from dataclasses import dataclass, field
from typing import IO


def parse_hosts(text: str) -> list[tuple[str, int]]:
    """`h:p[,h:p]` -> [(h, p)]; a missing port means 3000."""
    hosts: list[tuple[str, int]] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        host, sep, port = part.rpartition(":")
        if not sep:
            host, port = part, "3000"
        hosts.append((host.strip("[]"), int(port)))
    if not hosts:
        raise ValueError(f"no hosts in {text!r}")
    return hosts


def free_port(count: int = 1) -> int:
    """A port p such that p..p+count-1 were free a moment ago."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + count > 65535:
            continue
        ok = True
        for p in range(base + 1, base + count):
            with socket.socket() as t:
                try:
                    t.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
                    break
        if ok:
            return int(base)
    raise RuntimeError("no free port range found")


def info(host: str, port: int, names: list[str], timeout: float = 2.0) -> dict[str, str]:
    """Sends one info request (proto version 2, type 1); returns name -> value."""
    body = "".join(n + "\n" for n in names).encode()
    header = struct.pack(">Q", (2 << 56) | (1 << 48) | len(body))
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(header + body)
        head = _recv_exact(s, 8)
        (word,) = struct.unpack(">Q", head)
        size = word & ((1 << 48) - 1)
        if size > 16 << 20:
            raise ValueError(f"info answer of {size} bytes")
        data = _recv_exact(s, size).decode("utf-8", "replace")
    out: dict[str, str] = {}
    for line in data.split("\n"):
        if not line:
            continue
        name, _, value = line.partition("\t")
        out[name] = value
    return out


def _recv_exact(s: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed during info answer")
        buf += chunk
    return bytes(buf)


@dataclass
class Target:
    """Where the data lives: hosts, namespace, and the server process we own."""

    hosts: list[tuple[str, int]]
    namespace: str
    kind: str  # "embedded" or "external"
    process: subprocess.Popen[bytes] | None = None
    details: dict[str, str] = field(default_factory=dict)
    # With --tls: (host, port, tls name) of each node's TLS listener, and the
    # client side of the TLS config ({"enable": True, "cafile": ...}).
    tls_hosts: list[tuple[str, int, str]] = field(default_factory=list)
    tls_client: dict[str, object] = field(default_factory=dict)

    def hosts_text(self) -> str:
        return ",".join(f"{h}:{p}" for h, p in self.hosts)

    def describe(self) -> dict[str, object]:
        return {"kind": self.kind, "hosts": self.hosts_text(), "namespace": self.namespace,
                **self.details}

    def server_pids(self) -> list[int]:
        """The processes serving the target's ports on this machine (ours
        when embedded; found through /proc for an external local server),
        so that a run can report the server's CPU time; [] if unknown."""
        if self.process is not None:
            return [self.process.pid]
        if self.kind != "external":
            return []
        return listening_pids([p for h, p in self.hosts if h in ("127.0.0.1", "localhost")])

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def listening_pids(ports: list[int]) -> list[int]:
    """Pids of the local processes listening on those TCP ports (Linux /proc;
    [] elsewhere or without permission)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, encoding="ascii") as f:
                next(f)
                for line in f:
                    cols = line.split()
                    port = int(cols[1].rsplit(":", 1)[1], 16)
                    if cols[3] == "0A" and port in ports:  # 0A: LISTEN
                        inodes.add(cols[9])
        except (OSError, ValueError, IndexError, StopIteration):
            continue
    if not inodes:
        return []
    pids: list[int] = []
    for pid in (d for d in os.listdir("/proc") if d.isdigit()):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:[") and link[8:-1] in inodes:
                pids.append(int(pid))
                break
    return pids


def cpu_seconds(pids: list[int]) -> float | None:
    """User + system CPU seconds of those processes (all threads), or None."""
    if not pids:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def make_certificates(python: str, directory: str) -> dict[str, str]:
    """A CA and a server certificate for the TLS run, made by our package's
    test PKI (the `openssl` command) in `python`: {"ca", "cert", "key"}."""
    code = ("import sys; from aerospike_py.testing_pki import make_test_pki; "
            "p = make_test_pki(sys.argv[1], clients=()); "
            "print(p.ca_file); print(p.server.cert); print(p.server.key)")
    out = subprocess.run([python, "-c", code, directory], capture_output=True, text=True,
                         check=True).stdout.split()
    return {"ca": out[0], "cert": out[1], "key": out[2]}


def start_embedded(python: str, nodes: int, namespace: str, log: IO[bytes],
                   timeout: float = 30.0, tls: dict[str, str] | None = None) -> Target:
    """Starts `python -m aerospike_py.server` and waits until every node answers info.

    With `tls` (from make_certificates), every node also listens for TLS."""
    port = free_port(nodes)
    cmd = [python, "-m", "aerospike_py.server", "--port", str(port)]
    if nodes != 1:
        cmd += ["--nodes", str(nodes)]
    tls_port = 0
    if tls is not None:
        tls_port = free_port(nodes)
        cmd += ["--tls-cert", tls["cert"], "--tls-key", tls["key"], "--tls-port", str(tls_port)]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    hosts = [("127.0.0.1", port + i) for i in range(nodes)]
    deadline = time.monotonic() + timeout
    pending = list(hosts)
    while pending:
        if proc.poll() is not None:
            raise RuntimeError(f"embedded server exited with code {proc.returncode} "
                               f"({' '.join(cmd)}); see {getattr(log, 'name', 'its log')}")
        try:
            info(*pending[0], ["node"], timeout=1.0)
            pending.pop(0)
        except OSError:
            if time.monotonic() > deadline:
                proc.terminate()
                raise RuntimeError(f"embedded server did not answer on {pending[0]} "
                                   f"within {timeout:.0f}s") from None
            time.sleep(0.1)
    target = Target(hosts, namespace, "embedded", proc, {"command": " ".join(cmd)})
    target.details.update(server_details(hosts[0]))
    if tls is not None:
        target.tls_hosts = [("127.0.0.1", tls_port + i, "aerospike-test") for i in range(nodes)]
        target.tls_client = {"enable": True, "cafile": tls["ca"]}
        target.details["tls"] = ",".join(f"{h}:{p}" for h, p, _ in target.tls_hosts)
    return target


def external(hosts_text: str, namespace: str) -> Target:
    """An existing cluster named by AEROSPIKE_HOSTS / --hosts."""
    hosts = parse_hosts(hosts_text)
    target = Target(hosts, namespace, "external")
    target.details.update(server_details(hosts[0]))
    return target


def server_details(host: tuple[str, int]) -> dict[str, str]:
    """build / edition / node / cluster size as the server reports them."""
    try:
        got = info(host[0], host[1], ["build", "edition", "version", "node", "cluster-size"])
    except (OSError, ValueError) as exc:
        return {"info_error": f"{type(exc).__name__}: {exc}"}
    return {k: v for k, v in got.items() if v and not v.startswith("ERROR")}
