// Attempt: one try of one request on one connection, the per-attempt state
// machine beneath every command:
//   kIdle -> kWaiting (for a pooled or freshly opened connection)
//         -> kExchanging (request written, answer frames arriving)
//         -> kDone (answer complete, connection back in its pool)
// with one deadline (the socket timeout, capped by the command's total
// timeout) covering the whole try. Any failure (connect, write, read,
// malformed bytes, timeout) closes the connection if one was held and ends
// the attempt with a Status; retry decisions belong to the command, which
// owns the Attempt as a member and may restart it.
//
// The listener is called last on every path, so it may destroy or restart
// the attempt from its callbacks. Event thread only; uv-free header.
#pragma once

#include <cstdint>

#include "absl/types/span.h"
#include "common/byte_buffer.h"
#include "common/status.h"
#include "io/address.h"
#include "io/connection_roles.h"
#include "io/connection_security.h"
#include "io/timer_queue.h"
#include "proto/frame_reader.h"

namespace aerospike_py::io {

class EventLoop;

class AttemptListener {
 public:
  virtual ~AttemptListener() = default;
  // A frame of the answer: true when the answer is complete. An error
  // fails the attempt (DataLoss) and closes the connection.
  virtual StatusOr<bool> OnAttemptFrame(proto::Frame frame) = 0;
  // The attempt ended: OK when the answer completed.
  virtual void OnAttemptDone(const Status& status) = 0;
};

class Attempt final : private PoolWaiter, private ConnectionUser, private ConnectionOwner {
 public:
  static constexpr size_t kMaxParts = 4;

  explicit Attempt(AttemptListener* listener) : listener_(listener) {}
  ~Attempt() override { Abort(); }
  Attempt(const Attempt&) = delete;
  Attempt& operator=(const Attempt&) = delete;

  // Sends `request` (at most kMaxParts buffers, kept alive by the caller
  // until the attempt ends) over a connection of `pool`. `deadline_ms` is
  // loop time (0: none).
  void Start(EventLoop* loop, ConnectionPool* pool, absl::Span<const ByteSpan> request,
             int64_t deadline_ms);
  // The same on a connection of its own to `address`, closed afterwards.
  void StartFresh(EventLoop* loop, const SocketAddress& address, uint32_t connect_timeout_ms,
                  absl::Span<const ByteSpan> request, int64_t deadline_ms);
  void StartFresh(EventLoop* loop, const SocketAddress& address, const ConnectOptions& connect,
                  absl::Span<const ByteSpan> request, int64_t deadline_ms);
  // Stops without calling the listener; a connection in mid-exchange is
  // closed (it cannot be reused), a queued wait is withdrawn.
  void Abort();
  // Abort() because the command's time ran out: a pooled connection in
  // mid-exchange goes back to its pool to finish reading the answer for up
  // to the timeout delay (see set_timeout_delay) instead of being closed.
  void AbortAfterTimeout();
  // Policy timeout_delay_ms: how long a connection that timed out
  // mid-answer is kept reading so it can be reused (0: closed at once).
  // `multi_record`: the answer ends with a LAST message (batches).
  void set_timeout_delay(uint32_t delay_ms, bool multi_record) {
    timeout_delay_ms_ = delay_ms;
    multi_record_ = multi_record;
  }

  // Scans and queries: their 1 MiB frames are handed to the listener in
  // pieces of about `bytes` as they arrive (proto::FrameReader), so what a
  // stream holds is bounded by pieces, not frames. 0: whole frames.
  void set_split_frames(size_t bytes) { split_frames_ = bytes; }

  // Multi-frame answers (scans, queries) whose consumer falls behind: stop
  // and restart reading the connection (see Connection::PauseReading).
  // No-ops unless a connection is held.
  void PauseReading();
  void ResumeReading();

  bool running() const { return state_ == State::kWaiting || state_ == State::kExchanging; }
  // Some request bytes may have reached the server during this attempt.
  bool sent() const { return sent_; }
  int64_t sent_ns() const { return sent_ns_; }
  int64_t answered_ns() const { return answered_ns_; }

 private:
  enum class State : uint8_t { kIdle, kWaiting, kExchanging, kDone };

  void Begin(EventLoop* loop, absl::Span<const ByteSpan> request, int64_t deadline_ms);
  void Fail(const Status& why);
  void OnTimeout();
  void Use(Connection* c);
  // Lets go of conn_ after a timeout: recovered by its pool or closed.
  void DropTimedOut(const Status& why);

  // PoolWaiter
  void OnPoolConnection(Connection* c) override;
  void OnPoolError(const Status& why) override;
  // ConnectionUser
  StatusOr<bool> OnFrame(proto::Frame frame) override;
  void OnAnswerComplete(Connection* c, bool reusable) override;
  void OnConnectionError(const Status& why) override;
  // ConnectionOwner (fresh connections)
  void OnConnected(Connection* c) override;
  void OnConnectionClosed(Connection* c, const Status& why, bool connected) override;

  AttemptListener* listener_;
  EventLoop* loop_ = nullptr;
  ConnectionPool* pool_ = nullptr;  // null for a fresh connection
  Connection* conn_ = nullptr;      // held while exchanging
  Connection* fresh_ = nullptr;     // our own connection, until it closes
  State state_ = State::kIdle;
  bool sent_ = false;
  bool multi_record_ = false;
  uint32_t timeout_delay_ms_ = 0;
  size_t split_frames_ = 0;
  int64_t sent_ns_ = 0;
  int64_t answered_ns_ = 0;
  ByteSpan parts_[kMaxParts];
  size_t n_parts_ = 0;
  Timer timer_;
};

}  // namespace aerospike_py::io
