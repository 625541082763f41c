"""Policy, meta and config dicts are validated by the bridge before anything is sent."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from aerospike_py import _core, constants, policy
from aerospike_py.exception import ParamError

# A valid value for every key the client accepts.
VALID: dict[str, Any] = {
    "socket_timeout": 100,
    "total_timeout": 0,
    "max_retries": 3,
    "sleep_between_retries": 5,
    "timeout_delay": 0,
    "filter_expression": None,
    "replica": constants.POLICY_REPLICA_SEQUENCE,
    "read_mode_ap": constants.POLICY_READ_MODE_AP_ALL,
    "read_touch_ttl_percent": 50,
    "compress": True,
    "durable_delete": False,
    "key": constants.POLICY_KEY_SEND,
    "exists": constants.POLICY_EXISTS_CREATE_ONLY,
    "gen": constants.POLICY_GEN_EQ,
    "commit_level": constants.POLICY_COMMIT_LEVEL_MASTER,
    "ttl": 60,
    "allow_inline": True,
    "allow_inline_ssd": False,
    "respond_all_keys": True,
    "concurrency": constants.BATCH_CONCURRENCY_PARALLEL,
    "timeout": 500,
    "max_records": 10,
    "records_per_second": 0,
    "max_concurrent_nodes": 0,
    "record_queue_size": 1024,
    "expected_duration": constants.QUERY_DURATION_LONG,
    "include_bin_data": True,
    "partition_filter": None,
    # Serving (issue 17).
    "coalesce": True,
    "hedge_fraction": 0.05,
    "hedge_percentile": 95,
}

KINDS = [
    "read", "write", "operate", "remove", "apply", "batch", "batch_read", "batch_write",
    "batch_remove", "batch_apply", "query", "scan", "admin", "info", "meta",
]


@pytest.mark.parametrize("kind", KINDS)
def test_every_documented_key_is_accepted(kind: str) -> None:
    for key in sorted(policy.POLICY_KEYS[kind]):
        _core._check_policy(kind, {key: VALID[key]})
    _core._check_policy(kind, {k: VALID[k] for k in policy.POLICY_KEYS[kind]})


@pytest.mark.parametrize("kind", KINDS)
def test_keys_of_other_kinds_are_ignored_silently(kind: str) -> None:
    # aerospike-py accepts any key (e.g. 'key' in a read policy) and ignores
    # those it does not use: so do we, without a warning for a real key.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for key in sorted(set(VALID) - policy.POLICY_KEYS[kind]):
            _core._check_policy(kind, {key: VALID[key]})


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_keys_warn_and_are_ignored(kind: str) -> None:
    with pytest.warns(UserWarning, match="unknown key 'total_tiemout'"):
        _core._check_policy(kind, {"total_tiemout": 10})


def test_unknown_key_warning_can_be_made_an_error() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="unknown key"):
            _core._check_policy("read", {"totl_timeout": 10})


def test_batch_remove_meta() -> None:
    _core._check_policy("batch_remove_meta", {"gen": 3, "key": 1, "commit_level": 0})
    _core._check_policy("batch_remove_meta", {"ttl": 3})  # a write key: ignored here
    with pytest.raises(ParamError):
        _core._check_policy("batch_remove_meta", {"gen": -1})


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("read", {"total_timeout": -1}),
        ("read", {"total_timeout": 2**32}),
        ("read", {"total_timeout": "100"}),
        ("read", {"total_timeout": 1.5}),
        ("read", {"total_timeout": True}),
        ("read", {"replica": 9}),
        ("read", {"read_mode_ap": 2}),
        ("read", {"read_touch_ttl_percent": 101}),
        ("read", {"read_touch_ttl_percent": -2}),
        ("read", {"filter_expression": "not compiled"}),
        ("read", {"compress": "yes"}),
        ("read", {"hedge_percentile": 100}),
        ("read", {"hedge_percentile": -1}),
        ("read", {"hedge_percentile": True}),
        ("read", {"hedge_percentile": "95"}),
        ("write", {"exists": 5}),
        ("write", {"gen": 3}),
        ("write", {"key": 2}),
        ("write", {"commit_level": 2}),
        ("write", {"ttl": -4}),
        ("write", {"ttl": 2**32}),
        ("write", {"durable_delete": 2}),
        ("meta", {"gen": -1}),
        ("meta", {"gen": "1"}),
        ("meta", {"ttl": "60"}),
        ("batch", {"concurrency": 2}),
        ("batch", {"hedge_fraction": 1.0}),
        ("batch", {"hedge_percentile": 100}),
        ("info", {"timeout": -5}),
        ("read", {1: 2}),
        ("read", ["total_timeout", 5]),
        ("read", "total_timeout=5"),
    ],
)
def test_bad_values_are_refused(kind: str, value: Any) -> None:
    with pytest.raises(ParamError):
        _core._check_policy(kind, value)


def test_meta_gen_is_a_generation_value() -> None:
    # In meta, gen is the expected generation, not a POLICY_GEN_* value.
    _core._check_policy("meta", {"gen": 12345, "ttl": constants.TTL_NEVER_EXPIRE})
    _core._check_policy("meta", {"ttl": constants.TTL_DONT_UPDATE})
    _core._check_policy("meta", {"ttl": constants.TTL_CLIENT_DEFAULT})


GOOD_CONFIG: dict[str, Any] = {
    "hosts": [("127.0.0.1", 3000), ("10.0.0.2", 3100, "tls-name"), "h3:3000", "[::1]:3000"],
    "cluster_name": "c1",
    "auth_mode": constants.AUTH_INTERNAL,
    "user": "u",
    "password": "p",
    "timeout": 1000,
    "idle_timeout": 55000,
    "max_conns_per_node": 100,
    "min_conns_per_node": 0,
    "conn_pools_per_node": 1,
    "tend_interval": 1000,
    "use_services_alternate": False,
    "max_concurrent_operations": 0,
    "operation_queue_timeout_ms": 0,
    # Serving (issue 17).
    "coalesce_gets": True,
    "coalesce_batches": True,
    "coalesce_window_us": 200,
    "hedge_reads": 0.05,
    "hedge_percentile": 99.5,
    "policies": {
        "read": {"total_timeout": 500},
        "write": {"ttl": 60},
        "operate": {"max_retries": 1},
        "remove": {"durable_delete": True},
        "apply": {},
        "batch": {"respond_all_keys": True},
        "batch_read": {"read_touch_ttl_percent": 0},
        "batch_write": {"ttl": 5},
        "batch_remove": {"gen": 0},
        "batch_apply": {"ttl": 5},
        "query": {"max_records": 5},
        "scan": {"records_per_second": 5},
        "info": {"timeout": 100},
        "admin": {"timeout": 100},
    },
    "tls": {"enable": False},
    "rack_aware": True,
    "rack_id": 2,
    "rack_ids": [1, 2],
    "app_id": "app",
    "login_timeout_ms": 5000,
    "max_error_rate": 100,
    "error_rate_window": 1,
}


def test_full_config_is_accepted() -> None:
    assert set(GOOD_CONFIG) == set(policy.POLICY_KEYS["client_config"])
    assert set(GOOD_CONFIG["policies"]) == set(policy.POLICY_KEYS["policies"])
    _core._check_policy("client_config", GOOD_CONFIG)
    _core._check_policy("client_config", {"hosts": "a:3000,b:3001"})


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"hosts": []},
        {"hosts": [("h", 0)]},
        {"hosts": [("h", 70000)]},
        {"hosts": [("", 3000)]},
        {"hosts": [5]},
        {"hosts": ["h:notaport"]},
        {"hosts": 5},
        {"hosts": [("h", 3000)], "timeout": -1},
        {"hosts": [("h", 3000)], "auth_mode": 3},
        {"hosts": [("h", 3000)], "policies": {"auth_mode": 4}},
        {"hosts": [("h", 3000)], "policies": []},
        {"hosts": [("h", 3000)], "tls": {"enable": "yes"}},
        {"hosts": [("h", 3000)], "tls": {"enable": True, "cafile": 5}},
        {"hosts": [("h", 3000)], "tls": []},
        {"hosts": [("h", 3000)], "max_conns_per_node": 0},
        {"hosts": [("h", 3000)], "hedge_percentile": 100.0},
        "hosts",
        None,
    ],
)
def test_bad_configs_are_refused(config: Any) -> None:
    with pytest.raises(ParamError):
        _core._check_policy("client_config", config)


@pytest.mark.parametrize(
    ("config", "warning"),
    [
        ({"hosts": [("h", 3000)], "unknown": 1}, "config: unknown key 'unknown'"),
        ({"hosts": [("h", 3000)], "policies": {"reed": {}}}, "unknown section 'reed'"),
        ({"hosts": [("h", 3000)], "policies": {"read": {"ttl_": 5}}}, "unknown key 'ttl_'"),
        ({"hosts": [("h", 3000)], "tls": {"enable": True, "bogus": 1}}, "unknown key 'bogus'"),
    ],
)
def test_unknown_config_keys_warn(config: Any, warning: str) -> None:
    with pytest.warns(UserWarning, match=warning):
        _core._check_policy("client_config", config)


def test_config_key_of_another_policy_is_ignored() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _core._check_policy("client_config", {"hosts": [("h", 3000)],
                                              "policies": {"read": {"ttl": 5, "key": 1}}})
