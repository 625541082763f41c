#include "io/address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace aerospike_py::io {

StatusOr<SocketAddress> NumericAddress(const std::string& host, uint16_t port) {
  SocketAddress out;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return out;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    return out;
  }
  return absl::InvalidArgumentError(absl::StrCat("not a numeric address: ", host));
}

bool IsNumericHost(const std::string& host) { return NumericAddress(host, 0).ok(); }

std::string FormatEndpoint(const proto::Endpoint& endpoint) {
  if (endpoint.host.find(':') != std::string::npos) {
    return absl::StrCat("[", endpoint.host, "]:", endpoint.port);
  }
  return absl::StrCat(endpoint.host, ":", endpoint.port);
}

proto::Endpoint EndpointOf(const SocketAddress& address) {
  proto::Endpoint ep;
  char text[INET6_ADDRSTRLEN] = {0};
  if (address.storage.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address.storage);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
    ep.port = ntohs(v4->sin_port);
  } else if (address.storage.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address.storage);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    ep.port = ntohs(v6->sin6_port);
  }
  ep.host = text;
  return ep;
}

}  // namespace aerospike_py::io
