"""A minimal MessagePack walker for tests: where one value ends.

Enough to check that expression bytes are one complete value; the tests
need no msgpack package for that.
"""

from __future__ import annotations


def skip(buf: bytes, pos: int = 0) -> int:
    """The offset just after the value at `pos`; ValueError when truncated
    or not msgpack."""
    if pos >= len(buf):
        raise ValueError("truncated")
    b = buf[pos]
    pos += 1
    if b <= 0x7F or b >= 0xE0 or b in (0xC0, 0xC2, 0xC3):
        return pos
    if 0x80 <= b <= 0x8F:
        return _skip_n(buf, pos, 2 * (b & 0x0F))
    if 0x90 <= b <= 0x9F:
        return _skip_n(buf, pos, b & 0x0F)
    if 0xA0 <= b <= 0xBF:
        return _need(buf, pos + (b & 0x1F))
    fixed = {0xCA: 4, 0xCB: 8, 0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8, 0xD0: 1, 0xD1: 2, 0xD2: 4,
             0xD3: 8, 0xD4: 2, 0xD5: 3, 0xD6: 5, 0xD7: 9, 0xD8: 17}
    if b in fixed:
        return _need(buf, pos + fixed[b])
    sized = {0xC4: 1, 0xC5: 2, 0xC6: 4, 0xD9: 1, 0xDA: 2, 0xDB: 4, 0xC7: 1, 0xC8: 2, 0xC9: 4}
    if b in sized:
        width = sized[b]
        n = int.from_bytes(_take(buf, pos, width), "big")
        pos += width + (1 if b in (0xC7, 0xC8, 0xC9) else 0)
        return _need(buf, pos + n)
    if b in (0xDC, 0xDD, 0xDE, 0xDF):
        width = 2 if b in (0xDC, 0xDE) else 4
        n = int.from_bytes(_take(buf, pos, width), "big")
        return _skip_n(buf, pos + width, n * (2 if b >= 0xDE else 1))
    raise ValueError(f"not msgpack: {b:#x}")


def well_formed(buf: bytes) -> bool:
    """One complete value and nothing after it."""
    try:
        return skip(buf) == len(buf)
    except ValueError:
        return False


def _need(buf: bytes, end: int) -> int:
    if end > len(buf):
        raise ValueError("truncated")
    return end


def _take(buf: bytes, pos: int, n: int) -> bytes:
    _need(buf, pos + n)
    return buf[pos : pos + n]


def _skip_n(buf: bytes, pos: int, n: int) -> int:
    for _ in range(n):
        pos = skip(buf, pos)
    return pos
