#include "client/coalescer.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "client/completion.h"
#include "client/engine.h"
#include "cluster/router.h"
#include "io/event_loop.h"
#include "proto/digest.h"
#include "proto/headers.h"
#include "proto/message_view.h"

namespace aerospike_py::client {

bool IsCoalescable(const Command& command) {
  if (command.kind() != CommandKind::kRecord) return false;
  const auto& rc = static_cast<const RecordCommand&>(command);
  // A hedged read keeps its own path: a merged batch goes once per node
  // and is never hedged, so merging would silently drop the hedge.
  return rc.coalescable && !rc.is_write && rc.n_udf_fields == 0 &&
         !rc.policy.hedged() && (rc.info1 & proto::info1::kRead) != 0 &&
         rc.info2 == 0;
}

void AppendPolicyBytes(const CommandPolicy& p, std::string* key) {
  auto put32 = [key](uint32_t v) { key->append(reinterpret_cast<const char*>(&v), sizeof v); };
  put32(p.socket_timeout_ms);
  put32(p.total_timeout_ms);
  put32(p.max_retries);
  put32(p.sleep_between_retries_ms);
  put32(p.timeout_delay_ms);
  put32(p.hedge_permille);
  key->append(reinterpret_cast<const char*>(&p.hedge_percentile), sizeof p.hedge_percentile);
  key->push_back(static_cast<char>(p.replica));
  key->push_back(static_cast<char>(p.read_mode_ap));
  key->push_back(p.compress ? 1 : 0);
}

namespace {

// Everything that makes two calls' policies different, as bytes: calls
// are merged only when these are equal (and they go to the same node).
std::string PolicyKey(const RecordCommand& c) {
  std::string key;
  key.reserve(48 + c.filter_expression.size());
  AppendPolicyBytes(c.policy, &key);
  key.push_back(static_cast<char>(c.info1));
  key.append(reinterpret_cast<const char*>(&c.record_ttl), sizeof c.record_ttl);
  key.append(c.filter_expression);
  return key;
}

// The shape of a row without its key: calls that read the same bins share
// one spec (and so go as REPEAT rows).
std::string SpecKey(const RecordCommand& c) {
  std::string key;
  key.push_back(static_cast<char>(c.info1));
  key.push_back(c.send_key ? 1 : 0);
  key.append(reinterpret_cast<const char*>(&c.n_ops), sizeof c.n_ops);
  key.append(reinterpret_cast<const char*>(c.ops.data()), c.ops.size());
  return key;
}

}  // namespace

bool MayMerge(const RecordCommand& a, const RecordCommand& b) {
  return IsCoalescable(a) && IsCoalescable(b) && PolicyKey(a) == PolicyKey(b);
}

namespace {

int SizeBucket(size_t n) {
  int b = 0;
  for (size_t limit = 2; n > limit && b < CoalesceCounters::kBuckets - 1; limit *= 2) ++b;
  return b;
}

// The batch's sink and row listener, on the event thread: each merged
// call gets its own outcome and goes to its own sink as soon as its row
// has arrived (OnRowsAnswered, per answer frame); the calls whose rows
// never came get theirs when the node's batch is done (Complete).
class FanOutSink final : public CompletionSink, public BatchRowListener {
 public:
  std::vector<std::unique_ptr<RecordCommand>> members;  // in batch key order

  void OnRowsAnswered(BatchCommand& batch, const std::vector<uint32_t>& keys) override {
    const int64_t now = io::SteadyNowNs();
    for (uint32_t k : keys) {
      if (k >= members.size() || members[k] == nullptr) continue;
      Hand(batch, k, now);
    }
  }

  void Complete(std::unique_ptr<Command> command) override {
    auto* batch = static_cast<BatchCommand*>(command.get());
    const int64_t now = io::SteadyNowNs();
    for (size_t i = 0; i < members.size(); ++i) {
      if (members[i] != nullptr) Hand(*batch, i, now);
    }
    members.clear();
  }

 private:
  void Hand(const BatchCommand& batch, size_t i, int64_t now) {
    std::unique_ptr<RecordCommand> m = std::move(members[i]);
    Settle(batch, i, m.get());
    m->timings.started = batch.timings.started;
    m->timings.sent = batch.timings.sent;
    m->timings.answered = m->status.ok() ? now : batch.timings.answered;
    m->timings.completed = now;
    Deliver(std::move(m));
  }

  // What the record path would have put in `m` for this key's outcome.
  static void Settle(const BatchCommand& batch, size_t i, RecordCommand* m) {
    m->node = batch.node;
    // Rows handed early come before the batch has counted its attempts.
    m->attempts = std::max<uint32_t>(batch.attempts, 1);
    m->in_doubt = false;  // reads only
    if (i >= batch.results.size() || !batch.results[i].answered) {
      const ResultCode code =
          i < batch.results.size() ? batch.results[i].result : ResultCode::kClientError;
      if (!batch.status.ok()) {
        m->status = batch.status;
      } else {
        m->status = absl::DataLossError(absl::StrCat(
            "the server ended the coalesced batch without answering this key (code ",
            static_cast<int>(code), ")"));
      }
      return;  // as the record path: the status says it, `result` stays 0
    }
    const BatchRecordResult& r = batch.results[i];
    // A message of its own: the record's header and ops, copied out of the
    // batch frame (one memcpy of the ops), so the call owns its answer.
    proto::MsgHeader h;
    h.info1 = r.message.header.info1;
    h.info2 = r.message.header.info2;
    h.info3 = r.message.header.info3 & ~proto::info3::kLast;
    h.result_code = static_cast<uint8_t>(r.result);
    h.generation = r.generation;
    h.record_ttl = r.void_time;
    h.n_ops = r.message.header.n_ops;
    m->response.type = static_cast<uint8_t>(proto::ProtoType::kMessage);
    m->response.buffer = ByteBuffer(proto::kMsgHeaderSize + r.message.ops.size());
    proto::EncodeMsgHeader(m->response.buffer.Extend(proto::kMsgHeaderSize), h);
    m->response.buffer.Append(r.message.ops);
    m->response.body_offset = 0;
    StatusOr<proto::MessageView> view = proto::ParseMessage(m->response.body());
    if (!view.ok()) {
      m->status = absl::DataLossError(absl::StrCat("malformed record in a coalesced batch: ",
                                                   view.status().message()));
      return;
    }
    m->message = *view;
    m->status = absl::OkStatus();
    m->result = r.result;
  }
};

struct Group {
  std::string policy_key;
  cluster::Node* node = nullptr;
  std::vector<size_t> slots;  // indexes into the drained commands
};

}  // namespace

void CoalesceReads(Engine* engine, std::vector<std::unique_ptr<Command>>* commands) {
  cluster::Cluster& cluster = engine->cluster();
  std::vector<Group> groups;
  std::unordered_map<std::string, size_t> index;  // policy key + node -> group
  for (size_t i = 0; i < commands->size(); ++i) {
    Command* c = (*commands)[i].get();
    if (c == nullptr || !IsCoalescable(*c)) continue;
    auto* rc = static_cast<RecordCommand*>(c);
    RecordKey& key = rc->key;
    // Bad keys take the record path, which reports them as it always does.
    if (key.ns.empty() || key.ns.size() > proto::kMaxNamespaceLen ||
        key.set.size() > proto::kMaxSetLen ||
        (!key.has_digest && key.key_type == proto::ParticleType::kNull)) {
      continue;
    }
    const cluster::NamespacePartitions* table = cluster.partitions().Find(key.ns);
    if (table == nullptr) continue;
    if (!key.has_digest) {
      key.digest = proto::ComputeDigest(key.set, key.key_type, AsBytes(key.key_bytes));
      key.has_digest = true;
    }
    cluster::Node* node = cluster::Route(*table, proto::PartitionId(key.digest),
                                         engine->RouteFor(rc->policy, false, 0));
    if (node == nullptr) continue;
    std::string pk = PolicyKey(*rc);
    std::string gk = pk;
    gk.append(reinterpret_cast<const char*>(&node), sizeof node);
    auto [it, added] = index.try_emplace(std::move(gk), groups.size());
    if (added) groups.push_back(Group{std::move(pk), node, {}});
    groups[it->second].slots.push_back(i);
  }

  CoalesceCounters& counters = GlobalServingCounters().coalesce;
  for (Group& g : groups) {
    if (g.slots.size() < 2) continue;  // nothing to merge: the record path
    auto batch = std::make_unique<BatchCommand>();
    auto sink = std::make_shared<FanOutSink>();
    const auto& first = static_cast<const RecordCommand&>(*(*commands)[g.slots.front()]);
    batch->policy = first.policy;
    batch->timings.submitted = first.timings.submitted;
    std::unordered_map<std::string, uint16_t> specs;
    std::unordered_map<std::string, uint16_t> ns_sets;
    batch->keys.reserve(g.slots.size());
    sink->members.reserve(g.slots.size());
    for (size_t slot : g.slots) {
      std::unique_ptr<Command> owned = std::move((*commands)[slot]);
      auto* rc = static_cast<RecordCommand*>(owned.release());
      std::unique_ptr<RecordCommand> m(rc);
      // The batch's budget runs from the earliest call it carries.
      batch->timings.submitted = std::min(batch->timings.submitted, m->timings.submitted);
      auto [spec_it, new_spec] =
          specs.try_emplace(SpecKey(*m), static_cast<uint16_t>(batch->specs.size()));
      if (new_spec) {
        BatchRowSpec spec;
        spec.info1 = m->info1;
        spec.ttl = m->record_ttl;
        spec.send_key = m->send_key;
        spec.filter_expression = m->filter_expression;
        spec.ops = ByteBuffer(m->ops.size());
        spec.ops.Append(m->ops.span());
        spec.n_ops = m->n_ops;
        batch->specs.push_back(std::move(spec));
      }
      std::string ns_key = m->key.ns;
      ns_key.push_back('\0');
      ns_key += m->key.set;
      auto [ns_it, new_ns] =
          ns_sets.try_emplace(std::move(ns_key), static_cast<uint16_t>(batch->ns_sets.size()));
      if (new_ns) batch->ns_sets.push_back(NamespaceSet{m->key.ns, m->key.set});
      BatchKey k;
      k.ns_set = ns_it->second;
      k.spec = spec_it->second;
      k.key_type = m->key.key_type;
      k.key_offset = static_cast<uint32_t>(batch->key_bytes.size());
      k.key_len = static_cast<uint32_t>(m->key.key_bytes.size());
      batch->key_bytes.Append(AsBytes(m->key.key_bytes));
      k.has_digest = true;
      k.digest = m->key.digest;
      batch->keys.push_back(k);
      sink->members.push_back(std::move(m));
    }
    const int64_t n = static_cast<int64_t>(g.slots.size());
    counters.batches.fetch_add(1, std::memory_order_relaxed);
    counters.calls.fetch_add(n, std::memory_order_relaxed);
    counters.by_size[SizeBucket(g.slots.size())].fetch_add(1, std::memory_order_relaxed);
    int64_t seen = counters.max_calls.load(std::memory_order_relaxed);
    while (n > seen && !counters.max_calls.compare_exchange_weak(seen, n)) {
    }
    batch->row_listener = sink;
    batch->sink = std::move(sink);
    commands->push_back(std::move(batch));
  }
}

}  // namespace aerospike_py::client
