// MessageWriter appends one complete type-3 frame (proto header, AS_MSG
// header, fields, ops) to a ByteBuffer, or one AS_MSG inside a frame that a
// FrameWriter opened (multi-record replies). Sizes and counts are patched in
// Finish(), so callers write fields and ops in a single forward pass with no
// pre-computation. Several frames may be appended to one buffer (the server
// batches replies that way). Bin names longer than 255 bytes cannot be
// expressed; callers reject names over kMaxBinNameLen first.
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
  enum class Framing {
    kOwnFrame,     // the message gets its own 8-byte proto header
    kInsideFrame,  // the message joins a frame opened by a FrameWriter
  };
  // Starts a message at the end of `out` with the given header (its n_fields
  // and n_ops are ignored and counted instead).
  MessageWriter(ByteBuffer* out, const MsgHeader& header,
                Framing framing = Framing::kOwnFrame);

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

  // Patches sizes and counts. Returns the bytes written (the whole frame
  // with kOwnFrame, the message alone with kInsideFrame).
  size_t Finish();

 private:
  ByteBuffer* out_;
  size_t frame_start_;
  size_t header_size_;  // bytes before the AS_MSG header: 8 or 0
  size_t open_start_ = 0;
  uint16_t n_fields_ = 0;
  uint16_t n_ops_ = 0;
};

// Opens a proto frame whose body is written by other code (several AS_MSGs
// of a multi-record reply, an info body, an admin message) and patches its
// size on Finish(). Bin names and field data are the caller's to validate
// (bin names ≤ 15 bytes, sizes fitting their length fields).
class FrameWriter {
 public:
  explicit FrameWriter(ByteBuffer* out, ProtoType type = ProtoType::kMessage);
  // Bytes of body written so far.
  size_t body_size() const { return out_->size() - frame_start_ - kProtoHeaderSize; }
  // Patches the proto header; returns the frame's total length.
  size_t Finish();

 private:
  ByteBuffer* out_;
  size_t frame_start_;
  ProtoType type_;
};

// Frames an info request: one line per name, each ending in '\n'.
ByteBuffer EncodeInfoRequest(std::string_view names_newline_separated);

}  // namespace aerospike_py::proto
