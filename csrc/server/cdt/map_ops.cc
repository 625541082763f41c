// Map operations (see the header).
#include "server/cdt/map_ops.h"

#include <algorithm>
#include <deque>
#include <numeric>

namespace aerospike_py::server::cdt {

namespace {

enum : uint32_t {
  kSetType = 64, kAdd = 65, kAddItems = 66, kPut = 67, kPutItems = 68, kReplace = 69,
  kReplaceItems = 70, kIncrement = 73, kDecrement = 74, kClear = 75,
  kRemoveByKey = 76, kRemoveByIndex = 77, kRemoveByValue = 78, kRemoveByRank = 79,
  kRemoveByKeyList = 81, kRemoveAllByValue = 82, kRemoveByValueList = 83,
  kRemoveByKeyInterval = 84, kRemoveByIndexRange = 85, kRemoveByValueInterval = 86,
  kRemoveByRankRange = 87, kRemoveByKeyRelIndexRange = 88, kRemoveByValueRelRankRange = 89,
  kSize = 96, kGetByKey = 97, kGetByIndex = 98, kGetByValue = 99, kGetByRank = 100,
  kGetAllByValue = 102, kGetByKeyInterval = 103, kGetByIndexRange = 104,
  kGetByValueInterval = 105, kGetByRankRange = 106, kGetByKeyList = 107,
  kGetByValueList = 108, kGetByKeyRelIndexRange = 109, kGetByValueRelRankRange = 110,
};

// Map write flags.
constexpr uint64_t kNoOverwrite = 0x01, kNoCreate = 0x02, kNoFail = 0x04, kDoPartial = 0x08;

// The read twin of a remove-by op.
uint32_t ReadKind(uint32_t op) {
  switch (op) {
    case kRemoveByKey: return kGetByKey;
    case kRemoveByIndex: return kGetByIndex;
    case kRemoveByValue: return kGetByValue;
    case kRemoveByRank: return kGetByRank;
    case kRemoveByKeyList: return kGetByKeyList;
    case kRemoveAllByValue: return kGetAllByValue;
    case kRemoveByValueList: return kGetByValueList;
    case kRemoveByKeyInterval: return kGetByKeyInterval;
    case kRemoveByIndexRange: return kGetByIndexRange;
    case kRemoveByValueInterval: return kGetByValueInterval;
    case kRemoveByRankRange: return kGetByRankRange;
    case kRemoveByKeyRelIndexRange: return kGetByKeyRelIndexRange;
    case kRemoveByValueRelRankRange: return kGetByValueRelRankRange;
    default: return op;
  }
}

// kAll: everything, as the server answers it (packed_map_get_remove_all).
enum class SelKind { kIndexRange, kRankRange, kOther, kAll };

struct Selection {
  SelKind kind = SelKind::kOther;
  uint32_t start = 0, count = 0;     // range selections (key index or value rank)
  std::vector<bool> mask;            // by stored position
  uint32_t selected = 0;
  uint32_t matched = 0;              // selected before inversion
  bool inverted = false;
  std::vector<uint32_t> result_order;  // stored positions in result order
  std::vector<uint32_t> index_order;   // INDEX results only (key lists: in the given order)
  // RANK results only (value lists): per given value, its matches in rank
  // order, each rank reversed on its own (result_data_set_by_itemlist_irc).
  std::vector<uint32_t> rank_order;
  bool value_list = false;  // a value-list selection (its inverted RANKs go by range)
  bool key_list = false;    // a key-list selection (on unordered maps, inverted INDEXes too)
};

// Whether a given item compares equal to one given after it.
bool LaterDuplicate(const std::vector<Bytes>& items, size_t i) {
  for (size_t j = i + 1; j < items.size(); ++j) {
    if (Compare(items[i], items[j]) == 0) return true;
  }
  return false;
}

class MapOp {
 public:
  MapOp(const OpArgs& a, bool modify, const Bytes* current, CdtResult* result)
      : a_(a), modify_(modify), exists_(current != nullptr), result_(result) {
    if (current != nullptr) parsed_ = ParseMap(*current, &m_);
  }
  uint8_t Run();
  bool changed() const { return changed_; }
  std::string TakeUpdated() { return std::move(updated_); }

 private:
  uint32_t size() const { return static_cast<uint32_t>(m_.keys.size()); }
  // Stored positions in key order (stored order for key-ordered maps).
  const std::vector<uint32_t>& KeyOrder() {
    if (key_order_.size() != size()) {
      key_order_.resize(size());
      std::iota(key_order_.begin(), key_order_.end(), 0);
      if (!m_.key_ordered()) {
        std::stable_sort(key_order_.begin(), key_order_.end(),
                         [&](uint32_t x, uint32_t y) { return Less(m_.keys[x], m_.keys[y]); });
      }
    }
    return key_order_;
  }
  // Stored positions in value order, ties in key order.
  const std::vector<uint32_t>& ValueOrder() {
    if (value_order_.size() != size()) {
      value_order_ = KeyOrder();
      std::stable_sort(value_order_.begin(), value_order_.end(),
                       [&](uint32_t x, uint32_t y) { return Less(m_.values[x], m_.values[y]); });
    }
    return value_order_;
  }
  int FindKey(Bytes key) const {
    for (size_t i = 0; i < m_.keys.size(); ++i) {
      if (Compare(m_.keys[i], key) == 0) return static_cast<int>(i);
    }
    return -1;
  }
  uint8_t Write() {
    updated_ = EncodeMap(m_.flags, m_.keys, m_.values);
    changed_ = true;
    key_order_.clear();
    value_order_.clear();
    return rc::kOk;
  }
  // Adds or replaces one entry (already rewritten); false: flag refusal.
  void PutEntry(Bytes key, Bytes value, int at) {
    if (at >= 0) {
      m_.values[static_cast<size_t>(at)] = value;
      return;
    }
    if (m_.key_ordered()) {
      size_t pos = 0;
      while (pos < m_.keys.size() && Less(m_.keys[pos], key)) ++pos;
      m_.keys.insert(m_.keys.begin() + static_cast<std::ptrdiff_t>(pos), key);
      m_.values.insert(m_.values.begin() + static_cast<std::ptrdiff_t>(pos), value);
    } else {
      const auto pos = static_cast<std::ptrdiff_t>(UnorderedMapInsertPos(m_.keys, key));
      m_.keys.insert(m_.keys.begin() + pos, key);
      m_.values.insert(m_.values.begin() + pos, value);
    }
  }
  uint8_t Put(const std::vector<Bytes>& keys, const std::vector<Bytes>& values, bool overwrite,
              bool create, bool no_fail, bool partial);
  uint8_t Increment(bool decrement);
  uint8_t Select(ReturnSpec r, uint32_t kind);
  uint8_t Emit(const ReturnSpec& r, const Selection& s);

  const OpArgs& a_;
  bool modify_;
  bool exists_;
  bool parsed_ = true;
  CdtResult* result_;
  MapView m_;
  std::vector<uint32_t> key_order_, value_order_;
  std::deque<std::string> storage_;  // stable addresses for views
  bool changed_ = false;
  std::string updated_;
};

uint8_t MapOp::Put(const std::vector<Bytes>& keys, const std::vector<Bytes>& values,
                   bool overwrite, bool create, bool no_fail, bool partial) {
  if (!partial) {
    // Without partial, one refused entry refuses (or, no-fail, skips) all.
    for (size_t i = 0; i < keys.size(); ++i) {
      const int at = FindKey(keys[i]);
      uint8_t refusal = rc::kOk;
      if (at >= 0 && !overwrite) refusal = rc::kElementExists;
      if (at < 0 && !create) refusal = rc::kElementNotFound;
      if (refusal == rc::kOk) continue;
      if (!no_fail) return refusal;
      result_->Int(size());
      return exists_ ? rc::kOk : Write();
    }
  }
  bool any = false;
  for (size_t i = 0; i < keys.size(); ++i) {
    const int at = FindKey(keys[i]);
    uint8_t refusal = rc::kOk;
    if (at >= 0 && !overwrite) refusal = rc::kElementExists;
    if (at < 0 && !create) refusal = rc::kElementNotFound;
    if (refusal != rc::kOk) {
      if (partial) continue;
      if (no_fail) {
        result_->Int(size());
        return exists_ ? rc::kOk : Write();
      }
      return refusal;
    }
    PutEntry(keys[i], values[i], at);
    any = true;
  }
  result_->Int(size());
  if (!any && exists_) return rc::kOk;
  return Write();
}

uint8_t MapOp::Increment(bool decrement) {
  std::string key;
  if (!RewriteUntrusted(a_.raw[0], &key) || !IsMapKey(key)) return rc::kParameter;
  bool delta_double = false;
  int64_t di = 1;
  double dd = 1;
  if (a_.raw.size() > 1) {
    Header h;
    ReadHeader(a_.raw[1], &h);
    if (h.type == MpType::kInt || h.type == MpType::kNegInt) { di = h.i; dd = static_cast<double>(h.i); }
    else if (h.type == MpType::kDouble) { delta_double = true; dd = h.d; di = static_cast<int64_t>(h.d); }
    else if (h.type != MpType::kNil) return rc::kParameter;
  }
  if (decrement) { di = -di; dd = -dd; }
  const int at = FindKey(key);
  std::string packed;
  if (at >= 0) {
    Header h;
    ReadHeader(m_.values[static_cast<size_t>(at)], &h);
    if (h.type == MpType::kInt || h.type == MpType::kNegInt) {
      PackInt(&packed, static_cast<int64_t>(static_cast<uint64_t>(h.i) +
                                            static_cast<uint64_t>(delta_double ? static_cast<int64_t>(dd) : di)));
    } else if (h.type == MpType::kDouble) {
      PackDouble(&packed, h.d + (delta_double ? dd : static_cast<double>(di)));
    } else {
      return rc::kParameter;
    }
  } else if (delta_double) {
    PackDouble(&packed, dd);
  } else {
    PackInt(&packed, di);
  }
  storage_.push_back(std::move(key));
  const Bytes k = storage_.back();
  storage_.push_back(std::move(packed));
  const Bytes v = storage_.back();
  result_->Raw(v);
  PutEntry(k, v, at);
  return Write();
}

uint8_t MapOp::Emit(const ReturnSpec& r, const Selection& s) {
  const uint32_t n = size();
  const bool rev = r.type == rt::kRevIndex || r.type == rt::kRevRank ||
                   r.type == rt::kRevIndexRange || r.type == rt::kRevRankRange;
  // Selected positions in the order results list them.
  std::vector<uint32_t> order;
  if (!s.result_order.empty() && !r.inverted) {
    order = s.result_order;
  } else {
    // Mask selections list elements in key order.
    for (uint32_t p : KeyOrder()) if (s.mask[p]) order.push_back(p);
  }
  auto key_index = [&](uint32_t pos) -> uint32_t {
    const auto& ko = KeyOrder();
    return static_cast<uint32_t>(std::find(ko.begin(), ko.end(), pos) - ko.begin());
  };
  auto value_rank = [&](uint32_t pos) -> uint32_t {
    const auto& vo = ValueOrder();
    return static_cast<uint32_t>(std::find(vo.begin(), vo.end(), pos) - vo.begin());
  };
  switch (r.type) {
    case rt::kNone: result_->None(); return rc::kOk;
    case rt::kCount: result_->Int(s.selected); return rc::kOk;
    case rt::kExists:
      // Range and interval selections answer from what they matched, even
      // inverted (result_data_set_range of the server).
      result_->Bool(s.inverted && s.kind != SelKind::kOther ? s.matched == 0 : s.selected != 0);
      return rc::kOk;
    case rt::kIndex: case rt::kRevIndex: case rt::kRank: case rt::kRevRank: {
      const bool by_rank = r.type == rt::kRank || r.type == rt::kRevRank;
      std::vector<int64_t> v;
      if (s.kind == SelKind::kAll) {
        if (!r.multi) {
          result_->Int(0);
        } else {
          for (uint32_t k = 0; k < n; ++k) v.push_back(k);
          result_->IntList(v);
        }
        return rc::kOk;
      }
      const bool as_range = (by_rank && s.kind == SelKind::kRankRange) ||
                            (!by_rank && s.kind == SelKind::kIndexRange);
      if (as_range && r.multi) {
        // The server's add_int_range pieces (the complement in two).
        auto add = [&](uint32_t start, uint32_t count) {
          if (rev) start = n - start - count;
          for (uint32_t k = 0; k < count; ++k) v.push_back(start + k);
        };
        if (r.inverted) {
          add(0, s.start);
          add(s.start + s.count, n - s.start - s.count);
        } else {
          add(s.start, s.count);
        }
        result_->IntList(v);
        return rc::kOk;
      }
      if (r.inverted && r.multi &&
          ((by_rank && s.value_list) || (!by_rank && s.key_list && !m_.key_ordered()))) {
        // Value lists (RANK) and key lists on unordered maps (INDEX),
        // inverted: the ranks / key indexes between the matched items'
        // blocks in order, each run reversed as a whole
        // (result_data_set_by_itemlist_irc).
        std::vector<uint32_t> ranks;
        for (uint32_t p = 0; p < n; ++p) {
          if (s.mask[p]) ranks.push_back(by_rank ? value_rank(p) : key_index(p));
        }
        std::sort(ranks.begin(), ranks.end());
        for (size_t a = 0; a < ranks.size();) {
          size_t b = a + 1;
          while (b < ranks.size() && ranks[b] == ranks[b - 1] + 1) ++b;
          const uint32_t start = ranks[a], count = static_cast<uint32_t>(b - a);
          const uint32_t first = rev ? n - start - count : start;
          for (uint32_t k = 0; k < count; ++k) v.push_back(first + k);
          a = b;
        }
        result_->IntList(v);
        return rc::kOk;
      }
      // Ranks of a mask selection come in stored order (the server's
      // packed_map_build_rank_result_by_mask).
      std::vector<uint32_t> stored;
      if (by_rank && !r.inverted && !s.rank_order.empty()) {
        stored = s.rank_order;
      } else if (by_rank && (s.result_order.empty() || r.inverted)) {
        for (uint32_t p = 0; p < n; ++p) if (s.mask[p]) stored.push_back(p);
      }
      const std::vector<uint32_t>& listed =
          !stored.empty() ? stored
          : (!by_rank && !r.inverted && !s.index_order.empty()) ? s.index_order : order;
      for (uint32_t p : listed) {
        const uint32_t x = by_rank ? value_rank(p) : key_index(p);
        v.push_back(rev ? n - x - 1 : x);
      }
      if (!r.multi) {
        result_->Int(v.empty() ? -1 : v[0]);
        return rc::kOk;
      }
      result_->IntList(v);
      return rc::kOk;
    }
    case rt::kKey: case rt::kValue: {
      std::vector<Bytes> v;
      for (uint32_t p : order) v.push_back(r.type == rt::kKey ? m_.keys[p] : m_.values[p]);
      if (!r.multi) {
        if (v.empty()) result_->None();
        else result_->Raw(v[0]);
        return rc::kOk;
      }
      result_->List(v);
      return rc::kOk;
    }
    case rt::kKeyValueMap: case rt::kUnorderedMap: case rt::kOrderedMap: {
      std::vector<uint32_t> o = order;
      if (r.type == rt::kOrderedMap) {
        std::stable_sort(o.begin(), o.end(),
                         [&](uint32_t x, uint32_t y) { return Less(m_.keys[x], m_.keys[y]); });
      }
      std::vector<Bytes> k, v;
      for (uint32_t p : o) { k.push_back(m_.keys[p]); v.push_back(m_.values[p]); }
      const uint8_t f = r.type == rt::kKeyValueMap ? flags::kMapPreserveOrder
                        : r.type == rt::kOrderedMap ? flags::kMapKeyOrdered : 0;
      result_->Map(f, k, v);
      return rc::kOk;
    }
    case rt::kIndexRange: case rt::kRevIndexRange:
      if (s.kind == SelKind::kAll) { result_->IntList({0, n}); return rc::kOk; }
      if (s.kind != SelKind::kIndexRange || r.inverted) return rc::kOpNotApplicable;
      result_->IntList({rev ? n - s.start - s.count : s.start, s.count});
      return rc::kOk;
    case rt::kRankRange: case rt::kRevRankRange:
      if (s.kind == SelKind::kAll) { result_->IntList({0, n}); return rc::kOk; }
      if (s.kind != SelKind::kRankRange || r.inverted) return rc::kOpNotApplicable;
      result_->IntList({rev ? n - s.start - s.count : s.start, s.count});
      return rc::kOk;
    default:
      return rc::kOpNotApplicable;
  }
}

uint8_t MapOp::Select(ReturnSpec r, uint32_t kind) {
  const uint32_t n = size();
  Selection s;
  s.mask.assign(n, false);
  if (r.inverted && !r.multi) {
    // A key-ordered map looks the key up before it checks the flag: a
    // missing key answers "not found" even inverted
    // (packed_map_get_remove_by_key_interval of the server).
    if (kind == kGetByKey && m_.key_ordered() && FindKey(a_.raw[1]) < 0) {
      if (!SetNotFound(r, -1, m_.flags, result_)) return rc::kOpNotApplicable;
      return rc::kOk;
    }
    return rc::kOpNotApplicable;
  }
  auto not_found = [&](int64_t index) -> uint8_t {
    if (r.inverted) return rc::kOk;  // handled by the caller's mask
    if (!SetNotFound(r, index, m_.flags, result_)) return rc::kOpNotApplicable;
    return rc::kOk;
  };
  auto select_range = [&](const std::vector<uint32_t>& order, uint32_t start, uint32_t count) {
    for (uint32_t k = start; k < start + count; ++k) {
      s.mask[order[k]] = true;
      s.result_order.push_back(order[k]);
    }
  };
  switch (kind) {
    case kGetByKey: {
      const int at = FindKey(a_.raw[1]);
      if (at >= 0) { s.mask[static_cast<size_t>(at)] = true; s.result_order.push_back(static_cast<uint32_t>(at)); }
      break;
    }
    case kGetByIndex: case kGetByIndexRange: case kGetByRank: case kGetByRankRange:
    case kGetByKeyRelIndexRange: case kGetByValueRelRankRange: {
      const bool by_rank = kind == kGetByRank || kind == kGetByRankRange ||
                           kind == kGetByValueRelRankRange;
      int64_t index;
      uint64_t count = (kind == kGetByIndex || kind == kGetByRank) ? 1 : UINT32_MAX;
      if (kind == kGetByKeyRelIndexRange || kind == kGetByValueRelRankRange) {
        // Relative ranges: an index/rank range from the value's position.
        const bool by_key = kind == kGetByKeyRelIndexRange;
        int64_t rel;
        if (!ArgInt(a_, 2, &rel)) return rc::kParameter;
        if (a_.raw.size() > 3 && !ArgUInt(a_, 3, &count)) return rc::kParameter;
        uint32_t anchor = 0;
        for (uint32_t p = 0; p < n; ++p) {
          if (Compare(by_key ? m_.keys[p] : m_.values[p], a_.raw[1]) < 0) ++anchor;
        }
        uint64_t cnt64;
        CalcRelIndexCount(rel, count, anchor, &index, &cnt64);
        count = cnt64;
      } else {
        if (!ArgInt(a_, 1, &index)) return rc::kParameter;
        if ((kind == kGetByIndexRange || kind == kGetByRankRange) && a_.raw.size() > 2 &&
            !ArgUInt(a_, 2, &count)) {
          return rc::kParameter;
        }
      }
      uint32_t start, cnt;
      if (!CalcIndexCount(index, count, n, &start, &cnt, r.multi)) return rc::kOpNotApplicable;
      if (by_rank && (r.type == rt::kIndexRange || r.type == rt::kRevIndexRange)) {
        return rc::kOpNotApplicable;
      }
      if (!by_rank && (r.type == rt::kRankRange || r.type == rt::kRevRankRange)) {
        return rc::kOpNotApplicable;
      }
      if (r.inverted) r.inverted = ReduceInvertedRange(n, &start, &cnt);
      s.kind = by_rank ? SelKind::kRankRange : SelKind::kIndexRange;
      s.start = start;
      s.count = cnt;
      if (cnt == 0 && !r.inverted) {
        if (!SetNotFound(r, start, m_.flags, result_)) return rc::kOpNotApplicable;
        return rc::kOk;
      }
      select_range(by_rank ? ValueOrder() : KeyOrder(), start, cnt);
      // The whole map as an index range is answered as "everything"
      // (packed_map_get_remove_all), ranks 0..n-1 included.
      if (kind == kGetByIndexRange && !r.inverted && cnt == n) s.kind = SelKind::kAll;
      // A relative range still inverted answers by mask.
      if (r.inverted && (kind == kGetByKeyRelIndexRange || kind == kGetByValueRelRankRange)) {
        s.kind = SelKind::kOther;
      }
      break;
    }
    case kGetByValue: case kGetAllByValue: case kGetByKeyInterval: case kGetByValueInterval: {
      // Intervals select by mask: results list elements in stored order.
      const bool by_key = kind == kGetByKeyInterval;
      if (r.type == rt::kIndexRange || r.type == rt::kRevIndexRange) {
        if (!by_key) return rc::kOpNotApplicable;
      }
      if (by_key && (r.type == rt::kRankRange || r.type == rt::kRevRankRange)) {
        return rc::kOpNotApplicable;
      }
      if (n == 0 && !by_key) {
        if (!SetNotFound(r, -1, m_.flags, result_)) return rc::kOpNotApplicable;
        return rc::kOk;
      }
      const Bytes start = a_.raw[1];
      const bool single = kind == kGetByValue || kind == kGetAllByValue;
      const bool has_end = single || a_.raw.size() > 2;
      uint32_t below = 0, count = 0;
      for (uint32_t p = 0; p < n; ++p) {
        const Bytes x = by_key ? m_.keys[p] : m_.values[p];
        if (Compare(x, start) < 0) { ++below; continue; }
        if (single ? Compare(x, start) != 0 : (has_end && Compare(x, a_.raw[2]) >= 0)) continue;
        if (kind == kGetByValue && count == 1) continue;  // the first match only
        s.mask[p] = true;
        ++count;
      }
      s.kind = by_key ? SelKind::kIndexRange : SelKind::kRankRange;
      s.start = below;
      s.count = count;
      if (by_key && m_.key_ordered() && r.inverted) {
        uint32_t st = below, ct = count;
        r.inverted = ReduceInvertedRange(n, &st, &ct);
        if (!r.inverted) {
          s.mask.assign(n, false);
          for (uint32_t p = st; p < st + ct; ++p) { s.mask[p] = true; s.result_order.push_back(p); }
          s.start = st;
          s.count = ct;
          if (ct == 0) {
            if (!SetNotFound(r, st, m_.flags, result_)) return rc::kOpNotApplicable;
            return rc::kOk;
          }
          // Key-ordered maps take the interval as an index range; all of
          // it is answered as "everything" (packed_map_get_remove_all).
          if (ct == n) s.kind = SelKind::kAll;
        }
      } else if (count == 0 && r.inverted && !by_key) {
        // Nothing matched: the inverse is everything, as a plain range.
        r.inverted = false;
        for (uint32_t p : KeyOrder()) { s.mask[p] = true; s.result_order.push_back(p); }
        s.kind = SelKind::kAll;
        s.start = 0;
        s.count = n;
      }
      break;
    }
    case kGetByKeyList: case kGetByValueList: {
      ListView items;
      if (!ParseList(a_.raw[1], &items)) return rc::kParameter;
      const bool by_key = kind == kGetByKeyList;
      const bool range_type = r.type == rt::kIndexRange || r.type == rt::kRevIndexRange ||
                              r.type == rt::kRankRange || r.type == rt::kRevRankRange;
      if (range_type || (by_key && (r.type == rt::kRank || r.type == rt::kRevRank))) {
        return rc::kOpNotApplicable;
      }
      if (items.items.empty()) {
        if (!r.inverted) {
          if (!SetNotFound(r, 0, m_.flags, result_)) return rc::kOpNotApplicable;
          return rc::kOk;
        }
        r.inverted = false;
        for (uint32_t p : KeyOrder()) { s.mask[p] = true; s.result_order.push_back(p); }
        s.kind = SelKind::kIndexRange;
        s.start = 0;
        s.count = n;
        break;
      }
      s.value_list = !by_key;
      s.key_list = by_key;
      for (size_t i = 0; i < items.items.size(); ++i) {
        const Bytes want = items.items[i];
        // Unordered maps (and value lists in every order): the server finds
        // each element among the given items sorted (stably); equal items
        // share one slot, the last of them, which alone lists the matches.
        // Key lists on key-ordered maps look every given key up on its
        // own: a key given twice is listed twice.
        const bool per_item = by_key && m_.key_ordered();
        if (!per_item && LaterDuplicate(items.items, i)) continue;
        if (by_key) {
          // INDEX results list the keys in the order they were given.
          const int at = FindKey(want);
          if (at >= 0) {
            s.mask[static_cast<size_t>(at)] = true;
            s.index_order.push_back(static_cast<uint32_t>(at));
          }
        } else {
          for (uint32_t p : ValueOrder()) {
            if (!s.mask[p] && Compare(m_.values[p], want) == 0) {
              s.mask[p] = true;
              s.rank_order.push_back(p);
            }
          }
        }
      }
      break;
    }
    default:
      return rc::kParameter;
  }
  s.matched = static_cast<uint32_t>(std::count(s.mask.begin(), s.mask.end(), true));
  s.inverted = r.inverted;
  if (r.inverted) {
    for (uint32_t i = 0; i < n; ++i) s.mask[i] = !s.mask[i];
    s.result_order.clear();
  }
  s.selected = static_cast<uint32_t>(std::count(s.mask.begin(), s.mask.end(), true));
  if (s.selected == 0 && !r.inverted && s.kind != SelKind::kOther) {
    if (r.type == rt::kIndexRange || r.type == rt::kRevIndexRange || r.type == rt::kRankRange ||
        r.type == rt::kRevRankRange) {
      // An empty range still reports where it starts.
    } else {
      return not_found(s.start);
    }
  } else if (s.selected == 0 && !r.inverted) {
    return not_found(0);
  }
  const uint8_t code = Emit(r, s);
  if (code != rc::kOk || !modify_ || s.selected == 0) return code;
  MapView kept;
  kept.flags = m_.flags;
  for (uint32_t i = 0; i < n; ++i) {
    if (s.mask[i]) continue;
    kept.keys.push_back(m_.keys[i]);
    kept.values.push_back(m_.values[i]);
  }
  m_ = kept;
  return Write();
}

uint8_t MapOp::Run() {
  const uint32_t op = a_.op;
  if (exists_ && !parsed_) return rc::kParameter;
  auto attr_flags = [&](size_t i) -> uint8_t {
    uint64_t f = 0;
    if (a_.raw.size() > i) ArgUInt(a_, i, &f);
    return static_cast<uint8_t>(f) & flags::kMapKeyValueOrdered;
  };
  auto rewrite = [&](Bytes in, Bytes* out, bool key) -> bool {
    std::string s;
    if (!RewriteUntrusted(in, &s)) return false;
    if (key && !IsMapKey(s)) return false;
    storage_.push_back(std::move(s));
    *out = storage_.back();
    return true;
  };
  switch (op) {
    case kSetType: {
      if (!CheckArgs(a_, "F", 1)) return rc::kParameter;
      uint64_t f;
      ArgUInt(a_, 0, &f);
      if ((f & ~uint64_t{flags::kMapKeyValueOrdered | flags::kPersistIndex}) != 0) {
        return rc::kOpNotApplicable;
      }
      const uint8_t nf = static_cast<uint8_t>(f) & flags::kMapKeyValueOrdered;
      if (exists_ && nf == m_.flags) return rc::kOk;
      if ((nf & flags::kMapKeyOrdered) && !m_.key_ordered()) {
        const std::vector<uint32_t> order = KeyOrder();
        MapView sorted;
        for (uint32_t p : order) { sorted.keys.push_back(m_.keys[p]); sorted.values.push_back(m_.values[p]); }
        m_.keys = sorted.keys;
        m_.values = sorted.values;
      }
      m_.flags = nf;
      return Write();
    }
    case kAdd: case kPut: case kReplace: {
      const char* spec = op == kPut ? "SSFF" : op == kAdd ? "SSF" : "SS";
      if (!CheckArgs(a_, spec, 2)) return rc::kParameter;
      if (!exists_) m_.flags = op == kReplace ? 0 : attr_flags(2);
      uint64_t mod = 0;
      if (op == kPut && a_.raw.size() > 3) ArgUInt(a_, 3, &mod);
      Bytes k, v;
      if (!rewrite(a_.raw[0], &k, true) || !rewrite(a_.raw[1], &v, false)) return rc::kParameter;
      const bool overwrite = op == kReplace || (op == kPut && !(mod & kNoOverwrite));
      const bool create = op == kAdd || (op == kPut && !(mod & kNoCreate));
      return Put({k}, {v}, overwrite, create, (mod & kNoFail) != 0, (mod & kDoPartial) != 0);
    }
    case kAddItems: case kPutItems: case kReplaceItems: {
      const char* spec = op == kPutItems ? "SFF" : op == kAddItems ? "SF" : "S";
      if (op == kReplaceItems && !exists_) return rc::kElementNotFound;
      if (!CheckArgs(a_, spec, 1)) return rc::kParameter;
      if (!exists_) m_.flags = attr_flags(1);
      uint64_t mod = 0;
      if (op == kPutItems && a_.raw.size() > 2) ArgUInt(a_, 2, &mod);
      Bytes items;
      if (!rewrite(a_.raw[0], &items, false)) return rc::kParameter;
      MapView given;
      if (!ParseMap(items, &given)) return rc::kParameter;
      const bool overwrite = op == kReplaceItems || (op == kPutItems && !(mod & kNoOverwrite));
      const bool create = op == kAddItems || (op == kPutItems && !(mod & kNoCreate));
      // The real server puts several entries into an unflagged map only
      // after sorting it by key (it stays unflagged).
      if (exists_ && m_.flags == 0) SortMapByKey(&m_);
      return Put(given.keys, given.values, overwrite, create, (mod & kNoFail) != 0,
                 (mod & kDoPartial) != 0);
    }
    case kIncrement: case kDecrement:
      if (!CheckArgs(a_, "PPF", 1)) return rc::kParameter;
      if (!exists_) m_.flags = attr_flags(2);
      return Increment(op == kDecrement);
    case kClear:
      if (!CheckArgs(a_, "", 0)) return rc::kParameter;
      if (!exists_) return rc::kOk;
      m_.keys.clear();
      m_.values.clear();
      return Write();
    case kSize:
      if (!CheckArgs(a_, "", 0)) return rc::kParameter;
      result_->Int(size());
      return rc::kOk;
    default:
      break;
  }
  const uint32_t kind = ReadKind(op);
  const char* spec = nullptr;
  size_t required = 2;
  bool multi = true;
  switch (kind) {
    case kGetByKey: case kGetByValue: spec = "FP"; multi = false; break;
    case kGetByIndex: case kGetByRank: spec = "FI"; multi = false; break;
    case kGetAllByValue: case kGetByKeyList: case kGetByValueList: spec = "FP"; break;
    case kGetByKeyInterval: case kGetByValueInterval: spec = "FPP"; break;
    case kGetByIndexRange: case kGetByRankRange: spec = "FIC"; break;
    case kGetByKeyRelIndexRange: case kGetByValueRelRankRange: spec = "FPIC"; required = 3; break;
    default: return rc::kParameter;
  }
  if (!CheckArgs(a_, spec, required)) return rc::kParameter;
  if (!exists_) return rc::kOk;
  uint64_t raw_rt;
  ArgUInt(a_, 0, &raw_rt);
  return Select(ReturnSpec::From(raw_rt, multi), kind);
}

}  // namespace

bool IsMapOp(uint32_t op, bool* modifies) {
  if ((op >= kSetType && op <= kReplaceItems) || (op >= kIncrement && op <= kRemoveByValueRelRankRange && op != 80)) {
    *modifies = true;
    return true;
  }
  if (op >= kSize && op <= kGetByValueRelRankRange && op != 101) {
    *modifies = false;
    return true;
  }
  return false;
}

uint8_t ApplyMapOp(const OpArgs& args, bool modify, const Bytes* current, std::string* updated,
                   bool* changed, CdtResult* result) {
  MapOp op(args, modify, current, result);
  const uint8_t code = op.Run();
  *changed = op.changed();
  if (code == rc::kOk && *changed) *updated = op.TakeUpdated();
  return code;
}

}  // namespace aerospike_py::server::cdt
