// A scripted cluster for tending tests: fake nodes answer info requests
// from their fields, synchronously or (deferred mode) when the test calls
// RunPending(), and can be told to fail.
#pragma once

#include <cctype>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cluster/events.h"
#include "cluster/info_transport.h"
#include "cluster/node.h"
#include "common/strings.h"
#include "proto/info.h"

namespace aerospike_py::cluster::testing {

struct FakeNode {
  std::string name;
  std::string build = "8.1.2.0";
  std::string features = "batch-any;batch-index;pscans;peers;replicas";
  std::string cluster_name = "null";
  int64_t partition_generation = 1;
  uint64_t peers_generation = 1;
  uint64_t rebalance_generation = 1;
  std::string replicas;  // the `replicas` value
  std::string rack_ids;  // the `rack-ids` value
  std::vector<proto::PeerInfo> peers;
  std::vector<proto::PeerInfo> alt_peers;  // `peers-clear-alt`
  bool down = false;     // every request fails (connection refused)
  int requests = 0;
};

inline std::string Addr(const proto::Endpoint& ep) { return absl::StrCat(ep.host, ":", ep.port); }

class FakeTransport : public InfoTransport {
 public:
  std::map<std::string, FakeNode> nodes;  // by "host:port"
  std::map<std::string, std::vector<proto::Endpoint>> dns;  // host name -> addresses
  bool deferred = false;
  std::deque<std::function<void()>> pending;
  std::vector<std::string> log;  // "addr <- request"

  FakeNode& Add(const std::string& host, uint16_t port, const std::string& name) {
    FakeNode& n = nodes[absl::StrCat(host, ":", port)];
    n.name = name;
    return n;
  }

  void RunPending() {
    while (!pending.empty()) {
      auto fn = std::move(pending.front());
      pending.pop_front();
      fn();
    }
  }

  void Resolve(const proto::Endpoint& host, ResolveCallback done) override {
    auto it = dns.find(host.host);
    StatusOr<std::vector<proto::Endpoint>> result;
    if (it != dns.end()) {
      std::vector<proto::Endpoint> out = it->second;
      for (auto& ep : out) ep.port = host.port;
      result = out;
    } else if (!host.host.empty() && (std::isdigit(static_cast<unsigned char>(host.host[0])) ||
                                      host.host.find(':') != std::string::npos)) {
      result = std::vector<proto::Endpoint>{host};
    } else {
      result = absl::UnavailableError("unknown host");
    }
    Deliver([done, result]() { done(result); });
  }

  void InfoToAddress(const proto::Endpoint& address, std::string request,
                     InfoCallback done) override {
    Answer(Addr(address), std::move(request), std::move(done));
  }
  void InfoToNode(Node& node, std::string request, InfoCallback done) override {
    Answer(Addr(node.address()), std::move(request), std::move(done));
  }

 private:
  void Deliver(std::function<void()> fn) {
    if (deferred) {
      pending.push_back(std::move(fn));
    } else {
      fn();
    }
  }

  void Answer(const std::string& addr, std::string request, InfoCallback done) {
    log.push_back(absl::StrCat(addr, " <- ", request));
    auto it = nodes.find(addr);
    if (it == nodes.end() || it->second.down) {
      Deliver([done]() { done(absl::UnavailableError("connection refused")); });
      return;
    }
    FakeNode& n = it->second;
    ++n.requests;
    std::string body;
    for (std::string_view line : Split(request, '\n', true)) {
      std::string value;
      if (line == "node") value = n.name;
      else if (line == "build") value = n.build;
      else if (line == "features") value = n.features;
      else if (line == "cluster-name") value = n.cluster_name;
      else if (line == "partition-generation") value = absl::StrCat(n.partition_generation);
      else if (line == "peers-generation") value = absl::StrCat(n.peers_generation);
      else if (line == "rebalance-generation") value = absl::StrCat(n.rebalance_generation);
      else if (line == "replicas") value = n.replicas;
      else if (line == "rack-ids") value = n.rack_ids;
      else if (line.substr(0, 21) == "user-agent-set:value=") value = "ok";
      else if (line == "peers-clear-std" || line == "peers-clear-alt") {
        proto::PeersValue pv;
        pv.generation = n.peers_generation;
        pv.peers = line == "peers-clear-std" ? n.peers : n.alt_peers;
        value = proto::FormatPeers(pv);
      } else {
        value = "ERROR:4:unrecognized command";
      }
      absl::StrAppend(&body, AbslView(line), "\t", value, "\n");
    }
    Deliver([done, body]() { done(body); });
  }
};

class RecordingListener : public ClusterListener {
 public:
  std::vector<std::string> added, removed;
  int partitions_changed = 0;
  int tends = 0;
  std::vector<std::string> logs;
  void OnNodeAdded(Node& node) override { added.push_back(node.name()); }
  void OnNodeRemoved(Node& node) override { removed.push_back(node.name()); }
  void OnPartitionsChanged() override { ++partitions_changed; }
  void OnTendComplete() override { ++tends; }
  void OnLog(LogLevel level, std::string message) override { logs.push_back(std::move(message)); }
};

// A `replicas` value for one namespace: column c of node k owns partition p
// when (p + c) % n_nodes == k (every partition has distinct owners).
inline std::string StripedReplicas(const std::string& ns, int node_index, int n_nodes,
                                   int n_columns, uint32_t regime = 0) {
  proto::NamespaceReplicas nr;
  nr.ns = ns;
  nr.regime = regime;
  for (int c = 0; c < n_columns; ++c) {
    proto::ReplicaBitmap bitmap{};
    for (uint32_t p = 0; p < proto::kPartitions; ++p) {
      if (static_cast<int>((p + c) % n_nodes) == node_index) proto::BitmapSet(bitmap, p);
    }
    nr.replicas.push_back(bitmap);
  }
  return proto::FormatReplicas({nr});
}

}  // namespace aerospike_py::cluster::testing
