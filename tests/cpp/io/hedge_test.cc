// Hedged reads (client/hedge.h) without Python: the threshold taken from
// the policy's fraction of its budget (HedgeDelayMs) or from the hedge
// target's recent latencies (LatencyWindow, AdaptiveHedgeDelayMs), and,
// against the
// embedded three-node cluster (replication factor 2) with one node slowed
// by a fault, the first answer wins, the losing attempt is cancelled, a
// fast answer is never hedged and writes never are.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "client/hedge.h"
#include "client/serving_counters.h"
#include "client_test_support.h"

namespace aerospike_py::client::testing {
namespace {

using p::Value;
using Clock = std::chrono::steady_clock;

void ResetHedgeCounters() {
  HedgeCounters& h = GlobalServingCounters().hedge;
  h.hedged.store(0);
  h.hedge_wins.store(0);
  h.losers_cancelled.store(0);
}

double MsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

TEST(HedgeDelay, IsTheFractionOfTheBudget) {
  CommandPolicy p;
  p.total_timeout_ms = 1000;
  p.socket_timeout_ms = 300;
  p.hedge_permille = 0;
  EXPECT_EQ(HedgeDelayMs(p, false), 0) << "no fraction: never hedged";
  p.hedge_permille = 200;
  EXPECT_EQ(HedgeDelayMs(p, false), 200) << "20% of the total timeout";
  EXPECT_EQ(HedgeDelayMs(p, true), 0) << "writes are never hedged";
  p.total_timeout_ms = 0;
  EXPECT_EQ(HedgeDelayMs(p, false), 60) << "no total timeout: the socket timeout is the budget";
  p.socket_timeout_ms = 0;
  EXPECT_EQ(HedgeDelayMs(p, false), 0) << "no budget: nothing to take a fraction of";
  p.total_timeout_ms = 3;
  p.hedge_permille = 1;
  EXPECT_EQ(HedgeDelayMs(p, false), 1) << "at least 1 ms";
}

TEST(LatencyWindow, PercentileOfTheLastSamples) {
  io::LatencyWindow w;
  EXPECT_EQ(w.Percentile(95), 0u) << "no samples: no estimate";
  for (uint32_t i = 1; i < io::LatencyWindow::kMinSamples; ++i) w.Add(i);
  EXPECT_EQ(w.Percentile(95), 0u) << "too few samples";
  w.Add(io::LatencyWindow::kMinSamples);  // 1..32
  EXPECT_EQ(w.Percentile(50), 16u);
  EXPECT_EQ(w.Percentile(95), 31u) << "nearest rank: ceil(0.95 * 32) = 31st";
  EXPECT_EQ(w.Percentile(99.9), 32u);
  // The ring keeps the last kSize: 256 samples of 1000 push the small ones out.
  for (size_t i = 0; i < io::LatencyWindow::kSize; ++i) w.Add(1000);
  EXPECT_EQ(w.count(), io::LatencyWindow::kSize);
  EXPECT_EQ(w.Percentile(50), 1000u);
  // A few slow answers move the high percentiles once refreshed, not the median.
  for (int i = 0; i < 16; ++i) w.Add(50000);
  EXPECT_EQ(w.Percentile(50), 1000u);
  EXPECT_EQ(w.Percentile(99), 50000u);
  EXPECT_EQ(w.Percentile(0), 0u) << "outside (0, 100): none";
  EXPECT_EQ(w.Percentile(100), 0u);
}

TEST(HedgeDelay, AdaptiveIsTheTargetsPercentileInWholeMilliseconds) {
  CommandPolicy p;
  p.total_timeout_ms = 1000;
  p.hedge_percentile = 95;
  io::LatencyWindow target;
  EXPECT_EQ(AdaptiveHedgeDelayMs(p, 0, target), 0) << "no estimate and no fraction: no hedge";
  EXPECT_EQ(AdaptiveHedgeDelayMs(p, 200, target), 200) << "no estimate: the fraction's delay";
  for (int i = 0; i < 64; ++i) target.Add(300);  // 0.3 ms
  EXPECT_EQ(AdaptiveHedgeDelayMs(p, 0, target), 2)
      << "rounded up to 1 ms, plus the 1 ms a timer may fire early";
  for (int i = 0; i < 256; ++i) target.Add(7200);
  EXPECT_EQ(AdaptiveHedgeDelayMs(p, 0, target), 9) << "7.2 ms: 8, plus 1";
  EXPECT_EQ(AdaptiveHedgeDelayMs(p, 5, target), 5) << "the earlier of the two";
  EXPECT_EQ(AdaptiveHedgeDelayMs(p, 50, target), 9);
}

class HedgeTest : public ClientTest {
 protected:
  void SetUp() override {
    server_ = StartServer(3, 2);
    ASSERT_NE(server_, nullptr);
    client_ = Connect(ConfigFor(*server_));
    ASSERT_TRUE(WaitFor([&] { return client_->NodeNames().size() == 3; }));
    // A key whose master is node 1 (the one to be slowed).
    for (int i = 0; i < 200 && key_ < 0; ++i) {
      auto put = Exec(*client_, Put(IntKey("h", i), {{"v", Value::Int(i)}}));
      ASSERT_EQ(put->result, ResultCode::kOk);
      if (put->node == server_->NodeId(1)) key_ = i;
    }
    ASSERT_GE(key_, 0);
    ResetHedgeCounters();
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
    ClientTest::TearDown();
  }
  // A fault on `node`'s data replies.
  void DataFault(int node, server::FaultKind kind, uint32_t delay_ms = 0, uint32_t rows = 0) {
    server::Fault f;
    f.kind = kind;
    f.scope = server::FaultScope::kData;
    f.delay_ms = delay_ms;
    f.rows = rows;
    ASSERT_TRUE(server_->SetFault(node, f).ok());
  }
  void SlowNode(int node, uint32_t ms) { DataFault(node, server::FaultKind::kDelay, ms); }
  std::unique_ptr<RecordCommand> HedgedGet(uint32_t permille, double percentile = 0) {
    auto c = Get(IntKey("h", key_));
    c->policy.total_timeout_ms = 2000;
    c->policy.max_retries = 0;
    c->policy.hedge_permille = permille;
    c->policy.hedge_percentile = percentile;
    return c;
  }

  std::unique_ptr<server::Server> server_;
  std::unique_ptr<Client> client_;
  int key_ = -1;
};

TEST_F(HedgeTest, FirstAnswerWinsAndTheLoserIsCancelled) {
  SlowNode(1, 1500);
  const auto t0 = Clock::now();
  auto done = Exec(*client_, HedgedGet(50));  // hedge after 100 ms
  const double took = MsSince(t0);
  ASSERT_TRUE(done->status.ok()) << done->status;
  ASSERT_EQ(done->result, ResultCode::kOk);
  EXPECT_EQ(BinsOf(done->message)["v"].as_int(), key_);
  EXPECT_NE(done->node, server_->NodeId(1)) << "the replica's answer won";
  EXPECT_LT(took, 1500) << "the slow master was not waited for";
  const HedgeCounters& h = GlobalServingCounters().hedge;
  EXPECT_EQ(h.hedged.load(), 1);
  EXPECT_EQ(h.hedge_wins.load(), 1);
  EXPECT_EQ(h.losers_cancelled.load(), 1);
  server_->ClearFaults();
  // The cancelled attempt's connection was closed, not left half-read: the
  // next read of the same key on the (now fast) master is answered right.
  auto again = Exec(*client_, HedgedGet(0));
  ASSERT_TRUE(again->status.ok()) << again->status;
  EXPECT_EQ(BinsOf(again->message)["v"].as_int(), key_);
}

TEST_F(HedgeTest, AFastAnswerIsNotHedged) {
  auto done = Exec(*client_, HedgedGet(500));  // hedge after 1 s
  ASSERT_TRUE(done->status.ok()) << done->status;
  EXPECT_EQ(done->node, server_->NodeId(1));
  EXPECT_EQ(GlobalServingCounters().hedge.hedged.load(), 0);
}

TEST_F(HedgeTest, TheMastersAnswerWinsWhenTheReplicaIsSlower) {
  // Both slow, the replica slower: the hedge goes out, the first attempt
  // still answers first and the hedge is the loser.
  for (int n = 0; n < 3; ++n) SlowNode(n, n == 1 ? 300 : 1500);
  auto done = Exec(*client_, HedgedGet(50));
  ASSERT_TRUE(done->status.ok()) << done->status;
  EXPECT_EQ(done->node, server_->NodeId(1));
  const HedgeCounters& h = GlobalServingCounters().hedge;
  EXPECT_EQ(h.hedged.load(), 1);
  EXPECT_EQ(h.hedge_wins.load(), 0);
  EXPECT_EQ(h.losers_cancelled.load(), 1);
  server_->ClearFaults();
}

TEST_F(HedgeTest, AdaptiveHedgeWaitsAboutTheReplicasOwnLatency) {
  // No fraction: until the replica's latency is known, nothing is hedged.
  SlowNode(1, 600);
  auto cold = Exec(*client_, HedgedGet(0, 95));
  ASSERT_TRUE(cold->status.ok()) << cold->status;
  EXPECT_EQ(cold->node, server_->NodeId(1)) << "no estimate of the replica yet: waited";
  EXPECT_EQ(GlobalServingCounters().hedge.hedged.load(), 0);
  server_->ClearFaults();
  // Healthy reads of every node teach the client their latencies.
  for (int i = 0; i < 300; ++i) {
    auto g = Get(IntKey("h", i % 200));
    g->policy.hedge_percentile = 95;
    ASSERT_TRUE(Exec(*client_, std::move(g))->status.ok());
  }
  ResetHedgeCounters();
  SlowNode(1, 1500);
  const auto t0 = Clock::now();
  auto done = Exec(*client_, HedgedGet(0, 95));
  const double took = MsSince(t0);
  ASSERT_TRUE(done->status.ok()) << done->status;
  EXPECT_EQ(BinsOf(done->message)["v"].as_int(), key_);
  EXPECT_NE(done->node, server_->NodeId(1)) << "the replica answered";
  EXPECT_LT(took, 500) << "hedged after the replica's p95 (a few ms), not the slow 1.5 s";
  EXPECT_EQ(GlobalServingCounters().hedge.hedge_wins.load(), 1);
  server_->ClearFaults();
}

TEST_F(HedgeTest, WritesAreNeverHedged) {
  SlowNode(1, 400);
  auto put = Put(IntKey("h", key_), {{"v", Value::Int(7)}});
  put->policy.total_timeout_ms = 2000;
  put->policy.max_retries = 0;
  put->policy.hedge_permille = 50;
  auto done = Exec(*client_, std::move(put));
  ASSERT_TRUE(done->status.ok()) << done->status;
  EXPECT_EQ(done->result, ResultCode::kOk);
  EXPECT_EQ(done->node, server_->NodeId(1));
  EXPECT_EQ(GlobalServingCounters().hedge.hedged.load(), 0);
  server_->ClearFaults();
}

// Hedged batch reads (client/batch_execution.h, step 9). Keys 0..199 of
// set "h" are written by HedgeTest's SetUp up to the first one node 1
// masters; these tests write their own.
class BatchHedgeTest : public HedgeTest {
 protected:
  void SetUp() override {
    HedgeTest::SetUp();
    for (int i = 0; i < 90; ++i) {
      auto put = Exec(*client_, Put(IntKey("bh", i), {{"v", Value::Int(i)}}));
      ASSERT_EQ(put->result, ResultCode::kOk);
      (put->node == server_->NodeId(1) ? on_slow_ : elsewhere_).push_back(i);
    }
    ASSERT_GE(on_slow_.size(), 5u);
    ResetHedgeCounters();
    GlobalServingCounters().hedge.batch_hedged.store(0);
    GlobalServingCounters().hedge.batch_hedge_rows.store(0);
  }
  std::unique_ptr<BatchCommand> Batch(const std::vector<int>& keys, uint32_t permille) {
    BatchBuilder b;
    const uint16_t spec = b.ReadAllSpec();
    for (int k : keys) b.AddIntKey("test", "bh", k, spec);
    b.cmd->policy.total_timeout_ms = 3000;
    b.cmd->policy.max_retries = 0;
    b.cmd->policy.hedge_permille = permille;
    return std::move(b.cmd);
  }
  // Every row answered with its own record.
  static void ExpectAll(const BatchCommand& done, const std::vector<int>& keys) {
    ASSERT_TRUE(done.status.ok()) << done.status;
    ASSERT_EQ(done.results.size(), keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      ASSERT_TRUE(done.results[i].answered) << "row " << i;
      ASSERT_EQ(done.results[i].result, ResultCode::kOk) << "row " << i;
      EXPECT_EQ(BinsOf(done.results[i].message)["v"].as_int(), keys[i]);
    }
  }
  static std::vector<int> All(const std::vector<int>& a, const std::vector<int>& b) {
    std::vector<int> all = a;
    all.insert(all.end(), b.begin(), b.end());
    return all;
  }

  std::vector<int> on_slow_;    // keys node 1 masters
  std::vector<int> elsewhere_;  // the others
};

TEST_F(BatchHedgeTest, TheSlowNodesRowsAreAnsweredByTheirReplicas) {
  SlowNode(1, 1500);
  const std::vector<int> keys = All(on_slow_, elsewhere_);
  const auto t0 = Clock::now();
  auto done = Exec(*client_, Batch(keys, 50));  // hedge after 150 ms
  const double took = MsSince(t0);
  ExpectAll(*done, keys);
  EXPECT_LT(took, 1000) << "the slow node was not waited for";
  const HedgeCounters& h = GlobalServingCounters().hedge;
  EXPECT_GE(h.batch_hedged.load(), 1);
  EXPECT_EQ(h.batch_hedge_rows.load(), static_cast<int64_t>(on_slow_.size()));
  EXPECT_EQ(h.losers_cancelled.load(), 1) << "the slow request, every row answered elsewhere";
  EXPECT_EQ(h.hedged.load(), 0) << "single-read counters untouched";
  server_->ClearFaults();
  // The cancelled request's connection was closed: the next batch is right.
  auto again = Exec(*client_, Batch(keys, 50));
  ExpectAll(*again, keys);
}

TEST_F(BatchHedgeTest, RowsSplitBetweenTheSlowRequestAndItsHedge) {
  // Node 1 answers two rows at once and the rest 1.5 s later: the hedge
  // asks only for the rows still owed, and answers them.
  DataFault(1, server::FaultKind::kStallAfterRows, /*delay_ms=*/1500, /*rows=*/2);
  const auto t0 = Clock::now();
  auto done = Exec(*client_, Batch(on_slow_, 50));
  const double took = MsSince(t0);
  ExpectAll(*done, on_slow_);
  EXPECT_LT(took, 1000);
  const HedgeCounters& h = GlobalServingCounters().hedge;
  EXPECT_EQ(h.batch_hedge_rows.load(), static_cast<int64_t>(on_slow_.size() - 2));
  EXPECT_EQ(h.losers_cancelled.load(), 1);
  server_->ClearFaults();
}

TEST_F(BatchHedgeTest, AFailedHedgeLeavesItsRowsToTheFirstRequest) {
  // Only node 1's keys: the hedges go to nodes 0 and 2, which drop their
  // replies; node 1, slow but sound, still answers every row.
  SlowNode(1, 400);
  DataFault(0, server::FaultKind::kDropMidReply);
  DataFault(2, server::FaultKind::kDropMidReply);
  auto done = Exec(*client_, Batch(on_slow_, 20));  // hedge after 60 ms
  ExpectAll(*done, on_slow_);
  const HedgeCounters& h = GlobalServingCounters().hedge;
  EXPECT_GE(h.batch_hedged.load(), 1);
  EXPECT_EQ(h.batch_hedge_rows.load(), 0);
  EXPECT_EQ(h.losers_cancelled.load(), 0);
  server_->ClearFaults();
}

TEST_F(BatchHedgeTest, AFastBatchAndABatchWithWritesAreNotHedged) {
  const std::vector<int> keys = All(on_slow_, elsewhere_);
  ExpectAll(*Exec(*client_, Batch(keys, 500)), keys);  // hedge after 1.5 s: never
  EXPECT_EQ(GlobalServingCounters().hedge.batch_hedged.load(), 0);
  SlowNode(1, 300);
  BatchBuilder b;
  const uint16_t write = b.WriteSpec({{"w", Value::Int(1)}});
  for (int k : on_slow_) b.AddIntKey("test", "bh", k, write);
  b.cmd->policy.total_timeout_ms = 3000;
  b.cmd->policy.max_retries = 0;
  b.cmd->policy.hedge_permille = 10;  // 30 ms
  auto done = Exec(*client_, std::move(b.cmd));
  ASSERT_TRUE(done->status.ok()) << done->status;
  for (const BatchRecordResult& r : done->results) EXPECT_EQ(r.result, ResultCode::kOk);
  EXPECT_EQ(GlobalServingCounters().hedge.batch_hedged.load(), 0);
  server_->ClearFaults();
}

}  // namespace
}  // namespace aerospike_py::client::testing
