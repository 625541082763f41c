"""Policy TypedDicts, the POLICY_KEYS table, and strict typing of the API modules."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import typing

from aerospike_py import policy, types

ROOT = pathlib.Path(__file__).resolve().parents[2]


def is_typeddict(obj: object) -> bool:
    """typing.is_typeddict, which CPython 3.9 lacks: there a TypedDict is a
    dict subclass carrying ``__total__`` and ``__annotations__``."""
    check = getattr(typing, "is_typeddict", None)
    if check is not None:
        return bool(check(obj))
    return (isinstance(obj, type) and issubclass(obj, dict) and hasattr(obj, "__total__")
            and hasattr(obj, "__annotations__"))


def test_policy_keys_kinds_and_values() -> None:
    expected_kinds = {
        "client_config", "policies", "tls", "read", "write", "operate", "remove", "apply",
        "batch", "batch_read", "batch_write", "batch_remove", "batch_remove_meta",
        "batch_apply", "batch_apply_meta", "query", "scan", "admin", "info", "meta",
        "list_policy", "map_policy", "hll_policy", "privilege",
    }
    assert set(policy.POLICY_KEYS) == expected_kinds
    for kind, keys in policy.POLICY_KEYS.items():
        assert isinstance(keys, frozenset) and keys, kind
        assert all(isinstance(k, str) and k for k in keys), kind


def test_every_policies_entry_has_a_kind() -> None:
    # Each client-level default in config["policies"] is validated as its kind.
    assert policy.POLICY_KEYS["policies"] <= set(policy.POLICY_KEYS)


def test_additions_present() -> None:
    config = policy.POLICY_KEYS["client_config"]
    for key in ("policies", "tls", "rack_id", "rack_ids", "rack_aware", "app_id",
                "login_timeout_ms", "max_error_rate", "error_rate_window",
                "max_concurrent_operations", "operation_queue_timeout_ms"):
        assert key in config
    for kind in ("read", "write", "batch", "query", "scan"):
        assert "compress" in policy.POLICY_KEYS[kind]
        assert {"socket_timeout", "total_timeout", "max_retries"} <= policy.POLICY_KEYS[kind]
    assert policy.POLICY_KEYS["info"] == {"timeout"}
    assert policy.POLICY_KEYS["admin"] == {"timeout"}


def test_table_matches_typeddicts() -> None:
    pairs = {
        "client_config": policy.ClientConfig,
        "policies": policy.ClientPolicies,
        "tls": policy.TLSConfig,
        "read": policy.ReadPolicy,
        "write": policy.WritePolicy,
        "batch": policy.BatchPolicy,
        "batch_write": policy.BatchWritePolicy,
        "query": policy.QueryPolicy,
        "meta": policy.WriteMeta,
    }
    for kind, td in pairs.items():
        assert policy.POLICY_KEYS[kind] == set(td.__annotations__), kind


def test_typeddicts_are_optional_except_results() -> None:
    for name in policy.__all__:
        obj = getattr(policy, name)
        if is_typeddict(obj):
            if name in ("UserInfo", "RoleInfo"):
                assert obj.__total__ is True
            else:
                assert obj.__total__ is False, name
                assert not obj.__required_keys__, name


def test_operation_alias_and_reexports() -> None:
    op: policy.Operation = {"op": 2, "bin": "a", "val": 1}
    assert op["op"] == 2
    for name in ("ListPolicy", "MapPolicy", "HLLPolicy", "Operation", "InfoPolicy"):
        assert getattr(types, name) is getattr(policy, name)
    assert policy.OperatePolicy is policy.WritePolicy


def test_mypy_strict_is_clean() -> None:
    files = [f"aerospike_py/{n}.py" for n in ("exception", "types", "constants", "policy")]
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
         "--no-error-summary", *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
