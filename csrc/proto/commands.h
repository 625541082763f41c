// Logical requests and their encoders: single-record commands and
// scans/queries. These are the readable form of a request (the embedded
// server's tests, the C++ benchmark client and the golden re-encoding tests
// build them); the Python bridge writes the same bytes directly from Python
// objects through MessageWriter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/byte_buffer.h"
#include "common/status.h"
#include "proto/constants.h"
#include "proto/digest.h"
#include "proto/headers.h"
#include "proto/value.h"

namespace aerospike_py::proto {

// Field 2 holds a particle type byte and the key bytes.
void AppendKeyFieldData(const Value& key, ByteBuffer* out);
StatusOr<Value> DecodeKeyField(ByteSpan data);
// Digest of a key value (int, string or bytes); error for other types.
StatusOr<Digest> DigestOfKey(std::string_view set, const Value& key);

struct OpSpec {
  OpType op = OpType::kRead;
  std::string bin;
  Value value;  // nil for reads, touch and delete
};

struct RecordRequest {
  MsgHeader header;  // n_fields and n_ops are computed
  std::string ns;
  std::string set;
  Digest digest{};
  std::optional<Value> key;       // field 2, sent with the send-key policy
  std::string filter_expression;  // field 43 data (msgpack), if non-empty
  std::vector<OpSpec> ops;
};

void EncodeRecordRequest(const RecordRequest& request, ByteBuffer* out);

struct ScanRequest {
  MsgHeader header;  // usually info1 READ, info3 PARTITION_DONE, record_ttl ~0
  std::string ns;
  std::string set;  // empty: the whole namespace
  uint32_t records_per_second = 0;
  uint32_t socket_timeout = 0;
  uint64_t task_id = 0;
  std::string filter_expression;
  std::vector<uint16_t> partition_ids;  // scanned from the start
  std::vector<Digest> resume_digests;   // scanned after these digests
  uint64_t max_records = 0;             // 0: no limit
  std::vector<std::string> bins;        // selected bins (READ ops)
};

void EncodeScanRequest(const ScanRequest& request, ByteBuffer* out);

}  // namespace aerospike_py::proto
