#include "client/completion.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace aerospike_py::client {

StatusOr<std::shared_ptr<Mailbox>> Mailbox::Create() {
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("eventfd: ", std::strerror(errno)));
  }
  return std::shared_ptr<Mailbox>(new Mailbox(fd));
}

void Deliver(std::unique_ptr<Command> command) {
  std::shared_ptr<CompletionSink> sink = std::move(command->sink);
  if (sink != nullptr) sink->Complete(std::move(command));
}

Mailbox::~Mailbox() { Close(); }

void Mailbox::Complete(std::unique_ptr<Command> command) {
  bool signal = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;  // `command` is destroyed here, outside any Python
    queue_.push_back(std::move(command));
    if (!signalled_) {
      signalled_ = true;
      signal = true;
    }
  }
  if (signal) {
    uint64_t one = 1;
    // EAGAIN only if the counter would overflow, which one write per drain
    // cannot reach.
    ssize_t n = write(fd_, &one, sizeof one);
    (void)n;
  }
}

size_t Mailbox::Drain(std::vector<std::unique_ptr<Command>>* out, size_t max) {
  // Clear the eventfd before taking the queue: a completion that lands after
  // the read re-signals, one that lands before it is taken below.
  uint64_t counter;
  ssize_t n = read(fd_, &counter, sizeof counter);
  (void)n;
  std::lock_guard<std::mutex> lock(mu_);
  size_t take = queue_.size() < max ? queue_.size() : max;
  for (size_t i = 0; i < take; ++i) out->push_back(std::move(queue_[i]));
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(take));
  if (queue_.empty()) signalled_ = false;
  return queue_.size();
}

void Mailbox::Close() {
  std::vector<std::unique_ptr<Command>> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    dropped.swap(queue_);
    if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
  }
}

void SyncWaiter::Complete(std::unique_ptr<Command> command) {
  std::unique_ptr<Command> drop;  // destroyed after the lock is released
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (abandoned_) {
      drop = std::move(command);
      return;
    }
    done_ = std::move(command);
  }
  cv_.notify_one();
}

void SyncWaiter::Abandon() {
  std::unique_ptr<Command> drop;
  std::lock_guard<std::mutex> lock(mu_);
  abandoned_ = true;
  drop = std::move(done_);
}

std::unique_ptr<Command> SyncWaiter::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return done_ != nullptr; });
  return std::move(done_);
}

std::unique_ptr<Command> SyncWaiter::WaitFor(uint32_t timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
               [this] { return done_ != nullptr; });
  return std::move(done_);
}

}  // namespace aerospike_py::client
