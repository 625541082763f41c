// The tracing hook: tells aerospike_py._tracing which node answered a
// command (its span's server.address). Off (a null pointer,
// one compare on the hot path) until _set_trace_node_hook(callable) installs
// a callable; _set_trace_node_hook(None) removes it. Used by loop_bridge.cc
// (asyncio futures) and sync_wait.cc (sync calls); registered by module.cc.
// Process-wide, like the stage timers; touched only with the GIL held.
#pragma once

#include <string>

#include "python/py_compat.h"

namespace aerospike_py::python {

extern PyMethodDef kTraceHookMethods[];

// Whether a hook is installed (cheap: read before copying a node name).
bool TraceNodeHookSet();

// Calls hook(future, node) for an asyncio command (`future` the command's
// future) or hook(None, node) for a sync one, in the calling thread. A hook
// that raises is reported as unraisable; the command's outcome stands.
void ReportTraceNode(PyObject* future, const std::string& node);

}  // namespace aerospike_py::python
