// The admin/security protocol (§13): proto type 2 frames whose body is a
// 16-byte header (scheme, result, command, field count, 12 zero bytes)
// followed by fields laid out like AS_MSG fields. Clients use it to log in
// and authenticate connections; a server without security answers every
// admin request with a bare header (result 52 SECURITY_NOT_ENABLED lets
// clients configured with a user proceed; CE answers 51). Query commands
// answer with several header+fields messages per frame, ended by result 50.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/types/span.h"
#include "common/byte_buffer.h"
#include "common/status.h"
#include "proto/constants.h"

namespace aerospike_py::proto {

inline constexpr size_t kAdminHeaderSize = 16;

namespace admin_command {
inline constexpr uint8_t kAuthenticate = 0;
inline constexpr uint8_t kCreateUser = 1;
inline constexpr uint8_t kDropUser = 2;
inline constexpr uint8_t kSetPassword = 3;
inline constexpr uint8_t kChangePassword = 4;
inline constexpr uint8_t kGrantRoles = 5;
inline constexpr uint8_t kRevokeRoles = 6;
inline constexpr uint8_t kQueryUsers = 9;
inline constexpr uint8_t kCreateRole = 10;
inline constexpr uint8_t kDropRole = 11;
inline constexpr uint8_t kGrantPrivileges = 12;
inline constexpr uint8_t kRevokePrivileges = 13;
inline constexpr uint8_t kSetWhitelist = 14;
inline constexpr uint8_t kSetQuotas = 15;
inline constexpr uint8_t kQueryRoles = 16;
inline constexpr uint8_t kLogin = 20;
}  // namespace admin_command

namespace admin_field {
inline constexpr uint8_t kUser = 0;
inline constexpr uint8_t kPassword = 1;
inline constexpr uint8_t kOldPassword = 2;
inline constexpr uint8_t kCredential = 3;
inline constexpr uint8_t kClearPassword = 4;
inline constexpr uint8_t kSessionToken = 5;
inline constexpr uint8_t kSessionTtl = 6;
inline constexpr uint8_t kRoles = 10;
inline constexpr uint8_t kRole = 11;
inline constexpr uint8_t kPrivileges = 12;
inline constexpr uint8_t kWhitelist = 13;
inline constexpr uint8_t kReadQuota = 14;
inline constexpr uint8_t kWriteQuota = 15;
inline constexpr uint8_t kReadInfo = 16;
inline constexpr uint8_t kWriteInfo = 17;
inline constexpr uint8_t kConnections = 18;
}  // namespace admin_field

struct AdminHeader {
  uint8_t scheme = 0;
  uint8_t result = 0;
  uint8_t command = 0;
  uint8_t n_fields = 0;
  bool operator==(const AdminHeader&) const = default;
};

// Appends one complete type-2 frame holding one admin message.
class AdminWriter {
 public:
  AdminWriter(ByteBuffer* out, uint8_t command, uint8_t result = 0);
  void AddField(uint8_t id, ByteSpan data);
  void AddField(uint8_t id, std::string_view data) { AddField(id, AsBytes(data)); }
  void AddU32Field(uint8_t id, uint32_t value);
  // Patches the frame size and field count; returns the frame length.
  size_t Finish();

 private:
  ByteBuffer* out_;
  size_t frame_start_;
  uint8_t n_fields_ = 0;
};

struct AdminMessageView {
  AdminHeader header;
  ByteSpan fields;  // n_fields fields (walk them with FieldIterator)
  size_t size = 0;  // bytes this message occupies, header included
  std::optional<ByteSpan> FindField(uint8_t id) const;
};

// Parses the admin message at the start of `bytes` (a type-2 body); query
// answers hold several back to back. Every field size is checked.
StatusOr<AdminMessageView> ParseAdminMessage(ByteSpan bytes);

// A bare answer: header only, with the given result (e.g. 52, 51, 0).
ByteBuffer EncodeAdminReply(uint8_t result);

// LOGIN with the bcrypt hash of the password (internal authentication).
ByteBuffer EncodeLoginRequest(std::string_view user, std::string_view credential);
// AUTHENTICATE a new connection with the session token from LOGIN.
ByteBuffer EncodeAuthenticateRequest(std::string_view user, ByteSpan session_token);

struct LoginReply {
  uint8_t result = 0;
  std::string session_token;               // empty unless result 0
  std::optional<uint32_t> session_ttl;     // seconds
};
// Parses the body of a LOGIN answer. A non-zero result is data (52 means
// "security not enabled": proceed without authentication).
StatusOr<LoginReply> ParseLoginReply(ByteSpan body);

// ---------------------------------------------------------------------------
// Users, roles and privileges (the admin API, and the embedded server).

// Privilege codes (the wire's u8). Codes below kRead are global only: they
// carry no namespace/set on the wire.
namespace privilege {
inline constexpr uint8_t kUserAdmin = 0;
inline constexpr uint8_t kSysAdmin = 1;
inline constexpr uint8_t kDataAdmin = 2;
inline constexpr uint8_t kUdfAdmin = 3;
inline constexpr uint8_t kSindexAdmin = 4;
inline constexpr uint8_t kRead = 10;
inline constexpr uint8_t kReadWrite = 11;
inline constexpr uint8_t kReadWriteUdf = 12;
inline constexpr uint8_t kWrite = 13;
inline constexpr uint8_t kTruncate = 14;
}  // namespace privilege

// The predefined role of a privilege code ("read-write"), or "" for an
// unknown code.
std::string_view PrivilegeName(uint8_t code);
// The code of a predefined role name; nullopt when it is not one.
std::optional<uint8_t> PrivilegeCodeOf(std::string_view name);
// Whether a privilege of this code may be scoped to a namespace/set.
inline bool PrivilegeTakesScope(uint8_t code) { return code >= privilege::kRead; }

struct Privilege {
  uint8_t code = 0;
  std::string ns;   // empty: every namespace
  std::string set;  // empty: every set (needs ns)
  bool operator==(const Privilege&) const = default;
};

struct AdminUser {
  std::string name;
  std::vector<std::string> roles;
  // Usage the server reports: [quota, single-record TPS, scan/query RPS,
  // limitless scans/queries] for reads and for writes (may be empty).
  std::vector<uint32_t> read_info;
  std::vector<uint32_t> write_info;
  uint32_t conns_in_use = 0;
};

struct AdminRole {
  std::string name;
  std::vector<Privilege> privileges;
  std::vector<std::string> whitelist;
  uint32_t read_quota = 0;
  uint32_t write_quota = 0;
};

// Field writers. Names and roles are at most 255 bytes each on the wire
// (u8 lengths): longer ones, or more than 255 of them, are InvalidArgument,
// as is a namespace/set on a global privilege.
Status AddRolesField(AdminWriter* w, absl::Span<const std::string> roles);
Status AddPrivilegesField(AdminWriter* w, absl::Span<const Privilege> privileges);
void AddWhitelistField(AdminWriter* w, absl::Span<const std::string> whitelist);

// Field readers (the server reads requests with these). Every length is
// checked against the field.
StatusOr<std::vector<std::string>> ParseRolesField(ByteSpan data);
StatusOr<std::vector<Privilege>> ParsePrivilegesField(ByteSpan data);
std::vector<std::string> ParseWhitelistField(ByteSpan data);
StatusOr<std::vector<uint32_t>> ParseInfoField(ByteSpan data);

// How a client logs in (config auth_mode): internal (user + bcrypt
// credential), external (LDAP: the clear password too, over TLS only) or PKI
// (the TLS client certificate names the user; no fields).
enum class AuthMode : uint8_t { kInternal = 0, kExternal = 1, kPki = 2 };

// LOGIN for `mode`; AUTHENTICATE with the session token (PKI: no user).
ByteBuffer EncodeLogin(AuthMode mode, std::string_view user, std::string_view credential,
                       std::string_view clear_password);
ByteBuffer EncodeAuthenticate(AuthMode mode, std::string_view user, ByteSpan session_token);

// Reads the messages of one answer frame of QUERY_USERS / QUERY_ROLES into
// `out`. Returns true when the stream ended (a message with result 50, or
// any other non-zero result, which is then in `*result`); false when more
// frames follow. Malformed bytes are DataLoss.
StatusOr<bool> ParseUsersBlock(ByteSpan body, std::vector<AdminUser>* out, uint8_t* result);
StatusOr<bool> ParseRolesBlock(ByteSpan body, std::vector<AdminRole>* out, uint8_t* result);

// Server side: one message (a whole type-2 frame) per user/role.
void AppendUserMessage(ByteBuffer* out, const AdminUser& user);
void AppendRoleMessage(ByteBuffer* out, const AdminRole& role);

}  // namespace aerospike_py::proto
