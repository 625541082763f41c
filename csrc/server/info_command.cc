// The info protocol surface (wire protocol §2, §15): each request line is
// echoed verbatim, a tab, its value, a newline. Values follow the real
// server's formats (Aerospike CE 8.1.2.0, checked against the golden
// captures): node ids, generations, peers and replicas lists, namespace and
// set statistics, truncation. Unknown commands answer
// "ERROR:4:unrecognized command".
#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "proto/info.h"
#include "server/info_params.h"
#include "server/info_templates.h"
#include "server/processor.h"
#include "server/security/permissions.h"
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

void Processor::HandleInfo(int node, std::string_view body, ByteBuffer* out,
                           ClientSession* session) {
  ++state_->stats.info_complete;
  const size_t frame = BeginFrame(out);
  if (state_->security && state_->security->CheckAuthenticated(session_) != 0) {
    // The whole answer, without echoing any command (thr_info.c).
    out->Append(std::string_view("ERROR:80:not authenticated\n"));
    EndFrame(out, frame, proto::ProtoType::kInfo);
    return;
  }
  if (body.empty()) {
    // An empty request asks for the (deprecated) summary.
    for (std::string_view name :
         {"features", "node", "compatibility-id", "edition", "build_ee_sha", "build_sha",
          "build_arch", "build_time", "build_os", "build", "version", "statistics",
          "services-alumni", "services", "partition-generation"}) {
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
    // The server reads each line as a C string: a NUL ends it.
    line = line.substr(0, line.find('\0'));
    // An empty line is a command too (with an empty name: unrecognized).
    std::string value;
    uint64_t perm = 0;
    if (state_->security &&
        state_->security->CheckInfo(session_, line.substr(0, line.find_first_of(":/")), &perm) !=
            0) {
      value = absl::StrCat("ERROR:81:role violation - requires permission '",
                           AbslView(security::PermName(perm)), "'");
    } else {
      value = InfoCommand(node, line, session);
    }
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

std::string Processor::InfoCommand(int node, std::string_view line, ClientSession* session) {
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
  // The reference build's own facts (Aerospike CE 8.1.2.0, as built for
  // the recordings in tests/golden/recorded/).
  if (name == "build_os") return "debian12";
  if (name == "build_arch") return "x86_64";
  if (name == "build_sha") return "68182105aaa20bce52e3a672e0ac896e84421f85";
  if (name == "build_ee_sha") return "";
  if (name == "build_time") return "Sun Dec  6 21:17:54 UTC 2026";
  if (name == "compatibility-id") return "15";
  if (name == "services" || name == "services-alumni") return ServicesList(node);
  if (name == "features") return std::string(kFeatures);
  if (name == "partition-generation") return absl::StrCat(c.partition_generation());
  if (name == "peers-generation") return absl::StrCat(c.peers_generation());
  if (name == "rebalance-generation") return absl::StrCat(c.rebalance_generation());
  if (name == "partitions") return absl::StrCat(proto::kPartitions);
  if (name == "cluster-name") return o.cluster_name.empty() ? "null" : o.cluster_name;
  if (name == "cluster-stable") {
    std::string_view ns_name = Param(params, "namespace");
    if (!ns_name.empty() && state_->store.Find(ns_name) == nullptr) {
      return "ERROR:20:namespace not found on node";
    }
    return absl::StrCat(absl::Hex(c.cluster_key(), absl::kZeroPad12));
  }
  if (name == "status") return "ok";
  // UDF registration (server/udf/modules.cc).
  if (name == "udf-put") return state_->udf.Put(params);
  if (name == "udf-get") return state_->udf.Get(params);
  if (name == "udf-list") return state_->udf.List();
  if (name == "udf-remove") return state_->udf.Remove(params);
  if (name == "udf-clear-cache") return state_->udf.ClearCache();
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
  // TLS endpoints are an Enterprise feature: Community Edition answers so,
  // and so does the embedded server unless it runs its TLS listeners (the
  // Enterprise-like mode of the TLS tests).
  if (name == "peers-tls-std" || name == "peers-tls-alt" || name == "alumni-tls-std") {
    return o.tls.enable ? PeersInfo(node, true) : "ERROR:25:enterprise only";
  }
  if (name == "service-tls-std" || name == "service-tls-alt") {
    return o.tls.enable ? ServiceInfo(node, true) : "ERROR:25:enterprise only";
  }
  if (name == "rack-ids") return "ERROR:25:enterprise only";
  if (name == "peers-clear-std" || name == "peers-clear-alt" || name == "alumni-clear-std") {
    return PeersInfo(node);
  }
  if (name == "service" || name == "service-clear-std") return ServiceInfo(node);
  // No alternate access address is configured.
  if (name == "service-clear-alt") return "";
  if (name == "user-agent-set") return UserAgentSetInfo(node, params, session);
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
    return args.empty() ? state_->sindexes.List(params, false) : state_->sindexes.StatPath(args);
  }
  if (name == "truncate-undo") return TruncateUndoInfo(params, false);
  if (name == "truncate-namespace-undo") return TruncateUndoInfo(params, true);
  if (name == "query-show" || name == "scan-show") return QueryShowInfo(node, params);
  if (name == "query-abort" || name == "scan-abort") return QueryAbortInfo(node, params);
  if (name == "query-abort-all" || name == "scan-abort-all") {
    return state_->query_jobs.AbortAll(node);
  }
  if (name == "misrouted") return absl::StrCat(c.node(node).misrouted.load());
  // Test hook of the security mode: successful LOGINs this node answered.
  if (name == "logins" && state_->security) return absl::StrCat(state_->security->logins(node));
  return "ERROR:4:unrecognized command";
}

std::string Processor::UserAgentSetInfo(int node, std::string_view params,
                                        ClientSession* session) {
  // cmd_user_agent_set(): once per connection; the value is base64 of at
  // most 64 bytes (88 characters).
  if (session != nullptr && session->user_agent_set) return InfoError(4, "already set");
  const InfoParam value = GetInfoParam(params, "value", 88);
  if (auto e = RequiredParamError(value, "value")) return *e;
  // cf_b64_validate_and_decode(): whole 4-character groups, '=' only as
  // padding at the end.
  const std::string_view b64 = value.value;
  bool valid = b64.size() % 4 == 0;
  for (size_t i = 0; valid && i < b64.size(); ++i) {
    const char ch = b64[i];
    const bool pad_ok = ch == '=' && i >= b64.size() - 2 &&
                        (i == b64.size() - 1 || b64[b64.size() - 1] == '=');
    valid = std::isalnum(static_cast<unsigned char>(ch)) || ch == '+' || ch == '/' || pad_ok;
  }
  if (!valid) return InfoError(4, "'value' invalid base64");
  if (session != nullptr) session->user_agent_set = true;
  // The `user-agents` hook counts every value set (distinct values are
  // bounded so a misbehaving peer cannot grow the map without limit).
  auto key = std::make_pair(node, std::string(value.value));
  auto it = state_->user_agents.find(key);
  if (it != state_->user_agents.end()) {
    ++it->second;
  } else if (state_->user_agents.size() < ServerState::kMaxUserAgents) {
    state_->user_agents.emplace(std::move(key), 1);
  }
  return "ok";
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

std::string Processor::ServicesList(int node) {
  // The other nodes' service addresses, `host:port;host:port`.
  Cluster& c = state_->cluster;
  const std::string& host = state_->options.host;
  const std::string advertised = (host.empty() || host == "0.0.0.0") ? "127.0.0.1" : host;
  std::string v;
  for (int i = 0; i < c.size(); ++i) {
    if (i == node || !c.node(i).running) continue;
    if (!v.empty()) v += ';';
    absl::StrAppend(&v, advertised, ":", c.node(i).port);
  }
  return v;
}

std::string Processor::ServiceInfo(int node, bool tls) {
  const std::string& host = state_->options.host;
  const std::string advertised = (host.empty() || host == "0.0.0.0") ? "127.0.0.1" : host;
  const NodeIdentity& n = state_->cluster.node(node);
  return absl::StrCat(advertised, ":", tls ? n.tls_port : n.port);
}

std::string Processor::PeersInfo(int node, bool tls) {
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
    if (tls) p.tls_name = state_->options.tls_name;
    p.endpoints.push_back(proto::Endpoint{advertised, tls ? c.node(i).tls_port : c.node(i).port});
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
  if (ns == nullptr) return "type=unknown";  // the server's answer for any unknown name
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
  if (!parts.empty() && state_->store.Find(parts[0]) == nullptr) return "ns_type=unknown";
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
                      "enable-index=",
                      state_->sindexes.SetIndexed(ns->name(), sets[id].name) ? "true" : "false",
                      ":stop-writes-count=0:stop-writes-size=0;");
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
  // cmd_truncate()/cmd_truncate_namespace() then as_truncate_cmd().
  const InfoParam ns_param = GetInfoParam(params, "namespace", proto::kMaxNamespaceLen + 1);
  if (auto e = RequiredParamError(ns_param, "namespace")) return *e;
  const InfoParam set_param = GetInfoParam(params, "set", proto::kMaxSetLen + 1);
  if (whole_namespace) {
    if (GetInfoParam(params, "set", 1).state != InfoParam::State::kNotFound) {
      return InfoError(4, "unexpected set name");
    }
  } else if (auto e = RequiredParamError(set_param, "set")) {
    return *e;
  }
  const InfoParam lut_param = GetInfoParam(params, "lut", 24);
  if (auto e = OptionalParamError(lut_param, "lut")) return *e;
  const uint64_t now_ms = ServerEpochMillis(clock_.now_ns);
  uint64_t lut_ms = now_ms;
  if (lut_param.state == InfoParam::State::kFound) {
    // strtoul(..., 0): decimal, 0x hex or 0 octal; garbage reads as 0.
    const std::string text(lut_param.value);
    const uint64_t utc_ns = std::strtoull(text.c_str(), nullptr, 0);
    lut_ms = ServerEpochMillis(utc_ns);
    if (lut_ms == 0) return InfoError(4, "would truncate to 0");
    if (lut_ms > now_ms) return InfoError(4, "would truncate in the future");
  }
  // The command is accepted whatever the namespace and set: an unknown one
  // has nothing to truncate.
  Namespace* ns = state_->store.Find(ns_param.value);
  if (ns == nullptr) return "ok";
  if (whole_namespace) {
    ns->Truncate(-1, lut_ms);
    return "ok";
  }
  const int set_id = ns->FindSetId(set_param.value);
  if (set_id > 0) ns->Truncate(set_id, lut_ms);
  return "ok";
}

std::string Processor::TruncateUndoInfo(std::string_view params, bool whole_namespace) {
  const InfoParam ns_param = GetInfoParam(params, "namespace", proto::kMaxNamespaceLen + 1);
  if (auto e = RequiredParamError(ns_param, "namespace")) return *e;
  const InfoParam set_param = GetInfoParam(params, "set", proto::kMaxSetLen + 1);
  if (whole_namespace) {
    if (GetInfoParam(params, "set", 1).state != InfoParam::State::kNotFound) {
      return InfoError(4, "unexpected set name");
    }
  } else if (auto e = RequiredParamError(set_param, "set")) {
    return *e;
  }
  Namespace* ns = state_->store.Find(ns_param.value);
  if (ns == nullptr) return "ok";
  if (whole_namespace) {
    ns->UndoTruncate(-1);
  } else if (const int set_id = ns->FindSetId(set_param.value); set_id > 0) {
    ns->UndoTruncate(set_id);
  }
  return "ok";
}

}  // namespace aerospike_py::server
