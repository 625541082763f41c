// The TLS record path after the handshake (CheckTlsRecords) and the admin
// reply parsers (CheckAdminReply): see checks.h.
#include <cstdio>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/strings/str_cat.h"
#include "checks.h"
#include "io/authenticator.h"
#include "proto/admin.h"
#include "proto/frame_reader.h"
#include "test_certs.h"
#include "tls/tls_context.h"
#include "tls/tls_session.h"

namespace aerospike_py::fuzz {
namespace {

// One CA and server certificate for the whole process (made once; the
// directory lives as long as the process).
struct Contexts {
  std::unique_ptr<testing::TestPki> pki;
  std::shared_ptr<tls::TlsContext> client, server;
};

const Contexts& Shared() {
  static Contexts* c = [] {
    auto* out = new Contexts;
    out->pki = std::make_unique<testing::TestPki>();
    testing::PemFiles ca = out->pki->MakeCa("fuzz");
    testing::PemFiles cert = out->pki->MakeLeaf(ca, "fuzz-server", "aerospike-test",
                                                {"aerospike-test"}, {});
    tls::TlsConfig cc;
    cc.enable = true;
    cc.cafile = ca.cert;
    tls::TlsConfig sc = cc;
    sc.certfile = cert.cert;
    sc.keyfile = cert.key;
    out->client = *tls::TlsContext::Create(cc, tls::Role::kClient);
    out->server = *tls::TlsContext::Create(sc, tls::Role::kServer);
    return out;
  }();
  return *c;
}

// A client and a server session with the handshake done in memory.
bool Establish(std::unique_ptr<tls::TlsSession>* client, std::unique_ptr<tls::TlsSession>* server) {
  const Contexts& c = Shared();
  *client = std::move(*tls::TlsSession::Create(c.client, "aerospike-test"));
  *server = std::move(*tls::TlsSession::Create(c.server, ""));
  ByteBuffer to_server, to_client, plain;
  if (!(*client)->Handshake({}, &to_server).ok()) return false;
  for (int round = 0; round < 10 && !((*client)->established() && (*server)->established());
       ++round) {
    StatusOr<bool> s = (*server)->Handshake(to_server.span(), &to_client);
    to_server.Clear();
    if (!s.ok()) return false;
    StatusOr<bool> r = (*client)->Handshake(to_client.span(), &to_server);
    to_client.Clear();
    if (!r.ok()) return false;
  }
  // The server's session tickets (TLSv1.3) come after; let the client read them.
  (*server)->Handshake(to_server.span(), &to_client).IgnoreError();
  if (!to_client.empty() && !(*client)->Open(to_client.span(), &plain, &to_server).ok()) {
    return false;
  }
  return (*client)->established() && (*server)->established() && plain.empty();
}

// Cut points derived from the input itself.
std::vector<size_t> Splits(ByteSpan data) {
  std::vector<size_t> cuts;
  size_t pos = 0;
  for (size_t i = 0; i < data.size() && pos < data.size(); ++i) {
    pos += 1 + (data[i] % 97);
    if (pos < data.size()) cuts.push_back(pos);
  }
  return cuts;
}

}  // namespace

std::string CheckTlsRecords(ByteSpan data) {
  // One established pair serves every input of part 1 (each input's
  // records are consumed whole, so the stream stays in step); a handshake
  // costs far more than the records, and only part 2 needs a fresh one.
  static std::unique_ptr<tls::TlsSession> client, server;
  if (client == nullptr && !Establish(&client, &server)) return "the in-memory handshake failed";

  // 1. The input as plaintext the server sends: sealed into records, fed to
  // the client in input-derived pieces, it must come out unchanged, and
  // the frame reader must see the same frames as when fed the plaintext
  // directly.
  ByteBuffer cipher, plain, answer;
  const ByteSpan parts[] = {data};
  if (!server->Seal(parts, &cipher).ok()) return "sealing failed";
  size_t at = 0;
  for (size_t cut : Splits(cipher.span())) {
    if (!client->Open(cipher.span().subspan(at, cut - at), &plain, &answer).ok()) {
      return "opening well-formed records failed";
    }
    at = cut;
  }
  if (!client->Open(cipher.span().subspan(at), &plain, &answer).ok()) {
    return "opening the last record failed";
  }
  if (plain.view() != AsChars(data)) return "records did not give back their plaintext";
  proto::FrameReader direct, opened;
  std::vector<proto::Frame> a, b;
  const Status sa = direct.Feed(data, &a);
  const Status sb = opened.Feed(plain.span(), &b);
  if (sa.ok() != sb.ok() || a.size() != b.size()) return "frames differ after TLS";

  // 2. The input as ciphertext from a hostile peer, after the handshake:
  // an error or plaintext, never a crash; after an error the session keeps
  // failing cleanly. Only for inputs that start like a TLS record (content
  // type 20..23): each needs a fresh handshake.
  if (data.empty() || data[0] < 20 || data[0] > 23) return "";
  std::unique_ptr<tls::TlsSession> c2, s2;
  if (!Establish(&c2, &s2)) return "the second in-memory handshake failed";
  ByteBuffer junk_plain, junk_answer;
  at = 0;
  bool failed = false;
  for (size_t cut : Splits(data)) {
    Status st = c2->Open(data.subspan(at, cut - at), &junk_plain, &junk_answer);
    at = cut;
    if (!st.ok()) {
      failed = true;
      break;
    }
  }
  if (!failed) failed = !c2->Open(data.subspan(at), &junk_plain, &junk_answer).ok();
  // More input after a failure must be handled (refused) without a crash.
  if (failed) c2->Open(data, &junk_plain, &junk_answer).IgnoreError();
  proto::FrameReader reader;
  std::vector<proto::Frame> frames;
  reader.Feed(junk_plain.span(), &frames).IgnoreError();
  return "";
}

std::string CheckAdminReply(ByteSpan data) {
  // Query answers: what parses re-encodes (as the server writes it) to
  // bytes that parse to the same users/roles.
  std::vector<proto::AdminUser> users;
  uint8_t result = 0;
  StatusOr<bool> u = proto::ParseUsersBlock(data, &users, &result);
  if (u.ok()) {
    ByteBuffer again;
    for (const proto::AdminUser& user : users) {
      if (user.roles.size() > 255 || user.read_info.size() > 255 || user.write_info.size() > 255) {
        return "a parsed user holds more than 255 items";
      }
      proto::AppendUserMessage(&again, user);
    }
    std::vector<proto::AdminUser> back;
    uint8_t r2 = 0;
    // AppendUserMessage writes whole frames: parse each frame's body.
    proto::FrameReader reader;
    std::vector<proto::Frame> frames;
    if (!reader.Feed(again.span(), &frames).ok()) return "re-encoded users are not frames";
    for (const proto::Frame& f : frames) {
      StatusOr<bool> d = proto::ParseUsersBlock(f.body(), &back, &r2);
      if (!d.ok() || *d) return "re-encoded users do not parse";
    }
    if (back.size() != users.size()) return "user count changed";
    for (size_t i = 0; i < users.size(); ++i) {
      if (back[i].name != users[i].name || back[i].roles != users[i].roles ||
          back[i].read_info != users[i].read_info || back[i].write_info != users[i].write_info ||
          back[i].conns_in_use != users[i].conns_in_use) {
        // An unnamed user without roles is dropped by the parser; others must survive.
        if (!(users[i].name.empty())) return "a user changed through re-encoding";
      }
    }
  }
  std::vector<proto::AdminRole> roles;
  StatusOr<bool> r = proto::ParseRolesBlock(data, &roles, &result);
  if (r.ok()) {
    for (const proto::AdminRole& role : roles) {
      ByteBuffer again;
      proto::AppendRoleMessage(&again, role);
      proto::FrameReader reader;
      std::vector<proto::Frame> frames;
      if (!reader.Feed(again.span(), &frames).ok() || frames.size() != 1) {
        return "a re-encoded role is not one frame";
      }
      std::vector<proto::AdminRole> back;
      uint8_t r2 = 0;
      StatusOr<bool> d = proto::ParseRolesBlock(frames[0].body(), &back, &r2);
      if (!d.ok() || *d || back.size() != 1) return "a re-encoded role does not parse";
      if (back[0].name != role.name || back[0].privileges != role.privileges ||
          back[0].whitelist != role.whitelist || back[0].read_quota != role.read_quota ||
          back[0].write_quota != role.write_quota) {
        return "a role changed through re-encoding";
      }
    }
  }
  // The login answer parsers: the proto one and the Authenticator's (both
  // request kinds), which must fail cleanly or decide.
  proto::ParseLoginReply(data).IgnoreError();
  io::Credentials creds;
  creds.user = "fuzz";
  creds.credential = "$2a$10$7EqJtq98hPqEX7fNZaFWoO";
  io::Authenticator auth(std::move(creds));
  for (bool was_login : {true, false}) {
    StatusOr<io::Authenticator::Next> next = auth.OnAnswer("peer", was_login, data, 0);
    if (next.ok() && *next == io::Authenticator::Next::kLogin && was_login) {
      return "a LOGIN answer asked for another LOGIN";
    }
  }
  return "";
}

}  // namespace aerospike_py::fuzz
