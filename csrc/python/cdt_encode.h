// List, map, bit and HLL op dicts to wire ops: reads the dict into a
// proto::cdt::OpArgs guided by the operation's row of the table in
// proto/cdt_ops.h (which keys it takes, which it needs, what each must
// hold), packs the values as msgpack, and lets proto::cdt::EncodeCdtOp
// write the op. Everything is checked before the op is written: a wrong
// type, an out-of-range flag, a missing key, a key the operation does not
// take (a ctx on a bit op) is a ParamError and nothing is sent. GIL held.
#pragma once

#include <cstdint>

#include "common/byte_buffer.h"
#include "proto/cdt_ops.h"
#include "proto/op_writer.h"
#include "python/module_state.h"

namespace aerospike_py::python {

// How the bridge turns an op's answer into the Python value aerospike-py
// returns (see results.cc).
enum class OpResultShape : uint8_t {
  kPlain,     // the particle as decoded (most results)
  kKeyValue,  // MAP_RETURN_KEY_VALUE: [(key, value), ...] in map order
};

// Encodes ops[index], a dict whose "op" is the row's code. `scratch` holds
// packed values while the op is written (reused across ops).
bool EncodeCdtOpDict(ModuleState* st, const proto::cdt::OpSpec& spec, PyObject* dict,
                     Py_ssize_t index, ByteBuffer* scratch, proto::OpWriter* w,
                     OpResultShape* shape);

}  // namespace aerospike_py::python
