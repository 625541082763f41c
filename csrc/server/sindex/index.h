// One secondary index of the embedded server: the ordered entries
// (partition, bval, digest) for every value a record holds for the
// definition, and the reverse map from a record to its bvals so upkeep
// never needs the record's previous contents. The order within a partition
// is the real server's b-tree order (bval, signed; unsigned cell ids for
// geo; then digest), which is the order query answers come in and what
// resume points (bval + digest) refer to.
//
// An index is built in the background after `sindex-create`: until the
// registry's builder has visited every partition it is write-only (not
// readable by queries, load_pct < 100), and writes keep it current
// meanwhile. Event thread of the server only.
#pragma once

#include <cstdint>
#include <cstring>
#include <set>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "server/sindex/definition.h"
#include "server/store.h"

namespace aerospike_py::server::sindex {

struct IndexKey {
  uint16_t pid = 0;
  int64_t bval = 0;
  Digest digest{};
};

class Index {
 public:
  explicit Index(Definition def);

  const Definition& def() const { return def_; }
  bool geo() const { return def_.key_type == kGeo; }

  // The bvals `record` holds for this index (sorted, unique); empty when it
  // holds none. `set_name` is the record's set.
  void Extract(const Record& record, std::string_view set_name, const Digest& digest,
               uint64_t now_ns, std::vector<int64_t>* out) const;
  // Whether one value of `record` equals a string/blob key exactly (bvals
  // are hashes: a query checks the bytes to rule out collisions).
  bool HoldsBytes(const Record& record, std::string_view set_name, const Digest& digest,
                  uint64_t now_ns, std::string_view key) const;
  // The raw particles this index sees in `record` (type, bytes), after the
  // bin/expression, context and collection steps.
  void Elements(const Record& record, std::string_view set_name, const Digest& digest,
                uint64_t now_ns, std::vector<std::pair<uint8_t, std::string>>* out) const;

  // Replaces the entries of a record (none when `bvals` is empty).
  void Put(const Digest& digest, std::vector<int64_t> bvals);
  void Erase(const Digest& digest);
  void Clear();

  // Visits, in index order, the entries of partition `pid` with a bval in
  // [lo, hi] (unsigned comparison for geo), after `resume` when given.
  // `fn(const IndexKey&)` returns false to stop.
  template <typename Fn>
  void Scan(uint16_t pid, int64_t lo, int64_t hi, const IndexKey* resume, Fn fn) const {
    IndexKey start{pid, lo, Digest{}};
    auto it = entries_.lower_bound(start);
    if (resume != nullptr && !Less{geo()}(*resume, start)) {
      it = entries_.upper_bound(*resume);
    }
    const Less less{geo()};
    for (; it != entries_.end() && it->pid == pid; ++it) {
      if (less.BvalLess(hi, it->bval)) break;
      if (!fn(*it)) return;
    }
  }

  uint64_t entries() const { return entries_.size(); }
  uint64_t records() const { return by_record_.size(); }
  uint64_t distinct_bvals() const;

  // Background build.
  bool readable() const { return readable_; }
  uint32_t built_partitions() const { return built_; }
  void MarkBuilt(uint32_t partitions, uint64_t now_ms);
  uint32_t load_pct() const { return readable_ ? 100 : built_ * 100 / proto::kPartitions; }
  uint64_t load_time_ms() const { return load_time_ms_; }
  uint64_t created_ms = 0;
  bool error = false;

  // The stats' entries_per_bval and entries_per_rec: the real server
  // computes them when a build completes and then hourly (its cardinality
  // thread), not on every write, so they keep their values in between.
  void CollectCardinality(uint64_t now_ms) const;
  uint64_t per_bval() const { return per_bval_; }
  uint64_t per_rec() const { return per_rec_; }
  uint64_t cardinality_ms() const { return cardinality_ms_; }

 private:
  struct Less {
    bool unsigned_bvals;
    bool BvalLess(int64_t a, int64_t b) const {
      return unsigned_bvals ? static_cast<uint64_t>(a) < static_cast<uint64_t>(b) : a < b;
    }
    // The real server's b-tree key: bval, then a one-byte digest stub
    // (the partition's first non-pid bits), then the whole digest.
    static uint8_t Stub(const Digest& d) {
      return static_cast<uint8_t>((d[1] & 0xF0) | (d[2] >> 4));
    }
    bool operator()(const IndexKey& a, const IndexKey& b) const {
      if (a.pid != b.pid) return a.pid < b.pid;
      if (a.bval != b.bval) return BvalLess(a.bval, b.bval);
      const uint8_t sa = Stub(a.digest), sb = Stub(b.digest);
      if (sa != sb) return sa < sb;
      return std::memcmp(a.digest.data(), b.digest.data(), proto::kDigestSize) < 0;
    }
  };

  Definition def_;
  std::set<IndexKey, Less> entries_;
  absl::flat_hash_map<Digest, std::vector<int64_t>, DigestHash> by_record_;
  uint32_t built_ = 0;
  bool readable_ = false;
  uint64_t load_time_ms_ = 0;
  mutable uint64_t per_bval_ = 0;
  mutable uint64_t per_rec_ = 0;
  mutable uint64_t cardinality_ms_ = 0;
};

}  // namespace aerospike_py::server::sindex
