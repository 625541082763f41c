"""Large batches: 100,000 keys in one call (split per node and by the
server's per-request key limit inside the core), on one node and on three."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import aerospike_py
from aerospike_py.testing import EmbeddedServer, ServerHandle

pytestmark = pytest.mark.asyncio

N = 100_000
POLICY = {"total_timeout": 60_000}


async def check_100k(config: dict[str, Any], ns: str) -> None:
    set_name = "big" + uuid.uuid4().hex[:8]
    keys = [(ns, set_name, i) for i in range(N)]
    async with await aerospike_py.async_client(config).connect() as client:
        for start in range(0, N, 20_000):
            chunk = [(k, {"i": k[2]}) for k in keys[start : start + 20_000]]
            written = await client.batch_write(chunk, POLICY)
            assert all(r.result == 0 for r in written.batch_records)
        result = await client.batch_read(keys, None, POLICY)
        assert len(result) == N
        assert result[N - 1] == {"i": N - 1}
        view = await client.batch_read_view(keys, ["i"], POLICY)
        assert [r.key.user_key for r in view] == list(range(N))
        assert all(r.result == 0 and r.record.bins["i"] == r.key.user_key for r in view)
    sync = aerospike_py.client(config).connect()
    try:
        assert len(sync.batch_read(keys, [], POLICY)) == N
    finally:
        sync.close()


async def test_100k_keys_in_one_batch(aerospike_server: ServerHandle) -> None:
    await check_100k(aerospike_server.client_config(), aerospike_server.namespace)


async def test_100k_keys_in_one_batch_on_three_nodes(aerospike_cluster3: EmbeddedServer) -> None:
    await check_100k({"hosts": aerospike_cluster3.hosts}, "test")
    assert aerospike_cluster3.misrouted() == 0
