// OperationMetrics: the process-wide latency histograms of finished
// commands, one series per (operation, namespace, set, result code), with
// fixed buckets. What `db_client_operation_duration_seconds` and the error
// counters are read from on a scrape.
//
// Recording is lock-free and allocation-free once a series exists: a series
// is looked up in an open-addressed table of atomic pointers (a new series
// is allocated once and published with a compare-and-swap; series are never
// freed, so a pointer stays valid for the life of the process), and the
// counts are relaxed atomic increments. The table holds at most kMaxSeries
// series; commands of further label combinations are counted in one
// overflow series per (operation, code) whose namespace and set are empty,
// and past those in one series labelled op "other", so memory stays
// bounded whatever the application's set names.
//
// Used by the bridge (csrc/python/), which records each command when its
// result is handed to the caller, and read by it on a scrape. Plain C++.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aerospike_py::client {

class OperationMetrics {
 public:
  // Upper bounds of the buckets, in nanoseconds (Prometheus `le`, seconds:
  // 0.0001 .. 10). They include every bound aerospike-py uses (0.001, 0.005,
  // 0.01, 0.05, 0.1, 0.5, 1, 5, 10), so dashboards written for it still find
  // their `le` values, and resolve the sub-millisecond range ours lives in.
  static constexpr int kBuckets = 16;
  static constexpr std::array<int64_t, kBuckets> kBoundsNs = {
      100'000,     250'000,     500'000,       1'000'000,     2'500'000,     5'000'000,
      10'000'000,  25'000'000,  50'000'000,    100'000'000,   250'000'000,   500'000'000,
      1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000};
  static constexpr size_t kMaxSeries = 1024;

  struct Series {
    // The labels; `op` points to a string with static storage (an
    // operation name of the bridge).
    const char* op = "";
    std::string ns;
    std::string set;
    int32_t code = 0;  // 0 success, else the result code of the error
    // Per bucket (not cumulative); [kBuckets] counts what is above the last bound.
    std::array<std::atomic<uint64_t>, kBuckets + 1> buckets{};
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_ns{0};

    void Record(int64_t elapsed_ns);
  };

  // A copy of one series' counts, taken while others may still record.
  struct Snapshot {
    std::string op, ns, set;
    int32_t code = 0;
    std::array<uint64_t, kBuckets + 1> buckets{};
    uint64_t count = 0;
    uint64_t sum_ns = 0;
  };

  static OperationMetrics& Get();

  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }
  void set_enabled(bool on) { enabled_.store(on, std::memory_order_relaxed); }

  // The series of these labels, created on first use; never null. `op`
  // must have static storage duration.
  Series* SeriesFor(const char* op, std::string_view ns, std::string_view set, int32_t code);

  std::vector<Snapshot> SnapshotAll() const;
  // Series in use (including the overflow series); for tests.
  size_t series_count() const { return used_.load(std::memory_order_relaxed); }

  OperationMetrics();
  OperationMetrics(const OperationMetrics&) = delete;
  OperationMetrics& operator=(const OperationMetrics&) = delete;
  ~OperationMetrics();

 private:
  static constexpr size_t kSlots = kMaxSeries * 2;  // load factor <= 1/2
  Series* Overflow(const char* op, int32_t code);

  std::atomic<bool> enabled_{true};
  std::atomic<size_t> used_{0};
  std::array<std::atomic<Series*>, kSlots> slots_{};
  // Everything past the table and its overflow slots: op "other", code -1.
  Series other_;
};

}  // namespace aerospike_py::client
