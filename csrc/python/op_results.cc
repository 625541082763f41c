#include "python/op_results.h"

#include <cstdint>
#include <vector>

#include "proto/constants.h"
#include "python/cdt_encode.h"
#include "python/results.h"
#include "python/str_cache.h"
#include "python/value_decode.h"

namespace aerospike_py::python {
namespace {

// The op's value by its shape. New reference.
PyObject* DecodeOp(ModuleState* st, const proto::OpView& op, std::string_view shapes,
                   size_t index) {
  const auto shape = index < shapes.size() ? static_cast<OpResultShape>(shapes[index])
                                           : OpResultShape::kPlain;
  if (shape == OpResultShape::kKeyValue) {
    return DecodeMapAsPairs(st, op.particle_type, op.value);
  }
  return DecodeParticle(st, op.particle_type, op.value);
}

// The bin name of an op (interned through the name cache; bytes when it is
// not UTF-8, so the record stays readable). New reference.
PyObject* NameOf(ModuleState* st, const proto::OpView& op, size_t position) {
  PyObject* name = st->str_caches->names.GetAt(position, op.name.data(), op.name.size());
  if (name != nullptr || !PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) return name;
  PyErr_Clear();
  return PyBytes_FromStringAndSize(op.name.data(), static_cast<Py_ssize_t>(op.name.size()));
}

}  // namespace

PyObject* NewOperateBins(ModuleState* st, const proto::MessageView& message,
                         std::string_view shapes, bool keep_empty) {
  Ref bins = Ref::Steal(PyDict_New());
  if (!bins) return nullptr;
  // The multi-result lists made so far (borrowed: `bins` holds them): a
  // result that is itself a list is not one of them.
  std::vector<PyObject*> multi;
  proto::OpIterator it(message);
  proto::OpView op;
  size_t index = 0;
  while (it.Next(&op)) {
    const size_t i = index++;
    if (op.particle_type == static_cast<uint8_t>(proto::ParticleType::kNull) && !keep_empty) {
      continue;
    }
    Ref name = Ref::Steal(NameOf(st, op, i));
    if (!name) return nullptr;
    Ref value = Ref::Steal(DecodeOp(st, op, shapes, i));
    if (!value) return nullptr;
    PyObject* prev = PyDict_GetItemWithError(bins.get(), name.get());
    if (prev == nullptr) {
      if (PyErr_Occurred()) return nullptr;
      if (PyDict_SetItem(bins.get(), name.get(), value.get()) < 0) return nullptr;
      continue;
    }
    bool is_multi = false;
    for (PyObject* m : multi) is_multi = is_multi || m == prev;
    if (is_multi) {
      if (PyList_Append(prev, value.get()) < 0) return nullptr;
      continue;
    }
    PyObject* both = PyList_New(2);
    if (both == nullptr) return nullptr;
    PyList_SET_ITEM(both, 0, Py_NewRef(prev));
    PyList_SET_ITEM(both, 1, value.release());
    const int rc = PyDict_SetItem(bins.get(), name.get(), both);
    Py_DECREF(both);  // the dict holds it now
    if (rc < 0) return nullptr;
    multi.push_back(both);
  }
  return bins.release();
}

PyObject* NewOrderedBins(ModuleState* st, const proto::MessageView& message,
                         std::string_view shapes) {
  Ref list = Ref::Steal(PyList_New(0));
  if (!list) return nullptr;
  proto::OpIterator it(message);
  proto::OpView op;
  size_t index = 0;
  while (it.Next(&op)) {
    const size_t i = index++;
    PyObject* pair[2];
    pair[0] = NameOf(st, op, i);
    pair[1] = pair[0] ? DecodeOp(st, op, shapes, i) : nullptr;
    if (pair[1] == nullptr) {
      Py_XDECREF(pair[0]);
      return nullptr;
    }
    Ref bt = Ref::Steal(NewNamedTuple(st->bin_tuple_type, pair, 2));
    if (!bt || PyList_Append(list.get(), bt.get()) < 0) return nullptr;
  }
  return list.release();
}

}  // namespace aerospike_py::python
