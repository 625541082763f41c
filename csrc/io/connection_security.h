// ConnectionSecurity: what a new connection does between "TCP connected"
// and "ready for commands": a TLS handshake (a client TlsContext; the
// server's certificate checked against the connection's TLS name) and/or a
// login (the client's Authenticator). Shared, immutable after the client
// starts; the Authenticator inside is event-thread state. Null (or both
// members empty): plain TCP, ready at once. uv-free; event thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "io/authenticator.h"
#include "tls/tls_context.h"

namespace aerospike_py::io {

struct ConnectionSecurity {
  std::shared_ptr<const tls::TlsContext> tls;
  std::shared_ptr<Authenticator> auth;
  uint32_t login_timeout_ms = 5000;
  // Told the negotiated protocol and cipher of each new TLS session
  // (config tls.log_session_info); may be empty.
  std::function<void(const std::string& peer, const std::string& summary)> on_session;

  bool active() const { return tls != nullptr || auth != nullptr; }
};

// Where a connection goes and how it is secured.
struct ConnectOptions {
  uint32_t connect_timeout_ms = 1000;
  std::shared_ptr<const ConnectionSecurity> security;  // null: plain TCP
  // The name the server's certificate must carry (DNS name or IP address);
  // empty: the certificate chain is checked, the name is not.
  std::string tls_name;
};

}  // namespace aerospike_py::io
