// FrameReader accepts a byte stream split anywhere: every golden stream
// (each connection's replies, and its requests) fed whole, in every 1-byte
// split, in every 2-way split, in random splits (fixed seeds), and through
// the BodyReadSpan/CommitBodyRead path yields the same frames — and so the
// same records — as feeding it whole.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <random>

#include "golden_support.h"
#include "proto/frame_reader.h"
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

}  // namespace
}  // namespace aerospike_py::proto
