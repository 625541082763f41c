"""Our list/map/bit/HLL ops are sent byte for byte as the official client
sends the same operations.

The reference is tests/unit/data/cdt_official_ops.json, captured from the
official ``aerospike`` client talking to a real server
(tests/unit/data/make_cdt_official_ops.py); the cases and the op dict of
ours each one corresponds to are in tests/unit/data/cdt_official_cases.py.
"""

from __future__ import annotations

import json
import pathlib
import sys
from typing import Any

import pytest

import aerospike_py
from aerospike_py import _core, bit_operations, cdt_ctx, hll_operations, list_operations, map_operations

DATA = pathlib.Path(__file__).parent / "data"
sys.path.insert(0, str(DATA))
from cdt_official_cases import CASES  # noqa: E402

CAPTURED: dict[str, Any] = json.loads((DATA / "cdt_official_ops.json").read_text())
ENV = {
    "ap": aerospike_py,
    "lo": list_operations,
    "mo": map_operations,
    "bo": bit_operations,
    "ho": hll_operations,
    "cx": cdt_ctx,
}


def test_every_case_was_captured() -> None:
    assert set(CAPTURED["ops"]) == {name for name, _, _ in CASES}
    assert len(CASES) == 126


@pytest.mark.parametrize(("name", "ours"), [(n, o) for n, _, o in CASES])
def test_same_bytes_as_the_official_client(name: str, ours: str) -> None:
    op = eval(ours, ENV)  # noqa: S307 - our own case table
    data, n_ops, _, _, _ = _core._encode_ops([op])
    assert n_ops == 1
    assert data.hex() == CAPTURED["ops"][name]
