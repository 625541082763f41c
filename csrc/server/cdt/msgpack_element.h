// Element-level MessagePack for the CDT engine: headers of the element at
// the front of a buffer, the size of whole elements, Aerospike's ordering
// of values across types (the real server's msgpack_cmp), and the compact
// writers the server uses for the values it creates. Everything works on
// views of packed bytes; nothing here allocates except the writers.
// Used by csrc/server/cdt/ only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace aerospike_py::server::cdt {

using Bytes = std::string_view;

// The real server's msgpack_type, in its comparison order.
enum class MpType : uint8_t {
  kError, kNil, kFalse, kTrue, kNegInt, kInt, kString, kList, kMap, kBytes,
  kDouble, kGeoJson, kExt, kWildcard, kInf,
};

// Nesting deeper than this is refused (stack bound for the recursive walks).
inline constexpr int kMaxDepth = 256;

struct Header {
  MpType type = MpType::kError;
  uint32_t size = 0;   // bytes of the header (lists, maps) or of the whole scalar
  uint32_t count = 0;  // list items or map pairs
  int64_t i = 0;       // integers (uint64 above INT64_MAX keep their bits)
  double d = 0;
  Bytes payload;       // str/bin/ext payload
  int8_t ext_type = 0;
};

// Reads the header of the element at the front of `buf`; false when
// malformed or truncated.
bool ReadHeader(Bytes buf, Header* h);
// Size of the whole element at the front of `buf`; 0 when malformed.
size_t ElementSize(Bytes buf, int depth = 0);
// Splits the first element off `rest`.
inline bool TakeElement(Bytes* rest, Bytes* element) {
  const size_t n = ElementSize(*rest);
  if (n == 0) return false;
  *element = rest->substr(0, n);
  rest->remove_prefix(n);
  return true;
}
// True when the element contains a wildcard or infinity anywhere (values
// that may be used in comparisons but never stored).
bool HasNonStorage(Bytes element);
// True when the element at the front is a zero-or-more length ext (the
// order marker of a list or map).
inline bool IsExt(Bytes buf) {
  if (buf.empty()) return false;
  const uint8_t b = static_cast<uint8_t>(buf[0]);
  return (b >= 0xd4 && b <= 0xd8) || (b >= 0xc7 && b <= 0xc9);
}

// Three-way comparison in the real server's order: <0, 0, >0. A wildcard
// anywhere makes the whole comparison equal, as it does there.
int Compare(Bytes a, Bytes b);

// What a comparison met on its way (msgpack_cmp's flags; used by
// expression comparisons, which answer unknown on either).
struct CompareMeta {
  bool error = false;          // a malformed or truncated value
  bool unordered_map = false;  // a non-empty map without the key-ordered flag was read
};
// Compare() that also reports `*meta`. Like the server, only the maps the
// walk actually reads (up to the deciding element) count as met.
int Compare(Bytes a, Bytes b, CompareMeta* meta);
inline bool Less(Bytes a, Bytes b) { return Compare(a, b) < 0; }

// Writers, in the encodings the server's as_pack_* choose.
void PackInt(std::string* out, int64_t v);
void PackUInt(std::string* out, uint64_t v);
void PackDouble(std::string* out, double v);
inline void PackNil(std::string* out) { out->push_back(static_cast<char>(0xc0)); }
inline void PackBool(std::string* out, bool b) {
  out->push_back(static_cast<char>(b ? 0xc3 : 0xc2));
}
void PackArrayHeader(std::string* out, uint32_t n);
void PackMapHeader(std::string* out, uint32_t n);
void PackStrHeader(std::string* out, uint32_t n);
// `c7 00 <flags>`: the marker of an ordered list or a flagged map.
inline void PackOrderExt(std::string* out, uint8_t flags) {
  out->push_back(static_cast<char>(0xc7));
  out->push_back(0);
  out->push_back(static_cast<char>(flags));
}

// Reads an integer element (any width); false for other types.
bool ReadInt(Bytes element, int64_t* v);

}  // namespace aerospike_py::server::cdt
