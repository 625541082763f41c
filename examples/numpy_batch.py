"""NumPy batch reads: records straight into a structured array, then vector math.

``batch_read(keys, _dtype=dtype)`` returns a ``NumpyBatchRecords`` whose
``batch_records`` is a structured array with one row per requested key, in
input order, filled from the wire bytes on the client's event thread without
building a dict per record. ``result_codes`` (0 found, 2 not found) masks
the rows of missing keys, which stay zero. A list bin fills a sub-array
field such as an embedding.

This script stores 500 items (a price, a stock count and a 16-float
embedding), reads 200 of them (some missing) in one batch and ranks them by
cosine similarity to a query vector, with no Python loop over records::

    python examples/numpy_batch.py
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

import aerospike_py
from aerospike_py.testing import EmbeddedServer, parse_hosts

NAMESPACE = "test"
SET = "items"
DIM = 16

ITEM_DTYPE = np.dtype([("price", "f8"), ("stock", "i4"), ("embedding", "f4", (DIM,))])


@contextlib.contextmanager
def aerospike_hosts() -> Iterator[list[tuple[str, int]]]:
    """Seeds of the cluster in AEROSPIKE_HOSTS, or of an embedded server started here."""
    if os.environ.get("AEROSPIKE_HOSTS"):
        yield parse_hosts(os.environ["AEROSPIKE_HOSTS"])
        return
    with EmbeddedServer() as server:
        yield server.hosts


def embedding(item: int) -> list[float]:
    """A deterministic unit vector per item."""
    v = np.random.default_rng(item).standard_normal(DIM).astype(np.float32)
    return [float(x) for x in v / np.linalg.norm(v)]


async def load(client: aerospike_py.AsyncClient, items: int) -> None:
    records = [
        ((NAMESPACE, SET, i), {"price": 10.0 + i % 50, "stock": i % 7, "embedding": embedding(i),
                               "title": f"item {i}"})  # bins the dtype does not name are ignored
        for i in range(items)
    ]
    await client.batch_write(records)


async def rank(client: aerospike_py.AsyncClient, query: np.ndarray[Any, Any],
               candidates: list[int], top: int) -> dict[str, Any]:
    keys = [(NAMESPACE, SET, i) for i in candidates]
    result = await client.batch_read(keys, _dtype=ITEM_DTYPE)
    rows = result.batch_records                    # structured array, one row per key
    found = result.result_codes == 0               # missing keys: code 2, row left zero
    in_stock = found & (rows["stock"] > 0)
    scores = rows["embedding"] @ query             # cosine similarity (unit vectors)
    scores = np.where(in_stock, scores, -np.inf)
    best = np.argsort(-scores)[:top]
    return {
        "requested": len(candidates),
        "found": int(found.sum()),
        "in_stock": int(in_stock.sum()),
        "mean_price": float(rows["price"][found].mean()),
        "top": [(candidates[i], round(float(scores[i]), 4)) for i in best],
        "generations": sorted({int(g) for g in result.meta["gen"][found]}),
    }


async def run(hosts: list[tuple[str, int]]) -> dict[str, Any]:
    async with await aerospike_py.async_client({"hosts": hosts}).connect() as client:
        await load(client, items=500)
        query = np.asarray(embedding(123), dtype=np.float32)
        # 200 candidates: 180 stored items and 20 ids that do not exist.
        candidates = list(range(100, 280)) + list(range(10_000, 10_020))
        return await rank(client, query, candidates, top=5)


def main() -> None:
    with aerospike_hosts() as hosts:
        out = asyncio.run(run(hosts))
    print(f"{out['requested']} keys, {out['found']} found, {out['in_stock']} in stock, "
          f"mean price {out['mean_price']:.2f}")
    for item, score in out["top"]:
        print(f"  item {item:5d}  similarity {score:.4f}")


if __name__ == "__main__":
    main()
