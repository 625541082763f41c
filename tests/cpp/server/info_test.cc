// The info surface through the Processor: verbatim echo, the formats real
// clients parse (peers, replicas), generations, truncation, and the
// admin/compressed answers of a Community Edition server.
#include <chrono>
#include <thread>

#include "proto/compression.h"
#include "proto/info.h"
#include "server_test_support.h"

namespace aerospike_py::server::testing {
namespace {

using p::Value;

TEST(Info, EchoesEveryLineVerbatim) {
  Harness h;
  ByteBuffer req = p::EncodeInfoRequest("node\nbuild\nedition\nbogus-cmd\nuser-agent-set:value=MSxh\n");
  auto replies = h.Run(req);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].frame_type, 1);
  EXPECT_EQ(replies[0].info,
            "node\tN1\nbuild\t8.1.2.0\nedition\tAerospike Community Edition\n"
            "bogus-cmd\tERROR:4:unrecognized command\nuser-agent-set:value=MSxh\tok\n");
}

TEST(Info, LineWithoutNewlineIsNotRun) {
  Harness h;
  ByteBuffer req;
  const std::string body = "node\nbuild";
  p::EncodeProtoHeader(req.Extend(8), p::ProtoType::kInfo, body.size());
  req.Append(body);
  EXPECT_EQ(h.Run(req)[0].info, "node\tN1\n");
}

TEST(Info, UserAgentsAreRecordedPerNode) {
  ServerOptions o;
  o.nodes = 2;
  Harness h(o);
  EXPECT_EQ(h.Info("user-agents"), "");
  EXPECT_EQ(h.Info("user-agent-set:value=MSxjLTcuNS4wLG5vdC1zZXQ="), "ok");  // 1,c-7.5.0,not-set
  EXPECT_EQ(h.Info("user-agent-set:value=MSxjLTcuNS4wLG5vdC1zZXQ="), "ok");
  EXPECT_EQ(h.Info("user-agent-set:value=QQ==", 1), "ok");
  EXPECT_EQ(h.Info("user-agent-set:value=%%%"), "ERROR:4:'value' invalid base64");
  EXPECT_EQ(h.Info("user-agent-set"), "ERROR:4:missing 'value'");
  EXPECT_EQ(h.Info("user-agents"), "user-agent=MSxjLTcuNS4wLG5vdC1zZXQ=:count=2");
  EXPECT_EQ(h.Info("user-agents", 1), "user-agent=QQ==:count=1");
}

TEST(Info, TendingValuesOfASingleNode) {
  Harness h;
  EXPECT_EQ(h.Info("partition-generation"), "0");
  EXPECT_EQ(h.Info("peers-generation"), "0");
  EXPECT_EQ(h.Info("peers-clear-std"), "0,3000,[]");
  EXPECT_EQ(h.Info("replicas"), "test:0,1," + std::string(682, '/') + "8=");
  EXPECT_EQ(h.Info("replicas-all"), "test:1," + std::string(682, '/') + "8=");
  EXPECT_EQ(h.Info("replicas-master"), "test:" + std::string(682, '/') + "8=");
  EXPECT_EQ(h.Info("namespaces"), "test");
  EXPECT_EQ(h.Info("cluster-name"), "null");
  EXPECT_EQ(h.Info("service-clear-std"), "127.0.0.1:3000");
  EXPECT_NE(h.Info("features").find("pscans"), std::string::npos);
  // Rack ids and TLS endpoints are Enterprise features.
  EXPECT_EQ(h.Info("rack-ids"), "ERROR:25:enterprise only");
  EXPECT_EQ(h.Info("peers-tls-std"), "ERROR:25:enterprise only");
  EXPECT_EQ(h.Info("sindex-list:"), "");
}

TEST(Info, ThreeNodeReplicasCoverEveryPartitionExactlyOncePerColumn) {
  ServerOptions o;
  o.nodes = 3;
  o.replication_factor = 2;
  o.namespaces = {"test", "bar"};
  Harness h(o);
  std::vector<int> masters(p::kPartitions, 0), replicas(p::kPartitions, 0);
  for (int node = 0; node < 3; ++node) {
    auto parsed = p::ParseReplicas(h.Info("replicas", node));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    ASSERT_EQ(parsed->size(), 2u);
    ASSERT_EQ((*parsed)[0].replicas.size(), 2u);
    for (uint32_t pid = 0; pid < p::kPartitions; ++pid) {
      masters[pid] += p::BitmapHas((*parsed)[0].replicas[0], pid);
      replicas[pid] += p::BitmapHas((*parsed)[0].replicas[1], pid);
    }
    auto one = p::ParseReplicas(h.Info("replicas:max=1", node));
    ASSERT_TRUE(one.ok());
    EXPECT_EQ((*one)[0].replicas.size(), 1u);
    auto peers = p::ParsePeers(h.Info("peers-clear-std", node));
    ASSERT_TRUE(peers.ok()) << peers.status();
    EXPECT_EQ(peers->peers.size(), 2u);
    for (const auto& peer : peers->peers) EXPECT_NE(peer.node_id, h.Info("node", node));
  }
  for (uint32_t pid = 0; pid < p::kPartitions; ++pid) {
    EXPECT_EQ(masters[pid], 1) << pid;
    EXPECT_EQ(replicas[pid], 1) << pid;
  }
}

TEST(Info, StopAndReshuffleBumpGenerations) {
  ServerOptions o;
  o.nodes = 3;
  Harness h(o);
  const std::string before = h.Info("replicas", 0);
  h.state().cluster.SetRunning(2, false);
  EXPECT_EQ(h.Info("peers-generation"), "1");
  EXPECT_EQ(h.Info("partition-generation"), "1");
  auto peers = p::ParsePeers(h.Info("peers-clear-std", 0));
  ASSERT_TRUE(peers.ok());
  EXPECT_EQ(peers->peers.size(), 1u);
  h.state().cluster.SetRunning(2, true);
  h.state().cluster.Reshuffle();
  EXPECT_EQ(h.Info("partition-generation"), "3");
  EXPECT_NE(h.Info("replicas", 0), before);
}

TEST(Info, NamespaceSetsStatisticsAndTruncate) {
  Harness h;
  for (int i = 0; i < 5; ++i) h.One(PutReq(i, {Write("a", Value::Int(i))}));
  const std::string ns = h.Info("namespace/test");
  EXPECT_NE(ns.find(";objects=5;"), std::string::npos);
  EXPECT_NE(ns.find("replication-factor=1"), std::string::npos);
  EXPECT_EQ(h.Info("namespace/nope"), "type=unknown");
  EXPECT_EQ(h.Info("sets/nope"), "ns_type=unknown");
  EXPECT_EQ(h.Info("sets/test/demo").rfind("objects=5:tombstones=0:", 0), 0u);
  EXPECT_NE(h.Info("sets").find("ns=test:set=demo:objects=5"), std::string::npos);
  EXPECT_NE(h.Info("statistics").find(";objects=5;"), std::string::npos);
  // A truncate removes the records last updated before its millisecond.
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(h.Info("truncate:namespace=test;set=demo"), "ok");
  EXPECT_EQ(h.One(GetReq(1)).rc(), 2);
  EXPECT_EQ(h.Info("sets/test/demo").rfind("objects=0:", 0), 0u);
  // Writes inside the cut-off's millisecond are refused (FORBIDDEN).
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  h.One(PutReq(1, {Write("a", Value::Int(1))}));
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(h.Info("truncate-namespace:namespace=test"), "ok");
  EXPECT_EQ(h.state().store.Find("test")->objects(), 0u);
  // The server accepts a truncate of any namespace name; the parameters
  // are checked with its own error texts.
  EXPECT_EQ(h.Info("truncate:namespace=nope;set=x"), "ok");
  EXPECT_EQ(h.Info("truncate:set=x"), "ERROR:20:missing 'namespace'");
  EXPECT_EQ(h.Info("truncate:namespace=test"), "ERROR:4:missing 'set'");
  EXPECT_EQ(h.Info("truncate:namespace=test;set=x;lut=abc"), "ERROR:4:would truncate to 0");
  EXPECT_EQ(h.Info("truncate-namespace:namespace=test;set=x"), "ERROR:4:unexpected set name");
  // Truncating a set that never existed changes nothing and creates no set.
  EXPECT_EQ(h.Info("truncate:namespace=test;set=never"), "ok");
  EXPECT_EQ(h.Info("sets").find("set=never"), std::string::npos);
  EXPECT_EQ(h.Info("truncate:namespace=test;set=" + std::string(64, 's')),
            "ERROR:4:'set' value too long");
}

TEST(Info, TruncateHonoursLastUpdateTime) {
  Harness h;
  h.One(PutReq(1, {Write("a", Value::Int(1))}));
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const uint64_t cut = NowUnixNanos();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  h.One(PutReq(2, {Write("a", Value::Int(2))}));
  EXPECT_EQ(h.Info("truncate:namespace=test;set=demo;lut=" + std::to_string(cut)), "ok");
  EXPECT_EQ(h.One(GetReq(1)).rc(), 2);
  EXPECT_EQ(h.One(GetReq(2)).rc(), 0);
  // A later truncate with an earlier cut-off changes nothing.
  EXPECT_EQ(h.Info("truncate:namespace=test;set=demo;lut=" + std::to_string(cut - 1000000)),
            "ok");
  EXPECT_EQ(h.One(GetReq(2)).rc(), 0);
  EXPECT_EQ(h.Info("truncate:namespace=test;set=demo;lut=" + std::to_string(cut + 3600000000000)),
            "ERROR:4:would truncate in the future");
}

TEST(Admin, SecurityIsNotEnabled) {
  Harness h;
  ByteBuffer req;
  p::EncodeProtoHeader(req.Extend(8), p::ProtoType::kAdmin, 16);
  uint8_t* hdr = req.Extend(16);
  std::memset(hdr, 0, 16);
  hdr[2] = 20;  // LOGIN
  auto replies = h.Run(req);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].frame_type, 2);
  ASSERT_EQ(replies[0].admin.size(), 16u);
  EXPECT_EQ(static_cast<uint8_t>(replies[0].admin[1]), 52);
}

TEST(Compressed, CommunityEditionRefusesCompressedRequests) {
  Harness h;
  ByteBuffer plain = Encode(PutReq(1, {Write("v", Value::String(std::string(500, 'x')))}));
  auto compressed = p::CompressFrame(plain.span());
  ASSERT_TRUE(compressed.ok());
  auto replies = h.Run(*compressed);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].rc(), 25);
  EXPECT_EQ(h.state().store.Find("test")->objects(), 0u);
}

TEST(Malformed, MessageThatDoesNotParseIsAnsweredWithParameter) {
  Harness h;
  ByteBuffer good = Encode(GetReq(1));
  // Claim one more op than the message holds: the server answers 4 and
  // keeps the connection.
  StoreBE16(good.data() + 8 + 20, 1);
  FrameOutcome outcome = FrameOutcome::kClose;
  auto replies = h.Run(good, 0, &outcome);
  EXPECT_EQ(outcome, FrameOutcome::kReply);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].rc(), 4);
}

}  // namespace
}  // namespace aerospike_py::server::testing
