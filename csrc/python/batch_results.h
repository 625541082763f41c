// Finished batch commands to Python: aerospike-py's {user_key: bins} dict,
// the lossless per-key view, and BatchWriteResult. One pass over the
// per-key results, under one GIL hold.
#pragma once

#include <memory>

#include "client/command.h"
#include "python/module_state.h"
#include "python/results.h"

namespace aerospike_py::python {

// `keys` is the keys tuple of the call (user keys are taken from it). The
// batch_read result keeps the command for its lazy lossless view.
PyObject* ConvertBatch(ModuleState* st, ResultKind kind, std::unique_ptr<client::Command>& cmd,
                       PyObject* keys);

// One pass over a finished batch (the lazy view of batch_read uses them).
// [BatchRecord(key, result, record, in_doubt)] in input order.
PyObject* NewBatchRecordList(ModuleState* st, client::BatchCommand* cmd, PyObject* keys);
// [bins dict, or None for keys not found / failed] in input order.
PyObject* NewBinsList(ModuleState* st, client::BatchCommand* cmd);
// Keys answered with result OK.
Py_ssize_t FoundCount(const client::BatchCommand& cmd);

extern PyType_Spec kBatchHandleSpec;

}  // namespace aerospike_py::python
