// TimerQueue: every timeout of the event thread (socket and total
// timeouts, retry sleeps, connect timeouts, queue timeouts, the tend tick)
// in one intrusive min-heap, driven by a single uv timer that the EventLoop
// re-arms for the earliest deadline. A Timer lives inside its owner (a
// command, a connection); arming and cancelling is O(log n) and never
// allocates; destroying a Timer cancels it. Deadlines are loop milliseconds
// (uv_now). Event thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

namespace aerospike_py::io {

class TimerQueue;

class Timer {
 public:
  using Callback = void (*)(void* arg);

  Timer() = default;
  ~Timer() { Cancel(); }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // (Re)arms the timer: `fn(arg)` runs once at or after `deadline_ms`.
  void Start(TimerQueue* queue, int64_t deadline_ms, Callback fn, void* arg);
  void Cancel();
  bool armed() const { return index_ != kNotQueued; }
  int64_t deadline() const { return deadline_; }

  // Callback adapter for a member function: timer.Start(q, t, &Thunk<T, &T::F>, this).
  template <typename T, void (T::*Method)()>
  static void Thunk(void* arg) {
    (static_cast<T*>(arg)->*Method)();
  }

 private:
  friend class TimerQueue;
  static constexpr size_t kNotQueued = std::numeric_limits<size_t>::max();
  TimerQueue* queue_ = nullptr;
  int64_t deadline_ = 0;
  uint64_t seq_ = 0;
  size_t index_ = kNotQueued;
  Callback fn_ = nullptr;
  void* arg_ = nullptr;
};

class TimerQueue {
 public:
  // `rearm(earliest)` is called whenever the earliest deadline moves earlier.
  explicit TimerQueue(std::function<void(int64_t earliest_ms)> rearm)
      : rearm_(std::move(rearm)) {}
  ~TimerQueue();
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  // Runs every timer whose deadline is <= now_ms. A timer armed from a
  // callback with a deadline in the past waits for the next call, so a
  // callback that re-arms itself cannot spin.
  void RunExpired(int64_t now_ms);
  // Earliest deadline, or -1 when empty.
  int64_t earliest() const { return heap_.empty() ? -1 : heap_[0]->deadline_; }
  size_t size() const { return heap_.size(); }

 private:
  friend class Timer;
  void Insert(Timer* t);
  void Remove(Timer* t);
  bool Less(const Timer* a, const Timer* b) const {
    return a->deadline_ != b->deadline_ ? a->deadline_ < b->deadline_ : a->seq_ < b->seq_;
  }
  void SiftUp(size_t i);
  void SiftDown(size_t i);
  void Place(size_t i, Timer* t) {
    heap_[i] = t;
    t->index_ = i;
  }

  std::function<void(int64_t)> rearm_;
  std::vector<Timer*> heap_;
  uint64_t next_seq_ = 0;
  bool running_ = false;
  int64_t running_now_ = 0;
};

}  // namespace aerospike_py::io
