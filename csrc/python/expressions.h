// Expressions in the bridge: reading a policy's "filter_expression" and the
// expression operations (op dicts 5001 exp_read / 5002 exp_write).
//
// aerospike_py.exp builds an expression as an Expr node that already holds
// its wire bytes; here they are copied out of the node's slot with no
// Python call and no re-encoding (counted as "reused" in the stage stats).
// Anything else that is not bytes (a hand-built dict of aerospike-py's
// shape, the official client's compiled list) goes through
// aerospike_py._expr.to_wire, which raises ParamError naming what is wrong
// (counted as "encoded", with its time). Used by policies.cc and ops.cc.
#pragma once

#include <cstdint>
#include <string>

#include "proto/op_writer.h"
#include "python/module_state.h"

namespace aerospike_py::python {

// aerospike_py.exp's OPERATOR_EXP_READ / OPERATOR_EXP_WRITE.
inline constexpr long kOperatorExpRead = 5001;
inline constexpr long kOperatorExpWrite = 5002;

// The wire bytes of `v` (None clears `out`): bytes-like objects as they are,
// Expr nodes from their slot, anything else through _expr.to_wire. `what`
// names the argument in messages ("policy"). False with ParamError set.
bool ReadExpressionBytes(ModuleState* st, PyObject* v, const char* what, std::string* out);

// Encodes an expression op dict ({"op": 5001|5002, "bin": name, "expr":
// expression, "expr_flags": int}) as one wire op (EXP_READ 7 / EXP_MODIFY
// 8). `index` numbers the op in messages; `is_write` tells the caller which
// kind it was.
bool EncodeExpressionOp(ModuleState* st, PyObject* op, long code, Py_ssize_t index,
                        proto::OpWriter* w, bool* is_write);

// Counters of the stage stats: filter expressions and expression ops taken
// from compiled nodes versus encoded during a call.
struct ExpressionStats {
  uint64_t reused = 0;
  uint64_t encoded = 0;
  uint64_t encode_ns = 0;
};
ExpressionStats& GetExpressionStats();

extern PyMethodDef kExpressionMethods[];

}  // namespace aerospike_py::python
