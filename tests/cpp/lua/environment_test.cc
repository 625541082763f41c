// The Lua UDF environment on its own: values, the prelude's helpers and
// stream operators, record objects over a fake host, limits and errors.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lua/call.h"
#include "lua/environment.h"
#include "lua/host.h"

namespace aerospike_py::proto {
// Readable values in test failure messages.
void PrintTo(const Value& v, std::ostream* os) { *os << v.DebugString(); }
}  // namespace aerospike_py::proto

namespace aerospike_py::lua {
namespace {

using proto::Value;
using Clock = std::chrono::steady_clock;

Clock::time_point Soon(int ms = 2000) { return Clock::now() + std::chrono::milliseconds(ms); }

std::unique_ptr<Environment> Load(const std::string& source, bool server = true,
                                  ModuleResolver* resolver = nullptr,
                                  size_t memory_limit = size_t{64} << 20) {
  EnvironmentOptions o;
  o.server_mode = server;
  o.memory_limit = memory_limit;
  auto env = Environment::Create(o, "m", source, resolver);
  EXPECT_TRUE(env.ok()) << env.status();
  return env.ok() ? std::move(env).value() : nullptr;
}

// A record in memory, with the server's create/update/remove outcomes.
class FakeRecord : public RecordHost {
 public:
  bool exists = false;
  std::map<std::string, Value> bins;
  std::vector<std::string> order;
  uint32_t ttl = 0;
  uint16_t gen = 0;
  bool writes = false;
  uint32_t set_ttl = 0;
  bool dropped_key = false;
  uint8_t failed = 0;

  bool Exists() override { return exists; }
  bool ReadBin(std::string_view name, Value* out) override {
    auto it = bins.find(std::string(name));
    if (it == bins.end()) return false;
    *out = it->second;
    return true;
  }
  int Apply(const std::vector<BinUpdate>& updates, bool too_many) {
    if (too_many) {
      failed = 21;
      return -1;
    }
    for (const BinUpdate& u : updates) {
      if (u.unusable) {
        failed = 12;
        return -1;
      }
      if (u.value.is_nil()) {
        bins.erase(u.name);
      } else {
        bins[u.name] = u.value;
      }
    }
    writes = true;
    return 0;
  }
  int Create(const std::vector<BinUpdate>& updates, bool too_many) override {
    if (exists && !bins.empty()) return 1;
    exists = true;
    return Apply(updates, too_many);
  }
  int Update(const std::vector<BinUpdate>& updates, bool too_many) override {
    if (!exists) return -2;
    return Apply(updates, too_many);
  }
  int Remove() override {
    if (!exists) return 1;
    bins.clear();
    writes = true;
    return 0;
  }
  uint32_t Ttl() override { return ttl; }
  uint64_t LastUpdateTime() override { return 12345; }
  uint16_t Generation() override { return gen; }
  uint32_t StoredSize() override { return 10; }
  uint32_t MemorySize() override { return 10; }
  uint32_t DeviceSize() override { return 0; }
  uint16_t NumBins() override { return static_cast<uint16_t>(bins.size()); }
  bool BinNames(std::vector<std::string>* out) override {
    if (!exists) return false;
    for (auto& [k, v] : bins) out->push_back(k);
    return true;
  }
  bool SetName(std::string* out) override {
    if (!exists) return false;
    *out = "demo";
    return true;
  }
  bool Key(Value* out) override {
    if (!exists) return false;
    *out = Value::String("k1");
    return true;
  }
  std::string Digest() override { return std::string(20, '\x07'); }
  void SetTtl(uint32_t t) override { set_ttl = t; }
  void DropKey() override { dropped_key = true; }
};

class LogSink : public HostServices {
 public:
  std::vector<std::string> lines;
  void Log(int level, std::string_view file, int line, std::string_view message) override {
    lines.push_back(std::to_string(level) + " " + std::string(file) + ":" +
                    std::to_string(line) + " " + std::string(message));
  }
  uint64_t CurrentTimeMs() override { return 1700000000000; }
};

CallResult Call(Environment& env, const std::string& fn, std::vector<Value> args = {},
                RecordHost* rec = nullptr, HostServices* services = nullptr, int ms = 2000) {
  FakeRecord dummy;
  return CallRecordFunction(env, fn, rec ? rec : &dummy, services, args, Soon(ms));
}

TEST(LuaEnvironment, ReturnsEveryValueType) {
  auto env = Load(R"(
    function i(r) return 5 end
    function f(r) return 2.5 end
    function s(r) return "hi" end
    function b(r) return true end
    function n(r) return nil end
    function t(r) return {1, 2} end
    function l(r) return list{1, "a", 2.5, false} end
    function m(r) local x = map(); x.a = 1; x[2] = "b"; return x end
    function y(r) local v = bytes(2); bytes.set_byte(v, 1, 65); return v end
    function g(r) return geojson('{"type":"Point","coordinates":[1,2]}') end
    function nested(r) return list{list{1}, map{k = list{2}}} end
  )");
  ASSERT_TRUE(env);
  EXPECT_EQ(Call(*env, "i").value, Value::Int(5));
  EXPECT_EQ(Call(*env, "f").value, Value::Double(2.5));
  EXPECT_EQ(Call(*env, "s").value, Value::String("hi"));
  EXPECT_EQ(Call(*env, "b").value, Value::Bool(true));
  EXPECT_TRUE(Call(*env, "n").value.is_nil());
  CallResult t = Call(*env, "t");
  EXPECT_TRUE(t.success);
  EXPECT_TRUE(t.value.is_nil());  // a plain table has no Aerospike form
  EXPECT_EQ(Call(*env, "l").value,
            Value::List({Value::Int(1), Value::String("a"), Value::Double(2.5), Value::Bool(false)}));
  EXPECT_EQ(Call(*env, "m").value,
            Value::Map({{Value::Int(2), Value::String("b")}, {Value::String("a"), Value::Int(1)}}));
  EXPECT_EQ(Call(*env, "y").value, Value::Bytes("A"));
  EXPECT_EQ(Call(*env, "g").value.type(), Value::Type::kGeoJson);
  EXPECT_EQ(Call(*env, "nested").value,
            Value::List({Value::List({Value::Int(1)}),
                         Value::Map({{Value::String("k"), Value::List({Value::Int(2)})}})}));
}

TEST(LuaEnvironment, ArgumentsArriveAsLuaValues) {
  auto env = Load(R"(
    function types(r, a, b, c, d, e, f)
      return list{type(a), type(b), type(c), type(d), type(e), math.type(f)}
    end
    function sum(r, l) local s = 0; for v in list.iterator(l) do s = s + v end; return s end
    function count(r, ...) return select('#', ...) end
  )");
  ASSERT_TRUE(env);
  CallResult r = Call(*env, "types",
                      {Value::Int(1), Value::String("s"), Value::List({}), Value::Map({}),
                       Value::Bytes("x"), Value::Double(1.0)});
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(r.value, Value::List({Value::String("number"), Value::String("string"),
                                  Value::String("userdata"), Value::String("userdata"),
                                  Value::String("userdata"), Value::String("float")}));
  EXPECT_EQ(Call(*env, "sum", {Value::List({Value::Int(1), Value::Int(2), Value::Int(3)})}).value,
            Value::Int(6));
  EXPECT_EQ(Call(*env, "count", {Value::Int(1), Value(), Value::Int(3)}).value, Value::Int(3));
}

TEST(LuaEnvironment, ListAndMapFunctions) {
  auto env = Load(R"(
    function lists(r)
      local l = list()
      list.append(l, 1); list.append(l, 2); list.prepend(l, 0); list.insert(l, 2, 9)
      local a = tostring(l)                       -- [0, 9, 1, 2]
      list.remove(l, 2)
      local t = list.take(l, 2); local d = list.drop(l, 2)
      list.concat(t, d)
      local c = list.clone(t); list.append(c, 7)
      l[6] = 5                                    -- pads with nil
      -- l[5] and l[99] are nil: list{} skips nils (they leave table holes)
      return list{a, tostring(t), tostring(c), #l, list.size(l), tostring(l), l[5], l[99]}
    end
    function maps(r)
      local m = map{a = 1}
      m.b = 2; m.a = nil                           -- nil values keep their key
      local n = map.size(m)
      map.remove(m, "a")
      local keys = list()
      for k in map.keys(m) do list.append(keys, k) end
      local merged = map.merge(map{x = 1, y = 2}, map{y = 10, z = 3}, math.sum)
      local diff = map.diff(map{x = 1, y = 2}, map{y = 5, z = 3})
      return list{n, map.size(m), tostring(keys), tostring(merged), tostring(diff), #m}
    end
  )");
  ASSERT_TRUE(env);
  CallResult l = Call(*env, "lists");
  ASSERT_TRUE(l.success) << l.error;
  EXPECT_EQ(l.value, Value::List({Value::String("[0, 9, 1, 2]"), Value::String("[0, 1, 2]"),
                                  Value::String("[0, 1, 2, 7]"), Value::Int(6), Value::Int(6),
                                  Value::String("[0, 1, 2, NIL, NIL, 5]")}));
  CallResult m = Call(*env, "maps");
  ASSERT_TRUE(m.success) << m.error;
  EXPECT_EQ(m.value, Value::List({Value::Int(2), Value::Int(1), Value::String("[\"b\"]"),
                                  Value::String("{\"x\":1, \"y\":12, \"z\":3}"),
                                  Value::String("{\"x\":1, \"z\":3}"), Value::Int(1)}));
}

TEST(LuaEnvironment, BytesModule) {
  auto env = Load(R"(
    function f(r)
      local b = bytes(4)
      local ok = bytes.set_int16_be(b, 1, 258)
      bytes.append_string(b, "hi")
      bytes.set_type(b, 7)
      local v, n = bytes.get_var_int(bytes(0), 1)
      return list{ok, bytes.size(b), bytes.get_int16(b, 1), bytes.get_string(b, 3, 2),
                  b[1], bytes.get_type(b), tostring(b), bytes.set_byte(b, 1, 300)}
    end
  )");
  ASSERT_TRUE(env);
  CallResult r = Call(*env, "f");
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(r.value, Value::List({Value::Bool(true), Value::Int(4), Value::Int(258),
                                  Value::String("hi"), Value::Int(1), Value::Int(7),
                                  Value::String("01 02 68 69"), Value::Bool(false)}));
}

TEST(LuaEnvironment, ErrorsCarryFileAndLine) {
  auto env = Load("function boom(r)\n  error('boom')\nend\n"
                  "function arith(r)\n  local x = nil\n  return x + 1\nend\n"
                  "function tbl(r) error({1}) end\n"
                  "function num(r) error(42) end\n"
                  "function bad_arg(r) return list.size(5) end\n");
  ASSERT_TRUE(env);
  CallResult r = Call(*env, "boom");
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.error, "/opt/aerospike/usr/udf/lua/m.lua:2: boom");
  EXPECT_EQ(Call(*env, "arith").error,
            "/opt/aerospike/usr/udf/lua/m.lua:6: attempt to perform arithmetic on a nil value "
            "(local 'x')");
  EXPECT_EQ(Call(*env, "tbl").error, "result value type unexpected");
  EXPECT_EQ(Call(*env, "num").error, "result value type unexpected");
  EXPECT_EQ(Call(*env, "missing").error, "function not found");
  // The server checks for a userdata before the class.
  EXPECT_NE(Call(*env, "bad_arg").error.find(
                "bad argument #1 to 'size' (userdata expected, got number)"),
            std::string::npos);
  // The state is still usable after errors.
  EXPECT_TRUE(Call(*env, "missing2").error == "function not found");
}

TEST(LuaEnvironment, RunawayLoopsStopAtTheDeadline) {
  auto env = Load(R"(
    function spin(r) while true do end end
    function sneaky(r) while true do pcall(function() while true do end end) end end
  )");
  ASSERT_TRUE(env);
  auto t0 = Clock::now();
  CallResult r = Call(*env, "spin", {}, nullptr, nullptr, 100);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.error, "UDF Execution Timeout");
  r = Call(*env, "sneaky", {}, nullptr, nullptr, 100);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.error, "UDF Execution Timeout");
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(2));
  // The next call has a fresh budget.
  auto ok = Load("function f(r) return 1 end");
  EXPECT_TRUE(Call(*ok, "f").success);
}

TEST(LuaEnvironment, MemoryLimitFailsTheCall) {
  auto env = Load(R"(
    function hog(r) local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1000) .. i end end
    function fine(r) return 7 end
  )", true, nullptr, size_t{8} << 20);
  ASSERT_TRUE(env);
  CallResult r = Call(*env, "hog", {}, nullptr, nullptr, 10000);
  EXPECT_FALSE(r.success);
  EXPECT_NE(r.error.find("not enough memory"), std::string::npos) << r.error;
  EXPECT_EQ(Call(*env, "fine").value, Value::Int(7));
}

TEST(LuaEnvironment, RecordObjects) {
  auto env = Load(R"(
    function rw(r, v)
      local before = r.x
      r.x = v
      r.y = list{1}
      local rc = aerospike:update(r)
      return list{before, r.x, rc, record.numbins(r)}
    end
    function meta(r)
      return list{record.ttl(r), record.gen(r), record.setname(r), record.key(r),
                  aerospike:exists(r), bytes.size(record.digest(r)), record.last_update_time(r)}
    end
    function create(r) r.a = 1; return aerospike:create(r) end
    function remove(r) return aerospike:remove(r) end
    function badbin(r) r.x = {1} end
    function recbin(r) r.x = r; return aerospike:update(r) end
    function ttl(r) record.set_ttl(r, 60); record.drop_key(r) end
    function cached(r) local l = r.l; list.append(l, 9); return r.l end
    function keep(r) saved = r end
    function later(r) return saved.x end
    function logs(r) info("n=%d", 5); warn("w") end
  )");
  ASSERT_TRUE(env);
  FakeRecord rec;
  rec.exists = true;
  rec.bins["x"] = Value::Int(1);
  rec.bins["l"] = Value::List({Value::Int(1)});
  rec.gen = 3;
  CallResult r = Call(*env, "rw", {Value::String("new")}, &rec);
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(r.value, Value::List({Value::Int(1), Value::String("new"), Value::Int(0), Value::Int(3)}));
  EXPECT_EQ(rec.bins["x"], Value::String("new"));
  EXPECT_EQ(rec.bins["y"], Value::List({Value::Int(1)}));

  r = Call(*env, "meta", {}, &rec);
  EXPECT_EQ(r.value, Value::List({Value::Int(0), Value::Int(3), Value::String("demo"),
                                  Value::String("k1"), Value::Bool(true), Value::Int(20),
                                  Value::Int(12345)}));
  FakeRecord absent;
  r = Call(*env, "meta", {}, &absent);
  // nil set name and key leave holes that list{} skips, as on the server.
  EXPECT_EQ(r.value, Value::List({Value::Int(0), Value::Int(0), Value::Bool(false),
                                  Value::Int(20), Value::Int(12345)}));
  EXPECT_EQ(Call(*env, "create", {}, &absent).value, Value::Int(0));
  EXPECT_EQ(absent.bins["a"], Value::Int(1));
  EXPECT_EQ(Call(*env, "create", {}, &absent).value, Value::Int(1));  // exists now
  EXPECT_EQ(Call(*env, "remove", {}, &absent).value, Value::Int(0));
  EXPECT_TRUE(absent.bins.empty());

  r = Call(*env, "badbin", {}, &rec);
  EXPECT_FALSE(r.success);
  EXPECT_NE(r.error.find("can't set bin x to unsupported type"), std::string::npos) << r.error;
  EXPECT_EQ(Call(*env, "recbin", {}, &rec).value, Value::Int(-1));
  EXPECT_EQ(rec.failed, 12);

  Call(*env, "ttl", {}, &rec);
  EXPECT_EQ(rec.set_ttl, 60u);
  EXPECT_TRUE(rec.dropped_key);

  EXPECT_EQ(Call(*env, "cached", {}, &rec).value, Value::List({Value::Int(1), Value::Int(9)}));

  EXPECT_TRUE(Call(*env, "keep", {}, &rec).success);
  r = Call(*env, "later", {}, &rec);
  EXPECT_FALSE(r.success);
  EXPECT_NE(r.error.find("record is no longer available"), std::string::npos) << r.error;

  LogSink logs;
  EXPECT_TRUE(Call(*env, "logs", {}, &rec, &logs).success);
  ASSERT_EQ(logs.lines.size(), 2u);
  EXPECT_EQ(logs.lines[0], "2 /opt/aerospike/usr/udf/lua/m.lua:21 n=5");
  EXPECT_EQ(logs.lines[1], "1 /opt/aerospike/usr/udf/lua/m.lua:21 w");
}

TEST(LuaEnvironment, TooManyBinsFailsTheUpdate) {
  auto env = Load(R"(
    function many(r) for i = 1, 600 do r["b" .. i] = i end return aerospike:update(r) end
  )");
  FakeRecord rec;
  rec.exists = true;
  EXPECT_EQ(Call(*env, "many", {}, &rec).value, Value::Int(-1));
  EXPECT_EQ(rec.failed, 21);
}

class VectorSource : public StreamSource {
 public:
  std::vector<Value> values;
  size_t next = 0;
  Kind Next(Value* value, RecordHost** record) override {
    if (next >= values.size()) return Kind::kEnd;
    *value = values[next++];
    return Kind::kValue;
  }
};

class RecordSource : public StreamSource {
 public:
  std::vector<FakeRecord> records;
  size_t next = 0;
  Kind Next(Value* value, RecordHost** record) override {
    if (next >= records.size()) return Kind::kEnd;
    *record = &records[next++];
    return Kind::kRecord;
  }
};

class VectorSink : public StreamSink {
 public:
  std::vector<Value> values;
  int Write(Value v) override {
    values.push_back(std::move(v));
    return 0;
  }
};

constexpr char kStreams[] = R"(
  local function add(a, b) return a + b end
  function sum(s, bin) return s:map(function(r) return r[bin] end):reduce(add) end
  function big(s) return s:aggregate(0, function(acc, r) return acc + r.v end) end
  function big_reduced(s)
    return s:aggregate(0, function(acc, r) return acc + r.v end):reduce(add)
  end
  function group(s)
    return s:map(function(r) return map{g = r.g, v = r.v} end)
            :groupby(function(m) return m.g end)
  end
  function odd(s) return s:filter(function(r) return r.v % 2 == 1 end):map(function(r) return r.v end) end
  function fails(s) return s:map(function(r) error("in map") end) end
)";

std::vector<FakeRecord> Records(int n) {
  std::vector<FakeRecord> out(n);
  for (int i = 0; i < n; ++i) {
    out[i].exists = true;
    out[i].bins["v"] = Value::Int(i + 1);
    out[i].bins["g"] = Value::String(i % 2 ? "odd" : "even");
  }
  return out;
}

TEST(LuaEnvironment, StreamOperatorsSplitBetweenServerAndClient) {
  auto server = Load(kStreams, true);
  auto client = Load(kStreams, false);
  ASSERT_TRUE(server && client);
  RecordSource records;
  records.records = Records(10);
  VectorSink partial;
  CallResult r = CallStreamFunction(*server, "sum", &records, &partial, nullptr,
                                    {Value::String("v")}, Soon());
  ASSERT_TRUE(r.success) << r.error;
  ASSERT_EQ(partial.values, std::vector<Value>{Value::Int(55)});
  // The client reduces what the nodes sent.
  VectorSource from_nodes;
  from_nodes.values = {Value::Int(55), Value::Int(45)};
  VectorSink final_out;
  r = CallStreamFunction(*client, "sum", &from_nodes, &final_out, nullptr,
                         {Value::String("v")}, Soon());
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(final_out.values, std::vector<Value>{Value::Int(100)});

  // filter + map are either-side operators: all on the server.
  RecordSource again;
  again.records = Records(5);
  VectorSink odd;
  ASSERT_TRUE(CallStreamFunction(*server, "odd", &again, &odd, nullptr, {}, Soon()).success);
  EXPECT_EQ(odd.values, (std::vector<Value>{Value::Int(1), Value::Int(3), Value::Int(5)}));
}

TEST(LuaEnvironment, AggregateEmitsNumbersFromOneThousand) {
  auto server = Load(kStreams, true);
  RecordSource records;
  records.records = Records(100);  // 1 + ... + 100 = 5050
  VectorSink out;
  ASSERT_TRUE(CallStreamFunction(*server, "big", &records, &out, nullptr, {}, Soon()).success);
  int64_t total = 0;
  for (const Value& v : out.values) total += v.as_int();
  EXPECT_EQ(total, 5050);
  EXPECT_GT(out.values.size(), 1u);
  RecordSource again;
  again.records = Records(100);
  VectorSink reduced;
  ASSERT_TRUE(
      CallStreamFunction(*server, "big_reduced", &again, &reduced, nullptr, {}, Soon()).success);
  EXPECT_EQ(reduced.values, std::vector<Value>{Value::Int(5050)});
}

TEST(LuaEnvironment, GroupByMergesOnTheClient) {
  auto server = Load(kStreams, true);
  auto client = Load(kStreams, false);
  RecordSource records;
  records.records = Records(4);
  VectorSink partial;
  ASSERT_TRUE(CallStreamFunction(*server, "group", &records, &partial, nullptr, {}, Soon()).success);
  ASSERT_EQ(partial.values.size(), 1u);
  VectorSource from_nodes;
  from_nodes.values = {partial.values[0], partial.values[0]};
  VectorSink out;
  CallResult r = CallStreamFunction(*client, "group", &from_nodes, &out, nullptr, {}, Soon());
  ASSERT_TRUE(r.success) << r.error;
  ASSERT_EQ(out.values.size(), 1u);
  const Value& groups = out.values[0];
  ASSERT_EQ(groups.type(), Value::Type::kMap);
  ASSERT_EQ(groups.map_size(), 2u);
  // Two records per group on each of the two "nodes".
  EXPECT_EQ(groups.map_value(0).items().size(), 4u);
  EXPECT_EQ(groups.map_value(1).items().size(), 4u);
}

TEST(LuaEnvironment, StreamErrors) {
  auto server = Load(kStreams, true);
  RecordSource records;
  records.records = Records(3);
  VectorSink out;
  CallResult r = CallStreamFunction(*server, "fails", &records, &out, nullptr, {}, Soon());
  EXPECT_FALSE(r.success);
  EXPECT_NE(r.error.find("in map"), std::string::npos) << r.error;
  r = CallStreamFunction(*server, "nope", &records, &out, nullptr, {}, Soon());
  EXPECT_EQ(r.error, "function not found");
}

TEST(LuaEnvironment, LoadErrorsAndValidation) {
  EnvironmentOptions o;
  auto bad = Environment::Create(o, "m", "function f(\n", nullptr);
  EXPECT_FALSE(bad.ok());
  auto e = ValidateModule("bad1.lua", "function f(rec)\n  return 1 +\nend\n");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->file, "bad1.lua");
  EXPECT_EQ(e->line, 3);
  EXPECT_EQ(e->message, "unexpected symbol near 'end'");
  e = ValidateModule("bad2.lua", "local x = 1\nerror('load boom')\n");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->line, 2);
  EXPECT_EQ(e->message, "load boom");
  EXPECT_FALSE(ValidateModule("ok.lua", "function f() end").has_value());
  e = ValidateModule("loop.lua", "while true do end");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->message, "UDF Execution Timeout");
}

TEST(LuaEnvironment, RequireFindsOtherModules) {
  struct Registry : ModuleResolver {
    bool FindModule(std::string_view name, std::string* out) override {
      if (name != "helpers") return false;
      *out = "local M = {} function M.twice(x) return 2 * x end return M";
      return true;
    }
  } registry;
  auto env = Load("local h = require('helpers')\nfunction f(r, x) return h.twice(x) end", true,
                  &registry);
  ASSERT_TRUE(env);
  EXPECT_EQ(Call(*env, "f", {Value::Int(21)}).value, Value::Int(42));
  EnvironmentOptions o;
  auto missing = Environment::Create(o, "m", "require('nothere')", &registry);
  EXPECT_FALSE(missing.ok());
}

// Lua is built as C++: an error raised through a C function unwinds C++
// frames (destructors run) instead of longjmp-ing over them.
TEST(LuaEnvironment, ErrorsUnwindCxxFrames) {
  auto env = Load("function f(r) return list.size(nil) end");
  for (int i = 0; i < 1000; ++i) ASSERT_FALSE(Call(*env, "f").success);
  EXPECT_LT(env->memory_in_use(), size_t{4} << 20);
}

}  // namespace
}  // namespace aerospike_py::lua
