// Policy timeout_delay_ms: a connection whose command timed out mid-answer
// keeps reading the late answer and goes back to its pool (no new
// connection needed), or is closed when the delay passes first; closing the
// client while a connection recovers leaves nothing behind.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "client_test_support.h"

namespace aerospike_py::client::testing {
namespace {

using p::Value;
using server::Fault;
using server::FaultKind;
using server::FaultScope;

class TimeoutDelayTest : public ClientTest {
 protected:
  void SetUp() override {
    server_ = StartServer();
    ASSERT_NE(server_, nullptr);
    client_ = Connect(ConfigFor(*server_));
    ASSERT_EQ(Exec(*client_, Put(Key("td", "k"), {{"a", Value::Int(1)}}))->result, ResultCode::kOk);
    for (int i = 0; i < 50; ++i) {
      ASSERT_EQ(Exec(*client_, Put(IntKey("td", i), {{"v", Value::Int(i)}}))->result,
                ResultCode::kOk);
    }
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
    ClientTest::TearDown();
  }
  void Delay(uint32_t ms) {
    Fault f;
    f.kind = FaultKind::kDelay;
    f.scope = FaultScope::kData;
    f.delay_ms = ms;
    ASSERT_TRUE(server_->SetFault(0, f).ok());
  }
  std::unique_ptr<RecordCommand> SlowGet(uint32_t socket_ms, uint32_t total_ms, uint32_t delay_ms) {
    auto g = Get(Key("td", "k"));
    g->policy.socket_timeout_ms = socket_ms;
    g->policy.total_timeout_ms = total_ms;
    g->policy.max_retries = 0;
    g->policy.timeout_delay_ms = delay_ms;
    return g;
  }
  std::unique_ptr<BatchCommand> SlowBatch(uint32_t socket_ms, uint32_t total_ms,
                                          uint32_t delay_ms) {
    BatchBuilder b;
    const uint16_t all = b.ReadAllSpec();
    for (int i = 0; i < 50; ++i) b.AddIntKey("test", "td", i, all);
    b.cmd->policy.socket_timeout_ms = socket_ms;
    b.cmd->policy.total_timeout_ms = total_ms;
    b.cmd->policy.max_retries = 0;
    b.cmd->policy.timeout_delay_ms = delay_ms;
    return std::move(b.cmd);
  }
  void ExpectHealthyGet() {
    auto g = Exec(*client_, SlowGet(1000, 2000, 0));
    ASSERT_TRUE(g->status.ok()) << g->status;
    EXPECT_EQ(BinsOf(g->message)["a"].as_int(), 1);
  }
  static int64_t Open() { return GlobalCounters().open_connections.load(); }
  static int64_t Opened() { return GlobalCounters().connections_opened.load(); }
  static void Sleep(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

  std::unique_ptr<server::Server> server_;
  std::unique_ptr<Client> client_;
};

TEST_F(TimeoutDelayTest, SocketTimeoutRecoversTheConnection) {
  const int64_t open = Open(), opened = Opened();
  Delay(150);
  auto g = Exec(*client_, SlowGet(40, 2000, 1000));
  EXPECT_EQ(g->status.code(), absl::StatusCode::kDeadlineExceeded) << g->status;
  server_->ClearFaults();
  Sleep(300);  // the late answer arrives and is read to its end
  EXPECT_EQ(Open(), open);
  ExpectHealthyGet();
  EXPECT_EQ(Opened(), opened) << "the timed-out connection should have been reused";
}

TEST_F(TimeoutDelayTest, TotalTimeoutRecoversTheConnection) {
  const int64_t open = Open(), opened = Opened();
  Delay(150);
  auto g = Exec(*client_, SlowGet(0, 40, 1000));  // no socket timeout: the total one fires
  EXPECT_EQ(g->status.code(), absl::StatusCode::kDeadlineExceeded) << g->status;
  server_->ClearFaults();
  Sleep(300);
  EXPECT_EQ(Open(), open);
  ExpectHealthyGet();
  EXPECT_EQ(Opened(), opened);
}

TEST_F(TimeoutDelayTest, WithoutDelayTheConnectionIsClosed) {
  const int64_t open = Open(), opened = Opened();
  Delay(150);
  auto g = Exec(*client_, SlowGet(40, 2000, 0));
  EXPECT_EQ(g->status.code(), absl::StatusCode::kDeadlineExceeded) << g->status;
  EXPECT_TRUE(WaitFor([&] { return Open() == open - 1; }, 1000)) << Open();
  server_->ClearFaults();
  Sleep(200);
  ExpectHealthyGet();
  EXPECT_EQ(Opened(), opened + 1);
}

TEST_F(TimeoutDelayTest, DelayPassingFirstClosesTheConnection) {
  const int64_t open = Open();
  Delay(800);
  auto g = Exec(*client_, SlowGet(40, 2000, 100));
  EXPECT_EQ(g->status.code(), absl::StatusCode::kDeadlineExceeded) << g->status;
  // Closed about 100 ms after the timeout, long before the answer comes.
  EXPECT_TRUE(WaitFor([&] { return Open() == open - 1; }, 500)) << Open();
  server_->ClearFaults();
  Sleep(900);  // let the held answer go out to a closed socket
  ExpectHealthyGet();
}

TEST_F(TimeoutDelayTest, BatchTimeoutRecoversTheConnection) {
  const int64_t open = Open(), opened = Opened();
  Delay(150);
  auto b = Exec(*client_, SlowBatch(40, 2000, 1000));
  EXPECT_EQ(b->status.code(), absl::StatusCode::kDeadlineExceeded) << b->status;
  server_->ClearFaults();
  Sleep(300);
  EXPECT_EQ(Open(), open);
  auto again = Exec(*client_, SlowBatch(1000, 2000, 0));
  ASSERT_TRUE(again->status.ok()) << again->status;
  for (const auto& r : again->results) EXPECT_TRUE(r.answered);
  EXPECT_EQ(Opened(), opened);
}

TEST_F(TimeoutDelayTest, BatchTotalTimeoutRecoversTheConnection) {
  const int64_t opened = Opened();
  Delay(150);
  auto b = Exec(*client_, SlowBatch(0, 40, 1000));
  EXPECT_EQ(b->status.code(), absl::StatusCode::kDeadlineExceeded) << b->status;
  server_->ClearFaults();
  Sleep(300);
  auto again = Exec(*client_, SlowBatch(1000, 2000, 0));
  ASSERT_TRUE(again->status.ok()) << again->status;
  EXPECT_EQ(Opened(), opened);
}

TEST_F(TimeoutDelayTest, ClosingTheClientWhileRecoveringLeavesNothing) {
  Delay(2000);
  auto g = Exec(*client_, SlowGet(40, 5000, 5000));
  EXPECT_EQ(g->status.code(), absl::StatusCode::kDeadlineExceeded) << g->status;
  const auto t0 = std::chrono::steady_clock::now();
  client_.reset();  // the pool closes the recovering connection at once
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1000));
  // TearDown checks that no connection, command or handle is left.
}

}  // namespace
}  // namespace aerospike_py::client::testing
