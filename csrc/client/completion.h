// Where finished commands go. The event thread calls Complete(); what
// happens next belongs to the sink:
//  - Mailbox: queues commands for one asyncio loop and makes an eventfd
//    readable on the empty -> non-empty transition only; the bridge's reader
//    drains it on the loop thread.
//  - SyncWaiter: hands one command to a thread blocked in Wait() (the sync
//    Client waits there with the GIL released).
// Sinks are shared_ptr-owned by every command that targets them, so a sink
// outlives late completions even after its owner gave up on it. Deliver()
// moves the sink out of the command before handing it over: a sink that
// keeps commands (a Mailbox's queue, a SyncWaiter's slot) never keeps itself
// alive through them.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "client/command.h"
#include "common/status.h"

namespace aerospike_py::client {

class CompletionSink {
 public:
  virtual ~CompletionSink() = default;
  // Any thread. Takes ownership.
  virtual void Complete(std::unique_ptr<Command> command) = 0;
};

// Hands a finished command to its sink (clearing command->sink first);
// a command without a sink is destroyed. Any thread.
void Deliver(std::unique_ptr<Command> command);

class Mailbox : public CompletionSink {
 public:
  static StatusOr<std::shared_ptr<Mailbox>> Create();
  ~Mailbox() override;

  // Readable while completions wait; never written twice for one batch of
  // completions.
  int fd() const { return fd_; }

  void Complete(std::unique_ptr<Command> command) override;

  // Loop thread: moves up to `max` queued commands into `out` and returns
  // how many are still queued. When it returns non-zero, the caller must
  // drain again soon (the fd is not re-signalled for them).
  size_t Drain(std::vector<std::unique_ptr<Command>>* out, size_t max);

  // After Close(), completions are destroyed on arrival and the fd is
  // closed; queued commands are destroyed too.
  void Close();

 private:
  explicit Mailbox(int fd) : fd_(fd) {}
  std::mutex mu_;
  std::vector<std::unique_ptr<Command>> queue_;  // guarded by mu_
  bool signalled_ = false;                       // guarded by mu_
  bool closed_ = false;                          // guarded by mu_
  int fd_;
};

class SyncWaiter : public CompletionSink {
 public:
  void Complete(std::unique_ptr<Command> command) override;
  // Blocks until the command arrives.
  std::unique_ptr<Command> Wait();
  // Returns nullptr if nothing arrived within `timeout_ms`.
  std::unique_ptr<Command> WaitFor(uint32_t timeout_ms);
  // The waiter gives up (e.g. the caller was interrupted): a command that
  // arrived or arrives later is destroyed, on the delivering thread.
  void Abandon();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<Command> done_;  // guarded by mu_
  bool abandoned_ = false;         // guarded by mu_
};

}  // namespace aerospike_py::client
