// QueryStream: the bounded queue between a running scan/query on the event
// thread and its one consumer (an asyncio iterator, a blocked sync caller).
//
//   event thread:  Push(chunk)  -- a received frame, its record messages
//                                  located (offsets), already validated
//                  Complete()   -- the query ended (this is its sink)
//   consumer:      Take()       -- the next chunk, "wait", or "end"
//                  ArmWakeup()  -- asyncio: deliver a StreamWakeCommand to
//                                  the loop's mailbox when there is news
//                  WaitFor()    -- sync: block (GIL released) until news
//
// Flow control: Push() says "pause" once the chunks queued and not yet
// taken hold `buffer_bytes` or more; the execution then stops reading the
// connection that delivered it (TCP pushes back on the server). When Take()
// brings the queue down to half of that after a pause, it tells the
// consumer to send a resume (QueryControlCommand). Memory held is thus
// bounded by `buffer_bytes` plus the chunk being consumed plus one frame
// per connection being read, however large the result.
//
// One mutex guards the queue; it is taken once per frame on the event
// thread and once per chunk on the consumer's side. Thread-safe; no Python.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "client/completion.h"
#include "client/query_command.h"
#include "proto/frame_reader.h"
#include "proto/message_view.h"

namespace aerospike_py::client {

// Where one record message lies in its frame's body, as the event thread
// found it when it validated the frame: the consumer builds its view from
// these without walking the fields and ops a second time.
struct RecordRef {
  uint32_t offset = 0;      // of the message (its 22-byte header)
  uint32_t ops_offset = 0;  // of its ops (its fields lie in between)
  uint32_t ops_size = 0;
};

// One frame of a stream and where its records are.
struct QueryChunk {
  proto::Frame frame;
  std::vector<RecordRef> records;
  // Memory this chunk keeps alive.
  size_t bytes() const {
    return frame.buffer.capacity() + records.capacity() * sizeof(RecordRef);
  }
  // The validated view of record `i`.
  proto::MessageView Record(size_t i) const;
};

// The event-thread side of a running query, reached through its stream
// by the engine when a QueryControlCommand arrives.
class QueryControl {
 public:
  virtual ~QueryControl() = default;
  virtual void OnResume() = 0;
  virtual void OnCancel() = 0;
};

class QueryStream final : public CompletionSink {
 public:
  static constexpr size_t kDefaultBufferBytes = 1u << 20;

  explicit QueryStream(size_t buffer_bytes = kDefaultBufferBytes);
  ~QueryStream() override;
  QueryStream(const QueryStream&) = delete;
  QueryStream& operator=(const QueryStream&) = delete;

  // --- event thread ---
  // Queues a chunk. True when the producer must pause reading until a
  // QueryControlCommand(kResume) arrives.
  bool Push(QueryChunk chunk);
  // The query ended (any thread): the finished QueryCommand.
  void Complete(std::unique_ptr<Command> command) override;
  QueryControl* control() const { return control_; }
  void set_control(QueryControl* control) { control_ = control; }

  // --- consumer ---
  enum class Next : uint8_t { kChunk, kWait, kEnd };
  // Moves the oldest chunk into `out` (kChunk); kWait when none is queued
  // and the query runs on; kEnd once it ended and every chunk was taken.
  // `*resume` is set when the consumer must submit a resume.
  Next Take(QueryChunk* out, bool* resume);
  // Asks for one StreamWakeCommand carrying `token` to be completed into
  // `sink` at the next Push() or at the end. False (nothing armed) when
  // Take() would not say kWait right now.
  bool ArmWakeup(std::shared_ptr<CompletionSink> sink, uint64_t token);
  // Blocks up to `timeout_ms`; true when Take() would not say kWait.
  bool WaitFor(uint32_t timeout_ms);
  // After kEnd: the finished command (status, result, cursor). Null if
  // already taken.
  std::unique_ptr<QueryCommand> TakeCommand();
  // The consumer gave up (closed or dropped the stream): late chunks are
  // dropped on arrival instead of queued.
  void Abandon();

  // Partitions (bit per pid) that had records the consumer never took:
  // queued when it abandoned the stream, or arriving after. Their resume
  // point is the consumer's, not the event thread's. After the end only.
  std::vector<bool> UnconsumedPartitions() const;

  bool ended() const;
  size_t buffered_bytes() const;
  uint64_t pauses() const;  // how many times Push() said "pause"

 private:
  void WakeLocked(std::vector<std::unique_ptr<Command>>* wakes,
                  std::shared_ptr<CompletionSink>* sink);
  void MarkUnconsumedLocked(const QueryChunk& chunk);

  const size_t buffer_bytes_;
  QueryControl* control_ = nullptr;  // event thread only

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<QueryChunk> queue_;            // guarded by mu_
  size_t queued_bytes_ = 0;                 // guarded by mu_
  bool paused_ = false;                     // guarded by mu_
  bool ended_ = false;                      // guarded by mu_
  bool abandoned_ = false;                  // guarded by mu_
  uint64_t pauses_ = 0;                     // guarded by mu_
  std::unique_ptr<QueryCommand> finished_;  // guarded by mu_
  std::vector<bool> unconsumed_;            // guarded by mu_ (per pid)
  std::shared_ptr<CompletionSink> wake_sink_;  // guarded by mu_
  uint64_t wake_token_ = 0;                    // guarded by mu_
};

}  // namespace aerospike_py::client
