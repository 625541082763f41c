// Process-wide debug counters of the client core. Tests assert that they
// return to zero after each test (no leaked commands or connections);
// observability reads them too. Plain atomics, safe from any thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace aerospike_py::client {

struct DebugCounters {
  std::atomic<int64_t> live_commands{0};     // constructed and not yet destroyed
  std::atomic<int64_t> queued_commands{0};   // waiting for admission (backpressure)
  std::atomic<int64_t> open_connections{0};  // data + tend sockets of all clients
  std::atomic<int64_t> live_clients{0};      // event threads running
  std::atomic<int64_t> commands_retried{0};  // cumulative
  std::atomic<int64_t> connections_opened{0};  // cumulative
  // Event loops that ended with uv_loop_close() != 0 (a leaked handle).
  std::atomic<int64_t> unclean_loop_exits{0};  // cumulative; must stay 0
  std::atomic<int64_t> live_query_streams{0};  // client/query_stream.h objects alive
};

DebugCounters& GlobalCounters();

}  // namespace aerospike_py::client
