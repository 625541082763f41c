// HedgeLeg: the second attempt of a hedged read (issue 17). A
// RecordExecution whose read policy sets hedge_permille arms a timer at
// that fraction of the read's budget; if the first attempt has not
// answered by then, a HedgeLeg sends the same request to another replica
// (the next one in sequence order). Whichever answers first wins: the
// execution aborts the other attempt, which closes its connection (or,
// with timeout_delay set, hands it to its pool to drain the late answer
// and be reused). Writes are never hedged. Event thread only; owned by
// its RecordExecution.
#pragma once

#include <cstdint>

#include "client/policy.h"
#include "cluster/node.h"
#include "io/attempt.h"
#include "io/latency_window.h"

namespace aerospike_py::client {

class RecordExecution;

class HedgeLeg final : public io::AttemptListener {
 public:
  explicit HedgeLeg(RecordExecution* owner) : owner_(owner) {}

  io::Attempt attempt{this};
  cluster::NodeRef node;  // the replica this leg went to

 private:
  StatusOr<bool> OnAttemptFrame(proto::Frame frame) override;
  void OnAttemptDone(const Status& status) override;

  RecordExecution* owner_;
};

// How long a read waits for its first attempt before it sends the hedge:
// the policy's fraction (hedge_permille) of its budget (the total timeout,
// else the socket timeout), at least 1 ms. 0: never hedged (no fraction,
// no budget, or a write).
int64_t HedgeDelayMs(const CommandPolicy& policy, bool is_write);

// The adaptive delay (hedge_percentile) before hedging to a replica whose
// recent reads are `target`: that percentile of them, rounded up to whole
// milliseconds, plus 1 ms: the timers count from the loop's millisecond
// clock, cached when its iteration began, so one may fire up to 1 ms
// early, and a hedge sent before the percentile is a hedge wasted on a
// healthy read. Combined with the fixed delay (`fixed_ms`, 0: none) as the
// earlier of the two. 0: no hedge (no fraction, and no estimate yet).
int64_t AdaptiveHedgeDelayMs(const CommandPolicy& policy, int64_t fixed_ms,
                             const io::LatencyWindow& target);

// Adaptive hedging's clock (steady, microseconds) and its sample: how long
// since `started_us` (a reading of HedgeClockMicros; 0: not measured, then
// nothing is added), into `window`.
int64_t HedgeClockMicros();
void NoteLatencySince(io::LatencyWindow& window, int64_t started_us);

// Ends a losing attempt: returned to its pool to drain when the policy
// keeps timed-out connections (timeout_delay_ms), closed otherwise.
// Counts the loser. No-op when the attempt is not running.
void CancelLoser(io::Attempt* loser, uint32_t timeout_delay_ms);

}  // namespace aerospike_py::client
