// TlsSession: one TLS connection's OpenSSL state over two memory BIOs. It
// never touches a socket: the owner (an io::Connection, or a server
// connection) feeds it the ciphertext it read and writes the ciphertext it
// produces, so the event thread drives every handshake, read and write and
// never blocks. Not thread-safe: one session belongs to one connection on
// one thread. Used by io/ and server/ (and by tests, which wire a client
// session to a server session in memory).
#pragma once

#include <memory>
#include <string>

#include "absl/types/span.h"
#include "common/byte_buffer.h"
#include "common/status.h"
#include "tls/tls_context.h"

typedef struct ssl_st SSL;
typedef struct bio_st BIO;

namespace aerospike_py::tls {

class TlsSession {
 public:
  // A client session checks the server's certificate against the trust
  // anchors and against `peer_name` (its DNS name or IP address; empty:
  // the chain only). A server session ignores `peer_name`.
  static StatusOr<std::unique_ptr<TlsSession>> Create(std::shared_ptr<const TlsContext> context,
                                                      const std::string& peer_name);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // Drives the handshake with `incoming` ciphertext (empty to start);
  // appends the ciphertext to send to `outgoing`. True once established
  // (bytes given after that are kept for Open()).
  // A failure says why: unknown CA, name mismatch, expired or revoked
  // certificate, no protocol in common, a client certificate missing...
  // (the Status carries ResultCode kTls, common/status_payload.h).
  StatusOr<bool> Handshake(ByteSpan incoming, ByteBuffer* outgoing);
  bool established() const { return established_; }

  // Plaintext to send -> ciphertext appended to `ciphertext`.
  Status Seal(absl::Span<const ByteSpan> plaintext, ByteBuffer* ciphertext);
  // Ciphertext read -> plaintext appended to `plaintext`. Protocol
  // records (session tickets, key updates) produce no plaintext; whatever
  // they make us answer is appended to `outgoing`. The peer's close_notify
  // is an Unavailable error ("closed by peer").
  Status Open(ByteSpan ciphertext, ByteBuffer* plaintext, ByteBuffer* outgoing);

  // After the handshake: "TLSv1.3 TLS_AES_256_GCM_SHA384".
  std::string Summary() const;
  // The subject common name of the peer's certificate (empty if none): a
  // server's PKI login identifies the user by it.
  std::string PeerCommonName() const;

 private:
  TlsSession(std::shared_ptr<const TlsContext> context, std::string peer_name)
      : context_(std::move(context)), peer_name_(std::move(peer_name)) {}
  Status Init();
  void DrainOutput(ByteBuffer* out);
  Status HandshakeError(int ssl_error);

  std::shared_ptr<const TlsContext> context_;
  std::string peer_name_;
  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;   // ciphertext from the peer (owned by ssl_)
  BIO* out_ = nullptr;  // ciphertext for the peer (owned by ssl_)
  bool established_ = false;
};

}  // namespace aerospike_py::tls
