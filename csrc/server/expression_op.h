// Expression operations (wire ops 7 EXP_READ and 8 EXP_MODIFY): parsing
// their value ([expression, flags]), evaluating them against a record, and
// applying an EXP_MODIFY result to a bin with the flags' rules, as the
// real server's expop.c does. Used by processor.cc.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/byte_buffer.h"
#include "server/bins.h"
#include "server/expression.h"
#include "server/store.h"

namespace aerospike_py::server {

// Flags of expression ops: writes 1 create-only, 2 update-only, 4
// allow-delete, 8 policy-no-fail, 16 eval-no-fail; reads 16 eval-no-fail.
namespace exp_flags {
inline constexpr uint64_t kCreateOnly = 1;
inline constexpr uint64_t kUpdateOnly = 2;
inline constexpr uint64_t kAllowDelete = 4;
inline constexpr uint64_t kPolicyNoFail = 8;
inline constexpr uint64_t kEvalNoFail = 16;
}  // namespace exp_flags

struct ExpOp {
  ByteSpan expression;
  uint64_t flags = 0;
};

// Parses an op's value; false (PARAMETER) when malformed or when it has
// flags the op does not take.
bool ParseExpOp(ByteSpan value, bool modify, ExpOp* out);

// Whether the op's expression passes the server's build phase (it is built
// before anything else about the op is checked).
bool ExpressionBuilds(const ExpOp& op);

// Evaluates an expression op against a record: `meta` is the stored record
// (null while it is being created) and `bins` the bins the op sees. Returns
// 0 or the result code (4 for an expression the server refuses, 26 when it
// has no value and EVAL_NO_FAIL is not set); `*has_value` is false when an
// EVAL_NO_FAIL op had no value.
uint8_t EvaluateExpOp(const ExpOp& op, const Record* meta, std::string_view set_name,
                      const uint8_t* digest, const std::string& bins, uint64_t now_ns,
                      ExpressionValue* result, bool* has_value);

// The flags' checks that come before the evaluation of an EXP_MODIFY op on
// bin `name`: 0 to go on, kSkip when the op is to do nothing, or a result
// code (6 bin exists, 17 bin not found).
inline constexpr uint8_t kSkipExpWrite = 0xff;
uint8_t CheckExpWrite(const ExpOp& op, bool bin_exists);

// Stores an evaluated EXP_MODIFY value into `bins` (a nil value deletes the
// bin when ALLOW_DELETE says so). Returns 0 or the result code.
uint8_t ApplyExpWrite(const ExpOp& op, std::string_view name, const ExpressionValue& value,
                      bool has_value, BinList* bins);

}  // namespace aerospike_py::server
