// Security: the embedded server's enterprise-like security mode (users,
// roles, privileges scoped to namespace/set, whitelists, quotas, session
// tokens) and the admin protocol (§13) that manages it. The Processor asks
// it whether a connection may run a command and hands it every admin
// frame; answers and refusals use the result codes the Enterprise server
// uses (80 not authenticated, 81 role violation, 82 not whitelisted, 83
// quota exceeded, 60-75 for admin commands). With security off the server
// keeps answering admin frames with 52 and never asks this class.
// Event thread only (built on the starting thread).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/byte_buffer.h"
#include "common/status.h"
#include "proto/admin.h"
#include "server/security/security_options.h"

namespace aerospike_py::server {

// Who is on the other end of one server connection, and the protocol state
// the server keeps for it (in its file handle).
struct ClientSession {
  int node = 0;          // the node the connection reached
  std::string peer_ip;   // numeric, for whitelists
  std::string cert_cn;   // the TLS client certificate's common name (PKI)
  bool authenticated = false;
  std::string user;
  bool user_agent_set = false;  // `user-agent-set` is honoured once per connection
};

namespace security {

class Security {
 public:
  // Hashes the seed users' passwords (bcrypt: slow, call off the event
  // thread). InvalidArgument for roles or privileges that make no sense.
  static StatusOr<std::unique_ptr<Security>> Create(const SecurityOptions& options);

  // An admin request body (type 2) from `session`; appends the answer
  // frame(s) to `out`. `now_ns`: Unix time.
  void HandleAdmin(ClientSession* session, ByteSpan body, ByteBuffer* out, uint64_t now_ns);

  // 0 when the connection may run commands, else 80 (not authenticated,
  // or its user was dropped).
  uint8_t CheckAuthenticated(const ClientSession* session) const;
  // 0, or the code refusing a data command needing `perm` on ns/set: 80,
  // 81 (role violation) or 83 (quota exceeded; counts the command
  // otherwise, as a read or a write).
  uint8_t CheckData(const ClientSession* session, std::string_view ns, std::string_view set,
                    uint64_t perm, bool is_write, uint64_t now_ns);
  // 0, or 80/81 for an info command (`*perm` says which permission failed).
  uint8_t CheckInfo(const ClientSession* session, std::string_view name, uint64_t* perm) const;
  // The connection closed: it no longer counts as one of its user's.
  void Closed(ClientSession* session);

  bool quotas_enabled() const { return quotas_enabled_; }
  // Successful LOGINs a node answered (a test hook: the `logins` info
  // command of the embedded server).
  uint64_t logins(int node) const {
    auto it = logins_.find(node);
    return it == logins_.end() ? 0 : it->second;
  }

 private:
  struct Usage {
    uint64_t second = 0;
    uint32_t reads = 0, writes = 0;       // this second
    uint32_t read_tps = 0, write_tps = 0; // the last full second
  };
  struct User {
    std::string name;
    std::string credential;  // bcrypt with the clients' salt
    std::string clear_password;  // external users only
    bool external = false;
    std::vector<std::string> roles;
    uint32_t conns = 0;
    Usage usage;
  };
  struct Role {
    std::string name;
    bool predefined = false;
    std::vector<proto::Privilege> privileges;
    std::vector<std::string> whitelist;
    uint32_t read_quota = 0;
    uint32_t write_quota = 0;
  };
  struct Session {
    std::string user;
    uint64_t expires_ns = 0;
  };

  explicit Security(const SecurityOptions& options);

  // Admin commands; each returns the result code of a bare answer (0 ok),
  // or appends its own answer (queries) and returns -1.
  int Login(ClientSession* s, const proto::AdminMessageView& m, ByteBuffer* out, uint64_t now_ns);
  int Authenticate(ClientSession* s, const proto::AdminMessageView& m, uint64_t now_ns);
  int CreateUser(const proto::AdminMessageView& m);
  int DropUser(const proto::AdminMessageView& m);
  int SetPassword(const ClientSession* s, const proto::AdminMessageView& m, bool change);
  int ChangeRoles(const proto::AdminMessageView& m, bool grant);
  int CreateRole(const proto::AdminMessageView& m);
  int DropRole(const proto::AdminMessageView& m);
  int ChangePrivileges(const proto::AdminMessageView& m, bool grant);
  int SetWhitelist(const proto::AdminMessageView& m);
  int SetQuotas(const proto::AdminMessageView& m);
  int QueryUsers(const ClientSession* s, const proto::AdminMessageView& m, ByteBuffer* out);
  int QueryRoles(const proto::AdminMessageView& m, ByteBuffer* out);

  void Admit(ClientSession* s, User* user);
  bool Whitelisted(const User& user, const std::string& ip) const;
  bool HasPerm(const User& user, uint64_t perm, std::string_view ns, std::string_view set) const;
  User* FindUser(std::string_view name);
  const User* FindUser(std::string_view name) const;
  Role* FindRole(std::string_view name);
  // Checks a privilege list a request carries: 72 for unknown codes or a
  // scope on a global privilege, else 0.
  static int CheckPrivileges(const std::vector<proto::Privilege>& privileges);
  proto::AdminUser Describe(const User& u) const;
  proto::AdminRole Describe(const Role& r) const;

  std::map<std::string, User, std::less<>> users_;
  std::map<std::string, Role, std::less<>> roles_;
  std::map<std::string, Session, std::less<>> sessions_;  // by token
  uint32_t session_ttl_s_;
  bool quotas_enabled_;
  std::map<int, uint64_t> logins_;
};

// Whether `entry` ("10.1.2.3", "10.0.0.0/8", "::1", "fd00::/8") is a
// valid whitelist entry, and whether `ip` matches it.
bool ValidWhitelistEntry(std::string_view entry);
bool WhitelistMatches(std::string_view entry, std::string_view ip);

}  // namespace security
}  // namespace aerospike_py::server
