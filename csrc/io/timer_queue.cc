#include "io/timer_queue.h"

namespace aerospike_py::io {

void Timer::Start(TimerQueue* queue, int64_t deadline_ms, Callback fn, void* arg) {
  Cancel();
  queue_ = queue;
  deadline_ = deadline_ms;
  fn_ = fn;
  arg_ = arg;
  queue->Insert(this);
}

void Timer::Cancel() {
  if (index_ != kNotQueued) queue_->Remove(this);
}

TimerQueue::~TimerQueue() {
  for (Timer* t : heap_) t->index_ = Timer::kNotQueued;
}

void TimerQueue::Insert(Timer* t) {
  if (running_ && t->deadline_ <= running_now_) t->deadline_ = running_now_ + 1;
  t->seq_ = next_seq_++;
  heap_.push_back(t);
  t->index_ = heap_.size() - 1;
  SiftUp(t->index_);
  if (heap_[0] == t && !running_ && rearm_) rearm_(t->deadline_);
}

void TimerQueue::Remove(Timer* t) {
  const size_t i = t->index_;
  t->index_ = Timer::kNotQueued;
  Timer* last = heap_.back();
  heap_.pop_back();
  if (i == heap_.size()) return;
  Place(i, last);
  SiftUp(i);
  SiftDown(last->index_);
}

void TimerQueue::SiftUp(size_t i) {
  Timer* t = heap_[i];
  while (i > 0) {
    const size_t parent = (i - 1) / 2;
    if (!Less(t, heap_[parent])) break;
    Place(i, heap_[parent]);
    i = parent;
  }
  Place(i, t);
}

void TimerQueue::SiftDown(size_t i) {
  Timer* t = heap_[i];
  const size_t n = heap_.size();
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && Less(heap_[child + 1], heap_[child])) ++child;
    if (!Less(heap_[child], t)) break;
    Place(i, heap_[child]);
    i = child;
  }
  Place(i, t);
}

void TimerQueue::RunExpired(int64_t now_ms) {
  running_ = true;
  running_now_ = now_ms;
  while (!heap_.empty() && heap_[0]->deadline_ <= now_ms) {
    Timer* t = heap_[0];
    Remove(t);
    t->fn_(t->arg_);  // may destroy `t`
  }
  running_ = false;
  if (!heap_.empty() && rearm_) rearm_(heap_[0]->deadline_);
}

}  // namespace aerospike_py::io
