// A validated server node as the cluster sees it: identity, address,
// capabilities, the generations tending compares, and the node's last
// `replicas` claims. The I/O side (connection pools) hangs off the node as
// an opaque NodeExtension so this room stays free of sockets.
//
// Lifetime: the Cluster holds every member node in a shared_ptr; commands
// in flight hold their own reference, so a node that leaves the cluster
// lives until its last command is done. Only the driving thread touches a
// node.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "proto/info.h"

namespace aerospike_py::cluster {

// What the owner attaches to a node (csrc/io: its connection pools).
class NodeExtension {
 public:
  virtual ~NodeExtension() = default;
};

struct NodeFeatures {
  bool batch_any = false;
  bool pscans = false;
  bool query_show = false;
  bool pquery = false;
  bool user_agent = false;  // build >= 8.1: takes `user-agent-set`
  // Parsed `build` (0.0.0.0 when not answered).
  int version[4] = {0, 0, 0, 0};
};

// Generations start unknown, so the first tend of a node reads everything.
inline constexpr int64_t kUnknownGeneration = -2;

class Node : public std::enable_shared_from_this<Node> {
 public:
  Node(std::string name, proto::Endpoint address, NodeFeatures features)
      : name_(std::move(name)), address_(std::move(address)), features_(features) {}
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const std::string& name() const { return name_; }
  // Numeric host and port the node was validated at (with TLS for login
  // only: its clear-text service address).
  const proto::Endpoint& address() const { return address_; }
  // TLS for login only: the TLS endpoint the node was validated (and
  // logged in) at; empty otherwise.
  const proto::Endpoint& login_address() const { return login_address_; }
  void set_login_address(proto::Endpoint e) { login_address_ = std::move(e); }
  const NodeFeatures& features() const { return features_; }

  // False once the node left the cluster; routing skips inactive nodes.
  bool active() const { return active_; }
  void set_active(bool active) { active_ = active; }

  // Rack of this node for a namespace (-1 when unknown).
  int32_t RackOf(const std::string& ns) const {
    auto it = racks_.find(ns);
    return it == racks_.end() ? -1 : it->second;
  }

  NodeExtension* extension() const { return extension_.get(); }
  void set_extension(std::unique_ptr<NodeExtension> extension) {
    extension_ = std::move(extension);
  }

 private:
  friend class Cluster;
  friend class PartitionTable;
  std::string name_;
  proto::Endpoint address_;
  proto::Endpoint login_address_;
  NodeFeatures features_;
  bool active_ = true;

  // Tend state (owned by Cluster).
  int64_t partition_generation_ = kUnknownGeneration;
  int64_t peers_generation_ = kUnknownGeneration;
  int64_t rebalance_generation_ = kUnknownGeneration;
  uint32_t failures_ = 0;           // consecutive failed tend requests
  bool failed_this_round_ = false;
  bool name_changed_ = false;
  bool need_replicas_ = true;       // read `replicas` this round
  bool need_racks_ = true;          // read `rack-ids` this round (rack aware)
  std::vector<proto::NamespaceReplicas> replicas_;  // last `replicas` answer
  uint64_t replicas_seq_ = 0;       // when it arrived (later claims win ties)
  absl::flat_hash_map<std::string, int32_t> racks_;

  std::unique_ptr<NodeExtension> extension_;
};

using NodeRef = std::shared_ptr<Node>;

}  // namespace aerospike_py::cluster
