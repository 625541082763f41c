// FrameReader accepts a byte stream split anywhere: every golden stream
// (each connection's replies, and its requests) fed whole, in every 1-byte
// split, in every 2-way split, in random splits (fixed seeds), and through
// the BodyReadSpan/CommitBodyRead path yields the same frames — and so the
// same records — as feeding it whole.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>

#include "golden_support.h"
#include "common/byte_order.h"
#include "proto/frame_reader.h"
#include "proto/headers.h"
#include "proto/message_view.h"

namespace aerospike_py::proto {
namespace {

using testing::AllGolden;
using testing::GoldenFile;
using testing::GoldenMessage;

// One connection's bytes in one direction, and how many frames they hold.
struct Stream {
  std::string label;
  std::string bytes;
  size_t frames = 0;
};

std::vector<Stream> GoldenStreams() {
  std::vector<Stream> out;
  for (const GoldenFile& file : AllGolden()) {
    std::map<std::pair<int, bool>, Stream> by_conn;
    for (const GoldenMessage& m : file.messages) {
      Stream& s = by_conn[{m.conn, m.c2s}];
      s.label = file.name + (m.c2s ? " requests" : " replies") + " conn " + std::to_string(m.conn);
      s.bytes += m.bytes;
      ++s.frames;
    }
    for (auto& [unused, s] : by_conn) out.push_back(std::move(s));
  }
  return out;
}

// What a consumer sees: each frame's type and body, and the records of
// AS_MSG frames (result, batch index, fields and ops bytes).
std::string Summary(const std::vector<Frame>& frames) {
  std::string out;
  for (const Frame& f : frames) {
    out += "\nframe " + std::to_string(f.type) + ":";
    out += AsChars(f.body());
    if (f.type != 3) continue;
    MessageIterator it(f.body());
    while (!it.AtEnd()) {
      auto m = it.Next();
      if (!m.ok()) return out + "\nbad message";
      out += "\nrecord rc=" + std::to_string(m->header.result_code) +
             " index=" + std::to_string(m->header.transaction_ttl) + " fields=";
      out += AsChars(m->fields);
      out += " ops=";
      out += AsChars(m->ops);
    }
  }
  return out;
}

std::vector<Frame> FeedChunks(std::string_view bytes, const std::vector<size_t>& cuts) {
  FrameReader reader;
  std::vector<Frame> frames;
  size_t pos = 0;
  for (size_t cut : cuts) {
    EXPECT_TRUE(reader.Feed(AsBytes(bytes.substr(pos, cut - pos)), &frames).ok());
    pos = cut;
  }
  EXPECT_TRUE(reader.Feed(AsBytes(bytes.substr(pos)), &frames).ok());
  EXPECT_TRUE(reader.idle());
  return frames;
}

// Reads as a socket would: straight into the body when a body is pending,
// through Feed() otherwise, `chunk()` bytes at a time.
template <typename ChunkFn>
std::vector<Frame> FeedDirect(std::string_view bytes, ChunkFn chunk) {
  FrameReader reader;
  std::vector<Frame> frames;
  size_t pos = 0;
  while (pos < bytes.size()) {
    const size_t n = std::min(chunk(), bytes.size() - pos);
    absl::Span<uint8_t> span = reader.BodyReadSpan();
    if (span.empty()) {
      EXPECT_TRUE(reader.Feed(AsBytes(bytes.substr(pos, n)), &frames).ok());
      pos += n;
    } else {
      const size_t take = std::min(n, span.size());
      EXPECT_LE(take, reader.body_remaining());
      std::memcpy(span.data(), bytes.data() + pos, take);
      EXPECT_TRUE(reader.CommitBodyRead(take, &frames).ok());
      pos += take;
    }
  }
  EXPECT_TRUE(reader.idle());
  return frames;
}

TEST(FrameSplitTest, WholeFeedFindsEveryCapturedFrame) {
  size_t streams = 0, frames = 0;
  for (const Stream& s : GoldenStreams()) {
    auto got = FeedChunks(s.bytes, {});
    EXPECT_EQ(got.size(), s.frames) << s.label;
    frames += got.size();
    ++streams;
  }
  EXPECT_GT(streams, 190u);
  EXPECT_EQ(frames, 403u);  // every captured message
}

TEST(FrameSplitTest, EveryOneByteSplit) {
  for (const Stream& s : GoldenStreams()) {
    const std::string whole = Summary(FeedChunks(s.bytes, {}));
    std::vector<size_t> cuts;
    for (size_t i = 1; i < s.bytes.size(); ++i) cuts.push_back(i);
    ASSERT_EQ(Summary(FeedChunks(s.bytes, cuts)), whole) << s.label;
  }
}

TEST(FrameSplitTest, EveryTwoWaySplit) {
  for (const Stream& s : GoldenStreams()) {
    const std::string whole = Summary(FeedChunks(s.bytes, {}));
    for (size_t cut = 0; cut <= s.bytes.size(); ++cut) {
      ASSERT_EQ(Summary(FeedChunks(s.bytes, {cut})), whole) << s.label << " cut " << cut;
    }
  }
}

TEST(FrameSplitTest, RandomSplits) {
  for (uint32_t seed : {1u, 7u, 42u, 2024u, 99991u}) {
    std::mt19937 rng(seed);
    for (const Stream& s : GoldenStreams()) {
      const std::string whole = Summary(FeedChunks(s.bytes, {}));
      for (int round = 0; round < 4; ++round) {
        std::vector<size_t> cuts;
        std::uniform_int_distribution<size_t> step(1, round < 2 ? 9 : 300);
        for (size_t pos = step(rng); pos < s.bytes.size(); pos += step(rng)) cuts.push_back(pos);
        ASSERT_EQ(Summary(FeedChunks(s.bytes, cuts)), whole) << s.label << " seed " << seed;
      }
    }
  }
}

TEST(FrameSplitTest, DirectBodyReads) {
  for (const Stream& s : GoldenStreams()) {
    const std::string whole = Summary(FeedChunks(s.bytes, {}));
    for (size_t fixed : {1, 2, 7, 64, 100000}) {
      ASSERT_EQ(Summary(FeedDirect(s.bytes, [&] { return fixed; })), whole)
          << s.label << " chunk " << fixed;
    }
    std::mt19937 rng(5);
    std::uniform_int_distribution<size_t> step(1, 50);
    ASSERT_EQ(Summary(FeedDirect(s.bytes, [&] { return step(rng); })), whole) << s.label;
  }
}

// A body larger than the eager allocation grows as its bytes arrive, and
// both ways in still reassemble it exactly.
TEST(FrameSplitTest, LargeFrameGrowsWithItsBytes) {
  const size_t body_size = 3 * FrameReader::kEagerBodyBytes + 12345;
  std::string frame(8 + body_size, '\0');
  auto* p = reinterpret_cast<uint8_t*>(frame.data());
  EncodeProtoHeader(p, ProtoType::kInfo, body_size);
  std::mt19937 rng(3);
  for (size_t i = 8; i < frame.size(); ++i) frame[i] = char('a' + rng() % 26);

  FrameReader reader;
  std::vector<Frame> frames;
  ASSERT_TRUE(reader.Feed(AsBytes(std::string_view(frame).substr(0, 8)), &frames).ok());
  EXPECT_EQ(reader.body_remaining(), body_size);
  // The first direct-read window is bounded, not the whole announced body.
  EXPECT_EQ(reader.BodyReadSpan().size(), FrameReader::kEagerBodyBytes);

  std::uniform_int_distribution<size_t> step(1, 200000);
  auto direct = FeedDirect(frame, [&] { return step(rng); });
  ASSERT_EQ(direct.size(), 1u);
  EXPECT_EQ(direct[0].body().size(), body_size);
  EXPECT_EQ(AsChars(direct[0].body()), std::string_view(frame).substr(8));

  std::vector<size_t> cuts;
  for (size_t pos = 5; pos < frame.size(); pos += step(rng)) cuts.push_back(pos);
  auto fed = FeedChunks(frame, cuts);
  ASSERT_EQ(fed.size(), 1u);
  EXPECT_EQ(AsChars(fed[0].body()), std::string_view(frame).substr(8));
}

TEST(FrameSplitTest, ReaderStateBetweenAndInsideFrames) {
  const std::string& frame = AllGolden()[10].messages[0].bytes;  // a put request
  FrameReader reader;
  std::vector<Frame> frames;
  EXPECT_TRUE(reader.idle());
  EXPECT_TRUE(reader.BodyReadSpan().empty());
  ASSERT_TRUE(reader.Feed(AsBytes(std::string_view(frame).substr(0, 3)), &frames).ok());
  EXPECT_FALSE(reader.idle());
  EXPECT_FALSE(reader.in_body());
  EXPECT_TRUE(reader.BodyReadSpan().empty());
  ASSERT_TRUE(reader.Feed(AsBytes(std::string_view(frame).substr(3, 10)), &frames).ok());
  EXPECT_TRUE(reader.in_body());
  EXPECT_EQ(reader.body_remaining(), frame.size() - 13);
  EXPECT_EQ(reader.BodyReadSpan().size(), frame.size() - 13);
  // Committing more than the window is a caller bug and an error.
  EXPECT_FALSE(reader.CommitBodyRead(frame.size(), &frames).ok());
  EXPECT_FALSE(reader.Feed(AsBytes(frame), &frames).ok());  // stays failed
  EXPECT_TRUE(frames.empty());
}

// --- Split mode (set_split_bytes): message frames handed out in pieces ---

// A message with one digest field and `n_ops` ops whose values are `value_len`
// bytes each; `tag` marks it (its generation) so the order can be checked.
std::string Message(uint32_t tag, uint16_t n_ops, size_t value_len) {
  std::string m(22, '\0');
  auto* h = reinterpret_cast<uint8_t*>(m.data());
  h[0] = 22;
  StoreBE32(h + 6, tag);
  StoreBE16(h + 18, 1);
  StoreBE16(h + 20, n_ops);
  std::string field(4 + 1 + 20, '\0');
  StoreBE32(reinterpret_cast<uint8_t*>(field.data()), 21);
  field[4] = 4;  // digest
  m += field;
  for (uint16_t i = 0; i < n_ops; ++i) {
    std::string op(8 + 2 + value_len, 'v');
    auto* o = reinterpret_cast<uint8_t*>(op.data());
    StoreBE32(o, static_cast<uint32_t>(4 + 2 + value_len));
    o[4] = 1;  // read
    o[5] = 3;  // string
    o[6] = 0;
    o[7] = 2;  // name length
    op[8] = 'b';
    op[9] = static_cast<char>('0' + i % 10);
    m += op;
  }
  return m;
}

// A type-3 frame of messages of varied sizes, one of them larger than
// `big` bytes; returns the frame and the number of messages.
std::pair<std::string, size_t> ManyMessagesFrame(size_t big) {
  std::string body;
  std::mt19937 rng(11);
  size_t n = 0;
  for (; body.size() < 20 * big; ++n) {
    const size_t value_len = n == 7 ? big : rng() % 300;
    body += Message(static_cast<uint32_t>(n), static_cast<uint16_t>(1 + rng() % 12), value_len);
  }
  std::string frame(8, '\0');
  EncodeProtoHeader(reinterpret_cast<uint8_t*>(frame.data()), ProtoType::kMessage, body.size());
  return {frame + body, n};
}

// The pieces are whole messages, in order, and together the frame's body.
void ExpectPiecesOf(const std::vector<Frame>& pieces, std::string_view frame, size_t messages,
                    size_t split) {
  ASSERT_GT(pieces.size(), 1u);
  std::string joined;
  uint32_t next_tag = 0;
  for (const Frame& f : pieces) {
    ASSERT_EQ(f.type, 3);
    joined += AsChars(f.body());
    MessageIterator it(f.body());
    ASSERT_FALSE(it.AtEnd());
    size_t largest = 0;
    while (!it.AtEnd()) {
      auto m = it.Next();
      ASSERT_TRUE(m.ok()) << m.status();
      EXPECT_EQ(m->header.generation, next_tag++);
      largest = std::max(largest, m->size);
    }
    // A piece outgrows twice the split size only to hold a message larger
    // than the split size.
    EXPECT_TRUE(f.body().size() <= 2 * split || largest > split) << f.body().size();
  }
  EXPECT_EQ(next_tag, messages);
  EXPECT_EQ(joined, frame.substr(8));
}

TEST(FrameSplitTest, SplitModeHandsOutWholeMessagesAsTheyArrive) {
  const size_t split = 2000;
  auto [frame, messages] = ManyMessagesFrame(3 * split);  // message 7 is > split
  for (uint32_t seed : {1u, 2u, 3u}) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<size_t> step(1, seed == 1 ? 50 : 5000);
    FrameReader reader;
    reader.set_split_bytes(split);
    std::vector<Frame> pieces;
    size_t pos = 0;
    while (pos < frame.size()) {
      const size_t n = std::min(step(rng), frame.size() - pos);
      absl::Span<uint8_t> span = reader.BodyReadSpan();
      if (seed != 3 || span.empty()) {  // seed 3 reads straight into the pieces
        ASSERT_TRUE(reader.Feed(AsBytes(std::string_view(frame).substr(pos, n)), &pieces).ok());
        pos += n;
      } else {
        const size_t take = std::min(n, span.size());
        std::memcpy(span.data(), frame.data() + pos, take);
        ASSERT_TRUE(reader.CommitBodyRead(take, &pieces).ok());
        pos += take;
      }
      // Pieces go out before the frame is complete.
      if (pos < frame.size() / 2 && pos > frame.size() / 4) {
        EXPECT_FALSE(pieces.empty());
      }
    }
    EXPECT_TRUE(reader.idle());
    ExpectPiecesOf(pieces, frame, messages, split);
  }
}

TEST(FrameSplitTest, SplitModeKeepsEveryGoldenRecordAndOtherFrameTypesWhole) {
  for (const Stream& s : GoldenStreams()) {
    // Records only: frame boundaries differ by design.
    auto records = [](const std::vector<Frame>& frames) {
      std::string out;
      for (const Frame& f : frames) {
        if (f.type != 3) {
          out += "\nframe " + std::to_string(f.type) + ":";
          out += AsChars(f.body());
          continue;
        }
        MessageIterator it(f.body());
        while (!it.AtEnd()) {
          auto m = it.Next();
          if (!m.ok()) return out + "\nbad message";
          out += "\nrecord " + std::to_string(m->header.transaction_ttl) + ":";
          out += AsChars(m->fields);
          out += AsChars(m->ops);
        }
      }
      return out;
    };
    const std::string whole = records(FeedChunks(s.bytes, {}));
    for (size_t split : {23, 64, 1000}) {
      FrameReader reader;
      reader.set_split_bytes(split);
      std::vector<Frame> frames;
      std::mt19937 rng(static_cast<uint32_t>(split));
      std::uniform_int_distribution<size_t> step(1, 97);
      for (size_t pos = 0; pos < s.bytes.size();) {
        const size_t n = std::min(step(rng), s.bytes.size() - pos);
        ASSERT_TRUE(reader.Feed(AsBytes(std::string_view(s.bytes).substr(pos, n)), &frames).ok())
            << s.label;
        pos += n;
      }
      EXPECT_TRUE(reader.idle());
      ASSERT_EQ(records(frames), whole) << s.label << " split " << split;
    }
  }
}

TEST(FrameSplitTest, SplitModeRefusesWhatIsNotAMessage) {
  const size_t split = 100;
  std::string body = Message(0, 3, 40);
  std::string second = Message(1, 3, 40);
  second[0] = 30;  // header size 30: not an AS_MSG
  body += second + std::string(200, 'x');
  std::string frame(8, '\0');
  EncodeProtoHeader(reinterpret_cast<uint8_t*>(frame.data()), ProtoType::kMessage, body.size());
  frame += body;
  FrameReader reader;
  reader.set_split_bytes(split);
  std::vector<Frame> pieces;
  Status s = reader.Feed(AsBytes(frame), &pieces);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("header size 30"), std::string::npos) << s;
  EXPECT_FALSE(reader.Feed(AsBytes(frame), &pieces).ok()) << "stays failed";
}

TEST(FrameSplitTest, SplitModeLeavesSmallAndNonMessageFramesWhole) {
  const std::string small = [] {
    std::string body = Message(0, 1, 10);
    std::string f(8, '\0');
    EncodeProtoHeader(reinterpret_cast<uint8_t*>(f.data()), ProtoType::kMessage, body.size());
    return f + body;
  }();
  std::string info(8 + 5000, 'i');
  EncodeProtoHeader(reinterpret_cast<uint8_t*>(info.data()), ProtoType::kInfo, 5000);
  FrameReader reader;
  reader.set_split_bytes(small.size());  // the small frame's body is under it
  std::vector<Frame> frames;
  ASSERT_TRUE(reader.Feed(AsBytes(small + info), &frames).ok());
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(AsChars(frames[0].body()), std::string_view(small).substr(8));
  EXPECT_EQ(frames[1].type, 1);
  EXPECT_EQ(frames[1].body().size(), 5000u);
}

}  // namespace
}  // namespace aerospike_py::proto
