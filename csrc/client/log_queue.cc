#include "client/log_queue.h"

#include <chrono>

namespace aerospike_py::client {

LogQueue& LogQueue::Global() {
  static LogQueue* queue = new LogQueue;  // never destroyed: used at exit
  return *queue;
}

void LogQueue::Push(LogLevel level, std::string message) {
  if (!Enabled(level)) return;
  LogRecord r;
  r.level = level;
  r.message = std::move(message);
  r.time_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::steady_clock::now().time_since_epoch())
                  .count();
  std::lock_guard<std::mutex> lock(mu_);
  if (records_.size() >= kCapacity) {
    records_.pop_front();
    dropped_.fetch_add(1, std::memory_order_relaxed);
  }
  records_.push_back(std::move(r));
}

size_t LogQueue::Drain(std::vector<LogRecord>* out, size_t max) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t take = records_.size() < max ? records_.size() : max;
  for (size_t i = 0; i < take; ++i) {
    out->push_back(std::move(records_.front()));
    records_.pop_front();
  }
  return records_.size();
}

}  // namespace aerospike_py::client
