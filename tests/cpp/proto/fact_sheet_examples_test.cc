// The worked byte examples of the fact sheet's Appendix A, built with the
// encoders (A.1, A.5-A.8 are checked where their encoders are tested), and
// the header codecs round-tripping every field.
#include <gtest/gtest.h>

#include "golden_support.h"
#include "proto/commands.h"
#include "proto/headers.h"
#include "proto/message_view.h"
#include "proto/reply_writer.h"

namespace aerospike_py::proto {
namespace {

std::string Hex(const ByteBuffer& b) { return testing::HexOf(b.span()); }

TEST(FactSheetExamplesTest, A2GetAllBins) {
  RecordRequest r;
  r.header.info1 = info1::kRead | info1::kGetAll;
  r.header.transaction_ttl = 1000;
  r.ns = "test";
  r.set = "demo";
  r.digest = *DigestOfKey("demo", Value::String("key1"));
  ByteBuffer out;
  EncodeRecordRequest(r, &out);
  EXPECT_EQ(Hex(out),
            "0203000000000041"
            "160300000000" "00000000" "00000000" "000003e8" "00030000"
            "000000050074657374" "000000050164656d6f"
            "0000001504ec91192d4b7f8ce35d5d78d34bca65cbaaaac960");
  EXPECT_EQ(out.size(), 73u);
}

TEST(FactSheetExamplesTest, A3PutWithSendKey) {
  RecordRequest r;
  r.header.info2 = info2::kWrite;
  r.header.transaction_ttl = 1000;
  r.ns = "test";
  r.set = "demo";
  r.digest = *DigestOfKey("demo", Value::String("key1"));
  r.key = Value::String("key1");
  r.ops = {{OpType::kWrite, "a", Value::Int(1)}, {OpType::kWrite, "b", Value::String("x")}};
  ByteBuffer out;
  EncodeRecordRequest(r, &out);
  EXPECT_EQ(out.size(), 110u);
  const std::string hex = Hex(out);
  EXPECT_EQ(hex.substr(16, 44), "160001000000" "00000000" "00000000" "000003e8" "00040002");
  EXPECT_NE(hex.find("0000000602036b657931"), std::string::npos);  // key field
  EXPECT_EQ(hex.substr(hex.size() - 54),
            "0000000d0201000161" "0000000000000001" "00000006020300016278");
}

TEST(FactSheetExamplesTest, A4ReplyAndNotFound) {
  std::vector<ReplyBin> bins = {{"a", Value::Int(1)}, {"b", Value::String("x")}};
  ReplyRecord rec;
  rec.generation = 1;
  rec.bins = bins;
  ByteBuffer out;
  EncodeRecordReply(rec, &out);
  EXPECT_EQ(Hex(out),
            "0203000000000031"
            "160000000000" "00000001" "00000000" "00000000" "00000002"
            "0000000d01010001610000000000000001" "00000006010300016278");
  ReplyRecord missing;
  missing.result_code = 2;
  ByteBuffer nf;
  EncodeRecordReply(missing, &nf);
  EXPECT_EQ(Hex(nf), "0203000000000016" "160000000002" + std::string(32, '0'));
}

TEST(FactSheetExamplesTest, HeadersRoundTrip) {
  uint8_t buf[kProtoHeaderSize];
  EncodeProtoHeader(buf, ProtoType::kCompressed, 0x0000123456789abcull);
  ProtoHeader p = DecodeProtoHeader(buf);
  EXPECT_EQ(p.version, 2);
  EXPECT_EQ(p.type, 4);
  EXPECT_EQ(p.size, 0x123456789abcull);

  MsgHeader h;
  h.info1 = 0x81;
  h.info2 = 0x42;
  h.info3 = 0x24;
  h.info4 = 0x18;
  h.result_code = 200;
  h.generation = 0xdeadbeef;
  h.record_ttl = 0xfffffffe;
  h.transaction_ttl = 0x01020304;
  h.n_fields = 0xabcd;
  h.n_ops = 0x1234;
  uint8_t m[kMsgHeaderSize];
  EncodeMsgHeader(m, h);
  EXPECT_EQ(testing::HexOf(ByteSpan(m, kMsgHeaderSize)),
            "16814224" "18c8" "deadbeef" "fffffffe" "01020304" "abcd" "1234");
  EXPECT_EQ(DecodeMsgHeader(m), h);
}

}  // namespace
}  // namespace aerospike_py::proto
