// The bridge's side of the operation metrics (client/operation_metrics.h):
// which series a finished command is counted in, and the module functions
// that turn the core's histograms into Python values on a scrape
// (aerospike_py._observability reads them). Used by the completion paths
// (loop_bridge.cc, sync_wait.cc) and module.cc.
#pragma once

#include "client/command.h"
#include "client/operation_metrics.h"
#include "python/py_ref.h"
#include "python/stage_stats.h"

namespace aerospike_py::python {

// The series `cmd` is counted in (labels: operation, namespace, set, result
// code), or null when the operation metrics are off. Call before the result
// is converted (conversion may consume the command); record the duration
// into it afterwards with RecordOperation.
client::OperationMetrics::Series* SeriesForCommand(OpKind op, const client::Command& cmd);

// Counts one command: from its submission to `done_ns` (its result handed
// to the caller). No-op for a null series.
inline void RecordOperation(client::OperationMetrics::Series* series,
                            const client::CommandTimings& timings, int64_t done_ns) {
  if (series != nullptr && timings.submitted != 0) series->Record(done_ns - timings.submitted);
}

extern PyMethodDef kOperationMetricsMethods[];

}  // namespace aerospike_py::python
