// Batch-index requests (§8): the encoder's REPEAT rules (same shape repeats,
// a row sending its key never repeats and is never repeated), row attribute
// bytes per row flags, field order (filter, key, UDF), the legacy field 42
// and the batch-level filter; and the parser resolving REPEAT rows.
#include <gtest/gtest.h>

#include "common/byte_order.h"
#include "golden_support.h"
#include "proto/batch.h"
#include "proto/commands.h"
#include "proto/message_view.h"
#include "proto/message_writer.h"
#include "proto/op_writer.h"

namespace aerospike_py::proto {
namespace {

struct Parsed {
  MessageView message;
  uint8_t batch_flags = 0;
  bool legacy = false;
  std::vector<BatchRowView> rows;
};

Parsed Parse(const ByteBuffer& frame) {
  Parsed p;
  auto m = ParseMessage(frame.span().subspan(kProtoHeaderSize));
  EXPECT_TRUE(m.ok());
  p.message = *m;
  EXPECT_EQ(m->size, frame.size() - kProtoHeaderSize);
  auto field = m->FindField(FieldType::kBatchIndex);
  if (!field) {
    field = m->FindField(FieldType::kBatchIndexWithSet);
    p.legacy = true;
  }
  EXPECT_TRUE(field.has_value());
  auto parser = BatchRowParser::Create(*field);
  EXPECT_TRUE(parser.ok());
  p.batch_flags = parser->flags();
  BatchRowView row;
  while (true) {
    auto more = parser->Next(&row);
    EXPECT_TRUE(more.ok()) << more.status();
    if (!more.ok() || !*more) break;
    p.rows.push_back(row);
  }
  EXPECT_EQ(p.rows.size(), parser->count());
  return p;
}

std::vector<std::pair<uint8_t, std::string>> Fields(ByteSpan fields) {
  std::vector<std::pair<uint8_t, std::string>> out;
  FieldIterator it(fields);
  FieldView f;
  while (it.Next(&f)) out.emplace_back(f.type, std::string(AsChars(f.data)));
  return out;
}

// The raw flag byte of each encoded row, in order.
std::vector<uint8_t> RowFlagBytes(const ByteBuffer& frame) {
  auto m = ParseMessage(frame.span().subspan(kProtoHeaderSize));
  auto field = m->FindField(FieldType::kBatchIndex);
  std::vector<uint8_t> out;
  auto parser = BatchRowParser::Create(*field);
  BatchRowView row;
  // The flag byte follows each row's digest, REPEAT rows included.
  while (*parser->Next(&row)) out.push_back(row.digest[20]);
  return out;
}

class BatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 6; ++i) digests_.push_back(ComputeDigest("s", int64_t{i}));
    OpWriter(&read_a_).Add(OpType::kRead, ParticleType::kNull, "a", ByteSpan());
    shape_.info1 = info1::kRead;
    shape_.ns = "test";
    shape_.set = "s";
    shape_.ops = read_a_.span();
    shape_.n_ops = 1;
  }
  BatchRow Row(uint32_t i, const BatchRowShape* shape, ByteSpan key = {}) {
    return BatchRow{i, digests_[i].data(), shape, key};
  }
  std::vector<Digest> digests_;
  ByteBuffer read_a_;
  BatchRowShape shape_;
};

TEST_F(BatchTest, SameShapeRepeats) {
  ByteBuffer out;
  BatchEnvelope env;
  env.transaction_ttl = 1234;
  std::vector<BatchRow> rows = {Row(0, &shape_), Row(1, &shape_), Row(2, &shape_)};
  EncodeBatchRequest(env, rows, &out);
  EXPECT_EQ(RowFlagBytes(out), (std::vector<uint8_t>{0x0a, 0x01, 0x01}));
  Parsed p = Parse(out);
  EXPECT_EQ(p.message.header.info1, info1::kBatch);
  EXPECT_EQ(p.message.header.transaction_ttl, 1234u);
  EXPECT_EQ(p.message.header.n_ops, 0);
  EXPECT_EQ(p.batch_flags, batch_flags::kInline | batch_flags::kReportErrorRecord);
  ASSERT_EQ(p.rows.size(), 3u);
  for (uint32_t i = 0; i < 3; ++i) {
    EXPECT_EQ(p.rows[i].index, i);
    EXPECT_EQ(std::memcmp(p.rows[i].digest, digests_[i].data(), 20), 0);
    EXPECT_EQ(p.rows[i].repeated, i > 0);
    EXPECT_EQ(p.rows[i].info1, info1::kRead);
    EXPECT_EQ(Fields(p.rows[i].fields),
              (std::vector<std::pair<uint8_t, std::string>>{{0, "test"}, {1, "s"}}));
    EXPECT_EQ(p.rows[i].n_ops, 1);
    OpIterator ops(p.rows[i].ops);
    OpView op;
    ASSERT_TRUE(ops.Next(&op));
    EXPECT_EQ(op.name, "a");
  }
}

TEST_F(BatchTest, KeyRowsNeverRepeatNorAreRepeated) {
  ByteBuffer key_field;
  {
    MessageWriter w(&key_field, MsgHeader(), MessageWriter::Framing::kInsideFrame);
    w.BeginField(FieldType::kKey);
    AppendKeyFieldData(Value::Int(1), &key_field);
    w.EndField();
  }
  ByteSpan key = key_field.span().subspan(kMsgHeaderSize);
  ByteBuffer out;
  std::vector<BatchRow> rows = {Row(0, &shape_), Row(1, &shape_, key), Row(2, &shape_, key),
                                Row(3, &shape_), Row(4, &shape_)};
  EncodeBatchRequest(BatchEnvelope(), rows, &out);
  // Row 1 could repeat row 0's shape but sends a key; row 2 follows a row
  // with a key; row 3 follows one too; row 4 repeats row 3.
  EXPECT_EQ(RowFlagBytes(out), (std::vector<uint8_t>{0x0a, 0x0a, 0x0a, 0x0a, 0x01}));
  Parsed p = Parse(out);
  ASSERT_EQ(p.rows.size(), 5u);
  auto key_of = [](const BatchRowView& r) {
    for (const auto& [type, data] : Fields(r.fields)) {
      if (type == 2) return *DecodeKeyField(AsBytes(data));
    }
    return Value::Nil();
  };
  EXPECT_EQ(key_of(p.rows[1]), Value::Int(1));
  EXPECT_EQ(key_of(p.rows[2]), Value::Int(1));
  EXPECT_TRUE(key_of(p.rows[4]).is_nil());
  EXPECT_TRUE(p.rows[4].repeated);
}

TEST_F(BatchTest, RowAttributesFollowRowFlags) {
  BatchRowShape w = shape_;
  w.row_flags = batch_row_flags::kHasInfo | batch_row_flags::kHasGeneration |
                batch_row_flags::kHasTtl | batch_row_flags::kHasInfo4;
  w.info1 = 0;
  w.info2 = info2::kWrite | info2::kGeneration;
  w.info3 = info3::kUpdateOnly;
  w.info4 = info4::kMrtOnLockingOnly;
  w.generation = 0xbeef;
  w.ttl = 0xfffffffe;
  BatchRowShape legacy = shape_;
  legacy.row_flags = 0;  // info1 only
  ByteBuffer out;
  std::vector<BatchRow> rows = {Row(0, &w), Row(1, &legacy)};
  EncodeBatchRequest(BatchEnvelope(), rows, &out);
  Parsed p = Parse(out);
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[0].row_flags, 0x1e);
  EXPECT_EQ(p.rows[0].info2, w.info2);
  EXPECT_EQ(p.rows[0].info3, w.info3);
  EXPECT_EQ(p.rows[0].info4, w.info4);
  EXPECT_EQ(p.rows[0].generation, 0xbeef);
  EXPECT_EQ(p.rows[0].ttl, 0xfffffffeu);
  EXPECT_EQ(p.rows[1].row_flags, 0);
  EXPECT_EQ(p.rows[1].info1, info1::kRead);
  EXPECT_EQ(p.rows[1].info2, 0);
  EXPECT_EQ(p.rows[1].ttl, 0u);
}

TEST_F(BatchTest, FieldOrderFilterKeyUdf) {
  ByteBuffer scratch;
  MessageWriter fw(&scratch, MsgHeader(), MessageWriter::Framing::kInsideFrame);
  fw.AddField(FieldType::kFilterExpression, std::string_view("\xc3", 1));
  const size_t filter_end = scratch.size();
  fw.AddField(FieldType::kUdfPackageName, std::string_view("m"));
  fw.AddField(FieldType::kUdfFunction, std::string_view("f"));
  fw.AddField(FieldType::kUdfArgList, std::string_view("\x90", 1));
  BatchRowShape udf = shape_;
  udf.extra_fields = scratch.span().subspan(kMsgHeaderSize, filter_end - kMsgHeaderSize);
  udf.n_extra_fields = 1;
  udf.trailing_fields = scratch.span().subspan(filter_end);
  udf.n_trailing_fields = 3;
  udf.ops = {};
  udf.n_ops = 0;
  ByteBuffer key;
  key.Append(testing::Unhex("00000003020305"));  // field 2: string key "\x05"
  ByteBuffer out;
  std::vector<BatchRow> rows = {Row(0, &udf, key.span())};
  EncodeBatchRequest(BatchEnvelope(), rows, &out);
  Parsed p = Parse(out);
  std::vector<uint8_t> types;
  for (const auto& f : Fields(p.rows[0].fields)) types.push_back(f.first);
  EXPECT_EQ(types, (std::vector<uint8_t>{0, 1, 43, 2, 30, 31, 32}));
  EXPECT_EQ(p.rows[0].n_fields, 7);
}

TEST_F(BatchTest, LegacyFieldAndBatchFilter) {
  BatchEnvelope env;
  env.legacy_field = true;
  env.batch_flags = 0;
  const std::string filter = testing::Unhex("9301935102a16101");
  env.filter_expression = AsBytes(filter);
  ByteBuffer out;
  std::vector<BatchRow> rows = {Row(0, &shape_), Row(1, &shape_)};
  EncodeBatchRequest(env, rows, &out);
  Parsed p = Parse(out);
  EXPECT_TRUE(p.legacy);
  EXPECT_EQ(p.batch_flags, 0);
  EXPECT_EQ(p.message.header.n_fields, 2);
  ASSERT_TRUE(p.message.FindField(FieldType::kFilterExpression).has_value());
  EXPECT_EQ(AsChars(*p.message.FindField(FieldType::kFilterExpression)), filter);
  EXPECT_EQ(p.rows.size(), 2u);
}

TEST_F(BatchTest, EmptyBatch) {
  ByteBuffer out;
  EncodeBatchRequest(BatchEnvelope(), {}, &out);
  Parsed p = Parse(out);
  EXPECT_TRUE(p.rows.empty());
}

}  // namespace
}  // namespace aerospike_py::proto
