// Permissions of the embedded server's security mode: the server's
// permission bits (as_sec_perm in the server's security.h), what each
// privilege code grants, and whether a privilege's namespace/set scope
// covers a command. Pure functions; used by server/security only.
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/admin.h"

namespace aerospike_py::server::security {

enum Perm : uint64_t {
  kPermNone = 0,
  kPermRead = 0x0001,
  kPermQuery = 0x0002,
  kPermWrite = 0x0004,
  kPermDelete = 0x0008,
  kPermUdfApply = 0x0010,
  kPermUdfQuery = 0x0020,
  kPermOpsQuery = 0x0040,
  kPermUdfAdmin = 0x00010000,
  kPermSindexAdmin = 0x00020000,
  kPermQueryAdmin = 0x00040000,
  kPermTruncate = 0x00080000,
  kPermEvictAdmin = 0x00100000,
  kPermRecordInfo = 0x00200000,
  kPermSetConfig = 0x01000000,
  kPermLoggingCtrl = 0x02000000,
  kPermServiceCtrl = 0x04000000,
  kPermXdrSetFilter = 0x08000000,
  kPermUserAdmin = 0x100000000000,
};

// The permissions a privilege code grants (0 for an unknown code).
uint64_t PermsOf(uint8_t privilege_code);

// The name the server's info errors use ("read", "truncate", ...).
std::string_view PermName(uint64_t perm);

// Whether a privilege scoped to (ns, set) ("" = any) covers a command on
// namespace `cmd_ns` and set `cmd_set`.
bool ScopeCovers(const proto::Privilege& p, std::string_view cmd_ns, std::string_view cmd_set);

// The permission an info command needs (kPermNone: any authenticated user).
uint64_t InfoCommandPerm(std::string_view name);

}  // namespace aerospike_py::server::security
