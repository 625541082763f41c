// The in-memory store of the embedded server: per namespace, 4096
// partitions, each a flat hash map from digest to Record. A record keeps its
// bins already encoded as reply ops (size, op READ, particle type, flags,
// name, value), so a read of all bins is one memcpy into the reply. Only the
// server's event thread touches a Store; nothing here locks.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "proto/constants.h"
#include "proto/digest.h"

namespace aerospike_py::server {

using proto::Digest;

struct Record {
  uint32_t generation = 0;
  // Server epoch seconds (2010-01-01); 0: never expires.
  uint32_t void_time = 0;
  uint64_t last_update_ns = 0;  // Unix epoch nanoseconds
  uint16_t set_id = 0;          // 0: no set
  uint16_t n_bins = 0;
  // The stored user key: particle type byte + key bytes; empty when none.
  std::string key;
  // n_bins reply ops, back to back (see the file comment).
  std::string bins;

  bool expired(uint32_t now) const { return void_time != 0 && void_time <= now; }
};

// The digest is uniformly random except that bytes 0-1 carry the partition
// id, which is constant inside a partition; hash on bytes 8..15.
struct DigestHash {
  size_t operator()(const Digest& d) const {
    uint64_t v;
    std::memcpy(&v, d.data() + 8, 8);
    return static_cast<size_t>(v);
  }
};

using PartitionMap = absl::flat_hash_map<Digest, Record, DigestHash>;

class Namespace;

// Told about every change to a namespace's records: secondary indexes keep
// themselves current through it (sindex/registry.h). Code that changes a
// record's bins in place must call Namespace::Written() afterwards.
class RecordObserver {
 public:
  virtual ~RecordObserver() = default;
  virtual void OnRecordWritten(const Namespace& ns, const Digest& digest, const Record& record) = 0;
  // Before the record goes (delete, expiry, truncate, sweep).
  virtual void OnRecordRemoved(const Namespace& ns, const Digest& digest, const Record& record) = 0;
  virtual void OnNamespaceCleared(const Namespace& ns) = 0;
};

struct SetStats {
  std::string name;
  uint64_t objects = 0;
  // The set's truncate cut-off, milliseconds since 2010-01-01 (0: never):
  // records last updated before it are gone, writes before it are refused.
  uint64_t truncate_lut_ms = 0;
};

class Namespace {
 public:
  Namespace(std::string name, uint32_t default_ttl);

  const std::string& name() const { return name_; }
  uint32_t default_ttl() const { return default_ttl_; }
  uint64_t objects() const { return objects_; }

  // The live record of a digest, or nullptr. An expired record is erased
  // here (reads never see it).
  Record* Find(const Digest& digest, uint32_t now);
  // Inserts an empty record (generation 0) for a digest that Find() did
  // not return; the caller fills it.
  Record* Insert(const Digest& digest, uint16_t set_id);
  void Erase(const Digest& digest);
  // A record was created or its bins/metadata changed in place.
  void Written(const Digest& digest, const Record& record) {
    if (observer_ != nullptr) observer_->OnRecordWritten(*this, digest, record);
  }
  void set_observer(RecordObserver* observer) { observer_ = observer; }

  PartitionMap& partition(uint32_t pid) { return partitions_[pid]; }

  // Set ids are stable for the namespace's life; 0 is "no set". A
  // namespace holds at most kMaxSets sets (AS_SET_MAX_COUNT).
  static constexpr size_t kMaxSets = 4095;
  uint16_t SetId(std::string_view set_name);         // creates
  // Whether a write may name this set: known, or room for one more.
  bool CanUseSet(std::string_view set_name) const {
    return set_name.empty() || FindSetId(set_name) >= 0 || sets_.size() <= kMaxSets;
  }
  int FindSetId(std::string_view set_name) const;    // -1 when unknown
  const std::string& SetName(uint16_t id) const { return sets_[id].name; }
  const std::vector<SetStats>& sets() const { return sets_; }

  // Truncates a set (or, set_id < 0, the whole namespace) to the cut-off
  // `lut_ms` (ms since 2010-01-01): records last updated in an earlier
  // millisecond go. Like the server's truncate SMD, a cut-off not later
  // than the current one changes nothing. Returns how many records went.
  uint64_t Truncate(int set_id, uint64_t lut_ms);
  // Forgets a set's (or the namespace's) cut-off (truncate-undo).
  void UndoTruncate(int set_id);
  // Whether a record created in `set_id` now (ms since 2010-01-01) is
  // inside a truncate's cut-off, where the server refuses it (FORBIDDEN).
  bool WriteIsTruncated(uint16_t set_id, uint64_t now_ms) const;
  uint64_t truncate_lut_ms() const { return truncate_lut_ms_; }
  // Erases the expired records of the next `partitions_per_call`
  // partitions (round robin across calls); returns how many went.
  uint64_t SweepSome(uint32_t now, uint32_t partitions_per_call);
  void Clear();

 private:
  void Unlink(const Digest& digest, const Record& r);

  std::string name_;
  uint32_t default_ttl_;
  uint64_t objects_ = 0;
  uint64_t truncate_lut_ms_ = 0;  // truncate-namespace cut-off
  uint32_t sweep_cursor_ = 0;
  std::vector<SetStats> sets_;  // [0] = no set
  absl::flat_hash_map<std::string, uint16_t> set_ids_;
  std::unique_ptr<std::array<PartitionMap, proto::kPartitions>> partitions_storage_;
  std::array<PartitionMap, proto::kPartitions>& partitions_;
  RecordObserver* observer_ = nullptr;
};

class Store {
 public:
  Store(const std::vector<std::string>& namespaces, uint32_t default_ttl);

  Namespace* Find(std::string_view ns);
  std::vector<std::unique_ptr<Namespace>>& namespaces() { return namespaces_; }
  void Clear();

 private:
  std::vector<std::unique_ptr<Namespace>> namespaces_;
};

// Time helpers shared by the command handlers.
uint64_t NowUnixNanos();
// Seconds since 2010-01-01 (what void times count).
inline uint32_t ServerEpochSeconds(uint64_t unix_ns) {
  return static_cast<uint32_t>(unix_ns / 1000000000ull -
                               static_cast<uint64_t>(proto::kCitrusleafEpoch));
}
// Milliseconds since 2010-01-01 (last-update times, truncate cut-offs); 0
// before it.
inline uint64_t ServerEpochMillis(uint64_t unix_ns) {
  const uint64_t ms = unix_ns / 1000000ull;
  const uint64_t epoch_ms = static_cast<uint64_t>(proto::kCitrusleafEpoch) * 1000ull;
  return ms > epoch_ms ? ms - epoch_ms : 0;
}

}  // namespace aerospike_py::server
