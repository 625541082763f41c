"""aerospike_py.exp compiles to the official client's bytes.

tests/unit/data/expression_wire.json holds, for every case of
tests/expression_cases.py, the bytes the official client (``aerospike`` on
PyPI) compiled for the same expression (recorded by
tests/unit/data/make_expression_wire.py); the referee test
tests/referee/test_referee_expressions.py checks the same table live.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import sys
from typing import Any

import pytest

from aerospike_py import _core, constants, exp

DATA = pathlib.Path(__file__).parent / "data"
WIRE: dict[str, Any] = json.loads((DATA / "expression_wire.json").read_text())
sys.path.insert(0, str(pathlib.Path(__file__).parents[1]))
from expression_cases import CASES, exp_ctx  # noqa: E402
from msgpack_walk import well_formed  # noqa: E402


def build(source: str) -> exp.Expr:
    built: exp.Expr = eval(source, {"exp": exp, "c": constants, "exp_ctx": exp_ctx})
    return built


def test_the_recording_covers_every_case() -> None:
    recorded = [(c["ours"], c["official"]) for c in WIRE["cases"]]
    assert recorded == CASES
    assert len(CASES) >= 800
    # Only the official map_increment-with-policy encoding is malformed.
    malformed = [c["ours"] for c in WIRE["cases"] if c.get("official_malformed")]
    assert len(malformed) == 3 and all("map_increment" in m and "policy" in m for m in malformed)


@pytest.mark.parametrize("entry", WIRE["cases"], ids=lambda c: c["ours"][:90])
def test_bytes_equal_the_official_clients(entry: dict[str, str]) -> None:
    built = build(entry["ours"])
    assert well_formed(built.compile())
    if entry.get("official_malformed"):
        # The official client's bytes are not one msgpack value here (its
        # map_increment with a policy); ours are, and are what the server
        # reads (see aerospike_py.exp.map_increment).
        return
    if "wire" in entry:
        assert built.compile().hex() == entry["wire"]
    else:
        assert hashlib.sha256(built.compile()).hexdigest() == entry["sha256"]
    # The policy parser sends exactly these bytes.
    assert _core._exp_wire(built) == built.compile()
