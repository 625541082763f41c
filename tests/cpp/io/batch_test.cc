// Batch commands against the embedded server: mixed sets, misses, writes,
// splitting large batches, bad input.
#include <gtest/gtest.h>

#include "client_test_support.h"

namespace aerospike_py::client::testing {
namespace {

using p::Value;

class BatchTest : public ClientTest {};

void WriteAll(Client& client, const std::string& set, int64_t from, int64_t to, int64_t value,
              uint32_t wait_ms = 60000) {
  BatchBuilder b;
  const uint16_t spec = b.WriteSpec({{"v", Value::Int(value)}});
  for (int64_t k = from; k < to; ++k) b.AddIntKey("test", set, k, spec);
  b.cmd->policy.total_timeout_ms = 30000;
  auto done = Exec(client, std::move(b.cmd), wait_ms);
  ASSERT_TRUE(done->status.ok()) << done->status;
  for (const auto& r : done->results) {
    ASSERT_TRUE(r.answered);
    ASSERT_EQ(r.result, ResultCode::kOk);
  }
}

TEST_F(BatchTest, MixedSetsMissesAndEqualUserKeys) {
  auto server = StartServer();
  auto client = Connect(ConfigFor(*server));
  for (int i = 0; i < 3000; ++i) {
    ASSERT_EQ(Exec(*client, Put(IntKey("a", i), {{"i", Value::Int(i)}}))->result, ResultCode::kOk);
  }
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(Exec(*client, Put(IntKey("b", i), {{"j", Value::Int(-i)}}))->result, ResultCode::kOk);
  }
  BatchBuilder b;
  const uint16_t all = b.ReadAllSpec();
  // Interleaved: a/0, b/0, a/1, b/1, ... a/3999 (a >= 3000 and b >= 1000 miss).
  for (int i = 0; i < 4000; ++i) {
    b.AddIntKey("test", "a", i, all);
    b.AddIntKey("test", "b", i, all);
  }
  auto done = Exec(*client, std::move(b.cmd));
  ASSERT_TRUE(done->status.ok()) << done->status;
  EXPECT_EQ(done->result, ResultCode::kOk);
  ASSERT_EQ(done->results.size(), 8000u);
  EXPECT_FALSE(done->frames.empty());
  for (int i = 0; i < 4000; ++i) {
    const BatchRecordResult& a = done->results[2 * i];
    const BatchRecordResult& bb = done->results[2 * i + 1];
    ASSERT_TRUE(a.answered) << i;
    ASSERT_TRUE(bb.answered) << i;
    if (i < 3000) {
      ASSERT_EQ(a.result, ResultCode::kOk) << i;
      ASSERT_EQ(BinsOf(a.message)["i"].as_int(), i);
      EXPECT_EQ(a.generation, 1u);
    } else {
      ASSERT_EQ(a.result, ResultCode::kRecordNotFound) << i;
    }
    if (i < 1000) {
      ASSERT_EQ(bb.result, ResultCode::kOk) << i;
      ASSERT_EQ(BinsOf(bb.message)["j"].as_int(), -i);
    } else {
      ASSERT_EQ(bb.result, ResultCode::kRecordNotFound) << i;
    }
  }
}

TEST_F(BatchTest, ExistenceOnlyAndUnknownNamespace) {
  auto server = StartServer();
  auto client = Connect(ConfigFor(*server));
  ASSERT_EQ(Exec(*client, Put(IntKey("e", 1), {{"x", Value::Int(1)}}))->result, ResultCode::kOk);
  BatchBuilder b;
  const uint16_t exists = b.ExistsSpec();
  b.AddIntKey("test", "e", 1, exists);
  b.AddIntKey("test", "e", 2, exists);
  b.AddIntKey("nosuchns", "e", 1, exists);
  auto done = Exec(*client, std::move(b.cmd));
  ASSERT_TRUE(done->status.ok()) << done->status;
  EXPECT_EQ(done->results[0].result, ResultCode::kOk);
  EXPECT_EQ(done->results[0].message.header.n_ops, 0);
  EXPECT_EQ(done->results[1].result, ResultCode::kRecordNotFound);
  EXPECT_FALSE(done->results[2].answered);
  EXPECT_EQ(done->results[2].result, ResultCode::kInvalidNamespace);
}

TEST_F(BatchTest, EmptyAndMalformedBatches) {
  auto server = StartServer();
  auto client = Connect(ConfigFor(*server));
  auto empty = Exec(*client, std::make_unique<BatchCommand>());
  EXPECT_TRUE(empty->status.ok());
  EXPECT_TRUE(empty->results.empty());

  BatchBuilder b;
  b.AddIntKey("test", "x", 1, 7);  // no spec 7
  auto bad = Exec(*client, std::move(b.cmd));
  EXPECT_EQ(bad->status.code(), absl::StatusCode::kInvalidArgument);

  BatchBuilder c;
  const uint16_t all = c.ReadAllSpec();
  c.AddIntKey("test", "x", 1, all);
  c.cmd->keys[0].key_len = 100;  // past key_bytes
  auto outside = Exec(*client, std::move(c.cmd));
  EXPECT_EQ(outside->status.code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(BatchTest, WritesWithSendKeyAndDigests) {
  auto server = StartServer();
  auto client = Connect(ConfigFor(*server));
  BatchBuilder b;
  const uint16_t w = b.WriteSpec({{"v", Value::Int(5)}}, /*send_key=*/true);
  for (int i = 0; i < 50; ++i) b.AddIntKey("test", "w", i, w);
  auto done = Exec(*client, std::move(b.cmd));
  ASSERT_TRUE(done->status.ok()) << done->status;
  for (const auto& r : done->results) ASSERT_EQ(r.result, ResultCode::kOk);
  // Read back by digest only.
  BatchBuilder r;
  const uint16_t all = r.ReadAllSpec();
  for (int i = 0; i < 50; ++i) {
    BatchKey k;
    k.ns_set = r.NsSet("test", "w");
    k.spec = all;
    k.has_digest = true;
    k.digest = p::ComputeDigest("w", int64_t{i});
    r.cmd->keys.push_back(k);
  }
  auto read = Exec(*client, std::move(r.cmd));
  ASSERT_TRUE(read->status.ok());
  for (const auto& res : read->results) {
    ASSERT_EQ(res.result, ResultCode::kOk);
    EXPECT_EQ(BinsOf(res.message)["v"].as_int(), 5);
  }
}

TEST_F(BatchTest, HundredThousandKeysAreSplit) {
  auto server = StartServer();
  auto client = Connect(ConfigFor(*server));
  WriteAll(*client, "big", 0, 100000, 3);
  EXPECT_EQ(server->RecordCount("test"), 100000u);
  BatchBuilder b;
  const uint16_t all = b.ReadAllSpec();
  for (int i = 0; i < 100000; ++i) b.AddIntKey("test", "big", i, all);
  b.cmd->policy.total_timeout_ms = 30000;
  auto done = Exec(*client, std::move(b.cmd), 60000);
  ASSERT_TRUE(done->status.ok()) << done->status;
  size_t found = 0;
  for (const auto& r : done->results) {
    found += r.answered && r.result == ResultCode::kOk && BinsOf(r.message)["v"].as_int() == 3;
  }
  EXPECT_EQ(found, 100000u);
}

TEST_F(BatchTest, SmallerRequestLimitSplitsMore) {
  auto server = StartServer();
  ClientConfig config = ConfigFor(*server);
  config.max_keys_per_batch_request = 7;
  auto client = Connect(config);
  WriteAll(*client, "s", 0, 100, 9);
  BatchBuilder b;
  const uint16_t all = b.ReadAllSpec();
  for (int i = 0; i < 120; ++i) b.AddIntKey("test", "s", i, all);
  auto done = Exec(*client, std::move(b.cmd));
  ASSERT_TRUE(done->status.ok());
  for (int i = 0; i < 120; ++i) {
    ASSERT_EQ(done->results[i].result, i < 100 ? ResultCode::kOk : ResultCode::kRecordNotFound);
  }
  // At least one frame per request (18 requests of <= 7 rows).
  EXPECT_GE(done->frames.size(), 18u);
}

TEST_F(BatchTest, ServerBatchLimitFailsTheNodeRequest) {
  // A client told to send more rows per request than the server allows
  // sees the server's whole-batch error (151) on every key of it.
  server::ServerOptions options;
  options.batch_max_requests = 5000;  // a server configured with batch-max-requests
  auto started = server::Server::Start(std::move(options));
  ASSERT_TRUE(started.ok()) << started.status();
  auto server = std::move(*started);
  ClientConfig config = ConfigFor(*server);
  config.max_keys_per_batch_request = 6000;
  auto client = Connect(config);
  BatchBuilder b;
  const uint16_t all = b.ReadAllSpec();
  for (int i = 0; i < 5500; ++i) b.AddIntKey("test", "lim", i, all);
  auto done = Exec(*client, std::move(b.cmd));
  ASSERT_TRUE(done->status.ok()) << done->status;
  EXPECT_EQ(done->result, ResultCode::kBatchMaxRequests);
  EXPECT_FALSE(done->results[0].answered);
  EXPECT_EQ(done->results[0].result, ResultCode::kBatchMaxRequests);
}

}  // namespace
}  // namespace aerospike_py::client::testing
