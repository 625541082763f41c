#include "io/latency_window.h"

#include <algorithm>
#include <cmath>

namespace aerospike_py::io {

void LatencyWindow::Add(uint32_t micros) {
  ring_[next_] = micros;
  next_ = (next_ + 1) % kSize;
  if (count_ < kSize) ++count_;
  ++added_since_;
}

uint32_t LatencyWindow::Percentile(double percent) const {
  if (count_ < kMinSamples || !(percent > 0.0 && percent < 100.0)) return 0;
  if (percent == cached_percent_ && added_since_ < kRefresh) return cached_;
  std::array<uint32_t, kSize> sorted;
  std::copy(ring_.begin(), ring_.begin() + static_cast<std::ptrdiff_t>(count_), sorted.begin());
  // The smallest sample at or above `percent` of them (nearest rank).
  const size_t rank = static_cast<size_t>(std::ceil(percent / 100.0 * static_cast<double>(count_)));
  const size_t at = std::min(count_, std::max<size_t>(1, rank)) - 1;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(at),
                   sorted.begin() + static_cast<std::ptrdiff_t>(count_));
  cached_ = std::max<uint32_t>(1, sorted[at]);
  cached_percent_ = percent;
  added_since_ = 0;
  return cached_;
}

}  // namespace aerospike_py::io
