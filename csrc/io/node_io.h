// NodeIo: the I/O side of a cluster node, attached to it as its
// NodeExtension: the pool of data connections commands use and a separate
// one-connection pool for tending, so tend requests never queue behind
// commands. Event thread only; uv-free header.
#pragma once

#include <cstdint>
#include <memory>

#include <string>

#include "cluster/node.h"
#include "common/status.h"
#include "io/address.h"
#include "io/connection_security.h"
#include "io/latency_window.h"

namespace aerospike_py::io {

class ConnectionPool;
class EventLoop;

struct NodePoolOptions {
  uint32_t max_conns = 256;
  uint32_t min_conns = 0;
  uint32_t idle_timeout_ms = 55000;
  uint32_t connect_timeout_ms = 1000;
  std::shared_ptr<const ConnectionSecurity> security;  // null: plain TCP
  std::string tls_name;
};

class NodeIo : public cluster::NodeExtension {
 public:
  NodeIo(EventLoop* loop, const SocketAddress& address, const NodePoolOptions& options);
  ~NodeIo() override;

  // nullptr when the node has no I/O attached (never validated here).
  static NodeIo* Of(const cluster::Node& node) {
    return static_cast<NodeIo*>(node.extension());
  }

  ConnectionPool* data_pool() { return data_.get(); }
  const ConnectionPool* data_pool() const { return data_.get(); }
  ConnectionPool* tend_pool() { return tend_.get(); }
  const SocketAddress& address() const { return address_; }
  // How long the node took to answer its recent single-record reads (kept
  // by reads whose policy hedges adaptively; client/hedge.h).
  LatencyWindow& read_latency() { return read_latency_; }
  // The same for its answers to batch requests (kept by hedged batches).
  LatencyWindow& batch_latency() { return batch_latency_; }

  // Reaps idle data connections and pre-warms min_conns.
  void Maintain(int64_t now_ms);
  // Closes both pools: waiters fail with `why`, idle sockets close, busy
  // ones close when their answer completes.
  void Close(const Status& why);

 private:
  SocketAddress address_;
  std::unique_ptr<ConnectionPool> data_;
  std::unique_ptr<ConnectionPool> tend_;
  LatencyWindow read_latency_;
  LatencyWindow batch_latency_;
};

}  // namespace aerospike_py::io
