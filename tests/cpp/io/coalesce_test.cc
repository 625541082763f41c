// The coalescer (client/coalescer.h) without Python: which calls may share
// a batch (the policy seam MayMerge), and, against the embedded server,
// one batch per node, never across policies, a lone call left alone, the
// counters, each caller's own outcome and deadline, and each caller handed
// back as soon as its own row has arrived (the server's stall_after_rows
// fault holds the tail of the reply).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "client/coalescer.h"
#include "client/serving_counters.h"
#include "client_test_support.h"

namespace aerospike_py::client::testing {
namespace {

using p::Value;
using Clock = std::chrono::steady_clock;

// Calls submitted back to back land in one wakeup: the window is wide.
constexpr uint32_t kWindowUs = 20000;

std::unique_ptr<RecordCommand> CoalescableGet(RecordKey key) {
  auto c = Get(std::move(key));
  c->coalescable = true;
  return c;
}

void ResetServingCounters() {
  CoalesceCounters& c = GlobalServingCounters().coalesce;
  c.batches.store(0);
  c.calls.store(0);
  c.max_calls.store(0);
  for (auto& b : c.by_size) b.store(0);
}

// Remembers when each command came back (by token).
class TimedSink : public CompletionSink {
 public:
  explicit TimedSink(Clock::time_point t0) : t0_(t0) {}
  void Complete(std::unique_ptr<Command> command) override {
    const uint64_t token = command->token;
    std::lock_guard<std::mutex> lock(mu_);
    at_ms_[token] = std::chrono::duration<double, std::milli>(Clock::now() - t0_).count();
    done_[token] = std::unique_ptr<RecordCommand>(static_cast<RecordCommand*>(command.release()));
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return done_.size();
  }
  bool WaitForCount(size_t n, int ms) {
    return WaitFor([&] { return count() >= n; }, ms);
  }
  std::map<uint64_t, double> at_ms_;
  std::map<uint64_t, std::unique_ptr<RecordCommand>> done_;
  std::mutex mu_;

 private:
  Clock::time_point t0_;
};

// --- the policy seam --------------------------------------------------------

TEST(CoalescePolicy, OnlyEqualPoliciesMayMerge) {
  auto a = CoalescableGet(IntKey("s", 1));
  auto b = CoalescableGet(IntKey("s", 2));
  EXPECT_TRUE(MayMerge(*a, *b));
  b->policy.total_timeout_ms = a->policy.total_timeout_ms + 1;
  EXPECT_FALSE(MayMerge(*a, *b)) << "timeouts differ";
  b = CoalescableGet(IntKey("s", 2));
  b->policy.max_retries = a->policy.max_retries + 1;
  EXPECT_FALSE(MayMerge(*a, *b)) << "retries differ";
  b = CoalescableGet(IntKey("s", 2));
  b->policy.socket_timeout_ms = a->policy.socket_timeout_ms + 7;
  EXPECT_FALSE(MayMerge(*a, *b)) << "socket timeouts differ";
  b = CoalescableGet(IntKey("s", 2));
  b->policy.replica = a->policy.replica == Replica::kMaster ? Replica::kSequence
                                                           : Replica::kMaster;
  EXPECT_FALSE(MayMerge(*a, *b)) << "replica policies differ";
  b = CoalescableGet(IntKey("s", 2));
  b->filter_expression = "\x93\x01\x02\x03";
  EXPECT_FALSE(MayMerge(*a, *b)) << "filters differ";
  b = CoalescableGet(IntKey("s", 2));
  b->policy.compress = !a->policy.compress;
  EXPECT_FALSE(MayMerge(*a, *b)) << "compression differs";
  // Not coalescable at all: not marked, a write, a hedged read.
  b = Get(IntKey("s", 2));
  EXPECT_FALSE(MayMerge(*a, *b));
  auto w = Put(IntKey("s", 2), {{"v", Value::Int(1)}});
  w->coalescable = true;
  EXPECT_FALSE(IsCoalescable(*w));
  EXPECT_FALSE(MayMerge(*a, *w));
  b = CoalescableGet(IntKey("s", 2));
  b->policy.hedge_permille = 100;
  EXPECT_FALSE(IsCoalescable(*b)) << "hedging wins over coalescing";
  // A different set is fine (rows carry their own namespace/set).
  b = CoalescableGet(IntKey("other", 2));
  EXPECT_TRUE(MayMerge(*a, *b));
}

// --- against the embedded server ---------------------------------------------

class CoalesceTest : public ClientTest {
 protected:
  void SetUp() override { ResetServingCounters(); }

  std::unique_ptr<Client> ConnectCoalescing(const server::Server& s) {
    ClientConfig config = ConfigFor(s);
    config.coalesce_window_us = kWindowUs;
    return Connect(std::move(config));
  }
};

TEST_F(CoalesceTest, OneBatchPerNodeOnThreeNodes) {
  auto server = StartServer(3, 2);
  auto client = ConnectCoalescing(*server);
  ASSERT_TRUE(WaitFor([&] { return client->NodeNames().size() == 3; }));
  std::map<int, std::string> master;
  for (int i = 0; i < 60; ++i) {
    auto put = Exec(*client, Put(IntKey("n3", i), {{"v", Value::Int(i)}}));
    ASSERT_EQ(put->result, ResultCode::kOk);
    master[i] = put->node;
  }
  ResetServingCounters();
  auto sink = std::make_shared<CollectingSink>();
  for (int i = 0; i < 60; ++i) {
    auto c = CoalescableGet(IntKey("n3", i));
    c->token = static_cast<uint64_t>(i);
    c->sink = sink;
    client->Submit(std::move(c));
  }
  ASSERT_TRUE(sink->WaitForCount(60, 20000));
  std::set<std::string> nodes;
  for (auto& done : sink->Take()) {
    auto* c = static_cast<RecordCommand*>(done.get());
    ASSERT_TRUE(c->status.ok()) << c->status;
    ASSERT_EQ(c->result, ResultCode::kOk);
    const int i = static_cast<int>(c->token);
    EXPECT_EQ(BinsOf(c->message)["v"].as_int(), i);
    // Each call went to its own key's master, as uncoalesced.
    EXPECT_EQ(c->node, master[i]) << i;
    nodes.insert(c->node);
  }
  EXPECT_EQ(nodes.size(), 3u);
  const CoalesceCounters& k = GlobalServingCounters().coalesce;
  EXPECT_EQ(k.calls.load(), 60);
  EXPECT_EQ(k.batches.load(), 3) << "one batch per node";
  EXPECT_LT(k.max_calls.load(), 60) << "no batch carried another node's keys";
}

TEST_F(CoalesceTest, DifferentPoliciesAreNeverMerged) {
  auto server = StartServer();
  auto client = ConnectCoalescing(*server);
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(Exec(*client, Put(IntKey("pol", i), {{"v", Value::Int(i)}}))->result,
              ResultCode::kOk);
  }
  ResetServingCounters();
  auto sink = std::make_shared<CollectingSink>();
  for (uint32_t timeout : {900u, 800u}) {
    for (int i = 0; i < 20; ++i) {
      auto c = CoalescableGet(IntKey("pol", i));
      c->policy.total_timeout_ms = timeout;
      c->sink = sink;
      client->Submit(std::move(c));
    }
  }
  ASSERT_TRUE(sink->WaitForCount(40, 20000));
  for (auto& done : sink->Take()) {
    ASSERT_TRUE(done->status.ok()) << done->status;
    ASSERT_EQ(done->result, ResultCode::kOk);
  }
  const CoalesceCounters& k = GlobalServingCounters().coalesce;
  EXPECT_EQ(k.batches.load(), 2);
  EXPECT_EQ(k.calls.load(), 40);
  EXPECT_EQ(k.max_calls.load(), 20);
  // 20 calls: bucket 4 holds 17-32.
  EXPECT_EQ(k.by_size[4].load(), 2);
}

TEST_F(CoalesceTest, ALoneCallIsNotBatchedAndSizesAreCounted) {
  auto server = StartServer();
  auto client = ConnectCoalescing(*server);
  ASSERT_EQ(Exec(*client, Put(IntKey("one", 1), {{"v", Value::Int(1)}}))->result,
            ResultCode::kOk);
  ResetServingCounters();
  auto done = Exec(*client, CoalescableGet(IntKey("one", 1)));
  ASSERT_TRUE(done->status.ok()) << done->status;
  EXPECT_EQ(BinsOf(done->message)["v"].as_int(), 1);
  EXPECT_EQ(GlobalServingCounters().coalesce.batches.load(), 0);
  EXPECT_EQ(GlobalServingCounters().coalesce.calls.load(), 0);
  // Two, then three calls together: buckets 0 (2) and 1 (3-4).
  for (int n : {2, 3}) {
    auto sink = std::make_shared<CollectingSink>();
    for (int i = 0; i < n; ++i) {
      auto c = CoalescableGet(IntKey("one", 1));
      c->sink = sink;
      client->Submit(std::move(c));
    }
    ASSERT_TRUE(sink->WaitForCount(static_cast<size_t>(n), 20000));
    for (auto& d : sink->Take()) ASSERT_EQ(d->result, ResultCode::kOk);
  }
  const CoalesceCounters& k = GlobalServingCounters().coalesce;
  EXPECT_EQ(k.batches.load(), 2);
  EXPECT_EQ(k.calls.load(), 5);
  EXPECT_EQ(k.max_calls.load(), 3);
  EXPECT_EQ(k.by_size[0].load(), 1);
  EXPECT_EQ(k.by_size[1].load(), 1);
}

TEST_F(CoalesceTest, EachCallerGetsItsOwnOutcome) {
  auto server = StartServer();
  auto client = ConnectCoalescing(*server);
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(Exec(*client, Put(IntKey("mix", i), {{"v", Value::Int(i)}}))->result,
              ResultCode::kOk);
  }
  auto sink = std::make_shared<CollectingSink>();
  for (int i = 0; i < 20; ++i) {  // 10 hits, 10 misses
    auto c = CoalescableGet(IntKey("mix", i));
    c->token = static_cast<uint64_t>(i);
    c->sink = sink;
    client->Submit(std::move(c));
  }
  ASSERT_TRUE(sink->WaitForCount(20, 20000));
  for (auto& done : sink->Take()) {
    auto* c = static_cast<RecordCommand*>(done.get());
    ASSERT_TRUE(c->status.ok()) << c->status;
    if (c->token < 10) {
      ASSERT_EQ(c->result, ResultCode::kOk);
      EXPECT_EQ(BinsOf(c->message)["v"].as_int(), static_cast<int64_t>(c->token));
    } else {
      EXPECT_EQ(c->result, ResultCode::kRecordNotFound) << c->token;
    }
  }
  EXPECT_GE(GlobalServingCounters().coalesce.calls.load(), 2);
}

TEST_F(CoalesceTest, EachCallerTimesOutOnItsOwn) {
  auto server = StartServer();
  auto client = ConnectCoalescing(*server);
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(Exec(*client, Put(IntKey("slow", i), {{"v", Value::Int(i)}}))->result,
              ResultCode::kOk);
  }
  server::Fault f;
  f.kind = server::FaultKind::kDelay;
  f.scope = server::FaultScope::kData;
  f.delay_ms = 800;
  ASSERT_TRUE(server->SetFault(0, f).ok());
  ResetServingCounters();
  auto sink = std::make_shared<CollectingSink>();
  const auto t0 = Clock::now();
  for (int i = 0; i < 10; ++i) {
    auto c = CoalescableGet(IntKey("slow", i));
    c->policy.total_timeout_ms = 150;
    c->policy.max_retries = 0;
    c->sink = sink;
    client->Submit(std::move(c));
  }
  ASSERT_TRUE(sink->WaitForCount(10, 20000));
  const double took_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  for (auto& done : sink->Take()) {
    EXPECT_EQ(done->status.code(), absl::StatusCode::kDeadlineExceeded) << done->status;
  }
  EXPECT_LT(took_ms, 800) << "the calls' own deadline, not the slow answer, ended them";
  EXPECT_EQ(GlobalServingCounters().coalesce.calls.load(), 10);
  server->ClearFaults();
}

TEST_F(CoalesceTest, EarlyRowsAreHandedBackBeforeTheStallEnds) {
  auto server = StartServer();
  auto client = ConnectCoalescing(*server);
  constexpr int kCalls = 30;
  constexpr uint32_t kHead = 8;
  constexpr uint32_t kStallMs = 1500;
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_EQ(Exec(*client, Put(IntKey("stall", i), {{"v", Value::Int(i)}}))->result,
              ResultCode::kOk);
  }
  server::Fault f;
  f.kind = server::FaultKind::kStallAfterRows;
  f.scope = server::FaultScope::kData;
  f.delay_ms = kStallMs;
  f.rows = kHead;
  ASSERT_TRUE(server->SetFault(0, f).ok());
  ResetServingCounters();
  auto sink = std::make_shared<TimedSink>(Clock::now());
  for (int i = 0; i < kCalls; ++i) {
    auto c = CoalescableGet(IntKey("stall", i));
    c->token = static_cast<uint64_t>(i);
    c->policy.total_timeout_ms = 20000;  // far beyond the stall
    c->sink = sink;
    client->Submit(std::move(c));
  }
  ASSERT_TRUE(sink->WaitForCount(kCalls, 20000));
  server->ClearFaults();
  ASSERT_EQ(GlobalServingCounters().coalesce.batches.load(), 1);
  ASSERT_EQ(GlobalServingCounters().coalesce.calls.load(), kCalls);
  std::lock_guard<std::mutex> lock(sink->mu_);
  for (int i = 0; i < kCalls; ++i) {
    const auto& c = sink->done_[static_cast<uint64_t>(i)];
    ASSERT_NE(c, nullptr);
    ASSERT_TRUE(c->status.ok()) << c->status;
    EXPECT_EQ(BinsOf(c->message)["v"].as_int(), i);
    const double at = sink->at_ms_[static_cast<uint64_t>(i)];
    // Rows go in caller order: the head's callers are done before any
    // held row could have arrived; the others waited for the stall.
    if (static_cast<uint32_t>(i) < kHead) {
      EXPECT_LT(at, kStallMs) << "row " << i << " waited for the batch's tail";
    } else {
      EXPECT_GE(at, kStallMs) << "row " << i;
    }
  }
}

TEST_F(CoalesceTest, ConnectionLostAfterEarlyRowsFailsOnlyTheRest) {
  auto server = StartServer();
  auto client = ConnectCoalescing(*server);
  constexpr int kCalls = 20;
  constexpr uint32_t kHead = 5;
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_EQ(Exec(*client, Put(IntKey("lost", i), {{"v", Value::Int(i)}}))->result,
              ResultCode::kOk);
  }
  server::Fault f;
  f.kind = server::FaultKind::kStallAfterRows;
  f.scope = server::FaultScope::kData;
  f.delay_ms = 60000;
  f.rows = kHead;
  ASSERT_TRUE(server->SetFault(0, f).ok());
  auto sink = std::make_shared<TimedSink>(Clock::now());
  for (int i = 0; i < kCalls; ++i) {
    auto c = CoalescableGet(IntKey("lost", i));
    c->token = static_cast<uint64_t>(i);
    c->policy.max_retries = 0;
    c->policy.total_timeout_ms = 20000;
    c->sink = sink;
    client->Submit(std::move(c));
  }
  ASSERT_TRUE(sink->WaitForCount(kHead, 10000));
  EXPECT_EQ(sink->count(), kHead) << "only the head has arrived";
  ASSERT_TRUE(server->StopNode(0).ok());
  ASSERT_TRUE(sink->WaitForCount(kCalls, 15000));
  std::lock_guard<std::mutex> lock(sink->mu_);
  for (int i = 0; i < kCalls; ++i) {
    const auto& c = sink->done_[static_cast<uint64_t>(i)];
    ASSERT_NE(c, nullptr);
    if (static_cast<uint32_t>(i) < kHead) {
      ASSERT_TRUE(c->status.ok()) << c->status;
      EXPECT_EQ(BinsOf(c->message)["v"].as_int(), i);
    } else {
      EXPECT_FALSE(c->status.ok()) << "row " << i << " never arrived";
      EXPECT_NE(c->status.code(), absl::StatusCode::kDeadlineExceeded) << c->status;
    }
  }
}

}  // namespace
}  // namespace aerospike_py::client::testing
