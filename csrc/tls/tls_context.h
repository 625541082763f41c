// TlsContext: one OpenSSL SSL_CTX built from a TlsConfig, shared by every
// connection of a client (role kClient) or of an embedded server node
// (kServer). Creating it reads the certificate, key, CA and blacklist files
// once, on the caller's thread, so a bad file is a clear configuration
// error before anything connects. After that it is immutable and may be
// used from any thread (OpenSSL contexts are thread-safe once set up).
// Sessions come from TlsSession::Create (tls_session.h). Used by io/ and
// server/.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "tls/tls_config.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct x509_st X509;

namespace aerospike_py::tls {

enum class Role : uint8_t { kClient, kServer };

class TlsContext {
 public:
  // InvalidArgument naming the setting and the file when anything cannot be
  // used (unreadable file, wrong passphrase, key not matching the
  // certificate, unknown protocol name, empty cipher list).
  static StatusOr<std::shared_ptr<TlsContext>> Create(const TlsConfig& config, Role role);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  Role role() const { return role_; }
  const TlsConfig& config() const { return config_; }
  SSL_CTX* ssl_ctx() const { return ctx_; }

  // True when `cert` (serial, issuer) is listed in cert_blacklist.
  bool Blacklisted(X509* cert) const;

 private:
  TlsContext(Role role, TlsConfig config) : role_(role), config_(std::move(config)) {}
  Status Load();
  Status LoadBlacklist();

  Role role_;
  TlsConfig config_;
  SSL_CTX* ctx_ = nullptr;
  // (serial in upper-case hex, issuer one-line name or empty for any)
  std::vector<std::pair<std::string, std::string>> blacklist_;
};

// The version range "protocols" names, as OpenSSL version constants
// (TLS1_2_VERSION, ...). Exposed for tests.
StatusOr<std::pair<int, int>> ParseProtocols(const std::string& protocols);

}  // namespace aerospike_py::tls
