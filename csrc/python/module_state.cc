#include "python/module_state.h"

#include "python/batch_results.h"
#include "python/client_object.h"
#include "python/loop_bridge.h"
#include "python/meta_cache.h"
#include "python/query_stream_object.h"
#include "python/str_cache.h"

namespace aerospike_py::python {
namespace {

// Sets *out to a new reference to module.attr; false with ImportError or
// AttributeError set otherwise.
bool ImportAttr(PyObject* module, const char* attr, PyObject** out) {
  *out = PyObject_GetAttrString(module, attr);
  return *out != nullptr;
}

bool ImportType(PyObject* module, const char* attr, PyObject** out) {
  if (!ImportAttr(module, attr, out)) return false;
  if (!PyType_Check(*out)) {
    PyErr_Format(PyExc_TypeError, "%S.%s must be a class", module, attr);
    return false;
  }
  return true;
}

bool Intern(const char* text, PyObject** out) {
  *out = PyUnicode_InternFromString(text);
  return *out != nullptr;
}

}  // namespace

ModuleState* StateFromType(PyTypeObject* type) {
  // Python subclasses have no module of their own: walk the MRO to the
  // first type that was created from our module definition.
  PyObject* mro = type->tp_mro;
  const Py_ssize_t n = mro != nullptr ? PyTuple_GET_SIZE(mro) : 0;
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyTypeObject* t = reinterpret_cast<PyTypeObject*>(PyTuple_GET_ITEM(mro, i));
    if ((t->tp_flags & Py_TPFLAGS_HEAPTYPE) == 0) continue;
    PyObject* module = PyType_GetModule(t);
    if (module == nullptr) {
      PyErr_Clear();
      continue;
    }
    if (PyModule_GetDef(module) == &kModuleDef) return StateOf(module);
  }
  PyErr_Format(PyExc_TypeError, "%s is not an aerospike_py client type", type->tp_name);
  return nullptr;
}

int InitState(PyObject* module, ModuleState* st) {
  st->fork_generation = 0;
  st->last_bridge = nullptr;
  st->str_caches = new StrCaches();
  st->meta_cache = new MetaCache();

  Ref exc = Ref::Steal(PyImport_ImportModule("aerospike_py.exception"));
  if (!exc) return -1;
  if (!ImportAttr(exc.get(), "EXCEPTION_BY_CODE", &st->exception_by_code) ||
      !ImportAttr(exc.get(), "exception_for_code", &st->exception_for_code) ||
      !ImportType(exc.get(), "AerospikeError", &st->exc_aerospike_error) ||
      !ImportType(exc.get(), "ClientError", &st->exc_client_error) ||
      !ImportType(exc.get(), "InvalidArgError", &st->exc_invalid_arg) ||
      !ImportType(exc.get(), "AerospikeTimeoutError", &st->exc_timeout) ||
      !ImportType(exc.get(), "ClusterError", &st->exc_cluster) ||
      !ImportType(exc.get(), "BackpressureError", &st->exc_backpressure)) {
    return -1;
  }
  if (!PyDict_Check(st->exception_by_code)) {
    PyErr_SetString(PyExc_TypeError, "aerospike_py.exception.EXCEPTION_BY_CODE must be a dict");
    return -1;
  }

  Ref types = Ref::Steal(PyImport_ImportModule("aerospike_py.types"));
  if (!types) return -1;
  if (!ImportType(types.get(), "AerospikeKey", &st->key_type) ||
      !ImportType(types.get(), "RecordMetadata", &st->meta_type) ||
      !ImportType(types.get(), "Record", &st->record_type) ||
      !ImportType(types.get(), "ExistsResult", &st->exists_type) ||
      !ImportType(types.get(), "InfoNodeResult", &st->info_node_type) ||
      !ImportType(types.get(), "BinTuple", &st->bin_tuple_type) ||
      !ImportType(types.get(), "OperateOrderedResult", &st->ordered_type) ||
      !ImportType(types.get(), "BatchRecord", &st->batch_record_type) ||
      !ImportType(types.get(), "BatchWriteResult", &st->batch_write_result_type) ||
      !ImportType(types.get(), "GeoJSON", &st->geojson_type) ||
      !ImportType(types.get(), "TypedBlob", &st->typed_blob_type) ||
      !ImportType(types.get(), "HyperLogLog", &st->hll_type) ||
      !ImportType(types.get(), "KeyOrderedDict", &st->key_ordered_dict_type)) {
    return -1;
  }
  {
    Ref defaults = Ref::Steal(PyObject_GetAttrString(st->batch_write_result_type, "_field_defaults"));
    if (!defaults) return -1;
    PyObject* retry = PyDict_Check(defaults.get()) ? PyDict_GetItemString(defaults.get(), "retry")
                                                   : nullptr;
    st->default_retry_info = Py_NewRef(retry != nullptr ? retry : Py_None);
  }
  // The result NamedTuples are allocated directly as tuple subclasses.
  PyObject* tuple_types[] = {st->key_type, st->meta_type, st->record_type, st->exists_type,
                             st->info_node_type, st->bin_tuple_type, st->ordered_type,
                             st->batch_record_type, st->batch_write_result_type};
  for (PyObject* t : tuple_types) {
    if (!PyType_IsSubtype(reinterpret_cast<PyTypeObject*>(t), &PyTuple_Type)) {
      PyErr_Format(PyExc_TypeError, "aerospike_py.types.%s must be a NamedTuple",
                   reinterpret_cast<PyTypeObject*>(t)->tp_name);
      return -1;
    }
  }

  Ref batch = Ref::Steal(PyImport_ImportModule("aerospike_py._batch"));
  if (!batch || !ImportType(batch.get(), "LazyBatchRecords", &st->lazy_batch_type)) return -1;
  if (!PyType_IsSubtype(reinterpret_cast<PyTypeObject*>(st->lazy_batch_type), &PyDict_Type)) {
    PyErr_SetString(PyExc_TypeError, "aerospike_py._batch.LazyBatchRecords must be a dict");
    return -1;
  }

  Ref asyncio = Ref::Steal(PyImport_ImportModule("asyncio"));
  if (!asyncio) return -1;
  if (!ImportAttr(asyncio.get(), "get_running_loop", &st->get_running_loop) ||
      !ImportType(asyncio.get(), "Future", &st->future_type)) {
    return -1;
  }
  Ref base_loop = Ref::Steal(PyObject_GetAttrString(asyncio.get(), "BaseEventLoop"));
  if (!base_loop || !ImportAttr(base_loop.get(), "create_future", &st->base_create_future)) {
    return -1;
  }

#define ASPY_INTERN(name) \
  if (!Intern(#name, &st->s_##name)) return -1;
  ASPY_INTERN(done)
  ASPY_INTERN(set_result)
  ASPY_INTERN(set_exception)
  ASPY_INTERN(add_reader)
  ASPY_INTERN(remove_reader)
  ASPY_INTERN(call_soon)
  ASPY_INTERN(is_closed)
  ASPY_INTERN(create_future)
  ASPY_INTERN(loop)
  ASPY_INTERN(text)
  ASPY_INTERN(particle_type)
  ASPY_INTERN(code)
  ASPY_INTERN(msg)
  ASPY_INTERN(in_doubt)
  ASPY_INTERN(key)
  ASPY_INTERN(node)
  ASPY_INTERN(op)
  ASPY_INTERN(bin)
  ASPY_INTERN(val)
#undef ASPY_INTERN
  if (!Intern("_drain", &st->s_drain) || !Intern("_loop_gone", &st->s_loop_gone)) return -1;
  st->kw_loop = PyTuple_Pack(1, st->s_loop);
  if (st->kw_loop == nullptr) return -1;
  st->kw_error = PyTuple_Pack(4, st->s_code, st->s_in_doubt, st->s_key, st->s_node);
  if (st->kw_error == nullptr) return -1;
  if (!Intern("_text", &st->s__text) || !Intern("_data", &st->s__data) ||
      !Intern("_handle", &st->s__handle)) {
    return -1;
  }
  st->bridges = PyList_New(0);
  if (st->bridges == nullptr) return -1;

  st->client_type = PyType_FromModuleAndSpec(module, &kClientSpec, nullptr);
  if (st->client_type == nullptr) return -1;
  st->async_client_type = PyType_FromModuleAndSpec(module, &kAsyncClientSpec, nullptr);
  if (st->async_client_type == nullptr) return -1;
  st->loop_bridge_type = PyType_FromModuleAndSpec(module, &kLoopBridgeSpec, nullptr);
  if (st->loop_bridge_type == nullptr) return -1;
  st->batch_handle_type = PyType_FromModuleAndSpec(module, &kBatchHandleSpec, nullptr);
  if (st->batch_handle_type == nullptr) return -1;
  // Scans and queries.
  st->query_stream_type = PyType_FromModuleAndSpec(module, &kQueryStreamSpec, nullptr);
  if (st->query_stream_type == nullptr) return -1;
  st->query_next_type = PyType_FromModuleAndSpec(module, &kQueryNextSpec, nullptr);
  if (st->query_next_type == nullptr) return -1;
  if (!Intern("_asyncio_future_blocking", &st->s__asyncio_future_blocking)) return -1;
  if (PyModule_AddObjectRef(module, "QueryStream", st->query_stream_type) < 0) return -1;
  if (PyModule_AddObjectRef(module, "Client", st->client_type) < 0 ||
      PyModule_AddObjectRef(module, "AsyncClient", st->async_client_type) < 0) {
    return -1;
  }
  return 0;
}

int TraverseState(ModuleState* st, visitproc visit, void* arg) {
#define ASPY_VISIT_FIELD(name) Py_VISIT(st->name);
  ASPY_STATE_OBJECTS(ASPY_VISIT_FIELD)
#undef ASPY_VISIT_FIELD
  // The str caches hold plain str objects, which cannot form cycles.
  return 0;
}

void ClearState(ModuleState* st) {
  st->last_bridge = nullptr;
#define ASPY_CLEAR_FIELD(name) Py_CLEAR(st->name);
  ASPY_STATE_OBJECTS(ASPY_CLEAR_FIELD)
#undef ASPY_CLEAR_FIELD
  if (st->str_caches != nullptr) st->str_caches->Clear();
  if (st->meta_cache != nullptr) st->meta_cache->Clear();
}

}  // namespace aerospike_py::python
