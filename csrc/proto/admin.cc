#include "proto/admin.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/byte_order.h"
#include "proto/headers.h"
#include "proto/message_view.h"

namespace aerospike_py::proto {

AdminWriter::AdminWriter(ByteBuffer* out, uint8_t command, uint8_t result)
    : out_(out), frame_start_(out->size()) {
  uint8_t* p = out_->Extend(kProtoHeaderSize + kAdminHeaderSize);
  std::memset(p + kProtoHeaderSize, 0, kAdminHeaderSize);
  p[kProtoHeaderSize + 1] = result;
  p[kProtoHeaderSize + 2] = command;
}

void AdminWriter::AddField(uint8_t id, ByteSpan data) {
  uint8_t* p = out_->Extend(5 + data.size());
  StoreBE32(p, static_cast<uint32_t>(data.size() + 1));
  p[4] = id;
  if (!data.empty()) std::memcpy(p + 5, data.data(), data.size());
  ++n_fields_;
}

void AdminWriter::AddU32Field(uint8_t id, uint32_t value) {
  uint8_t data[4];
  StoreBE32(data, value);
  AddField(id, ByteSpan(data, 4));
}

size_t AdminWriter::Finish() {
  uint8_t* frame = out_->data() + frame_start_;
  const size_t total = out_->size() - frame_start_;
  EncodeProtoHeader(frame, ProtoType::kAdmin, total - kProtoHeaderSize);
  frame[kProtoHeaderSize + 3] = n_fields_;
  return total;
}

std::optional<ByteSpan> AdminMessageView::FindField(uint8_t id) const {
  FieldIterator it(fields);
  FieldView f;
  while (it.Next(&f)) {
    if (f.type == id) return f.data;
  }
  return std::nullopt;
}

StatusOr<AdminMessageView> ParseAdminMessage(ByteSpan bytes) {
  if (bytes.size() < kAdminHeaderSize) return MalformedError("admin header truncated");
  AdminMessageView m;
  m.header.scheme = bytes[0];
  m.header.result = bytes[1];
  m.header.command = bytes[2];
  m.header.n_fields = bytes[3];
  ASPY_ASSIGN_OR_RETURN(size_t fields_len,
                        ValidateFields(bytes.subspan(kAdminHeaderSize), m.header.n_fields));
  m.fields = bytes.subspan(kAdminHeaderSize, fields_len);
  m.size = kAdminHeaderSize + fields_len;
  return m;
}

ByteBuffer EncodeAdminReply(uint8_t result) {
  ByteBuffer out(kProtoHeaderSize + kAdminHeaderSize);
  AdminWriter(&out, 0, result).Finish();
  return out;
}

ByteBuffer EncodeLoginRequest(std::string_view user, std::string_view credential) {
  ByteBuffer out;
  AdminWriter w(&out, admin_command::kLogin);
  w.AddField(admin_field::kUser, user);
  w.AddField(admin_field::kCredential, credential);
  w.Finish();
  return out;
}

ByteBuffer EncodeAuthenticateRequest(std::string_view user, ByteSpan session_token) {
  ByteBuffer out;
  AdminWriter w(&out, admin_command::kAuthenticate);
  w.AddField(admin_field::kUser, user);
  w.AddField(admin_field::kSessionToken, session_token);
  w.Finish();
  return out;
}

StatusOr<LoginReply> ParseLoginReply(ByteSpan body) {
  ASPY_ASSIGN_OR_RETURN(AdminMessageView m, ParseAdminMessage(body));
  if (m.size != body.size()) return MalformedError("admin answer has trailing bytes");
  LoginReply reply;
  reply.result = m.header.result;
  if (reply.result != 0) return reply;
  std::optional<ByteSpan> token = m.FindField(admin_field::kSessionToken);
  if (!token) return MalformedError("login answer without a session token");
  reply.session_token = std::string(AsChars(*token));
  if (std::optional<ByteSpan> ttl = m.FindField(admin_field::kSessionTtl)) {
    if (ttl->size() != 4) return MalformedError("session ttl is not 4 bytes");
    reply.session_ttl = LoadBE32(ttl->data());
  }
  return reply;
}

}  // namespace aerospike_py::proto

// ---------------------------------------------------------------------------
// Users, roles and privileges.

namespace aerospike_py::proto {
namespace {

constexpr struct {
  uint8_t code;
  std::string_view name;
} kPrivilegeNames[] = {
    {privilege::kUserAdmin, "user-admin"},   {privilege::kSysAdmin, "sys-admin"},
    {privilege::kDataAdmin, "data-admin"},   {privilege::kUdfAdmin, "udf-admin"},
    {privilege::kSindexAdmin, "sindex-admin"}, {privilege::kRead, "read"},
    {privilege::kReadWrite, "read-write"},   {privilege::kReadWriteUdf, "read-write-udf"},
    {privilege::kWrite, "write"},            {privilege::kTruncate, "truncate"},
};

// A reader over one field's bytes that never reads past its end.
class Reader {
 public:
  explicit Reader(ByteSpan data) : data_(data) {}
  bool U8(uint8_t* v) {
    if (pos_ + 1 > data_.size()) return false;
    *v = data_[pos_++];
    return true;
  }
  bool U32(uint32_t* v) {
    if (pos_ + 4 > data_.size()) return false;
    *v = LoadBE32(data_.data() + pos_);
    pos_ += 4;
    return true;
  }
  // A u8 length and that many bytes.
  bool ShortString(std::string* out) {
    uint8_t len;
    if (!U8(&len) || pos_ + len > data_.size()) return false;
    out->assign(reinterpret_cast<const char*>(data_.data() + pos_), len);
    pos_ += len;
    return true;
  }
  bool AtEnd() const { return pos_ == data_.size(); }

 private:
  ByteSpan data_;
  size_t pos_ = 0;
};

Status AppendShortString(ByteBuffer* out, std::string_view s, std::string_view what) {
  if (s.size() > 255) {
    return absl::InvalidArgumentError(absl::StrCat(AbslView(what), " '", AbslView(s.substr(0, 40)),
                                                   "...' is longer than 255 bytes"));
  }
  out->PushBack(static_cast<uint8_t>(s.size()));
  out->Append(s);
  return absl::OkStatus();
}

// Walks the messages of one query answer frame; `each` reads one message
// whose result is 0.
template <typename Fn>
StatusOr<bool> ParseBlock(ByteSpan body, uint8_t* result, Fn each) {
  size_t pos = 0;
  while (pos < body.size()) {
    ASPY_ASSIGN_OR_RETURN(AdminMessageView m, ParseAdminMessage(body.subspan(pos)));
    pos += m.size;
    if (m.header.result != 0) {
      // QUERY_END (50) or an error: the stream is over, and nothing may
      // follow it in the frame.
      if (pos != body.size()) return MalformedError("bytes after the end of an admin query");
      *result = m.header.result;
      return true;
    }
    ASPY_RETURN_IF_ERROR(each(m));
  }
  return false;
}

}  // namespace

std::string_view PrivilegeName(uint8_t code) {
  for (const auto& p : kPrivilegeNames) {
    if (p.code == code) return p.name;
  }
  return {};
}

std::optional<uint8_t> PrivilegeCodeOf(std::string_view name) {
  for (const auto& p : kPrivilegeNames) {
    if (p.name == name) return p.code;
  }
  return std::nullopt;
}

Status AddRolesField(AdminWriter* w, absl::Span<const std::string> roles) {
  if (roles.size() > 255) return absl::InvalidArgumentError("more than 255 roles");
  ByteBuffer data;
  data.PushBack(static_cast<uint8_t>(roles.size()));
  for (const std::string& r : roles) ASPY_RETURN_IF_ERROR(AppendShortString(&data, r, "role"));
  w->AddField(admin_field::kRoles, data.span());
  return absl::OkStatus();
}

Status AddPrivilegesField(AdminWriter* w, absl::Span<const Privilege> privileges) {
  if (privileges.size() > 255) return absl::InvalidArgumentError("more than 255 privileges");
  ByteBuffer data;
  data.PushBack(static_cast<uint8_t>(privileges.size()));
  for (const Privilege& p : privileges) {
    data.PushBack(p.code);
    if (PrivilegeTakesScope(p.code)) {
      ASPY_RETURN_IF_ERROR(AppendShortString(&data, p.ns, "namespace"));
      ASPY_RETURN_IF_ERROR(AppendShortString(&data, p.set, "set"));
    } else if (!p.ns.empty() || !p.set.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "privilege ", p.code, " (", AbslView(PrivilegeName(p.code)),
          ") is global and cannot be scoped to a namespace or set"));
    }
  }
  w->AddField(admin_field::kPrivileges, data.span());
  return absl::OkStatus();
}

void AddWhitelistField(AdminWriter* w, absl::Span<const std::string> whitelist) {
  std::string joined;
  for (size_t i = 0; i < whitelist.size(); ++i) {
    if (i > 0) joined += ',';
    joined += whitelist[i];
  }
  w->AddField(admin_field::kWhitelist, std::string_view(joined));
}

StatusOr<std::vector<std::string>> ParseRolesField(ByteSpan data) {
  Reader r(data);
  uint8_t n;
  if (!r.U8(&n)) return MalformedError("roles field is empty");
  std::vector<std::string> out(n);
  for (std::string& role : out) {
    if (!r.ShortString(&role)) return MalformedError("roles field truncated");
  }
  if (!r.AtEnd()) return MalformedError("bytes after the roles");
  return out;
}

StatusOr<std::vector<Privilege>> ParsePrivilegesField(ByteSpan data) {
  Reader r(data);
  uint8_t n;
  if (!r.U8(&n)) return MalformedError("privileges field is empty");
  std::vector<Privilege> out(n);
  for (Privilege& p : out) {
    if (!r.U8(&p.code)) return MalformedError("privileges field truncated");
    if (PrivilegeTakesScope(p.code) && (!r.ShortString(&p.ns) || !r.ShortString(&p.set))) {
      return MalformedError("privilege scope truncated");
    }
  }
  if (!r.AtEnd()) return MalformedError("bytes after the privileges");
  return out;
}

std::vector<std::string> ParseWhitelistField(ByteSpan data) {
  std::vector<std::string> out;
  std::string_view text = AsChars(data);
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

StatusOr<std::vector<uint32_t>> ParseInfoField(ByteSpan data) {
  Reader r(data);
  uint8_t n;
  if (!r.U8(&n)) return MalformedError("info field is empty");
  std::vector<uint32_t> out(n);
  for (uint32_t& v : out) {
    if (!r.U32(&v)) return MalformedError("info field truncated");
  }
  if (!r.AtEnd()) return MalformedError("bytes after the info values");
  return out;
}

ByteBuffer EncodeLogin(AuthMode mode, std::string_view user, std::string_view credential,
                       std::string_view clear_password) {
  ByteBuffer out;
  AdminWriter w(&out, admin_command::kLogin);
  if (mode != AuthMode::kPki) {
    w.AddField(admin_field::kUser, user);
    w.AddField(admin_field::kCredential, credential);
    if (mode == AuthMode::kExternal) w.AddField(admin_field::kClearPassword, clear_password);
  }
  w.Finish();
  return out;
}

ByteBuffer EncodeAuthenticate(AuthMode mode, std::string_view user, ByteSpan session_token) {
  ByteBuffer out;
  AdminWriter w(&out, admin_command::kAuthenticate);
  if (mode != AuthMode::kPki) w.AddField(admin_field::kUser, user);
  w.AddField(admin_field::kSessionToken, session_token);
  w.Finish();
  return out;
}

StatusOr<bool> ParseUsersBlock(ByteSpan body, std::vector<AdminUser>* out, uint8_t* result) {
  return ParseBlock(body, result, [out](const AdminMessageView& m) -> Status {
    AdminUser user;
    FieldIterator it(m.fields);
    FieldView f;
    while (it.Next(&f)) {
      switch (f.type) {
        case admin_field::kUser:
          user.name = std::string(AsChars(f.data));
          break;
        case admin_field::kRoles: {
          ASPY_ASSIGN_OR_RETURN(user.roles, ParseRolesField(f.data));
          break;
        }
        case admin_field::kReadInfo: {
          ASPY_ASSIGN_OR_RETURN(user.read_info, ParseInfoField(f.data));
          break;
        }
        case admin_field::kWriteInfo: {
          ASPY_ASSIGN_OR_RETURN(user.write_info, ParseInfoField(f.data));
          break;
        }
        case admin_field::kConnections:
          if (f.data.size() != 4) return MalformedError("connections field is not 4 bytes");
          user.conns_in_use = LoadBE32(f.data.data());
          break;
        default:
          break;  // newer servers may add fields
      }
    }
    if (!user.name.empty() || !user.roles.empty()) out->push_back(std::move(user));
    return absl::OkStatus();
  });
}

StatusOr<bool> ParseRolesBlock(ByteSpan body, std::vector<AdminRole>* out, uint8_t* result) {
  return ParseBlock(body, result, [out](const AdminMessageView& m) -> Status {
    AdminRole role;
    FieldIterator it(m.fields);
    FieldView f;
    while (it.Next(&f)) {
      switch (f.type) {
        case admin_field::kRole:
          role.name = std::string(AsChars(f.data));
          break;
        case admin_field::kPrivileges: {
          ASPY_ASSIGN_OR_RETURN(role.privileges, ParsePrivilegesField(f.data));
          break;
        }
        case admin_field::kWhitelist:
          role.whitelist = ParseWhitelistField(f.data);
          break;
        case admin_field::kReadQuota:
          if (f.data.size() != 4) return MalformedError("read quota field is not 4 bytes");
          role.read_quota = LoadBE32(f.data.data());
          break;
        case admin_field::kWriteQuota:
          if (f.data.size() != 4) return MalformedError("write quota field is not 4 bytes");
          role.write_quota = LoadBE32(f.data.data());
          break;
        default:
          break;
      }
    }
    out->push_back(std::move(role));
    return absl::OkStatus();
  });
}

void AppendUserMessage(ByteBuffer* out, const AdminUser& user) {
  AdminWriter w(out, 0, 0);
  w.AddField(admin_field::kUser, std::string_view(user.name));
  AddRolesField(&w, user.roles).IgnoreError();  // the server's own names fit
  auto info = [&w](uint8_t id, const std::vector<uint32_t>& values) {
    ByteBuffer data;
    data.PushBack(static_cast<uint8_t>(values.size()));
    for (uint32_t v : values) StoreBE32(data.Extend(4), v);
    w.AddField(id, data.span());
  };
  info(admin_field::kReadInfo, user.read_info);
  info(admin_field::kWriteInfo, user.write_info);
  w.AddU32Field(admin_field::kConnections, user.conns_in_use);
  w.Finish();
}

void AppendRoleMessage(ByteBuffer* out, const AdminRole& role) {
  AdminWriter w(out, 0, 0);
  w.AddField(admin_field::kRole, std::string_view(role.name));
  AddPrivilegesField(&w, role.privileges).IgnoreError();
  if (!role.whitelist.empty()) AddWhitelistField(&w, role.whitelist);
  if (role.read_quota != 0) w.AddU32Field(admin_field::kReadQuota, role.read_quota);
  if (role.write_quota != 0) w.AddU32Field(admin_field::kWriteQuota, role.write_quota);
  w.Finish();
}

}  // namespace aerospike_py::proto
