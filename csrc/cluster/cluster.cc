#include "cluster/cluster.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "cluster/node_gauge.h"
#include "common/strings.h"
#include "proto/info.h"

namespace aerospike_py::cluster {

struct Cluster::Round {
  uint64_t id = 0;
  Phase phase = Phase::kRefresh;
  int pending = 0;
  bool seeded = false;        // this round started from the seeds
  bool refresh_peers = false;
  bool any_failed = false;
  bool peers_read_ok = false;
  bool table_dirty = false;
  absl::flat_hash_set<std::string> referenced;
  std::vector<proto::PeerInfo> unknown_peers;
  absl::flat_hash_set<std::string> unknown_ids;
};

// A seed or peer being validated: its endpoints are resolved and tried in
// order until one validates. Holds one pending token of its round.
struct Cluster::Candidate {
  uint64_t round_id = 0;
  std::string expected_name;  // empty for seeds
  std::vector<proto::Endpoint> endpoints;
  size_t next_endpoint = 0;
  std::vector<proto::Endpoint> addresses;
  size_t next_address = 0;
};

namespace {

std::string EndpointText(const proto::Endpoint& ep) {
  if (ep.host.find(':') != std::string::npos) return absl::StrCat("[", ep.host, "]:", ep.port);
  return absl::StrCat(ep.host, ":", ep.port);
}

std::string StatusText(const Status& s) { return std::string(s.message()); }

}  // namespace

Cluster::Cluster(ClusterOptions options, InfoTransport* transport, ClusterListener* listener)
    : options_(std::move(options)), transport_(transport), listener_(listener) {}

Cluster::~Cluster() {
  // Nodes still held (no Shutdown(), e.g. a cluster of a unit test) leave the gauge too.
  ActiveNodeCount().fetch_sub(static_cast<int64_t>(nodes_.size()), std::memory_order_relaxed);
}

NodeRef Cluster::FindNode(std::string_view name) const {
  for (const NodeRef& node : nodes_) {
    if (node->name() == name) return node;
  }
  return nullptr;
}

void Cluster::Log(LogLevel level, std::string message) {
  if (level <= LogLevel::kWarning) last_error_ = message;
  listener_->OnLog(level, std::move(message));
}

void Cluster::Tend() {
  if (shutdown_ || round_ != nullptr) return;
  round_ = std::make_unique<Round>();
  round_->id = next_round_id_++;
  if (nodes_.empty()) {
    round_->seeded = true;
    RunPhase(Phase::kSeed);
  } else {
    RunPhase(Phase::kRefresh);
  }
}

void Cluster::Shutdown() {
  if (shutdown_) return;
  shutdown_ = true;
  round_.reset();
  std::vector<NodeRef> nodes;
  nodes.swap(nodes_);
  for (const NodeRef& node : nodes) node->set_active(false);
  ActiveNodeCount().fetch_sub(static_cast<int64_t>(nodes.size()), std::memory_order_relaxed);
  partitions_.Rebuild(nodes_);
  for (const NodeRef& node : nodes) listener_->OnNodeRemoved(*node);
}

bool Cluster::Stale(uint64_t round_id) const {
  return shutdown_ || round_ == nullptr || round_->id != round_id;
}

// Every phase holds one token of its own while it issues requests, so
// answers that arrive synchronously cannot end the phase early.
void Cluster::RunPhase(Phase phase) {
  round_->phase = phase;
  round_->pending = 1;
  const uint64_t id = round_->id;
  switch (phase) {
    case Phase::kSeed:
      IssueSeeds();
      break;
    case Phase::kRefresh:
      IssueRefresh();
      break;
    case Phase::kPeers:
      IssuePeers();
      break;
    case Phase::kValidatePeers:
      IssueValidatePeers();
      break;
    case Phase::kReplicas:
      IssueReplicas();
      break;
    case Phase::kFinish:
      Finish();
      return;
  }
  Done(id);
}

void Cluster::Done(uint64_t round_id) {
  if (Stale(round_id)) return;
  if (--round_->pending > 0) return;
  NextPhase();
}

void Cluster::NextPhase() {
  Round& r = *round_;
  switch (r.phase) {
    case Phase::kSeed:
      if (nodes_.empty()) {
        RunPhase(Phase::kFinish);
      } else {
        r.refresh_peers = true;
        RunPhase(Phase::kPeers);
      }
      return;
    case Phase::kRefresh:
      if (r.refresh_peers || (r.any_failed && nodes_.size() > 1)) {
        RunPhase(Phase::kPeers);
      } else {
        RunPhase(Phase::kReplicas);
      }
      return;
    case Phase::kPeers:
      RunPhase(r.unknown_peers.empty() ? Phase::kReplicas : Phase::kValidatePeers);
      return;
    case Phase::kValidatePeers:
      RunPhase(Phase::kReplicas);
      return;
    case Phase::kReplicas:
      RunPhase(Phase::kFinish);
      return;
    case Phase::kFinish:
      return;
  }
}

void Cluster::IssueSeeds() {
  if (options_.seeds.empty()) {
    Log(LogLevel::kError, "no seeds configured");
    return;
  }
  for (const proto::Endpoint& seed : options_.seeds) {
    auto candidate = std::make_shared<Candidate>();
    candidate->round_id = round_->id;
    candidate->endpoints.push_back(seed);
    ++round_->pending;
    ContinueCandidate(std::move(candidate));
  }
}

void Cluster::ContinueCandidate(std::shared_ptr<Candidate> c) {
  if (Stale(c->round_id)) return;
  if (c->next_address < c->addresses.size()) {
    const proto::Endpoint address = c->addresses[c->next_address++];
    std::string request = ValidationRequest(!options_.cluster_name.empty());
    if (options_.tls_login_only) request += ClearServiceCommand() + "\n";
    transport_->InfoToAddress(
        address, std::move(request),
        [this, c, address](StatusOr<std::string> body) {
          if (Stale(c->round_id)) return;
          StatusOr<ValidatedNode> validated =
              body.ok() ? ValidateNodeAnswer(*body, c->expected_name, options_.cluster_name)
                        : StatusOr<ValidatedNode>(body.status());
          StatusOr<proto::Endpoint> at = address;
          if (validated.ok() && options_.tls_login_only) at = ClearServiceOf(*body);
          if (validated.ok() && !at.ok()) validated = at.status();
          if (validated.ok()) {
            if (FindNode(validated->name) == nullptr) {
              AddNode(*validated, *at, options_.tls_login_only ? address : proto::Endpoint{});
            }
            Done(c->round_id);
            return;
          }
          last_failure_ = validated.status();
          Log(LogLevel::kWarning, absl::StrCat("cannot use ", EndpointText(address), ": ",
                                               StatusText(validated.status())));
          ContinueCandidate(c);
        });
    return;
  }
  if (c->next_endpoint < c->endpoints.size()) {
    const proto::Endpoint endpoint = c->endpoints[c->next_endpoint++];
    transport_->Resolve(endpoint, [this, c, endpoint](
                                      StatusOr<std::vector<proto::Endpoint>> addresses) {
      if (Stale(c->round_id)) return;
      if (addresses.ok()) {
        c->addresses = std::move(*addresses);
        // The certificate's name belongs to the endpoint, not its address.
        for (proto::Endpoint& a : c->addresses) a.tls_name = endpoint.tls_name;
        c->next_address = 0;
      } else {
        Log(LogLevel::kWarning, absl::StrCat("cannot resolve ", EndpointText(endpoint), ": ",
                                             StatusText(addresses.status())));
      }
      ContinueCandidate(c);
    });
    return;
  }
  Done(c->round_id);
}

std::string Cluster::ClearServiceCommand() const {
  return options_.use_alternate_addresses ? "service-clear-alt" : "service-clear-std";
}

StatusOr<proto::Endpoint> Cluster::ClearServiceOf(std::string_view body) const {
  const std::string command = ClearServiceCommand();
  for (const proto::InfoPair& pair : proto::ParseInfoResponse(body)) {
    if (pair.name != command) continue;
    // "host:port[;host:port...]": the first numeric one.
    for (std::string_view item : Split(pair.value, ';')) {
      const size_t colon = item.rfind(':');
      uint16_t port = 0;
      if (colon == std::string_view::npos || !ParseInt(item.substr(colon + 1), &port) ||
          port == 0) {
        continue;
      }
      std::string_view host = item.substr(0, colon);
      if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
      }
      return proto::Endpoint{std::string(host), port, std::string()};
    }
  }
  return absl::UnavailableError(absl::StrCat(
      "tls for_login_only: the node answered no clear-text address (", command, ")"));
}

void Cluster::AddNode(const ValidatedNode& validated, const proto::Endpoint& address,
                      const proto::Endpoint& login_address) {
  auto node = std::make_shared<Node>(validated.name, address, validated.features);
  if (!login_address.host.empty()) node->set_login_address(login_address);
  nodes_.push_back(node);
  ActiveNodeCount().fetch_add(1, std::memory_order_relaxed);
  Log(LogLevel::kInfo,
      absl::StrCat("node ", node->name(), " added at ", EndpointText(address)));
  listener_->OnNodeAdded(*node);
  SendUserAgent(*node);
}

void Cluster::SendUserAgent(Node& node) {
  if (options_.user_agent.empty() || !node.features().user_agent) return;
  std::string request =
      absl::StrCat("user-agent-set:value=", absl::Base64Escape(options_.user_agent), "\n");
  transport_->InfoToNode(node, std::move(request),
                         [this, name = node.name()](StatusOr<std::string> body) {
    if (shutdown_) return;
    std::string_view value;
    if (body.ok()) {
      for (const proto::InfoPair& pair : proto::ParseInfoResponse(*body)) value = pair.value;
    }
    if (!body.ok() || value != "ok") {
      // Older servers and proxies may refuse it; commands are unaffected.
      Log(LogLevel::kDebug,
          absl::StrCat("user-agent-set on node ", name, " answered ",
                       body.ok() ? std::string(value) : StatusText(body.status())));
    }
  });
}

void Cluster::NodeFailed(Node& node, const Status& status, std::string_view what) {
  if (!node.failed_this_round_) ++node.failures_;
  node.failed_this_round_ = true;
  if (round_) round_->any_failed = true;
  Log(LogLevel::kDebug, absl::StrCat("tend of node ", node.name(), " (", AbslView(what),
                                     ") failed: ", StatusText(status)));
}

void Cluster::IssueRefresh() {
  std::string request = "node\npeers-generation\npartition-generation\n";
  if (options_.rack_aware) request += "rebalance-generation\n";
  const uint64_t id = round_->id;
  for (const NodeRef& node : nodes_) {
    ++round_->pending;
    transport_->InfoToNode(*node, request, [this, id, node](StatusOr<std::string> body) {
      if (Stale(id)) return;
      Node& n = *node;
      if (!body.ok()) {
        NodeFailed(n, body.status(), "refresh");
        Done(id);
        return;
      }
      const bool was_failing = n.failures_ > 0;
      bool have_name = false, ok = true;
      for (const proto::InfoPair& pair : proto::ParseInfoResponse(*body)) {
        int64_t value = 0;
        if (pair.name == "node") {
          have_name = true;
          if (pair.value != n.name()) {
            n.name_changed_ = true;
            Log(LogLevel::kWarning, absl::StrCat("node ", n.name(), " now answers as ",
                                                 AbslView(pair.value)));
          }
        } else if (pair.name == "peers-generation") {
          if (!ParseInt(pair.value, &value)) {
            ok = false;
          } else if (value != n.peers_generation_) {
            round_->refresh_peers = true;
          }
        } else if (pair.name == "partition-generation") {
          if (!ParseInt(pair.value, &value)) {
            ok = false;
          } else if (value != n.partition_generation_) {
            n.need_replicas_ = true;
          }
        } else if (pair.name == "rebalance-generation") {
          if (!ParseInt(pair.value, &value)) {
            ok = false;
          } else if (value != n.rebalance_generation_) {
            n.need_racks_ = true;
          }
        }
      }
      if (!have_name || !ok || n.name_changed_) {
        NodeFailed(n, absl::DataLossError("unusable refresh answer"), "refresh");
        Done(id);
        return;
      }
      n.failures_ = 0;
      if (was_failing) {
        // A node that failed before may have missed changes: re-read all.
        round_->refresh_peers = true;
        n.need_replicas_ = true;
        n.need_racks_ = true;
      }
      Done(id);
    });
  }
}

void Cluster::IssuePeers() {
  const uint64_t id = round_->id;
  for (const NodeRef& node : nodes_) {
    if (node->failed_this_round_) continue;
    ++round_->pending;
    const std::string command =
        options_.tls ? (options_.use_alternate_addresses ? "peers-tls-alt" : "peers-tls-std")
                     : (options_.use_alternate_addresses ? "peers-clear-alt" : "peers-clear-std");
    transport_->InfoToNode(*node, command + "\n", [this, id, node, command](
                                                       StatusOr<std::string> body) {
      if (Stale(id)) return;
      Round& r = *round_;
      if (!body.ok()) {
        NodeFailed(*node, body.status(), "peers");
        Done(id);
        return;
      }
      std::string_view value;
      bool found = false;
      for (const proto::InfoPair& pair : proto::ParseInfoResponse(*body)) {
        if (pair.name == command) value = pair.value, found = true;
      }
      StatusOr<proto::PeersValue> peers =
          found ? proto::ParsePeers(value)
                : StatusOr<proto::PeersValue>(absl::DataLossError(
                      absl::StrCat("no ", command, " answer")));
      if (!peers.ok()) {
        NodeFailed(*node, peers.status(), "peers");
        Done(id);
        return;
      }
      r.peers_read_ok = true;
      r.referenced.insert(node->name());
      node->peers_generation_ = static_cast<int64_t>(peers->generation);
      for (proto::PeerInfo& peer : peers->peers) {
        r.referenced.insert(peer.node_id);
        if (FindNode(peer.node_id) != nullptr) continue;
        if (!r.unknown_ids.insert(peer.node_id).second) continue;
        r.unknown_peers.push_back(std::move(peer));
      }
      Done(id);
    });
  }
}

void Cluster::IssueValidatePeers() {
  for (proto::PeerInfo& peer : round_->unknown_peers) {
    auto candidate = std::make_shared<Candidate>();
    candidate->round_id = round_->id;
    candidate->expected_name = peer.node_id;
    candidate->endpoints = std::move(peer.endpoints);
    for (proto::Endpoint& ep : candidate->endpoints) ep.tls_name = peer.tls_name;
    if (candidate->endpoints.empty()) {
      Log(LogLevel::kWarning, absl::StrCat("peer ", peer.node_id, " has no endpoint"));
      continue;
    }
    ++round_->pending;
    ContinueCandidate(std::move(candidate));
  }
  round_->unknown_peers.clear();
}

void Cluster::IssueReplicas() {
  const uint64_t id = round_->id;
  for (const NodeRef& node : nodes_) {
    if (node->failed_this_round_ || node->name_changed_) continue;
    if (node->need_replicas_) {
      ++round_->pending;
      transport_->InfoToNode(
          *node, "partition-generation\nreplicas\n",
          [this, id, node](StatusOr<std::string> body) {
            if (Stale(id)) return;
            if (!body.ok()) {
              NodeFailed(*node, body.status(), "replicas");
              Done(id);
              return;
            }
            int64_t generation = kUnknownGeneration;
            bool have_generation = false;
            StatusOr<std::vector<proto::NamespaceReplicas>> replicas =
                absl::DataLossError("no replicas answer");
            for (const proto::InfoPair& pair : proto::ParseInfoResponse(*body)) {
              if (pair.name == "partition-generation") {
                have_generation = ParseInt(pair.value, &generation);
              } else if (pair.name == "replicas") {
                replicas = proto::ParseReplicas(pair.value);
              }
            }
            if (!replicas.ok() || !have_generation) {
              Status why = replicas.ok() ? absl::DataLossError("no partition-generation")
                                         : replicas.status();
              Log(LogLevel::kWarning, absl::StrCat("node ", node->name(),
                                                   ": bad replicas answer: ", StatusText(why)));
              NodeFailed(*node, why, "replicas");
              Done(id);
              return;
            }
            node->replicas_ = std::move(*replicas);
            node->replicas_seq_ = ++replicas_seq_;
            node->partition_generation_ = generation;
            node->need_replicas_ = false;
            round_->table_dirty = true;
            Done(id);
          });
    }
    if (options_.rack_aware && node->need_racks_) {
      ++round_->pending;
      transport_->InfoToNode(
          *node, "rebalance-generation\nrack-ids\n",
          [this, id, node](StatusOr<std::string> body) {
            if (Stale(id)) return;
            if (!body.ok()) {
              NodeFailed(*node, body.status(), "rack-ids");
              Done(id);
              return;
            }
            int64_t generation = kUnknownGeneration;
            for (const proto::InfoPair& pair : proto::ParseInfoResponse(*body)) {
              if (pair.name == "rebalance-generation") {
                ParseInt(pair.value, &generation);
              } else if (pair.name == "rack-ids") {
                auto racks = ParseRackIds(pair.value);
                if (!racks.ok()) {
                  Log(LogLevel::kWarning, absl::StrCat("node ", node->name(), ": ",
                                                       StatusText(racks.status())));
                  continue;
                }
                node->racks_.clear();
                for (auto& [ns, rack] : *racks) node->racks_[ns] = rack;
              }
            }
            node->rebalance_generation_ = generation;
            node->need_racks_ = false;
            Done(id);
          });
    }
  }
}

void Cluster::Finish() {
  Round& r = *round_;
  std::vector<NodeRef> removed;
  std::vector<NodeRef> kept;
  kept.reserve(nodes_.size());
  for (NodeRef& node : nodes_) {
    std::string why;
    if (node->name_changed_) {
      why = "it answers under another name";
    } else if (node->failures_ >= options_.max_tend_failures) {
      why = absl::StrCat("it failed ", node->failures_, " tend rounds in a row");
    } else if (node->failed_this_round_ && r.peers_read_ok && nodes_.size() > 1 &&
               !r.referenced.contains(node->name())) {
      why = "it failed and no peer lists it";
    }
    if (why.empty()) {
      kept.push_back(std::move(node));
      continue;
    }
    Log(LogLevel::kInfo, absl::StrCat("node ", node->name(), " removed: ", why));
    node->set_active(false);
    removed.push_back(std::move(node));
  }
  nodes_ = std::move(kept);
  ActiveNodeCount().fetch_sub(static_cast<int64_t>(removed.size()), std::memory_order_relaxed);
  for (const NodeRef& node : nodes_) node->failed_this_round_ = false;
  if (r.table_dirty || !removed.empty()) {
    partitions_.Rebuild(nodes_);
    Log(LogLevel::kDebug,
        absl::StrCat("partition map rebuilt: ", nodes_.size(), " nodes, ",
                     partitions_.namespace_count(), " namespaces"));
    listener_->OnPartitionsChanged();
  }
  for (const NodeRef& node : removed) listener_->OnNodeRemoved(*node);
  if (nodes_.empty() && r.seeded) {
    Log(LogLevel::kWarning, absl::StrCat("no seed could be used",
                                         last_error_.empty() ? "" : ": ", last_error_));
  }
  round_.reset();
  ++rounds_completed_;
  listener_->OnTendComplete();
}

}  // namespace aerospike_py::cluster
