#include "server/cluster.h"

#include <algorithm>

namespace aerospike_py::server {

Cluster::Cluster(std::vector<std::string> node_ids, std::vector<uint16_t> ports,
                 int replication_factor)
    : replication_factor_(std::max(1, replication_factor)) {
  for (size_t i = 0; i < node_ids.size(); ++i) {
    auto n = std::make_unique<NodeIdentity>();
    n->id = std::move(node_ids[i]);
    n->port = ports[i];
    nodes_.push_back(std::move(n));
  }
  Recompute();
  // A fresh cluster starts at generation 0, like a fresh Aerospike node.
  partition_generation_ = 0;
  rebalance_generation_ = 1;
}

int Cluster::live_nodes() const {
  int n = 0;
  for (const auto& node : nodes_) n += node->running ? 1 : 0;
  return n;
}

void Cluster::SetRunning(int node, bool running) {
  if (nodes_[node]->running == running) return;
  nodes_[node]->running = running;
  ++peers_generation_;
  Recompute();
}

void Cluster::Reshuffle() {
  ++shuffle_seed_;
  Recompute();
}

void Cluster::Recompute() {
  std::vector<int> live;
  for (int i = 0; i < size(); ++i) {
    if (nodes_[i]->running) live.push_back(i);
  }
  const int n = static_cast<int>(live.size());
  replicas_ = std::min(replication_factor_, n);
  owners_.assign(static_cast<size_t>(proto::kPartitions) * replicas_, -1);
  for (uint32_t pid = 0; pid < proto::kPartitions; ++pid) {
    // A multiplicative hash spreads masters evenly; the seed moves them on
    // Reshuffle(). Replicas follow the master in live-node order.
    const uint32_t h = (pid + shuffle_seed_ * 7919u) * 2654435761u;
    const int start = n ? static_cast<int>((h >> 16) % static_cast<uint32_t>(n)) : 0;
    for (int c = 0; c < replicas_; ++c) {
      owners_[pid * replicas_ + c] = live[(start + c) % n];
    }
  }
  ++partition_generation_;
  ++rebalance_generation_;
  cluster_key_ = 0x5C72B056DCE5ull + static_cast<uint64_t>(partition_generation_) * 0x9E3779B1ull;
}

}  // namespace aerospike_py::server
