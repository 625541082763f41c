"""The progress line: one line on stderr, rewritten in place on a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """`[env A 12/90  1m02s, ~4m left] A set_3 b=200 ours-async`."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.t0 = time.monotonic()
        self.phase = ""
        self.total = 0
        self.done_steps = 0
        self.phase_t0 = self.t0
        self._dirty = False

    def _emit(self, text: str) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K" + text[:150])
            self._dirty = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def message(self, text: str) -> None:
        """A line that stays (notes, phase changes)."""
        if self.tty and self._dirty:
            self.stream.write("\r\x1b[K")
            self._dirty = False
        self.stream.write(f"[{_fmt(time.monotonic() - self.t0)}] {text}\n")
        self.stream.flush()

    def start_phase(self, name: str, total: int) -> None:
        self.phase, self.total, self.done_steps = name, total, 0
        self.phase_t0 = time.monotonic()
        self.message(f"{name}: {total} runs")

    def step(self, label: str) -> None:
        now = time.monotonic()
        eta = ""
        if self.done_steps:
            per = (now - self.phase_t0) / self.done_steps
            eta = f", ~{_fmt(per * (self.total - self.done_steps))} left"
        self.done_steps += 1
        self._emit(f"[{self.phase} {self.done_steps}/{self.total} {_fmt(now - self.t0)}{eta}] "
                   f"{label}")

    def done(self) -> None:
        if self.tty and self._dirty:
            self.stream.write("\n")
            self.stream.flush()
            self._dirty = False


def _fmt(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m}m{s:02d}s" if m else f"{s}s"
