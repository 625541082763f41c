// The batch coalescer (client/batch_coalescer.h): which batch reads travel
// together, how the merged batch is built (namespaces, row kinds and key
// bytes re-indexed), how its outcome is split (each call its own results,
// digests and status; its finisher run), and, against the embedded server,
// nine batch reads submitted together answered by one batch per node.
#include <gtest/gtest.h>

#include <map>

#include "client/batch_coalescer.h"
#include "client/serving_counters.h"
#include "client_test_support.h"

namespace aerospike_py::client::testing {
namespace {

using p::Value;

constexpr uint32_t kWindowUs = 20000;

void ResetMergeCounters() {
  BatchMergeCounters& c = GlobalServingCounters().batch_merge;
  c.requests.store(0);
  c.calls.store(0);
}

// A coalescable batch read of `keys` in ns/set (all bins, or header only).
std::unique_ptr<BatchCommand> ReadBatch(const std::string& set, int64_t from, int64_t to,
                                        bool exists_only = false, const std::string& ns = "test") {
  BatchBuilder b;
  const uint16_t spec = exists_only ? b.ExistsSpec() : b.ReadAllSpec();
  for (int64_t k = from; k < to; ++k) b.AddIntKey(ns, set, k, spec);
  b.cmd->coalescable = true;
  return std::move(b.cmd);
}

int64_t UserKeyAt(const BatchCommand& c, size_t i) {
  return static_cast<int64_t>(LoadBE64(c.key_bytes.data() + c.keys[i].key_offset));
}

class IgnoringListener : public BatchRowListener {
 public:
  void OnRowsAnswered(BatchCommand&, const std::vector<uint32_t>&) override {}
};

class RecordingFinisher : public BatchFinisher {
 public:
  explicit RecordingFinisher(int* runs, Status* seen) : runs_(runs), seen_(seen) {}
  void OnBatchDone(BatchCommand& cmd, const Status& status) override {
    ++*runs_;
    *seen_ = status;
  }

 private:
  int* runs_;
  Status* seen_;
};

// --- building the merged batch (no server) -----------------------------------

TEST(BatchMerge, WhoTravelsTogether) {
  auto write = ReadBatch("a", 0, 3);
  write->specs[0].is_write = true;
  write->specs[0].info2 = p::info2::kWrite;
  EXPECT_FALSE(IsMergeableBatch(*write)) << "a batch with a write row";
  auto unmarked = ReadBatch("a", 0, 3);
  unmarked->coalescable = false;
  EXPECT_FALSE(IsMergeableBatch(*unmarked));
  auto listened = ReadBatch("a", 0, 3);
  listened->row_listener = std::make_shared<IgnoringListener>();
  EXPECT_FALSE(IsMergeableBatch(*listened)) << "a coalesced-gets batch";
  auto empty = ReadBatch("a", 0, 0);
  EXPECT_FALSE(IsMergeableBatch(*empty));
  auto read = ReadBatch("a", 0, 3);
  EXPECT_TRUE(IsMergeableBatch(*read));
  auto get = Get(IntKey("a", 1));
  EXPECT_FALSE(IsMergeableBatch(*get));
}

TEST(BatchMerge, MergesEqualPoliciesAndReindexes) {
  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(ReadBatch("a", 0, 10));
  commands.push_back(Get(IntKey("a", 1)));  // not a batch: untouched
  commands.push_back(ReadBatch("b", 100, 105, /*exists_only=*/true));
  auto other_policy = ReadBatch("a", 0, 4);
  other_policy->policy.total_timeout_ms += 1;
  commands.push_back(std::move(other_policy));
  commands.push_back(ReadBatch("a", 10, 15));
  auto bad_ns = ReadBatch("a", 0, 2, false, "");
  commands.push_back(std::move(bad_ns));  // Prepare() would refuse it: alone
  Command* get = commands[1].get();
  Command* lone = commands[3].get();
  Command* refused = commands[5].get();

  ResetMergeCounters();
  MergeBatches(&commands);
  ASSERT_EQ(commands.size(), 7u);
  EXPECT_EQ(commands[0], nullptr);
  EXPECT_EQ(commands[1].get(), get);
  EXPECT_EQ(commands[2], nullptr);
  EXPECT_EQ(commands[3].get(), lone) << "a policy of its own: left as it is";
  EXPECT_EQ(commands[4], nullptr);
  EXPECT_EQ(commands[5].get(), refused);
  auto& merged = static_cast<BatchCommand&>(*commands[6]);
  EXPECT_EQ(GlobalServingCounters().batch_merge.requests.load(), 1);
  EXPECT_EQ(GlobalServingCounters().batch_merge.calls.load(), 3);
  ASSERT_EQ(merged.keys.size(), 20u);
  EXPECT_FALSE(merged.coalescable) << "a merged batch is not merged again";
  ASSERT_EQ(merged.ns_sets.size(), 2u);  // a, b
  ASSERT_EQ(merged.specs.size(), 2u);    // all bins (shared by both 'a' calls), header only
  const int64_t want[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100, 101, 102, 103, 104,
                          10, 11, 12, 13, 14};
  for (size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(UserKeyAt(merged, i), want[i]) << i;
    const bool in_b = i >= 10 && i < 15;
    EXPECT_EQ(merged.ns_sets[merged.keys[i].ns_set].set, in_b ? "b" : "a") << i;
    const uint8_t info1 = merged.specs[merged.keys[i].spec].info1;
    EXPECT_EQ((info1 & p::info1::kNoBinData) != 0, in_b) << i;
  }
}

TEST(BatchMerge, KeysPerMergeAreCapped) {
  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(ReadBatch("a", 0, 3000));
  commands.push_back(ReadBatch("a", 3000, 6000));  // 6000 > the cap: a new group
  commands.push_back(ReadBatch("a", 6000, 6100));  // joins the second
  commands.push_back(ReadBatch("a", 0, kMaxMergedKeys));  // too big to travel with anyone
  MergeBatches(&commands);
  ASSERT_EQ(commands.size(), 5u);
  EXPECT_NE(commands[0], nullptr) << "alone in its group";
  EXPECT_EQ(commands[1], nullptr);
  EXPECT_EQ(commands[2], nullptr);
  EXPECT_NE(commands[3], nullptr);
  EXPECT_EQ(static_cast<BatchCommand&>(*commands[4]).keys.size(), 3100u);
}

TEST(BatchMerge, SplitsOutcomesPerCall) {
  std::vector<std::unique_ptr<Command>> commands;
  auto sink = std::make_shared<CollectingSink>();
  int finisher_runs = 0;
  Status finisher_saw = absl::UnknownError("not run");
  for (int c = 0; c < 3; ++c) {
    auto b = ReadBatch("a", c * 10, c * 10 + 4);
    b->token = static_cast<uint64_t>(c);
    b->sink = sink;
    if (c == 1) {
      b->finisher = std::make_unique<RecordingFinisher>(&finisher_runs, &finisher_saw);
    }
    commands.push_back(std::move(b));
  }
  MergeBatches(&commands);
  ASSERT_EQ(commands.size(), 4u);
  std::unique_ptr<Command> owned = std::move(commands[3]);
  auto& merged = static_cast<BatchCommand&>(*owned);
  ASSERT_EQ(merged.keys.size(), 12u);
  // As the batch path leaves it: digests computed, one frame, every key
  // answered but the last call's third, and a node failure to report.
  merged.results.resize(12);
  for (size_t i = 0; i < 12; ++i) {
    merged.keys[i].has_digest = true;
    merged.keys[i].digest[0] = static_cast<uint8_t>(i + 1);
    merged.results[i].answered = i != 10;
    merged.results[i].result = i == 1 ? ResultCode::kRecordNotFound : ResultCode::kOk;
    merged.results[i].generation = static_cast<uint32_t>(i);
  }
  merged.results[10].result = ResultCode::kTimeout;
  merged.frames.emplace_back();
  merged.frames.back().buffer = ByteBuffer(16);
  merged.status = absl::UnavailableError("node went away");
  merged.result = ResultCode::kTimeout;
  merged.attempts = 2;
  merged.node = "BB9";
  Deliver(std::move(owned));

  auto done = sink->Take();
  ASSERT_EQ(done.size(), 3u);
  std::map<uint64_t, BatchCommand*> by_token;
  for (auto& d : done) by_token[d->token] = static_cast<BatchCommand*>(d.get());
  for (uint64_t c = 0; c < 3; ++c) {
    BatchCommand& call = *by_token.at(c);
    ASSERT_EQ(call.results.size(), 4u) << c;
    for (size_t i = 0; i < 4; ++i) {
      const size_t m = c * 4 + i;
      EXPECT_EQ(call.results[i].generation, m) << c << "/" << i;
      ASSERT_TRUE(call.keys[i].has_digest);
      EXPECT_EQ(call.keys[i].digest[0], m + 1) << "the digest the batch path computed";
    }
    ASSERT_NE(call.shared_frames, nullptr);
    EXPECT_EQ(call.shared_frames->size(), 1u) << "the merged frames, kept alive";
    EXPECT_EQ(call.node, "BB9");
    EXPECT_EQ(call.attempts, 2u);
  }
  EXPECT_EQ(by_token[0]->results[1].result, ResultCode::kRecordNotFound);
  EXPECT_TRUE(by_token[0]->status.ok()) << "all its keys answered";
  EXPECT_TRUE(by_token[1]->status.ok());
  EXPECT_EQ(by_token[2]->status.code(), absl::StatusCode::kUnavailable)
      << "its third key was left unanswered";
  EXPECT_EQ(by_token[2]->result, ResultCode::kTimeout);
  EXPECT_EQ(by_token[0]->result, ResultCode::kOk);
  EXPECT_EQ(finisher_runs, 1);
  EXPECT_TRUE(finisher_saw.ok()) << finisher_saw;
}

// --- against the embedded server ---------------------------------------------

class BatchMergeTest : public ClientTest {
 protected:
  void SetUp() override { ResetMergeCounters(); }
};

TEST_F(BatchMergeTest, NineCallsTravelAsOneBatch) {
  auto server = StartServer(3, 2);
  ClientConfig config = ConfigFor(*server);
  config.coalesce_window_us = kWindowUs;
  auto client = Connect(std::move(config));
  ASSERT_TRUE(WaitFor([&] { return client->NodeNames().size() == 3; }));
  for (int s = 0; s < 9; ++s) {
    for (int i = 0; i < 30; ++i) {
      ASSERT_EQ(Exec(*client, Put(IntKey("m" + std::to_string(s), i),
                                  {{"v", Value::Int(s * 1000 + i)}}))->result,
                ResultCode::kOk);
    }
  }
  ResetMergeCounters();
  auto sink = std::make_shared<CollectingSink>();
  for (int s = 0; s < 9; ++s) {
    auto b = ReadBatch("m" + std::to_string(s), 20, 40);  // 10 hits, 10 misses each
    b->policy.total_timeout_ms = 20000;
    b->token = static_cast<uint64_t>(s);
    b->sink = sink;
    client->Submit(std::move(b));
  }
  ASSERT_TRUE(sink->WaitForCount(9, 20000));
  EXPECT_EQ(GlobalServingCounters().batch_merge.requests.load(), 1);
  EXPECT_EQ(GlobalServingCounters().batch_merge.calls.load(), 9);
  for (auto& done : sink->Take()) {
    auto& call = static_cast<BatchCommand&>(*done);
    const int s = static_cast<int>(call.token);
    ASSERT_TRUE(call.status.ok()) << call.status;
    ASSERT_EQ(call.results.size(), 20u);
    for (int i = 0; i < 20; ++i) {
      const BatchRecordResult& r = call.results[static_cast<size_t>(i)];
      ASSERT_TRUE(r.answered) << s << "/" << i;
      if (20 + i < 30) {
        ASSERT_EQ(r.result, ResultCode::kOk) << s << "/" << i;
        EXPECT_EQ(BinsOf(r.message)["v"].as_int(), s * 1000 + 20 + i);
      } else {
        EXPECT_EQ(r.result, ResultCode::kRecordNotFound) << s << "/" << i;
      }
      EXPECT_TRUE(call.keys[static_cast<size_t>(i)].has_digest);
    }
  }
}

TEST_F(BatchMergeTest, EachCallTimesOutWithTheMergedBatch) {
  auto server = StartServer();
  ClientConfig config = ConfigFor(*server);
  config.coalesce_window_us = kWindowUs;
  auto client = Connect(std::move(config));
  server::Fault f;
  f.kind = server::FaultKind::kDelay;
  f.scope = server::FaultScope::kData;
  f.delay_ms = 2000;
  ASSERT_TRUE(server->SetFault(0, f).ok());
  auto sink = std::make_shared<CollectingSink>();
  for (int s = 0; s < 3; ++s) {
    auto b = ReadBatch("t", 0, 5);
    b->policy.total_timeout_ms = 200;
    b->policy.max_retries = 0;
    b->sink = sink;
    client->Submit(std::move(b));
  }
  ASSERT_TRUE(sink->WaitForCount(3, 10000));
  EXPECT_EQ(GlobalServingCounters().batch_merge.calls.load(), 3);
  for (auto& done : sink->Take()) {
    EXPECT_EQ(done->status.code(), absl::StatusCode::kDeadlineExceeded) << done->status;
  }
  server->ClearFaults();
}

}  // namespace
}  // namespace aerospike_py::client::testing
