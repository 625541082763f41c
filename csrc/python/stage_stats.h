// Stage timers of the bridge: where a command's time goes, per operation
// kind, in nanoseconds. GIL-held stages (argument parsing, submit, result
// conversion in the drain) are measured by the bridge; the event thread's
// share comes from the command's own timings (queue: submitted -> started,
// io: started -> completed) and the wake-up latency from completed -> the
// start of its conversion (for async calls this includes waiting behind
// other commands converted before it). The batch benchmark reports
// "GIL-held us per batch" from these. Updated with the GIL held (no atomics
// needed).
#pragma once

#include <chrono>
#include <cstdint>

#include "client/command.h"
#include "python/py_ref.h"

namespace aerospike_py::python {

enum class OpKind : uint8_t {
  kConnect, kInfo, kGet, kSelect, kExists, kPut, kRemove, kTouch, kAppend, kPrepend,
  kIncrement, kRemoveBin, kOperate, kOperateOrdered, kTruncate, kBatchRead, kBatchWrite,
  kBatchOperate, kBatchRemove, kApply, kBatchApply,
  kQuery,  // scans and queries (stream wake-ups, background jobs)
  kCount,
};

const char* OpKindName(OpKind kind);

struct StageTotals {
  uint64_t calls = 0;
  uint64_t completed = 0;
  uint64_t parse_ns = 0;    // arguments -> command (GIL held)
  uint64_t submit_ns = 0;   // Submit() (GIL held)
  uint64_t queue_ns = 0;    // submitted -> event thread took it
  uint64_t io_ns = 0;       // event thread: taken -> completed
  uint64_t wake_ns = 0;     // completed -> its conversion began on the caller's side
  uint64_t convert_ns = 0;  // result -> Python objects (GIL held)
  uint64_t gil_ns = 0;      // the GIL-held part of all the above
};

inline int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class StageStats {
 public:
  static StageStats& Get();
  bool enabled() const { return enabled_; }
  void set_enabled(bool on) { enabled_ = on; }

  // `submit_held_gil`: false for the sync client, which submits with the
  // GIL already released for its wait.
  void AddSubmit(OpKind kind, int64_t parse_ns, int64_t submit_ns, bool submit_held_gil) {
    StageTotals& t = totals_[static_cast<int>(kind)];
    ++t.calls;
    t.parse_ns += static_cast<uint64_t>(parse_ns);
    t.submit_ns += static_cast<uint64_t>(submit_ns);
    t.gil_ns += static_cast<uint64_t>(parse_ns + (submit_held_gil ? submit_ns : 0));
  }
  // `picked_up`: when the caller's side began handling the completion.
  void AddCompletion(OpKind kind, const client::CommandTimings& tm, int64_t picked_up,
                     int64_t convert_ns);

  // {op: {calls, completed, parse_ns, ...}, ...} for ops with calls; resets
  // the totals when `reset`.
  PyObject* ToDict(bool reset);

 private:
  bool enabled_ = true;
  StageTotals totals_[static_cast<int>(OpKind::kCount)];
};

}  // namespace aerospike_py::python
