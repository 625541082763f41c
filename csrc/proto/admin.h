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

}  // namespace aerospike_py::proto
