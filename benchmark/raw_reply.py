"""Reading one whole Aerospike reply frame off a blocking socket, for the
benchmarks' raw-socket floors (cdt_operate, hop_floor): no parsing, into a
buffer allocated once, so the floor costs as little as a client can."""

from __future__ import annotations

import socket


def read_reply(sock: socket.socket, buf: bytearray) -> int:
    """Reads one reply frame (8-byte proto header, then its body) into
    ``buf``; returns the AS_MSG result code (byte 13 of the frame)."""
    view = memoryview(buf)
    got = 0
    need = 8
    while got < need:
        n = sock.recv_into(view[got:])
        if n == 0:
            raise RuntimeError("the server closed the connection")
        got += n
        if need == 8 and got >= 8:
            need = 8 + int.from_bytes(buf[2:8], "big")
            if need > len(buf):
                raise RuntimeError("reply larger than the floor's buffer")
    return buf[13]
