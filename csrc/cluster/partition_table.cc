#include "cluster/partition_table.h"

#include <algorithm>

#include "cluster/node.h"
#include "common/status.h"

namespace aerospike_py::cluster {

const NamespacePartitions* PartitionTable::Find(std::string_view ns) const {
  auto it = namespaces_.find(AbslView(ns));
  return it == namespaces_.end() ? nullptr : it->second.get();
}

std::vector<std::string> PartitionTable::NamespaceNames() const {
  std::vector<std::string> out;
  for (const auto& [name, table] : namespaces_) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

void PartitionTable::Rebuild(const std::vector<std::shared_ptr<Node>>& nodes) {
  absl::flat_hash_map<std::string, std::unique_ptr<NamespacePartitions>> fresh;
  // Sequence of the winning claim per slot, kept beside each namespace.
  absl::flat_hash_map<std::string, std::vector<uint64_t>> seqs;
  for (const auto& node : nodes) {
    if (!node->active()) continue;
    for (const proto::NamespaceReplicas& nr : node->replicas_) {
      auto& table = fresh[nr.ns];
      auto& seq = seqs[nr.ns];
      if (!table) {
        table = std::make_unique<NamespacePartitions>();
        table->ns = nr.ns;
        table->n_replicas = 0;
        seq.assign(size_t{proto::kPartitions} * kMaxReplicas, 0);
      }
      const uint32_t columns =
          std::min<uint32_t>(static_cast<uint32_t>(nr.replicas.size()), kMaxReplicas);
      table->n_replicas = std::max(table->n_replicas, columns);
      if (nr.regime != 0) table->strong_consistency = true;
      for (uint32_t col = 0; col < columns; ++col) {
        const proto::ReplicaBitmap& bitmap = nr.replicas[col];
        for (uint32_t pid = 0; pid < proto::kPartitions; ++pid) {
          if (!proto::BitmapHas(bitmap, pid)) continue;
          Node*& slot = table->owners[pid][col];
          uint64_t& slot_seq = seq[pid * kMaxReplicas + col];
          uint32_t& regime = table->regimes[pid];
          if (slot != nullptr) {
            if (nr.regime < regime) continue;  // a stale claim (SC)
            if (nr.regime == regime && node->replicas_seq_ < slot_seq) continue;
          }
          slot = node.get();
          slot_seq = node->replicas_seq_;
          regime = std::max(regime, nr.regime);
        }
      }
    }
  }
  for (auto& [name, table] : fresh) {
    if (table->n_replicas == 0) table->n_replicas = 1;
  }
  namespaces_ = std::move(fresh);
}

uint32_t PartitionTable::CountMaster(std::string_view ns, const Node* node) const {
  const NamespacePartitions* table = Find(ns);
  if (table == nullptr) return 0;
  uint32_t n = 0;
  for (const auto& slots : table->owners) n += slots[0] == node ? 1 : 0;
  return n;
}

bool PartitionTable::References(const Node* node) const {
  for (const auto& [name, table] : namespaces_) {
    for (const auto& slots : table->owners) {
      for (const Node* n : slots) {
        if (n == node) return true;
      }
    }
  }
  return false;
}

}  // namespace aerospike_py::cluster
