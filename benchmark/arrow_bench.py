"""Arrow vs dict vs NumPy: client CPU per record of batch reads, measured in one run.

    .venv/bin/python benchmark/arrow_bench.py                 # ~1 minute
    .venv/bin/python benchmark/arrow_bench.py --rounds 7 --requests 200

The embedded server runs in its own process (``python -m aerospike_py.server``)
with 20,000 records of 10 bins: 4 ints, 3 floats, 2 strings and a list of 8
floats. One "request" is what a model-serving endpoint does: 9 batch reads of
200 keys each (9 × 200 records), issued together on one asyncio loop
(``AsyncClient``) or back to back (``Client``). Output forms, all with every
record converted to something a model can use:

* ``dict``  — ``batch_read(keys)``, then ``[bins for each key]`` (the dicts);
* ``numpy`` — ``batch_read(keys, _dtype=...)`` (a structured array; the list
  bin as an 8-float sub-array);
* ``arrow`` — ``batch_read(keys, _arrow=schema)`` (a ``pyarrow.RecordBatch``;
  the list bin as a ``list<float64>`` column).

For each (form, API) the table gives the median over rounds of the client
process's CPU time (all threads: the caller and the event thread; the server
is another process) per record, and the ratios to ``dict`` of the same API,
measured in the same run. The machine is shared: quote ``uptime`` with the
figures and compare rows of one run only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from typing import Any, Callable

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmark.embedded import start_server  # noqa: E402

NAMESPACE = "test"
SET_NAME = "arrow_bench"
RECORDS = 20_000
BATCH = 200
FANOUT = 9
LIST_LEN = 8
FORMS = ("dict", "numpy", "arrow")
APIS = ("sync", "async")


def make_record(i: int) -> dict[str, Any]:
    return {
        "i1": i, "i2": i * 7, "i3": i % 1000, "i4": -i,
        "f1": i / 3, "f2": i * 0.25, "f3": 1.0 / (i + 1),
        "s1": f"user-{i}", "s2": f"seg-{i % 17}",
        "emb": [(i + j) / 10 for j in range(LIST_LEN)],
    }


def load(client: Any) -> None:
    for start in range(0, RECORDS, 5000):
        rows = [((NAMESPACE, SET_NAME, i), make_record(i))
                for i in range(start, min(RECORDS, start + 5000))]
        result = client.batch_write(rows)
        if any(r.result != 0 for r in result.batch_records):
            raise RuntimeError("load failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=60, help="9 x 200-key requests per round")
    args = parser.parse_args()

    import numpy as np
    import pyarrow as pa

    import aerospike_py

    dtype = np.dtype([("i1", "i8"), ("i2", "i8"), ("i3", "i8"), ("i4", "i8"), ("f1", "f8"),
                      ("f2", "f8"), ("f3", "f8"), ("s1", "S16"), ("s2", "S16"),
                      ("emb", "f8", (LIST_LEN,))])
    schema = pa.schema([("i1", pa.int64()), ("i2", pa.int64()), ("i3", pa.int64()),
                        ("i4", pa.int64()), ("f1", pa.float64()), ("f2", pa.float64()),
                        ("f3", pa.float64()), ("s1", pa.string()), ("s2", pa.string()),
                        ("emb", pa.list_(pa.float64()))])
    rng = random.Random(42)
    plans = [[[(NAMESPACE, SET_NAME, k) for k in rng.sample(range(RECORDS), BATCH)]
              for _ in range(FANOUT)] for _ in range(64)]

    server, _, port = start_server()
    try:
        config = {"hosts": [("127.0.0.1", port)], "policies": {"batch": {"total_timeout": 10_000}}}
        sync_client = aerospike_py.client(config).connect()
        load(sync_client)

        def sync_request(form: str, keys_list: list[list[Any]]) -> int:
            n = 0
            for keys in keys_list:
                if form == "dict":
                    res = sync_client.batch_read(keys)
                    n += len([res.get(k[2]) for k in keys])
                elif form == "numpy":
                    n += len(sync_client.batch_read(keys, _dtype=dtype))
                else:
                    n += sync_client.batch_read(keys, _arrow=schema).num_rows
            return n

        async def async_rounds(form: str) -> list[float]:
            client = await aerospike_py.async_client(config).connect()
            try:
                async def one(keys: list[Any]) -> int:
                    if form == "dict":
                        res = await client.batch_read(keys)
                        return len([res.get(k[2]) for k in keys])
                    if form == "numpy":
                        return len(await client.batch_read(keys, _dtype=dtype))
                    return int((await client.batch_read(keys, _arrow=schema)).num_rows)

                async def request(keys_list: list[list[Any]]) -> int:
                    return sum(await asyncio.gather(*(one(k) for k in keys_list)))

                return await measure_async(request, plans, args)
            finally:
                await client.close()

        results: dict[tuple[str, str], float] = {}
        for form in FORMS:
            results[(form, "sync")] = statistics.median(
                measure_sync(lambda p, f=form: sync_request(f, p), plans, args))
        for form in FORMS:
            results[(form, "async")] = statistics.median(asyncio.run(async_rounds(form)))
        sync_client.close()
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"batch reads of {FANOUT} x {BATCH} keys, 10 bins (4 int, 3 float, 2 str, list of "
          f"{LIST_LEN} floats); {args.rounds} rounds x {args.requests} requests; median CPU us/record")
    print(f"{'api':6} {'form':6} {'CPU us/rec':>11} {'vs dict':>8} {'vs numpy':>9}")
    for api in APIS:
        for form in FORMS:
            v = results[(form, api)]
            print(f"{api:6} {form:6} {v:11.3f} {v / results[('dict', api)]:8.2f}x "
                  f"{v / results[('numpy', api)]:8.2f}x")
    print("uptime:", os.popen("uptime").read().strip())


def measure_sync(request: Callable[[list[list[Any]]], int], plans: list[Any],
                 args: argparse.Namespace) -> list[float]:
    for p in plans[:5]:  # warm-up
        request(p)
    per_record = []
    for r in range(args.rounds):
        cpu0 = time.process_time()
        n = 0
        for q in range(args.requests):
            n += request(plans[(r * args.requests + q) % len(plans)])
        per_record.append((time.process_time() - cpu0) * 1e6 / n)
    return per_record


async def measure_async(request: Callable[[list[list[Any]]], Any], plans: list[Any],
                        args: argparse.Namespace) -> list[float]:
    for p in plans[:5]:
        await request(p)
    per_record = []
    for r in range(args.rounds):
        cpu0 = time.process_time()
        n = 0
        for q in range(args.requests):
            n += await request(plans[(r * args.requests + q) % len(plans)])
        per_record.append((time.process_time() - cpu0) * 1e6 / n)
    return per_record


if __name__ == "__main__":
    main()
