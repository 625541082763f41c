// The admin/security protocol (§13): request encoding (LOGIN,
// AUTHENTICATE, QUERY_USERS as captured), the bare answers a server without
// security sends (52 not enabled, 51 not supported), login answers with a
// session token and TTL, multi-message query streams, and malformed input.
#include <gtest/gtest.h>

#include "golden_support.h"
#include "proto/admin.h"
#include "proto/frame_reader.h"
#include "proto/headers.h"

namespace aerospike_py::proto {
namespace {

ByteSpan Body(const ByteBuffer& frame) { return frame.span().subspan(kProtoHeaderSize); }

TEST(AdminTest, BareAnswers) {
  // "Security not enabled": what the embedded server answers so that
  // clients configured with a user proceed.
  EXPECT_EQ(testing::HexOf(EncodeAdminReply(52).span()),
            "0202000000000010" "00340000" "000000000000000000000000");
  auto m = ParseAdminMessage(Body(EncodeAdminReply(51)));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->header.result, 51);
  EXPECT_EQ(m->header.n_fields, 0);
  EXPECT_EQ(m->size, kAdminHeaderSize);
  auto login = ParseLoginReply(Body(EncodeAdminReply(52)));
  ASSERT_TRUE(login.ok());
  EXPECT_EQ(login->result, 52);
  EXPECT_TRUE(login->session_token.empty());
}

TEST(AdminTest, LoginAndAuthenticate) {
  const std::string hash = "$2a$10$7EqJtq98hPqEX7fNZaFWoOhi5BWX4Z3gBjmsUnH27ZgPI0ZgAi/g6";
  ByteBuffer login = EncodeLoginRequest("alice", hash);
  ProtoHeader h = DecodeProtoHeader(login.data());
  EXPECT_EQ(h.type, 2);
  EXPECT_EQ(h.size, login.size() - 8);
  auto m = ParseAdminMessage(Body(login));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->header.command, admin_command::kLogin);
  EXPECT_EQ(m->header.n_fields, 2);
  EXPECT_EQ(AsChars(*m->FindField(admin_field::kUser)), "alice");
  EXPECT_EQ(AsChars(*m->FindField(admin_field::kCredential)), hash);
  EXPECT_EQ(testing::HexOf(login.span()).substr(16, 40),
            "0000140200000000000000000000000000000006" );

  const std::string token = "\x01\x02tok";
  ByteBuffer auth = EncodeAuthenticateRequest("alice", AsBytes(token));
  auto a = ParseAdminMessage(Body(auth));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->header.command, admin_command::kAuthenticate);
  EXPECT_EQ(AsChars(*a->FindField(admin_field::kSessionToken)), token);
}

TEST(AdminTest, LoginAnswerWithSession) {
  ByteBuffer reply;
  AdminWriter w(&reply, 0, 0);
  w.AddField(admin_field::kSessionToken, std::string_view("secret-token"));
  w.AddU32Field(admin_field::kSessionTtl, 86400);
  w.Finish();
  auto login = ParseLoginReply(Body(reply));
  ASSERT_TRUE(login.ok()) << login.status();
  EXPECT_EQ(login->result, 0);
  EXPECT_EQ(login->session_token, "secret-token");
  EXPECT_EQ(login->session_ttl, 86400u);

  ByteBuffer no_token;
  AdminWriter(&no_token, 0, 0).Finish();
  EXPECT_FALSE(ParseLoginReply(Body(no_token)).ok());
  ByteBuffer bad_ttl;
  AdminWriter b(&bad_ttl, 0, 0);
  b.AddField(admin_field::kSessionToken, std::string_view("t"));
  b.AddField(admin_field::kSessionTtl, std::string_view("12"));
  b.Finish();
  EXPECT_FALSE(ParseLoginReply(Body(bad_ttl)).ok());
}

TEST(AdminTest, QueryStreamOfSeveralMessages) {
  // Query answers put several header+fields messages in one frame and end
  // with result 50 (QUERY_END).
  ByteBuffer a, b, c;
  AdminWriter wa(&a, 0, 0);
  wa.AddField(admin_field::kUser, std::string_view("u1"));
  wa.Finish();
  AdminWriter wb(&b, 0, 0);
  wb.AddField(admin_field::kUser, std::string_view("u2"));
  wb.AddField(admin_field::kRoles, std::string_view("\x01\x04read", 6));
  wb.Finish();
  AdminWriter(&c, 0, 50).Finish();
  std::string body = std::string(AsChars(Body(a))) + std::string(AsChars(Body(b))) +
                     std::string(AsChars(Body(c)));
  std::vector<std::string> users;
  size_t pos = 0;
  uint8_t last = 0;
  while (pos < body.size()) {
    auto m = ParseAdminMessage(AsBytes(body).subspan(pos));
    ASSERT_TRUE(m.ok());
    if (auto u = m->FindField(admin_field::kUser)) users.emplace_back(AsChars(*u));
    last = m->header.result;
    pos += m->size;
  }
  EXPECT_EQ(users, (std::vector<std::string>{"u1", "u2"}));
  EXPECT_EQ(last, 50);
  EXPECT_FALSE(ParseLoginReply(AsBytes(body)).ok());  // trailing messages
}

TEST(AdminTest, Malformed) {
  ByteBuffer login = EncodeLoginRequest("bob", "x");
  const std::string body(AsChars(Body(login)));
  for (size_t n = 0; n < body.size(); ++n) {
    EXPECT_FALSE(ParseAdminMessage(AsBytes(body.substr(0, n))).ok()) << n;
  }
  std::string bad = body;
  bad[3] = 3;  // one field more than present
  EXPECT_FALSE(ParseAdminMessage(AsBytes(bad)).ok());
  bad = body;
  bad[16 + 3] = static_cast<char>(0xff);  // first field's size overruns
  EXPECT_FALSE(ParseAdminMessage(AsBytes(bad)).ok());
}

TEST(AdminTest, LoginModes) {
  auto fields = [](const ByteBuffer& frame) {
    auto m = ParseAdminMessage(Body(frame));
    EXPECT_TRUE(m.ok());
    return m.ok() ? m->header.n_fields : 255;
  };
  EXPECT_EQ(fields(EncodeLogin(AuthMode::kInternal, "u", "hash", "clear")), 2);
  ByteBuffer external = EncodeLogin(AuthMode::kExternal, "u", "hash", "clear");
  EXPECT_EQ(fields(external), 3);
  EXPECT_EQ(AsChars(*ParseAdminMessage(Body(external))->FindField(admin_field::kClearPassword)),
            "clear");
  EXPECT_EQ(fields(EncodeLogin(AuthMode::kPki, "u", "hash", "clear")), 0);
  EXPECT_EQ(fields(EncodeAuthenticate(AuthMode::kInternal, "u", AsBytes("tok"))), 2);
  EXPECT_EQ(fields(EncodeAuthenticate(AuthMode::kPki, "u", AsBytes("tok"))), 1);
}

TEST(AdminTest, PrivilegesRolesWhitelistFields) {
  ByteBuffer frame;
  AdminWriter w(&frame, admin_command::kCreateRole);
  const std::vector<Privilege> privileges = {
      {privilege::kRead, "test", "s1"}, {privilege::kUserAdmin, "", ""}, {privilege::kWrite, "ns", ""}};
  ASSERT_TRUE(AddPrivilegesField(&w, privileges).ok());
  ASSERT_TRUE(AddRolesField(&w, std::vector<std::string>{"a", "bb"}).ok());
  AddWhitelistField(&w, std::vector<std::string>{"10.0.0.1", "10.0.0.0/8"});
  w.Finish();
  auto m = ParseAdminMessage(Body(frame));
  ASSERT_TRUE(m.ok());
  // code, then ns/set only for codes >= read: 1+1+5+3 + 1 + 1+1+3+1
  EXPECT_EQ(testing::HexOf(*m->FindField(admin_field::kPrivileges)),
            "03" "0a" "0474657374" "027331" "00" "0d" "026e73" "00");
  EXPECT_EQ(*ParsePrivilegesField(*m->FindField(admin_field::kPrivileges)), privileges);
  EXPECT_EQ(*ParseRolesField(*m->FindField(admin_field::kRoles)),
            (std::vector<std::string>{"a", "bb"}));
  EXPECT_EQ(AsChars(*m->FindField(admin_field::kWhitelist)), "10.0.0.1,10.0.0.0/8");
  EXPECT_EQ(ParseWhitelistField(*m->FindField(admin_field::kWhitelist)),
            (std::vector<std::string>{"10.0.0.1", "10.0.0.0/8"}));

  ByteBuffer bad;
  AdminWriter w2(&bad, admin_command::kCreateRole);
  EXPECT_FALSE(AddPrivilegesField(&w2, std::vector<Privilege>{{privilege::kSysAdmin, "ns", ""}}).ok());
  EXPECT_FALSE(AddRolesField(&w2, std::vector<std::string>{std::string(256, 'r')}).ok());
  const uint8_t truncated[] = {2, privilege::kRead, 4, 't'};
  EXPECT_FALSE(ParsePrivilegesField(ByteSpan(truncated, sizeof(truncated))).ok());
  EXPECT_EQ(PrivilegeName(privilege::kReadWriteUdf), "read-write-udf");
  EXPECT_EQ(PrivilegeCodeOf("truncate"), privilege::kTruncate);
  EXPECT_FALSE(PrivilegeCodeOf("root").has_value());
}

TEST(AdminTest, QueryStreamsAcrossFrames) {
  // Users over two frames, then QUERY_END: the parser says "more" until it.
  ByteBuffer a, b;
  AppendUserMessage(&a, {"alice", {"read"}, {}, {}, 2});
  AppendUserMessage(&b, {"bob", {"write", "truncate"}, {1, 2, 3, 4}, {5, 6, 7, 8}, 0});
  AdminWriter(&b, 0, 50).Finish();
  std::vector<AdminUser> users;
  uint8_t result = 0;
  auto first = ParseUsersBlock(Body(a), &users, &result);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(*first);
  // Frame b holds two messages (bob's frame, then the END frame): the
  // server writes one frame per message; parse both bodies.
  std::vector<proto::Frame> frames;
  FrameReader reader;
  ASSERT_TRUE(reader.Feed(b.span(), &frames).ok());
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_FALSE(*ParseUsersBlock(frames[0].body(), &users, &result));
  EXPECT_TRUE(*ParseUsersBlock(frames[1].body(), &users, &result));
  EXPECT_EQ(result, 50);
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[1].name, "bob");
  EXPECT_EQ(users[1].write_info, (std::vector<uint32_t>{5, 6, 7, 8}));
  // An error ends a stream too (e.g. 60 for an unknown user).
  std::vector<AdminRole> roles;
  EXPECT_TRUE(*ParseRolesBlock(Body(EncodeAdminReply(70)), &roles, &result));
  EXPECT_EQ(result, 70);
  EXPECT_TRUE(roles.empty());
}

}  // namespace
}  // namespace aerospike_py::proto
