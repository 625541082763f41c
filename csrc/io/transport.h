// The transport seam of a connection: what happens to bytes between the
// socket and the frame reader. Plain TCP has no Transport object at all,
// so its reads go straight into frame bodies and its writes straight from
// request buffers. TLS (io/tls_transport.h over csrc/tls) plugs in here:
// OpenSSL runs over memory BIOs, the connection feeds it the ciphertext it
// reads and writes the ciphertext it produces; the handshake runs between
// "connected" and "ready" (Connection's kSetup state), followed by the
// login exchange when a user is configured. Nothing in the command state
// machines changes when a Transport is present.
#pragma once

#include <string>

#include "absl/types/span.h"
#include "common/byte_buffer.h"
#include "common/status.h"

namespace aerospike_py::io {

class Transport {
 public:
  virtual ~Transport() = default;
  // Drives the handshake with `incoming` ciphertext (empty at start);
  // appends ciphertext to send to `outgoing`. True once established.
  virtual StatusOr<bool> Handshake(ByteSpan incoming, ByteBuffer* outgoing) = 0;
  // Plaintext to send -> ciphertext to write.
  virtual Status Seal(absl::Span<const ByteSpan> plaintext, ByteBuffer* ciphertext) = 0;
  // Ciphertext read -> plaintext for the frame reader; protocol records
  // may make the transport answer something (appended to `outgoing`).
  virtual Status Open(ByteSpan ciphertext, ByteBuffer* plaintext, ByteBuffer* outgoing) = 0;
  // After the handshake: the negotiated protocol and cipher, for logs.
  virtual std::string Summary() const = 0;
};

}  // namespace aerospike_py::io
