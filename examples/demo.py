"""The aerospike_py demo: the serving pattern of a recommendation model.

``./scripts/demo.sh`` (or ``python examples/demo.py``) does, in well under a
minute on a small machine:

1. starts the embedded in-memory Aerospike-compatible server;
2. loads feature records into 9 sets (user, item, campaign, ad, adgroup,
   creative, context, publisher, geo): 10-16 bins each of ints, floats,
   strings and a 16-float embedding (a list in some sets, a float32 blob in
   others);
3. a real round trip: writes one record, reads it back;
4. runs the serving pattern through the asyncio client, several requests in
   flight: one request reads 200 candidate keys from each of the 9 sets
   (1,800 keys), in three ways —
   ``single``: one mixed ``batch_read`` of 9 ``BatchKeys`` groups, split per
   set with ``to_list()``; ``gather``: 9 ``batch_read`` calls under
   ``asyncio.gather``; ``numpy``: the single call with ``_dtype=``, records
   written straight into a structured array (model-ready features);
5. prints a table: latency percentiles per request, records/s, the share of
   keys found and the GIL-held time per request (from the client's own
   stage timers, ``aerospike_py._core.stage_stats()``).

Options: ``--records`` per set, ``--requests`` per mode, ``--concurrency``.
The machine is shared with the server here (no network), so absolute numbers
are the client's and the server's CPU cost, not a cluster's latency.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np

import aerospike_py
from aerospike_py import BatchKeys, _core
from aerospike_py.testing import EmbeddedServer

NAMESPACE = "test"
EMBEDDING_DIM = 16
KEYS_PER_SET = 200

# Per set: its own bins (on top of id, ctr, score and emb, which every set
# has: the model's common features). Kinds: int, float, str.
SET_SCHEMAS: dict[str, dict[str, str]] = {
    "user": {"age": "int", "gender": "str", "country": "str", "sessions_7d": "int",
             "clicks_30d": "int", "purchases_30d": "int", "aov": "float", "segment": "str",
             "signup_days": "int", "premium": "int"},
    "item": {"category": "str", "brand": "str", "price": "float", "rating": "float",
             "reviews": "int", "stock": "int", "age_days": "int", "cvr_7d": "float"},
    "campaign": {"advertiser_id": "int", "budget": "float", "spend_today": "float",
                 "objective": "str", "bid_strategy": "str", "pacing": "float", "days_left": "int"},
    "ad": {"campaign_id": "int", "adgroup_id": "int", "format": "str", "width": "int",
           "height": "int", "impressions_7d": "int", "clicks_7d": "int", "quality": "float"},
    "adgroup": {"campaign_id": "int", "bid": "float", "targeting": "str", "daily_cap": "int",
                "status": "str", "cvr": "float"},
    "creative": {"ad_id": "int", "media": "str", "duration_s": "int", "language": "str",
                 "approved": "int", "views_7d": "int"},
    "context": {"hour": "int", "weekday": "int", "device": "str", "os": "str",
                "connection": "str", "page_depth": "int"},
    "publisher": {"domain": "str", "tier": "int", "viewability": "float", "fill_rate": "float",
                  "floor_price": "float", "category": "str"},
    "geo": {"country": "str", "region": "str", "city": "str", "population": "int",
            "lat": "float", "lon": "float", "income_idx": "float"},
}
# Sets whose embedding is a float32 blob (the others store a list of floats).
BLOB_EMBEDDINGS = {"user", "item", "ad"}

WORDS = ["alpha", "beta", "gamma", "delta", "kappa", "sigma", "omega", "lumen", "nova", "terra"]

# What the model reads, from any set: written straight into NumPy by the
# `numpy` mode (the embedding from a list or a blob alike).
FEATURES = np.dtype([("id", "i8"), ("ctr", "f4"), ("score", "f4"),
                     ("emb", "f4", (EMBEDDING_DIM,))])


def make_record(set_name: str, i: int, rng: random.Random) -> dict[str, Any]:
    emb = [rng.uniform(-1, 1) for _ in range(EMBEDDING_DIM)]
    bins: dict[str, Any] = {
        "id": i,
        "ctr": rng.random() * 0.1,
        "score": rng.random(),
        "emb": np.array(emb, dtype="f4").tobytes() if set_name in BLOB_EMBEDDINGS else emb,
    }
    for name, kind in SET_SCHEMAS[set_name].items():
        if kind == "int":
            bins[name] = rng.randrange(0, 100_000)
        elif kind == "float":
            bins[name] = rng.random() * 100
        else:
            bins[name] = f"{rng.choice(WORDS)}-{rng.randrange(1000)}"
    return bins


async def load(client: aerospike_py.AsyncClient, records_per_set: int) -> float:
    rng = random.Random(7)
    started = time.perf_counter()
    pending = []
    for set_name in SET_SCHEMAS:
        rows = [((NAMESPACE, set_name, i), make_record(set_name, i, rng))
                for i in range(records_per_set)]
        for at in range(0, len(rows), 2000):
            pending.append(client.batch_write(rows[at : at + 2000]))
    for result in await asyncio.gather(*pending):
        failed = [r for r in result.batch_records if r.result != 0]
        if failed:
            raise RuntimeError(f"{len(failed)} records failed to load: {failed[0]}")
    return time.perf_counter() - started


async def round_trip(client: aerospike_py.AsyncClient) -> str:
    key = (NAMESPACE, "user", "demo-round-trip")
    await client.put(key, {"name": "Ada", "visits": 1, "emb": [0.5] * 4})
    await client.increment(key, "visits", 1)
    record = await client.get(key)
    bins, meta = record.bins or {}, record.meta
    if bins.get("visits") != 2 or meta is None:
        raise RuntimeError(f"round trip read back {record}")
    return f"round trip: put {key} -> get: gen {meta.gen}, bins {sorted(bins)} visits={bins['visits']}"


def request_keys(rng: random.Random, records_per_set: int) -> dict[str, np.ndarray[Any, Any]]:
    # ~10% of the candidates are unknown (new items, cold users).
    space = int(records_per_set * 1.1)
    return {s: np.array(rng.sample(range(space), KEYS_PER_SET), dtype=np.int64)
            for s in SET_SCHEMAS}


async def serve_single(client: aerospike_py.AsyncClient, keys: dict[str, Any]) -> int:
    result = await client.batch_read([BatchKeys(NAMESPACE, s, ids) for s, ids in keys.items()])
    rows = result.to_list()  # every key in input order: 200 per set
    per_set = {s: rows[i * KEYS_PER_SET : (i + 1) * KEYS_PER_SET] for i, s in enumerate(keys)}
    return sum(b is not None for feats in per_set.values() for b in feats)


async def serve_gather(client: aerospike_py.AsyncClient, keys: dict[str, Any]) -> int:
    results = await asyncio.gather(
        *(client.batch_read(BatchKeys(NAMESPACE, s, ids)) for s, ids in keys.items()))
    return sum(len(r) for r in results)


async def serve_numpy(client: aerospike_py.AsyncClient, keys: dict[str, Any]) -> int:
    result = await client.batch_read([BatchKeys(NAMESPACE, s, ids) for s, ids in keys.items()],
                                     _dtype=FEATURES)
    features = result.batch_records.reshape(len(keys), KEYS_PER_SET)  # [set, candidate]
    found = result.result_codes.reshape(len(keys), KEYS_PER_SET) == 0
    _ = (features["emb"] * found[..., None]).sum(axis=1)  # a stand-in for the model's pooling
    return int(found.sum())


Serve = Callable[[aerospike_py.AsyncClient, dict[str, Any]], Awaitable[int]]


async def run_mode(client: aerospike_py.AsyncClient, serve: Serve, requests: int,
                   concurrency: int, records_per_set: int) -> dict[str, float]:
    rng = random.Random(11)
    plans = [request_keys(rng, records_per_set) for _ in range(requests)]
    latencies: list[float] = []
    found = 0

    async def worker(mine: list[dict[str, Any]]) -> None:
        nonlocal found
        for keys in mine:
            t0 = time.perf_counter()
            n = await serve(client, keys)
            latencies.append(time.perf_counter() - t0)
            found += n  # after the await: `found += await ...` would lose updates

    for keys in plans[:concurrency]:  # warm-up
        await serve(client, keys)
    _core.stage_stats(reset=True)
    started = time.perf_counter()
    await asyncio.gather(*(worker(plans[w::concurrency]) for w in range(concurrency)))
    wall = time.perf_counter() - started
    stats = _core.stage_stats(reset=True).get("batch_read", {})
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    keys_read = requests * KEYS_PER_SET * len(SET_SCHEMAS)
    return {
        "p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99),
        "mean": statistics.fmean(latencies) * 1000,
        "records_s": keys_read / wall,
        "found": 100.0 * found / keys_read,
        "gil_us": stats.get("gil_held_ns", 0) / 1000 / requests,
    }


async def main_async(args: argparse.Namespace, server: EmbeddedServer) -> int:
    config = {"hosts": server.hosts, "policies": {"batch": {"total_timeout": 10_000}}}
    async with await aerospike_py.async_client(config).connect() as client:
        took = await load(client, args.records)
        total = args.records * len(SET_SCHEMAS)
        print(f"loaded {total:,} feature records into {len(SET_SCHEMAS)} sets "
              f"({', '.join(SET_SCHEMAS)}) in {took:.1f} s")
        print(await round_trip(client))
        print(f"\nserving: 1 request = {len(SET_SCHEMAS)} sets x {KEYS_PER_SET} keys = "
              f"{len(SET_SCHEMAS) * KEYS_PER_SET:,} keys; {args.requests} requests per mode, "
              f"{args.concurrency} in flight\n")
        header = (f"{'mode':<18}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'mean ms':>9}"
                  f"{'records/s':>12}{'found':>8}{'GIL us/req':>12}")
        print(header)
        print("-" * len(header))
        modes: list[tuple[str, Serve]] = [
            ("single batch_read", serve_single),
            ("gather 9 reads", serve_gather),
            ("single, NumPy", serve_numpy),
        ]
        for name, serve in modes:
            r = await run_mode(client, serve, args.requests, args.concurrency, args.records)
            print(f"{name:<18}{r['p50']:>9.2f}{r['p90']:>9.2f}{r['p99']:>9.2f}{r['mean']:>9.2f}"
                  f"{r['records_s']:>12,.0f}{r['found']:>7.1f}%{r['gil_us']:>12.0f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=5000, help="records per set")
    parser.add_argument("--requests", type=int, default=200, help="requests per mode")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with EmbeddedServer() as server:
        print(f"embedded server on {server.hosts[0][0]}:{server.hosts[0][1]}")
        rc = asyncio.run(main_async(args, server))
    print(f"\ndone in {time.perf_counter() - started:.1f} s")
    return rc


if __name__ == "__main__":
    sys.exit(main())
