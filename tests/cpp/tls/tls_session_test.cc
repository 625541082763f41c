// TlsSession over memory BIOs: a client session and a server session
// wired together in memory (no sockets), so every handshake outcome and the
// record path are checked byte for byte.
#include "tls/tls_session.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <string>

#include "common/status_payload.h"
#include "test_certs.h"
#include "tls/tls_context.h"

namespace aerospike_py::tls {
namespace {

using testing::PemFiles;
using testing::TestPki;

class TlsSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = pki_.MakeCa("test");
    other_ca_ = pki_.MakeCa("other");
    server_ = pki_.MakeLeaf(ca_, "server", "aerospike-test", {"aerospike-test", "localhost"},
                            {"127.0.0.1"});
    client_ = pki_.MakeLeaf(ca_, "client", "app-user", {}, {});
  }

  TlsConfig ClientConfig() {
    TlsConfig c;
    c.enable = true;
    c.cafile = ca_.cert;
    return c;
  }
  TlsConfig ServerConfig(const PemFiles& cert) {
    TlsConfig c;
    c.enable = true;
    c.cafile = ca_.cert;
    c.certfile = cert.cert;
    c.keyfile = cert.key;
    return c;
  }

  // Runs the handshake to its end; returns the client's and the server's
  // outcome (OK = established).
  std::pair<Status, Status> Pump(TlsSession* client, TlsSession* server) {
    ByteBuffer to_server, to_client;
    Status cs, ss;
    StatusOr<bool> c = client->Handshake({}, &to_server);
    for (int round = 0; round < 20; ++round) {
      if (!c.ok()) cs = c.status();
      if (to_server.size() > 0 && ss.ok()) {
        ByteBuffer in = std::move(to_server);
        to_server = ByteBuffer();
        StatusOr<bool> s = server->Handshake(in.span(), &to_client);
        if (!s.ok()) ss = s.status();
      }
      if (to_client.size() > 0 && cs.ok()) {
        ByteBuffer in = std::move(to_client);
        to_client = ByteBuffer();
        if (!client->established()) {
          c = client->Handshake(in.span(), &to_server);
          if (!c.ok()) cs = c.status();
        } else {
          // TLSv1.3: the server's verdict on our certificate (and its
          // session tickets) arrive after the client is done.
          ByteBuffer plain;
          Status st = client->Open(in.span(), &plain, &to_server);
          if (!st.ok()) cs = st;
        }
      }
      if (to_server.size() == 0 && to_client.size() == 0) break;
    }
    if (cs.ok() && !client->established()) cs = absl::UnknownError("client not established");
    if (ss.ok() && !server->established()) ss = absl::UnknownError("server not established");
    return {cs, ss};
  }

  std::unique_ptr<TlsSession> Client(const TlsConfig& config, const std::string& name) {
    auto ctx = TlsContext::Create(config, Role::kClient);
    EXPECT_TRUE(ctx.ok()) << ctx.status();
    auto s = TlsSession::Create(*ctx, name);
    EXPECT_TRUE(s.ok()) << s.status();
    return std::move(*s);
  }
  std::unique_ptr<TlsSession> Server(const TlsConfig& config) {
    auto ctx = TlsContext::Create(config, Role::kServer);
    EXPECT_TRUE(ctx.ok()) << ctx.status();
    auto s = TlsSession::Create(*ctx, "");
    EXPECT_TRUE(s.ok()) << s.status();
    return std::move(*s);
  }

  TestPki pki_;
  PemFiles ca_, other_ca_, server_, client_;
};

TEST_F(TlsSessionTest, ServerOnlyHandshakeAndRecords) {
  auto client = Client(ClientConfig(), "aerospike-test");
  auto server = Server(ServerConfig(server_));
  auto [cs, ss] = Pump(client.get(), server.get());
  ASSERT_TRUE(cs.ok()) << cs;
  ASSERT_TRUE(ss.ok()) << ss;
  EXPECT_NE(client->Summary().find("TLSv1.3"), std::string::npos) << client->Summary();

  // A request split over two buffers, read back by the server one
  // ciphertext byte at a time.
  const std::string a = "hello ", b = std::string(40000, 'x');
  ByteBuffer cipher;
  const ByteSpan parts[] = {AsBytes(a), AsBytes(b)};
  ASSERT_TRUE(client->Seal(parts, &cipher).ok());
  ByteBuffer plain, back;
  for (size_t i = 0; i < cipher.size(); ++i) {
    ASSERT_TRUE(server->Open(cipher.span().subspan(i, 1), &plain, &back).ok());
  }
  EXPECT_EQ(plain.view(), a + b);

  // And an answer the other way, in one piece.
  ByteBuffer reply_cipher, reply_plain, ignored;
  const ByteSpan reply[] = {AsBytes("world")};
  ASSERT_TRUE(server->Seal(reply, &reply_cipher).ok());
  ASSERT_TRUE(client->Open(reply_cipher.span(), &reply_plain, &ignored).ok());
  // The client may also have received session tickets: no plaintext from them.
  EXPECT_EQ(reply_plain.view(), "world");
}

TEST_F(TlsSessionTest, IpAddressNameMatchesIpSan) {
  auto client = Client(ClientConfig(), "127.0.0.1");
  auto server = Server(ServerConfig(server_));
  auto [cs, ss] = Pump(client.get(), server.get());
  EXPECT_TRUE(cs.ok()) << cs;
}

TEST_F(TlsSessionTest, MutualTlsGivesTheServerTheClientName) {
  TlsConfig cc = ClientConfig();
  cc.certfile = client_.cert;
  cc.keyfile = client_.key;
  TlsConfig sc = ServerConfig(server_);
  sc.require_client_cert = true;
  auto client = Client(cc, "aerospike-test");
  auto server = Server(sc);
  auto [cs, ss] = Pump(client.get(), server.get());
  ASSERT_TRUE(cs.ok()) << cs;
  ASSERT_TRUE(ss.ok()) << ss;
  EXPECT_EQ(server->PeerCommonName(), "app-user");
  EXPECT_EQ(client->PeerCommonName(), "aerospike-test");
}

void ExpectTlsFailure(const Status& s, const std::string& words) {
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(words), absl::string_view::npos) << s;
  ASSERT_TRUE(ResultCodeOf(s).has_value()) << s;
  EXPECT_EQ(*ResultCodeOf(s), ResultCode::kTls);
}

TEST_F(TlsSessionTest, UnknownCa) {
  TlsConfig cc = ClientConfig();
  cc.cafile = other_ca_.cert;
  auto client = Client(cc, "aerospike-test");
  auto server = Server(ServerConfig(server_));
  ExpectTlsFailure(Pump(client.get(), server.get()).first, "unknown CA");
}

TEST_F(TlsSessionTest, NameMismatch) {
  auto client = Client(ClientConfig(), "not-this-server");
  auto server = Server(ServerConfig(server_));
  ExpectTlsFailure(Pump(client.get(), server.get()).first, "name mismatch");
}

TEST_F(TlsSessionTest, ExpiredCertificate) {
  PemFiles expired = pki_.MakeLeaf(ca_, "expired", "aerospike-test", {"aerospike-test"}, {},
                                   -10 * 86400, -86400);
  auto client = Client(ClientConfig(), "aerospike-test");
  auto server = Server(ServerConfig(expired));
  ExpectTlsFailure(Pump(client.get(), server.get()).first, "expired");
}

TEST_F(TlsSessionTest, NoCommonProtocol) {
  TlsConfig cc = ClientConfig();
  cc.protocols = "TLSv1.2";
  TlsConfig sc = ServerConfig(server_);
  sc.protocols = "TLSv1.3";
  auto client = Client(cc, "aerospike-test");
  auto server = Server(sc);
  ExpectTlsFailure(Pump(client.get(), server.get()).first, "protocol");
}

TEST_F(TlsSessionTest, ServerWantsAClientCertificate) {
  TlsConfig sc = ServerConfig(server_);
  sc.require_client_cert = true;
  auto client = Client(ClientConfig(), "aerospike-test");
  auto server = Server(sc);
  auto [cs, ss] = Pump(client.get(), server.get());
  EXPECT_FALSE(ss.ok());
  ExpectTlsFailure(cs, "certificate");
}

TEST_F(TlsSessionTest, BlacklistedServerCertificate) {
  PemFiles listed = pki_.MakeLeaf(ca_, "listed", "aerospike-test", {"aerospike-test"}, {}, -3600,
                                  86400, 0xBEEF);
  TlsConfig cc = ClientConfig();
  cc.cert_blacklist = pki_.WriteFile("blacklist.txt", "# revoked\n00BEEF\n");
  auto client = Client(cc, "aerospike-test");
  auto server = Server(ServerConfig(listed));
  ExpectTlsFailure(Pump(client.get(), server.get()).first, "blacklisted");
}

TEST_F(TlsSessionTest, EncryptedKeyNeedsItsPassphrase) {
  PemFiles locked = pki_.MakeLeaf(ca_, "locked", "aerospike-test", {"aerospike-test"}, {}, -3600,
                                  86400, 0, "s3cret");
  TlsConfig sc = ServerConfig(locked);
  EXPECT_FALSE(TlsContext::Create(sc, Role::kServer).ok());
  sc.keyfile_pw = "wrong";
  EXPECT_FALSE(TlsContext::Create(sc, Role::kServer).ok());
  sc.keyfile_pw = "s3cret";
  auto ctx = TlsContext::Create(sc, Role::kServer);
  EXPECT_TRUE(ctx.ok()) << ctx.status();
}

TEST_F(TlsSessionTest, ConfigErrorsNameTheSetting) {
  TlsConfig c = ClientConfig();
  c.cafile = pki_.dir() + "/missing.pem";
  auto r = TlsContext::Create(c, Role::kClient);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cafile"), absl::string_view::npos) << r.status();

  c = ClientConfig();
  c.certfile = server_.cert;
  c.keyfile = client_.key;  // not the certificate's key
  r = TlsContext::Create(c, Role::kClient);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("does not match"), absl::string_view::npos) << r.status();

  c = ClientConfig();
  c.cipher_suite = "NO-SUCH-CIPHER";
  EXPECT_FALSE(TlsContext::Create(c, Role::kClient).ok());

  TlsConfig s;
  EXPECT_FALSE(TlsContext::Create(s, Role::kServer).ok());  // no certificate
}

TEST(TlsProtocols, Parse) {
  using Range = std::pair<int, int>;
  EXPECT_EQ(*ParseProtocols(""), Range(TLS1_2_VERSION, TLS1_3_VERSION));
  EXPECT_EQ(*ParseProtocols("TLSv1.2"), Range(TLS1_2_VERSION, TLS1_2_VERSION));
  EXPECT_EQ(*ParseProtocols("TLSv1.2 TLSv1.3"), Range(TLS1_2_VERSION, TLS1_3_VERSION));
  EXPECT_EQ(*ParseProtocols("all -TLSv1 -TLSv1.1"), Range(TLS1_2_VERSION, TLS1_3_VERSION));
  EXPECT_EQ(*ParseProtocols("TLSv1.2 +TLSv1.3"), Range(TLS1_2_VERSION, TLS1_3_VERSION));
  EXPECT_FALSE(ParseProtocols("SSLv3").ok());
  EXPECT_FALSE(ParseProtocols("TLSv9").ok());
  EXPECT_FALSE(ParseProtocols("TLSv1 TLSv1.3").ok());  // a gap in the range
  EXPECT_FALSE(ParseProtocols("all -TLSv1.2").ok());  // not contiguous
  EXPECT_FALSE(ParseProtocols("-all").ok());
}

}  // namespace
}  // namespace aerospike_py::tls
