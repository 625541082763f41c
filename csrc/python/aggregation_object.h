// _core.Aggregation (aggregation_object.cc): the client's half of an
// aggregation, for aerospike_py.query. Used by module.cc only.
#pragma once

#include "python/py_compat.h"

namespace aerospike_py::python {

// Adds the Aggregation type to the module; -1 with an exception on failure.
int AddAggregationType(PyObject* module);

}  // namespace aerospike_py::python
