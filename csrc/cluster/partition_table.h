// The partition map: for every namespace, which node is master and which
// are replicas of each of the 4096 partitions. Built from the nodes' last
// `replicas` answers (wire protocol §2.4), and rebuilt whole whenever one of
// them changes: a rebuild costs nodes x namespaces x columns x 4096 bit
// tests, a few hundred microseconds at most, and keeps the result
// independent of the order answers came in.
//
// Conflicts (two nodes claiming the same slot, e.g. during migrations or
// after a node died without being removed yet): the claim with the higher
// regime wins (strong-consistency namespaces), then the more recent answer.
// Entries are raw pointers to nodes the Cluster owns; the Cluster rebuilds
// the table before it drops a node, so the table never dangles.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/status.h"
#include "proto/constants.h"

namespace aerospike_py::cluster {

class Node;

// Only the first three columns matter (master + 2 replicas), as in the
// official clients.
inline constexpr uint32_t kMaxReplicas = 3;

struct NamespacePartitions {
  std::string ns;
  bool strong_consistency = false;  // any claim had a non-zero regime
  uint32_t n_replicas = 1;          // columns in use (<= kMaxReplicas)
  // owners[pid][column]; nullptr when nobody claims the slot.
  std::array<std::array<Node*, kMaxReplicas>, proto::kPartitions> owners{};
  std::array<uint32_t, proto::kPartitions> regimes{};
};

class PartitionTable {
 public:
  // nullptr when no node serves the namespace.
  const NamespacePartitions* Find(std::string_view ns) const;
  bool empty() const { return namespaces_.empty(); }
  size_t namespace_count() const { return namespaces_.size(); }
  std::vector<std::string> NamespaceNames() const;

  // Replaces the table with the claims of `nodes` (inactive nodes ignored).
  void Rebuild(const std::vector<std::shared_ptr<Node>>& nodes);

  // Partitions of `ns` whose master is `node`.
  uint32_t CountMaster(std::string_view ns, const Node* node) const;
  // True when `node` appears anywhere in the table.
  bool References(const Node* node) const;

 private:
  absl::flat_hash_map<std::string, std::unique_ptr<NamespacePartitions>> namespaces_;
};

}  // namespace aerospike_py::cluster
