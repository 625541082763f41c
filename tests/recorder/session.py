"""One connection to a server, speaking whole exchanges: send a request,
read its complete reply (one frame; or, for batches and scans, frames up to
the LAST message), or notice that the server closed the connection."""

from __future__ import annotations

import socket
import time

from . import templates, wire

# An answer that has not started after this long is a hang, not a slow server
# (the real server needs seconds for a write of 32k bins on a busy machine).
READ_TIMEOUT = 120.0
# After a request the server answers by closing, how long to wait for EOF.
CLOSE_TIMEOUT = 2.0


class Closed(Exception):
    """The server closed the connection (with the bytes it sent before)."""

    def __init__(self, partial: bytes) -> None:
        super().__init__("connection closed by the server")
        self.partial = partial


class Session:
    def __init__(self, host: str, port: int) -> None:
        self.addr = (host, port)
        self.sock: socket.socket | None = None
        self.buf = b""

    def _connect(self) -> socket.socket:
        if self.sock is None:
            self.sock = socket.create_connection(self.addr, timeout=READ_TIMEOUT)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buf = b""
        return self.sock

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None
        self.buf = b""

    def _frame(self) -> bytes:
        sock = self._connect()
        while True:
            if len(self.buf) >= 8:
                size = int.from_bytes(self.buf[2:8], "big")
                if len(self.buf) >= 8 + size:
                    frame, self.buf = self.buf[:8 + size], self.buf[8 + size:]
                    return frame
            try:
                chunk = sock.recv(1 << 20)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                partial = self.buf
                self.close()
                raise Closed(partial)
            self.buf += chunk

    def exchange(self, request: bytes, kind: str) -> tuple[list[bytes], bool]:
        """Sends one request; returns (reply frames, closed). ``closed``:
        the server closed the connection instead of (finishing) a reply."""
        request, placeholders = templates.expand(request)
        sock = self._connect()
        try:
            sock.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            self.close()
            return [], True
        frames: list[bytes] = []
        try:
            frames.append(self._frame())
            if kind in ("batch", "stream") and frames[0][1] == wire.MESSAGE:
                # A batch always ends with a LAST message (a whole-batch
                # error is a lone LAST with the code). A scan the server
                # refuses is answered with one plain error message instead.
                msgs = list(wire.parse_messages(frames[0]))
                refused = (kind == "stream" and len(msgs) == 1 and msgs[0].result != 0
                           and not msgs[0].info3 & wire.LAST)
                if not refused:
                    while not wire.is_stream_end(frames[-1]):
                        frames.append(self._frame())
        except Closed as closed:
            if closed.partial:
                frames.append(closed.partial)
            return frames, True
        except socket.timeout:
            self.close()
            raise TimeoutError(f"no complete answer within {READ_TIMEOUT}s") from None
        if placeholders:
            frames = [templates.restore(f, placeholders) for f in frames]
        return frames, False

    def wait_closed(self) -> bool:
        """After a reply, whether the server closes the connection soon."""
        if self.sock is None:
            return True
        self.sock.settimeout(CLOSE_TIMEOUT)
        try:
            data = self.sock.recv(1)
        except socket.timeout:
            return False
        except ConnectionResetError:
            data = b""
        finally:
            if self.sock is not None:
                self.sock.settimeout(READ_TIMEOUT)
        if data:
            self.buf += data
            return False
        self.close()
        return True


def server_epoch_now() -> float:
    return time.time() - wire.CITRUSLEAF_EPOCH
