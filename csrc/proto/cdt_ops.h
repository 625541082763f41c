// Collection operations (list, map, bit, HLL): the one table that says, for
// every operation a user can put in an op dict ({"op": 1001, ...}), which
// wire op carries it, its op code inside the msgpack argument list, the
// arguments in wire order and where each comes from, and the family that
// decides how its result reads. EncodeCdtOp writes one op from an OpArgs
// (plain integers plus argument values already packed as msgpack): the
// Python bridge fills OpArgs from a dict and calls it; tests call it
// directly. Adding an operation is a row in cdt_ops.cc. No Python here.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/byte_buffer.h"
#include "proto/constants.h"
#include "proto/op_writer.h"

namespace aerospike_py::proto::cdt {

enum class Family : uint8_t { kList, kMap, kBit, kHll };

// The arguments an operation can take, each read from one op-dict key
// (named in FieldKey()).
enum class Field : uint8_t {
  // Integers.
  kReturnType,   // "return_type", with kInvertedFlag when "inverted" is true
  kIndex,        // "index" (also a relative index)
  kRank,         // "rank" (also a relative rank)
  kCount,        // "count": None or absent means "to the end"
  kOrder,        // the list/map order of a "list_policy"/"map_policy"
  kWriteFlags,   // write flags: of a policy dict ("flags"), or "bit_policy"
  kFlags,        // "val" as a flag word: list sort flags, a set_order order
  kByteSize,     // "byte_size"
  kByteOffset,   // "byte_offset"
  kBitOffset,    // "bit_offset"
  kBitSize,      // "bit_size"
  kShift,        // "shift"
  kIntValue,     // "val" as a 64-bit integer (bit_add, bit_subtract, bit_set_int)
  kMathFlags,    // "action" | 1 when "signed" (bit_add, bit_subtract)
  kSigned,       // "signed" as 1, sent only when true (bit_get_int)
  kResizeFlags,  // "resize_flags"
  kIndexBits,    // "index_bit_count" (-1: keep the bin's)
  kMinhashBits,  // "minhash_bit_count" (-1: keep the bin's)
  kBool,         // "val" as a msgpack bool (bit_lscan, bit_rscan)
  // Values, packed as msgpack by the caller.
  kValue,        // "val"
  kValueEnd,     // "val_end": absent means "to infinity"
  kMapKey,       // "map_key"
  kBytes,        // "val" as a blob (bit_set/or/xor/and/insert)
};
inline constexpr int kFieldCount = static_cast<int>(Field::kBytes) + 1;

// What a value field must hold (checked by the caller before packing).
enum class ValueKind : uint8_t {
  kNone,    // not a value field
  kAny,     // any value
  kNumber,  // an int or float (increments)
  kList,    // a list (value lists, key lists, append_items, HLL element lists)
  kMap,     // a dict (map_put_items)
  kBlob,    // bytes or bytearray
  kBlobList,  // a list of bytes-like values (HLL sketches)
};

// How a slot of an argument list is filled.
enum class Presence : uint8_t {
  kRequired,  // the key must be given
  kDefault,   // the row's default when the key is absent or None
  kTrailing,  // sent only when given; every slot after it is trailing too
};

struct Slot {
  Field field;
  Presence presence;
  int8_t default_value;  // for kDefault integer slots
  ValueKind value_kind;  // for value slots
};

inline constexpr int kMaxSlots = 6;

// Operation codes users see in op dicts: aerospike-py's numbering (list
// 1001-1031, map 2001-2027, HLL 3001-3010, bit 4001-4013 and 4050-4054),
// plus the official client's operations aerospike-py lacks.
namespace code {
inline constexpr int kListAppend = 1001;
inline constexpr int kListAppendItems = 1002;
inline constexpr int kListInsert = 1003;
inline constexpr int kListInsertItems = 1004;
inline constexpr int kListPop = 1005;
inline constexpr int kListPopRange = 1006;
inline constexpr int kListRemove = 1007;
inline constexpr int kListRemoveRange = 1008;
inline constexpr int kListSet = 1009;
inline constexpr int kListTrim = 1010;
inline constexpr int kListClear = 1011;
inline constexpr int kListSize = 1012;
inline constexpr int kListGet = 1013;
inline constexpr int kListGetRange = 1014;
inline constexpr int kListGetByValue = 1015;
inline constexpr int kListGetByIndex = 1016;
inline constexpr int kListGetByIndexRange = 1017;
inline constexpr int kListGetByRank = 1018;
inline constexpr int kListGetByRankRange = 1019;
inline constexpr int kListGetByValueList = 1020;
inline constexpr int kListGetByValueRange = 1021;
inline constexpr int kListRemoveByValue = 1022;
inline constexpr int kListRemoveByValueList = 1023;
inline constexpr int kListRemoveByValueRange = 1024;
inline constexpr int kListRemoveByIndex = 1025;
inline constexpr int kListRemoveByIndexRange = 1026;
inline constexpr int kListRemoveByRank = 1027;
inline constexpr int kListRemoveByRankRange = 1028;
inline constexpr int kListIncrement = 1029;
inline constexpr int kListSort = 1030;
inline constexpr int kListSetOrder = 1031;
// The official client's (aerospike-py has none).
inline constexpr int kListGetByValueRankRangeRelative = 1032;
inline constexpr int kListRemoveByValueRankRangeRelative = 1033;

inline constexpr int kMapSetOrder = 2001;
inline constexpr int kMapPut = 2002;
inline constexpr int kMapPutItems = 2003;
inline constexpr int kMapIncrement = 2004;
inline constexpr int kMapDecrement = 2005;
inline constexpr int kMapClear = 2006;
inline constexpr int kMapRemoveByKey = 2007;
inline constexpr int kMapRemoveByKeyList = 2008;
inline constexpr int kMapRemoveByKeyRange = 2009;
inline constexpr int kMapRemoveByValue = 2010;
inline constexpr int kMapRemoveByValueList = 2011;
inline constexpr int kMapRemoveByValueRange = 2012;
inline constexpr int kMapRemoveByIndex = 2013;
inline constexpr int kMapRemoveByIndexRange = 2014;
inline constexpr int kMapRemoveByRank = 2015;
inline constexpr int kMapRemoveByRankRange = 2016;
inline constexpr int kMapSize = 2017;
inline constexpr int kMapGetByKey = 2018;
inline constexpr int kMapGetByKeyRange = 2019;
inline constexpr int kMapGetByValue = 2020;
inline constexpr int kMapGetByValueRange = 2021;
inline constexpr int kMapGetByIndex = 2022;
inline constexpr int kMapGetByIndexRange = 2023;
inline constexpr int kMapGetByRank = 2024;
inline constexpr int kMapGetByRankRange = 2025;
inline constexpr int kMapGetByKeyList = 2026;
inline constexpr int kMapGetByValueList = 2027;
// The official client's (aerospike-py has none).
inline constexpr int kMapGetByKeyIndexRangeRelative = 2028;
inline constexpr int kMapGetByValueRankRangeRelative = 2029;
inline constexpr int kMapRemoveByKeyIndexRangeRelative = 2030;
inline constexpr int kMapRemoveByValueRankRangeRelative = 2031;

inline constexpr int kHllInit = 3001;
inline constexpr int kHllAdd = 3002;
inline constexpr int kHllGetCount = 3003;
inline constexpr int kHllGetUnion = 3004;
inline constexpr int kHllGetUnionCount = 3005;
inline constexpr int kHllGetIntersectCount = 3006;
inline constexpr int kHllGetSimilarity = 3007;
inline constexpr int kHllDescribe = 3008;
inline constexpr int kHllFold = 3009;
inline constexpr int kHllSetUnion = 3010;
// The official client's (aerospike-py has none).
inline constexpr int kHllRefreshCount = 3011;

inline constexpr int kBitResize = 4001;
inline constexpr int kBitInsert = 4002;
inline constexpr int kBitRemove = 4003;
inline constexpr int kBitSet = 4004;
inline constexpr int kBitOr = 4005;
inline constexpr int kBitXor = 4006;
inline constexpr int kBitAnd = 4007;
inline constexpr int kBitNot = 4008;
inline constexpr int kBitLshift = 4009;
inline constexpr int kBitRshift = 4010;
inline constexpr int kBitAdd = 4011;
inline constexpr int kBitSubtract = 4012;
inline constexpr int kBitSetInt = 4013;
inline constexpr int kBitGet = 4050;
inline constexpr int kBitCount = 4051;
inline constexpr int kBitLscan = 4052;
inline constexpr int kBitRscan = 4053;
inline constexpr int kBitGetInt = 4054;
}  // namespace code

// The return-type bit that selects everything the operation did not match.
inline constexpr int64_t kInvertedFlag = 0x10000;

// Map write modes of a map policy's "write_mode" (MAP_UPDATE, ...).
inline constexpr int kMapUpdate = 0;
inline constexpr int kMapCreateOnly = 1;
inline constexpr int kMapUpdateOnly = 2;

// Wire context types (first of each ctx pair).
namespace ctx {
inline constexpr int kListIndex = 0x10;
inline constexpr int kListRank = 0x11;
inline constexpr int kListValue = 0x13;
inline constexpr int kMapIndex = 0x20;
inline constexpr int kMapRank = 0x21;
inline constexpr int kMapKey = 0x22;
inline constexpr int kMapValue = 0x23;
// Create flags, or-ed into a list-index or map-key step.
inline constexpr int kCreateListUnordered = 0x40;
inline constexpr int kCreateListUnorderedPadded = 0x80;
inline constexpr int kCreateListOrdered = 0xc0;
inline constexpr int kCreateMapUnordered = 0x40;
inline constexpr int kCreateMapKeyOrdered = 0x80;
inline constexpr int kCreateMapKeyValueOrdered = 0xc0;
inline constexpr int kCreateMask = 0xc0;
}  // namespace ctx

// True when `type` is a context step the server accepts from clients: a
// list index/rank/value or map index/rank/key/value step, a list-index step
// with a list create flag, or a map-key step with a map create flag.
bool IsValidContextType(int64_t type);
// True when the step's value is an integer (index and rank steps).
bool ContextTakesInteger(int64_t type);

struct OpSpec {
  int code;               // code:: number
  const char* name;       // the function that builds it ("list_append")
  Family family;
  OpType wire_op;
  uint8_t cdt_op;         // first element of the argument list
  bool takes_ctx;         // list and map operations
  Slot slots[kMaxSlots];  // wire order
  uint8_t n_slots;

  bool IsWrite() const { return !IsReadOp(wire_op); }
  bool Has(Field f) const;
};

// The row for a user-visible code; null when there is none.
const OpSpec* FindOp(int64_t code);
// Every row, for tests and documentation.
absl::Span<const OpSpec> AllOps();

// map_put and map_put_items with a write mode: update (the row itself),
// create-only (the server's "add", which also takes the map order) or
// update-only (the server's "replace", which takes no order: it never
// creates a map). Write flags other than zero always go with the update row.
const OpSpec& MapWriteVariant(const OpSpec& put, int write_mode);

// Arguments read from one op dict. Integers are in `ints`, values as
// msgpack bytes in `values` (views into a buffer the caller keeps alive
// until EncodeCdtOp returns). `present` has bit (1 << Field) for every
// field the dict gave.
struct OpArgs {
  std::string_view bin;
  int64_t ints[kFieldCount] = {};
  ByteSpan values[kFieldCount];
  uint32_t present = 0;
  // Context steps as packed msgpack (type, value, type, value, ...) and
  // their number; ctx_steps == 0 means no context.
  ByteSpan ctx;
  uint32_t ctx_steps = 0;

  bool Has(Field f) const { return (present & (1u << static_cast<int>(f))) != 0; }
  void SetInt(Field f, int64_t v) {
    ints[static_cast<int>(f)] = v;
    present |= 1u << static_cast<int>(f);
  }
  void SetValue(Field f, ByteSpan packed) {
    values[static_cast<int>(f)] = packed;
    present |= 1u << static_cast<int>(f);
  }
};

// True when `f` is carried as packed msgpack rather than an integer.
constexpr bool IsValueField(Field f) { return f >= Field::kValue; }

// Appends the op: header, bin name, and the msgpack argument list
// [cdt_op, args...], wrapped as [0xff, [ctx...], [cdt_op, args...]] when
// there is a context. Slots the caller left absent take the row's default;
// absent trailing slots are not sent. The particle type is BLOB, as the
// official clients send it.
void EncodeCdtOp(const OpSpec& spec, const OpArgs& args, OpWriter* w);

// The valid return types of a family (without kInvertedFlag): list 0-5, 7,
// 13; map 0-8, 13, 16, 17.
bool IsValidReturnType(Family family, int64_t return_type);

}  // namespace aerospike_py::proto::cdt
