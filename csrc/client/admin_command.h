// AdminCommand: one user/role administration request (the admin API,
// wire protocol §13) and its outcome. The bridge fills the inputs from
// Python; AdminExecution (client/admin_execution.h) hashes any password off
// the event thread, sends the request to a random node over an
// authenticated connection and parses the answer. A command never holds a
// Python object; it may be destroyed on any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "client/command.h"
#include "proto/admin.h"

namespace aerospike_py::client {

class AdminCommand : public Command {
 public:
  AdminCommand() : Command(CommandKind::kAdmin) {}
  ~AdminCommand() override;

  // --- inputs ---
  uint8_t admin_command = 0;  // proto::admin_command::k*
  std::string user;
  std::string role;
  // In clear until the execution hashes it (create_user, change_password);
  // wiped as soon as the hash is known.
  std::string password;
  std::vector<std::string> roles;
  std::vector<proto::Privilege> privileges;
  bool has_whitelist = false;
  std::vector<std::string> whitelist;
  bool has_read_quota = false;
  bool has_write_quota = false;
  uint32_t read_quota = 0;
  uint32_t write_quota = 0;
  uint32_t timeout_ms = 0;  // 0: 60 s, as the official clients

  // --- outputs ---
  // `result` (Command::result) is the server's answer code: 0, or e.g. 60
  // INVALID_USER, 81 ROLE_VIOLATION; queries end with 0 too.
  std::vector<proto::AdminUser> users;       // kQueryUsers
  std::vector<proto::AdminRole> roles_found;  // kQueryRoles
};

}  // namespace aerospike_py::client
