#include "proto/message_view.h"

#include "absl/strings/str_cat.h"
#include "common/byte_order.h"

namespace aerospike_py::proto {

std::optional<ByteSpan> MessageView::FindField(FieldType type) const {
  FieldIterator it(*this);
  FieldView f;
  while (it.Next(&f)) {
    if (f.type == static_cast<uint8_t>(type)) return f.data;
  }
  return std::nullopt;
}

StatusOr<size_t> ValidateFields(ByteSpan bytes, uint32_t count) {
  size_t pos = 0;
  for (uint32_t i = 0; i < count; ++i) {
    if (bytes.size() - pos < 5) return MalformedError("field header truncated");
    const uint32_t size = LoadBE32(bytes.data() + pos);
    if (size < 1) return MalformedError("field size 0");
    if (size > bytes.size() - pos - 4) {
      return MalformedError(absl::StrCat("field of ", size, " bytes overruns message"));
    }
    pos += 4 + size;
  }
  return pos;
}

StatusOr<size_t> ValidateOps(ByteSpan bytes, uint32_t count) {
  size_t pos = 0;
  for (uint32_t i = 0; i < count; ++i) {
    if (bytes.size() - pos < 8) return MalformedError("op header truncated");
    const uint32_t size = LoadBE32(bytes.data() + pos);
    const uint8_t name_len = bytes[pos + 7];
    if (size < 4u + name_len) return MalformedError("op size smaller than its name");
    if (size > bytes.size() - pos - 4) {
      return MalformedError(absl::StrCat("op of ", size, " bytes overruns message"));
    }
    pos += 4 + size;
  }
  return pos;
}

StatusOr<MessageView> ParseMessage(ByteSpan bytes) {
  if (bytes.size() < kMsgHeaderSize) return MalformedError("AS_MSG header truncated");
  MessageView m;
  m.header = DecodeMsgHeader(bytes.data());
  if (m.header.header_size != kMsgHeaderSize) {
    return MalformedError(
        absl::StrCat("AS_MSG header size ", m.header.header_size, " (expected 22)"));
  }
  ByteSpan rest = bytes.subspan(kMsgHeaderSize);
  ASPY_ASSIGN_OR_RETURN(size_t fields_len, ValidateFields(rest, m.header.n_fields));
  m.fields = rest.subspan(0, fields_len);
  rest = rest.subspan(fields_len);
  ASPY_ASSIGN_OR_RETURN(size_t ops_len, ValidateOps(rest, m.header.n_ops));
  m.ops = rest.subspan(0, ops_len);
  m.size = kMsgHeaderSize + fields_len + ops_len;
  return m;
}

bool FieldIterator::Next(FieldView* field) {
  if (rest_.size() < 5) return false;
  const uint32_t size = LoadBE32(rest_.data());
  // Validated input never fails this; it keeps the iterator in bounds when
  // a caller walks bytes nobody validated.
  if (size < 1 || size > rest_.size() - 4) {
    rest_ = {};
    return false;
  }
  field->type = rest_[4];
  field->data = rest_.subspan(5, size - 1);
  rest_ = rest_.subspan(4 + size);
  return true;
}

bool OpIterator::Next(OpView* op) {
  if (rest_.size() < 8) return false;
  const uint32_t size = LoadBE32(rest_.data());
  const uint8_t name_len = rest_[7];
  if (size < 4u + name_len || size > rest_.size() - 4) {
    rest_ = {};
    return false;
  }
  op->op = rest_[4];
  op->particle_type = rest_[5];
  op->flags = rest_[6];
  op->name = AsChars(rest_.subspan(8, name_len));
  op->value = rest_.subspan(8 + name_len, size - 4 - name_len);
  rest_ = rest_.subspan(4 + size);
  return true;
}

StatusOr<MessageView> MessageIterator::Next() {
  ASPY_ASSIGN_OR_RETURN(MessageView m, ParseMessage(rest_));
  rest_ = rest_.subspan(m.size);
  consumed_ += m.size;
  return m;
}

}  // namespace aerospike_py::proto
