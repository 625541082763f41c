#include "python/meta_cache.h"

#include "python/module_state.h"
#include "python/results.h"

namespace aerospike_py::python {

PyObject* MetaCache::Get(ModuleState* st, uint32_t generation, uint32_t ttl) {
  if (!last_ || generation != generation_ || ttl != ttl_) {
    PyObject* items[2] = {PyLong_FromUnsignedLong(generation), PyLong_FromUnsignedLong(ttl)};
    if (items[0] == nullptr || items[1] == nullptr) {
      Py_XDECREF(items[0]);
      Py_XDECREF(items[1]);
      return nullptr;
    }
    PyObject* meta = NewNamedTuple(st->meta_type, items, 2);
    if (meta == nullptr) return nullptr;
    last_ = Ref::Steal(meta);
    generation_ = generation;
    ttl_ = ttl;
  }
  return Py_NewRef(last_.get());
}

}  // namespace aerospike_py::python
