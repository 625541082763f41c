// Batch coalescer: batch reads submitted together travel as one batch
// (issue 17, the serving path). Owned and called by the Engine on its event
// thread only, next to the get coalescer (client/coalescer.h).
//
// A serving request often fans out into several batch_read calls at once
// (one per set, under asyncio.gather). Each would be its own batch, so one
// request per node per call. With the batch policy's 'coalesce' (config
// 'coalesce_batches'), the calls of one wakeup (or one coalescing window)
// whose policies agree are merged into one BatchCommand: the batch path
// splits it by node as usual, so a node gets one request for all of them.
// When the merged batch is done, each call gets its own keys' results, its
// own status (a failure reaches only the calls whose keys it left
// unanswered) and, if it has one, its own finisher run (NumPy/Arrow
// buffers); the record views stay in the merged batch's frames, which every
// call keeps alive. Calls are woken when the whole merged batch is done,
// as a batch call is. Batches with a write, delete or UDF row, with a row
// listener, or whose policies differ (timeouts, retries, replica, read
// mode, compression, hedging, flags, filter) are never merged; a call that
// the batch path would refuse (bad namespace or set name, a key without
// key or digest) is left alone so its refusal stays its own.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "client/command.h"

namespace aerospike_py::client {

// A merged batch stops growing at this many keys (the next call starts
// another); a call this large is never merged.
inline constexpr size_t kMaxMergedKeys = 5000;

// True when `command` is a batch that asked to be merged and may be.
bool IsMergeableBatch(const Command& command);

// Event thread. Replaces each group of two or more mergeable batches in
// `commands` whose policies agree by one merged BatchCommand (appended;
// the merged slots become null); everything else is left in order.
void MergeBatches(std::vector<std::unique_ptr<Command>>* commands);

}  // namespace aerospike_py::client
