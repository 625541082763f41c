// Record UDFs in the embedded server: one AS_MSG (or batch row) carrying
// UDF fields 30-32 runs a function of a registered module on one record and
// answers with a SUCCESS bin (the return value) or a FAILURE bin (the error
// message, result 100).
//
// Checks and outcomes follow the real server's udf_master_apply()
// (Aerospike 8.1 as/src/transaction/udf.c): forbidden write policies and
// missing UDF fields answer 4; set-name mismatch 4, a filter expression that
// says no 27, a key mismatch 19; bin writes stay pending until the function
// returns and are dropped if it fails; a write that leaves no bins deletes
// the record (2 when there was none). Used by the processor for single
// commands and batch rows; event thread only.
#pragma once

#include <cstdint>

#include "common/byte_buffer.h"
#include "proto/headers.h"
#include "server/request.h"
#include "server/store.h"
#include "server/udf/modules.h"

namespace aerospike_py::server::udf {

struct RecordUdfRequest {
  const proto::MsgHeader* header = nullptr;  // the command's or the batch row's
  Namespace* ns = nullptr;
  const RequestFields* fields = nullptr;
  ByteSpan filter;      // the filter expression that applies, if any
  uint32_t index = 0;   // batch row index (the reply's transaction_ttl slot)
  uint64_t now_ns = 0;  // Unix ns
  uint32_t now = 0;     // server-epoch seconds
};

// Runs the UDF and appends its reply message (no proto header) to `out`;
// returns the reply's result code.
uint8_t ExecuteRecordUdf(UdfModules& modules, const RecordUdfRequest& request, ByteBuffer* out);

// The UDF call named by UDF fields: module, function and the decoded
// argument list (a missing or malformed list means no arguments, as on the
// server). False when a field is missing or too long (the server answers 4).
struct UdfCallSpec {
  std::string module;
  std::string function;
  std::vector<proto::Value> args;
};
bool ParseUdfCall(const RequestFields::UdfFields& fields, UdfCallSpec* out);

// Appends a reply op named SUCCESS (success) or FAILURE carrying `value`.
void AppendUdfResultOp(ByteBuffer* out, bool success, const proto::Value& value);

}  // namespace aerospike_py::server::udf
