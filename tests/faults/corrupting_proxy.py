"""A TCP proxy that corrupts Aerospike replies, for fault tests.

It sits between a client and a server (loopback only), forwards every
request unchanged and, with a seeded random generator, corrupts a chosen
share of the replies with one of these kinds:

``flip``       XOR one byte of the reply with a random non-zero value (half
               the time any byte, half the time a byte of a header: proto,
               AS_MSG, field or op);
``length``     change the proto size of one frame of the reply;
``truncate``   send only a prefix of the reply (the rest is never sent);
``append``     send 1..40 random bytes after the reply;
``duplicate``  send the reply twice;
``stale``      send the previous reply of the same connection (on a fresh
               one, the last reply sent on any) before this one: bytes left
               behind by an earlier exchange;
``swap``       hold the reply and deliver it on another connection, in
               exchange for that connection's next reply (within 50 ms);
``version``    set a frame's proto version to another value;
``type``       set a frame's proto type to another value;
``header``     replace a frame's proto header or its first AS_MSG header with
               random bytes.

Each corruption is logged as a :class:`Forgery` naming the record keys
(digests) or info lines whose answer it touched. Some forgeries produce a
reply that is well formed and fits its request, which no client can tell
from a real one, because the Aerospike wire carries neither a checksum nor
a request id: a flip inside a bin's value, its particle type, a result code,
a bin name of an all-bins read, an info value; a swap of the answers to two
single-record requests (a read of all bins cannot tell another record's
bins from its own). Those are marked ``undetectable`` with the keys they
affect (for a swap, also the key whose answer was delivered instead); a
fault test may excuse a wrong answer for exactly those keys and nothing
else.

Requests are framed too (so each reply is matched with the request it
answers: a record, a batch with its rows, or info lines); connections that
carry cluster tending (``partition-generation``, ``peers``, ``replicas``)
are never corrupted.

Run standalone in front of a real server:
``python tests/faults/corrupting_proxy.py --upstream 127.0.0.1:3100``.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import random
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

KINDS = (
    "flip",
    "length",
    "truncate",
    "append",
    "duplicate",
    "stale",
    "swap",
    "version",
    "type",
    "header",
)

_TEND_LINES = ("partition-generation", "peers-", "replicas")
_SWAP_WAIT = 0.05
_MSG_HEADER = 22
_GET_ALL = 0x02
_LAST = 0x01


@dataclass
class Request:
    """What one request asked, as far as matching its reply needs."""

    kind: str  # "info", "record", "batch" or "other"
    digest: bytes | None = None
    get_all: bool = False
    # batch: wire row index -> (digest, asked for all bins)
    rows: dict[int, tuple[bytes, bool]] = field(default_factory=dict)
    info_lines: list[str] = field(default_factory=list)


@dataclass
class Forgery:
    """One corrupted reply."""

    kind: str
    conn: int
    region: str  # what was changed (flip: the byte's role)
    # Keys (digests, or info lines) whose answer may now be wrong although it
    # is well formed: a fault test may excuse wrong answers for these.
    undetectable: list[bytes | str] = field(default_factory=list)
    # For a swap: the key whose answer was delivered instead, per affected key.
    delivered_for: dict[bytes | str, bytes | str] = field(default_factory=dict)


def _frames(data: bytes) -> list[tuple[int, int, int]]:
    """(offset, type, body size) of each complete frame in ``data``."""
    out = []
    pos = 0
    while len(data) - pos >= 8:
        size = int.from_bytes(data[pos + 2 : pos + 8], "big")
        if len(data) - pos - 8 < size:
            break
        out.append((pos, data[pos + 1], size))
        pos += 8 + size
    return out


def parse_request(frame: bytes) -> Request:
    """Reads one request frame (proto header included)."""
    ptype = frame[1]
    body = frame[8:]
    if ptype == 1:
        text = body.decode("utf-8", "replace")
        return Request("info", info_lines=text.split("\n")[:-1])
    if ptype != 3 or len(body) < _MSG_HEADER:
        return Request("other")
    info1 = body[1]
    n_fields = int.from_bytes(body[18:20], "big")
    pos = _MSG_HEADER
    req = Request("record", get_all=bool(info1 & _GET_ALL))
    for _ in range(n_fields):
        size = int.from_bytes(body[pos : pos + 4], "big")
        ftype = body[pos + 4]
        data = body[pos + 5 : pos + 4 + size]
        pos += 4 + size
        if ftype == 4:
            req.digest = bytes(data)
        elif ftype in (41, 42):
            req.kind = "batch"
            _parse_batch_rows(data, req)
    return req


def _parse_batch_rows(data: bytes, req: Request) -> None:
    count = int.from_bytes(data[0:4], "big")
    pos = 5
    get_all = False
    for _ in range(count):
        index = int.from_bytes(data[pos : pos + 4], "big")
        digest = bytes(data[pos + 4 : pos + 24])
        flags = data[pos + 24]
        pos += 25
        if not flags & 0x01:  # not a REPEAT row: its own attributes follow
            get_all = bool(data[pos] & _GET_ALL)
            pos += 1
            if flags & 0x02:
                pos += 2
            if flags & 0x10:
                pos += 1
            if flags & 0x04:
                pos += 2
            if flags & 0x08:
                pos += 4
            n_fields = int.from_bytes(data[pos : pos + 2], "big")
            n_ops = int.from_bytes(data[pos + 2 : pos + 4], "big")
            pos += 4
            for _ in range(n_fields + n_ops):
                pos += 4 + int.from_bytes(data[pos : pos + 4], "big")
        req.rows[index] = (digest, get_all)


@dataclass
class _Region:
    start: int
    end: int
    name: str
    key: bytes | str | None = None


def reply_regions(reply: bytes, req: Request) -> list[_Region]:
    """The role of every byte of a (well formed) reply."""
    regions: list[_Region] = []
    for off, ptype, size in _frames(reply):
        regions.append(_Region(off, off + 8, "proto-header"))
        body = off + 8
        end = body + size
        if ptype == 1:
            _info_regions(reply, body, end, regions)
            continue
        pos = body
        while end - pos >= _MSG_HEADER:
            pos = _message_regions(reply, pos, end, req, regions)
    return regions


def _info_regions(reply: bytes, pos: int, end: int, regions: list[_Region]) -> None:
    while pos < end:
        nl = reply.find(b"\n", pos, end)
        nl = end if nl < 0 else nl
        tab = reply.find(b"\t", pos, nl)
        if tab < 0:
            regions.append(_Region(pos, nl + 1, "info-line"))
        else:
            name = reply[pos:tab].decode("utf-8", "replace")
            regions.append(_Region(pos, tab + 1, "info-name"))
            regions.append(_Region(tab + 1, nl, "info-value", name))
            regions.append(_Region(nl, nl + 1, "info-name"))
        pos = nl + 1


def _message_regions(
    reply: bytes, pos: int, end: int, req: Request, regions: list[_Region]
) -> int:
    h = reply[pos : pos + _MSG_HEADER]
    n_fields = int.from_bytes(h[18:20], "big")
    n_ops = int.from_bytes(h[20:22], "big")
    key: bytes | str | None = req.digest
    get_all = req.get_all
    if req.kind == "batch":
        index = int.from_bytes(h[14:18], "big")
        key, get_all = req.rows.get(index, (None, False))
    if h[3] & _LAST:
        key = None
    for a, b, name in (
        (0, 1, "header-size"),
        (1, 3, "info"),
        (3, 4, "info3"),
        (4, 5, "info"),
        (5, 6, "result"),
        (6, 10, "generation"),
        (10, 14, "ttl"),
        (14, 18, "index"),
        (18, 22, "counts"),
    ):
        regions.append(_Region(pos + a, pos + b, name, key))
    pos += _MSG_HEADER
    for _ in range(n_fields):
        size = int.from_bytes(reply[pos : pos + 4], "big")
        regions.append(_Region(pos, pos + 5, "field-header", key))
        regions.append(_Region(pos + 5, pos + 4 + size, "field-data", key))
        pos += 4 + size
    for _ in range(n_ops):
        size = int.from_bytes(reply[pos : pos + 4], "big")
        name_len = reply[pos + 7]
        regions.append(_Region(pos, pos + 4, "op-size", key))
        regions.append(_Region(pos + 4, pos + 5, "op-code", key))
        regions.append(_Region(pos + 5, pos + 6, "particle-type", key))
        regions.append(_Region(pos + 6, pos + 7, "op-flags", key))
        regions.append(_Region(pos + 7, pos + 8, "name-length", key))
        regions.append(
            _Region(pos + 8, pos + 8 + name_len, "bin-name-all" if get_all else "bin-name", key)
        )
        regions.append(_Region(pos + 8 + name_len, pos + 4 + size, "value", key))
        pos += 4 + size
    return min(pos, end)


# Changes that leave a reply well formed and fitting its request.
UNDETECTABLE_REGIONS = frozenset(
    {"value", "particle-type", "result", "generation", "ttl", "bin-name-all", "info-value"}
)
_HEADER_REGIONS = frozenset(
    {"proto-header", "header-size", "info3", "result", "index", "counts", "field-header",
     "op-size", "op-code", "particle-type", "name-length", "bin-name"}
)


class _Conn:
    def __init__(self, cid: int, writer: asyncio.StreamWriter) -> None:
        self.cid = cid
        self.writer = writer
        self.requests: deque[Request] = deque()
        self.tend = False
        self.previous_reply = b""


class CorruptingProxy:
    """The proxy; runs its own event loop on a background thread.

    ``rate`` (0..1) is the share of replies corrupted, ``kinds`` the kinds to
    choose from (uniformly). Both may change while it runs.
    """

    def __init__(
        self,
        upstream: tuple[str, int],
        *,
        listen: tuple[str, int] = ("127.0.0.1", 0),
        seed: int = 1,
        rate: float = 0.0,
        kinds: Iterable[str] = KINDS,
    ) -> None:
        for host in (upstream[0], listen[0]):
            if not ipaddress.ip_address(host).is_loopback:
                raise ValueError(f"only loopback addresses are allowed: {host}")
        self.upstream = upstream
        self.listen = listen
        self.rng = random.Random(seed)
        self.rate = rate
        self.kinds = tuple(kinds)
        self.forgeries: list[Forgery] = []
        self.replies = 0
        self.port = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._next_conn = 0
        self._held: tuple[_Conn, bytes, Request] | None = None
        self._last_reply = b""
        self._held_timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # -- control (any thread) --

    def start(self) -> CorruptingProxy:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the corrupting proxy did not start")
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is None or self._thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(10)
        self._loop = None

    def __enter__(self) -> CorruptingProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def configure(self, *, rate: float, kinds: Iterable[str]) -> None:
        with self._lock:
            self.rate = rate
            self.kinds = tuple(kinds)

    def take_forgeries(self) -> list[Forgery]:
        with self._lock:
            out, self.forgeries = self.forgeries, []
            return out

    # -- the loop thread --

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._server = loop.run_until_complete(
            asyncio.start_server(self._accept, self.listen[0], self.listen[1])
        )
        self.port = self._server.sockets[0].getsockname()[1]
        ready.set()
        try:
            loop.run_forever()
        finally:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            loop.run_until_complete(asyncio.gather(*self._tasks, return_exceptions=True))
            loop.run_until_complete(self._server.wait_closed())
            loop.close()

    async def _accept(self, c_reader: asyncio.StreamReader, c_writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            s_reader, s_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            c_writer.close()
            self._tasks.discard(task)
            return
        self._next_conn += 1
        conn = _Conn(self._next_conn, c_writer)
        up = asyncio.ensure_future(self._pump_requests(c_reader, s_writer, conn))
        self._tasks.add(up)
        try:
            await self._pump_replies(s_reader, conn)
        except (OSError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # a side closed, or the proxy stops
        finally:
            up.cancel()
            for w in (c_writer, s_writer):
                w.close()
            self._tasks.discard(up)
            self._tasks.discard(task)

    async def _pump_requests(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, conn: _Conn
    ) -> None:
        try:
            while True:
                header = await reader.readexactly(8)
                size = int.from_bytes(header[2:8], "big")
                body = await reader.readexactly(size)
                req = parse_request(header + body)
                if req.kind == "info" and any(
                    line.startswith(_TEND_LINES) for line in req.info_lines
                ):
                    conn.tend = True
                conn.requests.append(req)
                writer.write(header + body)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError, asyncio.CancelledError):
            conn.writer.close()

    async def _pump_replies(self, reader: asyncio.StreamReader, conn: _Conn) -> None:
        while True:
            header = await reader.readexactly(8)
            body = await reader.readexactly(int.from_bytes(header[2:8], "big"))
            # Requests are queued before they are forwarded, so the request
            # a reply answers is always known by the time the reply arrives.
            req = conn.requests.popleft() if conn.requests else Request("other")
            parts = [header + body]
            # A batch answer runs to the frame holding its LAST message.
            while req.kind == "batch" and header[1] == 3 and not _has_last(body):
                header = await reader.readexactly(8)
                body = await reader.readexactly(int.from_bytes(header[2:8], "big"))
                parts.append(header + body)
            self._deliver(conn, b"".join(parts), req)

    def _deliver(self, conn: _Conn, reply: bytes, req: Request) -> None:
        self.replies += 1
        with self._lock:
            rate, kinds = self.rate, self.kinds
        held = self._held
        if held is not None and held[0] is not conn and held[0].writer is not None:
            # Swap: the held reply goes here, this one goes there.
            self._held = None
            if self._held_timer is not None:
                self._held_timer.cancel()
            other, other_reply, other_req = held
            self._log_swap(conn, req, other, other_req)
            self._write(conn, other_reply)
            self._write(other, reply)
            return
        if conn.tend or req.kind == "other" or rate <= 0 or not kinds or self.rng.random() >= rate:
            self._write(conn, reply)
            return
        kind = self.rng.choice(kinds)
        if kind == "swap":
            if self._held is None:
                self._held = (conn, reply, req)
                assert self._loop is not None
                self._held_timer = self._loop.call_later(_SWAP_WAIT, self._release_held)
                return
            self._write(conn, reply)
            return
        out, forgery = self._corrupt(kind, conn, reply, req)
        with self._lock:
            self.forgeries.append(forgery)
        self._write(conn, out)

    def _release_held(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            self._write(held[0], held[1])

    def _write(self, conn: _Conn, data: bytes) -> None:
        conn.previous_reply = data
        self._last_reply = data
        if not conn.writer.is_closing():
            conn.writer.write(data)

    def _log_swap(self, a: _Conn, a_req: Request, b: _Conn, b_req: Request) -> None:
        """Logs a swap: a's request got b's reply and the other way round."""
        forgery = Forgery("swap", a.cid, "swap")
        if a_req.kind == "record" and b_req.kind == "record":
            # Two single-record answers: one may well fit the other request
            # (a get of all bins cannot tell another record's bins from its
            # own). The test excuses an answer only when it is exactly what
            # the other request would rightly get.
            for mine, theirs in ((a_req, b_req), (b_req, a_req)):
                if mine.digest is not None and theirs.digest is not None:
                    forgery.undetectable.append(mine.digest)
                    forgery.delivered_for[mine.digest] = theirs.digest
        with self._lock:
            self.forgeries.append(forgery)

    def _corrupt(self, kind: str, conn: _Conn, reply: bytes, req: Request) -> tuple[bytes, Forgery]:
        rng = self.rng
        frames = _frames(reply)
        off, ptype, size = rng.choice(frames)
        forgery = Forgery(kind, conn.cid, kind)
        data = bytearray(reply)
        if kind == "flip":
            regions = reply_regions(reply, req)
            if rng.random() < 0.5:
                chosen = [r for r in regions if r.name in _HEADER_REGIONS and r.end > r.start]
            else:
                chosen = []
            if chosen:
                region = rng.choice(chosen)
                at = rng.randrange(region.start, region.end)
            else:
                at = rng.randrange(len(data))
                region = next((r for r in regions if r.start <= at < r.end),
                              _Region(at, at + 1, "unknown"))
            data[at] ^= rng.randrange(1, 256)
            forgery.region = region.name
            if region.name in UNDETECTABLE_REGIONS and region.key is not None:
                forgery.undetectable.append(region.key)
            return bytes(data), forgery
        if kind == "length":
            new = size
            while new == size:
                new = max(0, size + rng.randrange(-size, 65))
            data[off + 2 : off + 8] = new.to_bytes(6, "big")
            return bytes(data), forgery
        if kind == "truncate":
            return bytes(data[: rng.randrange(1, len(data))]), forgery
        if kind == "append":
            return bytes(data) + rng.randbytes(rng.randrange(1, 41)), forgery
        if kind == "duplicate":
            return bytes(data) * 2, forgery
        if kind == "stale":
            # This connection's previous reply, or (on a fresh connection)
            # the last reply sent anywhere: an answer to another request.
            return (conn.previous_reply or self._last_reply) + bytes(data), forgery
        if kind == "version":
            data[off] = rng.choice([v for v in range(256) if v != 2])
            return bytes(data), forgery
        if kind == "type":
            data[off + 1] = rng.choice([t for t in (0, 1, 2, 3, 4, 5, 7, 255) if t != ptype])
            return bytes(data), forgery
        if kind == "header":
            if ptype == 3 and size >= _MSG_HEADER and rng.random() < 0.5:
                data[off + 8 : off + 8 + _MSG_HEADER] = rng.randbytes(_MSG_HEADER)
                forgery.region = "msg-header"
            else:
                data[off : off + 8] = rng.randbytes(8)
                forgery.region = "proto-header"
            return bytes(data), forgery
        raise ValueError(f"unknown corruption kind {kind!r}")


def _has_last(body: bytes) -> bool:
    """True when a batch frame's messages include the LAST one."""
    pos = 0
    while len(body) - pos >= _MSG_HEADER:
        h = body[pos : pos + _MSG_HEADER]
        if h[3] & _LAST:
            return True
        n_fields = int.from_bytes(h[18:20], "big")
        n_ops = int.from_bytes(h[20:22], "big")
        pos += _MSG_HEADER
        for _ in range(n_fields + n_ops):
            if len(body) - pos < 4:
                return False
            pos += 4 + int.from_bytes(body[pos : pos + 4], "big")
    return False


def _hostport(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return (host or "127.0.0.1", int(port))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream", type=_hostport, default=("127.0.0.1", 3000))
    parser.add_argument("--listen", type=_hostport, default=("127.0.0.1", 3300))
    parser.add_argument("--rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kinds", default=",".join(KINDS))
    args = parser.parse_args()
    proxy = CorruptingProxy(
        args.upstream, listen=args.listen, seed=args.seed, rate=args.rate,
        kinds=args.kinds.split(","),
    ).start()
    print(f"corrupting {args.rate:.0%} of replies on 127.0.0.1:{proxy.port}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        proxy.stop()


if __name__ == "__main__":
    main()
