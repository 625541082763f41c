#include "client/hedge.h"

#include <algorithm>
#include <limits>

#include "client/record_execution.h"
#include "client/serving_counters.h"
#include "io/event_loop.h"

namespace aerospike_py::client {

StatusOr<bool> HedgeLeg::OnAttemptFrame(proto::Frame frame) {
  return owner_->OnHedgeFrame(std::move(frame));
}

void HedgeLeg::OnAttemptDone(const Status& status) { owner_->OnHedgeDone(status); }

int64_t HedgeDelayMs(const CommandPolicy& policy, bool is_write) {
  if (is_write || policy.hedge_permille == 0) return 0;
  const uint32_t budget =
      policy.total_timeout_ms != 0 ? policy.total_timeout_ms : policy.socket_timeout_ms;
  if (budget == 0) return 0;
  return std::max<int64_t>(1, int64_t{budget} * policy.hedge_permille / 1000);
}

int64_t AdaptiveHedgeDelayMs(const CommandPolicy& policy, int64_t fixed_ms,
                             const io::LatencyWindow& target) {
  const uint32_t micros = target.Percentile(policy.hedge_percentile);
  if (micros == 0) return fixed_ms;
  const int64_t adaptive = (int64_t{micros} + 999) / 1000 + 1;
  return fixed_ms == 0 ? adaptive : std::min(fixed_ms, adaptive);
}

int64_t HedgeClockMicros() { return io::SteadyNowNs() / 1000; }

void NoteLatencySince(io::LatencyWindow& window, int64_t started_us) {
  if (started_us == 0) return;
  const int64_t took = std::clamp<int64_t>(HedgeClockMicros() - started_us, 0,
                                           std::numeric_limits<uint32_t>::max());
  window.Add(static_cast<uint32_t>(took));
}

void CancelLoser(io::Attempt* loser, uint32_t timeout_delay_ms) {
  if (!loser->running()) return;
  GlobalServingCounters().hedge.losers_cancelled.fetch_add(1, std::memory_order_relaxed);
  if (timeout_delay_ms != 0) {
    loser->AbortAfterTimeout();
  } else {
    loser->Abort();
  }
}

}  // namespace aerospike_py::client
