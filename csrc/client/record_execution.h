// RecordExecution: a single-record command (get, put, operate, delete,
// touch, exists, ...). On the event thread it computes the digest (unless
// given), encodes the request once (proto + AS_MSG header and the fields
// ns/set/digest/[key]/[filter]; the bridge's pre-encoded ops follow as a
// second write buffer, so they are never copied), and runs attempts:
// route (writes to the master, reads by replica policy and attempt
// number) -> io::Attempt with the socket timeout -> parse the one answer.
// Network errors and socket timeouts are retried up to max_retries, after
// sleep_between_retries_ms, inside the total timeout; server results
// 9 (timeout), 11 (partition unavailable) and 18 (device overload) too.
// A write whose request may have reached a server before a failure ends
// in doubt.
#pragma once

#include <cstdint>
#include <memory>

#include "client/execution.h"
#include "client/hedge.h"
#include "cluster/node.h"
#include "common/byte_buffer.h"
#include "io/attempt.h"
#include "io/timer_queue.h"
#include "proto/reply_check.h"

namespace aerospike_py::client {

class RecordExecution final : public Execution, private io::AttemptListener {
 public:
  RecordExecution(Engine* engine, std::unique_ptr<Command> command);
  void Start() override;
  void Abort(const Status& why) override;
  // Hedged reads (client/hedge.h): the second leg's answer and end.
  StatusOr<bool> OnHedgeFrame(proto::Frame frame);
  void OnHedgeDone(const Status& status);

 private:
  Status Encode();
  void NextAttempt();
  void Retry(const Status& why);
  void OnSleepDone();
  void OnTotalTimeout();
  void Done(const Status& status);
  StatusOr<bool> OnAttemptFrame(proto::Frame frame) override;
  void OnAttemptDone(const Status& status) override;
  // The attempt that answered (or the last one that failed) ends the try.
  void OnAnswer(const Status& status);
  void ArmHedge();
  void OnHedgeTimer();
  // The replica a hedge goes to (the next in sequence order), or null.
  cluster::Node* HedgeTarget() const;
  // Adaptive hedging: an answered read's latency into its node's window.
  void NoteLatency(const cluster::Node& node, int64_t started_us);

  RecordCommand* cmd_;
  ByteBuffer head_;        // proto header + AS_MSG header + fields
  ByteBuffer compressed_;  // the whole frame, compressed (policy.compress)
  ByteSpan parts_[2];
  size_t n_parts_ = 0;
  proto::ReplyExpectation expect_;  // what the answer must look like
  uint32_t pid_ = 0;
  uint32_t attempt_no_ = 0;
  int64_t deadline_ms_ = 0;
  bool in_doubt_ = false;
  Status last_error_;
  cluster::NodeRef node_;
  io::Attempt attempt_{this};
  io::Timer total_timer_;
  io::Timer sleep_timer_;
  io::Timer hedge_timer_;
  std::unique_ptr<HedgeLeg> hedge_;  // made on the first hedge
  // Adaptive hedging (policy.hedge_percentile): when each leg was sent.
  int64_t attempt_started_us_ = 0;
  int64_t hedge_started_us_ = 0;
};

// Shared by record and batch encoders: a field (size, type, data).
void AppendField(ByteBuffer* out, proto::FieldType type, ByteSpan data);
// §3.6: the server-side timeout sent with a single-record request.
uint32_t ServerTimeoutMs(const CommandPolicy& policy);

}  // namespace aerospike_py::client
