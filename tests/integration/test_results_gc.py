"""Which result objects the cyclic GC tracks.

Keys and metadata hold only strings, numbers and bytes and are immutable, so
they are born untracked (CPython untracks such exact tuples at their first
collection, but never a tuple subclass like ours): a large result no longer
makes every full collection walk two objects per record. Records hold the
bins dict, which the caller may mutate into a cycle, so they stay tracked and
such cycles are still collected.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from typing import Any

import pytest

import aerospike_py

from .conftest import Db

pytestmark = pytest.mark.asyncio


class _Marker:
    """A weak-referenceable object to see whether a cycle was freed."""


def _assert_tracking(record: aerospike_py.Record) -> None:
    assert not gc.is_tracked(record.key)
    assert not gc.is_tracked(record.meta)
    assert gc.is_tracked(record)


async def test_get_batch_and_query_results_untrack_keys_and_meta(
    db: Db, ns: str, set_name: str
) -> None:
    keys = [(ns, set_name, i) for i in range(5)]
    for k in keys:
        await db.put(k, {"n": k[2], "s": "x" * k[2]}, policy={"key": aerospike_py.POLICY_KEY_SEND})
    _assert_tracking(await db.get(keys[0]))
    batch = await db.batch_read(keys)
    assert len(batch.batch_records) == 5
    for br in batch.batch_records:
        assert br.record is not None
        _assert_tracking(br.record)
    query = db.client.query(ns, set_name)
    records = await query.results() if db.is_async else query.results()
    assert len(records) == 5
    for record in records:
        _assert_tracking(record)


async def test_records_with_container_bins_untrack_only_key_and_meta(
    db: Db, ns: str, set_name: str
) -> None:
    key = (ns, set_name, "k")
    await db.put(key, {"l": [1, [2, 3]], "m": {"a": {"b": 1}}})
    record = await db.get(key)
    _assert_tracking(record)
    assert gc.is_tracked(record.bins)  # it holds lists and dicts


async def test_a_cycle_through_a_records_bins_is_collected(db: Db, ns: str, set_name: str) -> None:
    key = (ns, set_name, "cycle")
    await db.put(key, {"n": 1})
    record: Any = await db.get(key)
    marker = _Marker()
    probe = weakref.ref(marker)
    record.bins["record"] = record  # bins -> record -> bins
    record.bins["marker"] = marker
    del record, marker
    # An awaited call's future (holding the record) lives until the task's
    # step ends: asyncio's running handle refers to it.
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    gc.collect()
    assert probe() is None
