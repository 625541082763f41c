"""The bridge's stage timers (what the benchmarks report as GIL-held time)."""

from __future__ import annotations

import pytest

from aerospike_py import _core

from .conftest import Db

pytestmark = pytest.mark.asyncio

STAGES = ("parse", "submit", "queue", "io", "wake", "convert")


async def test_stage_timers_account_for_every_call(db: Db, ns: str, set_name: str) -> None:
    keys = [(ns, set_name, i) for i in range(20)]
    for k in keys:
        await db.put(k, {"v": k[2]})
    _core.set_stage_timing(True)
    _core.stage_stats(reset=True)
    for k in keys:
        await db.get(k)
    await db.batch_read(keys)
    stats = _core.stage_stats(reset=True)
    get, batch = stats["get"], stats["batch_read"]
    assert get["calls"] == get["completed"] == 20
    assert batch["calls"] == batch["completed"] == 1
    for st in (get, batch):
        assert all(st[f"{s}_ns"] >= 0 for s in STAGES)
        assert st["parse_ns"] > 0 and st["convert_ns"] > 0 and st["io_ns"] > 0
        held = st["parse_ns"] + st["convert_ns"]
        if db.is_async:
            # The async client submits on the loop thread, with the GIL.
            assert st["gil_held_ns"] == held + st["submit_ns"]
        else:
            # The sync client submits after releasing the GIL for its wait.
            assert st["gil_held_ns"] == held
    assert _core.stage_stats() == {}


async def test_stage_timers_can_be_turned_off(db: Db, key: tuple[str, str, str]) -> None:
    _core.stage_stats(reset=True)
    _core.set_stage_timing(False)
    try:
        await db.put(key, {"a": 1})
        await db.get(key)
        assert _core.stage_stats() == {}
    finally:
        _core.set_stage_timing(True)
