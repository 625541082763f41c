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
