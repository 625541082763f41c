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

void SortValues(std::vector<Bytes>* items) {
  std::stable_sort(items->begin(), items->end(), [](Bytes a, Bytes b) { return Less(a, b); });
}

namespace {

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
    case MpType::kString: case MpType::kBytes: case MpType::kGeoJson:
      PackStrHeader(out, static_cast<uint32_t>(h.payload.size()));
      out->append(h.payload);
      return true;
    case MpType::kExt:
      if (static_cast<uint8_t>(h.ext_type) == 0xff && !h.payload.empty() && h.payload.size() < 4) {
        return false;
      }
      out->append(in.substr(0, h.size));
      return true;
    case MpType::kList: {
      ListView v;
      if (!ParseList(in, &v)) return false;
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
      if (!ParseMap(in, &v)) return false;
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
