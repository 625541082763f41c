"""Time-dependent info requests: ``${lut:-N}`` / ``${lut:+N}`` in an info
request stands for the time N milliseconds before/after the moment it is
sent, in nanoseconds since 1970 (what ``truncate:...;lut=`` takes).

Both the recorder and the replay expand it right before sending, and turn
the expanded text in the echoed reply back into the placeholder, so the
stored and the replayed answers compare equal when the servers agree.
"""

from __future__ import annotations

import re
import time

from . import wire

_PLACEHOLDER = re.compile(rb"\$\{lut:([+-]\d+)\}")


def expand(request: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """The request to send, and (expanded, placeholder) pairs."""
    if request[1] != wire.INFO or b"${" not in request:
        return request, []
    pairs: list[tuple[bytes, bytes]] = []
    now_ns = time.time_ns()

    def sub(m: re.Match[bytes]) -> bytes:
        value = str(now_ns + int(m.group(1)) * 1_000_000).encode()
        pairs.append((value, m.group(0)))
        return value

    body = _PLACEHOLDER.sub(sub, request[8:])
    return wire.proto(body, wire.INFO), pairs


def restore(reply: bytes, pairs: list[tuple[bytes, bytes]]) -> bytes:
    """The reply with expanded values turned back into their placeholders."""
    if not pairs or len(reply) < 8 or reply[1] != wire.INFO:
        return reply
    body = reply[8:]
    for value, placeholder in pairs:
        body = body.replace(value, placeholder)
    return wire.proto(body, wire.INFO)
