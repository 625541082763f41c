// A 3-node embedded cluster: routing is exact, retries move to replicas,
// nodes leaving and joining are followed.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "client_test_support.h"

namespace aerospike_py::client::testing {
namespace {

using p::Value;

class ClusterOpsTest : public ClientTest {};

std::unique_ptr<Command> MixedOp(int i, int keyspace) {
  const int k = (i * 7919) % keyspace;
  switch (i % 5) {
    case 0:
    case 1:
      return Put(IntKey("mix", k), {{"v", Value::Int(i)}});
    case 2:
      return Get(IntKey("mix", k));
    case 3:
      return Exists(IntKey("mix", k));
    default: {
      BatchBuilder b;
      const uint16_t all = b.ReadAllSpec();
      for (int j = 0; j < 20; ++j) b.AddIntKey("test", "mix", (k + j * 31) % keyspace, all);
      return std::move(b.cmd);
    }
  }
}

TEST_F(ClusterOpsTest, TenThousandMixedOpsWithoutMisrouting) {
  auto server = StartServer(3, 2);
  auto client = Connect(ConfigFor(*server));
  ASSERT_EQ(client->NodeNames().size(), 3u);
  auto sink = std::make_shared<CollectingSink>();
  const int kOps = 10000;
  std::set<std::string> nodes_used;
  int failures = 0;
  for (int wave = 0; wave < kOps / 500; ++wave) {
    for (int i = 0; i < 500; ++i) {
      auto cmd = MixedOp(wave * 500 + i, 3000);
      cmd->sink = sink;
      client->Submit(std::move(cmd));
    }
    ASSERT_TRUE(sink->WaitForCount(500, 20000));
    for (auto& done : sink->Take()) {
      if (!done->status.ok()) ++failures;
      nodes_used.insert(done->node);
    }
  }
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(nodes_used.size(), 3u);
  EXPECT_EQ(server->MisroutedTotal(), 0u);
}

TEST_F(ClusterOpsTest, SilentMasterSendsReadsToTheReplica) {
  auto server = StartServer(3, 2);
  auto client = Connect(ConfigFor(*server));
  // Find a key mastered by node 0.
  int key = -1;
  for (int i = 0; i < 100; ++i) {
    auto put = Exec(*client, Put(IntKey("r", i), {{"v", Value::Int(i)}}));
    ASSERT_EQ(put->result, ResultCode::kOk);
    if (key < 0 && put->node == server->NodeId(0)) key = i;
  }
  ASSERT_GE(key, 0);
  server::Fault f;
  f.kind = server::FaultKind::kStopAnswering;
  f.scope = server::FaultScope::kData;
  ASSERT_TRUE(server->SetFault(0, f).ok());

  auto get = Get(IntKey("r", key));
  get->policy.socket_timeout_ms = 100;
  get->policy.total_timeout_ms = 2000;
  get->policy.replica = Replica::kSequence;
  get = Exec(*client, std::move(get));
  ASSERT_TRUE(get->status.ok()) << get->status;
  EXPECT_EQ(get->attempts, 2u);
  EXPECT_NE(get->node, server->NodeId(0));
  EXPECT_EQ(BinsOf(get->message)["v"].as_int(), key);

  auto master_only = Get(IntKey("r", key));
  master_only->policy.socket_timeout_ms = 100;
  master_only->policy.total_timeout_ms = 400;
  master_only->policy.replica = Replica::kMaster;
  master_only = Exec(*client, std::move(master_only));
  EXPECT_EQ(master_only->status.code(), absl::StatusCode::kDeadlineExceeded);

  // A batch: node 0's keys are retried on their replicas, the rest answer
  // at once.
  BatchBuilder b;
  const uint16_t all = b.ReadAllSpec();
  for (int i = 0; i < 100; ++i) b.AddIntKey("test", "r", i, all);
  b.cmd->policy.socket_timeout_ms = 100;
  b.cmd->policy.total_timeout_ms = 2000;
  auto batch = Exec(*client, std::move(b.cmd));
  ASSERT_TRUE(batch->status.ok()) << batch->status;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(batch->results[i].answered) << i;
    ASSERT_EQ(BinsOf(batch->results[i].message)["v"].as_int(), i);
  }
  EXPECT_EQ(batch->attempts, 2u);
  server->ClearFaults();
  // Retried reads went to replicas: still nothing misrouted.
  EXPECT_EQ(server->MisroutedTotal(), 0u);
}

TEST_F(ClusterOpsTest, NodeStoppedMidLoad) {
  auto server = StartServer(3, 2);
  ClientConfig config = ConfigFor(*server);
  auto client = Connect(config);
  for (int i = 0; i < 300; ++i) {
    ASSERT_EQ(Exec(*client, Put(IntKey("load", i), {{"v", Value::Int(i)}}))->result, ResultCode::kOk);
  }
  const uint32_t kTotal = 1000;
  auto sink = std::make_shared<CollectingSink>();
  std::atomic<bool> stop{false};
  std::atomic<int> submitted{0};
  std::thread load([&] {
    int i = 0;
    while (!stop.load()) {
      std::unique_ptr<Command> cmd = MixedOp(i++, 300);
      cmd->policy.total_timeout_ms = kTotal;
      cmd->policy.socket_timeout_ms = 200;
      cmd->sink = sink;
      client->Submit(std::move(cmd));
      ++submitted;
      if (i % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_TRUE(server->StopNode(1).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  stop = true;
  load.join();
  ASSERT_TRUE(sink->WaitForCount(static_cast<size_t>(submitted.load()), 10000));
  int64_t worst_ms = 0;
  for (auto& done : sink->Take()) {
    const int64_t ms = (done->timings.completed - done->timings.submitted) / 1000000;
    worst_ms = std::max(worst_ms, ms);
  }
  // Every command resolved within its total timeout, plus scheduling slack.
  // Alone this run's worst is ~1 ms (~70 ms beside two CPU hogs); under
  // ctest -j on two shared cores a command that did time out has been seen
  // to fire 287 ms late, so the slack is sized for a starved event thread.
  EXPECT_LE(worst_ms, kTotal + 500);
  // The client drops the node and everything succeeds on the other two.
  EXPECT_TRUE(WaitFor([&] { return client->NodeNames().size() == 2; }, 3000));
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // a tend reads the new map
  int failures = 0;
  for (int i = 0; i < 500; ++i) {
    auto done = Exec(*client, MixedOp(i, 300));
    if (!done->status.ok()) ++failures;
    if (auto* r = dynamic_cast<RecordCommand*>(done.get())) {
      if (r->result != ResultCode::kOk && r->result != ResultCode::kRecordNotFound) ++failures;
      EXPECT_NE(r->node, server->NodeId(1));
    }
  }
  EXPECT_EQ(failures, 0);
}

TEST_F(ClusterOpsTest, UnreachableNodeTriggersAnEarlyTend) {
  auto server = StartServer(3, 2);
  ClientConfig config = ConfigFor(*server);
  config.tend_interval_ms = 5000;  // the periodic tend will not help here
  auto client = Connect(config);
  ASSERT_TRUE(server->StopNode(1).ok());
  auto t0 = std::chrono::steady_clock::now();
  // Commands that hit the stopped node fail to connect; that wakes the tend.
  for (int i = 0; i < 200 && client->NodeNames().size() == 3; ++i) {
    auto g = Get(IntKey("early", i));
    g->policy.max_retries = 2;
    Exec(*client, std::move(g));
  }
  EXPECT_TRUE(WaitFor([&] { return client->NodeNames().size() == 2; }, 1500));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(2500));
  for (int i = 0; i < 100; ++i) {
    auto put = Exec(*client, Put(IntKey("early", i), {{"v", Value::Int(i)}}));
    ASSERT_TRUE(put->status.ok()) << put->status;
    ASSERT_EQ(put->result, ResultCode::kOk);
  }
}

TEST_F(ClusterOpsTest, NodeAddedIsUsed) {
  auto server = StartServer(3, 1);
  ASSERT_TRUE(server->StopNode(2).ok());
  ClientConfig config;
  config.seeds.push_back({server->host(), server->ports()[0], ""});
  config.tend_interval_ms = 50;
  auto client = Connect(config);
  EXPECT_EQ(client->NodeNames().size(), 2u);
  ASSERT_TRUE(server->StartNode(2).ok());
  ASSERT_TRUE(WaitFor([&] { return client->NodeNames().size() == 3; }, 3000));
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  server->ResetMisrouted();
  int on_new = 0;
  for (int i = 0; i < 300; ++i) {
    auto put = Exec(*client, Put(IntKey("add", i), {{"v", Value::Int(i)}}));
    ASSERT_EQ(put->result, ResultCode::kOk);
    on_new += put->node == server->NodeId(2);
  }
  EXPECT_GT(on_new, 50);
  EXPECT_EQ(server->MisroutedTotal(), 0u);
}

TEST_F(ClusterOpsTest, ReshuffleIsFollowed) {
  auto server = StartServer(3, 2);
  auto client = Connect(ConfigFor(*server));
  server->Reshuffle();
  std::this_thread::sleep_for(std::chrono::milliseconds(250));  // a few tends
  server->ResetMisrouted();
  for (int i = 0; i < 1000; ++i) {
    auto done = Exec(*client, MixedOp(i, 500));
    ASSERT_TRUE(done->status.ok()) << done->status;
  }
  EXPECT_EQ(server->MisroutedTotal(), 0u);
}

}  // namespace
}  // namespace aerospike_py::client::testing
