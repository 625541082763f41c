#include "client/query_execution.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <random>

#include "absl/strings/str_cat.h"
#include "client/counters.h"
#include "client/engine.h"
#include "client/record_execution.h"
#include "cluster/router.h"
#include "common/byte_order.h"
#include "io/event_loop.h"
#include "io/node_io.h"
#include "proto/compression.h"
#include "proto/digest.h"
#include "proto/headers.h"
#include "proto/message_view.h"

namespace aerospike_py::client {

namespace {

// A real server flushes a scan's records in frames of 1 MiB; read whole,
// three of them (the one being consumed, one queued, one arriving) made a
// stream's memory. Handed over in pieces of this size as they arrive, the
// stream holds its read-ahead (record_queue_size) plus two pieces.
constexpr size_t kStreamPieceBytes = 128 << 10;

constexpr uint8_t kResultOk = 0;
constexpr uint8_t kResultNotFound = static_cast<uint8_t>(ResultCode::kRecordNotFound);

uint64_t RandomTaskId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t id = 0;
  while (id == 0) id = rng();
  return id;
}

}  // namespace

// One request to one node and the stream of frames that answers it.
struct QueryExecution::NodeStream : public io::AttemptListener {
  NodeStream(QueryExecution* q, uint32_t id) : q(q), id(id) {}
  StatusOr<bool> OnAttemptFrame(proto::Frame frame) override {
    return q->OnStreamFrame(this, std::move(frame));
  }
  void OnAttemptDone(const Status& status) override { q->OnStreamDone(this, status); }

  QueryExecution* q;
  uint32_t id;
  cluster::NodeRef node;
  std::vector<uint32_t> parts;  // indexes into the command's partitions
  uint64_t max_records = 0;     // this node's cap this round (0: none)
  uint64_t received = 0;
  ByteBuffer request;
  bool launched = false;
  bool live = false;
  bool paused = false;
  uint8_t last_result = 0;
  io::Timer idle_timer;
  io::Attempt attempt{this};
};

QueryExecution::QueryExecution(Engine* engine, std::unique_ptr<Command> command)
    : Execution(engine, std::move(command)), cmd_(static_cast<QueryCommand*>(this->command())) {
  // Reachable from the start, so a cancel also ends a query still waiting
  // for admission (max_concurrent_operations).
  stream_ = cmd_->stream;
  if (stream_ != nullptr) stream_->set_control(this);
}

QueryExecution::~QueryExecution() {
  if (stream_ != nullptr && stream_->control() == this) stream_->set_control(nullptr);
}

Status QueryExecution::Prepare() {
  QueryCommand& c = *cmd_;
  if (c.ns.empty() || c.ns.size() > proto::kMaxNamespaceLen) {
    return absl::InvalidArgumentError(absl::StrCat("invalid namespace name '", c.ns, "'"));
  }
  if (c.set.size() > proto::kMaxSetLen) {
    return absl::InvalidArgumentError(absl::StrCat("set name too long: '", c.set, "'"));
  }
  if (c.task_id == 0) c.task_id = RandomTaskId();
  index_of_.assign(proto::kPartitions, -1);
  if (c.partitions.empty() && !c.background && !c.aggregate) {
    c.partitions.resize(proto::kPartitions);
    for (uint32_t pid = 0; pid < proto::kPartitions; ++pid) {
      c.partitions[pid].pid = static_cast<uint16_t>(pid);
    }
  }
  for (size_t i = 0; i < c.partitions.size(); ++i) {
    const uint16_t pid = c.partitions[i].pid;
    if (pid >= proto::kPartitions) {
      return absl::InvalidArgumentError(absl::StrCat("partition id ", pid, " is out of range"));
    }
    if (index_of_[pid] >= 0) {
      return absl::InvalidArgumentError(absl::StrCat("partition ", pid, " is listed twice"));
    }
    index_of_[pid] = static_cast<int16_t>(i);
  }
  owner_.assign(c.partitions.size(), 0);
  unavailable_.assign(c.partitions.size(), 0);
  return absl::OkStatus();
}

void QueryExecution::Start() {
  Status s = Prepare();
  if (!s.ok()) {
    Done(s);
    return;
  }
  if (cmd_->policy.total_timeout_ms != 0) {
    deadline_ms_ = DeadlineFor(cmd_->policy.total_timeout_ms, engine_->NowMs());
    total_timer_.Start(&engine_->loop().timers(), deadline_ms_,
                       &io::Timer::Thunk<QueryExecution, &QueryExecution::OnTotalTimeout>, this);
  }
  if (cmd_->background || cmd_->aggregate) {
    StartBackground();
  } else {
    StartRound();
  }
}

// Groups the partitions still to read by node and starts one stream per
// node (at most max_concurrent_nodes at a time).
void QueryExecution::StartRound() {
  retired_.clear();
  for (auto& s : streams_) retired_.push_back(std::move(s));
  streams_.clear();
  next_launch_ = 0;
  round_failed_ = false;
  QueryCommand& c = *cmd_;
  cluster::Cluster& cluster = engine_->cluster();
  const cluster::NamespacePartitions* table = cluster.partitions().Find(c.ns);
  if (table == nullptr) {
    if (cluster.partitions().empty()) {
      last_error_ = absl::UnavailableError("no node of the cluster is known yet");
      round_failed_ = true;
      EndRound();
      return;
    }
    cmd_->result = ResultCode::kInvalidNamespace;
    Done(absl::InvalidArgumentError(absl::StrCat("namespace '", c.ns, "' is not served")));
    return;
  }
  const cluster::RouteOptions route = engine_->RouteFor(c.policy, false, retries_);
  std::vector<cluster::Node*> nodes;
  for (size_t i = 0; i < c.partitions.size(); ++i) {
    PartitionStatus& p = c.partitions[i];
    owner_[i] = 0;
    unavailable_[i] = 0;
    if (p.done) continue;
    cluster::Node* node = cluster::Route(*table, p.pid, route);
    if (node == nullptr || io::NodeIo::Of(*node) == nullptr) {
      unavailable_[i] = 1;
      round_failed_ = true;
      last_error_ = absl::UnavailableError(
          absl::StrCat("no live node serves partition ", p.pid, " of namespace ", c.ns));
      continue;
    }
    auto it = std::find(nodes.begin(), nodes.end(), node);
    size_t k = static_cast<size_t>(it - nodes.begin());
    if (it == nodes.end()) {
      nodes.push_back(node);
      auto s = std::make_unique<NodeStream>(this, next_stream_id_++);
      s->node = node->shared_from_this();
      streams_.push_back(std::move(s));
    }
    streams_[k]->parts.push_back(static_cast<uint32_t>(i));
    owner_[i] = streams_[k]->id;
  }
  // max_records: the records still wanted, split over the nodes; a node
  // given none this round keeps its partitions for later.
  if (c.max_records != 0 && !streams_.empty()) {
    const uint64_t want = c.max_records > c.records ? c.max_records - c.records : 0;
    const uint64_t n = streams_.size();
    const uint64_t base = want / n, extra = want % n;
    for (size_t k = 0; k < streams_.size(); ++k) {
      streams_[k]->max_records = base + (k < extra ? 1 : 0);
    }
    std::vector<std::unique_ptr<NodeStream>> kept;
    for (auto& s : streams_) {
      if (s->max_records == 0) {
        for (uint32_t i : s->parts) owner_[i] = 0;
        retired_.push_back(std::move(s));
      } else {
        kept.push_back(std::move(s));
      }
    }
    streams_ = std::move(kept);
  }
  for (auto& s : streams_) Encode(s.get());
  if (streams_.empty()) {
    EndRound();
    return;
  }
  LaunchMore();
}

// Background queries: every node runs the job over the partitions it
// masters (or, with a partition list, the owners of the listed ones).
void QueryExecution::StartBackground() {
  QueryCommand& c = *cmd_;
  cluster::Cluster& cluster = engine_->cluster();
  if (!c.partitions.empty()) {
    const cluster::NamespacePartitions* table = cluster.partitions().Find(c.ns);
    if (table == nullptr) {
      cmd_->result = ResultCode::kInvalidNamespace;
      Done(absl::InvalidArgumentError(absl::StrCat("namespace '", c.ns, "' is not served")));
      return;
    }
    const cluster::RouteOptions route = engine_->RouteFor(c.policy, true, 0);
    std::vector<cluster::Node*> nodes;
    for (size_t i = 0; i < c.partitions.size(); ++i) {
      cluster::Node* node = cluster::Route(*table, c.partitions[i].pid, route);
      if (node == nullptr || io::NodeIo::Of(*node) == nullptr) {
        Done(absl::UnavailableError(absl::StrCat("no live node serves partition ",
                                                 c.partitions[i].pid)));
        return;
      }
      auto it = std::find(nodes.begin(), nodes.end(), node);
      size_t k = static_cast<size_t>(it - nodes.begin());
      if (it == nodes.end()) {
        nodes.push_back(node);
        auto s = std::make_unique<NodeStream>(this, next_stream_id_++);
        s->node = node->shared_from_this();
        streams_.push_back(std::move(s));
      }
      streams_[k]->parts.push_back(static_cast<uint32_t>(i));
    }
  } else {
    for (const auto& node : cluster.nodes()) {
      if (!node->active() || io::NodeIo::Of(*node) == nullptr) continue;
      auto s = std::make_unique<NodeStream>(this, next_stream_id_++);
      s->node = node;
      streams_.push_back(std::move(s));
    }
  }
  if (streams_.empty()) {
    Done(absl::UnavailableError("no node of the cluster is available"));
    return;
  }
  for (auto& s : streams_) Encode(s.get());
  LaunchMore();
}

void QueryExecution::Encode(NodeStream* s) {
  const QueryCommand& c = *cmd_;
  std::vector<uint16_t> fresh;
  std::vector<const PartitionStatus*> resumed;
  for (uint32_t i : s->parts) {
    const PartitionStatus& p = c.partitions[i];
    if (p.started && !c.background) {
      resumed.push_back(&p);
    } else {
      fresh.push_back(p.pid);
    }
  }
  proto::MsgHeader h;
  h.info1 = c.info1;
  if (!c.background && c.policy.read_mode_ap == ReadModeAp::kAll) {
    h.info1 |= proto::info1::kReadModeApAll;
  }
  h.info2 = c.info2;
  h.info3 = c.info3 | (c.background ? 0 : proto::info3::kPartitionDone);
  h.record_ttl = c.record_ttl;
  h.transaction_ttl = c.policy.total_timeout_ms;
  h.n_ops = c.n_ops;
  ByteBuffer& out = s->request;
  out.Reserve(256 + c.where_fields.size() + c.filter_expression.size() + c.udf_fields.size() +
              fresh.size() * 2 + resumed.size() * 28 + c.ops.size());
  out.Extend(proto::kProtoHeaderSize + proto::kMsgHeaderSize);
  uint16_t n_fields = 0;
  AppendField(&out, proto::FieldType::kNamespace, AsBytes(c.ns));
  ++n_fields;
  if (!c.set.empty()) {
    AppendField(&out, proto::FieldType::kSet, AsBytes(c.set));
    ++n_fields;
  }
  uint8_t be[8];
  if (c.records_per_second != 0) {
    StoreBE32(be, c.records_per_second);
    AppendField(&out, proto::FieldType::kRecordsPerSecond, ByteSpan(be, 4));
    ++n_fields;
  }
  StoreBE32(be, c.policy.socket_timeout_ms);
  AppendField(&out, proto::FieldType::kSocketTimeout, ByteSpan(be, 4));
  StoreBE64(be, c.task_id);
  AppendField(&out, proto::FieldType::kTaskId, ByteSpan(be, 8));
  n_fields += 2;
  out.Append(c.where_fields.span());
  n_fields += c.n_where_fields;
  out.Append(c.udf_fields.span());
  n_fields += c.n_udf_fields;
  if (!c.filter_expression.empty()) {
    AppendField(&out, proto::FieldType::kFilterExpression, AsBytes(c.filter_expression));
    ++n_fields;
  }
  if (!fresh.empty()) {
    uint8_t* p = out.Extend(5 + fresh.size() * 2);
    StoreBE32(p, static_cast<uint32_t>(fresh.size() * 2 + 1));
    p[4] = static_cast<uint8_t>(proto::FieldType::kPidArray);
    for (size_t i = 0; i < fresh.size(); ++i) StoreLE16(p + 5 + 2 * i, fresh[i]);
    ++n_fields;
  }
  if (!resumed.empty()) {
    uint8_t* p = out.Extend(5 + resumed.size() * proto::kDigestSize);
    StoreBE32(p, static_cast<uint32_t>(resumed.size() * proto::kDigestSize + 1));
    p[4] = static_cast<uint8_t>(proto::FieldType::kDigestArray);
    for (size_t i = 0; i < resumed.size(); ++i) {
      std::memcpy(p + 5 + i * proto::kDigestSize, resumed[i]->digest.data(), proto::kDigestSize);
    }
    ++n_fields;
    if (c.has_where) {
      p = out.Extend(5 + resumed.size() * 8);
      StoreBE32(p, static_cast<uint32_t>(resumed.size() * 8 + 1));
      p[4] = static_cast<uint8_t>(proto::FieldType::kBvalArray);
      for (size_t i = 0; i < resumed.size(); ++i) {
        StoreLE64(p + 5 + i * 8, static_cast<uint64_t>(resumed[i]->bval));
      }
      ++n_fields;
    }
  }
  if (s->max_records != 0) {
    StoreBE64(be, s->max_records);
    AppendField(&out, proto::FieldType::kMaxRecords, ByteSpan(be, 8));
    ++n_fields;
  }
  out.Append(c.ops.span());
  h.n_fields = n_fields;
  proto::EncodeMsgHeader(out.data() + proto::kProtoHeaderSize, h);
  proto::EncodeProtoHeader(out.data(), proto::ProtoType::kMessage,
                           out.size() - proto::kProtoHeaderSize);
  if (c.policy.compress && out.size() > proto::kCompressThreshold) {
    StatusOr<ByteBuffer> compressed = proto::CompressFrame(out.span());
    if (compressed.ok()) out = std::move(*compressed);
  }
}

void QueryExecution::LaunchMore() {
  const uint32_t limit = cmd_->max_concurrent_nodes;
  while (next_launch_ < streams_.size() && !finished() && (limit == 0 || running_ < limit)) {
    NodeStream* s = streams_[next_launch_++].get();
    s->launched = true;
    s->live = true;
    ++running_;
    if (cmd_->node.empty()) cmd_->node = s->node->name();
    if (Status open = engine_->CheckErrorRate(*s->node); !open.ok()) {
      OnStreamDone(s, open);
      continue;
    }
    int64_t deadline = deadline_ms_;
    ArmIdle(s);
    ByteSpan part = s->request.span();
    s->attempt.set_split_frames(kStreamPieceBytes);
    s->attempt.Start(&engine_->loop(), io::NodeIo::Of(*s->node)->data_pool(),
                     absl::MakeConstSpan(&part, 1), deadline);
    if (cmd_->timings.sent == 0) cmd_->timings.sent = io::SteadyNowNs();
  }
}

void QueryExecution::ArmIdle(NodeStream* s) {
  const uint32_t idle = cmd_->policy.socket_timeout_ms;
  if (idle == 0 || s->paused || !s->live) {
    s->idle_timer.Cancel();
    return;
  }
  s->idle_timer.Start(&engine_->loop().timers(), engine_->loop().NowMs() + idle,
                      [](void* arg) {
                        auto* st = static_cast<NodeStream*>(arg);
                        st->q->OnIdleTimeout(st);
                      },
                      s);
}

void QueryExecution::OnIdleTimeout(NodeStream* s) {
  if (!s->live) return;
  s->attempt.Abort();  // closes the connection: it is mid-answer
  OnStreamDone(s, absl::DeadlineExceededError(absl::StrCat(
                      "no answer from ", s->node->name(), " within the socket timeout of ",
                      cmd_->policy.socket_timeout_ms, " ms")));
}

StatusOr<bool> QueryExecution::OnStreamFrame(NodeStream* s, proto::Frame frame) {
  if (frame.type != static_cast<uint8_t>(proto::ProtoType::kMessage)) {
    return absl::DataLossError(absl::StrCat("expected a query answer from ", s->node->name(),
                                            ", got proto type ", frame.type));
  }
  ArmIdle(s);
  QueryCommand& c = *cmd_;
  QueryChunk chunk;
  bool done = false;
  const ByteSpan body = frame.body();
  proto::MessageIterator it(body);
  while (!it.AtEnd()) {
    const size_t offset = it.offset();
    StatusOr<proto::MessageView> m = it.Next();
    if (!m.ok()) {
      return absl::DataLossError(absl::StrCat("malformed query answer from ", s->node->name(),
                                              ": ", m.status().message()));
    }
    const proto::MsgHeader& h = m->header;
    if (m->is_last()) {
      s->last_result = h.result_code;
      if (!it.AtEnd()) {
        return absl::DataLossError(
            absl::StrCat("query answer from ", s->node->name(), " continues after its end"));
      }
      done = true;
      break;
    }
    if (c.background) continue;  // nothing but LAST is expected; ignore the rest
    if (m->is_partition_done()) {
      const uint32_t pid = h.generation;
      const int idx = pid < proto::kPartitions ? index_of_[pid] : -1;
      if (idx < 0 || owner_[static_cast<size_t>(idx)] != s->id) {
        return absl::DataLossError(absl::StrCat("query answer from ", s->node->name(),
                                                " ends partition ", pid,
                                                ", which was not asked of it"));
      }
      if (h.result_code != kResultOk) {
        unavailable_[static_cast<size_t>(idx)] = 1;
      } else {
        c.partitions[static_cast<size_t>(idx)].done = true;
      }
      continue;
    }
    if (c.aggregate && h.result_code == kResultOk) {
      // A value of the node's stream (SUCCESS or FAILURE op), no digest.
      chunk.records.push_back(RecordRef{static_cast<uint32_t>(offset),
                                        static_cast<uint32_t>(m->ops.data() - body.data()),
                                        static_cast<uint32_t>(m->ops.size())});
      ++s->received;
      continue;
    }
    if (h.result_code != kResultOk) {
      // An error in place of a record ends this node's answer: the query
      // was refused (e.g. 201, no such index) or the server gave up. 2
      // (nothing to read, e.g. an unknown set on old servers) is a normal end.
      if (h.result_code != kResultNotFound && fatal_result_ == ResultCode::kOk) {
        fatal_result_ = static_cast<ResultCode>(h.result_code);
      }
      s->last_result = h.result_code;
      done = true;
      break;
    }
    std::optional<ByteSpan> digest = m->FindField(proto::FieldType::kDigest);
    if (!digest || digest->size() != proto::kDigestSize) {
      return absl::DataLossError(
          absl::StrCat("a record from ", s->node->name(), " has no digest"));
    }
    const uint32_t pid = proto::PartitionId(digest->data());
    const int idx = index_of_[pid];
    if (idx < 0 || owner_[static_cast<size_t>(idx)] != s->id) {
      return absl::DataLossError(absl::StrCat("query answer from ", s->node->name(),
                                              " holds a record of partition ", pid,
                                              ", which was not asked of it"));
    }
    PartitionStatus& p = c.partitions[static_cast<size_t>(idx)];
    p.started = true;
    std::memcpy(p.digest.data(), digest->data(), proto::kDigestSize);
    if (c.has_where) {
      std::optional<ByteSpan> bval = m->FindField(proto::FieldType::kBvalArray);
      if (bval && bval->size() == 8) {
        p.bval = static_cast<int64_t>(LoadLE64(bval->data()));
        p.has_bval = true;
      }
    }
    chunk.records.push_back(RecordRef{static_cast<uint32_t>(offset),
                                      static_cast<uint32_t>(m->ops.data() - body.data()),
                                      static_cast<uint32_t>(m->ops.size())});
    ++s->received;
  }
  if (!chunk.records.empty()) {
    c.records += chunk.records.size();
    chunk.frame = std::move(frame);
    if (stream_ != nullptr && stream_->Push(std::move(chunk))) {
      s->attempt.PauseReading();
      s->paused = true;
      s->idle_timer.Cancel();
    }
  }
  if (done && fatal_result_ == ResultCode::kOk && s->last_result != kResultOk &&
      s->last_result != kResultNotFound) {
    fatal_result_ = static_cast<ResultCode>(s->last_result);
  }
  return done;
}

void QueryExecution::OnStreamDone(NodeStream* s, const Status& status) {
  if (!s->live || finished()) return;
  s->live = false;
  s->paused = false;
  s->idle_timer.Cancel();
  --running_;
  cmd_->timings.answered = std::max(cmd_->timings.answered, s->attempt.answered_ns());
  QueryCommand& c = *cmd_;
  if (status.ok()) {
    if (fatal_result_ == ResultCode::kOk && !c.background) {  // else EndRound fails the query
      const bool capped = s->max_records != 0 && s->received >= s->max_records;
      for (uint32_t i : s->parts) {
        if (unavailable_[i]) {
          round_failed_ = true;
          last_error_ = absl::UnavailableError(absl::StrCat(
              "partition ", c.partitions[i].pid, " was unavailable on ", s->node->name()));
        } else if (!capped) {
          c.partitions[i].done = true;
        }
      }
    }
  } else {
    if (status.code() == absl::StatusCode::kUnavailable) engine_->OnNodeTrouble();
    if (c.background || c.aggregate || !IsRetryable(status)) {
      if (fatal_status_.ok()) fatal_status_ = status;
    } else {
      round_failed_ = true;
      last_error_ = status;
    }
  }
  LaunchMore();
  if (running_ == 0 && next_launch_ >= streams_.size()) EndRound();
}

void QueryExecution::EndRound() {
  if (finished()) return;
  QueryCommand& c = *cmd_;
  if (!fatal_status_.ok()) {
    Done(fatal_status_);
    return;
  }
  if (fatal_result_ != ResultCode::kOk) {
    c.result = fatal_result_;
    Done(absl::OkStatus());
    return;
  }
  if (c.background) {
    Done(absl::OkStatus());
    return;
  }
  const bool all_done = std::all_of(c.partitions.begin(), c.partitions.end(),
                                    [](const PartitionStatus& p) { return p.done; });
  if (all_done || (c.max_records != 0 && c.records >= c.max_records)) {
    Done(absl::OkStatus());
    return;
  }
  uint32_t delay = 0;
  if (round_failed_) {
    const bool time_left =
        deadline_ms_ == 0 ||
        engine_->NowMs() + c.policy.sleep_between_retries_ms < deadline_ms_;
    if (retries_ >= c.policy.max_retries || !time_left) {
      Done(last_error_.ok() ? absl::UnavailableError("partitions remained unavailable")
                            : last_error_);
      return;
    }
    ++retries_;
    GlobalCounters().commands_retried.fetch_add(1, std::memory_order_relaxed);
    delay = c.policy.sleep_between_retries_ms;
  }
  // From a timer, never from inside the callback of the stream that ended
  // the round (its objects are retired when the next round starts).
  round_timer_.Start(&engine_->loop().timers(), engine_->loop().NowMs() + delay,
                     &io::Timer::Thunk<QueryExecution, &QueryExecution::StartRound>, this);
}

void QueryExecution::OnResume() {
  if (finished()) return;
  for (auto& s : streams_) {
    if (!s->paused) continue;
    s->paused = false;
    s->attempt.ResumeReading();
    ArmIdle(s.get());
  }
}

void QueryExecution::OnCancel() {
  Abort(absl::CancelledError("the query was cancelled"));
}

void QueryExecution::OnTotalTimeout() {
  StopStreams();
  Done(absl::DeadlineExceededError(absl::StrCat("query total timeout of ",
                                                cmd_->policy.total_timeout_ms, " ms exceeded")));
}

void QueryExecution::StopStreams() {
  for (auto& s : streams_) {
    s->idle_timer.Cancel();
    s->attempt.Abort();
    s->live = false;
  }
  running_ = 0;
}

void QueryExecution::Abort(const Status& why) {
  StopStreams();
  Done(why);
}

void QueryExecution::Done(const Status& status) {
  if (finished()) return;
  total_timer_.Cancel();
  round_timer_.Cancel();
  StopStreams();
  QueryCommand& c = *cmd_;
  c.all_done = !c.background &&
               std::all_of(c.partitions.begin(), c.partitions.end(),
                           [](const PartitionStatus& p) { return p.done; });
  c.attempts = retries_ + 1;
  if (stream_ != nullptr) stream_->set_control(nullptr);
  Finish(status);
}

}  // namespace aerospike_py::client
