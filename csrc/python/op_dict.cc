#include "python/op_dict.h"

#include <cstring>
#include <string_view>

#include "python/errors.h"

namespace aerospike_py::python {
namespace {

constexpr const char* kNames[kOpKeyCount] = {
    "op",        "bin",        "val",         "val_end",    "index",          "rank",
    "count",     "return_type", "inverted",   "ctx",        "map_key",        "list_policy",
    "map_policy", "hll_policy", "bit_policy", "byte_size",  "byte_offset",    "bit_offset",
    "bit_size",  "shift",      "signed",      "action",     "resize_flags",   "index_bit_count",
    "minhash_bit_count",
};

// Keys are matched by length first, then by bytes: dict keys written in
// code are compact ASCII strings, whose UTF-8 form is their data (no
// conversion, no allocation).
int Classify(PyObject* key) {
  if (!PyUnicode_Check(key)) return -1;
  Py_ssize_t len = 0;
  const char* s = PyUnicode_AsUTF8AndSize(key, &len);
  if (s == nullptr) {
    PyErr_Clear();
    return -1;
  }
  const std::string_view k(s, static_cast<size_t>(len));
  auto is = [&](OpKey id) { return k == kNames[static_cast<int>(id)]; };
  switch (len) {
    case 2:
      if (is(OpKey::kOp)) return static_cast<int>(OpKey::kOp);
      break;
    case 3:
      if (is(OpKey::kBin)) return static_cast<int>(OpKey::kBin);
      if (is(OpKey::kVal)) return static_cast<int>(OpKey::kVal);
      if (is(OpKey::kCtx)) return static_cast<int>(OpKey::kCtx);
      break;
    case 4:
      if (is(OpKey::kRank)) return static_cast<int>(OpKey::kRank);
      break;
    case 5:
      if (is(OpKey::kIndex)) return static_cast<int>(OpKey::kIndex);
      if (is(OpKey::kCount)) return static_cast<int>(OpKey::kCount);
      if (is(OpKey::kShift)) return static_cast<int>(OpKey::kShift);
      break;
    case 6:
      if (is(OpKey::kSigned)) return static_cast<int>(OpKey::kSigned);
      if (is(OpKey::kAction)) return static_cast<int>(OpKey::kAction);
      break;
    case 7:
      if (is(OpKey::kValEnd)) return static_cast<int>(OpKey::kValEnd);
      if (is(OpKey::kMapKey)) return static_cast<int>(OpKey::kMapKey);
      break;
    case 8:
      if (is(OpKey::kInverted)) return static_cast<int>(OpKey::kInverted);
      if (is(OpKey::kBitSize)) return static_cast<int>(OpKey::kBitSize);
      break;
    case 9:
      if (is(OpKey::kByteSize)) return static_cast<int>(OpKey::kByteSize);
      break;
    case 10:
      if (is(OpKey::kMapPolicy)) return static_cast<int>(OpKey::kMapPolicy);
      if (is(OpKey::kHllPolicy)) return static_cast<int>(OpKey::kHllPolicy);
      if (is(OpKey::kBitPolicy)) return static_cast<int>(OpKey::kBitPolicy);
      if (is(OpKey::kBitOffset)) return static_cast<int>(OpKey::kBitOffset);
      break;
    case 11:
      if (is(OpKey::kReturnType)) return static_cast<int>(OpKey::kReturnType);
      if (is(OpKey::kListPolicy)) return static_cast<int>(OpKey::kListPolicy);
      if (is(OpKey::kByteOffset)) return static_cast<int>(OpKey::kByteOffset);
      break;
    case 12:
      if (is(OpKey::kResizeFlags)) return static_cast<int>(OpKey::kResizeFlags);
      break;
    case 15:
      if (is(OpKey::kIndexBitCount)) return static_cast<int>(OpKey::kIndexBitCount);
      break;
    case 17:
      if (is(OpKey::kMinhashBitCount)) return static_cast<int>(OpKey::kMinhashBitCount);
      break;
    default:
      break;
  }
  return -1;
}

}  // namespace

const char* OpKeyName(OpKey key) { return kNames[static_cast<int>(key)]; }

bool ReadOpDict(ModuleState* st, PyObject* dict, Py_ssize_t index, OpDict* out) {
  if (!PyDict_Check(dict)) {
    RaiseInvalidArg(st, "ops[%zd] must be a dict like {'op': OPERATOR_READ, 'bin': 'x'}, not %.100s",
                    index, Py_TYPE(dict)->tp_name);
    return false;
  }
  Py_ssize_t pos = 0;
  PyObject *k, *v;
  while (PyDict_Next(dict, &pos, &k, &v)) {
    const int id = Classify(k);
    if (id < 0) {
      RaiseInvalidArg(st, "ops[%zd]: unknown key %R", index, k);
      return false;
    }
    out->values[id] = v;
    if (v != Py_None) out->present |= 1u << id;
  }
  return true;
}

}  // namespace aerospike_py::python
