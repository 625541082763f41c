#include "client/record_execution.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "client/counters.h"
#include "client/engine.h"
#include "client/serving_counters.h"
#include "cluster/router.h"
#include "common/byte_order.h"
#include "io/event_loop.h"
#include "io/node_io.h"
#include "proto/compression.h"
#include "proto/digest.h"
#include "proto/headers.h"
#include "proto/message_view.h"
#include "proto/reply_check.h"

namespace aerospike_py::client {

void AppendField(ByteBuffer* out, proto::FieldType type, ByteSpan data) {
  uint8_t* p = out->Extend(5 + data.size());
  StoreBE32(p, static_cast<uint32_t>(data.size() + 1));
  p[4] = static_cast<uint8_t>(type);
  if (!data.empty()) std::memcpy(p + 5, data.data(), data.size());
}

uint32_t ServerTimeoutMs(const CommandPolicy& policy) {
  if (policy.socket_timeout_ms != 0 &&
      (policy.total_timeout_ms == 0 || policy.socket_timeout_ms < policy.total_timeout_ms)) {
    return policy.socket_timeout_ms;
  }
  return policy.total_timeout_ms;
}

namespace {

bool RetryableResult(uint8_t code) {
  return code == static_cast<uint8_t>(ResultCode::kTimeout) ||
         code == static_cast<uint8_t>(ResultCode::kPartitionUnavailable) ||
         code == static_cast<uint8_t>(ResultCode::kDeviceOverload);
}

}  // namespace

RecordExecution::RecordExecution(Engine* engine, std::unique_ptr<Command> command)
    : Execution(engine, std::move(command)),
      cmd_(static_cast<RecordCommand*>(this->command())) {}

Status RecordExecution::Encode() {
  const RecordKey& key = cmd_->key;
  if (key.ns.empty() || key.ns.size() > proto::kMaxNamespaceLen) {
    return absl::InvalidArgumentError(absl::StrCat("invalid namespace name '", key.ns, "'"));
  }
  if (key.set.size() > proto::kMaxSetLen) {
    return absl::InvalidArgumentError(absl::StrCat("set name too long: '", key.set, "'"));
  }
  if (!key.has_digest) {
    if (key.key_type == proto::ParticleType::kNull) {
      return absl::InvalidArgumentError("a key needs a user key or a digest");
    }
    cmd_->key.digest = proto::ComputeDigest(key.set, key.key_type, AsBytes(key.key_bytes));
    cmd_->key.has_digest = true;
  }
  const bool with_key = cmd_->send_key && key.key_type != proto::ParticleType::kNull;
  proto::MsgHeader h;
  h.info1 = cmd_->info1;
  if (cmd_->policy.read_mode_ap == ReadModeAp::kAll && (h.info1 & proto::info1::kRead)) {
    h.info1 |= proto::info1::kReadModeApAll;
  }
  h.info2 = cmd_->info2;
  h.info3 = cmd_->info3;
  h.info4 = cmd_->info4;
  h.generation = cmd_->generation;
  h.record_ttl = cmd_->record_ttl;
  h.transaction_ttl = ServerTimeoutMs(cmd_->policy);
  h.n_fields = static_cast<uint16_t>(3 + (with_key ? 1 : 0) +
                                     (cmd_->filter_expression.empty() ? 0 : 1) +
                                     cmd_->n_udf_fields);
  h.n_ops = cmd_->n_ops;
  head_.Reserve(proto::kProtoHeaderSize + proto::kMsgHeaderSize + 16 + key.ns.size() +
                key.set.size() + 25 + (with_key ? 6 + key.key_bytes.size() : 0) +
                cmd_->filter_expression.size() + cmd_->udf_fields.size());
  head_.Extend(proto::kProtoHeaderSize);
  proto::EncodeMsgHeader(head_.Extend(proto::kMsgHeaderSize), h);
  AppendField(&head_, proto::FieldType::kNamespace, AsBytes(key.ns));
  AppendField(&head_, proto::FieldType::kSet, AsBytes(key.set));
  AppendField(&head_, proto::FieldType::kDigest,
              ByteSpan(cmd_->key.digest.data(), proto::kDigestSize));
  if (with_key) {
    uint8_t* p = head_.Extend(6 + key.key_bytes.size());
    StoreBE32(p, static_cast<uint32_t>(key.key_bytes.size() + 2));
    p[4] = static_cast<uint8_t>(proto::FieldType::kKey);
    p[5] = static_cast<uint8_t>(key.key_type);
    if (!key.key_bytes.empty()) std::memcpy(p + 6, key.key_bytes.data(), key.key_bytes.size());
  }
  if (!cmd_->filter_expression.empty()) {
    AppendField(&head_, proto::FieldType::kFilterExpression, AsBytes(cmd_->filter_expression));
  }
  if (cmd_->n_udf_fields != 0) head_.Append(cmd_->udf_fields.span());
  const size_t total = head_.size() + cmd_->ops.size();
  proto::EncodeProtoHeader(head_.data(), proto::ProtoType::kMessage,
                           total - proto::kProtoHeaderSize);
  if (cmd_->policy.compress && total > proto::kCompressThreshold) {
    ByteBuffer whole(total);
    whole.Append(head_.span());
    whole.Append(cmd_->ops.span());
    ASPY_ASSIGN_OR_RETURN(compressed_, proto::CompressFrame(whole.span()));
    parts_[0] = compressed_.span();
    n_parts_ = 1;
  } else {
    parts_[0] = head_.span();
    parts_[1] = cmd_->ops.span();
    n_parts_ = 2;
  }
  pid_ = proto::PartitionId(cmd_->key.digest);
  expect_ = proto::ExpectationFor(h.info1, h.info2, cmd_->ops.span(), cmd_->n_ops);
  return absl::OkStatus();
}

void RecordExecution::Start() {
  Status s = Encode();
  if (!s.ok()) {
    Done(s);
    return;
  }
  const uint32_t total = cmd_->policy.total_timeout_ms;
  if (total != 0) {
    deadline_ms_ = DeadlineFor(total, engine_->NowMs());
    total_timer_.Start(&engine_->loop().timers(), deadline_ms_,
                       &io::Timer::Thunk<RecordExecution, &RecordExecution::OnTotalTimeout>,
                       this);
  }
  NextAttempt();
}

void RecordExecution::NextAttempt() {
  cluster::Cluster& cluster = engine_->cluster();
  const cluster::NamespacePartitions* table = cluster.partitions().Find(cmd_->key.ns);
  if (table == nullptr) {
    if (cluster.partitions().empty()) {
      Retry(absl::UnavailableError("the client is not connected to any node"));
    } else {
      cmd_->result = ResultCode::kInvalidNamespace;
      Done(absl::InvalidArgumentError(
          absl::StrCat("Invalid namespace: ", cmd_->key.ns, " is not served by the cluster")));
    }
    return;
  }
  cluster::Node* node = cluster::Route(
      *table, pid_, engine_->RouteFor(cmd_->policy, cmd_->is_write, attempt_no_));
  if (node == nullptr) {
    Retry(absl::UnavailableError(absl::StrCat("no live node serves partition ", pid_,
                                              " of namespace ", cmd_->key.ns)));
    return;
  }
  io::NodeIo* nio = io::NodeIo::Of(*node);
  if (nio == nullptr) {
    Retry(absl::UnavailableError(absl::StrCat("node ", node->name(), " has no connections")));
    return;
  }
  if (Status open = engine_->CheckErrorRate(*node); !open.ok()) {
    Retry(open);
    return;
  }
  node_ = node->shared_from_this();
  cmd_->node = node->name();
  int64_t deadline = 0;
  if (cmd_->policy.socket_timeout_ms != 0) {
    deadline = engine_->loop().NowMs() + cmd_->policy.socket_timeout_ms;
  }
  if (deadline_ms_ != 0 && (deadline == 0 || deadline > deadline_ms_)) deadline = deadline_ms_;
  attempt_.set_timeout_delay(cmd_->policy.timeout_delay_ms, /*multi_record=*/false);
  attempt_.Start(&engine_->loop(), nio->data_pool(),
                 absl::Span<const ByteSpan>(parts_, n_parts_), deadline);
  if (cmd_->policy.hedged() && !cmd_->is_write && attempt_.running()) {
    if (cmd_->policy.hedge_percentile != 0) attempt_started_us_ = HedgeClockMicros();
    ArmHedge();
  }
}

cluster::Node* RecordExecution::HedgeTarget() const {
  const cluster::NamespacePartitions* table =
      engine_->cluster().partitions().Find(cmd_->key.ns);
  if (table == nullptr) return nullptr;
  // The next replica in sequence order; none when the partition has one
  // copy (RF 1) or the others are down.
  cluster::RouteOptions o = engine_->RouteFor(cmd_->policy, false, attempt_no_ + 1);
  o.replica = cluster::ReplicaPolicy::kSequence;
  cluster::Node* node = cluster::Route(*table, pid_, o);
  return node == node_.get() ? nullptr : node;
}

void RecordExecution::NoteLatency(const cluster::Node& node, int64_t started_us) {
  if (cmd_->policy.hedge_percentile == 0 || started_us == 0) return;
  io::NodeIo* nio = io::NodeIo::Of(node);
  if (nio == nullptr) return;
  NoteLatencySince(nio->read_latency(), started_us);
}

void RecordExecution::ArmHedge() {
  int64_t after = HedgeDelayMs(cmd_->policy, cmd_->is_write);
  if (cmd_->policy.hedge_percentile != 0) {
    const cluster::Node* target = HedgeTarget();
    io::NodeIo* nio = target == nullptr ? nullptr : io::NodeIo::Of(*target);
    if (nio != nullptr) after = AdaptiveHedgeDelayMs(cmd_->policy, after, nio->read_latency());
  }
  if (after == 0) return;
  hedge_timer_.Start(&engine_->loop().timers(), engine_->loop().NowMs() + after,
                     &io::Timer::Thunk<RecordExecution, &RecordExecution::OnHedgeTimer>, this);
}

void RecordExecution::OnHedgeTimer() {
  if (!attempt_.running()) return;
  if (hedge_ != nullptr && hedge_->attempt.running()) return;
  cluster::Node* node = HedgeTarget();
  if (node == nullptr) return;
  io::NodeIo* nio = io::NodeIo::Of(*node);
  if (nio == nullptr || !engine_->CheckErrorRate(*node).ok()) return;
  if (hedge_ == nullptr) hedge_ = std::make_unique<HedgeLeg>(this);
  hedge_->node = node->shared_from_this();
  int64_t deadline = 0;
  if (cmd_->policy.socket_timeout_ms != 0) {
    deadline = engine_->loop().NowMs() + cmd_->policy.socket_timeout_ms;
  }
  if (deadline_ms_ != 0 && (deadline == 0 || deadline > deadline_ms_)) deadline = deadline_ms_;
  GlobalServingCounters().hedge.hedged.fetch_add(1, std::memory_order_relaxed);
  hedge_->attempt.set_timeout_delay(cmd_->policy.timeout_delay_ms, /*multi_record=*/false);
  if (cmd_->policy.hedge_percentile != 0) hedge_started_us_ = HedgeClockMicros();
  hedge_->attempt.Start(&engine_->loop(), nio->data_pool(),
                        absl::Span<const ByteSpan>(parts_, n_parts_), deadline);
}

StatusOr<bool> RecordExecution::OnHedgeFrame(proto::Frame frame) {
  return OnAttemptFrame(std::move(frame));
}

void RecordExecution::OnHedgeDone(const Status& status) {
  if (!status.ok()) {
    // The first attempt may still answer; if it already failed, this was
    // the last one standing.
    if (attempt_.running()) return;
    OnAnswer(status);
    return;
  }
  GlobalServingCounters().hedge.hedge_wins.fetch_add(1, std::memory_order_relaxed);
  CancelLoser(&attempt_, cmd_->policy.timeout_delay_ms);
  NoteLatency(*hedge_->node, hedge_started_us_);
  node_ = hedge_->node;
  cmd_->node = node_->name();
  OnAnswer(status);
}

StatusOr<bool> RecordExecution::OnAttemptFrame(proto::Frame frame) {
  if (frame.type != static_cast<uint8_t>(proto::ProtoType::kMessage)) {
    return absl::DataLossError(
        absl::StrCat("expected a record answer from ", cmd_->node, ", got proto type ", frame.type));
  }
  StatusOr<proto::MessageView> m = proto::ParseMessage(frame.body());
  if (!m.ok()) {
    return absl::DataLossError(
        absl::StrCat("malformed answer from ", cmd_->node, ": ", m.status().message()));
  }
  if (m->size != frame.body().size()) {
    return absl::DataLossError(absl::StrCat("answer from ", cmd_->node, " has ",
                                            frame.body().size() - m->size, " extra bytes"));
  }
  // Well framed is not enough: the answer must fit the request.
  if (Status fits = proto::CheckRecordAnswer(*m, expect_); !fits.ok()) {
    return absl::DataLossError(
        absl::StrCat("answer from ", cmd_->node, " does not fit its request: ", fits.message()));
  }
  // The views stay valid: moving a Frame keeps its heap buffer.
  cmd_->response = std::move(frame);
  cmd_->message = *m;
  return true;
}

void RecordExecution::OnAttemptDone(const Status& status) {
  if (hedge_ != nullptr && hedge_->attempt.running()) {
    // A hedged read: a failure waits for the other leg; an answer wins.
    if (!status.ok()) {
      last_error_ = status;
      return;
    }
    CancelLoser(&hedge_->attempt, cmd_->policy.timeout_delay_ms);
  }
  if (status.ok() && node_ != nullptr) NoteLatency(*node_, attempt_started_us_);
  OnAnswer(status);
}

void RecordExecution::OnAnswer(const Status& status) {
  hedge_timer_.Cancel();
  if (attempt_.sent() && cmd_->is_write) in_doubt_ = true;
  if (status.ok()) {
    const uint8_t code = cmd_->message.header.result_code;
    if (RetryableResult(code)) {
      last_error_ = absl::UnavailableError(
          absl::StrCat("server ", cmd_->node, " answered ", code));
      if (attempt_no_ < cmd_->policy.max_retries &&
          (deadline_ms_ == 0 ||
           engine_->NowMs() + cmd_->policy.sleep_between_retries_ms < deadline_ms_)) {
        Retry(last_error_);
        return;
      }
    }
    cmd_->result = static_cast<ResultCode>(code);
    // A definitive answer settles doubt, except a server-side timeout of a
    // write, which may still apply.
    in_doubt_ = cmd_->is_write && code == static_cast<uint8_t>(ResultCode::kTimeout);
    Done(absl::OkStatus());
    return;
  }
  if (!IsRetryable(status)) {
    Done(status);
    return;
  }
  if (status.code() == absl::StatusCode::kUnavailable) engine_->OnNodeTrouble();
  Retry(status);
}

void RecordExecution::Retry(const Status& why) {
  last_error_ = why;
  const uint32_t sleep = cmd_->policy.sleep_between_retries_ms;
  if (attempt_no_ >= cmd_->policy.max_retries ||
      (deadline_ms_ != 0 && engine_->NowMs() + sleep >= deadline_ms_)) {
    Done(why);
    return;
  }
  ++attempt_no_;
  GlobalCounters().commands_retried.fetch_add(1, std::memory_order_relaxed);
  if (sleep != 0) {
    sleep_timer_.Start(&engine_->loop().timers(), engine_->loop().NowMs() + sleep,
                       &io::Timer::Thunk<RecordExecution, &RecordExecution::OnSleepDone>, this);
    return;
  }
  NextAttempt();
}

void RecordExecution::OnSleepDone() { NextAttempt(); }

void RecordExecution::OnTotalTimeout() {
  if (attempt_.running() && attempt_.sent() && cmd_->is_write) in_doubt_ = true;
  attempt_.AbortAfterTimeout();
  if (hedge_ != nullptr) hedge_->attempt.AbortAfterTimeout();
  std::string detail = last_error_.ok() ? "" : absl::StrCat(" (last error: ", last_error_.message(), ")");
  Done(absl::DeadlineExceededError(absl::StrCat("total timeout of ", cmd_->policy.total_timeout_ms,
                                                " ms exceeded after ", attempt_no_ + 1,
                                                " attempt(s)", detail)));
}

void RecordExecution::Abort(const Status& why) {
  if (attempt_.running() && attempt_.sent() && cmd_->is_write) in_doubt_ = true;
  attempt_.Abort();
  if (hedge_ != nullptr) hedge_->attempt.Abort();
  Done(why);
}

void RecordExecution::Done(const Status& status) {
  total_timer_.Cancel();
  sleep_timer_.Cancel();
  hedge_timer_.Cancel();
  attempt_.Abort();
  if (hedge_ != nullptr) hedge_->attempt.Abort();
  cmd_->in_doubt = status.ok() ? in_doubt_ : in_doubt_ && cmd_->is_write;
  cmd_->attempts = attempt_no_ + 1;
  cmd_->timings.sent = attempt_.sent_ns();
  cmd_->timings.answered = attempt_.answered_ns();
  Finish(status);
}

}  // namespace aerospike_py::client
