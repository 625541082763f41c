"""UDF module registration: ``udf_put``, ``udf_remove``, ``udf_list`` and
``udf_get`` for :class:`aerospike_py.Client` and :class:`aerospike_py.AsyncClient`.

Registration is a handful of info commands (``udf-put``, ``udf-remove``,
``udf-list``, ``udf-get``), so it lives here on top of the native
``info_random_node`` / ``info_all`` rather than in C++. As the official
clients do, ``udf_put`` and ``udf_remove`` return once every node lists the
change (the server distributes modules cluster-wide through SMD); the wait
is bounded by the policy's ``timeout`` (ms, default 1000) and then raises
``AerospikeTimeoutError``.

``apply`` and ``batch_apply`` are native (csrc/python/client_udf.cc).
"""

from __future__ import annotations

import asyncio
import base64
import os
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aerospike_py import exception
from aerospike_py.constants import UDF_TYPE_LUA

if TYPE_CHECKING:  # pragma: no cover
    from aerospike_py import _core

__all__ = ["AsyncUdfMixin", "UdfMixin"]

_POLL_S = 0.01


def _module_file(module: str) -> str:
    """The registered file name of ``module`` (``x`` and ``x.lua`` both name ``x.lua``)."""
    if not isinstance(module, str) or not module:
        raise exception.ParamError("module must be a non-empty str")
    return module if module.endswith(".lua") else f"{module}.lua"


def _timeout_s(policy: Mapping[str, Any] | None) -> float:
    if policy is None:
        return 1.0
    if not isinstance(policy, Mapping):
        raise exception.ParamError(f"policy must be a dict, not {type(policy).__name__}")
    ms = policy.get("timeout", 1000)
    if not isinstance(ms, int) or isinstance(ms, bool) or ms < 0:
        raise exception.ParamError("policy timeout must be a non-negative int (ms)")
    return (ms or 1000) / 1000.0


def _put_request(filename: str, udf_type: int) -> str:
    """The ``udf-put`` info line for the Lua file at ``filename``."""
    if udf_type != UDF_TYPE_LUA:
        raise exception.ParamError(f"udf_type must be UDF_TYPE_LUA (0), not {udf_type!r}")
    if not isinstance(filename, (str, os.PathLike)):
        raise exception.ParamError(f"filename must be a str, not {type(filename).__name__}")
    try:
        with open(filename, "rb") as f:
            content = f.read()
    except OSError as e:
        # aerospike-py raises ClientError for an unreadable file.
        raise exception.ClientError(f"Failed to read UDF file '{os.fspath(filename)}': {e}") from e
    name = os.path.basename(os.fspath(filename))
    b64 = base64.b64encode(content).decode("ascii")
    return f"udf-put:filename={name};content={b64};content-len={len(b64)};udf-type=LUA;"


def _pairs(value: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in value.split(";"):
        k, sep, v = part.partition("=")
        if sep:
            out.setdefault(k, v)
    return out


def _check_put(answer: str) -> None:
    """Raises UDFError for a refused ``udf-put`` (e.g. a compile error)."""
    answer = answer.strip()
    if answer == "ok" or answer == "":
        return
    fields = _pairs(answer)
    if "message" in fields:
        try:
            fields["message"] = base64.b64decode(fields["message"]).decode("utf-8", "replace")
        except ValueError:
            pass
    if fields.get("error") == "compile_error":
        msg = (f"compile error in {fields.get('file', '?')} line {fields.get('line', '?')}: "
               f"{fields.get('message', '')}")
    else:
        msg = f"udf_put failed: {answer}"
    raise exception.UDFError(msg, code=100)


def _parse_list(answer: str) -> list[dict[str, Any]]:
    """``udf-list``'s ``filename=f,hash=h,type=LUA;...`` as dicts."""
    out: list[dict[str, Any]] = []
    for entry in answer.strip().split(";"):
        if not entry:
            continue
        fields: dict[str, str] = {}
        for part in entry.split(","):
            k, _, v = part.partition("=")
            fields[k] = v
        if "filename" in fields:
            out.append({"name": fields["filename"], "hash": fields.get("hash", ""),
                        "type": UDF_TYPE_LUA})
    return out


def _parse_get(module_file: str, answer: str) -> str:
    answer = answer.strip()
    fields = _pairs(answer)
    if "error" in fields or "content" not in fields:
        if fields.get("error") == "not_found":
            raise exception.UDFNotFound(f"UDF module '{module_file}' not found", code=100)
        raise exception.UDFError(f"udf_get failed: {answer}", code=100)
    return base64.b64decode(fields["content"]).decode("utf-8", "replace")


def _module_name(module: str) -> str:
    """``x`` for ``x`` and ``x.lua`` (how an aggregation names its module)."""
    return module.removesuffix(".lua")


def _local_sources(client: Any) -> dict[str, str]:
    """The client's own copies of registered modules, by module name: what
    ``udf_put`` registered through this client (as the official client keeps
    them in its Lua user path)."""
    sources: dict[str, str] | None = getattr(client, "_udf_local_sources", None)
    if sources is None:
        sources = {}
        client._udf_local_sources = sources
    return sources


def _read_user_path(client: Any, name: str) -> str | None:
    """``<lua user_path>/<name>.lua`` when the client config names a Lua
    user path (``{"lua": {"user_path": dir}}``, the official client's key)."""
    config = getattr(client, "_config", None)
    lua = config.get("lua") if isinstance(config, Mapping) else None
    path = lua.get("user_path") if isinstance(lua, Mapping) else None
    if not isinstance(path, str):
        return None
    try:
        with open(os.path.join(path, f"{name}.lua"), encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


def _remember(client: Any, filename: str) -> None:
    """Keeps the source of a module just registered from ``filename``."""
    try:
        with open(filename, encoding="utf-8", errors="replace") as f:
            content = f.read()
    except OSError:
        return
    _local_sources(client)[_module_name(os.path.basename(os.fspath(filename)))] = content


def _requires(source: str) -> list[str]:
    """Module names a Lua source ``require``s by a literal name."""
    import re

    return re.findall(r"""require\s*\(?\s*['"]([A-Za-z0-9_.-]+)['"]""", source)


def _listed(results: Any, module_file: str) -> bool:
    """Whether every node's ``udf-list`` answer names ``module_file``."""
    needle = f"filename={module_file},"
    return all(r.error_code == 0 and needle in (r.response or "") for r in results)


def _unlisted(results: Any, module_file: str) -> bool:
    needle = f"filename={module_file},"
    return all(r.error_code == 0 and needle not in (r.response or "") for r in results)


class UdfMixin:
    """UDF registration methods of the synchronous client."""

    def udf_put(
        self, filename: str, udf_type: int = UDF_TYPE_LUA, policy: dict[str, Any] | None = None
    ) -> None:
        """Registers the Lua module at ``filename`` (a path; the module is named
        after its file) and waits until every node lists it. A module that does
        not compile raises ``UDFError`` with the file, line and Lua message."""
        core: _core.Client = self  # type: ignore[assignment]
        request = _put_request(filename, udf_type)
        deadline = time.monotonic() + _timeout_s(policy)
        _check_put(core.info_random_node(request, policy))
        name = os.path.basename(os.fspath(filename))
        self._udf_wait(name, True, deadline, policy)
        _remember(self, os.fspath(filename))

    def udf_remove(self, module: str, policy: dict[str, Any] | None = None) -> None:
        """Removes a registered module (``module`` with or without ``.lua``) and
        waits until no node lists it. Removing an absent module is not an error."""
        core: _core.Client = self  # type: ignore[assignment]
        name = _module_file(module)
        deadline = time.monotonic() + _timeout_s(policy)
        answer = core.info_random_node(f"udf-remove:filename={name};", policy).strip()
        if answer != "ok":
            raise exception.UDFError(f"udf_remove failed: {answer}", code=100)
        _local_sources(self).pop(_module_name(name), None)
        self._udf_wait(name, False, deadline, policy)

    def udf_list(self, policy: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The registered modules: ``[{"name": "m.lua", "hash": str, "type": 0}]``."""
        core: _core.Client = self  # type: ignore[assignment]
        return _parse_list(core.info_random_node("udf-list", policy))

    def udf_get(
        self, module: str, language: int = UDF_TYPE_LUA, policy: dict[str, Any] | None = None
    ) -> str:
        """The source of a registered module; ``UDFNotFound`` when it is not registered."""
        core: _core.Client = self  # type: ignore[assignment]
        name = _module_file(module)
        return _parse_get(name, core.info_random_node(f"udf-get:filename={name};", policy))

    def _udf_sources(self, module: str) -> dict[str, str]:
        """The Lua sources an aggregation's client-side reduce needs: the
        module and what it requires, from this client's copies, the config's
        Lua user path, or (registered by another client) the cluster."""
        out: dict[str, str] = {}
        todo = [_module_name(module)]
        while todo:
            name = todo.pop()
            if name in out:
                continue
            source = _local_sources(self).get(name) or _read_user_path(self, name)
            if source is None:
                try:
                    source = self.udf_get(name)
                except exception.UDFNotFound:
                    continue
                _local_sources(self)[name] = source
            out[name] = source
            todo.extend(_requires(source))
        return out

    def _udf_wait(
        self, name: str, present: bool, deadline: float, policy: dict[str, Any] | None
    ) -> None:
        core: _core.Client = self  # type: ignore[assignment]
        while True:
            results = core.info_all("udf-list", policy)
            if (_listed if present else _unlisted)(results, name):
                return
            if time.monotonic() >= deadline:
                raise exception.AerospikeTimeoutError(
                    f"timed out waiting for every node to {'list' if present else 'drop'} {name}")
            time.sleep(_POLL_S)


class AsyncUdfMixin:
    """UDF registration methods of the asyncio client."""

    async def udf_put(
        self, filename: str, udf_type: int = UDF_TYPE_LUA, policy: dict[str, Any] | None = None
    ) -> None:
        """See :meth:`aerospike_py.Client.udf_put`."""
        core: _core.AsyncClient = self  # type: ignore[assignment]
        request = _put_request(filename, udf_type)
        deadline = time.monotonic() + _timeout_s(policy)
        _check_put(await core.info_random_node(request, policy))
        name = os.path.basename(os.fspath(filename))
        await self._udf_wait(name, True, deadline, policy)
        _remember(self, os.fspath(filename))

    async def udf_remove(self, module: str, policy: dict[str, Any] | None = None) -> None:
        """See :meth:`aerospike_py.Client.udf_remove`."""
        core: _core.AsyncClient = self  # type: ignore[assignment]
        name = _module_file(module)
        deadline = time.monotonic() + _timeout_s(policy)
        answer = (await core.info_random_node(f"udf-remove:filename={name};", policy)).strip()
        if answer != "ok":
            raise exception.UDFError(f"udf_remove failed: {answer}", code=100)
        _local_sources(self).pop(_module_name(name), None)
        await self._udf_wait(name, False, deadline, policy)

    async def udf_list(self, policy: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """See :meth:`aerospike_py.Client.udf_list`."""
        core: _core.AsyncClient = self  # type: ignore[assignment]
        return _parse_list(await core.info_random_node("udf-list", policy))

    async def udf_get(
        self, module: str, language: int = UDF_TYPE_LUA, policy: dict[str, Any] | None = None
    ) -> str:
        """See :meth:`aerospike_py.Client.udf_get`."""
        core: _core.AsyncClient = self  # type: ignore[assignment]
        name = _module_file(module)
        return _parse_get(name, await core.info_random_node(f"udf-get:filename={name};", policy))

    async def _udf_sources(self, module: str) -> dict[str, str]:
        """See :meth:`UdfMixin._udf_sources`."""
        out: dict[str, str] = {}
        todo = [_module_name(module)]
        while todo:
            name = todo.pop()
            if name in out:
                continue
            source = _local_sources(self).get(name) or _read_user_path(self, name)
            if source is None:
                try:
                    source = await self.udf_get(name)
                except exception.UDFNotFound:
                    continue
                _local_sources(self)[name] = source
            out[name] = source
            todo.extend(_requires(source))
        return out

    async def _udf_wait(
        self, name: str, present: bool, deadline: float, policy: dict[str, Any] | None
    ) -> None:
        core: _core.AsyncClient = self  # type: ignore[assignment]
        while True:
            results = await core.info_all("udf-list", policy)
            if (_listed if present else _unlisted)(results, name):
                return
            if time.monotonic() >= deadline:
                raise exception.AerospikeTimeoutError(
                    f"timed out waiting for every node to {'list' if present else 'drop'} {name}")
            await asyncio.sleep(_POLL_S)
