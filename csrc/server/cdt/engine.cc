// The CDT engine's list/map entry point and context navigation (see the
// header). Context steps follow cdt_context_dig() of the real server: each
// (type, value) pair selects an element of the current list or map;
// modify ops with create flags build missing levels; the changed element
// is written back into every enclosing container on the way out (an
// ordered parent list re-sorts it).
#include "server/cdt/engine.h"

#include <algorithm>
#include <cstring>

#include "server/cdt/container.h"
#include "server/cdt/list_ops.h"
#include "server/cdt/map_ops.h"
#include "server/cdt/op_state.h"

namespace aerospike_py::server::cdt {

namespace {

constexpr uint8_t kParticleInteger = 1, kParticleFloat = 2, kParticleString = 3,
                  kParticleBool = 17, kParticleMap = 19, kParticleList = 20;

constexpr uint32_t kOpContextEval = 0xff;

// Context type bits (as_cdt_subcontext and the create masks).
constexpr uint64_t kCtxIndex = 0, kCtxRank = 1, kCtxKey = 2, kCtxValue = 3;
constexpr uint64_t kCtxList = 0x10, kCtxMap = 0x20;
constexpr uint64_t kCtxBaseMask = 0x0f, kCtxCreateMask = 0x1c0, kCtxPersist = 0x100;
constexpr uint64_t kCreateListUnbound = 0x80, kCreateOrdered = 0xc0, kCreateMapK = 0x80;

struct OpSpec {
  OpArgs args;
  bool is_list = false;
  bool modifies = false;
};

uint8_t ApplyOp(const OpSpec& spec, bool modify, const Bytes* current, std::string* updated,
                bool* changed, CdtResult* result) {
  if (spec.is_list) return ApplyListOp(spec.args, modify, current, updated, changed, result);
  return ApplyMapOp(spec.args, modify, current, updated, changed, result);
}

// The empty container a create flag builds.
std::string EmptyFor(uint64_t ctx_type) {
  const uint64_t create = ctx_type & kCtxCreateMask & ~kCtxPersist;
  if (ctx_type & kCtxList) {
    return EncodeList(create == kCreateOrdered ? flags::kListOrdered : 0, {});
  }
  uint8_t f = 0;
  if (create == kCreateMapK) f = flags::kMapKeyOrdered;
  if (create == kCreateOrdered) f = flags::kMapKeyValueOrdered;
  return EncodeMap(f, {}, {});
}

class ContextWalk {
 public:
  ContextWalk(const OpSpec& spec, bool modify, const std::vector<Bytes>& steps, CdtResult* r)
      : spec_(spec), modify_(modify), steps_(steps), result_(r) {}

  uint8_t Apply(size_t level, const Bytes* elem, std::string* updated, bool* changed);

 private:
  const OpSpec& spec_;
  bool modify_;
  const std::vector<Bytes>& steps_;
  CdtResult* result_;
};

uint8_t ContextWalk::Apply(size_t level, const Bytes* elem, std::string* updated, bool* changed) {
  *changed = false;
  if (level * 2 == steps_.size()) {
    if (elem != nullptr) {
      Header h;
      if (!ReadHeader(*elem, &h)) return rc::kParameter;
      if (h.type != (spec_.is_list ? MpType::kList : MpType::kMap)) return rc::kIncompatibleType;
    }
    if (elem == nullptr) {
      OpSpec created = spec_;
      created.args.in_created_ctx = true;
      return ApplyOp(created, modify_, elem, updated, changed, result_);
    }
    return ApplyOp(spec_, modify_, elem, updated, changed, result_);
  }
  int64_t raw_type;
  if (!ReadInt(steps_[level * 2], &raw_type)) return rc::kParameter;
  const uint64_t type = static_cast<uint64_t>(raw_type);
  const Bytes sel = steps_[level * 2 + 1];
  const uint64_t base = type & kCtxBaseMask;
  const uint64_t create = type & kCtxCreateMask;
  const bool create_on = (create & ~kCtxPersist) != 0;
  if (base > kCtxValue || (create != 0 && (type & (kCtxList | kCtxMap)) == 0)) {
    return rc::kOpNotApplicable;
  }
  std::string created;
  Bytes container;
  if (elem == nullptr) {
    if (!modify_ || !create_on) return rc::kOpNotApplicable;
    if (base == kCtxIndex && !(type & kCtxList)) return rc::kOpNotApplicable;
    if (base == kCtxKey && !(type & kCtxMap)) return rc::kOpNotApplicable;
    if (base != kCtxIndex && base != kCtxKey) return rc::kOpNotApplicable;
    created = EmptyFor(type);
    container = created;
  } else {
    container = *elem;
  }
  Header h;
  if (!ReadHeader(container, &h)) return rc::kParameter;
  if (h.type == MpType::kList) {
    if (type & kCtxMap) return rc::kOpNotApplicable;
    ListView l;
    if (!ParseList(container, &l)) return rc::kParameter;
    const uint32_t n = static_cast<uint32_t>(l.items.size());
    uint32_t idx = n;
    bool found = false;
    uint32_t pad = 0;
    switch (base) {
      case kCtxIndex: case kCtxRank: {
        int64_t index;
        if (!ReadInt(sel, &index)) return rc::kOpNotApplicable;
        uint32_t ui, cnt;
        if (CalcIndexCount(index, 1, n, &ui, &cnt, false)) {
          found = true;
          if (base == kCtxRank && !l.ordered()) {
            std::vector<uint32_t> order(n);
            for (uint32_t k = 0; k < n; ++k) order[k] = k;
            std::stable_sort(order.begin(), order.end(),
                             [&](uint32_t x, uint32_t y) { return Less(l.items[x], l.items[y]); });
            idx = order[ui];
          } else {
            idx = ui;
          }
        } else if (base == kCtxIndex && create_on && modify_) {
          if (n == 0 && index == -1) {
            idx = 0;
          } else if (index == static_cast<int64_t>(n)) {
            idx = n;
          } else if (l.ordered()) {
            idx = n;
          } else if ((create & ~kCtxPersist) == kCreateListUnbound && index > static_cast<int64_t>(n)) {
            pad = static_cast<uint32_t>(index - n);
            idx = n;
          } else {
            return rc::kOpNotApplicable;
          }
        } else {
          return rc::kOpNotApplicable;
        }
        break;
      }
      case kCtxValue:
        for (uint32_t k = 0; k < n; ++k) {
          if (Compare(l.items[k], sel) == 0) { idx = k; found = true; break; }
        }
        if (!found) return rc::kOpNotApplicable;
        break;
      default:
        return rc::kOpNotApplicable;
    }
    std::string child_updated;
    bool child_changed = false;
    const Bytes* child = found ? &l.items[idx] : nullptr;
    const uint8_t code = Apply(level + 1, child, &child_updated, &child_changed);
    if (code != rc::kOk || !child_changed) return code;
    static constexpr char kNil = static_cast<char>(0xc0);
    std::vector<Bytes> items = l.items;
    if (found) {
      items[idx] = child_updated;
    } else {
      for (uint32_t k = 0; k < pad; ++k) items.emplace_back(&kNil, 1);
      items.push_back(child_updated);
    }
    if (l.ordered()) SortValues(&items);
    *updated = EncodeList(l.flags, items);
    *changed = true;
    return rc::kOk;
  }
  if (h.type == MpType::kMap) {
    if (type & kCtxList) return rc::kOpNotApplicable;
    MapView m;
    if (!ParseMap(container, &m)) return rc::kParameter;
    const uint32_t n = static_cast<uint32_t>(m.keys.size());
    std::vector<uint32_t> key_order(n);
    for (uint32_t k = 0; k < n; ++k) key_order[k] = k;
    if (!m.key_ordered()) {
      std::stable_sort(key_order.begin(), key_order.end(),
                       [&](uint32_t x, uint32_t y) { return Less(m.keys[x], m.keys[y]); });
    }
    int pos = -1;
    switch (base) {
      case kCtxIndex: case kCtxRank: {
        int64_t index;
        if (!ReadInt(sel, &index)) return rc::kOpNotApplicable;
        uint32_t ui, cnt;
        if (!CalcIndexCount(index, 1, n, &ui, &cnt, false)) return rc::kOpNotApplicable;
        if (base == kCtxIndex) {
          pos = static_cast<int>(key_order[ui]);
        } else {
          std::vector<uint32_t> vo = key_order;
          std::stable_sort(vo.begin(), vo.end(),
                           [&](uint32_t x, uint32_t y) { return Less(m.values[x], m.values[y]); });
          pos = static_cast<int>(vo[ui]);
        }
        break;
      }
      case kCtxKey:
        for (uint32_t k = 0; k < n; ++k) {
          if (Compare(m.keys[k], sel) == 0) { pos = static_cast<int>(k); break; }
        }
        if (pos < 0 && !(create_on && modify_)) return rc::kOpNotApplicable;
        break;
      case kCtxValue:
        for (uint32_t k : key_order) {
          if (Compare(m.values[k], sel) == 0) { pos = static_cast<int>(k); break; }
        }
        if (pos < 0) return rc::kOpNotApplicable;
        break;
      default:
        return rc::kOpNotApplicable;
    }
    std::string key_storage;
    if (pos < 0) {
      if (!RewriteUntrusted(sel, &key_storage) || !IsMapKey(key_storage)) return rc::kOpNotApplicable;
    }
    std::string child_updated;
    bool child_changed = false;
    const Bytes* child = pos >= 0 ? &m.values[static_cast<size_t>(pos)] : nullptr;
    const uint8_t code = Apply(level + 1, child, &child_updated, &child_changed);
    if (code != rc::kOk || !child_changed) return code;
    if (pos >= 0) {
      m.values[static_cast<size_t>(pos)] = child_updated;
    } else {
      size_t at = UnorderedMapInsertPos(m.keys, key_storage);
      if (m.key_ordered()) {
        at = 0;
        while (at < m.keys.size() && Less(m.keys[at], key_storage)) ++at;
      }
      m.keys.insert(m.keys.begin() + static_cast<std::ptrdiff_t>(at), key_storage);
      m.values.insert(m.values.begin() + static_cast<std::ptrdiff_t>(at), child_updated);
    }
    *updated = EncodeMap(m.flags, m.keys, m.values);
    *changed = true;
    return rc::kOk;
  }
  return rc::kOpNotApplicable;
}

// Splits an op value into op code, arguments and context steps.
uint8_t ParseOp(Bytes value, OpSpec* spec, std::vector<Bytes>* steps, bool* has_ctx) {
  Header h;
  if (!ReadHeader(value, &h) || h.type != MpType::kList || h.count == 0) return rc::kParameter;
  Bytes rest = value.substr(h.size);
  Bytes first;
  int64_t op;
  if (!TakeElement(&rest, &first) || !ReadInt(first, &op) || op < 0) return rc::kParameter;
  *has_ctx = false;
  if (op == kOpContextEval) {
    if (h.count != 3) return rc::kParameter;
    Bytes ctx, inner;
    if (!TakeElement(&rest, &ctx) || !TakeElement(&rest, &inner)) return rc::kParameter;
    ListView steps_view;
    if (!ParseList(ctx, &steps_view) || steps_view.items.empty() ||
        steps_view.items.size() % 2 != 0) {
      return rc::kParameter;
    }
    *steps = steps_view.items;
    *has_ctx = true;
    Header ih;
    if (!ReadHeader(inner, &ih) || ih.type != MpType::kList || ih.count == 0) return rc::kParameter;
    rest = inner.substr(ih.size);
    if (!TakeElement(&rest, &first) || !ReadInt(first, &op) || op < 0) return rc::kParameter;
    h.count = ih.count;
  }
  spec->args.op = static_cast<uint32_t>(op);
  for (uint32_t k = 1; k < h.count; ++k) {
    Bytes e;
    if (!TakeElement(&rest, &e)) return rc::kParameter;
    spec->args.raw.push_back(e);
  }
  if (spec->args.op < 64) {
    spec->is_list = true;
    if (!IsListOp(spec->args.op, &spec->modifies)) return rc::kParameter;
  } else {
    spec->is_list = false;
    if (!IsMapOp(spec->args.op, &spec->modifies)) return rc::kParameter;
  }
  return rc::kOk;
}

}  // namespace

void MsgpackToParticle(std::string_view packed, OpReply* reply) {
  Header h;
  reply->has = false;
  if (!ReadHeader(packed, &h)) return;
  auto set = [&](uint8_t type, std::string v) {
    reply->has = true;
    reply->type = type;
    reply->value = std::move(v);
  };
  switch (h.type) {
    case MpType::kNil:
      return;
    case MpType::kFalse: case MpType::kTrue:
      set(kParticleBool, std::string(1, h.type == MpType::kTrue ? 1 : 0));
      return;
    case MpType::kInt: case MpType::kNegInt: {
      std::string v(8, '\0');
      const uint64_t u = static_cast<uint64_t>(h.i);
      for (int k = 0; k < 8; ++k) v[k] = static_cast<char>(u >> (8 * (7 - k)));
      set(kParticleInteger, std::move(v));
      return;
    }
    case MpType::kDouble: {
      uint64_t bits;
      std::memcpy(&bits, &h.d, 8);
      std::string v(8, '\0');
      for (int k = 0; k < 8; ++k) v[k] = static_cast<char>(bits >> (8 * (7 - k)));
      set(kParticleFloat, std::move(v));
      return;
    }
    case MpType::kString: case MpType::kBytes: case MpType::kGeoJson:
      if (h.payload.empty()) {
        set(4, std::string());
        return;
      }
      set(static_cast<uint8_t>(h.payload[0]), std::string(h.payload.substr(1)));
      return;
    case MpType::kList:
      set(kParticleList, std::string(packed));
      return;
    case MpType::kMap:
      set(kParticleMap, std::string(packed));
      return;
    default:
      return;
  }
}

uint8_t ApplyCdt(bool modify, std::string_view op_value, BinValue* bin, OpReply* reply,
                 bool* bin_changed) {
  *bin_changed = false;
  reply->has = false;
  OpSpec spec;
  std::vector<Bytes> steps;
  bool has_ctx = false;
  uint8_t code = ParseOp(op_value, &spec, &steps, &has_ctx);
  if (code != rc::kOk) return code;
  if (spec.modifies != modify) return rc::kParameter;
  CdtResult result;
  std::string updated;
  bool changed = false;
  if (!has_ctx) {
    const uint8_t want = spec.is_list ? kParticleList : kParticleMap;
    if (bin->exists && bin->type != want) return rc::kIncompatibleType;
    const Bytes current = bin->value;
    code = ApplyOp(spec, modify, bin->exists ? &current : nullptr, &updated, &changed, &result);
  } else {
    if (bin->exists && bin->type != kParticleList && bin->type != kParticleMap) {
      return rc::kParameter;
    }
    const Bytes current = bin->value;
    ContextWalk walk(spec, modify, steps, &result);
    code = walk.Apply(0, bin->exists ? &current : nullptr, &updated, &changed);
  }
  if (code != rc::kOk) return code;
  if (result.has) MsgpackToParticle(result.packed, reply);
  if (changed && modify) {
    Header h;
    ReadHeader(updated, &h);
    bin->exists = true;
    bin->type = h.type == MpType::kMap ? kParticleMap : kParticleList;
    bin->value = std::move(updated);
    *bin_changed = true;
  }
  return rc::kOk;
}

}  // namespace aerospike_py::server::cdt
