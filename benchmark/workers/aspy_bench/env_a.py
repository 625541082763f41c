"""Env A, the pure client: batch_read driven from a Python loop.

`concurrency` workers each issue their own sequence of batch reads back to
back (a closed loop): asyncio tasks for async drivers, threads for sync ones.
Warm-up calls run first under a barrier, then the measured calls; wall time
and process CPU time (all threads, the client's native threads included)
cover only the measured phase. Keys are built before any timing starts.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import time
from typing import Any

from . import dataset
from .drivers import Driver, Key
from .gil import GilTask


def build_rows(ns: str, set_name: str, batch: int, calls: int, key_space: int,
               seed: int, stream: int) -> list[list[Key]]:
    """The key lists one worker will read, in order."""
    rows = dataset.draw_indices(seed, stream, calls, batch, key_space)
    return [[(ns, set_name, dataset.user_key(set_name, i)) for i in row] for row in rows]


class _Tally:
    def __init__(self) -> None:
        self.latencies_ms: list[float] = []
        self.found = 0
        self.errors = 0
        self.error_kinds: dict[str, int] = {}
        self.first_error = ""

    def error(self, exc: BaseException) -> None:
        self.errors += 1
        name = type(exc).__name__
        self.error_kinds[name] = self.error_kinds.get(name, 0) + 1
        if not self.first_error:
            self.first_error = f"{name}: {exc}"[:300]


async def _async_phase(driver: Driver, rows_per_worker: list[list[list[Key]]],
                       tally: _Tally | None) -> None:
    async def one(rows: list[list[Key]]) -> None:
        for keys in rows:
            t0 = time.perf_counter_ns()
            try:
                got = await driver.abatch_read(keys)
                n = len(got)
            except Exception as exc:  # counted, the run goes on
                if tally is not None:
                    tally.error(exc)
                continue
            if tally is not None:
                tally.latencies_ms.append((time.perf_counter_ns() - t0) / 1e6)
                tally.found += n

    await asyncio.gather(*(one(rows) for rows in rows_per_worker))


def _sync_phase(driver: Driver, pool: concurrent.futures.ThreadPoolExecutor,
                rows_per_worker: list[list[list[Key]]], tally: _Tally | None) -> None:
    def one(rows: list[list[Key]]) -> None:
        for keys in rows:
            t0 = time.perf_counter_ns()
            try:
                n = len(driver.batch_read(keys))
            except Exception as exc:
                if tally is not None:
                    tally.error(exc)  # list/int updates are atomic under the GIL
                continue
            if tally is not None:
                tally.latencies_ms.append((time.perf_counter_ns() - t0) / 1e6)
                tally.found += n

    futures = [pool.submit(one, rows) for rows in rows_per_worker]
    for f in futures:
        f.result()


class GcMeter:
    """Time spent in Python's cyclic garbage collector, and collections per
    generation, between start() and stop() (gc.callbacks; any thread)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = [0, 0, 0]
        self._t0 = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._t0
            gen = int(info.get("generation", 0))
            if 0 <= gen < len(self.collections):
                self.collections[gen] += 1

    def start(self) -> None:
        gc.callbacks.append(self._callback)

    def stop(self) -> dict[str, Any]:
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)
        return {"seconds": self.seconds, "collections": list(self.collections)}


def run(driver: Driver, loop: asyncio.AbstractEventLoop | None, params: dict[str, Any],
        gil: GilTask) -> dict[str, Any]:
    """One scenario (one set, one batch size); returns raw measurements."""
    ns = params["namespace"]
    set_name = params["set"]
    batch = int(params["batch"])
    conc = int(params["concurrency"])
    warmup = int(params["warmup"])
    iters = int(params["iterations"])
    seed = int(params["seed"])
    key_space = int(params["key_space"])
    with_gil = bool(params.get("gil", False))

    all_rows = [build_rows(ns, set_name, batch, warmup + iters, key_space, seed, w)
                for w in range(conc)]
    warm_rows = [rows[:warmup] for rows in all_rows]
    meas_rows = [rows[warmup:] for rows in all_rows]

    gil_info: dict[str, float] = {}
    if with_gil:
        gil.start()
        gil_info["baseline_rate"] = gil.measure_alone(float(params.get("gil_baseline_s", 1.0)))

    tally = _Tally()
    gc_meter = GcMeter()
    pool: concurrent.futures.ThreadPoolExecutor | None = None
    if not driver.is_async:
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=conc)
    try:
        if driver.is_async:
            assert loop is not None
            loop.run_until_complete(_async_phase(driver, warm_rows, None))
        else:
            assert pool is not None
            _sync_phase(driver, pool, warm_rows, None)
        if with_gil:
            gil.mark()
        driver.stage_stats(reset=True)
        gc_meter.start()
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        if driver.is_async:
            assert loop is not None
            loop.run_until_complete(_async_phase(driver, meas_rows, tally))
        else:
            assert pool is not None
            _sync_phase(driver, pool, meas_rows, tally)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        gc_info = gc_meter.stop()
        stages = driver.stage_stats(reset=True)
        if with_gil:
            gil_info["during_rate"] = gil.rate()
    finally:
        gc_meter.stop()  # idempotent
        if pool is not None:
            pool.shutdown(wait=True)
        if with_gil:
            gil.stop()

    calls = conc * iters
    return {
        "latencies_ms": tally.latencies_ms,
        "wall_s": wall,
        "cpu_s": cpu,
        "calls": calls,
        "ok_calls": len(tally.latencies_ms),
        "records_requested": calls * batch,
        "found": tally.found,
        "errors": tally.errors,
        "error_kinds": tally.error_kinds,
        "first_error": tally.first_error,
        "gil": gil_info,
        "stages": stages,
        "gc": gc_info,
    }
