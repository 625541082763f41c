// Expressions (wire protocol §12) for the request handlers: filter
// expressions (field 43, per request or per batch record) and the
// expressions of expression read/write ops (ops 7/8). Each is built as the
// real server builds it (expression_build.h: a malformed or mistyped
// expression is refused, and the request answers PARAMETER, 4) and then
// evaluated against the record (expression_eval.h). Used by processor.cc,
// batch_command.cc and scan_command.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/byte_buffer.h"
#include "server/store.h"

namespace aerospike_py::server {

enum class FilterResult : uint8_t { kTrue, kFalse, kError };

struct FilterSubject {
  const Record* record = nullptr;  // null: a record being created
  std::string_view set_name;
  const uint8_t* digest = nullptr;
  uint64_t now_ns = 0;
  // The bins the expression reads when they are not the record's own (an
  // operation in progress); the record's metadata still comes from `record`.
  const std::string* bins = nullptr;
};

// A filter built once (for a batch or a scan) and matched per record.
class Filter {
 public:
  // Null when the expression is refused (PARAMETER).
  static std::unique_ptr<Filter> Build(ByteSpan expression);
  ~Filter();
  // Only kTrue lets the record through; "unknown" counts as false.
  FilterResult Match(const FilterSubject& subject) const;

 private:
  struct Impl;
  explicit Filter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Builds and matches in one go; kError when the expression is refused.
FilterResult EvaluateFilter(ByteSpan expression, const FilterSubject& subject);

// The value of an expression as a bin value (operations 7/8).
struct ExpressionValue {
  bool unknown = false;       // no value: the op fails unless EVAL_NO_FAIL
  uint8_t particle_type = 0;  // 0: nil (a write deletes the bin)
  std::string bytes;          // particle bytes
};

// Whether an expression (of an expression op) passes the build phase.
bool ExpressionIsValid(ByteSpan expression);

// Evaluates an expression; false when it is refused (PARAMETER).
bool EvaluateExpression(ByteSpan expression, const FilterSubject& subject,
                        ExpressionValue* out);

// The size the real server reports for a record in storage (record_size
// and memory_size): its flat form, rounded up to 16-byte blocks.
int64_t StoredRecordSize(const Record& record, std::string_view set_name);

}  // namespace aerospike_py::server
