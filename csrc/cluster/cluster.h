// Cluster: the tend state machine and the current view of the cluster (its
// nodes and partition table). It never touches a socket: info requests go
// through an InfoTransport and events come back through a ClusterListener,
// both driven from one thread (the client's event thread, or a test).
//
// A tend round, started by Tend() (the owner calls it every
// tend_interval_ms), runs these phases; each waits for all its answers:
//   seed       (only when the cluster has no node) resolve every seed,
//              validate each address (validation.h), add the nodes found;
//   refresh    ask each node `node`, `peers-generation`,
//              `partition-generation` [, `rebalance-generation`]: a changed
//              name or a failure counts against the node; changed
//              generations schedule the reads below;
//   peers      when a peers-generation changed (or a node failed): read
//              `peers-clear-std` from every healthy node; peers not yet
//              known are validated at their advertised endpoints and added;
//   replicas   `partition-generation` + `replicas` from nodes whose
//              partition-generation changed [+ `rack-ids` when rack aware];
//   finish     drop nodes that changed name, failed max_tend_failures
//              rounds in a row, or failed now and are listed by no healthy
//              peer; rebuild the partition table if any claim changed; then
//              tell the listener.
// When every node is gone the next round seeds again.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "cluster/events.h"
#include "cluster/info_transport.h"
#include "cluster/node.h"
#include "cluster/partition_table.h"
#include "cluster/validation.h"

namespace aerospike_py::cluster {

struct ClusterOptions {
  std::vector<proto::Endpoint> seeds;
  std::string cluster_name;  // checked against `cluster-name` when set
  bool rack_aware = false;   // read `rack-ids` (PREFER_RACK routing)
  // Use the nodes' alternate (e.g. public/NAT) addresses: `peers-clear-alt`.
  bool use_alternate_addresses = false;
  // TLS: peers come from `peers-tls-std` (or -alt), with the TLS name
  // each peer's certificate must carry (seeds carry theirs from the
  // config).
  bool tls = false;
  // TLS for login only (tls.for_login_only): seeds and peers are validated
  // (and logged in) over TLS, then used at the clear-text address their
  // `service-clear-std` (or -alt) names, as the official C client does.
  bool tls_login_only = false;
  uint32_t max_tend_failures = 5;
  // What the client tells each node about itself (`user-agent-set`, sent
  // once when a node of build 8.1 or later joins): "1,<client>-<version>,
  // <app id>", base64-encoded on the wire. Empty: not sent.
  std::string user_agent;
};

class Cluster {
 public:
  Cluster(ClusterOptions options, InfoTransport* transport, ClusterListener* listener);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Starts a tend round unless one is still running.
  void Tend();
  bool tending() const { return round_ != nullptr; }
  // Drops every node (OnNodeRemoved for each) and ignores answers still in
  // flight. The cluster is unusable afterwards.
  void Shutdown();

  const std::vector<NodeRef>& nodes() const { return nodes_; }
  NodeRef FindNode(std::string_view name) const;
  const PartitionTable& partitions() const { return partitions_; }
  // A node is known and the partition table has at least one namespace.
  bool usable() const { return !nodes_.empty() && !partitions_.empty(); }
  // The most recent seeding/validation/tend problem, for error messages.
  const std::string& last_error() const { return last_error_; }
  // The most recent failure to validate a seed or peer, as a Status (it
  // may carry a result code: a TLS failure, a refused login).
  const Status& last_failure() const { return last_failure_; }
  uint64_t rounds_completed() const { return rounds_completed_; }
  const ClusterOptions& options() const { return options_; }

 private:
  enum class Phase { kSeed, kRefresh, kPeers, kValidatePeers, kReplicas, kFinish };
  struct Round;
  struct Candidate;

  void RunPhase(Phase phase);
  void NextPhase();
  void Done(uint64_t round_id);
  bool Stale(uint64_t round_id) const;

  void IssueSeeds();
  void IssueRefresh();
  void IssuePeers();
  void IssueValidatePeers();
  void IssueReplicas();
  void Finish();

  void ContinueCandidate(std::shared_ptr<Candidate> candidate);
  void AddNode(const ValidatedNode& validated, const proto::Endpoint& address,
               const proto::Endpoint& login_address);
  // TLS for login only: the info command naming a node's clear address,
  // and that address read from a validation answer.
  std::string ClearServiceCommand() const;
  StatusOr<proto::Endpoint> ClearServiceOf(std::string_view body) const;
  void NodeFailed(Node& node, const Status& status, std::string_view what);
  void Log(LogLevel level, std::string message);

  ClusterOptions options_;
  InfoTransport* transport_;
  ClusterListener* listener_;
  std::vector<NodeRef> nodes_;
  PartitionTable partitions_;
  std::unique_ptr<Round> round_;
  uint64_t next_round_id_ = 1;
  uint64_t replicas_seq_ = 0;
  uint64_t rounds_completed_ = 0;
  bool shutdown_ = false;
  std::string last_error_;
  Status last_failure_;

  // Sends options_.user_agent to a node that just joined; the answer only
  // matters to the log.
  void SendUserAgent(Node& node);
};

}  // namespace aerospike_py::cluster
