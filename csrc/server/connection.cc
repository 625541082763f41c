#include "server/connection.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/result_code.h"
#include "proto/headers.h"
#include "proto/message_view.h"

namespace aerospike_py::server {

namespace {

// What a "garbage" fault sends: a header with version 0xFF, which every
// client rejects as a protocol error.
constexpr uint8_t kGarbage[24] = {0xFF, 0xEE, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
                                  0xDE, 0xAD, 0xBE, 0xEF, 0xDE, 0xAD, 0xBE, 0xEF,
                                  0xDE, 0xAD, 0xBE, 0xEF, 0xDE, 0xAD, 0xBE, 0xEF};

// FaultKind::kStallAfterRows: splits a reply (whole frames) after its
// first `rows` record messages. The AS_MSG frame holding the cut becomes
// two frames; the LAST message always goes to `tail` (the stream ends
// with the stall). Frames of other types stay on the side of the cut
// they are on.
void SplitAfterRows(ByteSpan reply, uint32_t rows, ByteBuffer* head, ByteBuffer* tail) {
  size_t at = 0;
  uint32_t seen = 0;
  ByteBuffer* out = head;
  auto append_frame = [](ByteBuffer* to, ByteSpan body) {
    proto::EncodeProtoHeader(to->Extend(proto::kProtoHeaderSize), proto::ProtoType::kMessage,
                             body.size());
    to->Append(body);
  };
  while (at + proto::kProtoHeaderSize <= reply.size()) {
    const proto::ProtoHeader h = proto::DecodeProtoHeader(reply.data() + at);
    const size_t end = at + proto::kProtoHeaderSize + h.size;
    if (end > reply.size()) break;
    const ByteSpan body(reply.data() + at + proto::kProtoHeaderSize, h.size);
    if (out == tail || h.type != static_cast<uint8_t>(proto::ProtoType::kMessage)) {
      out->Append(reply.subspan(at, end - at));
      at = end;
      continue;
    }
    proto::MessageIterator it(body);
    size_t cut = body.size();
    while (!it.AtEnd()) {
      const size_t offset = it.offset();
      StatusOr<proto::MessageView> m = it.Next();
      if (!m.ok()) break;  // not ours to judge: the rest goes as it is
      if (m->is_last() || seen == rows) {
        cut = offset;
        break;
      }
      ++seen;
    }
    if (cut != 0) append_frame(head, body.subspan(0, cut));
    if (cut != body.size()) {
      append_frame(tail, body.subspan(cut));
      out = tail;
    }
    at = end;
  }
  out->Append(reply.subspan(at));
}

Status UvError(const char* what, int rc) {
  return absl::UnavailableError(absl::StrCat(what, ": ", uv_strerror(rc)));
}

}  // namespace

// ----------------------------------------------------------------------------
// Connection

Connection::Connection(NodeListener* node, bool tls) : node_(node), tls_(tls) {}

Status Connection::Accept(uv_stream_t* server) {
  uv_tcp_init(node_->loop(), &tcp_);
  tcp_.data = this;
  ++open_handles_;
  uv_timer_init(node_->loop(), &timer_);
  timer_.data = this;
  ++open_handles_;
  int rc = uv_accept(server, reinterpret_cast<uv_stream_t*>(&tcp_));
  if (rc != 0) return UvError("accept", rc);
  uv_tcp_nodelay(&tcp_, 1);
  sockaddr_storage peer{};
  int len = sizeof(peer);
  if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&peer), &len) == 0) {
    char ip[64] = {0};
    if (peer.ss_family == AF_INET6) {
      uv_ip6_name(reinterpret_cast<sockaddr_in6*>(&peer), ip, sizeof(ip));
    } else {
      uv_ip4_name(reinterpret_cast<sockaddr_in*>(&peer), ip, sizeof(ip));
    }
    session_.peer_ip = ip;
  }
  session_.node = node_->index();
  if (tls_) {
    StatusOr<std::unique_ptr<tls::TlsSession>> s =
        tls::TlsSession::Create(node_->state()->tls, std::string());
    if (!s.ok()) return s.status();
    tls_session_ = std::move(*s);
  }
  rc = uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp_), OnAlloc, OnRead);
  if (rc != 0) return UvError("read_start", rc);
  ++node_->state()->stats.connections_opened;
  return absl::OkStatus();
}

void Connection::Close() {
  if (closing_) return;
  closing_ = true;
  stream_.reset();  // a scan/query answering this client ends (abandoned)
  held_.clear();
  if (node_->state()->security) node_->state()->security->Closed(&session_);
  ++node_->state()->stats.connections_closed;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), OnClose);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), OnClose);
}

void Connection::OnClose(uv_handle_t* h) {
  auto* c = static_cast<Connection*>(h->data);
  if (--c->open_handles_ == 0) c->node_->Release(c);
}

void Connection::OnAlloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(h->data);
  *buf = uv_buf_init(c->read_buf_, sizeof(c->read_buf_));
}

void Connection::OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
  auto* c = static_cast<Connection*>(s->data);
  if (c->closing_) return;
  if (nread < 0) {
    c->Close();
    return;
  }
  if (nread == 0 || c->stop_reading_) return;
  const ByteSpan bytes(reinterpret_cast<const uint8_t*>(c->read_buf_), static_cast<size_t>(nread));
  if (c->tls_session_ != nullptr) {
    if (!c->OpenTls(bytes)) {
      // A failed handshake or a bad record: send any alert, then close.
      c->close_after_write_ = true;
      c->stop_reading_ = true;
      c->Flush();
      return;
    }
    if (c->tls_plain_.empty()) {
      c->Flush();  // handshake records
      return;
    }
  }
  Status st = c->reader_.Feed(c->tls_session_ != nullptr ? c->tls_plain_.span() : bytes,
                              &c->frames_);
  // Frames completed before a bad byte are still answered; then the
  // connection closes (a bad byte from the network closes that connection).
  c->HandleFrames();
  if (!st.ok()) {
    ++c->node_->state()->stats.demarshal_error;
    c->close_after_write_ = true;
    c->stop_reading_ = true;
    c->Flush();
  }
}

bool Connection::OpenTls(ByteSpan bytes) {
  tls_plain_.Clear();
  if (!tls_session_->established()) {
    StatusOr<bool> done = tls_session_->Handshake(bytes, &tls_out_);
    if (!done.ok()) return false;
    if (!*done) return true;
    session_.cert_cn = tls_session_->PeerCommonName();
    bytes = ByteSpan();  // whatever followed the handshake is in the session
  }
  return tls_session_->Open(bytes, &tls_plain_, &tls_out_).ok();
}

void Connection::HandleFrames() {
  Processor* processor = node_->processor();
  processor->set_session(&session_);
  for (size_t i = 0; i < frames_.size(); ++i) {
    proto::Frame& frame = frames_[i];
    if (closing_ || stop_reading_) break;
    if (stream_ != nullptr) {
      // A scan/query is still answering: later requests wait their turn.
      for (size_t k = i; k < frames_.size(); ++k) held_.push_back(std::move(frames_[k]));
      break;
    }
    const Fault fault = node_->TakeFault(frame.type);
    if (fault.kind == FaultKind::kStopAnswering) continue;
    if (fault.kind == FaultKind::kNone && delayed_.empty()) {
      if (processor->Handle(node_->index(), frame, &pending_, &session_) ==
          FrameOutcome::kClose) {
        close_after_write_ = true;
        stop_reading_ = true;
        break;
      }
      stream_ = processor->TakeStream();
      continue;
    }
    ByteBuffer reply;
    if (fault.kind == FaultKind::kKeyBusy) {
      processor->set_forced_record_result(static_cast<uint8_t>(ResultCode::kKeyBusy));
    }
    const FrameOutcome outcome = processor->Handle(node_->index(), frame, &reply, &session_);
    processor->set_forced_record_result(0);
    if (std::unique_ptr<ReplyStream> s = processor->TakeStream()) {
      // Faults act on whole replies: produce the stream to its end now.
      uint64_t wait_ms = 0;
      while (s->Produce(&reply, kStreamSliceBytes, &wait_ms) != ReplyStream::Step::kDone) {
      }
    }
    if (outcome == FrameOutcome::kClose) {
      close_after_write_ = true;
      stop_reading_ = true;
      break;
    }
    switch (fault.kind) {
      case FaultKind::kDelay:
        QueueDelayed(std::move(reply), uv_now(node_->loop()) + fault.delay_ms);
        break;
      case FaultKind::kDropMidReply:
        pending_.Append(reply.data(), reply.size() / 2);
        close_after_write_ = true;
        stop_reading_ = true;
        break;
      case FaultKind::kGarbage:
        pending_.Append(kGarbage, sizeof(kGarbage));
        break;
      case FaultKind::kStallAfterRows: {
        ByteBuffer head;
        ByteBuffer tail;
        SplitAfterRows(reply.span(), fault.rows, &head, &tail);
        if (delayed_.empty()) {
          pending_.Append(head.span());
        } else {
          QueueDelayed(std::move(head), 0);
        }
        if (tail.size() != 0) {
          QueueDelayed(std::move(tail), uv_now(node_->loop()) + fault.delay_ms);
        }
        break;
      }
      default:  // a well-formed reply (no fault, or key_busy answers)
        if (delayed_.empty()) {
          pending_.Append(reply.data(), reply.size());
        } else {
          QueueDelayed(std::move(reply), 0);  // earlier replies are held: keep the order
        }
        break;
    }
  }
  processor->set_session(nullptr);
  frames_.clear();
  Flush();
}

void Connection::QueueDelayed(ByteBuffer reply, uint64_t due_ms) {
  if (!delayed_.empty() && delayed_.back().due_ms > due_ms) due_ms = delayed_.back().due_ms;
  delayed_.push_back(Delayed{due_ms, std::move(reply)});
  if (!uv_is_active(reinterpret_cast<uv_handle_t*>(&timer_))) {
    const uint64_t now = uv_now(node_->loop());
    const uint64_t due = delayed_.front().due_ms;
    uv_timer_start(&timer_, OnTimer, due > now ? due - now : 0, 0);
  }
}

void Connection::OnTimer(uv_timer_t* t) {
  auto* c = static_cast<Connection*>(t->data);
  if (c->closing_) return;
  c->stream_waiting_ = false;  // a throttled stream may go on (it re-arms if not)
  const uint64_t now = uv_now(c->node_->loop());
  while (!c->delayed_.empty() && c->delayed_.front().due_ms <= now) {
    c->pending_.Append(c->delayed_.front().bytes.span());
    c->delayed_.pop_front();
  }
  if (!c->delayed_.empty()) {
    uv_timer_start(&c->timer_, OnTimer, c->delayed_.front().due_ms - now, 0);
  }
  c->Flush();
}

void Connection::PumpStream() {
  uint64_t wait_ms = 0;
  switch (stream_->Produce(&pending_, kStreamSliceBytes, &wait_ms)) {
    case ReplyStream::Step::kMore:
      break;
    case ReplyStream::Step::kWait: {
      stream_waiting_ = true;
      // Keep an earlier deadline the timer already has (delayed replies).
      auto* t = reinterpret_cast<uv_handle_t*>(&timer_);
      if (!uv_is_active(t) || uv_timer_get_due_in(&timer_) > wait_ms) {
        uv_timer_start(&timer_, OnTimer, wait_ms, 0);
      }
      break;
    }
    case ReplyStream::Step::kDone:
      stream_.reset();
      break;
  }
}

void Connection::Flush() {
  if (closing_) return;
  if (writing_) {
    if (!read_paused_ && inflight_.size() + pending_.size() > kMaxQueuedReplyBytes) {
      read_paused_ = true;
      uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
    }
    return;
  }
  // A loop, not recursion: a fast reader may take slice after slice at once.
  for (;;) {
    if (!HasOutgoing() && stream_ != nullptr && !stream_waiting_) PumpStream();
    if (tls_session_ != nullptr && !pending_.empty() && tls_session_->established()) {
      const ByteSpan plain[] = {pending_.span()};
      Status sealed = tls_session_->Seal(plain, &tls_out_);
      pending_.Clear();
      if (!sealed.ok()) {
        Close();
        return;
      }
    }
    ByteBuffer& source = tls_session_ != nullptr ? tls_out_ : pending_;
    if (source.empty()) {
      if (stream_ == nullptr && !held_.empty() && !stop_reading_) {
        frames_ = std::move(held_);
        held_.clear();
        HandleFrames();  // answers them, then flushes
        return;
      }
      if (close_after_write_ && delayed_.empty() && stream_ == nullptr) Close();
      return;
    }
    std::swap(inflight_, source);
    source.Clear();
    if (!StartWrite()) return;  // the rest is written asynchronously (or we closed)
  }
}

bool Connection::StartWrite() {
  uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(inflight_.data()),
                             static_cast<unsigned>(inflight_.size()));
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  // Most replies fit the socket buffer: try the write at once and only
  // fall back to an asynchronous write for the rest.
  const int n = uv_try_write(stream, &buf, 1);
  if (n == static_cast<int>(inflight_.size())) {
    inflight_.Clear();
    return true;
  }
  if (n < 0 && n != UV_EAGAIN) {
    Close();
    return false;
  }
  const size_t off = n > 0 ? static_cast<size_t>(n) : 0;
  buf = uv_buf_init(reinterpret_cast<char*>(inflight_.data() + off),
                    static_cast<unsigned>(inflight_.size() - off));
  writing_ = true;
  write_req_.data = this;
  if (uv_write(&write_req_, stream, &buf, 1, OnWrite) != 0) {
    writing_ = false;
    Close();
    return false;
  }
  // A client that pipelines requests but does not read its replies must
  // not make the server buffer without bound: stop reading until the
  // socket drains.
  if (!read_paused_ && inflight_.size() + pending_.size() > kMaxQueuedReplyBytes) {
    read_paused_ = true;
    uv_read_stop(stream);
  }
  return false;
}

void Connection::OnWrite(uv_write_t* req, int status) {
  auto* c = static_cast<Connection*>(req->data);
  c->writing_ = false;
  if (status < 0 || c->closing_) {
    c->Close();
    return;
  }
  c->inflight_.Clear();
  if (c->read_paused_ && !c->stop_reading_) {
    c->read_paused_ = false;
    uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp_), OnAlloc, OnRead);
  }
  c->Flush();
}

// ----------------------------------------------------------------------------
// NodeListener

NodeListener::NodeListener(int index, uv_loop_t* loop, Processor* processor,
                           ServerState* state)
    : index_(index), loop_(loop), processor_(processor), state_(state) {}

Status NodeListener::Bind(const std::string& host, uint16_t port, bool tls, ListenHandle** out,
                          uint16_t* bound_port) {
  sockaddr_storage addr;
  int rc;
  if (host.find(':') != std::string::npos) {
    rc = uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&addr));
  } else {
    rc = uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&addr));
  }
  if (rc != 0) return absl::InvalidArgumentError(absl::StrCat("bad host '", host, "'"));
  auto* h = new ListenHandle;
  h->owner = this;
  h->tls = tls;
  uv_tcp_init(loop_, &h->tcp);
  h->tcp.data = h;
  *out = h;
  rc = uv_tcp_bind(&h->tcp, reinterpret_cast<const sockaddr*>(&addr), 0);
  if (rc == 0) {
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(&h->tcp), 1024, OnConnection);
  }
  if (rc != 0) return UvError(absl::StrCat("listen on ", host, ":", port).c_str(), rc);
  sockaddr_storage bound;
  int len = sizeof(bound);
  uv_tcp_getsockname(&h->tcp, reinterpret_cast<sockaddr*>(&bound), &len);
  *bound_port = ntohs(bound.ss_family == AF_INET6
                          ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                          : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return absl::OkStatus();
}

Status NodeListener::Listen(const std::string& host_name, uint16_t port, uint16_t tls_port) {
  if (listen_ != nullptr) return absl::FailedPreconditionError("node already listening");
  // Numeric addresses only (no resolver on the event thread), but the one
  // name everybody uses for loopback is accepted.
  const std::string host = host_name == "localhost" ? "127.0.0.1" : host_name;
  Status s = Bind(host, port, false, &listen_, &port_);
  if (s.ok() && state_->tls != nullptr) s = Bind(host, tls_port, true, &tls_listen_, &tls_port_);
  if (!s.ok()) {
    Close();
    return s;
  }
  listening_ = true;
  return absl::OkStatus();
}

void NodeListener::Close() {
  for (ListenHandle** h : {&listen_, &tls_listen_}) {
    if (*h == nullptr) continue;
    ++closing_listeners_;
    uv_close(reinterpret_cast<uv_handle_t*>(&(*h)->tcp), OnClose);
    *h = nullptr;
  }
  listening_ = false;
  for (auto& c : connections_) c->Close();
}

void NodeListener::OnClose(uv_handle_t* h) {
  auto* lh = static_cast<ListenHandle*>(h->data);
  --lh->owner->closing_listeners_;
  delete lh;
}

void NodeListener::OnConnection(uv_stream_t* server, int status) {
  auto* handle = static_cast<ListenHandle*>(server->data);
  auto* self = handle->owner;
  if (status < 0) return;
  self->connections_.push_back(std::make_unique<Connection>(self, handle->tls));
  Connection* c = self->connections_.back().get();
  c->self = std::prev(self->connections_.end());
  if (!c->Accept(server).ok()) c->Close();
}

void NodeListener::Release(Connection* c) { connections_.erase(c->self); }

Fault NodeListener::TakeFault(uint8_t proto_type) {
  if (fault_.kind == FaultKind::kNone) return Fault{};
  const bool is_info = proto_type == 1 || proto_type == 2;
  if ((fault_.scope == FaultScope::kData && is_info) ||
      (fault_.scope == FaultScope::kInfo && !is_info)) {
    return Fault{};
  }
  Fault f = fault_;
  if (fault_.count > 0 && --fault_.count == 0) fault_ = Fault{};
  return f;
}

}  // namespace aerospike_py::server
