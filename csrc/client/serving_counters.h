// Cumulative, process-wide counters of the serving features (issue 17):
// coalesced gets (client/coalescer.h), merged batch reads
// (client/batch_coalescer.h) and hedged reads (record and batch execution).
// Written on event threads, read by the bridge's serving_stats(); plain
// relaxed atomics, any thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace aerospike_py::client {

struct CoalesceCounters {
  std::atomic<int64_t> batches{0};    // batch requests made from coalesced calls
  std::atomic<int64_t> calls{0};      // calls those batches carried
  std::atomic<int64_t> max_calls{0};  // the most calls one batch carried
  // Batches by the calls they carried: 2, 3-4, 5-8, ..., 257+ (bucket b
  // holds sizes up to 2 << b).
  static constexpr int kBuckets = 9;
  std::atomic<int64_t> by_size[kBuckets] = {};
};

// Batch reads merged into one batch (client/batch_coalescer.h).
struct BatchMergeCounters {
  std::atomic<int64_t> requests{0};  // merged batches made
  std::atomic<int64_t> calls{0};     // batch_read calls they carried
};

struct HedgeCounters {
  std::atomic<int64_t> hedged{0};      // reads that sent a second attempt
  std::atomic<int64_t> hedge_wins{0};  // ... whose second attempt answered first
  std::atomic<int64_t> losers_cancelled{0};    // losing attempts cancelled (connection closed or returned to drain)
  // Batch reads: hedge requests sent for a node's slow rows, and rows a
  // hedge answered before the first request did.
  std::atomic<int64_t> batch_hedged{0};
  std::atomic<int64_t> batch_hedge_rows{0};
};

struct ServingCounters {
  CoalesceCounters coalesce;
  BatchMergeCounters batch_merge;
  HedgeCounters hedge;
};

ServingCounters& GlobalServingCounters();

}  // namespace aerospike_py::client
