// The fields of one AS_MSG request (or one batch row) picked out by type.
// Parsing never fails: the message was already validated by
// proto::ParseMessage, and odd sizes are reported as `malformed` so each
// handler can answer the code the real server uses.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/byte_buffer.h"
#include "common/byte_order.h"
#include "proto/constants.h"
#include "proto/message_view.h"

namespace aerospike_py::server {

struct RequestFields {
  bool has_ns = false;
  std::string_view ns;
  bool has_set = false;
  std::string_view set;
  const uint8_t* digest = nullptr;
  bool has_key = false;
  ByteSpan key;  // particle type byte + key bytes
  bool has_filter = false;
  ByteSpan filter;
  bool has_batch = false;
  ByteSpan batch;
  bool has_pids = false;
  ByteSpan pids;  // u16 LE each
  bool has_digests = false;
  ByteSpan digests;  // 20 bytes each
  bool has_max_records = false;
  uint64_t max_records = 0;
  bool has_udf = false;          // fields 30..33
  // The UDF call's fields, when present (server/udf/ reads them).
  struct UdfFields {
    bool has_module = false, has_function = false, has_args = false, has_op = false;
    ByteSpan module, function, args;  // 30, 31, 32 (msgpack argument list)
    uint8_t op = 0;                   // 33: 0 record, 1 aggregate, 2 background
  } udf;
  bool has_index_query = false;  // fields 21..24, 26
  bool has_bval = false;
  bool has_mrt = false;  // fields 3, 5, 6
  bool malformed = false;  // a fixed-size field of the wrong size
};

inline void ParseFields(ByteSpan fields, RequestFields* out) {
  proto::FieldIterator it(fields);
  proto::FieldView f;
  while (it.Next(&f)) {
    switch (static_cast<proto::FieldType>(f.type)) {
      case proto::FieldType::kNamespace:
        out->has_ns = true;
        out->ns = AsChars(f.data);
        break;
      case proto::FieldType::kSet:
        out->has_set = true;
        out->set = AsChars(f.data);
        break;
      case proto::FieldType::kDigest:
        if (f.data.size() == proto::kDigestSize) {
          out->digest = f.data.data();
        } else {
          out->malformed = true;
        }
        break;
      case proto::FieldType::kKey:
        out->has_key = true;
        out->key = f.data;
        break;
      case proto::FieldType::kFilterExpression:
        out->has_filter = true;
        out->filter = f.data;
        break;
      case proto::FieldType::kBatchIndex:
      case proto::FieldType::kBatchIndexWithSet:
        out->has_batch = true;
        out->batch = f.data;
        break;
      case proto::FieldType::kPidArray:
        out->has_pids = true;
        // The server counts whole entries (size / 2, size / 20) and
        // ignores a stray byte.
        out->pids = f.data.subspan(0, f.data.size() - f.data.size() % 2);
        break;
      case proto::FieldType::kDigestArray:
        out->has_digests = true;
        out->digests = f.data.subspan(0, f.data.size() - f.data.size() % proto::kDigestSize);
        break;
      case proto::FieldType::kMaxRecords:
        if (f.data.size() == 8) {
          out->has_max_records = true;
          out->max_records = LoadBE64(f.data.data());
        } else {
          out->malformed = true;
        }
        break;
      case proto::FieldType::kUdfPackageName:
        out->has_udf = out->udf.has_module = true;
        out->udf.module = f.data;
        break;
      case proto::FieldType::kUdfFunction:
        out->has_udf = out->udf.has_function = true;
        out->udf.function = f.data;
        break;
      case proto::FieldType::kUdfArgList:
        out->has_udf = out->udf.has_args = true;
        out->udf.args = f.data;
        break;
      case proto::FieldType::kUdfOp:
        out->has_udf = out->udf.has_op = true;
        out->udf.op = f.data.empty() ? 0 : f.data[0];
        break;
      case proto::FieldType::kIndexName:
      case proto::FieldType::kIndexRange:
      case proto::FieldType::kIndexContext:
      case proto::FieldType::kIndexExpression:
      case proto::FieldType::kIndexType:
        out->has_index_query = true;
        break;
      case proto::FieldType::kBvalArray:
        out->has_bval = true;
        break;
      case proto::FieldType::kRecordVersion:
      case proto::FieldType::kMrtId:
      case proto::FieldType::kMrtDeadline:
        out->has_mrt = true;
        break;
      default:
        // Like the real server, fields it has no use for are ignored.
        break;
    }
  }
}

}  // namespace aerospike_py::server
