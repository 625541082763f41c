// The three roles around a Connection, kept free of uv.h so that command
// code above io can take part: the owner that opened it (a pool or a
// one-shot attempt), the user that holds it for one request/answer
// exchange, and a waiter queued on a pool for a connection.
#pragma once

#include "common/status.h"
#include "proto/frame_reader.h"

namespace aerospike_py::io {

class Connection;
class ConnectionPool;

class ConnectionOwner {
 public:
  virtual ~ConnectionOwner() = default;
  // Connected and ready for a user. Called at most once.
  virtual void OnConnected(Connection* c) = 0;
  // The connection started closing (for any reason; `connected` is false
  // when it never got ready). The owner forgets the pointer. Called before
  // the user hears of it.
  virtual void OnConnectionClosed(Connection* c, const Status& why, bool connected) = 0;
};

class ConnectionUser {
 public:
  virtual ~ConnectionUser() = default;
  // A frame of the answer: true when the answer is complete, false to
  // read on. An error closes the connection (then OnConnectionError).
  virtual StatusOr<bool> OnFrame(proto::Frame frame) = 0;
  // The answer completed and the user no longer holds the connection.
  // When `reusable` is false it is already closing (trailing bytes).
  virtual void OnAnswerComplete(Connection* c, bool reusable) = 0;
  // The connection closed while held; the user no longer holds it.
  virtual void OnConnectionError(const Status& why) = 0;
};

// Intrusive, so waiting for a connection never allocates.
class PoolWaiter {
 public:
  virtual ~PoolWaiter() = default;
  // A ready connection, now held by the waiter.
  virtual void OnPoolConnection(Connection* c) = 0;
  // No connection could be had (connect failed, pool closed).
  virtual void OnPoolError(const Status& why) = 0;

 private:
  friend class ConnectionPool;
  PoolWaiter* prev_ = nullptr;
  PoolWaiter* next_ = nullptr;
  ConnectionPool* waiting_in_ = nullptr;
  Connection* connecting_ = nullptr;  // opened on this waiter's behalf
};

}  // namespace aerospike_py::io
