// Packed lists and maps (see the header).
#include "server/cdt/container.h"

#include <algorithm>
#include <numeric>

namespace aerospike_py::server::cdt {

namespace {

// Reads a container header and its optional order marker. `marker_pairs`:
// maps carry the marker as a key with a (nil) value.
bool ReadContainer(Bytes packed, MpType want, uint8_t* flags, uint32_t* count, Bytes* rest) {
  Header h;
  if (!ReadHeader(packed, &h) || h.type != want) return false;
  *rest = packed.substr(h.size);
  *count = h.count;
  *flags = 0;
  Header eh;
  // A leading ext is the order marker, unless it is a comparison-only
  // value (wildcard, infinity: ext type 0xff).
  if (h.count != 0 && IsExt(*rest) && ReadHeader(*rest, &eh) && eh.type == MpType::kExt &&
      static_cast<uint8_t>(eh.ext_type) != 0xff) {
    *flags = static_cast<uint8_t>(eh.ext_type);
    rest->remove_prefix(eh.size);
    if (want == MpType::kMap) {
      Bytes nil;
      if (!TakeElement(rest, &nil)) return false;
    }
    --*count;
  }
  return true;
}

}  // namespace

bool ParseList(Bytes packed, ListView* out) {
  uint32_t n;
  Bytes rest;
  if (!ReadContainer(packed, MpType::kList, &out->flags, &n, &rest)) return false;
  out->items.clear();
  out->items.reserve(n);
  for (uint32_t k = 0; k < n; ++k) {
    Bytes e;
    if (!TakeElement(&rest, &e)) return false;
    out->items.push_back(e);
  }
  return true;
}

bool ParseMap(Bytes packed, MapView* out) {
  uint32_t n;
  Bytes rest;
  if (!ReadContainer(packed, MpType::kMap, &out->flags, &n, &rest)) return false;
  out->keys.clear();
  out->values.clear();
  out->keys.reserve(n);
  out->values.reserve(n);
  for (uint32_t k = 0; k < n; ++k) {
    Bytes key, value;
    if (!TakeElement(&rest, &key) || !TakeElement(&rest, &value)) return false;
    out->keys.push_back(key);
    out->values.push_back(value);
  }
  return true;
}

void AppendList(std::string* out, uint8_t f, const std::vector<Bytes>& items) {
  f &= static_cast<uint8_t>(~flags::kPersistIndex);
  size_t total = 8;
  for (Bytes b : items) total += b.size();
  out->reserve(out->size() + total);
  if (f != 0) {
    PackArrayHeader(out, static_cast<uint32_t>(items.size() + 1));
    PackOrderExt(out, f);
  } else {
    PackArrayHeader(out, static_cast<uint32_t>(items.size()));
  }
  for (Bytes b : items) out->append(b);
}

std::string EncodeList(uint8_t f, const std::vector<Bytes>& items) {
  std::string out;
  AppendList(&out, f, items);
  return out;
}

void AppendMap(std::string* out, uint8_t f, const std::vector<Bytes>& keys,
               const std::vector<Bytes>& values) {
  f &= static_cast<uint8_t>(~flags::kPersistIndex);
  size_t total = 8;
  for (size_t k = 0; k < keys.size(); ++k) total += keys[k].size() + values[k].size();
  out->reserve(out->size() + total);
  if (f != 0) {
    PackMapHeader(out, static_cast<uint32_t>(keys.size() + 1));
    PackOrderExt(out, f);
    PackNil(out);
  } else {
    PackMapHeader(out, static_cast<uint32_t>(keys.size()));
  }
  for (size_t k = 0; k < keys.size(); ++k) {
    out->append(keys[k]);
    out->append(values[k]);
  }
}

std::string EncodeMap(uint8_t f, const std::vector<Bytes>& keys, const std::vector<Bytes>& values) {
  std::string out;
  AppendMap(&out, f, keys, values);
  return out;
}

bool IsMapKey(Bytes element) {
  Header h;
  if (!ReadHeader(element, &h)) return false;
  switch (h.type) {
    case MpType::kInt: case MpType::kNegInt: case MpType::kString:
      return true;
    case MpType::kBytes:
      return !h.payload.empty() && h.payload[0] == 4;
    default:
      return false;
  }
}

size_t UnorderedMapInsertPos(const std::vector<Bytes>& keys, Bytes key) {
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0 && !Less(keys[i - 1], keys[i])) break;  // stored keys stop ascending
    if (Less(key, keys[i])) return i;
  }
  return keys.size();
}

void SortMapByKey(MapView* m) {
  const size_t n = m->size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return Less(m->keys[a], m->keys[b]); });
  std::vector<Bytes> keys(n), values(n);
  for (size_t k = 0; k < n; ++k) {
    keys[k] = m->keys[order[k]];
    values[k] = m->values[order[k]];
  }
  m->keys.swap(keys);
  m->values.swap(values);
}

void SortValues(std::vector<Bytes>* items) {
  std::stable_sort(items->begin(), items->end(), [](Bytes a, Bytes b) { return Less(a, b); });
}

namespace {

// Whether an untrusted container's first element is its order marker:
// what the server's as_unpack_peek_is_ext() calls an ext, i.e. fixext
// 2..16 and ext 8/16/32, except an ext 8 holding a wildcard or infinity;
// never a fixext 1 (the server's peek reads it as an error, or as a
// wildcard or infinity), which stays an element (and is no map key).
bool IsUntrustedMarker(Bytes b) {
  if (b.empty()) return false;
  const auto c = static_cast<uint8_t>(b[0]);
  if ((c >= 0xd5 && c <= 0xd8) || c == 0xc8 || c == 0xc9) return true;
  if (c != 0xc7) return false;
  return !(b.size() >= 4 && b[1] == 1 && static_cast<uint8_t>(b[2]) == 0xff &&
           (b[3] == 0 || b[3] == 1));
}

// The ext encoding as_pack_ext_header() chooses for a payload of `n`.
void PackExtHeader(std::string* out, size_t n, uint8_t type) {
  switch (n) {
    case 1: out->push_back(static_cast<char>(0xd4)); break;
    case 2: out->push_back(static_cast<char>(0xd5)); break;
    case 4: out->push_back(static_cast<char>(0xd6)); break;
    case 8: out->push_back(static_cast<char>(0xd7)); break;
    case 16: out->push_back(static_cast<char>(0xd8)); break;
    default:
      if (n < 0x100) {
        out->push_back(static_cast<char>(0xc7));
        out->push_back(static_cast<char>(n));
      } else if (n < 0x10000) {
        out->push_back(static_cast<char>(0xc8));
        out->push_back(static_cast<char>(n >> 8));
        out->push_back(static_cast<char>(n));
      } else {
        out->push_back(static_cast<char>(0xc9));
        for (int s = 24; s >= 0; s -= 8) out->push_back(static_cast<char>(n >> s));
      }
  }
  out->push_back(static_cast<char>(type));
}

// Splits an untrusted container into its marker flags and elements (keys
// and values interleaved for maps); false when malformed.
bool SplitUntrusted(Bytes in, bool map, uint8_t* f, std::vector<Bytes>* elements) {
  Header h;
  if (!ReadHeader(in, &h)) return false;
  Bytes rest = in.substr(h.size);
  uint32_t count = h.count;
  *f = 0;
  if (count != 0 && IsUntrustedMarker(rest)) {
    Header eh;
    if (!ReadHeader(rest, &eh)) return false;
    *f = static_cast<uint8_t>(eh.ext_type);  // the marker's data, if any, is dropped
    rest.remove_prefix(eh.size);
    if (map) {
      Bytes marker_value;
      if (!TakeElement(&rest, &marker_value)) return false;
    }
    --count;
  }
  const uint64_t n = map ? 2ull * count : count;
  elements->clear();
  elements->reserve(static_cast<size_t>(std::min<uint64_t>(n, 1 << 16)));
  for (uint64_t k = 0; k < n; ++k) {
    Bytes e;
    if (!TakeElement(&rest, &e)) return false;
    elements->push_back(e);
  }
  return true;
}

bool Rewrite(Bytes in, std::string* out, int depth) {
  if (depth > kMaxDepth) return false;
  Header h;
  if (!ReadHeader(in, &h)) return false;
  switch (h.type) {
    case MpType::kWildcard: case MpType::kInf:
      return false;
    case MpType::kInt:
      if (static_cast<uint8_t>(in[0]) == 0xcf || static_cast<uint8_t>(in[0]) <= 0x7f ||
          (static_cast<uint8_t>(in[0]) >= 0xcc && static_cast<uint8_t>(in[0]) <= 0xce)) {
        // Unsigned encodings keep unsigned (values above INT64_MAX too).
        PackUInt(out, static_cast<uint64_t>(h.i));
      } else {
        PackInt(out, h.i);
      }
      return true;
    case MpType::kNegInt:
      PackInt(out, h.i);
      return true;
    case MpType::kString: case MpType::kBytes: case MpType::kGeoJson: {
      // Str headers shrink to the smallest form; a bin header becomes a str
      // header only when a smaller one fits (a bin 8 of more than 31 bytes
      // stays: msgpack_parse() calls it compact).
      const auto b = static_cast<uint8_t>(in[0]);
      const size_t n = h.payload.size();
      if ((b == 0xc4 && n > 31) || (b == 0xc5 && n > 0xff) || (b == 0xc6 && n > 0xffff)) {
        out->append(in.substr(0, h.size));
        return true;
      }
      PackStrHeader(out, static_cast<uint32_t>(n));
      out->append(h.payload);
      return true;
    }
    case MpType::kExt:
      if (static_cast<uint8_t>(h.ext_type) == 0xff && !h.payload.empty() && h.payload.size() < 4) {
        return false;
      }
      PackExtHeader(out, h.payload.size(), static_cast<uint8_t>(h.ext_type));
      out->append(h.payload);
      return true;
    case MpType::kList: {
      ListView v;
      if (!SplitUntrusted(in, false, &v.flags, &v.items)) return false;
      const uint8_t f = v.flags & flags::kListOrdered;
      std::vector<std::string> parts(v.items.size());
      std::vector<Bytes> items(v.items.size());
      for (size_t k = 0; k < v.items.size(); ++k) {
        if (!Rewrite(v.items[k], &parts[k], depth + 1)) return false;
        items[k] = parts[k];
        if (f != 0 && k > 0 && Compare(items[k - 1], items[k]) > 0) return false;
      }
      AppendList(out, f, items);
      return true;
    }
    case MpType::kMap: {
      MapView v;
      std::vector<Bytes> elements;
      if (!SplitUntrusted(in, true, &v.flags, &elements)) return false;
      for (size_t k = 0; k < elements.size(); k += 2) {
        v.keys.push_back(elements[k]);
        v.values.push_back(elements[k + 1]);
      }
      const uint8_t f = v.flags & flags::kMapKeyValueOrdered;
      const size_t n = v.size();
      std::vector<std::string> kparts(n), vparts(n);
      std::vector<Bytes> keys(n), values(n);
      bool need_sort = false;
      for (size_t k = 0; k < n; ++k) {
        if (!IsMapKey(v.keys[k])) return false;
        if (!Rewrite(v.keys[k], &kparts[k], depth + 1) ||
            !Rewrite(v.values[k], &vparts[k], depth + 1)) {
          return false;
        }
        keys[k] = kparts[k];
        values[k] = vparts[k];
        if (k > 0 && !need_sort) {
          const int c = Compare(keys[k - 1], keys[k]);
          if (c == 0) return false;  // duplicate key
          if (c > 0) {
            if (f & flags::kMapKeyOrdered) return false;
            need_sort = true;
          }
        }
      }
      if (need_sort) {
        std::vector<size_t> order(n);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](size_t a, size_t b) { return Less(keys[a], keys[b]); });
        std::vector<Bytes> sk(n), sv(n);
        for (size_t k = 0; k < n; ++k) {
          sk[k] = keys[order[k]];
          sv[k] = values[order[k]];
          if (k > 0 && Compare(sk[k - 1], sk[k]) == 0) return false;
        }
        keys.swap(sk);
        values.swap(sv);
      }
      AppendMap(out, f, keys, values);
      return true;
    }
    default:
      out->append(in.substr(0, h.size));
      return true;
  }
}

}  // namespace

bool RewriteUntrusted(Bytes in, std::string* out) {
  const size_t n = ElementSize(in);
  if (n == 0 || n != in.size()) return false;
  return Rewrite(in, out, 0);
}

}  // namespace aerospike_py::server::cdt
