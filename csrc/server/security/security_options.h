// What the embedded server's enterprise-like security mode starts with:
// users (with their passwords in clear, hashed at start), roles, the
// session TTL and whether quotas are enforced. Plain data, part of
// ServerOptions; used by server/ and the Python binding.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proto/admin.h"

namespace aerospike_py::server {

struct SeedUser {
  std::string name;
  std::string password;  // hashed with the clients' fixed bcrypt salt at start
  std::vector<std::string> roles;
  // An "external" (LDAP-like) user: LOGIN must carry the clear password,
  // which is checked here in place of an LDAP server.
  bool external = false;
};

struct SeedRole {
  std::string name;
  std::vector<proto::Privilege> privileges;
  std::vector<std::string> whitelist;
  uint32_t read_quota = 0;
  uint32_t write_quota = 0;
};

struct SecurityOptions {
  bool enable = false;
  // Empty: one user "admin" / "admin" with the user-admin role, as a fresh
  // Enterprise server has.
  std::vector<SeedUser> users;
  std::vector<SeedRole> roles;
  // Seconds a session token from LOGIN stays valid.
  uint32_t session_ttl_s = 86400;
  // enable-quotas: roles may carry read/write quotas, enforced per user
  // and per second (QUOTA_EXCEEDED, 83).
  bool enable_quotas = false;
};

}  // namespace aerospike_py::server
