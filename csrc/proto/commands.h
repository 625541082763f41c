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
#include "proto/fields.h"
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

// A UDF call: fields 30 (module), 31 (function), 32 (msgpack argument list).
struct UdfCall {
  std::string module;
  std::string function;
  std::string args;  // msgpack array, e.g. EncodeMsgpack(Value::List(...))
  bool empty() const { return module.empty() && function.empty(); }
};

// Field order follows the official C client: namespace, set, digest, key,
// filter expression, UDF fields, then ops.
struct RecordRequest {
  MsgHeader header;  // n_fields and n_ops are computed
  std::string ns;
  std::string set;
  Digest digest{};
  std::optional<Value> key;       // field 2, sent with the send-key policy
  std::string filter_expression;  // field 43 data (msgpack), if non-empty
  UdfCall udf;                    // record UDF (apply), if non-empty
  std::vector<OpSpec> ops;
};

void EncodeRecordRequest(const RecordRequest& request, ByteBuffer* out);

// UDF_OP (field 33) values.
namespace udf_op {
inline constexpr uint8_t kRecord = 0;
inline constexpr uint8_t kAggregate = 1;
inline constexpr uint8_t kBackground = 2;
}  // namespace udf_op

// A scan or query (no digest field). Fields go in the official C client's
// order: ns, set, rps, socket timeout, task id, index type, index range,
// index context, index name, index expression, UDF op + UDF, filter
// expression, pid array, digest array, bval array, max records; then write
// ops (background queries) or one READ op per selected bin.
struct ScanRequest {
  MsgHeader header;  // usually info1 READ, info3 PARTITION_DONE, record_ttl ~0
  std::string ns;
  std::string set;  // empty: the whole namespace
  uint32_t records_per_second = 0;
  uint32_t socket_timeout = 0;
  uint64_t task_id = 0;
  std::optional<uint8_t> index_type;      // field 26: 1 list, 2 map keys, 3 map values
  std::optional<IndexRange> index_range;  // field 22 (secondary-index query)
  std::string index_context;              // field 23 (msgpack CDT context)
  std::string index_name;                 // field 21
  std::string index_expression;           // field 24
  UdfCall udf;                            // fields 30-32, with udf_op (33)
  uint8_t udf_op = udf_op::kBackground;
  std::string filter_expression;
  std::vector<uint16_t> partition_ids;  // scanned from the start
  std::vector<Digest> resume_digests;   // scanned after these digests
  std::vector<int64_t> resume_bvals;    // one per resume digest (sindex queries)
  uint64_t max_records = 0;             // 0: no limit
  std::vector<OpSpec> ops;              // background query write ops
  std::vector<std::string> bins;        // selected bins (READ ops), when no ops
};

void EncodeScanRequest(const ScanRequest& request, ByteBuffer* out);

}  // namespace aerospike_py::proto
