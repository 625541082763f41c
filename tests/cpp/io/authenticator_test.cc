// The Authenticator's decisions, fed server answers directly: LOGIN first,
// then AUTHENTICATE with the kept token until it is given up (before the
// server's TTL runs out), EXPIRED_SESSION -> LOGIN again, 52 -> proceed,
// refusals carry the server's code.
#include "io/authenticator.h"

#include <gtest/gtest.h>

#include "common/status_payload.h"
#include "proto/admin.h"
#include "proto/headers.h"

namespace aerospike_py::io {
namespace {

ByteSpan Body(const ByteBuffer& frame) { return frame.span().subspan(proto::kProtoHeaderSize); }

ByteBuffer LoginAnswer(std::string_view token, uint32_t ttl_s) {
  ByteBuffer out;
  proto::AdminWriter w(&out, 0, 0);
  w.AddField(proto::admin_field::kSessionToken, token);
  w.AddU32Field(proto::admin_field::kSessionTtl, ttl_s);
  w.Finish();
  return out;
}

uint8_t CommandOf(const ByteBuffer& request) {
  return (*proto::ParseAdminMessage(Body(request))).header.command;
}

TEST(AuthenticatorTest, LoginThenAuthenticateUntilTheTokenIsGivenUp) {
  Authenticator auth({proto::AuthMode::kInternal, "alice", "$2a$10$hash", ""});
  bool is_login = false;
  ByteBuffer first = auth.FirstRequest("n1", 0, &is_login);
  EXPECT_TRUE(is_login);
  EXPECT_EQ(CommandOf(first), proto::admin_command::kLogin);
  ASSERT_EQ(*auth.OnAnswer("n1", true, Body(LoginAnswer("tok", 100)), 0), Authenticator::Next::kDone);
  EXPECT_EQ(auth.logins(), 1u);

  ByteBuffer second = auth.FirstRequest("n1", 1000, &is_login);
  EXPECT_FALSE(is_login);
  auto m = *proto::ParseAdminMessage(Body(second));
  EXPECT_EQ(m.header.command, proto::admin_command::kAuthenticate);
  EXPECT_EQ(AsChars(*m.FindField(proto::admin_field::kSessionToken)), "tok");
  // Another node has no session yet.
  auth.FirstRequest("n2", 1000, &is_login);
  EXPECT_TRUE(is_login);
  // TTL 100 s: given up after 50 s (half the TTL, as it is under 2 minutes).
  auth.FirstRequest("n1", 49000, &is_login);
  EXPECT_FALSE(is_login);
  auth.FirstRequest("n1", 50000, &is_login);
  EXPECT_TRUE(is_login);
}

TEST(AuthenticatorTest, ExpiredSessionFallsBackToLogin) {
  Authenticator auth({proto::AuthMode::kInternal, "alice", "h", ""});
  ASSERT_TRUE(auth.OnAnswer("n1", true, Body(LoginAnswer("tok", 86400)), 0).ok());
  bool is_login = true;
  auth.FirstRequest("n1", 0, &is_login);
  ASSERT_FALSE(is_login);
  EXPECT_EQ(*auth.OnAnswer("n1", false, Body(proto::EncodeAdminReply(66)), 0),
            Authenticator::Next::kLogin);
  auth.FirstRequest("n1", 0, &is_login);
  EXPECT_TRUE(is_login);  // the token was dropped
}

TEST(AuthenticatorTest, NotEnabledProceedsAndRefusalsCarryTheCode) {
  Authenticator auth({proto::AuthMode::kInternal, "alice", "h", ""});
  EXPECT_EQ(*auth.OnAnswer("n1", true, Body(proto::EncodeAdminReply(52)), 0),
            Authenticator::Next::kDone);
  StatusOr<Authenticator::Next> refused =
      auth.OnAnswer("n1", true, Body(proto::EncodeAdminReply(65)), 0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(ResultCodeOf(refused.status()), ResultCode::kInvalidCredential);
  EXPECT_NE(refused.status().message().find("INVALID_CREDENTIAL"), absl::string_view::npos);
  refused = auth.OnAnswer("n1", false, Body(proto::EncodeAdminReply(82)), 0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(ResultCodeOf(refused.status()), ResultCode::kNotWhitelisted);
  // A LOGIN answer without a token is malformed, not a success.
  EXPECT_FALSE(auth.OnAnswer("n1", true, Body(proto::EncodeAdminReply(0)), 0).ok());
}

TEST(AuthenticatorTest, SharedSessionsAndNewCredentials) {
  Authenticator auth({proto::AuthMode::kPki, "", "", ""});
  ASSERT_TRUE(auth.OnAnswer("tls:4333", true, Body(LoginAnswer("tok", 0)), 0).ok());
  auth.ShareSession("tls:4333", "clear:3000");
  bool is_login = true;
  ByteBuffer r = auth.FirstRequest("clear:3000", 1 << 30, &is_login);  // no TTL: no expiry
  EXPECT_FALSE(is_login);
  EXPECT_EQ((*proto::ParseAdminMessage(Body(r))).header.n_fields, 1);  // PKI: token only
  auth.SetCredential("$2a$10$new", "");
  EXPECT_EQ(auth.credential(), "$2a$10$new");
}

}  // namespace
}  // namespace aerospike_py::io
