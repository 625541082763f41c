#include "server/sindex/index.h"

#include <algorithm>
#include <optional>

#include "common/byte_order.h"
#include "proto/msgpack.h"
#include "server/bins.h"
#include "server/expression.h"
#include "server/geojson.h"
#include "server/sindex/bval.h"
#include "server/sindex/geo_region.h"
#include "server/sindex/s2_cover.h"

namespace aerospike_py::server::sindex {
namespace {

using Kind = proto::MsgpackItem::Kind;

constexpr uint8_t kList = 20;
constexpr uint8_t kMap = 19;

// A value the index looks at: a particle type and its bytes (integers as
// 8 bytes big-endian, strings/blobs raw, GeoJSON as a stored particle or
// bare JSON, lists/maps as msgpack).
struct Element {
  uint8_t type = 0;
  std::string bytes;
  bool geo_json_only = false;  // GeoJSON from msgpack: bare JSON text
};

// One msgpack item of `whole` as an Element, leaving `r` after the item.
// False for types no index holds (the item is still consumed) or for
// malformed bytes.
bool FromMsgpack(proto::MsgpackReader& r, ByteSpan whole, Element* out, bool* malformed) {
  const size_t start = r.offset();
  proto::MsgpackItem item;
  if (!r.Next(&item).ok()) {
    *malformed = true;
    return false;
  }
  switch (item.kind) {
    case Kind::kInt: {
      out->type = kNumeric;
      uint8_t be[8];
      StoreBE64(be, static_cast<uint64_t>(item.i));
      out->bytes.assign(reinterpret_cast<const char*>(be), 8);
      return true;
    }
    case Kind::kStr:
    case Kind::kBin:
      if (item.data.empty()) return false;
      out->type = static_cast<uint8_t>(item.data[0]);
      out->bytes.assign(item.data.substr(1));
      out->geo_json_only = out->type == kGeo;
      return out->type == kString || out->type == kBlob || out->type == kGeo;
    case Kind::kArray:
    case Kind::kMap: {
      const bool list = item.kind == Kind::kArray;
      for (uint32_t i = 0; i < item.count * (list ? 1u : 2u); ++i) {
        if (!r.Skip().ok()) {
          *malformed = true;
          return false;
        }
      }
      out->type = list ? kList : kMap;
      out->bytes.assign(AsChars(whole.subspan(start, r.offset() - start)));
      return true;
    }
    default:
      return false;
  }
}

// The raw msgpack bytes of the next item of `r`.
bool RawItem(proto::MsgpackReader& r, ByteSpan whole, std::string_view* out) {
  const size_t start = r.offset();
  if (!r.Skip().ok()) return false;
  *out = AsChars(whole.subspan(start, r.offset() - start));
  return true;
}

// The element a CDT context reaches inside `container` (msgpack bytes of a
// list or map): list index / list value / map key / map value steps.
std::optional<std::string_view> ResolveContext(std::string_view container, std::string_view ctx) {
  proto::MsgpackReader steps(AsBytes(ctx));
  proto::MsgpackItem head;
  if (!steps.Next(&head).ok() || head.kind != Kind::kArray) return std::nullopt;
  std::string_view current = container;
  for (uint32_t s = 0; s < head.count; s += 2) {
    proto::MsgpackItem type;
    if (!steps.Next(&type).ok() || type.kind != Kind::kInt) return std::nullopt;
    std::string_view want;
    const ByteSpan ctx_bytes = AsBytes(ctx);
    if (!RawItem(steps, ctx_bytes, &want)) return std::nullopt;
    int kind = static_cast<int>(type.i) & 0xff;
    if (kind == 0x14) kind = 0x10;  // list index, "create" variant
    if (kind == 0x24) kind = 0x22;  // map key, "create" variant
    const ByteSpan cur = AsBytes(current);
    proto::MsgpackReader r(cur);
    proto::MsgpackItem c;
    if (!r.Next(&c).ok()) return std::nullopt;
    std::optional<std::string_view> next;
    if ((kind & 0xf0) == 0x10) {  // list steps
      if (c.kind != Kind::kArray) return std::nullopt;
      std::vector<std::string_view> items;
      for (uint32_t i = 0; i < c.count; ++i) {
        std::string_view item;
        if (!RawItem(r, cur, &item)) return std::nullopt;
        // An ordered list's leading ext carries flags, not an element.
        if (i == 0 && !item.empty() && (static_cast<uint8_t>(item[0]) == 0xc7 ||
                                         static_cast<uint8_t>(item[0]) == 0xd4)) {
          continue;
        }
        items.push_back(item);
      }
      if (kind == 0x10) {  // index
        proto::MsgpackReader v(AsBytes(want));
        proto::MsgpackItem idx;
        if (!v.Next(&idx).ok() || idx.kind != Kind::kInt) return std::nullopt;
        int64_t i = idx.i < 0 ? idx.i + static_cast<int64_t>(items.size()) : idx.i;
        if (i < 0 || i >= static_cast<int64_t>(items.size())) return std::nullopt;
        next = items[static_cast<size_t>(i)];
      } else if (kind == 0x13) {  // value
        for (std::string_view item : items) {
          if (item == want) {
            next = item;
            break;
          }
        }
      }
    } else if ((kind & 0xf0) == 0x20) {  // map steps
      if (c.kind != Kind::kMap) return std::nullopt;
      for (uint32_t i = 0; i < c.count; ++i) {
        std::string_view key, value;
        if (!RawItem(r, cur, &key) || !RawItem(r, cur, &value)) return std::nullopt;
        if ((kind == 0x22 && key == want) || (kind == 0x23 && value == want)) {
          next = value;
          break;
        }
      }
    }
    if (!next) return std::nullopt;
    current = *next;
  }
  return current;
}

// The value of the bin (or expression) as an Element.
bool TopElement(const Definition& def, const Record& record, std::string_view set_name,
                const Digest& digest, uint64_t now_ns, Element* out) {
  if (!def.exp.empty()) {
    FilterSubject subject{&record, set_name, digest.data(), now_ns};
    ExpressionValue v;
    if (!EvaluateExpression(AsBytes(def.exp), subject, &v) || v.unknown) return false;
    out->type = v.particle_type;
    out->bytes = std::move(v.bytes);
    return out->type != 0;
  }
  BinView b;
  if (!FindBin(record.bins, def.bin, &b)) return false;
  out->type = b.type;
  out->bytes.assign(b.value);
  return true;
}

// Elements of a list/map Element's members (or the element itself).
void Members(const Element& e, Collection collection, std::vector<Element>* out) {
  if (collection == Collection::kDefault) {
    out->push_back(e);
    return;
  }
  const bool want_list = collection == Collection::kList;
  if (e.type != (want_list ? kList : kMap)) return;
  const ByteSpan bytes = AsBytes(e.bytes);
  proto::MsgpackReader r(bytes);
  proto::MsgpackItem head;
  if (!r.Next(&head).ok()) return;
  bool malformed = false;
  for (uint32_t i = 0; i < head.count && !malformed; ++i) {
    Element m;
    if (want_list) {
      if (FromMsgpack(r, bytes, &m, &malformed)) out->push_back(std::move(m));
      continue;
    }
    Element key, value;
    const bool key_ok = FromMsgpack(r, bytes, &key, &malformed);
    if (malformed) return;
    const bool value_ok = FromMsgpack(r, bytes, &value, &malformed);
    if (collection == Collection::kMapKeys && key_ok) out->push_back(std::move(key));
    if (collection == Collection::kMapValues && value_ok) out->push_back(std::move(value));
  }
}

// The element a context selects inside a top-level list/map Element.
bool ApplyContext(const Definition& def, Element* e) {
  if (def.ctx.empty()) return true;
  if (e->type != kList && e->type != kMap) return false;
  std::optional<std::string_view> found = ResolveContext(e->bytes, def.ctx);
  if (!found) return false;
  const std::string raw(*found);
  const ByteSpan bytes = AsBytes(raw);
  proto::MsgpackReader r(bytes);
  Element sub;
  bool malformed = false;
  if (!FromMsgpack(r, bytes, &sub, &malformed)) return false;
  *e = std::move(sub);
  return true;
}

// Appends the bvals of one element of the index's key type: one for
// numbers, strings, blobs and GeoJSON points (their leaf cell), one per S2
// covering cell for a GeoJSON region, as the real server indexes them.
void AppendBvals(const Element& e, uint8_t key_type, std::vector<int64_t>* out) {
  if (e.type != key_type) return;
  switch (key_type) {
    case kNumeric:
      if (e.bytes.size() != 8) return;
      out->push_back(
          static_cast<int64_t>(LoadBE64(reinterpret_cast<const uint8_t*>(e.bytes.data()))));
      return;
    case kString:
    case kBlob:
      out->push_back(HashBval(e.bytes));
      return;
    case kGeo: {
      std::string_view json = e.geo_json_only ? std::string_view(e.bytes)
                                              : GeoParticleJson(e.bytes);
      std::optional<GeoRegion> region = ParseGeoRegion(json);
      if (!region) return;
      if (region->kind == GeoRegion::Kind::kPoint) {
        out->push_back(static_cast<int64_t>(S2LeafCellId(region->point.lat, region->point.lng)));
        return;
      }
      const GeoShape shape(std::move(*region));
      std::optional<std::vector<uint64_t>> cells = shape.Covering(kStoredRegionCover);
      if (!cells) return;
      if (cells->empty() && !S2Available()) {
        // Built without libs2: one entry at the first vertex / centre;
        // geo queries then read whole partitions (s2_cover.h).
        GeoPoint p = shape.region().point;
        const auto& polygons = shape.region().polygons;
        if (!polygons.empty() && !polygons[0].empty() && !polygons[0][0].empty()) {
          p = polygons[0][0][0];
        }
        out->push_back(static_cast<int64_t>(S2LeafCellId(p.lat, p.lng)));
        return;
      }
      for (uint64_t c : *cells) out->push_back(static_cast<int64_t>(c));
      return;
    }
    default:
      return;
  }
}

}  // namespace

Index::Index(Definition def)
    : def_(std::move(def)), entries_(Less{def_.key_type == kGeo}) {}

void Index::Elements(const Record& record, std::string_view set_name, const Digest& digest,
                     uint64_t now_ns, std::vector<std::pair<uint8_t, std::string>>* out) const {
  out->clear();
  if (!def_.set.empty() && set_name != def_.set) return;
  Element top;
  if (!TopElement(def_, record, set_name, digest, now_ns, &top)) return;
  if (!ApplyContext(def_, &top)) return;
  std::vector<Element> members;
  Members(top, def_.collection, &members);
  for (Element& m : members) {
    if (m.type == def_.key_type) {
      if (m.type == kGeo && m.geo_json_only) {
        // Present it as a particle (no cells) so callers see one layout.
        std::string particle(3, '\0');
        particle += m.bytes;
        out->emplace_back(m.type, std::move(particle));
      } else {
        out->emplace_back(m.type, std::move(m.bytes));
      }
    }
  }
}

void Index::Extract(const Record& record, std::string_view set_name, const Digest& digest,
                    uint64_t now_ns, std::vector<int64_t>* out) const {
  out->clear();
  std::vector<std::pair<uint8_t, std::string>> elements;
  Elements(record, set_name, digest, now_ns, &elements);
  for (const auto& [type, bytes] : elements) {
    Element e;
    e.type = type;
    e.bytes = bytes;
    AppendBvals(e, def_.key_type, out);
  }
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
}

bool Index::HoldsBytes(const Record& record, std::string_view set_name, const Digest& digest,
                       uint64_t now_ns, std::string_view key) const {
  std::vector<std::pair<uint8_t, std::string>> elements;
  Elements(record, set_name, digest, now_ns, &elements);
  for (const auto& [type, bytes] : elements) {
    if (bytes == key) return true;
  }
  return false;
}

void Index::Put(const Digest& digest, std::vector<int64_t> bvals) {
  Erase(digest);
  if (bvals.empty()) return;
  const uint16_t pid = static_cast<uint16_t>(proto::PartitionId(digest));
  for (int64_t b : bvals) entries_.insert(IndexKey{pid, b, digest});
  by_record_.emplace(digest, std::move(bvals));
}

void Index::Erase(const Digest& digest) {
  auto it = by_record_.find(digest);
  if (it == by_record_.end()) return;
  const uint16_t pid = static_cast<uint16_t>(proto::PartitionId(digest));
  for (int64_t b : it->second) entries_.erase(IndexKey{pid, b, digest});
  by_record_.erase(it);
}

void Index::Clear() {
  entries_.clear();
  by_record_.clear();
}

uint64_t Index::distinct_bvals() const {
  // Entries are ordered per partition, so distinct values over the whole
  // index need a set; only the stats ask.
  std::set<int64_t> seen;
  for (const IndexKey& k : entries_) seen.insert(k.bval);
  return seen.size();
}

void Index::MarkBuilt(uint32_t partitions, uint64_t now_ms) {
  built_ = partitions;
  if (built_ >= proto::kPartitions && !readable_) {
    readable_ = true;
    load_time_ms_ = now_ms >= created_ms ? now_ms - created_ms : 0;
    CollectCardinality(now_ms);
  }
}

void Index::CollectCardinality(uint64_t now_ms) const {
  // ROUND_FRACTION(n_keys, n): the nearest integer.
  const uint64_t keys = entries();
  const uint64_t bvals = distinct_bvals();
  per_bval_ = bvals == 0 ? 0 : (keys + bvals / 2) / bvals;
  if (def_.collection == Collection::kDefault) {
    per_rec_ = keys == 0 ? 0 : 1;
  } else {
    const uint64_t recs = records();
    per_rec_ = recs == 0 ? 0 : (keys + recs / 2) / recs;
  }
  cardinality_ms_ = now_ms;
}

}  // namespace aerospike_py::server::sindex
