"""A capturing TCP proxy: the requests a real client sends, frame by frame.

The ``client`` family drives aerospike_py (the client under test) through
this proxy, in front of an embedded server, to learn the exact bytes of
every command the client can send; those bytes then become recorded
requests like any other family's. Only the client-to-server direction is
parsed; replies are forwarded untouched. Threads, loopback only.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class CaptureProxy:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.frames: list[tuple[int, bytes]] = []  # (connection number, request frame)
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []
        self._stop = False
        self._conns = 0

    def start(self) -> CaptureProxy:
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def stop(self) -> None:
        self._stop = True
        self.listener.close()
        with self._lock:
            socks = list(self._sockets)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        for t in self._threads:
            t.join(timeout=5)

    def take(self) -> list[tuple[int, bytes]]:
        """The frames captured since the last take()."""
        with self._lock:
            out, self.frames = self.frames, []
        return out

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._conns += 1
                conn = self._conns
                self._sockets += [client, server]
            for target in (lambda: self._pump_requests(conn, client, server),
                           lambda: self._pump(server, client)):
                t = threading.Thread(target=target, daemon=True)
                t.start()
                self._threads.append(t)

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(1 << 16)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _pump_requests(self, conn: int, src: socket.socket, dst: socket.socket) -> None:
        buf = b""
        try:
            while True:
                data = src.recv(1 << 16)
                if not data:
                    break
                buf += data
                # Record whole frames before forwarding them, so a frame is
                # captured before its reply can arrive.
                while len(buf) >= 8:
                    size = int.from_bytes(buf[2:8], "big")
                    if len(buf) < 8 + size:
                        break
                    frame, buf = buf[:8 + size], buf[8 + size:]
                    with self._lock:
                        self.frames.append((conn, frame))
                    dst.sendall(frame)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@contextmanager
def capturing(upstream: tuple[str, int]) -> Iterator[CaptureProxy]:
    proxy = CaptureProxy(upstream).start()
    try:
        yield proxy
    finally:
        proxy.stop()
