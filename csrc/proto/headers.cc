#include "proto/headers.h"

#include "absl/strings/str_cat.h"
#include "common/byte_order.h"

namespace aerospike_py::proto {

void EncodeProtoHeader(uint8_t* out, ProtoType type, uint64_t body_size) {
  out[0] = kProtoVersion;
  out[1] = static_cast<uint8_t>(type);
  StoreBE48(out + 2, body_size);
}

ProtoHeader DecodeProtoHeader(const uint8_t* in) {
  ProtoHeader h;
  h.version = in[0];
  h.type = in[1];
  h.size = LoadBE48(in + 2);
  return h;
}

Status ValidateProtoHeader(const ProtoHeader& header) {
  if (header.version != kProtoVersion) {
    return MalformedError(
        absl::StrCat("proto version ", header.version, " (expected 2)"));
  }
  if (header.type < static_cast<uint8_t>(ProtoType::kInfo) ||
      header.type > static_cast<uint8_t>(ProtoType::kCompressed)) {
    return MalformedError(absl::StrCat("unknown proto type ", header.type));
  }
  if (header.size > kMaxBodySize) {
    return MalformedError(
        absl::StrCat("proto body of ", header.size, " bytes exceeds 128 MiB"));
  }
  return absl::OkStatus();
}

void EncodeMsgHeader(uint8_t* out, const MsgHeader& h) {
  out[0] = h.header_size;
  out[1] = h.info1;
  out[2] = h.info2;
  out[3] = h.info3;
  out[4] = h.info4;
  out[5] = h.result_code;
  StoreBE32(out + 6, h.generation);
  StoreBE32(out + 10, h.record_ttl);
  StoreBE32(out + 14, h.transaction_ttl);
  StoreBE16(out + 18, h.n_fields);
  StoreBE16(out + 20, h.n_ops);
}

MsgHeader DecodeMsgHeader(const uint8_t* in) {
  MsgHeader h;
  h.header_size = in[0];
  h.info1 = in[1];
  h.info2 = in[2];
  h.info3 = in[3];
  h.info4 = in[4];
  h.result_code = in[5];
  h.generation = LoadBE32(in + 6);
  h.record_ttl = LoadBE32(in + 10);
  h.transaction_ttl = LoadBE32(in + 14);
  h.n_fields = LoadBE16(in + 18);
  h.n_ops = LoadBE16(in + 20);
  return h;
}

}  // namespace aerospike_py::proto
