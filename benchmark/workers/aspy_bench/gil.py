"""A CPU-bound pure-Python task that competes for the GIL in the same process.

It runs in a daemon thread and counts fixed-size chunks of interpreter work.
Its rate alone (baseline) against its rate while a client is busy shows how
much of the interpreter the client leaves to the rest of the application: a
client that holds the GIL while it waits or converts steals from this task.
"""

from __future__ import annotations

import threading
import time


def _chunk() -> int:
    # ~50 µs of bytecode, no C calls that would release the GIL.
    acc = 0
    for i in range(1000):
        acc = (acc + i * i) % 1_000_003
    return acc


class GilTask:
    """Start/stop a competing thread and read its chunk rate over windows."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._chunks = 0
        self._mark_chunks = 0
        self._mark_time = time.perf_counter()

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="gil-competitor", daemon=True)
        self._thread.start()
        self.mark()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            _chunk()
            self._chunks += 1

    def mark(self) -> None:
        """Starts a measurement window."""
        self._mark_chunks = self._chunks
        self._mark_time = time.perf_counter()

    def rate(self) -> float:
        """Chunks per second since the last mark()."""
        elapsed = time.perf_counter() - self._mark_time
        if elapsed <= 0:
            return 0.0
        return (self._chunks - self._mark_chunks) / elapsed

    def measure_alone(self, seconds: float) -> float:
        """Rate while the caller sleeps (the task's baseline in this process)."""
        self.mark()
        time.sleep(seconds)
        return self.rate()
