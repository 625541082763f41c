#pragma once

#include <time.h>

#include <cstdint>

#include "proto/constants.h"

namespace aerospike_py::proto {

// Seconds since the server's epoch, read from the precise realtime clock.
// glibc's time() reads the coarse clock, which can trail a precise clock by
// a tick; across a second boundary that makes a just-written record look one
// second younger than its TTL.
inline int64_t NowServerEpochSeconds() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) - kCitrusleafEpoch;
}

// The TTL a caller sees for a record's void time: 0xFFFFFFFF for "never
// expires", and at least 1 for a record that is due (the server will not
// return an expired record, so 0 would only reflect clock skew).
inline uint32_t TtlFromVoidTime(uint32_t void_time, int64_t now_server_epoch) {
  if (void_time == 0) return 0xFFFFFFFFu;
  const int64_t left = static_cast<int64_t>(void_time) - now_server_epoch;
  return left < 1 ? 1u : static_cast<uint32_t>(left);
}

}  // namespace aerospike_py::proto
