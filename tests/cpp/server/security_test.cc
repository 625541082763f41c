// The embedded server's security mode, driven through the Processor: the
// admin protocol's answers and codes, LOGIN/AUTHENTICATE and sessions, and
// every command kind refused with the server's codes (80 not
// authenticated, 81 role violation, 82 not whitelisted, 83 quota).
#include <thread>

#include "common/bcrypt.h"
#include "proto/admin.h"
#include "server/security/permissions.h"
#include "server/security/security.h"
#include "server_test_support.h"

namespace aerospike_py::server {
namespace {

using testing::Harness;
using testing::ReplyMsg;
namespace cmd = proto::admin_command;
namespace fld = proto::admin_field;

SecurityOptions Options() {
  SecurityOptions o;
  o.enable = true;
  o.users = {{"admin", "admin-pw", {"user-admin"}, false},
             {"reader", "reader-pw", {"scoped"}, false},
             {"ldap", "ldap-pw", {"read-write"}, false}};
  o.users[2].external = true;
  SeedRole scoped;
  scoped.name = "scoped";
  scoped.privileges = {{proto::privilege::kRead, "test", "open"}};
  o.roles = {scoped};
  o.session_ttl_s = 1;
  return o;
}

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = security::Security::Create(Options());
    ASSERT_TRUE(s.ok()) << s.status();
    h_.state().security = std::move(*s);
    session_.peer_ip = "127.0.0.1";
    h_.processor().set_session(&session_);
  }
  void TearDown() override { h_.processor().set_session(nullptr); }

  // One admin request; the answers (one message per frame).
  std::vector<proto::AdminMessageView> Admin(uint8_t command,
                                             const std::function<void(proto::AdminWriter&)>& fill,
                                             uint8_t scheme = 0) {
    ByteBuffer req;
    proto::AdminWriter w(&req, command);
    fill(w);
    w.Finish();
    req.data()[8] = scheme;
    auto replies = h_.Run(req);
    answers_.clear();
    std::vector<proto::AdminMessageView> out;
    for (const ReplyMsg& r : replies) {
      EXPECT_EQ(r.frame_type, 2);
      answers_.push_back(r.admin);
    }
    for (const std::string& a : answers_) {
      auto m = proto::ParseAdminMessage(AsBytes(a));
      EXPECT_TRUE(m.ok());
      if (m.ok()) out.push_back(*m);
    }
    return out;
  }
  uint8_t AdminCode(uint8_t command, const std::function<void(proto::AdminWriter&)>& fill) {
    auto m = Admin(command, fill);
    return m.empty() ? 255 : m.front().header.result;
  }
  uint8_t Login(const std::string& user, const std::string& password) {
    return AdminCode(cmd::kLogin, [&](proto::AdminWriter& w) {
      w.AddField(fld::kUser, std::string_view(user));
      w.AddField(fld::kCredential, std::string_view(AerospikePasswordHash(password)));
    });
  }

  Harness h_;
  ClientSession session_;
  std::vector<std::string> answers_;
};

TEST_F(SecurityTest, NothingRunsBeforeLogin) {
  EXPECT_EQ(h_.Run(proto::EncodeInfoRequest("build\n"))[0].info, "ERROR:80:not authenticated\n");
  EXPECT_EQ(h_.One(testing::GetReq(1)).rc(), 80);
  EXPECT_EQ(AdminCode(cmd::kQueryUsers, [](proto::AdminWriter&) {}), 80);
}

TEST_F(SecurityTest, LoginCodesAndSessions) {
  EXPECT_EQ(Login("nobody", "x"), 60);
  EXPECT_EQ(Login("admin", "wrong"), 65);
  EXPECT_FALSE(session_.authenticated);
  auto ok = Admin(cmd::kLogin, [](proto::AdminWriter& w) {
    w.AddField(fld::kUser, std::string_view("admin"));
    w.AddField(fld::kCredential, std::string_view(AerospikePasswordHash("admin-pw")));
  });
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].header.result, 0);
  auto reply = proto::ParseLoginReply(AsBytes(answers_[0]));
  ASSERT_TRUE(reply.ok());
  ASSERT_FALSE(reply->session_token.empty());
  EXPECT_EQ(reply->session_ttl, 1u);
  EXPECT_TRUE(session_.authenticated);
  EXPECT_EQ(h_.Info("logins"), "1");

  // A second connection authenticates with the token, not the password.
  ClientSession other;
  other.peer_ip = "127.0.0.1";
  h_.processor().set_session(&other);
  auto authenticate = [&](const std::string& user, const std::string& token) {
    return AdminCode(cmd::kAuthenticate, [&](proto::AdminWriter& w) {
      w.AddField(fld::kUser, std::string_view(user));
      w.AddField(fld::kSessionToken, std::string_view(token));
    });
  };
  EXPECT_EQ(authenticate("admin", "not-a-token"), 65);
  EXPECT_EQ(authenticate("reader", reply->session_token), 65);  // someone else's
  EXPECT_EQ(authenticate("admin", reply->session_token), 0);
  EXPECT_TRUE(other.authenticated);
  // The token expires after the session TTL: EXPIRED_SESSION.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ClientSession late;
  h_.processor().set_session(&late);
  EXPECT_EQ(authenticate("admin", reply->session_token), 66);
}

TEST_F(SecurityTest, ExternalUsersCheckTheClearPassword) {
  auto login = [&](const char* clear) {
    return AdminCode(cmd::kLogin, [&](proto::AdminWriter& w) {
      w.AddField(fld::kUser, std::string_view("ldap"));
      w.AddField(fld::kCredential, std::string_view(AerospikePasswordHash(clear)));
      w.AddField(fld::kClearPassword, std::string_view(clear));
    });
  };
  EXPECT_EQ(login("nope"), 65);
  EXPECT_EQ(login("ldap-pw"), 0);
}

TEST_F(SecurityTest, PkiLoginUsesTheCertificateName) {
  auto pki = [&] { return AdminCode(cmd::kLogin, [](proto::AdminWriter&) {}); };
  EXPECT_EQ(pki(), 65);  // no client certificate
  session_.cert_cn = "stranger";
  EXPECT_EQ(pki(), 60);
  session_.cert_cn = "reader";
  EXPECT_EQ(pki(), 0);
  EXPECT_EQ(session_.user, "reader");
}

TEST_F(SecurityTest, PrivilegesAreScopedToNamespaceAndSet) {
  ASSERT_EQ(Login("reader", "reader-pw"), 0);
  EXPECT_EQ(h_.One(testing::GetReq(1)).rc(), 81);              // set "demo"
  auto get_open = testing::Req(1, "open");
  get_open.header.info1 = proto::info1::kRead | proto::info1::kGetAll;
  EXPECT_EQ(h_.One(get_open).rc(), 2);  // allowed: not found
  auto put = testing::PutReq(1, {testing::Write("b", proto::Value::Int(1))});
  put.set = "open";
  EXPECT_EQ(h_.One(put).rc(), 81);  // no write privilege
  // Info commands needing a permission.
  auto lines = h_.Run(proto::EncodeInfoRequest("build\ntruncate:namespace=test;set=open\n"));
  EXPECT_NE(lines[0].info.find("build\t8."), std::string::npos);
  EXPECT_NE(lines[0].info.find("ERROR:81:role violation - requires permission 'truncate'"),
            std::string::npos);
  // Admin needs user-admin, except one's own user info.
  EXPECT_EQ(AdminCode(cmd::kQueryUsers, [](proto::AdminWriter&) {}), 81);
  auto own = Admin(cmd::kQueryUsers, [](proto::AdminWriter& w) {
    w.AddField(fld::kUser, std::string_view("reader"));
  });
  ASSERT_EQ(own.size(), 2u);  // the user, then QUERY_END
  EXPECT_EQ(own[1].header.result, 50);
}

TEST_F(SecurityTest, AdminRequestCodes) {
  ASSERT_EQ(Login("admin", "admin-pw"), 0);
  auto role = [](const char* name, std::vector<proto::Privilege> privileges) {
    return [=](proto::AdminWriter& w) {
      w.AddField(fld::kRole, std::string_view(name));
      ASSERT_TRUE(proto::AddPrivilegesField(&w, privileges).ok());
    };
  };
  EXPECT_EQ(AdminCode(cmd::kCreateRole, role("r1", {{proto::privilege::kRead, "test", ""}})), 0);
  EXPECT_EQ(AdminCode(cmd::kCreateRole, role("r1", {{proto::privilege::kRead, "", ""}})), 71);
  EXPECT_EQ(AdminCode(cmd::kCreateRole, role("read", {})), 71);  // predefined
  EXPECT_EQ(AdminCode(cmd::kCreateRole, role("r2", {{99, "", ""}})), 72);
  EXPECT_EQ(AdminCode(cmd::kCreateRole, role("r3", {{proto::privilege::kRead, "", "set"}})), 72);
  // A global privilege scoped on the wire (the client refuses to send it).
  EXPECT_EQ(AdminCode(cmd::kCreateRole,
                      [](proto::AdminWriter& w) {
                        w.AddField(fld::kRole, std::string_view("r4"));
                        const uint8_t raw[] = {1, proto::privilege::kSysAdmin};
                        w.AddField(fld::kPrivileges, ByteSpan(raw, 2));
                        w.AddField(fld::kWhitelist, std::string_view("bad address"));
                      }),
            73);
  EXPECT_EQ(AdminCode(cmd::kSetQuotas,
                      [](proto::AdminWriter& w) {
                        w.AddField(fld::kRole, std::string_view("r1"));
                        w.AddU32Field(fld::kReadQuota, 5);
                      }),
            74);
  auto user = [](const char* name, bool password, std::vector<std::string> roles) {
    return [=](proto::AdminWriter& w) {
      w.AddField(fld::kUser, std::string_view(name));
      if (password) w.AddField(fld::kPassword, std::string_view(AerospikePasswordHash("pw")));
      ASSERT_TRUE(proto::AddRolesField(&w, roles).ok());
    };
  };
  EXPECT_EQ(AdminCode(cmd::kCreateUser, user("u1", true, {"r1", "read"})), 0);
  EXPECT_EQ(AdminCode(cmd::kCreateUser, user("u1", true, {})), 61);
  EXPECT_EQ(AdminCode(cmd::kCreateUser, user("u2", false, {})), 62);
  EXPECT_EQ(AdminCode(cmd::kCreateUser, user("u3", true, {"nope"})), 70);
  EXPECT_EQ(AdminCode(cmd::kDropRole, [](proto::AdminWriter& w) {
              w.AddField(fld::kRole, std::string_view("read-write"));
            }), 70);
  EXPECT_EQ(AdminCode(77, [](proto::AdminWriter&) {}), 54);
  EXPECT_EQ(Admin(cmd::kQueryRoles, [](proto::AdminWriter&) {}, 9).front().header.result, 53);

  // Every user in one stream: parsed by the client's parser.
  std::vector<proto::AdminUser> users;
  uint8_t result = 0;
  Admin(cmd::kQueryUsers, [](proto::AdminWriter&) {});
  std::string all;
  for (const std::string& a : answers_) all += a;
  auto done = proto::ParseUsersBlock(AsBytes(all), &users, &result);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_TRUE(*done);
  EXPECT_EQ(result, 50);
  ASSERT_EQ(users.size(), 4u);
  EXPECT_EQ(users[3].name, "u1");
  EXPECT_EQ(users[3].roles, (std::vector<std::string>{"r1", "read"}));
  EXPECT_EQ(users[3].read_info.size(), 4u);
  EXPECT_EQ(users[0].name, "admin");
  EXPECT_EQ(users[0].conns_in_use, 1u);
}

TEST_F(SecurityTest, WhitelistAndQuotas) {
  SecurityOptions o = Options();
  o.enable_quotas = true;
  o.roles[0].whitelist = {"10.0.0.0/8"};
  o.roles[0].read_quota = 2;
  auto s = security::Security::Create(o);
  ASSERT_TRUE(s.ok());
  h_.state().security = std::move(*s);
  EXPECT_EQ(Login("reader", "reader-pw"), 82);
  session_.peer_ip = "10.1.2.3";
  ASSERT_EQ(Login("reader", "reader-pw"), 0);
  // Wait for a fresh second, then three reads: the third is over quota.
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  std::this_thread::sleep_for(std::chrono::milliseconds(1050) -
                              std::chrono::duration_cast<std::chrono::milliseconds>(now) %
                                  std::chrono::milliseconds(1000));
  std::vector<uint8_t> codes;
  for (int i = 0; i < 3; ++i) codes.push_back(h_.One(testing::Req(i, "open")).rc());
  EXPECT_NE(codes[0], 83);
  EXPECT_NE(codes[1], 83);
  EXPECT_EQ(codes[2], 83);
}

TEST(WhitelistEntries, Match) {
  using security::ValidWhitelistEntry;
  using security::WhitelistMatches;
  EXPECT_TRUE(ValidWhitelistEntry("10.0.0.1"));
  EXPECT_TRUE(ValidWhitelistEntry("10.0.0.0/8"));
  EXPECT_TRUE(ValidWhitelistEntry("::1"));
  EXPECT_TRUE(ValidWhitelistEntry("fd00::/8"));
  EXPECT_FALSE(ValidWhitelistEntry("10.0.0.0/33"));
  EXPECT_FALSE(ValidWhitelistEntry("host.example"));
  EXPECT_TRUE(WhitelistMatches("10.0.0.0/8", "10.200.1.1"));
  EXPECT_FALSE(WhitelistMatches("10.0.0.0/8", "11.0.0.1"));
  EXPECT_TRUE(WhitelistMatches("127.0.0.1", "127.0.0.1"));
  EXPECT_FALSE(WhitelistMatches("127.0.0.1", "::1"));
  EXPECT_TRUE(WhitelistMatches("fd00::/8", "fd12::5"));
}

TEST(Permissions, PrivilegesGrant) {
  using namespace security;
  EXPECT_TRUE(PermsOf(proto::privilege::kRead) & kPermRead);
  EXPECT_FALSE(PermsOf(proto::privilege::kRead) & kPermWrite);
  EXPECT_TRUE(PermsOf(proto::privilege::kReadWriteUdf) & kPermUdfApply);
  EXPECT_TRUE(PermsOf(proto::privilege::kDataAdmin) & kPermTruncate);
  EXPECT_FALSE(PermsOf(proto::privilege::kSysAdmin) & kPermUserAdmin);
  EXPECT_EQ(PermsOf(99), 0u);
  EXPECT_TRUE(ScopeCovers({10, "test", ""}, "test", "any"));
  EXPECT_FALSE(ScopeCovers({10, "test", "a"}, "test", "b"));
  EXPECT_FALSE(ScopeCovers({10, "bar", ""}, "test", ""));
}

}  // namespace
}  // namespace aerospike_py::server
