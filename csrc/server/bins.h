// A record's bins as stored: reply ops (u32 size, op READ, particle type,
// flags 0, name length, name, value) back to back, so reads copy them into
// a reply untouched. BinCursor walks them; BinList is the editable form a
// write works on before it is encoded back.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/byte_order.h"
#include "common/status.h"

namespace aerospike_py::server {

struct BinView {
  std::string_view name;
  uint8_t type = 0;
  std::string_view value;
  std::string_view encoded;  // the whole stored op, for copying into replies
};

class BinCursor {
 public:
  explicit BinCursor(std::string_view blob) : rest_(blob) {}
  bool Next(BinView* bin) {
    if (rest_.size() < 8) return false;
    const uint32_t size =
        LoadBE32(reinterpret_cast<const uint8_t*>(rest_.data()));
    const uint8_t name_len = static_cast<uint8_t>(rest_[7]);
    bin->type = static_cast<uint8_t>(rest_[5]);
    bin->name = rest_.substr(8, name_len);
    bin->value = rest_.substr(8 + name_len, size - 4 - name_len);
    bin->encoded = rest_.substr(0, 4 + size);
    rest_.remove_prefix(4 + size);
    return true;
  }

 private:
  std::string_view rest_;
};

inline bool FindBin(std::string_view blob, std::string_view name, BinView* out) {
  BinCursor c(blob);
  while (c.Next(out)) {
    if (out->name == name) return true;
  }
  return false;
}

struct OwnedBin {
  std::string name;
  uint8_t type = 0;
  std::string value;
};

class BinList {
 public:
  BinList() = default;
  explicit BinList(std::string_view blob) {
    BinCursor c(blob);
    BinView b;
    while (c.Next(&b)) {
      bins_.push_back(OwnedBin{std::string(b.name), b.type, std::string(b.value)});
    }
    if (bins_.size() > kIndexFrom) BuildIndex();
  }
  OwnedBin* Find(std::string_view name) {
    if (!index_.empty()) {
      auto it = index_.find(AbslView(name));
      return it == index_.end() ? nullptr : &bins_[it->second];
    }
    for (OwnedBin& b : bins_) {
      if (b.name == name) return &b;
    }
    return nullptr;
  }
  // Replaces or appends (new bins go last, as the server orders them).
  void Set(std::string_view name, uint8_t type, std::string value) {
    if (OwnedBin* b = Find(name)) {
      b->type = type;
      b->value = std::move(value);
      return;
    }
    bins_.push_back(OwnedBin{std::string(name), type, std::move(value)});
    if (!index_.empty()) {
      index_.emplace(bins_.back().name, static_cast<uint32_t>(bins_.size() - 1));
    } else if (bins_.size() > kIndexFrom) {
      BuildIndex();
    }
  }
  // The server removes a bin by moving its last bin into the hole, so bin
  // order after a deletion is not write order (golden capture 24 then 37).
  void Remove(std::string_view name) {
    OwnedBin* b = Find(name);
    if (b == nullptr) return;
    const size_t i = static_cast<size_t>(b - bins_.data());
    if (!index_.empty()) index_.erase(AbslView(bins_[i].name));
    if (i + 1 != bins_.size()) {
      bins_[i] = std::move(bins_.back());
      if (!index_.empty()) index_[bins_[i].name] = static_cast<uint32_t>(i);
    }
    bins_.pop_back();
  }
  void Clear() {
    bins_.clear();
    index_.clear();
  }
  bool empty() const { return bins_.empty(); }
  size_t size() const { return bins_.size(); }
  const std::vector<OwnedBin>& bins() const { return bins_; }

  std::string Encode() const {
    size_t total = 0;
    for (const OwnedBin& b : bins_) total += 8 + b.name.size() + b.value.size();
    std::string out;
    out.resize(total);
    char* p = out.data();
    for (const OwnedBin& b : bins_) {
      StoreBE32(reinterpret_cast<uint8_t*>(p),
                static_cast<uint32_t>(4 + b.name.size() + b.value.size()));
      p[4] = 1;  // op READ: the stored form is the reply form
      p[5] = static_cast<char>(b.type);
      p[6] = 0;
      p[7] = static_cast<char>(b.name.size());
      std::memcpy(p + 8, b.name.data(), b.name.size());
      if (!b.value.empty()) std::memcpy(p + 8 + b.name.size(), b.value.data(), b.value.size());
      p += 8 + b.name.size() + b.value.size();
    }
    return out;
  }

 private:
  // Records with many bins (up to 32767) find names through a hash index,
  // so a write of n bins costs O(n), not O(n^2).
  static constexpr size_t kIndexFrom = 32;
  void BuildIndex() {
    index_.clear();
    for (size_t i = 0; i < bins_.size(); ++i) {
      index_.emplace(bins_[i].name, static_cast<uint32_t>(i));
    }
  }

  std::vector<OwnedBin> bins_;
  // Keys are copies of the names: bins_ may reallocate.
  absl::flat_hash_map<std::string, uint32_t> index_;
};

}  // namespace aerospike_py::server
