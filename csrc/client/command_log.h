// Per-command DEBUG records: one line per finished command (what it was,
// where it went, how it ended, how long it took), built on the event thread
// and pushed to the LogQueue, from where the bridge hands it to Python's
// `logging` (logger "aerospike_py"). Nothing here is built unless DEBUG
// records are wanted: the engine checks LogQueue::Enabled(kDebug), one
// relaxed atomic load, before calling LogCommand.
#pragma once

#include <string>

#include "client/command.h"

namespace aerospike_py::client {

// The one-line description of a finished command, e.g.
//   "record read test/demo digest 1a2b3c4d5e6f7a8b -> node BB9..., ok in 212 us
//    (queued 8 us, attempts 1)"
// User keys are not printed (they may be personal data); the digest prefix
// identifies the record.
std::string DescribeCommand(const Command& command);

// Pushes DescribeCommand(command) at DEBUG if DEBUG records are wanted.
void LogCommand(const Command& command);

}  // namespace aerospike_py::client
