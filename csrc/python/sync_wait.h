// The sync Client's wait: submit, then block on a per-command sink with the
// GIL released, in slices so that Ctrl-C (and any other signal handler) runs
// promptly. A caller interrupted by a signal abandons its sink: the command
// still completes later and is destroyed on arrival, so nothing leaks and
// nothing dangles (the sink is shared by the command).
// This sink, rather than client::SyncWaiter, is used because an abandoned
// SyncWaiter would keep the late command, which keeps the waiter: a cycle.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>

#include "client/client.h"
#include "client/completion.h"
#include "python/module_state.h"
#include "python/results.h"
#include "python/stage_stats.h"

namespace aerospike_py::python {

class AbandonableWaiter : public client::CompletionSink {
 public:
  void Complete(std::unique_ptr<client::Command> command) override;
  // Null if nothing arrived within `timeout_ms`.
  std::unique_ptr<client::Command> WaitFor(uint32_t timeout_ms);
  // The caller gave up: a command that arrives later is destroyed at once.
  void Abandon();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<client::Command> done_;  // guarded by mu_
  bool abandoned_ = false;                 // guarded by mu_
};

// Submits `cmd` to `core` and waits, both with the GIL released, then
// converts the result. `t_start`: when argument parsing began (stage timers).
PyObject* RunSync(ModuleState* st, std::shared_ptr<client::Client> core,
                  std::unique_ptr<client::Command> cmd, ResultKind kind, OpKind op,
                  PyObject* ctx, int64_t t_start);

}  // namespace aerospike_py::python
