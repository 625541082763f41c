#include "client/batch_execution.h"

#include <algorithm>
#include <random>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "client/counters.h"
#include "client/engine.h"
#include "client/hedge.h"
#include "client/record_execution.h"
#include "client/serving_counters.h"
#include "cluster/router.h"
#include "common/byte_order.h"
#include "io/event_loop.h"
#include "io/node_io.h"
#include "proto/compression.h"
#include "proto/digest.h"
#include "proto/message_view.h"

namespace aerospike_py::client {

namespace {

// A random row-index offset in [1, 2^32 - n], so no row of an n-key batch
// gets index 0 and none wraps (splitmix64 over a per-thread sequence).
uint32_t RandomIndexBase(size_t n) {
  static thread_local uint64_t state =
      (uint64_t{std::random_device{}()} << 32) ^ static_cast<uint64_t>(io::SteadyNowNs());
  state += 0x9E3779B97F4A7C15ull;
  uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  const uint64_t choices = (uint64_t{1} << 32) - n;
  return 1 + static_cast<uint32_t>(z % choices);
}

}  // namespace

// One request to one node for a group of keys.
struct BatchExecution::Chunk : public io::AttemptListener {
  Chunk(BatchExecution* batch, uint32_t id) : batch(batch), id(id) {}
  StatusOr<bool> OnAttemptFrame(proto::Frame frame) override {
    return batch->OnChunkFrame(this, std::move(frame));
  }
  void OnAttemptDone(const Status& status) override { batch->OnChunkDone(this, status); }

  BatchExecution* batch;
  uint32_t id;
  uint32_t attempt_no = 0;
  cluster::NodeRef node;
  std::vector<uint32_t> keys;  // caller indexes, grouped by shape
  ByteBuffer request;
  bool live = false;
  bool last_seen = false;
  uint32_t answered = 0;  // record messages accepted from this request
  uint32_t rows_seen = 0;  // ... and those answered by a hedge first
  uint8_t last_result = 0;
  std::vector<uint32_t> retry_keys;  // waiting out sleep_between_retries
  io::Timer sleep_timer;
  // Hedged batches: the slow request this one hedges (0: none), the
  // hedges sent for this one, when it was sent (adaptive hedging).
  uint32_t hedge_of = 0;
  std::vector<uint32_t> hedges;
  int64_t sent_us = 0;
  io::Timer hedge_timer;
  io::Attempt attempt{this};
};

BatchExecution::BatchExecution(Engine* engine, std::unique_ptr<Command> command)
    : Execution(engine, std::move(command)), cmd_(static_cast<BatchCommand*>(this->command())) {}

BatchExecution::~BatchExecution() = default;

Status BatchExecution::Prepare() {
  BatchCommand& c = *cmd_;
  n_ = c.keys.size();
  if (c.specs.size() > 0xFFFF || c.ns_sets.size() > 0xFFFF) {
    return absl::InvalidArgumentError("too many batch row kinds");
  }
  for (const NamespaceSet& nss : c.ns_sets) {
    if (nss.ns.empty() || nss.ns.size() > proto::kMaxNamespaceLen) {
      return absl::InvalidArgumentError(absl::StrCat("invalid namespace name '", nss.ns, "'"));
    }
    if (nss.set.size() > proto::kMaxSetLen) {
      return absl::InvalidArgumentError(absl::StrCat("set name too long: '", nss.set, "'"));
    }
  }
  if (n_ >= 0xFFFFFFFFu) return absl::InvalidArgumentError("too many keys in one batch");
  index_base_ = RandomIndexBase(n_);
  expect_.resize(c.specs.size());
  for (size_t i = 0; i < c.specs.size(); ++i) {
    const BatchRowSpec& spec = c.specs[i];
    expect_[i] =
        proto::BatchRowExpectationFor(spec.info1, spec.info2, spec.ops.span(), spec.n_ops);
  }
  // Filter fields per spec, complete (size, type, data).
  spec_fields_.resize(c.specs.size());
  bool any_send_key = false;
  bool any_write = false;
  for (size_t i = 0; i < c.specs.size(); ++i) {
    const BatchRowSpec& spec = c.specs[i];
    if (!spec.filter_expression.empty()) {
      AppendField(&spec_fields_[i], proto::FieldType::kFilterExpression,
                  AsBytes(spec.filter_expression));
    }
    any_send_key = any_send_key || spec.send_key;
    any_write = any_write || spec.is_write;
  }
  c.results.resize(n_);
  owner_.assign(n_, kNoChunk);
  // Writes are never hedged (a row may not be applied twice); coalesced
  // gets never carry a hedging policy (client/coalescer.h).
  if (c.policy.hedged() && !any_write && c.row_listener == nullptr) {
    hedge_owner_.assign(n_, kNoChunk);
    answered_by_.assign(n_, kNoChunk);
  }
  if (c.row_listener != nullptr) handed_.assign(n_, 0);
  shape_of_.resize(n_);
  if (any_send_key) {
    key_field_at_.assign(n_, 0);
    key_field_len_.assign(n_, 0);
  }
  // Digests are computed together below, several keys per SIMD pass.
  std::vector<proto::DigestRequest>& digests = engine_->digest_requests();
  digests.clear();
  absl::flat_hash_map<uint32_t, uint16_t> shape_index;
  uint32_t last_pair = UINT32_MAX;
  uint16_t last_shape = 0;
  const size_t key_bytes = c.key_bytes.size();
  for (size_t k = 0; k < n_; ++k) {
    BatchKey& key = c.keys[k];
    if (key.ns_set >= c.ns_sets.size() || key.spec >= c.specs.size()) {
      return absl::InvalidArgumentError(absl::StrCat("batch key ", k, " refers to no namespace/spec"));
    }
    if (key.key_offset > key_bytes || key.key_len > key_bytes - key.key_offset) {
      return absl::InvalidArgumentError(absl::StrCat("batch key ", k, " lies outside key_bytes"));
    }
    const ByteSpan user_key(c.key_bytes.data() + key.key_offset, key.key_len);
    if (!key.has_digest) {
      if (key.key_type == proto::ParticleType::kNull) {
        return absl::InvalidArgumentError(absl::StrCat("batch key ", k, " has neither key nor digest"));
      }
      digests.push_back({c.ns_sets[key.ns_set].set, key.key_type, user_key, &key.digest});
    }
    const uint32_t pair = (uint32_t{key.ns_set} << 16) | key.spec;
    if (pair != last_pair) {
      auto [it, inserted] = shape_index.try_emplace(pair, static_cast<uint16_t>(shapes_.size()));
      if (inserted) {
        if (shapes_.size() >= 0xFFFF) return absl::InvalidArgumentError("too many batch row kinds");
        const BatchRowSpec& spec = c.specs[key.spec];
        proto::BatchRowShape shape;
        shape.row_flags = spec.row_flags;
        shape.info1 = spec.info1;
        if (c.policy.read_mode_ap == ReadModeAp::kAll && (shape.info1 & proto::info1::kRead)) {
          shape.info1 |= proto::info1::kReadModeApAll;
        }
        shape.info2 = spec.info2;
        shape.info3 = spec.info3;
        shape.info4 = spec.info4;
        shape.generation = spec.generation;
        shape.ttl = spec.ttl;
        shape.ns = c.ns_sets[key.ns_set].ns;
        shape.set = c.ns_sets[key.ns_set].set;
        shape.extra_fields = spec_fields_[key.spec].span();
        shape.n_extra_fields = spec.filter_expression.empty() ? 0 : 1;
        shape.trailing_fields = spec.udf_fields.span();
        shape.n_trailing_fields = spec.n_udf_fields;
        shape.ops = spec.ops.span();
        shape.n_ops = spec.n_ops;
        shapes_.push_back(shape);
      }
      last_pair = pair;
      last_shape = it->second;
    }
    shape_of_[k] = last_shape;
    if (any_send_key && c.specs[key.spec].send_key && key.key_type != proto::ParticleType::kNull) {
      key_field_at_[k] = static_cast<uint32_t>(key_fields_.size()) + 1;
      uint8_t* p = key_fields_.Extend(6 + user_key.size());
      StoreBE32(p, static_cast<uint32_t>(user_key.size() + 2));
      p[4] = static_cast<uint8_t>(proto::FieldType::kKey);
      p[5] = static_cast<uint8_t>(key.key_type);
      if (!user_key.empty()) std::memcpy(p + 6, user_key.data(), user_key.size());
      key_field_len_[k] = static_cast<uint32_t>(6 + user_key.size());
    }
  }
  proto::ComputeDigests(digests);
  if (!digests.empty()) {
    for (BatchKey& key : c.keys) key.has_digest = true;  // every key has one now
  }
  return absl::OkStatus();
}

void BatchExecution::Start() {
  Status s = Prepare();
  if (!s.ok()) {
    Done(s);
    return;
  }
  if (n_ == 0) {
    Done(absl::OkStatus());
    return;
  }
  if (cmd_->policy.total_timeout_ms != 0) {
    deadline_ms_ = DeadlineFor(cmd_->policy.total_timeout_ms, engine_->NowMs());
    total_timer_.Start(&engine_->loop().timers(), deadline_ms_,
                       &io::Timer::Thunk<BatchExecution, &BatchExecution::OnTotalTimeout>, this);
  }
  std::vector<uint32_t> all(n_);
  for (uint32_t k = 0; k < n_; ++k) all[k] = k;
  ++hold_;
  Route(all, 0);
  --hold_;
  MaybeFinish();
}

// Per namespace/set of the command, its partition table (null: unknown),
// looked up once per routing pass.
std::vector<const cluster::NamespacePartitions*> BatchExecution::PartitionTables() const {
  const BatchCommand& c = *cmd_;
  std::vector<const cluster::NamespacePartitions*> tables(c.ns_sets.size());
  for (size_t i = 0; i < c.ns_sets.size(); ++i) {
    tables[i] = engine_->cluster().partitions().Find(c.ns_sets[i].ns);
  }
  return tables;
}

void BatchExecution::Route(absl::Span<const uint32_t> keys, uint32_t attempt_no) {
  ++hold_;
  max_attempt_ = std::max(max_attempt_, attempt_no);
  cluster::Cluster& cluster = engine_->cluster();
  const BatchCommand& c = *cmd_;
  const std::vector<const cluster::NamespacePartitions*> tables = PartitionTables();

  constexpr uint16_t kUnrouted = 0xFFFF;
  std::vector<cluster::Node*> nodes;
  std::vector<uint32_t> unrouted;
  node_of_.resize(n_);
  cluster::Node* last_node = nullptr;
  uint16_t last_index = 0;
  cluster::RouteOptions read_route = engine_->RouteFor(c.policy, false, attempt_no);
  cluster::RouteOptions write_route = engine_->RouteFor(c.policy, true, attempt_no);
  for (uint32_t k : keys) {
    const BatchKey& key = c.keys[k];
    const cluster::NamespacePartitions* table = tables[key.ns_set];
    node_of_[k] = kUnrouted;
    if (table == nullptr) {
      BatchRecordResult& r = cmd_->results[k];
      r.answered = false;
      r.result = cluster.partitions().empty() ? ResultCode::kConnection
                                              : ResultCode::kInvalidNamespace;
      if (cluster.partitions().empty()) unrouted.push_back(k);
      continue;
    }
    const bool write = c.specs[key.spec].is_write;
    cluster::Node* node =
        cluster::Route(*table, proto::PartitionId(key.digest), write ? write_route : read_route);
    if (node == nullptr || io::NodeIo::Of(*node) == nullptr) {
      unrouted.push_back(k);
      continue;
    }
    if (node != last_node) {
      auto it = std::find(nodes.begin(), nodes.end(), node);
      if (it == nodes.end()) {
        nodes.push_back(node);
        it = nodes.end() - 1;
      }
      last_node = node;
      last_index = static_cast<uint16_t>(it - nodes.begin());
    }
    node_of_[k] = last_index;
  }
  // Counting sort by (node, shape): each node's rows contiguous, rows of a
  // shape adjacent (REPEAT rows), caller order kept within a shape.
  const size_t n_shapes = shapes_.size();
  const size_t n_buckets = nodes.size() * n_shapes;
  std::vector<uint32_t> starts(n_buckets + 1, 0);
  for (uint32_t k : keys) {
    if (node_of_[k] != kUnrouted) ++starts[node_of_[k] * n_shapes + shape_of_[k] + 1];
  }
  for (size_t b = 0; b < n_buckets; ++b) starts[b + 1] += starts[b];
  order_.resize(starts[n_buckets]);
  {
    std::vector<uint32_t> fill(starts.begin(), starts.end() - 1);
    for (uint32_t k : keys) {
      if (node_of_[k] != kUnrouted) order_[fill[node_of_[k] * n_shapes + shape_of_[k]]++] = k;
    }
  }
  // Copy out: Send() can re-enter Route() (a synchronous failure retried
  // at once), which reuses order_.
  std::vector<uint32_t> order = std::move(order_);
  order_.clear();
  const size_t max_rows = std::max<uint32_t>(engine_->config().max_keys_per_batch_request, 1);
  for (size_t i = 0; i < nodes.size(); ++i) {
    const uint32_t begin = starts[i * n_shapes];
    const uint32_t end = starts[(i + 1) * n_shapes];
    for (uint32_t at = begin; at < end; at += static_cast<uint32_t>(max_rows)) {
      const uint32_t stop = std::min<uint32_t>(end, at + static_cast<uint32_t>(max_rows));
      Send(nodes[i], absl::MakeConstSpan(order.data() + at, stop - at), attempt_no);
    }
  }
  if (!unrouted.empty()) {
    RetryLater(std::move(unrouted), attempt_no,
               absl::UnavailableError("no live node serves some of the batch's partitions"));
  }
  --hold_;
}

void BatchExecution::Send(cluster::Node* node, absl::Span<const uint32_t> keys,
                          uint32_t attempt_no, Chunk* hedge_of) {
  if (Status open = engine_->CheckErrorRate(*node); !open.ok()) {
    // A hedge is a bonus: its rows stay with the request it would hedge.
    if (hedge_of == nullptr) {
      RetryLater(std::vector<uint32_t>(keys.begin(), keys.end()), attempt_no, open);
    }
    return;
  }
  auto owned = std::make_unique<Chunk>(this, next_chunk_id_++);
  Chunk* chunk = owned.get();
  chunks_.push_back(std::move(owned));
  chunk->attempt_no = attempt_no;
  chunk->node = node->shared_from_this();
  chunk->keys.assign(keys.begin(), keys.end());
  chunk->live = true;
  ++live_;
  if (cmd_->node.empty()) cmd_->node = node->name();

  std::vector<proto::BatchRow>& rows = engine_->batch_rows();
  rows.resize(keys.size());
  size_t estimate = 64 + cmd_->filter_expression.size() + keys.size() * 26;
  const proto::BatchRowShape* previous = nullptr;
  std::vector<uint32_t>& owners = hedge_of == nullptr ? owner_ : hedge_owner_;
  for (size_t i = 0; i < keys.size(); ++i) {
    const uint32_t k = keys[i];
    owners[k] = chunk->id;
    proto::BatchRow& row = rows[i];
    row.index = index_base_ + k;
    row.digest = cmd_->keys[k].digest.data();
    row.shape = &shapes_[shape_of_[k]];
    row.key_field = ByteSpan();
    if (!key_field_at_.empty() && key_field_at_[k] != 0) {
      row.key_field = ByteSpan(key_fields_.data() + key_field_at_[k] - 1, key_field_len_[k]);
      estimate += row.key_field.size() + 64 + row.shape->ops.size();
    } else if (row.shape != previous) {
      estimate += 64 + row.shape->ns.size() + row.shape->set.size() +
                  row.shape->extra_fields.size() + row.shape->ops.size();
    }
    previous = row.shape;
  }
  proto::BatchEnvelope envelope;
  envelope.transaction_ttl = cmd_->policy.total_timeout_ms;
  envelope.batch_flags = cmd_->batch_flags;
  envelope.filter_expression = AsBytes(cmd_->filter_expression);
  chunk->request.Reserve(estimate);
  proto::EncodeBatchRequest(envelope, rows, &chunk->request);
  if (cmd_->policy.compress && chunk->request.size() > proto::kCompressThreshold) {
    StatusOr<ByteBuffer> compressed = proto::CompressFrame(chunk->request.span());
    if (compressed.ok()) chunk->request = std::move(*compressed);
  }
  int64_t deadline = 0;
  if (cmd_->policy.socket_timeout_ms != 0) {
    deadline = engine_->loop().NowMs() + cmd_->policy.socket_timeout_ms;
  }
  if (deadline_ms_ != 0 && (deadline == 0 || deadline > deadline_ms_)) deadline = deadline_ms_;
  ByteSpan part = chunk->request.span();
  const bool hedging = !hedge_owner_.empty();
  if (hedge_of != nullptr) {
    chunk->hedge_of = hedge_of->id;
    hedge_of->hedges.push_back(chunk->id);
    GlobalServingCounters().hedge.batch_hedged.fetch_add(1, std::memory_order_relaxed);
  }
  if (hedging) chunk->sent_us = HedgeClockMicros();
  chunk->attempt.set_timeout_delay(cmd_->policy.timeout_delay_ms, /*multi_record=*/true);
  chunk->attempt.Start(&engine_->loop(), io::NodeIo::Of(*node)->data_pool(),
                       absl::MakeConstSpan(&part, 1), deadline);
  if (hedging && hedge_of == nullptr && chunk->attempt.running()) ArmHedge(chunk);
}

// The fraction of the budget, or the slowest estimate among the other
// nodes (their recent batch answers at the policy's percentile; the rows'
// replicas are among them, and which ones differs row by row), whichever
// comes first; no hedge without either.
void BatchExecution::ArmHedge(Chunk* c) {
  int64_t after = HedgeDelayMs(cmd_->policy, /*is_write=*/false);
  if (cmd_->policy.hedge_percentile != 0) {
    int64_t slowest = 0;
    for (const cluster::NodeRef& node : engine_->cluster().nodes()) {
      if (node.get() == c->node.get()) continue;
      io::NodeIo* nio = io::NodeIo::Of(*node);
      if (nio == nullptr) continue;
      const int64_t estimate = AdaptiveHedgeDelayMs(cmd_->policy, 0, nio->batch_latency());
      if (estimate == 0) {  // a replica not measured yet: the fraction decides
        slowest = 0;
        break;
      }
      slowest = std::max(slowest, estimate);
    }
    if (slowest != 0) after = after == 0 ? slowest : std::min(after, slowest);
  }
  if (after == 0) return;
  c->hedge_timer.Start(
      &engine_->loop().timers(), engine_->loop().NowMs() + after,
      [](void* arg) {
        auto* chunk = static_cast<Chunk*>(arg);
        chunk->batch->OnHedgeTimer(chunk);
      },
      c);
}

// Sends the rows `c` still owes to their next replicas (sequence order),
// one request per node, leaving `c` running: each row takes whichever
// answer comes first.
void BatchExecution::OnHedgeTimer(Chunk* c) {
  if (finished() || !c->live || !c->attempt.running()) return;
  std::vector<uint32_t> waiting;
  for (uint32_t k : c->keys) {
    if (owner_[k] == c->id && !cmd_->results[k].answered && hedge_owner_[k] == kNoChunk) {
      waiting.push_back(k);
    }
  }
  if (waiting.empty()) return;
  const BatchCommand& cmd = *cmd_;
  cluster::RouteOptions route = engine_->RouteFor(cmd.policy, false, c->attempt_no + 1);
  route.replica = cluster::ReplicaPolicy::kSequence;
  const std::vector<const cluster::NamespacePartitions*> tables = PartitionTables();
  // Few nodes: a list beats a map. Row order (grouped by shape) is kept.
  std::vector<std::pair<cluster::Node*, std::vector<uint32_t>>> groups;
  for (uint32_t k : waiting) {
    const BatchKey& key = cmd.keys[k];
    const cluster::NamespacePartitions* table = tables[key.ns_set];
    if (table == nullptr) continue;
    cluster::Node* node = cluster::Route(*table, proto::PartitionId(key.digest), route);
    if (node == nullptr || node == c->node.get() || io::NodeIo::Of(*node) == nullptr) continue;
    auto it = std::find_if(groups.begin(), groups.end(),
                           [node](const auto& g) { return g.first == node; });
    if (it == groups.end()) {
      groups.emplace_back(node, std::vector<uint32_t>());
      it = groups.end() - 1;
    }
    it->second.push_back(k);
  }
  const size_t max_rows = std::max<uint32_t>(engine_->config().max_keys_per_batch_request, 1);
  ++hold_;
  for (auto& [node, keys] : groups) {
    for (size_t at = 0; at < keys.size(); at += max_rows) {
      const size_t stop = std::min(keys.size(), at + max_rows);
      Send(node, absl::MakeConstSpan(keys.data() + at, stop - at), c->attempt_no + 1, c);
    }
  }
  --hold_;
  MaybeFinish();
}

StatusOr<bool> BatchExecution::OnChunkFrame(Chunk* c, proto::Frame frame) {
  bool done = false;
  Status error;
  if (frame.type != static_cast<uint8_t>(proto::ProtoType::kMessage)) {
    error = absl::DataLossError(absl::StrCat("expected a batch answer from ", c->node->name(),
                                             ", got proto type ", frame.type));
  } else {
    // Keep the bytes first: result views point into them.
    cmd_->frames.push_back(std::move(frame));
    bool used = false;
    fresh_.clear();
    error = ReadChunkFrame(c, cmd_->frames.back(), &done, &used);
    if (!used) cmd_->frames.pop_back();
  }
  if (!error.ok()) {
    fresh_.clear();
    RevokeAnswers(c);
    return error;
  }
  if (!fresh_.empty()) {
    // The whole frame checked out: its rows' callers need not wait for
    // the rest of the batch.
    if (cmd_->timings.sent == 0) cmd_->timings.sent = c->attempt.sent_ns();
    for (uint32_t k : fresh_) handed_[k] = 1;
    cmd_->row_listener->OnRowsAnswered(*cmd_, fresh_);
    fresh_.clear();
  }
  return done;
}

Status BatchExecution::ReadChunkFrame(Chunk* c, const proto::Frame& f, bool* done, bool* used) {
  const std::string& node = c->node->name();
  proto::MessageIterator it(f.body());
  while (!it.AtEnd()) {
    StatusOr<proto::MessageView> m = it.Next();
    if (!m.ok()) {
      return absl::DataLossError(
          absl::StrCat("malformed batch answer from ", node, ": ", m.status().message()));
    }
    if (m->is_last()) {
      if (Status end = proto::CheckStreamEnd(*m); !end.ok()) {
        return absl::DataLossError(
            absl::StrCat("malformed batch answer from ", node, ": ", end.message()));
      }
      if (!it.AtEnd()) {
        return absl::DataLossError(
            absl::StrCat("batch answer from ", node, " continues after its end"));
      }
      // A request the server completed without an error answers every row
      // (error rows included): a gap means rows were lost on the way.
      if (m->header.result_code == 0 && c->rows_seen != c->keys.size()) {
        return absl::DataLossError(absl::StrCat("batch answer from ", node, " ended after ",
                                                c->rows_seen, " of its ", c->keys.size(),
                                                " rows"));
      }
      c->last_seen = true;
      c->last_result = m->header.result_code;
      *done = true;
      return absl::OkStatus();
    }
    const uint32_t index = m->header.transaction_ttl - index_base_;
    if (index >= n_ ||
        (owner_[index] != c->id && (hedge_owner_.empty() || hedge_owner_[index] != c->id))) {
      return absl::DataLossError(absl::StrCat("batch answer from ", node, " for row index ",
                                              m->header.transaction_ttl,
                                              ", which was not asked of it"));
    }
    BatchRecordResult& r = cmd_->results[index];
    if (r.answered) {
      if (!answered_by_.empty() && answered_by_[index] != c->id) {
        ++c->rows_seen;  // the other request of a hedged pair answered it first
        continue;
      }
      return absl::DataLossError(
          absl::StrCat("batch answer from ", node, " repeats key index ", index));
    }
    if (Status fits = proto::CheckRecordAnswer(*m, expect_[cmd_->keys[index].spec]); !fits.ok()) {
      return absl::DataLossError(absl::StrCat("batch answer from ", node, " for key index ",
                                              index, " does not fit its row: ", fits.message()));
    }
    r.answered = true;
    r.result = static_cast<ResultCode>(m->header.result_code);
    r.in_doubt = false;
    r.generation = m->header.generation;
    r.void_time = m->header.record_ttl;
    r.message = *m;
    ++c->answered;
    ++c->rows_seen;
    if (!answered_by_.empty()) {
      answered_by_[index] = c->id;
      if (c->hedge_of != kNoChunk) {
        GlobalServingCounters().hedge.batch_hedge_rows.fetch_add(1, std::memory_order_relaxed);
      }
    }
    *used = true;
    if (!handed_.empty()) fresh_.push_back(index);
  }
  return absl::OkStatus();
}

void BatchExecution::RevokeAnswers(Chunk* c) {
  if (c->answered == 0) return;
  uint32_t kept = 0;
  for (uint32_t k : c->keys) {
    if (!cmd_->results[k].answered) continue;
    if (answered_by_.empty() ? owner_[k] != c->id : answered_by_[k] != c->id) continue;
    if (!handed_.empty() && handed_[k] != 0) {
      ++kept;  // its caller has it already: final
      continue;
    }
    cmd_->results[k] = BatchRecordResult();
    if (!answered_by_.empty()) answered_by_[k] = kNoChunk;
  }
  c->answered = kept;
}

bool BatchExecution::CanRetry(uint32_t attempt_no) const {
  if (attempt_no >= cmd_->policy.max_retries) return false;
  if (deadline_ms_ == 0) return true;
  return engine_->NowMs() + cmd_->policy.sleep_between_retries_ms < deadline_ms_;
}

void BatchExecution::OnChunkDone(Chunk* c, const Status& status) {
  if (finished()) return;
  cmd_->timings.answered = std::max(cmd_->timings.answered, c->attempt.answered_ns());
  if (cmd_->timings.sent == 0) cmd_->timings.sent = c->attempt.sent_ns();
  if (!hedge_owner_.empty()) {
    OnHedgedChunkDone(c, status);
    return;
  }
  std::vector<uint32_t> unanswered;
  for (uint32_t k : c->keys) {
    if (owner_[k] == c->id && !cmd_->results[k].answered) unanswered.push_back(k);
  }
  if (status.ok()) {
    if (c->last_result != 0) {
      if (cmd_->result == ResultCode::kOk) cmd_->result = static_cast<ResultCode>(c->last_result);
      for (uint32_t k : unanswered) {
        cmd_->results[k].result = static_cast<ResultCode>(c->last_result);
        owner_[k] = kNoChunk;
      }
    } else if (!unanswered.empty()) {
      // Not expected: a clean end with rows missing is refused as malformed
      // while the answer is read.
      FailKeys(unanswered, absl::DataLossError(absl::StrCat(
                               "the server ended the batch without answering ",
                               unanswered.size(), " key(s)")));
    }
    Retire(c);
    return;
  }
  if (status.code() == absl::StatusCode::kUnavailable) engine_->OnNodeTrouble();
  // A stream found malformed (possibly after its last record: bytes after
  // the end) vouches for none of its records.
  if (status.code() == absl::StatusCode::kDataLoss) {
    RevokeAnswers(c);
    unanswered.clear();
    for (uint32_t k : c->keys) {
      if (owner_[k] == c->id && !cmd_->results[k].answered) unanswered.push_back(k);
    }
  }
  const bool sent = c->attempt.sent();
  for (uint32_t k : unanswered) {
    owner_[k] = kNoChunk;
    if (sent && cmd_->specs[cmd_->keys[k].spec].is_write) cmd_->results[k].in_doubt = true;
  }
  if (IsRetryable(status) && !unanswered.empty()) {
    RetryLater(std::move(unanswered), c->attempt_no, status);
  } else {
    FailKeys(unanswered, status);
  }
  Retire(c);
}

// A request of a hedged batch ended. Its rows another live request still
// awaits are left to that one (a hedge takes over the rows of the request
// it hedged when that one fails); the rest are answered, retried or failed
// as in OnChunkDone. Then the other request of the pair is cancelled if
// every row it awaits has its answer.
void BatchExecution::OnHedgedChunkDone(Chunk* c, const Status& status) {
  c->hedge_timer.Cancel();
  if (status.code() == absl::StatusCode::kUnavailable) engine_->OnNodeTrouble();
  if (status.code() == absl::StatusCode::kDataLoss) RevokeAnswers(c);
  if (status.ok() && cmd_->policy.hedge_percentile != 0) {
    io::NodeIo* nio = io::NodeIo::Of(*c->node);
    if (nio != nullptr) NoteLatencySince(nio->batch_latency(), c->sent_us);
  }
  std::vector<uint32_t> orphans;  // rows no live request awaits any more
  for (uint32_t k : c->keys) {
    const bool owned = owner_[k] == c->id;
    const bool hedged = hedge_owner_[k] == c->id;
    if (!owned && !hedged) continue;
    if (owned) owner_[k] = kNoChunk;
    if (hedged) hedge_owner_[k] = kNoChunk;
    if (cmd_->results[k].answered) continue;
    if (owned && LiveChunk(hedge_owner_[k]) != nullptr) {
      owner_[k] = hedge_owner_[k];
      hedge_owner_[k] = kNoChunk;
      continue;
    }
    if (hedged && LiveChunk(owner_[k]) != nullptr) continue;
    orphans.push_back(k);
  }
  if (!orphans.empty()) {
    if (status.ok() && c->last_result != 0) {
      if (cmd_->result == ResultCode::kOk) cmd_->result = static_cast<ResultCode>(c->last_result);
      for (uint32_t k : orphans) cmd_->results[k].result = static_cast<ResultCode>(c->last_result);
    } else if (status.ok()) {
      FailKeys(orphans, absl::DataLossError(absl::StrCat(
                            "the server ended the batch without answering ", orphans.size(),
                            " key(s)")));
    } else if (IsRetryable(status)) {
      RetryLater(std::move(orphans), c->attempt_no, status);
    } else {
      FailKeys(orphans, status);
    }
  }
  if (Chunk* first = LiveChunk(c->hedge_of)) CancelIfAnswered(first);
  for (uint32_t id : c->hedges) {
    if (Chunk* hedge = LiveChunk(id)) CancelIfAnswered(hedge);
  }
  Retire(c);
}

BatchExecution::Chunk* BatchExecution::LiveChunk(uint32_t id) const {
  // Ids are handed out in order and every chunk is kept: chunks_[id - 1].
  if (id == kNoChunk || id > chunks_.size()) return nullptr;
  Chunk* c = chunks_[id - 1].get();
  return c->live ? c : nullptr;
}

bool BatchExecution::AllAnswered(const Chunk* c) const {
  for (uint32_t k : c->keys) {
    if ((owner_[k] == c->id || hedge_owner_[k] == c->id) && !cmd_->results[k].answered) {
      return false;
    }
  }
  return true;
}

void BatchExecution::CancelIfAnswered(Chunk* c) {
  if (!AllAnswered(c)) return;
  c->hedge_timer.Cancel();
  CancelLoser(&c->attempt, cmd_->policy.timeout_delay_ms);
  for (uint32_t k : c->keys) {
    if (owner_[k] == c->id) owner_[k] = kNoChunk;
    if (hedge_owner_[k] == c->id) hedge_owner_[k] = kNoChunk;
  }
  Retire(c);
}

// Re-routes `keys` with the next attempt number, now or after
// sleep_between_retries_ms; fails them when no retry is left.
void BatchExecution::RetryLater(std::vector<uint32_t> keys, uint32_t attempt_no, const Status& why) {
  if (!CanRetry(attempt_no)) {
    FailKeys(keys, why);
    return;
  }
  GlobalCounters().commands_retried.fetch_add(1, std::memory_order_relaxed);
  const uint32_t sleep = cmd_->policy.sleep_between_retries_ms;
  if (sleep == 0 && hold_ == 0) {
    Route(keys, attempt_no + 1);
    return;
  }
  // Wait (also when routing is in progress, so a pass never recurses into
  // a retry of itself).
  auto owned = std::make_unique<Chunk>(this, next_chunk_id_++);
  Chunk* waiter = owned.get();
  chunks_.push_back(std::move(owned));
  waiter->attempt_no = attempt_no;
  waiter->retry_keys = std::move(keys);
  waiter->live = true;
  ++live_;
  waiter->sleep_timer.Start(
      &engine_->loop().timers(), engine_->loop().NowMs() + sleep,
      [](void* arg) {
        auto* w = static_cast<Chunk*>(arg);
        BatchExecution* self = w->batch;
        std::vector<uint32_t> retry = std::move(w->retry_keys);
        ++self->hold_;
        self->Route(retry, w->attempt_no + 1);
        --self->hold_;
        self->Retire(w);
      },
      waiter);
}

void BatchExecution::FailKeys(absl::Span<const uint32_t> keys, const Status& why) {
  if (keys.empty()) return;
  if (first_error_.ok()) first_error_ = why;
  const ResultCode code = ResultForStatus(why);
  for (uint32_t k : keys) {
    BatchRecordResult& r = cmd_->results[k];
    r.answered = false;
    r.result = code;
    owner_[k] = kNoChunk;
  }
}

void BatchExecution::Retire(Chunk* c) {
  if (!c->live) return;
  c->live = false;
  --live_;
  MaybeFinish();
}

void BatchExecution::MaybeFinish() {
  if (live_ != 0 || hold_ != 0 || finished()) return;
  Done(first_error_);
}

void BatchExecution::Stop(const Status& why, bool timed_out) {
  for (auto& chunk : chunks_) {
    if (!chunk->live) continue;
    const bool sent = chunk->attempt.running() && chunk->attempt.sent();
    if (timed_out) {
      chunk->attempt.AbortAfterTimeout();  // may keep reading (timeout_delay_ms)
    } else {
      chunk->attempt.Abort();
    }
    chunk->sleep_timer.Cancel();
    chunk->hedge_timer.Cancel();
    chunk->live = false;
    for (uint32_t k : chunk->keys) {
      if (owner_[k] != chunk->id || cmd_->results[k].answered) continue;
      if (sent && cmd_->specs[cmd_->keys[k].spec].is_write) cmd_->results[k].in_doubt = true;
    }
    std::vector<uint32_t> pending;
    for (uint32_t k : chunk->keys) {
      if (owner_[k] == chunk->id && !cmd_->results[k].answered) pending.push_back(k);
    }
    pending.insert(pending.end(), chunk->retry_keys.begin(), chunk->retry_keys.end());
    FailKeys(pending, why);
  }
  live_ = 0;
  first_error_ = why;
}

void BatchExecution::OnTotalTimeout() {
  Stop(absl::DeadlineExceededError(absl::StrCat(
           "batch total timeout of ", cmd_->policy.total_timeout_ms, " ms exceeded")),
       /*timed_out=*/true);
  Done(first_error_);
}

void BatchExecution::Abort(const Status& why) {
  Stop(why, /*timed_out=*/false);
  Done(why);
}

void BatchExecution::Done(const Status& status) {
  if (finished()) return;
  total_timer_.Cancel();
  for (auto& chunk : chunks_) {
    chunk->attempt.Abort();
    chunk->sleep_timer.Cancel();
    chunk->hedge_timer.Cancel();
  }
  cmd_->attempts = max_attempt_ + 1;
  if (cmd_->finisher) cmd_->finisher->OnBatchDone(*cmd_, status);
  Finish(status);
}

}  // namespace aerospike_py::client
