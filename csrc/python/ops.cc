#include "python/ops.h"

#include <string>
#include <string_view>

#include "proto/cdt_ops.h"
#include "proto/constants.h"
#include "proto/op_writer.h"
#include "python/cdt_encode.h"
#include "python/errors.h"
#include "python/expressions.h"
#include "python/value_encode.h"

namespace aerospike_py::python {
namespace {

using proto::OpType;
using proto::ParticleType;

bool EncodeValueOp(ModuleState* st, OpType type, std::string_view bin, PyObject* value,
                   proto::OpWriter* w) {
  w->Begin(type, ParticleType::kNull, bin);
  ParticleType pt;
  if (!EncodeParticle(st, value, bin, w->buffer(), &pt)) return false;
  w->SetParticle(pt);
  w->End();
  return true;
}

bool CheckIncrement(ModuleState* st, std::string_view bin, PyObject* value) {
  if (value != nullptr && !PyBool_Check(value) && (PyLong_Check(value) || PyFloat_Check(value))) {
    return true;
  }
  RaiseInvalidArg(st, "increment of bin '%s' needs an int or float, not %.100s",
                  std::string(bin).c_str(),
                  value == nullptr ? "nothing" : Py_TYPE(value)->tp_name);
  return false;
}

bool CheckString(ModuleState* st, std::string_view bin, PyObject* value) {
  if (value != nullptr &&
      (PyUnicode_Check(value) || PyBytes_Check(value) || PyByteArray_Check(value))) {
    return true;
  }
  RaiseInvalidArg(st, "append/prepend to bin '%s' needs str or bytes, not %.100s",
                  std::string(bin).c_str(),
                  value == nullptr ? "nothing" : Py_TYPE(value)->tp_name);
  return false;
}

// A list/map/bit/HLL op dict (its "op" is a code of proto/cdt_ops.h).
bool EncodeCollectionOp(ModuleState* st, const proto::cdt::OpSpec& spec, PyObject* op,
                        Py_ssize_t index, EncodedOps* out, proto::OpWriter* w) {
  OpResultShape shape;
  if (!EncodeCdtOpDict(st, spec, op, index, &out->scratch, w, &shape)) return false;
  out->has_collection_op = true;
  if (spec.IsWrite()) {
    out->has_write = true;
  } else {
    out->has_read = true;
  }
  // Shapes are recorded from the first op that is not plain on (the ops
  // before it, and basic ops after it, are plain: see EncodeOperations).
  if (shape != OpResultShape::kPlain) {
    out->shapes.resize(static_cast<size_t>(index), static_cast<char>(OpResultShape::kPlain));
    out->shapes.push_back(static_cast<char>(shape));
  }
  return true;
}

// 5001/5002 when `op` is an expression op dict, else 0.
long ExpressionOpCode(PyObject* op) {
  PyObject* code = PyDict_GetItemString(op, "op");
  if (code == nullptr || !PyLong_CheckExact(code)) return 0;
  const long c = PyLong_AsLong(code);
  if (c == kOperatorExpRead || c == kOperatorExpWrite) return c;
  if (c == -1) PyErr_Clear();
  return 0;
}

bool EncodeOne(ModuleState* st, PyObject* op, Py_ssize_t index, EncodedOps* out,
               proto::OpWriter* w) {
  if (PyDict_Check(op)) {
    // Collection ops first: their dicts carry more keys than the basic ones.
    PyObject* code_obj = PyDict_GetItemWithError(op, st->s_op);
    if (code_obj == nullptr && PyErr_Occurred()) return false;
    if (code_obj != nullptr && PyLong_CheckExact(code_obj)) {
      const long code = PyLong_AsLong(code_obj);
      if (code >= 1000) {
        if (const proto::cdt::OpSpec* spec = proto::cdt::FindOp(code)) {
          return EncodeCollectionOp(st, *spec, op, index, out, w);
        }
      }
    }
  }
  if (!PyDict_Check(op)) {
    RaiseInvalidArg(st, "ops[%zd] must be a dict like {'op': OPERATOR_READ, 'bin': 'x'}, not %.100s",
                    index, Py_TYPE(op)->tp_name);
    return false;
  }
  if (long exp_code = ExpressionOpCode(op); exp_code != 0) {  // exp_read / exp_write
    bool is_write = false;
    if (!EncodeExpressionOp(st, op, exp_code, index, w, &is_write)) return false;
    (is_write ? out->has_write : out->has_read) = true;
    return true;
  }
  PyObject* code_obj = nullptr;
  PyObject* bin_obj = nullptr;
  PyObject* val = nullptr;
  Py_ssize_t pos = 0;
  PyObject *k, *v;
  while (PyDict_Next(op, &pos, &k, &v)) {
    if (PyUnicode_Check(k) && PyUnicode_CompareWithASCIIString(k, "op") == 0) {
      code_obj = v;
    } else if (PyUnicode_Check(k) && PyUnicode_CompareWithASCIIString(k, "bin") == 0) {
      bin_obj = v == Py_None ? nullptr : v;
    } else if (PyUnicode_Check(k) && PyUnicode_CompareWithASCIIString(k, "val") == 0) {
      val = v;
    } else {
      RaiseInvalidArg(st, "ops[%zd]: unknown key %R (basic ops take 'op', 'bin', 'val')", index,
                      k);
      return false;
    }
  }
  if (code_obj == nullptr || !PyLong_Check(code_obj) || PyBool_Check(code_obj)) {
    RaiseInvalidArg(st, "ops[%zd] needs an int 'op' (an OPERATOR_* constant)", index);
    return false;
  }
  long code = PyLong_AsLong(code_obj);
  if (code == -1 && PyErr_Occurred()) {
    PyErr_Clear();
    code = -1;
  }
  std::string_view bin;
  if (bin_obj != nullptr && !BinNameView(st, bin_obj, &bin)) return false;
  const bool needs_bin = code == kOperatorWrite || code == kOperatorIncr ||
                         code == kOperatorAppend || code == kOperatorPrepend;
  if (needs_bin && bin_obj == nullptr) {
    RaiseInvalidArg(st, "ops[%zd]: operator %ld needs a 'bin'", index, code);
    return false;
  }
  switch (code) {
    case kOperatorRead:
      out->has_read = true;
      if (bin_obj == nullptr) {
        out->read_all = true;
        w->Add(OpType::kRead, ParticleType::kNull, std::string_view(), ByteSpan());
      } else {
        w->Add(OpType::kRead, ParticleType::kNull, bin, ByteSpan());
      }
      return true;
    case kOperatorWrite:
      out->has_write = true;
      return EncodeValueOp(st, OpType::kWrite, bin, val != nullptr ? val : Py_None, w);
    case kOperatorIncr:
      out->has_write = true;
      return CheckIncrement(st, bin, val) && EncodeValueOp(st, OpType::kIncr, bin, val, w);
    case kOperatorAppend:
    case kOperatorPrepend:
      out->has_write = true;
      return CheckString(st, bin, val) &&
             EncodeValueOp(st, code == kOperatorAppend ? OpType::kAppend : OpType::kPrepend,
                           bin, val, w);
    case kOperatorTouch:
      out->has_write = true;
      w->Add(OpType::kTouch, ParticleType::kNull, std::string_view(), ByteSpan());
      return true;
    case kOperatorDelete:
      out->has_write = true;
      w->Add(OpType::kDelete, ParticleType::kNull, std::string_view(), ByteSpan());
      return true;
    default:
      RaiseInvalidArg(st, "ops[%zd]: operator %R is not supported", index, code_obj);
      return false;
  }
}

}  // namespace

bool WireOpCount(ModuleState* st, const proto::OpWriter& w, const char* what, uint16_t* n_ops) {
  if (w.count() > UINT16_MAX) {
    RaiseInvalidArg(st, "%s: %zu operations, a record command carries at most 65535", what,
                    w.count());
    return false;
  }
  *n_ops = static_cast<uint16_t>(w.count());
  return true;
}

bool EncodeOperations(ModuleState* st, PyObject* ops, EncodedOps* out) {
  if (!PyList_Check(ops) && !PyTuple_Check(ops)) {
    RaiseInvalidArg(st, "ops must be a list of op dicts, not %.100s", Py_TYPE(ops)->tp_name);
    return false;
  }
  Ref seq = Ref::Steal(PySequence_Tuple(ops));
  if (!seq) return false;
  const Py_ssize_t n = PyTuple_GET_SIZE(seq.get());
  if (n == 0) {
    RaiseInvalidArg(st, "ops is empty");
    return false;
  }
  if (n > UINT16_MAX) {
    RaiseInvalidArg(st, "ops has %zd operations, the limit is 65535", n);
    return false;
  }
  proto::OpWriter w(&out->bytes);
  for (Py_ssize_t i = 0; i < n; ++i) {
    if (!EncodeOne(st, PyTuple_GET_ITEM(seq.get(), i), i, out, &w)) return false;
    if (!out->shapes.empty() && out->shapes.size() <= static_cast<size_t>(i)) {
      out->shapes.push_back(static_cast<char>(OpResultShape::kPlain));
    }
  }
  return WireOpCount(st, w, "ops", &out->count);
}

bool AppendIncrementOp(ModuleState* st, PyObject* bin, PyObject* value, ByteBuffer* out) {
  std::string_view name;
  if (!BinNameView(st, bin, &name) || !CheckIncrement(st, name, value)) return false;
  proto::OpWriter w(out);
  return EncodeValueOp(st, OpType::kIncr, name, value, &w);
}

bool AppendStringOp(ModuleState* st, bool prepend, PyObject* bin, PyObject* value,
                    ByteBuffer* out) {
  std::string_view name;
  if (!BinNameView(st, bin, &name) || !CheckString(st, name, value)) return false;
  proto::OpWriter w(out);
  return EncodeValueOp(st, prepend ? OpType::kPrepend : OpType::kAppend, name, value, &w);
}

}  // namespace aerospike_py::python
