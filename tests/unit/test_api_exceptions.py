"""Exception classes: attributes, constructors, code table, official-client names."""

from __future__ import annotations

import json
import pathlib
import pickle
import warnings
from typing import Any

import pytest

from aerospike_py import constants, exception
from aerospike_py.exception import (
    EXCEPTION_BY_CODE,
    AerospikeError,
    ClientError,
    ServerError,
    exception_for_code,
)

DATA = pathlib.Path(__file__).parent / "data"
OFFICIAL: dict[str, Any] = json.loads((DATA / "official_client_surface.json").read_text())

ALL_CLASSES = sorted(
    {
        obj
        for name in exception.__all__
        if isinstance(obj := getattr(exception, name), type) and issubclass(obj, BaseException)
    },
    key=lambda c: c.__name__,
)


def _get(name: str) -> type[AerospikeError]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        cls = getattr(exception, name)
    assert isinstance(cls, type) and issubclass(cls, AerospikeError)
    return cls


# --- attributes and constructors ---------------------------------------------


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=lambda c: c.__name__)
def test_single_message_constructor_sets_all_attributes(cls: type[AerospikeError]) -> None:
    err = cls("something failed")
    assert isinstance(err, AerospikeError)
    assert err.msg == "something failed"
    assert err.code == cls.code
    assert isinstance(err.code, int)
    assert err.in_doubt is False
    assert err.key is None
    assert err.node is None
    assert err.args == ("something failed",)
    assert err.result_code == err.code
    text = str(err)
    assert "something failed" in text
    assert f"({cls.code})" in text


def test_keyword_constructor() -> None:
    key = ("test", "demo", 7)
    err = exception.RecordExistsError(
        "exists", code=5, in_doubt=True, key=key, node="BB9020011AC4202"
    )
    assert (err.code, err.msg, err.in_doubt, err.key, err.node) == (
        5,
        "exists",
        True,
        key,
        "BB9020011AC4202",
    )
    text = str(err)
    assert text.startswith("RECORD_EXISTS (5): exists")
    assert "BB9020011AC4202" in text and "in_doubt" in text and "'demo'" in text
    assert repr(err) == (
        "RecordExistsError('exists', code=5, in_doubt=True, key=('test', 'demo', 7), "
        "node='BB9020011AC4202')"
    )


def test_message_as_keyword_only() -> None:
    err = exception.ServerError(msg="server said no", code=25)
    assert err.msg == "server said no"
    assert err.args == ("server said no",)
    assert str(err) == "ENTERPRISE_ONLY (25): server said no"


def test_no_arguments() -> None:
    err = exception.ClientError()
    assert err.msg == ""
    assert str(err) == "CLIENT (-1)"


def test_attributes_set_after_construction_are_reported() -> None:
    # The native bridge builds cls(msg) and then assigns the attributes.
    err = exception.AerospikeTimeoutError("timed out")
    err.code = 9
    err.in_doubt = True
    err.node = "A1"
    err.key = ("test", "s", b"\x01")
    assert str(err) == "TIMEOUT (9): timed out [node=A1, key=('test', 's', b'\\x01'), in_doubt]"


def test_unknown_code_name() -> None:
    assert str(exception.ServerError("x", code=249)) == "UNKNOWN (249): x"


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=lambda c: c.__name__)
def test_pickle_round_trip(cls: type[AerospikeError]) -> None:
    err = cls("boom", code=cls.code, in_doubt=True, key=("ns", "set", 1), node="N1")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is cls
    assert (back.code, back.msg, back.in_doubt, back.key, back.node) == (
        err.code,
        "boom",
        True,
        ("ns", "set", 1),
        "N1",
    )


def test_raise_and_catch_by_base() -> None:
    with pytest.raises(exception.RecordError) as info:
        raise exception_for_code(2)("not found", code=2)
    assert isinstance(info.value, exception.RecordNotFound)
    assert info.value.code == 2


# --- deprecated aliases -------------------------------------------------------


@pytest.mark.parametrize(
    ("alias", "target"),
    [("TimeoutError", "AerospikeTimeoutError"), ("IndexError", "AerospikeIndexError")],
)
def test_deprecated_alias_warns(alias: str, target: str) -> None:
    with pytest.warns(DeprecationWarning, match=target):
        cls = getattr(exception, alias)
    assert cls is getattr(exception, target)
    assert alias in dir(exception)


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError, match="NoSuchError"):
        exception.NoSuchError  # noqa: B018


# --- code table ------------------------------------------------------------------


def test_table_covers_every_named_error_code() -> None:
    not_errors = {0, 50, -3, -13}  # OK, query end, no more records, internal retry
    for code in exception.RESULT_CODE_NAMES:
        if code not in not_errors:
            assert code in EXCEPTION_BY_CODE, code
    for code in not_errors:
        assert code not in EXCEPTION_BY_CODE


def test_table_covers_aerospike_py_result_constants() -> None:
    for name in constants.__all__:
        if name.startswith("AEROSPIKE_") and name not in (
            "AEROSPIKE_OK",
            "AEROSPIKE_QUERY_END",
            "AEROSPIKE_NO_MORE_RECORDS",
        ):
            assert getattr(constants, name) in EXCEPTION_BY_CODE, name


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (1, "ServerError"),
        (2, "RecordNotFound"),
        (3, "RecordGenerationError"),
        (4, "InvalidRequest"),
        (5, "RecordExistsError"),
        (6, "BinExistsError"),
        (9, "AerospikeTimeoutError"),
        (12, "BinTypeError"),
        (13, "RecordTooBig"),
        (17, "BinNotFound"),
        (21, "BinNameError"),
        (27, "FilteredOut"),
        (52, "SecurityNotEnabled"),
        (80, "NotAuthenticated"),
        (81, "RoleViolation"),
        (100, "UDFError"),
        (200, "IndexFoundError"),
        (201, "IndexNotFound"),
        (210, "QueryAbortedError"),
        (-1, "ClientError"),
        (-2, "ParamError"),
        (-4, "InvalidHostError"),
        (-5, "ClientAbortError"),
        (-7, "NoMoreConnectionsError"),
        (-8, "InvalidNodeError"),
        (-9, "TLSError"),
        (-10, "ConnectionError"),
        (-11, "ClusterError"),
        (-12, "MaxRetriesExceeded"),
        (-14, "MaxErrorRateExceeded"),
    ],
)
def test_code_maps_to_class(code: int, expected: str) -> None:
    assert exception_for_code(code) is _get(expected)


def test_fallbacks() -> None:
    assert exception_for_code(0) is ServerError
    assert exception_for_code(249) is ServerError
    assert exception_for_code(100000) is ServerError
    assert exception_for_code(-3) is ClientError
    assert exception_for_code(-999) is ClientError


def test_table_classes_agree_with_their_codes() -> None:
    for code, cls in EXCEPTION_BY_CODE.items():
        assert issubclass(cls, AerospikeError)
        if cls not in (ServerError, ClientError, exception.ClusterError, exception.RecordBusy,
                       exception.NotAuthenticated):
            # A dedicated class is used for exactly one code: its default.
            assert cls.code == code, (code, cls)
        if code < 0:
            assert not issubclass(cls, ServerError), (code, cls)


def test_security_codes_are_admin_errors() -> None:
    for code in (51, 52, 53, 54, 55, 56, 60, 61, 62, 63, 64, 65, 66, 70, 71, 72, 73, 74, 75,
                 80, 81, 82, 83):
        assert issubclass(exception_for_code(code), exception.AdminError), code


def test_client_side_connection_errors_are_cluster_and_client_errors() -> None:
    for code in (-4, -6, -7, -8, -9, -10):
        cls = exception_for_code(code)
        assert issubclass(cls, exception.ClusterError), code
        assert issubclass(cls, ClientError), code


def test_new_exception_builds_with_context() -> None:
    err = exception.new_exception(-10, "refused", node="N2", in_doubt=False)
    assert type(err) is exception.ConnectionError
    assert (err.code, err.msg, err.node) == (-10, "refused", "N2")
    err = exception.new_exception(77, "odd")
    assert type(err) is ServerError and err.code == 77


# --- official client names -------------------------------------------------------


@pytest.mark.parametrize("name", sorted(OFFICIAL["exceptions"]))
def test_official_name_exists(name: str) -> None:
    cls = _get(name)
    official_code = OFFICIAL["exceptions"][name]["code"]
    if official_code is not None and name != "ClusterError":
        # Same default code; ClusterError is aerospike-py's connectivity
        # class (client code -11) rather than the official partition error.
        assert cls.code == official_code
        # A reply with that code is raised as (a subclass of) that class,
        # so an official-style `except` catches it.
        assert issubclass(exception_for_code(official_code), cls)


@pytest.mark.parametrize("name", sorted(OFFICIAL["exceptions"]))
def test_official_bases_are_kept_where_aerospike_py_allows(name: str) -> None:
    cls = _get(name)
    for base in OFFICIAL["exceptions"][name]["bases"]:
        if base in ("Exception",):
            continue
        if base == "ServerError" and name in (
            "RecordError",
            "ClusterError",
            "FilteredOut",
            "BinExistsError",
            "BinNameError",
            "BinNotFound",
            "BinIncompatibleType",
            "RecordExistsError",
            "RecordGenerationError",
            "RecordNotFound",
            "RecordTooBig",
        ):
            continue  # aerospike-py's tree: RecordError/ClusterError are not ServerErrors
        if base == "ClientError" and name == "ParamError":
            assert issubclass(cls, ClientError)
            continue
        assert issubclass(cls, _get(base)), (name, base)


def test_official_aliases_are_the_same_class() -> None:
    assert exception.BinIncompatibleType is exception.BinTypeError
    assert issubclass(exception.ParamError, exception.InvalidArgError)
    assert issubclass(exception.InvalidRequest, exception.InvalidArgError)
    assert issubclass(exception.InvalidRequest, ServerError)
    assert issubclass(exception.QueryTimeout, exception.AerospikeTimeoutError)
    assert issubclass(exception.ElementNotFoundError, exception.RecordError)
    assert issubclass(exception.ScanAbortedError, exception.QueryAbortedError)
