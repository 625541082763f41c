// Evaluation of a built expression (expression_build.h) against one record,
// as the real server's exp.c eval_* functions compute it: "unknown" (a
// missing bin, a bin or key of another type, a failed call, integer
// division by zero) propagates through most ops and is absorbed by and/or
// as three-valued logic; integers wrap on overflow. Used by expression.cc.
#pragma once

#include <cstdint>
#include <string_view>

#include "server/expression_build.h"
#include "server/expression_node.h"
#include "server/store.h"

namespace aerospike_py::server::exp {

// What an expression can see of a record.
struct Subject {
  const Record* record = nullptr;  // its metadata; null for a record being created
  std::string_view bins;           // the bins to read (stored or being written)
  std::string_view set_name;
  const uint8_t* digest = nullptr;
  uint64_t now_ns = 0;
  // The size the record takes in storage (record_size), computed from the
  // stored record by expression.cc.
  int64_t stored_size = 0;
};

Value Evaluate(const Program& program, const Subject& subject);

}  // namespace aerospike_py::server::exp
