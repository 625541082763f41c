// QueryStream on its own (no event thread): the byte bound and its
// pause/resume handshake, the one-shot wake-up into a sink, the end, and the
// partitions abandoned with records the consumer never took.
#include <memory>

#include "client/completion.h"
#include "client/counters.h"
#include "client/query_command.h"
#include "client/query_stream.h"
#include "common/byte_order.h"
#include "gtest/gtest.h"
#include "proto/digest.h"
#include "proto/headers.h"

namespace aerospike_py::client {
namespace {

// A frame holding one record message of partition `pid` (digest only), and
// `pad` bytes of capacity to reach a size.
QueryChunk Chunk(uint32_t pid, size_t pad = 0) {
  QueryChunk c;
  proto::Digest d{};
  d[0] = static_cast<uint8_t>(pid & 0xff);
  d[1] = static_cast<uint8_t>((pid >> 8) & 0x0f);
  c.frame.type = 3;
  c.frame.body_offset = 0;
  c.frame.buffer.Reserve(64 + pad);
  proto::MsgHeader h;
  h.n_fields = 1;
  proto::EncodeMsgHeader(c.frame.buffer.Extend(proto::kMsgHeaderSize), h);
  uint8_t* f = c.frame.buffer.Extend(5 + 20);
  StoreBE32(f, 21);
  f[4] = static_cast<uint8_t>(proto::FieldType::kDigest);
  std::memcpy(f + 5, d.data(), 20);
  c.records.push_back(RecordRef{0, static_cast<uint32_t>(c.frame.buffer.size()), 0});
  return c;
}

class Collect : public CompletionSink {
 public:
  void Complete(std::unique_ptr<Command> c) override { got.push_back(std::move(c)); }
  std::vector<std::unique_ptr<Command>> got;
};

TEST(QueryStreamUnit, PausesAtTheBoundAndAsksForAResumeAtHalf) {
  QueryStream s(4096);
  EXPECT_FALSE(s.Push(Chunk(1, 1000)));
  EXPECT_FALSE(s.Push(Chunk(2, 1000)));
  EXPECT_FALSE(s.Push(Chunk(3, 1000)));
  EXPECT_TRUE(s.Push(Chunk(4, 1000)));  // >= 4096 queued: pause
  EXPECT_EQ(s.pauses(), 1u);
  QueryChunk out;
  bool resume = false;
  int resumes = 0;
  while (s.Take(&out, &resume) == QueryStream::Next::kChunk) {
    if (resume) {
      ++resumes;
      EXPECT_LE(s.buffered_bytes(), 2048u);  // asked for once at half the bound
    } else if (resumes == 0) {
      EXPECT_GT(s.buffered_bytes(), 2048u);
    }
  }
  EXPECT_EQ(resumes, 1);
}

TEST(QueryStreamUnit, WakeUpIsOneShotAndOnlyArmedWhenEmpty) {
  auto stream = std::make_shared<QueryStream>();
  auto sink = std::make_shared<Collect>();
  EXPECT_TRUE(stream->ArmWakeup(sink, 42));
  stream->Push(Chunk(1));
  ASSERT_EQ(sink->got.size(), 1u);
  EXPECT_EQ(sink->got[0]->token, 42u);
  EXPECT_EQ(sink->got[0]->kind(), CommandKind::kStreamWake);
  stream->Push(Chunk(2));
  EXPECT_EQ(sink->got.size(), 1u);            // not armed again
  EXPECT_FALSE(stream->ArmWakeup(sink, 43));  // something to take: not armed
}

TEST(QueryStreamUnit, EndComesAfterTheLastChunkAndWakesTheConsumer) {
  auto stream = std::make_shared<QueryStream>();
  auto sink = std::make_shared<Collect>();
  ASSERT_TRUE(stream->ArmWakeup(sink, 7));
  auto cmd = std::make_unique<QueryCommand>();
  cmd->stream = stream;
  cmd->task_id = 99;
  stream->Push(Chunk(5));
  ASSERT_EQ(sink->got.size(), 1u);
  stream->Complete(std::move(cmd));
  QueryChunk out;
  bool resume = false;
  EXPECT_EQ(stream->Take(&out, &resume), QueryStream::Next::kChunk);
  EXPECT_EQ(stream->Take(&out, &resume), QueryStream::Next::kEnd);
  auto done = stream->TakeCommand();
  ASSERT_NE(done, nullptr);
  EXPECT_EQ(done->task_id, 99u);
  EXPECT_EQ(done->stream, nullptr);  // no cycle between the stream and its command
}

TEST(QueryStreamUnit, AbandonDropsChunksAndRemembersTheirPartitions) {
  auto stream = std::make_shared<QueryStream>();
  auto sink = std::make_shared<Collect>();
  stream->Push(Chunk(10));
  stream->Push(Chunk(11));
  stream->Abandon();
  stream->Push(Chunk(12));  // arriving after: dropped, remembered
  EXPECT_EQ(stream->buffered_bytes(), 0u);
  stream->Complete(std::make_unique<QueryCommand>());
  const std::vector<bool> unconsumed = stream->UnconsumedPartitions();
  ASSERT_EQ(unconsumed.size(), proto::kPartitions);
  EXPECT_TRUE(unconsumed[10] && unconsumed[11] && unconsumed[12]);
  EXPECT_FALSE(unconsumed[13]);
}

TEST(QueryStreamUnit, AbandonStillDeliversAnArmedWakeUp) {
  auto stream = std::make_shared<QueryStream>();
  auto sink = std::make_shared<Collect>();
  ASSERT_TRUE(stream->ArmWakeup(sink, 5));
  stream->Abandon();  // the receiver holds a slot only the wake-up releases
  ASSERT_EQ(sink->got.size(), 1u);
  EXPECT_EQ(sink->got[0]->token, 5u);
}

}  // namespace
}  // namespace aerospike_py::client
