"""Batch microbenchmark: the client-side cost of one 200-key batch_read.

    .venv/bin/python benchmark/batch_micro.py            # ~1 minute
    .venv/bin/python benchmark/batch_micro.py --runs 5 --batches 300 --json out.json

Starts the embedded server in a separate process (``python -m
aerospike_py.server``), loads 20,000 records of 10 bins (4 ints, 3 floats,
2 strings, a 8-float32 embedding blob) and measures, for each output form
and API:

* ``dict``  — aerospike-py's ``{user_key: bins}`` (ours: ``batch_read``;
  aerospike-py: ``batch_read(...).to_dict()``);
* ``view``  — every key with its result code and metadata (ours:
  ``batch_read_view``; aerospike-py: ``batch_read(...).batch_records``);
* ``numpy`` — a structured array (ours: ``batch_read(..., _dtype=)``;
  aerospike-py: ``batch_read(...).to_numpy(dtype)``);
* ``numpy+BatchKeys`` (ours only) — the same with the keys given as one
  ``BatchKeys`` over an int64 array instead of 200 key tuples;

``sync`` (one thread, back-to-back calls) and ``async`` (8 calls in flight on
one asyncio loop). Each (client, form, API) runs in its own fresh process: a
warm-up, then ``--runs`` rounds of ``--batches`` batches; the table shows the
median over rounds of

* ``rec/s``        — records per second of wall time;
* ``CPU us/rec``   — the client process's CPU time (all its threads: the
  caller and our event thread) per record; the server's CPU is not in it;
* ``GIL us/batch`` — for our client, the GIL-held time per batch from the
  bridge's own stage timers (``aerospike_py._core.stage_stats()``: argument
  parsing + submit + result conversion); other clients have no such timers.

When ``benchmark/.venvs/aerospike-py`` exists (``benchmark/setup_envs.sh``),
aerospike-py runs in the same sitting from that virtualenv and the last
column gives ours / aerospike-py for CPU per record (lower is better) and
records/s (higher is better). The machine is shared and noisy: prefer the
CPU and GIL columns to wall-time throughput, and compare rows of one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from typing import Any

try:  # run as a script, benchmark/ is on sys.path (see embedded.py's docstring)
    from benchmark.embedded import start_server
except ImportError:
    from embedded import start_server  # type: ignore[no-redef]

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ASPY_VENV_PYTHON = os.path.join(HERE, ".venvs", "aerospike-py", "bin", "python")

NAMESPACE = "test"
SET_NAME = "micro"
RECORDS = 20_000
BATCH = 200
CONCURRENCY = 8
EMB_DIM = 8

FORMS = ("dict", "view", "numpy", "numpy+BatchKeys")
APIS = ("sync", "async")


def dtype_spec() -> list[tuple[Any, ...]]:
    """The NumPy dtype of the records (as a list, so it is built in the worker)."""
    return [("i1", "i8"), ("i2", "i8"), ("i3", "i8"), ("i4", "i8"), ("f1", "f8"),
            ("f2", "f8"), ("f3", "f8"), ("s1", "S16"), ("s2", "S16"), ("emb", "f4", (EMB_DIM,))]


def make_record(i: int) -> dict[str, Any]:
    import struct

    return {
        "i1": i, "i2": i * 7, "i3": i % 1000, "i4": -i,
        "f1": i / 3, "f2": i * 0.25, "f3": 1.0 / (i + 1),
        "s1": f"user-{i}", "s2": f"seg-{i % 17}",
        "emb": struct.pack(f"<{EMB_DIM}f", *[(i + j) / 10 for j in range(EMB_DIM)]),
    }


def batches(n: int, seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    return [rng.sample(range(RECORDS), BATCH) for _ in range(n)]


# ---------------------------------------------------------------------------
# Worker: one (client, form, API) in this process. Imports only what the
# client under test needs, so it also runs in aerospike-py's virtualenv.

def worker(args: argparse.Namespace) -> dict[str, Any]:
    import numpy as np

    import aerospike_py

    is_ours = hasattr(aerospike_py, "BatchKeys")
    form, api = args.form, args.api
    dtype = np.dtype(dtype_spec())
    config = {"hosts": [(args.host, args.port)],
              "policies": {"batch": {"total_timeout": 10_000}}}
    plans = batches(args.batches * (args.runs + 1), seed=42)
    key_lists = [[(NAMESPACE, SET_NAME, k) for k in plan] for plan in plans]
    arrays = [np.array(plan, dtype=np.int64) for plan in plans]
    stage = getattr(aerospike_py, "_core", None) if is_ours else None

    def one_sync(client: Any, i: int) -> int:
        if is_ours:
            if form == "dict":
                return len(client.batch_read(key_lists[i]))
            if form == "view":
                return len(client.batch_read_view(key_lists[i]))
            if form == "numpy":
                return len(client.batch_read(key_lists[i], _dtype=dtype))
            keys = aerospike_py.BatchKeys(NAMESPACE, SET_NAME, arrays[i])
            return len(client.batch_read(keys, _dtype=dtype))
        handle = client.batch_read(key_lists[i])
        if form == "dict":
            return len(handle.to_dict())
        if form == "view":
            return len(handle.batch_records)
        return len(handle.to_numpy(dtype))

    async def one_async(client: Any, i: int) -> int:
        if is_ours:
            if form == "dict":
                return len(await client.batch_read(key_lists[i]))
            if form == "view":
                return len(await client.batch_read_view(key_lists[i]))
            if form == "numpy":
                return len(await client.batch_read(key_lists[i], _dtype=dtype))
            keys = aerospike_py.BatchKeys(NAMESPACE, SET_NAME, arrays[i])
            return len(await client.batch_read(keys, _dtype=dtype))
        handle = await client.batch_read(key_lists[i])
        if form == "dict":
            return len(handle.to_dict())
        if form == "view":
            return len(handle.batch_records)
        return len(handle.to_numpy(dtype))

    rounds: list[dict[str, float]] = []
    records = args.batches * BATCH

    def note(got: int, wall: float, cpu: float) -> None:
        stats = stage.stage_stats(reset=True).get("batch_read", {}) if stage is not None else {}
        if got != records:
            raise RuntimeError(f"{got} of {records} records came back")
        rounds.append({
            "rec_s": records / wall,
            "cpu_us_rec": cpu * 1e6 / records,
            "gil_us_batch": stats["gil_held_ns"] / 1000 / args.batches if stats else -1.0,
        })

    if api == "sync":
        client = aerospike_py.client(config).connect()
        try:
            for r in range(args.runs + 1):  # round 0 warms up
                first = r * args.batches
                if stage is not None:
                    stage.stage_stats(reset=True)
                cpu0, wall0 = time.process_time(), time.perf_counter()
                got = sum(one_sync(client, i) for i in range(first, first + args.batches))
                wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
                if r > 0:
                    note(got, wall, cpu)
        finally:
            client.close()
    else:
        async def main() -> None:
            client = aerospike_py.async_client(config) if is_ours else aerospike_py.AsyncClient(config)
            await client.connect()

            async def lane(first: int, w: int) -> int:
                total = 0
                for i in range(first + w, first + args.batches, CONCURRENCY):
                    total += await one_async(client, i)
                return total

            try:
                for r in range(args.runs + 1):  # round 0 warms up
                    first = r * args.batches
                    if stage is not None:
                        stage.stage_stats(reset=True)
                    cpu0, wall0 = time.process_time(), time.perf_counter()
                    got = sum(await asyncio.gather(*(lane(first, w) for w in range(CONCURRENCY))))
                    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
                    if r > 0:
                        note(got, wall, cpu)
            finally:
                await client.close()

        asyncio.run(main())
    return {"client": "ours" if is_ours else "aerospike-py", "form": form, "api": api,
            "rounds": rounds}


# ---------------------------------------------------------------------------
# Orchestrator


def load(port: int) -> None:
    import aerospike_py

    client = aerospike_py.client({"hosts": [("127.0.0.1", port)]}).connect()
    try:
        for start in range(0, RECORDS, 5000):
            rows = [((NAMESPACE, SET_NAME, i), make_record(i))
                    for i in range(start, min(RECORDS, start + 5000))]
            result = client.batch_write(rows)
            if any(r.result != 0 for r in result.batch_records):
                raise RuntimeError("load failed")
    finally:
        client.close()


def run_worker(python: str, port: int, form: str, api: str, a: argparse.Namespace) -> dict[str, Any]:
    cmd = [python, "-E", "-s", os.path.join(HERE, "batch_micro.py"), "--worker", "--port", str(port),
           "--form", form, "--api", api, "--runs", str(a.runs), "--batches", str(a.batches)]
    # The script's own directory goes first on sys.path, not the repository:
    # in aerospike-py's virtualenv `import aerospike_py` is aerospike-py.
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd="/")
    if out.returncode != 0:
        raise RuntimeError(f"worker {form}/{api} with {python} failed:\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def median(rounds: list[dict[str, float]], field: str) -> float:
    return statistics.median(r[field] for r in rounds)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="200-key batch_read microbenchmark (see the docstring).")
    p.add_argument("--runs", type=int, default=5, help="measured rounds per case (median)")
    p.add_argument("--batches", type=int, default=200, help="batches per round")
    p.add_argument("--no-aerospike-py", action="store_true", help="skip aerospike-py")
    p.add_argument("--json", help="write the results here")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--host", default="127.0.0.1", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--form", choices=FORMS, help=argparse.SUPPRESS)
    p.add_argument("--api", choices=APIS, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args)))
        return 0

    other = None if args.no_aerospike_py or not os.path.exists(ASPY_VENV_PYTHON) else ASPY_VENV_PYTHON
    server, _, port = start_server()
    results: list[dict[str, Any]] = []
    try:
        load(port)
        print(f"{RECORDS:,} records of 10 bins on an embedded server (pid {server.pid}); "
              f"{BATCH}-key batches, {args.batches} per round, median of {args.runs} rounds; "
              f"async: {CONCURRENCY} in flight; load average {os.getloadavg()[0]:.1f}")
        for form in FORMS:
            for api in APIS:
                results.append(run_worker(sys.executable, port, form, api, args))
                if other is not None and form != "numpy+BatchKeys":
                    results.append(run_worker(other, port, form, api, args))
    finally:
        server.terminate()
        server.wait(timeout=10)

    by_case = {(r["client"], r["form"], r["api"]): r for r in results}
    header = (f"{'client':<14}{'output':<17}{'api':<7}{'rec/s':>10}{'CPU us/rec':>12}"
              f"{'GIL us/batch':>14}   {'vs aerospike-py (CPU, rec/s)':<28}")
    print(header)
    print("-" * len(header))
    for r in results:
        rec_s = median(r["rounds"], "rec_s")
        cpu = median(r["rounds"], "cpu_us_rec")
        gil = median(r["rounds"], "gil_us_batch")
        ratio = ""
        if r["client"] == "ours":
            base_form = "numpy" if r["form"] == "numpy+BatchKeys" else r["form"]
            base = by_case.get(("aerospike-py", base_form, r["api"]))
            if base is not None:
                ratio = (f"{cpu / median(base['rounds'], 'cpu_us_rec'):.2f}x CPU, "
                         f"{rec_s / median(base['rounds'], 'rec_s'):.2f}x rec/s")
        gil_text = f"{gil:.1f}" if gil >= 0 else "n/a"
        print(f"{r['client']:<14}{r['form']:<17}{r['api']:<7}{rec_s:>10,.0f}{cpu:>12.2f}"
              f"{gil_text:>14}   {ratio}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": results, "args": vars(args)}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
