#include "python/stage_stats.h"

namespace aerospike_py::python {

const char* OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kConnect: return "connect";
    case OpKind::kInfo: return "info";
    case OpKind::kGet: return "get";
    case OpKind::kSelect: return "select";
    case OpKind::kExists: return "exists";
    case OpKind::kPut: return "put";
    case OpKind::kRemove: return "remove";
    case OpKind::kTouch: return "touch";
    case OpKind::kAppend: return "append";
    case OpKind::kPrepend: return "prepend";
    case OpKind::kIncrement: return "increment";
    case OpKind::kRemoveBin: return "remove_bin";
    case OpKind::kOperate: return "operate";
    case OpKind::kOperateOrdered: return "operate_ordered";
    case OpKind::kTruncate: return "truncate";
    case OpKind::kBatchRead: return "batch_read";
    case OpKind::kBatchWrite: return "batch_write";
    case OpKind::kBatchOperate: return "batch_operate";
    case OpKind::kBatchRemove: return "batch_remove";
    case OpKind::kQuery: return "query";
    case OpKind::kApply: return "apply";
    case OpKind::kBatchApply: return "batch_apply";
    case OpKind::kCount: break;
  }
  return "?";
}

StageStats& StageStats::Get() {
  // Process-wide: the timers describe this process's use of the extension.
  static StageStats stats;
  return stats;
}

void StageStats::AddCompletion(OpKind kind, const client::CommandTimings& tm,
                               int64_t picked_up, int64_t convert_ns) {
  StageTotals& t = totals_[static_cast<int>(kind)];
  ++t.completed;
  if (tm.started != 0 && tm.submitted != 0 && tm.started >= tm.submitted) {
    t.queue_ns += static_cast<uint64_t>(tm.started - tm.submitted);
  }
  if (tm.completed != 0 && tm.started != 0 && tm.completed >= tm.started) {
    t.io_ns += static_cast<uint64_t>(tm.completed - tm.started);
  }
  if (tm.completed != 0 && picked_up >= tm.completed) {
    t.wake_ns += static_cast<uint64_t>(picked_up - tm.completed);
  }
  t.convert_ns += static_cast<uint64_t>(convert_ns);
  t.gil_ns += static_cast<uint64_t>(convert_ns);
}

PyObject* StageStats::ToDict(bool reset) {
  Ref out = Ref::Steal(PyDict_New());
  if (!out) return nullptr;
  for (int i = 0; i < static_cast<int>(OpKind::kCount); ++i) {
    const StageTotals& t = totals_[i];
    if (t.calls == 0 && t.completed == 0) continue;
    Ref d = Ref::Steal(Py_BuildValue(
        "{s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K}", "calls", (unsigned long long)t.calls,
        "completed", (unsigned long long)t.completed, "parse_ns",
        (unsigned long long)t.parse_ns, "submit_ns", (unsigned long long)t.submit_ns,
        "queue_ns", (unsigned long long)t.queue_ns, "io_ns", (unsigned long long)t.io_ns,
        "wake_ns", (unsigned long long)t.wake_ns, "convert_ns",
        (unsigned long long)t.convert_ns, "gil_held_ns", (unsigned long long)t.gil_ns));
    if (!d) return nullptr;
    if (PyDict_SetItemString(out.get(), OpKindName(static_cast<OpKind>(i)), d.get()) < 0) {
      return nullptr;
    }
  }
  if (reset) {
    for (StageTotals& t : totals_) t = StageTotals{};
  }
  return out.release();
}

}  // namespace aerospike_py::python
