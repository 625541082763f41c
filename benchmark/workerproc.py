"""The orchestrator side of the worker line protocol (workers/aspy_bench/rpc.py).

A worker runs with `-E -s` (no PYTHONPATH, no user site) from a scratch
directory with benchmark/workers first on sys.path, never the repository
root, so `import aerospike_py` finds the virtualenv's own package.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
from typing import IO, Any

HERE = os.path.dirname(os.path.abspath(__file__))
WORKERS_DIR = os.path.join(HERE, "workers")
REPLY_PREFIX = "@@aspy-bench "


class WorkerError(RuntimeError):
    """The worker answered a command with ok=false, died, or timed out."""


class LineProcess:
    """A subprocess answering one prefixed JSON line per command line."""

    def __init__(self, argv: list[str], label: str, log: IO[bytes], cwd: str,
                 env: dict[str, str] | None = None) -> None:
        self.label = label
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=log, cwd=cwd, env=env, text=True, bufsize=1)
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith(REPLY_PREFIX):
                self._lines.put(line[len(REPLY_PREFIX):])
        self._lines.put(None)

    def send_line(self, line: str, timeout: float) -> dict[str, Any]:
        if self.proc.poll() is not None:
            raise WorkerError(f"{self.label}: worker exited with code {self.proc.returncode}")
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError as exc:
            raise WorkerError(f"{self.label}: worker closed its input") from exc
        try:
            reply = self._lines.get(timeout=timeout)
        except queue.Empty:
            self.kill()
            raise WorkerError(f"{self.label}: no answer within {timeout:.0f}s") from None
        if reply is None:
            self.proc.wait()
            raise WorkerError(f"{self.label}: worker exited with code {self.proc.returncode}")
        out: dict[str, Any] = json.loads(reply)
        return out

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self, quit_line: str, timeout: float = 15.0) -> None:
        if self.proc.poll() is None:
            try:
                self.send_line(quit_line, timeout)
                self.proc.wait(timeout=timeout)
            except (WorkerError, subprocess.TimeoutExpired, OSError):
                self.kill()


class PythonWorker(LineProcess):
    """A Python worker (run_worker.py) in some client's interpreter."""

    def __init__(self, python: str, label: str, log: IO[bytes], scratch: str) -> None:
        argv = [python, "-E", "-s", os.path.join(WORKERS_DIR, "run_worker.py")]
        super().__init__(argv, label, log, scratch)

    def call(self, cmd: dict[str, Any], timeout: float = 600.0) -> dict[str, Any]:
        reply = self.send_line(json.dumps(cmd), timeout)
        if not reply.get("ok"):
            raise WorkerError(f"{self.label}: {cmd.get('cmd')} failed: {reply.get('error')}"
                              + (f"\n{reply['traceback']}" if reply.get("traceback") else ""))
        return reply

    def close(self) -> None:
        self.stop(json.dumps({"cmd": "quit"}))


class NativeWorker(LineProcess):
    """The C++ floor client (benchmark/native_client): same replies, simpler commands.

    Its command line is `env_a NS SET BATCH CONCURRENCY WARMUP ITERATIONS KEY_SPACE SEED`.
    """

    def __init__(self, binary: str, hosts: str, label: str, log: IO[bytes], scratch: str,
                 values: bool = False) -> None:
        super().__init__([binary, "--hosts", hosts] + (["--values"] if values else []),
                         label, log, scratch)

    def call(self, cmd: dict[str, Any], timeout: float = 600.0) -> dict[str, Any]:
        if cmd["cmd"] == "hello":
            line = "hello"
        elif cmd["cmd"] == "env_a":
            line = " ".join(str(cmd[k]) for k in ("namespace", "set", "batch", "concurrency",
                                                  "warmup", "iterations", "key_space", "seed"))
            line = "env_a " + line
        else:
            return {"ok": True}
        reply = self.send_line(line, timeout)
        if not reply.get("ok"):
            raise WorkerError(f"{self.label}: {cmd['cmd']} failed: {reply.get('error')}")
        return reply

    def close(self) -> None:
        self.stop("quit")
