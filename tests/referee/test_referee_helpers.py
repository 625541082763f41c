"""The official client's helpers and their counterparts here, side by side:
get_nodes (both clients on the same topology), calc_digest, get_key_partition_id,
get_cdtctx_base64 and get_expression_base64 (pure computations: the same
answers), and scan_apply / query_apply from the official client against the
server (the records end up the same on the embedded server and on a real
one).
"""

from __future__ import annotations

import pathlib
import random
import time
from typing import Any

import aerospike
import pytest
from aerospike import predicates as official_predicates
from aerospike_helpers import cdt_ctx as official_ctx
from aerospike_helpers.expressions import base as official_exp

import aerospike_py
from aerospike_py import exp
from aerospike_py.exception import InvalidArgError
from aerospike_py.testing import EmbeddedServer, ServerHandle

UDF = pathlib.Path(__file__).resolve().parents[1] / "udf" / "udf_streams.lua"


@pytest.fixture
def ours(topology: tuple[ServerHandle, EmbeddedServer | None]) -> Any:
    handle, _ = topology
    c = aerospike_py.client({"hosts": list(handle.hosts)}).connect()
    yield c
    c.close()


def test_get_nodes_as_the_official_client(client: Any, ours: Any) -> None:
    deadline = time.monotonic() + 10
    while len(ours.get_nodes()) < len(client.get_nodes()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(ours.get_nodes()) == sorted(client.get_nodes())
    assert all(isinstance(h, str) and isinstance(p, int) for h, p in ours.get_nodes())


def test_get_key_partition_id_as_the_official_client(client: Any, ours: Any) -> None:
    rng = random.Random(7)
    keys: list[Any] = ["k1", "", "ключ", 0, 5, -1, 2**63 - 1, -(2**63), bytearray(b"\x00\xff")]
    keys += [rng.randrange(-(2**40), 2**40) for _ in range(50)]
    keys += ["".join(rng.choice("abcxyz09") for _ in range(rng.randrange(1, 20))) for _ in range(50)]
    for set_name in ("demo", ""):
        for k in keys:
            assert ours.get_key_partition_id("test", set_name, k) == \
                client.get_key_partition_id("test", set_name, k), (set_name, k)
    for k in keys[:20]:
        assert aerospike_py.calc_digest("test", "demo", k) == aerospike.calc_digest("test", "demo", k)
    # A bytes key (refused by the official client's get_key_partition_id) is
    # where a put with it puts the record: the official client's put and
    # aerospike-py hash bytes keys as strings.
    assert ours.get_key_partition_id("test", "demo", b"ab") == \
        client.get_key_partition_id("test", "demo", "ab")
    for bad in (("test", "demo", 1.5), ("test", "demo", None), ("test", None, "k"), (1, "d", "k")):
        with pytest.raises(aerospike.exception.ParamError):
            client.get_key_partition_id(*bad)
        with pytest.raises(InvalidArgError):
            ours.get_key_partition_id(*bad)


def test_get_cdtctx_base64_as_the_official_client(client: Any, ours: Any) -> None:
    cases = [
        ([official_ctx.cdt_ctx_map_key("inner")], [(0x22, "inner")]),
        ([official_ctx.cdt_ctx_list_index(0), official_ctx.cdt_ctx_map_rank(-1)],
         [(0x10, 0), (0x21, -1)]),
        ([official_ctx.cdt_ctx_list_value(7), official_ctx.cdt_ctx_map_value("v")],
         [(0x13, 7), (0x23, "v")]),
        ([official_ctx.cdt_ctx_map_index(3), official_ctx.cdt_ctx_list_rank(2)],
         [(0x20, 3), (0x11, 2)]),
    ]
    for theirs, mine in cases:
        expected = client.get_cdtctx_base64(theirs)
        assert ours.get_cdtctx_base64(mine) == expected
        assert ours.get_cdtctx_base64(theirs) == expected  # their ctx items work here too
    with pytest.raises(InvalidArgError):
        ours.get_cdtctx_base64([])


def test_get_expression_base64_as_the_official_client(client: Any, ours: Any) -> None:
    cases = [
        (official_exp.Eq(official_exp.IntBin("v"), 1), exp.eq(exp.int_bin("v"), exp.int_val(1))),
        (official_exp.And(official_exp.GT(official_exp.IntBin("a"), 5),
                          official_exp.Eq(official_exp.StrBin("s"), "x")),
         exp.and_(exp.gt(exp.int_bin("a"), exp.int_val(5)),
                  exp.eq(exp.string_bin("s"), exp.string_val("x")))),
    ]
    for theirs, mine in cases:
        expected = client.get_expression_base64(theirs.compile())
        assert ours.get_expression_base64(mine) == expected
        assert ours.get_expression_base64(mine.compile()) == expected
    with pytest.raises(InvalidArgError):
        ours.get_expression_base64("not an expression")


def wait_job(client: Any, job: int, module: int) -> None:
    deadline = time.monotonic() + 30
    while client.job_info(job, module)["status"] != aerospike.JOB_STATUS_COMPLETED:
        assert time.monotonic() < deadline, "background job did not finish"
        time.sleep(0.05)


def test_official_scan_apply_and_query_apply(client: Any, ns: str, set_name: str,
                                             tmp_path: pathlib.Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the official client copies the module into its cwd
    client.udf_put(str(UDF))
    for i in range(20):
        client.put((ns, set_name, i), {"i": i})
    job = client.scan_apply(ns, set_name, "udf_streams", "bump", [100])
    wait_job(client, job, aerospike.JOB_SCAN)
    assert sorted(client.get((ns, set_name, i))[2]["i"] for i in range(20)) == \
        [100 + i for i in range(20)]
    index = "q_" + set_name[-12:]
    client.index_single_value_create(ns, set_name, "i", aerospike.INDEX_NUMERIC, index)
    try:
        job = client.query_apply(ns, set_name, official_predicates.between("i", 100, 104),
                                 "udf_streams", "bump", [1000])
        wait_job(client, job, aerospike.JOB_QUERY)
        values = sorted(client.get((ns, set_name, i))[2]["i"] for i in range(20))
        assert values == [105 + i for i in range(15)] + [1100 + i for i in range(5)]
    finally:
        client.index_remove(ns, index)
