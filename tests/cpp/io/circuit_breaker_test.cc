// The per-node circuit breaker (ClientConfig::max_error_rate): which
// failures count, that a tripped node is skipped without a round trip, and
// that the window resets.
#include <gtest/gtest.h>

#include "client/execution.h"
#include "client_test_support.h"

namespace aerospike_py::client::testing {
namespace {

using p::Value;
using server::Fault;
using server::FaultKind;
using server::FaultScope;

class CircuitBreakerTest : public ClientTest {
 protected:
  void Start(uint32_t max_error_rate, uint32_t window_tends) {
    server_ = StartServer();
    ASSERT_NE(server_, nullptr);
    ClientConfig c = ConfigFor(*server_);
    c.max_error_rate = max_error_rate;
    c.error_rate_window = window_tends;
    client_ = Connect(c);
    ASSERT_EQ(Exec(*client_, Put(Key("cb", "k"), {{"a", Value::Int(1)}}))->result, ResultCode::kOk);
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
    ClientTest::TearDown();
  }
  void SetFault(FaultKind kind, uint32_t delay_ms = 0) {
    Fault f;
    f.kind = kind;
    f.scope = FaultScope::kData;
    f.delay_ms = delay_ms;
    ASSERT_TRUE(server_->SetFault(0, f).ok());
  }
  std::unique_ptr<RecordCommand> Read(uint32_t socket_ms = 1000) {
    auto g = Get(Key("cb", "k"));
    g->policy.socket_timeout_ms = socket_ms;
    g->policy.total_timeout_ms = 2000;
    g->policy.max_retries = 0;
    return g;
  }

  std::unique_ptr<server::Server> server_;
  std::unique_ptr<Client> client_;
};

TEST_F(CircuitBreakerTest, TimeoutsAndBrokenRepliesTripTheNode) {
  Start(/*max_error_rate=*/3, /*window_tends=*/1000);  // 50 s: no reset here
  SetFault(FaultKind::kDelay, 300);
  EXPECT_EQ(Exec(*client_, Read(50))->status.code(), absl::StatusCode::kDeadlineExceeded);
  SetFault(FaultKind::kGarbage);
  EXPECT_EQ(Exec(*client_, Read())->status.code(), absl::StatusCode::kDataLoss);
  SetFault(FaultKind::kDropMidReply);
  EXPECT_EQ(Exec(*client_, Read())->status.code(), absl::StatusCode::kUnavailable);
  server_->ClearFaults();
  const int64_t opened = GlobalCounters().connections_opened.load();
  auto skipped = Exec(*client_, Read());
  EXPECT_EQ(skipped->status.code(), absl::StatusCode::kAborted) << skipped->status;
  EXPECT_EQ(ResultForStatus(skipped->status), ResultCode::kMaxErrorRate);
  EXPECT_EQ(skipped->timings.sent, 0);  // nothing reached the server
  EXPECT_EQ(GlobalCounters().connections_opened.load(), opened);
}

TEST_F(CircuitBreakerTest, ServerErrorsDoNotCount) {
  Start(/*max_error_rate=*/1, /*window_tends=*/1000);
  for (int i = 0; i < 5; ++i) {
    auto g = Exec(*client_, Get(Key("cb", "missing")));
    EXPECT_EQ(g->result, ResultCode::kRecordNotFound);
  }
  EXPECT_TRUE(Exec(*client_, Read())->status.ok());
}

TEST_F(CircuitBreakerTest, TheWindowResetsAfterItsTends) {
  Start(/*max_error_rate=*/1, /*window_tends=*/2);  // 100 ms
  SetFault(FaultKind::kGarbage);
  EXPECT_EQ(Exec(*client_, Read())->status.code(), absl::StatusCode::kDataLoss);
  server_->ClearFaults();
  EXPECT_EQ(Exec(*client_, Read())->status.code(), absl::StatusCode::kAborted);
  EXPECT_TRUE(WaitFor([&] { return Exec(*client_, Read())->status.ok(); }, 2000));
}

TEST_F(CircuitBreakerTest, ZeroMeansNoBreaker) {
  Start(/*max_error_rate=*/0, /*window_tends=*/1000);
  SetFault(FaultKind::kGarbage);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(Exec(*client_, Read())->status.code(), absl::StatusCode::kDataLoss);
  }
  server_->ClearFaults();
  EXPECT_TRUE(Exec(*client_, Read())->status.ok());
}

}  // namespace
}  // namespace aerospike_py::client::testing
