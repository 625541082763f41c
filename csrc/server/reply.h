// Reply encoding helpers of the embedded server: frames, AS_MSG headers and
// READ ops appended straight into a connection's output buffer. Counts and
// sizes are patched afterwards so a reply is built in one forward pass with
// no intermediate objects. Used by the command handlers only.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "common/byte_buffer.h"
#include "common/byte_order.h"
#include "proto/constants.h"
#include "proto/headers.h"

namespace aerospike_py::server {

// Reserves a proto header; EndFrame() fills it once the body is complete.
inline size_t BeginFrame(ByteBuffer* out) {
  const size_t at = out->size();
  out->Extend(proto::kProtoHeaderSize);
  return at;
}
inline void EndFrame(ByteBuffer* out, size_t frame_at,
                     proto::ProtoType type = proto::ProtoType::kMessage) {
  proto::EncodeProtoHeader(out->data() + frame_at, type,
                           out->size() - frame_at - proto::kProtoHeaderSize);
}

struct ReplyHeader {
  uint8_t info1 = 0;
  uint8_t info3 = 0;
  uint8_t result = 0;
  uint32_t generation = 0;
  uint32_t void_time = 0;
  uint32_t index = 0;  // transaction_ttl slot: the batch row index
};

// Appends a 22-byte AS_MSG header with zero counts; returns its offset.
inline size_t AppendMsgHeader(ByteBuffer* out, const ReplyHeader& h) {
  const size_t at = out->size();
  uint8_t* p = out->Extend(proto::kMsgHeaderSize);
  p[0] = proto::kMsgHeaderSize;
  p[1] = h.info1;
  p[2] = 0;
  p[3] = h.info3;
  p[4] = 0;
  p[5] = h.result;
  StoreBE32(p + 6, h.generation);
  StoreBE32(p + 10, h.void_time);
  StoreBE32(p + 14, h.index);
  StoreBE32(p + 18, 0);
  return at;
}
inline void PatchCounts(ByteBuffer* out, size_t msg_at, uint16_t n_fields,
                        uint16_t n_ops) {
  StoreBE16(out->data() + msg_at + 18, n_fields);
  StoreBE16(out->data() + msg_at + 20, n_ops);
}

inline void AppendField(ByteBuffer* out, proto::FieldType type,
                        const void* data, size_t n) {
  uint8_t* p = out->Extend(5 + n);
  StoreBE32(p, static_cast<uint32_t>(n + 1));
  p[4] = static_cast<uint8_t>(type);
  if (n) std::memcpy(p + 5, data, n);
}

// One result op carrying a bin value. `op` is READ (1) for bins read; in
// operate replies the server echoes the request op's type.
inline void AppendReplyOp(ByteBuffer* out, uint8_t op, uint8_t particle_type,
                          std::string_view name, std::string_view value) {
  uint8_t* p = out->Extend(8 + name.size() + value.size());
  StoreBE32(p, static_cast<uint32_t>(4 + name.size() + value.size()));
  p[4] = op;
  p[5] = particle_type;
  p[6] = 0;
  p[7] = static_cast<uint8_t>(name.size());
  std::memcpy(p + 8, name.data(), name.size());
  if (!value.empty()) std::memcpy(p + 8 + name.size(), value.data(), value.size());
}

// A complete single-message frame holding only a header.
inline void AppendHeaderOnlyFrame(ByteBuffer* out, const ReplyHeader& h) {
  const size_t frame = BeginFrame(out);
  AppendMsgHeader(out, h);
  EndFrame(out, frame);
}

}  // namespace aerospike_py::server
