#include "cluster/router.h"

#include "cluster/node.h"

namespace aerospike_py::cluster {

namespace {

inline Node* Live(Node* n) { return n != nullptr && n->active() ? n : nullptr; }

// The first live owner starting at column `start`, wrapping around.
Node* FromColumn(const std::array<Node*, kMaxReplicas>& slots, uint32_t n, uint32_t start) {
  for (uint32_t i = 0; i < n; ++i) {
    if (Node* node = Live(slots[(start + i) % n])) return node;
  }
  return nullptr;
}

}  // namespace

Node* Route(const NamespacePartitions& table, uint32_t pid, const RouteOptions& options) {
  const auto& slots = table.owners[pid & (proto::kPartitions - 1)];
  const uint32_t n = table.n_replicas == 0 ? 1 : table.n_replicas;
  if (options.write || table.strong_consistency) return Live(slots[0]);
  switch (options.replica) {
    case ReplicaPolicy::kMaster:
      return Live(slots[0]);
    case ReplicaPolicy::kSequence:
      return FromColumn(slots, n, options.attempt % n);
    case ReplicaPolicy::kAny:
      return FromColumn(slots, n, (options.rotation + options.attempt) % n);
    case ReplicaPolicy::kPreferRack: {
      if (options.attempt == 0 && options.rack_ids != nullptr) {
        for (int32_t rack : *options.rack_ids) {
          for (uint32_t col = 0; col < n; ++col) {
            Node* node = Live(slots[col]);
            if (node != nullptr && node->RackOf(table.ns) == rack) return node;
          }
        }
      }
      return FromColumn(slots, n, options.attempt % n);
    }
  }
  return Live(slots[0]);
}

}  // namespace aerospike_py::cluster
