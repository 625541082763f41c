"""A stopped scan or query resumes from its cursor in another process.

The test process streams a first part of a set and stops; a child process
(a new interpreter, a new client) resumes from the cursor's bytes, takes a
second part and stops again, handing back its own cursor; a second child
resumes from that and reads to the end. Together the three parts are the
set, each record exactly once. Runs against the embedded server (the
children reach it over TCP) or the real server of AEROSPIKE_HOSTS.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

import aerospike_py
from aerospike_py import predicates as p
from aerospike_py.query import PartitionFilter
from aerospike_py.testing import ServerHandle

RECORDS = 600

CHILD = textwrap.dedent(
    r"""
    import json, sys
    import aerospike_py
    from aerospike_py import predicates as p
    from aerospike_py.query import PartitionFilter

    args = json.loads(sys.argv[1])
    c = aerospike_py.client({"hosts": [tuple(h) for h in args["hosts"]]}).connect()
    try:
        q = c.query(args["ns"], args["set"])
        if args["where"]:
            q.where(p.between("i", 0, 1_000_000))
        cursor = PartitionFilter.from_bytes(bytes.fromhex(args["cursor"]))
        stream = q.stream({"partition_filter": cursor})
        got = []
        for record in stream:
            got.append(record.bins["i"])
            if args["limit"] is not None and len(got) >= args["limit"]:
                break
        stream.close()
        print(json.dumps({"got": got, "cursor": stream.cursor().to_bytes().hex(),
                          "done": stream.cursor().is_done()}))
    finally:
        c.close()
    """
)


@pytest_asyncio.fixture
async def loaded(aerospike_server: ServerHandle) -> AsyncIterator[tuple[Any, str, str]]:
    ns, set_name = aerospike_server.namespace, "q_" + uuid.uuid4().hex[:10]
    c = await aerospike_py.async_client(aerospike_server.client_config()).connect()
    index = "q_" + uuid.uuid4().hex[:12]
    try:
        await c.batch_write([((ns, set_name, i), {"i": i, "pad": "x" * 20})
                             for i in range(RECORDS)])
        await c.index_integer_create(ns, set_name, "i", index)
        yield c, ns, set_name
    finally:
        await c.index_remove(ns, index)
        await c.truncate(ns, set_name, 0)
        await c.close()


def child(server: ServerHandle, ns: str, set_name: str, cursor: bytes, limit: int | None,
          where: bool) -> dict[str, Any]:
    args = {"hosts": server.hosts, "ns": ns, "set": set_name, "cursor": cursor.hex(),
            "limit": limit, "where": where}
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(args)], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.asyncio
@pytest.mark.parametrize("where", [False, True], ids=["scan", "query"])
async def test_resume_in_other_processes_gets_exactly_the_rest(
    loaded: tuple[Any, str, str], aerospike_server: ServerHandle, where: bool
) -> None:
    c, ns, set_name = loaded
    q = c.query(ns, set_name)
    if where:
        q.where(p.between("i", 0, 1_000_000))
    stream = q.stream({"record_queue_size": 1})
    first: list[int] = []
    async for record in stream:
        first.append(record.bins["i"])
        if len(first) >= 137:
            break
    await stream.aclose()
    cursor = stream.cursor()
    assert not cursor.is_done()

    second = child(aerospike_server, ns, set_name, cursor.to_bytes(), 150, where)
    assert len(second["got"]) == 150 and not second["done"]
    third = child(aerospike_server, ns, set_name, bytes.fromhex(second["cursor"]), None, where)
    assert third["done"]
    assert PartitionFilter.from_bytes(bytes.fromhex(third["cursor"])).is_done()

    parts = [first, second["got"], third["got"]]
    flat = [i for part in parts for i in part]
    assert len(first) == 137 and len(third["got"]) == RECORDS - 137 - 150
    assert sorted(flat) == list(range(RECORDS)), "a record was lost or read twice"
