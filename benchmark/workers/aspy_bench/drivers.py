"""Client drivers: one small adapter per way of calling `batch_read`.

Every driver returns what an application needs from a batch read: a mapping
from user key to bins dict, fully materialized (aerospike-py's lazy handle is
turned into its dict, the official client's BatchRecords into the same shape),
so each client pays for the Python objects the caller will use.

Driver kinds (the same adapter serves our client and aerospike-py, whose APIs
are identical; which one runs depends only on the virtualenv):
  aspy-async      aerospike_py.async_client(cfg); await c.batch_read(keys)
  aspy-async-merged
                  ours only: the same, with coalesce_batches (the batch_read
                  calls of one request travel as one batch)
  aspy-sync       aerospike_py.client(cfg).connect(); c.batch_read(keys)
  aspy-async-numpy
                  the same AsyncClient, records into a NumPy structured array:
                  ours batch_read(keys, _dtype=dt); aerospike-py (whose
                  AsyncClient.batch_read takes no _dtype) (await
                  batch_read(keys)).to_numpy(dt), with the list bins left out
                  of dt because it cannot fill a field from a list
  official        aerospike.client(cfg).connect(); c.batch_read(keys)
  official-async  the official sync client under loop.run_in_executor
  native-async    aerospike-native (Aerospike's Rust-core client): await
                  client.batch_read([Key...], batch_policy=...)
  sdk-async       aerospike-sdk (the high-level SDK on aerospike-native): await
                  session.query([Key...]).execute(), its wire batch
  fake            no server: an in-process stand-in for harness tests
  null            no client: Env C's floor, records cached in the process
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import importlib.metadata
import importlib.util
import os
from typing import Any, Mapping, Sequence

from . import dataset, peers

Key = tuple[str, str, Any]
Result = Mapping[Any, Mapping[str, Any]]

DRIVER_KINDS = ("aspy-async", "aspy-async-merged", "aspy-sync", "aspy-async-numpy", "official", "official-async",
                "native-async", "sdk-async", "fake", "null")


def library_identity() -> dict[str, Any]:
    """Which Aerospike libraries this interpreter can import, and their versions.

    `aerospike_py` is ambiguous by design: ours has the `_core` extension,
    aerospike-py (Rust, PyPI) has `_aerospike`.
    """
    ident: dict[str, Any] = {"aerospike_py": None, "aerospike": None,
                             "aerospike_native": None, "aerospike_sdk": None}
    spec = importlib.util.find_spec("aerospike_py")
    if spec is not None and spec.submodule_search_locations:
        where = list(spec.submodule_search_locations)[0]
        names = os.listdir(where)
        if any(n.startswith("_core") and n.endswith(".so") for n in names):
            flavor = "ours"
        elif any(n.startswith("_aerospike") for n in names):
            flavor = "aerospike-py"
        else:
            flavor = "unknown"
        version = _dist_version("aerospike-py")
        if flavor == "ours":
            # Ours is on the path in place (no dist-info in the bench venv):
            # its __version__ line, read without importing the package.
            version = _dist_version("aerospike-uv") or _source_version(where)
        ident["aerospike_py"] = {"flavor": flavor, "path": where, "version": version}
    if importlib.util.find_spec("aerospike") is not None:
        ident["aerospike"] = {"version": _dist_version("aerospike")}
    for mod, dist in (("aerospike_native", "aerospike-native"), ("aerospike_sdk", "aerospike-sdk")):
        if importlib.util.find_spec(mod) is not None:
            ident[mod] = {"version": _dist_version(dist)}
    return ident


def _source_version(package_dir: str) -> str | None:
    """`__version__ = "x"` from a package's __init__.py, without importing it."""
    try:
        with open(os.path.join(package_dir, "__init__.py"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("__version__"):
                    return line.split("=", 1)[1].strip().strip("\"'")
    except OSError:
        pass
    return None


def _dist_version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def as_user_dict(result: Any) -> Result:
    """aerospike-py-style batch_read result -> dict[user_key, bins]."""
    if isinstance(result, dict):
        return result
    to_dict = getattr(result, "to_dict", None)
    if to_dict is not None:
        return to_dict()  # type: ignore[no-any-return]
    return dict(result)


def official_to_user_dict(result: Any) -> Result:
    """The official client's BatchRecords -> dict[user_key, bins] (found only)."""
    out: dict[Any, Mapping[str, Any]] = {}
    for br in result.batch_records:
        if br.result == 0 and br.record is not None:
            key, _meta, bins = br.record
            user_key = key[2] if key is not None and key[2] is not None else br.key[2]
            out[user_key] = bins
    return out


class Driver:
    """Base: sync drivers implement the sync trio, async drivers the async one."""

    kind = "base"
    is_async = False
    # Env C merge_gather: how this client merges the nine per-set reads.
    merge_how = ("one batch_read over all sets' keys (one request per node), "
                 "rows per set looked up by user key")

    def stage_stats(self, reset: bool) -> dict[str, Any] | None:
        """Our bridge's stage timers (`aerospike_py._core.stage_stats`), if present."""
        if not self.kind.startswith("aspy"):
            return None
        try:
            core = importlib.import_module("aerospike_py._core")
        except ImportError:
            return None
        fn = getattr(core, "stage_stats", None)
        if fn is None:
            return None
        return fn(reset=reset)  # type: ignore[no-any-return]

    def __init__(self, hosts: Sequence[tuple[Any, ...]], policy: dict[str, Any] | None,
                 concurrency: int, tls: dict[str, Any] | None = None) -> None:
        # (host, port) or, over TLS, (host, port, tls_name): both clients
        # take the same tuples and the same config["tls"].
        self.hosts: list[tuple[Any, ...]] = [(h[0], int(h[1]), *h[2:]) for h in hosts]
        self.policy = policy
        self.concurrency = concurrency
        self.tls = tls

    def client_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"hosts": self.hosts}
        if self.tls:
            config["tls"] = dict(self.tls)
        return config

    # sync
    def connect(self) -> None:
        raise NotImplementedError

    def batch_read(self, keys: list[Key]) -> Result:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # async
    async def aconnect(self) -> None:
        raise NotImplementedError

    async def abatch_read(self, keys: list[Key]) -> Result:
        raise NotImplementedError

    async def aclose(self) -> None:
        raise NotImplementedError

    async def amerged_read(self, per_set: list[list[Key]]
                           ) -> list[list[Mapping[str, Any] | None]]:
        """Env C merge_gather: the per-set key lists read as one merged
        request; each set's rows (bins or None) in its keys' order."""
        got = await self.abatch_read([k for keys in per_set for k in keys])
        return [[got.get(k[2]) for k in keys] for keys in per_set]


class AspyAsync(Driver):
    kind = "aspy-async"
    is_async = True

    async def aconnect(self) -> None:
        mod = importlib.import_module("aerospike_py")
        self.client = mod.async_client(self.client_config())
        await self.client.connect()

    async def abatch_read(self, keys: list[Key]) -> Result:
        if self.policy:
            res = await self.client.batch_read(keys, None, self.policy)
        else:
            res = await self.client.batch_read(keys)
        return as_user_dict(res)

    async def aclose(self) -> None:
        await self.client.close()


class AspyAsyncMerged(AspyAsync):
    """Ours with merged batch reads: the batch_read calls that reach the
    event thread together (a `gather` request's nine, and under load other
    requests' too) travel as one batch. No window: the app builds its keys
    before it issues the calls, and a window would add its wait to every
    request at low load."""

    kind = "aspy-async-merged"

    def client_config(self) -> dict[str, Any]:
        return {**super().client_config(), "coalesce_batches": True}


class FoundRows:
    """A NumPy batch as a model takes it: one row per key in key order (a
    missing record's row is zeros, the default features) and how many keys
    were found; len() is the found count, as for the dict results."""

    __slots__ = ("rows", "found")

    def __init__(self, rows: Any, found: int) -> None:
        self.rows = rows
        self.found = found

    def __len__(self) -> int:
        return self.found


class AspyAsyncNumpy(AspyAsync):
    """Records into a structured array (see FoundRows)."""

    kind = "aspy-async-numpy"

    async def aconnect(self) -> None:
        await super().aconnect()
        self.np = importlib.import_module("numpy")
        core = importlib.import_module("aerospike_py")
        # Ours fills the array on the event thread from `_dtype`; aerospike-py's
        # AsyncClient has only the handle's to_numpy().
        self.ours = hasattr(core, "_core")
        self.dtypes: dict[str, Any] = {}

    def _dtype(self, set_name: str) -> Any:
        dt = self.dtypes.get(set_name)
        if dt is None:
            dt = self.np.dtype(dataset.numpy_fields(set_name, lists=self.ours))
            self.dtypes[set_name] = dt
        return dt

    async def abatch_read(self, keys: list[Key]) -> Any:
        dt = self._dtype(keys[0][1])
        if self.ours:
            res = await self.client.batch_read(keys, None, self.policy, _dtype=dt)
        else:
            res = (await self.client.batch_read(keys, None, self.policy)).to_numpy(dt)
        return FoundRows(res.batch_records, int(self.np.count_nonzero(res.result_codes == 0)))


class AspySync(Driver):
    kind = "aspy-sync"

    def connect(self) -> None:
        mod = importlib.import_module("aerospike_py")
        self.client = mod.client(self.client_config()).connect()

    def batch_read(self, keys: list[Key]) -> Result:
        if self.policy:
            return as_user_dict(self.client.batch_read(keys, None, self.policy))
        return as_user_dict(self.client.batch_read(keys))

    def close(self) -> None:
        self.client.close()


class Official(Driver):
    kind = "official"

    def connect(self) -> None:
        mod = importlib.import_module("aerospike")
        self.client = mod.client(self.client_config()).connect()
        # The official client's first batch_read imports a Python helper
        # module from C; several threads doing that first call at once crash
        # the process (SIGSEGV seen in aerospike 19.3.0 under
        # run_in_executor). One call here, before any concurrency, avoids it.
        # The call only has to reach that import: an unknown namespace on a
        # real cluster answering with an error is fine.
        try:
            self.client.batch_read([("test", "__warmup__", "k")])
        except mod.exception.AerospikeError:
            pass

    def batch_read(self, keys: list[Key]) -> Result:
        if self.policy:
            return official_to_user_dict(self.client.batch_read(keys, policy=self.policy))
        return official_to_user_dict(self.client.batch_read(keys))

    def close(self) -> None:
        self.client.close()


class OfficialAsync(Driver):
    """The seed's "official-async": each call hops to a thread pool."""

    kind = "official-async"
    is_async = True
    merge_how = ("one batch_read over all sets' keys in the executor (one request per node), "
                 "rows per set by user key")

    async def aconnect(self) -> None:
        self.sync = Official(self.hosts, self.policy, self.concurrency, self.tls)
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(self.concurrency, 1))
        await asyncio.get_running_loop().run_in_executor(self.pool, self.sync.connect)

    async def abatch_read(self, keys: list[Key]) -> Result:
        return await asyncio.get_running_loop().run_in_executor(
            self.pool, self.sync.batch_read, keys)

    async def aclose(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self.pool, self.sync.close)
        self.pool.shutdown(wait=True)


class NativeAsync(Driver):
    """aerospike-native's async Client.batch_read; its BatchRecords into the dict."""

    kind = "native-async"
    is_async = True

    async def aconnect(self) -> None:
        peers.assert_library("aerospike-native")
        timeout = (self.policy or {}).get("total_timeout")
        self.bp = peers.native_batch_policy(timeout)
        self.client = await peers.native_connect(self.hosts)

    async def abatch_read(self, keys: list[Key]) -> Result:
        rows = await self.client.batch_read(peers.native_keys(keys), batch_policy=self.bp)
        return peers.native_rows_to_user_dict(rows)

    merge_how = ("one batch_read over all sets' keys (one request per node), "
                 "rows per set by position (its result is a list in key order)")

    async def amerged_read(self, per_set: list[list[Key]]
                           ) -> list[list[Mapping[str, Any] | None]]:
        rows = await self.client.batch_read(
            peers.native_keys([k for keys in per_set for k in keys]), batch_policy=self.bp)
        out: list[list[Mapping[str, Any] | None]] = []
        i = 0
        for keys in per_set:
            part: list[Mapping[str, Any] | None] = []
            for br in rows[i:i + len(keys)]:
                rec = br.record
                part.append(None if rec is None else rec.bins)
            out.append(part)
            i += len(keys)
        return out

    async def aclose(self) -> None:
        await self.client.close()


class SdkAsync(Driver):
    """aerospike-sdk: a Session's key-list query (one wire batch per node)."""

    kind = "sdk-async"
    is_async = True

    async def aconnect(self) -> None:
        peers.assert_library("aerospike-sdk")
        timeout = (self.policy or {}).get("total_timeout")
        self.client, self.session = await peers.sdk_connect(self.hosts, timeout)

    async def abatch_read(self, keys: list[Key]) -> Result:
        return await peers.sdk_batch_read(self.session, peers.native_keys(keys))

    merge_how = ("one session.query(keys) over all sets' keys (its wire batch, one request "
                 "per node; it returns found records only), rows per set by user key")

    async def aclose(self) -> None:
        await self.client.close()


class Fake(Driver):
    """No server: answers from the dataset plan, for tests of the harness."""

    kind = "fake"
    is_async = True
    loaded: dict[str, int] = {}

    async def aconnect(self) -> None:
        return None

    async def abatch_read(self, keys: list[Key]) -> Result:
        await asyncio.sleep(0)
        out: dict[Any, Mapping[str, Any]] = {}
        for _ns, set_name, uk in keys:
            idx = int(str(uk).split("_", 1)[1])
            if idx < self.loaded.get(set_name, 0):
                out[uk] = dataset.record(set_name, idx)
        return out

    async def aclose(self) -> None:
        return None

    def connect(self) -> None:
        return None

    def batch_read(self, keys: list[Key]) -> Result:
        out: dict[Any, Mapping[str, Any]] = {}
        for _ns, set_name, uk in keys:
            idx = int(str(uk).split("_", 1)[1])
            if idx < self.loaded.get(set_name, 0):
                out[uk] = dataset.record(set_name, idx)
        return out

    def close(self) -> None:
        return None


class Null(Fake):
    """No client at all: Env C's floor. Answers from a few records per set
    built once (shared, so a call allocates only its result dict): what an
    app's request costs with a client that costs nothing — HTTP, features,
    the model — against which each client's own share shows."""

    kind = "null"
    merge_how = "no client: rows from records cached in the process"
    CACHED = 64

    async def aconnect(self) -> None:
        self.cache = {s: [dataset.record(s, i) for i in range(self.CACHED)]
                      for s in dataset.SET_NAMES}

    async def abatch_read(self, keys: list[Key]) -> Result:
        out: dict[Any, Mapping[str, Any]] = {}
        for _ns, set_name, uk in keys:
            idx = int(str(uk).split("_", 1)[1])
            if idx < self.loaded.get(set_name, 0):
                out[uk] = self.cache[set_name][idx % self.CACHED]
        return out


def make(kind: str, hosts: Sequence[tuple[Any, ...]], policy: dict[str, Any] | None = None,
         concurrency: int = 10, tls: dict[str, Any] | None = None) -> Driver:
    """A driver of the given kind (see DRIVER_KINDS)."""
    classes: dict[str, type[Driver]] = {
        "aspy-async": AspyAsync, "aspy-async-merged": AspyAsyncMerged, "aspy-sync": AspySync,
        "aspy-async-numpy": AspyAsyncNumpy,
        "official": Official,
        "official-async": OfficialAsync, "native-async": NativeAsync, "sdk-async": SdkAsync,
        "fake": Fake, "null": Null,
    }
    if kind not in classes:
        raise ValueError(f"unknown driver kind {kind!r}; known: {', '.join(DRIVER_KINDS)}")
    return classes[kind](hosts, policy, concurrency, tls)
