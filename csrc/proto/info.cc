#include "proto/info.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "proto/headers.h"

namespace aerospike_py::proto {

std::vector<InfoPair> ParseInfoResponse(std::string_view body) {
  std::vector<InfoPair> out;
  while (!body.empty()) {
    size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
    if (line.empty()) continue;
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos) {
      out.push_back({std::string_view(), line});
    } else {
      out.push_back({line.substr(0, tab), line.substr(tab + 1)});
    }
  }
  return out;
}

ByteBuffer EncodeInfoResponse(const std::vector<InfoPair>& pairs) {
  size_t body = 0;
  for (const InfoPair& p : pairs) body += p.name.size() + p.value.size() + 2;
  ByteBuffer out(kProtoHeaderSize + body);
  EncodeProtoHeader(out.Extend(kProtoHeaderSize), ProtoType::kInfo, body);
  for (const InfoPair& p : pairs) {
    out.Append(p.name);
    out.PushBack('\t');
    out.Append(p.value);
    out.PushBack('\n');
  }
  return out;
}

bool ParseInfoError(std::string_view value, int* code, std::string_view* message) {
  std::string_view rest;
  if (value.substr(0, 6) == "ERROR:") {
    rest = value.substr(6);
  } else if (value.substr(0, 5) == "FAIL:") {
    rest = value.substr(5);
  } else {
    return false;
  }
  *code = 1;
  size_t colon = rest.find(':');
  std::string_view code_text = rest.substr(0, colon);
  int parsed = 0;
  if (!code_text.empty() && ParseInt(code_text, &parsed) && parsed != 0) {
    *code = parsed;
  }
  *message = colon == std::string_view::npos ? rest : rest.substr(colon + 1);
  return true;
}

StatusOr<Endpoint> ParseEndpoint(std::string_view text, uint16_t default_port) {
  Endpoint ep;
  ep.port = default_port;
  std::string_view port_text;
  bool has_port = false;
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return MalformedError("endpoint: unclosed [");
    ep.host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return MalformedError("endpoint: junk after ]");
      port_text = rest.substr(1);
      has_port = true;
    }
  } else if (text.find(':') != text.rfind(':')) {
    // Several colons and no brackets: a bare IPv6 address, no port (the
    // server brackets IPv6 endpoints that carry a port).
    ep.host = std::string(text);
  } else {
    size_t colon = text.rfind(':');
    if (colon != std::string_view::npos) {
      ep.host = std::string(text.substr(0, colon));
      port_text = text.substr(colon + 1);
      has_port = true;
    } else {
      ep.host = std::string(text);
    }
  }
  if (ep.host.empty()) return MalformedError("endpoint: empty host");
  // Brackets and commas delimit endpoints and peers; inside a host they
  // mean the text was not one endpoint.
  if (ep.host.find_first_of("[],") != std::string::npos) {
    return MalformedError("endpoint: bad character in host");
  }
  if (has_port) {
    uint32_t port = 0;
    if (!ParseInt(port_text, &port) || port == 0 || port > 65535) {
      return MalformedError(absl::StrCat("endpoint: bad port '", AbslView(port_text), "'"));
    }
    ep.port = static_cast<uint16_t>(port);
  }
  return ep;
}

namespace {

// A small cursor over the bracketed peers grammar.
class PeersCursor {
 public:
  explicit PeersCursor(std::string_view s) : s_(s) {}
  bool Eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool Peek(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
  // Text up to (not including) any of `stops`, honouring [v6] brackets.
  std::string_view Token(std::string_view stops) {
    size_t start = pos_;
    int depth = 0;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (depth == 0 && stops.find(c) != std::string_view::npos) break;
      if (c == '[') ++depth;
      if (c == ']') {
        if (depth == 0) break;
        --depth;
      }
      ++pos_;
    }
    return s_.substr(start, pos_ - start);
  }
  bool AtEnd() const { return pos_ >= s_.size(); }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

StatusOr<PeersValue> ParsePeers(std::string_view value) {
  PeersValue out;
  PeersCursor c(value);
  std::string_view gen = c.Token(",");
  if (!ParseInt(gen, &out.generation) || !c.Eat(',')) {
    return MalformedError("peers: bad generation");
  }
  std::string_view port = c.Token(",");
  if (!port.empty()) {
    uint32_t p = 0;
    if (!ParseInt(port, &p) || p == 0 || p > 65535) {
      return MalformedError("peers: bad default port");
    }
    out.default_port = static_cast<uint16_t>(p);
  }
  if (!c.Eat(',') || !c.Eat('[')) return MalformedError("peers: missing list");
  while (!c.Eat(']')) {
    if (c.AtEnd()) return MalformedError("peers: unterminated list");
    if (!out.peers.empty() && !c.Eat(',')) return MalformedError("peers: missing ,");
    if (!c.Eat('[')) return MalformedError("peers: peer must start with [");
    PeerInfo peer;
    peer.node_id = std::string(c.Token(","));
    if (!c.Eat(',')) return MalformedError("peers: missing tls name");
    peer.tls_name = std::string(c.Token(","));
    if (!c.Eat(',')) return MalformedError("peers: missing endpoints");
    if (c.Eat('[')) {
      while (!c.Eat(']')) {
        if (c.AtEnd()) return MalformedError("peers: unterminated endpoints");
        if (!peer.endpoints.empty() && !c.Eat(',')) {
          return MalformedError("peers: missing , between endpoints");
        }
        std::string_view ep_text = c.Token(",]");
        ASPY_ASSIGN_OR_RETURN(Endpoint ep, ParseEndpoint(ep_text, out.default_port));
        peer.endpoints.push_back(std::move(ep));
      }
    }
    if (!c.Eat(']')) return MalformedError("peers: peer must end with ]");
    if (peer.node_id.empty()) return MalformedError("peers: empty node id");
    out.peers.push_back(std::move(peer));
  }
  return out;
}

std::string FormatPeers(const PeersValue& peers) {
  std::string out = absl::StrCat(peers.generation, ",", peers.default_port, ",[");
  for (size_t i = 0; i < peers.peers.size(); ++i) {
    const PeerInfo& p = peers.peers[i];
    if (i) out += ",";
    absl::StrAppend(&out, "[", p.node_id, ",", p.tls_name, ",[");
    for (size_t j = 0; j < p.endpoints.size(); ++j) {
      const Endpoint& ep = p.endpoints[j];
      if (j) out += ",";
      const bool v6 = ep.host.find(':') != std::string::npos;
      out += v6 ? absl::StrCat("[", ep.host, "]") : ep.host;
      if (ep.port != peers.default_port) absl::StrAppend(&out, ":", ep.port);
    }
    out += "]]";
  }
  return out + "]";
}

StatusOr<std::vector<NamespaceReplicas>> ParseReplicas(std::string_view value) {
  std::vector<NamespaceReplicas> out;
  for (std::string_view entry : Split(value, ';', /*skip_empty=*/true)) {
    size_t colon = entry.find(':');
    if (colon == std::string_view::npos) return MalformedError("replicas: missing ':'");
    NamespaceReplicas ns;
    ns.ns = std::string(entry.substr(0, colon));
    if (ns.ns.empty() || ns.ns.size() > kMaxNamespaceLen) {
      return MalformedError("replicas: bad namespace name");
    }
    std::vector<std::string_view> parts = Split(entry.substr(colon + 1), ',');
    // With regime: regime,n,b64...; without: n,b64...
    size_t first_bitmap;
    uint32_t n = 0;
    if (parts.size() >= 2 && parts[1].size() != kReplicaBitmapBase64) {
      if (!ParseInt(parts[0], &ns.regime) || !ParseInt(parts[1], &n)) {
        return MalformedError("replicas: bad regime or count");
      }
      first_bitmap = 2;
    } else {
      if (parts.empty() || !ParseInt(parts[0], &n)) {
        return MalformedError("replicas: bad count");
      }
      first_bitmap = 1;
    }
    if (n == 0 || n > 255 || parts.size() - first_bitmap != n) {
      return MalformedError("replicas: count does not match bitmaps");
    }
    for (size_t i = first_bitmap; i < parts.size(); ++i) {
      if (parts[i].size() != kReplicaBitmapBase64) {
        return MalformedError("replicas: bitmap is not 684 base64 characters");
      }
      std::string raw;
      if (!Base64Decode(parts[i], &raw) || raw.size() != kReplicaBitmapBytes) {
        return MalformedError("replicas: bitmap is not valid base64");
      }
      ReplicaBitmap bitmap;
      std::memcpy(bitmap.data(), raw.data(), kReplicaBitmapBytes);
      ns.replicas.push_back(bitmap);
    }
    out.push_back(std::move(ns));
  }
  return out;
}

std::string FormatReplicas(const std::vector<NamespaceReplicas>& namespaces) {
  std::string out;
  for (const NamespaceReplicas& ns : namespaces) {
    if (!out.empty()) out += ";";
    absl::StrAppend(&out, ns.ns, ":", ns.regime, ",", ns.replicas.size());
    for (const ReplicaBitmap& bitmap : ns.replicas) {
      out += ",";
      out += Base64Encode(std::string_view(
          reinterpret_cast<const char*>(bitmap.data()), bitmap.size()));
    }
  }
  return out;
}

}  // namespace aerospike_py::proto
