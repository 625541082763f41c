"""Loads the nine sets through whichever client this interpreter has.

The official `aerospike` client is preferred (it is the embedded server's
referee); otherwise any `aerospike_py` (ours or aerospike-py: same API).
Records are written with the user key stored (POLICY_KEY_SEND) because
aerospike-py's batch_read result is keyed by user key. A marker record in set
`bench_meta` remembers what was loaded, so a rerun against a real cluster
(AEROSPIKE_HOSTS) skips loading. Loading speed is not measured.
"""

from __future__ import annotations

import importlib
import importlib.util
import time
from typing import Any, Callable

from . import dataset

DATASET_VERSION = 1
META_SET = "bench_meta"


def _official(hosts: list[tuple[str, int]]) -> tuple[str, Any, Callable[..., None],
                                                      Callable[[Any], dict[str, Any] | None]]:
    aerospike = importlib.import_module("aerospike")
    client = aerospike.client({"hosts": hosts}).connect()
    policy = {"key": aerospike.POLICY_KEY_SEND}

    def put(key: Any, bins: dict[str, Any]) -> None:
        client.put(key, bins, policy=policy)

    def get(key: Any) -> dict[str, Any] | None:
        try:
            return client.get(key)[2]  # type: ignore[no-any-return]
        except aerospike.exception.RecordNotFound:
            return None

    return "official", client, put, get


def _aspy(hosts: list[tuple[str, int]]) -> tuple[str, Any, Callable[..., None],
                                                  Callable[[Any], dict[str, Any] | None]]:
    mod = importlib.import_module("aerospike_py")
    client = mod.client({"hosts": hosts}).connect()
    policy = {"key": mod.POLICY_KEY_SEND}
    not_found = importlib.import_module("aerospike_py.exception").RecordNotFound

    def put(key: Any, bins: dict[str, Any]) -> None:
        client.put(key, bins, policy=policy)

    def get(key: Any) -> dict[str, Any] | None:
        try:
            return client.get(key).bins  # type: ignore[no-any-return]
        except not_found:
            return None

    return "aerospike_py", client, put, get


def load(hosts: list[tuple[str, int]], namespace: str, records_per_set: int,
         progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Writes every set's records unless the marker says they are there."""
    if importlib.util.find_spec("aerospike") is not None:
        via, client, put, get = _official(hosts)
    else:
        via, client, put, get = _aspy(hosts)
    marker_key = (namespace, META_SET, "dataset")
    want = {"version": DATASET_VERSION, "records_per_set": records_per_set}
    t0 = time.perf_counter()
    try:
        have = get(marker_key)
        if have is not None and all(have.get(k) == v for k, v in want.items()):
            return {"via": via, "loaded": 0, "skipped": True, "seconds": 0.0}
        total = 0
        for sp in dataset.plan(records_per_set):
            for i in range(sp.loaded):
                put((namespace, sp.name, dataset.user_key(sp.name, i)),
                    dataset.record(sp.name, i))
                total += 1
                if progress is not None and total % 2000 == 0:
                    progress(f"loaded {total} records ({sp.name})")
        put(marker_key, want)
        return {"via": via, "loaded": total, "skipped": False,
                "seconds": time.perf_counter() - t0}
    finally:
        client.close()
