// The client core over TLS and with a login, against the embedded server's
// TLS listeners and security mode: records, batches, info and admin
// commands; handshake failures and refused logins as connect() errors
// carrying their codes; and connections that log in again once the
// session expired.
#include "client/admin_command.h"
#include "client_test_support.h"
#include "common/status_payload.h"
#include "test_certs.h"

namespace aerospike_py::client::testing {
namespace {

class TlsLoginTest : public ClientTest {
 protected:
  void SetUp() override {
    ca_ = pki_.MakeCa("io");
    server_cert_ = pki_.MakeLeaf(ca_, "io-server", "aerospike-test", {"aerospike-test"},
                                 {"127.0.0.1"});
  }

  std::unique_ptr<server::Server> Start(bool security, uint32_t session_ttl_s = 86400,
                                        int nodes = 1) {
    server::ServerOptions o;
    o.nodes = nodes;
    o.replication_factor = nodes > 1 ? 2 : 1;
    o.tls.enable = true;
    o.tls.certfile = server_cert_.cert;
    o.tls.keyfile = server_cert_.key;
    if (security) {
      o.security.enable = true;
      o.security.session_ttl_s = session_ttl_s;
      o.security.users = {{"admin", "admin-pw", {"user-admin", "read-write"}, false}};
    }
    auto s = server::Server::Start(std::move(o));
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }

  ClientConfig TlsConfigFor(const server::Server& server) {
    ClientConfig c;
    c.seeds.push_back({server.host(), server.tls_ports()[0], "aerospike-test"});
    c.tls.enable = true;
    c.tls.cafile = ca_.cert;
    c.tend_interval_ms = 50;
    return c;
  }

  aerospike_py::testing::TestPki pki_;
  aerospike_py::testing::PemFiles ca_, server_cert_;
};

TEST_F(TlsLoginTest, RecordsBatchesInfoOverTlsWithLogin) {
  auto server = Start(true);
  ClientConfig config = TlsConfigFor(*server);
  config.user = "admin";
  config.password = "admin-pw";
  auto client = Connect(config);
  ASSERT_NE(client, nullptr);
  auto put = Exec(*client, Put(Key("tls", "k"), {{"v", p::Value::Int(7)}}));
  ASSERT_TRUE(put->status.ok()) << put->status;
  EXPECT_EQ(put->result, ResultCode::kOk);
  auto got = Exec(*client, Get(Key("tls", "k")));
  ASSERT_TRUE(got->status.ok()) << got->status;
  EXPECT_EQ(BinsOf(got->message)["v"].as_int(), 7);

  BatchBuilder b;
  const uint16_t spec = b.ReadAllSpec();
  for (int i = 0; i < 100; ++i) b.AddIntKey("test", "tls", i, spec);
  auto batch = Exec(*client, std::move(b.cmd));
  ASSERT_TRUE(batch->status.ok()) << batch->status;
  EXPECT_EQ(batch->results.size(), 100u);

  auto info = Exec(*client, Info(InfoCommand::Target::kAllNodes, "logins\n"));
  ASSERT_TRUE(info->status.ok());
  EXPECT_EQ(InfoValue(info->answers[0].response, "logins"), "1");

  auto admin = std::make_unique<AdminCommand>();
  admin->admin_command = proto::admin_command::kQueryUsers;
  auto users = Exec(*client, std::move(admin));
  ASSERT_TRUE(users->status.ok()) << users->status;
  EXPECT_EQ(users->result, ResultCode::kOk);
  ASSERT_EQ(users->users.size(), 1u);
  EXPECT_EQ(users->users[0].name, "admin");
  EXPECT_GE(users->users[0].conns_in_use, 2u);  // tend + data
  client->Close();
}

TEST_F(TlsLoginTest, WrongPasswordCarriesTheServerCode) {
  auto server = Start(true);
  ClientConfig config = TlsConfigFor(*server);
  config.user = "admin";
  config.password = "nope";
  config.connect_timeout_ms = 2000;
  Status status;
  auto client = Connect(config, &status);
  ASSERT_FALSE(status.ok());
  ASSERT_TRUE(ResultCodeOf(status).has_value()) << status;
  EXPECT_EQ(*ResultCodeOf(status), ResultCode::kInvalidCredential);
  client->Close();
}

TEST_F(TlsLoginTest, NameMismatchIsATlsError) {
  auto server = Start(false);
  ClientConfig config = TlsConfigFor(*server);
  config.seeds[0].tls_name = "someone-else";
  config.connect_timeout_ms = 2000;
  Status status;
  auto client = Connect(config, &status);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(ResultCodeOf(status), ResultCode::kTls) << status;
  EXPECT_NE(status.message().find("name mismatch"), absl::string_view::npos) << status;
  client->Close();
}

TEST_F(TlsLoginTest, NewConnectionsLogInAgainAfterTheSessionExpires) {
  auto server = Start(true, /*session_ttl_s=*/2, /*nodes=*/2);
  ClientConfig config = TlsConfigFor(*server);
  config.user = "admin";
  config.password = "admin-pw";
  config.idle_timeout_ms = 100;  // idle connections go, new ones must log in
  auto client = Connect(config);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(WaitFor([&] { return client->NodeNames().size() == 2; }));
  auto logins = [&](int node) { return std::stoi(*server->Info(node, "logins")); };
  const int first[2] = {logins(0), logins(1)};
  EXPECT_GE(first[0], 1);
  EXPECT_GE(first[1], 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(2600));
  for (int i = 0; i < 40; ++i) {
    auto put = Exec(*client, Put(IntKey("expiry", i), {{"v", p::Value::Int(i)}}));
    ASSERT_TRUE(put->status.ok()) << put->status;
    ASSERT_EQ(put->result, ResultCode::kOk);
  }
  EXPECT_GT(logins(0), first[0]);
  EXPECT_GT(logins(1), first[1]);
  client->Close();
}

}  // namespace
}  // namespace aerospike_py::client::testing
