// Expressions (wire protocol §12) evaluated against one record: filter
// expressions (field 43) and the expressions of expression read/write ops
// (ops 7/8). The msgpack tree is walked directly on each evaluation (they
// are small; compiling them would only pay off for scans of millions).
// Supported: comparisons, and/or/not/exclusive, arithmetic and integer bit
// operators, min/max, cond, let/var, regex, metadata (digest-modulo,
// last-update, since-update, void-time, ttl, set-name, key-exists,
// is-tombstone, record-size), key, bin and bin-type. Anything else (CDT,
// bit and HLL calls, geo, list/map literals in comparisons) makes the whole
// expression an error, which the server answers with 4 like Aerospike does
// for an expression it cannot parse.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/byte_buffer.h"
#include "server/store.h"

namespace aerospike_py::server {

enum class FilterResult : uint8_t { kTrue, kFalse, kError };

struct FilterSubject {
  const Record* record = nullptr;
  std::string_view set_name;
  const uint8_t* digest = nullptr;
  uint64_t now_ns = 0;
};

// Only kTrue lets the record through; an expression that evaluates to
// "unknown" (e.g. a bin that does not exist) counts as false.
FilterResult EvaluateFilter(ByteSpan expression, const FilterSubject& subject);

// The value of an expression as a bin value (operations 7/8).
struct ExpressionValue {
  bool unknown = false;       // a bin or key it needs is missing or mistyped
  uint8_t particle_type = 0;  // 0: nil
  std::string bytes;          // particle bytes
};

// Evaluates an expression; false when it is malformed or uses something
// not supported.
bool EvaluateExpression(ByteSpan expression, const FilterSubject& subject,
                        ExpressionValue* out);

}  // namespace aerospike_py::server
