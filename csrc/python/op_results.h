// The results of operate(), operate_ordered() and batch_operate() as
// aerospike-py returns them, including the list/map/bit/HLL ops:
// - operate() and batch_operate() records: {bin: value}; when several ops
//   answer for one bin, its value is the list of their results in op order
//   (aerospike-py's "multi result");
// - operate_ordered(): one BinTuple(bin, value) per answered op, in order;
// - each op's value decoded by its shape (cdt_encode.h's OpResultShape, one
//   byte per op in `shapes`, aligned with the request's ops: the request
//   asked the server to answer every op whenever shapes are given):
//   MAP_RETURN_KEY_VALUE results become [(key, value), ...].
// GIL held; used by results.cc and batch_results.cc.
#pragma once

#include <string_view>

#include "proto/message_view.h"
#include "python/module_state.h"

namespace aerospike_py::python {

// {bin: value}. `keep_empty`: ops answered with no value (nil) stay, as
// None; otherwise they are left out, as when the server leaves them out.
// New reference.
PyObject* NewOperateBins(ModuleState* st, const proto::MessageView& message,
                         std::string_view shapes, bool keep_empty);

// [BinTuple(bin, value), ...] in op order. New reference.
PyObject* NewOrderedBins(ModuleState* st, const proto::MessageView& message,
                         std::string_view shapes);

}  // namespace aerospike_py::python
