// Bad bytes from a peer are errors, never crashes or out-of-bounds reads
// (the ASan+UBSan build runs this file too): every golden message truncated
// at every byte, every size field of every golden AS_MSG corrupted, every
// byte of every golden message flipped, proto headers with a bad version,
// type or size (over 128 MiB), bad compressed frames, and bad batch fields.
#include <gtest/gtest.h>

#include <set>

#include "common/byte_order.h"
#include "golden_support.h"
#include "proto/batch.h"
#include "proto/compression.h"
#include "proto/frame_reader.h"
#include "proto/headers.h"
#include "proto/message_view.h"
#include "checks.h"

namespace aerospike_py::proto {
namespace {

using testing::AllGolden;
using testing::DecodeFrameStrict;
using testing::GoldenFile;
using testing::GoldenMessage;

// The frame with its body cut to `n` bytes and the header saying so.
std::string CutBody(const std::string& frame, size_t n) {
  std::string out = frame.substr(0, kProtoHeaderSize + n);
  StoreBE48(reinterpret_cast<uint8_t*>(out.data()) + 2, n);
  return out;
}

// Offsets where a message of a multi-message body ends (0 included).
std::set<size_t> MessageBoundaries(ByteSpan body, int type) {
  std::set<size_t> b = {0};
  size_t pos = 0;
  while (pos < body.size()) {
    size_t size = 0;
    if (type == 3) {
      auto m = ParseMessage(body.subspan(pos));
      if (!m.ok()) break;
      size = m->size;
    } else {
      break;
    }
    pos += size;
    b.insert(pos);
  }
  return b;
}

TEST(RobustnessTest, EveryTruncationOfEveryMessage) {
  size_t cuts = 0;
  for (const GoldenFile& file : AllGolden()) {
    for (const GoldenMessage& m : file.messages) {
      // A stream that stops early is not an error, just incomplete.
      for (size_t n = 0; n < m.bytes.size(); ++n) {
        FrameReader reader;
        std::vector<Frame> frames;
        std::string prefix = m.bytes.substr(0, n);
        EXPECT_TRUE(reader.Feed(AsBytes(prefix), &frames).ok());
        EXPECT_TRUE(frames.empty());
      }
      if (m.type == 1) continue;  // any prefix of info text is still text
      const std::set<size_t> ends = MessageBoundaries(m.body(), m.type);
      for (size_t n = 0; n < m.body().size(); ++n) {
        const std::string cut = CutBody(m.bytes, n);
        auto d = DecodeFrameStrict(AsBytes(cut), m.c2s);
        if (m.type == 3 && ends.count(n)) {
          EXPECT_TRUE(d.ok()) << file.name << " cut at message boundary " << n;
        } else {
          EXPECT_FALSE(d.ok()) << file.name << " body cut at " << n;
        }
        if (m.type == 3) {
          // The message parser alone, on every strict prefix of the body.
          std::string body = cut.substr(kProtoHeaderSize);
          auto first = ParseMessage(AsBytes(body));
          if (first.ok()) {
            EXPECT_LE(first->size, n);
          }
        }
        ++cuts;
      }
    }
  }
  EXPECT_GT(cuts, 30000u);
}

// Each field and op size of every golden AS_MSG, made one too big, one too
// small, zero or huge: the frame no longer parses.
TEST(RobustnessTest, CorruptedSizesAreErrors) {
  size_t corrupted = 0;
  for (const GoldenFile& file : AllGolden()) {
    for (const GoldenMessage& m : file.messages) {
      if (m.type != 3) continue;
      std::vector<size_t> size_offsets;  // within the frame
      MessageIterator it(m.body());
      while (!it.AtEnd()) {
        const size_t start = kProtoHeaderSize + it.offset();
        auto msg = it.Next();
        ASSERT_TRUE(msg.ok());
        size_t pos = start + kMsgHeaderSize;
        FieldIterator fields(*msg);
        FieldView f;
        while (fields.Next(&f)) {
          size_offsets.push_back(pos);
          pos += 5 + f.data.size();
        }
        OpIterator ops(*msg);
        OpView op;
        while (ops.Next(&op)) {
          size_offsets.push_back(pos);
          pos += 8 + op.name.size() + op.value.size();
        }
      }
      for (size_t at : size_offsets) {
        const uint32_t size = LoadBE32(reinterpret_cast<const uint8_t*>(m.bytes.data()) + at);
        for (uint32_t bad : {size + 1, size - 1, 0u, 0xffffffffu, 0x7fffffffu}) {
          std::string frame = m.bytes;
          StoreBE32(reinterpret_cast<uint8_t*>(frame.data()) + at, bad);
          EXPECT_FALSE(DecodeFrameStrict(AsBytes(frame), m.c2s).ok())
              << file.name << " size at " << at << " set to " << bad;
          ++corrupted;
        }
      }
    }
  }
  EXPECT_EQ(corrupted, 4915u);  // 983 size fields, 5 corruptions each
}

// Every byte of every golden message flipped (three ways): whatever the
// result, the decoders and the fuzz checks stay in bounds.
TEST(RobustnessTest, EveryByteFlipped) {
  size_t errors = 0, total = 0;
  for (const GoldenFile& file : AllGolden()) {
    for (const GoldenMessage& m : file.messages) {
      if (m.bytes.size() > 2000) continue;  // the long info/scan bodies: covered by fuzzing
      for (size_t i = 0; i < m.bytes.size(); ++i) {
        for (uint8_t mask : {0xff, 0x80, 0x01}) {
          std::string frame = m.bytes;
          frame[i] = static_cast<char>(frame[i] ^ mask);
          errors += !DecodeFrameStrict(AsBytes(frame), m.c2s).ok();
          EXPECT_EQ(fuzz::CheckResponseBytes(AsBytes(frame)), "") << file.name << " byte " << i;
          ++total;
        }
      }
    }
  }
  EXPECT_GT(total, 50000u);
  EXPECT_GT(errors, total / 10);
}

TEST(RobustnessTest, ProtoHeaderValidation) {
  auto header = [](uint8_t version, uint8_t type, uint64_t size) {
    ProtoHeader h;
    h.version = version;
    h.type = type;
    h.size = size;
    return ValidateProtoHeader(h);
  };
  for (uint8_t t = 1; t <= 4; ++t) EXPECT_TRUE(header(2, t, 10).ok());
  EXPECT_TRUE(header(2, 3, kMaxBodySize).ok());
  EXPECT_FALSE(header(2, 3, kMaxBodySize + 1).ok());
  EXPECT_FALSE(header(2, 3, (uint64_t{1} << 48) - 1).ok());
  for (uint8_t v : {0, 1, 3, 255}) EXPECT_FALSE(header(v, 3, 10).ok()) << int(v);
  for (uint8_t t : {0, 5, 6, 255}) EXPECT_FALSE(header(2, t, 10).ok()) << int(t);

  // The reader rejects a bad header before allocating anything.
  for (const char* hex : {"0203ffffffffffff", "0203000008000001", "0303000000000016",
                          "0205000000000016", "0200000000000016"}) {
    FrameReader reader;
    std::vector<Frame> frames;
    Status s = reader.Feed(AsBytes(testing::Unhex(hex)), &frames);
    EXPECT_FALSE(s.ok()) << hex;
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << hex;
    EXPECT_EQ(reader.Feed(AsBytes(testing::Unhex("0201000000000000")), &frames).code(),
              absl::StatusCode::kDataLoss);  // and stays failed
  }
  // Exactly 128 MiB is accepted (and only the eager part allocated).
  FrameReader big;
  std::vector<Frame> frames;
  ASSERT_TRUE(big.Feed(AsBytes(testing::Unhex("0203000008000000")), &frames).ok());
  EXPECT_EQ(big.body_remaining(), kMaxBodySize);
  EXPECT_EQ(big.BodyReadSpan().size(), FrameReader::kEagerBodyBytes);

  // A reader for data connections refuses info and admin frames.
  FrameReader data_only((1u << 3) | (1u << 4));
  EXPECT_FALSE(data_only.Feed(AsBytes(AllGolden()[4].messages[1].bytes), &frames).ok());
  FrameReader info_only(1u << 1);
  EXPECT_FALSE(info_only.Feed(AsBytes(AllGolden()[10].messages[0].bytes), &frames).ok());

  // The AS_MSG header size must be 22.
  std::string put = AllGolden()[10].messages[0].bytes;
  put[8] = 21;
  EXPECT_FALSE(DecodeFrameStrict(AsBytes(put), true).ok());
}

TEST(RobustnessTest, BadCompressedFrames) {
  const std::string inner = AllGolden()[10].messages[0].bytes;
  auto good = CompressFrame(AsBytes(inner));
  ASSERT_TRUE(good.ok());
  ByteSpan body = good->span().subspan(kProtoHeaderSize);
  ASSERT_TRUE(DecompressBody(body).ok());

  auto with_length = [&](uint64_t n) {
    std::string b(AsChars(body));
    StoreBE64(reinterpret_cast<uint8_t*>(b.data()), n);
    return b;
  };
  for (uint64_t n : {uint64_t{0}, uint64_t{7}, uint64_t{inner.size() - 1}, uint64_t{inner.size() + 1},
                     kMaxBodySize + 9, uint64_t{1} << 40, ~uint64_t{0}}) {
    EXPECT_FALSE(DecompressBody(AsBytes(with_length(n))).ok()) << n;
  }
  // A claim beyond what deflate can expand to is refused before inflating.
  auto bomb = DecompressBody(AsBytes(with_length(100ull << 20)));
  ASSERT_FALSE(bomb.ok());
  EXPECT_NE(bomb.status().message().find("cannot inflate"), std::string::npos);

  EXPECT_FALSE(DecompressBody(body.subspan(0, 7)).ok());
  for (size_t n = 8; n < body.size(); ++n) {
    EXPECT_FALSE(DecompressBody(body.subspan(0, n)).ok()) << n;  // truncated stream
  }
  std::string garbage(AsChars(body));
  garbage[12] ^= 0x55;
  EXPECT_FALSE(DecompressBody(AsBytes(garbage)).ok());

  // The inner frame must be a type-3 frame of the announced size.
  for (int patch : {0, 1}) {
    std::string bad_inner = inner;
    if (patch == 0) bad_inner[1] = 1;  // type info
    if (patch == 1) bad_inner[7] ^= 1;  // size off by one
    auto wrapped = CompressFrame(AsBytes(bad_inner));
    ASSERT_TRUE(wrapped.ok());
    EXPECT_FALSE(DecompressBody(wrapped->span().subspan(kProtoHeaderSize)).ok()) << patch;
    FrameReader reader;
    std::vector<Frame> frames;
    EXPECT_FALSE(reader.Feed(wrapped->span(), &frames).ok());
  }
}

// The iterators are safe on bytes nobody validated: they stop at the first
// item that does not fit.
TEST(RobustnessTest, IteratorsOnUnvalidatedBytes) {
  for (const char* hex : {"00000000ff", "ffffffff01aa", "0000000201", "00000001", "",
                          "0000000301aabb" "ffffff00"}) {
    const std::string bytes = testing::Unhex(hex);
    FieldIterator fields(AsBytes(bytes));
    FieldView f;
    int n = 0;
    while (fields.Next(&f)) {
      EXPECT_LE(f.data.data() + f.data.size(),
                reinterpret_cast<const uint8_t*>(bytes.data()) + bytes.size());
      ++n;
    }
    EXPECT_LE(n, 1) << hex;
  }
  for (const char* hex : {"0000000401000005", "0000000301000000", "ffffffff01000000aa",
                          "00000005010000006100", "0000000501000001"}) {
    const std::string bytes = testing::Unhex(hex);
    OpIterator ops(AsBytes(bytes));
    OpView op;
    int n = 0;
    while (ops.Next(&op)) {
      EXPECT_LE(op.value.data() + op.value.size(),
                reinterpret_cast<const uint8_t*>(bytes.data()) + bytes.size());
      ++n;
    }
    EXPECT_LE(n, 1) << hex;
  }
  // A well-formed op followed by garbage: the op, then a stop.
  const std::string one = testing::Unhex("00000005020100016101" "00000009");
  OpIterator ops(AsBytes(one));
  OpView op;
  ASSERT_TRUE(ops.Next(&op));
  EXPECT_EQ(op.name, "a");
  EXPECT_FALSE(ops.Next(&op));
}

TEST(RobustnessTest, BadBatchFields) {
  // A valid field with a full row, a REPEAT row and a row with a key.
  const std::string key_field = testing::Unhex("000000050203616263");  // field 2, "abc"
  auto row = [](uint32_t index, uint8_t flags, std::string rest) {
    std::string r(4 + 20 + 1, '\0');
    StoreBE32(reinterpret_cast<uint8_t*>(r.data()), index);
    r[24] = static_cast<char>(flags);
    return r + rest;
  };
  const std::string ns = testing::Unhex("000000050074657374");
  const std::string full = std::string("\x03\x00\x00", 3) + std::string("\x00\x00\x00\x00", 4) +
                           std::string("\x00\x01\x00\x00", 4) + ns;  // info1..3, ttl, 1 field
  const std::string keyed = std::string("\x03\x00\x00", 3) + std::string("\x00\x00\x00\x00", 4) +
                            std::string("\x00\x02\x00\x00", 4) + ns + key_field;
  auto field = [](uint32_t count, std::string rows) {
    std::string f(5, '\0');
    StoreBE32(reinterpret_cast<uint8_t*>(f.data()), count);
    return f + rows;
  };
  auto parse_all = [](const std::string& data) -> Status {
    ASPY_ASSIGN_OR_RETURN(BatchRowParser p, BatchRowParser::Create(AsBytes(data)));
    BatchRowView v;
    while (true) {
      ASPY_ASSIGN_OR_RETURN(bool more, p.Next(&v));
      if (!more) return absl::OkStatus();
    }
  };
  const std::string good = field(2, row(0, 0x0a, full) + row(1, 0x01, ""));
  ASSERT_TRUE(parse_all(good).ok());
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(parse_all(good.substr(0, n)).ok()) << n;
  }
  EXPECT_TRUE(parse_all(good + "x").ok());  // bytes after the rows: ignored, as the server does
  EXPECT_FALSE(parse_all(field(3, row(0, 0x0a, full) + row(1, 0x01, ""))).ok());   // count
  EXPECT_FALSE(parse_all(field(1, row(0, 0x01, ""))).ok());                        // REPEAT first
  EXPECT_FALSE(parse_all(field(2, row(0, 0x0a, keyed) + row(1, 0x01, ""))).ok());  // after key
  EXPECT_TRUE(parse_all(field(2, row(0, 0x0a, keyed) + row(1, 0x0a, full))).ok());
  EXPECT_FALSE(parse_all(field(0xffffffff, "")).ok());                            // huge count
  EXPECT_FALSE(parse_all("").ok());
}

}  // namespace
}  // namespace aerospike_py::proto
