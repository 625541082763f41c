// Aerospike's msgpack dialect, both directions: exact byte forms of every
// type at every width boundary, round trips (ints, doubles incl. NaN and
// -0.0, prefixed strings, blobs and their subtypes, GeoJSON, HLL, bool,
// nil), ordered lists/maps keeping their ext flags, wildcard/infinity,
// nesting 64 deep and the depth limit, and the fact sheet's examples.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "common/byte_order.h"
#include "golden_support.h"
#include "proto/msgpack.h"
#include "proto/particle.h"

namespace aerospike_py::proto {
namespace {

std::string Hex(const Value& v) { return testing::HexOf(EncodeMsgpack(v).span()); }

Value RoundTrip(const Value& v) {
  ByteBuffer bytes = EncodeMsgpack(v);
  auto back = DecodeMsgpack(bytes.span());
  EXPECT_TRUE(back.ok()) << back.status() << " for " << v.DebugString();
  return back.ok() ? *back : Value::String("<decode failed>");
}

StatusOr<Value> FromHex(std::string_view hex) {
  const std::string bytes = testing::Unhex(hex);
  return DecodeMsgpack(AsBytes(bytes));
}

// The decoded value, or a string naming the error (so a failing decode
// fails the comparison instead of the process).
Value Dec(std::string_view hex) {
  auto v = FromHex(hex);
  return v.ok() ? *v : Value::String("<error: " + std::string(v.status().message()) + ">");
}

TEST(MsgpackTest, IntegersAtEveryWidthBoundary) {
  const std::vector<std::pair<int64_t, std::string>> cases = {
      {0, "00"},
      {127, "7f"},
      {128, "cc80"},
      {255, "ccff"},
      {256, "cd0100"},
      {65535, "cdffff"},
      {65536, "ce00010000"},
      {4294967295, "ceffffffff"},
      {4294967296, "cf0000000100000000"},
      {INT64_MAX, "cf7fffffffffffffff"},
      {-1, "ff"},
      {-32, "e0"},
      {-33, "d0df"},
      {-128, "d080"},
      {-129, "d1ff7f"},
      {-32768, "d18000"},
      {-32769, "d2ffff7fff"},
      {INT32_MIN, "d280000000"},
      {int64_t{INT32_MIN} - 1, "d3ffffffff7fffffff"},
      {INT64_MIN, "d38000000000000000"},
  };
  for (const auto& [v, hex] : cases) {
    EXPECT_EQ(Hex(Value::Int(v)), hex) << v;
    EXPECT_EQ(RoundTrip(Value::Int(v)), Value::Int(v)) << v;
  }
}

// The list fast paths agree with Next() on every form they accept, and
// leave everything else (uint64 above INT64_MAX, other kinds, truncated
// items) unconsumed for Next().
TEST(MsgpackTest, FastNumberReadersAgreeWithNext) {
  const std::vector<std::string> numbers = {
      "00", "7f", "cc80", "ccff", "cd0100", "ceffffffff", "cf7fffffffffffffff", "ff", "e0",
      "d0df", "d18000", "d280000000", "d38000000000000000", "cb3ff8000000000000",
      "ca3fc00000", "cbfff0000000000000"};
  for (const std::string& hex : numbers) {
    const std::string bytes = testing::Unhex(hex);
    MsgpackItem item;
    MsgpackReader slow(AsBytes(bytes));
    ASSERT_TRUE(slow.Next(&item).ok()) << hex;
    MsgpackReader fast(AsBytes(bytes));
    int64_t i = 0;
    double d = 0;
    if (item.kind == MsgpackItem::Kind::kInt) {
      EXPECT_FALSE(fast.TryNextDouble(&d)) << hex;
      ASSERT_TRUE(fast.TryNextInt(&i)) << hex;
      EXPECT_EQ(i, item.i) << hex;
    } else {
      ASSERT_EQ(item.kind, MsgpackItem::Kind::kDouble) << hex;
      EXPECT_FALSE(fast.TryNextInt(&i)) << hex;
      ASSERT_TRUE(fast.TryNextDouble(&d)) << hex;
      EXPECT_EQ(d, item.d) << hex;
    }
    EXPECT_TRUE(fast.AtEnd()) << hex;
    // Every truncation of the item is refused and consumes nothing.
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
      MsgpackReader part(AsBytes(std::string_view(bytes).substr(0, cut)));
      EXPECT_FALSE(part.TryNextInt(&i)) << hex << " cut " << cut;
      EXPECT_FALSE(part.TryNextDouble(&d)) << hex << " cut " << cut;
      EXPECT_EQ(part.offset(), 0u) << hex << " cut " << cut;
    }
  }
  for (const char* other : {"cf8000000000000000", "c0", "c3", "a3036162", "9101", "80"}) {
    const std::string bytes = testing::Unhex(other);
    MsgpackReader r(AsBytes(bytes));
    int64_t i = 0;
    double d = 0;
    EXPECT_FALSE(r.TryNextInt(&i)) << other;
    EXPECT_FALSE(r.TryNextDouble(&d)) << other;
    EXPECT_EQ(r.offset(), 0u) << other;
  }
}

TEST(MsgpackTest, NonMinimalIntegerFormsDecode) {
  // Other writers may use wider forms than needed; all decode to the value.
  EXPECT_EQ(Dec("cc05"), Value::Int(5));
  EXPECT_EQ(Dec("cd0005"), Value::Int(5));
  EXPECT_EQ(Dec("ce00000005"), Value::Int(5));
  EXPECT_EQ(Dec("d0fb"), Value::Int(-5));
  EXPECT_EQ(Dec("d10005"), Value::Int(5));
  EXPECT_EQ(Dec("d3fffffffffffffffb"), Value::Int(-5));
  // A uint64 above INT64_MAX is its own item kind for consumers that care;
  // as a Value it keeps its 64 bits.
  const std::string big = testing::Unhex("cfffffffffffffffff");
  MsgpackReader r(AsBytes(big));
  MsgpackItem item;
  ASSERT_TRUE(r.Next(&item).ok());
  EXPECT_EQ(item.kind, MsgpackItem::Kind::kUInt);
  EXPECT_EQ(item.u, UINT64_MAX);
  EXPECT_EQ(Dec("cfffffffffffffffff"), Value::Int(-1));
}

TEST(MsgpackTest, Doubles) {
  for (double d : {0.0, -0.0, 1.5, -2.25, 3.14159, 1e308, 5e-324,
                   std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::quiet_NaN()}) {
    const Value v = Value::Double(d);
    EXPECT_EQ(Hex(v).substr(0, 2), "cb");
    EXPECT_EQ(Hex(v).size(), 18u);
    EXPECT_EQ(RoundTrip(v), v) << d;  // bitwise: -0.0 and NaN included
  }
  EXPECT_EQ(Hex(Value::Double(-0.0)), "cb8000000000000000");
  EXPECT_NE(RoundTrip(Value::Double(-0.0)), Value::Double(0.0));
  // A NaN payload survives.
  const double payload_nan = BitsToDouble(0x7ff8000000000123ull);
  EXPECT_EQ(DoubleBits(RoundTrip(Value::Double(payload_nan)).as_double()), 0x7ff8000000000123ull);
  // float32 items (Java Float) widen.
  EXPECT_EQ(Dec("ca3fc00000"), Value::Double(1.5));
}

TEST(MsgpackTest, StringsCarryTheirParticlePrefix) {
  EXPECT_EQ(Hex(Value::String("")), "a103");
  EXPECT_EQ(Hex(Value::String("a")), "a20361");
  // The prefix counts toward the length: 30 chars is the last fixstr.
  EXPECT_EQ(Hex(Value::String(std::string(30, 'x'))).substr(0, 4), "bf03");
  EXPECT_EQ(Hex(Value::String(std::string(31, 'x'))).substr(0, 6), "d92003");
  EXPECT_EQ(Hex(Value::String(std::string(254, 'x'))).substr(0, 6), "d9ff03");
  EXPECT_EQ(Hex(Value::String(std::string(255, 'x'))).substr(0, 8), "da010003");
  EXPECT_EQ(Hex(Value::String(std::string(65534, 'x'))).substr(0, 8), "daffff03");
  EXPECT_EQ(Hex(Value::String(std::string(65535, 'x'))).substr(0, 12), "db0001000003");
  for (size_t n : {0, 1, 30, 31, 254, 255, 65534, 65535, 70000}) {
    const Value v = Value::String(std::string(n, 'q'));
    EXPECT_EQ(RoundTrip(v), v) << n;
  }
  const Value unicode = Value::String("h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(RoundTrip(unicode), unicode);
}

TEST(MsgpackTest, BlobsGeoJsonAndHll) {
  EXPECT_EQ(Hex(Value::Bytes(std::string("\x01\xff", 2))), "a30401ff");
  EXPECT_EQ(Hex(Value::Bytes("")), "a104");
  for (uint8_t subtype : {4, 7, 8, 9, 10, 11, 12}) {
    const Value v = Value::Bytes(std::string("\x00\x01\x02", 3), subtype);
    const std::string hex = Hex(v);
    EXPECT_EQ(hex.substr(2, 2), testing::HexOf(ByteSpan(&subtype, 1)));
    const Value back = RoundTrip(v);
    EXPECT_EQ(back, v);
    EXPECT_EQ(back.subtype(), subtype);
  }
  const Value geo = Value::GeoJson(R"({"type":"Point","coordinates":[1,2]})");
  // 36 characters plus the prefix: str8 of 37 bytes, prefix 0x17.
  EXPECT_EQ(Hex(geo).substr(0, 6), "d92517");
  EXPECT_EQ(RoundTrip(geo), geo);
  const Value hll = Value::Hll(std::string("\x00\x08\x00\x01", 4));
  EXPECT_EQ(Hex(hll).substr(0, 4), "a512");
  EXPECT_EQ(RoundTrip(hll), hll);
  // The server treats msgpack bin (c4..c6) like str: classified by prefix.
  EXPECT_EQ(Dec("c40403616263"), Value::String("abc"));
  EXPECT_EQ(Dec("c50003046869"), Value::Bytes("hi"));
  EXPECT_EQ(Dec("c600000002176b"), Value::GeoJson("k"));
  // An empty payload is an empty blob.
  EXPECT_EQ(Dec("a0"), Value::Bytes(""));
}

TEST(MsgpackTest, BoolNilAndReservedExts) {
  EXPECT_EQ(Hex(Value::Nil()), "c0");
  EXPECT_EQ(Hex(Value::Bool(false)), "c2");
  EXPECT_EQ(Hex(Value::Bool(true)), "c3");
  EXPECT_EQ(Hex(Value::Wildcard()), "d4ff00");
  EXPECT_EQ(Hex(Value::Infinity()), "d4ff01");
  for (const Value& v : {Value::Nil(), Value::Bool(false), Value::Bool(true), Value::Wildcard(),
                         Value::Infinity()}) {
    EXPECT_EQ(RoundTrip(v), v);
  }
  // Only 0 and 1 are reserved values; other fixext1 items are not values.
  EXPECT_FALSE(FromHex("d4ff02").ok());
  EXPECT_FALSE(FromHex("d40500").ok());
  EXPECT_FALSE(FromHex("d5ff0000").ok());
  // A range end of infinity inside a CDT argument list.
  const Value args = Value::List({Value::Int(25), Value::Int(7), Value::Nil(), Value::Infinity()});
  EXPECT_EQ(Hex(args), "941907c0d4ff01");
  EXPECT_EQ(RoundTrip(args), args);
}

TEST(MsgpackTest, CollectionHeadersAtEveryWidth) {
  auto list_of = [](size_t n) { return Value::List(std::vector<Value>(n, Value::Nil())); };
  EXPECT_EQ(Hex(list_of(0)), "90");
  EXPECT_EQ(Hex(list_of(15)).substr(0, 2), "9f");
  EXPECT_EQ(Hex(list_of(16)).substr(0, 6), "dc0010");
  EXPECT_EQ(Hex(list_of(65535)).substr(0, 6), "dcffff");
  EXPECT_EQ(Hex(list_of(65536)).substr(0, 10), "dd00010000");
  for (size_t n : {0, 15, 16, 65535, 65536}) EXPECT_EQ(RoundTrip(list_of(n)), list_of(n));

  auto map_of = [](size_t n) {
    std::vector<std::pair<Value, Value>> e;
    for (size_t i = 0; i < n; ++i) e.emplace_back(Value::Int(int64_t(i)), Value::Nil());
    return Value::Map(std::move(e));
  };
  EXPECT_EQ(Hex(map_of(0)), "80");
  EXPECT_EQ(Hex(map_of(15)).substr(0, 2), "8f");
  EXPECT_EQ(Hex(map_of(16)).substr(0, 6), "de0010");
  EXPECT_EQ(Hex(map_of(65536)).substr(0, 10), "df00010000");
  for (size_t n : {0, 15, 16, 65535, 65536}) EXPECT_EQ(RoundTrip(map_of(n)), map_of(n));
}

TEST(MsgpackTest, OrderedCollectionsKeepTheirFlags) {
  // Fact sheet A.7: a key-ordered {"a": 1}.
  const Value ordered = Value::Map({{Value::String("a"), Value::Int(1)}}, 1);
  EXPECT_EQ(Hex(ordered), "82c70001c0a2036101");
  EXPECT_EQ(RoundTrip(ordered).flags(), 1);
  for (uint8_t flags : {1, 3, 8, 0x10, 0x11}) {
    const Value m = Value::Map({{Value::Int(1), Value::String("x")},
                                {Value::Int(2), Value::String("y")}}, flags);
    const Value back = RoundTrip(m);
    EXPECT_EQ(back, m);
    EXPECT_EQ(back.flags(), flags);
    EXPECT_EQ(back.map_size(), 2u);
  }
  // Lists: header n+1, the marker, no nil.
  const Value list = Value::List({Value::Int(1), Value::Int(2)}, 1);
  EXPECT_EQ(Hex(list), "93c700010102");
  EXPECT_EQ(RoundTrip(list), list);
  EXPECT_EQ(RoundTrip(Value::List({}, 0x10)).flags(), 0x10);
  // An empty ordered map is just the marker pair.
  EXPECT_EQ(Hex(Value::Map({}, 1)), "81c70001c0");
  EXPECT_EQ(RoundTrip(Value::Map({}, 1)), Value::Map({}, 1));
  // Unordered collections carry no marker.
  EXPECT_EQ(Hex(Value::Map({{Value::String("a"), Value::Int(1)}})), "81a2036101");
  // A marker counts as the first element; elsewhere it is malformed.
  EXPECT_FALSE(FromHex("920102c70001").ok());
  // The server's PRESERVE_ORDER results (flags 8) come back as such.
  auto preserved = FromHex("83c70008c0a2036101a2036303");
  ASSERT_TRUE(preserved.ok());
  EXPECT_EQ(preserved->flags(), 8);
  EXPECT_EQ(preserved->map_size(), 2u);
}

// Nested `depth` levels of containers around a scalar; a scalar alone has
// depth 1.
Value Nested(int depth, bool maps) {
  Value v = Value::Int(7);
  for (int i = 1; i < depth; ++i) {
    v = maps ? Value::Map({{Value::String("k"), std::move(v)}}, i % 2)
             : Value::List({std::move(v), Value::Int(i)}, 0);
  }
  return v;
}

TEST(MsgpackTest, SixtyFourLevelsDeep) {
  for (bool maps : {false, true}) {
    const Value v = Nested(64, maps);
    EXPECT_EQ(RoundTrip(v), v);
    ByteBuffer bytes = EncodeMsgpack(v);
    MsgpackReader r(bytes.span());
    ASSERT_TRUE(r.Skip().ok());
    EXPECT_TRUE(r.AtEnd());
    auto as_particle = DecodeParticle(
        static_cast<uint8_t>(maps ? ParticleType::kMap : ParticleType::kList), bytes.span());
    ASSERT_TRUE(as_particle.ok());
    EXPECT_EQ(*as_particle, v);
  }
}

TEST(MsgpackTest, DepthLimit) {
  for (bool maps : {false, true}) {
    ByteBuffer ok = EncodeMsgpack(Nested(kMaxMsgpackDepth, maps));
    EXPECT_TRUE(DecodeMsgpack(ok.span()).ok());
    ByteBuffer deep = EncodeMsgpack(Nested(kMaxMsgpackDepth + 1, maps));
    auto rejected = DecodeMsgpack(deep.span());
    ASSERT_FALSE(rejected.ok());
    EXPECT_NE(rejected.status().message().find("deep"), std::string::npos);
    // Skip() is iterative and not limited by depth.
    MsgpackReader r(deep.span());
    EXPECT_TRUE(r.Skip().ok());
    // A caller may ask for a tighter limit.
    MsgpackReader shallow(ok.span());
    EXPECT_FALSE(ReadMsgpackValue(shallow, 10).ok());
  }
}

TEST(MsgpackTest, FactSheetExamples) {
  EXPECT_EQ(Hex(Value::List({Value::Int(1), Value::Int(5)})), "920105");
  EXPECT_EQ(Hex(Value::List({Value::Int(0xff),
                             Value::List({Value::Int(0x10), Value::Int(0)}),
                             Value::List({Value::Int(1), Value::Int(5)})})),
            "93ccff921000920105");
  EXPECT_EQ(Hex(Value::List({Value::Int(67), Value::String("k"), Value::Int(1), Value::Int(0)})),
            "9443a2036b0100");
  ByteBuffer exp;
  MsgpackWriter w(&exp);
  w.ArrayHeader(3);
  w.Int(1);
  w.ArrayHeader(3);
  w.Int(81);
  w.Int(2);
  w.RawString("a");
  w.Int(1);
  EXPECT_EQ(testing::HexOf(exp.span()), "9301935102a16101");
}

TEST(MsgpackTest, WriterPrimitives) {
  ByteBuffer out;
  MsgpackWriter w(&out);
  w.UInt(UINT64_MAX);
  w.Ext(5, std::string_view("\x01", 1));
  w.Ext(5, std::string_view("\x01\x02", 2));
  w.Ext(5, std::string_view("abcd", 4));
  w.Ext(5, std::string_view("abcdefgh", 8));
  w.Ext(5, std::string(16, 'z'));
  w.Ext(5, std::string_view("abc", 3));
  w.Ext(5, std::string(300, 'z'));
  w.OrderFlagExt(3);
  w.RawString("bin");
  w.Blob("\x01", 9);
  w.GeoJson("{}");
  const std::string hex = testing::HexOf(out.span());
  EXPECT_EQ(hex.substr(0, 18), "cfffffffffffffffff");
  MsgpackReader r(out.span());
  MsgpackItem item;
  ASSERT_TRUE(r.Next(&item).ok());
  EXPECT_EQ(item.kind, MsgpackItem::Kind::kUInt);
  const std::vector<std::pair<uint8_t, size_t>> exts = {{0xd4, 1}, {0xd5, 2},  {0xd6, 4},
                                                        {0xd7, 8}, {0xd8, 16}, {0xc7, 3},
                                                        {0xc8, 300}};
  for (const auto& [tag, size] : exts) {
    const uint8_t at = out.data()[r.offset()];
    EXPECT_EQ(at, tag);
    ASSERT_TRUE(r.Next(&item).ok());
    EXPECT_EQ(item.kind, MsgpackItem::Kind::kExt);
    EXPECT_EQ(item.ext_type, 5);
    EXPECT_EQ(item.data.size(), size);
  }
  ASSERT_TRUE(r.Next(&item).ok());
  EXPECT_TRUE(IsOrderFlagExt(item));
  EXPECT_EQ(item.ext_type, 3);
  ASSERT_TRUE(r.Next(&item).ok());
  EXPECT_EQ(item.kind, MsgpackItem::Kind::kStr);
  EXPECT_EQ(item.data, "bin");  // raw: no prefix
  ASSERT_TRUE(r.Next(&item).ok());
  EXPECT_EQ(ClassifyPayload(item.data).type, Value::Type::kBytes);
  EXPECT_EQ(ClassifyPayload(item.data).subtype, 9);
  ASSERT_TRUE(r.Next(&item).ok());
  EXPECT_EQ(ClassifyPayload(item.data).type, Value::Type::kGeoJson);
  EXPECT_EQ(ClassifyPayload(item.data).body, "{}");
  EXPECT_TRUE(r.AtEnd());
}

// Everything msgpack in the captures (bin values, CDT arguments, filter
// expressions) decodes and re-encodes to the same bytes.
TEST(MsgpackTest, GoldenPayloadsReencodeIdentically) {
  int payloads = 0;
  for (const testing::GoldenFile& file : testing::AllGolden()) {
    for (const testing::GoldenMessage& m : file.messages) {
      auto decoded = testing::DecodeFrameStrict(m.span(), m.c2s);
      ASSERT_TRUE(decoded.ok());
      for (const testing::DecodedMessage& msg : decoded->messages) {
        for (const testing::DecodedOp& op : msg.ops) {
          if (op.value.type() != Value::Type::kList && op.value.type() != Value::Type::kMap) {
            continue;
          }
          ++payloads;
          EXPECT_EQ(RoundTrip(op.value), op.value) << file.name;
          EXPECT_EQ(EncodeMsgpack(op.value).view(), op.raw) << file.name << " " << op.name;
        }
      }
    }
  }
  EXPECT_GT(payloads, 30);
}

}  // namespace
}  // namespace aerospike_py::proto
