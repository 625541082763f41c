// The two fixed headers of the protocol: the 8-byte proto header that frames
// every message, and the 22-byte AS_MSG header that starts every data
// message. Pure encode/decode; validation that depends on context (which
// types a connection accepts) is left to the caller.
#pragma once

#include <cstdint>

#include "common/byte_buffer.h"
#include "common/status.h"
#include "proto/constants.h"

namespace aerospike_py::proto {

struct ProtoHeader {
  uint8_t version = kProtoVersion;
  uint8_t type = 0;
  uint64_t size = 0;  // body bytes after the 8-byte header (48-bit)
};

void EncodeProtoHeader(uint8_t* out, ProtoType type, uint64_t body_size);
ProtoHeader DecodeProtoHeader(const uint8_t* in);

// Checks what every receiver must: version 2, a known type, and a body no
// larger than kMaxBodySize.
Status ValidateProtoHeader(const ProtoHeader& header);

struct MsgHeader {
  uint8_t header_size = kMsgHeaderSize;
  uint8_t info1 = 0;
  uint8_t info2 = 0;
  uint8_t info3 = 0;
  uint8_t info4 = 0;
  uint8_t result_code = 0;
  uint32_t generation = 0;
  uint32_t record_ttl = 0;
  uint32_t transaction_ttl = 0;
  uint16_t n_fields = 0;
  uint16_t n_ops = 0;

  bool operator==(const MsgHeader&) const = default;
};

void EncodeMsgHeader(uint8_t* out, const MsgHeader& header);
MsgHeader DecodeMsgHeader(const uint8_t* in);

}  // namespace aerospike_py::proto
