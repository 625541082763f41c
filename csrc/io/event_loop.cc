#include "io/event_loop.h"

#include <pthread.h>
#include <uv.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"

namespace aerospike_py::io {

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The loop and its own handles. Each handle is embedded here and counted in
// `open_handles` from init to its close callback; the Impl outlives them all
// because it is freed only after uv_run() returned, which needs every handle
// closed.
struct EventLoop::Impl {
  explicit Impl(EventLoop* owner_loop)
      : timers([this](int64_t earliest) { Rearm(earliest); }), self(owner_loop) {}

  void Rearm(int64_t earliest) {
    if (!timer_open) return;
    const int64_t now = static_cast<int64_t>(uv_now(&loop));
    uv_timer_start(&timer, &Impl::OnTimer, earliest > now ? earliest - now : 0, 0);
  }

  static void OnTimer(uv_timer_t* handle) {
    Impl* impl = static_cast<Impl*>(handle->data);
    impl->timers.RunExpired(static_cast<int64_t>(uv_now(&impl->loop)));
  }
  static void OnAsync(uv_async_t* handle) {
    Impl* impl = static_cast<Impl*>(handle->data);
    EventLoop* self = impl->self;
    if (self->stopping()) {
      impl->BeginStop();
    } else {
      self->owner_->OnWakeup();
    }
  }
  static void OnCheck(uv_check_t* handle) {
    Impl* impl = static_cast<Impl*>(handle->data);
    impl->self->owner_->OnLoopIteration();
  }
  static void OnClosed(uv_handle_t* handle) {
    Impl* impl = static_cast<Impl*>(handle->data);
    --impl->open_handles;
  }

  void BeginStop() {
    if (stop_begun) return;
    stop_begun = true;
    self->owner_->OnStop();
    // One last pass for objects the owner finished while stopping.
    self->owner_->OnLoopIteration();
    timer_open = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&timer), &Impl::OnClosed);
    uv_close(reinterpret_cast<uv_handle_t*>(&check), &Impl::OnClosed);
    uv_close(reinterpret_cast<uv_handle_t*>(&async), &Impl::OnClosed);
  }

  uv_loop_t loop;
  uv_async_t async;
  uv_timer_t timer;
  uv_check_t check;
  int open_handles = 0;
  bool timer_open = false;
  bool stop_begun = false;
  TimerQueue timers;
  EventLoop* self;
  std::unique_ptr<uint8_t[]> scratch{new uint8_t[kScratchSize]};
  static constexpr size_t kScratchSize = 64 * 1024;
};

EventLoop::EventLoop(Owner* owner) : owner_(owner), impl_(std::make_unique<Impl>(this)) {}

StatusOr<std::unique_ptr<EventLoop>> EventLoop::Create(Owner* owner) {
  std::unique_ptr<EventLoop> el(new EventLoop(owner));
  Impl& impl = *el->impl_;
  int rc = uv_loop_init(&impl.loop);
  if (rc != 0) return absl::InternalError(absl::StrCat("uv_loop_init: ", uv_strerror(rc)));
  impl.async.data = impl.timer.data = impl.check.data = &impl;
  uv_async_init(&impl.loop, &impl.async, &Impl::OnAsync);
  uv_timer_init(&impl.loop, &impl.timer);
  uv_check_init(&impl.loop, &impl.check);
  uv_check_start(&impl.check, &Impl::OnCheck);
  impl.open_handles = 3;
  impl.timer_open = true;
  return el;
}

void EventLoop::StartThread() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void EventLoop::Run() {
  thread_id_.store(std::this_thread::get_id());
  pthread_setname_np(pthread_self(), "aspy-io");
  Impl& impl = *impl_;
  uv_update_time(&impl.loop);
  owner_->OnLoopStart();
  // A stop requested before the thread ran is seen by the async callback
  // (Stop() always sends it).
  uv_run(&impl.loop, UV_RUN_DEFAULT);
  int rc = uv_loop_close(&impl.loop);
  if (rc != 0) {
    // Something was left open: a bug. Close what remains so the thread can
    // end, and remember it for the tests.
    std::fprintf(stderr, "aerospike_py: event loop ended with open handles\n");
    uv_walk(
        &impl.loop,
        [](uv_handle_t* h, void*) {
          if (!uv_is_closing(h)) uv_close(h, nullptr);
        },
        nullptr);
    uv_run(&impl.loop, UV_RUN_DEFAULT);
    uv_loop_close(&impl.loop);
    closed_cleanly_ = false;
  } else {
    closed_cleanly_ = impl.open_handles == 0;
  }
}

EventLoop::~EventLoop() { Stop(); }

void EventLoop::Wakeup() { uv_async_send(&impl_->async); }

void EventLoop::Stop() {
  if (joined_) return;
  // A loop that never ran still has to close its handles and its loop.
  StartThread();
  if (!stop_requested_.exchange(true, std::memory_order_acq_rel)) {
    uv_async_send(&impl_->async);
  }
  if (thread_.joinable()) thread_.join();
  joined_ = true;
}

uv_loop_s* EventLoop::uv() { return &impl_->loop; }
int64_t EventLoop::NowMs() const { return static_cast<int64_t>(uv_now(&impl_->loop)); }
void EventLoop::UpdateTime() { uv_update_time(&impl_->loop); }
TimerQueue& EventLoop::timers() { return impl_->timers; }
absl::Span<uint8_t> EventLoop::ReadScratch() {
  return absl::Span<uint8_t>(impl_->scratch.get(), Impl::kScratchSize);
}

}  // namespace aerospike_py::io
