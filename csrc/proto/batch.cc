#include "proto/batch.h"

#include "common/byte_order.h"
#include "proto/headers.h"
#include "proto/message_view.h"
#include "proto/message_writer.h"

namespace aerospike_py::proto {

namespace {

void AppendStringField(ByteBuffer* out, FieldType type, std::string_view s) {
  uint8_t* p = out->Extend(5 + s.size());
  StoreBE32(p, static_cast<uint32_t>(s.size() + 1));
  p[4] = static_cast<uint8_t>(type);
  if (!s.empty()) std::memcpy(p + 5, s.data(), s.size());
}

}  // namespace

void EncodeBatchRequest(const BatchEnvelope& envelope,
                        absl::Span<const BatchRow> rows, ByteBuffer* out) {
  MsgHeader header;
  header.info1 = envelope.info1;
  header.transaction_ttl = envelope.transaction_ttl;
  MessageWriter writer(out, header);
  if (!envelope.filter_expression.empty()) {
    writer.AddField(FieldType::kFilterExpression, envelope.filter_expression);
  }
  writer.BeginField(envelope.legacy_field ? FieldType::kBatchIndexWithSet
                                          : FieldType::kBatchIndex);
  uint8_t* head = out->Extend(5);
  StoreBE32(head, static_cast<uint32_t>(rows.size()));
  head[4] = envelope.batch_flags;

  const BatchRowShape* previous = nullptr;
  for (const BatchRow& row : rows) {
    const BatchRowShape& s = *row.shape;
    uint8_t* p = out->Extend(4 + kDigestSize + 1);
    StoreBE32(p, row.index);
    std::memcpy(p + 4, row.digest, kDigestSize);
    if (row.shape == previous && row.key_field.empty()) {
      p[24] = batch_row_flags::kRepeat;
      continue;
    }
    p[24] = s.row_flags;
    out->PushBack(s.info1);
    if (s.row_flags & batch_row_flags::kHasInfo) {
      out->PushBack(s.info2);
      out->PushBack(s.info3);
    }
    if (s.row_flags & batch_row_flags::kHasInfo4) out->PushBack(s.info4);
    if (s.row_flags & batch_row_flags::kHasGeneration) {
      StoreBE16(out->Extend(2), s.generation);
    }
    if (s.row_flags & batch_row_flags::kHasTtl) StoreBE32(out->Extend(4), s.ttl);
    const uint16_t n_fields = static_cast<uint16_t>(
        2 + s.n_extra_fields + (row.key_field.empty() ? 0 : 1) + s.n_trailing_fields);
    uint8_t* counts = out->Extend(4);
    StoreBE16(counts, n_fields);
    StoreBE16(counts + 2, s.n_ops);
    AppendStringField(out, FieldType::kNamespace, s.ns);
    AppendStringField(out, FieldType::kSet, s.set);
    out->Append(s.extra_fields);
    out->Append(row.key_field);
    out->Append(s.trailing_fields);
    out->Append(s.ops);
    // A row that sent its key cannot be repeated: the server would reuse it.
    previous = row.key_field.empty() ? row.shape : nullptr;
  }
  writer.EndField();
  writer.Finish();
}

StatusOr<BatchRowParser> BatchRowParser::Create(ByteSpan data) {
  if (data.size() < 5) return MalformedError("batch field shorter than its header");
  return BatchRowParser(data.subspan(5), LoadBE32(data.data()), data[4]);
}

StatusOr<bool> BatchRowParser::Next(BatchRowView* row) {
  // Bytes after the announced rows are ignored, as the server ignores them.
  if (parsed_ == count_) return false;
  if (rest_.size() < 25) return MalformedError("batch row truncated");
  const uint32_t index = LoadBE32(rest_.data());
  const uint8_t* digest = rest_.data() + 4;
  const uint8_t flags = rest_[24];
  size_t pos = 25;
  if (flags & batch_row_flags::kRepeat) {
    if (!have_previous_) return MalformedError("batch: REPEAT on the first row");
    if (previous_has_key_) return MalformedError("batch: REPEAT after a row with a key");
    *row = previous_;
    row->index = index;
    row->digest = digest;
    row->repeated = true;
    rest_ = rest_.subspan(pos);
    ++parsed_;
    return true;
  }
  BatchRowView r;
  r.index = index;
  r.digest = digest;
  r.row_flags = flags;
  auto need = [&](size_t n) { return rest_.size() - pos >= n; };
  if (!need(1)) return MalformedError("batch row truncated");
  r.info1 = rest_[pos++];
  if (flags & batch_row_flags::kHasInfo) {
    if (!need(2)) return MalformedError("batch row truncated");
    r.info2 = rest_[pos++];
    r.info3 = rest_[pos++];
  }
  if (flags & batch_row_flags::kHasInfo4) {
    if (!need(1)) return MalformedError("batch row truncated");
    r.info4 = rest_[pos++];
  }
  if (flags & batch_row_flags::kHasGeneration) {
    if (!need(2)) return MalformedError("batch row truncated");
    r.generation = LoadBE16(rest_.data() + pos);
    pos += 2;
  }
  if (flags & batch_row_flags::kHasTtl) {
    if (!need(4)) return MalformedError("batch row truncated");
    r.ttl = LoadBE32(rest_.data() + pos);
    pos += 4;
  }
  if (!need(4)) return MalformedError("batch row truncated");
  r.n_fields = LoadBE16(rest_.data() + pos);
  r.n_ops = LoadBE16(rest_.data() + pos + 2);
  pos += 4;
  ASPY_ASSIGN_OR_RETURN(size_t fields_len, ValidateFields(rest_.subspan(pos), r.n_fields));
  r.fields = rest_.subspan(pos, fields_len);
  pos += fields_len;
  ASPY_ASSIGN_OR_RETURN(size_t ops_len, ValidateOps(rest_.subspan(pos), r.n_ops));
  r.ops = rest_.subspan(pos, ops_len);
  pos += ops_len;
  rest_ = rest_.subspan(pos);

  bool has_key = false;
  FieldIterator it(r.fields);
  FieldView f;
  while (it.Next(&f)) {
    if (f.type == static_cast<uint8_t>(FieldType::kKey)) has_key = true;
  }
  previous_ = r;
  previous_has_key_ = has_key;
  have_previous_ = true;
  *row = r;
  ++parsed_;
  return true;
}

}  // namespace aerospike_py::proto
