// BatchExecution: the hot path. On the event thread (never the caller's):
//  1. digests for keys that came without one;
//  2. each key's row shape: its (namespace/set, spec) pair, so rows that
//     share one go out as REPEAT rows (~25 bytes a key);
//  3. routing: key -> partition -> node (per key replica policy and
//     attempt), then a counting sort by (node, shape) so each node's rows
//     are contiguous and grouped by shape; no per-key allocation;
//  4. one request per node (split above max_keys_per_batch_request rows),
//     encoded with proto::EncodeBatchRequest and sent in parallel;
//  5. answers are walked in place: each record message lands in
//     results[row index] as views into the frame, and the frame moves into
//     command->frames (zero copies; moving a Frame keeps its buffer);
//  6. a node request that fails with a network error or socket timeout is
//     retried for its unanswered keys only, each routed again with the next
//     attempt number (so reads move to the next replica), inside the total
//     timeout; other failures mark those keys with a client result code;
//  7. with a BatchRowListener (coalesced gets), the rows of each answer
//     frame that checked out are handed to it at once, so their callers
//     need not wait for the rest of the batch; handed rows are final;
//  8. when the batch ends, the command's BatchFinisher (if any) runs here,
//     before the command goes to its sink (e.g. the NumPy fill, off-GIL);
//  9. hedged (a read-only batch whose policy sets hedge_fraction or
//     hedge_percentile, client/hedge.h): a node request still unanswered
//     after its threshold sends its unanswered rows to their next replicas
//     too; each row takes the first answer, the other is skipped, and a
//     request whose every row is answered elsewhere is cancelled. A
//     request that fails hands its rows to the hedge still awaiting them.
// Every key gets a result slot; keys never answered keep answered == false
// with the reason in `result` (and in_doubt for writes that were sent).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/types/span.h"
#include "client/execution.h"
#include "cluster/node.h"
#include "cluster/partition_table.h"
#include "common/byte_buffer.h"
#include "io/attempt.h"
#include "io/timer_queue.h"
#include "proto/batch.h"
#include "proto/reply_check.h"

namespace aerospike_py::client {

class BatchExecution final : public Execution {
 public:
  BatchExecution(Engine* engine, std::unique_ptr<Command> command);
  ~BatchExecution() override;
  void Start() override;
  void Abort(const Status& why) override;

 private:
  struct Chunk;
  static constexpr uint32_t kNoChunk = 0;

  Status Prepare();
  std::vector<const cluster::NamespacePartitions*> PartitionTables() const;
  void Route(absl::Span<const uint32_t> keys, uint32_t attempt_no);
  // `hedge_of`: the slow request these rows are a hedge of (else null).
  void Send(cluster::Node* node, absl::Span<const uint32_t> keys, uint32_t attempt_no,
            Chunk* hedge_of = nullptr);
  StatusOr<bool> OnChunkFrame(Chunk* c, proto::Frame frame);
  Status ReadChunkFrame(Chunk* c, const proto::Frame& f, bool* done, bool* used);
  // Takes back every answer `c` delivered: its stream turned out malformed,
  // so none of its records can be trusted.
  void RevokeAnswers(Chunk* c);
  void OnChunkDone(Chunk* c, const Status& status);
  void RetryLater(std::vector<uint32_t> keys, uint32_t attempt_no, const Status& why);
  bool CanRetry(uint32_t attempt_no) const;
  void FailKeys(absl::Span<const uint32_t> keys, const Status& why);
  void Retire(Chunk* c);
  // Hedging (step 9).
  void ArmHedge(Chunk* c);
  void OnHedgeTimer(Chunk* c);
  void OnHedgedChunkDone(Chunk* c, const Status& status);
  Chunk* LiveChunk(uint32_t id) const;
  // True when no row `c` awaits is unanswered.
  bool AllAnswered(const Chunk* c) const;
  void CancelIfAnswered(Chunk* c);
  void MaybeFinish();
  void OnTotalTimeout();
  // Fails every key still waiting; `timed_out`: connections in mid-answer
  // may be recovered (timeout_delay_ms) rather than closed.
  void Stop(const Status& why, bool timed_out);
  void Done(const Status& status);

  BatchCommand* cmd_;
  size_t n_ = 0;
  std::vector<uint32_t> owner_;     // per key: id of the chunk awaiting it
  std::vector<uint16_t> shape_of_;  // per key: index into shapes_
  std::vector<uint16_t> node_of_;   // per key, scratch of Route()
  std::vector<uint32_t> order_;     // scratch of Route()
  std::vector<proto::BatchRowShape> shapes_;
  std::vector<ByteBuffer> spec_fields_;  // per spec: its filter field
  ByteBuffer key_fields_;                // send-key fields, back to back
  std::vector<uint32_t> key_field_at_;   // per key: offset+1 in key_fields_, 0: none
  std::vector<uint32_t> key_field_len_;
  std::vector<std::unique_ptr<Chunk>> chunks_;
  uint32_t live_ = 0;   // chunks in flight or waiting to retry
  int hold_ = 0;        // > 0 while routing: do not finish yet
  uint32_t next_chunk_id_ = 1;
  uint32_t max_attempt_ = 0;
  // Row indexes on the wire are index_base_ + key position, a random
  // offset per batch: the server echoes them, so an answer that belongs to
  // another batch (a stale or misdelivered stream) names rows this batch
  // never asked for. Never 0 for a row, which is the LAST message's index.
  uint32_t index_base_ = 1;
  std::vector<proto::ReplyExpectation> expect_;  // per spec: its rows' answers
  // With a row listener only: rows of the frame being read, and per key
  // whether it was handed to the listener (then never revoked).
  std::vector<uint32_t> fresh_;
  std::vector<uint8_t> handed_;
  // Hedged batches only (else empty): per key, the hedge request also
  // awaiting it (0: none) and the request whose answer it took.
  std::vector<uint32_t> hedge_owner_;
  std::vector<uint32_t> answered_by_;
  int64_t deadline_ms_ = 0;
  Status first_error_;
  io::Timer total_timer_;
};

}  // namespace aerospike_py::client
