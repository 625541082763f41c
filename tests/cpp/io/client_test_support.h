// Helpers for the client-core tests: an embedded server, a client seeded
// with it, commands built the way the bridge builds them (ops encoded with
// proto::OpWriter), synchronous runs through a SyncWaiter, and a fixture
// that checks the debug counters return to zero after every test.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "client/client.h"
#include "client/command.h"
#include "client/completion.h"
#include "client/counters.h"
#include "gtest/gtest.h"
#include "common/byte_order.h"
#include "common/strings.h"
#include "proto/message_view.h"
#include "proto/op_writer.h"
#include "proto/particle.h"
#include "proto/value.h"
#include "server/server.h"

namespace aerospike_py::client::testing {

namespace p = ::aerospike_py::proto;

inline std::unique_ptr<server::Server> StartServer(int nodes = 1, int replication_factor = 1,
                                                   std::string cluster_name = "") {
  server::ServerOptions o;
  o.nodes = nodes;
  o.replication_factor = replication_factor;
  o.cluster_name = std::move(cluster_name);
  auto s = server::Server::Start(std::move(o));
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? std::move(*s) : nullptr;
}

inline ClientConfig ConfigFor(const server::Server& server) {
  ClientConfig c;
  for (uint16_t port : server.ports()) c.seeds.push_back({server.host(), port, ""});
  c.tend_interval_ms = 50;
  return c;
}

// Runs one command to completion (fails the test after `wait_ms`).
template <typename C>
std::unique_ptr<C> Exec(Client& client, std::unique_ptr<C> command, uint32_t wait_ms = 20000) {
  auto waiter = std::make_shared<SyncWaiter>();
  command->sink = waiter;
  client.Submit(std::move(command));
  std::unique_ptr<Command> done = waiter->WaitFor(wait_ms);
  EXPECT_NE(done, nullptr) << "command did not complete within " << wait_ms << " ms";
  return std::unique_ptr<C>(static_cast<C*>(done.release()));
}

inline std::unique_ptr<Client> Connect(ClientConfig config, Status* status = nullptr) {
  auto client = Client::Start(std::move(config));
  EXPECT_TRUE(client.ok()) << client.status();
  if (!client.ok()) return nullptr;
  auto done = Exec(**client, std::make_unique<ConnectCommand>());
  if (status != nullptr) *status = done ? done->status : absl::UnknownError("no completion");
  if (status == nullptr) {
    EXPECT_TRUE(done && done->status.ok()) << (done ? done->status : Status());
  }
  return std::move(*client);
}

inline RecordKey Key(std::string set, std::string user_key, std::string ns = "test") {
  RecordKey k;
  k.ns = std::move(ns);
  k.set = std::move(set);
  k.key_type = p::ParticleType::kString;
  k.key_bytes = std::move(user_key);
  return k;
}

inline RecordKey IntKey(std::string set, int64_t v, std::string ns = "test") {
  RecordKey k;
  k.ns = std::move(ns);
  k.set = std::move(set);
  k.key_type = p::ParticleType::kInteger;
  k.key_bytes.resize(8);
  StoreBE64(reinterpret_cast<uint8_t*>(k.key_bytes.data()), static_cast<uint64_t>(v));
  return k;
}

using Bins = std::vector<std::pair<std::string, p::Value>>;

inline void AddOp(ByteBuffer* ops, uint16_t* n, p::OpType op, const std::string& bin,
                  const p::Value& v) {
  p::OpWriter w(ops);
  w.Begin(op, v.is_nil() ? p::ParticleType::kNull : p::ParticleTypeOf(v), bin);
  if (!v.is_nil()) p::AppendParticle(v, ops);
  w.End();
  ++*n;
}

inline std::unique_ptr<RecordCommand> Put(RecordKey key, const Bins& bins) {
  auto c = std::make_unique<RecordCommand>();
  c->key = std::move(key);
  c->is_write = true;
  c->info2 = p::info2::kWrite;
  for (const auto& [name, v] : bins) AddOp(&c->ops, &c->n_ops, p::OpType::kWrite, name, v);
  return c;
}

inline std::unique_ptr<RecordCommand> Get(RecordKey key) {
  auto c = std::make_unique<RecordCommand>();
  c->key = std::move(key);
  c->info1 = p::info1::kRead | p::info1::kGetAll;
  return c;
}

inline std::unique_ptr<RecordCommand> Exists(RecordKey key) {
  auto c = std::make_unique<RecordCommand>();
  c->key = std::move(key);
  c->info1 = p::info1::kRead | p::info1::kNoBinData;
  return c;
}

inline std::unique_ptr<RecordCommand> Remove(RecordKey key) {
  auto c = std::make_unique<RecordCommand>();
  c->key = std::move(key);
  c->is_write = true;
  c->info2 = p::info2::kWrite | p::info2::kDelete;
  return c;
}

inline std::unique_ptr<RecordCommand> Touch(RecordKey key) {
  auto c = std::make_unique<RecordCommand>();
  c->key = std::move(key);
  c->is_write = true;
  c->info2 = p::info2::kWrite;
  AddOp(&c->ops, &c->n_ops, p::OpType::kTouch, "", p::Value::Nil());
  return c;
}

// Bins of an answer, by name.
inline std::map<std::string, p::Value> BinsOf(const p::MessageView& m) {
  std::map<std::string, p::Value> out;
  p::OpIterator it(m);
  p::OpView op;
  while (it.Next(&op)) {
    auto v = p::DecodeParticle(op.particle_type, op.value);
    out[std::string(op.name)] = v.ok() ? *v : p::Value::String("<bad>");
  }
  return out;
}

inline std::unique_ptr<InfoCommand> Info(InfoCommand::Target target, std::string request) {
  auto c = std::make_unique<InfoCommand>();
  c->target = target;
  c->request = std::move(request);
  return c;
}

// Value of one info line in a raw answer body.
inline std::string InfoValue(const std::string& body, const std::string& name) {
  for (std::string_view line : Split(body, '\n', true)) {
    size_t tab = line.find('\t');
    if (tab != std::string_view::npos && line.substr(0, tab) == name) {
      return std::string(line.substr(tab + 1));
    }
  }
  return "<missing>";
}

// Waits until `pred` holds (polling), up to `ms`.
template <typename Pred>
bool WaitFor(Pred pred, int ms = 5000) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

// Every test ends with no command, connection or client left.
class ClientTest : public ::testing::Test {
 protected:
  void TearDown() override {
    DebugCounters& c = GlobalCounters();
    EXPECT_EQ(c.live_commands.load(), 0);
    EXPECT_EQ(c.queued_commands.load(), 0);
    EXPECT_EQ(c.live_clients.load(), 0);
    EXPECT_EQ(c.unclean_loop_exits.load(), 0);
    EXPECT_TRUE(WaitFor([&] { return c.open_connections.load() == 0; }, 2000))
        << "open connections: " << c.open_connections.load();
  }
};

}  // namespace aerospike_py::client::testing

namespace aerospike_py::client::testing {

// A batch command with one row kind per (namespace/set) added through
// AddKey; `spec` 0 is created by the caller with AddSpec.
struct BatchBuilder {
  std::unique_ptr<BatchCommand> cmd = std::make_unique<BatchCommand>();

  BatchBuilder() { cmd->batch_flags |= p::batch_flags::kRespondAllKeys; }

  uint16_t NsSet(const std::string& ns, const std::string& set) {
    for (size_t i = 0; i < cmd->ns_sets.size(); ++i) {
      if (cmd->ns_sets[i].ns == ns && cmd->ns_sets[i].set == set) return static_cast<uint16_t>(i);
    }
    cmd->ns_sets.push_back({ns, set});
    return static_cast<uint16_t>(cmd->ns_sets.size() - 1);
  }
  uint16_t ReadAllSpec() {
    BatchRowSpec s;
    s.info1 = p::info1::kRead | p::info1::kGetAll;
    cmd->specs.push_back(std::move(s));
    return static_cast<uint16_t>(cmd->specs.size() - 1);
  }
  uint16_t ExistsSpec() {
    BatchRowSpec s;
    s.info1 = p::info1::kRead | p::info1::kNoBinData;
    cmd->specs.push_back(std::move(s));
    return static_cast<uint16_t>(cmd->specs.size() - 1);
  }
  uint16_t WriteSpec(const Bins& bins, bool send_key = false) {
    BatchRowSpec s;
    s.row_flags = p::batch_row_flags::kHasInfo | p::batch_row_flags::kHasGeneration |
                  p::batch_row_flags::kHasTtl;
    s.info2 = p::info2::kWrite | p::info2::kRespondAllOps;
    s.is_write = true;
    s.send_key = send_key;
    for (const auto& [name, v] : bins) AddOp(&s.ops, &s.n_ops, p::OpType::kWrite, name, v);
    cmd->specs.push_back(std::move(s));
    return static_cast<uint16_t>(cmd->specs.size() - 1);
  }
  void AddIntKey(const std::string& ns, const std::string& set, int64_t key, uint16_t spec) {
    BatchKey k;
    k.ns_set = NsSet(ns, set);
    k.spec = spec;
    k.key_type = p::ParticleType::kInteger;
    k.key_offset = static_cast<uint32_t>(cmd->key_bytes.size());
    k.key_len = 8;
    StoreBE64(cmd->key_bytes.Extend(8), static_cast<uint64_t>(key));
    cmd->keys.push_back(k);
  }
};

}  // namespace aerospike_py::client::testing

namespace aerospike_py::client::testing {

// Collects completions from any number of commands (thread-safe).
class CollectingSink : public CompletionSink {
 public:
  void Complete(std::unique_ptr<Command> command) override {
    std::lock_guard<std::mutex> lock(mu_);
    done_.push_back(std::move(command));
    cv_.notify_all();
  }
  bool WaitForCount(size_t n, int ms) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return done_.size() >= n; });
  }
  std::vector<std::unique_ptr<Command>> Take() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::move(done_);
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return done_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Command>> done_;
};

}  // namespace aerospike_py::client::testing
