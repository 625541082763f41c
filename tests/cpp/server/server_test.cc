// The embedded server over real sockets: start/stop, pipelining, bad input
// closing only the offending connection, node control, misrouting counts,
// and the fault hooks.
#include <chrono>
#include <thread>

#include "proto/info.h"
#include "server/server.h"
#include "server_test_support.h"

namespace aerospike_py::server::testing {
namespace {

using p::Value;

std::unique_ptr<Server> StartServer(ServerOptions o = ServerOptions()) {
  auto s = Server::Start(std::move(o));
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? std::move(*s) : nullptr;
}

std::vector<ReplyMsg> RoundTrip(Socket& sock, const ByteBuffer& req, size_t frames = 1) {
  sock.Send(req);
  return DecodeReplies(sock.ReadFrames(frames).span());
}

TEST(Server, StartsAnswersAndStopsCleanly) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  ASSERT_EQ(server->ports().size(), 1u);
  Socket sock(server->ports()[0]);
  ASSERT_TRUE(sock.connected());
  auto info = RoundTrip(sock, p::EncodeInfoRequest("node\npartition-generation\nbuild\n"));
  ASSERT_EQ(info.size(), 1u);
  EXPECT_EQ(info[0].info, "node\t" + server->NodeId(0) + "\npartition-generation\t0\nbuild\t8.1.2.0\n");
  auto put = RoundTrip(sock, Encode(PutReq(1, {Write("a", Value::Int(1))})));
  ASSERT_EQ(put.size(), 1u);
  EXPECT_EQ(put[0].rc(), 0);
  EXPECT_EQ(server->RecordCount("test"), 1u);
  EXPECT_EQ(*server->Info(0, "namespaces"), "test");
  server->Stop();  // with the connection still open
  EXPECT_TRUE(server->stopped_cleanly());
  EXPECT_TRUE(sock.WaitClosed());
  server->Stop();  // idempotent
}

TEST(Server, RejectsBadOptionsAndBusyPorts) {
  ServerOptions bad;
  bad.nodes = 0;
  EXPECT_FALSE(Server::Start(bad).ok());
  bad = ServerOptions();
  bad.namespaces = {std::string(40, 'n')};
  EXPECT_FALSE(Server::Start(bad).ok());
  auto first = StartServer();
  ServerOptions same;
  same.port = first->ports()[0];
  auto second = Server::Start(same);
  EXPECT_FALSE(second.ok());
}

TEST(Server, PipelinedRequestsAreAnsweredInOrder) {
  auto server = StartServer();
  Socket sock(server->ports()[0]);
  ByteBuffer batch;
  const int n = 200;
  for (int i = 0; i < n; ++i) {
    ByteBuffer one = Encode(PutReq(i, {Write("a", Value::Int(i))}));
    batch.Append(one.span());
    ByteBuffer get = Encode(GetReq(i));
    batch.Append(get.span());
  }
  sock.Send(batch);
  auto replies = DecodeReplies(sock.ReadFrames(2 * n).span());
  ASSERT_EQ(replies.size(), static_cast<size_t>(2 * n));
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(replies[2 * i].rc(), 0);
    EXPECT_EQ(replies[2 * i + 1].Int("a"), i);
  }
}

TEST(Server, RequestSplitAcrossWritesIsReassembled) {
  auto server = StartServer();
  Socket sock(server->ports()[0]);
  ByteBuffer req = Encode(PutReq(1, {Write("a", Value::String(std::string(100000, 'z')))}));
  for (size_t off = 0; off < req.size(); off += 777) {
    sock.Send(req.span().subspan(off, std::min<size_t>(777, req.size() - off)));
  }
  auto r = DecodeReplies(sock.ReadFrames(1).span());
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].rc(), 0);
}

TEST(Server, BadInputClosesOnlyThatConnection) {
  auto server = StartServer();
  Socket good(server->ports()[0]);
  ASSERT_EQ(RoundTrip(good, Encode(PutReq(1, {Write("a", Value::Int(1))})))[0].rc(), 0);
  {
    Socket bad(server->ports()[0]);
    const uint8_t junk[16] = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};  // version 9
    bad.Send(ByteSpan(junk, sizeof(junk)));
    EXPECT_TRUE(bad.WaitClosed());
  }
  {
    Socket huge(server->ports()[0]);
    uint8_t hdr[8];
    p::EncodeProtoHeader(hdr, p::ProtoType::kMessage, p::kMaxBodySize + 1);
    huge.Send(ByteSpan(hdr, 8));
    EXPECT_TRUE(huge.WaitClosed());
  }
  {
    // A message whose fields overrun it is answered PARAMETER, as the
    // server does; the connection stays usable.
    Socket truncated_msg(server->ports()[0]);
    ByteBuffer req = Encode(GetReq(1));
    StoreBE16(req.data() + 8 + 18, 9);  // nine fields announced
    auto answer = RoundTrip(truncated_msg, req);
    ASSERT_EQ(answer.size(), 1u);
    EXPECT_EQ(answer[0].rc(), 4);
    EXPECT_EQ(RoundTrip(truncated_msg, Encode(GetReq(1)))[0].Int("a"), 1);
  }
  {
    Socket tls_hello(server->ports()[0]);
    const uint8_t hello[8] = {22, 3, 1, 0, 0x50, 1, 0, 0};
    tls_hello.Send(ByteSpan(hello, 8));
    EXPECT_TRUE(tls_hello.WaitClosed());
  }
  // The good connection and the store are untouched.
  auto get = RoundTrip(good, Encode(GetReq(1)));
  ASSERT_EQ(get.size(), 1u);
  EXPECT_EQ(get[0].Int("a"), 1);
  EXPECT_EQ(server->RecordCount("test"), 1u);
}

TEST(Server, ClusterNodesStopStartReshuffleAndMisrouting) {
  ServerOptions o;
  o.nodes = 3;
  o.replication_factor = 2;
  auto server = StartServer(o);
  ASSERT_EQ(server->ports().size(), 3u);
  EXPECT_NE(server->NodeId(0), server->NodeId(1));
  // Send every write to node 0: only partitions it masters are routed well.
  Socket sock(server->ports()[0]);
  int expected_misrouted = 0;
  auto owners = p::ParseReplicas(*server->Info(0, "replicas"));
  ASSERT_TRUE(owners.ok());
  for (int i = 0; i < 100; ++i) {
    p::Digest d = p::ComputeDigest("demo", int64_t{i});
    if (!p::BitmapHas((*owners)[0].replicas[0], p::PartitionId(d))) ++expected_misrouted;
    ASSERT_EQ(RoundTrip(sock, Encode(PutReq(i, {Write("a", Value::Int(i))})))[0].rc(), 0);
  }
  EXPECT_GT(expected_misrouted, 0);
  EXPECT_EQ(server->Misrouted(0), static_cast<uint64_t>(expected_misrouted));
  EXPECT_EQ(*server->Info(0, "misrouted"), std::to_string(expected_misrouted));
  EXPECT_EQ(server->Misrouted(1), 0u);
  server->ResetMisrouted();
  EXPECT_EQ(server->MisroutedTotal(), 0u);

  // Stop node 2: its port refuses connections, peers shrink, data stays.
  ASSERT_TRUE(server->StopNode(2).ok());
  EXPECT_FALSE(server->NodeRunning(2));
  EXPECT_FALSE(server->StopNode(2).ok());
  Socket refused(server->ports()[2]);
  EXPECT_FALSE(refused.connected());
  EXPECT_EQ(*server->Info(0, "peers-generation"), "1");
  auto peers = p::ParsePeers(*server->Info(0, "peers-clear-std"));
  ASSERT_TRUE(peers.ok());
  EXPECT_EQ(peers->peers.size(), 1u);
  EXPECT_EQ(RoundTrip(sock, Encode(GetReq(5)))[0].Int("a"), 5);
  ASSERT_TRUE(server->StartNode(2).ok());
  Socket back(server->ports()[2]);
  EXPECT_TRUE(back.connected());
  EXPECT_EQ(RoundTrip(back, Encode(GetReq(7)))[0].Int("a"), 7);

  const std::string gen = *server->Info(1, "partition-generation");
  server->Reshuffle();
  EXPECT_NE(*server->Info(1, "partition-generation"), gen);
  EXPECT_FALSE(server->StopNode(7).ok());
  server->Stop();
  EXPECT_TRUE(server->stopped_cleanly());
}

TEST(Faults, DelayHoldsRepliesInOrder) {
  auto server = StartServer();
  Fault f;
  f.kind = FaultKind::kDelay;
  f.delay_ms = 200;
  f.scope = FaultScope::kData;
  ASSERT_TRUE(server->SetFault(0, f).ok());
  Socket sock(server->ports()[0]);
  // Info is out of the fault's scope: immediate.
  auto t0 = std::chrono::steady_clock::now();
  RoundTrip(sock, p::EncodeInfoRequest("build\n"));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(150));
  t0 = std::chrono::steady_clock::now();
  ByteBuffer two = Encode(PutReq(1, {Write("a", Value::Int(1))}));
  ByteBuffer get = Encode(GetReq(1));
  two.Append(get.span());
  auto replies = RoundTrip(sock, two, 2);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(190));
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[1].Int("a"), 1);
  server->ClearFaults();
  t0 = std::chrono::steady_clock::now();
  RoundTrip(sock, Encode(GetReq(1)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(150));
}

TEST(Faults, DropMidReplyGarbageAndStopAnswering) {
  auto server = StartServer();
  Fault drop;
  drop.kind = FaultKind::kDropMidReply;
  drop.count = 1;
  ASSERT_TRUE(server->SetFault(0, drop).ok());
  {
    Socket sock(server->ports()[0]);
    sock.Send(Encode(PutReq(1, {Write("a", Value::Int(1))})));
    EXPECT_TRUE(sock.WaitClosed());
    EXPECT_EQ(sock.raw().size(), (8u + 22u) / 2);  // half a reply, then close
  }
  // count 1: the fault cleared itself; the write itself was applied.
  Socket sock(server->ports()[0]);
  EXPECT_EQ(RoundTrip(sock, Encode(GetReq(1)))[0].Int("a"), 1);

  Fault garbage;
  garbage.kind = FaultKind::kGarbage;
  garbage.count = 1;
  ASSERT_TRUE(server->SetFault(0, garbage).ok());
  sock.Send(Encode(GetReq(1)));
  sock.ReadFrames(1, 500);
  ASSERT_GE(sock.raw().size(), 8u);
  EXPECT_EQ(sock.raw().data()[0], 0xFF);  // not protocol version 2

  Fault silent;
  silent.kind = FaultKind::kStopAnswering;
  ASSERT_TRUE(server->SetFault(-1, silent).ok());
  Socket quiet(server->ports()[0]);
  quiet.Send(p::EncodeInfoRequest("node\n"));
  EXPECT_TRUE(quiet.ReadFrames(1, 300).empty());
  server->ClearFaults();
  EXPECT_EQ(RoundTrip(quiet, p::EncodeInfoRequest("build\n")).size(), 1u);
  server->Stop();
  EXPECT_TRUE(server->stopped_cleanly());
}

TEST(Server, ManyConnectionsOpenAndClose) {
  auto server = StartServer();
  for (int round = 0; round < 50; ++round) {
    Socket s(server->ports()[0]);
    ASSERT_TRUE(s.connected());
    RoundTrip(s, p::EncodeInfoRequest("node\n"));
  }
  const std::string stats = *server->Info(0, "statistics");
  EXPECT_NE(stats.find("client_connections_opened="), std::string::npos);
  server->Stop();
  EXPECT_TRUE(server->stopped_cleanly());
}

}  // namespace
}  // namespace aerospike_py::server::testing

namespace aerospike_py::server::testing {
namespace {

TEST(Server, ClientThatDoesNotReadIsThrottledNotBuffered) {
  auto server = StartServer();
  {
    Socket writer(server->ports()[0]);
    ASSERT_EQ(RoundTrip(writer, Encode(PutReq(1, {Write("v", Value::String(std::string(500000, 'x')))})))[0].rc(), 0);
  }
  Socket sock(server->ports()[0]);
  // ~60 MB of replies requested, none read: the server must stop reading
  // rather than buffer them all, and must still serve other connections.
  ByteBuffer get = Encode(GetReq(1));
  std::thread pump([&] {
    for (int i = 0; i < 120; ++i) sock.Send(get);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  Socket other(server->ports()[0]);
  auto r = RoundTrip(other, p::EncodeInfoRequest("build\n"));
  ASSERT_EQ(r.size(), 1u);
  // Now read everything: every reply arrives, in order.
  auto replies = DecodeReplies(sock.ReadFrames(120, 10000).span());
  pump.join();
  ASSERT_EQ(replies.size(), 120u);
  EXPECT_EQ(replies.back().Bin("v")->value.size(), 500000u);
}

}  // namespace
}  // namespace aerospike_py::server::testing
