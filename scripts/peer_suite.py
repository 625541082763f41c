#!/usr/bin/env python3
"""Runs aerospike-py's own test suite against aerospike-py and against ours.

"Code written for aerospike-py runs unchanged" is a promise; aerospike-py's
public test suite is the most complete statement of what such code does.
This program runs that suite, out of tree and unchanged, once with
aerospike-py itself and once with ours, against the same server, and prints
a table per test directory (passed / failed / errors / skipped), then every
test that passes with aerospike-py but not with ours, grouped by the first
line of its failure.

It is not run by CI (CI cannot fetch aerospike-py's repository). Get the
tests out of our tree first, e.g. from a mirror of its repository::

    git --git-dir=MIRROR archive v0.10.3 tests pyproject.toml | tar -x -C /root/peer-tests

then::

    scripts/peer_suite.py /root/peer-tests                      # embedded server
    scripts/peer_suite.py /root/peer-tests --hosts 127.0.0.1:3400 --cluster-name realpeer

Each side runs in its own Python environment (the two packages share the
import name ``aerospike_py``): ``--aspy-python`` (aerospike-py installed,
with pytest, pytest-asyncio and what its tests import: numpy, hypothesis,
fastapi, httpx, prometheus_client, gunicorn, aerospike) and
``--ours-python`` (ours installed, with the same test packages). Without
``--hosts`` it starts our embedded server (``python -m aerospike_py.server``
from ``--ours-python``) with cluster name ``docker``, as aerospike-py's
tests expect, and stops it at the end.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

OUTCOMES = ("passed", "failed", "errors", "skipped")
# Tests that open connections to 192.0.2.1 (TEST-NET-1, a public address):
# this machine may send traffic to loopback only, so they are deselected for
# both sides. Each checks that a connect to an unreachable host fails (or,
# for the CONNECTING race, that close() raises while it hangs).
OFF_LOOPBACK = (
    "tests/integration/test_scenarios.py::TestErrorHandling::test_connect_bad_host",
    "tests/integration/test_async_scenarios.py::TestAsyncErrorHandling::test_connect_bad_host",
    "tests/concurrency/test_aexit_close_unification.py::TestConnectingStateRace",
)
DEFAULT_ASPY_PYTHON = "/root/venvs/aspy/bin/python"


def _pick_port(wanted: int) -> int:
    """`wanted` when it is free, else any free port.

    aerospike-py's feasibility tests look for their server on 18710 whatever
    AEROSPIKE_PORT says (and skip without it), so the embedded server takes
    that port when it can.
    """
    for port in (wanted, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            chosen: int = s.getsockname()[1]
            return chosen
    raise SystemExit("peer_suite: no free port")


def _wait_for_port(host: str, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), 0.5):
            return True
        time.sleep(0.1)
    return False


@contextlib.contextmanager
def embedded_server(python: str, cluster_name: str, port: int,
                    log: Path) -> Iterator[tuple[str, int]]:
    """Our embedded server in a child process, for the length of the block."""
    port = _pick_port(port)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [python, "-m", "aerospike_py.server", "--port", str(port),
             "--cluster-name", cluster_name],
            stdout=out, stderr=subprocess.STDOUT,
            # Not the caller's folder: run from a source checkout, its
            # unbuilt aerospike_py/ would shadow the installed package.
            cwd=log.parent,
        )
        try:
            if not _wait_for_port("127.0.0.1", port, 30.0):
                raise SystemExit(f"peer_suite: the embedded server did not start; see {log}")
            yield "127.0.0.1", port
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def port_alias(listen_port: int, host: str, port: int) -> Iterator[bool]:
    """Forward 127.0.0.1:`listen_port` to host:port, for the length of the block.

    aerospike-py's feasibility tests check for a server on 127.0.0.1:18710
    whatever AEROSPIKE_PORT says; with a running server elsewhere this lets
    them run instead of skipping. Yields False (no alias) when the port is
    taken.
    """
    listener = socket.socket()
    try:
        listener.bind(("127.0.0.1", listen_port))
    except OSError:
        listener.close()
        yield False
        return
    listener.listen(64)
    listener.settimeout(0.2)
    stopping = threading.Event()

    def pump(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def accept() -> None:
        while not stopping.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection((host, port), 5)
            except OSError:
                client.close()
                continue
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=pump, args=(a, b), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield True
    finally:
        stopping.set()
        thread.join()
        listener.close()


# Modules of aerospike-py that other issues bring (CDT, expressions, queries):
# with --stub-missing, a missing one is replaced for our run by an empty
# placeholder, so that the one import in aerospike-py's tests/helpers.py
# (predicates) does not stop the whole collection. A test that uses a
# placeholder still fails (AttributeError) or its file does not import.
PENDING_MODULES = ("predicates", "exp", "list_operations", "map_operations", "bit_operations",
                   "hll_operations")
STUB_PLUGIN = f"""
import importlib, sys, types
import aerospike_py

def _placeholder(name):
    module = types.ModuleType("aerospike_py." + name)
    def __getattr__(attr):
        raise AttributeError(
            f"aerospike_py.{{name}} is not implemented yet (placeholder of peer_suite.py)")
    module.__getattr__ = __getattr__
    return module

for _name in {PENDING_MODULES!r}:
    try:
        importlib.import_module("aerospike_py." + _name)
    except ModuleNotFoundError:
        sys.modules["aerospike_py." + _name] = _placeholder(_name)
        setattr(aerospike_py, _name, sys.modules["aerospike_py." + _name])
"""


def run_suite(python: str, checkout: Path, host: str, port: int, cluster_name: str,
              junit: Path, log: Path, extra: list[str], timeout: float,
              stub_dir: Path | None = None) -> int:
    """One pytest run of the whole suite; its results land in `junit`."""
    env = dict(os.environ)
    env.update(AEROSPIKE_HOST=host, AEROSPIKE_PORT=str(port), AEROSPIKE_CLUSTER_NAME=cluster_name)
    if stub_dir is not None:
        (stub_dir / "peer_suite_stubs.py").write_text(STUB_PLUGIN)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(stub_dir), env.get("PYTHONPATH", "")) if p)
        extra = ["-p", "peer_suite_stubs", *extra]
    # Our own suite's variable must not leak into the peer's tests.
    env.pop("AEROSPIKE_HOSTS", None)
    cmd = [python, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider",
           # A file that does not import (a module we lack) must not stop the rest.
           "--continue-on-collection-errors",
           f"--junitxml={junit}", "-o", "junit_family=xunit1",
           # Its pyproject sets auto mode; a checkout of tests/ alone lacks it.
           "-o", "asyncio_mode=auto", "-o", "faulthandler_timeout=300",
           *(f"--deselect={node}" for node in OFF_LOOPBACK), *extra]
    print(f"peer_suite: {' '.join(cmd)}  (cwd {checkout}, server {host}:{port})", flush=True)
    with log.open("w") as out:
        try:
            proc = subprocess.run(cmd, cwd=checkout, env=env, stdout=out,
                                  stderr=subprocess.STDOUT, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            print(f"peer_suite: the run timed out after {timeout:.0f} s; see {log}")
            return -1
    return proc.returncode


class Results:
    """The outcome of every test of one run, read from pytest's JUnit XML."""

    def __init__(self, junit: Path) -> None:
        self.outcome: dict[str, str] = {}
        self.message: dict[str, str] = {}
        if not junit.exists():
            return
        for case in ET.parse(junit).iter("testcase"):
            classname = case.get("classname", "")
            name = case.get("name", "")
            test_id = f"{classname}::{name}" if classname else name
            outcome, message = "passed", ""
            for child in case:
                if child.tag in ("failure", "error", "skipped"):
                    message = (child.get("message") or child.text or "").strip()
                    # An error in teardown after a pass or failure is still an error.
                    outcome = {"failure": "failed", "error": "errors", "skipped": "skipped"}[
                        child.tag]
                    if child.tag == "error":
                        break
            self.outcome[test_id] = outcome
            self.message[test_id] = message.splitlines()[0][:160] if message else ""

    @staticmethod
    def directory(test_id: str) -> str:
        parts = test_id.split("::")[0].split(".")
        # tests.unit.test_x.TestY -> unit; tests.conftest / tests -> (top)
        return parts[1] if len(parts) > 2 and parts[0] == "tests" else "(top)"

    def table(self) -> dict[str, collections.Counter[str]]:
        rows: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        for test_id, outcome in self.outcome.items():
            rows[self.directory(test_id)][outcome] += 1
        return rows


def print_table(title: str, results: dict[str, Results]) -> None:
    dirs = sorted({d for r in results.values() for d in r.table()})
    print(f"\n{title}")
    header = (f"| {'directory':<14} | {'client':<12} | "
              + " | ".join(f"{o:>7}" for o in OUTCOMES) + " |")
    print(header)
    print(f"|{'-' * 16}|{'-' * 14}|" + "|".join("-" * 9 for _ in OUTCOMES) + "|")
    totals: dict[str, collections.Counter[str]] = {name: collections.Counter() for name in results}
    for d in [*dirs, "total"]:
        for name, res in results.items():
            row = res.table().get(d, collections.Counter()) if d != "total" else totals[name]
            if d != "total":
                totals[name].update(row)
            cells = " | ".join(f"{row.get(o, 0):>7}" for o in OUTCOMES)
            print(f"| {d:<14} | {name:<12} | {cells} |")


def print_regressions(aspy: Results, ours: Results) -> None:
    """Tests aerospike-py passes and ours does not, grouped by their first failure line."""
    by_reason: dict[str, list[str]] = collections.defaultdict(list)
    for test_id, outcome in sorted(aspy.outcome.items()):
        if outcome != "passed":
            continue
        mine = ours.outcome.get(test_id)
        if mine == "passed":
            continue
        if mine is None:
            reason = "not collected (its module did not import)"
        else:
            reason = f"{mine}: {ours.message.get(test_id, '')}"
        by_reason[reason].append(test_id)
    count = sum(len(v) for v in by_reason.values())
    print(f"\n{count} tests pass with aerospike-py but not with ours")
    for reason, ids in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
        print(f"\n  [{len(ids)}] {reason}")
        for test_id in ids:
            print(f"      {test_id}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("checkout", type=Path, help="folder holding aerospike-py's tests/ (and pyproject.toml)")
    p.add_argument("--hosts", help="HOST:PORT of a running server (default: start our embedded one)")
    p.add_argument("--port", type=int, default=18710,
                   help="port for the embedded server, or forwarded to --hosts "
                        "(default 18710, where aerospike-py's tests look)")
    p.add_argument("--cluster-name", default="docker",
                   help="AEROSPIKE_CLUSTER_NAME for the tests (default: docker)")
    p.add_argument("--aspy-python", default=DEFAULT_ASPY_PYTHON,
                   help="python of an environment with aerospike-py installed")
    p.add_argument("--ours-python", default=sys.executable,
                   help="python of an environment with our aerospike_py installed")
    p.add_argument("--only", choices=("aspy", "ours"), help="run one side only")
    p.add_argument("--out", type=Path, default=Path("build/peer-suite"),
                   help="where the JUnit files and logs go (default: build/peer-suite)")
    p.add_argument("--timeout", type=float, default=3600.0, help="seconds per run")
    p.add_argument("--stub-missing", action="store_true",
                   help="for our run, stand in empty placeholders for the modules other "
                        f"issues bring ({', '.join(PENDING_MODULES)}) when they are missing")
    p.add_argument("--list", action="store_true",
                   help="list every test that passes with aerospike-py and not with ours")
    p.add_argument("pytest_args", nargs="*", help="passed on to pytest (after --)")
    args = p.parse_args(argv)

    checkout = args.checkout.resolve()
    if not (checkout / "tests" / "__init__.py").exists():
        p.error(f"{checkout} has no tests/__init__.py: give the folder that holds tests/")
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    sides = {"aspy": args.aspy_python, "ours": args.ours_python}
    if args.only:
        sides = {args.only: sides[args.only]}

    with contextlib.ExitStack() as stack:
        if args.hosts:
            host, _, port_text = args.hosts.rpartition(":")
            host, port = host or "127.0.0.1", int(port_text)
            where = f"server {host}:{port}"
            if port != args.port and stack.enter_context(port_alias(args.port, host, port)):
                where += f" (also forwarded from 127.0.0.1:{args.port} for the feasibility tests)"
        else:
            host, port = stack.enter_context(
                embedded_server(args.ours_python, args.cluster_name, args.port,
                                out / "server.log"))
            where = "embedded server"
        results: dict[str, Results] = {}
        for name, python in sides.items():
            junit = out / f"{name}.xml"
            junit.unlink(missing_ok=True)
            started = time.monotonic()
            stub_dir = out if (name == "ours" and args.stub_missing) else None
            rc = run_suite(python, checkout, host, port, args.cluster_name, junit,
                           out / f"{name}.log", args.pytest_args, args.timeout, stub_dir)
            print(f"peer_suite: {name}: pytest exit {rc} in {time.monotonic() - started:.0f} s; "
                  f"log {out / f'{name}.log'}", flush=True)
            results[name] = Results(junit)
            if not results[name].outcome:
                print(f"peer_suite: {name}: no results (pytest exit {rc}: nothing was collected; "
                      f"see {out / f'{name}.log'})", flush=True)

    if args.stub_missing:
        where += "; ours with placeholders for missing modules (--stub-missing)"
    # --only: the other side's results of an earlier run in the same --out
    # folder still make the comparison.
    for name in ("aspy", "ours"):
        if name not in results and (out / f"{name}.xml").exists():
            results[name] = Results(out / f"{name}.xml")
            where += f"; {name} from an earlier run ({out / f'{name}.xml'})"
    results = {name: results[name] for name in ("aspy", "ours") if name in results}
    print_table(f"aerospike-py's suite ({checkout}), {where}:", results)
    if "aspy" in results and "ours" in results:
        aspy, ours = results["aspy"], results["ours"]
        if args.list:
            print_regressions(aspy, ours)
        else:
            missing = sum(1 for t, o in aspy.outcome.items()
                          if o == "passed" and ours.outcome.get(t) != "passed")
            print(f"\n{missing} tests pass with aerospike-py but not with ours (--list names them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
