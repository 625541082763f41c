// EventLoop: one libuv loop on its own thread. It owns the loop, the
// thread and three handles of its own: the wakeup async (the only thing
// other threads may touch, through Wakeup()), the single uv timer behind
// the TimerQueue, and a check handle that lets the owner free objects
// after each loop iteration (never inside the callbacks that finished
// them). Everything else (connections, pools, commands) belongs to the
// owner, which is told to close it all when Stop() is requested; the loop
// then runs until every handle is closed, and ends with uv_loop_close() == 0.
//
// This header stays free of uv.h so rooms above io can own an EventLoop.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/types/span.h"
#include "common/status.h"
#include "io/timer_queue.h"

struct uv_loop_s;

namespace aerospike_py::io {

// Process-wide counters the owner wants maintained (may be null).
struct LoopCounters {
  std::atomic<int64_t>* open_connections = nullptr;    // sockets not yet closed
  std::atomic<int64_t>* connections_opened = nullptr;  // cumulative
};

class EventLoop {
 public:
  class Owner {
   public:
    virtual ~Owner() = default;
    // First thing on the loop thread.
    virtual void OnLoopStart() = 0;
    // Wakeup() was called at least once since the last call (coalesced).
    virtual void OnWakeup() = 0;
    // After the I/O callbacks of each loop iteration: deferred frees.
    virtual void OnLoopIteration() = 0;
    // Stop() was requested: close every handle the owner has. Called once.
    virtual void OnStop() = 0;
  };

  // Initializes the loop; StartThread() then runs it. Two steps, so the
  // owner can store the pointer before its OnLoopStart() runs.
  static StatusOr<std::unique_ptr<EventLoop>> Create(Owner* owner);
  void StartThread();
  ~EventLoop();  // Stop()
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Any thread, until Stop() is called (the owner serializes the two).
  void Wakeup();
  // Any thread but the loop's: requests the stop, then joins the thread.
  // Idempotent.
  void Stop();
  bool OnLoopThread() const { return std::this_thread::get_id() == thread_id_.load(); }

  // --- loop thread only ---
  uv_loop_s* uv();
  int64_t NowMs() const;  // the loop's cached millisecond clock
  void UpdateTime();      // refresh it after long work
  TimerQueue& timers();
  // A shared read buffer: valid from a read's alloc callback to its read
  // callback (one stream at a time on a single thread).
  absl::Span<uint8_t> ReadScratch();
  bool stopping() const { return stop_requested_.load(std::memory_order_acquire); }
  LoopCounters& counters() { return counters_; }

  // Whether the loop closed cleanly (uv_loop_close() == 0); for tests.
  bool closed_cleanly() const { return closed_cleanly_; }

 private:
  struct Impl;
  explicit EventLoop(Owner* owner);
  void Run();

  Owner* owner_;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  std::atomic<std::thread::id> thread_id_{};
  std::atomic<bool> stop_requested_{false};
  LoopCounters counters_;
  bool joined_ = false;
  bool closed_cleanly_ = false;
};

// Nanoseconds on the steady clock (the clock of CommandTimings).
int64_t SteadyNowNs();

}  // namespace aerospike_py::io
