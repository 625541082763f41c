"""Write policies and record metadata: exists actions (update, update-only,
create-only, replace, replace-only), generation (equal, greater), TTL
(namespace default, never, don't-update, seconds, the 10-year bound),
send-key and key mismatch, set mismatch, durable delete, commit level,
touch, remove and exists; every combination on a missing and on an existing
record."""

from __future__ import annotations

import itertools
import random

from .. import wire
from ..catalogue import Case
from ._common import exists, get, operate, put, r, remove, touch, w

SET = "rec_policies"
OTHER_SET = "rec_policies_b"
SETS = (SET, OTHER_SET)

EXISTS = {
    "update": (0, 0),
    "update_only": (0, wire.UPDATE_ONLY),
    "create_only": (wire.CREATE_ONLY, 0),
    "replace": (0, wire.CREATE_OR_REPLACE),
    "replace_only": (0, wire.REPLACE_ONLY),
}
TTLS = {
    "default": 0, "never": wire.TTL_NEVER_EXPIRE, "dont_update": wire.TTL_DONT_UPDATE,
    "1s": 1, "100s": 100, "1d": 86400, "10y": 315360000, "10y_plus1": 315360001,
    "max_minus3": 0xFFFFFFFC, "client_default": 0xFFFFFFFD,
}


def cases(rng: random.Random) -> list[Case]:
    out = []
    # Exists actions on a missing and an existing record.
    for (name, (i2, i3)), present in itertools.product(EXISTS.items(), (False, True)):
        key = f"exists_{name}_{'present' if present else 'missing'}"
        c = Case(key)
        if present:
            c.add("seed", put(SET, key, {"a": 1, "b": "keep"}))
        c.add("write", put(SET, key, {"a": 2, "c": 3.5}, info2=i2, info3=i3))
        c.add("get", get(SET, key))
        c.add("write_nil", put(SET, key, {"b": None}, info2=i2, info3=i3))
        c.add("get2", get(SET, key))
        out.append(c)
    # Generation checks.
    for mode, flag in (("eq", wire.GENERATION), ("gt", wire.GENERATION_GT)):
        key = f"gen_{mode}"
        c = Case(key)
        c.add("missing_gen0", put(SET, key, {"a": 1}, info2=flag, generation=0))
        c.add("missing_gen5", put(SET, key + "_m", {"a": 1}, info2=flag, generation=5))
        c.add("seed2", put(SET, key, {"a": 2}))
        for g in (0, 1, 2, 3, 65535, 65536, 0xFFFFFFFF):
            c.add(f"gen{g}", put(SET, key, {"a": g & 0xFFFF}, info2=flag, generation=g))
            c.add(f"get{g}", get(SET, key))
        c.add("remove_bad_gen", remove(SET, key, info2=flag, generation=99))
        c.add("touch_bad_gen", touch(SET, key, info2=flag, generation=99))
        c.add("remove_gen", remove(SET, key, info2=flag, generation=100 if mode == "gt" else 0))
        c.add("get_end", get(SET, key))
        out.append(c)
    # TTLs on create and on update, then read back (void time within bounds).
    for name, ttl in TTLS.items():
        key = f"ttl_{name}"
        c = Case(key)
        c.add("create", put(SET, key, {"a": 1}, ttl=ttl))
        c.add("get", get(SET, key))
        c.add("update_never", put(SET, key, {"a": 2}, ttl=wire.TTL_NEVER_EXPIRE))
        c.add("update", put(SET, key, {"a": 3}, ttl=ttl))
        c.add("exists", exists(SET, key))
        c.add("touch", touch(SET, key, ttl=ttl))
        c.add("get2", get(SET, key))
        out.append(c)
    # Send key, and a key that does not match the stored one.
    c = Case("send_key")
    c.add("put_key", put(SET, "sk", {"a": 1}, send_key=True))
    c.add("get_key", get(SET, "sk", send_key=True))
    c.add("put_nokey", put(SET, "sk", {"a": 2}))
    c.add("get_nokey", get(SET, "sk"))
    bad = wire.fld(wire.F_KEY, wire.key_bytes("other"))
    c.add("put_mismatch", put(SET, "sk", {"a": 3}, extra=[bad]))
    c.add("get_mismatch", get(SET, "sk", extra=[bad]))
    c.add("exists_mismatch", wire.message(
        wire.Header(info1=wire.READ | wire.NOBINDATA, timeout=1000),
        wire.record_fields("test", SET, "sk", extra=[bad]), []))
    c.add("remove_mismatch", remove(SET, "sk", extra=[bad]))
    c.add("touch_mismatch", operate(SET, "sk", [wire.op(wire.OP_TOUCH)], extra=[bad]))
    c.add("put_int_key_as_str", put(SET, "sk", {"a": 4},
                                    extra=[wire.fld(wire.F_KEY, wire.key_bytes(5))]))
    c.add("remove_key", remove(SET, "sk", send_key=True))
    c.add("put_key_no_stored", put(SET, "sk2", {"a": 1}))
    c.add("get_with_key_when_none_stored", get(SET, "sk2", send_key=True))
    c.add("put_key_later", put(SET, "sk2", {"a": 2}, send_key=True))
    c.add("get_after_key_later", get(SET, "sk2", extra=[bad]))
    out.append(c)
    # Set mismatch: a digest written in one set, addressed with another.
    c = Case("set_mismatch")
    d = wire.digest(SET, "sm")
    c.add("seed", put(SET, "sm", {"a": 1}))
    c.add("get_other_set", wire.message(
        wire.Header(info1=wire.READ | wire.GET_ALL, timeout=1000),
        wire.record_fields("test", OTHER_SET, "sm", digest_override=d), []))
    c.add("write_other_set", wire.message(
        wire.Header(info2=wire.WRITE, timeout=1000),
        wire.record_fields("test", OTHER_SET, "sm", digest_override=d), [w("b", 2)]))
    c.add("remove_other_set", wire.message(
        wire.Header(info2=wire.WRITE | wire.DELETE, timeout=1000),
        wire.record_fields("test", OTHER_SET, "sm", digest_override=d), []))
    c.add("get_no_set_field", wire.message(
        wire.Header(info1=wire.READ | wire.GET_ALL, timeout=1000),
        wire.record_fields("test", None, "sm", digest_override=d), []))
    c.add("get_empty_set", wire.message(
        wire.Header(info1=wire.READ | wire.GET_ALL, timeout=1000),
        wire.record_fields("test", "", "sm", digest_override=d), []))
    c.add("write_empty_set", wire.message(
        wire.Header(info2=wire.WRITE, timeout=1000),
        wire.record_fields("test", "", "sm", digest_override=d), [w("c", 3)]))
    c.add("get_end", get(SET, "sm"))
    c.add("put_no_set", put(None, "noset", {"a": 1}))
    c.add("get_no_set", get(None, "noset"))
    c.add("get_no_set_named", wire.message(
        wire.Header(info1=wire.READ | wire.GET_ALL, timeout=1000),
        wire.record_fields("test", SET, "x", digest_override=wire.digest("", "noset")), []))
    c.add("remove_no_set", remove(None, "noset"))
    out.append(c)
    # Durable delete (Enterprise only), commit level, touch and remove.
    c = Case("durable")
    c.add("seed", put(SET, "dd", {"a": 1}))
    c.add("remove_durable", remove(SET, "dd", info2=wire.DURABLE_DELETE))
    c.add("put_durable", put(SET, "dd", {"a": 2}, info2=wire.DURABLE_DELETE))
    c.add("delete_bin_durable", put(SET, "dd", {"a": None}, info2=wire.DURABLE_DELETE))
    c.add("put_commit_master", put(SET, "dd", {"b": 1}, info3=wire.COMMIT_MASTER))
    c.add("get", get(SET, "dd"))
    c.add("touch_missing", touch(SET, "dd_missing"))
    c.add("touch", touch(SET, "dd", ttl=50))
    c.add("touch_replace", operate(SET, "dd", [wire.op(wire.OP_TOUCH)],
                                   info3=wire.CREATE_OR_REPLACE))
    c.add("touch_create_only", operate(SET, "dd", [wire.op(wire.OP_TOUCH)],
                                       info2=wire.CREATE_ONLY))
    c.add("exists", exists(SET, "dd"))
    c.add("remove", remove(SET, "dd"))
    c.add("remove_again", remove(SET, "dd"))
    c.add("exists_gone", exists(SET, "dd"))
    c.add("get_gone", get(SET, "dd"))
    out.append(c)
    # Deleting the last bin deletes the record.
    c = Case("last_bin")
    c.add("seed", put(SET, "lb", {"a": 1, "b": 2}))
    c.add("del_a", put(SET, "lb", {"a": None}))
    c.add("get", get(SET, "lb"))
    c.add("del_b", put(SET, "lb", {"b": None}))
    c.add("get_gone", get(SET, "lb"))
    c.add("del_missing_record", put(SET, "lb", {"b": None}))
    c.add("del_and_read", operate(SET, "lb2", [w("a", 1)]))
    c.add("del_and_read2", operate(SET, "lb2", [w("a", None), r("a")]))
    c.add("get_gone2", get(SET, "lb2"))
    out.append(c)
    # Reads with odd header flags.
    c = Case("read_flags")
    c.add("seed", put(SET, "rf", {"a": 1, "b": "x"}))
    for name, i1 in (("read_only", wire.READ), ("nobindata_getall",
                                                 wire.READ | wire.GET_ALL | wire.NOBINDATA),
                     ("ap_all", wire.READ | wire.GET_ALL | wire.READ_AP_ALL),
                     ("no_read_bit", wire.GET_ALL), ("short_query", wire.READ | wire.GET_ALL |
                                                     wire.SHORT_QUERY),
                     ("compress_response", wire.READ | wire.GET_ALL | wire.COMPRESS_RESPONSE)):
        c.add(name, wire.message(wire.Header(info1=i1, timeout=1000),
                                 wire.record_fields("test", SET, "rf"), []))
    c.add("select_with_getall", wire.message(
        wire.Header(info1=wire.READ | wire.GET_ALL, timeout=1000),
        wire.record_fields("test", SET, "rf"), [r("a")]))
    c.add("read_touch_pct", wire.message(
        wire.Header(info1=wire.READ | wire.GET_ALL, ttl=80, timeout=1000),
        wire.record_fields("test", SET, "rf"), []))
    c.add("sc_bits", wire.message(
        wire.Header(info1=wire.READ | wire.GET_ALL,
                    info3=wire.SC_READ_TYPE | wire.SC_READ_RELAX, timeout=1000),
        wire.record_fields("test", SET, "rf"), []))
    c.add("no_flags_at_all", wire.message(wire.Header(timeout=1000),
                                          wire.record_fields("test", SET, "rf"), []))
    c.add("info4_mrt_bits", wire.message(
        wire.Header(info1=wire.READ | wire.GET_ALL, info4=1, timeout=1000),
        wire.record_fields("test", SET, "rf"), []))
    out.append(c)
    # Seeded random sequences of writes with random policies on few keys.
    keys = [f"mix{i}" for i in range(6)]
    c = Case("random_mix")
    for i in range(120):
        key = rng.choice(keys)
        action = rng.randrange(6)
        if action == 0:
            i2, i3 = rng.choice(list(EXISTS.values()))
            c.add(f"{i}_put", put(SET, key, {rng.choice("abc"): rng.randrange(100)},
                                  info2=i2, info3=i3, ttl=rng.choice([0, 100, 0xFFFFFFFF])))
        elif action == 1:
            c.add(f"{i}_get", get(SET, key))
        elif action == 2:
            c.add(f"{i}_gen", put(SET, key, {"g": i}, info2=wire.GENERATION,
                                  generation=rng.randrange(4)))
        elif action == 3:
            c.add(f"{i}_touch", touch(SET, key))
        elif action == 4:
            c.add(f"{i}_remove", remove(SET, key))
        else:
            c.add(f"{i}_exists", exists(SET, key))
    out.append(c)
    return out
