#include "proto/cdt_ops.h"

#include <initializer_list>

#include "proto/msgpack.h"

namespace aerospike_py::proto::cdt {
namespace {

// Slot shorthands for the table below.
constexpr Slot Req(Field f, ValueKind k = ValueKind::kNone) {
  return Slot{f, Presence::kRequired, 0, k};
}
constexpr Slot Def(Field f, int8_t d = 0, ValueKind k = ValueKind::kNone) {
  return Slot{f, Presence::kDefault, d, k};
}
constexpr Slot Opt(Field f, ValueKind k = ValueKind::kNone) {
  return Slot{f, Presence::kTrailing, 0, k};
}

constexpr Slot kRt = Req(Field::kReturnType);
constexpr Slot kIdx = Req(Field::kIndex);
constexpr Slot kRank = Req(Field::kRank);
constexpr Slot kCnt = Opt(Field::kCount);
constexpr Slot kVal = Def(Field::kValue, 0, ValueKind::kAny);
constexpr Slot kNum = Req(Field::kValue, ValueKind::kNumber);
constexpr Slot kList = Req(Field::kValue, ValueKind::kList);
constexpr Slot kBegin = Def(Field::kValue, 0, ValueKind::kAny);
constexpr Slot kEnd = Opt(Field::kValueEnd, ValueKind::kAny);
constexpr Slot kKey = Req(Field::kMapKey, ValueKind::kAny);
constexpr Slot kListOrder = Opt(Field::kOrder);
constexpr Slot kListFlags = Opt(Field::kWriteFlags);
constexpr Slot kMapAttr = Def(Field::kOrder);
constexpr Slot kMapFlags = Opt(Field::kWriteFlags);
constexpr Slot kBitFlags = Def(Field::kWriteFlags);
constexpr Slot kBitOff = Req(Field::kBitOffset);
constexpr Slot kBitSize = Req(Field::kBitSize);
constexpr Slot kBlob = Req(Field::kBytes, ValueKind::kBlob);
constexpr Slot kHllFlags = Def(Field::kWriteFlags);

constexpr OpType kLR = OpType::kCdtRead;
constexpr OpType kLW = OpType::kCdtModify;
constexpr OpType kBR = OpType::kBitRead;
constexpr OpType kBW = OpType::kBitModify;
constexpr OpType kHR = OpType::kHllRead;
constexpr OpType kHW = OpType::kHllModify;

#define ROW(c, n, fam, wire, op, ctx, ...)                                    \
  OpSpec {                                                                    \
    code::c, n, Family::fam, wire, op, ctx, {__VA_ARGS__},                    \
        static_cast<uint8_t>(std::initializer_list<Slot>{__VA_ARGS__}.size()) \
  }
#define ROW0(c, n, fam, wire, op, ctx) \
  OpSpec { code::c, n, Family::fam, wire, op, ctx, {}, 0 }

// Wire layouts follow the server's op tables (as/src/base/cdt.c,
// particle_blob.c, particle_hll.c) and the argument order the official
// clients send.
const OpSpec kOps[] = {
    // ---- lists: [op, args...] ----
    ROW(kListAppend, "list_append", kList, kLW, 1, true, kVal, kListOrder, kListFlags),
    ROW(kListAppendItems, "list_append_items", kList, kLW, 2, true, kList, kListOrder, kListFlags),
    ROW(kListInsert, "list_insert", kList, kLW, 3, true, kIdx, kVal, kListFlags),
    ROW(kListInsertItems, "list_insert_items", kList, kLW, 4, true, kIdx, kList, kListFlags),
    ROW(kListPop, "list_pop", kList, kLW, 5, true, kIdx),
    ROW(kListPopRange, "list_pop_range", kList, kLW, 6, true, kIdx, kCnt),
    ROW(kListRemove, "list_remove", kList, kLW, 7, true, kIdx),
    ROW(kListRemoveRange, "list_remove_range", kList, kLW, 8, true, kIdx, kCnt),
    ROW(kListSet, "list_set", kList, kLW, 9, true, kIdx, kVal, kListFlags),
    ROW(kListTrim, "list_trim", kList, kLW, 10, true, kIdx, Req(Field::kCount)),
    ROW0(kListClear, "list_clear", kList, kLW, 11, true),
    ROW0(kListSize, "list_size", kList, kLR, 16, true),
    ROW(kListGet, "list_get", kList, kLR, 17, true, kIdx),
    ROW(kListGetRange, "list_get_range", kList, kLR, 18, true, kIdx, kCnt),
    ROW(kListGetByValue, "list_get_by_value", kList, kLR, 22, true, kRt, kVal),
    ROW(kListGetByIndex, "list_get_by_index", kList, kLR, 19, true, kRt, kIdx),
    ROW(kListGetByIndexRange, "list_get_by_index_range", kList, kLR, 24, true, kRt, kIdx, kCnt),
    ROW(kListGetByRank, "list_get_by_rank", kList, kLR, 21, true, kRt, kRank),
    ROW(kListGetByRankRange, "list_get_by_rank_range", kList, kLR, 26, true, kRt, kRank, kCnt),
    ROW(kListGetByValueList, "list_get_by_value_list", kList, kLR, 23, true, kRt, kList),
    ROW(kListGetByValueRange, "list_get_by_value_range", kList, kLR, 25, true, kRt, kBegin, kEnd),
    ROW(kListRemoveByValue, "list_remove_by_value", kList, kLW, 35, true, kRt, kVal),
    ROW(kListRemoveByValueList, "list_remove_by_value_list", kList, kLW, 36, true, kRt, kList),
    ROW(kListRemoveByValueRange, "list_remove_by_value_range", kList, kLW, 38, true, kRt, kBegin,
        kEnd),
    ROW(kListRemoveByIndex, "list_remove_by_index", kList, kLW, 32, true, kRt, kIdx),
    ROW(kListRemoveByIndexRange, "list_remove_by_index_range", kList, kLW, 37, true, kRt, kIdx,
        kCnt),
    ROW(kListRemoveByRank, "list_remove_by_rank", kList, kLW, 34, true, kRt, kRank),
    ROW(kListRemoveByRankRange, "list_remove_by_rank_range", kList, kLW, 39, true, kRt, kRank,
        kCnt),
    ROW(kListIncrement, "list_increment", kList, kLW, 12, true, kIdx, kNum, kListOrder,
        kListFlags),
    ROW(kListSort, "list_sort", kList, kLW, 13, true, Def(Field::kFlags)),
    ROW(kListSetOrder, "list_set_order", kList, kLW, 0, true, Def(Field::kFlags)),
    ROW(kListGetByValueRankRangeRelative, "list_get_by_value_rank_range_relative", kList, kLR, 27,
        true, kRt, Req(Field::kValue, ValueKind::kAny), kRank, kCnt),
    ROW(kListRemoveByValueRankRangeRelative, "list_remove_by_value_rank_range_relative", kList,
        kLW, 40, true, kRt, Req(Field::kValue, ValueKind::kAny), kRank, kCnt),

    // ---- maps ----
    ROW(kMapSetOrder, "map_set_order", kMap, kLW, 64, true, Def(Field::kFlags)),
    ROW(kMapPut, "map_put", kMap, kLW, 67, true, kKey, kVal, kMapAttr, kMapFlags),
    ROW(kMapPutItems, "map_put_items", kMap, kLW, 68, true, Req(Field::kValue, ValueKind::kMap),
        kMapAttr, kMapFlags),
    ROW(kMapIncrement, "map_increment", kMap, kLW, 73, true, kKey, kNum, kMapAttr),
    ROW(kMapDecrement, "map_decrement", kMap, kLW, 74, true, kKey, kNum, kMapAttr),
    ROW0(kMapClear, "map_clear", kMap, kLW, 75, true),
    ROW(kMapRemoveByKey, "map_remove_by_key", kMap, kLW, 76, true, kRt, kKey),
    ROW(kMapRemoveByKeyList, "map_remove_by_key_list", kMap, kLW, 81, true, kRt, kList),
    ROW(kMapRemoveByKeyRange, "map_remove_by_key_range", kMap, kLW, 84, true, kRt, kBegin, kEnd),
    ROW(kMapRemoveByValue, "map_remove_by_value", kMap, kLW, 82, true, kRt, kVal),
    ROW(kMapRemoveByValueList, "map_remove_by_value_list", kMap, kLW, 83, true, kRt, kList),
    ROW(kMapRemoveByValueRange, "map_remove_by_value_range", kMap, kLW, 86, true, kRt, kBegin,
        kEnd),
    ROW(kMapRemoveByIndex, "map_remove_by_index", kMap, kLW, 77, true, kRt, kIdx),
    ROW(kMapRemoveByIndexRange, "map_remove_by_index_range", kMap, kLW, 85, true, kRt, kIdx, kCnt),
    ROW(kMapRemoveByRank, "map_remove_by_rank", kMap, kLW, 79, true, kRt, kRank),
    ROW(kMapRemoveByRankRange, "map_remove_by_rank_range", kMap, kLW, 87, true, kRt, kRank, kCnt),
    ROW0(kMapSize, "map_size", kMap, kLR, 96, true),
    ROW(kMapGetByKey, "map_get_by_key", kMap, kLR, 97, true, kRt, kKey),
    ROW(kMapGetByKeyRange, "map_get_by_key_range", kMap, kLR, 103, true, kRt, kBegin, kEnd),
    ROW(kMapGetByValue, "map_get_by_value", kMap, kLR, 102, true, kRt, kVal),
    ROW(kMapGetByValueRange, "map_get_by_value_range", kMap, kLR, 105, true, kRt, kBegin, kEnd),
    ROW(kMapGetByIndex, "map_get_by_index", kMap, kLR, 98, true, kRt, kIdx),
    ROW(kMapGetByIndexRange, "map_get_by_index_range", kMap, kLR, 104, true, kRt, kIdx, kCnt),
    ROW(kMapGetByRank, "map_get_by_rank", kMap, kLR, 100, true, kRt, kRank),
    ROW(kMapGetByRankRange, "map_get_by_rank_range", kMap, kLR, 106, true, kRt, kRank, kCnt),
    ROW(kMapGetByKeyList, "map_get_by_key_list", kMap, kLR, 107, true, kRt, kList),
    ROW(kMapGetByValueList, "map_get_by_value_list", kMap, kLR, 108, true, kRt, kList),
    ROW(kMapGetByKeyIndexRangeRelative, "map_get_by_key_index_range_relative", kMap, kLR, 109,
        true, kRt, kKey, kIdx, kCnt),
    ROW(kMapGetByValueRankRangeRelative, "map_get_by_value_rank_range_relative", kMap, kLR, 110,
        true, kRt, Req(Field::kValue, ValueKind::kAny), kRank, kCnt),
    ROW(kMapRemoveByKeyIndexRangeRelative, "map_remove_by_key_index_range_relative", kMap, kLW, 88,
        true, kRt, kKey, kIdx, kCnt),
    ROW(kMapRemoveByValueRankRangeRelative, "map_remove_by_value_rank_range_relative", kMap, kLW,
        89, true, kRt, Req(Field::kValue, ValueKind::kAny), kRank, kCnt),

    // ---- HyperLogLog ----
    ROW(kHllInit, "hll_init", kHll, kHW, 0, false, Req(Field::kIndexBits),
        Def(Field::kMinhashBits, -1), kHllFlags),
    ROW(kHllAdd, "hll_add", kHll, kHW, 1, false, kList, Def(Field::kIndexBits, -1),
        Def(Field::kMinhashBits, -1), kHllFlags),
    ROW0(kHllGetCount, "hll_get_count", kHll, kHR, 50, false),
    ROW(kHllGetUnion, "hll_get_union", kHll, kHR, 51, false,
        Req(Field::kValue, ValueKind::kBlobList)),
    ROW(kHllGetUnionCount, "hll_get_union_count", kHll, kHR, 52, false,
        Req(Field::kValue, ValueKind::kBlobList)),
    ROW(kHllGetIntersectCount, "hll_get_intersect_count", kHll, kHR, 53, false,
        Req(Field::kValue, ValueKind::kBlobList)),
    ROW(kHllGetSimilarity, "hll_get_similarity", kHll, kHR, 54, false,
        Req(Field::kValue, ValueKind::kBlobList)),
    ROW0(kHllDescribe, "hll_describe", kHll, kHR, 55, false),
    ROW(kHllFold, "hll_fold", kHll, kHW, 4, false, Req(Field::kIndexBits)),
    ROW(kHllSetUnion, "hll_set_union", kHll, kHW, 2, false,
        Req(Field::kValue, ValueKind::kBlobList), kHllFlags),
    ROW0(kHllRefreshCount, "hll_refresh_count", kHll, kHW, 3, false),

    // ---- bits ----
    ROW(kBitResize, "bit_resize", kBit, kBW, 0, false, Req(Field::kByteSize), kBitFlags,
        Def(Field::kResizeFlags)),
    ROW(kBitInsert, "bit_insert", kBit, kBW, 1, false, Req(Field::kByteOffset), kBlob, kBitFlags),
    ROW(kBitRemove, "bit_remove", kBit, kBW, 2, false, Req(Field::kByteOffset),
        Req(Field::kByteSize), kBitFlags),
    ROW(kBitSet, "bit_set", kBit, kBW, 3, false, kBitOff, kBitSize, kBlob, kBitFlags),
    ROW(kBitOr, "bit_or", kBit, kBW, 4, false, kBitOff, kBitSize, kBlob, kBitFlags),
    ROW(kBitXor, "bit_xor", kBit, kBW, 5, false, kBitOff, kBitSize, kBlob, kBitFlags),
    ROW(kBitAnd, "bit_and", kBit, kBW, 6, false, kBitOff, kBitSize, kBlob, kBitFlags),
    ROW(kBitNot, "bit_not", kBit, kBW, 7, false, kBitOff, kBitSize, kBitFlags),
    ROW(kBitLshift, "bit_lshift", kBit, kBW, 8, false, kBitOff, kBitSize, Req(Field::kShift),
        kBitFlags),
    ROW(kBitRshift, "bit_rshift", kBit, kBW, 9, false, kBitOff, kBitSize, Req(Field::kShift),
        kBitFlags),
    ROW(kBitAdd, "bit_add", kBit, kBW, 10, false, kBitOff, kBitSize, Req(Field::kIntValue),
        kBitFlags, Def(Field::kMathFlags)),
    ROW(kBitSubtract, "bit_subtract", kBit, kBW, 11, false, kBitOff, kBitSize,
        Req(Field::kIntValue), kBitFlags, Def(Field::kMathFlags)),
    ROW(kBitSetInt, "bit_set_int", kBit, kBW, 12, false, kBitOff, kBitSize, Req(Field::kIntValue),
        kBitFlags),
    ROW(kBitGet, "bit_get", kBit, kBR, 50, false, kBitOff, kBitSize),
    ROW(kBitCount, "bit_count", kBit, kBR, 51, false, kBitOff, kBitSize),
    ROW(kBitLscan, "bit_lscan", kBit, kBR, 52, false, kBitOff, kBitSize, Req(Field::kBool)),
    ROW(kBitRscan, "bit_rscan", kBit, kBR, 53, false, kBitOff, kBitSize, Req(Field::kBool)),
    ROW(kBitGetInt, "bit_get_int", kBit, kBR, 54, false, kBitOff, kBitSize, Opt(Field::kSigned)),
};

// The write-mode variants of map_put / map_put_items (not addressable by a
// code of their own): the server's "add" (create only) and "replace"
// (update only).
const OpSpec kMapAdd = ROW(kMapPut, "map_put", kMap, kLW, 65, true, kKey, kVal, kMapAttr);
const OpSpec kMapReplace = ROW(kMapPut, "map_put", kMap, kLW, 69, true, kKey, kVal);
const OpSpec kMapAddItems = ROW(kMapPutItems, "map_put_items", kMap, kLW, 66, true,
                                Req(Field::kValue, ValueKind::kMap), kMapAttr);
const OpSpec kMapReplaceItems = ROW(kMapPutItems, "map_put_items", kMap, kLW, 70, true,
                                    Req(Field::kValue, ValueKind::kMap));

#undef ROW
#undef ROW0

// Codes are dense within each family: index by (code - base).
struct FamilyIndex {
  int base;
  int count;
  const OpSpec* rows[64];
};

struct Index {
  FamilyIndex families[5];  // list, map, HLL, bit writes, bit reads
  Index() : families{{1001, 33, {}}, {2001, 31, {}}, {3001, 11, {}}, {4001, 13, {}},
                     {4050, 5, {}}} {
    for (const OpSpec& op : kOps) {
      for (FamilyIndex& f : families) {
        if (op.code >= f.base && op.code < f.base + f.count) f.rows[op.code - f.base] = &op;
      }
    }
  }
};

const Index& TheIndex() {
  static const Index index;
  return index;
}

void WriteSlot(const Slot& slot, const OpArgs& args, MsgpackWriter* mw, ByteBuffer* out) {
  const int f = static_cast<int>(slot.field);
  if (IsValueField(slot.field)) {
    if (args.Has(slot.field)) {
      out->Append(args.values[f]);
    } else {
      mw->Nil();
    }
    return;
  }
  const int64_t v = args.Has(slot.field) ? args.ints[f] : slot.default_value;
  if (slot.field == Field::kBool) {
    mw->Bool(v != 0);
  } else {
    mw->Int(v);
  }
}

}  // namespace

bool OpSpec::Has(Field f) const {
  for (uint8_t i = 0; i < n_slots; ++i) {
    if (slots[i].field == f) return true;
  }
  return false;
}

const OpSpec* FindOp(int64_t code) {
  for (const FamilyIndex& f : TheIndex().families) {
    if (code >= f.base && code < f.base + f.count) return f.rows[code - f.base];
  }
  return nullptr;
}

absl::Span<const OpSpec> AllOps() { return absl::MakeConstSpan(kOps); }

const OpSpec& MapWriteVariant(const OpSpec& put, int write_mode) {
  const bool items = put.code == code::kMapPutItems;
  switch (write_mode) {
    case kMapCreateOnly:
      return items ? kMapAddItems : kMapAdd;
    case kMapUpdateOnly:
      return items ? kMapReplaceItems : kMapReplace;
    default:
      return put;
  }
}

bool IsValidContextType(int64_t type) {
  switch (type) {
    case ctx::kListIndex:
    case ctx::kListRank:
    case ctx::kListValue:
    case ctx::kMapIndex:
    case ctx::kMapRank:
    case ctx::kMapKey:
    case ctx::kMapValue:
    case ctx::kListIndex | ctx::kCreateListUnordered:
    case ctx::kListIndex | ctx::kCreateListUnorderedPadded:
    case ctx::kListIndex | ctx::kCreateListOrdered:
    case ctx::kMapKey | ctx::kCreateMapUnordered:
    case ctx::kMapKey | ctx::kCreateMapKeyOrdered:
    case ctx::kMapKey | ctx::kCreateMapKeyValueOrdered:
      return true;
    default:
      return false;
  }
}

bool ContextTakesInteger(int64_t type) {
  const int64_t base = type & 0x0f;
  return base == 0 || base == 1;  // index, rank
}

bool IsValidReturnType(Family family, int64_t rt) {
  if (family == Family::kList) return (rt >= 0 && rt <= 5) || rt == 7 || rt == 13;
  if (family == Family::kMap) return (rt >= 0 && rt <= 8) || rt == 13 || rt == 16 || rt == 17;
  return false;
}

void EncodeCdtOp(const OpSpec& spec, const OpArgs& args, OpWriter* w) {
  w->Begin(spec.wire_op, ParticleType::kBlob, args.bin);
  ByteBuffer* out = w->buffer();
  MsgpackWriter mw(out);
  // Slots after the first absent trailing one are not sent.
  uint8_t n = 0;
  while (n < spec.n_slots) {
    const Slot& s = spec.slots[n];
    if (s.presence == Presence::kTrailing && !args.Has(s.field)) break;
    ++n;
  }
  if (args.ctx_steps > 0) {
    mw.ArrayHeader(3);
    mw.UInt(0xff);
    mw.ArrayHeader(args.ctx_steps * 2);
    out->Append(args.ctx);
  }
  mw.ArrayHeader(n + 1u);
  mw.UInt(spec.cdt_op);
  for (uint8_t i = 0; i < n; ++i) WriteSlot(spec.slots[i], args, &mw, out);
  w->End();
}

}  // namespace aerospike_py::proto::cdt
