// Connect, info and single-record round trips against the embedded server.
#include <gtest/gtest.h>

#include "client_test_support.h"

namespace aerospike_py::client::testing {
namespace {

using p::Value;
using Target = InfoCommand::Target;

class RecordTest : public ClientTest {};

TEST_F(RecordTest, ConnectsAndAnswersInfo) {
  auto server = StartServer();
  auto client = Connect(ConfigFor(*server));
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(client->IsConnected());
  ASSERT_EQ(client->NodeNames(), std::vector<std::string>{server->NodeId(0)});
  const std::vector<proto::Endpoint> addresses = client->NodeAddresses();
  ASSERT_EQ(addresses.size(), 1u);
  EXPECT_EQ(addresses[0].host, server->host());
  EXPECT_EQ(addresses[0].port, server->ports()[0]);

  auto random = Exec(*client, Info(Target::kRandomNode, "build\nnode"));
  ASSERT_TRUE(random->status.ok()) << random->status;
  ASSERT_EQ(random->answers.size(), 1u);
  EXPECT_EQ(random->answers[0].node, server->NodeId(0));
  EXPECT_EQ(InfoValue(random->answers[0].response, "node"), server->NodeId(0));
  EXPECT_EQ(InfoValue(random->answers[0].response, "build"), *server->Info(0, "build"));

  auto all = Exec(*client, Info(Target::kAllNodes, "namespaces"));
  ASSERT_TRUE(all->status.ok());
  ASSERT_EQ(all->answers.size(), 1u);
  EXPECT_EQ(InfoValue(all->answers[0].response, "namespaces"), "test");

  auto named = Info(Target::kNamedNode, "node");
  named->node_name = server->NodeId(0);
  named = Exec(*client, std::move(named));
  ASSERT_TRUE(named->status.ok());
  EXPECT_EQ(InfoValue(named->answers[0].response, "node"), server->NodeId(0));

  auto unknown = Info(Target::kNamedNode, "node");
  unknown->node_name = "NOSUCHNODE";
  unknown = Exec(*client, std::move(unknown));
  EXPECT_EQ(unknown->status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(unknown->result, ResultCode::kInvalidNode);

  auto host = Info(Target::kHost, "node");
  host->host = {"localhost", server->ports()[0], ""};
  host = Exec(*client, std::move(host));
  ASSERT_TRUE(host->status.ok()) << host->status;
  EXPECT_EQ(InfoValue(host->answers[0].response, "node"), server->NodeId(0));

  auto refused = Info(Target::kHost, "node");
  refused->host = {"127.0.0.1", 1, ""};
  refused = Exec(*client, std::move(refused));
  EXPECT_EQ(refused->status.code(), absl::StatusCode::kUnavailable);
  client->Close();
  client->Close();  // idempotent
}

TEST_F(RecordTest, ConnectFailsWhenNothingListens) {
  ClientConfig config;
  config.seeds.push_back({"127.0.0.1", 1, ""});
  config.connect_timeout_ms = 500;
  Status status;
  auto t0 = std::chrono::steady_clock::now();
  auto client = Connect(config, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(2000));
  EXPECT_FALSE(client->IsConnected());
  // Commands fail (no node), they do not hang.
  auto get = Get(Key("s", "k"));
  get->policy.total_timeout_ms = 300;
  get = Exec(*client, std::move(get));
  EXPECT_FALSE(get->status.ok());
}

TEST_F(RecordTest, WrongClusterNameIsRefused) {
  auto server = StartServer(1, 1, "prod");
  ClientConfig config = ConfigFor(*server);
  config.cluster_name = "staging";
  Status status;
  auto client = Connect(config, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_NE(std::string(status.message()).find("staging"), std::string::npos) << status;
  config.cluster_name = "prod";
  auto good = Connect(config);
  EXPECT_TRUE(good->IsConnected());
}

TEST_F(RecordTest, InvalidConfigIsRejected) {
  EXPECT_EQ(Client::Start(ClientConfig{}).status().code(), absl::StatusCode::kInvalidArgument);
  ClientConfig c;
  c.seeds.push_back({"127.0.0.1", 3000, ""});
  c.min_conns_per_node = 10;
  c.max_conns_per_node = 2;
  EXPECT_EQ(Client::Start(c).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RecordTest, PutGetExistsTouchOperateDelete) {
  auto server = StartServer();
  auto client = Connect(ConfigFor(*server));

  auto put = Exec(*client, Put(Key("demo", "k1"), {{"a", Value::Int(1)},
                                                  {"s", Value::String("x")},
                                                  {"f", Value::Double(2.5)}}));
  ASSERT_TRUE(put->status.ok()) << put->status;
  EXPECT_EQ(put->result, ResultCode::kOk);
  EXPECT_FALSE(put->in_doubt);
  EXPECT_EQ(put->node, server->NodeId(0));
  EXPECT_EQ(put->attempts, 1u);
  EXPECT_GT(put->timings.completed, put->timings.submitted);
  EXPECT_GE(put->timings.answered, put->timings.sent);

  auto get = Exec(*client, Get(Key("demo", "k1")));
  ASSERT_TRUE(get->status.ok());
  ASSERT_EQ(get->result, ResultCode::kOk);
  EXPECT_EQ(get->message.header.generation, 1u);
  auto bins = BinsOf(get->message);
  ASSERT_EQ(bins.size(), 3u);
  EXPECT_EQ(bins["a"].as_int(), 1);
  EXPECT_EQ(bins["s"].str(), "x");
  EXPECT_EQ(bins["f"].as_double(), 2.5);
  EXPECT_TRUE(get->key.has_digest);
  EXPECT_EQ(get->key.digest, p::ComputeDigest("demo", std::string_view("k1")));

  auto exists = Exec(*client, Exists(Key("demo", "k1")));
  EXPECT_EQ(exists->result, ResultCode::kOk);
  EXPECT_EQ(exists->message.header.n_ops, 0);

  auto touch = Exec(*client, Touch(Key("demo", "k1")));
  EXPECT_EQ(touch->result, ResultCode::kOk);
  EXPECT_EQ(touch->message.header.generation, 2u);

  // operate: increment then read, in one request.
  auto op = std::make_unique<RecordCommand>();
  op->key = Key("demo", "k1");
  op->is_write = true;
  op->info1 = p::info1::kRead;
  op->info2 = p::info2::kWrite | p::info2::kRespondAllOps;
  AddOp(&op->ops, &op->n_ops, p::OpType::kIncr, "a", Value::Int(41));
  AddOp(&op->ops, &op->n_ops, p::OpType::kRead, "a", Value::Nil());
  op = Exec(*client, std::move(op));
  ASSERT_EQ(op->result, ResultCode::kOk);
  p::OpIterator it(op->message);
  p::OpView v;
  ASSERT_TRUE(it.Next(&v));  // the increment's (empty) result
  ASSERT_TRUE(it.Next(&v));
  EXPECT_EQ(p::DecodeParticle(v.particle_type, v.value)->as_int(), 42);

  // A caller-supplied digest skips the user key.
  auto by_digest = Get(Key("demo", ""));
  by_digest->key.key_type = p::ParticleType::kNull;
  by_digest->key.has_digest = true;
  by_digest->key.digest = p::ComputeDigest("demo", std::string_view("k1"));
  by_digest = Exec(*client, std::move(by_digest));
  EXPECT_EQ(by_digest->result, ResultCode::kOk);

  auto removed = Exec(*client, Remove(Key("demo", "k1")));
  EXPECT_EQ(removed->result, ResultCode::kOk);
  auto gone = Exec(*client, Get(Key("demo", "k1")));
  EXPECT_TRUE(gone->status.ok());
  EXPECT_EQ(gone->result, ResultCode::kRecordNotFound);
  auto again = Exec(*client, Remove(Key("demo", "k1")));
  EXPECT_EQ(again->result, ResultCode::kRecordNotFound);
}

TEST_F(RecordTest, SendKeyIntKeysAndBadInput) {
  auto server = StartServer();
  auto client = Connect(ConfigFor(*server));
  auto put = Put(IntKey("demo", 12345), {{"v", Value::Int(7)}});
  put->send_key = true;
  put = Exec(*client, std::move(put));
  ASSERT_EQ(put->result, ResultCode::kOk);
  EXPECT_EQ(put->key.digest, p::ComputeDigest("demo", int64_t{12345}));
  auto get = Exec(*client, Get(IntKey("demo", 12345)));
  EXPECT_EQ(BinsOf(get->message)["v"].as_int(), 7);

  auto bad_ns = Exec(*client, Get(Key("demo", "k", "nosuchns")));
  EXPECT_EQ(bad_ns->status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_ns->result, ResultCode::kInvalidNamespace);
  auto no_key = Get(Key("demo", ""));
  no_key->key.key_type = p::ParticleType::kNull;
  no_key = Exec(*client, std::move(no_key));
  EXPECT_EQ(no_key->status.code(), absl::StatusCode::kInvalidArgument);
  auto long_ns = Exec(*client, Get(Key("demo", "k", std::string(40, 'n'))));
  EXPECT_EQ(long_ns->status.code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RecordTest, CompressedRequestsAreSentAsType4) {
  auto server = StartServer();
  auto client = Connect(ConfigFor(*server));
  // Small: sent plain, works.
  auto small = Put(Key("demo", "c"), {{"a", Value::Int(1)}});
  small->policy.compress = true;
  small = Exec(*client, std::move(small));
  EXPECT_EQ(small->result, ResultCode::kOk);
  // Above 128 bytes: compressed, which the (Community-like) server refuses
  // with ENTERPRISE_ONLY: proof that the frame went out as type 4.
  auto big = Put(Key("demo", "c"), {{"a", Value::String(std::string(500, 'x'))}});
  big->policy.compress = true;
  big = Exec(*client, std::move(big));
  ASSERT_TRUE(big->status.ok()) << big->status;
  EXPECT_EQ(big->result, ResultCode::kEnterpriseOnly);
}

TEST_F(RecordTest, ManyConcurrentCommandsShareConnections) {
  auto server = StartServer();
  ClientConfig config = ConfigFor(*server);
  config.max_conns_per_node = 8;
  auto client = Connect(config);
  const int kCommands = 5000;
  auto waiters = std::vector<std::shared_ptr<SyncWaiter>>();
  for (int i = 0; i < kCommands; ++i) {
    auto cmd = Put(IntKey("many", i), {{"i", Value::Int(i)}});
    waiters.push_back(std::make_shared<SyncWaiter>());
    cmd->sink = waiters.back();
    client->Submit(std::move(cmd));
  }
  int ok = 0;
  for (auto& w : waiters) {
    auto done = w->WaitFor(20000);
    ASSERT_NE(done, nullptr);
    ok += done->status.ok() && static_cast<RecordCommand*>(done.get())->result == ResultCode::kOk;
  }
  EXPECT_EQ(ok, kCommands);
  EXPECT_LE(GlobalCounters().open_connections.load(), 8 + 1);  // + the tend socket
  EXPECT_EQ(server->RecordCount("test"), static_cast<uint64_t>(kCommands));
}

TEST_F(RecordTest, MinConnsArePrewarmedAndIdleOnesReaped) {
  auto server = StartServer();
  ClientConfig config = ConfigFor(*server);
  config.min_conns_per_node = 3;
  config.idle_timeout_ms = 100;
  config.max_conns_per_node = 16;
  auto client = Connect(config);
  // Three pre-warmed data sockets + the tend socket.
  EXPECT_TRUE(WaitFor([] { return GlobalCounters().open_connections.load() == 4; }))
      << GlobalCounters().open_connections.load();
  // Burst: more sockets open, then the extra ones are reaped back to 3.
  std::vector<std::shared_ptr<SyncWaiter>> waiters;
  for (int i = 0; i < 200; ++i) {
    auto cmd = Get(IntKey("idle", i));
    waiters.push_back(std::make_shared<SyncWaiter>());
    cmd->sink = waiters.back();
    client->Submit(std::move(cmd));
  }
  for (auto& w : waiters) ASSERT_NE(w->WaitFor(10000), nullptr);
  EXPECT_TRUE(WaitFor([] { return GlobalCounters().open_connections.load() == 4; }, 3000))
      << GlobalCounters().open_connections.load();
}

TEST_F(RecordTest, SubmitAfterCloseIsCancelledAtOnce) {
  auto server = StartServer();
  auto client = Connect(ConfigFor(*server));
  client->Close();
  EXPECT_FALSE(client->IsConnected());
  auto get = Exec(*client, Get(Key("demo", "x")), 1000);
  EXPECT_EQ(get->status.code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace aerospike_py::client::testing
