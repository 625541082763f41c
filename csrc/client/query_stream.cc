#include "client/query_stream.h"

#include <chrono>
#include <optional>

#include "client/counters.h"
#include "proto/digest.h"
#include "proto/headers.h"
#include "proto/message_view.h"

namespace aerospike_py::client {

QueryStream::QueryStream(size_t buffer_bytes) : buffer_bytes_(buffer_bytes) {
  GlobalCounters().live_query_streams.fetch_add(1, std::memory_order_relaxed);
}

QueryStream::~QueryStream() {
  GlobalCounters().live_query_streams.fetch_sub(1, std::memory_order_relaxed);
}

// Takes the armed wake-up, if any, as a command to deliver outside the lock.
void QueryStream::WakeLocked(std::vector<std::unique_ptr<Command>>* wakes,
                             std::shared_ptr<CompletionSink>* sink) {
  if (wake_sink_ == nullptr) return;
  auto wake = std::make_unique<StreamWakeCommand>();
  wake->token = wake_token_;
  wakes->push_back(std::move(wake));
  *sink = std::move(wake_sink_);
  wake_sink_ = nullptr;
  wake_token_ = 0;
}

proto::MessageView QueryChunk::Record(size_t i) const {
  const RecordRef& r = records[i];
  const uint8_t* base = frame.body().data();
  proto::MessageView m;
  m.header = proto::DecodeMsgHeader(base + r.offset);
  m.fields = ByteSpan(base + r.offset + proto::kMsgHeaderSize,
                      r.ops_offset - r.offset - proto::kMsgHeaderSize);
  m.ops = ByteSpan(base + r.ops_offset, r.ops_size);
  m.size = r.ops_offset + r.ops_size - r.offset;
  return m;
}

void QueryStream::MarkUnconsumedLocked(const QueryChunk& chunk) {
  if (unconsumed_.empty()) unconsumed_.assign(proto::kPartitions, false);
  for (size_t i = 0; i < chunk.records.size(); ++i) {
    const proto::MessageView m = chunk.Record(i);
    std::optional<ByteSpan> digest = m.FindField(proto::FieldType::kDigest);
    if (digest && digest->size() == proto::kDigestSize) {
      unconsumed_[proto::PartitionId(digest->data())] = true;
    }
  }
}

std::vector<bool> QueryStream::UnconsumedPartitions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return unconsumed_;
}

bool QueryStream::Push(QueryChunk chunk) {
  std::vector<std::unique_ptr<Command>> wakes;
  std::shared_ptr<CompletionSink> sink;
  bool pause = false;
  QueryChunk dropped;  // freed outside the lock
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (abandoned_) {
      MarkUnconsumedLocked(chunk);
      dropped = std::move(chunk);
    } else {
      queued_bytes_ += chunk.bytes();
      queue_.push_back(std::move(chunk));
      if (queued_bytes_ >= buffer_bytes_) {
        if (!paused_) ++pauses_;
        paused_ = true;
        pause = true;
      }
      WakeLocked(&wakes, &sink);
    }
  }
  cv_.notify_one();
  for (auto& w : wakes) {
    w->sink = sink;
    Deliver(std::move(w));
  }
  return pause;
}

void QueryStream::Complete(std::unique_ptr<Command> command) {
  std::vector<std::unique_ptr<Command>> wakes;
  std::shared_ptr<CompletionSink> sink;
  std::unique_ptr<Command> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ended_ = true;
    if (command->kind() == CommandKind::kQuery) {
      auto* q = static_cast<QueryCommand*>(command.release());
      q->stream.reset();  // the stream keeps the command, not the reverse
      finished_.reset(q);
    } else {
      dropped = std::move(command);
    }
    WakeLocked(&wakes, &sink);
  }
  cv_.notify_all();
  for (auto& w : wakes) {
    w->sink = sink;
    Deliver(std::move(w));
  }
}

QueryStream::Next QueryStream::Take(QueryChunk* out, bool* resume) {
  *resume = false;
  std::lock_guard<std::mutex> lock(mu_);
  if (queue_.empty()) return ended_ ? Next::kEnd : Next::kWait;
  *out = std::move(queue_.front());
  queue_.pop_front();
  const size_t b = out->bytes();
  queued_bytes_ = b > queued_bytes_ ? 0 : queued_bytes_ - b;
  if (paused_ && queued_bytes_ <= buffer_bytes_ / 2) {
    paused_ = false;
    *resume = !ended_;
  }
  return Next::kChunk;
}

bool QueryStream::ArmWakeup(std::shared_ptr<CompletionSink> sink, uint64_t token) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!queue_.empty() || ended_) return false;
  wake_sink_ = std::move(sink);
  wake_token_ = token;
  return true;
}

bool QueryStream::WaitFor(uint32_t timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                      [this] { return !queue_.empty() || ended_; });
}

std::unique_ptr<QueryCommand> QueryStream::TakeCommand() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::move(finished_);
}

void QueryStream::Abandon() {
  std::deque<QueryChunk> dropped;
  std::vector<std::unique_ptr<Command>> wakes;
  std::shared_ptr<CompletionSink> sink;
  {
    std::lock_guard<std::mutex> lock(mu_);
    abandoned_ = true;
    for (const QueryChunk& c : queue_) MarkUnconsumedLocked(c);
    dropped.swap(queue_);
    queued_bytes_ = 0;
    paused_ = false;
    // An armed wake-up is still delivered: its receiver holds a slot for
    // it (the asyncio bridge's future) that only the wake-up releases.
    WakeLocked(&wakes, &sink);
  }
  for (auto& w : wakes) {
    w->sink = sink;
    Deliver(std::move(w));
  }
}

bool QueryStream::ended() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ended_;
}

size_t QueryStream::buffered_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queued_bytes_;
}

uint64_t QueryStream::pauses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pauses_;
}

}  // namespace aerospike_py::client
