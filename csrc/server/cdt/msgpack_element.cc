// Element-level MessagePack for the CDT engine (see the header).
#include "server/cdt/msgpack_element.h"

#include <algorithm>
#include <cstring>

namespace aerospike_py::server::cdt {

namespace {

uint64_t LoadN(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int k = 0; k < n; ++k) v = (v << 8) | p[k];
  return v;
}

// Strings, blobs and GeoJSON share msgpack str/bin; the first payload byte
// is the particle type. An empty payload orders as bytes.
MpType PayloadType(Bytes payload) {
  if (payload.empty()) return MpType::kBytes;
  switch (static_cast<uint8_t>(payload[0])) {
    case 3: return MpType::kString;
    case 23: return MpType::kGeoJson;
    default: return MpType::kBytes;
  }
}

constexpr uint8_t kCmpExtType = 0xff;
constexpr uint8_t kMapKeyOrderedFlag = 0x01;  // as flags::kMapKeyOrdered (container.h)

}  // namespace

bool ReadHeader(Bytes buf, Header* h) {
  if (buf.empty()) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(buf.data());
  const size_t avail = buf.size();
  const uint8_t b = p[0];
  auto need = [&](size_t n) { return n <= avail; };
  auto set_payload = [&](size_t hdr, size_t len, MpType t) {
    if (!need(hdr + len)) return false;
    h->payload = buf.substr(hdr, len);
    h->size = static_cast<uint32_t>(hdr + len);
    h->type = t == MpType::kString ? PayloadType(h->payload) : t;
    return true;
  };
  auto set_ext = [&](size_t hdr, size_t len) {
    if (!need(hdr + len)) return false;
    h->ext_type = static_cast<int8_t>(p[hdr - 1]);
    h->payload = buf.substr(hdr, len);
    h->size = static_cast<uint32_t>(hdr + len);
    h->type = MpType::kExt;
    if (static_cast<uint8_t>(h->ext_type) == kCmpExtType && len == 1) {
      if (p[hdr] == 0) h->type = MpType::kWildcard;
      if (p[hdr] == 1) h->type = MpType::kInf;
    }
    return true;
  };
  h->count = 0;
  if (b <= 0x7f) { h->type = MpType::kInt; h->i = b; h->size = 1; return true; }
  if (b >= 0xe0) { h->type = MpType::kNegInt; h->i = static_cast<int8_t>(b); h->size = 1; return true; }
  if ((b & 0xf0) == 0x80) { h->type = MpType::kMap; h->count = b & 0x0f; h->size = 1; return true; }
  if ((b & 0xf0) == 0x90) { h->type = MpType::kList; h->count = b & 0x0f; h->size = 1; return true; }
  if ((b & 0xe0) == 0xa0) return set_payload(1, b & 0x1f, MpType::kString);
  switch (b) {
    case 0xc0: h->type = MpType::kNil; h->size = 1; return true;
    case 0xc2: h->type = MpType::kFalse; h->size = 1; return true;
    case 0xc3: h->type = MpType::kTrue; h->size = 1; return true;
    case 0xcc: case 0xcd: case 0xce: case 0xcf: {
      const int n = 1 << (b - 0xcc);
      if (!need(1 + n)) return false;
      h->i = static_cast<int64_t>(LoadN(p + 1, n));
      h->type = MpType::kInt;
      h->size = 1 + n;
      return true;
    }
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
      const int n = 1 << (b - 0xd0);
      if (!need(1 + n)) return false;
      uint64_t raw = LoadN(p + 1, n);
      if (n < 8 && (p[1] & 0x80)) raw |= ~0ull << (8 * n);
      h->i = static_cast<int64_t>(raw);
      h->type = h->i < 0 ? MpType::kNegInt : MpType::kInt;
      h->size = 1 + n;
      return true;
    }
    case 0xca: {
      if (!need(5)) return false;
      const uint32_t bits = static_cast<uint32_t>(LoadN(p + 1, 4));
      float f;
      std::memcpy(&f, &bits, 4);
      h->d = f;
      h->type = MpType::kDouble;
      h->size = 5;
      return true;
    }
    case 0xcb: {
      if (!need(9)) return false;
      const uint64_t bits = LoadN(p + 1, 8);
      std::memcpy(&h->d, &bits, 8);
      h->type = MpType::kDouble;
      h->size = 9;
      return true;
    }
    case 0xc4: case 0xd9: if (!need(2)) return false; return set_payload(2, p[1], MpType::kString);
    case 0xc5: case 0xda: if (!need(3)) return false; return set_payload(3, LoadN(p + 1, 2), MpType::kString);
    case 0xc6: case 0xdb: if (!need(5)) return false; return set_payload(5, LoadN(p + 1, 4), MpType::kString);
    case 0xdc: if (!need(3)) return false; h->type = MpType::kList; h->count = static_cast<uint32_t>(LoadN(p + 1, 2)); h->size = 3; return true;
    case 0xdd: if (!need(5)) return false; h->type = MpType::kList; h->count = static_cast<uint32_t>(LoadN(p + 1, 4)); h->size = 5; return true;
    case 0xde: if (!need(3)) return false; h->type = MpType::kMap; h->count = static_cast<uint32_t>(LoadN(p + 1, 2)); h->size = 3; return true;
    case 0xdf: if (!need(5)) return false; h->type = MpType::kMap; h->count = static_cast<uint32_t>(LoadN(p + 1, 4)); h->size = 5; return true;
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
      if (!need(2)) return false;
      return set_ext(2, size_t{1} << (b - 0xd4));
    case 0xc7: if (!need(3)) return false; return set_ext(3, p[1]);
    case 0xc8: if (!need(4)) return false; return set_ext(4, LoadN(p + 1, 2));
    case 0xc9: if (!need(6)) return false; return set_ext(6, LoadN(p + 1, 4));
    default:
      return false;  // 0xc1
  }
}

size_t ElementSize(Bytes buf, int depth) {
  if (depth > kMaxDepth) return 0;
  Header h;
  if (!ReadHeader(buf, &h)) return 0;
  if (h.type != MpType::kList && h.type != MpType::kMap) return h.size;
  size_t pos = h.size;
  const uint64_t n = h.type == MpType::kMap ? 2ull * h.count : h.count;
  if (n > buf.size()) return 0;  // each element is at least one byte
  for (uint64_t k = 0; k < n; ++k) {
    const size_t s = ElementSize(buf.substr(pos), depth + 1);
    if (s == 0) return 0;
    pos += s;
  }
  return pos;
}

bool HasNonStorage(Bytes element) {
  Header h;
  if (!ReadHeader(element, &h)) return false;
  if (h.type == MpType::kWildcard || h.type == MpType::kInf) return true;
  if (h.type == MpType::kExt) {
    // The real server also treats short ext values of type 0xff as
    // comparison-only.
    return static_cast<uint8_t>(h.ext_type) == kCmpExtType && !h.payload.empty() &&
           h.payload.size() < 4;
  }
  if (h.type != MpType::kList && h.type != MpType::kMap) return false;
  Bytes rest = element.substr(h.size);
  const uint64_t n = h.type == MpType::kMap ? 2ull * h.count : h.count;
  for (uint64_t k = 0; k < n; ++k) {
    Bytes e;
    if (!TakeElement(&rest, &e)) return false;
    if (HasNonStorage(e)) return true;
  }
  return false;
}

namespace {

// One step of the server's flattened comparison: the header of a value,
// with a container's leading order marker (1 element for lists, a
// pair for maps) already skipped.
struct CmpItem {
  Header h;
  Bytes rest;        // bytes after this item's header (containers: their elements)
  uint64_t len = 0;  // elements still inside a container after its marker
};

bool ParseCmpItem(Bytes* cursor, CmpItem* item, CompareMeta* meta) {
  if (!ReadHeader(*cursor, &item->h)) return false;
  if (item->h.type == MpType::kList || item->h.type == MpType::kMap) {
    Bytes rest = cursor->substr(item->h.size);
    const bool is_map = item->h.type == MpType::kMap;
    uint64_t len = is_map ? 2ull * item->h.count : item->h.count;
    // cmp_parse_container(): a non-empty map is unordered unless it leads
    // with a marker carrying the key-ordered flag.
    if (is_map && len != 0 && meta != nullptr && !IsExt(rest)) meta->unordered_map = true;
    if (len != 0 && IsExt(rest)) {
      Header eh;
      if (!ReadHeader(rest, &eh)) return false;
      if (is_map && meta != nullptr && !(static_cast<uint8_t>(eh.ext_type) & kMapKeyOrderedFlag)) {
        meta->unordered_map = true;
      }
      if (!(static_cast<uint8_t>(eh.ext_type) == kCmpExtType)) {
        const int skip = is_map ? 2 : 1;
        for (int k = 0; k < skip; ++k) {
          Bytes e;
          if (!TakeElement(&rest, &e)) return false;
        }
        len -= skip;
      }
    }
    item->len = len;
    *cursor = rest;
    return true;
  }
  cursor->remove_prefix(item->h.size);
  return true;
}

template <typename T>
int Cmp3(T a, T b) { return a < b ? -1 : (b < a ? 1 : 0); }

}  // namespace

int Compare(Bytes a, Bytes b) { return Compare(a, b, nullptr); }

int Compare(Bytes a, Bytes b, CompareMeta* meta) {
  // Iterates both values in step, as the server does: containers of equal
  // length extend the walk by their elements; a list shorter than the other
  // ends the walk after their common elements and decides by length.
  uint64_t min_count = 1;
  int end_result = 0;
  Bytes ca = a, cb = b;
  for (uint64_t i = 0; i < min_count; ++i) {
    CmpItem x, y;
    const bool parsed_x = ParseCmpItem(&ca, &x, meta);
    const bool parsed_y = ParseCmpItem(&cb, &y, meta);
    if (!parsed_x || !parsed_y) {
      if (meta != nullptr) meta->error = true;
      return 0;
    }
    if (x.h.type == MpType::kWildcard || y.h.type == MpType::kWildcard) return 0;
    if (x.h.type != y.h.type) return Cmp3(static_cast<int>(x.h.type), static_cast<int>(y.h.type));
    switch (x.h.type) {
      case MpType::kNegInt: case MpType::kInt: {
        const int c = Cmp3(static_cast<uint64_t>(x.h.i), static_cast<uint64_t>(y.h.i));
        if (c != 0) return c;
        break;
      }
      case MpType::kExt: case MpType::kString: case MpType::kBytes: case MpType::kGeoJson: {
        const size_t n = std::min(x.h.payload.size(), y.h.payload.size());
        const int m = n == 0 ? 0 : std::memcmp(x.h.payload.data(), y.h.payload.data(), n);
        if (m != 0) return m < 0 ? -1 : 1;
        const int c = Cmp3(x.h.payload.size(), y.h.payload.size());
        if (c != 0) return c;
        break;
      }
      case MpType::kList:
        if (x.len == y.len) {
          min_count += x.len;
        } else {
          min_count = std::min(x.len, y.len) + i + 1;
          end_result = x.len < y.len ? -1 : 1;
        }
        break;
      case MpType::kMap: {
        const int c = Cmp3(x.len, y.len);
        if (c != 0) return c;
        min_count += x.len;
        break;
      }
      case MpType::kDouble: {
        const int c = Cmp3(x.h.d, y.h.d);
        if (c != 0) return c;
        break;
      }
      default:
        break;
    }
  }
  return end_result;
}

void PackUInt(std::string* out, uint64_t v) {
  char buf[9];
  if (v < (1ull << 7)) {
    out->push_back(static_cast<char>(v));
    return;
  }
  int n;
  uint8_t tag;
  if (v < (1ull << 8)) { tag = 0xcc; n = 1; }
  else if (v < (1ull << 16)) { tag = 0xcd; n = 2; }
  else if (v < (1ull << 32)) { tag = 0xce; n = 4; }
  else { tag = 0xcf; n = 8; }
  buf[0] = static_cast<char>(tag);
  for (int k = 0; k < n; ++k) buf[1 + k] = static_cast<char>(v >> (8 * (n - 1 - k)));
  out->append(buf, 1 + n);
}

void PackInt(std::string* out, int64_t v) {
  if (v >= 0) {
    PackUInt(out, static_cast<uint64_t>(v));
    return;
  }
  if (v >= -32) {
    out->push_back(static_cast<char>(v));
    return;
  }
  int n;
  uint8_t tag;
  if (v >= -(1ll << 7)) { tag = 0xd0; n = 1; }
  else if (v >= -(1ll << 15)) { tag = 0xd1; n = 2; }
  else if (v >= -(1ll << 31)) { tag = 0xd2; n = 4; }
  else { tag = 0xd3; n = 8; }
  char buf[9];
  buf[0] = static_cast<char>(tag);
  const uint64_t u = static_cast<uint64_t>(v);
  for (int k = 0; k < n; ++k) buf[1 + k] = static_cast<char>(u >> (8 * (n - 1 - k)));
  out->append(buf, 1 + n);
}

void PackDouble(std::string* out, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  char buf[9];
  buf[0] = static_cast<char>(0xcb);
  for (int k = 0; k < 8; ++k) buf[1 + k] = static_cast<char>(bits >> (8 * (7 - k)));
  out->append(buf, 9);
}

namespace {
void PackSized(std::string* out, uint32_t n, uint8_t fix_base, uint32_t fix_limit, uint8_t tag8,
               uint8_t tag16, uint8_t tag32) {
  if (n < fix_limit) {
    out->push_back(static_cast<char>(fix_base | n));
  } else if (tag8 != 0 && n < 256) {
    out->push_back(static_cast<char>(tag8));
    out->push_back(static_cast<char>(n));
  } else if (n < 65536) {
    out->push_back(static_cast<char>(tag16));
    out->push_back(static_cast<char>(n >> 8));
    out->push_back(static_cast<char>(n));
  } else {
    out->push_back(static_cast<char>(tag32));
    for (int k = 3; k >= 0; --k) out->push_back(static_cast<char>(n >> (8 * k)));
  }
}
}  // namespace

void PackArrayHeader(std::string* out, uint32_t n) { PackSized(out, n, 0x90, 16, 0, 0xdc, 0xdd); }
void PackMapHeader(std::string* out, uint32_t n) { PackSized(out, n, 0x80, 16, 0, 0xde, 0xdf); }
void PackStrHeader(std::string* out, uint32_t n) { PackSized(out, n, 0xa0, 32, 0xd9, 0xda, 0xdb); }

bool ReadInt(Bytes element, int64_t* v) {
  Header h;
  if (!ReadHeader(element, &h)) return false;
  if (h.type != MpType::kInt && h.type != MpType::kNegInt) return false;
  *v = h.i;
  return true;
}

}  // namespace aerospike_py::server::cdt
