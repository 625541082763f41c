// Shared pieces of list and map operations (see the header).
#include "server/cdt/op_state.h"

#include <cstring>

namespace aerospike_py::server::cdt {

bool CalcIndexCount(int64_t index, uint64_t count, uint32_t n, uint32_t* out_index,
                    uint32_t* out_count, bool multi) {
  auto clamp_count = [](uint32_t idx, uint64_t c, uint32_t max) -> uint32_t {
    return c >= static_cast<uint64_t>(max) - idx ? max - idx : static_cast<uint32_t>(c);
  };
  if (multi) {
    if (index >= static_cast<int64_t>(n)) {
      *out_index = n;
      *out_count = 0;
      return true;
    }
    index = CalcIndex(index, n);
    if (index < 0) {
      const uint64_t neg = static_cast<uint64_t>(-index);
      if (neg < count) {
        uint64_t c = count - neg;
        if (c > n) c = n;
        *out_count = static_cast<uint32_t>(c);
      } else {
        *out_count = 0;
      }
      *out_index = 0;
      return true;
    }
    *out_index = static_cast<uint32_t>(index);
    *out_count = clamp_count(*out_index, count, n);
    return true;
  }
  if (index >= static_cast<int64_t>(n)) return false;
  index = CalcIndex(index, n);
  if (index < 0) return false;
  *out_index = static_cast<uint32_t>(index);
  *out_count = clamp_count(*out_index, count, n);
  return true;
}

void CalcRelIndexCount(int64_t index, uint64_t count, uint32_t rel, int64_t* out_index,
                       uint64_t* out_count) {
  index += rel;
  if (index < 0) {
    const uint64_t neg = static_cast<uint64_t>(-index);
    count = count > neg ? count - neg : 0;
    index = 0;
  }
  *out_index = index;
  *out_count = count;
}

bool SetNotFound(const ReturnSpec& r, int64_t index, uint8_t map_flags, CdtResult* out) {
  switch (r.type) {
    case rt::kNone:
      out->None();
      return true;
    case rt::kIndexRange: case rt::kRevIndexRange: case rt::kRankRange: case rt::kRevRankRange:
      out->IntList({index, 0});
      return true;
    case rt::kIndex: case rt::kRevIndex: case rt::kRank: case rt::kRevRank:
      if (r.multi) out->IntList({});
      else out->Int(-1);
      return true;
    case rt::kCount:
      out->Int(0);
      return true;
    case rt::kExists:
      out->Bool(false);
      return true;
    case rt::kKey: case rt::kValue:
      if (r.multi) out->List({});
      else out->None();
      return true;
    case rt::kKeyValueMap:
      out->Map(flags::kMapPreserveOrder, {}, {});
      return true;
    case rt::kUnorderedMap:
      out->Map(0, {}, {});
      return true;
    case rt::kOrderedMap:
      out->Map(flags::kMapKeyOrdered, {}, {});
      return true;
    default:
      (void)map_flags;
      return false;
  }
}

bool ArgInt(const OpArgs& a, size_t i, int64_t* v) {
  if (i >= a.raw.size()) return false;
  Header h;
  if (!ReadHeader(a.raw[i], &h)) return false;
  if (h.type != MpType::kInt && h.type != MpType::kNegInt) return false;
  *v = h.i;
  return true;
}

bool ArgUInt(const OpArgs& a, size_t i, uint64_t* v) {
  int64_t s;
  if (!ArgInt(a, i, &s)) return false;
  *v = static_cast<uint64_t>(s);
  return true;
}

bool CheckArgs(const OpArgs& a, const char* spec, size_t required) {
  const size_t total = std::strlen(spec);
  // An op without parameters ignores whatever follows its code
  // (cdt_process_state_get_params of the server).
  if (total == 0) return true;
  if (a.raw.size() < required || a.raw.size() > total) return false;
  for (size_t i = 0; i < a.raw.size(); ++i) {
    Header h;
    if (!ReadHeader(a.raw[i], &h)) return false;
    switch (spec[i]) {
      case 'I': case 'C': case 'F':
        if (h.type != MpType::kInt && h.type != MpType::kNegInt) return false;
        break;
      case 'S':
        if (HasNonStorage(a.raw[i])) return false;
        break;
      default:
        break;
    }
  }
  return true;
}

}  // namespace aerospike_py::server::cdt
