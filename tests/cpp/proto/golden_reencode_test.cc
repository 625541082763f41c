// Re-encoding: every request the codec can express is rebuilt from first
// principles — namespace, set and user key from index.json (digest computed
// here), bins from index.json as proto::Value, policy flags from the
// capture README, CDT/expression arguments written out by hand — and must
// equal the captured bytes exactly. Only the fields the README lists as
// varying come from the capture: scan/query task ids. transaction_ttl is
// policy-derived; the README's values are used (3000 single-record, 4000
// batch reads, 1000 batch writes, 0 scans/queries with 3000 in field 9).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>

#include "common/byte_order.h"
#include "common/strings.h"
#include "golden_support.h"
#include "proto/admin.h"
#include "proto/batch.h"
#include "proto/commands.h"
#include "proto/compression.h"
#include "proto/headers.h"
#include "proto/info.h"
#include "proto/message_view.h"
#include "proto/message_writer.h"
#include "proto/msgpack.h"
#include "proto/op_writer.h"

namespace aerospike_py::proto {
namespace {

using testing::AllGolden;
using testing::GoldenFile;
using testing::GoldenMessage;
using testing::GoldenOp;
using testing::Json;
using testing::KeyFromJson;
using testing::ValueFromJson;

constexpr uint32_t kSingleRecordTimeout = 3000;
constexpr uint32_t kBatchReadTimeout = 4000;
constexpr uint32_t kBatchWriteTimeout = 1000;
constexpr uint32_t kScanSocketTimeout = 3000;

const GoldenFile& File(const std::string& name) {
  for (const GoldenFile& f : AllGolden()) {
    if (f.name == name) return f;
  }
  ADD_FAILURE() << "no capture " << name;
  static const GoldenFile kEmpty;
  return kEmpty;
}

// The n-th client-to-server frame of a capture.
std::string Captured(const std::string& name, int nth = 0) {
  for (const GoldenMessage& m : File(name).messages) {
    if (m.c2s && nth-- == 0) return m.bytes;
  }
  ADD_FAILURE() << name << " has no request #" << nth;
  return "";
}

// Byte equality with a readable failure: the first differing offset.
::testing::AssertionResult SameBytes(const std::string& got, const std::string& want) {
  if (got == want) return ::testing::AssertionSuccess();
  size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  return ::testing::AssertionFailure()
         << "first difference at byte " << i << " (sizes " << got.size() << " vs "
         << want.size() << ")\n got:  " << testing::HexOf(AsBytes(got))
         << "\n want: " << testing::HexOf(AsBytes(want));
}

std::string Bytes(const ByteBuffer& b) { return std::string(b.view()); }

Digest DigestOf(const Json& key) {
  auto d = DigestOfKey(key["set"].as_string(), KeyFromJson(key));
  EXPECT_TRUE(d.ok());
  return d.ok() ? *d : Digest{};
}

// A single-record request for the file's key.
RecordRequest Record(const std::string& name, uint8_t i1, uint8_t i2, uint8_t i3 = 0) {
  const Json& op = GoldenOp(name);
  RecordRequest r;
  r.header.info1 = i1;
  r.header.info2 = i2;
  r.header.info3 = i3;
  r.header.transaction_ttl = kSingleRecordTimeout;
  r.ns = op["key"]["ns"].as_string();
  r.set = op["key"]["set"].as_string();
  r.digest = DigestOf(op["key"]);
  if (op["policy"]["key"].as_string() == "SEND") r.key = KeyFromJson(op["key"]);
  return r;
}

std::string Encode(const RecordRequest& r) {
  ByteBuffer out;
  EncodeRecordRequest(r, &out);
  return Bytes(out);
}

// client.put(key, bins, meta, policy) as the C client writes it.
RecordRequest PutFromIndex(const std::string& name) {
  const Json& op = GoldenOp(name);
  RecordRequest r = Record(name, 0, info2::kWrite);
  const std::string exists = op["policy"]["exists"].as_string();
  if (exists == "CREATE") r.header.info2 |= info2::kCreateOnly;
  if (exists == "UPDATE") r.header.info3 |= info3::kUpdateOnly;
  if (exists == "REPLACE") r.header.info3 |= info3::kReplaceOnly;
  if (op["policy"]["gen"].as_string() == "EQ") {
    r.header.info2 |= info2::kGeneration;
    r.header.generation = static_cast<uint32_t>(op["meta"]["gen"].as_int());
  }
  if (op["meta"].has("ttl")) {
    // -1 (never expire) and -2 (keep) travel as 0xFFFFFFFF / 0xFFFFFFFE.
    r.header.record_ttl = static_cast<uint32_t>(static_cast<int32_t>(op["meta"]["ttl"].as_int()));
  }
  for (const auto& [bin, value] : op["bins"].members()) {
    r.ops.push_back({OpType::kWrite, bin, ValueFromJson(value)});
  }
  return r;
}

// Msgpack written by hand (expressions use raw strings, which Value cannot
// express).
std::string Pack(const std::function<void(MsgpackWriter&)>& f) {
  ByteBuffer out;
  MsgpackWriter w(&out);
  f(w);
  return Bytes(out);
}

// [op, [BIN, type, "name"], value]: a comparison of a bin with a literal.
std::string CompareBin(int op, int exp_type, std::string_view bin,
                       const std::function<void(MsgpackWriter&)>& literal) {
  return Pack([&](MsgpackWriter& w) {
    w.ArrayHeader(3);
    w.Int(op);
    w.ArrayHeader(3);
    w.Int(81);  // BIN
    w.Int(exp_type);
    w.RawString(bin);
    literal(w);
  });
}

// A CDT/bit/HLL argument list as a blob-particle op value.
Value Cdt(std::vector<Value> args) {
  return Value::Bytes(std::string(EncodeMsgpack(Value::List(std::move(args))).view()));
}
Value Ctx(std::vector<Value> ctx, std::vector<Value> op) {
  return Cdt({Value::Int(0xff), Value::List(std::move(ctx)), Value::List(std::move(op))});
}
Value Str(const char* s) { return Value::String(s); }
Value Int(int64_t i) { return Value::Int(i); }

// --- single-record writes -----------------------------------------------------

TEST(GoldenReencodeTest, PutsFromIndexJson) {
  int files = 0;
  for (const GoldenFile& file : AllGolden()) {
    if (file.name.find("_put_") == std::string::npos || file.name == "36_put_compressed") {
      continue;
    }
    EXPECT_TRUE(SameBytes(Encode(PutFromIndex(file.name)), Captured(file.name))) << file.name;
    ++files;
  }
  EXPECT_EQ(files, 26);
}

// The compressed put: the inner frame is rebuilt byte for byte and the type-4
// envelope announces its exact length. The deflate stream itself depends on
// the zlib build (the Node binding bundles its own), so ours differs in
// bytes but must inflate to the same frame.
TEST(GoldenReencodeTest, CompressedPut) {
  const std::string inner = Encode(PutFromIndex("36_put_compressed"));
  const std::string captured = Captured("36_put_compressed");
  ProtoHeader h = DecodeProtoHeader(AsBytes(captured).data());
  EXPECT_EQ(h.type, 4);
  auto inflated = DecompressBody(AsBytes(captured).subspan(kProtoHeaderSize));
  ASSERT_TRUE(inflated.ok()) << inflated.status();
  EXPECT_TRUE(SameBytes(Bytes(*inflated), inner));

  auto ours = CompressFrame(AsBytes(inner));
  ASSERT_TRUE(ours.ok());
  EXPECT_EQ(ours->view().substr(0, 2), captured.substr(0, 2));         // v2, type 4
  EXPECT_EQ(ours->view().substr(8, 10), captured.substr(8, 10));       // length, zlib header
  EXPECT_LT(ours->size(), inner.size() / 10);
  auto back = DecompressBody(ours->span().subspan(kProtoHeaderSize));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(Bytes(*back), inner);
}

TEST(GoldenReencodeTest, TouchRemoveAndDelete) {
  RecordRequest touch = Record("51_touch", 0, info2::kWrite);
  touch.header.record_ttl = 600;
  touch.ops.push_back({OpType::kTouch, "", Value::Nil()});
  EXPECT_TRUE(SameBytes(Encode(touch), Captured("51_touch")));

  EXPECT_TRUE(SameBytes(Encode(Record("52_remove", 0, info2::kWrite | info2::kDelete)),
                        Captured("52_remove")));
  EXPECT_TRUE(SameBytes(Encode(Record("53_remove_missing", 0, info2::kWrite | info2::kDelete)),
                        Captured("53_remove_missing")));
  EXPECT_TRUE(SameBytes(
      Encode(Record("54_remove_durable_delete", 0,
                    info2::kWrite | info2::kDelete | info2::kDurableDelete)),
      Captured("54_remove_durable_delete")));

  RecordRequest del = Record("58_operate_delete", 0, info2::kWrite);
  del.ops.push_back({OpType::kDelete, "", Value::Nil()});
  EXPECT_TRUE(SameBytes(Encode(del), Captured("58_operate_delete")));
}

// --- single-record reads ------------------------------------------------------

TEST(GoldenReencodeTest, GetsSelectsAndExists) {
  for (const char* name : {"37_get_all_bins", "39_get_send_key", "40_get_int_key",
                           "41_get_large_int", "42_get_nested", "43_get_list",
                           "48_get_missing"}) {
    EXPECT_TRUE(SameBytes(Encode(Record(name, info1::kRead | info1::kGetAll, 0)), Captured(name)))
        << name;
  }
  EXPECT_TRUE(SameBytes(
      Encode(Record("44_get_compressed_policy",
                    info1::kRead | info1::kGetAll | info1::kCompressResponse, 0)),
      Captured("44_get_compressed_policy")));

  RecordRequest select = Record("38_get_select_bins", info1::kRead, 0);
  for (const Json& bin : GoldenOp("38_get_select_bins")["bins"].items()) {
    select.ops.push_back({OpType::kRead, bin.as_string(), Value::Nil()});
  }
  EXPECT_TRUE(SameBytes(Encode(select), Captured("38_get_select_bins")));

  for (const char* name : {"45_exists_found", "46_exists_not_found", "47_exists_with_metadata"}) {
    EXPECT_TRUE(SameBytes(Encode(Record(name, info1::kRead | info1::kNoBinData, 0)),
                          Captured(name)))
        << name;
  }
}

TEST(GoldenReencodeTest, FilterExpressions) {
  // eq(binInt("i"), 43) and eq(binInt("i"), 0)
  for (auto [name, literal] : {std::pair{"49_get_filter_exp_true", 43},
                               std::pair{"50_get_filter_exp_false", 0}}) {
    RecordRequest r = Record(name, info1::kRead | info1::kGetAll, 0);
    r.filter_expression = CompareBin(1, 2, "i", [&](MsgpackWriter& w) { w.Int(literal); });
    EXPECT_TRUE(SameBytes(Encode(r), Captured(name))) << name;
  }
  // The fact sheet's example A.8: bin("a") as int == 1.
  EXPECT_EQ(testing::HexOf(AsBytes(CompareBin(1, 2, "a", [](MsgpackWriter& w) { w.Int(1); }))),
            "9301935102a16101");
}

// --- operate ------------------------------------------------------------------

TEST(GoldenReencodeTest, ScalarOperates) {
  RecordRequest r55 = Record("55_operate_incr_append_prepend", info1::kRead, info2::kWrite);
  r55.ops = {{OpType::kIncr, "n", Int(5)},
             {OpType::kAppend, "s", Str("_end")},
             {OpType::kPrepend, "s", Str("start_")},
             {OpType::kRead, "n", Value::Nil()},
             {OpType::kRead, "s", Value::Nil()}};
  EXPECT_TRUE(SameBytes(Encode(r55), Captured("55_operate_incr_append_prepend")));

  RecordRequest r56 = Record("56_operate_incr_float_write_read", info1::kRead, info2::kWrite);
  r56.ops = {{OpType::kIncr, "f", Value::Double(2.25)},
             {OpType::kWrite, "w", Str("new")},
             {OpType::kRead, "f", Value::Nil()},
             {OpType::kRead, "w", Value::Nil()}};
  EXPECT_TRUE(SameBytes(Encode(r56), Captured("56_operate_incr_float_write_read")));

  RecordRequest r57 = Record("57_client_incr", 0, info2::kWrite);
  for (const auto& [bin, v] : GoldenOp("57_client_incr")["bins"].members()) {
    r57.ops.push_back({OpType::kIncr, bin, ValueFromJson(v)});
  }
  EXPECT_TRUE(SameBytes(Encode(r57), Captured("57_client_incr")));
}

TEST(GoldenReencodeTest, ListOperates) {
  const Value kValue = Int(7), kCount = Int(5);  // return types VALUE, COUNT
  RecordRequest r = Record("59_operate_list_ops", info1::kRead, info2::kWrite);
  r.ops = {{OpType::kCdtModify, "l", Cdt({Int(1), Int(4)})},                // append 4
           {OpType::kCdtModify, "l", Cdt({Int(3), Int(0), Int(0)})},        // insert 0 at 0
           {OpType::kCdtRead, "l", Cdt({Int(19), kValue, Int(1)})},         // get by index 1
           {OpType::kCdtRead, "l", Cdt({Int(16)})},                         // size
           {OpType::kCdtModify, "l", Cdt({Int(35), kCount, Int(2)})},       // remove value 2
           {OpType::kCdtModify, "l", Cdt({Int(13), Int(0)})},               // sort
           {OpType::kRead, "l", Value::Nil()}};
  EXPECT_TRUE(SameBytes(Encode(r), Captured("59_operate_list_ops")));

  const std::vector<Value> list_index_1 = {Int(0x10), Int(1)};
  RecordRequest c = Record("60_operate_list_ctx", info1::kRead, info2::kWrite);
  c.ops = {{OpType::kCdtModify, "nl", Ctx(list_index_1, {Int(1), Int(5)})},
           {OpType::kCdtRead, "nl", Ctx(list_index_1, {Int(24), kValue, Int(0)})},
           {OpType::kCdtRead, "nl", Cdt({Int(16)})}};
  EXPECT_TRUE(SameBytes(Encode(c), Captured("60_operate_list_ctx")));
  // Fact sheet A.7: append 5 inside list index 0.
  EXPECT_EQ(testing::HexOf(AsBytes(Ctx({Int(0x10), Int(0)}, {Int(1), Int(5)}).str())),
            "93ccff921000920105");
}

TEST(GoldenReencodeTest, MapOperates) {
  const uint8_t kMapInfo2 = info2::kWrite | info2::kRespondAllOps;
  RecordRequest r = Record("61_operate_map_ops", info1::kRead, kMapInfo2);
  const Value items = Value::Map({{Str("b"), Int(2)}, {Str("c"), Int(3)}}, /*key ordered*/ 1);
  r.ops = {{OpType::kCdtModify, "m", Cdt({Int(67), Str("a"), Int(1), Int(0)})},
           {OpType::kCdtModify, "m", Cdt({Int(68), items, Int(0)})},
           {OpType::kCdtRead, "m", Cdt({Int(97), Int(7), Str("a")})},
           {OpType::kCdtModify, "m", Cdt({Int(73), Str("b"), Int(10), Int(0)})},
           {OpType::kCdtRead, "m", Cdt({Int(106), Int(8), Int(0), Int(2)})},
           {OpType::kCdtRead, "m", Cdt({Int(96)})}};
  EXPECT_TRUE(SameBytes(Encode(r), Captured("61_operate_map_ops")));

  const std::vector<Value> outer = {Int(0x22), Str("outer")};
  RecordRequest c = Record("62_operate_map_ctx", info1::kRead, kMapInfo2);
  c.ops = {{OpType::kCdtModify, "nm", Ctx(outer, {Int(67), Str("x"), Int(7), Int(0)})},
           {OpType::kCdtRead, "nm", Ctx(outer, {Int(97), Int(7), Str("inner")})},
           // map key "new", created KEY_ORDERED if missing: 0x22 | 0x80
           {OpType::kCdtModify, "nm",
            Ctx({Int(0xa2), Str("new")}, {Int(67), Str("k"), Int(1), Int(0)})},
           {OpType::kCdtRead, "nm", Cdt({Int(96)})}};
  EXPECT_TRUE(SameBytes(Encode(c), Captured("62_operate_map_ctx")));

  RecordRequest o = Record("63_operate_map_ordered_policy", info1::kRead, kMapInfo2);
  o.ops = {{OpType::kCdtModify, "om", Cdt({Int(67), Str("z"), Int(26), Int(1)})},
           {OpType::kCdtModify, "om", Cdt({Int(67), Str("a"), Int(1), Int(1)})},
           {OpType::kCdtRead, "om", Cdt({Int(104), Int(6), Int(0)})}};
  EXPECT_TRUE(SameBytes(Encode(o), Captured("63_operate_map_ordered_policy")));
  // Fact sheet A.7: map put "k" -> 1.
  EXPECT_EQ(testing::HexOf(AsBytes(Cdt({Int(67), Str("k"), Int(1), Int(0)}).str())),
            "9443a2036b0100");
}

TEST(GoldenReencodeTest, BitHllAndExpressionOperates) {
  const uint8_t kInfo2 = info2::kWrite | info2::kRespondAllOps;
  RecordRequest bits = Record("64_operate_bitwise", info1::kRead, kInfo2);
  bits.ops = {
      {OpType::kBitModify, "bb", Cdt({Int(3), Int(0), Int(8), Value::Bytes("\xff"), Int(0)})},
      {OpType::kBitRead, "bb", Cdt({Int(50), Int(8), Int(8)})},
      {OpType::kBitRead, "bb", Cdt({Int(54), Int(16), Int(8)})},
      {OpType::kBitModify, "bb", Cdt({Int(0), Int(4), Int(0), Int(0)})}};
  EXPECT_TRUE(SameBytes(Encode(bits), Captured("64_operate_bitwise")));

  RecordRequest hll = Record("65_operate_hll", info1::kRead, kInfo2);
  const Value elements = Value::List({Str("a"), Str("b"), Str("c"), Str("a")});
  hll.ops = {{OpType::kHllModify, "h", Cdt({Int(1), elements, Int(8), Int(-1), Int(0)})},
             {OpType::kHllRead, "h", Cdt({Int(50)})}};
  EXPECT_TRUE(SameBytes(Encode(hll), Captured("65_operate_hll")));

  // [[ADD|MUL, [BIN, INT, "n"], k], flags 0]
  auto exp = [](int op, int k) {
    return Value::Bytes(Pack([&](MsgpackWriter& w) {
      w.ArrayHeader(2);
      w.ArrayHeader(3);
      w.Int(op);
      w.ArrayHeader(3);
      w.Int(81);
      w.Int(2);
      w.RawString("n");
      w.Int(k);
      w.Int(0);
    }));
  };
  RecordRequest e = Record("66_operate_exp", info1::kRead, kInfo2);
  e.ops = {{OpType::kExpModify, "e", exp(20, 100)}, {OpType::kExpRead, "r", exp(22, 2)}};
  EXPECT_TRUE(SameBytes(Encode(e), Captured("66_operate_exp")));
}

TEST(GoldenReencodeTest, UdfApply) {
  RecordRequest a = Record("90_udf_apply", 0, info2::kWrite);
  a.udf = {"golden", "add", Bytes(EncodeMsgpack(Value::List({Str("n"), Int(5)})))};
  EXPECT_TRUE(SameBytes(Encode(a), Captured("90_udf_apply")));
  RecordRequest b = Record("91_udf_apply_string", 0, info2::kWrite);
  b.udf = {"golden", "hello", Bytes(EncodeMsgpack(Value::List({Str("world")})))};
  EXPECT_TRUE(SameBytes(Encode(b), Captured("91_udf_apply_string")));
}

// --- batch --------------------------------------------------------------------

struct BatchBuild {
  std::vector<Digest> digests;
  std::vector<BatchRowShape> shapes;  // one per row when rows must not repeat
  std::vector<BatchRow> rows;
};

BatchRowShape ReadShape(uint8_t i1) {
  BatchRowShape s;
  s.row_flags = batch_row_flags::kHasInfo | batch_row_flags::kHasTtl;
  s.info1 = i1;
  s.ns = "test";
  s.set = "golden";
  return s;
}

BatchRowShape WriteShape(uint8_t i2) {
  BatchRowShape s;
  s.row_flags = batch_row_flags::kHasInfo | batch_row_flags::kHasGeneration |
                batch_row_flags::kHasTtl;
  s.info2 = i2;
  s.ns = "test";
  s.set = "golden";
  return s;
}

std::string EncodeBatch(uint32_t timeout, const std::vector<BatchRow>& rows) {
  BatchEnvelope env;
  env.transaction_ttl = timeout;
  env.batch_flags = batch_flags::kInline | batch_flags::kRespondAllKeys |
                    batch_flags::kReportErrorRecord;
  ByteBuffer out;
  EncodeBatchRequest(env, rows, &out);
  return Bytes(out);
}

// Rows for the file's keys; `shape_of(i)` picks each row's shape.
std::vector<BatchRow> Rows(const std::string& name, std::vector<Digest>* digests,
                           const std::function<const BatchRowShape*(size_t)>& shape_of) {
  const auto& keys = GoldenOp(name)["keys"].items();
  digests->clear();
  for (const Json& k : keys) digests->push_back(DigestOf(k));
  std::vector<BatchRow> rows;
  for (size_t i = 0; i < keys.size(); ++i) {
    rows.push_back({static_cast<uint32_t>(i), (*digests)[i].data(), shape_of(i), {}});
  }
  return rows;
}

TEST(GoldenReencodeTest, BatchReadsRepeatIdenticalRows) {
  std::vector<Digest> digests;
  // batchRead readAllBins, batchGet: one shape, so rows 1.. are REPEAT.
  const BatchRowShape all = ReadShape(info1::kRead | info1::kGetAll);
  for (const char* name : {"67_batch_read_all_bins", "71_batch_get"}) {
    auto rows = Rows(name, &digests, [&](size_t) { return &all; });
    EXPECT_TRUE(SameBytes(EncodeBatch(kBatchReadTimeout, rows), Captured(name))) << name;
  }
  const BatchRowShape exists = ReadShape(info1::kRead | info1::kNoBinData);
  auto rows = Rows("70_batch_exists", &digests, [&](size_t) { return &exists; });
  EXPECT_TRUE(SameBytes(EncodeBatch(kBatchReadTimeout, rows), Captured("70_batch_exists")));

  // batchSelect (legacy API) shares one bin list: REPEAT rows.
  ByteBuffer read_s;
  OpWriter(&read_s).Add(OpType::kRead, ParticleType::kNull, "s", ByteSpan());
  BatchRowShape select = ReadShape(info1::kRead);
  select.ops = read_s.span();
  select.n_ops = 1;
  rows = Rows("72_batch_select", &digests, [&](size_t) { return &select; });
  EXPECT_TRUE(SameBytes(EncodeBatch(kBatchReadTimeout, rows), Captured("72_batch_select")));
}

TEST(GoldenReencodeTest, BatchReadsWithPerKeyBinsDoNotRepeat) {
  // batchRead with bins: the Node client builds a bin list per key, so no
  // row repeats; separate (equal) shapes reproduce that.
  std::vector<Digest> digests;
  ByteBuffer read_a;
  OpWriter(&read_a).Add(OpType::kRead, ParticleType::kNull, "a", ByteSpan());
  std::vector<BatchRowShape> shapes(10, ReadShape(info1::kRead));
  for (BatchRowShape& s : shapes) {
    s.ops = read_a.span();
    s.n_ops = 1;
  }
  auto rows = Rows("68_batch_read_bins", &digests, [&](size_t i) { return &shapes[i]; });
  EXPECT_TRUE(SameBytes(EncodeBatch(kBatchReadTimeout, rows), Captured("68_batch_read_bins")));

  // Three rows reading "s", then a header-only read.
  ByteBuffer read_s;
  OpWriter(&read_s).Add(OpType::kRead, ParticleType::kNull, "s", ByteSpan());
  std::vector<BatchRowShape> ops(3, ReadShape(info1::kRead));
  for (BatchRowShape& s : ops) {
    s.ops = read_s.span();
    s.n_ops = 1;
  }
  const BatchRowShape header = ReadShape(info1::kRead | info1::kNoBinData);
  rows = Rows("69_batch_read_ops", &digests,
              [&](size_t i) { return i < 3 ? &ops[i] : &header; });
  EXPECT_TRUE(SameBytes(EncodeBatch(kBatchReadTimeout, rows), Captured("69_batch_read_ops")));

  // Given one shared shape instead, our encoder sends REPEAT rows: fewer
  // bytes, the same rows once parsed.
  auto repeated = Rows("68_batch_read_bins", &digests, [&](size_t) { return &shapes[0]; });
  const std::string compact = EncodeBatch(kBatchReadTimeout, repeated);
  EXPECT_LT(compact.size(), Captured("68_batch_read_bins").size());
  auto a = testing::DecodeFrameStrict(AsBytes(compact), true);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->messages[0].batch_rows, 10u);
}

TEST(GoldenReencodeTest, BatchWritesRemovesAndApply) {
  std::vector<Digest> digests;
  const uint8_t kWriteAll = info2::kWrite | info2::kRespondAllOps;
  ByteBuffer ops1, ops2;
  {
    OpWriter w(&ops1);
    w.Begin(OpType::kWrite, ParticleType::kInteger, "a");
    StoreBE64(ops1.Extend(8), 1);
    w.End();
    w.Add(OpType::kWrite, ParticleType::kString, "s", AsBytes("w"));
  }
  {
    OpWriter w(&ops2);
    w.Begin(OpType::kIncr, ParticleType::kInteger, "a");
    StoreBE64(ops2.Extend(8), 5);
    w.End();
  }
  BatchRowShape write = WriteShape(kWriteAll);
  write.ops = ops1.span();
  write.n_ops = 2;
  BatchRowShape create = WriteShape(kWriteAll | info2::kCreateOnly);
  create.ops = ops2.span();
  create.n_ops = 1;
  const BatchRowShape read = ReadShape(info1::kRead | info1::kGetAll);
  const BatchRowShape remove = WriteShape(kWriteAll | info2::kDelete);
  const BatchRowShape* shapes[] = {&write, &create, &read, &remove};
  auto rows = Rows("73_batch_write_mixed", &digests, [&](size_t i) { return shapes[i]; });
  EXPECT_TRUE(SameBytes(EncodeBatch(kBatchWriteTimeout, rows), Captured("73_batch_write_mixed")));

  rows = Rows("74_batch_remove", &digests, [&](size_t) { return &remove; });
  EXPECT_TRUE(SameBytes(EncodeBatch(kBatchWriteTimeout, rows), Captured("74_batch_remove")));

  // batchApply: the UDF fields follow namespace and set in every full row.
  ByteBuffer udf;
  {
    ByteBuffer scratch;
    MessageWriter fields(&scratch, MsgHeader(), MessageWriter::Framing::kInsideFrame);
    fields.AddField(FieldType::kUdfPackageName, std::string_view("golden"));
    fields.AddField(FieldType::kUdfFunction, std::string_view("add"));
    fields.AddField(FieldType::kUdfArgList,
                    EncodeMsgpack(Value::List({Str("a"), Int(100)})).view());
    udf.Append(scratch.span().subspan(kMsgHeaderSize));
  }
  BatchRowShape apply = WriteShape(info2::kWrite);
  apply.trailing_fields = udf.span();
  apply.n_trailing_fields = 3;
  rows = Rows("92_batch_apply", &digests, [&](size_t) { return &apply; });
  EXPECT_TRUE(SameBytes(EncodeBatch(kBatchWriteTimeout, rows), Captured("92_batch_apply")));
}

// --- scans and queries -----------------------------------------------------------

std::vector<uint16_t> Pids(uint16_t count) {
  std::vector<uint16_t> p(count);
  for (uint16_t i = 0; i < count; ++i) p[i] = i;
  return p;
}

// The task id is random per scan/query (the README's varying field).
uint64_t CapturedTaskId(const std::string& name) {
  auto decoded = testing::DecodeFrameStrict(AsBytes(Captured(name)), true);
  EXPECT_TRUE(decoded.ok());
  for (const auto& [type, data] : decoded->messages[0].fields) {
    if (type == static_cast<uint8_t>(FieldType::kTaskId)) {
      return LoadBE64(reinterpret_cast<const uint8_t*>(data.data()));
    }
  }
  ADD_FAILURE() << name << " has no task id";
  return 0;
}

ScanRequest Foreground(const std::string& name) {
  ScanRequest s;
  s.header.info1 = info1::kRead;
  s.header.info3 = info3::kPartitionDone;
  s.header.record_ttl = kTtlNeverExpire;  // the C client writes -1 on scans
  s.ns = "test";
  s.set = "golden";
  s.socket_timeout = kScanSocketTimeout;
  s.task_id = CapturedTaskId(name);
  s.partition_ids = Pids(kPartitions);
  return s;
}

std::string Encode(const ScanRequest& s) {
  ByteBuffer out;
  EncodeScanRequest(s, &out);
  return Bytes(out);
}

TEST(GoldenReencodeTest, Scans) {
  EXPECT_TRUE(SameBytes(Encode(Foreground("75_scan_set")), Captured("75_scan_set")));

  ScanRequest select = Foreground("76_scan_select_bins");
  select.max_records = static_cast<uint64_t>(GoldenOp("76_scan_select_bins")["maxRecords"].as_int());
  for (const Json& bin : GoldenOp("76_scan_select_bins")["select"].items()) {
    select.bins.push_back(bin.as_string());
  }
  EXPECT_TRUE(SameBytes(Encode(select), Captured("76_scan_select_bins")));

  ScanRequest part = Foreground("77_scan_partitions");
  part.partition_ids = Pids(16);
  EXPECT_TRUE(SameBytes(Encode(part), Captured("77_scan_partitions")));
}

TEST(GoldenReencodeTest, Queries) {
  ScanRequest eq_int = Foreground("80_query_equal_int");
  eq_int.index_range = IndexRange::IntegerEqual("age", 30);
  EXPECT_TRUE(SameBytes(Encode(eq_int), Captured("80_query_equal_int")));

  ScanRequest eq_str = Foreground("81_query_equal_string");
  eq_str.index_range = IndexRange::StringEqual("name", "bob");
  EXPECT_TRUE(SameBytes(Encode(eq_str), Captured("81_query_equal_string")));

  ScanRequest range = Foreground("82_query_range");
  range.index_range = IndexRange::IntegerRange("age", 25, 40);
  EXPECT_TRUE(SameBytes(Encode(range), Captured("82_query_range")));

  ScanRequest filtered = Foreground("83_query_range_filter_exp");
  filtered.index_range = IndexRange::IntegerRange("age", 20, 45);
  filtered.filter_expression =
      CompareBin(1, 3, "name", [](MsgpackWriter& w) { w.String("bob"); });  // EQ, STRING
  EXPECT_TRUE(SameBytes(Encode(filtered), Captured("83_query_range_filter_exp")));

  ScanRequest select = Foreground("84_query_select_bins");
  select.index_range = IndexRange::IntegerRange("age", 30, 35);
  select.bins = {"name"};
  EXPECT_TRUE(SameBytes(Encode(select), Captured("84_query_select_bins")));

  ScanRequest primary = Foreground("85_query_no_filter");
  primary.filter_expression =
      CompareBin(4, 2, "age", [](MsgpackWriter& w) { w.Int(40); });  // GE, INT
  EXPECT_TRUE(SameBytes(Encode(primary), Captured("85_query_no_filter")));
}

// The background query is a write: info2 WRITE, the write policy's
// server timeout, its fixed task id (12345), no partition list, write ops.
TEST(GoldenReencodeTest, BackgroundQuery) {
  ScanRequest bg;
  bg.header.info2 = info2::kWrite;
  bg.header.transaction_ttl = kSingleRecordTimeout;
  bg.ns = "test";
  bg.set = "golden";
  bg.socket_timeout = kScanSocketTimeout;
  bg.task_id = static_cast<uint64_t>(GoldenOp("86_query_background_ops")["queryID"].as_int());
  bg.index_range = IndexRange::IntegerRange("age", 20, 30);
  bg.ops = {{OpType::kWrite, "bg", Int(1)}};
  EXPECT_TRUE(SameBytes(Encode(bg), Captured("86_query_background_ops")));
}

// --- info and admin ----------------------------------------------------------------

std::string Info(std::string_view lines) { return Bytes(EncodeInfoRequest(lines)); }

TEST(GoldenReencodeTest, InfoRequestsFromIndexJson) {
  int files = 0;
  for (const GoldenFile& file : AllGolden()) {
    const Json& op = GoldenOp(file.name);
    if (!op.has("request")) continue;
    EXPECT_TRUE(SameBytes(Info(op["request"].as_string()), Captured(file.name))) << file.name;
    ++files;
  }
  EXPECT_EQ(files, 8);
}

TEST(GoldenReencodeTest, TendAndAdminInfoRequests) {
  EXPECT_TRUE(SameBytes(Info("node\npartition-generation\nbuild\n"), Captured("00_tend", 0)));
  EXPECT_TRUE(SameBytes(
      Info("user-agent-set:value=" + Base64Encode("1,nodejs-6.7.1,golden-capture")),
      Captured("00_tend", 1)));
  EXPECT_TRUE(SameBytes(Info("peers-clear-std"), Captured("00_tend", 2)));
  EXPECT_TRUE(SameBytes(Info("partition-generation\nreplicas\n"), Captured("00_tend", 3)));
  EXPECT_TRUE(SameBytes(Info("node\npeers-generation\npartition-generation\n"),
                        Captured("00_tend", 4)));

  EXPECT_TRUE(SameBytes(
      Info("sindex-create:namespace=test;set=golden;indexname=golden_age_idx;bin=age;type=NUMERIC"),
      Captured("78_sindex_create_numeric")));
  EXPECT_TRUE(SameBytes(Info("sindex/test/golden_age_idx"), Captured("78_sindex_create_numeric", 1)));
  EXPECT_TRUE(SameBytes(
      Info("sindex-create:namespace=test;set=golden;indexname=golden_name_idx;bin=name;type=STRING"),
      Captured("79_sindex_create_string")));
  EXPECT_TRUE(SameBytes(Info("query-show:id=12345"), Captured("86_query_background_ops", 1)));
  EXPECT_TRUE(SameBytes(Info("sindex-delete:namespace=test;indexname=golden_age_idx"),
                        Captured("87_sindex_remove_numeric")));
  EXPECT_TRUE(SameBytes(Info("sindex-delete:namespace=test;indexname=golden_name_idx"),
                        Captured("88_sindex_remove_string")));

  const std::string lua = GoldenOp("89_udf_register")["content"].as_string();
  const std::string b64 = Base64Encode(lua);
  EXPECT_TRUE(SameBytes(Info("udf-put:filename=golden.lua;content=" + b64 + ";content-len=" +
                             std::to_string(b64.size()) + ";udf-type=LUA;"),
                        Captured("89_udf_register")));
  EXPECT_TRUE(SameBytes(Info("udf-list"), Captured("89_udf_register", 1)));
  EXPECT_TRUE(SameBytes(Info("udf-remove:filename=golden.lua;"), Captured("93_udf_remove")));
  EXPECT_TRUE(SameBytes(Info("truncate:namespace=test;set=golden"), Captured("96_truncate_set")));
}

TEST(GoldenReencodeTest, AdminQueryUsers) {
  ByteBuffer out;
  AdminWriter(&out, admin_command::kQueryUsers).Finish();
  EXPECT_TRUE(SameBytes(Bytes(out), Captured("94_admin_query_users")));
}

// Every user key index.json mentions (single keys, batch keys, the setup
// records), with its digest.
std::vector<std::pair<Value, Digest>> KnownKeys() {
  std::vector<std::pair<Value, Digest>> keys;
  auto add = [&](const Value& k) {
    auto d = DigestOfKey("golden", k);
    if (d.ok()) keys.emplace_back(k, *d);
  };
  for (const Json& op : testing::GoldenIndex()["ops"].items()) {
    if (op.has("key")) add(KeyFromJson(op["key"]));
    for (const Json& k : op["keys"].items()) add(KeyFromJson(k));
    for (const Json& r : op["records"].items()) add(ValueFromJson(r.items()[0]));
  }
  return keys;
}

// The setup captures: 02 removes every key the catalogue uses (plus the
// index and UDF cleanup), 03 puts the records later steps read.
TEST(GoldenReencodeTest, SetupRemovesAndPuts) {
  const auto keys = KnownKeys();
  int removes = 0, infos = 0, from_keys = 0;
  for (const GoldenMessage& m : File("02_setup_cleanup").messages) {
    if (!m.c2s) continue;
    if (m.type == 1) {
      ++infos;
      continue;  // the same sindex-delete / udf-remove lines as 87, 88, 93
    }
    auto decoded = testing::DecodeFrameStrict(m.span(), true);
    ASSERT_TRUE(decoded.ok());
    const std::string digest = decoded->messages[0].fields[2].second;
    const Value* key = nullptr;
    for (const auto& [k, d] : keys) {
      if (std::string(AsChars(ByteSpan(d.data(), 20))) == digest) key = &k;
    }
    RecordRequest r;
    r.header.info2 = info2::kWrite | info2::kDelete;
    r.header.transaction_ttl = kSingleRecordTimeout;
    r.ns = "test";
    r.set = "golden";
    if (key != nullptr) {
      r.digest = *DigestOfKey("golden", *key);
      ++from_keys;
    } else {
      // A key the catalogue no longer names: only its digest is known.
      std::memcpy(r.digest.data(), digest.data(), kDigestSize);
    }
    EXPECT_TRUE(SameBytes(Encode(r), m.bytes)) << testing::HexOf(AsBytes(digest));
    ++removes;
  }
  EXPECT_EQ(infos, 4);
  EXPECT_EQ(removes, 54);
  EXPECT_EQ(from_keys, 48);
  EXPECT_TRUE(SameBytes(Info("sindex-delete:namespace=test;indexname=golden_age_idx"),
                        Captured("02_setup_cleanup", removes)));

  const auto& records = GoldenOp("03_setup_records")["records"].items();
  int nth = 0;
  for (const Json& rec : records) {
    RecordRequest r;
    r.header.info2 = info2::kWrite;
    r.header.transaction_ttl = kSingleRecordTimeout;
    r.ns = "test";
    r.set = "golden";
    r.digest = *DigestOfKey("golden", ValueFromJson(rec.items()[0]));
    for (const auto& [bin, v] : rec.items()[1].members()) {
      r.ops.push_back({OpType::kWrite, bin, ValueFromJson(v)});
    }
    EXPECT_TRUE(SameBytes(Encode(r), Captured("03_setup_records", nth++)))
        << rec.items()[0].as_string();
  }
  EXPECT_EQ(nth, 19);
}

// 01_connect and every round of 00_tend send one of the five tend requests.
TEST(GoldenReencodeTest, EveryTendRequest) {
  const std::vector<std::string> tend = {
      Info("node\npartition-generation\nbuild\n"),
      Info("user-agent-set:value=" + Base64Encode("1,nodejs-6.7.1,golden-capture")),
      Info("peers-clear-std"), Info("partition-generation\nreplicas\n"),
      Info("node\npeers-generation\npartition-generation\n")};
  int checked = 0;
  for (const char* name : {"00_tend", "01_connect"}) {
    for (const GoldenMessage& m : File(name).messages) {
      if (!m.c2s) continue;
      EXPECT_NE(std::find(tend.begin(), tend.end(), m.bytes), tend.end())
          << name << ": " << m.bytes.substr(8);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 13);
}

}  // namespace
}  // namespace aerospike_py::proto
