"""The worker side of the orchestrator's line protocol.

The orchestrator starts one worker per client (in that client's virtualenv)
and talks to it over stdin/stdout: one JSON command per line in, one JSON
reply per line out, prefixed with REPLY_PREFIX so that anything a library
prints to stdout cannot be mistaken for a reply. A worker stays up for the
whole run and sleeps on stdin between commands, so clients can take turns
scenario by scenario without paying process start-up each time.

Commands: hello, connect, env_a, load, close, quit. Every reply has "ok";
failures carry "error" (the worker survives them).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import platform
import sys
import traceback
from typing import Any, TextIO

from . import drivers, env_a, loader, peers
from .gil import GilTask

REPLY_PREFIX = "@@aspy-bench "


def capabilities() -> dict[str, bool]:
    """Optional packages this interpreter can import (Env B/C need some)."""
    names = ("fastapi", "uvicorn", "torch", "numpy", "uvloop", "matplotlib")
    return {n: importlib.util.find_spec(n) is not None for n in names}


def _new_loop(kind: str) -> asyncio.AbstractEventLoop:
    if kind == "uvloop":
        import uvloop

        return uvloop.new_event_loop()  # type: ignore[no-any-return,unused-ignore]
    return asyncio.new_event_loop()


class Worker:
    """Holds the connected driver and the event loop between commands."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.driver: drivers.Driver | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.gil = GilTask()

    def reply(self, payload: dict[str, Any]) -> None:
        self.out.write(REPLY_PREFIX + json.dumps(payload) + "\n")
        self.out.flush()

    def progress(self, msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    def handle(self, cmd: dict[str, Any]) -> dict[str, Any]:
        op = cmd.get("cmd")
        if op == "hello":
            return {"ok": True, "pid": os.getpid(), "python": platform.python_version(),
                    "implementation": platform.python_implementation(),
                    "executable": sys.executable, "identity": drivers.library_identity(),
                    "capabilities": capabilities()}
        if op == "connect":
            kind = cmd["driver"]
            if cmd.get("library"):
                peers.assert_library(cmd["library"])
            hosts = [tuple(h) for h in cmd["hosts"]]
            self.driver = drivers.make(kind, hosts, cmd.get("policy"),
                                       int(cmd.get("concurrency", 10)), cmd.get("tls"))
            if isinstance(self.driver, drivers.Fake):
                self.driver.loaded = {p["name"]: p["loaded"] for p in cmd.get("plan", [])}
            if self.driver.is_async:
                loop_kind = cmd.get("loop", "asyncio")
                self.loop = _new_loop(loop_kind)
                asyncio.set_event_loop(self.loop)
                self.loop.run_until_complete(self.driver.aconnect())
            else:
                self.driver.connect()
            loop_name = None if self.loop is None else \
                f"{type(self.loop).__module__}.{type(self.loop).__name__}"
            return {"ok": True, "driver": kind, "loop": loop_name}
        if op == "env_a":
            if self.driver is None:
                return {"ok": False, "error": "not connected"}
            res = env_a.run(self.driver, self.loop, cmd, self.gil)
            return {"ok": True, **res}
        if op == "load":
            hosts = [tuple(h) for h in cmd["hosts"]]
            res = loader.load(hosts, cmd["namespace"], int(cmd["records_per_set"]),
                              self.progress)
            return {"ok": True, **res}
        if op == "close":
            self.close()
            return {"ok": True}
        return {"ok": False, "error": f"unknown command {op!r}"}

    def close(self) -> None:
        if self.driver is not None:
            if self.driver.is_async and self.loop is not None:
                self.loop.run_until_complete(self.driver.aclose())
            elif not self.driver.is_async:
                self.driver.close()
            self.driver = None
        if self.loop is not None:
            self.loop.close()
            self.loop = None


def main() -> int:
    """Serve commands from stdin until `quit` or EOF."""
    # Replies go to the real stdout; stray prints from libraries go to stderr.
    out = sys.stdout
    sys.stdout = sys.stderr
    worker = Worker(out)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            cmd = json.loads(line)
        except json.JSONDecodeError as exc:
            worker.reply({"ok": False, "error": f"bad command: {exc}"})
            continue
        if cmd.get("cmd") == "quit":
            worker.reply({"ok": True})
            break
        try:
            worker.reply(worker.handle(cmd))
        except Exception as exc:  # the worker survives a failed command
            worker.reply({"ok": False, "error": f"{type(exc).__name__}: {exc}",
                          "traceback": traceback.format_exc()[-2000:]})
    try:
        worker.close()
    except Exception:
        traceback.print_exc()
    return 0

