// OperationMetrics: bucket placement, concurrent recording without lost
// counts, and the bound on the number of series.
#include "client/operation_metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace aerospike_py::client {
namespace {

const OperationMetrics::Snapshot* Find(const std::vector<OperationMetrics::Snapshot>& snaps,
                                       const std::string& op, const std::string& ns,
                                       const std::string& set, int32_t code) {
  for (const auto& s : snaps) {
    if (s.op == op && s.ns == ns && s.set == set && s.code == code) return &s;
  }
  return nullptr;
}

TEST(OperationMetrics, BucketsAreUpperBoundsInclusive) {
  OperationMetrics m;
  auto* s = m.SeriesFor("get", "test", "demo", 0);
  s->Record(50'000);          // 50 us -> first bucket (<= 100 us)
  s->Record(100'000);         // exactly on the bound -> first bucket
  s->Record(100'001);         // just above -> second bucket (<= 250 us)
  s->Record(20'000'000'000);  // 20 s -> above the last bound
  s->Record(-5);              // a clock step backwards counts as zero
  auto snaps = m.SnapshotAll();
  const auto* snap = Find(snaps, "get", "test", "demo", 0);
  ASSERT_NE(snap, nullptr);
  EXPECT_EQ(snap->buckets[0], 3u);
  EXPECT_EQ(snap->buckets[1], 1u);
  EXPECT_EQ(snap->buckets[OperationMetrics::kBuckets], 1u);
  EXPECT_EQ(snap->count, 5u);
  EXPECT_EQ(snap->sum_ns, 50'000u + 100'000u + 100'001u + 20'000'000'000u);
}

TEST(OperationMetrics, SameLabelsSameSeriesDifferentLabelsNot) {
  OperationMetrics m;
  EXPECT_EQ(m.SeriesFor("get", "test", "a", 0), m.SeriesFor("get", "test", "a", 0));
  EXPECT_NE(m.SeriesFor("get", "test", "a", 0), m.SeriesFor("get", "test", "a", 2));
  EXPECT_NE(m.SeriesFor("get", "test", "a", 0), m.SeriesFor("put", "test", "a", 0));
  EXPECT_NE(m.SeriesFor("get", "test", "a", 0), m.SeriesFor("get", "test", "b", 0));
  // Same text at another address is the same operation.
  const std::string op = "get";
  static const std::string kCopy = op;
  EXPECT_EQ(m.SeriesFor("get", "test", "a", 0), m.SeriesFor(kCopy.c_str(), "test", "a", 0));
  EXPECT_EQ(m.series_count(), 4u);
}

TEST(OperationMetrics, ConcurrentRecordingLosesNothing) {
  OperationMetrics m;
  constexpr int kThreads = 4, kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&m, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Every thread creates and finds the same few series concurrently.
        m.SeriesFor("get", "test", "set" + std::to_string(i % 8), 0)->Record(1000 * (t + 1));
      }
    });
  }
  for (auto& th : threads) th.join();
  uint64_t total = 0;
  for (const auto& s : m.SnapshotAll()) total += s.count;
  EXPECT_EQ(total, static_cast<uint64_t>(kThreads) * kPerThread);
  EXPECT_EQ(m.series_count(), 8u);
}

TEST(OperationMetrics, SeriesAreBoundedWhateverTheSetNames) {
  OperationMetrics m;
  for (int i = 0; i < 5000; ++i) {
    m.SeriesFor("put", "test", "set-" + std::to_string(i), 0)->Record(1000);
  }
  EXPECT_LE(m.series_count(), OperationMetrics::kMaxSeries);
  auto snaps = m.SnapshotAll();
  uint64_t total = 0;
  for (const auto& s : snaps) total += s.count;
  EXPECT_EQ(total, 5000u);  // nothing lost: the rest is in the overflow series
  const auto* overflow = Find(snaps, "put", "", "", 0);
  ASSERT_NE(overflow, nullptr);
  EXPECT_GT(overflow->count, 0u);
}

}  // namespace
}  // namespace aerospike_py::client
