"""Behaviours that code written for aerospike-py relies on (no server needed).

Each is something aerospike-py's own test suite checks and that used to
differ here: the builtin exceptions for bad arguments, client creation that
does not check hosts, batch calls on an unconnected client, the
``_aerospike`` and ``_bug_report`` modules, and the Python-level NumPy
converter. Metrics names live in test_aerospike_py_metrics.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pytest

import aerospike_py
from aerospike_py import exception
from aerospike_py.exception import ClientError, InvalidArgError, ParamError

DEAD = {"hosts": [("127.0.0.1", 1)], "timeout": 200}
KEY = ("test", "demo", "k1")


# --- exceptions ---------------------------------------------------------------


def test_param_error_is_both_builtins_and_an_aerospike_error() -> None:
    assert issubclass(ParamError, TypeError)
    assert issubclass(ParamError, ValueError)
    assert issubclass(ParamError, InvalidArgError)
    assert issubclass(ParamError, ClientError)
    err = ParamError("bad", code=-2)
    assert err.code == -2 and err.msg == "bad"
    assert "bad" in str(err)


@pytest.mark.parametrize("bins", [None, "s", 1, [1], (1, 2), True, b"b", 1.5, {1, 2}])
def test_put_non_dict_bins_is_a_type_error(bins: Any) -> None:
    c = aerospike_py.client(DEAD)
    with pytest.raises(TypeError, match="bins must be a dict") as info:
        c.put(KEY, bins)
    assert isinstance(info.value, ParamError)


def test_batch_write_shapes_raise_the_builtins() -> None:
    c = aerospike_py.client(DEAD)
    with pytest.raises(TypeError, match="must be a tuple"):
        c.batch_write([{"key": KEY, "bins": {"a": 1}}])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="at least 2 elements"):
        c.batch_write([(KEY,)])
    with pytest.raises(ValueError, match="at least 2 elements"):
        c.batch_write([(KEY, {"a": 1}, {}, "extra")])
    with pytest.raises(TypeError, match="bins element must be a dict"):
        c.batch_write([(KEY, [("a", 1)])])
    with pytest.raises(TypeError, match="meta element must be a dict"):
        c.batch_write([(KEY, {"a": 1}, "not_a_dict")])
    with pytest.raises(TypeError):
        c.batch_write([(KEY, {"a": 1}, {"ttl": "not_a_number"})])


def test_long_bin_name_is_a_value_error() -> None:
    c = aerospike_py.client(DEAD)
    with pytest.raises(ValueError, match="exceeds the 15-byte limit"):
        c.put(KEY, {"a" * 20: 1})


def test_wrong_policy_value_types_are_type_errors() -> None:
    c = aerospike_py.client(DEAD)
    with pytest.raises(TypeError):
        c.put(KEY, {"a": 1}, policy={"exists": "string"})
    with pytest.raises(TypeError):
        c.get(KEY, policy={"total_timeout": [1]})


def test_set_log_level_bad_value_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        aerospike_py.set_log_level(99)


# --- hosts are checked when connecting ------------------------------------------


@pytest.mark.parametrize(
    ("hosts", "message"),
    [([], "empty"), (["127.0.0.1:abc"], "Invalid port"), (["[::1"], "bad host")],
)
def test_bad_hosts_fail_on_connect_not_on_creation(hosts: Any, message: str) -> None:
    sync = aerospike_py.client({"hosts": hosts})
    assert not sync.is_connected()
    with pytest.raises(ValueError, match=message) as info:
        sync.connect()
    assert isinstance(info.value, ParamError)
    assert not sync.is_connected()
    sync.close()


@pytest.mark.asyncio
async def test_bad_hosts_fail_on_async_connect() -> None:
    c = aerospike_py.async_client({"hosts": ["127.0.0.1:abc"]})
    with pytest.raises(ParamError, match="Invalid port"):
        await c.connect()
    assert not c.is_connected()


def test_hosts_of_the_wrong_type_still_fail_on_creation() -> None:
    with pytest.raises(ParamError):
        aerospike_py.client({})
    with pytest.raises(ParamError):
        aerospike_py.client({"hosts": [("127.0.0.1", 3000)], "timeout": -1})


def test_username_without_password_is_refused_before_connecting() -> None:
    # aerospike-py raises ClientError without trying the hosts; ours raises
    # ParamError (a ClientError), also without trying: DEAD would otherwise
    # fail with ClusterError.
    c = aerospike_py.client(DEAD)
    with pytest.raises(ClientError, match="password is required") as info:
        c.connect(username="admin")
    assert isinstance(info.value, ParamError)
    assert not c.is_connected()
    with pytest.raises(ParamError, match="password is required"):
        c.connect("admin", None)
    # None for both is "not given": the connect is tried (and fails here).
    with pytest.raises(exception.ClusterError):
        c.connect(username=None, password=None)
    with pytest.raises(ParamError, match="must be str"):
        c.connect(username=5, password="pw")  # type: ignore[arg-type]
    c.close()


@pytest.mark.asyncio
async def test_async_username_without_password_is_refused_before_connecting() -> None:
    c = aerospike_py.async_client(DEAD)
    with pytest.raises(ParamError, match="password is required"):
        await c.connect(username="admin")
    assert not c.is_connected()
    await c.close()


# --- batches on an unconnected client --------------------------------------------


def test_empty_batches_on_an_unconnected_client_raise_client_error() -> None:
    c = aerospike_py.client(DEAD)
    ops = [{"op": aerospike_py.OPERATOR_READ, "bin": "a"}]
    with pytest.raises(ClientError, match="not connected"):
        c.batch_read([])
    with pytest.raises(ClientError, match="not connected"):
        c.batch_operate([], ops)
    with pytest.raises(ClientError, match="not connected"):
        c.batch_remove([])
    with pytest.raises(ClientError, match="not connected"):
        c.batch_write([])


@pytest.mark.asyncio
async def test_empty_async_batch_on_an_unconnected_client_raises() -> None:
    c = aerospike_py.async_client(DEAD)
    with pytest.raises(ClientError, match="not connected"):
        await c.batch_read([])


def test_query_and_scan_on_an_unconnected_client_raise_client_error() -> None:
    c = aerospike_py.client(DEAD)
    with pytest.raises(ClientError, match="not connected"):
        c.query("test", "demo")
    with pytest.raises(ClientError, match="not connected"):
        c.scan("test", "demo")
    a = aerospike_py.async_client(DEAD)
    with pytest.raises(ClientError, match="not connected"):
        a.query("test", "demo")


def test_partition_filter_errors_carry_aerospike_py_wording() -> None:
    with pytest.raises(ValueError, match="partition_id must be"):
        aerospike_py.partition_filter_by_id(4096)
    with pytest.raises(ValueError, match="partition_id must be"):
        aerospike_py.partition_filter_by_id(-1)
    with pytest.raises(ValueError, match=r"begin \+ count must be"):
        aerospike_py.partition_filter_by_range(4000, 1000)
    assert aerospike_py.partition_filter_by_id(4095).begin == 4095
    assert aerospike_py.partition_filter_by_range(4000, 96).count == 96


# --- the _aerospike module ---------------------------------------------------------


def test_native_module_name_gives_aerospike_py_names() -> None:
    from aerospike_py import _aerospike

    assert _aerospike.AerospikeError is exception.AerospikeError
    assert _aerospike.RecordNotFound is exception.RecordNotFound
    assert _aerospike.Client is aerospike_py.Client
    assert _aerospike.AsyncClient is aerospike_py.AsyncClient
    assert _aerospike.POLICY_KEY_SEND == aerospike_py.POLICY_KEY_SEND
    assert callable(_aerospike.init_tracing) and callable(_aerospike.shutdown_tracing)
    assert "# EOF" in _aerospike.get_metrics_text()
    # Names it does not import itself come from the package.
    assert _aerospike.BatchRecord is aerospike_py.BatchRecord
    with pytest.raises(AttributeError):
        _aerospike.no_such_name  # noqa: B018
    with pytest.raises(AttributeError):
        _aerospike._private  # noqa: B018


def test_client_classes_expose_the_same_public_methods() -> None:
    def public(cls: type) -> set[str]:
        return {m for m in dir(cls) if not m.startswith("_") and callable(getattr(cls, m))}

    assert public(aerospike_py.Client) == public(aerospike_py.AsyncClient)


# --- _bug_report ---------------------------------------------------------------------


def test_bug_report_logs_unexpected_errors_and_reraises(caplog: pytest.LogCaptureFixture) -> None:
    from aerospike_py._bug_report import catch_unexpected, log_unexpected_error

    @catch_unexpected("Test.method")
    def boom() -> None:
        raise TypeError("internal slip")

    with caplog.at_level(logging.ERROR, logger="aerospike_py"):
        with pytest.raises(TypeError, match="internal slip"):
            boom()
    assert len(caplog.records) == 1
    text = caplog.records[0].getMessage()
    assert "Test.method" in text and "TypeError" in text and "internal slip" in text
    assert "This error may be a bug in aerospike-py" in text
    assert "Traceback" in text

    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="aerospike_py"):
        log_unexpected_error("Client.get", ValueError("x\ny"))
    assert caplog.records[0].levelno == logging.ERROR


def test_bug_report_lets_aerospike_errors_pass_silently(caplog: pytest.LogCaptureFixture) -> None:
    from aerospike_py._bug_report import catch_unexpected

    @catch_unexpected("Test.method")
    def expected() -> int:
        raise exception.RecordNotFound("gone")

    @catch_unexpected("Test.ok")
    def fine() -> int:
        return 42

    with caplog.at_level(logging.ERROR, logger="aerospike_py"):
        with pytest.raises(exception.RecordNotFound):
            expected()
        assert fine() == 42
    assert caplog.records == []


@pytest.mark.asyncio
async def test_bug_report_wraps_coroutines(caplog: pytest.LogCaptureFixture) -> None:
    from aerospike_py._bug_report import catch_unexpected

    @catch_unexpected("Test.async")
    async def boom() -> None:
        raise RuntimeError("async slip")

    @catch_unexpected("Test.async_ok")
    async def fine() -> int:
        return 7

    with caplog.at_level(logging.ERROR, logger="aerospike_py"):
        with pytest.raises(RuntimeError, match="async slip"):
            await boom()
        assert await fine() == 7
    assert len(caplog.records) == 1


# --- numpy_batch's Python converter --------------------------------------------------


@dataclass
class _Row:
    key: Any
    result: int
    record: Any


@dataclass
class _Rows:
    batch_records: list[_Row]


def test_python_numpy_converter() -> None:
    np = pytest.importorskip("numpy")
    from aerospike_py.numpy_batch import _ALLOWED_KINDS, _batch_records_to_numpy

    assert {"i", "u", "f", "S", "V"} <= set(_ALLOWED_KINDS)
    dtype = np.dtype([("a", "i4"), ("b", "f8")])
    meta = aerospike_py.RecordMetadata(gen=3, ttl=100)
    rows = _Rows(
        [
            _Row(("test", "demo", "k1"), 0, (None, meta, {"a": 1, "b": 2.5})),
            _Row(("test", "demo", "k2"), 2, None),
            _Row(("test", "demo", "k3"), 0, (None, {"gen": 1, "ttl": 5}, {"a": 7})),
        ]
    )
    out = _batch_records_to_numpy(rows, dtype, [r.key for r in rows.batch_records])
    assert out.result_codes.tolist() == [0, 2, 0]
    assert out.batch_records["a"].tolist() == [1, 0, 7]
    assert out.meta["gen"].tolist() == [3, 0, 1]
    assert out.get("k3")["a"] == 7
    assert "k2" in out and "nope" not in out
    with pytest.raises(KeyError, match="not found in NumpyBatchRecords"):
        out.get("nope")

    with pytest.raises(TypeError, match="kind='U'"):
        _batch_records_to_numpy(_Rows([]), np.dtype([("s", "U4")]), [])
    with pytest.raises(ValueError, match="field 'a'.*index 0.*'bad'"):
        _batch_records_to_numpy(
            _Rows([_Row(("test", "demo", "bad"), 0, (None, None, {"a": "x"}))]), dtype, []
        )


def test_python_numpy_converter_warnings() -> None:
    np = pytest.importorskip("numpy")
    from aerospike_py.numpy_batch import _batch_records_to_numpy

    dtype = np.dtype([("a", "i4"), ("b", "i4")])
    rows = _Rows(
        [
            _Row(None, 0, (None, None, {"a": 1})),
            _Row(("test", "demo", "k"), 0, (None, None, {"a": 2, "c": 3})),
            _Row(("test", "demo", "k"), 0, (None, None, {"a": 4, "b": 5})),
        ]
    )
    with pytest.warns(UserWarning) as caught:
        out = _batch_records_to_numpy(rows, dtype, [], strict=True)
    messages = [str(w.message) for w in caught]
    assert any("missing or malformed key" in m for m in messages)
    assert any("collides with" in m and "index 1" in m for m in messages)
    assert any("not found in bins" in m and "'b'" in m for m in messages)
    assert any("not in dtype" in m and "'c'" in m for m in messages)
    assert out._map == {0: 0, "k": 2}
