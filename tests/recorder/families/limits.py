"""The server's limits and the errors at each: record size (max-record-size,
counted on the stored record: metadata, set name, stored key, bin names and
values), bin name length, bins per record, set name length, namespace name,
key types and sizes, ops per command, batch sizes."""

from __future__ import annotations

import random

from .. import wire
from ..catalogue import Case
from ..wire import BatchRow, Header, Raw
from ._common import exists, get, operate, put, r, remove, w

SET = "rec_limits"
SETS = (SET,)
MIB = 1024 * 1024


def cases(rng: random.Random) -> list[Case]:
    out = []
    # Record size: one string bin around 1 MiB, and the overheads that count.
    c = Case("record_size")
    # Around each variant's boundary as the server's flat record size
    # predicts it (35-byte header, set name + 1, key + its length byte, 4
    # for a void time, bin count, bin name + 1, 5 + value, 4-byte end mark).
    variants = (("str", SET, "big", False, 0, "x", -58), ("key", SET, "big_k", True, 0, "x", -65),
                ("ttl", SET, "big_t", False, 1000, "x", -62),
                ("blob", SET, "big_b", False, 0, b"\x00", -58),
                ("noset", None, "rec_limits_noset", False, 0, "x", -47))
    for label, set_name, key, send_key, ttl, unit, edge in variants:
        for delta in (edge - 16, edge - 2, edge - 1, edge, edge + 1, edge + 2, edge + 16):
            c.add(f"{label}_{delta}", put(set_name, key, {"v": unit * (MIB + delta)},
                                          send_key=send_key, ttl=ttl))
            c.add(f"{label}_{delta}_exists", exists(set_name, key))
            c.add(f"{label}_{delta}_remove", remove(set_name, key))
    c.add("str_far_over", put(SET, "big", {"v": "x" * (2 * MIB)}))
    # Growth past the limit by updates.
    c.add("grow_seed", put(SET, "grow", {"a": "x" * (MIB // 2)}))
    c.add("grow_second_bin", put(SET, "grow", {"b": "y" * (MIB // 2)}))
    c.add("grow_get", exists(SET, "grow"))
    c.add("grow_append", operate(SET, "grow", [wire.op(wire.OP_APPEND, "a", "z" * (MIB // 2))]))
    c.add("grow_get2", exists(SET, "grow"))
    c.add("grow_remove", remove(SET, "grow"))
    c.add("list_big", put(SET, "biglist", {"l": [1000] * 400000}))
    c.add("list_big_exists", exists(SET, "biglist"))
    c.add("list_big_remove", remove(SET, "biglist"))
    c.add("many_small_bins", put(SET, "manysmall", {f"b{i}": "x" * 100 for i in range(11000)}))
    c.add("many_small_bins_exists", exists(SET, "manysmall"))
    c.add("many_small_bins_remove", remove(SET, "manysmall"))
    out.append(c)

    c = Case("bin_names")
    for n in (1, 14, 15, 16, 17, 100, 255):
        c.add(f"len_{n}", put(SET, "bn", {"b" * n: 1}))
        c.add(f"read_{n}", get(SET, "bn", ["b" * n]))
    c.add("empty_name_write", put(SET, "bn", {"": 1}))
    c.add("odd_chars", put(SET, "bn", {"a b": 1, "a:b": 2, "a;b": 3, "é": 4, "\x00z": 5}))
    c.add("get_all", get(SET, "bn"))
    c.add("incr_long_name", operate(SET, "bn", [wire.op(wire.OP_INCR, "c" * 16, 1)]))
    c.add("append_long_name", operate(SET, "bn", [wire.op(wire.OP_APPEND, "c" * 16, "x")]))
    c.add("read_long_name_in_operate", operate(SET, "bn", [w("a", 1), r("d" * 16)]))
    c.add("delete_long_name", put(SET, "bn", {"e" * 16: None}))
    out.append(c)

    c = Case("bin_count")
    # The real server takes seconds for a write of ~32k bins.
    for n in (1000, 32767, 32768):
        c.add(f"put_{n}", put(SET, f"bc{n}", {f"{i:x}": i for i in range(n)}))
        c.add(f"exists_{n}", exists(SET, f"bc{n}"))
    c.add("grow_past_limit", put(SET, "bc32767", {"extra": 1}))
    c.add("replace_at_limit", put(SET, "bc32767", {"0": "z"}))
    c.add("read_65535_names", get(SET, "bc1000", [f"n{i}" for i in range(65535)]))
    c.add("read_1000_names", get(SET, "bc1000", [f"{i:x}" for i in range(999, -1, -1)]))
    c.add("read_same_name_twice", get(SET, "bc1000", ["1", "1", "2"]))
    for n in (1000, 32767):
        c.add(f"remove_{n}", remove(SET, f"bc{n}"))
    c.add("ops_65535_writes", put(SET, "ops", [("o", i) for i in range(65535)]))
    c.add("ops_get", get(SET, "ops"))
    out.append(c)

    c = Case("set_names")
    for n in (1, 62, 63, 64, 100):
        name = "rec_limits_" + "s" * max(0, n - len("rec_limits_")) if n > 11 else "r" * n
        c.add(f"len_{n}", put(name if n != 1 else "r", "sn", {"a": 1}))
    c.add("get_63", get("rec_limits_" + "s" * 52, "sn"))
    c.add("get_64", get("rec_limits_" + "s" * 53, "sn"))
    # The case removes what it wrote: these sets are not truncated first.
    c.add("remove_62", remove("rec_limits_" + "s" * 51, "sn"))
    c.add("remove_63", remove("rec_limits_" + "s" * 52, "sn"))
    c.add("remove_1", remove("r", "sn"))
    for label, name in (("colon", "rec_limits:x"), ("semicolon", "rec_limits;x"),
                        ("pipe", "rec_limits|x"), ("space", "rec_limits x"),
                        ("utf8", "rec_limits_é")):
        c.add(f"odd_{label}", put(name, "sn", {"a": 1}))
        c.add(f"odd_{label}_remove", remove(name, "sn"))
    out.append(c)

    c = Case("namespaces")
    c.add("unknown", put(SET, "ns", {"a": 1}, ns="nope"))
    c.add("unknown_read", get(SET, "ns", ns="nope"))
    c.add("long", put(SET, "ns", {"a": 1}, ns="n" * 40))
    c.add("empty", put(SET, "ns", {"a": 1}, ns=""))
    c.add("case", put(SET, "ns", {"a": 1}, ns="TEST"))
    c.add("no_ns_field", wire.message(Header(info2=wire.WRITE, timeout=1000),
                                      [wire.fld(wire.F_SET, SET),
                                       wire.fld(wire.F_DIGEST, wire.digest(SET, "ns"))],
                                      [w("a", 1)]))
    out.append(c)

    c = Case("keys")
    keys = [("int", 7), ("int_neg", -7), ("int_max", (1 << 63) - 1), ("str", "k"),
            ("str_empty", ""), ("str_1k", "k" * 1024), ("str_100k", "k" * 100000),
            ("bytes", b"\x00\x01"), ("bytes_empty", b""), ("float", 1.5),
            ("int_4byte", Raw(wire.P_INTEGER, b"\x00\x00\x00\x07")),
            ("int_1byte", Raw(wire.P_INTEGER, b"\x07")),
            ("bool", Raw(wire.P_BOOL, b"\x01")), ("list", Raw(wire.P_LIST, b"\x91\x01")),
            ("map", Raw(wire.P_MAP, b"\x80")), ("null", Raw(wire.P_NULL, b"")),
            ("geo", Raw(wire.P_GEOJSON, b"\x00\x00\x00{}")),
            ("java", Raw(wire.P_JAVA_BLOB, b"j")), ("ptype_99", Raw(99, b"x")),
            ("hll", Raw(wire.P_HLL, b"h"))]
    for label, key in keys:
        c.add(f"put_{label}", put(SET, key, {"a": 1}, send_key=True))
        c.add(f"get_{label}", get(SET, key, send_key=True))
        c.add(f"remove_{label}", remove(SET, key))
    c.add("key_field_empty", put(SET, "kfe", {"a": 1}, extra=[wire.fld(wire.F_KEY, b"")]))
    c.add("key_field_empty_get", get(SET, "kfe", extra=[wire.fld(wire.F_KEY, b"")]))
    c.add("digest_19_bytes", wire.message(Header(info2=wire.WRITE, timeout=1000),
                                          [wire.fld(wire.F_NAMESPACE, "test"),
                                           wire.fld(wire.F_SET, SET),
                                           wire.fld(wire.F_DIGEST, b"\x01" * 19)], [w("a", 1)]))
    c.add("digest_21_bytes", wire.message(Header(info1=wire.READ | wire.GET_ALL, timeout=1000),
                                          [wire.fld(wire.F_NAMESPACE, "test"),
                                           wire.fld(wire.F_DIGEST, b"\x01" * 21)], []))
    c.add("two_digests", wire.message(Header(info1=wire.READ | wire.GET_ALL, timeout=1000),
                                      [wire.fld(wire.F_NAMESPACE, "test"),
                                       wire.fld(wire.F_DIGEST, wire.digest(SET, 1)),
                                       wire.fld(wire.F_DIGEST, wire.digest(SET, 2))], []))
    out.append(c)

    c = Case("batch_sizes")
    for n in (1, 1000, 5000, 5001, 10000):
        rows = [BatchRow(i, i % 10, SET, info1=wire.READ | wire.NOBINDATA, info2=0, info3=0,
                         ttl=0) for i in range(n)]
        c.add(f"rows_{n}", wire.batch_request(rows, header=Header(info1=wire.BATCH,
                                                                  timeout=5000)))
    out.append(c)
    _ = rng
    return out
