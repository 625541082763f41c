// Parsing of AS_MSG messages into views over the caller's buffer: no copies
// and no allocation. ParseMessage validates the whole structure up front
// (every field and op size lies inside the message), so the iterators that
// walk a parsed view see every item. Given bytes nobody validated, the
// iterators stop at the first item that does not fit instead of overrunning.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/byte_buffer.h"
#include "common/status.h"
#include "proto/constants.h"
#include "proto/headers.h"

namespace aerospike_py::proto {

struct FieldView {
  uint8_t type = 0;
  ByteSpan data;
};

struct OpView {
  uint8_t op = 0;
  uint8_t particle_type = 0;
  // The byte after the particle type: 0 from clients and servers (S uses
  // bit 0 internally for XDR's last-update time). Kept so nothing is lost.
  uint8_t flags = 0;
  std::string_view name;
  ByteSpan value;
};

struct MessageView {
  MsgHeader header;
  ByteSpan fields;  // n_fields fields, back to back
  ByteSpan ops;     // n_ops ops, back to back
  size_t size = 0;  // bytes this message occupies, header included

  bool is_last() const { return (header.info3 & info3::kLast) != 0; }
  bool is_partition_done() const {
    return (header.info3 & info3::kPartitionDone) != 0;
  }
  // The first field of the given type, if any.
  std::optional<ByteSpan> FindField(FieldType type) const;
};

// Parses the message at the start of `bytes`; `bytes` may continue with
// further messages (multi-record streams).
StatusOr<MessageView> ParseMessage(ByteSpan bytes);

class FieldIterator {
 public:
  explicit FieldIterator(const MessageView& m) : rest_(m.fields) {}
  explicit FieldIterator(ByteSpan fields) : rest_(fields) {}
  bool Next(FieldView* field);

 private:
  ByteSpan rest_;
};

class OpIterator {
 public:
  explicit OpIterator(const MessageView& m) : rest_(m.ops) {}
  explicit OpIterator(ByteSpan ops) : rest_(ops) {}
  bool Next(OpView* op);

 private:
  ByteSpan rest_;
};

// Validates `count` fields at the start of `bytes`; returns their length.
StatusOr<size_t> ValidateFields(ByteSpan bytes, uint32_t count);
// Validates `count` ops at the start of `bytes`; returns their length.
StatusOr<size_t> ValidateOps(ByteSpan bytes, uint32_t count);

// Walks the concatenated messages of one frame body.
class MessageIterator {
 public:
  explicit MessageIterator(ByteSpan body) : rest_(body) {}
  bool AtEnd() const { return rest_.empty(); }
  // Offset of the next message from the start of the body.
  size_t offset() const { return consumed_; }
  StatusOr<MessageView> Next();

 private:
  ByteSpan rest_;
  size_t consumed_ = 0;
};

}  // namespace aerospike_py::proto
