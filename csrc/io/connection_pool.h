// ConnectionPool: the connections of one node for one purpose (data
// commands, or the node's tend connection). Ready connections wait in a
// LIFO stack (the warmest socket is reused first; the coldest is reaped);
// a command that finds none either opens a new one (below max_conns) or
// waits in FIFO order for one to come back. A connection comes back only
// after a complete, well-formed answer. A connection whose command timed
// out mid-answer may be handed back for recovery (policy timeout_delay_ms):
// the pool reads the rest of the answer and reuses the connection, or
// closes it when the delay passes. Event thread only; io-internal.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/status.h"
#include "io/address.h"
#include "io/connection.h"
#include "io/connection_security.h"
#include "io/event_loop.h"

namespace aerospike_py::io {

struct PoolOptions {
  uint32_t max_conns = 256;
  uint32_t min_conns = 0;
  uint32_t idle_timeout_ms = 55000;  // 0: never reap
  uint32_t connect_timeout_ms = 1000;
  // TLS and login of each new connection (null: plain TCP), and the name
  // the node's certificate must carry.
  std::shared_ptr<const ConnectionSecurity> security;
  std::string tls_name;
};

class ConnectionPool : public ConnectionOwner {
 public:
  ConnectionPool(EventLoop* loop, SocketAddress address, PoolOptions options);
  ~ConnectionPool() override;
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Hands a connection to `w` now (before returning) or later, or fails it.
  void Acquire(PoolWaiter* w);
  // `w` no longer wants a connection (timeout, cancel).
  void CancelWait(PoolWaiter* w);
  // Takes back a connection after a complete answer.
  void Release(Connection* c);
  // Takes over a ready connection (no user, no write pending) whose user
  // gave up mid-answer: reads on until the answer ends, then releases it;
  // closes it after `delay_ms`, on a malformed byte, or when the pool
  // closes. `multi_record`: the answer ends with a LAST message (batch)
  // rather than with its first frame (single record).
  void Recover(Connection* c, uint32_t delay_ms, bool multi_record);
  // Opens connections until min_conns are open.
  void Prewarm();
  // Closes connections idle longer than idle_timeout_ms (keeping
  // min_conns), then pre-warms.
  void ReapIdle(int64_t now_ms);
  // Fails the waiters, closes idle and connecting sockets, and closes busy
  // ones as they come back. No new connections afterwards.
  void Close(const Status& why);
  bool closed() const { return closed_; }

  uint32_t open_count() const { return open_; }
  size_t idle_count() const { return idle_.size(); }
  size_t waiter_count() const { return waiters_; }
  size_t recovering_count() const { return recovering_.size(); }

  // The node's circuit breaker (ClientConfig::max_error_rate): attempts
  // on this pool that cost a connection (connect or socket failure,
  // timeout, malformed answer) since the window began. Commands stop
  // using the node once the count reaches the limit; the engine resets
  // it every error_rate_window tends.
  void CountError() { ++errors_in_window_; }
  uint32_t errors_in_window() const { return errors_in_window_; }
  void ResetErrorWindow() { errors_in_window_ = 0; }

 private:
  class Recovery;
  void EndRecovery(Recovery* r);
  void OnConnected(Connection* c) override;
  void OnConnectionClosed(Connection* c, const Status& why, bool connected) override;
  // Opens a connection for `w` (nullptr: for the idle stack).
  void OpenFor(PoolWaiter* w);
  void PushWaiter(PoolWaiter* w);
  PoolWaiter* PopWaiter();
  void Give(Connection* c);

  EventLoop* loop_;
  SocketAddress address_;
  std::string peer_;
  PoolOptions options_;
  bool closed_ = false;
  Status closed_why_;
  uint32_t open_ = 0;  // connecting + idle + busy
  std::vector<Connection*> idle_;  // back = most recently used
  absl::flat_hash_map<Connection*, PoolWaiter*> connecting_;
  PoolWaiter* head_ = nullptr;
  PoolWaiter* tail_ = nullptr;
  size_t waiters_ = 0;
  uint32_t errors_in_window_ = 0;
  std::vector<std::unique_ptr<Recovery>> recovering_;
};

}  // namespace aerospike_py::io
