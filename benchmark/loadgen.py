"""A closed-loop HTTP/1.1 load generator (asyncio, standard library only).

Env B and C drive each client's app from the orchestrator's process (never
the app's), like wrk: `concurrency` keep-alive connections, each sending its
next GET as soon as the previous answer arrived. Requests started during the
warm-up are discarded; errors are non-2xx answers, broken connections and
per-request timeouts (the connection is then reopened).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Sequence


@dataclass
class LoadResult:
    """Raw outcome of one load phase (latencies in ms)."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    measured_s: float = 0.0

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    @property
    def tps(self) -> float:
        return len(self.latencies_ms) / self.measured_s if self.measured_s > 0 else 0.0

    def as_dict(self) -> dict[str, object]:
        return {"latencies_ms": self.latencies_ms, "errors": self.errors,
                "error_kinds": self.error_kinds, "measured_s": self.measured_s,
                "tps": self.tps}


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = None
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        lname = name.strip().lower()
        if lname == "content-length":
            length = int(value.strip())
        elif lname == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if length is not None:
        await reader.readexactly(length)
    elif chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def run_load(host: str, port: int, paths: Sequence[str], concurrency: int,
                   duration_s: float, warmup_s: float, timeout_s: float = 10.0) -> LoadResult:
    """Drives GETs of `paths` (taken in turn per connection) for warm-up + duration."""
    result = LoadResult()
    t_start = time.perf_counter()
    warm_end = t_start + warmup_s
    end = warm_end + duration_s
    last_done = [warm_end]

    async def conn_loop(idx: int) -> None:
        reader: asyncio.StreamReader | None = None
        writer: asyncio.StreamWriter | None = None
        n = idx
        while time.perf_counter() < end:
            path = paths[n % len(paths)]
            n += 1
            t0 = time.perf_counter()
            measured = t0 >= warm_end
            try:
                if writer is None:
                    reader, writer = await asyncio.wait_for(
                        asyncio.open_connection(host, port), timeout_s)
                assert reader is not None and writer is not None
                writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
                status = await asyncio.wait_for(_read_response(reader), timeout_s)
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError,
                    asyncio.LimitOverrunError, ValueError) as exc:
                if measured:
                    result.error(type(exc).__name__)
                if writer is not None:
                    writer.close()
                reader = writer = None
                continue
            t1 = time.perf_counter()
            if not measured:
                continue
            if 200 <= status < 300:
                result.latencies_ms.append((t1 - t0) * 1e3)
                last_done[0] = max(last_done[0], t1)
            else:
                result.error(f"http_{status}")
        if writer is not None:
            writer.close()

    await asyncio.gather(*(conn_loop(i) for i in range(concurrency)))
    result.measured_s = max(last_done[0], end) - warm_end
    return result


def run_load_sync(host: str, port: int, paths: Sequence[str], concurrency: int,
                  duration_s: float, warmup_s: float, timeout_s: float = 10.0) -> LoadResult:
    """run_load on a fresh event loop."""
    return asyncio.run(run_load(host, port, paths, concurrency, duration_s, warmup_s, timeout_s))
