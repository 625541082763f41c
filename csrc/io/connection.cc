#include "io/connection.h"

#include "absl/strings/str_cat.h"

namespace aerospike_py::io {

namespace {

constexpr uint32_t kDataFrameTypes = (1u << 1) | (1u << 3) | (1u << 4);

Status UvError(std::string_view what, const std::string& peer, int rc) {
  return absl::UnavailableError(
      absl::StrCat(AbslView(what), " ", peer, ": ", uv_strerror(rc)));
}

}  // namespace

Connection::Connection(EventLoop* loop, ConnectionOwner* owner, std::string peer)
    : loop_(loop), owner_(owner), peer_(std::move(peer)), reader_(kDataFrameTypes) {}

Connection::~Connection() {
  if (auto* open = loop_->counters().open_connections) open->fetch_sub(1, std::memory_order_relaxed);
}

StatusOr<Connection*> Connection::Open(EventLoop* loop, const SocketAddress& address,
                                       uint32_t connect_timeout_ms, ConnectionOwner* owner) {
  auto* c = new Connection(loop, owner, FormatEndpoint(EndpointOf(address)));
  int rc = uv_tcp_init(loop->uv(), &c->tcp_);
  if (rc != 0) {
    // No handle yet: nothing can call back, so it is freed here. Undo the
    // counter the destructor releases.
    if (auto* open = loop->counters().open_connections) open->fetch_add(1);
    Status why = UvError("socket for", c->peer_, rc);
    delete c;
    return why;
  }
  c->tcp_.data = c;
  c->connect_req_.data = c;
  c->write_req_.data = c;
  if (auto* open = loop->counters().open_connections) open->fetch_add(1, std::memory_order_relaxed);
  if (auto* opened = loop->counters().connections_opened) opened->fetch_add(1, std::memory_order_relaxed);
  uv_tcp_nodelay(&c->tcp_, 1);
  rc = uv_tcp_connect(&c->connect_req_, &c->tcp_, address.get(), &Connection::OnConnect);
  if (rc != 0) {
    Status why = UvError("connect to", c->peer_, rc);
    c->owner_ = nullptr;  // the caller learns it from the return value
    c->Close(why);
    return why;
  }
  if (connect_timeout_ms > 0) {
    c->connect_timer_.Start(&loop->timers(), loop->NowMs() + connect_timeout_ms,
                            &Timer::Thunk<Connection, &Connection::OnConnectTimeout>, c);
  }
  return c;
}

void Connection::OnConnectTimeout() {
  Close(absl::UnavailableError(absl::StrCat("connect to ", peer_, " timed out")));
}

void Connection::OnConnect(uv_connect_t* req, int status) {
  auto* c = static_cast<Connection*>(req->data);
  if (c->state_ != State::kConnecting) return;  // closed meanwhile (ECANCELED)
  c->connect_timer_.Cancel();
  if (status < 0) {
    c->Close(UvError("connect to", c->peer_, status));
    return;
  }
  int rc = uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp_), &Connection::OnAlloc,
                         &Connection::OnRead);
  if (rc != 0) {
    c->Close(UvError("read from", c->peer_, rc));
    return;
  }
  c->state_ = State::kReady;
  c->last_used_ms_ = c->loop_->NowMs();
  if (c->owner_ != nullptr) c->owner_->OnConnected(c);
}

SendResult Connection::Send(absl::Span<const ByteSpan> buffers) {
  SendResult result;
  if (state_ != State::kReady) {
    result.status = absl::UnavailableError(absl::StrCat("connection to ", peer_, " is not ready"));
    return result;
  }
  uv_buf_t bufs[kMaxBuffers];
  size_t n = 0, total = 0;
  for (ByteSpan b : buffers) {
    if (b.empty()) continue;
    if (n == kMaxBuffers) {
      result.status = absl::InternalError("too many request buffers");
      return result;
    }
    bufs[n++] = uv_buf_init(const_cast<char*>(reinterpret_cast<const char*>(b.data())),
                            static_cast<unsigned>(b.size()));
    total += b.size();
  }
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  int written = uv_try_write(stream, bufs, static_cast<unsigned>(n));
  if (written == UV_EAGAIN) written = 0;
  if (written < 0) {
    result.status = UvError("write to", peer_, written);
    return result;
  }
  result.any_written = written > 0;
  if (static_cast<size_t>(written) == total) return result;
  // Queue the rest, which libuv writes when the socket drains.
  size_t skip = static_cast<size_t>(written), m = 0;
  for (size_t i = 0; i < n; ++i) {
    if (skip >= bufs[i].len) {
      skip -= bufs[i].len;
      continue;
    }
    pending_[m++] = uv_buf_init(bufs[i].base + skip, static_cast<unsigned>(bufs[i].len - skip));
    skip = 0;
  }
  int rc = uv_write(&write_req_, stream, pending_, static_cast<unsigned>(m), &Connection::OnWrite);
  if (rc != 0) {
    result.status = UvError("write to", peer_, rc);
    return result;
  }
  write_pending_ = true;
  result.any_written = true;
  return result;
}

void Connection::OnWrite(uv_write_t* req, int status) {
  auto* c = static_cast<Connection*>(req->data);
  c->write_pending_ = false;
  if (status == UV_ECANCELED || c->state_ == State::kClosing) return;
  if (status < 0) c->Close(UvError("write to", c->peer_, status));
}

void Connection::OnAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(handle->data);
  if (c->user_ != nullptr && c->reader_.body_remaining() >= kDirectReadMin) {
    absl::Span<uint8_t> span = c->reader_.BodyReadSpan();
    if (!span.empty()) {
      c->direct_read_ = true;
      *buf = uv_buf_init(reinterpret_cast<char*>(span.data()), static_cast<unsigned>(span.size()));
      return;
    }
  }
  c->direct_read_ = false;
  absl::Span<uint8_t> scratch = c->loop_->ReadScratch();
  *buf = uv_buf_init(reinterpret_cast<char*>(scratch.data()), static_cast<unsigned>(scratch.size()));
}

void Connection::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(stream->data);
  if (c->state_ == State::kClosing || nread == 0) return;
  if (nread < 0) {
    c->Close(nread == UV_EOF
                 ? absl::UnavailableError(absl::StrCat("connection closed by ", c->peer_))
                 : UvError("read from", c->peer_, static_cast<int>(nread)));
    return;
  }
  if (c->user_ == nullptr) {
    c->Close(absl::DataLossError(absl::StrCat("unexpected bytes from ", c->peer_,
                                              " on an idle connection")));
    return;
  }
  Status s = c->direct_read_
                 ? c->reader_.CommitBodyRead(static_cast<size_t>(nread), &c->frames_)
                 : c->reader_.Feed(ByteSpan(reinterpret_cast<const uint8_t*>(buf->base),
                                            static_cast<size_t>(nread)),
                                   &c->frames_);
  if (!s.ok()) {
    c->frames_.clear();
    c->Close(absl::DataLossError(
        absl::StrCat("malformed answer from ", c->peer_, ": ", s.message())));
    return;
  }
  c->Dispatch();
}

void Connection::Dispatch() {
  for (size_t i = 0; i < frames_.size(); ++i) {
    if (user_ == nullptr) {
      frames_.clear();
      Close(absl::DataLossError(absl::StrCat("unexpected frame from ", peer_)));
      return;
    }
    StatusOr<bool> done = user_->OnFrame(std::move(frames_[i]));
    if (state_ == State::kClosing) {
      frames_.clear();
      return;
    }
    if (!done.ok()) {
      frames_.clear();
      Close(done.status());
      return;
    }
    if (*done) {
      const bool reusable = i + 1 == frames_.size() && reader_.idle() && !write_pending_;
      frames_.clear();
      ConnectionUser* user = user_;
      user_ = nullptr;
      if (read_paused_ && reusable) ResumeReading();  // idle pooled sockets read
      last_used_ms_ = loop_->NowMs();
      if (!reusable) {
        Close(absl::DataLossError(absl::StrCat("bytes after the end of an answer from ", peer_)));
      }
      user->OnAnswerComplete(this, reusable);
      return;
    }
  }
  frames_.clear();
}

void Connection::Close(const Status& why) {
  if (state_ == State::kClosing) return;
  const bool connected = state_ == State::kReady;
  state_ = State::kClosing;
  connect_timer_.Cancel();
  ConnectionUser* user = user_;
  user_ = nullptr;
  ConnectionOwner* owner = owner_;
  owner_ = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &Connection::OnClose);
  if (owner != nullptr) owner->OnConnectionClosed(this, why, connected);
  if (user != nullptr) user->OnConnectionError(why);
}

void Connection::PauseReading() {
  if (state_ != State::kReady || read_paused_ || user_ == nullptr) return;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
  read_paused_ = true;
}

void Connection::ResumeReading() {
  if (!read_paused_) return;
  read_paused_ = false;
  if (state_ != State::kReady) return;
  int rc = uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp_), &Connection::OnAlloc,
                         &Connection::OnRead);
  if (rc != 0) Close(UvError("read from", peer_, rc));
}

void Connection::OnClose(uv_handle_t* handle) {
  delete static_cast<Connection*>(handle->data);
}

}  // namespace aerospike_py::io
