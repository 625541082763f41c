"""Recording: runs families against a real Aerospike and writes what it
answered to ``tests/golden/recorded/<family>.jsonl``.

Refuses to record from anything but a real server (the embedded one would
only record itself), and empties each family's sets first so that a record
written by a step always starts at generation 1, whatever ran before.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from . import wire
from .catalogue import NAMESPACE, Family, request_kind
from .recording import Exchange, Recording
from .session import Session, server_epoch_now


class NotARealServer(RuntimeError):
    pass


def info(host: str, port: int, *names: str) -> dict[str, str]:
    s = Session(host, port)
    try:
        frames, _ = s.exchange(wire.info_request(*names), "info")
    finally:
        s.close()
    return dict(wire.parse_info(frames[0])) if frames else {}


def server_identity(host: str, port: int) -> str:
    """The real server's build string; raises NotARealServer otherwise.

    The embedded server answers ``build`` and ``edition`` like the real one
    on purpose, so the check asks for what only a real server has: its
    service configuration (``get-config``) with the config file's keys.
    """
    answers = info(host, port, "build", "edition", "get-config:context=service")
    config = answers.get("get-config:context=service", "")
    if "proto-fd-max=" not in config or "work-directory=" not in config:
        raise NotARealServer(
            f"{host}:{port} does not look like a real Aerospike (its get-config answer is "
            f"{config[:60]!r}); recordings must come from a real server")
    return f"{answers.get('edition', '?')} {answers.get('build', '?')}"


def clean_sets(host: str, port: int, sets: Sequence[str]) -> None:
    """Truncates each set and waits until the server reports it empty."""
    for set_name in sets:
        cmd = f"truncate:namespace={NAMESPACE};set={set_name}"
        answer = info(host, port, cmd).get(cmd, "")
        if answer != "ok":
            raise RuntimeError(f"{cmd} answered {answer!r}")
    deadline = time.monotonic() + 30
    for set_name in sets:
        while True:
            stats = info(host, port, f"sets/{NAMESPACE}/{set_name}")
            value = next(iter(stats.values()), "")
            objects = dict(kv.partition("=")[::2] for kv in value.split(":") if "=" in kv)
            if objects.get("objects", "0") == "0":
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"set {set_name} still holds records after truncate")
            time.sleep(0.05)
    # A truncate's cut-off is its millisecond: writes in that millisecond
    # would be refused (FORBIDDEN).
    time.sleep(0.01)


def forget_finished_jobs(host: str, port: int) -> None:
    """Drops the server's list of finished scans/queries/background jobs.

    Families send fixed task ids (their bytes are compared with what the
    module builds), and the real server refuses a task id any job it still
    remembers has (``job with trid N already active``, result 4), finished
    jobs included: the last ``query-max-done`` (default 100) of them. So a
    re-record would collide with the previous recording's jobs; setting the
    limit to 0 and back empties that list (query-show of older jobs is then
    "not found", which no family asks for)."""
    config = info(host, port, "get-config:context=service").get("get-config:context=service", "")
    values = dict(kv.partition("=")[::2] for kv in config.split(";") if "=" in kv)
    keep = values.get("query-max-done")
    if keep is None:
        return
    for value in ("0", keep):
        cmd = f"set-config:context=service;query-max-done={value}"
        answer = info(host, port, cmd).get(cmd, "")
        if answer != "ok":
            raise RuntimeError(f"{cmd} answered {answer!r}")


def record_family(family: Family, host: str, port: int, server: str) -> Recording:
    clean_sets(host, port, family.sets)
    forget_finished_jobs(host, port)
    exchanges: list[Exchange] = []
    session = Session(host, port)
    try:
        for case in family.cases():
            for step in case.steps:
                if step.pause_ms:
                    time.sleep(step.pause_ms / 1000)
                if step.new_connection:
                    session.close()
                at = server_epoch_now()
                frames, closed = session.exchange(step.request, request_kind(step.request))
                exchanges.append(Exchange(f"{case.name}/{step.name}", step.request,
                                          b"".join(frames), at, closed, step.compare,
                                          step.pause_ms, step.new_connection))
    finally:
        session.close()
    return Recording(family.name, family.seed, server, exchanges)
