// The info protocol surface (wire protocol §2, §15): each request line is
// echoed verbatim, a tab, its value, a newline. Values follow the real
// server's formats (Aerospike CE 8.1.2.0, checked against the golden
// captures): node ids, generations, peers and replicas lists, namespace and
// set statistics, truncation. Unknown commands answer
// "ERROR:4:unrecognized command".
#include <algorithm>
#include <cinttypes>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "proto/info.h"
#include "server/info_templates.h"
#include "server/processor.h"
#include "server/reply.h"

namespace aerospike_py::server {

namespace {

constexpr std::string_view kBuild = "8.1.2.0";
constexpr std::string_view kEdition = "Aerospike Community Edition";
constexpr std::string_view kFeatures =
    "batch-any;batch-index;blob-bits;cdt-index;cdt-list;cdt-map;cluster-stable;"
    "float;geo;sindex-exists;peers;pipelining;pquery;pscans;query-show;relaxed-sc;"
    "replicas;replicas-all;replicas-master;replicas-max;truncate-namespace;udf";

// Parameters "k=v;k=v" after the command's ':'.
std::string_view Param(std::string_view params, std::string_view key) {
  for (std::string_view kv : Split(params, ';', true)) {
    const size_t eq = kv.find('=');
    if (eq != std::string_view::npos && kv.substr(0, eq) == key) return kv.substr(eq + 1);
  }
  return {};
}

// Renders a "k=v;k=v" template with some values replaced.
std::string RenderTemplate(std::string_view tmpl,
                           const std::vector<std::pair<std::string_view, std::string>>& overrides) {
  std::string out;
  out.reserve(tmpl.size() + 64);
  for (std::string_view kv : Split(tmpl, ';')) {
    const size_t eq = kv.find('=');
    std::string_view key = kv.substr(0, eq);
    if (!out.empty()) out += ';';
    auto it = std::find_if(overrides.begin(), overrides.end(),
                           [&](const auto& o) { return o.first == key; });
    if (it == overrides.end()) {
      out.append(kv);
    } else {
      absl::StrAppend(&out, AbslView(key), "=", it->second);
    }
  }
  return out;
}

std::string Bool(bool b) { return b ? "true" : "false"; }

}  // namespace

void Processor::HandleInfo(int node, std::string_view body, ByteBuffer* out) {
  ++state_->stats.info_complete;
  const size_t frame = BeginFrame(out);
  if (body.empty()) {
    // An empty request asks for the (deprecated) summary.
    for (std::string_view name : {"node", "build", "edition", "version", "statistics"}) {
      const std::string v = InfoCommand(node, name);
      out->Append(name);
      out->PushBack('\t');
      out->Append(v);
      out->PushBack('\n');
    }
  }
  // A command runs only once its newline arrived, like the server's.
  size_t pos = 0;
  while (pos < body.size()) {
    const size_t nl = body.find('\n', pos);
    if (nl == std::string_view::npos) break;
    std::string_view line = body.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) continue;
    const std::string value = InfoCommand(node, line);
    out->Append(line);
    out->PushBack('\t');
    out->Append(value);
    out->PushBack('\n');
  }
  EndFrame(out, frame, proto::ProtoType::kInfo);
}

std::string Processor::InfoValue(int node, std::string_view command) {
  clock_.now_ns = NowUnixNanos();
  clock_.now = ServerEpochSeconds(clock_.now_ns);
  return InfoCommand(node, command);
}

std::string Processor::InfoCommand(int node, std::string_view line) {
  Cluster& c = state_->cluster;
  const ServerOptions& o = state_->options;
  // name[/arg...][:k=v;...]
  const size_t colon = line.find(':');
  std::string_view head = line.substr(0, colon);
  std::string_view params = colon == std::string_view::npos ? std::string_view()
                                                            : line.substr(colon + 1);
  const size_t slash = head.find('/');
  std::string_view name = head.substr(0, slash);
  std::string_view args = slash == std::string_view::npos ? std::string_view()
                                                          : head.substr(slash + 1);

  if (name == "node") return c.node(node).id;
  if (name == "build") return std::string(kBuild);
  if (name == "edition") return std::string(kEdition);
  if (name == "version") return absl::StrCat(AbslView(kEdition), " build ", AbslView(kBuild));
  if (name == "build_os") return "linux";
  if (name == "features") return std::string(kFeatures);
  if (name == "partition-generation") return absl::StrCat(c.partition_generation());
  if (name == "peers-generation") return absl::StrCat(c.peers_generation());
  if (name == "rebalance-generation") return absl::StrCat(c.rebalance_generation());
  if (name == "partitions") return absl::StrCat(proto::kPartitions);
  if (name == "cluster-name") return o.cluster_name.empty() ? "null" : o.cluster_name;
  if (name == "cluster-stable") {
    std::string_view ns_name = Param(params, "namespace");
    if (!ns_name.empty() && state_->store.Find(ns_name) == nullptr) {
      return "ERROR::namespace not found";
    }
    return absl::StrCat(absl::Hex(c.cluster_key(), absl::kZeroPad12));
  }
  if (name == "status") return "ok";
  if (name == "namespaces") {
    std::string v;
    for (auto& ns : state_->store.namespaces()) {
      if (!v.empty()) v += ';';
      v += ns->name();
    }
    return v;
  }
  if (name == "namespace") return NamespaceInfo(args);
  if (name == "sets") return SetsInfo(args);
  if (name == "statistics") return StatisticsInfo();
  if (name == "replicas") {
    // replicas:max=N asks for at most N columns (master first).
    std::string v = ReplicasInfo(node, true, false);
    int max = 0;
    if (ParseInt(Param(params, "max"), &max) && max > 0 && max < state_->cluster.replicas()) {
      v = ReplicasInfo(node, true, false, max);
    }
    return v;
  }
  if (name == "replicas-all") return ReplicasInfo(node, false, false);
  if (name == "replicas-master") return ReplicasInfo(node, false, true);
  if (name == "peers-clear-std" || name == "peers-clear-alt" || name == "peers-tls-std" ||
      name == "peers-tls-alt" || name == "alumni-clear-std" || name == "alumni-tls-std") {
    if (name.find("tls") != std::string_view::npos) {
      // No TLS endpoints: the same generation, an empty list.
      return absl::StrCat(c.peers_generation(), ",3000,[]");
    }
    return PeersInfo(node);
  }
  if (name == "service" || name == "service-clear-std" || name == "service-clear-alt") {
    return ServiceInfo(node);
  }
  if (name == "service-tls-std" || name == "service-tls-alt") return "";
  if (name == "rack-ids") {
    std::string v;
    for (auto& ns : state_->store.namespaces()) {
      if (!v.empty()) v += ';';
      absl::StrAppend(&v, ns->name(), ":0");
    }
    return v;
  }
  if (name == "user-agent-set") {
    std::string_view value = Param(params, "value");
    std::string decoded;
    if (value.empty() || !absl::Base64Unescape(AbslView(value), &decoded)) {
      return "ERROR:4:invalid user-agent";
    }
    // Distinct values are bounded so a misbehaving peer cannot grow the map
    // without limit; counts of known values still move.
    auto key = std::make_pair(node, std::string(value));
    auto it = state_->user_agents.find(key);
    if (it != state_->user_agents.end()) {
      ++it->second;
    } else if (state_->user_agents.size() < ServerState::kMaxUserAgents) {
      state_->user_agents.emplace(std::move(key), 1);
    }
    return "ok";
  }
  if (name == "user-agents") {
    std::string v;
    for (const auto& [key, count] : state_->user_agents) {
      if (key.first != node) continue;
      if (!v.empty()) v += ';';
      absl::StrAppend(&v, "user-agent=", key.second, ":count=", count);
    }
    return v;
  }
  if (name == "truncate") return TruncateInfo(params, false);
  if (name == "truncate-namespace") return TruncateInfo(params, true);
  // Secondary indexes (server/sindex/registry.h).
  if (name == "sindex-create") return state_->sindexes.Create(params);
  if (name == "sindex-delete") return state_->sindexes.Delete(params);
  if (name == "sindex-list") return state_->sindexes.List(params);
  if (name == "sindex-exists") return state_->sindexes.Exists(params);
  if (name == "sindex-stat") return state_->sindexes.Stat(params);
  if (name == "sindex") {
    return args.empty() ? state_->sindexes.List(params) : state_->sindexes.StatPath(args);
  }
  if (name == "query-show" || name == "scan-show") return QueryShowInfo(node, params);
  if (name == "query-abort" || name == "scan-abort") return QueryAbortInfo(node, params);
  if (name == "query-abort-all" || name == "scan-abort-all") {
    return state_->query_jobs.AbortAll(node);
  }
  if (name == "udf-list") return "";
  // There are no UDF modules, so dropping one finds nothing to drop, which
  // the server answers with "ok".
  if (name == "udf-remove") return "ok";
  if (name == "misrouted") return absl::StrCat(c.node(node).misrouted.load());
  return "ERROR:4:unrecognized command";
}

std::string Processor::QueryShowInfo(int node, std::string_view params) {
  std::string_view id_text = Param(params, "id");
  if (id_text.empty()) id_text = Param(params, "trid");
  if (id_text.empty()) return state_->query_jobs.ShowAll(node, clock_.now_ns);
  uint64_t id = 0;
  if (!ParseInt(id_text, &id)) return "ERROR:4:bad id";
  return state_->query_jobs.Show(node, id, clock_.now_ns);
}

std::string Processor::QueryAbortInfo(int node, std::string_view params) {
  std::string_view id_text = Param(params, "id");
  if (id_text.empty()) id_text = Param(params, "trid");
  if (id_text.empty()) return "ERROR:4:missing 'id'";
  uint64_t id = 0;
  if (!ParseInt(id_text, &id) || id == 0) return "ERROR:4:bad id";
  return state_->query_jobs.Abort(node, id);
}

std::string Processor::ServiceInfo(int node) {
  const std::string& host = state_->options.host;
  const std::string advertised = (host.empty() || host == "0.0.0.0") ? "127.0.0.1" : host;
  return absl::StrCat(advertised, ":", state_->cluster.node(node).port);
}

std::string Processor::PeersInfo(int node) {
  Cluster& c = state_->cluster;
  proto::PeersValue v;
  v.generation = c.peers_generation();
  v.default_port = 3000;
  const std::string& host = state_->options.host;
  const std::string advertised = (host.empty() || host == "0.0.0.0") ? "127.0.0.1" : host;
  for (int i = 0; i < c.size(); ++i) {
    if (i == node || !c.node(i).running) continue;
    proto::PeerInfo p;
    p.node_id = c.node(i).id;
    p.endpoints.push_back(proto::Endpoint{advertised, c.node(i).port});
    v.peers.push_back(std::move(p));
  }
  return proto::FormatPeers(v);
}

std::string Processor::ReplicasInfo(int node, bool with_regime, bool master_only,
                                    int max_columns) {
  Cluster& c = state_->cluster;
  int columns = master_only ? std::min(1, c.replicas()) : c.replicas();
  if (max_columns > 0) columns = std::min(columns, max_columns);
  std::vector<proto::ReplicaBitmap> bitmaps(columns);
  for (auto& b : bitmaps) b.fill(0);
  for (uint32_t pid = 0; pid < proto::kPartitions; ++pid) {
    for (int col = 0; col < columns; ++col) {
      if (c.Owner(pid, col) == node) proto::BitmapSet(bitmaps[col], pid);
    }
  }
  std::string encoded;
  for (const auto& b : bitmaps) {
    encoded += ',';
    encoded += Base64Encode(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
  }
  std::string v;
  for (auto& ns : state_->store.namespaces()) {
    if (!v.empty()) v += ';';
    v += ns->name();
    v += ':';
    if (master_only) {
      v += std::string_view(encoded).substr(encoded.empty() ? 0 : 1);
      continue;
    }
    if (with_regime) v += "0,";
    absl::StrAppend(&v, columns);
    v += encoded;
  }
  return v;
}

std::string Processor::NamespaceInfo(std::string_view ns_name) {
  Namespace* ns = state_->store.Find(ns_name);
  if (ns == nullptr) return "ERROR::namespace not found";
  Cluster& c = state_->cluster;
  const uint64_t objects = ns->objects();
  const int rf = c.replicas();
  uint64_t data_bytes = 0;
  for (uint32_t pid = 0; pid < proto::kPartitions; ++pid) {
    for (const auto& [d, r] : ns->partition(pid)) data_bytes += r.bins.size() + r.key.size();
  }
  uint64_t master = objects;
  if (c.size() > 1) {
    // Per node, objects of the partitions it masters: the whole store here
    // approximated by the node's share of partitions.
    master = objects / std::max(1, c.live_nodes());
  }
  return RenderTemplate(
      kNamespaceInfoTemplate,
      {{"ns_cluster_size", absl::StrCat(c.live_nodes())},
       {"effective_replication_factor", absl::StrCat(rf)},
       {"objects", absl::StrCat(objects * std::max(1, rf) / std::max(1, c.live_nodes()))},
       {"master_objects", absl::StrCat(master)},
       {"prole_objects", absl::StrCat(master * (rf > 0 ? rf - 1 : 0))},
       {"current_time", absl::StrCat(clock_.now)},
       {"index_used_bytes", absl::StrCat(objects * 64)},
       {"data_used_bytes", absl::StrCat(data_bytes)},
       {"default-ttl", absl::StrCat(ns->default_ttl())},
       {"replication-factor", absl::StrCat(state_->options.replication_factor)}});
}

std::string Processor::SetsInfo(std::string_view args) {
  // sets, sets/<ns>, sets/<ns>/<set>
  std::vector<std::string_view> parts = Split(args, '/', true);
  std::string v;
  for (auto& ns : state_->store.namespaces()) {
    if (!parts.empty() && ns->name() != parts[0]) continue;
    const auto& sets = ns->sets();
    for (size_t id = 1; id < sets.size(); ++id) {
      if (parts.size() > 1 && sets[id].name != parts[1]) continue;
      uint64_t data_bytes = 0;
      if (parts.size() > 1) {
        for (uint32_t pid = 0; pid < proto::kPartitions; ++pid) {
          for (const auto& [d, r] : ns->partition(pid)) {
            if (r.set_id == id) data_bytes += r.bins.size() + r.key.size();
          }
        }
      }
      if (parts.size() < 2) absl::StrAppend(&v, "ns=", ns->name(), ":set=", sets[id].name, ":");
      absl::StrAppend(&v, "objects=", sets[id].objects, ":tombstones=0:data_used_bytes=",
                      data_bytes, ":truncate_lut=", sets[id].truncate_lut_ms,
                      ":sindexes=", state_->sindexes.CountForSet(ns->name(), sets[id].name),
                      ":index_populating=false:truncating=false:"
                      "default-read-touch-ttl-pct=0:default-ttl=0:disable-eviction=false:"
                      "enable-index=false:stop-writes-count=0:stop-writes-size=0;");
    }
  }
  return v;
}

std::string Processor::StatisticsInfo() {
  Cluster& c = state_->cluster;
  const ServerStats& s = state_->stats;
  uint64_t objects = 0;
  for (auto& ns : state_->store.namespaces()) objects += ns->objects();
  std::string principal;
  for (int i = 0; i < c.size(); ++i) {
    if (c.node(i).running && (principal.empty() || c.node(i).id > principal)) {
      principal = c.node(i).id;
    }
  }
  return RenderTemplate(
      kStatisticsTemplate,
      {{"cluster_size", absl::StrCat(c.live_nodes())},
       {"cluster_key", absl::StrCat(absl::Hex(c.cluster_key()))},
       // Membership changes since the start, counting the start.
       {"cluster_generation", absl::StrCat(c.peers_generation() + 1)},
       {"cluster_principal", principal},
       {"paxos_principal", principal},
       {"cluster_integrity", Bool(true)},
       {"uptime", absl::StrCat((clock_.now_ns - s.start_ns) / 1000000000ull)},
       {"objects", absl::StrCat(objects)},
       {"client_connections", absl::StrCat(s.connections_opened - s.connections_closed)},
       {"client_connections_opened", absl::StrCat(s.connections_opened)},
       {"client_connections_closed", absl::StrCat(s.connections_closed)},
       {"info_complete", absl::StrCat(s.info_complete)},
       {"demarshal_error", absl::StrCat(s.demarshal_error)},
       {"batch_index_initiate", absl::StrCat(s.batch_index_initiate)},
       {"batch_index_complete", absl::StrCat(s.batch_index_complete)},
       {"batch_index_error", absl::StrCat(s.batch_index_error)}});
}

std::string Processor::TruncateInfo(std::string_view params, bool whole_namespace) {
  std::string_view ns_name = Param(params, "namespace");
  Namespace* ns = state_->store.Find(ns_name);
  if (ns == nullptr) return "ERROR::namespace not found";
  uint64_t before_ns = clock_.now_ns;
  std::string_view lut = Param(params, "lut");
  if (!lut.empty()) {
    uint64_t v = 0;
    if (!ParseInt(lut, &v)) return "ERROR::invalid lut";
    if (v > before_ns) return "ERROR::lut is in the future";
    before_ns = v;
  }
  const uint64_t now_ms = clock_.now_ns / 1000000 - static_cast<uint64_t>(proto::kCitrusleafEpoch) * 1000;
  if (whole_namespace) {
    ns->Truncate(-1, before_ns, now_ms);
    return "ok";
  }
  std::string_view set = Param(params, "set");
  if (set.empty()) {
    ns->Truncate(-1, before_ns, now_ms);
    return "ok";
  }
  if (set.size() > proto::kMaxSetLen) return "ERROR:4:set name too long";
  // A set that never held records is still "ok" (nothing to remove), and
  // is not created by the truncate.
  const int set_id = ns->FindSetId(set);
  if (set_id >= 0) ns->Truncate(set_id, before_ns, now_ms);
  return "ok";
}

}  // namespace aerospike_py::server
