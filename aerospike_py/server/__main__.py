"""``python -m aerospike_py.server``: run the embedded server until stopped."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from aerospike_py.testing import EmbeddedServer


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m aerospike_py.server",
        description="In-memory Aerospike-compatible server (for tests, demos, benchmarks).",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=3000,
                   help="port of node 0; node i listens on port+i (0: ephemeral)")
    p.add_argument("--nodes", type=int, default=1, help="number of nodes")
    p.add_argument("--namespace", action="append", dest="namespaces",
                   help="namespace name (repeatable; default: test)")
    p.add_argument("--replication-factor", type=int, default=1)
    p.add_argument("--cluster-name", default="")
    p.add_argument("--default-ttl", type=int, default=0,
                   help="seconds; 0 means records never expire by default")
    p.add_argument("--tls-cert", help="certificate (PEM): every node also listens for TLS")
    p.add_argument("--tls-key", help="the certificate's private key (PEM)")
    p.add_argument("--tls-ca", help="CA (PEM) for client certificates")
    p.add_argument("--tls-port", type=int, default=0,
                   help="TLS port of node 0; node i listens on tls-port+i (0: ephemeral)")
    p.add_argument("--tls-name", default="aerospike-test",
                   help="the TLS name peers-tls-std advertises")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Starts the server, prints where it listens and waits for a signal."""
    args = _parser().parse_args(argv)
    tls = None
    if args.tls_cert:
        tls = {"certfile": args.tls_cert, "keyfile": args.tls_key or args.tls_cert}
        if args.tls_ca:
            tls["cafile"] = args.tls_ca
    server = EmbeddedServer(
        port=args.port,
        nodes=args.nodes,
        namespaces=tuple(args.namespaces or ["test"]),
        replication_factor=args.replication_factor,
        cluster_name=args.cluster_name,
        default_ttl=args.default_ttl,
        host=args.host,
        tls=tls,
        tls_port=args.tls_port,
        tls_name=args.tls_name,
    )
    try:
        server.start()
    except (RuntimeError, ValueError) as exc:
        print(f"aerospike_py.server: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    for i, (host, port) in enumerate(server.hosts):
        print(f"aerospike_py.server: node {i} ({server.node_id(i)}) listening on {host}:{port}",
              flush=True)
    for i, (host, port, name) in enumerate(server.tls_hosts):
        print(f"aerospike_py.server: node {i} TLS on {host}:{port} (tls name {name})", flush=True)
    namespaces = ", ".join(args.namespaces or ["test"])
    print(f"aerospike_py.server: namespaces: {namespaces}; Ctrl-C to stop", flush=True)
    while not stop.wait(0.5):
        pass
    server.stop()
    print("aerospike_py.server: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
