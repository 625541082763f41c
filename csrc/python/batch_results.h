// Finished batch commands to Python: aerospike-py's {user_key: bins} dict
// (LazyBatchRecords, keeping the command for its lazy lossless views), the
// lossless per-key view, BatchWriteResult, and NumpyBatchRecords. One pass
// over the per-key results, under one GIL hold; bin-name strings come from
// the module's cache and bins dicts are pre-sized.
// `ctx` is the call's key context (bulk_keys.h: the tuple of key tuples, or
// a capsule of BatchKeys groups); for kBatchNumpy the (dtype, key context)
// pair.
#pragma once

#include <memory>

#include "client/command.h"
#include "python/module_state.h"
#include "python/results.h"

namespace aerospike_py::python {

// The batch_read result keeps the command for its lazy lossless view.
PyObject* ConvertBatch(ModuleState* st, ResultKind kind, std::unique_ptr<client::Command>& cmd,
                       PyObject* ctx);

// One pass over a finished batch (the lazy view of batch_read uses them).
// [BatchRecord(key, result, record, in_doubt)] in input order.
PyObject* NewBatchRecordList(ModuleState* st, client::BatchCommand* cmd, PyObject* ctx);
// [bins dict, or None for keys not found / failed] in input order.
PyObject* NewBinsList(ModuleState* st, client::BatchCommand* cmd);
// Keys answered with result OK.
Py_ssize_t FoundCount(const client::BatchCommand& cmd);
// The result code of key i: the server's, or why no answer came back for
// it (the core's per-key reason, else the batch's failure).
int BatchKeyResult(const client::BatchCommand& cmd, size_t i);

extern PyType_Spec kBatchHandleSpec;

}  // namespace aerospike_py::python
