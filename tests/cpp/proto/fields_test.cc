// Structured field payloads (fields.h): the secondary-index range (§9.3) for
// integers, strings, blobs and GeoJSON, the 7-byte record version,
// transaction id/deadline, and the pid / digest / bval arrays.
#include <gtest/gtest.h>

#include "golden_support.h"
#include "proto/fields.h"

namespace aerospike_py::proto {
namespace {

std::string Hex(const IndexRange& r) {
  ByteBuffer out;
  AppendIndexRange(r, &out);
  return testing::HexOf(out.span());
}

TEST(FieldsTest, IndexRanges) {
  // As captured in 80_query_equal_int and 81_query_equal_string.
  EXPECT_EQ(Hex(IndexRange::IntegerEqual("age", 30)),
            "0103616765010000000800000000000000" "1e00000008000000000000001e");
  EXPECT_EQ(Hex(IndexRange::StringEqual("name", "bob")),
            "01046e616d650300000003626f6200000003626f62");
  EXPECT_EQ(Hex(IndexRange::BlobEqual("b", std::string("\x00\x01", 2))),
            "010162" "04" "000000020001" "000000020001");
  const std::string region = R"({"type":"Polygon"})";
  auto geo = IndexRange::GeoJson("g", region);
  EXPECT_EQ(geo.type, ParticleType::kGeoJson);
  EXPECT_EQ(geo.begin, region);
  EXPECT_EQ(geo.end, region);
  // An index-name query sends an empty bin name.
  EXPECT_EQ(Hex(IndexRange::IntegerRange("", -1, INT64_MAX)).substr(0, 6), "010001");

  for (const IndexRange& r : {IndexRange::IntegerRange("age", -5, 1LL << 40),
                              IndexRange::StringEqual("n", ""), geo,
                              IndexRange::IntegerRange(std::string(255, 'b'), 0, 0)}) {
    ByteBuffer out;
    AppendIndexRange(r, &out);
    auto back = ParseIndexRange(out.span());
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, r);
    for (size_t n = 0; n < out.size(); ++n) {
      EXPECT_FALSE(ParseIndexRange(out.span().subspan(0, n)).ok()) << n;
    }
  }
  auto bounds = IndexRange::IntegerRange("a", -7, 9).IntegerBounds();
  ASSERT_TRUE(bounds.ok());
  EXPECT_EQ(bounds->first, -7);
  EXPECT_EQ(bounds->second, 9);
  EXPECT_FALSE(IndexRange::StringEqual("a", "x").IntegerBounds().ok());
  // Exactly one range; no trailing bytes.
  EXPECT_FALSE(ParseIndexRange(AsBytes(testing::Unhex("0201610100000000" "00000000"))).ok());
  EXPECT_FALSE(ParseIndexRange(AsBytes(testing::Unhex("010161030000000000000000ff"))).ok());
  EXPECT_FALSE(ParseIndexRange(AsBytes(testing::Unhex("010161" "03" "ffffffff"))).ok());
}

TEST(FieldsTest, RecordVersion) {
  // bits 0-39 last-update time, bits 40-55 generation; LE.
  const uint64_t version = (uint64_t{0x1234} << 40) | 0x0102030405ull;
  ByteBuffer out;
  AppendRecordVersion(version, &out);
  EXPECT_EQ(testing::HexOf(out.span()), "05040302013412");
  auto back = DecodeRecordVersion(out.span());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, version);
  // The in-memory "present" bit 63 (C client) is not sent.
  ByteBuffer high;
  AppendRecordVersion(version | (uint64_t{1} << 63), &high);
  EXPECT_EQ(*DecodeRecordVersion(high.span()), version & kRecordVersionMask);
  EXPECT_FALSE(DecodeRecordVersion(out.span().subspan(0, 6)).ok());
  EXPECT_FALSE(DecodeRecordVersion(AsBytes(std::string(8, '\0'))).ok());
}

TEST(FieldsTest, TransactionIdAndDeadline) {
  ByteBuffer id, deadline;
  AppendMrtId(0x0102030405060708ull, &id);
  AppendMrtDeadline(0x0a0b0c0d, &deadline);
  EXPECT_EQ(testing::HexOf(id.span()), "0807060504030201");
  EXPECT_EQ(testing::HexOf(deadline.span()), "0d0c0b0a");
  EXPECT_EQ(*DecodeMrtId(id.span()), 0x0102030405060708ull);
  EXPECT_EQ(*DecodeMrtDeadline(deadline.span()), 0x0a0b0c0du);
  EXPECT_FALSE(DecodeMrtId(deadline.span()).ok());
  EXPECT_FALSE(DecodeMrtDeadline(id.span()).ok());
}

TEST(FieldsTest, PartitionDigestAndBvalArrays) {
  ByteBuffer pids;
  const std::vector<uint16_t> ids = {0, 1, 255, 256, 4095};
  AppendPartitionIds(ids, &pids);
  EXPECT_EQ(testing::HexOf(pids.span()), "00000100ff000001ff0f");
  EXPECT_EQ(*ParsePartitionIds(pids.span()), ids);
  EXPECT_FALSE(ParsePartitionIds(pids.span().subspan(0, 3)).ok());
  EXPECT_FALSE(ParsePartitionIds(AsBytes(testing::Unhex("0010"))).ok());  // 4096
  EXPECT_TRUE(ParsePartitionIds(ByteSpan()).ok());

  std::vector<Digest> digests = {ComputeDigest("s", int64_t{1}), ComputeDigest("s", int64_t{2})};
  ByteBuffer d;
  AppendDigests(digests, &d);
  EXPECT_EQ(d.size(), 40u);
  EXPECT_EQ(*ParseDigests(d.span()), digests);
  EXPECT_FALSE(ParseDigests(d.span().subspan(0, 39)).ok());

  ByteBuffer b;
  const std::vector<int64_t> bvals = {30, -1, INT64_MIN};
  AppendBvals(bvals, &b);
  EXPECT_EQ(testing::HexOf(b.span()).substr(0, 16), "1e00000000000000");
  EXPECT_EQ(*ParseBvals(b.span()), bvals);
  EXPECT_FALSE(ParseBvals(b.span().subspan(0, 23)).ok());
}

}  // namespace
}  // namespace aerospike_py::proto
