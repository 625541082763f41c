// Connection: one TCP socket to a node, with its frame reader. A
// Connection is the non-movable owner of its uv_tcp_t (and the connect and
// write requests that use it); it is heap-allocated and deletes itself in
// the handle's close callback, so nobody frees it while libuv may still
// call back. States: kConnecting -> [kSetup] -> kReady -> kClosing ->
// (freed). kSetup runs what ConnectionSecurity asks for (a TLS handshake,
// then the login exchange) before the owner hears OnConnected; the
// connect timeout covers TCP and TLS, login_timeout_ms the login. With
// TLS, reads are opened by the Transport into the frame reader and writes
// are sealed into a connection-owned buffer (so a TLS request's buffers
// need not outlive Send()).
//
// At most one user (a command attempt) holds a ready connection at a time:
// it sends one request and receives frames until it says the answer is
// complete. The connection keeps reading while idle in a pool, so a peer
// that closes or sends anything unexpected is noticed at once and the
// socket closed; a bad byte closes that connection and fails only its
// current user. io-internal (includes uv.h).
#pragma once

#include <uv.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "common/byte_buffer.h"
#include "common/status.h"
#include "io/address.h"
#include "io/connection_roles.h"
#include "io/connection_security.h"
#include "io/event_loop.h"
#include "io/timer_queue.h"
#include "io/transport.h"
#include "proto/frame_reader.h"

namespace aerospike_py::io {

struct SendResult {
  Status status;
  bool any_written = false;  // some bytes may have reached the peer
};

class Connection {
 public:
  enum class State : uint8_t { kConnecting, kSetup, kReady, kClosing };

  // Starts a non-blocking connect. An error means nothing was started (the
  // owner hears nothing); otherwise the owner later gets OnConnected or
  // OnConnectionClosed.
  static StatusOr<Connection*> Open(EventLoop* loop, const SocketAddress& address,
                                    uint32_t connect_timeout_ms, ConnectionOwner* owner);
  static StatusOr<Connection*> Open(EventLoop* loop, const SocketAddress& address,
                                    const ConnectOptions& options, ConnectionOwner* owner);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  State state() const { return state_; }
  bool ready() const { return state_ == State::kReady; }
  const std::string& peer() const { return peer_; }
  int64_t last_used_ms() const { return last_used_ms_; }
  void set_last_used_ms(int64_t t) { last_used_ms_ = t; }
  ConnectionOwner* owner() const { return owner_; }
  void set_owner(ConnectionOwner* owner) { owner_ = owner; }

  // `split_frames`: hand large message frames out in pieces of about that
  // many bytes (proto::FrameReader::set_split_bytes; 0: whole frames).
  void Attach(ConnectionUser* user, size_t split_frames = 0) {
    user_ = user;
    reader_.set_split_bytes(split_frames);
  }
  // The user gives up the connection without closing it (it must then be
  // closed or released by the caller). A paused connection reads again.
  void Detach() {
    user_ = nullptr;
    if (read_paused_) ResumeReading();
  }
  bool has_user() const { return user_ != nullptr; }
  // A uv_write of the last request is still in progress (its buffers are
  // still in use), or TLS output waits to be written.
  bool write_pending() const { return write_pending_ || !tls_out_.empty(); }
  bool secure() const { return transport_ != nullptr; }

  // Writes the request (uv_try_write, then one uv_write for any rest). The
  // buffers must stay valid until the answer completes or the connection
  // closes.
  SendResult Send(absl::Span<const ByteSpan> buffers);

  // Starts closing: owner and (if any) user are told, the socket is closed,
  // the object is freed in the close callback. Idempotent.
  void Close(const Status& why);

  // Read pause (streams whose consumer is slower than the peer): stops
  // reading the socket, so TCP pushes back on the peer, until
  // ResumeReading(). Frames already read are still delivered. Only a
  // connection held by a user pauses; it reads again by itself when its
  // answer completes (an idle pooled connection always reads).
  void PauseReading();
  void ResumeReading();
  bool reading_paused() const { return read_paused_; }

 private:
  Connection(EventLoop* loop, ConnectionOwner* owner, std::string peer);
  ~Connection();

  // kSetup: the TLS handshake, then the login.
  void BeginSetup();
  void OnSetupBytes(ByteSpan bytes);
  void StartLogin();
  void OnLoginFrame(proto::Frame frame);
  void BecomeReady();
  void OnSetupTimeout();
  // Seals (TLS) or copies `bytes` and writes them; used during setup.
  Status SendSetup(ByteSpan bytes);
  // Writes tls_out_ (try now, queue the rest). Errors close the connection.
  Status FlushCipher();
  void HandleSecureRead(ByteSpan ciphertext);

  static void OnConnect(uv_connect_t* req, int status);
  static void OnAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void OnWrite(uv_write_t* req, int status);
  static void OnClose(uv_handle_t* handle);
  void OnConnectTimeout();
  void HandleRead(ssize_t nread);
  void Dispatch();
  // True unless the socket is known to hold no unread byte (a peek).
  bool BytesWaiting();

  // Bodies with at least this many bytes to go are read in place.
  static constexpr uint64_t kDirectReadMin = 16 * 1024;
  static constexpr size_t kMaxBuffers = 4;

  EventLoop* loop_;
  ConnectionOwner* owner_;
  ConnectionUser* user_ = nullptr;
  State state_ = State::kConnecting;
  bool write_pending_ = false;
  bool direct_read_ = false;
  bool read_paused_ = false;
  bool read_filled_ = false;  // the last read filled its whole buffer
  std::string peer_;
  int64_t last_used_ms_ = 0;
  uv_tcp_t tcp_;
  uv_connect_t connect_req_;
  uv_write_t write_req_;
  uv_buf_t pending_[kMaxBuffers];
  Timer connect_timer_;
  proto::FrameReader reader_;
  std::vector<proto::Frame> frames_;
  // Security (null/empty for plain TCP).
  std::shared_ptr<const ConnectionSecurity> security_;
  std::string tls_name_;
  uint32_t connect_timeout_ms_ = 0;  // also bounds the TLS handshake
  std::unique_ptr<Transport> transport_;
  ByteBuffer tls_out_;      // sealed bytes not yet handed to a write
  ByteBuffer tls_writing_;  // sealed bytes of the write in progress
  ByteBuffer tls_plain_;    // plaintext opened from the last read
  ByteBuffer setup_request_;
  bool login_is_login_ = false;  // the setup request is LOGIN (else AUTHENTICATE)
  // The login answer came before libuv reported the login request written:
  // ready only once it has (Send must not reuse a write request in flight).
  bool ready_after_write_ = false;
};

}  // namespace aerospike_py::io
