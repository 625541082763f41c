// Execution: the event-thread state of one submitted command, from
// admission to completion. Subclasses (record, batch, info, connect) drive
// io::Attempts and decide retries; the base keeps the command and the
// engine's bookkeeping (the live/queued lists, the queue timeout).
//
// Completion hands the command to its sink at once; the Execution itself is
// freed by the engine after the current loop iteration, never inside the
// callback that finished it, so code may still return through it.
#pragma once

#include <cstdint>
#include <memory>

#include "client/command.h"
#include "common/result_code.h"
#include "common/status.h"
#include "io/timer_queue.h"

namespace aerospike_py::client {

class Engine;

class Execution {
 public:
  Execution(Engine* engine, std::unique_ptr<Command> command)
      : engine_(engine), command_(std::move(command)) {}
  virtual ~Execution() = default;
  Execution(const Execution&) = delete;
  Execution& operator=(const Execution&) = delete;

  // Admitted: begin. May complete before returning.
  virtual void Start() = 0;
  // Complete now with `why` (client closing, queue timeout); stops all I/O.
  virtual void Abort(const Status& why) = 0;
  // Counts against max_concurrent_operations.
  virtual bool admitted_work() const { return true; }

  Command* command() const { return command_.get(); }
  bool finished() const { return finished_; }

  // Loop-clock deadline for a total timeout of `total_ms` (0: none). The
  // budget runs from Submit(), minus any time spent waiting for admission,
  // so a busy event thread cannot stretch a command beyond its timeout.
  int64_t DeadlineFor(uint32_t total_ms, int64_t now_ms) const;

 protected:
  // Hands the command to its sink; nothing of the command may be touched
  // afterwards.
  void Finish(const Status& status);

  Engine* engine_;

 private:
  friend class Engine;
  enum class Where : uint8_t { kNone, kQueued, kLive };
  std::unique_ptr<Command> command_;
  bool finished_ = false;
  Where where_ = Where::kNone;
  Execution* prev_ = nullptr;
  Execution* next_ = nullptr;
  io::Timer queue_timer_;
  int64_t queued_since_ns_ = 0;  // when it entered the admission queue
  int64_t queued_ns_ = 0;        // total time spent there
};

// How a failed Status shows in a per-key result code.
ResultCode ResultForStatus(const Status& status);
bool IsRetryable(const Status& status);

}  // namespace aerospike_py::client
