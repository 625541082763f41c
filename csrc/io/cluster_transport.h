// ClusterTransport: the cluster's InfoTransport over real sockets. Info
// requests to a node use its tend connection; validation requests use a
// fresh connection each; host names resolve through uv_getaddrinfo on
// libuv's thread pool (numeric hosts resolve at once). Shutdown() drops
// every pending request without calling back, so the cluster can be torn
// down right after it. Event thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cluster/info_transport.h"
#include "io/attempt.h"
#include "io/connection_security.h"

namespace aerospike_py::io {

class EventLoop;

class ClusterTransport : public cluster::InfoTransport {
 public:
  // `security`: TLS and login of the fresh validation connections (null:
  // plain TCP); the address's tls_name is the name its certificate must
  // carry.
  ClusterTransport(EventLoop* loop, uint32_t connect_timeout_ms, uint32_t info_timeout_ms,
                   std::shared_ptr<const ConnectionSecurity> security = nullptr);
  ~ClusterTransport() override;

  void Resolve(const proto::Endpoint& host, ResolveCallback done) override;
  void InfoToAddress(const proto::Endpoint& address, std::string request,
                     InfoCallback done) override;
  void InfoToNode(cluster::Node& node, std::string request, InfoCallback done) override;

  // Abandons pending requests (no callbacks). Resolutions already running
  // on the thread pool finish in the background and are dropped.
  void Shutdown();
  // Frees finished requests; call outside their callbacks (each loop
  // iteration).
  void Sweep();
  size_t pending() const { return live_.size(); }

 private:
  class Exchange;
  struct ResolveRequest;
  friend class Exchange;
  void Finished(Exchange* e);

  EventLoop* loop_;
  uint32_t connect_timeout_ms_;
  uint32_t info_timeout_ms_;
  std::shared_ptr<const ConnectionSecurity> security_;
  bool shut_down_ = false;
  std::vector<std::unique_ptr<Exchange>> live_;
  std::vector<std::unique_ptr<Exchange>> done_;
  std::vector<ResolveRequest*> resolving_;
};

}  // namespace aerospike_py::io
