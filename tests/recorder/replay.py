"""Replay: sends each recorded request to a server (the embedded one in CI)
in the recorded order and compares every answer with the recorded one."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from .catalogue import Family, request_kind
from .compare import compare
from .recording import Recording
from .session import Session, server_epoch_now

# The real server the recordings come from: node id A1, cluster realpeer
# (/work/shared/real-server/aerospike.conf.in), namespace test.
REAL_NODE_ID = "A1"
REAL_CLUSTER_NAME = "realpeer"


@dataclass
class Outcome:
    id: str
    problems: list[str]
    pending: str | None = None  # the family's PENDING reason, if any


@dataclass
class FamilyResult:
    family: str
    exchanges: int = 0
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.problems and o.pending is None]

    @property
    def pending_now_equal(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.problems and o.pending is not None]

    def report(self, limit: int = 20) -> str:
        lines = [f"{self.family}: {self.exchanges} exchanges, "
                 f"{len(self.failures)} differ"]
        for o in self.failures[:limit]:
            lines.append(f"  {o.id}:")
            lines.extend(f"    {p}" for p in o.problems)
        for o in self.pending_now_equal[:limit]:
            lines.append(f"  {o.id}: now answered like the real server; remove it from "
                         f"PENDING ({o.pending})")
        return "\n".join(lines)


def replay_recording(rec: Recording, host: str, port: int,
                     family: Family | None = None) -> FamilyResult:
    result = FamilyResult(rec.family)
    session = Session(host, port)
    try:
        for ex in rec.exchanges:
            if ex.pause_ms:
                time.sleep(ex.pause_ms / 1000)
            if ex.new_connection:
                session.close()
            at = server_epoch_now()
            try:
                frames, closed = session.exchange(ex.request, request_kind(ex.request))
            except TimeoutError as e:
                session.close()
                problems = [str(e)]
            else:
                problems = compare(ex.request, ex.reply, ex.closed, b"".join(frames), closed,
                                   ex.at, at, ex.compare)
            pending = family.pending_reason(ex.id) if family is not None else None
            result.outcomes.append(Outcome(ex.id, problems, pending))
            result.exchanges += 1
    finally:
        session.close()
    return result


@contextmanager
def embedded_like_real() -> Iterator[tuple[str, int]]:
    """A fresh embedded server configured as the recording server."""
    from aerospike_py.testing import EmbeddedServer

    with EmbeddedServer(node_ids=[REAL_NODE_ID], cluster_name=REAL_CLUSTER_NAME) as server:
        host, port = server.hosts[0]
        yield host, port
