#include "io/node_io.h"

#include "io/connection_pool.h"

namespace aerospike_py::io {

NodeIo::NodeIo(EventLoop* loop, const SocketAddress& address, const NodePoolOptions& options)
    : address_(address) {
  PoolOptions data;
  data.max_conns = options.max_conns;
  data.min_conns = options.min_conns;
  data.idle_timeout_ms = options.idle_timeout_ms;
  data.connect_timeout_ms = options.connect_timeout_ms;
  data.security = options.security;
  data.tls_name = options.tls_name;
  data_ = std::make_unique<ConnectionPool>(loop, address, data);
  PoolOptions tend;
  tend.max_conns = 1;
  tend.min_conns = 0;
  tend.idle_timeout_ms = 0;
  tend.connect_timeout_ms = options.connect_timeout_ms;
  tend.security = options.security;
  tend.tls_name = options.tls_name;
  tend_ = std::make_unique<ConnectionPool>(loop, address, tend);
  data_->Prewarm();
}

NodeIo::~NodeIo() = default;

void NodeIo::Maintain(int64_t now_ms) { data_->ReapIdle(now_ms); }

void NodeIo::Close(const Status& why) {
  data_->Close(why);
  tend_->Close(why);
}

}  // namespace aerospike_py::io
