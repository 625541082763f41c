"""Record UDFs: a Lua module registered through info (udf-put, udf-list,
udf-get, udf-remove), then record UDF applies with arguments of every type,
returns of every type, record writes/updates/removes from Lua, record
metadata, Lua errors (error(), runtime errors, bad returns), unknown
functions and modules, and applies on missing records."""

from __future__ import annotations

import base64
import random
from typing import Any

from .. import wire
from ..catalogue import Case, Compare
from ..wire import Header
from ._common import TIMEOUT, fields, get, info, put

SET = "rec_udf"
SETS = (SET,)
MODULE = "rec_udf"

# Line numbers show in error messages: keep the functions where they are.
LUA = """\
-- recorder family udf (tests/recorder/families/udf.py)
function echo(rec, v)
  return v
end

function add(rec, a, b)
  return a + b
end

function boom(rec)
  error("kaboom")
end

function bad_arith(rec)
  return nil + 1
end

function write_bin(rec, name, v)
  rec[name] = v
  if aerospike:exists(rec) then
    aerospike:update(rec)
  else
    aerospike:create(rec)
  end
  return rec[name]
end

function read_bin(rec, name)
  return rec[name]
end

function remove_rec(rec)
  if not aerospike:exists(rec) then return "absent" end
  aerospike:remove(rec)
  return "removed"
end

function exists(rec)
  return aerospike:exists(rec)
end

function gen(rec)
  if not aerospike:exists(rec) then return -1 end
  return record.gen(rec)
end

function bin_names(rec)
  local out = list()
  local names = record.bin_names(rec)
  table.sort(names)
  for i, n in ipairs(names) do list.append(out, n) end
  return out
end

function make_list(rec, n)
  local l = list()
  for i = 1, n do list.append(l, i * 10) end
  return l
end

function make_map(rec)
  local m = map()
  m["b"] = 2
  m["a"] = 1
  m[3] = "three"
  return m
end

function list_len(rec, l)
  return list.size(l)
end

function map_get(rec, m, k)
  return m[k]
end

function types(rec, v)
  return type(v)
end

function floats(rec, x)
  return x * 2.5
end

function concat(rec, a, b)
  return a .. b
end

function nothing(rec)
end

function bool_ret(rec, x)
  return x > 3
end

function nested(rec)
  local l = list()
  local m = map()
  m["x"] = list{1, 2, 3}
  list.append(l, m)
  list.append(l, "s")
  return l
end

function incr(rec, name, by)
  local v = rec[name] or 0
  rec[name] = v + by
  if aerospike:exists(rec) then aerospike:update(rec) else aerospike:create(rec) end
  return rec[name]
end

function set_ttl(rec, ttl)
  rec["t"] = 1
  record.set_ttl(rec, ttl)
  if aerospike:exists(rec) then aerospike:update(rec) else aerospike:create(rec) end
  return 0
end

function del_bin(rec, name)
  rec[name] = nil
  aerospike:update(rec)
  return 1
end

function bytes_ret(rec)
  local b = bytes(3)
  b[1] = 1
  b[2] = 2
  b[3] = 255
  return b
end

function bytes_len(rec, b)
  return bytes.size(b)
end

function str_len(rec, s)
  return string.len(s)
end

function ret_table(rec)
  return {1, 2}
end

function big_int(rec)
  return 9223372036854775807
end

function int_div(rec, a, b)
  return a // b
end
"""

UDF_OP_KVS = 1


def _register(content: str, name: str = MODULE) -> bytes:
    raw = content.encode()
    b64 = base64.b64encode(raw).decode()
    return info(f"udf-put:filename={name}.lua;content={b64};content-len={len(b64)};"
                f"udf-type=LUA;")


def apply(key: Any, module: str, function: str, args: list[Any], *,
          info2: int = 0, ttl: int = 0, send_key: bool = False) -> bytes:
    """A record UDF apply as the clients send it: WRITE with the package,
    function, msgpack argument list and op fields."""
    extra = [wire.fld(wire.F_UDF_PACKAGE, module), wire.fld(wire.F_UDF_FUNCTION, function),
             wire.fld(wire.F_UDF_ARGS, bytes(wire.pack(args))),
             wire.fld(wire.F_UDF_OP, bytes([UDF_OP_KVS]))]
    h = Header(info2=wire.WRITE | info2, ttl=ttl, timeout=TIMEOUT)
    return wire.message(h, fields(SET, key, send_key=send_key, extra=extra), [])


ARGS: list[tuple[str, Any]] = [
    ("int", 7), ("neg", -3), ("zero", 0), ("big", (1 << 63) - 1), ("float", 1.25),
    ("str", "hello"), ("empty_str", ""), ("blob", b"\x00\x01"), ("nil", None),
    ("true", True), ("false", False), ("list", [1, "a", [2]]), ("map", {"k": 1, "j": [2]}),
    ("empty_list", []), ("empty_map", {}), ("geo", wire.Geo('{"type":"Point","coordinates":[1,2]}')),
    ("unicode", "h\u00e9llo"),
]


def cases(rng: random.Random) -> list[Case]:
    out: list[Case] = []
    # Register, list, get; the module stays registered for the others.
    c = Case("register")
    c.add("put", _register(LUA))
    c.add("list", info("udf-list"), pause_ms=300)
    c.add("get", info(f"udf-get:filename={MODULE}.lua"))
    c.add("get_missing", info("udf-get:filename=rec_udf_none.lua"))
    c.add("put_bad_lua", _register("function broken(rec\n", "rec_udf_bad"))
    c.add("put_no_type", info("udf-put:filename=rec_udf_x.lua;content=YQ==;content-len=4;"))
    c.add("put_no_content", info("udf-put:filename=rec_udf_x.lua;udf-type=LUA;"))
    c.add("remove_missing", info("udf-remove:filename=rec_udf_none.lua"))
    out.append(c)

    c = Case("args")
    c.add("seed", put(SET, "a", {"x": 1}))
    for name, v in ARGS:
        c.add(f"echo_{name}", apply("a", MODULE, "echo", [v]))
        c.add(f"types_{name}", apply("a", MODULE, "types", [v]))
    c.add("echo_no_args", apply("a", MODULE, "echo", []))
    c.add("echo_two_args", apply("a", MODULE, "echo", [1, 2]))
    c.add("add", apply("a", MODULE, "add", [2, 40]))
    c.add("add_floats", apply("a", MODULE, "add", [2.5, 0.25]))
    c.add("add_int_float", apply("a", MODULE, "add", [2, 0.5]))
    c.add("add_overflow", apply("a", MODULE, "add", [(1 << 63) - 1, 1]))
    c.add("add_strs", apply("a", MODULE, "add", ["1", "2"]))
    c.add("floats", apply("a", MODULE, "floats", [3]))
    c.add("concat", apply("a", MODULE, "concat", ["ab", "cd"]))
    c.add("concat_num", apply("a", MODULE, "concat", ["ab", 5]))
    c.add("list_len", apply("a", MODULE, "list_len", [[1, 2, 3]]))
    c.add("map_get", apply("a", MODULE, "map_get", [{"k": [1, 2]}, "k"]))
    c.add("map_get_int_key", apply("a", MODULE, "map_get", [{1: "one"}, 1]))
    c.add("bytes_len", apply("a", MODULE, "bytes_len", [b"\x01\x02\x03\x04"]))
    c.add("str_len", apply("a", MODULE, "str_len", ["h\u00e9llo"]))
    c.add("int_div", apply("a", MODULE, "int_div", [7, 2]))
    c.add("int_div_zero", apply("a", MODULE, "int_div", [7, 0]))
    for i in range(10):
        a, b = rng.randint(-1000, 1000), rng.randint(-1000, 1000)
        c.add(f"add_random_{i}", apply("a", MODULE, "add", [a, b]))
    out.append(c)

    c = Case("returns")
    c.add("seed", put(SET, "r", {"x": 1, "s": "v", "l": [1, 2], "m": {"a": 1}, "f": 0.5,
                                 "b": b"\x07"}))
    for fn, args in (("make_list", [3]), ("make_list", [0]), ("make_map", []),
                     ("nested", []), ("nothing", []), ("bool_ret", [5]), ("bool_ret", [1]),
                     ("bytes_ret", []), ("ret_table", []), ("big_int", []),
                     ("exists", []), ("gen", []), ("bin_names", []),
                     ("read_bin", ["x"]), ("read_bin", ["s"]), ("read_bin", ["l"]),
                     ("read_bin", ["m"]), ("read_bin", ["f"]), ("read_bin", ["b"]),
                     ("read_bin", ["missing"])):
        c.add(f"{fn}_{len(c.steps)}", apply("r", MODULE, fn, args))
    out.append(c)

    c = Case("writes")
    c.add("create", apply("w", MODULE, "write_bin", ["v", 1]))
    c.add("create_get", get(SET, "w"))
    c.add("update", apply("w", MODULE, "write_bin", ["v", "two"]))
    c.add("update_list", apply("w", MODULE, "write_bin", ["l", [1, {"a": 2}]]))
    c.add("update_map", apply("w", MODULE, "write_bin", ["m", {"z": 1, "a": 2}]))
    c.add("update_float", apply("w", MODULE, "write_bin", ["f", 2.5]))
    c.add("update_bool", apply("w", MODULE, "write_bin", ["t", True]))
    c.add("update_blob", apply("w", MODULE, "write_bin", ["b", b"\x01"]))
    c.add("update_get", get(SET, "w"))
    c.add("incr", apply("w", MODULE, "incr", ["n", 5]))
    c.add("incr_again", apply("w", MODULE, "incr", ["n", 5]))
    c.add("del_bin", apply("w", MODULE, "del_bin", ["v"]))
    c.add("del_get", get(SET, "w"))
    c.add("gen", apply("w", MODULE, "gen", []))
    c.add("bin_names", apply("w", MODULE, "bin_names", []))
    c.add("long_bin_name", apply("w", MODULE, "write_bin", ["a" * 16, 1]))
    c.add("set_ttl", apply("w", MODULE, "set_ttl", [1000]))
    c.add("set_ttl_get", get(SET, "w"), Compare(ttl_slack=3))
    c.add("remove", apply("w", MODULE, "remove_rec", []))
    c.add("remove_get", get(SET, "w"))
    c.add("remove_again", apply("w", MODULE, "remove_rec", []))
    c.add("send_key", apply("wk", MODULE, "write_bin", ["v", 1], send_key=True))
    c.add("send_key_get", get(SET, "wk"))
    c.add("create_only_exists", apply("wk", MODULE, "write_bin", ["v", 2],
                                      info2=wire.CREATE_ONLY))
    c.add("durable_delete", apply("wk", MODULE, "remove_rec", [], info2=wire.DURABLE_DELETE))
    out.append(c)

    c = Case("errors")
    c.add("seed", put(SET, "e", {"x": 1}))
    c.add("boom", apply("e", MODULE, "boom", []))
    c.add("bad_arith", apply("e", MODULE, "bad_arith", []))
    c.add("no_function", apply("e", MODULE, "nope", []))
    c.add("no_module", apply("e", "rec_udf_none", "echo", [1]))
    c.add("add_nil", apply("e", MODULE, "add", [1]))
    c.add("add_list", apply("e", MODULE, "add", [[1], 2]))
    c.add("missing_record_read", apply("missing", MODULE, "read_bin", ["x"]))
    c.add("missing_record_exists", apply("missing", MODULE, "exists", []))
    c.add("missing_record_remove", apply("missing", MODULE, "remove_rec", []))
    c.add("args_not_list", wire.message(
        Header(info2=wire.WRITE, timeout=TIMEOUT),
        fields(SET, "e", extra=[wire.fld(wire.F_UDF_PACKAGE, MODULE),
                                wire.fld(wire.F_UDF_FUNCTION, "echo"),
                                wire.fld(wire.F_UDF_ARGS, bytes(wire.pack(5))),
                                wire.fld(wire.F_UDF_OP, bytes([UDF_OP_KVS]))]), []))
    c.add("no_function_field", wire.message(
        Header(info2=wire.WRITE, timeout=TIMEOUT),
        fields(SET, "e", extra=[wire.fld(wire.F_UDF_PACKAGE, MODULE),
                                wire.fld(wire.F_UDF_ARGS, bytes(wire.pack([]))),
                                wire.fld(wire.F_UDF_OP, bytes([UDF_OP_KVS]))]), []))
    c.add("get_after", get(SET, "e"))
    out.append(c)

    c = Case("unregister")
    c.add("remove", info(f"udf-remove:filename={MODULE}.lua"))
    c.add("apply_after_remove", apply("a", MODULE, "echo", [1]), pause_ms=300)
    c.add("list_after", info("udf-list"))
    out.append(c)
    for case in out:  # Lua errors name the module by its path on the server
        for step in case.steps:
            step.compare.lua_paths = True
    return out
