#include "tls/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace aerospike_py::tls {
namespace {

// The SSL_CTX's pointer back to its TlsContext (for the verify callback).
int ContextIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// OpenSSL's queued errors as one line (and the queue emptied).
std::string OpenSslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "no detail from OpenSSL" : out;
}

Status ConfigError(std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("tls config: ", AbslView(what), " (", OpenSslErrors(), ")"));
}

// Never lets OpenSSL fall back to prompting on the terminal (which would
// block the process): no keyfile_pw means no passphrase.
int PasswordCallback(char* buf, int size, int, void* userdata) {
  const auto* pw = static_cast<const std::string*>(userdata);
  if (pw == nullptr || pw->empty() || size <= 0) return 0;
  const int n = std::min<int>(size - 1, static_cast<int>(pw->size()));
  std::memcpy(buf, pw->data(), static_cast<size_t>(n));
  buf[n] = '\0';
  return n;
}

// Runs after OpenSSL checked each certificate of the peer's chain: adds the
// blacklist (cert_blacklist) to its verdict.
int VerifyCallback(int preverify_ok, X509_STORE_CTX* store) {
  if (!preverify_ok) return 0;
  SSL* ssl = static_cast<SSL*>(
      X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (ssl == nullptr) return preverify_ok;
  auto* self = static_cast<const TlsContext*>(
      SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ContextIndex()));
  X509* cert = X509_STORE_CTX_get_current_cert(store);
  if (self != nullptr && cert != nullptr && self->Blacklisted(cert)) {
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REVOKED);
    return 0;
  }
  return 1;
}

std::string SerialHex(X509* cert) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  BIGNUM* bn = ASN1_INTEGER_to_BN(serial, nullptr);
  if (bn == nullptr) return std::string();
  char* hex = BN_bn2hex(bn);
  std::string out = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

std::string IssuerLine(X509* cert) {
  char buf[512];
  X509_NAME_oneline(X509_get_issuer_name(cert), buf, sizeof(buf));
  return buf;
}

}  // namespace

StatusOr<std::pair<int, int>> ParseProtocols(const std::string& protocols) {
  // Bit per version, in order: TLSv1, TLSv1.1, TLSv1.2, TLSv1.3.
  static constexpr const char* kNames[] = {"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
  static constexpr int kVersions[] = {TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION,
                                      TLS1_3_VERSION};
  unsigned enabled = 0;
  bool any = false;
  for (absl::string_view token : absl::StrSplit(protocols, ' ', absl::SkipWhitespace())) {
    char sign = '\0';
    if (token[0] == '+' || token[0] == '-') {
      sign = token[0];
      token.remove_prefix(1);
    }
    unsigned bits = 0;
    if (absl::EqualsIgnoreCase(token, "all")) {
      bits = 0xF;
    } else if (absl::EqualsIgnoreCase(token, "SSLv2") || absl::EqualsIgnoreCase(token, "SSLv3")) {
      if (sign == '-') continue;  // turning them off is what we do anyway
      return absl::InvalidArgumentError(
          absl::StrCat("tls config: protocols: ", token, " is insecure and not supported"));
    } else {
      for (int i = 0; i < 4; ++i) {
        if (absl::EqualsIgnoreCase(token, kNames[i])) bits = 1u << i;
      }
      if (bits == 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "tls config: protocols: unknown protocol '", token,
            "' (use TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 or all, optionally with + or -)"));
      }
    }
    // A bare name after the first replaces the set only for the first
    // token; the official clients treat later bare names as additions.
    if (sign == '-') {
      enabled &= ~bits;
    } else if (sign == '+' || any) {
      enabled |= bits;
    } else {
      enabled = bits;
    }
    any = true;
  }
  if (!any) enabled = 0xC;  // TLSv1.2 and TLSv1.3
  if (enabled == 0) return absl::InvalidArgumentError("tls config: protocols enables no version");
  int lo = 0, hi = 3;
  while (!(enabled & (1u << lo))) ++lo;
  while (!(enabled & (1u << hi))) --hi;
  for (int i = lo; i <= hi; ++i) {
    if (!(enabled & (1u << i))) {
      return absl::InvalidArgumentError(
          "tls config: protocols must be a contiguous range of versions");
    }
  }
  return std::make_pair(kVersions[lo], kVersions[hi]);
}

StatusOr<std::shared_ptr<TlsContext>> TlsContext::Create(const TlsConfig& config, Role role) {
  std::shared_ptr<TlsContext> ctx(new TlsContext(role, config));
  ASPY_RETURN_IF_ERROR(ctx->Load());
  return ctx;
}

TlsContext::~TlsContext() {
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
}

Status TlsContext::Load() {
  ERR_clear_error();
  ctx_ = SSL_CTX_new(role_ == Role::kClient ? TLS_client_method() : TLS_server_method());
  if (ctx_ == nullptr) return ConfigError("cannot create an SSL context");
  SSL_CTX_set_ex_data(ctx_, ContextIndex(), this);
  // Writes into a memory BIO never fail half-way; keep the buffer of a
  // partial record stable all the same.
  SSL_CTX_set_mode(ctx_, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_OFF);

  ASPY_ASSIGN_OR_RETURN(auto range, ParseProtocols(config_.protocols));
  if (!SSL_CTX_set_min_proto_version(ctx_, range.first) ||
      !SSL_CTX_set_max_proto_version(ctx_, range.second)) {
    return ConfigError("protocols: versions not available in this OpenSSL");
  }
  if (!config_.cipher_suite.empty()) {
    // TLSv1.3 suites have their own setter; accept either kind of name.
    const bool v13 = config_.cipher_suite.rfind("TLS_", 0) == 0;
    const int ok = v13 ? SSL_CTX_set_ciphersuites(ctx_, config_.cipher_suite.c_str())
                       : SSL_CTX_set_cipher_list(ctx_, config_.cipher_suite.c_str());
    if (!ok) return ConfigError(absl::StrCat("cipher_suite '", config_.cipher_suite, "' selects no cipher"));
  }

  // Trust anchors.
  const char* cafile = config_.cafile.empty() ? nullptr : config_.cafile.c_str();
  const char* capath = config_.capath.empty() ? nullptr : config_.capath.c_str();
  if (cafile != nullptr || capath != nullptr) {
    if (!SSL_CTX_load_verify_locations(ctx_, cafile, capath)) {
      return ConfigError(absl::StrCat("cannot load trust anchors from ",
                                      cafile ? absl::StrCat("cafile '", cafile, "'") : "",
                                      cafile && capath ? " and " : "",
                                      capath ? absl::StrCat("capath '", capath, "'") : ""));
    }
  } else if (!SSL_CTX_set_default_verify_paths(ctx_)) {
    return ConfigError("cannot load the system's trust anchors");
  }
  if (config_.crl_check || config_.crl_check_all) {
    X509_STORE* store = SSL_CTX_get_cert_store(ctx_);
    X509_STORE_set_flags(store, config_.crl_check_all
                                    ? (X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL)
                                    : X509_V_FLAG_CRL_CHECK);
  }

  // Our own certificate (a server always has one; a client for mutual TLS).
  SSL_CTX_set_default_passwd_cb(ctx_, &PasswordCallback);
  SSL_CTX_set_default_passwd_cb_userdata(ctx_, &config_.keyfile_pw);
  if (!config_.certfile.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx_, config_.certfile.c_str()) != 1) {
      return ConfigError(absl::StrCat("cannot load certfile '", config_.certfile, "'"));
    }
    const std::string& keyfile = config_.keyfile.empty() ? config_.certfile : config_.keyfile;
    if (SSL_CTX_use_PrivateKey_file(ctx_, keyfile.c_str(), SSL_FILETYPE_PEM) != 1) {
      if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
        return ConfigError(absl::StrCat("keyfile '", keyfile, "' does not match certfile '",
                                        config_.certfile, "'"));
      }
      return ConfigError(absl::StrCat("cannot load keyfile '", keyfile, "'",
                                      config_.keyfile_pw.empty()
                                          ? " (an encrypted key needs keyfile_pw)"
                                          : " with keyfile_pw"));
    }
    if (SSL_CTX_check_private_key(ctx_) != 1) {
      return ConfigError(absl::StrCat("keyfile '", keyfile, "' does not match certfile '",
                                      config_.certfile, "'"));
    }
  } else if (!config_.keyfile.empty()) {
    return absl::InvalidArgumentError("tls config: keyfile given without certfile");
  } else if (role_ == Role::kServer) {
    return absl::InvalidArgumentError("tls config: a server needs certfile and keyfile");
  }
  // The passphrase is only needed while the key is read (the callback
  // stays, so nothing can ever prompt).
  SSL_CTX_set_default_passwd_cb_userdata(ctx_, nullptr);

  int mode = SSL_VERIFY_PEER;
  if (role_ == Role::kServer) {
    // With trust anchors a server asks for a client certificate (PKI logins
    // need its name) and checks any it gets; require_client_cert makes one
    // mandatory (mutual TLS).
    const bool anchors = cafile != nullptr || capath != nullptr;
    if (config_.require_client_cert && !anchors) {
      return absl::InvalidArgumentError(
          "tls config: require_client_cert needs cafile or capath to check client certificates");
    }
    mode = !anchors ? SSL_VERIFY_NONE
                    : config_.require_client_cert
                          ? (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT)
                          : SSL_VERIFY_PEER;
  }
  SSL_CTX_set_verify(ctx_, mode, &VerifyCallback);
  return LoadBlacklist();
}

Status TlsContext::LoadBlacklist() {
  if (config_.cert_blacklist.empty()) return absl::OkStatus();
  std::ifstream in(config_.cert_blacklist);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("tls config: cannot read cert_blacklist '", config_.cert_blacklist, "'"));
  }
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view text = absl::StripAsciiWhitespace(line);
    if (text.empty() || text[0] == '#') continue;
    const size_t space = text.find_first_of(" \t");
    std::string serial(text.substr(0, space));
    std::string issuer;
    if (space != absl::string_view::npos) {
      issuer = std::string(absl::StripAsciiWhitespace(text.substr(space)));
    }
    absl::AsciiStrToUpper(&serial);
    // Leading zeros are not part of BN_bn2hex's form.
    serial.erase(0, std::min(serial.find_first_not_of('0'), serial.size() - 1));
    blacklist_.emplace_back(std::move(serial), std::move(issuer));
  }
  return absl::OkStatus();
}

bool TlsContext::Blacklisted(X509* cert) const {
  if (blacklist_.empty()) return false;
  const std::string serial = SerialHex(cert);
  for (const auto& [s, issuer] : blacklist_) {
    if (s != serial) continue;
    if (issuer.empty() || issuer == IssuerLine(cert)) return true;
  }
  return false;
}

}  // namespace aerospike_py::tls
