// serving_stats(reset=False): the serving features' counters (coalesced
// gets, hedged reads; client/serving_counters.h) as a dict. Registered by
// module.cc.
#pragma once

#include "python/py_compat.h"

namespace aerospike_py::python {

extern PyMethodDef kServingMethods[];

}  // namespace aerospike_py::python
