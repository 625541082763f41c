// What one CDT operation works with inside the engine: its parsed
// arguments, the element it applies to (present or to be created), the
// result it produces (a msgpack value, or none) and the result-type rules
// shared by list and map operations. Used by csrc/server/cdt/ only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/cdt/container.h"
#include "server/cdt/msgpack_element.h"

namespace aerospike_py::server::cdt {

// Result codes the engine answers with (the server's as_proto result codes).
namespace rc {
inline constexpr uint8_t kOk = 0;
inline constexpr uint8_t kParameter = 4;
inline constexpr uint8_t kIncompatibleType = 12;
inline constexpr uint8_t kElementNotFound = 23;
inline constexpr uint8_t kElementExists = 24;
inline constexpr uint8_t kOpNotApplicable = 26;
}  // namespace rc

// CDT result types (low 16 bits of the return-type argument).
namespace rt {
inline constexpr uint32_t kNone = 0, kIndex = 1, kRevIndex = 2, kRank = 3, kRevRank = 4,
                          kCount = 5, kKey = 6, kValue = 7, kKeyValueMap = 8, kIndexRange = 9,
                          kRevIndexRange = 10, kRankRange = 11, kRevRankRange = 12,
                          kExists = 13, kUnorderedMap = 16, kOrderedMap = 17;
inline constexpr uint64_t kInverted = 0x10000;
}  // namespace rt

// A packed msgpack result, or nothing (the reply then carries no bin).
struct CdtResult {
  bool has = false;
  std::string packed;

  void None() { has = false; packed.clear(); }
  void Int(int64_t v) { has = true; packed.clear(); PackInt(&packed, v); }
  void Bool(bool b) { has = true; packed.clear(); PackBool(&packed, b); }
  void Raw(Bytes b) { has = true; packed.assign(b); }
  void Double(double d) { has = true; packed.clear(); PackDouble(&packed, d); }
  void IntList(const std::vector<int64_t>& v) {
    has = true;
    packed.clear();
    PackArrayHeader(&packed, static_cast<uint32_t>(v.size()));
    for (int64_t x : v) PackInt(&packed, x);
  }
  void List(const std::vector<Bytes>& items) { has = true; packed = EncodeList(0, items); }
  void Map(uint8_t f, const std::vector<Bytes>& k, const std::vector<Bytes>& v) {
    has = true;
    packed = EncodeMap(f, k, v);
  }
};

// The decoded return-type argument.
struct ReturnSpec {
  uint32_t type = rt::kNone;
  bool inverted = false;
  bool multi = false;
  static ReturnSpec From(uint64_t raw, bool multi) {
    ReturnSpec s;
    s.type = static_cast<uint32_t>(raw & 0xffff);
    s.inverted = (raw & rt::kInverted) != 0;
    s.multi = multi;
    return s;
  }
};

// The server's calc_index: negative indexes count from the end.
inline int64_t CalcIndex(int64_t index, uint32_t n) { return index < 0 ? index + n : index; }

// The server's calc_index_count: an absolute start and count inside n
// elements. Single-element selections fail when out of range; ranges clamp.
bool CalcIndexCount(int64_t index, uint64_t count, uint32_t n, uint32_t* out_index,
                    uint32_t* out_count, bool multi);
// The server's calc_rel_index_count.
void CalcRelIndexCount(int64_t index, uint64_t count, uint32_t rel, int64_t* out_index,
                       uint64_t* out_count);

// The server turns an inverted index or rank range into the plain range
// it leaves when that is one piece (all, head or tail); returns whether
// the selection stays inverted.
inline bool ReduceInvertedRange(uint32_t n, uint32_t* start, uint32_t* count) {
  if (*count == 0) {
    *start = 0;
    *count = n;
  } else if (*start == 0) {
    *start = *count;
    *count = n - *count;
  } else if (*start + *count >= n) {
    *count = *start;
    *start = 0;
  } else {
    return true;
  }
  return false;
}

// Not-found answers of a selection that matched nothing.
bool SetNotFound(const ReturnSpec& r, int64_t index, uint8_t map_flags, CdtResult* out);

// Arguments of one operation, as the op table types them.
struct OpArgs {
  uint32_t op = 0;
  std::vector<Bytes> raw;  // after the op code
  bool in_created_ctx = false;  // the element is one a context creates
};

// Reads arg `i` as the server's INDEX (int64) / COUNT and FLAGS (uint64).
bool ArgInt(const OpArgs& a, size_t i, int64_t* v);
bool ArgUInt(const OpArgs& a, size_t i, uint64_t* v);

// Validates the argument count and types against the op table: `spec` is
// one letter per argument (I index, C count, P payload, S storable
// payload, F flags), `required` how many must be present.
bool CheckArgs(const OpArgs& a, const char* spec, size_t required);

}  // namespace aerospike_py::server::cdt
