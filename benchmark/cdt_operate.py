"""Collection operations in operate(): ours against aerospike-py and
aerospike-native, measured in the same run.

    .venv/bin/python benchmark/cdt_operate.py                 # embedded server
    AEROSPIKE_HOSTS=127.0.0.1:3200 .venv/bin/python benchmark/cdt_operate.py
    .venv/bin/python benchmark/cdt_operate.py --calls 4000 --rounds 5 --json out.json

Two serving-path reads, each one ``operate`` call on one record of a
feature store (records with a 1,000-entry map of str -> float and a
1,000-float list):

* ``map``  — ``map_operations.map_get_by_key_list`` of 50 of the 1,000 keys,
  ``MAP_RETURN_KEY_VALUE`` (aerospike-native: ``MapOperation.get_by_key_list``);
* ``map_ko`` — the same on a key-ordered copy of the map (the server finds
  the keys by binary search: less server time in every client's latency);
* ``list`` — ``list_operations.list_get_by_index_range``, 64 items from a
  random index, ``LIST_RETURN_VALUE`` (aerospike-native:
  ``ListOperation.get_by_index_range``).

Every client runs in its own process from its own virtualenv (ours:
.venv; aerospike-py: /root/venvs/aspy; aerospike-native:
/root/venvs/native — override with --python CLIENT=PATH), on stock asyncio
(aerospike-native's uvloop install is switched off with AEROSPIKE_NO_UVLOOP
so every client gets the same loop), through its AsyncClient. Keys and
argument lists come from one seeded generator, so all clients make the
same calls in the same order. Each client takes turns round by round (the
order rotates every round) and does, per round and scenario:

* ``serial``: one call in flight, ``--calls`` calls: latency per call (mean,
  p50, p99) and the client process's CPU time per call (all its threads);
* ``c16``: 16 calls in flight: the same, under load.

The table gives the median over rounds, then ours / aerospike-py and ours /
aerospike-native (below 1.0: ours is faster / cheaper). The machine is
shared: compare the ratios of one run, not absolute times across runs.

The ``raw-socket`` row is the floor no client can go under: the same
requests, encoded before the clock starts, written to one blocking socket
and read back whole (no parsing, no event loop, no second thread), from
.venv with the recorder's stdlib-only wire encoder
(tests/recorder/wire.py). At 1 call in flight it is the server's time plus
loopback TCP and one thread wake-up. ``--clients`` without it leaves it out.

Each worker reports which module it imported and from where; the
orchestrator refuses a run in which a client's module does not come from
that client's own virtualenv (or, for ours, lacks
``aerospike_py.__distribution__``): a worker started with the repository
on sys.path would otherwise measure our package under a peer's name.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

try:  # run from the repository root, or as a script (benchmark/ first on sys.path)
    from benchmark.raw_reply import read_reply
except ImportError:
    from raw_reply import read_reply  # type: ignore[no-redef]

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NAMESPACE = "test"
SET_NAME = "cdt_bench"
RECORDS = 200
MAP_SIZE = 1000
LIST_SIZE = 1000
KEYS_PER_CALL = 50
LIST_COUNT = 64
CONCURRENT = 16
CLIENTS = ("ours", "aerospike-py", "aerospike-native", "raw-socket")
PEERS = ("aerospike-py", "aerospike-native")
PYTHONS = {
    "ours": os.path.join(ROOT, ".venv", "bin", "python"),
    "aerospike-py": "/root/venvs/aspy/bin/python",
    "aerospike-native": "/root/venvs/native/bin/python",
    "raw-socket": os.path.join(ROOT, ".venv", "bin", "python"),
}
WIRE_PY = os.path.join(ROOT, "tests", "recorder", "wire.py")
SCENARIOS = ("map", "map_ko", "list")
SCENARIO_TITLES = {
    "map": "map_get_by_key_list, 50 of 1,000 keys, unordered map",
    "map_ko": "map_get_by_key_list, 50 of 1,000 keys, key-ordered map",
    "list": "list_get_by_index_range, 64 of 1,000 floats",
}
MODES = ("serial", "c16")


def map_key(i: int) -> str:
    return f"f{i:04d}"


def make_calls(seed: int, n: int) -> list[dict[str, Any]]:
    """The calls of one round: the record, and the keys or the index range."""
    rng = random.Random(seed)
    calls = []
    for _ in range(n):
        calls.append(
            {
                "key": rng.randrange(RECORDS),
                "keys": [map_key(i) for i in rng.sample(range(MAP_SIZE), KEYS_PER_CALL)],
                "index": rng.randrange(LIST_SIZE - LIST_COUNT),
            }
        )
    return calls


# ---------------------------------------------------------------------------
# Worker side: runs in the client's own interpreter; stdlib and the client only.
# ---------------------------------------------------------------------------


class OursDriver:
    def __init__(self, host: str, port: int) -> None:
        import aerospike_py
        from aerospike_py import list_operations, map_operations

        self.ap = aerospike_py
        self.lo, self.mo = list_operations, map_operations
        self.config = {"hosts": [(host, port)]}
        self.client: Any = None

    async def connect(self) -> None:
        self.client = await self.ap.async_client(self.config).connect()

    async def close(self) -> None:
        await self.client.close()

    async def map_call(self, call: dict[str, Any], bin: str = "m") -> Any:
        op = self.mo.map_get_by_key_list(bin, call["keys"], self.ap.MAP_RETURN_KEY_VALUE)
        record = await self.client.operate((NAMESPACE, SET_NAME, call["key"]), [op])
        return record.bins[bin]

    async def map_ko_call(self, call: dict[str, Any]) -> Any:
        return await self.map_call(call, "mk")

    async def list_call(self, call: dict[str, Any]) -> Any:
        op = self.lo.list_get_by_index_range("l", call["index"], self.ap.LIST_RETURN_VALUE, LIST_COUNT)
        record = await self.client.operate((NAMESPACE, SET_NAME, call["key"]), [op])
        return record.bins["l"]


class AerospikePyDriver(OursDriver):
    """aerospike-py has the same API as ours."""

    async def connect(self) -> None:
        self.client = self.ap.AsyncClient(self.config)
        await self.client.connect()


class NativeDriver:
    def __init__(self, host: str, port: int) -> None:
        import aerospike_native as an

        self.an = an
        self.seeds = f"{host}:{port}"
        self.client: Any = None
        self.keys = [an.Key(NAMESPACE, SET_NAME, i) for i in range(RECORDS)]

    async def connect(self) -> None:
        self.client = await self.an.new_client(self.an.ClientPolicy(), self.seeds)

    async def close(self) -> None:
        self.client.close()

    async def map_call(self, call: dict[str, Any], bin: str = "m") -> Any:
        an = self.an
        op = an.MapOperation.get_by_key_list(bin, call["keys"], an.MapReturnType.KEY_VALUE)
        record = await self.client.operate(self.keys[call["key"]], [op])
        return record.bins[bin]

    async def map_ko_call(self, call: dict[str, Any]) -> Any:
        return await self.map_call(call, "mk")

    async def list_call(self, call: dict[str, Any]) -> Any:
        an = self.an
        op = an.ListOperation.get_by_index_range("l", call["index"], LIST_COUNT, an.ListReturnType.VALUE)
        record = await self.client.operate(self.keys[call["key"]], [op])
        return record.bins["l"]


class RawSocketDriver:
    """The floor: pre-encoded requests on blocking sockets, replies read
    whole and checked for result code 0 only. Stdlib only (runs from .venv
    without importing aerospike_py)."""

    def __init__(self, host: str, port: int) -> None:
        import importlib.util

        spec = importlib.util.spec_from_file_location("cdt_bench_wire", WIRE_PY)
        assert spec is not None and spec.loader is not None
        self.wire = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = self.wire  # dataclasses look their module up
        spec.loader.exec_module(self.wire)
        self.addr = (host, port)
        self.socks: list[Any] = []
        self.buf = bytearray(1 << 20)

    def connect_all(self, n: int) -> None:
        import socket

        while len(self.socks) < n:
            s = socket.create_connection(self.addr)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.socks.append(s)

    def close(self) -> None:
        for s in self.socks:
            s.close()
        self.socks = []

    def request(self, scenario: str, call: dict[str, Any]) -> bytes:
        wire = self.wire
        if scenario == "list":
            body: list[Any] = [24, 7, call["index"], LIST_COUNT]  # get_by_index_range, VALUE
            bin_name = "l"
        else:
            body = [107, 8, call["keys"]]  # get_by_key_list, KEY_VALUE
            bin_name = "m" if scenario == "map" else "mk"
        op = wire.op(wire.OP_CDT_READ, bin_name, raw=bytes(wire.pack(body)), ptype=wire.P_BLOB)
        header = wire.Header(info1=wire.READ, timeout=1000)
        return bytes(wire.message(header, wire.record_fields(NAMESPACE, SET_NAME, call["key"]), [op]))

    def run(self, scenario: str, calls: list[dict[str, Any]], concurrency: int) -> dict[str, Any]:
        requests = [self.request(scenario, c) for c in calls]
        self.connect_all(concurrency)
        socks = self.socks[:concurrency]
        latencies: list[float] = []
        cpu0, wall0 = cpu_seconds(), time.perf_counter()
        for start in range(0, len(requests), concurrency):
            group = requests[start:start + concurrency]
            sent = []
            for sock, req in zip(socks, group):
                sent.append(time.perf_counter_ns())
                sock.sendall(req)
            for sock, t0 in zip(socks, sent):
                code = read_reply(sock, self.buf)
                latencies.append((time.perf_counter_ns() - t0) / 1000.0)
                if code != 0:
                    raise RuntimeError(f"result code {code}")
        cpu, wall = cpu_seconds() - cpu0, time.perf_counter() - wall0
        return summarize(latencies, cpu, wall)


def cpu_seconds() -> float:
    """CPU time of the whole process (every thread: the caller's and the
    client's own), at nanosecond resolution."""
    return time.process_time()


async def run_mode(fn: Any, calls: list[dict[str, Any]], concurrency: int) -> dict[str, Any]:
    import asyncio

    latencies: list[float] = []
    it = iter(calls)

    async def lane() -> None:
        for call in it:
            t0 = time.perf_counter_ns()
            result = await fn(call)
            latencies.append((time.perf_counter_ns() - t0) / 1000.0)
            if not result:
                raise RuntimeError("empty result")

    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(concurrency)))
    cpu, wall = cpu_seconds() - cpu0, time.perf_counter() - wall0
    return summarize(latencies, cpu, wall)


def summarize(latencies: list[float], cpu: float, wall: float) -> dict[str, Any]:
    latencies.sort()
    n = len(latencies)
    return {
        "calls": n,
        "mean_us": statistics.fmean(latencies),
        "p50_us": latencies[n // 2],
        "p99_us": latencies[min(n - 1, int(n * 0.99))],
        "cpu_us_per_call": cpu / n * 1e6,
        "calls_per_s": n / wall,
    }


def provenance(client: str) -> dict[str, Any]:
    """Which module this worker imported, and from which interpreter."""
    if client == "raw-socket":
        return {"prefix": sys.prefix, "module": WIRE_PY, "distribution": None}
    name = "aerospike_native" if client == "aerospike-native" else "aerospike_py"
    module = sys.modules[name]
    return {"prefix": sys.prefix, "module": os.path.realpath(module.__file__ or ""),
            "distribution": getattr(module, "__distribution__", None)}


def check_provenance(client: str, python: str, seen: dict[str, Any]) -> None:
    """Refuses a worker that measured another client than it claims."""
    prefix = os.path.realpath(seen["prefix"])
    if client == "raw-socket":
        return
    # Ours is installed editable into .venv: its package is this tree's.
    homes = [prefix] + ([os.path.join(os.path.realpath(ROOT), "aerospike_py")] if client == "ours" else [])
    if not any(seen["module"].startswith(h + os.sep) for h in homes):
        raise RuntimeError(f"{client}: imported {seen['module']}, outside {homes}")
    if (client == "ours") != (seen["distribution"] == "aerospike-uv"):
        raise RuntimeError(f"{client}: imported a module with __distribution__ "
                           f"{seen['distribution']!r} from {seen['module']}")


def raw_worker_main(args: argparse.Namespace) -> None:
    host, _, port = args.host.rpartition(":")
    driver = RawSocketDriver(host, int(port))
    out: dict[str, Any] = {}
    try:
        warm = make_calls(args.seed + 999, 300)
        for scenario in SCENARIOS:
            driver.run(scenario, warm, 4)
            calls = make_calls(args.seed, args.calls)
            out[scenario] = {
                "serial": driver.run(scenario, calls, 1),
                "c16": driver.run(scenario, calls, CONCURRENT),
            }
    finally:
        driver.close()
    out["provenance"] = provenance("raw-socket")
    print(json.dumps(out), flush=True)


def worker_main(args: argparse.Namespace) -> None:
    import asyncio

    if args.worker == "raw-socket":
        raw_worker_main(args)
        return
    host, _, port = args.host.rpartition(":")
    driver: Any = {"ours": OursDriver, "aerospike-py": AerospikePyDriver, "aerospike-native": NativeDriver}[
        args.worker
    ](host, int(port))

    async def main() -> dict[str, Any]:
        await driver.connect()
        try:
            out: dict[str, Any] = {}
            warm = make_calls(args.seed + 999, 300)
            for scenario in SCENARIOS:
                fn = getattr(driver, f"{scenario}_call")
                await run_mode(fn, warm, 4)
                calls = make_calls(args.seed, args.calls)
                out[scenario] = {
                    "serial": await run_mode(fn, calls, 1),
                    "c16": await run_mode(fn, calls, CONCURRENT),
                }
            # One answer for the parity check in the orchestrator.
            call = make_calls(args.seed, 1)[0]
            out["sample"] = {
                "map": sorted(_pairs(await driver.map_call(call))),
                "map_ko": sorted(_pairs(await driver.map_ko_call(call))),
                "list": list(await driver.list_call(call)),
            }
            out["provenance"] = provenance(args.worker)
            return out
        finally:
            await driver.close()

    result = asyncio.run(main())
    print(json.dumps(result), flush=True)


def _pairs(value: Any) -> list[tuple[str, float]]:
    """KEY_VALUE results as (key, value) pairs, whatever shape the client uses."""
    if isinstance(value, dict):
        return [(str(k), float(v)) for k, v in value.items()]
    return [(str(k), float(v)) for k, v in value]


# ---------------------------------------------------------------------------
# Orchestrator side
# ---------------------------------------------------------------------------


def load_data(host: str) -> None:
    import aerospike_py

    h, _, p = host.rpartition(":")
    client = aerospike_py.client({"hosts": [(h, int(p))]}).connect()
    try:
        for i in range(RECORDS):
            rng = random.Random(i)
            features = {map_key(j): rng.random() for j in range(MAP_SIZE)}
            client.put(
                (NAMESPACE, SET_NAME, i),
                {
                    "m": features,
                    "mk": aerospike_py.KeyOrderedDict(features),
                    "l": [rng.random() for _ in range(LIST_SIZE)],
                },
            )
    finally:
        client.close()


def start_embedded() -> tuple[subprocess.Popen[bytes], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "aerospike_py.server", "--port", "0"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise RuntimeError(f"the embedded server did not start: {line!r}")
    return proc, f"127.0.0.1:{int(line.rsplit(':', 1)[1])}"


def run_worker(client: str, python: str, host: str, seed: int, calls: int) -> dict[str, Any]:
    env = dict(os.environ)
    env["AEROSPIKE_NO_UVLOOP"] = "1"
    env.pop("PYTHONPATH", None)
    with tempfile.TemporaryDirectory() as scratch:
        out = subprocess.run(
            [python, "-s", os.path.abspath(__file__), "--worker", client, "--host", host,
             "--seed", str(seed), "--calls", str(calls)],
            cwd=scratch, env=env, capture_output=True, text=True, timeout=1800,
        )
    if out.returncode != 0:
        raise RuntimeError(f"{client} worker failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    check_provenance(client, python, result["provenance"])
    return result


def median_of(rounds: list[dict[str, Any]], scenario: str, mode: str, metric: str) -> float:
    return statistics.median(r[scenario][mode][metric] for r in rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", choices=CLIENTS, help=argparse.SUPPRESS)
    parser.add_argument("--host", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--calls", type=int, default=3000, help="calls per scenario and mode per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", default=",".join(CLIENTS))
    parser.add_argument("--python", action="append", default=[], metavar="CLIENT=PATH")
    parser.add_argument("--json", help="write every measurement here")
    args = parser.parse_args()
    if args.worker:
        sys.path.pop(0)  # never import from benchmark/ in a client's interpreter
        worker_main(args)
        return

    pythons = dict(PYTHONS)
    for item in args.python:
        name, _, path = item.partition("=")
        pythons[name] = path
    clients = [c for c in args.clients.split(",") if c]
    hosts = os.environ.get("AEROSPIKE_HOSTS", "").split(",")[0]
    server = None
    if not hosts:
        server, hosts = start_embedded()
    try:
        load_data(hosts)
        results: dict[str, list[dict[str, Any]]] = {c: [] for c in clients}
        for r in range(args.rounds):
            order = clients[r % len(clients):] + clients[: r % len(clients)]
            for client in order:
                print(f"round {r + 1}/{args.rounds}: {client}", file=sys.stderr)
                results[client].append(run_worker(client, pythons[client], hosts, args.seed + r, args.calls))
    finally:
        if server is not None:
            server.terminate()
            server.wait()

    samples = {c: results[c][0]["sample"] for c in clients if "sample" in results[c][0]}
    same = all(s == next(iter(samples.values())) for s in samples.values())
    print(f"\noperate() on {hosts}: {RECORDS} records, map of {MAP_SIZE} str->float, list of {LIST_SIZE} "
          f"floats; {args.calls} calls x {args.rounds} rounds per client; medians over rounds")
    print(f"all clients returned the same values: {same}")
    for c in clients:
        seen = results[c][0]["provenance"]
        print(f"  {c}: {seen['module']} (python {seen['prefix']})")
    metrics = (("mean_us", "mean us"), ("p99_us", "p99 us"), ("cpu_us_per_call", "CPU us/call"))
    for scenario in SCENARIOS:
        for mode in MODES:
            print(f"\n{SCENARIO_TITLES[scenario]}: "
                  f"{'1 call in flight' if mode == 'serial' else f'{CONCURRENT} calls in flight'}")
            header = f"{'client':<24}" + "".join(f"{label:>13}" for _, label in metrics) + f"{'calls/s':>11}"
            print(header)
            for c in clients:
                row = f"{c:<24}" + "".join(f"{median_of(results[c], scenario, mode, m):>13.1f}" for m, _ in metrics)
                row += f"{median_of(results[c], scenario, mode, 'calls_per_s'):>11.0f}"
                print(row)
            if "ours" in clients:
                for other in clients:
                    if other not in PEERS:
                        continue
                    ratios = "".join(
                        f"{median_of(results['ours'], scenario, mode, m) / median_of(results[other], scenario, mode, m):>13.2f}"
                        for m, _ in metrics
                    )
                    print(f"{'ours/' + other:<24}{ratios}")
            if "raw-socket" in clients:
                floor = median_of(results["raw-socket"], scenario, mode, "mean_us")
                above = ", ".join(
                    f"{c} {median_of(results[c], scenario, mode, 'mean_us') - floor:.1f}"
                    for c in clients if c != "raw-socket")
                print(f"mean us above the raw-socket floor: {above}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"calls": args.calls, "rounds": args.rounds, "host": hosts, "results": results}, f)


if __name__ == "__main__":
    main()
