// The sync Client's wait: submit, then block on a per-command
// client::SyncWaiter with the GIL released, in slices so that Ctrl-C (and
// any other signal handler) runs promptly. A caller interrupted by a signal
// abandons its waiter: the command still completes later and is destroyed
// on arrival, so nothing leaks and nothing dangles (the waiter is shared by
// the command until delivery, and delivery clears the command's reference
// to it, so a late command and its waiter never keep each other alive).
#pragma once

#include <memory>

#include "client/client.h"
#include "client/completion.h"
#include "python/module_state.h"
#include "python/results.h"
#include "python/stage_stats.h"

namespace aerospike_py::python {

// Submits `cmd` to `core` and waits, both with the GIL released, then
// converts the result. `t_start`: when argument parsing began (stage timers).
PyObject* RunSync(ModuleState* st, std::shared_ptr<client::Client> core,
                  std::unique_ptr<client::Command> cmd, ResultKind kind, OpKind op,
                  PyObject* ctx, int64_t t_start);

}  // namespace aerospike_py::python
