// NumPy for batches, the Python side: structured dtypes read into a
// NumpyLayout (cached per dtype object), the _NumpyBuffer type that hands a
// filled NumpyBlock to numpy.frombuffer without a copy, NumpyBatchRecords
// results, and batch_write_numpy's rows read straight from the array's
// memory (no Python object per value).
// NumPy stays optional: nothing here needs its headers (layouts come from
// dtype attributes, data through the buffer protocol) and it is imported on
// first use only, so the package loads without it.
// Loop thread / caller's thread, GIL held.
#pragma once

#include <memory>

#include "client/command.h"
#include "python/bulk_keys.h"
#include "python/module_state.h"
#include "python/numpy_fill.h"

namespace aerospike_py::python {

// Imports numpy and creates the NumPy helpers of the module state on first
// use. False with ImportError (numpy missing) or another exception set.
bool EnsureNumpy(ModuleState* st);

// The layout of `dtype` (a numpy.dtype, or anything numpy.dtype() accepts);
// *dtype_out receives the numpy.dtype itself. Null with InvalidArgError for
// a dtype that is not structured or has a field kind other than i/u/f/b/S/V.
std::shared_ptr<const NumpyLayout> NumpyLayoutOf(ModuleState* st, PyObject* dtype,
                                                 Ref* dtype_out);

// NumpyBatchRecords(batch_records, meta, result_codes, _keys=entries) over
// `block` (taken over; its result codes are written here from `cmd`).
// Raises the fill error instead when `error` is set: OverflowError for a
// number out of range, InvalidArgError otherwise. New reference.
PyObject* NewNumpyBatchRecords(ModuleState* st, const client::BatchCommand& cmd,
                               NumpyBlock* block, const NumpyFillError& error, PyObject* dtype,
                               PyObject* entries);

// Fills (if the event thread did not) and wraps the result of a
// batch_read(_dtype=...) command whose finisher is a NumpyFiller. `ctx` is
// the call's (dtype, key context) pair. New reference.
PyObject* ConvertNumpyBatch(ModuleState* st, client::BatchCommand* cmd, PyObject* ctx);

// The rows of batch_write_numpy(data, namespace, set_name, _dtype,
// key_field): one write per row with `base` as its row spec, the bins from
// every field except the key field and fields starting with '_' (a
// `_namespace` / `_set` field overrides the namespace/set per row). Appends
// the keys to `b` and sets *keys to the tuple of their key tuples.
bool AddNumpyWriteRows(ModuleState* st, PyObject* data, PyObject* dtype, PyObject* ns,
                       PyObject* set, PyObject* key_field, const client::BatchRowSpec& base,
                       BatchBuilder* b, Ref* keys);

}  // namespace aerospike_py::python
