// LogQueue: log records of the core waiting for the bridge. The event
// thread never touches Python, so cluster events (nodes added/removed,
// partition map changes) and I/O warnings are queued here as plain
// records; the bridge drains them on a Python thread (e.g. from its
// mailbox callback or a periodic task) and hands them to the `logging`
// module. Records below the level set by the bridge are never built
// (Enabled() is one relaxed atomic load). The queue is bounded: beyond
// kCapacity records the oldest are dropped and counted. Process-wide and
// thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "cluster/events.h"

namespace aerospike_py::client {

using LogLevel = cluster::LogLevel;  // kError=0, kWarning, kInfo, kDebug

struct LogRecord {
  LogLevel level = LogLevel::kInfo;
  std::string message;
  int64_t time_ns = 0;  // steady clock
};

class LogQueue {
 public:
  static constexpr size_t kCapacity = 10000;

  static LogQueue& Global();

  // Records with level <= `level` are kept; -1 (the default) disables all.
  void SetLevel(int level) { level_.store(level, std::memory_order_relaxed); }
  int level() const { return level_.load(std::memory_order_relaxed); }
  bool Enabled(LogLevel level) const {
    return static_cast<int>(level) <= level_.load(std::memory_order_relaxed);
  }

  void Push(LogLevel level, std::string message);
  // Moves up to `max` records into `out`; returns how many remain.
  size_t Drain(std::vector<LogRecord>* out, size_t max);
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int> level_{-1};
  std::atomic<uint64_t> dropped_{0};
  std::mutex mu_;
  std::deque<LogRecord> records_;  // guarded by mu_
};

}  // namespace aerospike_py::client
