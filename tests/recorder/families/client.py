"""Every command aerospike_py (the client under test) can send today, in the
client's own bytes: each case runs public client calls through a capturing
proxy in front of an embedded server, and the requests captured become the
steps (tending, user-agent-set and the like are left out). So this family's
requests do come from our encoder: when the client's bytes change, the
currentness test asks for a re-record, and the real server checks the new
bytes.

Covered: put (exists, generation, TTL, send-key, commit-level, durable
delete policies), get, select, exists, touch, remove, append, prepend,
increment, remove_bin, operate and operate_ordered with every basic op,
batch_read (all bins, bins, metadata), batch_write, batch_remove,
batch_operate, batch (mixed rows), batch_write_numpy, info and truncate.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Callable
from typing import Any

from .. import wire
from ..capture import capturing
from ..catalogue import Case, Compare

SET = "rec_client"
SETS = (SET,)
NS = "test"

# Info commands a client sends on its own (connect, tend).
TEND_COMMANDS = {
    "node", "peers-generation", "partition-generation", "rebalance-generation", "replicas",
    "replicas-all", "replicas-master", "peers-clear-std", "peers-clear-alt", "peers-tls-std",
    "peers-tls-alt", "features", "build", "cluster-name", "rack-ids", "service-clear-std",
    "service-clear-alt", "user-agent-set", "partitions",
}


def _is_tend(frame: bytes) -> bool:
    if frame[1] != wire.INFO:
        return False
    names = [line.split(":")[0].split("/")[0]
             for line in frame[8:].decode("utf-8", "replace").split("\n") if line]
    return all(n in TEND_COMMANDS for n in names)


def _normalized(frame: bytes, task_ids: list[int]) -> bytes:
    """Task ids are random per call: replaced by a counter."""
    if frame[1] != wire.MESSAGE:
        return frame
    try:
        m = next(wire.parse_messages(frame))
    except (wire.ParseError, StopIteration):
        return frame
    if m.field(wire.F_TASK_ID) is None:
        return frame
    task_ids[0] += 1
    fields = [wire.fld(t, struct.pack(">Q", task_ids[0]) if t == wire.F_TASK_ID else d)
              for t, d in m.fields]
    ops = [struct.pack(">IBBBB", 4 + len(o[2]) + len(o[3]), o[0], o[1], 0, len(o[2])) + o[2] + o[3]
           for o in m.ops]
    h = wire.Header(m.info1, m.info2, m.info3, m.info4, m.generation, m.void_time, m.index)
    return wire.message(h, fields, ops)


def k(user_key: Any) -> tuple[str, str, Any]:
    return (NS, SET, user_key)


def _calls() -> list[tuple[str, Callable[[Any], Any]]]:
    import aerospike_py as ap

    def put_policies(c: Any) -> None:
        c.put(k("p"), {"a": 1, "s": "x", "f": 1.5, "b": b"\x01", "t": True, "l": [1, "a"],
                       "m": {"z": 1, "a": 2}, "n": None})
        for exists in (ap.POLICY_EXISTS_UPDATE_ONLY, ap.POLICY_EXISTS_REPLACE,
                       ap.POLICY_EXISTS_REPLACE_ONLY, ap.POLICY_EXISTS_CREATE_ONLY):
            try:
                c.put(k("p"), {"e": exists}, policy={"exists": exists})
            except ap.exception.AerospikeError:
                pass
        for gen_policy, gen in ((ap.POLICY_GEN_EQ, 1), (ap.POLICY_GEN_EQ, 99),
                                (ap.POLICY_GEN_GT, 99), (ap.POLICY_GEN_GT, 1)):
            try:
                c.put(k("p"), {"g": gen}, meta={"gen": gen}, policy={"gen": gen_policy})
            except ap.exception.AerospikeError:
                pass
        for ttl in (0, 100, ap.TTL_NEVER_EXPIRE, ap.TTL_DONT_UPDATE, ap.TTL_CLIENT_DEFAULT):
            c.put(k("p"), {"ttl": 1}, meta={"ttl": ttl})
        c.put(k("pk"), {"a": 1}, policy={"key": ap.POLICY_KEY_SEND})
        c.put(k(7), {"a": 1}, policy={"key": ap.POLICY_KEY_SEND})
        c.put(k(b"\x01\x02"), {"a": 1}, policy={"key": ap.POLICY_KEY_SEND})
        c.put(k("p"), {"c": 1}, policy={"commit_level": ap.POLICY_COMMIT_LEVEL_MASTER})
        try:
            c.put(k("p"), {"a": None}, policy={"durable_delete": True})
        except ap.exception.AerospikeError:
            pass

    def reads(c: Any) -> None:
        c.get(k("p"))
        c.select(k("p"), ["a", "s", "nope"])
        c.exists(k("p"))
        c.exists(k("missing"))
        c.get(k("pk"))
        for call in (lambda: c.get(k("missing")), lambda: c.select(k("missing"), ["a"])):
            try:
                call()
            except ap.exception.AerospikeError:
                pass
        c.get(k("p"), policy={"read_touch_ttl_percent": 80})

    def modify(c: Any) -> None:
        c.append(k("p"), "s", "y")
        c.prepend(k("p"), "s", "w")
        c.increment(k("p"), "a", 5)
        c.increment(k("p"), "f", 0.25)
        c.append(k("new"), "s", "start")
        c.increment(k("new"), "i", 1)
        for call in (lambda: c.increment(k("p"), "s", 1), lambda: c.append(k("p"), "a", "x")):
            try:
                call()
            except ap.exception.AerospikeError:
                pass
        c.remove_bin(k("p"), ["b", "t"])
        c.touch(k("p"), 500)
        c.touch(k("p"))
        try:
            c.touch(k("missing"))
        except ap.exception.AerospikeError:
            pass

    def operate(c: Any) -> None:
        ops = [
            {"op": ap.OPERATOR_WRITE, "bin": "o", "val": 1},
            {"op": ap.OPERATOR_INCR, "bin": "o", "val": 2},
            {"op": ap.OPERATOR_READ, "bin": "o"},
            {"op": ap.OPERATOR_APPEND, "bin": "s", "val": "!"},
            {"op": ap.OPERATOR_PREPEND, "bin": "s", "val": "<"},
            {"op": ap.OPERATOR_READ, "bin": "s"},
            {"op": ap.OPERATOR_TOUCH},
        ]
        c.operate(k("p"), ops)
        c.operate(k("p"), ops, meta={"ttl": 300})
        c.operate_ordered(k("p"), ops)
        c.operate(k("p"), [{"op": ap.OPERATOR_READ, "bin": "o"}, {"op": ap.OPERATOR_READ, "bin": "o"}])
        c.operate(k("op_del"), [{"op": ap.OPERATOR_WRITE, "bin": "x", "val": 1}])
        c.operate(k("op_del"), [{"op": ap.OPERATOR_DELETE}])
        try:
            c.operate(k("p"), [{"op": ap.OPERATOR_INCR, "bin": "s", "val": 1}])
        except ap.exception.AerospikeError:
            pass

    def batches(c: Any) -> None:
        keys = [k(f"b{i}") for i in range(6)]
        c.batch_write([(kk, {"i": i, "s": f"v{i}"}) for i, kk in enumerate(keys[:4])])
        c.batch_write([(keys[4], {"i": 4}, {"ttl": 100}), (keys[5], {"i": 5}, {"gen": 7})])
        c.batch_read(keys)
        c.batch_read(keys, bins=["s"])
        c.batch_read(keys, bins=[])
        c.batch_operate(keys[:3], [{"op": ap.OPERATOR_INCR, "bin": "i", "val": 10},
                                   {"op": ap.OPERATOR_READ, "bin": "i"}])
        c.batch_remove(keys[2:4])
        c.batch_read(keys)
        from aerospike_py import batch as b
        c.batch([b.Read(keys[0], bins=["i"]), b.Write(keys[1], bins={"w": 1}), b.Remove(keys[0]),
                 b.Read(keys[3])])

    def numpy_rows(c: Any) -> None:
        import numpy as np
        dtype = np.dtype([("_key", "i8"), ("x", "i8"), ("y", "f8")])
        data = np.array([(100, 1, 0.5), (101, 2, 1.5)], dtype=dtype)
        c.batch_write_numpy(data, NS, SET, dtype)

    def info(c: Any) -> None:
        c.info_all("namespaces")
        c.info_random_node("statistics")
        c.info_all(f"sets/{NS}/{SET}")

    def remove(c: Any) -> None:
        c.remove(k("pk"))
        try:
            c.remove(k("pk"))
        except ap.exception.AerospikeError:
            pass
        try:
            c.remove(k("p"), meta={"gen": 99}, policy={"gen": ap.POLICY_GEN_EQ})
        except ap.exception.AerospikeError:
            pass
        c.remove(k("p"))

    def truncate(c: Any) -> None:
        c.truncate(NS, SET)

    return [("put_policies", put_policies), ("reads", reads), ("modify", modify),
            ("operate", operate), ("batches", batches), ("numpy", numpy_rows),
            ("info", info), ("remove", remove), ("truncate", truncate)]


# Info answers that depend on the run (statistics, other sets).
INFO_VARIES = Compare(info_mask=("statistics", "namespaces", f"sets/{NS}/{SET}"))


def cases(rng: random.Random) -> list[Case]:
    import aerospike_py as ap
    from aerospike_py.testing import EmbeddedServer

    out = []
    task_ids = [0]
    with EmbeddedServer() as server, capturing(server.hosts[0]) as proxy:
        config = {"hosts": [("127.0.0.1", proxy.port)],
                  "policies": {"read": {"total_timeout": 1000}, "write": {"total_timeout": 1000},
                               "batch": {"total_timeout": 1000}}}
        with ap.client(config).connect() as client:
            proxy.take()  # connect and tend
            for name, call in _calls():
                call(client)
                case = Case(name)
                frames = [f for _, f in proxy.take() if not _is_tend(f)]
                for i, frame in enumerate(frames):
                    cmp = INFO_VARIES if frame[1] == wire.INFO else Compare()
                    case.add(f"{i:03d}", _normalized(frame, task_ids), cmp)
                out.append(case)
    _ = rng
    return out
