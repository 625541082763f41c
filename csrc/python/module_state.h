// ModuleState: everything the _core module keeps per interpreter, in one POD
// struct (CPython's _asyncio/_sqlite pattern). Every PyObject* field is listed
// once in ASPY_STATE_OBJECTS so that traverse and clear cannot forget one.
// The exception classes and result NamedTuples are defined in Python
// (aerospike_py.exception / aerospike_py.types) and cached here at exec time.
// Used by every file of the bridge.
#pragma once

#include "python/py_ref.h"

#include <cstdint>

namespace aerospike_py::python {

struct StrCaches;
class MetaCache;

// X(field): strong references owned by the state.
#define ASPY_STATE_OBJECTS(X)                                              \
  /* our heap types */                                                     \
  X(client_type)                                                           \
  X(async_client_type)                                                     \
  X(loop_bridge_type)                                                      \
  X(batch_handle_type)                                                     \
  /* aerospike_py._batch */                                                \
  X(lazy_batch_type)                                                       \
  X(s__handle)                                                             \
  /* aerospike_py.exception */                                             \
  X(exception_by_code)                                                     \
  X(exception_for_code)                                                    \
  X(exc_aerospike_error)                                                   \
  X(exc_client_error)                                                      \
  X(exc_invalid_arg)                                                       \
  X(exc_timeout)                                                           \
  X(exc_cluster)                                                           \
  X(exc_backpressure)                                                      \
  /* aerospike_py.types */                                                 \
  X(key_type)                                                              \
  X(meta_type)                                                             \
  X(record_type)                                                           \
  X(exists_type)                                                           \
  X(info_node_type)                                                        \
  X(bin_tuple_type)                                                        \
  X(ordered_type)                                                          \
  X(batch_record_type)                                                     \
  X(batch_write_result_type)                                               \
  X(default_retry_info) /* BatchWriteResult's default `retry` value */      \
  X(geojson_type)                                                          \
  X(typed_blob_type)                                                       \
  X(hll_type)                                                              \
  X(key_ordered_dict_type)                                                 \
  /* asyncio */                                                            \
  X(get_running_loop)                                                      \
  X(future_type)                                                           \
  X(base_create_future)                                                    \
  X(kw_loop) /* ("loop",): kwnames of Future(loop=...) */                   \
  X(kw_error) /* ("code", "in_doubt", "key", "node") */                     \
  X(s__text)                                                               \
  X(s__data)                                                               \
  /* the loops' bridges: a list of LoopBridge objects, newest last */      \
  X(bridges)                                                               \
  /* interned attribute and method names */                                \
  X(s_done)                                                                \
  X(s_set_result)                                                          \
  X(s_set_exception)                                                       \
  X(s_add_reader)                                                          \
  X(s_remove_reader)                                                       \
  X(s_call_soon)                                                           \
  X(s_is_closed)                                                           \
  X(s_create_future)                                                       \
  X(s_loop)                                                                \
  X(s_text)                                                                \
  X(s_particle_type)                                                       \
  X(s_code)                                                                \
  X(s_msg)                                                                 \
  X(s_in_doubt)                                                            \
  X(s_key)                                                                 \
  X(s_node)                                                                \
  X(s_op)                                                                  \
  X(s_bin)                                                                 \
  X(s_val)                                                                 \
  X(s_drain)                                                               \
  X(s_loop_gone)                                                           \
  /* batch extras (bulk keys, mixed batches, NumPy): null until first use; */ \
  /* filled by EnsureBatchExtras() (bulk_keys.h) and EnsureNumpy()        */ \
  /* (numpy_batch.h), so importing the module never imports numpy.        */ \
  X(batch_keys_type)      /* aerospike_py.batch.BatchKeys */               \
  X(numpy_buffer_type)    /* _NumpyBuffer: owns a NumPy result's memory */ \
  X(numpy_batch_type)     /* aerospike_py.numpy_batch.NumpyBatchRecords */ \
  X(numpy_frombuffer)                                                      \
  X(numpy_dtype)                                                           \
  X(numpy_meta_dtype)     /* [("gen", "u4"), ("ttl", "u4")] */             \
  X(numpy_codes_dtype)    /* int32 */                                      \
  X(numpy_layouts)        /* [(dtype, names, layout capsule)], newest last */ \
  X(s_namespace)                                                           \
  X(s_set_name)                                                            \
  X(s_keys)                                                                \
  X(s_digests)                                                             \
  X(s__type)                                                               \
  X(s_ops)                                                                 \
  X(s_bins)                                                                \
  X(s_meta)                                                                \
  X(s_policy)                                                              \
  X(s_read_all_bins)                                                       \
  /* scans and queries (query_stream_object.cc) */                         \
  X(query_stream_type)                                                     \
  X(query_next_type)                                                       \
  X(s__asyncio_future_blocking)                                           \
  /* expressions (expressions.h): null until the first non-bytes one */   \
  X(expr_type)            /* aerospike_py._expr.Expr */                    \
  X(expr_to_wire)         /* aerospike_py._expr.to_wire */                 \
  /* Arrow (arrow_batch.h): null until EnsureArrow(), so importing the */  \
  /* module never imports pyarrow.                                      */  \
  X(arrow_import)         /* pyarrow.RecordBatch._import_from_c */         \
  X(arrow_schema_type)    /* pyarrow.Schema */                             \
  X(arrow_schema_fn)      /* pyarrow.schema */                             \
  X(arrow_list_type)      /* pyarrow.ListType */                           \
  X(arrow_types)          /* the column types, in ArrowKind order */       \
  X(arrow_layouts)        /* [(schema, layout capsule)], newest last */

struct ModuleState {
#define ASPY_DECLARE_FIELD(name) PyObject* name;
  ASPY_STATE_OBJECTS(ASPY_DECLARE_FIELD)
#undef ASPY_DECLARE_FIELD
  // The bridge of the loop used last (borrowed from `bridges`): the hot path
  // compares the running loop against it before searching the list.
  PyObject* last_bridge;
  // Bumped in the child after fork(): clients and bridges created under an
  // older generation belong to the parent and must not be touched.
  uint64_t fork_generation;
  StrCaches* str_caches;  // owned; freed in m_free
  MetaCache* meta_cache;  // owned; freed in m_free
  // Offset of Expr's `_wire` slot (set with expr_type).
  Py_ssize_t expr_wire_offset;
};

// The state of a module object of ours.
inline ModuleState* StateOf(PyObject* module) {
  return static_cast<ModuleState*>(PyModule_GetState(module));
}

// Finds the state of our module from a type that is, or derives from, one of
// our heap types (Python subclasses have no module of their own). Sets an
// exception and returns null when the type is foreign.
ModuleState* StateFromType(PyTypeObject* type);

// Filled in module exec (imports aerospike_py.exception/types, asyncio).
int InitState(PyObject* module, ModuleState* st);
int TraverseState(ModuleState* st, visitproc visit, void* arg);
void ClearState(ModuleState* st);

extern PyModuleDef kModuleDef;

}  // namespace aerospike_py::python
