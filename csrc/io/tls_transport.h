// TlsTransport: the io::Transport of a TLS connection, a thin adapter over
// tls::TlsSession (csrc/tls keeps no dependency on io). Event thread only.
#pragma once

#include <memory>
#include <string>

#include "io/transport.h"
#include "tls/tls_session.h"

namespace aerospike_py::io {

class TlsTransport final : public Transport {
 public:
  explicit TlsTransport(std::unique_ptr<tls::TlsSession> session) : session_(std::move(session)) {}
  StatusOr<bool> Handshake(ByteSpan incoming, ByteBuffer* outgoing) override {
    return session_->Handshake(incoming, outgoing);
  }
  Status Seal(absl::Span<const ByteSpan> plaintext, ByteBuffer* ciphertext) override {
    return session_->Seal(plaintext, ciphertext);
  }
  Status Open(ByteSpan ciphertext, ByteBuffer* plaintext, ByteBuffer* outgoing) override {
    return session_->Open(ciphertext, plaintext, outgoing);
  }
  std::string Summary() const override { return session_->Summary(); }

 private:
  std::unique_ptr<tls::TlsSession> session_;
};

}  // namespace aerospike_py::io
