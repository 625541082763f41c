"""Single-record commands through the official client: result shapes and
exception classes as a real Aerospike gives them."""

from __future__ import annotations

import time
from typing import Any

import aerospike
import pytest
from aerospike import exception as ex
from aerospike_helpers import expressions as exp
from aerospike_helpers.operations import expression_operations as exp_op
from aerospike_helpers.operations import operations as op

ALL_TYPES: dict[str, Any] = {
    "int": 42,
    "neg": -42,
    "max": 2**63 - 1,
    "min": -(2**63),
    "float": 3.14159,
    "str": "hello",
    "unicode": "héllo wörld ✓ 日本 😀",
    "bytes": b"\x01\x02\x03\xff",
    "true": True,
    "false": False,
    "list": [1, "a", 2.5, b"\x01", True, None, -7],
    "map": {"a": 1, "b": "x"},
    "nested": {"list": [1, [2, 3], {"k": "v"}], "m": {"n": {"deep": True}}},
}


def test_put_get_every_type(client: Any, key: Any) -> None:
    k = key("all")
    assert client.put(k, ALL_TYPES) == 0
    rkey, meta, bins = client.get(k)
    assert rkey[:2] == k[:2]
    assert len(rkey[3]) == 20
    assert meta["gen"] == 1
    assert bins == ALL_TYPES


def test_get_missing_raises_record_not_found(client: Any, key: Any) -> None:
    with pytest.raises(ex.RecordNotFound) as info:
        client.get(key("missing"))
    assert info.value.code == 2


def test_exists_and_select(client: Any, key: Any) -> None:
    k = key(1)
    client.put(k, {"a": 1, "b": 2})
    _, meta = client.exists(k)
    assert meta is not None and meta["gen"] == 1
    _, missing_meta = client.exists(key(2))
    assert missing_meta is None
    _, _, bins = client.select(k, ["b", "nope"])
    assert bins == {"b": 2}


def test_generation_grows_and_generation_policies(client: Any, key: Any) -> None:
    k = key("gen")
    client.put(k, {"v": 1})
    client.put(k, {"v": 2})
    assert client.get(k)[1]["gen"] == 2
    with pytest.raises(ex.RecordGenerationError) as info:
        client.put(k, {"v": 3}, meta={"gen": 99}, policy={"gen": aerospike.POLICY_GEN_EQ})
    assert info.value.code == 3
    client.put(k, {"v": 3}, meta={"gen": 2}, policy={"gen": aerospike.POLICY_GEN_EQ})
    with pytest.raises(ex.RecordGenerationError):
        client.put(k, {"v": 4}, meta={"gen": 3}, policy={"gen": aerospike.POLICY_GEN_GT})
    client.put(k, {"v": 4}, meta={"gen": 10}, policy={"gen": aerospike.POLICY_GEN_GT})
    assert client.get(k)[2] == {"v": 4}


def test_exists_policies(client: Any, key: Any) -> None:
    k = key("e")
    client.put(k, {"a": 1, "b": 2}, policy={"exists": aerospike.POLICY_EXISTS_CREATE})
    with pytest.raises(ex.RecordExistsError) as info:
        client.put(k, {"a": 1}, policy={"exists": aerospike.POLICY_EXISTS_CREATE})
    assert info.value.code == 5
    with pytest.raises(ex.RecordNotFound):
        client.put(key("nope"), {"a": 1}, policy={"exists": aerospike.POLICY_EXISTS_UPDATE})
    with pytest.raises(ex.RecordNotFound):
        client.put(key("nope"), {"a": 1}, policy={"exists": aerospike.POLICY_EXISTS_REPLACE})
    client.put(k, {"c": 3}, policy={"exists": aerospike.POLICY_EXISTS_REPLACE})
    assert client.get(k)[2] == {"c": 3}
    client.put(k, {"d": 4}, policy={"exists": aerospike.POLICY_EXISTS_CREATE_OR_REPLACE})
    assert client.get(k)[2] == {"d": 4}
    client.put(k, {"e": 5}, policy={"exists": aerospike.POLICY_EXISTS_UPDATE})
    assert client.get(k)[2] == {"d": 4, "e": 5}


def test_ttl_values(client: Any, key: Any) -> None:
    k = key("ttl")
    client.put(k, {"v": 1}, policy={"ttl": 3600})
    ttl = client.get(k)[1]["ttl"]
    assert 3590 <= ttl <= 3600
    client.put(k, {"w": 2}, policy={"ttl": aerospike.TTL_DONT_UPDATE})
    assert 3590 <= client.get(k)[1]["ttl"] <= 3600
    client.put(k, {"w": 3}, policy={"ttl": aerospike.TTL_NEVER_EXPIRE})
    assert client.get(k)[1]["ttl"] in (-1, 0xFFFFFFFF)
    with pytest.raises(ex.InvalidRequest) as info:
        client.put(k, {"w": 4}, policy={"ttl": 11 * 365 * 24 * 3600})
    assert info.value.code == 4


def test_touch(client: Any, key: Any) -> None:
    k = key("t")
    with pytest.raises(ex.RecordNotFound):
        client.touch(k, 600)
    client.put(k, {"v": 1})
    client.touch(k, 600)
    _, meta = client.exists(k)
    assert meta["gen"] == 2
    assert 590 <= meta["ttl"] <= 600


def test_send_key_is_stored_and_returned_by_scans(client: Any, key: Any, ns: str,
                                                  set_name: str) -> None:
    client.put(key("user-key"), {"v": 1}, policy={"key": aerospike.POLICY_KEY_SEND})
    client.put(key(7), {"v": 2}, policy={"key": aerospike.POLICY_KEY_SEND})
    client.put(key(bytearray(b"\x01")), {"v": 3}, policy={"key": aerospike.POLICY_KEY_SEND})
    client.put(key("digest-only"), {"v": 4})
    keys = [rec[0][2] for rec in client.scan(ns, set_name).results()]
    assert sorted(repr(bytes(k) if isinstance(k, bytearray) else k) for k in keys) == sorted(
        repr(k) for k in ["user-key", 7, b"\x01", None])


def test_null_bin_deletes_bin_and_last_bin_deletes_record(client: Any, key: Any) -> None:
    k = key("n")
    client.put(k, {"a": 1, "b": 2})
    client.put(k, {"a": None})
    assert client.get(k)[2] == {"b": 2}
    client.remove_bin(k, ["b"])
    with pytest.raises(ex.RecordNotFound):
        client.get(k)


def test_remove(client: Any, key: Any, community: bool) -> None:
    k = key("r")
    client.put(k, {"a": 1})
    if community:
        with pytest.raises(ex.AerospikeError) as info:
            client.remove(k, policy={"durable_delete": True})
        assert info.value.code == 25
    client.remove(k)
    with pytest.raises(ex.RecordNotFound):
        client.get(k)
    with pytest.raises(ex.RecordNotFound):
        client.remove(k)


def test_operate_scalar_ops(client: Any, key: Any) -> None:
    k = key("op")
    client.put(k, {"n": 10, "s": "mid", "f": 1.5})
    _, meta, bins = client.operate(k, [
        op.increment("n", 5),
        op.append("s", "_end"),
        op.prepend("s", "start_"),
        op.increment("f", 2.0),
        op.write("w", "new"),
        op.read("n"),
        op.read("s"),
        op.read("f"),
        op.read("w"),
    ])
    assert bins == {"n": 15, "s": "start_mid_end", "f": 3.5, "w": "new"}
    assert meta["gen"] == 2
    _, _, ordered = client.operate_ordered(k, [op.read("w"), op.read("n")])
    assert ordered == [("w", "new"), ("n", 15)]
    client.operate(k, [op.touch()], policy={"ttl": 100})
    assert 90 <= client.exists(k)[1]["ttl"] <= 100
    client.operate(k, [op.delete()])
    with pytest.raises(ex.RecordNotFound):
        client.get(k)


def test_client_increment_append_prepend(client: Any, key: Any) -> None:
    k = key("i")
    client.increment(k, "n", 1)  # creates
    client.increment(k, "n", 2)
    client.append(k, "s", "b")
    client.prepend(k, "s", "a")
    assert client.get(k)[2] == {"n": 3, "s": "ab"}
    with pytest.raises(ex.BinIncompatibleType) as info:
        client.increment(k, "s", 1)
    assert info.value.code == 12
    with pytest.raises(ex.BinIncompatibleType):
        client.append(k, "n", "x")
    assert client.get(k)[1]["gen"] == 4  # failed ops changed nothing


def test_filter_expressions(client: Any, key: Any) -> None:
    k = key("f")
    client.put(k, {"i": 43, "s": "bob"})
    true_exp = exp.And(exp.Eq(exp.IntBin("i"), 43), exp.Eq(exp.StrBin("s"), "bob")).compile()
    assert client.get(k, policy={"expressions": true_exp})[2]["i"] == 43
    with pytest.raises(ex.FilteredOut) as info:
        client.get(k, policy={"expressions": exp.Eq(exp.IntBin("i"), 0).compile()})
    assert info.value.code == 27
    with pytest.raises(ex.FilteredOut):
        client.put(k, {"i": 0}, policy={"expressions": exp.GT(exp.IntBin("i"), 100).compile()})
    assert client.get(k)[2]["i"] == 43


def test_unknown_namespace_and_bad_bin_name(client: Any, set_name: str, key: Any) -> None:
    with pytest.raises(ex.NamespaceNotFound) as info:
        client.put(("no_such_ns", set_name, 1), {"a": 1})
    assert info.value.code == 20
    with pytest.raises(ex.BinNameError) as info2:
        client.put(key(1), {"sixteen_chars_xx": 1})
    assert info2.value.code == 21


def test_compressed_request(client: Any, key: Any, community: bool) -> None:
    k = key("c")
    value = "x" * 2000
    if community:
        with pytest.raises(ex.AerospikeError) as info:
            client.put(k, {"v": value}, policy={"compress": True})
        assert info.value.code == 25
    else:
        client.put(k, {"v": value}, policy={"compress": True})
        assert client.get(k)[2] == {"v": value}


def test_info_commands(client: Any, ns: str) -> None:
    for name, (err, value) in client.info_all("build").items():
        assert err is None
        parts = value.strip().split(".")
        assert len(parts) >= 3 and all(p.isdigit() for p in parts)
    values = client.info_all("namespaces")
    assert all(ns in v.strip().split(";") for _, v in values.values())
    stats = next(iter(client.info_all(f"namespace/{ns}").values()))[1]
    assert "objects=" in stats and "replication-factor=" in stats


def test_expired_records_vanish(client: Any, key: Any) -> None:
    k = key("short")
    client.put(k, {"v": 1}, policy={"ttl": 1})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            client.get(k)
        except ex.RecordNotFound:
            return
        time.sleep(0.2)
    raise AssertionError("a record with ttl 1 was still readable after 5 s")


@pytest.mark.embedded_server  # security answers 52, a deliberate difference
def test_client_configured_with_a_user_proceeds() -> None:
    # The embedded server answers security commands with 52 "not enabled"
    # (a real Community Edition answers 51, which fails such clients).
    from aerospike_py.testing import EmbeddedServer

    with EmbeddedServer() as server:
        c = aerospike.client({"hosts": server.hosts, "user": "u", "password": "p"}).connect()
        try:
            c.put(("test", "auth", 1), {"v": 1})
            assert c.get(("test", "auth", 1))[2] == {"v": 1}
            with pytest.raises(ex.AerospikeError) as info:
                c.admin_query_users_info()
            assert info.value.code == 52
        finally:
            c.close()


def test_expression_operations(client: Any, key: Any) -> None:
    k = key("x")
    client.put(k, {"n": 16})
    _, _, bins = client.operate(k, [
        exp_op.expression_write("e", exp.Add(exp.IntBin("n"), 100).compile()),
        exp_op.expression_read("r", exp.Mul(exp.IntBin("n"), 2).compile()),
    ])
    assert bins["r"] == 32
    assert client.get(k)[2] == {"n": 16, "e": 116}
    with pytest.raises(ex.BinExistsError) as info:
        client.operate(k, [exp_op.expression_write(
            "e", exp.Add(exp.IntBin("n"), 1).compile(), aerospike.EXP_WRITE_CREATE_ONLY)])
    assert info.value.code == 6
    with pytest.raises(ex.OpNotApplicable) as info2:
        client.operate(k, [exp_op.expression_read("m", exp.IntBin("missing").compile())])
    assert info2.value.code == 26
    _, _, quiet = client.operate(k, [exp_op.expression_read(
        "m", exp.IntBin("missing").compile(), aerospike.EXP_READ_EVAL_NO_FAIL)])
    assert quiet.get("m") is None
