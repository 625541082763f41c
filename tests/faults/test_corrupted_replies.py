"""Corrupted replies never come back as successful answers.

A corrupting proxy (corrupting_proxy.py) sits between the client and the
server (the embedded one, or a real one with AEROSPIKE_HOSTS) and corrupts a
share of the replies with one kind of corruption at a time. Thousands of
commands of every kind (get, select, exists, put, operate, batch_read,
batch_write, info) run through it, concurrently, on a few pooled
connections.

What counts: every command that returns without raising is compared with
the truth the test wrote (every bin, its type and value; existence; the
info value), and a difference is a **wrong success**. A failed command is
fine. Writes whose outcome is unknown (they failed) widen the truth of
their key to "old or new".

The one exception is a forgery no client can detect: the Aerospike wire has
no checksum and no request id, so a reply changed inside a bin's value (or
its particle type, a result code, a bin name of an all-bins read, an info
value), or swapped with the answer to another single-record request, can be
well formed and fit its request. The proxy logs each such forgery with the
key it touched; a wrong success on that key is *excused*, once per forgery
(for a swap only when the answer is exactly what the other request would
rightly get). Everything else (desynchronised streams, lengths, headers,
bytes left behind, stale answers, batch and info answers delivered to the
wrong request, answers that do not fit their request) must yield zero
wrong successes, and the debug counters return to zero afterwards.

The printed table has, per corruption kind: commands issued, replies the
proxy corrupted, commands the client retried, connections it opened (the
pool's first ones, plus one for every connection closed on a bad reply),
commands that failed, wrong successes excused as above, and the rest
(``wrong``, must be 0); then the commands issued per command.
"""

from __future__ import annotations

import asyncio
import collections
import os
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import aerospike_py
from aerospike_py import _core
from aerospike_py.exception import AerospikeError, RecordNotFound
from aerospike_py.testing import ServerHandle

from .corrupting_proxy import KINDS, CorruptingProxy, Forgery

# Commands per corruption kind and the share of replies corrupted. The CI
# run keeps to seconds; FAULT_COMMANDS raises it for a long run.
COMMANDS_PER_KIND = int(os.environ.get("FAULT_COMMANDS", "400"))
RATE = float(os.environ.get("FAULT_RATE", "0.1"))
CONCURRENCY = 16
POLICY = {"socket_timeout": 300, "total_timeout": 3000, "max_retries": 2}
INFO_COMMANDS = ("build", "namespaces", "status", "edition")

Key = tuple[str, str, Any]


@dataclass
class Tally:
    """What one corruption kind did."""

    failures: int = 0
    # Commands issued, per command (get, select, ...).
    by_command: collections.Counter[str] = field(default_factory=collections.Counter)
    # The client's debug counters over the run: connections it opened (each
    # one closed for a bad reply is replaced) and commands it retried.
    connections_opened: int = 0
    retried: int = 0
    wrong: list[str] = field(default_factory=list)  # (kind of command, key, what)
    excused: int = 0
    corrupted: int = 0


def _truth_bins(i: int) -> dict[str, Any]:
    # Every key's record is different in content and in shape.
    bins: dict[str, Any] = {"id": i, "name": f"rec-{i:04d}-" + "x" * (i % 7)}
    if i % 2 == 0:
        bins["blob"] = bytes([i % 256]) * (1 + i % 5)
    if i % 3 == 0:
        bins["f"] = i / 8
    if i % 4 == 0:
        bins["list"] = [i, str(i), [i, i + 1]]
    if i % 5 == 0:
        bins["map"] = {"k": i, "s": "v" * (i % 3)}
    return bins


class World:
    """The truth: records, absent keys, write candidates, info values."""

    def __init__(self, ns: str) -> None:
        set_name = "corrupt" + uuid.uuid4().hex[:8]
        self.read_keys: list[Key] = [(ns, set_name, i) for i in range(60)]
        self.absent_keys: list[Key] = [(ns, set_name, f"absent-{i}") for i in range(8)]
        self.write_keys: list[Key] = [(ns, set_name, f"w{i}") for i in range(24)]
        self.truth: dict[Any, dict[str, Any]] = {k[2]: _truth_bins(k[2]) for k in self.read_keys}
        # Write keys: every record they may hold (a failed write may or may
        # not have been applied).
        self.candidates: dict[Any, list[dict[str, Any]]] = {}
        self.digests: dict[bytes, Any] = {}
        self.info: dict[str, str] = {}
        # Write keys: every record they ever held or were sent (a swapped
        # answer may come from any moment of the other key's life).
        self.history: dict[Any, list[dict[str, Any] | None]] = {}
        # Write keys: values of writes that failed. A failed write may still
        # be applied later (a timed-out request can reach the server after
        # the next write), so each stays possible for good.
        self.in_doubt: dict[Any, list[dict[str, Any]]] = collections.defaultdict(list)
        self.write_serial = 0
        self.busy: set[Any] = set()  # write keys with a write in flight
        self.reading: collections.Counter[Any] = collections.Counter()  # reads in flight

    def written(self, user_key: Any, bins: dict[str, Any]) -> None:
        """A write succeeded: the key holds it (or a late failed write)."""
        self.candidates[user_key] = [bins, *self.in_doubt[user_key]]

    def failed(self, user_key: Any, bins: dict[str, Any]) -> None:
        """A write failed: it may or may not apply, now or later."""
        self.in_doubt[user_key].append(bins)
        self.candidates.setdefault(user_key, [None]).append(bins)

    def ever_held(self, user_key: Any) -> list[dict[str, Any] | None]:
        """Every value this key held at any time of the run."""
        if user_key in self.history:
            return self.history[user_key]
        return self.may_hold(user_key)

    def may_hold(self, user_key: Any) -> list[dict[str, Any] | None]:
        """Every value a read of this key may rightly return (None: absent)."""
        if user_key in self.truth:
            return [self.truth[user_key]]
        if user_key in self.candidates:
            return list(self.candidates[user_key])
        return [None]


def _project(bins: dict[str, Any] | None, names: list[str]) -> dict[str, Any] | None:
    if bins is None:
        return None
    return {n: bins[n] for n in names if n in bins}


class Checker:
    """Runs random commands and compares every success with the truth."""

    def __init__(self, world: World, client: aerospike_py.AsyncClient, seed: int) -> None:
        self.world = world
        self.client = client
        self.rng = random.Random(seed)
        self.tally = Tally()
        # (user key or info line, what came back) of every wrong success.
        self.wrong: list[tuple[Any, Any]] = []

    def _wrong(self, command: str, user_key: Any, got: Any) -> None:
        self.tally.wrong.append(f"{command} {user_key!r}: got {got!r}")
        self.wrong.append((user_key, got))

    def _check_read(self, command: str, user_key: Any, got: dict[str, Any] | None,
                    names: list[str] | None = None) -> None:
        allowed = self.world.may_hold(user_key)
        if names is not None:
            allowed = [_project(b, names) for b in allowed]
        if got not in allowed:
            self._wrong(command, user_key, got)

    async def one(self) -> None:
        w = self.world
        rng = self.rng
        roll = rng.random()
        try:
            if roll < 0.22:
                key = rng.choice(w.read_keys + w.absent_keys + w.write_keys)
                if key[2] in w.busy:
                    key = rng.choice(w.read_keys)
                # No write of this key starts while the read is in flight
                # (its answer would rightly be either value).
                w.reading[key[2]] += 1
                self.tally.by_command["get"] += 1
                try:
                    rec = await self.client.get(key, POLICY)
                except RecordNotFound:
                    if None not in w.may_hold(key[2]):
                        self.tally.failures += 1  # a corrupted answer refused
                    return
                finally:
                    w.reading[key[2]] -= 1
                self._check_read("get", key[2], rec.bins)
            elif roll < 0.34:
                key = rng.choice(w.read_keys)
                names = rng.sample(["id", "name", "blob", "f", "list", "map", "nope"], 3)
                self.tally.by_command["select"] += 1
                try:
                    rec = await self.client.select(key, names, POLICY)
                except RecordNotFound:
                    self.tally.failures += 1
                    return
                self._check_read("select", key[2], rec.bins, names)
            elif roll < 0.46:
                key = rng.choice(w.read_keys + w.absent_keys)
                self.tally.by_command["exists"] += 1
                res = await self.client.exists(key, POLICY)
                exists = res.meta is not None
                if exists != (w.may_hold(key[2]) != [None]):
                    self._wrong("exists", key[2], exists)
            elif roll < 0.56:
                await self._put()
            elif roll < 0.64:
                await self._operate()
            elif roll < 0.82:
                keys = rng.sample(w.read_keys + w.absent_keys, rng.randrange(1, 40))
                names = ["id", "name", "list"] if rng.random() < 0.3 else None
                self.tally.by_command["batch_read"] += 1
                got = await self.client.batch_read(keys, names, POLICY)
                as_dict = dict(got)
                for k in keys:
                    want = w.may_hold(k[2])
                    if names is not None:
                        want = [_project(b, names) for b in want]
                    if as_dict.get(k[2]) not in want:
                        self._wrong("batch_read", k[2], as_dict.get(k[2]))
                for uk in as_dict:
                    if uk not in {k[2] for k in keys}:
                        self._wrong("batch_read", uk, as_dict[uk])
            elif roll < 0.92:
                await self._batch_write()
            else:
                command = rng.choice(INFO_COMMANDS)
                self.tally.by_command["info"] += 1
                value = await self.client.info_random_node(command, POLICY)
                if value != w.info[command]:
                    self._wrong("info", command, value)
        except AerospikeError:
            self.tally.failures += 1

    def _claim(self) -> Key | None:
        free = [k for k in self.world.write_keys
                if k[2] not in self.world.busy and not self.world.reading[k[2]]]
        if not free:
            return None
        key = self.rng.choice(free)
        self.world.busy.add(key[2])
        return key

    def _new_bins(self, key: Key) -> dict[str, Any]:
        self.world.write_serial += 1
        bins = {"w": self.world.write_serial, "tag": f"{key[2]}-{self.world.write_serial}"}
        self.world.history.setdefault(key[2], [None]).append(bins)
        return bins

    async def _put(self) -> None:
        key = self._claim()
        if key is None:
            return
        w = self.world
        bins = self._new_bins(key)
        self.tally.by_command["put"] += 1
        try:
            await self.client.put(key, bins, None, POLICY)
            w.written(key[2], bins)
        except AerospikeError:
            self.tally.failures += 1
            w.failed(key[2], bins)
        finally:
            w.busy.discard(key[2])

    async def _operate(self) -> None:
        key = self._claim()
        if key is None:
            return
        w = self.world
        bins = self._new_bins(key)
        ops = [{"op": aerospike_py.OPERATOR_WRITE, "bin": n, "val": v} for n, v in bins.items()]
        ops.append({"op": aerospike_py.OPERATOR_READ})
        self.tally.by_command["operate"] += 1
        try:
            rec = await self.client.operate(key, ops, None, POLICY)
        except AerospikeError:
            self.tally.failures += 1
            w.failed(key[2], bins)
            return
        finally:
            w.busy.discard(key[2])
        w.written(key[2], bins)
        if rec.bins != bins:
            self._wrong("operate", key[2], rec.bins)

    async def _batch_write(self) -> None:
        w = self.world
        keys = []
        for _ in range(self.rng.randrange(1, 6)):
            k = self._claim()
            if k is not None:
                keys.append(k)
        if not keys:
            return
        records = [(k, self._new_bins(k)) for k in keys]
        self.tally.by_command["batch_write"] += 1
        try:
            result = await self.client.batch_write(records, POLICY)
        except AerospikeError:
            self.tally.failures += 1
            for k, bins in records:
                w.failed(k[2], bins)
            return
        finally:
            for k in keys:
                w.busy.discard(k[2])
        for (k, bins), br in zip(records, result.batch_records):
            if br.result == 0:
                w.written(k[2], bins)
            else:
                w.failed(k[2], bins)


def _answers(got: Any, held: list[dict[str, Any] | None]) -> bool:
    """Whether ``got`` is what a read of a key holding one of ``held`` may
    return: its record, a selection of its bins, or its existence."""
    if isinstance(got, bool):
        return got in [b is not None for b in held]
    if got is None or not isinstance(got, dict):
        return got in held
    return any(b is not None and all(n in b and b[n] == v for n, v in got.items())
               for b in held)


def _unexcused(checker: Checker, forgeries: list[Forgery], world: World) -> list[str]:
    """Wrong successes no undetectable forgery explains."""
    budget: collections.Counter[Any] = collections.Counter()
    delivered: dict[Any, list[Any]] = collections.defaultdict(list)
    for f in forgeries:
        for key in f.undetectable:
            user_key = world.digests.get(key, key) if isinstance(key, bytes) else key
            if f.kind == "swap":
                other = f.delivered_for[key]
                delivered[user_key].append(world.digests.get(other, other))
            else:
                budget[user_key] += 1
    out = []
    for (user_key, got), text in zip(checker.wrong, checker.tally.wrong):
        if budget[user_key] > 0:
            budget[user_key] -= 1
            checker.tally.excused += 1
            continue
        swapped = [o for o in delivered[user_key] if _answers(got, world.ever_held(o))]
        if swapped:
            delivered[user_key].remove(swapped[0])
            checker.tally.excused += 1
            continue
        out.append(text)
    return out


async def _prepare(world: World, hosts: list[tuple[str, int]]) -> None:
    """Writes the truth directly (no proxy) and learns the digests."""
    client = await aerospike_py.async_client({"hosts": hosts}).connect()
    try:
        for key in world.read_keys:
            await client.put(key, world.truth[key[2]])
        for key in world.write_keys:
            world.candidates[key[2]] = [None]  # a fresh set: never written
        for key in world.read_keys + world.absent_keys + world.write_keys:
            rec = await client.exists(key)
            world.digests[rec.key.digest] = key[2]
        for command in INFO_COMMANDS:
            world.info[command] = await client.info_random_node(command)
    finally:
        await client.close()


async def _run_kind(world: World, proxy: CorruptingProxy, kind: str, seed: int) -> Tally:
    before = _core.debug_counters()
    client = await aerospike_py.async_client(
        {"hosts": [("127.0.0.1", proxy.port)]}).connect()
    try:
        proxy.configure(rate=RATE, kinds=[kind])
        checker = Checker(world, client, seed)

        async def worker(n: int) -> None:
            for _ in range(n):
                await checker.one()

        share = COMMANDS_PER_KIND // CONCURRENCY
        await asyncio.gather(*(worker(share) for _ in range(CONCURRENCY)))
        proxy.configure(rate=0.0, kinds=[])
    finally:
        await client.close()
    after = _core.debug_counters()
    checker.tally.connections_opened = after["connections_opened"] - before["connections_opened"]
    checker.tally.retried = after["commands_retried"] - before["commands_retried"]
    forgeries = proxy.take_forgeries()
    checker.tally.corrupted = len(forgeries)
    checker.tally.wrong = _unexcused(checker, forgeries, world)
    return checker.tally


@pytest.fixture
def proxy(aerospike_server: ServerHandle) -> Iterator[CorruptingProxy]:
    host, port = aerospike_server.hosts[0]
    with CorruptingProxy(("127.0.0.1" if host == "localhost" else host, port), seed=11) as p:
        yield p


@pytest.mark.asyncio
async def test_corrupted_replies_never_succeed_with_wrong_data(
    aerospike_server: ServerHandle, proxy: CorruptingProxy
) -> None:
    world = World(aerospike_server.namespace)
    await _prepare(world, list(aerospike_server.hosts))
    tallies = {}
    for i, kind in enumerate(KINDS):
        tallies[kind] = await _run_kind(world, proxy, kind, seed=100 + i)
    lines = [f"{'kind':<10} {'commands':>8} {'corrupted':>9} {'retried':>7} {'conns':>5} "
             f"{'failed':>6} {'excused':>7} {'wrong':>5}"]
    for kind, t in tallies.items():
        lines.append(f"{kind:<10} {sum(t.by_command.values()):>8} {t.corrupted:>9} "
                     f"{t.retried:>7} {t.connections_opened:>5} {t.failures:>6} "
                     f"{t.excused:>7} {len(t.wrong):>5}")
    by_command: collections.Counter[str] = collections.Counter()
    for t in tallies.values():
        by_command.update(t.by_command)
    lines.append("commands: " + ", ".join(f"{c} {n}" for c, n in sorted(by_command.items())))
    report = "\n".join(lines)
    print("\n" + report)
    wrong = {kind: t.wrong[:5] for kind, t in tallies.items() if t.wrong}
    assert not wrong, f"wrong answers returned as success:\n{report}\n{wrong}"
    # The proxy really corrupted replies of every kind.
    assert all(t.corrupted > 0 for t in tallies.values()), report
