#include "tls/tls_session.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include "absl/strings/str_cat.h"
#include "common/status_payload.h"

namespace aerospike_py::tls {
namespace {

bool IsIpAddress(const std::string& name) {
  unsigned char buf[16];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

// What a certificate verification error means to the person reading it.
std::string DescribeVerifyError(long code, const std::string& peer_name) {
  const std::string detail = X509_verify_cert_error_string(code);
  switch (code) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      return absl::StrCat("the server certificate is signed by an unknown CA (", detail, ")");
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return absl::StrCat("name mismatch: the server certificate is not valid for '", peer_name,
                          "' (", detail, ")");
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return absl::StrCat("the server certificate has expired (", detail, ")");
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return absl::StrCat("the server certificate is not valid yet (", detail, ")");
    case X509_V_ERR_CERT_REVOKED:
      return absl::StrCat("the server certificate is revoked or blacklisted (", detail, ")");
    default:
      return absl::StrCat("the server certificate was refused (", detail, ")");
  }
}

// OpenSSL's reasons for a failure that was not a certificate verdict of
// ours: alerts from the peer, no common protocol or cipher, ...
std::string DescribeSslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(e);
    std::string text = reason != nullptr ? reason : absl::StrCat("error ", e);
    if (ERR_GET_REASON(e) == SSL_R_UNSUPPORTED_PROTOCOL ||
        ERR_GET_REASON(e) == SSL_R_NO_PROTOCOLS_AVAILABLE ||
        ERR_GET_REASON(e) == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION ||
        ERR_GET_REASON(e) == SSL_R_WRONG_VERSION_NUMBER) {
      text = absl::StrCat("no TLS protocol version in common (", text, ")");
    } else if (ERR_GET_REASON(e) == SSL_R_TLSV1_ALERT_UNKNOWN_CA ||
               ERR_GET_REASON(e) == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE ||
               ERR_GET_REASON(e) == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED ||
               ERR_GET_REASON(e) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
      text = absl::StrCat("the peer refused our certificate or wants one (", text, ")");
    }
    if (!out.empty()) out += "; ";
    out += text;
  }
  return out;
}

Status TlsError(std::string message) {
  return WithResultCode(absl::UnavailableError(message), ResultCode::kTls);
}

}  // namespace

StatusOr<std::unique_ptr<TlsSession>> TlsSession::Create(
    std::shared_ptr<const TlsContext> context, const std::string& peer_name) {
  std::unique_ptr<TlsSession> s(new TlsSession(std::move(context), peer_name));
  ASPY_RETURN_IF_ERROR(s->Init());
  return s;
}

TlsSession::~TlsSession() {
  if (ssl_ != nullptr) SSL_free(ssl_);  // frees both BIOs
}

Status TlsSession::Init() {
  ERR_clear_error();
  ssl_ = SSL_new(context_->ssl_ctx());
  if (ssl_ == nullptr) return TlsError("TLS: cannot create a session");
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  if (in_ == nullptr || out_ == nullptr) {
    if (in_) BIO_free(in_);
    if (out_) BIO_free(out_);
    in_ = out_ = nullptr;
    return TlsError("TLS: cannot create memory BIOs");
  }
  // An empty memory BIO reports "retry" rather than end of file.
  BIO_set_mem_eof_return(in_, -1);
  SSL_set_bio(ssl_, in_, out_);
  if (context_->role() == Role::kServer) {
    SSL_set_accept_state(ssl_);
    return absl::OkStatus();
  }
  SSL_set_connect_state(ssl_);
  if (!peer_name_.empty()) {
    if (IsIpAddress(peer_name_)) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
      if (!X509_VERIFY_PARAM_set1_ip_asc(param, peer_name_.c_str())) {
        return TlsError(absl::StrCat("TLS: bad address '", peer_name_, "'"));
      }
    } else {
      SSL_set_tlsext_host_name(ssl_, peer_name_.c_str());
      SSL_set_hostflags(ssl_, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      if (!SSL_set1_host(ssl_, peer_name_.c_str())) {
        return TlsError(absl::StrCat("TLS: bad server name '", peer_name_, "'"));
      }
    }
  }
  return absl::OkStatus();
}

void TlsSession::DrainOutput(ByteBuffer* out) {
  const size_t pending = BIO_ctrl_pending(out_);
  if (pending == 0) return;
  uint8_t* p = out->Extend(pending);
  const int n = BIO_read(out_, p, static_cast<int>(pending));
  out->Resize(out->size() - pending + (n > 0 ? static_cast<size_t>(n) : 0));
}

Status TlsSession::HandshakeError(int ssl_error) {
  const long verify = SSL_get_verify_result(ssl_);
  std::string why;
  if (context_->role() == Role::kClient && verify != X509_V_OK) {
    why = DescribeVerifyError(verify, peer_name_);
    ERR_clear_error();
  } else {
    why = DescribeSslErrors();
    if (why.empty()) {
      why = ssl_error == SSL_ERROR_SYSCALL ? "the connection ended during the handshake"
                                           : absl::StrCat("SSL error ", ssl_error);
    }
  }
  return TlsError(absl::StrCat("TLS handshake failed: ", why));
}

StatusOr<bool> TlsSession::Handshake(ByteSpan incoming, ByteBuffer* outgoing) {
  if (!incoming.empty() &&
      BIO_write(in_, incoming.data(), static_cast<int>(incoming.size())) !=
          static_cast<int>(incoming.size())) {
    return TlsError("TLS: cannot buffer incoming bytes");
  }
  // Bytes that arrive once established (session tickets, data) stay
  // buffered for Open(): dropping a record would break the sequence.
  if (established_) return true;
  ERR_clear_error();
  const int rc = SSL_do_handshake(ssl_);
  DrainOutput(outgoing);  // also the alert that tells the peer why we stop
  if (rc == 1) {
    established_ = true;
    return true;
  }
  const int err = SSL_get_error(ssl_, rc);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return false;
  return HandshakeError(err);
}

Status TlsSession::Seal(absl::Span<const ByteSpan> plaintext, ByteBuffer* ciphertext) {
  if (!established_) return TlsError("TLS: write before the handshake completed");
  ERR_clear_error();
  for (ByteSpan part : plaintext) {
    size_t done = 0;
    while (done < part.size()) {
      const int chunk = static_cast<int>(std::min<size_t>(part.size() - done, 1 << 30));
      const int n = SSL_write(ssl_, part.data() + done, chunk);
      if (n <= 0) {
        const int err = SSL_get_error(ssl_, n);
        return TlsError(absl::StrCat("TLS write failed: ", DescribeSslErrors().empty()
                                                               ? absl::StrCat("SSL error ", err)
                                                               : DescribeSslErrors()));
      }
      done += static_cast<size_t>(n);
    }
  }
  DrainOutput(ciphertext);
  return absl::OkStatus();
}

Status TlsSession::Open(ByteSpan ciphertext, ByteBuffer* plaintext, ByteBuffer* outgoing) {
  if (!ciphertext.empty() &&
      BIO_write(in_, ciphertext.data(), static_cast<int>(ciphertext.size())) !=
          static_cast<int>(ciphertext.size())) {
    return TlsError("TLS: cannot buffer incoming bytes");
  }
  ERR_clear_error();
  while (true) {
    // Read straight into the output buffer, in steps of at most 16 KiB
    // (one TLS record).
    constexpr size_t kStep = 16 * 1024;
    const size_t before = plaintext->size();
    uint8_t* p = plaintext->Extend(kStep);
    const int n = SSL_read(ssl_, p, static_cast<int>(kStep));
    plaintext->Resize(before + (n > 0 ? static_cast<size_t>(n) : 0));
    if (n > 0) continue;
    const int err = SSL_get_error(ssl_, n);
    DrainOutput(outgoing);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return absl::OkStatus();
    if (err == SSL_ERROR_ZERO_RETURN) {
      return absl::UnavailableError("TLS session closed by peer (close_notify)");
    }
    const std::string why = DescribeSslErrors();
    return TlsError(absl::StrCat("TLS read failed: ",
                                 why.empty() ? absl::StrCat("SSL error ", err) : why));
  }
}

std::string TlsSession::Summary() const {
  if (!established_) return "handshake not complete";
  return absl::StrCat(SSL_get_version(ssl_), " ", SSL_get_cipher_name(ssl_));
}

std::string TlsSession::PeerCommonName() const {
  X509* cert = SSL_get1_peer_certificate(ssl_);
  if (cert == nullptr) return std::string();
  char buf[256] = {0};
  const int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf,
                                          sizeof(buf));
  X509_free(cert);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

}  // namespace aerospike_py::tls
