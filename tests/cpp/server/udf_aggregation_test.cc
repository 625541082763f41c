// The server half of an aggregation: a stream UDF over one partition's
// records, answered as the real server answers (one SUCCESS message per
// value; a FAILURE message "UDF: Execution Error <rc> : <message>").
#include "server/udf/aggregation.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/strings.h"
#include "proto/msgpack.h"
#include "server/bins.h"
#include "server/udf/particles.h"

namespace aerospike_py::server::udf {
namespace {

using proto::Value;

constexpr char kModule[] = R"(
local function add(a, b) return a + b end
function sum_n(s) return s:map(function(r) return r.n end):reduce(add) end
function sum_agg(s) return s:aggregate(0, function(a, r) return a + r.n end):reduce(add) end
function over(s, limit)
  return s:filter(function(r) return r.n > limit end):map(function(r) return r.n end)
end
function group_n(s) return s:map(function(r) return r.n end):groupby(function(n) return n % 2 end) end
function meta(s)
  return s:map(function(r)
    return map{set = record.setname(r), gen = record.gen(r), bins = record.numbins(r),
               key = record.key(r)}
  end)
end
function writes(s) return s:map(function(r) r.n = 5; return r.n end) end
function fails(s) return s:map(function(r) error('boom') end) end
function spins(s) return s:map(function(r) while true do end end) end
)";

class AggregationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string b64 = Base64Encode(kModule);
    ASSERT_EQ(modules_.Put("filename=aggr.lua;content=" + b64 +
                           ";content-len=" + std::to_string(b64.size()) + ";udf-type=LUA;"),
              "ok");
  }

  // n records with bin n = first..first+count-1 in set "agg".
  void Fill(int first, int count) {
    const uint16_t set = ns_.SetId("agg");
    for (int i = first; i < first + count; ++i) {
      proto::Digest d{};
      d[0] = 7;  // one partition
      d[10] = static_cast<uint8_t>(i);
      Record* r = ns_.Insert(d, set);
      BinList bins;
      uint8_t type;
      std::string bytes;
      ASSERT_TRUE(ValueToStoredParticle(Value::Int(i), &type, &bytes));
      bins.Set("n", type, bytes);
      r->bins = bins.Encode();
      r->n_bins = 1;
      r->generation = 3;
      r->key = std::string("\x03", 1) + "k" + std::to_string(i);
      inputs_.push_back(AggregationRecord{nullptr, d});
    }
    // Inserting may move records: look them all up once the partition is full.
    for (AggregationRecord& in : inputs_) {
      in.record = ns_.Find(in.digest, 1000);
      ASSERT_NE(in.record, nullptr);
    }
  }

  // Runs `function` and decodes the messages: (success, value) per message.
  bool Run(const std::string& function, std::vector<Value> args,
           std::vector<std::pair<bool, Value>>* answers) {
    UdfCallSpec call;
    call.module = "aggr";
    call.function = function;
    call.args = std::move(args);
    AggregationContext context;
    context.ns = &ns_;
    context.now = 1000;
    context.timeout_ms = 200;
    ByteBuffer out;
    const bool ok = AggregatePartition(modules_, call, context, inputs_, &out);
    // Walk the AS_MSGs: header (22 bytes), no fields, one op.
    std::string_view rest(reinterpret_cast<const char*>(out.data()), out.size());
    while (!rest.empty()) {
      EXPECT_GE(rest.size(), 22u + 8u);
      const auto* h = reinterpret_cast<const uint8_t*>(rest.data());
      EXPECT_EQ(h[0], 22);
      EXPECT_EQ(h[5], 0);  // result
      EXPECT_EQ(h[18] << 8 | h[19], 0);  // fields
      EXPECT_EQ(h[20] << 8 | h[21], 1);  // ops
      const uint8_t* op = h + 22;
      const uint32_t size = LoadBE32(op);
      EXPECT_EQ(op[4], 1);  // READ
      const uint8_t type = op[5];
      const uint8_t name_len = op[7];
      const std::string name(reinterpret_cast<const char*>(op + 8), name_len);
      const std::string_view value(reinterpret_cast<const char*>(op + 8 + name_len),
                                   size - 4 - name_len);
      Value v;
      EXPECT_TRUE(ParticleToValue(type, value, &v));
      answers->emplace_back(name == "SUCCESS", v);
      EXPECT_TRUE(name == "SUCCESS" || name == "FAILURE") << name;
      rest.remove_prefix(22 + 4 + size);
    }
    return ok;
  }

  UdfModules modules_;
  Namespace ns_{"test", 0};
  std::vector<AggregationRecord> inputs_;
};

TEST_F(AggregationTest, ReduceSendsOneValuePerPartition) {
  Fill(0, 10);
  std::vector<std::pair<bool, Value>> answers;
  ASSERT_TRUE(Run("sum_n", {}, &answers));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_TRUE(answers[0].first);
  EXPECT_EQ(answers[0].second, Value::Int(45));
  answers.clear();
  ASSERT_TRUE(Run("sum_agg", {}, &answers));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].second, Value::Int(45));
}

TEST_F(AggregationTest, AggregateEmitsAtOneThousandAndTheReduceCombines) {
  Fill(0, 100);  // 4950
  std::vector<std::pair<bool, Value>> answers;
  ASSERT_TRUE(Run("sum_agg", {}, &answers));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].second, Value::Int(4950));
}

TEST_F(AggregationTest, FilterAndMapSendEveryValueWithArguments) {
  Fill(0, 10);
  std::vector<std::pair<bool, Value>> answers;
  ASSERT_TRUE(Run("over", {Value::Int(6)}, &answers));
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0].second, Value::Int(7));
  EXPECT_EQ(answers[2].second, Value::Int(9));
}

TEST_F(AggregationTest, GroupByIsReducedOnTheNode) {
  Fill(0, 4);
  std::vector<std::pair<bool, Value>> answers;
  ASSERT_TRUE(Run("group_n", {}, &answers));
  ASSERT_EQ(answers.size(), 1u);
  const Value& m = answers[0].second;
  ASSERT_EQ(m.type(), Value::Type::kMap);
  EXPECT_EQ(m.map_size(), 2u);
}

TEST_F(AggregationTest, RecordsShowTheirMetadata) {
  Fill(3, 1);
  std::vector<std::pair<bool, Value>> answers;
  ASSERT_TRUE(Run("meta", {}, &answers));
  ASSERT_EQ(answers.size(), 1u);
  const Value& m = answers[0].second;
  ASSERT_EQ(m.type(), Value::Type::kMap);
  bool saw_set = false, saw_gen = false, saw_key = false;
  for (size_t i = 0; i < m.map_size(); ++i) {
    const std::string& k = m.map_key(i).str();
    if (k == "set") saw_set = m.map_value(i) == Value::String("agg");
    if (k == "gen") saw_gen = m.map_value(i) == Value::Int(3);
    if (k == "key") saw_key = m.map_value(i) == Value::String("k3");
  }
  EXPECT_TRUE(saw_set && saw_gen && saw_key);
}

TEST_F(AggregationTest, LuaErrorsAnswerFailure) {
  Fill(0, 3);
  std::vector<std::pair<bool, Value>> answers;
  ASSERT_FALSE(Run("fails", {}, &answers));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_FALSE(answers[0].first);
  EXPECT_EQ(answers[0].second,
            Value::String("UDF: Execution Error 2 : /opt/aerospike/usr/udf/lua/aggr.lua:16: boom"));
  answers.clear();
  ASSERT_FALSE(Run("nope", {}, &answers));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].second, Value::String("UDF: Execution Error 2 : function not found"));
}

// As on a real 8.1 server: a bin assignment in a stream UDF is ignored.
TEST_F(AggregationTest, RecordsAreReadOnly) {
  Fill(3, 1);
  std::vector<std::pair<bool, Value>> answers;
  ASSERT_TRUE(Run("writes", {}, &answers));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].second, Value::Int(3));
  EXPECT_EQ(inputs_[0].record->generation, 3u);
}

TEST_F(AggregationTest, RunawayStreamStopsAtTheDeadline) {
  Fill(0, 1);
  std::vector<std::pair<bool, Value>> answers;
  ASSERT_FALSE(Run("spins", {}, &answers));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_NE(answers[0].second.str().find("UDF Execution Timeout"), std::string::npos)
      << answers[0].second.str();
}

TEST_F(AggregationTest, UnknownModuleFailsAndEmptyPartitionsRunNothing) {
  std::vector<std::pair<bool, Value>> answers;
  ASSERT_TRUE(Run("sum_n", {}, &answers));  // no records
  EXPECT_TRUE(answers.empty());
  Fill(0, 1);
  UdfCallSpec call;
  call.module = "missing";
  call.function = "sum_n";
  AggregationContext context;
  context.ns = &ns_;
  ByteBuffer out;
  EXPECT_FALSE(AggregatePartition(modules_, call, context, inputs_, &out));
  EXPECT_GT(out.size(), 22u);
}

}  // namespace
}  // namespace aerospike_py::server::udf
