// QueryExecution: a scan or a secondary-index query on the event thread.
//
// Foreground (records come back), in rounds:
//  1. every partition not done yet is routed (replica policy, the round's
//     retry number) and grouped by node;
//  2. one request per node names its partitions: untouched ones in the pid
//     array, started ones in the digest array (+ bval array for indexed
//     queries) so they resume after the last record returned; with
//     max_records, the records still wanted are split over the nodes
//     (field 13 per node);
//  3. answers stream in: each frame is walked in place, every record
//     advances its partition's resume point, and the frame goes to the
//     QueryStream as one chunk (no copy). When the stream's buffer is full
//     the connection stops reading (TCP backpressure) until the consumer
//     catches up and sends a resume;
//  4. a node's stream ending normally finishes its partitions, except those
//     the server marked unavailable (PARTITION_DONE with a non-zero result)
//     and, when the node hit its record cap, those that may hold more;
//  5. the next round retries unavailable or failed partitions (network
//     error, socket timeout) on the next replica, up to max_retries, and
//     continues capped partitions while max_records is not reached.
// The command completes last, with `partitions` as the cursor.
// socket_timeout is an idle timeout per node stream (no frame for that
// long), suspended while the stream is paused for a slow consumer.
//
// Background (write ops, UDF): one request per node (or per partition
// owner, with a partition list); each answers with one LAST message.
//
// Cancel (QueryControlCommand or client close): every stream's connection
// is closed (a stream cannot be reused mid-answer); the server stops at its
// next send.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "client/execution.h"
#include "client/query_command.h"
#include "client/query_stream.h"
#include "cluster/node.h"
#include "common/byte_buffer.h"
#include "io/attempt.h"
#include "io/timer_queue.h"

namespace aerospike_py::client {

class QueryExecution final : public Execution, private QueryControl {
 public:
  QueryExecution(Engine* engine, std::unique_ptr<Command> command);
  ~QueryExecution() override;
  void Start() override;
  void Abort(const Status& why) override;

 private:
  struct NodeStream;

  // QueryControl (from the consumer, through the engine).
  void OnResume() override;
  void OnCancel() override;

  Status Prepare();
  void StartRound();
  void StartBackground();
  void Encode(NodeStream* s);
  void LaunchMore();
  StatusOr<bool> OnStreamFrame(NodeStream* s, proto::Frame frame);
  void OnStreamDone(NodeStream* s, const Status& status);
  void OnIdleTimeout(NodeStream* s);
  void ArmIdle(NodeStream* s);
  void EndRound();
  void OnTotalTimeout();
  void StopStreams();
  void Done(const Status& status);

  QueryCommand* cmd_;
  std::shared_ptr<QueryStream> stream_;
  std::vector<int16_t> index_of_;     // pid -> index in cmd_->partitions, -1: not queried
  std::vector<uint32_t> owner_;       // per partition: id of the stream reading it this round
  std::vector<uint8_t> unavailable_;  // per partition: must be retried next round
  std::vector<std::unique_ptr<NodeStream>> streams_;  // this round's
  std::vector<std::unique_ptr<NodeStream>> retired_;  // freed at the next round
  size_t next_launch_ = 0;
  uint32_t running_ = 0;
  uint32_t next_stream_id_ = 1;
  uint32_t retries_ = 0;
  bool round_failed_ = false;  // some partition must be retried
  ResultCode fatal_result_ = ResultCode::kOk;
  Status fatal_status_;
  Status last_error_;
  int64_t deadline_ms_ = 0;
  io::Timer total_timer_;
  io::Timer round_timer_;
};

}  // namespace aerospike_py::client
