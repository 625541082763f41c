// NodeListener and Connection: the sockets of the embedded server. A
// NodeListener owns one node's listening uv_tcp_t and the connections it
// accepted; a Connection reads frames, hands each to the Processor, and
// writes the replies in order (pipelined requests are answered in order;
// replies produced by one read are written with one write). Faults
// configured on the node (delay, drop mid-reply, garbage, stop answering)
// are applied here. Every uv handle lives in a non-movable owner and is
// freed only in its close callback. Event thread only.
//
// TLS listeners: a connection accepted on a node's TLS port runs a server
// TlsSession over memory BIOs (csrc/tls): ciphertext read is opened into
// the frame reader, replies are sealed before they are written, and the
// handshake runs on the same read/write path. Each connection also carries
// its ClientSession (peer address, client certificate name, the user it
// authenticated as) for the security mode.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "common/byte_buffer.h"
#include "common/status.h"
#include "proto/frame_reader.h"
#include "server/processor.h"
#include "server/reply_stream.h"
#include "server/server.h"
#include "tls/tls_session.h"

namespace aerospike_py::server {

class NodeListener;

class Connection {
 public:
  Connection(NodeListener* node, bool tls);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Initializes the handles and starts reading an accepted socket.
  Status Accept(uv_stream_t* server);
  // Closes the socket (pending replies are dropped); the connection frees
  // itself through its NodeListener once both handles are closed.
  void Close();
  bool closing() const { return closing_; }

  std::list<std::unique_ptr<Connection>>::iterator self;

 private:
  static void OnAlloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void OnWrite(uv_write_t* req, int status);
  static void OnTimer(uv_timer_t* t);
  static void OnClose(uv_handle_t* h);

  void HandleFrames();
  // TLS: handshake/open `bytes` into the frame reader; false when the
  // connection must close (after sending any alert).
  bool OpenTls(ByteSpan bytes);
  bool HasOutgoing() const { return !pending_.empty() || !tls_out_.empty(); }
  void Flush();
  void QueueDelayed(ByteBuffer reply, uint64_t due_ms);
  // True when the whole of inflight_ was written at once.
  bool StartWrite();
  // Asks the reply stream in progress for its next part (scans, queries).
  void PumpStream();
  // A stream's parts are produced in slices of this size, the next one only
  // once the previous one left the process: a slow reader holds it back.
  static constexpr size_t kStreamSliceBytes = 256 * 1024;
  // Reading pauses while this many reply bytes wait for a slow reader.
  static constexpr size_t kMaxQueuedReplyBytes = 32u << 20;

  NodeListener* node_;
  bool tls_ = false;
  std::unique_ptr<tls::TlsSession> tls_session_;
  ByteBuffer tls_out_;    // ciphertext (handshake records, sealed replies)
  ByteBuffer tls_plain_;  // plaintext opened from the last read
  uv_tcp_t tcp_;
  uv_timer_t timer_;
  uv_write_t write_req_;
  int open_handles_ = 0;
  bool closing_ = false;
  bool writing_ = false;
  bool close_after_write_ = false;
  bool stop_reading_ = false;
  bool read_paused_ = false;  // backpressure, see kMaxQueuedReplyBytes
  ClientSession session_;  // per-connection protocol state
  // Compressed requests are refused unread (Community Edition), so they are
  // not inflated.
  proto::FrameReader reader_{(1u << 1) | (1u << 2) | (1u << 3) | (1u << 4),
                             /*inflate_compressed=*/false};
  std::vector<proto::Frame> frames_;
  ByteBuffer pending_;   // replies not yet handed to the socket
  ByteBuffer inflight_;  // the bytes of the write in progress
  struct Delayed {
    uint64_t due_ms;
    ByteBuffer bytes;
  };
  std::deque<Delayed> delayed_;
  // A reply still being produced (ReplyStream) and the pipelined requests
  // that arrived meanwhile (answered after it, in order).
  std::unique_ptr<ReplyStream> stream_;
  std::vector<proto::Frame> held_;
  bool stream_waiting_ = false;  // throttled: timer_ resumes it
  char read_buf_[64 * 1024];
};

class NodeListener {
 public:
  NodeListener(int index, uv_loop_t* loop, Processor* processor, ServerState* state);
  NodeListener(const NodeListener&) = delete;
  NodeListener& operator=(const NodeListener&) = delete;

  // Binds and listens; `port` 0 picks an ephemeral one (read it back with
  // port()). With a TLS context (ServerState::tls) the node also listens
  // for TLS on `tls_port` (0: ephemeral; read it back with tls_port()).
  Status Listen(const std::string& host, uint16_t port, uint16_t tls_port = 0);
  // Closes the listener and every connection. Safe to call when closed.
  void Close();
  bool listening() const { return listening_; }
  uint16_t port() const { return port_; }
  uint16_t tls_port() const { return tls_port_; }
  // True once every handle (listener and connections) has been closed.
  bool drained() const {
    return listen_ == nullptr && tls_listen_ == nullptr && closing_listeners_ == 0 &&
           connections_.empty();
  }

  int index() const { return index_; }
  uv_loop_t* loop() const { return loop_; }
  Processor* processor() const { return processor_; }
  ServerState* state() const { return state_; }

  // The fault to apply to the next reply of the given proto type, or
  // kNone; consumes one use of a counted fault.
  Fault TakeFault(uint8_t proto_type);
  void SetFault(const Fault& f) { fault_ = f; }

  void Release(Connection* c);

 private:
  // One listening socket; heap-allocated per Listen() so a node can listen
  // again while its previous handle is still closing.
  struct ListenHandle {
    uv_tcp_t tcp;
    NodeListener* owner;
    bool tls;
  };
  Status Bind(const std::string& host, uint16_t port, bool tls, ListenHandle** out,
              uint16_t* bound);
  static void OnConnection(uv_stream_t* server, int status);
  static void OnClose(uv_handle_t* h);

  int index_;
  uv_loop_t* loop_;
  Processor* processor_;
  ServerState* state_;
  ListenHandle* listen_ = nullptr;      // owned; freed in OnClose
  ListenHandle* tls_listen_ = nullptr;  // owned; freed in OnClose
  int closing_listeners_ = 0;
  bool listening_ = false;
  uint16_t port_ = 0;
  uint16_t tls_port_ = 0;
  Fault fault_;
  std::list<std::unique_ptr<Connection>> connections_;
};

}  // namespace aerospike_py::server
