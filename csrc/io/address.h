// Socket addresses of nodes: numeric parsing (nodes and peers are numeric
// once validated) and printing for messages. Host names are resolved by
// io/resolver.h. Event-thread helpers; no allocation beyond the text.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "common/status.h"
#include "proto/info.h"

namespace aerospike_py::io {

struct SocketAddress {
  sockaddr_storage storage{};
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// Parses a numeric IPv4 or IPv6 host; InvalidArgument for anything else.
StatusOr<SocketAddress> NumericAddress(const std::string& host, uint16_t port);
bool IsNumericHost(const std::string& host);
// "1.2.3.4:3000" or "[::1]:3000".
std::string FormatEndpoint(const proto::Endpoint& endpoint);
proto::Endpoint EndpointOf(const SocketAddress& address);

}  // namespace aerospike_py::io
