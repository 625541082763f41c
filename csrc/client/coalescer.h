// Coalescer: turns single-record reads that arrive together into one batch
// request per node (issue 17, "coalesced gets"). Owned and called by the
// Engine on its event thread only.
//
// The bridge marks a get/select RecordCommand `coalescable` when its policy
// asks for it (config key 'coalesce_gets' or the read policy's 'coalesce').
// Each wakeup, the engine hands the drained commands here first: the
// coalescable reads are routed (digest + partition table, as the record
// path would route their first attempt) and grouped by (node, policy); a
// group of two or more becomes one BatchCommand whose sink fans the batch's
// per-key results back out into the original RecordCommands, each with its
// own record or its own error (not found, filtered out, timeout) in the form
// the record path would have given, handed back as soon as the answer frame
// holding its row has been read (not when the whole batch is done; see
// BatchRowListener in client/command.h). Commands that are alone in their group,
// or that cannot be routed, are left for the normal record path, which
// reports their problems as it always does. Calls whose policies differ
// (timeouts, retries, replica, read mode, filter, ...) are never merged;
// hedged reads are never merged (hedging wins).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "client/command.h"
#include "client/serving_counters.h"

namespace aerospike_py::client {

class Engine;


// The parts of a command policy that change how a command is handled
// (timeouts, retries, hedging, replica, read mode, compression), as bytes
// appended to `key`: commands are merged only when theirs are equal. Shared
// with the batch coalescer (client/batch_coalescer.h).
void AppendPolicyBytes(const CommandPolicy& p, std::string* key);

// True when `command` may be merged (a coalescable single-record read).
bool IsCoalescable(const Command& command);

// True when `a` and `b` may go in one batch as far as their policies go
// (both coalescable, equal timeouts, retries, replica, read mode,
// compression, read flags, ttl and filter); routing decides the rest.
// Any thread (a pure function).
bool MayMerge(const RecordCommand& a, const RecordCommand& b);

// Event thread. Replaces each group of two or more coalescable reads in
// `commands` by one BatchCommand (appended; the merged slots become null);
// everything else is left where it was, in order.
void CoalesceReads(Engine* engine, std::vector<std::unique_ptr<Command>>* commands);

}  // namespace aerospike_py::client
