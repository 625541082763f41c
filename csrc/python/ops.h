// operate()/operate_ordered() op dicts to wire ops. An op is
// {"op": OPERATOR_*, "bin": name, "val": value} with aerospike-py's
// operator numbers (READ 1, WRITE 2, INCR 5, APPEND 9, PREPEND 10, TOUCH 11,
// DELETE 12). Each dict is checked completely (known op, bin present where
// needed, value type, no unknown keys) before anything is sent.
#pragma once

#include <string>

#include "common/byte_buffer.h"
#include "proto/op_writer.h"
#include "python/module_state.h"

namespace aerospike_py::python {

// aerospike-py's OPERATOR_* numbers.
inline constexpr long kOperatorRead = 1;
inline constexpr long kOperatorWrite = 2;
inline constexpr long kOperatorIncr = 5;
inline constexpr long kOperatorAppend = 9;
inline constexpr long kOperatorPrepend = 10;
inline constexpr long kOperatorTouch = 11;
inline constexpr long kOperatorDelete = 12;

struct EncodedOps {
  ByteBuffer bytes;
  uint16_t count = 0;
  bool has_read = false;
  bool has_write = false;
  bool read_all = false;  // a READ without a bin: all bins
  // List/map/bit/HLL ops (cdt_encode.h): whether there is one, and the
  // result shape of each op (an OpResultShape byte per op, empty while
  // every op is plain).
  bool has_collection_op = false;
  std::string shapes;
  ByteBuffer scratch;  // packed values of the op being encoded
};

bool EncodeOperations(ModuleState* st, PyObject* ops, EncodedOps* out);

// The number of ops `w` wrote, as a message header's 16-bit op count; a
// ParamError naming `what` when there are more than a message can carry.
bool WireOpCount(ModuleState* st, const proto::OpWriter& w, const char* what, uint16_t* n_ops);

// The value of an increment (int or float; bool is refused) as an op.
bool AppendIncrementOp(ModuleState* st, PyObject* bin, PyObject* value, ByteBuffer* out);
// The value of an append/prepend (str or bytes) as an op.
bool AppendStringOp(ModuleState* st, bool prepend, PyObject* bin, PyObject* value,
                    ByteBuffer* out);

}  // namespace aerospike_py::python
