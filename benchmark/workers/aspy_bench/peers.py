"""Aerospike's Rust-core peers, aerospike-native and aerospike-sdk, in one place.

Who may use it: the benchmark's worker code (drivers.py for Env A/B/C) and
benchmark/serving_gets.py's workers. It runs inside the peer's own
interpreter (/root/venvs/native or benchmark/.venvs/aerospike-native) and
imports the peer libraries only when asked, so the module itself loads in
any interpreter.

What it knows:
* how to connect each peer with a per-call budget (the peers' defaults give
  up after 1 s on a loaded machine; every client gets the same budget);
* how each turns keys into its own Key objects and a batch result into what
  an application uses, dict[user_key, bins] of the found records;
* which distribution an `aerospike_py` import really is: ours has
  `aerospike_py.__distribution__`, aerospike-py (Rust, PyPI, same import
  name) has not. A worker started from the repository root would import ours
  under aerospike-py's name; `assert_library` makes that a hard error.
"""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any, Mapping, Sequence

DEFAULT_TIMEOUT_MS = 10_000


def aerospike_py_flavor() -> str | None:
    """"ours" or "aerospike-py" for whatever `import aerospike_py` gives, None if nothing."""
    try:
        mod = importlib.import_module("aerospike_py")
    except ImportError:
        return None
    return "ours" if hasattr(mod, "__distribution__") else "aerospike-py"


def assert_library(library: str) -> None:
    """Raises if this interpreter does not import the library the worker claims to run."""
    if library in ("ours", "aerospike-py"):
        got = aerospike_py_flavor()
        if got != library:
            mod = importlib.import_module("aerospike_py") if got else None
            where = getattr(mod, "__file__", None)
            raise RuntimeError(f"worker claims {library} but `import aerospike_py` gives "
                               f"{got} ({where}): is the repository on sys.path?")
    elif library == "official":
        importlib.import_module("aerospike")
    elif library in ("aerospike-native", "aerospike-sdk"):
        importlib.import_module("aerospike_native")
        if library == "aerospike-sdk":
            importlib.import_module("aerospike_sdk")


def native_keys(keys: Sequence[tuple[str, str, Any]]) -> list[Any]:
    """(namespace, set, user_key) tuples -> aerospike_native.Key objects."""
    key_cls = importlib.import_module("aerospike_native").Key
    return [key_cls(ns, s, uk) for ns, s, uk in keys]


async def native_connect(hosts: Sequence[tuple[Any, ...]]) -> Any:
    """An aerospike-native Client connected to the seeds."""
    native = importlib.import_module("aerospike_native")
    seeds = ",".join(f"{h[0]}:{int(h[1])}" for h in hosts)
    return await native.new_client(native.ClientPolicy(), seeds)


def native_read_policy(timeout_ms: int | None) -> Any:
    native = importlib.import_module("aerospike_native")
    policy = native.ReadPolicy()
    policy.total_timeout = timeout_ms or DEFAULT_TIMEOUT_MS
    return policy


def native_batch_policy(timeout_ms: int | None) -> Any:
    native = importlib.import_module("aerospike_native")
    policy = native.BatchPolicy()
    policy.total_timeout = timeout_ms or DEFAULT_TIMEOUT_MS
    return policy


def native_rows_to_user_dict(rows: Sequence[Any]) -> dict[Any, Mapping[str, Any]]:
    """aerospike-native BatchRecords -> dict[user_key, bins] of the found ones."""
    out: dict[Any, Mapping[str, Any]] = {}
    for br in rows:
        rec = br.record  # a clone per access: read once
        if rec is not None:
            out[br.key.value] = rec.bins
    return out


async def sdk_connect(hosts: Sequence[tuple[Any, ...]],
                      timeout_ms: int | None) -> tuple[Any, Any]:
    """(aerospike-sdk Client, Session): reads get the shared budget, the
    same-tick get coalescer stays as it is by default (on)."""
    sdk_client = importlib.import_module("aerospike_sdk.aio.client")
    policy = importlib.import_module("aerospike_sdk.policy")
    seeds = ",".join(f"{h[0]}:{int(h[1])}" for h in hosts)
    client = sdk_client.Client(seeds)
    await client.connect()
    budget = timedelta(milliseconds=timeout_ms or DEFAULT_TIMEOUT_MS)
    session = client.create_session(policy.Behavior.DEFAULT.derive_with_changes(
        "bench", reads=policy.Settings(total_timeout=budget)))
    return client, session


async def sdk_batch_read(session: Any, keys: list[Any]) -> dict[Any, Mapping[str, Any]]:
    """One wire batch through the SDK (`session.query([keys...]).execute()`,
    its batch path; `get_many` would send each key as its own command) ->
    dict[user_key, bins] of the found records."""
    stream = await session.query(keys).execute()
    out: dict[Any, Mapping[str, Any]] = {}
    for row in await stream.collect():
        rec = row.record
        if rec is not None:
            out[row.key.value] = rec.bins
    return out
