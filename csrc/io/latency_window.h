// LatencyWindow: how long a node took to answer its last reads, and a
// percentile of that, for adaptive hedged reads (client/hedge.h): a read
// to one replica waits about as long as the replica it would hedge to
// takes for that share of its own reads, then asks that replica too.
//
// A ring of the last kSize latencies (microseconds); Percentile() sorts a
// copy (nth_element) only when kRefresh samples arrived since the last
// answer or another percentile is asked for, so a read pays a few
// nanoseconds on average. Event thread only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace aerospike_py::io {

class LatencyWindow {
 public:
  static constexpr size_t kSize = 256;
  static constexpr size_t kMinSamples = 32;  // fewer: no estimate yet
  static constexpr size_t kRefresh = 16;

  void Add(uint32_t micros);
  // The `percent`-th percentile (0 < percent < 100) of the window in
  // microseconds (at least 1); 0 while it holds fewer than kMinSamples.
  uint32_t Percentile(double percent) const;
  size_t count() const { return count_; }

 private:
  std::array<uint32_t, kSize> ring_{};
  size_t next_ = 0;
  size_t count_ = 0;
  mutable size_t added_since_ = 0;
  mutable double cached_percent_ = -1.0;
  mutable uint32_t cached_ = 0;
};

}  // namespace aerospike_py::io
