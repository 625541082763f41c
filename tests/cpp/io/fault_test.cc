// Timeouts, retries and bad bytes, driven by the embedded server's fault
// hooks: every failing command completes with the right status, its
// connection is closed, and the next command succeeds.
#include <gtest/gtest.h>

#include "client_test_support.h"

namespace aerospike_py::client::testing {
namespace {

using p::Value;
using server::Fault;
using server::FaultKind;
using server::FaultScope;

class FaultTest : public ClientTest {
 protected:
  void SetUp() override {
    server_ = StartServer();
    ASSERT_NE(server_, nullptr);
    client_ = Connect(ConfigFor(*server_));
    ASSERT_EQ(Exec(*client_, Put(Key("f", "k"), {{"a", Value::Int(1)}}))->result, ResultCode::kOk);
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
    ClientTest::TearDown();
  }
  void SetFault(FaultKind kind, uint32_t count = 0, uint32_t delay_ms = 0) {
    Fault f;
    f.kind = kind;
    f.scope = FaultScope::kData;
    f.count = count;
    f.delay_ms = delay_ms;
    ASSERT_TRUE(server_->SetFault(0, f).ok());
  }
  std::unique_ptr<RecordCommand> GetWith(uint32_t socket_ms, uint32_t total_ms, uint32_t retries) {
    auto g = Get(Key("f", "k"));
    g->policy.socket_timeout_ms = socket_ms;
    g->policy.total_timeout_ms = total_ms;
    g->policy.max_retries = retries;
    return g;
  }
  void ExpectHealthy() {
    auto g = Exec(*client_, GetWith(1000, 2000, 0));
    ASSERT_TRUE(g->status.ok()) << g->status;
    EXPECT_EQ(BinsOf(g->message)["a"].as_int(), 1);
  }
  // The data socket of a failed command is closed: only the tend socket
  // and healthy pooled data sockets remain.
  int64_t Open() const { return GlobalCounters().open_connections.load(); }

  std::unique_ptr<server::Server> server_;
  std::unique_ptr<Client> client_;
};

TEST_F(FaultTest, SlowAnswerHitsTheSocketTimeout) {
  const int64_t before = Open();
  SetFault(FaultKind::kDelay, 0, 400);
  auto t0 = std::chrono::steady_clock::now();
  auto g = Exec(*client_, GetWith(100, 2000, 0));
  EXPECT_EQ(g->status.code(), absl::StatusCode::kDeadlineExceeded) << g->status;
  EXPECT_EQ(g->attempts, 1u);
  EXPECT_FALSE(g->in_doubt);  // a read is never in doubt
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(350));
  EXPECT_TRUE(WaitFor([&] { return Open() == before - 1; }, 1000)) << Open();
  server_->ClearFaults();
  ExpectHealthy();
}

TEST_F(FaultTest, RetriesRunInsideTheTotalTimeout) {
  SetFault(FaultKind::kDelay, 0, 1000);
  const int64_t retried = GlobalCounters().commands_retried.load();
  auto t0 = std::chrono::steady_clock::now();
  auto g = Exec(*client_, GetWith(100, 1000, 2));
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(g->status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(g->attempts, 3u);
  EXPECT_EQ(GlobalCounters().commands_retried.load() - retried, 2);
  EXPECT_GE(took, std::chrono::milliseconds(290));
  EXPECT_LT(took, std::chrono::milliseconds(800));
  // The total timeout caps everything, retries or not.
  t0 = std::chrono::steady_clock::now();
  auto capped = Exec(*client_, GetWith(0, 250, 5));
  took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(capped->status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_GE(took, std::chrono::milliseconds(240));
  EXPECT_LT(took, std::chrono::milliseconds(600));
  server_->ClearFaults();
  ExpectHealthy();
}

TEST_F(FaultTest, SleepBetweenRetries) {
  SetFault(FaultKind::kDropMidReply, 2);
  auto g = GetWith(1000, 3000, 2);
  g->policy.sleep_between_retries_ms = 100;
  auto t0 = std::chrono::steady_clock::now();
  g = Exec(*client_, std::move(g));
  EXPECT_TRUE(g->status.ok()) << g->status;
  EXPECT_EQ(g->attempts, 3u);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(195));
}

TEST_F(FaultTest, ReplyCutShortClosesTheConnection) {
  SetFault(FaultKind::kDropMidReply, 1);
  auto g = Exec(*client_, GetWith(1000, 2000, 0));
  EXPECT_EQ(g->status.code(), absl::StatusCode::kUnavailable) << g->status;
  ExpectHealthy();
  // With a retry left, the same fault is invisible to the caller.
  SetFault(FaultKind::kDropMidReply, 1);
  auto retried = Exec(*client_, GetWith(1000, 2000, 1));
  EXPECT_TRUE(retried->status.ok()) << retried->status;
  EXPECT_EQ(retried->attempts, 2u);
}

TEST_F(FaultTest, GarbageIsDataLossAndRetriedLikeANetworkError) {
  SetFault(FaultKind::kGarbage, 1);
  auto g = Exec(*client_, GetWith(1000, 2000, 0));
  EXPECT_EQ(g->status.code(), absl::StatusCode::kDataLoss) << g->status;
  EXPECT_EQ(g->attempts, 1u);
  ExpectHealthy();
  // The connection that carried it is gone; a retry gets a clean answer.
  SetFault(FaultKind::kGarbage, 1);
  auto retried = Exec(*client_, GetWith(1000, 2000, 2));
  EXPECT_TRUE(retried->status.ok()) << retried->status;
  EXPECT_EQ(retried->attempts, 2u);
  ExpectHealthy();
}

TEST_F(FaultTest, SilentServerLeavesWritesInDoubt) {
  SetFault(FaultKind::kStopAnswering);
  auto put = Put(Key("f", "k"), {{"a", Value::Int(2)}});
  put->policy.socket_timeout_ms = 100;
  put->policy.total_timeout_ms = 500;
  put->policy.max_retries = 1;
  put = Exec(*client_, std::move(put));
  EXPECT_EQ(put->status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(put->in_doubt);
  EXPECT_EQ(put->attempts, 2u);
  server_->ClearFaults();
  ExpectHealthy();  // this server drops unanswered requests: still 1
}

TEST_F(FaultTest, BatchTimeoutAndGarbage) {
  BatchBuilder b;
  const uint16_t all = b.ReadAllSpec();
  for (int i = 0; i < 300; ++i) b.AddIntKey("test", "f", i, all);
  b.cmd->policy.socket_timeout_ms = 100;
  b.cmd->policy.total_timeout_ms = 300;
  b.cmd->policy.max_retries = 1;
  SetFault(FaultKind::kStopAnswering);
  auto t0 = std::chrono::steady_clock::now();
  auto done = Exec(*client_, std::move(b.cmd));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(700));
  EXPECT_EQ(done->status.code(), absl::StatusCode::kDeadlineExceeded) << done->status;
  ASSERT_EQ(done->results.size(), 300u);
  for (const auto& r : done->results) {
    ASSERT_FALSE(r.answered);
    ASSERT_EQ(r.result, ResultCode::kTimeout);
    ASSERT_FALSE(r.in_doubt);  // reads
  }
  SetFault(FaultKind::kGarbage, 1);
  BatchBuilder c;
  const uint16_t all2 = c.ReadAllSpec();
  for (int i = 0; i < 10; ++i) c.AddIntKey("test", "f", i, all2);
  c.cmd->policy.max_retries = 0;
  auto bad = Exec(*client_, std::move(c.cmd));
  EXPECT_EQ(bad->status.code(), absl::StatusCode::kDataLoss) << bad->status;
  EXPECT_EQ(bad->results[0].result, ResultCode::kClientError);
  // With a retry left, the keys are asked again on a fresh connection.
  SetFault(FaultKind::kGarbage, 1);
  BatchBuilder d;
  const uint16_t all3 = d.ReadAllSpec();
  for (int i = 0; i < 10; ++i) d.AddIntKey("test", "f", i, all3);
  d.cmd->policy.max_retries = 1;
  auto retried = Exec(*client_, std::move(d.cmd));
  EXPECT_TRUE(retried->status.ok()) << retried->status;
  EXPECT_EQ(retried->attempts, 2u);
  server_->ClearFaults();
  ExpectHealthy();
}

TEST_F(FaultTest, BatchWriteCutShortIsRetriedForUnansweredKeys) {
  SetFault(FaultKind::kDropMidReply, 1);
  BatchBuilder b;
  const uint16_t w = b.WriteSpec({{"z", Value::Int(1)}});
  for (int i = 0; i < 500; ++i) b.AddIntKey("test", "bw", i, w);
  b.cmd->policy.max_retries = 1;
  auto done = Exec(*client_, std::move(b.cmd));
  ASSERT_TRUE(done->status.ok()) << done->status;
  for (const auto& r : done->results) {
    ASSERT_TRUE(r.answered);
    ASSERT_EQ(r.result, ResultCode::kOk);
    ASSERT_FALSE(r.in_doubt);
  }
  EXPECT_EQ(done->attempts, 2u);
  // Without a retry, the unanswered writes are reported in doubt.
  SetFault(FaultKind::kDropMidReply, 1);
  BatchBuilder c;
  const uint16_t w2 = c.WriteSpec({{"z", Value::Int(2)}});
  for (int i = 0; i < 500; ++i) c.AddIntKey("test", "bw", i, w2);
  c.cmd->policy.max_retries = 0;
  auto failed = Exec(*client_, std::move(c.cmd));
  EXPECT_EQ(failed->status.code(), absl::StatusCode::kUnavailable) << failed->status;
  size_t doubtful = 0;
  for (const auto& r : failed->results) {
    if (!r.answered) {
      ++doubtful;
      EXPECT_TRUE(r.in_doubt);
      EXPECT_EQ(r.result, ResultCode::kConnection);
    }
  }
  EXPECT_GT(doubtful, 0u);
}

}  // namespace
}  // namespace aerospike_py::client::testing
