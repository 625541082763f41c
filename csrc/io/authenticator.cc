#include "io/authenticator.h"

#include "absl/strings/str_cat.h"
#include "common/bcrypt.h"
#include "common/result_code.h"
#include "common/status_payload.h"

namespace aerospike_py::io {
namespace {

// The name of a security result code for messages ("INVALID_CREDENTIAL").
Status Refused(uint8_t result, bool was_login) {
  const ResultCode code = static_cast<ResultCode>(result);
  return WithResultCode(
      absl::PermissionDeniedError(absl::StrCat(
          was_login ? "login refused by the server: " : "authentication refused by the server: ",
          AbslView(ResultCodeName(code)), " (", result, ")")),
      code);
}

}  // namespace

Authenticator::Authenticator(Credentials credentials) : credentials_(std::move(credentials)) {}

Authenticator::~Authenticator() {
  WipeString(&credentials_.credential);
  WipeString(&credentials_.clear_password);
  for (auto& [endpoint, session] : sessions_) WipeString(&session.token);
}

ByteBuffer Authenticator::LoginRequest() const {
  return proto::EncodeLogin(credentials_.mode, credentials_.user, credentials_.credential,
                            credentials_.clear_password);
}

ByteBuffer Authenticator::FirstRequest(const std::string& endpoint, int64_t now_ms,
                                       bool* is_login) {
  auto it = sessions_.find(endpoint);
  if (it != sessions_.end() && (it->second.expires_ms == 0 || now_ms < it->second.expires_ms)) {
    *is_login = false;
    return proto::EncodeAuthenticate(credentials_.mode, credentials_.user,
                                     AsBytes(it->second.token));
  }
  *is_login = true;
  return LoginRequest();
}

StatusOr<Authenticator::Next> Authenticator::OnAnswer(const std::string& endpoint, bool was_login,
                                                      ByteSpan body, int64_t now_ms) {
  if (!was_login) {
    ASPY_ASSIGN_OR_RETURN(proto::AdminMessageView m, proto::ParseAdminMessage(body));
    if (m.size != body.size()) return MalformedError("authenticate answer has trailing bytes");
    const uint8_t result = m.header.result;
    if (result == 0 || result == ToInt(ResultCode::kSecurityNotEnabled)) return Next::kDone;
    if (result == ToInt(ResultCode::kExpiredSession) ||
        result == ToInt(ResultCode::kInvalidCredential)) {
      // The token is no good any more (expired, or the server restarted):
      // log in again on this connection.
      sessions_.erase(endpoint);
      return Next::kLogin;
    }
    return Refused(result, false);
  }
  ASPY_ASSIGN_OR_RETURN(proto::LoginReply reply, proto::ParseLoginReply(body));
  if (reply.result == ToInt(ResultCode::kSecurityNotEnabled)) return Next::kDone;
  if (reply.result != 0) return Refused(reply.result, true);
  ++logins_;
  Session& s = sessions_[endpoint];
  s.token = std::move(reply.session_token);
  s.expires_ms = 0;
  if (reply.session_ttl && *reply.session_ttl > 0) {
    // Give the token up before the server does, so a connection made just
    // before the server's expiry does not race it.
    const int64_t ttl_ms = int64_t{*reply.session_ttl} * 1000;
    const int64_t margin_ms = std::min<int64_t>(60000, ttl_ms / 2);
    s.expires_ms = now_ms + ttl_ms - margin_ms;
  }
  return Next::kDone;
}

void Authenticator::ShareSession(const std::string& from, const std::string& to) {
  auto it = sessions_.find(from);
  if (it != sessions_.end()) sessions_[to] = it->second;
}

void Authenticator::SetCredential(std::string credential, std::string clear_password) {
  WipeString(&credentials_.credential);
  WipeString(&credentials_.clear_password);
  credentials_.credential = std::move(credential);
  credentials_.clear_password = std::move(clear_password);
}

}  // namespace aerospike_py::io
