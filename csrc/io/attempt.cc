#include "io/attempt.h"

#include "absl/strings/str_cat.h"
#include "io/connection.h"
#include "io/connection_pool.h"
#include "io/event_loop.h"

namespace aerospike_py::io {
namespace {

// Failures that count against the node's error rate: the connection broke,
// could not be opened, or carried bytes that are not an answer. Timeouts
// count where they happen (OnTimeout, AbortAfterTimeout), and only while an
// answer was awaited: waiting for a pooled connection is local congestion.
bool CostsTheNode(const Status& why) {
  return why.code() == absl::StatusCode::kUnavailable ||
         why.code() == absl::StatusCode::kDataLoss;
}

}  // namespace

void Attempt::Begin(EventLoop* loop, absl::Span<const ByteSpan> request, int64_t deadline_ms) {
  Abort();
  loop_ = loop;
  n_parts_ = 0;
  for (ByteSpan part : request) {
    if (n_parts_ < kMaxParts) parts_[n_parts_++] = part;
  }
  sent_ = false;
  sent_ns_ = answered_ns_ = 0;
  state_ = State::kWaiting;
  if (deadline_ms > 0) {
    timer_.Start(&loop->timers(), deadline_ms, &Timer::Thunk<Attempt, &Attempt::OnTimeout>, this);
  }
}

void Attempt::Start(EventLoop* loop, ConnectionPool* pool, absl::Span<const ByteSpan> request,
                    int64_t deadline_ms) {
  Begin(loop, request, deadline_ms);
  pool_ = pool;
  pool->Acquire(this);  // may call back (and end this attempt) right away
}

void Attempt::StartFresh(EventLoop* loop, const SocketAddress& address,
                         uint32_t connect_timeout_ms, absl::Span<const ByteSpan> request,
                         int64_t deadline_ms) {
  ConnectOptions connect;
  connect.connect_timeout_ms = connect_timeout_ms;
  StartFresh(loop, address, connect, request, deadline_ms);
}

void Attempt::StartFresh(EventLoop* loop, const SocketAddress& address,
                         const ConnectOptions& connect, absl::Span<const ByteSpan> request,
                         int64_t deadline_ms) {
  Begin(loop, request, deadline_ms);
  pool_ = nullptr;
  StatusOr<Connection*> c = Connection::Open(loop, address, connect, this);
  if (!c.ok()) {
    Fail(c.status());
    return;
  }
  fresh_ = *c;
}

void Attempt::Abort() {
  timer_.Cancel();
  const State was = state_;
  state_ = State::kIdle;
  if (was == State::kWaiting && pool_ != nullptr) pool_->CancelWait(this);
  if (conn_ != nullptr) {
    Connection* c = conn_;
    conn_ = nullptr;
    c->Detach();
    c->Close(absl::CancelledError("attempt abandoned mid-exchange"));
  }
  if (fresh_ != nullptr) {
    Connection* c = fresh_;
    fresh_ = nullptr;
    c->set_owner(nullptr);
    c->Close(absl::CancelledError("attempt abandoned"));
  }
}

void Attempt::AbortAfterTimeout() {
  if (state_ == State::kExchanging && conn_ != nullptr) {
    timer_.Cancel();
    state_ = State::kIdle;
    if (pool_ != nullptr) pool_->CountError();
    DropTimedOut(absl::DeadlineExceededError("command timed out mid-answer"));
  }
  Abort();  // whatever else is held
}

void Attempt::DropTimedOut(const Status& why) {
  Connection* c = conn_;
  conn_ = nullptr;
  c->Detach();
  if (timeout_delay_ms_ > 0 && pool_ != nullptr) {
    pool_->Recover(c, timeout_delay_ms_, multi_record_);  // or closes it
  } else {
    c->Close(why);
  }
}

void Attempt::Fail(const Status& why) {
  timer_.Cancel();
  state_ = State::kDone;
  if (pool_ != nullptr && CostsTheNode(why)) pool_->CountError();
  listener_->OnAttemptDone(why);  // last: may destroy or restart us
}

void Attempt::OnTimeout() {
  const bool exchanging = state_ == State::kExchanging;
  std::string peer = conn_ != nullptr ? conn_->peer() : std::string();
  Status why = exchanging
                   ? absl::DeadlineExceededError(absl::StrCat("no answer from ", peer,
                                                              " within the socket timeout"))
                   : absl::DeadlineExceededError("timed out waiting for a connection");
  state_ = State::kDone;  // Abort() must not re-arm anything
  if (pool_ != nullptr && exchanging) pool_->CountError();
  if (pool_ != nullptr && !exchanging) pool_->CancelWait(this);
  if (conn_ != nullptr) DropTimedOut(why);
  if (fresh_ != nullptr) {
    Connection* c = fresh_;
    fresh_ = nullptr;
    c->set_owner(nullptr);
    c->Close(why);
  }
  listener_->OnAttemptDone(why);
}

void Attempt::Use(Connection* c) {
  if (state_ != State::kWaiting) {
    // Not expected (a cancelled waiter is never served); keep it safe.
    if (pool_ != nullptr) pool_->Release(c);
    return;
  }
  conn_ = c;
  c->Attach(this, split_frames_);
  state_ = State::kExchanging;
  SendResult r = c->Send(absl::Span<const ByteSpan>(parts_, n_parts_));
  sent_ = sent_ || r.any_written;
  if (!r.status.ok()) {
    conn_ = nullptr;
    c->Detach();
    c->Close(r.status);
    Fail(r.status);
    return;
  }
  sent_ns_ = SteadyNowNs();
}

void Attempt::PauseReading() {
  if (conn_ != nullptr) conn_->PauseReading();
}

void Attempt::ResumeReading() {
  if (conn_ != nullptr) conn_->ResumeReading();
}

void Attempt::OnPoolConnection(Connection* c) { Use(c); }

void Attempt::OnPoolError(const Status& why) {
  if (state_ != State::kWaiting) return;
  Fail(why);
}

StatusOr<bool> Attempt::OnFrame(proto::Frame frame) {
  return listener_->OnAttemptFrame(std::move(frame));
}

void Attempt::OnAnswerComplete(Connection* c, bool reusable) {
  conn_ = nullptr;
  timer_.Cancel();
  state_ = State::kDone;
  answered_ns_ = SteadyNowNs();
  if (reusable) {
    if (pool_ != nullptr) {
      pool_->Release(c);
    } else {
      fresh_ = nullptr;
      c->set_owner(nullptr);
      c->Close(absl::OkStatus());
    }
  }
  listener_->OnAttemptDone(absl::OkStatus());
}

void Attempt::OnConnectionError(const Status& why) {
  conn_ = nullptr;
  if (state_ != State::kExchanging) return;
  Fail(why);
}

void Attempt::OnConnected(Connection* c) { Use(c); }

void Attempt::OnConnectionClosed(Connection* c, const Status& why, bool) {
  if (c == fresh_) fresh_ = nullptr;
  // While exchanging, OnConnectionError follows and reports.
  if (state_ == State::kWaiting) Fail(why);
}

}  // namespace aerospike_py::io
