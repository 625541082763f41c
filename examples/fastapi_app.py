"""An async FastAPI service backed by one shared ``AsyncClient``.

The client is created and connected once, in the app's lifespan, and shared
by every request; handlers simply ``await`` it. With
``max_concurrent_operations`` the client queues excess commands instead of
overloading the cluster, and ``operation_queue_timeout_ms`` turns a long
queue into ``BackpressureError`` (a 503 here) instead of growing latency.

Run it (starts the embedded server unless AEROSPIKE_HOSTS is set)::

    python examples/fastapi_app.py            # http://127.0.0.1:8000/docs
    curl -X PUT localhost:8000/users/42 -H 'content-type: application/json' -d '{"name": "Ann"}'
    curl localhost:8000/users/42
    curl 'localhost:8000/recommendations/42?items=1,2,3'
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, HTTPException, Query

import aerospike_py
from aerospike_py.testing import EmbeddedServer, parse_hosts

NAMESPACE = "test"


class Resources:
    """What the lifespan opens for the app's lifetime."""

    client: aerospike_py.AsyncClient | None = None
    server: EmbeddedServer | None = None


resources = Resources()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    if os.environ.get("AEROSPIKE_HOSTS"):
        hosts = parse_hosts(os.environ["AEROSPIKE_HOSTS"])
    else:
        resources.server = EmbeddedServer().start()
        hosts = resources.server.hosts
    config: aerospike_py.ClientConfig = {
        "hosts": list(hosts),
        "max_concurrent_operations": 256,
        "operation_queue_timeout_ms": 200,
    }
    resources.client = await aerospike_py.async_client(config).connect()
    try:
        yield
    finally:
        await resources.client.close()
        resources.client = None
        if resources.server is not None:
            resources.server.stop()
            resources.server = None


app = FastAPI(title="aerospike_py example", lifespan=lifespan)


def get_client() -> aerospike_py.AsyncClient:
    if resources.client is None:
        raise HTTPException(status_code=503, detail="not connected")
    return resources.client


Client = Annotated[aerospike_py.AsyncClient, Depends(get_client)]


@app.put("/users/{user_id}")
async def put_user(user_id: int, client: Client, bins: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    await client.put((NAMESPACE, "users", user_id), bins)
    return {"user_id": user_id, "stored": sorted(bins)}


@app.get("/users/{user_id}")
async def get_user(user_id: int, client: Client) -> dict[str, Any]:
    try:
        record = await client.get((NAMESPACE, "users", user_id))
    except aerospike_py.RecordNotFound:
        raise HTTPException(status_code=404, detail=f"user {user_id} not found") from None
    except aerospike_py.BackpressureError:
        raise HTTPException(status_code=503, detail="busy, retry later") from None
    assert record.meta is not None
    return {"user_id": user_id, "generation": record.meta.gen, "bins": record.bins}


@app.get("/recommendations/{user_id}")
async def recommendations(
    user_id: int, client: Client, items: Annotated[str, Query(description="item ids: 1,2,3")]
) -> dict[str, Any]:
    """One batch read for the user's and the candidate items' features (two sets)."""
    item_ids = [int(i) for i in items.split(",") if i]
    keys = [(NAMESPACE, "users", user_id)] + [(NAMESPACE, "items", i) for i in item_ids]
    rows = (await client.batch_read(keys)).to_list()  # input order; None if missing
    user, candidates = rows[0], rows[1:]
    if user is None:
        raise HTTPException(status_code=404, detail=f"user {user_id} not found")
    weight = float(user.get("weight", 1.0))
    scored = [
        {"item": item, "score": weight * float(bins.get("popularity", 0))}
        for item, bins in zip(item_ids, candidates)
        if bins is not None
    ]
    scored.sort(key=lambda s: s["score"], reverse=True)
    return {"user_id": user_id, "ranked": scored, "missing": len(item_ids) - len(scored)}


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
