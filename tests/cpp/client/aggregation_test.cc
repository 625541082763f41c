// The client's half of an aggregation: the worker thread runs the module's
// client scope (from the first reduce on) over the values the nodes sent.
#include "client/aggregation.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "common/status_payload.h"

namespace aerospike_py::client {
namespace {

using proto::Value;

constexpr char kModule[] = R"(
local function add(a, b) return a + b end
function sum(s) return s:map(function(r) return r.n end):reduce(add) end
function sum_then_double(s)
  return s:map(function(r) return r.n end):reduce(add):map(function(t) return t * 2 end)
end
function values(s) return s:map(function(r) return r.n end) end
function groups(s) return s:map(function(r) return r.n end):groupby(function(n) return n % 2 end) end
function counts(s)
  local function inc(m, r) local k = r.n % 3; m[k] = (m[k] or 0) + 1; return m end
  return s:aggregate(map(), inc):reduce(function(a, b) return map.merge(a, b, math.sum) end)
end
function slow(s)
  return s:reduce(function(a, b) while true do end end)
end
function bad_reduce(s) return s:reduce(function(a, b) error("cannot reduce") end) end
function uses_helper(s) local h = require("helper"); return s:reduce(h.add) end
)";

constexpr char kHelper[] = "local M = {}\nfunction M.add(a, b) return a + b end\nreturn M\n";

AggregationSpec Spec(const std::string& function) {
  AggregationSpec spec;
  spec.module = "agg";
  spec.function = function;
  spec.sources["agg"] = kModule;
  spec.sources["helper"] = kHelper;
  spec.timeout = std::chrono::seconds(10);
  return spec;
}

// Waits for `done` of a threaded aggregation.
class Waiter {
 public:
  Aggregation::Done Callback() {
    return [this](AggregationOutcome out) {
      std::lock_guard<std::mutex> lock(mu_);
      outcome_ = std::move(out);
      thread_ = std::this_thread::get_id();
      cv_.notify_all();
    };
  }
  AggregationOutcome Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(30), [this] { return outcome_.has_value(); });
    if (!outcome_) {
      AggregationOutcome none;
      none.status = absl::DeadlineExceededError("done never called");
      return none;
    }
    return *outcome_;
  }
  std::thread::id thread() {
    std::lock_guard<std::mutex> lock(mu_);
    return thread_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<AggregationOutcome> outcome_;
  std::thread::id thread_;
};

TEST(Aggregation, ReducesNodeValuesOnItsOwnThread) {
  Waiter w;
  auto agg = Aggregation::Start(Spec("sum"), w.Callback());
  ASSERT_TRUE(agg.ok()) << agg.status();
  // What the nodes' server scope (map + reduce) sent: partial sums.
  for (int64_t partial : {10, 20, 12}) (*agg)->Push(Value::Int(partial));
  (*agg)->Finish(Status());
  AggregationOutcome out = w.Wait();
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_EQ(out.values, std::vector<Value>{Value::Int(42)});
  EXPECT_NE(w.thread(), std::this_thread::get_id());
}

TEST(Aggregation, OperatorsAfterTheReduceRunOnTheClient) {
  AggregationOutcome out = ReduceOnThisThread(Spec("sum_then_double"), {Value::Int(1), Value::Int(2)});
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_EQ(out.values, std::vector<Value>{Value::Int(6)});
}

TEST(Aggregation, WithoutAReduceTheNodeValuesAreTheResults) {
  AggregationOutcome out = ReduceOnThisThread(Spec("values"), {Value::Int(7), Value::Int(9)});
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_EQ(out.values, (std::vector<Value>{Value::Int(7), Value::Int(9)}));
}

TEST(Aggregation, NoValuesGiveNoResult) {
  AggregationOutcome out = ReduceOnThisThread(Spec("sum"), {});
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_TRUE(out.values.empty());
}

TEST(Aggregation, GroupByMergesTheNodesGroups) {
  // As the real server sends them: one map per partition, one key each.
  std::vector<Value> partials = {
      Value::Map({{Value::Int(0), Value::List({Value::Int(2)})}}),
      Value::Map({{Value::Int(1), Value::List({Value::Int(3)})}}),
      Value::Map({{Value::Int(0), Value::List({Value::Int(4), Value::Int(6)})}}),
  };
  AggregationOutcome out = ReduceOnThisThread(Spec("groups"), partials);
  ASSERT_TRUE(out.status.ok()) << out.status;
  ASSERT_EQ(out.values.size(), 1u);
  const Value& m = out.values[0];
  ASSERT_EQ(m.type(), Value::Type::kMap);
  ASSERT_EQ(m.map_size(), 2u);
  for (size_t i = 0; i < m.map_size(); ++i) {
    if (m.map_key(i).as_int() == 0) {
      EXPECT_EQ(m.map_value(i).items().size(), 3u);
    } else {
      EXPECT_EQ(m.map_value(i).items(), std::vector<Value>{Value::Int(3)});
    }
  }
}

TEST(Aggregation, MapMergeWithSum) {
  std::vector<Value> partials = {
      Value::Map({{Value::Int(2), Value::Int(1)}}),
      Value::Map({{Value::Int(2), Value::Int(1)}, {Value::Int(0), Value::Int(4)}}),
  };
  AggregationOutcome out = ReduceOnThisThread(Spec("counts"), partials);
  ASSERT_TRUE(out.status.ok()) << out.status;
  ASSERT_EQ(out.values.size(), 1u);
  const Value& m = out.values[0];
  ASSERT_EQ(m.map_size(), 2u);
  for (size_t i = 0; i < m.map_size(); ++i) {
    EXPECT_EQ(m.map_value(i).as_int(), m.map_key(i).as_int() == 2 ? 2 : 4);
  }
}

TEST(Aggregation, RequireFindsOtherKnownModules) {
  AggregationOutcome out = ReduceOnThisThread(Spec("uses_helper"), {Value::Int(1), Value::Int(4)});
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_EQ(out.values, std::vector<Value>{Value::Int(5)});
}

TEST(Aggregation, LuaErrorsAreUdfErrors) {
  AggregationOutcome out = ReduceOnThisThread(Spec("bad_reduce"), {Value::Int(1), Value::Int(2)});
  ASSERT_FALSE(out.status.ok());
  EXPECT_EQ(ResultCodeOf(out.status), ResultCode::kUdf);
  EXPECT_NE(std::string(out.status.message()).find("agg.lua:16: cannot reduce"), std::string::npos)
      << out.status;
  out = ReduceOnThisThread(Spec("nope"), {Value::Int(1)});
  EXPECT_EQ(ResultCodeOf(out.status), ResultCode::kUdf);
  EXPECT_EQ(out.status.message(), "function not found");
}

TEST(Aggregation, UnknownOrBrokenModuleFailsToStart) {
  AggregationSpec spec = Spec("sum");
  spec.module = "missing";
  Waiter w;
  auto agg = Aggregation::Start(spec, w.Callback());
  ASSERT_FALSE(agg.ok());
  EXPECT_EQ(ResultCodeOf(agg.status()), ResultCode::kUdf);
  EXPECT_NE(std::string(agg.status().message()).find("'missing'"), std::string::npos);
  spec = Spec("sum");
  spec.sources["agg"] = "function sum(s\n";
  agg = Aggregation::Start(spec, w.Callback());
  ASSERT_FALSE(agg.ok());
  EXPECT_EQ(ResultCodeOf(agg.status()), ResultCode::kUdf);
}

TEST(Aggregation, RunawayReduceStopsAtTheDeadline) {
  AggregationSpec spec = Spec("slow");
  spec.timeout = std::chrono::milliseconds(200);
  Waiter w;
  auto agg = Aggregation::Start(spec, w.Callback());
  ASSERT_TRUE(agg.ok()) << agg.status();
  (*agg)->Push(Value::Int(1));
  (*agg)->Push(Value::Int(2));
  (*agg)->Finish(Status());
  AggregationOutcome out = w.Wait();
  EXPECT_EQ(ResultCodeOf(out.status), ResultCode::kUdf);
  EXPECT_NE(std::string(out.status.message()).find("UDF Execution Timeout"), std::string::npos)
      << out.status;
}

TEST(Aggregation, InputThatNeverEndsTimesOut) {
  AggregationSpec spec = Spec("sum");
  spec.timeout = std::chrono::milliseconds(100);
  Waiter w;
  auto agg = Aggregation::Start(spec, w.Callback());
  ASSERT_TRUE(agg.ok()) << agg.status();
  (*agg)->Push(Value::Int(1));
  AggregationOutcome out = w.Wait();
  EXPECT_EQ(ResultCodeOf(out.status), ResultCode::kUdf);
  EXPECT_EQ(out.status.message(), "UDF Execution Timeout");
}

TEST(Aggregation, UpstreamErrorWinsAndDiscardsValues) {
  Waiter w;
  auto agg = Aggregation::Start(Spec("sum"), w.Callback());
  ASSERT_TRUE(agg.ok()) << agg.status();
  (*agg)->Push(Value::Int(1));
  (*agg)->Finish(absl::UnavailableError("node went away"));
  (*agg)->Push(Value::Int(2));  // ignored after Finish
  AggregationOutcome out = w.Wait();
  EXPECT_EQ(out.status.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(out.values.empty());
}

TEST(Aggregation, DestroyingAnUnfinishedAggregationCancelsIt) {
  Waiter w;
  {
    auto agg = Aggregation::Start(Spec("sum"), w.Callback());
    ASSERT_TRUE(agg.ok()) << agg.status();
    (*agg)->Push(Value::Int(1));
  }
  AggregationOutcome out = w.Wait();
  EXPECT_EQ(out.status.code(), absl::StatusCode::kCancelled);
}

TEST(Aggregation, ManyValuesFromAnotherThread) {
  Waiter w;
  auto agg = Aggregation::Start(Spec("sum"), w.Callback());
  ASSERT_TRUE(agg.ok()) << agg.status();
  std::thread producer([&] {
    for (int i = 1; i <= 100000; ++i) (*agg)->Push(Value::Int(i));
    (*agg)->Finish(Status());
  });
  AggregationOutcome out = w.Wait();
  producer.join();
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_EQ(out.values, std::vector<Value>{Value::Int(int64_t{100000} * 100001 / 2)});
}

TEST(Aggregation, InputQueueIsBounded) {
  AggregationSpec spec = Spec("sum");
  spec.queue_limit = 4;
  Waiter w;
  auto agg = Aggregation::Start(spec, w.Callback());
  ASSERT_TRUE(agg.ok()) << agg.status();
  // Without waiting, Push refuses once the reduce is behind by queue_limit
  // values, and never queues more than that.
  int64_t sent = 0, expected = 0;
  size_t refused = 0;
  for (int64_t i = 1; i <= 20000; ++i) {
    Value v = Value::Int(i);
    const PushResult r = (*agg)->Push(std::move(v), /*wait=*/false);
    EXPECT_LE((*agg)->queued(), 4u);
    if (r == PushResult::kFull) {
      ++refused;
      (*agg)->WaitForRoom();
      ASSERT_EQ((*agg)->Push(Value::Int(i)), PushResult::kQueued);
    } else {
      ASSERT_EQ(r, PushResult::kQueued);
    }
    ++sent;
    expected += i;
  }
  (*agg)->Finish(Status());
  AggregationOutcome out = w.Wait();
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_EQ(out.values, std::vector<Value>{Value::Int(expected)});
  EXPECT_EQ(sent, 20000);
  EXPECT_GT(refused, 0u);  // the producer was faster than the reduce at least once
}

TEST(Aggregation, StreamedOutputWaitsForASlowConsumer) {
  // A chain without a reduce: the nodes ran all of it, the client's scope
  // is empty and every value pushed is a result. The worker stops when
  // output_limit results wait, so Push reports them instead of queueing
  // more, and nothing accumulates.
  AggregationSpec spec = Spec("values");
  spec.queue_limit = 8;
  spec.output_limit = 8;
  spec.stream_output = true;
  Waiter w;
  auto agg = Aggregation::Start(spec, w.Callback());
  ASSERT_TRUE(agg.ok()) << agg.status();
  std::vector<Value> results;
  size_t output_ready = 0;
  for (int64_t i = 0; i < 5000; ++i) {
    Value row = Value::Int(i);
    for (;;) {
      const PushResult r = (*agg)->Push(std::move(row));
      EXPECT_LE((*agg)->queued(), 8u);
      if (r == PushResult::kQueued) break;
      ASSERT_EQ(r, PushResult::kOutputReady);
      ++output_ready;
      std::vector<Value> got;
      ASSERT_TRUE((*agg)->TakeOutput(&got, false));
      EXPECT_LE(got.size(), 8u);
      for (Value& v : got) results.push_back(std::move(v));
    }
  }
  (*agg)->Finish(Status());
  std::vector<Value> got;
  while ((*agg)->TakeOutput(&got, true)) {
    EXPECT_LE(got.size(), 8u);
    for (Value& v : got) results.push_back(std::move(v));
    got.clear();
  }
  AggregationOutcome out = w.Wait();
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_TRUE(out.values.empty());  // streamed, not collected
  ASSERT_EQ(results.size(), 5000u);
  for (int64_t i = 0; i < 5000; ++i) EXPECT_EQ(results[static_cast<size_t>(i)], Value::Int(i));
  EXPECT_GT(output_ready, 0u);
}

TEST(Aggregation, AbandoningStopsAWorkerWaitingForItsConsumer) {
  AggregationSpec spec = Spec("values");
  spec.queue_limit = 2;
  spec.output_limit = 2;
  spec.stream_output = true;
  Waiter w;
  {
    auto agg = Aggregation::Start(spec, w.Callback());
    ASSERT_TRUE(agg.ok()) << agg.status();
    for (int64_t i = 0; i < 6; ++i) (*agg)->Push(Value::Int(i), /*wait=*/false);
    // Nobody takes the results: destroying it must not hang.
  }
  EXPECT_EQ(w.Wait().status.code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace aerospike_py::client
