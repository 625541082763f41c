#include "server/security/security.h"

#include <arpa/inet.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/bcrypt.h"
#include "common/byte_order.h"
#include "common/result_code.h"
#include "proto/headers.h"
#include "server/security/permissions.h"

namespace aerospike_py::server::security {
namespace {

namespace cmd = proto::admin_command;
namespace fld = proto::admin_field;

constexpr size_t kMaxUserName = 63;  // the server's MAX_USER_SIZE - 1
constexpr size_t kMaxRoleName = 63;
constexpr int kAnswered = -1;

int Code(ResultCode c) { return ToInt(c); }

std::string FieldText(const proto::AdminMessageView& m, uint8_t id) {
  std::optional<ByteSpan> f = m.FindField(id);
  return f ? std::string(AsChars(*f)) : std::string();
}

bool ParseAddress(std::string_view text, uint8_t out[16], int* family) {
  const std::string s(text);
  if (inet_pton(AF_INET, s.c_str(), out) == 1) {
    *family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), out) == 1) {
    *family = AF_INET6;
    return true;
  }
  return false;
}

}  // namespace

bool ValidWhitelistEntry(std::string_view entry) {
  const size_t slash = entry.find('/');
  uint8_t addr[16];
  int family;
  if (!ParseAddress(entry.substr(0, slash), addr, &family)) return false;
  if (slash == std::string_view::npos) return true;
  int bits = 0;
  if (!absl::SimpleAtoi(AbslView(entry.substr(slash + 1)), &bits)) return false;
  return bits >= 0 && bits <= (family == AF_INET ? 32 : 128);
}

bool WhitelistMatches(std::string_view entry, std::string_view ip) {
  const size_t slash = entry.find('/');
  uint8_t want[16], have[16];
  int fw, fh;
  if (!ParseAddress(entry.substr(0, slash), want, &fw) || !ParseAddress(ip, have, &fh) ||
      fw != fh) {
    return false;
  }
  const int total = fw == AF_INET ? 32 : 128;
  int bits = total;
  if (slash != std::string_view::npos &&
      !absl::SimpleAtoi(AbslView(entry.substr(slash + 1)), &bits)) {
    return false;
  }
  for (int i = 0; i < bits; ++i) {
    const uint8_t mask = static_cast<uint8_t>(0x80 >> (i % 8));
    if ((want[i / 8] & mask) != (have[i / 8] & mask)) return false;
  }
  return true;
}

StatusOr<std::unique_ptr<Security>> Security::Create(const SecurityOptions& options) {
  std::unique_ptr<Security> s(new Security(options));
  for (const SeedRole& r : options.roles) {
    if (r.name.empty() || r.name.size() > kMaxRoleName || s->FindRole(r.name) != nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("security: bad or duplicate role '", r.name, "'"));
    }
    if (CheckPrivileges(r.privileges) != 0) {
      return absl::InvalidArgumentError(absl::StrCat("security: role '", r.name,
                                                     "' has an invalid privilege"));
    }
    for (const std::string& w : r.whitelist) {
      if (!ValidWhitelistEntry(w)) {
        return absl::InvalidArgumentError(absl::StrCat("security: role '", r.name,
                                                       "': bad whitelist entry '", w, "'"));
      }
    }
    Role role;
    role.name = r.name;
    role.privileges = r.privileges;
    role.whitelist = r.whitelist;
    role.read_quota = r.read_quota;
    role.write_quota = r.write_quota;
    s->roles_.emplace(r.name, std::move(role));
  }
  std::vector<SeedUser> users = options.users;
  if (users.empty()) users.push_back(SeedUser{"admin", "admin", {"user-admin"}, false});
  for (const SeedUser& u : users) {
    if (u.name.empty() || u.name.size() > kMaxUserName || s->FindUser(u.name) != nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("security: bad or duplicate user '", u.name, "'"));
    }
    User user;
    user.name = u.name;
    user.external = u.external;
    if (u.external) {
      user.clear_password = u.password;
    } else {
      user.credential = AerospikePasswordHash(u.password);
    }
    for (const std::string& role : u.roles) {
      if (s->FindRole(role) == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat("security: user '", u.name,
                                                       "' has unknown role '", role, "'"));
      }
      user.roles.push_back(role);
    }
    s->users_.emplace(u.name, std::move(user));
  }
  return s;
}

Security::Security(const SecurityOptions& options)
    : session_ttl_s_(options.session_ttl_s == 0 ? 86400 : options.session_ttl_s),
      quotas_enabled_(options.enable_quotas) {
  for (uint8_t code : {proto::privilege::kUserAdmin, proto::privilege::kSysAdmin,
                       proto::privilege::kDataAdmin, proto::privilege::kUdfAdmin,
                       proto::privilege::kSindexAdmin, proto::privilege::kRead,
                       proto::privilege::kReadWrite, proto::privilege::kReadWriteUdf,
                       proto::privilege::kWrite, proto::privilege::kTruncate}) {
    Role role;
    role.name = std::string(proto::PrivilegeName(code));
    role.predefined = true;
    role.privileges.push_back(proto::Privilege{code, "", ""});
    roles_.emplace(role.name, std::move(role));
  }
}

Security::User* Security::FindUser(std::string_view name) {
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : &it->second;
}

const Security::User* Security::FindUser(std::string_view name) const {
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : &it->second;
}

Security::Role* Security::FindRole(std::string_view name) {
  auto it = roles_.find(name);
  return it == roles_.end() ? nullptr : &it->second;
}

int Security::CheckPrivileges(const std::vector<proto::Privilege>& privileges) {
  for (const proto::Privilege& p : privileges) {
    if (PermsOf(p.code) == 0) return Code(ResultCode::kInvalidPrivilege);
    if (!proto::PrivilegeTakesScope(p.code) && (!p.ns.empty() || !p.set.empty())) {
      return Code(ResultCode::kInvalidPrivilege);
    }
    if (p.ns.empty() && !p.set.empty()) return Code(ResultCode::kInvalidPrivilege);
  }
  return 0;
}

bool Security::HasPerm(const User& user, uint64_t perm, std::string_view ns,
                       std::string_view set) const {
  // Every permission bit asked for must be granted by some privilege whose
  // scope covers the command.
  for (uint64_t bit = 1; bit != 0 && bit <= perm; bit <<= 1) {
    if (!(perm & bit)) continue;
    bool granted = false;
    for (const std::string& role_name : user.roles) {
      auto it = roles_.find(role_name);
      if (it == roles_.end()) continue;
      for (const proto::Privilege& p : it->second.privileges) {
        if ((PermsOf(p.code) & bit) && ScopeCovers(p, ns, set)) {
          granted = true;
          break;
        }
      }
      if (granted) break;
    }
    if (!granted) return false;
  }
  return true;
}

bool Security::Whitelisted(const User& user, const std::string& ip) const {
  bool restricted = false;
  for (const std::string& role_name : user.roles) {
    auto it = roles_.find(role_name);
    if (it == roles_.end()) continue;
    for (const std::string& entry : it->second.whitelist) {
      restricted = true;
      if (WhitelistMatches(entry, ip)) return true;
    }
  }
  return !restricted;
}

void Security::Admit(ClientSession* s, User* user) {
  if (s->authenticated) {
    if (User* previous = FindUser(s->user)) --previous->conns;
  }
  s->authenticated = true;
  s->user = user->name;
  ++user->conns;
}

void Security::Closed(ClientSession* s) {
  if (!s->authenticated) return;
  if (User* u = FindUser(s->user)) --u->conns;
  s->authenticated = false;
}

uint8_t Security::CheckAuthenticated(const ClientSession* s) const {
  if (s == nullptr || !s->authenticated || FindUser(s->user) == nullptr) {
    return static_cast<uint8_t>(Code(ResultCode::kNotAuthenticated));
  }
  return 0;
}

uint8_t Security::CheckData(const ClientSession* s, std::string_view ns, std::string_view set,
                            uint64_t perm, bool is_write, uint64_t now_ns) {
  if (uint8_t rc = CheckAuthenticated(s)) return rc;
  User* user = FindUser(s->user);
  if (!HasPerm(*user, perm, ns, set)) {
    return static_cast<uint8_t>(Code(ResultCode::kRoleViolation));
  }
  // Quotas: records per second per user, the highest quota among its roles.
  Usage& u = user->usage;
  const uint64_t second = now_ns / 1000000000ull;
  if (second != u.second) {
    u.read_tps = second == u.second + 1 ? u.reads : 0;
    u.write_tps = second == u.second + 1 ? u.writes : 0;
    u.second = second;
    u.reads = u.writes = 0;
  }
  if (quotas_enabled_) {
    uint32_t limit = 0;
    for (const std::string& role_name : user->roles) {
      auto it = roles_.find(role_name);
      if (it == roles_.end()) continue;
      limit = std::max(limit, is_write ? it->second.write_quota : it->second.read_quota);
    }
    const uint32_t used = is_write ? u.writes : u.reads;
    if (limit != 0 && used >= limit) return static_cast<uint8_t>(Code(ResultCode::kQuotaExceeded));
  }
  (is_write ? u.writes : u.reads) += 1;
  return 0;
}

uint8_t Security::CheckInfo(const ClientSession* s, std::string_view name, uint64_t* perm) const {
  *perm = kPermNone;
  if (uint8_t rc = CheckAuthenticated(s)) return rc;
  const uint64_t need = InfoCommandPerm(name);
  if (need == kPermNone) return 0;
  if (!HasPerm(*FindUser(s->user), need, "", "")) {
    *perm = need;
    return static_cast<uint8_t>(Code(ResultCode::kRoleViolation));
  }
  return 0;
}

void Security::HandleAdmin(ClientSession* s, ByteSpan body, ByteBuffer* out, uint64_t now_ns) {
  int rc = 0;
  StatusOr<proto::AdminMessageView> parsed = proto::ParseAdminMessage(body);
  if (!parsed.ok() || parsed->size != body.size()) {
    rc = Code(ResultCode::kInvalidField);
  } else {
    const proto::AdminMessageView& m = *parsed;
    const uint8_t command = m.header.command;
    const bool authenticated = CheckAuthenticated(s) == 0;
    const User* me = authenticated ? FindUser(s->user) : nullptr;
    const bool user_admin = me != nullptr && HasPerm(*me, kPermUserAdmin, "", "");
    // What a user may do for itself without user-admin.
    const bool self = me != nullptr && FieldText(m, fld::kUser) == me->name;
    if (m.header.scheme != 0) {
      rc = Code(ResultCode::kSecuritySchemeNotSupported);
    } else if (command == cmd::kLogin) {
      rc = Login(s, m, out, now_ns);
    } else if (command == cmd::kAuthenticate) {
      rc = Authenticate(s, m, now_ns);
    } else if (!authenticated) {
      rc = Code(ResultCode::kNotAuthenticated);
    } else {
      switch (command) {
        case cmd::kChangePassword:
          rc = self || user_admin ? SetPassword(s, m, true) : Code(ResultCode::kRoleViolation);
          break;
        case cmd::kQueryUsers:
          rc = user_admin || (self && m.header.n_fields == 1) ? QueryUsers(s, m, out)
                                                               : Code(ResultCode::kRoleViolation);
          break;
        case cmd::kCreateUser:
        case cmd::kDropUser:
        case cmd::kSetPassword:
        case cmd::kGrantRoles:
        case cmd::kRevokeRoles:
        case cmd::kCreateRole:
        case cmd::kDropRole:
        case cmd::kGrantPrivileges:
        case cmd::kRevokePrivileges:
        case cmd::kSetWhitelist:
        case cmd::kSetQuotas:
        case cmd::kQueryRoles:
          if (!user_admin) {
            rc = Code(ResultCode::kRoleViolation);
            break;
          }
          switch (command) {
            case cmd::kCreateUser: rc = CreateUser(m); break;
            case cmd::kDropUser: rc = DropUser(m); break;
            case cmd::kSetPassword: rc = SetPassword(s, m, false); break;
            case cmd::kGrantRoles: rc = ChangeRoles(m, true); break;
            case cmd::kRevokeRoles: rc = ChangeRoles(m, false); break;
            case cmd::kCreateRole: rc = CreateRole(m); break;
            case cmd::kDropRole: rc = DropRole(m); break;
            case cmd::kGrantPrivileges: rc = ChangePrivileges(m, true); break;
            case cmd::kRevokePrivileges: rc = ChangePrivileges(m, false); break;
            case cmd::kSetWhitelist: rc = SetWhitelist(m); break;
            case cmd::kSetQuotas: rc = SetQuotas(m); break;
            default: rc = QueryRoles(m, out); break;
          }
          break;
        default:
          rc = Code(ResultCode::kInvalidCommand);
          break;
      }
    }
  }
  if (rc == kAnswered) return;
  proto::AdminWriter(out, 0, static_cast<uint8_t>(rc)).Finish();
}

int Security::Login(ClientSession* s, const proto::AdminMessageView& m, ByteBuffer* out,
                    uint64_t now_ns) {
  std::optional<ByteSpan> name = m.FindField(fld::kUser);
  User* user = nullptr;
  if (!name) {
    // PKI: the client certificate names the user.
    if (s->cert_cn.empty()) return Code(ResultCode::kInvalidCredential);
    user = FindUser(s->cert_cn);
    if (user == nullptr) return Code(ResultCode::kInvalidUser);
  } else {
    user = FindUser(AsChars(*name));
    if (user == nullptr) return Code(ResultCode::kInvalidUser);
    if (user->external) {
      std::optional<ByteSpan> clear = m.FindField(fld::kClearPassword);
      if (!clear || AsChars(*clear) != user->clear_password) {
        return Code(ResultCode::kInvalidCredential);
      }
    } else {
      std::optional<ByteSpan> credential = m.FindField(fld::kCredential);
      if (!credential) return Code(ResultCode::kInvalidField);
      if (AsChars(*credential) != user->credential) return Code(ResultCode::kInvalidCredential);
    }
  }
  if (!Whitelisted(*user, s->peer_ip)) return Code(ResultCode::kNotWhitelisted);
  uint8_t random[24];
  if (RAND_bytes(random, sizeof(random)) != 1) return Code(ResultCode::kServerError);
  const std::string token = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(random), sizeof(random)));
  sessions_[token] = Session{user->name, now_ns + uint64_t{session_ttl_s_} * 1000000000ull};
  Admit(s, user);
  ++logins_[s->node];
  proto::AdminWriter w(out, 0, 0);
  w.AddField(fld::kSessionToken, std::string_view(token));
  w.AddU32Field(fld::kSessionTtl, session_ttl_s_);
  w.Finish();
  return kAnswered;
}

int Security::Authenticate(ClientSession* s, const proto::AdminMessageView& m, uint64_t now_ns) {
  std::optional<ByteSpan> token = m.FindField(fld::kSessionToken);
  if (!token) return Code(ResultCode::kInvalidField);
  auto it = sessions_.find(AsChars(*token));
  if (it == sessions_.end()) return Code(ResultCode::kInvalidCredential);
  if (now_ns >= it->second.expires_ns) {
    sessions_.erase(it);
    return Code(ResultCode::kExpiredSession);
  }
  std::optional<ByteSpan> name = m.FindField(fld::kUser);
  if (name && AsChars(*name) != it->second.user) return Code(ResultCode::kInvalidCredential);
  User* user = FindUser(it->second.user);
  if (user == nullptr) return Code(ResultCode::kInvalidUser);
  if (!Whitelisted(*user, s->peer_ip)) return Code(ResultCode::kNotWhitelisted);
  Admit(s, user);
  return 0;
}

int Security::CreateUser(const proto::AdminMessageView& m) {
  const std::string name = FieldText(m, fld::kUser);
  if (name.empty() || name.size() > kMaxUserName) return Code(ResultCode::kInvalidUser);
  if (FindUser(name) != nullptr) return Code(ResultCode::kUserAlreadyExists);
  std::optional<ByteSpan> password = m.FindField(fld::kPassword);
  if (!password || password->empty()) return Code(ResultCode::kInvalidPassword);
  User user;
  user.name = name;
  user.credential = std::string(AsChars(*password));
  if (std::optional<ByteSpan> roles = m.FindField(fld::kRoles)) {
    StatusOr<std::vector<std::string>> list = proto::ParseRolesField(*roles);
    if (!list.ok()) return Code(ResultCode::kInvalidField);
    for (const std::string& r : *list) {
      if (FindRole(r) == nullptr) return Code(ResultCode::kInvalidRole);
      if (std::find(user.roles.begin(), user.roles.end(), r) == user.roles.end()) {
        user.roles.push_back(r);
      }
    }
  }
  users_.emplace(name, std::move(user));
  return 0;
}

int Security::DropUser(const proto::AdminMessageView& m) {
  auto it = users_.find(FieldText(m, fld::kUser));
  if (it == users_.end()) return Code(ResultCode::kInvalidUser);
  for (auto s = sessions_.begin(); s != sessions_.end();) {
    s = s->second.user == it->first ? sessions_.erase(s) : std::next(s);
  }
  users_.erase(it);
  return 0;
}

int Security::SetPassword(const ClientSession* s, const proto::AdminMessageView& m, bool change) {
  User* user = FindUser(FieldText(m, fld::kUser));
  if (user == nullptr) return Code(ResultCode::kInvalidUser);
  if (user->external) return Code(ResultCode::kForbiddenPassword);
  std::optional<ByteSpan> password = m.FindField(fld::kPassword);
  if (!password || password->empty()) return Code(ResultCode::kInvalidPassword);
  if (change) {
    std::optional<ByteSpan> old = m.FindField(fld::kOldPassword);
    if (!old) return Code(ResultCode::kInvalidField);
    if (AsChars(*old) != user->credential) return Code(ResultCode::kInvalidCredential);
  }
  if (AsChars(*password) == user->credential) return Code(ResultCode::kForbiddenPassword);
  user->credential = std::string(AsChars(*password));
  return 0;
}

int Security::ChangeRoles(const proto::AdminMessageView& m, bool grant) {
  User* user = FindUser(FieldText(m, fld::kUser));
  if (user == nullptr) return Code(ResultCode::kInvalidUser);
  std::optional<ByteSpan> field = m.FindField(fld::kRoles);
  if (!field) return Code(ResultCode::kInvalidField);
  StatusOr<std::vector<std::string>> list = proto::ParseRolesField(*field);
  if (!list.ok()) return Code(ResultCode::kInvalidField);
  for (const std::string& r : *list) {
    if (FindRole(r) == nullptr) return Code(ResultCode::kInvalidRole);
  }
  for (const std::string& r : *list) {
    auto at = std::find(user->roles.begin(), user->roles.end(), r);
    if (grant && at == user->roles.end()) user->roles.push_back(r);
    if (!grant && at != user->roles.end()) user->roles.erase(at);
  }
  return 0;
}

int Security::CreateRole(const proto::AdminMessageView& m) {
  const std::string name = FieldText(m, fld::kRole);
  if (name.empty() || name.size() > kMaxRoleName) return Code(ResultCode::kInvalidRole);
  if (FindRole(name) != nullptr) return Code(ResultCode::kRoleAlreadyExists);
  Role role;
  role.name = name;
  if (std::optional<ByteSpan> field = m.FindField(fld::kPrivileges)) {
    StatusOr<std::vector<proto::Privilege>> list = proto::ParsePrivilegesField(*field);
    if (!list.ok()) return Code(ResultCode::kInvalidPrivilege);
    if (int rc = CheckPrivileges(*list)) return rc;
    role.privileges = std::move(*list);
  }
  if (std::optional<ByteSpan> field = m.FindField(fld::kWhitelist)) {
    role.whitelist = proto::ParseWhitelistField(*field);
    for (const std::string& w : role.whitelist) {
      if (!ValidWhitelistEntry(w)) return Code(ResultCode::kInvalidWhitelist);
    }
  }
  for (uint8_t id : {fld::kReadQuota, fld::kWriteQuota}) {
    std::optional<ByteSpan> q = m.FindField(id);
    if (!q) continue;
    if (!quotas_enabled_) return Code(ResultCode::kQuotasNotEnabled);
    if (q->size() != 4) return Code(ResultCode::kInvalidQuota);
    (id == fld::kReadQuota ? role.read_quota : role.write_quota) = LoadBE32(q->data());
  }
  roles_.emplace(name, std::move(role));
  return 0;
}

int Security::DropRole(const proto::AdminMessageView& m) {
  Role* role = FindRole(FieldText(m, fld::kRole));
  if (role == nullptr || role->predefined) return Code(ResultCode::kInvalidRole);
  const std::string name = role->name;
  for (auto& [n, user] : users_) {
    user.roles.erase(std::remove(user.roles.begin(), user.roles.end(), name), user.roles.end());
  }
  roles_.erase(name);
  return 0;
}

int Security::ChangePrivileges(const proto::AdminMessageView& m, bool grant) {
  Role* role = FindRole(FieldText(m, fld::kRole));
  if (role == nullptr || role->predefined) return Code(ResultCode::kInvalidRole);
  std::optional<ByteSpan> field = m.FindField(fld::kPrivileges);
  if (!field) return Code(ResultCode::kInvalidField);
  StatusOr<std::vector<proto::Privilege>> list = proto::ParsePrivilegesField(*field);
  if (!list.ok()) return Code(ResultCode::kInvalidPrivilege);
  if (int rc = CheckPrivileges(*list)) return rc;
  for (const proto::Privilege& p : *list) {
    auto at = std::find(role->privileges.begin(), role->privileges.end(), p);
    if (grant && at == role->privileges.end()) role->privileges.push_back(p);
    if (!grant && at != role->privileges.end()) role->privileges.erase(at);
  }
  return 0;
}

int Security::SetWhitelist(const proto::AdminMessageView& m) {
  Role* role = FindRole(FieldText(m, fld::kRole));
  if (role == nullptr || role->predefined) return Code(ResultCode::kInvalidRole);
  std::vector<std::string> list;
  if (std::optional<ByteSpan> field = m.FindField(fld::kWhitelist)) {
    list = proto::ParseWhitelistField(*field);
  }
  for (const std::string& w : list) {
    if (!ValidWhitelistEntry(w)) return Code(ResultCode::kInvalidWhitelist);
  }
  role->whitelist = std::move(list);
  return 0;
}

int Security::SetQuotas(const proto::AdminMessageView& m) {
  if (!quotas_enabled_) return Code(ResultCode::kQuotasNotEnabled);
  Role* role = FindRole(FieldText(m, fld::kRole));
  if (role == nullptr || role->predefined) return Code(ResultCode::kInvalidRole);
  uint32_t quotas[2] = {role->read_quota, role->write_quota};
  const uint8_t ids[2] = {fld::kReadQuota, fld::kWriteQuota};
  for (int i = 0; i < 2; ++i) {
    std::optional<ByteSpan> q = m.FindField(ids[i]);
    if (!q) continue;
    if (q->size() != 4) return Code(ResultCode::kInvalidQuota);
    quotas[i] = LoadBE32(q->data());
    // The wire carries a signed int; a negative quota is invalid.
    if (quotas[i] > 0x7FFFFFFFu) return Code(ResultCode::kInvalidQuota);
  }
  role->read_quota = quotas[0];
  role->write_quota = quotas[1];
  return 0;
}

proto::AdminUser Security::Describe(const User& u) const {
  proto::AdminUser out;
  out.name = u.name;
  out.roles = u.roles;
  uint32_t read_quota = 0, write_quota = 0;
  for (const std::string& role_name : u.roles) {
    auto it = roles_.find(role_name);
    if (it == roles_.end()) continue;
    read_quota = std::max(read_quota, it->second.read_quota);
    write_quota = std::max(write_quota, it->second.write_quota);
  }
  // [quota, single-record TPS, scan/query RPS, limitless scans/queries]
  out.read_info = {read_quota, u.usage.read_tps, 0, 0};
  out.write_info = {write_quota, u.usage.write_tps, 0, 0};
  out.conns_in_use = u.conns;
  return out;
}

proto::AdminRole Security::Describe(const Role& r) const {
  proto::AdminRole out;
  out.name = r.name;
  out.privileges = r.privileges;
  out.whitelist = r.whitelist;
  out.read_quota = r.read_quota;
  out.write_quota = r.write_quota;
  return out;
}

int Security::QueryUsers(const ClientSession*, const proto::AdminMessageView& m,
                         ByteBuffer* out) {
  if (std::optional<ByteSpan> name = m.FindField(fld::kUser)) {
    const User* user = FindUser(AsChars(*name));
    if (user == nullptr) return Code(ResultCode::kInvalidUser);
    proto::AppendUserMessage(out, Describe(*user));
  } else {
    for (const auto& [n, user] : users_) proto::AppendUserMessage(out, Describe(user));
  }
  proto::AdminWriter(out, 0, static_cast<uint8_t>(Code(ResultCode::kQueryEnd))).Finish();
  return kAnswered;
}

int Security::QueryRoles(const proto::AdminMessageView& m, ByteBuffer* out) {
  if (std::optional<ByteSpan> name = m.FindField(fld::kRole)) {
    Role* role = FindRole(AsChars(*name));
    if (role == nullptr) return Code(ResultCode::kInvalidRole);
    proto::AppendRoleMessage(out, Describe(*role));
  } else {
    for (const auto& [n, role] : roles_) proto::AppendRoleMessage(out, Describe(role));
  }
  proto::AdminWriter(out, 0, static_cast<uint8_t>(Code(ResultCode::kQueryEnd))).Finish();
  return kAnswered;
}

}  // namespace aerospike_py::server::security
