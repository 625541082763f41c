#include "io/connection.h"

#include <sys/socket.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "common/status_payload.h"
#include "io/tls_transport.h"
#include "proto/constants.h"

namespace aerospike_py::io {

namespace {

// Info, admin (login and the admin API), messages and compressed messages.
constexpr uint32_t kDataFrameTypes = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4);

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
  ConnectOptions options;
  options.connect_timeout_ms = connect_timeout_ms;
  return Open(loop, address, options, owner);
}

StatusOr<Connection*> Connection::Open(EventLoop* loop, const SocketAddress& address,
                                       const ConnectOptions& options, ConnectionOwner* owner) {
  const uint32_t connect_timeout_ms = options.connect_timeout_ms;
  auto* c = new Connection(loop, owner, FormatEndpoint(EndpointOf(address)));
  c->connect_timeout_ms_ = connect_timeout_ms;
  if (options.security != nullptr && options.security->active()) {
    c->security_ = options.security;
    c->tls_name_ = options.tls_name;
  }
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
  if (state_ == State::kSetup) {
    OnSetupTimeout();
    return;
  }
  Close(absl::UnavailableError(absl::StrCat("connect to ", peer_, " timed out")));
}

void Connection::OnSetupTimeout() {
  const bool handshaking = transport_ != nullptr && setup_request_.empty();
  Status why = absl::UnavailableError(absl::StrCat(
      handshaking ? "TLS handshake with " : "login to ", peer_, " timed out"));
  Close(WithResultCode(why, handshaking ? ResultCode::kTls : ResultCode::kConnection));
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
  if (c->security_ != nullptr) {
    c->BeginSetup();
    return;
  }
  c->state_ = State::kReady;
  c->last_used_ms_ = c->loop_->NowMs();
  if (c->owner_ != nullptr) c->owner_->OnConnected(c);
}

void Connection::BeginSetup() {
  state_ = State::kSetup;
  if (security_->tls == nullptr) {
    StartLogin();
    return;
  }
  StatusOr<std::unique_ptr<tls::TlsSession>> session =
      tls::TlsSession::Create(security_->tls, tls_name_);
  if (!session.ok()) {
    Close(session.status());
    return;
  }
  transport_ = std::make_unique<TlsTransport>(std::move(*session));
  // The connect timeout covers the handshake too: a peer that never
  // answers the ClientHello fails the connection, it does not hang it.
  if (connect_timeout_ms_ > 0) {
    connect_timer_.Start(&loop_->timers(), loop_->NowMs() + connect_timeout_ms_,
                         &Timer::Thunk<Connection, &Connection::OnConnectTimeout>, this);
  }
  OnSetupBytes(ByteSpan());  // sends the ClientHello
}

// Bytes read while in kSetup (also called with none to start).
void Connection::OnSetupBytes(ByteSpan bytes) {
  if (transport_ != nullptr && setup_request_.empty()) {
    StatusOr<bool> done = transport_->Handshake(bytes, &tls_out_);
    Status flushed = FlushCipher();
    if (!done.ok()) {
      Close(Annotate(done.status(),
                     absl::StrCat(" (", peer_, tls_name_.empty() ? "" : ", tls_name '", tls_name_,
                                  tls_name_.empty() ? "" : "'", ")")));
      return;
    }
    if (!flushed.ok()) {
      Close(flushed);
      return;
    }
    if (!*done) return;
    if (security_->on_session) security_->on_session(peer_, transport_->Summary());
    if (security_->auth == nullptr) {
      BecomeReady();
      return;
    }
    StartLogin();
    // Anything that arrived with the handshake's end is in the session.
    bytes = ByteSpan();
    if (state_ != State::kSetup) return;
  }
  // The login exchange: frames (opened from TLS first when secure).
  ByteSpan plain = bytes;
  if (transport_ != nullptr) {
    tls_plain_.Clear();
    Status opened = transport_->Open(bytes, &tls_plain_, &tls_out_);
    Status flushed = FlushCipher();
    if (!opened.ok()) {
      Close(opened);
      return;
    }
    if (!flushed.ok()) {
      Close(flushed);
      return;
    }
    plain = tls_plain_.span();
  }
  if (plain.empty()) return;
  Status s = reader_.Feed(plain, &frames_);
  if (!s.ok()) {
    frames_.clear();
    Close(absl::DataLossError(absl::StrCat("malformed login answer from ", peer_, ": ",
                                           s.message())));
    return;
  }
  std::vector<proto::Frame> frames;
  frames.swap(frames_);
  for (size_t i = 0; i < frames.size(); ++i) {
    if (state_ != State::kSetup || ready_after_write_) {
      Close(absl::DataLossError(absl::StrCat("unexpected frame from ", peer_, " after login")));
      return;
    }
    OnLoginFrame(std::move(frames[i]));
    if (state_ == State::kClosing) return;
    const bool answered = state_ == State::kReady || ready_after_write_;
    if (answered && (i + 1 < frames.size() || !reader_.idle())) {
      Close(absl::DataLossError(absl::StrCat("bytes after the login answer from ", peer_)));
      return;
    }
  }
}

void Connection::StartLogin() {
  if (security_->auth == nullptr) {
    BecomeReady();
    return;
  }
  connect_timer_.Cancel();
  connect_timer_.Start(&loop_->timers(), loop_->NowMs() + security_->login_timeout_ms,
                       &Timer::Thunk<Connection, &Connection::OnConnectTimeout>, this);
  setup_request_ = security_->auth->FirstRequest(peer_, loop_->NowMs(), &login_is_login_);
  Status s = SendSetup(setup_request_.span());
  if (!s.ok()) Close(s);
}

void Connection::OnLoginFrame(proto::Frame frame) {
  if (frame.type != static_cast<uint8_t>(proto::ProtoType::kAdmin)) {
    Close(absl::DataLossError(absl::StrCat("expected a login answer from ", peer_,
                                           ", got proto type ", frame.type)));
    return;
  }
  StatusOr<Authenticator::Next> next =
      security_->auth->OnAnswer(peer_, login_is_login_, frame.body(), loop_->NowMs());
  if (!next.ok()) {
    Close(Annotate(next.status(), absl::StrCat(" (", peer_, ")")));
    return;
  }
  if (*next == Authenticator::Next::kDone) {
    BecomeReady();
    return;
  }
  login_is_login_ = true;
  setup_request_ = security_->auth->LoginRequest();
  Status s = SendSetup(setup_request_.span());
  if (!s.ok()) Close(s);
}

void Connection::BecomeReady() {
  if (write_pending_) {
    ready_after_write_ = true;
    return;
  }
  connect_timer_.Cancel();
  setup_request_ = ByteBuffer();
  state_ = State::kReady;
  last_used_ms_ = loop_->NowMs();
  if (owner_ != nullptr) owner_->OnConnected(this);
}

Status Connection::SendSetup(ByteSpan bytes) {
  if (transport_ != nullptr) {
    const ByteSpan parts[] = {bytes};
    ASPY_RETURN_IF_ERROR(transport_->Seal(parts, &tls_out_));
  } else {
    tls_out_.Append(bytes);  // a plain login goes through the same queue
  }
  return FlushCipher();
}

Status Connection::FlushCipher() {
  if (tls_out_.empty() || write_pending_) return absl::OkStatus();
  std::swap(tls_writing_, tls_out_);
  tls_out_.Clear();
  uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(tls_writing_.data()),
                             static_cast<unsigned>(tls_writing_.size()));
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  int written = uv_try_write(stream, &buf, 1);
  if (written == UV_EAGAIN) written = 0;
  if (written < 0) return UvError("write to", peer_, written);
  if (static_cast<size_t>(written) == tls_writing_.size()) {
    tls_writing_.Clear();
    return absl::OkStatus();
  }
  pending_[0] = uv_buf_init(buf.base + written, static_cast<unsigned>(buf.len - written));
  const int rc = uv_write(&write_req_, stream, pending_, 1, &Connection::OnWrite);
  if (rc != 0) return UvError("write to", peer_, rc);
  write_pending_ = true;
  return absl::OkStatus();
}

SendResult Connection::Send(absl::Span<const ByteSpan> buffers) {
  SendResult result;
  if (state_ != State::kReady) {
    result.status = absl::UnavailableError(absl::StrCat("connection to ", peer_, " is not ready"));
    return result;
  }
  if (transport_ != nullptr) {
    // Sealed into our own buffer: the caller's buffers are free at once.
    result.status = transport_->Seal(buffers, &tls_out_);
    if (result.status.ok()) result.status = FlushCipher();
    result.any_written = result.status.ok();
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
  c->tls_writing_.Clear();
  if (status == UV_ECANCELED || c->state_ == State::kClosing) return;
  if (status < 0) {
    c->Close(UvError("write to", c->peer_, status));
    return;
  }
  // TLS output that queued up behind this write.
  Status flushed = c->FlushCipher();
  if (!flushed.ok()) {
    c->Close(flushed);
    return;
  }
  if (c->ready_after_write_ && !c->write_pending_) {
    c->ready_after_write_ = false;
    c->BecomeReady();
  }
}

void Connection::OnAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(handle->data);
  if (c->transport_ == nullptr && c->user_ != nullptr &&
      c->reader_.body_remaining() >= kDirectReadMin) {
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
    Status why = nread == UV_EOF
                     ? absl::UnavailableError(absl::StrCat("connection closed by ", c->peer_))
                     : UvError("read from", c->peer_, static_cast<int>(nread));
    if (c->state_ == State::kSetup && c->transport_ != nullptr && c->setup_request_.empty()) {
      // The peer hung up on our ClientHello: most likely not a TLS port.
      why = WithResultCode(
          absl::UnavailableError(absl::StrCat("TLS handshake with ", c->peer_,
                                              " failed: the server closed the connection (",
                                              why.message(), "); is it a TLS port?")),
          ResultCode::kTls);
    }
    c->Close(why);
    return;
  }
  const ByteSpan bytes(reinterpret_cast<const uint8_t*>(buf->base), static_cast<size_t>(nread));
  if (c->state_ == State::kSetup) {
    c->OnSetupBytes(bytes);
    return;
  }
  if (c->transport_ != nullptr) {
    c->HandleSecureRead(bytes);
    return;
  }
  if (c->user_ == nullptr) {
    c->Close(absl::DataLossError(absl::StrCat("unexpected bytes from ", c->peer_,
                                              " on an idle connection")));
    return;
  }
  // A read that filled its buffer may have left bytes in the socket: the
  // connection is only reusable once they are known not to exist.
  c->read_filled_ = static_cast<size_t>(nread) == buf->len;
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

void Connection::HandleSecureRead(ByteSpan ciphertext) {
  tls_plain_.Clear();
  Status opened = transport_->Open(ciphertext, &tls_plain_, &tls_out_);
  Status flushed = FlushCipher();
  if (!opened.ok()) {
    frames_.clear();
    Close(opened);
    return;
  }
  if (!flushed.ok()) {
    Close(flushed);
    return;
  }
  // Protocol records alone (session tickets, key updates) carry nothing
  // for the frame reader; an idle connection may receive them.
  if (tls_plain_.empty()) return;
  if (user_ == nullptr) {
    Close(absl::DataLossError(absl::StrCat("unexpected bytes from ", peer_,
                                           " on an idle connection")));
    return;
  }
  Status s = reader_.Feed(tls_plain_.span(), &frames_);
  if (!s.ok()) {
    frames_.clear();
    Close(absl::DataLossError(absl::StrCat("malformed answer from ", peer_, ": ", s.message())));
    return;
  }
  Dispatch();
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
      // An answer followed by more bytes (or complete before its request
      // was even written) means the stream holds more than one answer: the
      // one just read may well belong to another request. Nothing of it is
      // trusted; the command fails (DataLoss, retryable) with the socket.
      const bool exact = i + 1 == frames_.size() && reader_.idle() && !write_pending_ &&
                         !(read_filled_ && BytesWaiting());
      frames_.clear();
      if (!exact) {
        Close(absl::DataLossError(absl::StrCat("bytes after the end of an answer from ", peer_)));
        return;
      }
      ConnectionUser* user = user_;
      user_ = nullptr;
      if (read_paused_) ResumeReading();  // idle pooled sockets read
      last_used_ms_ = loop_->NowMs();
      user->OnAnswerComplete(this, /*reusable=*/true);
      return;
    }
  }
  frames_.clear();
}

bool Connection::BytesWaiting() {
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<const uv_handle_t*>(&tcp_), &fd) != 0) return true;
  uint8_t byte;
  const ssize_t n = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  // EAGAIN: nothing waiting. 0 (the peer closed) or an error: the next read
  // reports it, and the connection must not be handed out meanwhile.
  return !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
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
