// Admission control, Close() with commands in flight, concurrent submits
// and closes, and the log queue.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "client/log_queue.h"
#include "client_test_support.h"

namespace aerospike_py::client::testing {
namespace {

using p::Value;

class LifecycleTest : public ClientTest {};

void SetDelay(server::Server& server, uint32_t ms) {
  server::Fault f;
  f.kind = server::FaultKind::kDelay;
  f.scope = server::FaultScope::kData;
  f.delay_ms = ms;
  ASSERT_TRUE(server.SetFault(0, f).ok());
}

TEST_F(LifecycleTest, BackpressureMakesCallersWait) {
  auto server = StartServer();
  ClientConfig config = ConfigFor(*server);
  config.max_concurrent_operations = 4;
  auto client = Connect(config);
  SetDelay(*server, 20);
  auto sink = std::make_shared<CollectingSink>();
  for (int i = 0; i < 40; ++i) {
    auto g = Get(IntKey("bp", i));
    g->sink = sink;
    client->Submit(std::move(g));
  }
  // While the first four are held by the server, the rest wait in line.
  EXPECT_TRUE(WaitFor([] { return GlobalCounters().queued_commands.load() > 0; }, 1000));
  ASSERT_TRUE(sink->WaitForCount(40, 10000));
  for (auto& done : sink->Take()) EXPECT_TRUE(done->status.ok()) << done->status;
  // Never more than four data connections: never more than four in flight.
  EXPECT_LE(GlobalCounters().open_connections.load(), 4 + 1);
  EXPECT_EQ(GlobalCounters().queued_commands.load(), 0);
}

TEST_F(LifecycleTest, QueueTimeoutFailsWithResourceExhausted) {
  auto server = StartServer();
  ClientConfig config = ConfigFor(*server);
  config.max_concurrent_operations = 2;
  config.operation_queue_timeout_ms = 50;
  auto client = Connect(config);
  SetDelay(*server, 300);
  auto sink = std::make_shared<CollectingSink>();
  for (int i = 0; i < 10; ++i) {
    auto g = Get(IntKey("bp", i));
    g->sink = sink;
    client->Submit(std::move(g));
  }
  ASSERT_TRUE(sink->WaitForCount(10, 5000));
  int ok = 0, exhausted = 0;
  for (auto& done : sink->Take()) {
    if (done->status.ok()) ++ok;
    if (done->status.code() == absl::StatusCode::kResourceExhausted) ++exhausted;
  }
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(exhausted, 8);
}

TEST_F(LifecycleTest, CloseCancelsQueuedAndInFlightCommands) {
  auto server = StartServer();
  ClientConfig config = ConfigFor(*server);
  config.max_concurrent_operations = 20;
  auto client = Connect(config);
  server::Fault f;
  f.kind = server::FaultKind::kStopAnswering;
  f.scope = server::FaultScope::kData;
  ASSERT_TRUE(server->SetFault(0, f).ok());
  auto sink = std::make_shared<CollectingSink>();
  for (int i = 0; i < 50; ++i) {
    auto g = Get(IntKey("c", i));
    g->policy.total_timeout_ms = 0;  // would wait forever
    g->policy.socket_timeout_ms = 0;
    g->sink = sink;
    client->Submit(std::move(g));
  }
  BatchBuilder b;
  const uint16_t all = b.ReadAllSpec();
  for (int i = 0; i < 100; ++i) b.AddIntKey("test", "c", i, all);
  b.cmd->policy.total_timeout_ms = 0;
  b.cmd->policy.socket_timeout_ms = 0;
  b.cmd->sink = sink;
  client->Submit(std::move(b.cmd));
  EXPECT_TRUE(WaitFor([] { return GlobalCounters().queued_commands.load() > 0; }, 1000));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto t0 = std::chrono::steady_clock::now();
  client->Close();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1000));
  ASSERT_EQ(sink->count(), 51u);
  for (auto& done : sink->Take()) {
    EXPECT_EQ(done->status.code(), absl::StatusCode::kCancelled) << done->status;
    if (auto* batch = dynamic_cast<BatchCommand*>(done.get())) {
      for (const auto& r : batch->results) EXPECT_EQ(r.result, ResultCode::kClientAbort);
    }
  }
  EXPECT_EQ(GlobalCounters().open_connections.load(), 0);
}

TEST_F(LifecycleTest, SubmitsRacingCloseAllComplete) {
  auto server = StartServer();
  for (int round = 0; round < 5; ++round) {
    auto client = Connect(ConfigFor(*server));
    auto sink = std::make_shared<CollectingSink>();
    std::atomic<int> submitted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 300; ++i) {
          auto p = Put(IntKey("race", t * 1000 + i), {{"v", Value::Int(i)}});
          p->sink = sink;
          client->Submit(std::move(p));
          ++submitted;
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(round));
    client->Close();
    for (auto& t : threads) t.join();
    ASSERT_TRUE(sink->WaitForCount(900, 5000));
    for (auto& done : sink->Take()) {
      const bool ok = done->status.ok() && static_cast<RecordCommand*>(done.get())->result == ResultCode::kOk;
      EXPECT_TRUE(ok || done->status.code() == absl::StatusCode::kCancelled) << done->status;
    }
  }
}

TEST_F(LifecycleTest, DestroyingAClientClosesIt) {
  auto server = StartServer();
  {
    auto client = Connect(ConfigFor(*server));
    EXPECT_EQ(GlobalCounters().live_clients.load(), 1);
  }
  EXPECT_EQ(GlobalCounters().live_clients.load(), 0);
  EXPECT_EQ(GlobalCounters().open_connections.load(), 0);
}

TEST_F(LifecycleTest, ClusterEventsReachTheLogQueue) {
  LogQueue& q = LogQueue::Global();
  std::vector<LogRecord> drained;
  q.Drain(&drained, 1 << 20);
  q.SetLevel(static_cast<int>(LogLevel::kInfo));
  auto server = StartServer(3, 1);
  {
    auto client = Connect(ConfigFor(*server));
    ASSERT_TRUE(server->StopNode(2).ok());
    ASSERT_TRUE(WaitFor([&] { return client->NodeNames().size() == 2; }, 3000));
  }
  q.SetLevel(-1);
  drained.clear();
  q.Drain(&drained, 1 << 20);
  int added = 0, removed = 0, maps = 0;
  for (const LogRecord& r : drained) {
    EXPECT_LE(static_cast<int>(r.level), static_cast<int>(LogLevel::kInfo));
    if (r.message.find("added") != std::string::npos) ++added;
    if (r.message.find("removed") != std::string::npos) ++removed;
    if (r.message.find("partition map") != std::string::npos) ++maps;
  }
  EXPECT_EQ(added, 3);
  EXPECT_EQ(removed, 1);
  EXPECT_GE(maps, 2);
  // Disabled: nothing is queued.
  q.Push(LogLevel::kError, "ignored");
  drained.clear();
  EXPECT_EQ(q.Drain(&drained, 10), 0u);
  EXPECT_TRUE(drained.empty());
}

}  // namespace
}  // namespace aerospike_py::client::testing
