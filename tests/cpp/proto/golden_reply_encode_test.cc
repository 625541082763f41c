// The server-side encoders (reply_writer.h, EncodeInfoResponse,
// EncodeAdminReply) reproduce the real server's answers byte for byte:
// single-record answers, batch/scan/query streams frame by frame (records,
// LAST), info answers and the admin "not supported" answer. The only bytes
// we cannot produce are the S2 cell ids the server adds to GeoJSON bins, so
// answers holding such a bin are compared everywhere except that op.
#include <gtest/gtest.h>

#include "golden_support.h"
#include "proto/admin.h"
#include "proto/commands.h"
#include "proto/fields.h"
#include "proto/info.h"
#include "proto/message_writer.h"
#include "proto/particle.h"
#include "proto/reply_writer.h"

namespace aerospike_py::proto {
namespace {

using testing::AllGolden;
using testing::DecodedMessage;
using testing::GoldenFile;
using testing::GoldenMessage;
using testing::GoldenOp;
using testing::Json;

::testing::AssertionResult SameBytes(std::string_view got, std::string_view want) {
  if (got == want) return ::testing::AssertionSuccess();
  size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  return ::testing::AssertionFailure() << "first difference at byte " << i << " of "
                                       << want.size();
}

// Replaces each GeoJSON op value by its cell-free form (flags, ncells 0,
// text), the only form we encode.
std::string WithoutGeoCells(const std::string& frame) {
  auto decoded = testing::DecodeFrameStrict(AsBytes(frame), false);
  EXPECT_TRUE(decoded.ok());
  ByteBuffer out;
  FrameWriter fw(&out);
  MessageIterator it(AsBytes(frame).subspan(kProtoHeaderSize));
  while (!it.AtEnd()) {
    auto m = it.Next();
    MessageWriter w(&out, m->header, MessageWriter::Framing::kInsideFrame);
    FieldIterator fields(*m);
    FieldView f;
    while (fields.Next(&f)) w.AddField(static_cast<FieldType>(f.type), f.data);
    OpIterator ops(*m);
    OpView op;
    while (ops.Next(&op)) {
      if (op.particle_type == static_cast<uint8_t>(ParticleType::kGeoJson)) {
        auto text = GeoJsonText(op.value);
        w.AddValueOp(static_cast<OpType>(op.op), op.name, Value::GeoJson(std::string(*text)));
      } else {
        w.AddOp(static_cast<OpType>(op.op), static_cast<ParticleType>(op.particle_type),
                op.name, op.value);
      }
    }
    w.Finish();
  }
  fw.Finish();
  return std::string(out.view());
}

bool HasGeoCells(const std::string& frame) { return WithoutGeoCells(frame) != frame; }

// The record of one decoded answer message, for our encoder.
struct Rebuilt {
  std::vector<ReplyBin> bins;
  Digest digest{};
  std::optional<Value> key;
  ReplyRecord record;
};

void Rebuild(const DecodedMessage& m, Rebuilt* r) {
  for (const testing::DecodedOp& op : m.ops) {
    r->bins.push_back({op.name, op.value, static_cast<OpType>(op.op)});
  }
  ReplyRecord& rec = r->record;
  rec.info1 = m.header.info1;
  rec.result_code = m.header.result_code;
  rec.generation = m.header.generation;
  rec.void_time = m.header.record_ttl;
  rec.batch_index = m.header.transaction_ttl;
  for (const auto& [type, data] : m.fields) {
    switch (static_cast<FieldType>(type)) {
      case FieldType::kNamespace: rec.ns = data; break;
      case FieldType::kSet: rec.set = data; break;
      case FieldType::kDigest:
        std::memcpy(r->digest.data(), data.data(), kDigestSize);
        rec.digest = &r->digest;
        break;
      case FieldType::kKey: r->key = *DecodeKeyField(AsBytes(data)); break;
      case FieldType::kBvalArray: rec.bval = (*ParseBvals(AsBytes(data)))[0]; break;
      default: ADD_FAILURE() << "unexpected answer field " << int(type);
    }
  }
  if (r->key) rec.key = &*r->key;
  rec.bins = r->bins;
}

TEST(GoldenReplyEncodeTest, FirstPrinciples) {
  // put_int: generation 1, nothing else.
  ReplyRecord put;
  put.generation = 1;
  ByteBuffer out;
  EncodeRecordReply(put, &out);
  EXPECT_TRUE(SameBytes(out.view(), AllGolden()[10].messages[1].bytes));
  ASSERT_EQ(AllGolden()[10].name, "10_put_int");

  // get of k_bigint: the bins index.json reports, generation 1.
  const Json& result = GoldenOp("41_get_large_int")["outcome"]["result"];
  std::vector<ReplyBin> bins;
  for (const auto& [name, v] : result["bins"].members()) {
    bins.push_back({name, testing::ValueFromJson(v)});
  }
  ReplyRecord get;
  get.generation = static_cast<uint32_t>(result["gen"].as_int());
  get.bins = bins;
  ByteBuffer got;
  EncodeRecordReply(get, &got);
  for (const GoldenFile& f : AllGolden()) {
    if (f.name == "41_get_large_int") {
      EXPECT_TRUE(SameBytes(got.view(), f.messages[1].bytes));
    }
    if (f.name == "48_get_missing") {
      ReplyRecord missing;
      missing.result_code = 2;
      ByteBuffer m;
      EncodeRecordReply(missing, &m);
      EXPECT_TRUE(SameBytes(m.view(), f.messages[1].bytes));
    }
  }
}

// Every AS_MSG answer frame of every capture, rebuilt from its decoded
// values with our encoders.
TEST(GoldenReplyEncodeTest, EveryAnswerFrame) {
  int singles = 0, stream_frames = 0, with_geo = 0;
  for (const GoldenFile& file : AllGolden()) {
    for (const GoldenMessage& m : file.messages) {
      if (m.c2s || m.type != 3) continue;
      auto decoded = testing::DecodeFrameStrict(m.span(), false);
      ASSERT_TRUE(decoded.ok());
      const bool stream = decoded->messages.size() > 1 ||
                          (decoded->messages[0].header.info3 & info3::kLast) ||
                          !decoded->messages[0].fields.empty() ||
                          decoded->messages[0].header.transaction_ttl != 0;
      ByteBuffer out;
      std::vector<Rebuilt> rebuilt(decoded->messages.size());
      if (!stream && file.name.find("batch") == std::string::npos) {
        Rebuild(decoded->messages[0], &rebuilt[0]);
        EncodeRecordReply(rebuilt[0].record, &out);
        ++singles;
      } else {
        FrameWriter frame(&out);
        for (size_t i = 0; i < decoded->messages.size(); ++i) {
          const DecodedMessage& msg = decoded->messages[i];
          if (msg.header.info3 & info3::kLast) {
            AppendStreamEnd(msg.header.result_code, &out);
          } else {
            Rebuild(msg, &rebuilt[i]);
            AppendStreamRecord(rebuilt[i].record, &out);
          }
        }
        frame.Finish();
        ++stream_frames;
      }
      const bool geo = HasGeoCells(m.bytes);
      with_geo += geo;
      EXPECT_TRUE(SameBytes(out.view(), geo ? WithoutGeoCells(m.bytes) : m.bytes)) << file.name;
    }
  }
  EXPECT_EQ(singles, 132);
  EXPECT_EQ(stream_frames, 40);
  // get_all_bins, get_compressed_policy, get_filter_exp_true, and the scan
  // frame holding k1.
  EXPECT_EQ(with_geo, 4);
}

TEST(GoldenReplyEncodeTest, PartitionDoneMarker) {
  // Fact sheet A.6: pid 1234, result 11.
  ByteBuffer out;
  AppendPartitionDone(1234, 11, &out);
  EXPECT_EQ(testing::HexOf(out.span()), "1600000400" "0b000004d2" "000000000000000000000000");
  auto m = ParseMessage(out.span());
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->is_partition_done());
  EXPECT_EQ(m->header.generation, 1234u);
  // A.5: the LAST terminator framed alone.
  ByteBuffer last;
  FrameWriter f(&last);
  AppendStreamEnd(0, &last);
  f.Finish();
  EXPECT_EQ(testing::HexOf(last.span()),
            "0203000000000016" "160000010000" "00000000000000000000000000000000");
}

TEST(GoldenReplyEncodeTest, InfoAnswers) {
  int answers = 0;
  for (const GoldenFile& file : AllGolden()) {
    for (const GoldenMessage& m : file.messages) {
      if (m.c2s || m.type != 1) continue;
      auto pairs = ParseInfoResponse(AsChars(m.body()));
      EXPECT_TRUE(SameBytes(EncodeInfoResponse(pairs).view(), m.bytes)) << file.name;
      ++answers;
    }
  }
  EXPECT_EQ(answers, 39);
  // Fact sheet A.1's reply body.
  ByteBuffer reply = EncodeInfoResponse({{"node", "BB9020011AC4202"}, {"partition-generation", "1"}});
  EXPECT_EQ(reply.view().substr(8), "node\tBB9020011AC4202\npartition-generation\t1\n");
}

TEST(GoldenReplyEncodeTest, AdminNotSupported) {
  for (const GoldenFile& file : AllGolden()) {
    if (file.name != "94_admin_query_users") continue;
    EXPECT_TRUE(SameBytes(EncodeAdminReply(51).view(), file.messages[1].bytes));
    return;
  }
  FAIL();
}

}  // namespace
}  // namespace aerospike_py::proto
