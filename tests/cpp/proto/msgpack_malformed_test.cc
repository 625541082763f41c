// Malformed msgpack returns an error — never a crash, an out-of-bounds
// read (the ASan build checks) or a huge allocation: truncation at every
// byte of valid encodings, counts far beyond the input, every single tag
// byte alone, bad tags, depth bombs, trailing bytes, misplaced order
// markers, and collection particles holding the wrong collection.
#include <gtest/gtest.h>

#include "golden_support.h"
#include "proto/msgpack.h"
#include "proto/particle.h"

namespace aerospike_py::proto {
namespace {

StatusOr<Value> Decode(std::string_view bytes) { return DecodeMsgpack(AsBytes(bytes)); }

// Valid encodings of many shapes: every type, nested and ordered
// collections, long strings, and every msgpack payload of the captures.
std::vector<std::string> ValidEncodings() {
  std::vector<Value> values = {
      Value::Int(-1), Value::Int(300), Value::Int(INT64_MIN), Value::Double(2.5),
      Value::String(std::string(40, 's')), Value::String(std::string(300, 'l')),
      Value::Bytes("\x01\x02", 9), Value::GeoJson("{}"), Value::Hll("hh"), Value::Wildcard(),
      Value::List({Value::Int(1), Value::List({Value::Nil(), Value::Bool(true)}, 1)}),
      Value::Map({{Value::String("a"), Value::Map({{Value::Int(1), Value::Infinity()}}, 1)}}, 3),
      Value::List(std::vector<Value>(20, Value::Int(1000))),
  };
  std::vector<std::string> out;
  for (const Value& v : values) out.emplace_back(EncodeMsgpack(v).view());
  for (const testing::GoldenFile& file : testing::AllGolden()) {
    for (const testing::GoldenMessage& m : file.messages) {
      auto d = testing::DecodeFrameStrict(m.span(), m.c2s);
      if (!d.ok()) continue;
      for (const auto& msg : d->messages) {
        for (const auto& op : msg.ops) {
          if (op.value.type() == Value::Type::kList || op.value.type() == Value::Type::kMap) {
            out.push_back(op.raw);
          }
        }
      }
    }
  }
  return out;
}

TEST(MsgpackMalformedTest, TruncationAtEveryByteIsAnError) {
  size_t checked = 0;
  for (const std::string& full : ValidEncodings()) {
    ASSERT_TRUE(Decode(full).ok());
    for (size_t n = 0; n < full.size(); ++n) {
      // Copy the prefix into its own allocation so ASan sees any overread.
      std::string prefix = full.substr(0, n);
      EXPECT_FALSE(Decode(prefix).ok()) << testing::HexOf(AsBytes(full)) << " cut at " << n;
      MsgpackReader r(AsBytes(prefix));
      EXPECT_FALSE(r.Skip().ok()) << testing::HexOf(AsBytes(full)) << " cut at " << n;
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000u);
}

TEST(MsgpackMalformedTest, CountsBeyondTheInputFailFast) {
  for (const char* hex : {
           "ddffffffff", "ddffffffffc0", "dcffff00", "dfffffffffc0c0", "deffffc0",
           "dbffffffff03", "daffff03", "d9ff03", "c6ffffffff", "c9ffffffff05",
           "c8ffff05", "c7ff05", "9f", "8f", "8fc0", "bf", "d8ff00",
       }) {
    const std::string bytes = testing::Unhex(hex);
    EXPECT_FALSE(Decode(bytes).ok()) << hex;
    MsgpackReader r(AsBytes(bytes));
    EXPECT_FALSE(r.Skip().ok()) << hex;
  }
}

TEST(MsgpackMalformedTest, EverySingleByteInput) {
  int ok = 0;
  for (int tag = 0; tag < 256; ++tag) {
    const std::string one(1, static_cast<char>(tag));
    auto v = Decode(one);
    if (v.ok()) ++ok;
    MsgpackReader r(AsBytes(one));
    MsgpackItem item;
    (void)r.Next(&item);
  }
  // Fixints (128 + 32), nil, true, false, empty fixarray/fixmap/fixstr.
  EXPECT_EQ(ok, 128 + 32 + 3 + 3);
}

TEST(MsgpackMalformedTest, BadTags) {
  // 0xc1 is never used by msgpack.
  auto v = Decode(testing::Unhex("c1"));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("0xc1"), std::string::npos);
  EXPECT_FALSE(Decode(testing::Unhex("92c1c0")).ok());
  EXPECT_FALSE(Decode(testing::Unhex("81c1c0")).ok());
  EXPECT_FALSE(Decode(testing::Unhex("81c0c1")).ok());
}

TEST(MsgpackMalformedTest, DepthBombs) {
  for (char open : {'\x91', '\x81'}) {
    std::string bomb(100000, open);
    auto v = Decode(bomb);
    EXPECT_FALSE(v.ok());
    MsgpackReader r(AsBytes(bomb));
    EXPECT_FALSE(r.Skip().ok());  // truncated: the innermost value is missing
    bomb += '\xc0';
    if (open == '\x81') bomb += std::string(100000, '\xc0');
    EXPECT_FALSE(Decode(bomb).ok());  // too deep
    MsgpackReader complete(AsBytes(bomb));
    EXPECT_TRUE(complete.Skip().ok());  // iterative: fine
  }
}

TEST(MsgpackMalformedTest, StructuralErrors) {
  EXPECT_FALSE(Decode(testing::Unhex("c0c0")).ok());            // trailing bytes
  EXPECT_FALSE(Decode("").ok());                                 // nothing
  EXPECT_FALSE(Decode(testing::Unhex("81c70001")).ok());         // marker without its nil
  EXPECT_FALSE(Decode(testing::Unhex("82c0c0c70001c0")).ok());   // marker not first
  EXPECT_FALSE(Decode(testing::Unhex("c70105aa")).ok());         // ext is not a value
  // The order marker of a list must have no payload to count as one.
  EXPECT_FALSE(Decode(testing::Unhex("92c7010101c0")).ok());
  // A map key may not be missing its value.
  EXPECT_FALSE(Decode(testing::Unhex("82a2036101a20362")).ok());
}

TEST(MsgpackMalformedTest, CollectionParticlesMustHoldTheirCollection) {
  const std::string list = testing::Unhex("920102");
  const std::string map = testing::Unhex("81a2036101");
  const uint8_t kList = static_cast<uint8_t>(ParticleType::kList);
  const uint8_t kMap = static_cast<uint8_t>(ParticleType::kMap);
  EXPECT_TRUE(DecodeParticle(kList, AsBytes(list)).ok());
  EXPECT_TRUE(DecodeParticle(kMap, AsBytes(map)).ok());
  EXPECT_FALSE(DecodeParticle(kList, AsBytes(map)).ok());
  EXPECT_FALSE(DecodeParticle(kMap, AsBytes(list)).ok());
  EXPECT_FALSE(DecodeParticle(kList, AsBytes(testing::Unhex("05"))).ok());
  EXPECT_FALSE(DecodeParticle(kList, AsBytes(testing::Unhex("92010203"))).ok());  // trailing
  EXPECT_FALSE(DecodeParticle(kMap, ByteSpan()).ok());
}

}  // namespace
}  // namespace aerospike_py::proto
