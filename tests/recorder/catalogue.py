"""The catalogue: families of scripted exchanges, and how they are found.

A family is one module in ``tests/recorder/families/`` (its file name is the
family name) exposing:

* ``SETS``: the set names it writes to (the recorder empties them on the real
  server before recording; every name starts with ``rec_``);
* ``cases(rng)``: a list of :class:`Case`, built deterministically from the
  seeded ``random.Random`` it is given (same seed, same bytes);
* optionally ``SEED`` (default 1) and ``PENDING``: ``{case name prefix:
  reason}`` for recorded cases the embedded server does not answer alike
  yet; the replay test requires those to still differ, so a fix must remove
  its entry.

A case is a list of :class:`Step`: a request (bytes built with ``wire``) and
how its reply is compared (:class:`Compare`). Steps run in order on one
connection; a step the server answers by closing the connection makes the
next step open a new one.
"""

from __future__ import annotations

import importlib
import pkgutil
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from . import wire

FAMILIES_DIR = Path(__file__).resolve().parent / "families"
RECORDINGS_DIR = Path(__file__).resolve().parents[1] / "golden" / "recorded"
NAMESPACE = "test"


@dataclass
class Compare:
    """How a reply is compared on replay (stored with each exchange).

    ttl_slack: seconds a void time may differ by, relative to each run's
        clock (void time 0, "never expires", must match exactly).
    unordered: stream records (scan) compared as a multiset; the LAST
        message still comes last.
    info_mask: info names whose values vary by run (compared by presence).
    info_keys: info names whose ``k=v;...`` values are compared by their
        key list, and the values of every key not in ``info_vary``.
    info_vary: keys (or fnmatch patterns of keys) of ``k=v`` values that
        vary (uptimes, byte counts).
    lua_paths: a Lua error message (bin FAILURE) is compared from the
        module's file name on (the server's UDF directory differs).
    """

    ttl_slack: int = 2
    unordered: bool = False
    info_mask: Sequence[str] = ()
    info_keys: Sequence[str] = ()
    info_vary: Sequence[str] = ()
    lua_paths: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        default = Compare()
        for name in ("ttl_slack", "unordered", "info_mask", "info_keys", "info_vary",
                     "lua_paths"):
            v = getattr(self, name)
            if v != getattr(default, name):
                out[name] = list(v) if isinstance(v, (list, tuple)) else v
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Compare:
        return cls(**data)


@dataclass
class Step:
    name: str
    request: bytes
    compare: Compare = field(default_factory=Compare)
    # Milliseconds to wait before sending (e.g. after a truncate, whose
    # cut-off is the current millisecond).
    pause_ms: int = 0
    # Send on a new connection (per-connection state, e.g. user-agent-set).
    new_connection: bool = False


@dataclass
class Case:
    name: str
    steps: list[Step] = field(default_factory=list)

    def add(self, name: str, request: bytes, compare: Compare | None = None,
            pause_ms: int = 0, new_connection: bool = False) -> Case:
        self.steps.append(Step(name, request, compare or Compare(), pause_ms, new_connection))
        return self


@dataclass
class Family:
    name: str
    module: ModuleType
    sets: tuple[str, ...]
    seed: int
    pending: dict[str, str]
    build: Callable[[random.Random], list[Case]]

    def cases(self) -> list[Case]:
        cases = self.build(random.Random(f"{self.name}:{self.seed}"))
        names = [c.name for c in cases]
        if len(set(names)) != len(names):
            raise ValueError(f"family {self.name}: duplicate case names")
        for c in cases:
            steps = [s.name for s in c.steps]
            if len(set(steps)) != len(steps):
                raise ValueError(f"family {self.name} case {c.name}: duplicate step names")
        return cases

    @property
    def recording(self) -> Path:
        return RECORDINGS_DIR / f"{self.name}.jsonl"

    def pending_reason(self, exchange_id: str) -> str | None:
        for prefix, reason in self.pending.items():
            if exchange_id == prefix or exchange_id.startswith(prefix + "/"):
                return reason
        return None


def _load(name: str) -> Family:
    pkg = __name__.rsplit(".", 1)[0]
    module = importlib.import_module(f"{pkg}.families.{name}")
    sets = tuple(getattr(module, "SETS", ()))
    for s in sets:
        if not s.startswith("rec_"):
            raise ValueError(f"family {name}: set {s!r} must start with 'rec_'")
    return Family(name, module, sets, int(getattr(module, "SEED", 1)),
                  dict(getattr(module, "PENDING", {})), module.cases)


def family_names() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(FAMILIES_DIR)])
                  if not m.name.startswith("_"))


def load_families(names: Sequence[str] | None = None) -> list[Family]:
    return [_load(n) for n in (names or family_names())]


def recorded_family_names() -> list[str]:
    return sorted(p.stem for p in RECORDINGS_DIR.glob("*.jsonl"))


def request_kind(request: bytes) -> str:
    """"info", "admin", "batch", "stream" (scan/query) or "record"."""
    if request[1] == wire.INFO:
        return "info"
    if request[1] == wire.ADMIN:
        return "admin"
    if request[1] != wire.MESSAGE or len(request) < 30:
        return "record"
    if request[9] & wire.BATCH:
        return "batch"
    try:
        msg = next(wire.parse_messages(request))
    except (wire.ParseError, StopIteration):
        return "record"
    return "record" if msg.field(wire.F_DIGEST) is not None else "stream"
