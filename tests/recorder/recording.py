"""The recordings' file format: ``tests/golden/recorded/<family>.jsonl``.

Line 1 is a header::

    {"format": 1, "family": "kv", "seed": 1, "server": "Aerospike Community Edition 8.1.2.0",
     "exchanges": 412}

Every other line is one exchange, in the order it ran::

    {"id": "put_types/int/put", "req": "<hex>", "rep": "<hex>", "at": 513634567.123,
     "cmp": {...}}

* ``id``: ``<case>/<step>``, deterministic (a re-record gives the same ids).
* ``req``/``rep``: the request frame and the whole reply (all its frames,
  concatenated) as hex; a value over 1 KiB that compresses is stored as
  ``reqz``/``repz`` instead: base64 of its zlib stream.
* ``closed``: true when the server closed the connection instead of
  (finishing) its answer; ``rep`` then holds what came before, if anything.
* ``at``: the recorder's clock when the request left, in seconds since
  2010-01-01 (the server's epoch); void times are compared relative to it.
* ``new_conn``: the step was sent on a new connection.
* ``cmp``: the comparison options of ``catalogue.Compare`` that differ from
  the defaults.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalogue import Compare

FORMAT = 1
INLINE_LIMIT = 1024


@dataclass
class Exchange:
    id: str
    request: bytes
    reply: bytes
    at: float
    closed: bool = False
    compare: Compare = field(default_factory=Compare)
    pause_ms: int = 0
    new_connection: bool = False

    def to_line(self) -> str:
        out: dict[str, Any] = {"id": self.id}
        out.update(_encode("req", self.request))
        out.update(_encode("rep", self.reply))
        if self.closed:
            out["closed"] = True
        out["at"] = round(self.at, 3)
        if self.pause_ms:
            out["pause_ms"] = self.pause_ms
        if self.new_connection:
            out["new_conn"] = True
        cmp = self.compare.to_json()
        if cmp:
            out["cmp"] = cmp
        return json.dumps(out, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Exchange:
        return cls(data["id"], _decode("req", data), _decode("rep", data), float(data["at"]),
                   bool(data.get("closed", False)), Compare.from_json(data.get("cmp", {})),
                   int(data.get("pause_ms", 0)), bool(data.get("new_conn", False)))


def _encode(name: str, data: bytes) -> dict[str, str]:
    if len(data) > INLINE_LIMIT:
        packed = zlib.compress(data, 9)
        if len(packed) * 2 < len(data):
            return {name + "z": base64.b64encode(packed).decode()}
    return {name: data.hex()}


def _decode(name: str, data: dict[str, Any]) -> bytes:
    if name + "z" in data:
        return zlib.decompress(base64.b64decode(data[name + "z"]))
    return bytes.fromhex(data.get(name, ""))


@dataclass
class Recording:
    family: str
    seed: int
    server: str
    exchanges: list[Exchange]

    def write(self, path: Path) -> None:
        head = {"format": FORMAT, "family": self.family, "seed": self.seed,
                "server": self.server, "exchanges": len(self.exchanges)}
        lines = [json.dumps(head, separators=(",", ":"))]
        lines.extend(e.to_line() for e in self.exchanges)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")

    @classmethod
    def read(cls, path: Path) -> Recording:
        lines = iter(path.read_text().splitlines())
        head = json.loads(next(lines))
        if head.get("format") != FORMAT:
            raise ValueError(f"{path}: unknown format {head.get('format')}")
        exchanges = [Exchange.from_json(json.loads(line)) for line in lines if line]
        if len(exchanges) != head["exchanges"]:
            raise ValueError(f"{path}: {len(exchanges)} exchanges, header says "
                             f"{head['exchanges']}")
        return cls(head["family"], head["seed"], head["server"], exchanges)


def iter_recordings(directory: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(directory.glob("*.jsonl")):
        yield path.stem, path
