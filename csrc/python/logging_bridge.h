// The logging bridge: how the core's log records reach Python's `logging`.
// The event thread never touches Python: it pushes plain records to the
// process-wide client::LogQueue (cluster events at INFO, one line per
// finished command at DEBUG). A Python daemon thread started by
// aerospike_py._observability sits in _wait_logs() with the GIL released,
// looking at the queue every few milliseconds, and takes the GIL only when
// records are there (or once a second, to follow the logger's level); it then
// hands them to the logger "aerospike_py". So an idle or quiet client never
// makes that thread compete for the GIL.
// Module-level functions (underscore names; the API is in _observability):
//   _set_log_level(level)      records at or below level are queued (-1 none)
//   _log_level() -> int
//   _drain_logs() -> [(level, message, unix_time)]   without waiting
//   _wait_logs(timeout_ms) -> same; waits (GIL released) for the first record
//   _stop_log_wait(stopped)    sticky: while set, _wait_logs returns at once
//   _dropped_logs() -> int     records dropped because the queue was full
//   _log_fork_lock(), _log_fork_unlock()   fork hooks (see logging_bridge.cc)
#pragma once

#include "python/py_ref.h"

namespace aerospike_py::python {

extern PyMethodDef kLoggingMethods[];

}  // namespace aerospike_py::python
