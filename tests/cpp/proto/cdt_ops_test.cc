// The collection-operation table and encoder (proto/cdt_ops.h): the table's
// own invariants, and EncodeCdtOp's bytes against what official clients
// sent — the Node.js client (C client 7.4) in the golden captures 59-65,
// and the official Python client (aerospike 19.x) in
// tests/unit/data/cdt_official_ops.json (made by
// tests/unit/data/make_cdt_official_ops.py through the golden capture proxy).
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "golden_support.h"
#include "proto/cdt_ops.h"
#include "proto/message_view.h"
#include "proto/msgpack.h"
#include "proto/op_writer.h"

namespace aerospike_py::proto::cdt {
namespace {

using testing::AllGolden;
using testing::GoldenFile;
using testing::GoldenMessage;
using testing::HexOf;
using testing::Json;

// One op as the wire carries it.
struct WireOp {
  uint8_t op = 0;
  uint8_t particle = 0;
  std::string name;
  std::string value_hex;
};

std::vector<WireOp> OpsOfRequest(std::string_view frame) {
  std::vector<WireOp> out;
  auto m = ParseMessage(AsBytes(frame).subspan(8));
  EXPECT_TRUE(m.ok()) << m.status();
  if (!m.ok()) return out;
  OpIterator it(*m);
  OpView v;
  while (it.Next(&v)) {
    out.push_back({v.op, v.particle_type, std::string(v.name), HexOf(v.value)});
  }
  return out;
}

// The first client-to-server message of a golden capture, as ops.
std::vector<WireOp> GoldenOps(const std::string& name) {
  for (const GoldenFile& f : AllGolden()) {
    if (f.name != name) continue;
    for (const GoldenMessage& m : f.messages) {
      if (m.c2s) return OpsOfRequest(m.bytes);
    }
  }
  ADD_FAILURE() << "no capture " << name;
  return {};
}

// Builds OpArgs with values packed into storage that outlives the call.
class Args {
 public:
  explicit Args(std::string_view bin) { args_.bin = bin; }
  Args& Int(Field f, int64_t v) {
    args_.SetInt(f, v);
    return *this;
  }
  Args& Val(Field f, const Value& v) {
    packed_.emplace_back(EncodeMsgpack(v));
    args_.SetValue(f, packed_.back().span());
    return *this;
  }
  // Context steps: alternating type, value.
  Args& Ctx(std::initializer_list<Value> steps) {
    ByteBuffer b;
    MsgpackWriter w(&b);
    for (const Value& v : steps) w.Pack(v);
    packed_.emplace_back(std::move(b));
    args_.ctx = packed_.back().span();
    args_.ctx_steps = static_cast<uint32_t>(steps.size() / 2);
    return *this;
  }
  const OpArgs& get() const { return args_; }

 private:
  OpArgs args_;
  std::vector<ByteBuffer> packed_;  // deque-like: spans stay valid (moved buffers keep heap)
};

WireOp Encode(const OpSpec& spec, const Args& a) {
  ByteBuffer buf;
  OpWriter w(&buf);
  EncodeCdtOp(spec, a.get(), &w);
  EXPECT_EQ(w.count(), 1u);
  std::vector<WireOp> ops;
  OpIterator it(buf.span());
  OpView v;
  EXPECT_TRUE(it.Next(&v));
  return {v.op, v.particle_type, std::string(v.name), HexOf(v.value)};
}

const OpSpec& Op(int c) {
  const OpSpec* s = FindOp(c);
  EXPECT_NE(s, nullptr) << c;
  static const OpSpec kNone{};
  return s != nullptr ? *s : kNone;
}

void ExpectSame(const WireOp& got, const WireOp& want) {
  EXPECT_EQ(got.op, want.op) << want.name;
  EXPECT_EQ(got.particle, want.particle) << want.name;
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.value_hex, want.value_hex) << "op " << int(want.op) << " bin " << want.name;
}

Value S(const char* s) { return Value::String(s); }
Value I(int64_t i) { return Value::Int(i); }

TEST(CdtOpsTableTest, CodesAreUniqueAndFindable) {
  std::set<int> codes;
  std::set<std::string> names;
  for (const OpSpec& op : AllOps()) {
    EXPECT_TRUE(codes.insert(op.code).second) << op.code;
    EXPECT_TRUE(names.insert(op.name).second) << op.name;
    EXPECT_EQ(FindOp(op.code), &op) << op.name;
  }
  EXPECT_EQ(FindOp(0), nullptr);
  EXPECT_EQ(FindOp(1000), nullptr);
  EXPECT_EQ(FindOp(1034), nullptr);
  EXPECT_EQ(FindOp(4014), nullptr);
  EXPECT_EQ(FindOp(4049), nullptr);
  EXPECT_EQ(FindOp(4055), nullptr);
  EXPECT_EQ(FindOp(5001), nullptr);  // expression ops belong elsewhere
  EXPECT_EQ(FindOp(-1), nullptr);
  // aerospike-py's 86 functions plus the official client's 9 extras.
  EXPECT_EQ(AllOps().size(), 31u + 2 + 27 + 4 + 10 + 1 + 18);
}

TEST(CdtOpsTableTest, TrailingSlotsComeLast) {
  for (const OpSpec& op : AllOps()) {
    bool trailing = false;
    for (uint8_t i = 0; i < op.n_slots; ++i) {
      if (op.slots[i].presence == Presence::kTrailing) trailing = true;
      else EXPECT_FALSE(trailing) << op.name << " slot " << int(i);
      EXPECT_EQ(IsValueField(op.slots[i].field), op.slots[i].value_kind != ValueKind::kNone)
          << op.name << " slot " << int(i);
    }
    EXPECT_EQ(op.takes_ctx, op.family == Family::kList || op.family == Family::kMap) << op.name;
    const bool read = IsReadOp(op.wire_op);
    EXPECT_EQ(op.IsWrite(), !read);
  }
}

TEST(CdtOpsTableTest, ContextTypes) {
  for (int t : {0x10, 0x11, 0x13, 0x20, 0x21, 0x22, 0x23, 0x50, 0x90, 0xd0, 0x62, 0xa2, 0xe2}) {
    EXPECT_TRUE(IsValidContextType(t)) << t;
  }
  for (int t : {0, 0x12, 0x14, 0x24, 0x51, 0x60, 0x63, 0x100, -1, 0x2a}) {
    EXPECT_FALSE(IsValidContextType(t)) << t;
  }
  EXPECT_TRUE(ContextTakesInteger(0x10));
  EXPECT_TRUE(ContextTakesInteger(0x21));
  EXPECT_TRUE(ContextTakesInteger(0xd0));
  EXPECT_FALSE(ContextTakesInteger(0x13));
  EXPECT_FALSE(ContextTakesInteger(0xa2));
}

TEST(CdtOpsTableTest, ReturnTypes) {
  for (int rt : {0, 1, 2, 3, 4, 5, 7, 13}) EXPECT_TRUE(IsValidReturnType(Family::kList, rt));
  for (int rt : {6, 8, 9, 16, 17, -1}) EXPECT_FALSE(IsValidReturnType(Family::kList, rt));
  for (int rt : {0, 1, 2, 3, 4, 5, 6, 7, 8, 13, 16, 17}) {
    EXPECT_TRUE(IsValidReturnType(Family::kMap, rt));
  }
  for (int rt : {9, 12, 14, 18, 0x10000}) EXPECT_FALSE(IsValidReturnType(Family::kMap, rt));
}

TEST(CdtOpsTableTest, MapWriteVariants) {
  const OpSpec& put = Op(code::kMapPut);
  EXPECT_EQ(&MapWriteVariant(put, kMapUpdate), &put);
  EXPECT_EQ(MapWriteVariant(put, kMapCreateOnly).cdt_op, 65);
  EXPECT_EQ(MapWriteVariant(put, kMapUpdateOnly).cdt_op, 69);
  const OpSpec& items = Op(code::kMapPutItems);
  EXPECT_EQ(MapWriteVariant(items, kMapCreateOnly).cdt_op, 66);
  EXPECT_EQ(MapWriteVariant(items, kMapUpdateOnly).cdt_op, 70);
  // Replace never creates a map, so it takes no order.
  EXPECT_FALSE(MapWriteVariant(put, kMapUpdateOnly).Has(Field::kOrder));
  EXPECT_TRUE(MapWriteVariant(put, kMapCreateOnly).Has(Field::kOrder));
}

// Node.js client (C client 7.4): captures 59 and 60.
TEST(CdtOpsGoldenTest, ListOps) {
  std::vector<WireOp> want = GoldenOps("59_operate_list_ops");
  ASSERT_EQ(want.size(), 7u);
  ExpectSame(Encode(Op(code::kListAppend), Args("l").Val(Field::kValue, I(4))), want[0]);
  ExpectSame(Encode(Op(code::kListInsert),
                    Args("l").Int(Field::kIndex, 0).Val(Field::kValue, I(0))),
             want[1]);
  ExpectSame(Encode(Op(code::kListGetByIndex),
                    Args("l").Int(Field::kReturnType, 7).Int(Field::kIndex, 1)),
             want[2]);
  ExpectSame(Encode(Op(code::kListSize), Args("l")), want[3]);
  ExpectSame(Encode(Op(code::kListRemoveByValue),
                    Args("l").Int(Field::kReturnType, 5).Val(Field::kValue, I(2))),
             want[4]);
  ExpectSame(Encode(Op(code::kListSort), Args("l").Int(Field::kFlags, 0)), want[5]);
  // Absent defaults are sent too: list_sort with no flags given.
  ExpectSame(Encode(Op(code::kListSort), Args("l")), want[5]);

  std::vector<WireOp> ctx = GoldenOps("60_operate_list_ctx");
  ASSERT_EQ(ctx.size(), 3u);
  ExpectSame(Encode(Op(code::kListAppend),
                    Args("nl").Val(Field::kValue, I(5)).Ctx({I(0x10), I(1)})),
             ctx[0]);
  ExpectSame(Encode(Op(code::kListGetByIndexRange), Args("nl")
                                                        .Int(Field::kReturnType, 7)
                                                        .Int(Field::kIndex, 0)
                                                        .Ctx({I(0x10), I(1)})),
             ctx[1]);
  ExpectSame(Encode(Op(code::kListSize), Args("nl")), ctx[2]);
}

// Captures 61-63: maps, map contexts (with a create flag), ordered policy.
TEST(CdtOpsGoldenTest, MapOps) {
  std::vector<WireOp> want = GoldenOps("61_operate_map_ops");
  ASSERT_EQ(want.size(), 6u);
  ExpectSame(Encode(Op(code::kMapPut), Args("m").Val(Field::kMapKey, S("a")).Val(Field::kValue,
                                                                                 I(1))),
             want[0]);
  const Value items = Value::Map({{S("b"), I(2)}, {S("c"), I(3)}}, 1);
  ExpectSame(Encode(Op(code::kMapPutItems), Args("m").Val(Field::kValue, items)), want[1]);
  ExpectSame(Encode(Op(code::kMapGetByKey),
                    Args("m").Int(Field::kReturnType, 7).Val(Field::kMapKey, S("a"))),
             want[2]);
  ExpectSame(Encode(Op(code::kMapIncrement),
                    Args("m").Val(Field::kMapKey, S("b")).Val(Field::kValue, I(10))),
             want[3]);
  ExpectSame(Encode(Op(code::kMapGetByRankRange), Args("m")
                                                      .Int(Field::kReturnType, 8)
                                                      .Int(Field::kRank, 0)
                                                      .Int(Field::kCount, 2)),
             want[4]);
  ExpectSame(Encode(Op(code::kMapSize), Args("m")), want[5]);

  std::vector<WireOp> ctx = GoldenOps("62_operate_map_ctx");
  ASSERT_EQ(ctx.size(), 4u);
  ExpectSame(Encode(Op(code::kMapPut), Args("nm")
                                           .Val(Field::kMapKey, S("x"))
                                           .Val(Field::kValue, I(7))
                                           .Ctx({I(0x22), S("outer")})),
             ctx[0]);
  ExpectSame(Encode(Op(code::kMapGetByKey), Args("nm")
                                                .Int(Field::kReturnType, 7)
                                                .Val(Field::kMapKey, S("inner"))
                                                .Ctx({I(0x22), S("outer")})),
             ctx[1]);
  ExpectSame(Encode(Op(code::kMapPut), Args("nm")
                                           .Val(Field::kMapKey, S("k"))
                                           .Val(Field::kValue, I(1))
                                           .Ctx({I(ctx::kMapKey | ctx::kCreateMapKeyOrdered),
                                                 S("new")})),
             ctx[2]);

  std::vector<WireOp> ordered = GoldenOps("63_operate_map_ordered_policy");
  ASSERT_EQ(ordered.size(), 3u);
  ExpectSame(Encode(Op(code::kMapPut), Args("om")
                                           .Val(Field::kMapKey, S("z"))
                                           .Val(Field::kValue, I(26))
                                           .Int(Field::kOrder, 1)),
             ordered[0]);
  ExpectSame(Encode(Op(code::kMapGetByIndexRange),
                    Args("om").Int(Field::kReturnType, 6).Int(Field::kIndex, 0)),
             ordered[2]);
}

// Captures 64 and 65: bit and HLL ops.
TEST(CdtOpsGoldenTest, BitAndHllOps) {
  std::vector<WireOp> bits = GoldenOps("64_operate_bitwise");
  ASSERT_EQ(bits.size(), 4u);
  ExpectSame(Encode(Op(code::kBitSet), Args("bb")
                                           .Int(Field::kBitOffset, 0)
                                           .Int(Field::kBitSize, 8)
                                           .Val(Field::kBytes, Value::Bytes("\xff"))),
             bits[0]);
  ExpectSame(Encode(Op(code::kBitGet),
                    Args("bb").Int(Field::kBitOffset, 8).Int(Field::kBitSize, 8)),
             bits[1]);
  ExpectSame(Encode(Op(code::kBitGetInt),
                    Args("bb").Int(Field::kBitOffset, 16).Int(Field::kBitSize, 8)),
             bits[2]);
  ExpectSame(Encode(Op(code::kBitResize), Args("bb").Int(Field::kByteSize, 4)), bits[3]);

  std::vector<WireOp> hll = GoldenOps("65_operate_hll");
  ASSERT_EQ(hll.size(), 2u);
  const Value elements = Value::List({S("a"), S("b"), S("c"), S("a")});
  ExpectSame(Encode(Op(code::kHllAdd),
                    Args("h").Val(Field::kValue, elements).Int(Field::kIndexBits, 8)),
             hll[0]);
  ExpectSame(Encode(Op(code::kHllGetCount), Args("h")), hll[1]);
}

// The official Python client (aerospike 19.x, C client inside): ops cut
// from its requests by tests/unit/data/make_cdt_official_ops.py. (The Python
// test test_cdt_official_bytes.py checks all 124 through our op dicts.)
std::string OfficialOp(const std::string& name) {
  static const Json* ops = [] {
    const std::string path = std::string(ASPY_GOLDEN_DIR) + "/../unit/data/cdt_official_ops.json";
    auto json = Json::Parse(testing::ReadWholeFile(path));
    EXPECT_TRUE(json.ok()) << json.status();
    static Json parsed = json.ok() ? *json : Json();
    return &parsed["ops"];
  }();
  EXPECT_TRUE(ops->has(name)) << name;
  return (*ops)[name].as_string();
}

std::string Hex(const OpSpec& spec, const Args& a) {
  ByteBuffer buf;
  OpWriter w(&buf);
  EncodeCdtOp(spec, a.get(), &w);
  return HexOf(buf.span());
}

TEST(CdtOpsOfficialPythonTest, PoliciesFlagsAndContexts) {
  EXPECT_EQ(Hex(Op(code::kMapPut), Args("b")
                                      .Val(Field::kMapKey, S("k"))
                                      .Val(Field::kValue, I(1))
                                      .Int(Field::kOrder, 0)
                                      .Int(Field::kWriteFlags, 5)),
            OfficialOp("map_put_flags"));
  EXPECT_EQ(Hex(Op(code::kMapPut),
                Args("b").Val(Field::kMapKey, I(5)).Val(Field::kValue, S("v")).Int(Field::kOrder, 1)),
            OfficialOp("map_put_key_ordered"));
  EXPECT_EQ(Hex(Op(code::kMapPut), Args("b")
                                      .Val(Field::kMapKey, S("x"))
                                      .Val(Field::kValue, I(1))
                                      .Ctx({I(ctx::kMapKey | ctx::kCreateMapKeyValueOrdered), S("n")})),
            OfficialOp("ctx_map_key_create"));
  EXPECT_EQ(Hex(Op(code::kListAppend),
                Args("b").Val(Field::kValue, I(1)).Ctx(
                    {I(ctx::kListIndex | ctx::kCreateListUnorderedPadded), I(3)})),
            OfficialOp("ctx_list_index_create_pad"));
  EXPECT_EQ(Hex(Op(code::kListSetOrder),
                Args("b").Int(Field::kFlags, 0).Ctx({I(ctx::kListIndex | ctx::kCreateListUnorderedPadded),
                                                     I(2)})),
            OfficialOp("list_create_ctx"));
  EXPECT_EQ(Hex(Op(code::kMapSetOrder), Args("b").Int(Field::kFlags, 0x11)),
            OfficialOp("map_create_top_persist"));
  EXPECT_EQ(Hex(Op(code::kListIncrement), Args("b")
                                              .Int(Field::kIndex, 0)
                                              .Val(Field::kValue, Value::Double(1.5))
                                              .Int(Field::kOrder, 1)
                                              .Int(Field::kWriteFlags, 0)),
            OfficialOp("list_increment_float_policy"));
  EXPECT_EQ(Hex(Op(code::kListInsert),
                Args("b").Int(Field::kIndex, 1).Val(Field::kValue, I(7)).Int(Field::kWriteFlags, 2)),
            OfficialOp("list_insert_policy"));
  EXPECT_EQ(Hex(Op(code::kMapRemoveByValueRange), Args("b")
                                                      .Int(Field::kReturnType, 7 | kInvertedFlag)
                                                      .Val(Field::kValue, I(1))
                                                      .Val(Field::kValueEnd, I(10))),
            OfficialOp("map_remove_by_value_range"));
  EXPECT_EQ(Hex(Op(code::kMapGetByValueRankRangeRelative),
                Args("b").Int(Field::kReturnType, 7).Val(Field::kValue, I(10)).Int(Field::kRank, 1)),
            OfficialOp("map_get_by_value_rank_range_relative"));
}

TEST(CdtOpsOfficialPythonTest, BitsAndHll) {
  EXPECT_EQ(Hex(Op(code::kBitAdd), Args("b")
                                      .Int(Field::kBitOffset, 8)
                                      .Int(Field::kBitSize, 8)
                                      .Int(Field::kIntValue, 5)
                                      .Int(Field::kMathFlags, 4 | 1)),
            OfficialOp("bit_add_signed"));
  EXPECT_EQ(Hex(Op(code::kBitResize), Args("b").Int(Field::kByteSize, 8).Int(Field::kResizeFlags, 3)),
            OfficialOp("bit_resize"));
  EXPECT_EQ(Hex(Op(code::kBitXor), Args("b")
                                      .Int(Field::kBitOffset, 0)
                                      .Int(Field::kBitSize, 16)
                                      .Val(Field::kBytes, Value::Bytes(std::string("\xff\x00", 2)))
                                      .Int(Field::kWriteFlags, 4)),
            OfficialOp("bit_xor"));
  EXPECT_EQ(Hex(Op(code::kHllAdd), Args("b")
                                      .Val(Field::kValue, Value::List({S("x")}))
                                      .Int(Field::kIndexBits, 8)
                                      .Int(Field::kMinhashBits, 6)
                                      .Int(Field::kWriteFlags, 4)),
            OfficialOp("hll_add_mh"));
}

TEST(CdtOpsEncodeTest, TrailingArgumentsStopAtTheFirstAbsentOne) {
  // list_append with a policy sends order and flags; without, neither.
  WireOp with = Encode(Op(code::kListAppend), Args("l")
                                                  .Val(Field::kValue, I(1))
                                                  .Int(Field::kOrder, 1)
                                                  .Int(Field::kWriteFlags, 6));
  EXPECT_EQ(with.value_hex, "9401010106");
  // A count makes a range bounded; without it, the range runs to the end.
  EXPECT_EQ(Encode(Op(code::kListGetByIndexRange),
                   Args("l").Int(Field::kReturnType, 7).Int(Field::kIndex, -2))
                .value_hex,
            "931807fe");
  EXPECT_EQ(Encode(Op(code::kListGetByIndexRange), Args("l")
                                                       .Int(Field::kReturnType, 7 | kInvertedFlag)
                                                       .Int(Field::kIndex, 1)
                                                       .Int(Field::kCount, 3))
                .value_hex,
            "9418ce0001000701" "03");
  // bit_get_int sends the signed flag only when set.
  EXPECT_EQ(Encode(Op(code::kBitGetInt), Args("b")
                                             .Int(Field::kBitOffset, 0)
                                             .Int(Field::kBitSize, 8)
                                             .Int(Field::kSigned, 1))
                .value_hex,
            "9436000801");
  // bit_lscan's value is a msgpack bool.
  EXPECT_EQ(Encode(Op(code::kBitLscan), Args("b")
                                            .Int(Field::kBitOffset, 0)
                                            .Int(Field::kBitSize, 8)
                                            .Int(Field::kBool, 1))
                .value_hex,
            "94340008c3");
  // hll_init without minhash bits sends -1 and flags 0.
  EXPECT_EQ(Encode(Op(code::kHllInit), Args("h").Int(Field::kIndexBits, 10)).value_hex,
            "94000aff00");
}

TEST(CdtOpsEncodeTest, WireOpTypes) {
  EXPECT_EQ(Encode(Op(code::kListSize), Args("l")).op, static_cast<uint8_t>(OpType::kCdtRead));
  EXPECT_EQ(Encode(Op(code::kMapClear), Args("m")).op, static_cast<uint8_t>(OpType::kCdtModify));
  EXPECT_EQ(Encode(Op(code::kHllDescribe), Args("h")).op, static_cast<uint8_t>(OpType::kHllRead));
  EXPECT_EQ(Encode(Op(code::kHllFold), Args("h").Int(Field::kIndexBits, 4)).op,
            static_cast<uint8_t>(OpType::kHllModify));
  EXPECT_EQ(Encode(Op(code::kBitCount), Args("b").Int(Field::kBitOffset, 0).Int(Field::kBitSize,
                                                                               8))
                .op,
            static_cast<uint8_t>(OpType::kBitRead));
  EXPECT_EQ(Encode(Op(code::kBitNot), Args("b").Int(Field::kBitOffset, 0).Int(Field::kBitSize, 8))
                .op,
            static_cast<uint8_t>(OpType::kBitModify));
}

}  // namespace
}  // namespace aerospike_py::proto::cdt
