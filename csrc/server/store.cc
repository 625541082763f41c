#include "server/store.h"

#include <time.h>

#include "common/status.h"

namespace aerospike_py::server {

uint64_t NowUnixNanos() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull +
         static_cast<uint64_t>(ts.tv_nsec);
}

Namespace::Namespace(std::string name, uint32_t default_ttl)
    : name_(std::move(name)),
      default_ttl_(default_ttl),
      partitions_storage_(std::make_unique<std::array<PartitionMap, proto::kPartitions>>()),
      partitions_(*partitions_storage_) {
  sets_.push_back(SetStats{});
}

Record* Namespace::Find(const Digest& digest, uint32_t now) {
  PartitionMap& map = partitions_[proto::PartitionId(digest)];
  auto it = map.find(digest);
  if (it == map.end()) return nullptr;
  if (it->second.expired(now)) {
    Unlink(it->first, it->second);
    map.erase(it);
    return nullptr;
  }
  return &it->second;
}

Record* Namespace::Insert(const Digest& digest, uint16_t set_id) {
  PartitionMap& map = partitions_[proto::PartitionId(digest)];
  auto [it, inserted] = map.try_emplace(digest);
  if (!inserted) {
    // An expired record that Find() was not asked about: replace it.
    Unlink(it->first, it->second);
    it->second = Record{};
  }
  it->second.set_id = set_id;
  ++objects_;
  ++sets_[set_id].objects;
  return &it->second;
}

void Namespace::Unlink(const Digest& digest, const Record& r) {
  if (observer_ != nullptr) observer_->OnRecordRemoved(*this, digest, r);
  --objects_;
  --sets_[r.set_id].objects;
}

void Namespace::Erase(const Digest& digest) {
  PartitionMap& map = partitions_[proto::PartitionId(digest)];
  auto it = map.find(digest);
  if (it == map.end()) return;
  Unlink(it->first, it->second);
  map.erase(it);
}

uint16_t Namespace::SetId(std::string_view set_name) {
  if (set_name.empty()) return 0;
  auto it = set_ids_.find(AbslView(set_name));
  if (it != set_ids_.end()) return it->second;
  const uint16_t id = static_cast<uint16_t>(sets_.size());
  sets_.push_back(SetStats{std::string(set_name), 0, 0});
  set_ids_.emplace(std::string(set_name), id);
  return id;
}

int Namespace::FindSetId(std::string_view set_name) const {
  if (set_name.empty()) return 0;
  auto it = set_ids_.find(AbslView(set_name));
  return it == set_ids_.end() ? -1 : it->second;
}

uint64_t Namespace::Truncate(int set_id, uint64_t lut_ms) {
  uint64_t& cutoff = set_id < 0 ? truncate_lut_ms_ : sets_[set_id].truncate_lut_ms;
  if (lut_ms <= cutoff) return 0;
  cutoff = lut_ms;
  uint64_t removed = 0;
  for (PartitionMap& map : partitions_) {
    for (auto it = map.begin(); it != map.end();) {
      const Record& r = it->second;
      if ((set_id < 0 || r.set_id == set_id) && ServerEpochMillis(r.last_update_ns) < lut_ms) {
        Unlink(it->first, r);
        map.erase(it++);
        ++removed;
      } else {
        ++it;
      }
    }
  }
  return removed;
}

void Namespace::UndoTruncate(int set_id) {
  (set_id < 0 ? truncate_lut_ms_ : sets_[set_id].truncate_lut_ms) = 0;
}

bool Namespace::WriteIsTruncated(uint16_t set_id, uint64_t now_ms) const {
  return now_ms < truncate_lut_ms_ || now_ms < sets_[set_id].truncate_lut_ms;
}

uint64_t Namespace::SweepSome(uint32_t now, uint32_t partitions_per_call) {
  uint64_t removed = 0;
  for (uint32_t n = 0; n < partitions_per_call; ++n) {
    PartitionMap& map = partitions_[sweep_cursor_];
    sweep_cursor_ = (sweep_cursor_ + 1) % proto::kPartitions;
    for (auto it = map.begin(); it != map.end();) {
      if (it->second.expired(now)) {
        Unlink(it->first, it->second);
        map.erase(it++);
        ++removed;
      } else {
        ++it;
      }
    }
  }
  return removed;
}

void Namespace::Clear() {
  if (observer_ != nullptr) observer_->OnNamespaceCleared(*this);
  for (PartitionMap& map : partitions_) map.clear();
  objects_ = 0;
  for (SetStats& s : sets_) s.objects = 0;
}

Store::Store(const std::vector<std::string>& namespaces, uint32_t default_ttl) {
  for (const std::string& ns : namespaces) {
    namespaces_.push_back(std::make_unique<Namespace>(ns, default_ttl));
  }
}

Namespace* Store::Find(std::string_view ns) {
  for (auto& n : namespaces_) {
    if (n->name() == ns) return n.get();
  }
  return nullptr;
}

void Store::Clear() {
  for (auto& n : namespaces_) n->Clear();
}

}  // namespace aerospike_py::server
