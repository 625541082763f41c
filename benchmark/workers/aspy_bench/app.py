"""The FastAPI application of Env B (ASGI only) and Env C (DLRM serving).

One app per client, in that client's virtualenv and process, served by
uvicorn. Endpoints:
  /batch?set=set_3&n=200         Env B: one batch_read of n random keys
  /predict?mode=single|gather|merge_gather
                                 Env C: 9 sets x n keys -> features -> DLRM
  /stats, /stats/reset           server-side timings (ms) since the last reset
  /gil/start|stop|mark|rate      the competing CPU-bound thread (gil.py)
  /health                        identity, loop, model backend
Keys are drawn from a seeded RNG per app, so every client's app sees the same
key distribution. Async drivers only (the official client runs under
run_in_executor, the seed's "official-async").
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import random
import sys
import time
from typing import Any, AsyncIterator, Mapping

from . import dataset, dlrm
from .drivers import Driver, Key, library_identity
from .gil import GilTask


class Serving:
    """State shared by the endpoints: driver, model, RNG, timings."""

    def __init__(self, driver: Driver, namespace: str, plans: list[dataset.SetPlan],
                 seed: int, model_threads: int, with_model: bool) -> None:
        self.driver = driver
        self.ns = namespace
        self.space = {p.name: p.key_space for p in plans}
        self.rng = random.Random(seed)
        self.gil = GilTask()
        self.model: dlrm.TorchDLRM | dlrm.NumpyDLRM | None = (
            dlrm.make_model(model_threads) if with_model else None)
        self.timings: dict[str, list[float]] = {}
        self.errors = 0
        self.gc_ns = 0
        self._gc_t0 = 0
        gc.callbacks.append(self._on_gc)
        self.reset_process()

    def _on_gc(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_t0 = time.perf_counter_ns()
        elif self._gc_t0:
            self.gc_ns += time.perf_counter_ns() - self._gc_t0
            self._gc_t0 = 0

    def reset_process(self) -> None:
        self.gc_ns = 0
        self._cpu0 = time.process_time()
        self._wall0 = time.perf_counter()

    def process_since_reset(self) -> dict[str, float]:
        return {"cpu_s": time.process_time() - self._cpu0,
                "wall_s": time.perf_counter() - self._wall0,
                "gc_s": self.gc_ns / 1e9}

    def keys(self, set_name: str, n: int) -> list[Key]:
        idx = self.rng.sample(range(self.space[set_name]), n)
        return [(self.ns, set_name, dataset.user_key(set_name, i)) for i in idx]

    def record(self, name: str, ms: float) -> None:
        self.timings.setdefault(name, []).append(ms)

    async def batch(self, set_name: str, n: int) -> dict[str, Any]:
        t0 = time.perf_counter()
        got = await self.driver.abatch_read(self.keys(set_name, n))
        t1 = time.perf_counter()
        self.record("aerospike", (t1 - t0) * 1e3)
        return {"found": len(got)}

    async def predict(self, mode: str, n: int) -> dict[str, Any]:
        assert self.model is not None
        t0 = time.perf_counter()
        per_set = {s: self.keys(s, n) for s in dataset.SET_NAMES}
        rows: dict[str, list[Mapping[str, Any] | None]] = {}
        if mode == "single":
            mixed = [k for s in dataset.SET_NAMES for k in per_set[s]]
            got = await self.driver.abatch_read(mixed)
            for s in dataset.SET_NAMES:  # demux: user keys are unique across sets
                rows[s] = [got.get(k[2]) for k in per_set[s]]
        elif mode == "gather":
            results = await asyncio.gather(
                *(self.driver.abatch_read(per_set[s]) for s in dataset.SET_NAMES))
            for s, got in zip(dataset.SET_NAMES, results):
                rows[s] = [got.get(k[2]) for k in per_set[s]]
        elif mode == "merge_gather":
            # The nine per-set reads handed to the client at once; it merges
            # them into one request per node as far as its API allows
            # (driver.merge_how says how) and gives each set its rows back.
            merged = await self.driver.amerged_read([per_set[s] for s in dataset.SET_NAMES])
            for s, set_rows in zip(dataset.SET_NAMES, merged):
                rows[s] = set_rows
        else:
            raise ValueError(f"unknown mode {mode!r}")
        t1 = time.perf_counter()
        dense, sparse = dlrm.build_features(rows, n)
        t2 = time.perf_counter()
        scores = self.model.predict(dense, sparse)
        t3 = time.perf_counter()
        top = sorted(range(n), key=scores.__getitem__, reverse=True)[:10]
        found = sum(1 for s in dataset.SET_NAMES for r in rows[s] if r is not None)
        t4 = time.perf_counter()
        self.record("batch_read_all", (t1 - t0) * 1e3)
        self.record("features", (t2 - t1) * 1e3)
        self.record("inference", (t3 - t2) * 1e3)
        self.record("predict", (t4 - t0) * 1e3)
        return {"top": top, "found": found}


def create_app(driver: Driver, namespace: str, plans: list[dataset.SetPlan], seed: int,
               model_threads: int, with_model: bool, client_label: str,
               gc_freeze: bool = False) -> Any:
    """The FastAPI app around one connected-at-startup driver."""
    from fastapi import FastAPI, HTTPException

    state = Serving(driver, namespace, plans, seed, model_threads, with_model)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        await driver.aconnect()
        if gc_freeze:
            # What a serving process does after start-up: what exists now
            # (the framework, the model, the client) is moved out of the
            # collector's generations, so full collections walk only what
            # requests leave behind.
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            state.gil.stop()
            await driver.aclose()

    app = FastAPI(lifespan=lifespan)

    @app.get("/health", response_model=None)
    async def health() -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        return {
            "ok": True, "client": client_label, "driver": driver.kind,
            "identity": library_identity(), "python": sys.version.split()[0],
            "merge_how": driver.merge_how,
            "loop": f"{type(loop).__module__}.{type(loop).__name__}",
            "gc_frozen": gc.get_freeze_count(),
            "model": None if state.model is None else
            {"backend": state.model.backend, "version": state.model.version},
        }

    @app.get("/batch", response_model=None)
    async def batch(set: str = "set_1", n: int = 200) -> dict[str, Any]:  # noqa: A002
        try:
            return await state.batch(set, n)
        except Exception as exc:
            state.errors += 1
            raise HTTPException(status_code=503, detail=f"{type(exc).__name__}: {exc}") from exc

    @app.get("/predict", response_model=None)
    async def predict(mode: str = "single", n: int = 200) -> dict[str, Any]:
        if state.model is None:
            raise HTTPException(status_code=404, detail="model disabled")
        try:
            return await state.predict(mode, n)
        except ValueError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        except Exception as exc:
            state.errors += 1
            raise HTTPException(status_code=503, detail=f"{type(exc).__name__}: {exc}") from exc

    @app.get("/stats", response_model=None)
    async def stats() -> dict[str, Any]:
        # Where the app's time went since the reset: process CPU (all
        # threads, the client's own included), time in the cyclic GC, and
        # our bridge's stage timers (None for other clients).
        return {"timings": state.timings, "errors": state.errors,
                "process": state.process_since_reset(),
                "stage_stats": driver.stage_stats(reset=False)}

    @app.get("/stats/reset", response_model=None)
    async def stats_reset() -> dict[str, Any]:
        state.timings = {}
        state.errors = 0
        state.reset_process()
        driver.stage_stats(reset=True)
        return {"ok": True}

    @app.get("/gil/start", response_model=None)
    async def gil_start() -> dict[str, Any]:
        state.gil.start()
        return {"ok": True}

    @app.get("/gil/stop", response_model=None)
    async def gil_stop() -> dict[str, Any]:
        state.gil.stop()
        return {"ok": True}

    @app.get("/gil/mark", response_model=None)
    async def gil_mark() -> dict[str, Any]:
        state.gil.mark()
        return {"ok": True}

    @app.get("/gil/rate", response_model=None)
    async def gil_rate() -> dict[str, Any]:
        return {"rate": state.gil.rate(), "running": state.gil.running}

    return app
