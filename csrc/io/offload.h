// OffloadQueue: CPU-heavy work (bcrypt password hashing, ~60 ms) run on
// libuv's thread pool, so the event thread never stalls on it. `work` runs
// on a pool thread and must touch nothing the event thread owns; `done`
// runs on the event thread afterwards. CancelAll() (the owner closing)
// drops every pending `done`; work already running finishes in the
// background and is then freed. Event thread only; uv-free header.
#pragma once

#include <functional>
#include <vector>

namespace aerospike_py::io {

class EventLoop;

class OffloadQueue {
 public:
  explicit OffloadQueue(EventLoop* loop) : loop_(loop) {}
  ~OffloadQueue() { CancelAll(); }
  OffloadQueue(const OffloadQueue&) = delete;
  OffloadQueue& operator=(const OffloadQueue&) = delete;

  void Run(std::function<void()> work, std::function<void()> done);
  void CancelAll();
  size_t pending() const { return pending_.size(); }

 private:
  struct Request;
  EventLoop* loop_;
  std::vector<Request*> pending_;
};

}  // namespace aerospike_py::io
