#include "server/stored_collection.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "common/byte_order.h"
#include "proto/msgpack.h"

namespace aerospike_py::server {

namespace {

// The server's msgpack_type, in its comparison order.
enum class Cmp : uint8_t {
  kError, kNil, kFalse, kTrue, kNegInt, kInt, kString, kList, kMap, kBytes,
  kDouble, kGeoJson, kExt, kWildcard, kInf,
};

constexpr uint8_t kCmpExtType = 0xff;       // wildcard / infinity ext type
constexpr uint8_t kListOrdered = 0x01;
constexpr uint8_t kMapKeyOrdered = 0x01;
constexpr uint8_t kMapKeyValueOrdered = 0x03;
constexpr uint8_t kPersistIndex = 0x10;
constexpr uint8_t kBytesString = 3;
constexpr uint8_t kBytesBlob = 4;
constexpr uint8_t kBytesGeoJson = 23;

using Ptr = const uint8_t*;

uint64_t LoadN(Ptr p, size_t n) {
  switch (n) {
    case 1: return p[0];
    case 2: return LoadBE16(p);
    case 4: return LoadBE32(p);
    default: return LoadBE64(p);
  }
}

// --- writers (the encodings as_pack_* choose) ------------------------------

void PutBE(std::string* out, uint64_t v, size_t n) {
  for (size_t i = n; i-- > 0;) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PackUInt(std::string* out, uint64_t v) {
  if (v < 0x80) {
    out->push_back(static_cast<char>(v));
  } else if (v < 0x100) {
    out->push_back(static_cast<char>(0xcc));
    PutBE(out, v, 1);
  } else if (v < 0x10000) {
    out->push_back(static_cast<char>(0xcd));
    PutBE(out, v, 2);
  } else if (v < 0x100000000ull) {
    out->push_back(static_cast<char>(0xce));
    PutBE(out, v, 4);
  } else {
    out->push_back(static_cast<char>(0xcf));
    PutBE(out, v, 8);
  }
}

void PackInt(std::string* out, int64_t v) {
  if (v >= 0) return PackUInt(out, static_cast<uint64_t>(v));
  const uint64_t bits = static_cast<uint64_t>(v);
  if (v >= -32) {
    out->push_back(static_cast<char>(bits & 0xff));
  } else if (v >= -128) {
    out->push_back(static_cast<char>(0xd0));
    PutBE(out, bits, 1);
  } else if (v >= -32768) {
    out->push_back(static_cast<char>(0xd1));
    PutBE(out, bits, 2);
  } else if (v >= -2147483648ll) {
    out->push_back(static_cast<char>(0xd2));
    PutBE(out, bits, 4);
  } else {
    out->push_back(static_cast<char>(0xd3));
    PutBE(out, bits, 8);
  }
}

void PackStrHeader(std::string* out, uint64_t n) {
  if (n < 32) {
    out->push_back(static_cast<char>(0xa0 | n));
  } else if (n < 0x100) {
    out->push_back(static_cast<char>(0xd9));
    PutBE(out, n, 1);
  } else if (n < 0x10000) {
    out->push_back(static_cast<char>(0xda));
    PutBE(out, n, 2);
  } else {
    out->push_back(static_cast<char>(0xdb));
    PutBE(out, n, 4);
  }
}

void PackContainerHeader(std::string* out, uint64_t n, bool map) {
  if (n < 16) {
    out->push_back(static_cast<char>((map ? 0x80 : 0x90) | n));
  } else if (n < 0x10000) {
    out->push_back(static_cast<char>(map ? 0xde : 0xdc));
    PutBE(out, n, 2);
  } else {
    out->push_back(static_cast<char>(map ? 0xdf : 0xdd));
    PutBE(out, n, 4);
  }
}

void PackExtHeader(std::string* out, uint64_t n, uint8_t type) {
  switch (n) {
    case 1: out->push_back(static_cast<char>(0xd4)); break;
    case 2: out->push_back(static_cast<char>(0xd5)); break;
    case 4: out->push_back(static_cast<char>(0xd6)); break;
    case 8: out->push_back(static_cast<char>(0xd7)); break;
    case 16: out->push_back(static_cast<char>(0xd8)); break;
    default:
      if (n < 0x100) {
        out->push_back(static_cast<char>(0xc7));
        PutBE(out, n, 1);
      } else if (n < 0x10000) {
        out->push_back(static_cast<char>(0xc8));
        PutBE(out, n, 2);
      } else {
        out->push_back(static_cast<char>(0xc9));
        PutBE(out, n, 4);
      }
  }
  out->push_back(static_cast<char>(type));
}

// --- element headers -------------------------------------------------------

struct Head {
  enum class Kind : uint8_t { kScalar, kStr, kBin, kExt, kList, kMap, kError } kind =
      Kind::kError;
  size_t header = 0;   // bytes before the payload / children
  uint64_t n = 0;      // payload bytes (str, bin, ext) or children (list items, map pairs)
  uint8_t ext_type = 0;
};

// Reads the header of the element at `p`; kError when malformed or when
// the header itself is truncated.
Head ReadHead(Ptr p, Ptr end) {
  Head h;
  if (p >= end) return h;
  const uint8_t b = *p;
  const size_t avail = static_cast<size_t>(end - p);
  auto fixed = [&](size_t total) {
    if (total <= avail) {
      h.kind = Head::Kind::kScalar;
      h.header = total;
    }
    return h;
  };
  auto sized = [&](Head::Kind kind, size_t width, size_t extra) {
    if (1 + width + extra > avail) return h;
    h.n = LoadN(p + 1, width);
    h.kind = kind;
    h.header = 1 + width + extra;
    if (kind == Head::Kind::kExt) h.ext_type = p[1 + width];
    return h;
  };
  if (b <= 0x7f || b >= 0xe0) return fixed(1);
  if ((b & 0xe0) == 0xa0) {
    h.kind = Head::Kind::kStr;
    h.header = 1;
    h.n = b & 0x1f;
    return h;
  }
  if ((b & 0xf0) == 0x80 || (b & 0xf0) == 0x90) {
    h.kind = (b & 0xf0) == 0x80 ? Head::Kind::kMap : Head::Kind::kList;
    h.header = 1;
    h.n = b & 0x0f;
    return h;
  }
  switch (b) {
    case 0xc0: case 0xc2: case 0xc3: return fixed(1);
    case 0xcc: case 0xd0: return fixed(2);
    case 0xcd: case 0xd1: return fixed(3);
    case 0xca: case 0xce: case 0xd2: return fixed(5);
    case 0xcb: case 0xcf: case 0xd3: return fixed(9);
    case 0xd9: return sized(Head::Kind::kStr, 1, 0);
    case 0xda: return sized(Head::Kind::kStr, 2, 0);
    case 0xdb: return sized(Head::Kind::kStr, 4, 0);
    case 0xc4: return sized(Head::Kind::kBin, 1, 0);
    case 0xc5: return sized(Head::Kind::kBin, 2, 0);
    case 0xc6: return sized(Head::Kind::kBin, 4, 0);
    case 0xdc: return sized(Head::Kind::kList, 2, 0);
    case 0xdd: return sized(Head::Kind::kList, 4, 0);
    case 0xde: return sized(Head::Kind::kMap, 2, 0);
    case 0xdf: return sized(Head::Kind::kMap, 4, 0);
    case 0xc7: return sized(Head::Kind::kExt, 1, 1);
    case 0xc8: return sized(Head::Kind::kExt, 2, 1);
    case 0xc9: return sized(Head::Kind::kExt, 4, 1);
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
      if (avail < 2) return h;
      h.kind = Head::Kind::kExt;
      h.header = 2;
      h.n = size_t{1} << (b - 0xd4);
      h.ext_type = p[1];
      return h;
    default:
      return h;  // 0xc1
  }
}

// Whether the element at `p` is what msgpack_peek_type() calls an ext, the
// only kind a container takes as its order-flag marker: fixext 2..16 and
// ext 8/16/32, except an ext 8 holding a wildcard or infinity; never a
// fixext 1 (the server's peek reads one as an error, or as a wildcard or
// infinity).
bool IsMarker(Ptr p, Ptr end) {
  if (p >= end) return false;
  const uint8_t b = *p;
  if (b >= 0xd5 && b <= 0xd8) return true;
  if (b == 0xc8 || b == 0xc9) return true;
  if (b != 0xc7) return false;
  if (end - p >= 4 && p[1] == 1 && p[2] == kCmpExtType && (p[3] == 0 || p[3] == 1)) return false;
  return true;
}

// The end of the whole element at `p`, or nullptr when malformed.
Ptr SkipElement(Ptr p, Ptr end, int depth) {
  if (depth > proto::kMaxMsgpackDepth) return nullptr;
  const Head h = ReadHead(p, end);
  switch (h.kind) {
    case Head::Kind::kError:
      return nullptr;
    case Head::Kind::kScalar:
      return p + h.header;
    case Head::Kind::kStr: case Head::Kind::kBin: case Head::Kind::kExt:
      if (h.n > static_cast<uint64_t>(end - p) - h.header) return nullptr;
      return p + h.header + h.n;
    case Head::Kind::kList: case Head::Kind::kMap: {
      uint64_t children = h.kind == Head::Kind::kMap ? 2 * h.n : h.n;
      Ptr q = p + h.header;
      if (children > static_cast<uint64_t>(end - q)) return nullptr;  // >= 1 byte each
      while (children-- > 0) {
        q = SkipElement(q, end, depth + 1);
        if (q == nullptr) return nullptr;
      }
      return q;
    }
  }
  return nullptr;
}

// --- comparison (msgpack_cmp) ----------------------------------------------

Cmp BytesType(Ptr data, uint64_t len) {
  if (len == 0) return Cmp::kBytes;
  if (data[0] == kBytesString) return Cmp::kString;
  if (data[0] == kBytesGeoJson) return Cmp::kGeoJson;
  return Cmp::kBytes;
}

struct Item {
  Cmp type = Cmp::kError;
  uint64_t i = 0;   // integers as the server's uint64
  double d = 0;
  Ptr data = nullptr;
  uint64_t len = 0;  // payload bytes, or children still to compare
};

// Parses one item at `*p` and advances past its header (and past an
// order-flag marker of a container, as cmp_parse_container does).
Item ParseItem(Ptr* p, Ptr end) {
  Item it;
  const Head h = ReadHead(*p, end);
  if (h.kind == Head::Kind::kError) return it;
  const Ptr at = *p;
  const uint8_t b = *at;
  switch (h.kind) {
    case Head::Kind::kScalar: {
      *p = at + h.header;
      if (b == 0xc0) { it.type = Cmp::kNil; return it; }
      if (b == 0xc2) { it.type = Cmp::kFalse; return it; }
      if (b == 0xc3) { it.type = Cmp::kTrue; return it; }
      if (b <= 0x7f) { it.type = Cmp::kInt; it.i = b; return it; }
      if (b >= 0xe0) {
        it.type = Cmp::kNegInt;
        it.i = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(b)));
        return it;
      }
      if (b == 0xca) {
        const uint32_t bits = LoadBE32(at + 1);
        float f;
        std::memcpy(&f, &bits, 4);
        it.type = Cmp::kDouble;
        it.d = f;
        return it;
      }
      if (b == 0xcb) {
        it.type = Cmp::kDouble;
        it.d = BitsToDouble(LoadBE64(at + 1));
        return it;
      }
      const size_t width = h.header - 1;
      const uint64_t raw = LoadN(at + 1, width);
      if (b >= 0xcc && b <= 0xcf) {
        it.type = Cmp::kInt;
        it.i = raw;
        return it;
      }
      // d0..d3: negative when the top bit is set.
      if ((at[1] & 0x80) != 0) {
        const unsigned shift = static_cast<unsigned>(64 - 8 * width);
        it.type = Cmp::kNegInt;
        it.i = static_cast<uint64_t>(static_cast<int64_t>(raw << shift) >> shift);
      } else {
        it.type = Cmp::kInt;
        it.i = raw;
      }
      return it;
    }
    case Head::Kind::kStr: case Head::Kind::kBin:
      if (h.n > static_cast<uint64_t>(end - at) - h.header) return it;
      it.data = at + h.header;
      it.len = h.n;
      it.type = BytesType(it.data, it.len);
      *p = at + h.header + h.n;
      return it;
    case Head::Kind::kExt:
      if (h.n > static_cast<uint64_t>(end - at) - h.header) return it;
      it.data = at + h.header;
      it.len = h.n;
      it.type = Cmp::kExt;
      if (h.ext_type == kCmpExtType && h.n == 1) {
        if (it.data[0] == 0) it.type = Cmp::kWildcard;
        if (it.data[0] == 1) it.type = Cmp::kInf;
      }
      *p = at + h.header + h.n;
      return it;
    case Head::Kind::kList: case Head::Kind::kMap: {
      const bool map = h.kind == Head::Kind::kMap;
      it.type = map ? Cmp::kMap : Cmp::kList;
      it.len = map ? 2 * h.n : h.n;
      Ptr q = at + h.header;
      // cmp_parse_container(): any ext header right after a container's
      // header is its marker unless its type is the wildcard/infinity type.
      if (it.len != 0 && q < end &&
          ((*q >= 0xd4 && *q <= 0xd8) || (*q >= 0xc7 && *q <= 0xc9))) {
        const Head ext = ReadHead(q, end);
        if (ext.kind == Head::Kind::kExt && ext.ext_type != kCmpExtType) {
          // Skip the meta element(s): the marker (and a map's nil).
          const uint64_t meta = map ? 2 : 1;
          for (uint64_t k = 0; k < meta && q != nullptr; ++k) q = SkipElement(q, end, 1);
          if (q == nullptr) return Item{};
          it.len -= meta;
        }
      }
      *p = q;
      return it;
    }
    case Head::Kind::kError:
      break;
  }
  return it;
}

template <typename T>
int Three(T a, T b) {
  return a > b ? 1 : (a < b ? -1 : 0);
}

}  // namespace

int CompareMsgpack(std::string_view a, std::string_view b) {
  Ptr p0 = reinterpret_cast<Ptr>(a.data());
  Ptr p1 = reinterpret_cast<Ptr>(b.data());
  const Ptr e0 = p0 + a.size();
  const Ptr e1 = p1 + b.size();
  uint64_t min_count = 1;
  int end_result = 0;
  for (uint64_t i = 0; i < min_count; ++i) {
    const Item m0 = ParseItem(&p0, e0);
    const Item m1 = ParseItem(&p1, e1);
    if (m0.type == Cmp::kError || m1.type == Cmp::kError) return 0;
    if (m0.type == Cmp::kWildcard || m1.type == Cmp::kWildcard) return 0;
    if (m0.type != m1.type) return Three(m0.type, m1.type);
    switch (m0.type) {
      case Cmp::kNegInt: case Cmp::kInt:
        if (int c = Three(m0.i, m1.i)) return c;
        break;
      case Cmp::kExt: case Cmp::kString: case Cmp::kBytes: case Cmp::kGeoJson: {
        const size_t n = static_cast<size_t>(std::min(m0.len, m1.len));
        if (int c = n == 0 ? 0 : std::memcmp(m0.data, m1.data, n)) return c > 0 ? 1 : -1;
        if (int c = Three(m0.len, m1.len)) return c;
        break;
      }
      case Cmp::kList:
        if (m0.len == m1.len) {
          min_count += m0.len;
          break;
        }
        // The shorter list is less when their common items are equal.
        min_count = std::min(m0.len, m1.len) + i + 1;
        end_result = m0.len < m1.len ? -1 : 1;
        break;
      case Cmp::kMap:
        if (int c = Three(m0.len, m1.len)) return c;
        min_count += m0.len;
        break;
      case Cmp::kDouble:
        if (int c = Three(m0.d, m1.d)) return c;
        break;
      default:
        break;
    }
  }
  return end_result;
}

namespace {

bool IsMapKey(Ptr p, Ptr end) {
  const Head h = ReadHead(p, end);
  switch (h.kind) {
    case Head::Kind::kScalar: {
      const uint8_t b = *p;
      return b <= 0x7f || b >= 0xe0 || (b >= 0xcc && b <= 0xcf) || (b >= 0xd0 && b <= 0xd3);
    }
    case Head::Kind::kStr: case Head::Kind::kBin: {
      if (h.n == 0 || h.n > static_cast<uint64_t>(end - p) - h.header) return false;
      const uint8_t prefix = p[h.header];
      return prefix == kBytesString || prefix == kBytesBlob;
    }
    default:
      return false;
  }
}

class Rewriter {
 public:
  explicit Rewriter(std::string* out) : out_(out) {}

  // Rewrites the element at `*p` and advances past it.
  bool Element(Ptr* p, Ptr end, int depth, bool top) {
    if (depth > proto::kMaxMsgpackDepth) return false;
    const Ptr at = *p;
    const Head h = ReadHead(at, end);
    const uint8_t b = at < end ? *at : 0;
    switch (h.kind) {
      case Head::Kind::kError:
        return false;
      case Head::Kind::kScalar:
        if (b >= 0xcc && b <= 0xcf) {
          PackUInt(out_, LoadN(at + 1, h.header - 1));
        } else if (b >= 0xd0 && b <= 0xd3) {
          const size_t width = h.header - 1;
          const unsigned shift = static_cast<unsigned>(64 - 8 * width);
          PackInt(out_, static_cast<int64_t>(LoadN(at + 1, width) << shift) >>
                            static_cast<int>(shift));
        } else {
          out_->append(reinterpret_cast<const char*>(at), h.header);
        }
        *p = at + h.header;
        return true;
      case Head::Kind::kStr: case Head::Kind::kBin: {
        if (h.n > static_cast<uint64_t>(end - at) - h.header) return false;
        // Str headers shrink to the smallest form; bin headers turn into str
        // headers only when a smaller one fits (bin 8 of more than 31 bytes
        // stays as it is: msgpack_parse() flags it compact).
        const bool keep_bin = (b == 0xc4 && h.n > 31) || (b == 0xc5 && h.n > 0xff) ||
                              (b == 0xc6 && h.n > 0xffff);
        if (keep_bin) {
          out_->append(reinterpret_cast<const char*>(at), h.header);
        } else {
          PackStrHeader(out_, h.n);
        }
        out_->append(reinterpret_cast<const char*>(at + h.header), h.n);
        *p = at + h.header + h.n;
        return true;
      }
      case Head::Kind::kExt: {
        if (h.n > static_cast<uint64_t>(end - at) - h.header) return false;
        // Wildcard and infinity compare but are never stored.
        if (h.ext_type == kCmpExtType && (b == 0xd4 || b == 0xd5 || (h.n != 0 && h.n < 4))) {
          return false;
        }
        PackExtHeader(out_, h.n, h.ext_type);
        out_->append(reinterpret_cast<const char*>(at + h.header), h.n);
        *p = at + h.header + h.n;
        return true;
      }
      case Head::Kind::kList: case Head::Kind::kMap:
        return Container(p, end, h, depth, top);
    }
    return false;
  }

 private:
  bool Container(Ptr* p, Ptr end, const Head& h, int depth, bool top) {
    const bool map = h.kind == Head::Kind::kMap;
    Ptr q = *p + h.header;
    uint64_t count = h.n;
    if (count == 0) {
      PackContainerHeader(out_, 0, map);
      *p = q;
      return true;
    }
    if (count > static_cast<uint64_t>(end - q)) return false;
    uint8_t flags = 0;
    if (IsMarker(q, end)) {
      // The order-flag marker: consumed, its flags filtered, its data (if
      // any) dropped.
      const Head ext = ReadHead(q, end);
      if (ext.kind != Head::Kind::kExt ||
          ext.n > static_cast<uint64_t>(end - q) - ext.header) {
        return false;
      }
      q += ext.header + ext.n;
      --count;
      flags = ext.ext_type;
      if (!top) flags &= static_cast<uint8_t>(~kPersistIndex);
      if (map) {
        q = SkipElement(q, end, depth + 1);  // the marker's value
        if (q == nullptr) return false;
        flags &= kMapKeyValueOrdered | kPersistIndex;
      } else {
        flags &= kListOrdered | kPersistIndex;
      }
    }
    PackContainerHeader(out_, count + (flags != 0 ? 1 : 0), map);
    if (flags != 0) {
      PackExtHeader(out_, 0, flags);
      if (map) out_->push_back(static_cast<char>(0xc0));
    }
    return map ? MapItems(p, q, end, count, flags, depth)
               : ListItems(p, q, end, count, flags, depth);
  }

  bool ListItems(Ptr* p, Ptr q, Ptr end, uint64_t count, uint8_t flags, int depth) {
    const bool ordered = (flags & kListOrdered) != 0;
    Ptr prev = nullptr;
    for (uint64_t k = 0; k < count; ++k) {
      const Ptr item = q;
      if (!Element(&q, end, depth + 1, false)) return false;
      if (ordered) {
        if (prev != nullptr &&
            CompareMsgpack(std::string_view(reinterpret_cast<const char*>(prev), item - prev),
                           std::string_view(reinterpret_cast<const char*>(item), q - item)) > 0) {
          return false;  // "list not ordered as expected"
        }
        prev = item;
      }
    }
    *p = q;
    return true;
  }

  bool MapItems(Ptr* p, Ptr q, Ptr end, uint64_t count, uint8_t flags, int depth) {
    struct Pair {
      size_t key_at, value_at, end_at;  // offsets in out_
    };
    const size_t base = out_->size();
    std::vector<Pair> pairs;
    pairs.reserve(static_cast<size_t>(std::min<uint64_t>(count, 4096)));
    bool need_sort = false;
    Ptr prev_key = nullptr;
    size_t prev_key_size = 0;
    for (uint64_t k = 0; k < count; ++k) {
      if (!IsMapKey(q, end)) return false;  // "map has invalid key type"
      const Ptr key = q;
      Pair pair{out_->size(), 0, 0};
      if (!Element(&q, end, depth + 1, false)) return false;
      const size_t key_size = static_cast<size_t>(q - key);
      if (!need_sort && prev_key != nullptr) {
        const int c = CompareMsgpack(
            std::string_view(reinterpret_cast<const char*>(prev_key), prev_key_size),
            std::string_view(reinterpret_cast<const char*>(key), key_size));
        if (c == 0) return false;  // "map has duplicate keys"
        if (c > 0) {
          if (flags & kMapKeyOrdered) return false;  // "map not ordered as expected"
          need_sort = true;
        }
      }
      if (!need_sort) {
        prev_key = key;
        prev_key_size = key_size;
      }
      pair.value_at = out_->size();
      if (!Element(&q, end, depth + 1, false)) return false;
      pair.end_at = out_->size();
      pairs.push_back(pair);
    }
    if (need_sort) {
      const std::string contents = out_->substr(base);
      auto key_of = [&](const Pair& x) {
        return std::string_view(contents).substr(x.key_at - base, x.value_at - x.key_at);
      };
      std::sort(pairs.begin(), pairs.end(), [&](const Pair& x, const Pair& y) {
        return CompareMsgpack(key_of(x), key_of(y)) < 0;
      });
      for (size_t k = 1; k < pairs.size(); ++k) {
        if (CompareMsgpack(key_of(pairs[k - 1]), key_of(pairs[k])) == 0) return false;
      }
      out_->resize(base);
      for (const Pair& x : pairs) {
        out_->append(contents, x.key_at - base, x.end_at - x.key_at);
      }
    }
    *p = q;
    return true;
  }

  std::string* out_;
};

}  // namespace

bool RewriteStoredCollection(std::string_view in, bool want_map, std::string* out) {
  out->clear();
  Ptr p = reinterpret_cast<Ptr>(in.data());
  const Ptr end = p + in.size();
  const Head h = ReadHead(p, end);
  if (h.kind != (want_map ? Head::Kind::kMap : Head::Kind::kList)) return false;
  Rewriter w(out);
  if (!w.Element(&p, end, 0, true)) return false;
  return p == end;  // "list/map rejected padding"
}

}  // namespace aerospike_py::server
