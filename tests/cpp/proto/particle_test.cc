// Bin values on the wire (§6.3): every particle type encodes and decodes;
// integers arrive as 1/2/4/8 bytes; language blobs (7-12) and unknown types
// come back as bytes tagged with their type; GeoJSON skips the server's cell
// ids; malformed sizes are errors.
#include <gtest/gtest.h>

#include "golden_support.h"
#include "proto/commands.h"
#include "proto/particle.h"

namespace aerospike_py::proto {
namespace {

std::string Encode(const Value& v) {
  ByteBuffer out;
  AppendParticle(v, &out);
  return std::string(out.view());
}

Value Decode(uint8_t type, std::string_view hex) {
  const std::string bytes = testing::Unhex(hex);
  auto v = DecodeParticle(type, AsBytes(bytes));
  return v.ok() ? *v : Value::String("<error>");
}

TEST(ParticleTest, EveryTypeRoundTrips) {
  const std::vector<Value> values = {
      Value::Nil(), Value::Bool(true), Value::Bool(false), Value::Int(0), Value::Int(INT64_MIN),
      Value::Double(-0.5), Value::String("h\xc3\xa9"), Value::String(""),
      Value::Bytes(std::string("\x00\xff", 2)), Value::GeoJson(R"({"type":"Point"})"),
      Value::Hll(std::string("\x00\x0e\x00\x00", 4)),
      Value::List({Value::Int(1), Value::String("a")}),
      Value::Map({{Value::String("k"), Value::Double(1.0)}}, 1),
  };
  for (const Value& v : values) {
    const uint8_t type = static_cast<uint8_t>(ParticleTypeOf(v));
    const std::string bytes = Encode(v);
    auto back = DecodeParticle(type, AsBytes(bytes));
    ASSERT_TRUE(back.ok()) << v.DebugString() << ": " << back.status();
    EXPECT_EQ(*back, v);
  }
  EXPECT_EQ(ParticleTypeOf(Value::Nil()), ParticleType::kNull);
  EXPECT_EQ(ParticleTypeOf(Value::Bool(true)), ParticleType::kBool);
  EXPECT_EQ(ParticleTypeOf(Value::Hll("")), ParticleType::kHll);
  EXPECT_EQ(ParticleTypeOf(Value::GeoJson("")), ParticleType::kGeoJson);
  EXPECT_EQ(testing::HexOf(AsBytes(Encode(Value::Int(-42)))), "ffffffffffffffd6");
  EXPECT_EQ(testing::HexOf(AsBytes(Encode(Value::Double(3.14159)))), "400921f9f01b866e");
  EXPECT_EQ(testing::HexOf(AsBytes(Encode(Value::Bool(true)))), "01");
  // The client sends GeoJSON with flags 0 and no cells.
  EXPECT_EQ(testing::HexOf(AsBytes(Encode(Value::GeoJson("{}")))), "0000007b7d");
}

TEST(ParticleTest, IntegerWidths) {
  EXPECT_EQ(Decode(1, "ff"), Value::Int(-1));
  EXPECT_EQ(Decode(1, "7f"), Value::Int(127));
  EXPECT_EQ(Decode(1, "8000"), Value::Int(-32768));
  EXPECT_EQ(Decode(1, "7fffffff"), Value::Int(INT32_MAX));
  EXPECT_EQ(Decode(1, "80000000"), Value::Int(INT32_MIN));
  EXPECT_EQ(Decode(1, "8000000000000000"), Value::Int(INT64_MIN));
  for (const char* bad : {"", "000000", "0000000000", "000000000000000000"}) {
    EXPECT_FALSE(DecodeParticle(1, AsBytes(testing::Unhex(bad))).ok()) << bad;
  }
}

TEST(ParticleTest, FixedSizes) {
  EXPECT_FALSE(DecodeParticle(2, AsBytes(testing::Unhex("00000000"))).ok());
  EXPECT_FALSE(DecodeParticle(17, ByteSpan()).ok());
  EXPECT_FALSE(DecodeParticle(17, AsBytes(testing::Unhex("0101"))).ok());
  EXPECT_EQ(Decode(17, "02"), Value::Bool(true));  // any non-zero byte
  // A null with bytes is malformed.
  EXPECT_FALSE(DecodeParticle(0, AsBytes(testing::Unhex("00"))).ok());
}

TEST(ParticleTest, LanguageAndUnknownBlobsKeepTheirType) {
  for (uint8_t type : {4, 7, 8, 9, 10, 11, 12, 16, 99, 255}) {
    const Value v = Decode(type, "8004");
    ASSERT_EQ(v.type(), Value::Type::kBytes) << int(type);
    EXPECT_EQ(v.subtype(), type);
    EXPECT_EQ(v.str(), std::string("\x80\x04", 2));
    EXPECT_EQ(static_cast<uint8_t>(ParticleTypeOf(v)), type);
    EXPECT_EQ(Encode(v), v.str());
  }
  EXPECT_TRUE(IsLanguageBlob(7));
  EXPECT_TRUE(IsLanguageBlob(12));
  EXPECT_FALSE(IsLanguageBlob(4));
  EXPECT_FALSE(IsLanguageBlob(13));
}

TEST(ParticleTest, GeoJsonCells) {
  // As the server returns it (37_get_all_bins): flags 0, one cell id.
  const std::string captured =
      "00" "0001" "31da180ab7f7a279" "7b2274797065223a22506f696e74227d";
  EXPECT_EQ(Decode(23, captured), Value::GeoJson(R"({"type":"Point"})"));
  EXPECT_EQ(*GeoJsonText(AsBytes(testing::Unhex(captured))), R"({"type":"Point"})");
  EXPECT_FALSE(GeoJsonText(AsBytes(testing::Unhex("000002" "0000000000000000"))).ok());
  EXPECT_FALSE(GeoJsonText(AsBytes(testing::Unhex("0000"))).ok());
  EXPECT_EQ(Decode(23, "000000"), Value::GeoJson(""));
}

TEST(ParticleTest, UserKeyField) {
  for (const Value& key : {Value::Int(-1), Value::String("k_sendkey"), Value::Bytes("\x01"),
                           Value::Bytes("ab", 9), Value::Double(1.5)}) {
    ByteBuffer data;
    AppendKeyFieldData(key, &data);
    EXPECT_EQ(data.data()[0], static_cast<uint8_t>(ParticleTypeOf(key)));
    auto back = DecodeKeyField(data.span());
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, key);
    EXPECT_TRUE(DigestOfKey("s", key).ok());
  }
  EXPECT_FALSE(DecodeKeyField(ByteSpan()).ok());
  EXPECT_FALSE(DigestOfKey("s", Value::List({})).ok());
  EXPECT_FALSE(DigestOfKey("s", Value::Nil()).ok());
  // A bytes key hashes with its own particle type.
  EXPECT_NE(*DigestOfKey("s", Value::Bytes("ab", 4)), *DigestOfKey("s", Value::Bytes("ab", 9)));
  EXPECT_EQ(*DigestOfKey("s", Value::String("s")),
            ComputeDigest("s", std::string_view("s")));
}

}  // namespace
}  // namespace aerospike_py::proto
