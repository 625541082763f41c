"""Shows CPython's GIL handoff starving a CPU-bound thread next to a busy asyncio loop.

`python benchmark/gil_convoy.py` runs, with no database involved, an asyncio loop
whose every iteration holds the GIL for N µs of pure-Python work, beside a thread
that burns CPU in Python, and prints how much of its solo rate the thread keeps.
A waiting thread forces a GIL switch only after a whole switch interval (5 ms)
without any release; asyncio releases the GIL at every iteration (`select(0)`),
so iterations much shorter than 5 ms starve the thread. See docs/performance.md,
"GIL contention".
"""

from __future__ import annotations

import asyncio
import threading
import time

SECONDS = 2.0


def _burn(stop: threading.Event, out: list[int]) -> None:
    chunks = 0
    while not stop.is_set():
        for _ in range(10_000):
            pass
        chunks += 1
    out.append(chunks)


def _start_burner() -> tuple[threading.Event, list[int], threading.Thread]:
    stop = threading.Event()
    out: list[int] = []
    thread = threading.Thread(target=_burn, args=(stop, out))
    thread.start()
    return stop, out, thread


def solo_rate() -> float:
    """Chunks per second of the CPU-bound thread alone."""
    stop, out, thread = _start_burner()
    time.sleep(SECONDS)
    stop.set()
    thread.join()
    return out[0] / SECONDS


async def _busy_loop(work_us: float) -> int:
    end = time.perf_counter() + SECONDS
    iterations = 0
    while time.perf_counter() < end:
        start = time.perf_counter()
        while (time.perf_counter() - start) * 1e6 < work_us:
            pass
        await asyncio.sleep(0)
        iterations += 1
    return iterations


def contended(work_us: float) -> tuple[float, float]:
    """(loop iterations/s, thread chunks/s) with both running."""
    stop, out, thread = _start_burner()
    iterations = asyncio.run(_busy_loop(work_us))
    stop.set()
    thread.join()
    return iterations / SECONDS, out[0] / SECONDS


def main() -> None:
    for work_us in (10.0, 100.0, 1000.0, 6000.0):
        alone = solo_rate()
        loop_rate, during = contended(work_us)
        print(f"loop work {work_us:6.0f} µs/iteration: {loop_rate:7.0f} iterations/s; "
              f"CPU thread keeps {100 * during / alone:5.1f}% of its solo rate")


if __name__ == "__main__":
    main()
