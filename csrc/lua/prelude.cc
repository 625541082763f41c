// The Lua half of the UDF environment, run in every state after the C
// types are registered. It gives user modules what Aerospike documents for
// its Lua environment:
//   * list.clone/merge, map.clone/merge/diff, math.sum/product, and the
//     globals List, Map and Bytes (the metatables, for getmetatable checks);
//   * the stream operators a stream UDF composes (map, filter, aggregate,
//     reduce, groupby) and the split of that chain between the server and
//     the client: everything up to and including the first reduce runs on
//     each server node, the rest (starting with that reduce) on the client;
//   * the logging functions trace/debug/info/warn(format, ...);
//   * the entry points the host calls: apply_record and apply_stream.
// Written for aerospike_py from the documented behaviour; the host (call.cc)
// depends on the entry points' names and argument order.
#include "lua/prelude.h"

namespace aerospike_py::lua {

const char kPreludeName[] = "aerospike_prelude.lua";

const char kPrelude[] = R"lua(
-- Aerospike's Lua is built without Lua 5.3's math compatibility functions;
-- Debian's keeps them. Remove them so modules behave the same on both.
for _, name in ipairs({'pow', 'cosh', 'sinh', 'tanh', 'frexp', 'ldexp', 'log10'}) do
  math[name] = nil
end

List = getmetatable(list())
Map = getmetatable(map())
Bytes = getmetatable(bytes())

function list.clone(l)
  local out = list()
  for v in list.iterator(l) do list.append(out, v) end
  return out
end

function list.merge(a, b)
  local out = list.clone(a)
  for v in list.iterator(b) do list.append(out, v) end
  return out
end

function map.clone(m)
  local out = map()
  for k, v in map.pairs(m) do out[k] = v end
  return out
end

-- Keys of both maps; where both have a key and `f` is a function, the value
-- is f(a[k], b[k]), otherwise b's value wins.
function map.merge(a, b, f)
  local out = map.clone(a)
  for k, v in map.pairs(b) do
    local mine = a[k]
    if mine ~= nil and type(f) == 'function' then
      out[k] = f(mine, v) or v
    else
      out[k] = v
    end
  end
  return out
end

-- Entries whose key only one of the two maps has (a false value counts as
-- absent, as in Aerospike's own definition).
function map.diff(a, b)
  local out = map()
  for k, v in map.pairs(a) do
    if not b[k] then out[k] = v end
  end
  for k, v in map.pairs(b) do
    if not a[k] then out[k] = v end
  end
  return out
end

function math.sum(a, b) return a + b end
function math.product(a, b) return a * b end

-- Stream operators. Each takes the upstream iterator and returns a new one;
-- an iterator returns nil once exhausted and keeps returning nil.

local function copy_of(v)
  local kind = type(v)
  if kind == 'table' then
    local t = {}
    for k, x in pairs(v) do t[k] = x end
    return t
  elseif kind == 'userdata' then
    local mt = getmetatable(v)
    if mt == Map then return map.clone(v) end
    if mt == List then return list.clone(v) end
    return nil
  end
  return v
end

local function op_filter(upstream, predicate)
  local finished = false
  return function()
    if finished then return nil end
    for v in upstream do
      if predicate(v) then return v end
    end
    finished = true
    return nil
  end
end

local function op_map(upstream, f)
  local finished = false
  return function()
    if finished then return nil end
    local v = upstream()
    if v == nil then
      finished = true
      return nil
    end
    return f(v)
  end
end

local function op_reduce(upstream, f)
  local finished = false
  return function()
    if finished then return nil end
    finished = true
    local acc = upstream()
    if acc == nil then return nil end
    for v in upstream do acc = f(acc, v) end
    return acc
  end
end

-- An aggregate folds from a fresh copy of `init`. A numeric accumulator
-- that reaches 1000 is emitted at once and the fold starts over (Aerospike
-- does this to bound what one value carries); the reduce that follows an
-- aggregate in practice combines the pieces again.
local function op_aggregate(upstream, init, f)
  local finished = false
  return function()
    if finished then return nil end
    local acc = copy_of(init)
    for v in upstream do
      acc = f(acc, v)
      if type(acc) == 'number' and acc >= 1000 then return acc end
    end
    finished = true
    return acc
  end
end

local SERVER, CLIENT, EITHER, BOTH = 1, 2, 3, 4

StreamOps = {}
StreamOps_mt = { __index = StreamOps }

function StreamOps_create()
  return setmetatable({ ops = {} }, StreamOps_mt)
end

local function add_op(self, scope, name, f, ...)
  self.ops[#self.ops + 1] = { scope = scope, name = name, func = f, args = table.pack(...) }
  return self
end

function StreamOps:map(...) return add_op(self, EITHER, 'map', op_map, ...) end
function StreamOps:filter(...) return add_op(self, EITHER, 'filter', op_filter, ...) end
function StreamOps:aggregate(...) return add_op(self, SERVER, 'aggregate', op_aggregate, ...) end
function StreamOps:reduce(...) return add_op(self, BOTH, 'reduce', op_reduce, ...) end

-- groupby(f): a map from f(v) to the list of values with that key; the
-- per-node maps are merged by concatenating the lists of equal keys.
function StreamOps:groupby(f)
  local function add(groups, v)
    local k = f and f(v) or nil
    local members = groups[k] or list()
    list.append(members, v)
    groups[k] = members
    return groups
  end
  local function merge(a, b)
    return map.merge(a, b, list.merge)
  end
  return self:aggregate(map(), add):reduce(merge)
end

-- The operators of `ops` that run where `scope` says: the server runs the
-- chain up to and including the first reduce; the client runs from that
-- reduce on.
function StreamOps_select(ops, scope)
  local server_ops, client_ops = {}, {}
  local on_server = true
  for _, op in ipairs(ops) do
    if on_server then
      if op.scope ~= CLIENT then server_ops[#server_ops + 1] = op end
      if op.scope == BOTH then
        client_ops[#client_ops + 1] = op
        on_server = false
      end
    else
      client_ops[#client_ops + 1] = op
    end
  end
  if scope == CLIENT then return client_ops end
  return server_ops
end

function StreamOps_apply(iterator, ops)
  for _, op in ipairs(ops) do
    iterator = op.func(iterator, table.unpack(op.args, 1, op.args.n)) or iterator
  end
  return iterator
end

local function stream_values(s)
  local finished = false
  return function()
    if finished then return nil end
    local v = stream.read(s)
    if v == nil then finished = true end
    return v
  end
end

function trace(fmt, ...) return aerospike:log(4, string.format(fmt, ...)) end
function debug(fmt, ...) return aerospike:log(3, string.format(fmt, ...)) end
function info(fmt, ...) return aerospike:log(2, string.format(fmt, ...)) end
function warn(fmt, ...) return aerospike:log(1, string.format(fmt, ...)) end

-- Entry point of a record UDF: f(record, args...). An error keeps its
-- message (level 2 names the host, which adds no position).
function apply_record(f, rec, ...)
  if f == nil then error('function not found', 2) end
  local ok, result = pcall(f, rec, ...)
  if not ok then error(result, 2) end
  return result
end

-- Entry point of a stream UDF: f(stream_ops, args...) builds the chain; the
-- part for `scope` then runs from `input` into `output`.
function apply_stream(f, scope, input, output, ...)
  if f == nil then error('function not found', 2) end
  local ok, result = pcall(f, StreamOps_create(), ...)
  if not ok then error(result, 2) end
  local kind = type(result)
  if kind ~= 'table' and kind ~= 'string' and kind ~= 'userdata' then
    -- A function that returns no stream: the real server's words (its
    -- entry point fails indexing the returned value).
    error(string.format("[string \"aerospike.lua\"]:33: attempt to index a %s value " ..
                        "(global 'result')", kind), 0)
  end
  local ops = StreamOps_select(result.ops, scope)
  for v in StreamOps_apply(stream_values(input), ops) do
    if stream.write(output, v) ~= 0 then break end
  end
  stream.write(output, nil)
  return 0
end
)lua";

}  // namespace aerospike_py::lua
