#include "client/command.h"

#include "client/counters.h"

namespace aerospike_py::client {

DebugCounters& GlobalCounters() {
  static DebugCounters counters;
  return counters;
}

Command::Command(CommandKind kind) : kind_(kind) {
  GlobalCounters().live_commands.fetch_add(1, std::memory_order_relaxed);
}

Command::~Command() {
  GlobalCounters().live_commands.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace aerospike_py::client
