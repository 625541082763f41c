// The info protocol (§2): request lines, "name\tvalue\n" replies, and the
// structured values cluster tending depends on (peers lists and the
// replicas bitmaps). Parsing is strict where clients are strict (a replicas
// bitmap must be exactly 684 base64 characters) and never reads past its
// input.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/byte_buffer.h"
#include "common/status.h"
#include "proto/constants.h"

namespace aerospike_py::proto {

struct InfoPair {
  std::string_view name;
  std::string_view value;
};

// Splits a reply body into (request line, value) pairs. A line without a tab
// yields an empty name and the line as value (a server answering
// "ERROR:80:not authenticated" without echoing the name does this).
std::vector<InfoPair> ParseInfoResponse(std::string_view body);

// Frames an info answer: "name\tvalue\n" per pair, in order (the server
// echoes each request line verbatim as the name).
ByteBuffer EncodeInfoResponse(const std::vector<InfoPair>& pairs);

// If `value` is an error answer ("ERROR:<code>:<msg>" or "FAIL:..."), returns
// true and fills the code (1 when absent or 0) and message.
bool ParseInfoError(std::string_view value, int* code, std::string_view* message);

struct Endpoint {
  std::string host;
  uint16_t port = 0;
  // With TLS: the name the server's certificate must carry there (a seed's
  // from the config, a peer's from peers-tls-*); empty in clear text.
  std::string tls_name;
};

struct PeerInfo {
  std::string node_id;
  std::string tls_name;
  std::vector<Endpoint> endpoints;
};

struct PeersValue {
  uint64_t generation = 0;
  uint16_t default_port = 3000;
  std::vector<PeerInfo> peers;
};

// Parses "gen,port,[[ID,tls,[ep,...]],...]".
StatusOr<PeersValue> ParsePeers(std::string_view value);
// Formats a peers value the way the server does (":port" dropped when it is
// the default port).
std::string FormatPeers(const PeersValue& peers);

// Parses "host", "host:port", "[v6]", "[v6]:port" or a bare "v6" address.
StatusOr<Endpoint> ParseEndpoint(std::string_view text, uint16_t default_port);

inline constexpr size_t kReplicaBitmapBytes = kPartitions / 8;
inline constexpr size_t kReplicaBitmapBase64 = 684;
using ReplicaBitmap = std::array<uint8_t, kReplicaBitmapBytes>;

inline bool BitmapHas(const ReplicaBitmap& bitmap, uint32_t pid) {
  return (bitmap[pid >> 3] & (0x80 >> (pid & 7))) != 0;
}
inline void BitmapSet(ReplicaBitmap& bitmap, uint32_t pid) {
  bitmap[pid >> 3] |= static_cast<uint8_t>(0x80 >> (pid & 7));
}

struct NamespaceReplicas {
  std::string ns;
  uint32_t regime = 0;
  std::vector<ReplicaBitmap> replicas;  // column 0 = master
};

// Parses the `replicas` value: "ns:regime,n,b64,b64...;ns2:...". The older
// regime-less form of `replicas-all` ("ns:n,b64,...") is accepted too.
StatusOr<std::vector<NamespaceReplicas>> ParseReplicas(std::string_view value);
std::string FormatReplicas(const std::vector<NamespaceReplicas>& namespaces);

}  // namespace aerospike_py::proto
