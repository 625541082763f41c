// Reading an op dict ({"op": ..., "bin": ..., ...}) of operate(),
// operate_ordered() and batch_operate(): one pass over its items sorts each
// value by key (borrowed references), so the encoders look keys up in an
// array instead of the dict. The keys are aerospike-py's (basic ops and its
// list/map/bit/HLL ops) plus ours: "ctx" and "inverted". An unknown key is a
// ParamError naming it. GIL held; used by cdt_encode.cc.
#pragma once

#include <cstdint>

#include "python/module_state.h"

namespace aerospike_py::python {

enum class OpKey : uint8_t {
  kOp,
  kBin,
  kVal,
  kValEnd,
  kIndex,
  kRank,
  kCount,
  kReturnType,
  kInverted,
  kCtx,
  kMapKey,
  kListPolicy,
  kMapPolicy,
  kHllPolicy,
  kBitPolicy,
  kByteSize,
  kByteOffset,
  kBitOffset,
  kBitSize,
  kShift,
  kSigned,
  kAction,
  kResizeFlags,
  kIndexBitCount,
  kMinhashBitCount,
};
inline constexpr int kOpKeyCount = static_cast<int>(OpKey::kMinhashBitCount) + 1;

// The dict key of each OpKey ("op", "bin", ...).
const char* OpKeyName(OpKey key);

struct OpDict {
  PyObject* values[kOpKeyCount] = {};  // borrowed from the dict; null when absent
  uint32_t present = 0;                // bit per key given with a value other than None

  PyObject* Get(OpKey k) const { return values[static_cast<int>(k)]; }
  // The value, or null when absent or None.
  PyObject* GetNotNone(OpKey k) const {
    return (present & (1u << static_cast<int>(k))) != 0 ? values[static_cast<int>(k)] : nullptr;
  }
};

// Sorts the items of `dict` (ops[index]) into `out`; raises ParamError for a
// non-dict or an unknown key.
bool ReadOpDict(ModuleState* st, PyObject* dict, Py_ssize_t index, OpDict* out);

}  // namespace aerospike_py::python
