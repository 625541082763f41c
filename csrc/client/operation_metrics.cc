#include "client/operation_metrics.h"

#include <cstring>
#include <functional>
#include <memory>

namespace aerospike_py::client {

namespace {

size_t Mix(size_t h, size_t v) { return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)); }

size_t HashOf(const char* op, std::string_view ns, std::string_view set, int32_t code) {
  size_t h = std::hash<std::string_view>{}(op);
  h = Mix(h, std::hash<std::string_view>{}(ns));
  h = Mix(h, std::hash<std::string_view>{}(set));
  return Mix(h, static_cast<size_t>(static_cast<uint32_t>(code)));
}

bool Matches(const OperationMetrics::Series& s, const char* op, std::string_view ns,
             std::string_view set, int32_t code) {
  return s.code == code && (s.op == op || std::strcmp(s.op, op) == 0) && s.ns == ns &&
         s.set == set;
}

}  // namespace

void OperationMetrics::Series::Record(int64_t elapsed_ns) {
  if (elapsed_ns < 0) elapsed_ns = 0;
  int bucket = 0;
  while (bucket < kBuckets && elapsed_ns > kBoundsNs[bucket]) ++bucket;
  buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  count.fetch_add(1, std::memory_order_relaxed);
  sum_ns.fetch_add(static_cast<uint64_t>(elapsed_ns), std::memory_order_relaxed);
}

OperationMetrics& OperationMetrics::Get() {
  // Never destroyed: event threads of clients may still record while the
  // process exits.
  static OperationMetrics* metrics = new OperationMetrics();
  return *metrics;
}

OperationMetrics::~OperationMetrics() {
  for (auto& slot : slots_) delete slot.load(std::memory_order_relaxed);
}

OperationMetrics::Series* OperationMetrics::SeriesFor(const char* op, std::string_view ns,
                                                      std::string_view set, int32_t code) {
  size_t i = HashOf(op, ns, set, code) % kSlots;
  for (size_t probes = 0; probes < kSlots; ++probes, i = (i + 1) % kSlots) {
    Series* s = slots_[i].load(std::memory_order_acquire);
    if (s == nullptr) {
      // Claim capacity first so the table never holds more than kMaxSeries
      // label sets (the overflow series of each op and code included).
      if (used_.fetch_add(1, std::memory_order_relaxed) >= kMaxSeries - 64) {
        used_.fetch_sub(1, std::memory_order_relaxed);
        return Overflow(op, code);
      }
      auto fresh = std::make_unique<Series>();
      fresh->op = op;
      fresh->ns.assign(ns.data(), ns.size());
      fresh->set.assign(set.data(), set.size());
      fresh->code = code;
      Series* expected = nullptr;
      if (slots_[i].compare_exchange_strong(expected, fresh.get(), std::memory_order_acq_rel)) {
        return fresh.release();
      }
      // Another thread took this slot first: look at what it put there.
      used_.fetch_sub(1, std::memory_order_relaxed);
      s = expected;
    }
    if (Matches(*s, op, ns, set, code)) return s;
  }
  return Overflow(op, code);
}

OperationMetrics::Series* OperationMetrics::Overflow(const char* op, int32_t code) {
  // The 64 slots held back above are for these: one per (op, code) seen
  // after the table filled. Past that, everything shares one series.
  size_t i = HashOf(op, "", "", code) % kSlots;
  for (size_t probes = 0; probes < kSlots; ++probes, i = (i + 1) % kSlots) {
    Series* s = slots_[i].load(std::memory_order_acquire);
    if (s == nullptr) {
      if (used_.fetch_add(1, std::memory_order_relaxed) >= kMaxSeries) {
        used_.fetch_sub(1, std::memory_order_relaxed);
        break;
      }
      auto fresh = std::make_unique<Series>();
      fresh->op = op;
      fresh->code = code;
      Series* expected = nullptr;
      if (slots_[i].compare_exchange_strong(expected, fresh.get(), std::memory_order_acq_rel)) {
        return fresh.release();
      }
      used_.fetch_sub(1, std::memory_order_relaxed);
      s = expected;
    }
    if (Matches(*s, op, "", "", code)) return s;
  }
  return &other_;
}

OperationMetrics::OperationMetrics() {
  other_.op = "other";
  other_.code = -1;
}

std::vector<OperationMetrics::Snapshot> OperationMetrics::SnapshotAll() const {
  std::vector<Snapshot> out;
  for (const auto& slot : slots_) {
    const Series* s = slot.load(std::memory_order_acquire);
    if (s == nullptr) continue;
    Snapshot snap;
    snap.op = s->op;
    snap.ns = s->ns;
    snap.set = s->set;
    snap.code = s->code;
    for (int b = 0; b <= kBuckets; ++b) snap.buckets[b] = s->buckets[b].load(std::memory_order_relaxed);
    snap.count = s->count.load(std::memory_order_relaxed);
    snap.sum_ns = s->sum_ns.load(std::memory_order_relaxed);
    out.push_back(std::move(snap));
  }
  if (other_.count.load(std::memory_order_relaxed) != 0) {
    Snapshot snap;
    snap.op = other_.op;
    snap.code = other_.code;
    for (int b = 0; b <= kBuckets; ++b) snap.buckets[b] = other_.buckets[b].load(std::memory_order_relaxed);
    snap.count = other_.count.load(std::memory_order_relaxed);
    snap.sum_ns = other_.sum_ns.load(std::memory_order_relaxed);
    out.push_back(std::move(snap));
  }
  return out;
}

}  // namespace aerospike_py::client
