// Arrow for batches and query streams, the Python side: a pyarrow.Schema
// read into an ArrowLayout (cached per schema object), and the import of a
// filled ArrowBatchData into a pyarrow.RecordBatch through the C Data
// Interface (RecordBatch._import_from_c with the caller's schema; pyarrow's
// release of the imported array frees the buffers, exactly once).
// pyarrow stays optional: nothing here needs its headers, and it is imported
// on first use only, so the package loads without it.
// Loop thread / caller's thread, GIL held.
#pragma once

#include <memory>

#include "client/command.h"
#include "python/arrow_fill.h"
#include "python/module_state.h"
#include "python/py_ref.h"

namespace aerospike_py::python {

// Imports pyarrow and creates the Arrow helpers of the module state on first
// use. False with ImportError (pyarrow missing) or another exception set.
bool EnsureArrow(ModuleState* st);

// The layout of `schema` (a pyarrow.Schema, or anything pyarrow.schema()
// accepts: a list of fields or of (name, type) pairs); *schema_out receives
// the pyarrow.Schema itself. Null with InvalidArgError for a column type
// the fill does not support, a bad metadata value, or a bin named twice.
std::shared_ptr<const ArrowLayout> ArrowLayoutOf(ModuleState* st, PyObject* schema,
                                                 Ref* schema_out);

// A pyarrow.RecordBatch of `schema` over `data` (taken over). New reference.
PyObject* ImportArrowBatch(ModuleState* st, std::unique_ptr<ArrowBatchData> data,
                           PyObject* schema);

// Fills (if the event thread did not) and imports the result of a
// batch_read(_arrow=...) command whose finisher is an ArrowFiller. `ctx` is
// the call's (schema, key context) pair. A value the schema cannot hold
// raises InvalidArgError naming the record, its key and the bin. New reference.
PyObject* ConvertArrowBatch(ModuleState* st, client::BatchCommand* cmd, PyObject* ctx);

}  // namespace aerospike_py::python
