// MessageWriter appends one complete type-3 frame (proto header, AS_MSG
// header, fields, ops) to a ByteBuffer. Sizes and counts are patched in
// Finish(), so callers write fields and ops in a single forward pass with no
// pre-computation. Several frames may be appended to one buffer (the server
// batches replies that way).
#pragma once

#include <cstdint>
#include <string_view>

#include "common/byte_buffer.h"
#include "proto/constants.h"
#include "proto/headers.h"
#include "proto/value.h"

namespace aerospike_py::proto {

class MessageWriter {
 public:
  // Starts a frame at the end of `out` with the given header (its n_fields
  // and n_ops are ignored and counted instead).
  MessageWriter(ByteBuffer* out, const MsgHeader& header);

  void AddField(FieldType type, ByteSpan data);
  void AddField(FieldType type, std::string_view data) { AddField(type, AsBytes(data)); }
  void AddU32Field(FieldType type, uint32_t value);
  void AddU64Field(FieldType type, uint64_t value);
  void AddDigestField(const uint8_t* digest20) {
    AddField(FieldType::kDigest, ByteSpan(digest20, kDigestSize));
  }
  // A field whose data the caller appends to buffer() before EndField().
  void BeginField(FieldType type);
  void EndField();

  void AddOp(OpType op, ParticleType particle, std::string_view bin_name,
             ByteSpan value);
  void AddValueOp(OpType op, std::string_view bin_name, const Value& value);
  // An op whose value the caller appends to buffer() before EndOp().
  void BeginOp(OpType op, ParticleType particle, std::string_view bin_name);
  void EndOp();

  ByteBuffer* buffer() { return out_; }

  // Patches sizes and counts. Returns the frame's total length.
  size_t Finish();

 private:
  ByteBuffer* out_;
  size_t frame_start_;
  size_t open_start_ = 0;
  uint16_t n_fields_ = 0;
  uint16_t n_ops_ = 0;
};

// Frames an info request: one line per name, each ending in '\n'.
ByteBuffer EncodeInfoRequest(std::string_view names_newline_separated);

}  // namespace aerospike_py::proto
