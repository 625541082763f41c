#include "python/sync_wait.h"

#include "python/loop_bridge.h"
#include "python/op_metrics.h"
#include "python/trace_hook.h"

namespace aerospike_py::python {

PyObject* RunSync(ModuleState* st, std::shared_ptr<client::Client> core,
                  std::unique_ptr<client::Command> cmd, ResultKind kind, OpKind op,
                  PyObject* ctx, int64_t t_start) {
  // Signals are checked between slices; short enough for a snappy Ctrl-C,
  // long enough that waking costs nothing measurable.
  constexpr uint32_t kSliceMs = 50;
  auto waiter = std::make_shared<client::SyncWaiter>();
  cmd->sink = waiter;
  BridgeCounters& counters = GlobalBridgeCounters();
  counters.sync_waiting += 1;
  int64_t t_submit = 0, t_submitted = 0;
  std::unique_ptr<client::Command> done;
  // The submit (a lock and possibly a wake-up syscall) needs no Python, so
  // it happens after the GIL is released for the wait.
  Py_BEGIN_ALLOW_THREADS
  t_submit = NowNs();
  core->Submit(std::move(cmd));
  t_submitted = NowNs();
  core.reset();
  done = waiter->WaitFor(kSliceMs);
  Py_END_ALLOW_THREADS
  StageStats& stats = StageStats::Get();
  if (stats.enabled() && t_start != 0) {
    stats.AddSubmit(op, t_submit - t_start, t_submitted - t_submit, false);
  }
  while (!done) {
    if (PyErr_CheckSignals() < 0) {
      waiter->Abandon();
      counters.sync_waiting -= 1;
      return nullptr;
    }
    Py_BEGIN_ALLOW_THREADS
    done = waiter->WaitFor(kSliceMs);
    Py_END_ALLOW_THREADS
  }
  counters.sync_waiting -= 1;
  const int64_t picked_up = NowNs();
  const client::CommandTimings timings = done->timings;
  client::OperationMetrics::Series* series = SeriesForCommand(op, *done);
  // Tracing on (trace_hook.h): the node's name, copied before ConvertResult
  // takes the command, reported in this (the calling) thread.
  std::string traced_node;
  if (TraceNodeHookSet()) traced_node = done->node;
  PyObject* result = ConvertResult(st, kind, done, ctx);
  if (!traced_node.empty()) ReportTraceNode(nullptr, traced_node);
  const int64_t t_done = NowNs();
  RecordOperation(series, timings, t_done);
  if (stats.enabled()) stats.AddCompletion(op, timings, picked_up, t_done - picked_up);
  return result;
}

}  // namespace aerospike_py::python
