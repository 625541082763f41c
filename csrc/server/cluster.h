// Cluster state of the embedded server: which nodes are running, who owns
// each partition (master first, then replicas, replication-factor copies
// capped by the live node count), and the generations clients watch
// (partition-generation, peers-generation). Ownership is the same for every
// namespace. Lives on the event thread; misrouting counters are atomics so
// other threads may read them.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "proto/constants.h"

namespace aerospike_py::server {

struct NodeIdentity {
  std::string id;  // as `node` answers it
  uint16_t port = 0;
  uint16_t tls_port = 0;  // 0: no TLS listener
  bool running = true;
  std::atomic<uint64_t> misrouted{0};
};

class Cluster {
 public:
  Cluster(std::vector<std::string> node_ids, std::vector<uint16_t> ports,
          int replication_factor);

  int size() const { return static_cast<int>(nodes_.size()); }
  NodeIdentity& node(int i) { return *nodes_[i]; }
  const NodeIdentity& node(int i) const { return *nodes_[i]; }

  void SetRunning(int node, bool running);
  void Reshuffle();

  int64_t partition_generation() const { return partition_generation_; }
  uint64_t peers_generation() const { return peers_generation_; }
  uint64_t rebalance_generation() const { return rebalance_generation_; }
  uint64_t cluster_key() const { return cluster_key_; }
  // Copies of each partition right now (0 when no node runs).
  int replicas() const { return replicas_; }
  int live_nodes() const;

  // The node holding copy `column` (0 = master) of a partition.
  int Owner(uint32_t pid, int column) const {
    return owners_[pid * replicas_ + column];
  }
  bool IsMaster(int node, uint32_t pid) const {
    return replicas_ > 0 && Owner(pid, 0) == node;
  }
  bool IsReplica(int node, uint32_t pid) const {
    for (int c = 0; c < replicas_; ++c) {
      if (Owner(pid, c) == node) return true;
    }
    return false;
  }

 private:
  void Recompute();

  std::vector<std::unique_ptr<NodeIdentity>> nodes_;
  int replication_factor_;
  int replicas_ = 0;
  uint32_t shuffle_seed_ = 0;
  std::vector<int> owners_;  // kPartitions x replicas_
  int64_t partition_generation_ = 0;
  uint64_t peers_generation_ = 0;
  uint64_t rebalance_generation_ = 0;
  uint64_t cluster_key_ = 0;
};

}  // namespace aerospike_py::server
