#include "client/hedge.h"

#include "client/record_execution.h"
#include "client/serving_counters.h"

namespace aerospike_py::client {

StatusOr<bool> HedgeLeg::OnAttemptFrame(proto::Frame frame) {
  return owner_->OnHedgeFrame(std::move(frame));
}

void HedgeLeg::OnAttemptDone(const Status& status) { owner_->OnHedgeDone(status); }

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
