"""Typed stubs of ``aerospike_py._core``, the native client (C++ with a libuv event thread).

``Client`` methods block the calling thread with the GIL released and return
results; ``AsyncClient`` methods return :class:`asyncio.Future` objects of the
running loop, resolved by the loop's completion bridge. Use the subclasses
:class:`aerospike_py.Client` and :class:`aerospike_py.AsyncClient` (module
:mod:`aerospike_py.client`), which add ``connect()``, ``close()``, the
context-manager protocols and ``batch_write(retry=...)``.

Conventions of every method:

* ``key``: ``(namespace, set, user_key)`` with a ``str``, ``int``, ``bytes``
  or ``bytearray`` user key, or ``(namespace, set, None, digest)`` with a
  20-byte digest.
* ``meta``: per-call write metadata (:class:`aerospike_py.WriteMeta`:
  ``ttl``, ``gen``, ``key``, ``exists``, ``commit_level``, ``durable_delete``).
* ``policy``: a policy dict of the call's kind (:class:`aerospike_py.ReadPolicy`,
  :class:`aerospike_py.WritePolicy`, :class:`aerospike_py.BatchPolicy`, ...).
  Unknown keys and bad values raise ``ParamError``; missing keys take the
  client's ``config["policies"]`` defaults.
* Errors raise :class:`aerospike_py.exception.AerospikeError` subclasses with
  ``code``, ``msg``, ``in_doubt``, ``key`` and ``node``.
"""

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any, overload

from aerospike_py._batch import LazyBatchRecords
from aerospike_py.batch import BatchKeys
from aerospike_py.numpy_batch import NumpyBatchRecords
from aerospike_py.types import (
    BatchRecord,
    BatchWriteResult,
    ExistsResult,
    InfoNodeResult,
    OperateOrderedResult,
    Record,
)

_Key = tuple[Any, ...]
_Policy = Mapping[str, Any] | None
_Ops = Sequence[Mapping[str, Any]]
# Batch keys: key tuples and/or BatchKeys groups, or one BatchKeys.
_Keys = Sequence[_Key | BatchKeys] | BatchKeys

class Client:
    """Blocking client: every method waits for its answer with the GIL released.

    One client may be shared by any number of threads.
    """

    def __init__(self, config: Mapping[str, Any]) -> None:
        """Validates ``config`` (a :class:`aerospike_py.ClientConfig` dict); does not connect."""
    def _connect(self, username: str | None = None, password: str | None = None) -> None:
        """Starts the event thread and waits for the cluster (use ``connect()``)."""
    def _close(self) -> None:
        """Fails in-flight commands, closes every socket, stops the event thread (use ``close()``)."""
    def is_connected(self) -> bool:
        """Whether at least one cluster node is active (local state, no I/O)."""
    def get_node_names(self) -> list[str]:
        """Names of the cluster's active nodes (local state, no I/O)."""
    def get_nodes(self) -> list[tuple[str, int]]:
        """``[(host, port), ...]`` of the active nodes, as the official client's
        ``get_nodes`` (local state, no I/O)."""
    def ping(self) -> bool:
        """Sends the ``build`` info command to a random node: whether it answered. Never raises."""
    def get(self, key: _Key, policy: _Policy = None) -> Record:
        """Reads a whole record: ``Record(key, meta, bins)``.

        Raises ``RecordNotFound`` when the record does not exist."""
    def select(self, key: _Key, bins: Sequence[str], policy: _Policy = None) -> Record:
        """Reads the named bins of a record: ``Record(key, meta, bins)``."""
    def exists(self, key: _Key, policy: _Policy = None) -> ExistsResult:
        """``ExistsResult(key, meta)``; ``meta`` is None when the record does not exist (no
        exception)."""
    def put(
        self,
        key: _Key,
        bins: Mapping[str, Any],
        meta: _Policy = None,
        policy: _Policy = None,
    ) -> None:
        """Writes ``bins`` (a dict of bin name to value); a ``None`` value deletes its bin.

        Values: ``int``, ``float``, ``str``, ``bytes``, ``bool``, ``list``, ``dict``
        (:class:`aerospike_py.KeyOrderedDict` for a key-ordered map), ``GeoJSON``,
        ``HyperLogLog`` and ``TypedBlob``."""
    def remove(self, key: _Key, meta: _Policy = None, policy: _Policy = None) -> None:
        """Deletes a record; ``RecordNotFound`` when it does not exist. ``meta={"gen": n}`` checks
        the generation."""
    def touch(self, key: _Key, val: int = 0, meta: _Policy = None, policy: _Policy = None) -> None:
        """Resets a record's time to live to ``val`` seconds (0: the namespace default)."""
    def append(
        self,
        key: _Key,
        bin: str,
        val: Any,
        meta: _Policy = None,
        policy: _Policy = None,
    ) -> None:
        """Appends a ``str`` or ``bytes`` to a bin."""
    def prepend(
        self,
        key: _Key,
        bin: str,
        val: Any,
        meta: _Policy = None,
        policy: _Policy = None,
    ) -> None:
        """Prepends a ``str`` or ``bytes`` to a bin."""
    def increment(
        self,
        key: _Key,
        bin: str,
        offset: int | float,
        meta: _Policy = None,
        policy: _Policy = None,
    ) -> None:
        """Adds ``offset`` to an integer or float bin (created when missing)."""
    def remove_bin(
        self,
        key: _Key,
        bin_names: Sequence[str],
        meta: _Policy = None,
        policy: _Policy = None,
    ) -> None:
        """Deletes the named bins of a record."""
    def operate(
        self,
        key: _Key,
        ops: _Ops,
        meta: _Policy = None,
        policy: _Policy = None,
    ) -> Record:
        """Runs operations on one record atomically: ``Record`` with the bins the operations read.

        Each op is a dict ``{"op": OPERATOR_*, "bin": name, "val": value}``."""
    def operate_ordered(
        self,
        key: _Key,
        ops: _Ops,
        meta: _Policy = None,
        policy: _Policy = None,
    ) -> OperateOrderedResult:
        """Like :meth:`operate`, with results as ``BinTuple(name, value)`` in operation order
        (duplicates kept)."""
    def info_all(self, command: str, policy: _Policy = None) -> list[InfoNodeResult]:
        """Sends an info command to every node: ``[InfoNodeResult(node_name, error_code,
        response)]``."""
    def info_random_node(self, command: str, policy: _Policy = None) -> str:
        """Sends an info command to one node: its response text."""
    def info_single_node(self, command: str, host: str, policy: _Policy = None) -> str:
        """Sends an info command to the node named ``host`` (a node name from
        :meth:`get_node_names`)."""
    # --- record UDFs (client_udf.cc) ---
    def apply(
        self,
        key: _Key,
        module: str,
        function: str,
        args: list[Any] | None = None,
        policy: _Policy = None,
    ) -> Any:
        """Runs a record UDF on one record: the function's return value; ``UDFError`` with the
        Lua message (file and line) when it fails."""
    def batch_apply(
        self,
        keys: Sequence[Any],
        module: str,
        function: str,
        args: list[Any] | None = None,
        policy: _Policy = None,
    ) -> BatchWriteResult:
        """Runs a record UDF on many records: ``BatchWriteResult`` whose records carry a
        ``SUCCESS`` (return value) or ``FAILURE`` (message, result 100) bin."""
    def truncate(
        self,
        namespace: str,
        set_name: str | None,
        nanos: int = 0,
        policy: _Policy = None,
    ) -> None:
        """Deletes every record of a set (or, with ``set_name=None``, of the namespace) last
        updated before ``nanos`` (nanoseconds since the epoch; 0: now)."""
    @overload
    def batch_read(
        self,
        keys: _Keys,
        bins: Sequence[str] | None = None,
        policy: _Policy = None,
        _dtype: None = None,
    ) -> LazyBatchRecords:
        """Reads many records in one batch.

        Returns ``{user_key: bins}`` of the records found (a
        :class:`aerospike_py.LazyBatchRecords`, whose ``batch_records`` and ``to_list()`` keep
        every key in input order with its result). ``bins=None`` reads all bins, ``[]`` only
        checks existence. With ``_dtype`` (a NumPy structured dtype) returns
        :class:`aerospike_py.NumpyBatchRecords` instead. ``keys`` may mix key tuples and
        :class:`aerospike_py.BatchKeys` groups, across namespaces and sets."""
    @overload
    def batch_read(
        self,
        keys: _Keys,
        bins: Sequence[str] | None,
        policy: _Policy,
        _dtype: Any,
    ) -> NumpyBatchRecords: ...
    @overload
    def batch_read(
        self,
        keys: _Keys,
        bins: Sequence[str] | None = None,
        policy: _Policy = None,
        *,
        _dtype: Any,
    ) -> NumpyBatchRecords: ...
    @overload
    def batch_read(
        self,
        keys: _Keys,
        bins: Sequence[str] | None = None,
        policy: _Policy = None,
        _dtype: None = None,
        *,
        _arrow: Any,
    ) -> Any:
        """With ``_arrow`` (a ``pyarrow.Schema``): a ``pyarrow.RecordBatch``, one row per
        key in input order (see :mod:`aerospike_py.arrow`)."""
    def batch_read_view(
        self,
        keys: _Keys,
        bins: Sequence[str] | None = None,
        policy: _Policy = None,
    ) -> list[BatchRecord]:
        """Reads many records: one ``BatchRecord(key, result, record, in_doubt)`` per key, in input
        order, misses and failures included."""
    def batch_write(
        self,
        records: Sequence[tuple[Any, ...]],
        policy: _Policy = None,
        retry: int = 0,
    ) -> BatchWriteResult:
        """Writes ``(key, bins)`` or ``(key, bins, meta)`` records in one batch:
        ``BatchWriteResult``."""
    def batch_write_numpy(
        self,
        data: Any,
        namespace: str,
        set_name: str,
        _dtype: Any,
        key_field: str = "_key",
        policy: _Policy = None,
        retry: int = 0,
    ) -> BatchWriteResult:
        """Writes one record per row of a NumPy structured array; the ``key_field`` column is the
        user key."""
    def batch_operate(self, keys: _Keys, ops: _Ops, policy: _Policy = None) -> BatchWriteResult:
        """Runs the same operations on every key: ``BatchWriteResult``."""
    def batch_remove(
        self,
        keys: Sequence[Any] | BatchKeys,
        policy: _Policy = None,
    ) -> BatchWriteResult:
        """Deletes many records: ``BatchWriteResult``. A key may be ``(key, {"gen": n})`` for a
        generation check."""
    def batch(self, records: Any, policy: _Policy = None) -> BatchWriteResult:
        """Runs ``Read``/``Write``/``Remove`` rows (:mod:`aerospike_py.batch`) in one batch:
        ``BatchWriteResult`` with one ``BatchRecord`` per row, in order."""

    # --- scans and queries (use client.query(); aerospike_py.query) ---
    def _query(
        self,
        namespace: str,
        set_name: str | None,
        bins: Sequence[str] | None = None,
        where: tuple[Any, ...] | None = None,
        policy: _Policy = None,
        partitions: Sequence[tuple[int, bool, bool, bytes | None, int | None]] | None = None,
        ops: _Ops | None = None,
        background: bool = False,
        task_id: int | None = None,
        udf: tuple[str, str, bytes] | None = None,
        stream_type: type[QueryStream] | None = None,
        write_policy: _Policy = None,
    ) -> Any:
        """Starts a scan/query: a ``QueryStream`` (of ``stream_type``), or for a background
        query ``(task_id, None)`` (sync) / ``(task_id, future)`` (async)."""
    # -- the admin API (users and roles; needs user-admin except for one's own
    # password and user info) --
    def admin_create_user(
        self, username: str, password: str, roles: Sequence[str], policy: _Policy = None
    ) -> None:
        """Creates a user with a password and roles."""
    def admin_drop_user(self, username: str, policy: _Policy = None) -> None:
        """Drops a user (its sessions end)."""
    def admin_change_password(
        self, username: str, password: str, policy: _Policy = None
    ) -> None:
        """Changes the client's own password (later logins use it), or with user-admin
        sets another user's."""
    def admin_grant_roles(
        self, username: str, roles: Sequence[str], policy: _Policy = None
    ) -> None:
        """Adds roles to a user."""
    def admin_revoke_roles(
        self, username: str, roles: Sequence[str], policy: _Policy = None
    ) -> None:
        """Removes roles from a user."""
    def admin_query_user_info(self, username: str, policy: _Policy = None) -> dict[str, Any]:
        """One user: ``{"user", "roles", "conns_in_use"}`` (plus ``read_info`` /
        ``write_info`` when the server reports usage)."""
    def admin_query_users_info(self, policy: _Policy = None) -> list[dict[str, Any]]:
        """Every user, as :meth:`admin_query_user_info` describes one."""
    def admin_create_role(
        self,
        role: str,
        privileges: Sequence[Mapping[str, Any]],
        policy: _Policy = None,
        whitelist: Sequence[str] | None = None,
        read_quota: int = 0,
        write_quota: int = 0,
    ) -> None:
        """Creates a role: privileges ``{"code": PRIV_* or a name, "ns": ..., "set": ...}``,
        optional client address whitelist and records-per-second quotas."""
    def admin_drop_role(self, role: str, policy: _Policy = None) -> None:
        """Drops a role (users lose it)."""
    def admin_grant_privileges(
        self, role: str, privileges: Sequence[Mapping[str, Any]], policy: _Policy = None
    ) -> None:
        """Adds privileges to a role."""
    def admin_revoke_privileges(
        self, role: str, privileges: Sequence[Mapping[str, Any]], policy: _Policy = None
    ) -> None:
        """Removes privileges from a role."""
    def admin_query_role(self, role: str, policy: _Policy = None) -> dict[str, Any]:
        """One role: ``{"name", "privileges", "allowlist", "read_quota", "write_quota"}``."""
    def admin_query_roles(self, policy: _Policy = None) -> list[dict[str, Any]]:
        """Every role (the predefined ones too)."""
    def admin_set_whitelist(
        self, role: str, whitelist: Sequence[str] | None, policy: _Policy = None
    ) -> None:
        """Sets the addresses (``"10.0.0.1"``, ``"10.0.0.0/8"``) a role's users may connect
        from; ``[]`` or ``None`` clears it."""
    def admin_set_quotas(
        self, role: str, read_quota: int = 0, write_quota: int = 0, policy: _Policy = None
    ) -> None:
        """Sets a role's read/write quotas in records per second (0: none)."""

class AsyncClient:
    """asyncio client: every data method returns a future of the running loop.

    Any number of loops, in any threads, may use one client; each loop gets its
    own completion mailbox. Works with asyncio's loops and uvloop.
    """

    def __init__(self, config: Mapping[str, Any]) -> None:
        """Validates ``config`` (a :class:`aerospike_py.ClientConfig` dict); does not connect."""
    def _connect(
        self,
        username: str | None = None,
        password: str | None = None,
    ) -> asyncio.Future[None] | None:
        """Starts the event thread and waits for the cluster (use ``connect()``)."""
    def _close(self) -> None:
        """Fails in-flight commands, closes every socket, stops the event thread (use ``close()``)."""
    def is_connected(self) -> bool:
        """Whether at least one cluster node is active (local state, no I/O)."""
    def get_node_names(self) -> list[str]:
        """Names of the cluster's active nodes (local state, no I/O)."""
    def get_nodes(self) -> list[tuple[str, int]]:
        """``[(host, port), ...]`` of the active nodes, as the official client's
        ``get_nodes`` (local state, no I/O)."""
    def ping(self) -> asyncio.Future[bool]:
        """Sends the ``build`` info command to a random node: whether it answered. Never raises.

        Await the returned future (see :meth:`Client.ping`)."""
    def get(self, key: _Key, policy: _Policy = None) -> asyncio.Future[Record]:
        """Reads a whole record: ``Record(key, meta, bins)``.

        Await the returned future (see :meth:`Client.get`)."""
    def select(
        self,
        key: _Key,
        bins: Sequence[str],
        policy: _Policy = None,
    ) -> asyncio.Future[Record]:
        """Reads the named bins of a record: ``Record(key, meta, bins)``.

        Await the returned future (see :meth:`Client.select`)."""
    def exists(self, key: _Key, policy: _Policy = None) -> asyncio.Future[ExistsResult]:
        """``ExistsResult(key, meta)``; ``meta`` is None when the record does not exist (no
        exception).

        Await the returned future (see :meth:`Client.exists`)."""
    def put(
        self,
        key: _Key,
        bins: Mapping[str, Any],
        meta: _Policy = None,
        policy: _Policy = None,
    ) -> asyncio.Future[None]:
        """Writes ``bins`` (a dict of bin name to value); a ``None`` value deletes its bin.

        Await the returned future (see :meth:`Client.put`)."""
    def remove(
        self,
        key: _Key,
        meta: _Policy = None,
        policy: _Policy = None,
    ) -> asyncio.Future[None]:
        """Deletes a record; ``RecordNotFound`` when it does not exist. ``meta={"gen": n}`` checks
        the generation.

        Await the returned future (see :meth:`Client.remove`)."""
    def touch(
        self,
        key: _Key,
        val: int = 0,
        meta: _Policy = None,
        policy: _Policy = None,
    ) -> asyncio.Future[None]:
        """Resets a record's time to live to ``val`` seconds (0: the namespace default).

        Await the returned future (see :meth:`Client.touch`)."""
    def append(
        self,
        key: _Key,
        bin: str,
        val: Any,
        meta: _Policy = None,
        policy: _Policy = None,
    ) -> asyncio.Future[None]:
        """Appends a ``str`` or ``bytes`` to a bin.

        Await the returned future (see :meth:`Client.append`)."""
    def prepend(
        self,
        key: _Key,
        bin: str,
        val: Any,
        meta: _Policy = None,
        policy: _Policy = None,
    ) -> asyncio.Future[None]:
        """Prepends a ``str`` or ``bytes`` to a bin.

        Await the returned future (see :meth:`Client.prepend`)."""
    def increment(
        self,
        key: _Key,
        bin: str,
        offset: int | float,
        meta: _Policy = None,
        policy: _Policy = None,
    ) -> asyncio.Future[None]:
        """Adds ``offset`` to an integer or float bin (created when missing).

        Await the returned future (see :meth:`Client.increment`)."""
    def remove_bin(
        self,
        key: _Key,
        bin_names: Sequence[str],
        meta: _Policy = None,
        policy: _Policy = None,
    ) -> asyncio.Future[None]:
        """Deletes the named bins of a record.

        Await the returned future (see :meth:`Client.remove_bin`)."""
    def operate(
        self,
        key: _Key,
        ops: _Ops,
        meta: _Policy = None,
        policy: _Policy = None,
    ) -> asyncio.Future[Record]:
        """Runs operations on one record atomically: ``Record`` with the bins the operations read.

        Await the returned future (see :meth:`Client.operate`)."""
    def operate_ordered(
        self,
        key: _Key,
        ops: _Ops,
        meta: _Policy = None,
        policy: _Policy = None,
    ) -> asyncio.Future[OperateOrderedResult]:
        """Like :meth:`operate`, with results as ``BinTuple(name, value)`` in operation order
        (duplicates kept).

        Await the returned future (see :meth:`Client.operate_ordered`)."""
    def info_all(
        self,
        command: str,
        policy: _Policy = None,
    ) -> asyncio.Future[list[InfoNodeResult]]:
        """Sends an info command to every node: ``[InfoNodeResult(node_name, error_code,
        response)]``.

        Await the returned future (see :meth:`Client.info_all`)."""
    def info_random_node(self, command: str, policy: _Policy = None) -> asyncio.Future[str]:
        """Sends an info command to one node: its response text.

        Await the returned future (see :meth:`Client.info_random_node`)."""
    def info_single_node(
        self,
        command: str,
        host: str,
        policy: _Policy = None,
    ) -> asyncio.Future[str]:
        """Sends an info command to the node named ``host`` (a node name from
        :meth:`get_node_names`).

        Await the returned future (see :meth:`Client.info_single_node`)."""
    # --- record UDFs (client_udf.cc) ---
    def apply(
        self,
        key: _Key,
        module: str,
        function: str,
        args: list[Any] | None = None,
        policy: _Policy = None,
    ) -> asyncio.Future[Any]:
        """Runs a record UDF on one record.

        Await the returned future (see :meth:`Client.apply`)."""
    def batch_apply(
        self,
        keys: Sequence[Any],
        module: str,
        function: str,
        args: list[Any] | None = None,
        policy: _Policy = None,
    ) -> asyncio.Future[BatchWriteResult]:
        """Runs a record UDF on many records.

        Await the returned future (see :meth:`Client.batch_apply`)."""
    def truncate(
        self,
        namespace: str,
        set_name: str | None,
        nanos: int = 0,
        policy: _Policy = None,
    ) -> asyncio.Future[None]:
        """Deletes every record of a set (or, with ``set_name=None``, of the namespace) last
        updated before ``nanos`` (nanoseconds since the epoch; 0: now).

        Await the returned future (see :meth:`Client.truncate`)."""
    @overload
    def batch_read(
        self,
        keys: _Keys,
        bins: Sequence[str] | None = None,
        policy: _Policy = None,
        _dtype: None = None,
    ) -> asyncio.Future[LazyBatchRecords]:
        """Reads many records in one batch.

        Await the returned future (see :meth:`Client.batch_read`)."""
    @overload
    def batch_read(
        self,
        keys: _Keys,
        bins: Sequence[str] | None,
        policy: _Policy,
        _dtype: Any,
    ) -> asyncio.Future[NumpyBatchRecords]: ...
    @overload
    def batch_read(
        self,
        keys: _Keys,
        bins: Sequence[str] | None = None,
        policy: _Policy = None,
        *,
        _dtype: Any,
    ) -> asyncio.Future[NumpyBatchRecords]: ...
    @overload
    def batch_read(
        self,
        keys: _Keys,
        bins: Sequence[str] | None = None,
        policy: _Policy = None,
        _dtype: None = None,
        *,
        _arrow: Any,
    ) -> asyncio.Future[Any]:
        """With ``_arrow`` (a ``pyarrow.Schema``): a future of a ``pyarrow.RecordBatch``
        (see :mod:`aerospike_py.arrow`)."""
    def batch_read_view(
        self,
        keys: _Keys,
        bins: Sequence[str] | None = None,
        policy: _Policy = None,
    ) -> asyncio.Future[list[BatchRecord]]:
        """Reads many records: one ``BatchRecord(key, result, record, in_doubt)`` per key, in input
        order, misses and failures included.

        Await the returned future (see :meth:`Client.batch_read_view`)."""
    def batch_write(
        self,
        records: Sequence[tuple[Any, ...]],
        policy: _Policy = None,
        retry: int = 0,
    ) -> asyncio.Future[BatchWriteResult]:
        """Writes ``(key, bins)`` or ``(key, bins, meta)`` records in one batch:
        ``BatchWriteResult``.

        Await the returned future (see :meth:`Client.batch_write`)."""
    def batch_write_numpy(
        self,
        data: Any,
        namespace: str,
        set_name: str,
        _dtype: Any,
        key_field: str = "_key",
        policy: _Policy = None,
        retry: int = 0,
    ) -> asyncio.Future[BatchWriteResult]:
        """Writes one record per row of a NumPy structured array; the ``key_field`` column is the
        user key.

        Await the returned future (see :meth:`Client.batch_write_numpy`)."""
    def batch_operate(
        self,
        keys: _Keys,
        ops: _Ops,
        policy: _Policy = None,
    ) -> asyncio.Future[BatchWriteResult]:
        """Runs the same operations on every key: ``BatchWriteResult``.

        Await the returned future (see :meth:`Client.batch_operate`)."""
    def batch_remove(
        self,
        keys: Sequence[Any] | BatchKeys,
        policy: _Policy = None,
    ) -> asyncio.Future[BatchWriteResult]:
        """Deletes many records: ``BatchWriteResult``. A key may be ``(key, {"gen": n})`` for a
        generation check.

        Await the returned future (see :meth:`Client.batch_remove`)."""
    def batch(self, records: Any, policy: _Policy = None) -> asyncio.Future[BatchWriteResult]:
        """Runs ``Read``/``Write``/``Remove`` rows (:mod:`aerospike_py.batch`) in one batch:
        ``BatchWriteResult`` with one ``BatchRecord`` per row, in order.

        Await the returned future (see :meth:`Client.batch`)."""

    # --- scans and queries (use client.query(); aerospike_py.query) ---
    def _query(
        self,
        namespace: str,
        set_name: str | None,
        bins: Sequence[str] | None = None,
        where: tuple[Any, ...] | None = None,
        policy: _Policy = None,
        partitions: Sequence[tuple[int, bool, bool, bytes | None, int | None]] | None = None,
        ops: _Ops | None = None,
        background: bool = False,
        task_id: int | None = None,
        udf: tuple[str, str, bytes] | None = None,
        stream_type: type[QueryStream] | None = None,
        write_policy: _Policy = None,
    ) -> Any:
        """Starts a scan/query: a ``QueryStream`` (of ``stream_type``), or for a background
        query ``(task_id, None)`` (sync) / ``(task_id, future)`` (async)."""
    # -- the admin API (users and roles; needs user-admin except for one's own
    # password and user info) --
    def admin_create_user(
        self, username: str, password: str, roles: Sequence[str], policy: _Policy = None
    ) -> asyncio.Future[None]:
        """Creates a user with a password and roles.

        Await the returned future."""
    def admin_drop_user(self, username: str, policy: _Policy = None) -> asyncio.Future[None]:
        """Drops a user (its sessions end).

        Await the returned future."""
    def admin_change_password(
        self, username: str, password: str, policy: _Policy = None
    ) -> asyncio.Future[None]:
        """Changes the client's own password (later logins use it), or with user-admin
        sets another user's.

        Await the returned future."""
    def admin_grant_roles(
        self, username: str, roles: Sequence[str], policy: _Policy = None
    ) -> asyncio.Future[None]:
        """Adds roles to a user.

        Await the returned future."""
    def admin_revoke_roles(
        self, username: str, roles: Sequence[str], policy: _Policy = None
    ) -> asyncio.Future[None]:
        """Removes roles from a user.

        Await the returned future."""
    def admin_query_user_info(self, username: str, policy: _Policy = None) -> asyncio.Future[dict[str, Any]]:
        """One user: ``{"user", "roles", "conns_in_use"}`` (plus ``read_info`` /
        ``write_info`` when the server reports usage).

        Await the returned future."""
    def admin_query_users_info(self, policy: _Policy = None) -> asyncio.Future[list[dict[str, Any]]]:
        """Every user, as :meth:`admin_query_user_info` describes one.

        Await the returned future."""
    def admin_create_role(
        self,
        role: str,
        privileges: Sequence[Mapping[str, Any]],
        policy: _Policy = None,
        whitelist: Sequence[str] | None = None,
        read_quota: int = 0,
        write_quota: int = 0,
    ) -> asyncio.Future[None]:
        """Creates a role: privileges ``{"code": PRIV_* or a name, "ns": ..., "set": ...}``,
        optional client address whitelist and records-per-second quotas.

        Await the returned future."""
    def admin_drop_role(self, role: str, policy: _Policy = None) -> asyncio.Future[None]:
        """Drops a role (users lose it).

        Await the returned future."""
    def admin_grant_privileges(
        self, role: str, privileges: Sequence[Mapping[str, Any]], policy: _Policy = None
    ) -> asyncio.Future[None]:
        """Adds privileges to a role.

        Await the returned future."""
    def admin_revoke_privileges(
        self, role: str, privileges: Sequence[Mapping[str, Any]], policy: _Policy = None
    ) -> asyncio.Future[None]:
        """Removes privileges from a role.

        Await the returned future."""
    def admin_query_role(self, role: str, policy: _Policy = None) -> asyncio.Future[dict[str, Any]]:
        """One role: ``{"name", "privileges", "allowlist", "read_quota", "write_quota"}``.

        Await the returned future."""
    def admin_query_roles(self, policy: _Policy = None) -> asyncio.Future[list[dict[str, Any]]]:
        """Every role (the predefined ones too).

        Await the returned future."""
    def admin_set_whitelist(
        self, role: str, whitelist: Sequence[str] | None, policy: _Policy = None
    ) -> asyncio.Future[None]:
        """Sets the addresses (``"10.0.0.1"``, ``"10.0.0.0/8"``) a role's users may connect
        from; ``[]`` or ``None`` clears it.

        Await the returned future."""
    def admin_set_quotas(
        self, role: str, read_quota: int = 0, write_quota: int = 0, policy: _Policy = None
    ) -> asyncio.Future[None]:
        """Sets a role's read/write quotas in records per second (0: none).

        Await the returned future."""


class QueryStream:
    """A running scan/query: iterate it (``for`` / ``async for``) for ``Record``s as the
    server sends them. See :class:`aerospike_py.query.QueryStream`."""

    @property
    def records(self) -> int:
        """Records handed to the consumer so far."""
    @property
    def ended(self) -> bool:
        """True once the consumer saw the end."""
    @property
    def task_id(self) -> int:
        """The query's task id (query-show / query-abort on the servers)."""
    @property
    def pauses(self) -> int:
        """How many times the query stopped reading because the consumer fell behind."""
    @property
    def buffered_bytes(self) -> int:
        """Bytes of received records queued for the consumer."""
    def __iter__(self) -> QueryStream: ...
    def __next__(self) -> Record: ...
    def __aiter__(self) -> QueryStream: ...
    def __anext__(self) -> Any: ...
    def close(self) -> None:
        """Stops the query if it still runs and waits until it ended."""
    def aclose(self) -> Any:
        """Awaitable ``close()``."""
    def partitions(self) -> list[tuple[int, bool, bool, bytes | None, int | None]] | None:
        """The cursor of an ended stream: ``[(pid, started, done, digest, bval)]``."""
    def _arrow_take(self, schema: Any, max_rows: int, block: bool) -> Any:
        """The next ``pyarrow.RecordBatch`` of up to ``max_rows`` records, ``None`` at the
        end, or (``block=False``, nothing at hand) a future to await first. Use
        :meth:`aerospike_py.query.QueryStream.arrow_batches`."""

def debug_counters() -> dict[str, int]:
    """Live object counts of the core and the bridge, for leak checks.

    ``live_commands``, ``queued_commands``, ``open_connections``, ``live_clients``,
    ``futures_held``, ``mailboxes_alive``, ``sync_waiting`` (live objects) and the
    totals ``commands_retried``, ``connections_opened``, ``unclean_loop_exits``;
    ``active_nodes``: cluster nodes of all clients (a gauge); ``live_arrow_batches``: Arrow
    results (``batch_read(_arrow=...)``, ``QueryStream.arrow_batches()``) pyarrow has not
    released yet.
    """

def serving_stats(reset: bool = False, /) -> dict[str, Any]:
    """Cumulative counters of coalesced gets and hedged reads (docs/serving.md).

    ``coalesced_batches``, ``coalesced_calls``, ``coalesced_max_calls``,
    ``coalesced_batches_by_calls`` (a dict: "2", "3-4", ... "257+"),
    ``hedged_reads``, ``hedge_wins``, ``hedge_losers_cancelled``,
    ``hedged_batch_requests``, ``hedge_batch_rows``. ``reset`` zeroes them
    after reading.
    """

def stage_stats(reset: bool = False) -> dict[str, dict[str, int]]:
    """Per-operation stage timers: calls, completed and nanoseconds per stage.

    Stages: ``parse_ns`` (reading arguments), ``submit_ns``, ``queue_ns``
    (waiting for the event thread), ``io_ns`` (on the event thread),
    ``wake_ns`` (until the caller ran again), ``convert_ns`` (building
    results); ``gil_held_ns`` = parse + submit + convert.
    """

def set_stage_timing(enabled: bool) -> None:
    """Turns the stage timers on or off (on by default)."""

# The operation histograms (csrc/client/operation_metrics.h), read by
# aerospike_py._observability on a scrape.
def _operation_metrics() -> list[tuple[str, str, str, int, tuple[int, ...], int, int]]:
    """(op, namespace, set, result_code, bucket_counts, count, sum_ns) per series; bucket
    counts are per bucket (not cumulative), the last one above the last bound."""

def _operation_metric_bounds() -> tuple[float, ...]:
    """The histogram buckets' upper bounds in seconds."""

def _set_operation_metrics(enabled: bool) -> None:
    """Turns the operation histograms on or off."""

def _operation_metrics_enabled() -> bool:
    """Whether the operation histograms are on."""

def _set_trace_node_hook(hook: Callable[[Any, str], object] | None, /) -> None:
    """Tracing: hook(future, node) after each command (future None for a sync call)."""

def _set_log_level(level: int) -> None:
    """Queue core log records up to ``level`` (0 error .. 3 debug; -1 none)."""

def _log_level() -> int:
    """The level set by :func:`_set_log_level`."""

def _drain_logs() -> list[tuple[int, str, float]]:
    """Queued core log records as ``(level, message, unix_time)``, without waiting."""

def _wait_logs(timeout_ms: int, /) -> list[tuple[int, str, float]]:
    """Like :func:`_drain_logs`, after waiting (GIL released) for a first record."""

def _stop_log_wait(stopped: bool, /) -> None:
    """While ``stopped`` is true, :func:`_wait_logs` returns at once."""

def _log_fork_lock() -> None:
    """Fork hook (before): no log drain may run across ``fork()``."""

def _log_fork_unlock() -> None:
    """Fork hook (after, in parent and child): undoes :func:`_log_fork_lock`."""

def _dropped_logs() -> int:
    """Core log records dropped because the queue was full."""

def _after_fork_child() -> None:
    """Fork hook (child): the parent's clients and loop bridges become unusable."""

def _encode_value(value: Any) -> tuple[int, bytes]:
    """A bin value as written: ``(particle_type, bytes)`` (for tests)."""

def _decode_value(particle_type: int, data: bytes) -> Any:
    """A bin value as read back from ``(particle_type, bytes)`` (for tests)."""

def _parse_key(key: Any) -> tuple[str, str, int, bytes, bytes]:
    """A key as the bridge reads it: ``(ns, set, key_type, key_bytes, digest)`` (the
    digest behind :func:`aerospike_py.calc_digest`; tests use the rest)."""

def _check_policy(kind: str, value: Any) -> None:
    """Validates a policy, meta or config dict of ``kind``; raises ``ParamError`` (for tests)."""

def _encode_ops(ops: Sequence[Mapping[str, Any]]) -> tuple[bytes, int, bool, bool, bytes]:
    """``operate()`` ops as sent: ``(op bytes, n_ops, has_read, has_write, result shapes)`` (for tests)."""

# Expressions (csrc/python/expressions.cc).
def _exp_pack_value(value: Any, /) -> bytes:
    """One value packed as a CDT argument (aerospike_py.exp's literals, ctx values)."""

def _exp_wire(expression: Any, /) -> bytes:
    """The bytes a policy's ``filter_expression`` sends for ``expression`` (for tests)."""

def _expression_stats(reset: bool = False, /) -> dict[str, int]:
    """Expressions taken compiled (``reused``) versus encoded during calls (``encoded``,
    ``encode_ns``)."""

# --- aggregation (csrc/python/aggregation_object.cc) ---

class Aggregation:
    """The client's half of an aggregation (``query.apply`` + ``results``):
    the Lua reduce runs on a worker thread of the core."""

    def __init__(
        self,
        module: str,
        function: str,
        args: list[Any],
        sources: dict[str, str],
        timeout_ms: int = 0,
        queue_limit: int = 1024,
    ) -> None: ...
    def push(self, value: Any, block: bool = True) -> tuple[bool, list[Any]]:
        """One value a node sent: (queued, results produced meanwhile). Waits
        (GIL released) while ``queue_limit`` values wait for the reduce;
        without ``block`` returns queued False instead (push it again after
        :meth:`wait_room`)."""
    def wait_room(self) -> None:
        """Waits (GIL released) until :meth:`push` would not."""
    def take(self) -> list[Any]:
        """The results produced so far, waiting (GIL released) for one;
        ``[]`` once the aggregation ended (``UDFError`` on a Lua error)."""
    def end(self) -> None:
        """The input ended."""
    def finish(self) -> list[Any]:
        """The input ended: waits (GIL released) for every remaining result."""
    def close(self) -> None:
        """Abandons the aggregation."""
