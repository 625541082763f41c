#include "python/expressions.h"

#include <structmember.h>

#include <string_view>

#include "proto/constants.h"
#include "proto/msgpack.h"
#include "python/errors.h"
#include "python/stage_stats.h"
#include "python/value_encode.h"

namespace aerospike_py::python {
namespace {

// Imports aerospike_py._expr once per interpreter: the Expr type, the
// offset of its `_wire` slot and to_wire(). Deferred to the first
// expression so that importing _core does not import the package's Python
// modules (which import _core).
bool EnsureExpressionSupport(ModuleState* st) {
  if (st->expr_type != nullptr) return true;
  Ref mod = Ref::Steal(PyImport_ImportModule("aerospike_py._expr"));
  if (!mod) return false;
  Ref type = Ref::Steal(PyObject_GetAttrString(mod.get(), "Expr"));
  Ref to_wire = Ref::Steal(PyObject_GetAttrString(mod.get(), "to_wire"));
  if (!type || !to_wire) return false;
  if (!PyType_Check(type.get())) {
    PyErr_SetString(PyExc_TypeError, "aerospike_py._expr.Expr must be a class");
    return false;
  }
  // The slot is a member descriptor in the class dict; its offset lets the
  // hot path read the bytes without an attribute lookup.
  PyObject* descr = PyDict_GetItemString(
      reinterpret_cast<PyTypeObject*>(type.get())->tp_dict, "_wire");
  if (descr == nullptr || !PyObject_TypeCheck(descr, &PyMemberDescr_Type)) {
    PyErr_SetString(PyExc_TypeError, "aerospike_py._expr.Expr needs a _wire slot");
    return false;
  }
  const PyMemberDef* member = reinterpret_cast<PyMemberDescrObject*>(descr)->d_member;
  if (member->type != T_OBJECT_EX && member->type != T_OBJECT) {
    PyErr_SetString(PyExc_TypeError, "aerospike_py._expr.Expr._wire must be an object slot");
    return false;
  }
  st->expr_wire_offset = member->offset;
  st->expr_to_wire = to_wire.release();
  st->expr_type = type.release();
  return true;
}

// The bytes held by an Expr node (borrowed); null with an exception when
// the slot is empty or not bytes (a node built around the builders).
PyObject* NodeWire(ModuleState* st, PyObject* node) {
  PyObject* wire =
      *reinterpret_cast<PyObject**>(reinterpret_cast<char*>(node) + st->expr_wire_offset);
  if (wire == nullptr || !PyBytes_Check(wire)) {
    RaiseInvalidArg(st, "expression node has no compiled bytes");
    return nullptr;
  }
  return wire;
}

// Appends the wire bytes of `v` (not None) to `out`.
bool AppendWire(ModuleState* st, PyObject* v, const char* what, std::string* out) {
  if (PyBytes_Check(v) || PyByteArray_Check(v) || PyMemoryView_Check(v)) {
    Py_buffer view;
    if (PyObject_GetBuffer(v, &view, PyBUF_SIMPLE) < 0) return false;
    out->append(static_cast<const char*>(view.buf), static_cast<size_t>(view.len));
    PyBuffer_Release(&view);
    if (view.len == 0) {
      RaiseInvalidArg(st, "%s: an expression cannot be empty bytes", what);
      return false;
    }
    ++GetExpressionStats().reused;
    return true;
  }
  if (!EnsureExpressionSupport(st)) return false;
  if (Py_TYPE(v) == reinterpret_cast<PyTypeObject*>(st->expr_type)) {
    PyObject* wire = NodeWire(st, v);
    if (wire == nullptr) return false;
    out->append(PyBytes_AS_STRING(wire), static_cast<size_t>(PyBytes_GET_SIZE(wire)));
    ++GetExpressionStats().reused;
    return true;
  }
  const int64_t start = NowNs();
  Ref wire = Ref::Steal(PyObject_CallOneArg(st->expr_to_wire, v));
  if (!wire) return false;
  if (!PyBytes_Check(wire.get())) {
    RaiseInvalidArg(st, "%s: expression conversion gave %.100s, not bytes", what,
                    Py_TYPE(wire.get())->tp_name);
    return false;
  }
  out->append(PyBytes_AS_STRING(wire.get()), static_cast<size_t>(PyBytes_GET_SIZE(wire.get())));
  ExpressionStats& stats = GetExpressionStats();
  ++stats.encoded;
  stats.encode_ns += static_cast<uint64_t>(NowNs() - start);
  return true;
}

bool KeyIs(PyObject* k, const char* name) {
  return PyUnicode_Check(k) && PyUnicode_CompareWithASCIIString(k, name) == 0;
}

// _exp_pack_value(value) -> bytes: one value as MessagePack the way CDT
// arguments are packed (aerospike_py.exp's list/map literals, ctx values).
PyObject* ExpPackValueImpl(PyObject* module, PyObject* value) {
  ModuleState* st = StateOf(module);
  ByteBuffer out;
  proto::MsgpackWriter w(&out);
  if (!PackValue(st, value, "value", &w)) return nullptr;
  return PyBytes_FromStringAndSize(
      out.empty() ? "" : reinterpret_cast<const char*>(out.data()),
      static_cast<Py_ssize_t>(out.size()));
}

// _exp_wire(obj) -> bytes: what a policy's filter_expression sends for obj.
PyObject* ExpWireImpl(PyObject* module, PyObject* value) {
  ModuleState* st = StateOf(module);
  std::string out;
  if (!ReadExpressionBytes(st, value, "filter_expression", &out)) return nullptr;
  return PyBytes_FromStringAndSize(out.data(), static_cast<Py_ssize_t>(out.size()));
}

// _expression_stats(reset=False) -> {"reused", "encoded", "encode_ns"}
PyObject* ExpressionStatsImpl(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
  bool reset = false;
  if (nargs > 1) {
    PyErr_SetString(PyExc_TypeError, "_expression_stats takes at most one argument");
    return nullptr;
  }
  if (nargs == 1) {
    const int r = PyObject_IsTrue(args[0]);
    if (r < 0) return nullptr;
    reset = r == 1;
  }
  ExpressionStats& s = GetExpressionStats();
  PyObject* d = Py_BuildValue("{s:K,s:K,s:K}", "reused", static_cast<unsigned long long>(s.reused),
                              "encoded", static_cast<unsigned long long>(s.encoded), "encode_ns",
                              static_cast<unsigned long long>(s.encode_ns));
  if (d != nullptr && reset) s = ExpressionStats();
  return d;
}

}  // namespace

ExpressionStats& GetExpressionStats() {
  static ExpressionStats stats;
  return stats;
}

bool ReadExpressionBytes(ModuleState* st, PyObject* v, const char* what, std::string* out) {
  out->clear();
  if (v == Py_None) return true;
  if (PyUnicode_Check(v)) {
    RaiseInvalidArg(st,
                    "%s: 'filter_expression' must be an expression (aerospike_py.exp) or its "
                    "compiled bytes, not str",
                    what);
    return false;
  }
  return AppendWire(st, v, what, out);
}

bool EncodeExpressionOp(ModuleState* st, PyObject* op, long code, Py_ssize_t index,
                        proto::OpWriter* w, bool* is_write) {
  PyObject* bin_obj = nullptr;
  PyObject* expr = nullptr;
  PyObject* flags_obj = nullptr;
  Py_ssize_t pos = 0;
  PyObject *k, *v;
  while (PyDict_Next(op, &pos, &k, &v)) {
    if (KeyIs(k, "op")) continue;
    if (KeyIs(k, "bin")) {
      bin_obj = v;
    } else if (KeyIs(k, "expr")) {
      expr = v;
    } else if (KeyIs(k, "expr_flags")) {
      flags_obj = v;
    } else {
      RaiseInvalidArg(st,
                      "ops[%zd]: unknown key %R (expression ops take 'op', 'bin', 'expr', "
                      "'expr_flags')",
                      index, k);
      return false;
    }
  }
  std::string_view bin;
  if (bin_obj == nullptr || bin_obj == Py_None) {
    RaiseInvalidArg(st, "ops[%zd]: an expression op needs a 'bin' (the result's name)", index);
    return false;
  }
  if (!BinNameView(st, bin_obj, &bin)) return false;
  if (expr == nullptr || expr == Py_None) {
    RaiseInvalidArg(st, "ops[%zd]: an expression op needs an 'expr'", index);
    return false;
  }
  uint64_t flags = 0;
  if (flags_obj != nullptr && flags_obj != Py_None) {
    if (!PyLong_Check(flags_obj) || PyBool_Check(flags_obj)) {
      RaiseInvalidArg(st, "ops[%zd]: 'expr_flags' must be an int, not %.100s", index,
                      Py_TYPE(flags_obj)->tp_name);
      return false;
    }
    const unsigned long long f = PyLong_AsUnsignedLongLong(flags_obj);
    if (f == static_cast<unsigned long long>(-1) && PyErr_Occurred()) {
      PyErr_Clear();
      RaiseInvalidArg(st, "ops[%zd]: 'expr_flags' %R is out of range", index, flags_obj);
      return false;
    }
    flags = f;
  }
  std::string wire;
  if (PyUnicode_Check(expr)) {
    RaiseInvalidArg(st, "ops[%zd]: 'expr' must be an expression (aerospike_py.exp), not str",
                    index);
    return false;
  }
  if (!AppendWire(st, expr, "ops", &wire)) return false;
  *is_write = code == kOperatorExpWrite;
  w->Begin(*is_write ? proto::OpType::kExpModify : proto::OpType::kExpRead,
           proto::ParticleType::kBlob, bin);
  // [expression, flags]: the expression goes in as it is (already packed).
  proto::MsgpackWriter mp(w->buffer());
  mp.ArrayHeader(2);
  w->buffer()->Append(AsBytes(wire));
  mp.UInt(flags);
  w->End();
  return true;
}

PyMethodDef kExpressionMethods[] = {
    {"_exp_pack_value", ExpPackValueImpl, METH_O,
     "_exp_pack_value(value) -> bytes: a value packed as a CDT argument (aerospike_py.exp)."},
    {"_exp_wire", ExpWireImpl, METH_O,
     "_exp_wire(obj) -> bytes: the bytes a filter_expression of obj sends (tests)."},
    {"_expression_stats",
     reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(ExpressionStatsImpl)),
     METH_FASTCALL,
     "_expression_stats(reset=False) -> dict: expressions taken compiled (reused) versus "
     "encoded during calls, and the encoding time."},
    {nullptr, nullptr, 0, nullptr},
};

}  // namespace aerospike_py::python
