// Authenticator: the login state of a client with a user (wire protocol
// §13.2), shared by every connection the client opens. A new connection,
// once connected (and its TLS handshake done), authenticates before any
// command may use it:
//   - with a live session token for its node (keyed by endpoint): one
//     AUTHENTICATE; an EXPIRED_SESSION (66) answer falls back to LOGIN on
//     the same connection;
//   - otherwise LOGIN (internal: user + bcrypt credential; external: also
//     the clear password; PKI: nothing, the client certificate says who),
//     whose token (and TTL) is kept for the node's next connections.
// A token is given up 60 s before the server's TTL runs out (half the TTL
// when that is shorter), so new connections log in again in time.
// SECURITY_NOT_ENABLED (52) counts as success. Any other refusal fails the
// connection with the server's code attached (common/status_payload.h), so
// a wrong password surfaces as the AdminError subclass of that code.
// Event thread only.
#pragma once

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "common/byte_buffer.h"
#include "common/status.h"
#include "proto/admin.h"

namespace aerospike_py::io {

struct Credentials {
  proto::AuthMode mode = proto::AuthMode::kInternal;
  std::string user;
  std::string credential;      // bcrypt of the password (common/bcrypt.h)
  std::string clear_password;  // external mode only
};

class Authenticator {
 public:
  explicit Authenticator(Credentials credentials);
  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // The first request a new connection to `endpoint` sends; `*is_login`
  // says which it is.
  ByteBuffer FirstRequest(const std::string& endpoint, int64_t now_ms, bool* is_login);
  ByteBuffer LoginRequest() const;

  enum class Next : uint8_t { kDone, kLogin };
  // The answer (a type-2 frame body) to the request FirstRequest() or
  // LoginRequest() made: kDone when the connection is authenticated,
  // kLogin when it must send LoginRequest() now.
  StatusOr<Next> OnAnswer(const std::string& endpoint, bool was_login, ByteSpan body,
                          int64_t now_ms);

  // Lets connections to `to` use the session that `from` holds (TLS for
  // login only: the node logs in over TLS, then is used in clear text).
  void ShareSession(const std::string& from, const std::string& to);
  // After the user's own password changed (admin_change_password): later
  // logins use the new credential.
  void SetCredential(std::string credential, std::string clear_password);
  const std::string& user() const { return credentials_.user; }
  const std::string& credential() const { return credentials_.credential; }
  proto::AuthMode mode() const { return credentials_.mode; }
  // How many LOGIN exchanges succeeded (tests count re-logins).
  uint64_t logins() const { return logins_; }

 private:
  struct Session {
    std::string token;
    int64_t expires_ms = 0;  // 0: no expiry given
  };
  Credentials credentials_;
  absl::flat_hash_map<std::string, Session> sessions_;
  uint64_t logins_ = 0;
};

}  // namespace aerospike_py::io
