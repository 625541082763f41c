// Scan/query answers over a real socket: produced a slice at a time as the
// socket drains (a large answer arrives whole, in order, in many frames),
// later pipelined requests answered after it, records-per-second
// throttling, and a client that goes away mid-answer (the job shows
// abandoned, the server keeps serving).
#include <chrono>
#include <set>
#include <thread>

#include "server/server.h"
#include "server_test_support.h"

namespace aerospike_py::server::testing {
namespace {

using p::Value;

std::unique_ptr<Server> Start() {
  auto s = Server::Start(ServerOptions());
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? std::move(*s) : nullptr;
}

ByteBuffer ScanAll(uint64_t task_id, uint32_t rps = 0) {
  p::ScanRequest s;
  s.header.info1 = p::info1::kRead;
  s.header.info3 = p::info3::kPartitionDone;
  s.ns = "test";
  s.set = "demo";
  s.task_id = task_id;
  s.records_per_second = rps;
  for (uint32_t pid = 0; pid < p::kPartitions; ++pid) {
    s.partition_ids.push_back(static_cast<uint16_t>(pid));
  }
  ByteBuffer b;
  p::EncodeScanRequest(s, &b);
  return b;
}

void Load(Socket& sock, int n, size_t pad) {
  ByteBuffer batch;
  for (int i = 0; i < n; ++i) {
    ByteBuffer one = Encode(PutReq(i, {Write("a", Value::Int(i)),
                                       Write("pad", Value::String(std::string(pad, 'p')))}));
    batch.Append(one.span());
  }
  sock.Send(batch);
  auto replies = DecodeReplies(sock.ReadFrames(static_cast<size_t>(n), 20000).span());
  ASSERT_EQ(replies.size(), static_cast<size_t>(n));
}

// Reads frames until one holds the LAST message. Bytes that arrive after
// that frame (a pipelined request's answer) are left in `*rest`.
std::vector<ReplyMsg> ReadUntilLast(Socket& sock, size_t* frames, ByteBuffer* rest = nullptr) {
  std::vector<ReplyMsg> all;
  ByteBuffer buf;
  size_t off = 0;
  *frames = 0;
  for (;;) {
    while (buf.size() - off >= 8) {
      const uint64_t size = LoadBE48(buf.data() + off + 2);
      if (buf.size() - off < 8 + size) break;
      auto some = DecodeReplies(ByteSpan(buf.data() + off, 8 + size));
      off += 8 + size;
      ++*frames;
      bool last = false;
      for (ReplyMsg& m : some) {
        last = last || (m.header.info3 & p::info3::kLast);
        all.push_back(std::move(m));
      }
      if (last) {
        if (rest != nullptr) rest->Append(buf.data() + off, buf.size() - off);
        return all;
      }
    }
    ByteBuffer more = sock.ReadSome(10000);
    if (more.empty()) return all;
    buf.Append(more.data(), more.size());
  }
}

TEST(QueryStream, LargeScanArrivesWholeInManyFramesThenTheNextRequest) {
  auto server = Start();
  Socket sock(server->ports()[0]);
  Load(sock, 4000, 500);  // ~2 MB of records
  ByteBuffer pipelined = ScanAll(1);
  ByteBuffer get = Encode(GetReq(7));
  pipelined.Append(get.span());  // answered only after the scan's LAST
  sock.Send(pipelined);
  size_t frames = 0;
  ByteBuffer rest;
  auto replies = ReadUntilLast(sock, &frames, &rest);
  ASSERT_FALSE(replies.empty());
  EXPECT_TRUE(replies.back().header.info3 & p::info3::kLast);
  std::set<int64_t> seen;
  for (size_t i = 0; i + 1 < replies.size(); ++i) seen.insert(replies[i].Int("a"));
  EXPECT_EQ(seen.size(), 4000u);
  EXPECT_GT(frames, 10u);  // produced in ~128 KiB frames
  while (rest.size() < 8 || rest.size() < 8 + LoadBE48(rest.data() + 2)) {
    ByteBuffer more = sock.ReadSome();
    if (more.empty()) break;
    rest.Append(more.data(), more.size());
  }
  auto after = DecodeReplies(rest.span());
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].Int("a"), 7);
}

TEST(QueryStream, RecordsPerSecondThrottles) {
  auto server = Start();
  Socket sock(server->ports()[0]);
  Load(sock, 30, 10);
  const auto t0 = std::chrono::steady_clock::now();
  sock.Send(ScanAll(2, /*rps=*/100));
  size_t frames = 0;
  auto replies = ReadUntilLast(sock, &frames);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(replies.size(), 31u);
  EXPECT_GE(ms, 150) << "30 records at 100/s came in " << ms << " ms";
  auto show = server->Info(0, "query-show:trid=2");
  ASSERT_TRUE(show.ok());
  EXPECT_NE(show->find(":rps=100:"), std::string::npos) << *show;
  EXPECT_NE(show->find("status=done(ok)"), std::string::npos) << *show;
}

TEST(QueryStream, ClientGoingAwayAbandonsTheJob) {
  auto server = Start();
  {
    Socket loader(server->ports()[0]);
    Load(loader, 8000, 1000);  // ~8 MB: more than the socket buffers hold
  }
  {
    Socket reader(server->ports()[0]);
    reader.Send(ScanAll(3));
    reader.ReadFrames(1);  // a first frame, then the client closes
  }
  std::string show;
  for (int i = 0; i < 200; ++i) {
    show = *server->Info(0, "query-show:trid=3");
    if (show.find("status=done") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(show.find("status=done(abandoned-response-error)"), std::string::npos) << show;
  Socket again(server->ports()[0]);
  again.Send(Encode(GetReq(1)));
  auto got = DecodeReplies(again.ReadFrames(1).span());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].Int("a"), 1);
}

}  // namespace
}  // namespace aerospike_py::server::testing
