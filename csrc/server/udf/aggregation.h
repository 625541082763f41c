// Aggregation in the embedded server: the server half of a query carrying
// UDF op AGGREGATE (field 33 = 2). As the real server's aggregation job does
// (Aerospike 8.1 query.c aggr_query_job_slice), the stream UDF runs once per
// partition over that partition's matching records, in server scope (its
// chain up to and including the first reduce), and every value it writes
// becomes one reply message with a SUCCESS op (READ op type, no fields,
// generation and void time 0). A Lua failure ends the partition's output
// with one FAILURE op holding "UDF: Execution Error <rc> : <message>" and
// abandons the query (the job's LAST then carries result 1, UNKNOWN).
//
// Records are read-only here (record.bin reads, metadata; no writes).
// Used by the query job on the server's event thread.
#pragma once

#include <cstdint>
#include <vector>

#include "common/byte_buffer.h"
#include "proto/digest.h"
#include "server/store.h"
#include "server/udf/modules.h"
#include "server/udf/record_udf.h"

namespace aerospike_py::server::udf {

// One live record of the partition, in the order the job reads them.
struct AggregationRecord {
  const Record* record = nullptr;
  proto::Digest digest{};
};

struct AggregationContext {
  const Namespace* ns = nullptr;
  uint32_t now = 0;  // server-epoch seconds (record.ttl)
  // Wall-clock budget of one partition's stream call.
  uint32_t timeout_ms = 1000;
};

// Runs `call` over one partition's records and appends its reply messages
// (AS_MSGs without proto header) to `out`. False when the stream failed: the
// FAILURE message has been appended and the query must end with result 1.
// A partition without records runs nothing (the real server skips it).
bool AggregatePartition(UdfModules& modules, const UdfCallSpec& call,
                        const AggregationContext& context,
                        const std::vector<AggregationRecord>& records, ByteBuffer* out);

// The real server's result code on the LAST message of an aggregation that
// failed (AS_ERR_UNKNOWN).
inline constexpr uint8_t kAggregationFailedResult = 1;

}  // namespace aerospike_py::server::udf
