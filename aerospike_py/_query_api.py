"""The client methods of scans, queries, secondary indexes and background jobs.

Mixed into :class:`aerospike_py.Client` (``QueryClientMethods``) and
:class:`aerospike_py.AsyncClient` (``AsyncQueryClientMethods``). Index and job
management are info commands (``sindex-create``, ``sindex-delete``,
``sindex-stat``, ``query-show``) answered by the servers; an answer
``ERROR:<code>:<message>`` raises the exception of that result code (200
IndexFoundError, 201 IndexNotFound, 4 ParamError, ...).

Index creation waits until every node has built the index over the existing
records (``load_pct=100``), as the official client does, so a query right
after it sees every record; ``policy={"wait": False}`` returns at once.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Mapping, Sequence
from typing import Any

from aerospike_py.exception import AerospikeTimeoutError, ClientError, InvalidArgError, exception_for_code
from aerospike_py.predicates import encode_ctx
from aerospike_py.query import AsyncQuery, Query

__all__ = ["AsyncQueryClientMethods", "QueryClientMethods"]

# aerospike-py's index data types (INDEX_NUMERIC...) by their server names.
_DATATYPES = {0: "NUMERIC", 1: "STRING", 2: "BLOB", 3: "GEO2DSPHERE"}
_INDEX_TYPES = {0: None, 1: "LIST", 2: "MAPKEYS", 3: "MAPVALUES"}
_ADMIN_KEYS = frozenset({"timeout", "wait", "wait_timeout"})
_POLL_S = 0.05


def _admin(policy: Mapping[str, Any] | None) -> tuple[dict[str, Any] | None, bool, float]:
    """(info policy, wait for the index, how long at most) of an admin policy."""
    if policy is None:
        return None, True, 120.0
    if not isinstance(policy, Mapping):
        raise InvalidArgError(f"policy must be a dict, not {type(policy).__name__}", code=-2)
    unknown = set(policy) - _ADMIN_KEYS
    if unknown:
        raise InvalidArgError(f"admin policy: unknown keys {sorted(unknown)}", code=-2)
    info = {"timeout": policy["timeout"]} if "timeout" in policy else None
    wait = bool(policy.get("wait", True))
    wait_timeout = float(policy.get("wait_timeout", 120_000)) / 1000.0
    return info, wait, wait_timeout


def _check_answer(answer: str, what: str) -> str:
    """Raises the error of an ``ERROR:<code>:<msg>`` / ``FAIL:...`` answer."""
    for prefix in ("ERROR:", "FAIL:"):
        if answer.startswith(prefix):
            rest = answer[len(prefix):]
            code_text, _, message = rest.partition(":")
            try:
                code = int(code_text)
            except ValueError:
                code, message = 1, rest
            raise exception_for_code(code)(f"{what}: {message.strip() or answer}", code=code)
    return answer


def _name(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidArgError(f"{what} must be a non-empty str, not {value!r}", code=-2)
    if len(value.encode()) > limit or any(c in value for c in ";:=\n\t"):
        raise InvalidArgError(f"{what} {value!r} is too long or holds ; : = or a newline",
                              code=-2)
    return value


def _create_command(
    ns: str,
    set_name: str | None,
    name: str,
    datatype: int,
    *,
    bin_name: str | None = None,
    index_type: int = 0,
    ctx: Any = None,
    expression: Any = None,
) -> str:
    """The ``sindex-create`` info command (the server's 8.x format)."""
    _name(ns, "namespace", 31)
    _name(name, "index name", 63)
    if datatype not in _DATATYPES:
        raise InvalidArgError(
            f"index datatype must be INDEX_NUMERIC, INDEX_STRING, INDEX_BLOB or "
            f"INDEX_GEO2DSPHERE, not {datatype!r}",
            code=-2,
        )
    if type(index_type) is not int or index_type not in _INDEX_TYPES:
        raise InvalidArgError(f"index type must be an INDEX_TYPE_* value, not {index_type!r}",
                              code=-2)
    parts = [f"namespace={ns}"]
    if set_name:
        parts.append(f"set={_name(set_name, 'set name', 63)}")
    parts.append(f"indexname={name}")
    ctx_bytes = encode_ctx(ctx)
    if ctx_bytes is not None:
        parts.append("context=" + base64.b64encode(ctx_bytes).decode())
    if expression is not None:
        if not isinstance(expression, (bytes, bytearray, memoryview)) or not bytes(expression):
            raise InvalidArgError("an index expression must be compiled expression bytes",
                                  code=-2)
        parts.append("exp=" + base64.b64encode(bytes(expression)).decode())
    kind = _INDEX_TYPES[index_type]
    if kind is not None:
        parts.append(f"indextype={kind}")
    if bin_name is not None:
        parts.append(f"bin={_name(bin_name, 'bin name', 15)}")
    parts.append(f"type={_DATATYPES[datatype]}")
    return "sindex-create:" + ";".join(parts)


def _set_index_command(ns: str, set_name: str, name: str) -> str:
    """The ``sindex-create`` of a set index (server 8.1), as the official
    client sends it."""
    _name(ns, "namespace", 31)
    _name(name, "index name", 63)
    if set_name is None:
        raise InvalidArgError("a set index needs a set name, not None", code=-2)
    _name(set_name, "set name", 63)
    return f"sindex-create:namespace={ns};set={set_name};indexname={name};indextype=SET"


def _stat_values(answer: str) -> dict[str, str]:
    out = {}
    for part in answer.strip().strip(";").split(";"):
        k, eq, v = part.partition("=")
        if eq:
            out[k] = v
    return out


def _job_info(answers: Sequence[Any], job_id: int) -> dict[str, int]:
    """The official client's job_info() dict from each node's ``query-show``."""
    status = 0
    progress: list[float] = []
    records = 0
    seen = 0
    for a in answers:
        if a.error_code != 0:
            continue
        text = a.response.strip()
        if not text or text.startswith(("ERROR", "FAIL")):
            continue  # this node does not know the job (yet / any more)
        seen += 1
        values = {}
        for part in text.split(":"):
            k, eq, v = part.partition("=")
            if eq:
                values[k] = v
        st = values.get("status", "")
        if st.startswith("active"):
            status = 1
        elif st.startswith("done") and status == 0:
            status = 2
        try:
            progress.append(float(values.get("job-progress", "0")))
        except ValueError:
            pass
        for key in ("recs-succeeded", "recs-read"):
            if key in values:
                try:
                    records += int(values[key])
                except ValueError:
                    pass
                break
    if seen and status == 0:
        status = 2
    pct = int(sum(progress) / len(progress)) if progress else 0
    return {"status": status, "progress_pct": pct, "records_read": records}


def _check_options(options: Any) -> None:
    if options is not None and not isinstance(options, Mapping):
        raise InvalidArgError(f"options must be a dict, not {type(options).__name__}", code=-2)


def _require_connected(client: Any) -> None:
    """aerospike-py refuses to make a query on a client that is not
    connected; so do we, with the error every other call gives then."""
    if not client.is_connected():
        raise ClientError("client is not connected; call connect() first")


class QueryClientMethods:
    """Scan/query factories, index management and job info (blocking client)."""

    def query(self, namespace: str, set_name: str | None = None) -> Query:
        """A :class:`~aerospike_py.query.Query` of a set (or the whole namespace).
        Raises ClientError when the client is not connected, as aerospike-py."""
        _require_connected(self)
        return Query(self, namespace, set_name)

    def scan(self, namespace: str, set_name: str | None = None) -> Query:
        """The official client's name for a query without a predicate."""
        _require_connected(self)
        return Query(self, namespace, set_name)

    def query_apply(self, ns: str, set: str | None, predicate: Any, module: str, function: str,
                    args: Sequence[Any] | None = None,
                    policy: Mapping[str, Any] | None = None) -> int:
        """The official client's background UDF over a query: runs
        ``module.function(record, *args)`` on every record ``predicate`` (an
        ``aerospike_py.predicates`` tuple, or None for all) matches, on the
        servers; returns the job id for :meth:`job_info` once every node
        accepted the job."""
        q = self.query(ns, set)
        if predicate is not None:
            q.where(predicate)
        return q.apply(module, function, args).execute_background(policy)

    def scan_apply(self, ns: str, set: str | None, module: str, function: str,
                   args: Sequence[Any] | None = None, policy: Mapping[str, Any] | None = None,
                   options: Mapping[str, Any] | None = None) -> int:
        """The official client's background UDF over a whole set (a query
        without a predicate); ``options`` (the official client's deprecated
        scan options) must be a dict and changes nothing. Returns the job id."""
        _check_options(options)
        return self.query_apply(ns, set, None, module, function, args, policy)

    # -- indexes --

    def _sindex_create(self, command: str, ns: str, name: str,
                       policy: Mapping[str, Any] | None) -> None:
        info, wait, wait_timeout = _admin(policy)
        answer = self.info_random_node(command, info)  # type: ignore[attr-defined]
        _check_answer(answer, "sindex-create")
        if wait:
            self.index_wait(ns, name, wait_timeout)

    def index_integer_create(self, namespace: str, set_name: str | None, bin_name: str,
                             index_name: str, policy: Mapping[str, Any] | None = None) -> None:
        """A numeric index on ``bin_name`` (IndexFoundError if the name exists)."""
        self._sindex_create(_create_command(namespace, set_name, index_name, 0, bin_name=bin_name),
                            namespace, index_name, policy)

    def index_string_create(self, namespace: str, set_name: str | None, bin_name: str,
                            index_name: str, policy: Mapping[str, Any] | None = None) -> None:
        """A string index on ``bin_name``."""
        self._sindex_create(_create_command(namespace, set_name, index_name, 1, bin_name=bin_name),
                            namespace, index_name, policy)

    def index_blob_create(self, namespace: str, set_name: str | None, bin_name: str,
                          index_name: str, policy: Mapping[str, Any] | None = None) -> None:
        """A blob (bytes) index on ``bin_name``."""
        self._sindex_create(_create_command(namespace, set_name, index_name, 2, bin_name=bin_name),
                            namespace, index_name, policy)

    def index_geo2dsphere_create(self, namespace: str, set_name: str | None, bin_name: str,
                                 index_name: str,
                                 policy: Mapping[str, Any] | None = None) -> None:
        """A geospatial index on the GeoJSON bin ``bin_name``."""
        self._sindex_create(_create_command(namespace, set_name, index_name, 3, bin_name=bin_name),
                            namespace, index_name, policy)

    def index_single_value_create(self, ns: str, set: str | None, bin: str, index_datatype: int,
                                  name: str, policy: Mapping[str, Any] | None = None,
                                  ctx: Any = None) -> None:
        """An index on a scalar bin (or the element ``ctx`` points at)."""
        self._sindex_create(_create_command(ns, set, name, index_datatype, bin_name=bin, ctx=ctx),
                            ns, name, policy)

    def index_list_create(self, ns: str, set: str | None, bin: str, index_datatype: int,
                          name: str, policy: Mapping[str, Any] | None = None,
                          ctx: Any = None) -> None:
        """An index on every element of a list bin."""
        self._sindex_create(_create_command(ns, set, name, index_datatype, bin_name=bin,
                                            index_type=1, ctx=ctx), ns, name, policy)

    def index_map_keys_create(self, ns: str, set: str | None, bin: str, index_datatype: int,
                              name: str, policy: Mapping[str, Any] | None = None,
                              ctx: Any = None) -> None:
        """An index on the keys of a map bin."""
        self._sindex_create(_create_command(ns, set, name, index_datatype, bin_name=bin,
                                            index_type=2, ctx=ctx), ns, name, policy)

    def index_map_values_create(self, ns: str, set: str | None, bin: str, index_datatype: int,
                                name: str, policy: Mapping[str, Any] | None = None,
                                ctx: Any = None) -> None:
        """An index on the values of a map bin."""
        self._sindex_create(_create_command(ns, set, name, index_datatype, bin_name=bin,
                                            index_type=3, ctx=ctx), ns, name, policy)

    def index_cdt_create(self, ns: str, set: str | None, bin: str, index_type: int,
                         index_datatype: int, name: str, ctx: Any,
                         policy: Mapping[str, Any] | None = None) -> None:
        """An index on the element of ``bin`` that ``ctx`` points at."""
        self._sindex_create(_create_command(ns, set, name, index_datatype, bin_name=bin,
                                            index_type=index_type, ctx=ctx), ns, name, policy)

    def index_expr_create(self, ns: str, set: str | None, index_type: int, index_datatype: int,
                          expressions: Any, name: str,
                          policy: Mapping[str, Any] | None = None) -> None:
        """An index on the value of an expression (compiled bytes; server 8.1+)."""
        self._sindex_create(_create_command(ns, set, name, index_datatype, index_type=index_type,
                                            expression=expressions), ns, name, policy)

    def index_set_create(self, ns: str, set: str, name: str,
                         policy: Mapping[str, Any] | None = None) -> None:
        """A set index (server 8.1): the server keeps the set's records apart
        so a scan of the set reads only them. One per set: another name for
        the same set renames it; IndexFoundError if ``name`` is taken."""
        self._sindex_create(_set_index_command(ns, set, name), ns, name, policy)

    def index_remove(self, namespace: str, index_name: str,
                     policy: Mapping[str, Any] | None = None) -> None:
        """Drop an index (IndexNotFound if there is none of that name)."""
        info, _, _ = _admin(policy)
        command = (f"sindex-delete:namespace={_name(namespace, 'namespace', 31)};"
                   f"indexname={_name(index_name, 'index name', 63)}")
        _check_answer(self.info_random_node(command, info), "sindex-delete")  # type: ignore[attr-defined]

    def index_info(self, namespace: str, index_name: str) -> dict[str, str]:
        """The index's statistics on one node (``sindex-stat``: entries,
        load_pct, ...); IndexNotFound if it does not exist."""
        command = (f"sindex-stat:namespace={_name(namespace, 'namespace', 31)};"
                   f"indexname={_name(index_name, 'index name', 63)}")
        answer = _check_answer(self.info_random_node(command), "sindex-stat")  # type: ignore[attr-defined]
        return _stat_values(answer)

    def index_wait(self, namespace: str, index_name: str, timeout: float = 120.0) -> None:
        """Wait until every node built the index (``load_pct=100``)."""
        command = (f"sindex-stat:namespace={_name(namespace, 'namespace', 31)};"
                   f"indexname={_name(index_name, 'index name', 63)}")
        deadline = time.monotonic() + timeout
        while True:
            answers = self.info_all(command)  # type: ignore[attr-defined]
            if _all_loaded(answers):
                return
            if time.monotonic() >= deadline:
                raise AerospikeTimeoutError(f"index {index_name} not built within {timeout} s",
                                            code=9)
            time.sleep(_POLL_S)

    # -- background jobs --

    def job_info(self, job_id: int, module: str = "query",
                 policy: Mapping[str, Any] | None = None) -> dict[str, int]:
        """``{"status": JOB_STATUS_*, "progress_pct": int, "records_read": int}``
        of a background job, from every node's ``query-show``."""
        _check_module(module)
        return _job_info(self.info_all(f"query-show:trid={int(job_id)}", policy), job_id)  # type: ignore[attr-defined]

    def wait_for_job(self, job_id: int, module: str = "query", timeout: float = 120.0) -> None:
        """Wait until the background job finished on every node."""
        deadline = time.monotonic() + timeout
        while self.job_info(job_id, module)["status"] != 2:
            if time.monotonic() >= deadline:
                raise AerospikeTimeoutError(f"job {job_id} not done within {timeout} s", code=9)
            time.sleep(_POLL_S)


class AsyncQueryClientMethods:
    """Scan/query factories, index management and job info (asyncio client)."""

    def query(self, namespace: str, set_name: str | None = None) -> AsyncQuery:
        """An :class:`~aerospike_py.query.AsyncQuery` of a set (or the namespace).
        Raises ClientError when the client is not connected, as aerospike-py."""
        _require_connected(self)
        return AsyncQuery(self, namespace, set_name)

    def scan(self, namespace: str, set_name: str | None = None) -> AsyncQuery:
        """The official client's name for a query without a predicate."""
        _require_connected(self)
        return AsyncQuery(self, namespace, set_name)

    async def query_apply(self, ns: str, set: str | None, predicate: Any, module: str,
                          function: str, args: Sequence[Any] | None = None,
                          policy: Mapping[str, Any] | None = None) -> int:
        """The asyncio form of :meth:`Client.query_apply`."""
        q = self.query(ns, set)
        if predicate is not None:
            q.where(predicate)
        return await q.apply(module, function, args).execute_background(policy)

    async def scan_apply(self, ns: str, set: str | None, module: str, function: str,
                         args: Sequence[Any] | None = None,
                         policy: Mapping[str, Any] | None = None,
                         options: Mapping[str, Any] | None = None) -> int:
        """The asyncio form of :meth:`Client.scan_apply`."""
        _check_options(options)
        return await self.query_apply(ns, set, None, module, function, args, policy)

    async def _sindex_create(self, command: str, ns: str, name: str,
                             policy: Mapping[str, Any] | None) -> None:
        info, wait, wait_timeout = _admin(policy)
        answer = await self.info_random_node(command, info)  # type: ignore[attr-defined]
        _check_answer(answer, "sindex-create")
        if wait:
            await self.index_wait(ns, name, wait_timeout)

    async def index_integer_create(self, namespace: str, set_name: str | None, bin_name: str,
                                   index_name: str,
                                   policy: Mapping[str, Any] | None = None) -> None:
        """A numeric index on ``bin_name``."""
        await self._sindex_create(
            _create_command(namespace, set_name, index_name, 0, bin_name=bin_name),
            namespace, index_name, policy)

    async def index_string_create(self, namespace: str, set_name: str | None, bin_name: str,
                                  index_name: str,
                                  policy: Mapping[str, Any] | None = None) -> None:
        """A string index on ``bin_name``."""
        await self._sindex_create(
            _create_command(namespace, set_name, index_name, 1, bin_name=bin_name),
            namespace, index_name, policy)

    async def index_blob_create(self, namespace: str, set_name: str | None, bin_name: str,
                                index_name: str,
                                policy: Mapping[str, Any] | None = None) -> None:
        """A blob (bytes) index on ``bin_name``."""
        await self._sindex_create(
            _create_command(namespace, set_name, index_name, 2, bin_name=bin_name),
            namespace, index_name, policy)

    async def index_geo2dsphere_create(self, namespace: str, set_name: str | None,
                                       bin_name: str, index_name: str,
                                       policy: Mapping[str, Any] | None = None) -> None:
        """A geospatial index on the GeoJSON bin ``bin_name``."""
        await self._sindex_create(
            _create_command(namespace, set_name, index_name, 3, bin_name=bin_name),
            namespace, index_name, policy)

    async def index_single_value_create(self, ns: str, set: str | None, bin: str,
                                        index_datatype: int, name: str,
                                        policy: Mapping[str, Any] | None = None,
                                        ctx: Any = None) -> None:
        """An index on a scalar bin (or the element ``ctx`` points at)."""
        await self._sindex_create(
            _create_command(ns, set, name, index_datatype, bin_name=bin, ctx=ctx), ns, name,
            policy)

    async def index_list_create(self, ns: str, set: str | None, bin: str, index_datatype: int,
                                name: str, policy: Mapping[str, Any] | None = None,
                                ctx: Any = None) -> None:
        """An index on every element of a list bin."""
        await self._sindex_create(
            _create_command(ns, set, name, index_datatype, bin_name=bin, index_type=1, ctx=ctx),
            ns, name, policy)

    async def index_map_keys_create(self, ns: str, set: str | None, bin: str,
                                    index_datatype: int, name: str,
                                    policy: Mapping[str, Any] | None = None,
                                    ctx: Any = None) -> None:
        """An index on the keys of a map bin."""
        await self._sindex_create(
            _create_command(ns, set, name, index_datatype, bin_name=bin, index_type=2, ctx=ctx),
            ns, name, policy)

    async def index_map_values_create(self, ns: str, set: str | None, bin: str,
                                      index_datatype: int, name: str,
                                      policy: Mapping[str, Any] | None = None,
                                      ctx: Any = None) -> None:
        """An index on the values of a map bin."""
        await self._sindex_create(
            _create_command(ns, set, name, index_datatype, bin_name=bin, index_type=3, ctx=ctx),
            ns, name, policy)

    async def index_cdt_create(self, ns: str, set: str | None, bin: str, index_type: int,
                               index_datatype: int, name: str, ctx: Any,
                               policy: Mapping[str, Any] | None = None) -> None:
        """An index on the element of ``bin`` that ``ctx`` points at."""
        await self._sindex_create(
            _create_command(ns, set, name, index_datatype, bin_name=bin, index_type=index_type,
                            ctx=ctx), ns, name, policy)

    async def index_expr_create(self, ns: str, set: str | None, index_type: int,
                                index_datatype: int, expressions: Any, name: str,
                                policy: Mapping[str, Any] | None = None) -> None:
        """An index on the value of an expression (compiled bytes; server 8.1+)."""
        await self._sindex_create(
            _create_command(ns, set, name, index_datatype, index_type=index_type,
                            expression=expressions), ns, name, policy)

    async def index_set_create(self, ns: str, set: str, name: str,
                               policy: Mapping[str, Any] | None = None) -> None:
        """A set index (server 8.1); see :meth:`Client.index_set_create`."""
        await self._sindex_create(_set_index_command(ns, set, name), ns, name, policy)

    async def index_remove(self, namespace: str, index_name: str,
                           policy: Mapping[str, Any] | None = None) -> None:
        """Drop an index (IndexNotFound if there is none of that name)."""
        info, _, _ = _admin(policy)
        command = (f"sindex-delete:namespace={_name(namespace, 'namespace', 31)};"
                   f"indexname={_name(index_name, 'index name', 63)}")
        _check_answer(await self.info_random_node(command, info), "sindex-delete")  # type: ignore[attr-defined]

    async def index_info(self, namespace: str, index_name: str) -> dict[str, str]:
        """The index's statistics on one node (``sindex-stat``)."""
        command = (f"sindex-stat:namespace={_name(namespace, 'namespace', 31)};"
                   f"indexname={_name(index_name, 'index name', 63)}")
        answer = _check_answer(await self.info_random_node(command), "sindex-stat")  # type: ignore[attr-defined]
        return _stat_values(answer)

    async def index_wait(self, namespace: str, index_name: str, timeout: float = 120.0) -> None:
        """Wait until every node built the index (``load_pct=100``)."""
        command = (f"sindex-stat:namespace={_name(namespace, 'namespace', 31)};"
                   f"indexname={_name(index_name, 'index name', 63)}")
        deadline = time.monotonic() + timeout
        while True:
            if _all_loaded(await self.info_all(command)):  # type: ignore[attr-defined]
                return
            if time.monotonic() >= deadline:
                raise AerospikeTimeoutError(f"index {index_name} not built within {timeout} s",
                                            code=9)
            await asyncio.sleep(_POLL_S)

    async def job_info(self, job_id: int, module: str = "query",
                       policy: Mapping[str, Any] | None = None) -> dict[str, int]:
        """``{"status": JOB_STATUS_*, "progress_pct": int, "records_read": int}``."""
        _check_module(module)
        answers = await self.info_all(f"query-show:trid={int(job_id)}", policy)  # type: ignore[attr-defined]
        return _job_info(answers, job_id)

    async def wait_for_job(self, job_id: int, module: str = "query",
                           timeout: float = 120.0) -> None:
        """Wait until the background job finished on every node."""
        deadline = time.monotonic() + timeout
        while (await self.job_info(job_id, module))["status"] != 2:
            if time.monotonic() >= deadline:
                raise AerospikeTimeoutError(f"job {job_id} not done within {timeout} s", code=9)
            await asyncio.sleep(_POLL_S)


def _check_module(module: str) -> None:
    if module not in ("query", "scan"):
        raise InvalidArgError(f"module must be JOB_QUERY or JOB_SCAN, not {module!r}", code=-2)


def _all_loaded(answers: Sequence[Any]) -> bool:
    """True when every node answered its index stats with load_pct=100.

    A node without the index yet (the create travels by system metadata)
    answers 201 and counts as not loaded; a node that failed to answer too.
    """
    if not answers:
        return False
    for a in answers:
        if a.error_code != 0:
            return False
        text = a.response
        if text.startswith(("ERROR", "FAIL")):
            return False
        if _stat_values(text).get("load_pct") != "100":
            return False
    return True
