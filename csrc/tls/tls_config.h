// TlsConfig: the TLS settings of a client or of an embedded server node,
// named as the official clients name them (config["tls"]). Plain data; the
// bridge fills it, TlsContext::Create checks and loads it. Used by tls/,
// io/, client/ and server/.
#pragma once

#include <string>

namespace aerospike_py::tls {

struct TlsConfig {
  bool enable = false;
  // Trust anchors: a PEM file of CA certificates (it may also hold CRLs)
  // and/or a directory in OpenSSL's hashed layout. Neither: the system's.
  std::string cafile;
  std::string capath;
  // Which protocol versions to offer, as the official clients spell it:
  // space-separated "TLSv1.2 TLSv1.3", "all -TLSv1.1", "+TLSv1.3". Empty:
  // TLSv1.2 and TLSv1.3. SSLv2/SSLv3 are refused.
  std::string protocols;
  // An OpenSSL cipher list (TLSv1.2) and/or TLSv1.3 suite names.
  std::string cipher_suite;
  // Our own certificate chain and key (a client's, for mutual TLS; a
  // server's, always) and the key's passphrase.
  std::string certfile;
  std::string keyfile;
  std::string keyfile_pw;
  // A file of revoked certificates: one "SERIAL [ISSUER]" per line, the
  // serial in hex; a peer certificate in the chain that matches is refused.
  std::string cert_blacklist;
  // Check the peer's certificate (crl_check) or its whole chain
  // (crl_check_all) against the CRLs loaded with the trust anchors.
  bool crl_check = false;
  bool crl_check_all = false;
  // Report the negotiated protocol and cipher of each new session.
  bool log_session_info = false;
  // Client only: TLS only for logging in; data connections in clear text.
  bool for_login_only = false;
  // Server only: ask for a client certificate and refuse a peer without
  // one (mutual TLS).
  bool require_client_cert = false;
};

}  // namespace aerospike_py::tls
