"""Runs a whole benchmark: server, data, Env A/B/C for every client, results.

The orchestrator owns no client library. It starts the target (the embedded
server in its own process unless AEROSPIKE_HOSTS names a cluster), loads the
nine sets through a loader worker, then for each scenario lets every client
take its turn (order reversed on every other scenario, so no client always
goes first), each in its own process and interpreter. Env B/C apps are
uvicorn processes of their own; the load generator runs here. Everything
measured is kept raw in results.json; report.md and the plots are derived
from it (and can be regenerated from it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from . import clients as clients_mod
from . import loadgen, stats, sysinfo, target as target_mod
from .progress import Progress
from .workerproc import NativeWorker, PythonWorker, WorkerError, WORKERS_DIR
from .workers.aspy_bench import dataset

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")


@dataclass
class Config:
    """Everything that shapes a run; `preset()` gives the full and quick ones."""

    quick: bool = False
    envs: str = "ABC"
    clients: list[str] = field(default_factory=lambda: list(clients_mod.DEFAULT_CLIENTS))
    namespace: str = "test"
    hosts: str | None = None  # None: embedded server
    nodes: int = 1
    records_per_set: int = 20_000
    seed: int = 20260416
    # Env A
    sets: list[str] = field(default_factory=lambda: list(dataset.SET_NAMES))
    batch_sizes: list[int] = field(default_factory=lambda: [50, 200])
    concurrency: int = 10
    warmup: int = 5
    iterations: int = 50
    loop: str = "asyncio"
    # GIL contention (A: these sets; B: this level; C: these modes)
    gil: bool = True
    gil_sets: list[str] = field(default_factory=lambda: ["set_1"])
    gil_baseline_s: float = 2.0
    # Env A calls per caller with the competitor running: enough for seconds of
    # measurement, since the GIL changes hands only every switch interval (5 ms).
    gil_iterations: int = 200
    # Env B
    b_levels: list[int] = field(default_factory=lambda: [5, 10, 50])
    b_batch: int = 200
    b_duration_s: float = 20.0
    b_warmup_s: float = 3.0
    b_gil_level: int = 10
    # Env C
    # "ramp" is the stress ramp: idle, then c_ramp_stages concurrent users in
    # turn (c_ramp_mode requests), c_ramp_stage_s each, p95 per stage.
    c_modes: list[str] = field(default_factory=lambda: ["single", "gather", "merge_gather",
                                                        "ramp"])
    c_ramp_stages: list[int] = field(default_factory=lambda: [20, 50])
    c_ramp_mode: str = "gather"
    c_ramp_stage_s: float = 15.0
    c_ramp_settle_s: float = 1.0
    c_concurrency: int = 10
    c_keys: int = 200
    c_duration_s: float = 30.0
    c_warmup_s: float = 5.0
    c_gil_modes: list[str] = field(default_factory=lambda: ["single"])
    model_threads: int = 1
    # Env B/C apps call gc.freeze() once connected and loaded (every app alike):
    # the start-up heap (FastAPI, PyTorch) then stays out of full collections.
    gc_freeze: bool = False
    app_loop: str = "auto"
    request_timeout_s: float = 10.0
    timeout_ms: int | None = None  # per-call total_timeout; None: each client's default
    # TLS: the embedded server also listens for TLS (certificates made for the
    # run); the clients that speak TLS use it, `ours-async-clear` does not.
    tls: bool = False
    overrides: dict[str, str] = field(default_factory=dict)
    only_python: str | None = None  # every Python client from this interpreter only
    out_dir: str | None = None


def preset(quick: bool) -> Config:
    """The full benchmark, or `--quick`: the same pipeline in seconds."""
    if not quick:
        return Config()
    return Config(quick=True, records_per_set=300, warmup=1, iterations=3,
                  gil_baseline_s=0.3, gil_iterations=10, b_duration_s=1.0, b_warmup_s=0.3,
                  c_duration_s=1.5, c_warmup_s=0.5, c_ramp_stages=[2, 4], c_ramp_stage_s=1.5,
                  c_ramp_settle_s=0.2,
                  request_timeout_s=10.0)


class Runner:
    """One run: holds the processes it started and the results so far."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.info = sysinfo.collect()
        # Absolute: the plots and apps run in other processes with their own cwd.
        self.out_dir = os.path.abspath(cfg.out_dir or os.path.join(RESULTS, sysinfo.run_dir_name(self.info)))
        os.makedirs(os.path.join(self.out_dir, "logs"), exist_ok=True)
        self.scratch = tempfile.mkdtemp(prefix="aspy-bench-")
        self.logs: list[IO[bytes]] = []
        self.target: target_mod.Target | None = None
        self.server_pids: list[int] = []  # for the server's CPU time per run
        self.workers: dict[str, PythonWorker | NativeWorker] = {}
        self.apps: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
        self.notes: list[str] = []
        self.resolved: list[clients_mod.Resolved] = []
        self.results: dict[str, Any] = {"meta": {}, "env_a": {"runs": [], "failures": []},
                                        "env_b": {"runs": [], "failures": []},
                                        "env_c": {"runs": [], "failures": []}}
        self.progress = Progress()

    # --- plumbing -------------------------------------------------------

    def log(self, name: str) -> IO[bytes]:
        f = open(os.path.join(self.out_dir, "logs", f"{name}.log"), "ab")
        self.logs.append(f)
        return f

    def note(self, text: str) -> None:
        self.notes.append(text)
        self.progress.message(text)

    def close(self) -> None:
        for w in self.workers.values():
            w.close()
        self.workers.clear()
        for proc, _port in self.apps.values():
            _stop_process(proc)
        self.apps.clear()
        if self.target is not None:
            self.target.stop()
        for f in self.logs:
            f.close()
        shutil.rmtree(self.scratch, ignore_errors=True)
        self.progress.done()

    # --- phases ---------------------------------------------------------

    def run(self) -> dict[str, Any]:
        cfg = self.cfg
        try:
            self.progress.message("resolving clients")
            resolved = clients_mod.resolve(cfg.clients, cfg.overrides, cfg.only_python)
            self.resolved = resolved
            if cfg.tls:
                if cfg.hosts or os.environ.get("AEROSPIKE_HOSTS"):
                    raise RuntimeError("--tls runs against the embedded server only "
                                       "(it makes the certificates)")
                if cfg.envs != "A":
                    self.note("--tls measures Env A only")
                    cfg.envs = "A"
                for r in resolved:
                    if r.available and r.spec.name in clients_mod.NO_TLS:
                        r.skipped = "no TLS support (the run is over TLS)"
            for r in resolved:
                if not r.available:
                    self.note(f"client {r.spec.name} not run: {r.skipped}")
            self.start_target(resolved)
            plans = dataset.plan(cfg.records_per_set)
            self.load_data(resolved)
            self.results["meta"] = self.meta(resolved, plans)
            if "A" in cfg.envs:
                self.env_a(resolved, plans)
            if "B" in cfg.envs or "C" in cfg.envs:
                self.env_bc(resolved)
        finally:
            self.info["loadavg_end"] = sysinfo.loadavg()
            if self.resolved and self.target is not None:
                # Again at the end: a client whose worker failed is now marked so.
                self.results["meta"] = self.meta(self.resolved, dataset.plan(cfg.records_per_set))
            self.results.setdefault("meta", {})
            self.results["meta"]["system"] = self.info
            self.results["notes"] = self.notes
            self.close()
        return self.results

    def start_target(self, resolved: list[clients_mod.Resolved]) -> None:
        cfg = self.cfg
        hosts = cfg.hosts or os.environ.get("AEROSPIKE_HOSTS")
        if cfg.clients == ["fake"] or all(r.spec.library == "fake" for r in resolved):
            self.target = target_mod.Target([("127.0.0.1", 0)], cfg.namespace, "none")
            return
        if hosts:
            self.progress.message(f"target: external {hosts}")
            self.target = target_mod.external(hosts, cfg.namespace)
            self.server_pids = self.target.server_pids()
            return
        ours = next((r for r in resolved if r.spec.library == "ours" and r.available), None)
        python = ours.python if ours is not None else sys.executable
        assert python is not None
        tls = None
        if cfg.tls:
            tls = target_mod.make_certificates(python, os.path.join(self.scratch, "pki"))
        self.progress.message(f"starting the embedded server ({python} -m aerospike_py.server"
                              f"{' with TLS' if tls else ''})")
        self.target = target_mod.start_embedded(python, cfg.nodes, cfg.namespace,
                                                self.log("server"), tls=tls)
        self.server_pids = self.target.server_pids()

    def load_data(self, resolved: list[clients_mod.Resolved]) -> None:
        assert self.target is not None
        if self.target.kind == "none":
            self.results["load"] = {"via": "none", "loaded": 0}
            return
        order = {"official": 0, "ours": 1, "aerospike-py": 2}
        pythons = sorted(((order.get(r.spec.library, 9), r.python) for r in resolved
                          if r.available and r.python), key=lambda t: t[0])
        if not pythons:
            pythons = [(9, sys.executable)]
        last_error = ""
        for _rank, python in pythons:
            assert python is not None
            w = PythonWorker(python, "loader", self.log("loader"), self.scratch)
            try:
                self.progress.message(f"loading {self.cfg.records_per_set} records x 8 sets")
                res = w.call({"cmd": "load", "hosts": self.target.hosts,
                              "namespace": self.cfg.namespace,
                              "records_per_set": self.cfg.records_per_set}, timeout=3600)
                res.pop("ok", None)
                res["python"] = python
                self.results["load"] = res
                return
            except WorkerError as exc:
                last_error = str(exc)
            finally:
                w.close()
        raise RuntimeError(f"could not load the data set: {last_error}")

    def meta(self, resolved: list[clients_mod.Resolved],
             plans: list[dataset.SetPlan]) -> dict[str, Any]:
        assert self.target is not None
        cfg = asdict(self.cfg)
        return {
            "config": cfg,
            "target": self.target.describe(),
            "plan": [asdict(p) for p in plans],
            "clients": {r.spec.name: {
                "library": r.spec.library, "driver": r.spec.driver, "envs": r.spec.envs,
                "description": r.spec.description, "available": r.available,
                "skipped": r.skipped, "python": r.python, "binary": r.binary,
                "binary_older_than": sysinfo.newer_sources(
                    r.binary, ("common", "proto", "cluster", "tls", "io", "client"))[:10]
                if r.binary else [],
                "python_version": r.hello.get("python"),
                "identity": r.hello.get("identity"),
                "capabilities": r.hello.get("capabilities")} for r in resolved},
        }

    # --- Env A ----------------------------------------------------------

    def a_worker(self, r: clients_mod.Resolved) -> PythonWorker | NativeWorker | None:
        name = r.spec.name
        if name in self.workers:
            return self.workers[name]
        assert self.target is not None
        try:
            w: PythonWorker | NativeWorker
            if r.spec.library == "native":
                assert r.binary is not None
                w = NativeWorker(r.binary, self.target.hosts_text(), name, self.log(name),
                                 self.scratch, values=r.spec.driver == "native-values")
                w.call({"cmd": "hello"}, timeout=60)
            else:
                assert r.python is not None
                w = PythonWorker(r.python, name, self.log(name), self.scratch)
                policy = {"total_timeout": self.cfg.timeout_ms} if self.cfg.timeout_ms else None
                over_tls = self.cfg.tls and r.spec.name != clients_mod.CLEAR_BASELINE.name
                w.call({"cmd": "connect", "driver": r.spec.driver, "library": r.spec.library,
                        "hosts": self.target.tls_hosts if over_tls else self.target.hosts,
                        "tls": self.target.tls_client if over_tls else None,
                        "policy": policy, "concurrency": self.cfg.concurrency,
                        "loop": self.cfg.loop,
                        "plan": [asdict(p) for p in dataset.plan(self.cfg.records_per_set)]},
                       timeout=120)
        except WorkerError as exc:
            self.results["env_a"]["failures"].append({"client": name, "error": str(exc)})
            self.progress.message(f"env A: {name} could not start: {str(exc).splitlines()[0]}")
            r.skipped = f"env A worker failed: {str(exc).splitlines()[0]}"
            return None
        self.workers[name] = w
        return w

    def env_a(self, resolved: list[clients_mod.Resolved], plans: list[dataset.SetPlan]) -> None:
        cfg = self.cfg
        runners = [r for r in resolved if r.available and "A" in r.spec.envs]
        space = {p.name: p.key_space for p in plans}
        scenarios: list[tuple[str, int, bool]] = [
            (s, b, False) for b in cfg.batch_sizes for s in cfg.sets]
        if cfg.gil:
            scenarios += [(s, b, True) for b in cfg.batch_sizes for s in cfg.gil_sets]
        self.progress.start_phase("env A", len(scenarios) * len(runners))
        for i, (set_name, batch, with_gil) in enumerate(scenarios):
            order = runners if i % 2 == 0 else list(reversed(runners))
            for r in order:
                if with_gil and r.spec.library == "native":
                    self.progress.step(f"A {set_name} b={batch} gil {r.spec.name} (n/a)")
                    continue
                label = f"A {set_name} b={batch}{' +gil' if with_gil else ''} {r.spec.name}"
                self.progress.step(label)
                if not r.available:  # its worker failed to start earlier
                    continue
                w = self.a_worker(r)
                if w is None:
                    continue
                cmd = {"cmd": "env_a", "namespace": cfg.namespace, "set": set_name,
                       "batch": batch, "concurrency": cfg.concurrency, "warmup": cfg.warmup,
                       "iterations": cfg.gil_iterations if with_gil else cfg.iterations,
                       "key_space": space[set_name],
                       "seed": dataset.scenario_seed("A", set_name, batch, cfg.seed),
                       "gil": with_gil, "gil_baseline_s": cfg.gil_baseline_s}
                try:
                    raw = w.call(cmd, timeout=1800)
                except WorkerError as exc:
                    self.results["env_a"]["failures"].append(
                        {"client": r.spec.name, "set": set_name, "batch": batch,
                         "gil": with_gil, "error": str(exc)})
                    self.progress.message(f"env A: {label} failed: {str(exc).splitlines()[0]}")
                    continue
                raw.pop("ok", None)
                raw["latencies_ms"] = [round(x, 4) for x in raw.get("latencies_ms", [])]
                self.results["env_a"]["runs"].append(
                    {"client": r.spec.name, "set": set_name, "batch": batch, "gil": with_gil,
                     "summary": stats.summarize(raw["latencies_ms"]), "raw": raw})
        for name in [r.spec.name for r in runners]:
            w = self.workers.pop(name, None)
            if w is not None:
                w.close()

    # --- Env B / C ------------------------------------------------------

    def start_app(self, r: clients_mod.Resolved, with_model: bool) -> int | None:
        assert self.target is not None and r.python is not None
        port = target_mod.free_port()
        argv = [r.python, "-E", "-s", os.path.join(WORKERS_DIR, "run_app.py"),
                "--client", r.spec.name, "--driver", r.spec.driver, "--library", r.spec.library,
                "--hosts", self.target.hosts_text(), "--namespace", self.cfg.namespace,
                "--records-per-set", str(self.cfg.records_per_set), "--port", str(port),
                "--seed", str(self.cfg.seed), "--model-threads", str(self.cfg.model_threads),
                "--loop", self.cfg.app_loop, "--timeout-ms", str(self.cfg.timeout_ms or 0)]
        if with_model:
            argv.append("--model")
        if self.cfg.gc_freeze:
            argv.append("--gc-freeze")
        log = self.log(f"app-{r.spec.name}")
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                cwd=self.scratch)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return None
            try:
                health = _get_json(port, "/health", timeout=2)
            except (OSError, ValueError):
                time.sleep(0.2)
                continue
            self.apps[r.spec.name] = (proc, port)
            self.results.setdefault("apps", {})[r.spec.name] = health
            return port
        _stop_process(proc)
        return None

    def bc_failure(self, r: clients_mod.Resolved, why: str) -> None:
        self.progress.message(f"env B/C: {r.spec.name} {why}")
        for env in ("env_b", "env_c"):
            if env[-1].upper() in self.cfg.envs:
                self.results[env]["failures"].append({"client": r.spec.name, "error": why})

    def env_bc(self, resolved: list[clients_mod.Resolved]) -> None:
        cfg = self.cfg
        want_c = "C" in cfg.envs
        runners: list[clients_mod.Resolved] = []
        for r in resolved:
            if not r.available or not ({"B", "C"} & set(r.spec.envs) & set(cfg.envs)):
                continue
            missing = [p for p in ("fastapi", "uvicorn") if not r.can(p)]
            if missing:
                self.bc_failure(r, f"not run: {', '.join(missing)} not installed in {r.python}")
                continue
            runners.append(r)
        if not runners:
            return
        self.progress.message("starting the Env B/C apps")
        ports: dict[str, int] = {}
        for r in runners:
            port = self.start_app(r, with_model=want_c)
            if port is None:
                why = _last_line(os.path.join(self.out_dir, "logs", f"app-{r.spec.name}.log"))
                self.bc_failure(r, f"app did not start: {why} (logs/app-{r.spec.name}.log)")
                continue
            ports[r.spec.name] = port
        runners = [r for r in runners if r.spec.name in ports]
        if "B" in cfg.envs:
            self.env_b([r for r in runners if "B" in r.spec.envs], ports)
        if want_c:
            self.env_c([r for r in runners if "C" in r.spec.envs], ports)

    def _drive(self, env: str, r: clients_mod.Resolved, port: int, paths: list[str],
               concurrency: int, duration: float, warmup: float, with_gil: bool,
               extra: dict[str, Any]) -> None:
        cfg = self.cfg
        record: dict[str, Any] = {"client": r.spec.name, "concurrency": concurrency,
                                  "gil": with_gil, **extra}
        try:
            gil: dict[str, float] = {}
            if with_gil:
                _get_json(port, "/gil/start")
                _get_json(port, "/gil/mark")
                time.sleep(cfg.gil_baseline_s)
                gil["baseline_rate"] = float(_get_json(port, "/gil/rate")["rate"])
                _get_json(port, "/gil/mark")
            _get_json(port, "/stats/reset")
            # The server's and the load generator's CPU over the same span as
            # the app's own (/stats/reset .. /stats): on a small machine every
            # process shares the cores, so each one's CPU per request shows
            # whose work dominates.
            server_cpu0 = target_mod.cpu_seconds(self.server_pids)
            load_cpu0 = time.process_time()
            res = loadgen.run_load_sync("127.0.0.1", port, paths, concurrency, duration,
                                        warmup, cfg.request_timeout_s)
            load_cpu = time.process_time() - load_cpu0
            server_cpu1 = target_mod.cpu_seconds(self.server_pids)
            if with_gil:
                gil["during_rate"] = float(_get_json(port, "/gil/rate")["rate"])
                _get_json(port, "/gil/stop")
            server = _get_json(port, "/stats")
        except (OSError, ValueError, KeyError) as exc:
            self.results[env]["failures"].append({**record, "error": f"{type(exc).__name__}: {exc}"})
            self.progress.message(f"{env}: {r.spec.name} failed: {exc}")
            return
        load = res.as_dict()
        load["latencies_ms"] = [round(x, 4) for x in res.latencies_ms]
        record.update({
            "load": load, "gil_rates": gil,
            "summary": {**stats.summarize(res.latencies_ms), "tps": res.tps,
                        "errors": res.errors},
            "server": {name: stats.summarize(vals)
                       for name, vals in server.get("timings", {}).items()},
            "server_errors": server.get("errors", 0),
            "process": server.get("process"),
            "server_cpu_s": (None if server_cpu0 is None or server_cpu1 is None
                             else server_cpu1 - server_cpu0),
            "loadgen_cpu_s": load_cpu,
            "stage_stats": server.get("stage_stats"),
        })
        self.results[env]["runs"].append(record)

    def env_b(self, runners: list[clients_mod.Resolved], ports: dict[str, int]) -> None:
        cfg = self.cfg
        paths = [f"/batch?set={s}&n={cfg.b_batch}" for s in cfg.sets]
        jobs = [(lvl, False) for lvl in cfg.b_levels]
        if cfg.gil:
            jobs.append((cfg.b_gil_level, True))
        self.progress.start_phase("env B", len(jobs) * len(runners))
        for i, (level, with_gil) in enumerate(jobs):
            order = runners if i % 2 == 0 else list(reversed(runners))
            for r in order:
                self.progress.step(f"B c={level}{' +gil' if with_gil else ''} {r.spec.name}")
                self._drive("env_b", r, ports[r.spec.name], paths, level, cfg.b_duration_s,
                            cfg.b_warmup_s, with_gil, {"batch": cfg.b_batch})

    def env_c(self, runners: list[clients_mod.Resolved], ports: dict[str, int]) -> None:
        cfg = self.cfg
        jobs = [(m, False) for m in cfg.c_modes]
        if cfg.gil:
            jobs += [(m, True) for m in cfg.c_gil_modes]
        self.progress.start_phase("env C", len(jobs) * len(runners))
        for i, (mode, with_gil) in enumerate(jobs):
            order = runners if i % 2 == 0 else list(reversed(runners))
            for r in order:
                self.progress.step(f"C {mode}{' +gil' if with_gil else ''} {r.spec.name}")
                if mode == "ramp":
                    self._ramp(r, ports[r.spec.name])
                    continue
                paths = [f"/predict?mode={mode}&n={cfg.c_keys}"]
                self._drive("env_c", r, ports[r.spec.name], paths, cfg.c_concurrency,
                            cfg.c_duration_s, cfg.c_warmup_s, with_gil, {"mode": mode})

    def _ramp(self, r: clients_mod.Resolved, port: int) -> None:
        """The stress ramp: from idle to each stage's users in turn, back to
        back (a short settle at each step is not measured); one run per
        stage, recorded as mode `ramp <users>`."""
        cfg = self.cfg
        paths = [f"/predict?mode={cfg.c_ramp_mode}&n={cfg.c_keys}"]
        for users in cfg.c_ramp_stages:
            self._drive("env_c", r, port, paths, users, cfg.c_ramp_stage_s,
                        cfg.c_ramp_settle_s, False,
                        {"mode": f"ramp {users}", "ramp_mode": cfg.c_ramp_mode,
                         "ramp_stage": users})


def _last_line(path: str) -> str:
    """The last non-empty line of a log (usually the exception)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = [ln.strip() for ln in f if ln.strip()]
    except OSError:
        return "no log"
    return lines[-1][:300] if lines else "empty log"


def _get_json(port: int, path: str, timeout: float = 30.0) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as resp:
        data: dict[str, Any] = json.loads(resp.read())
        return data


def _stop_process(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def write_results(results: dict[str, Any], out_dir: str) -> str:
    path = os.path.join(out_dir, "results.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1, default=str, allow_nan=True)
    return path
