// Module-level helpers that expose the bridge's conversions without a
// server, for unit tests (tests/unit/test_bridge_*.py): value encode/decode
// round trips, key parsing and policy validation. Underscore names; not API.
#pragma once

#include "python/py_ref.h"

namespace aerospike_py::python {

extern PyMethodDef kDebugCodecMethods[];

}  // namespace aerospike_py::python
