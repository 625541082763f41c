#include "client/batch_coalescer.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>

#include "client/coalescer.h"
#include "client/completion.h"
#include "client/serving_counters.h"
#include "proto/headers.h"

namespace aerospike_py::client {

namespace {

// What the batch path would refuse in Prepare(): such a call must fail on
// its own, not take the calls it would travel with down with it.
bool WouldBePrepared(const BatchCommand& b) {
  for (const NamespaceSet& nss : b.ns_sets) {
    if (nss.ns.empty() || nss.ns.size() > proto::kMaxNamespaceLen ||
        nss.set.size() > proto::kMaxSetLen) {
      return false;
    }
  }
  const size_t key_bytes = b.key_bytes.size();
  for (const BatchKey& k : b.keys) {
    if (k.ns_set >= b.ns_sets.size() || k.spec >= b.specs.size()) return false;
    if (k.key_offset > key_bytes || k.key_len > key_bytes - k.key_offset) return false;
    if (!k.has_digest && k.key_type == proto::ParticleType::kNull) return false;
  }
  return true;
}

// Everything that makes two batches' handling different, as bytes: only
// batches with equal policy keys are merged.
std::string PolicyKey(const BatchCommand& b) {
  std::string key;
  key.reserve(48 + b.filter_expression.size());
  AppendPolicyBytes(b.policy, &key);
  key.push_back(static_cast<char>(b.batch_flags));
  key.append(b.filter_expression);
  return key;
}

// A row spec as bytes: merged calls that read alike share one spec.
std::string SpecKey(const BatchRowSpec& s) {
  std::string key;
  const uint8_t head[] = {s.row_flags, s.info1, s.info2, s.info3, s.info4, s.op_results,
                          static_cast<uint8_t>(s.send_key)};
  key.append(reinterpret_cast<const char*>(head), sizeof head);
  key.append(reinterpret_cast<const char*>(&s.generation), sizeof s.generation);
  key.append(reinterpret_cast<const char*>(&s.ttl), sizeof s.ttl);
  key.append(reinterpret_cast<const char*>(&s.n_ops), sizeof s.n_ops);
  const uint32_t filter_len = static_cast<uint32_t>(s.filter_expression.size());
  key.append(reinterpret_cast<const char*>(&filter_len), sizeof filter_len);
  key.append(s.filter_expression);
  key.append(reinterpret_cast<const char*>(s.ops.data()), s.ops.size());
  key.push_back('\0');
  key.append(s.op_shapes);
  return key;
}

BatchRowSpec CopySpec(const BatchRowSpec& s) {
  BatchRowSpec c;
  c.row_flags = s.row_flags;
  c.info1 = s.info1;
  c.info2 = s.info2;
  c.info3 = s.info3;
  c.info4 = s.info4;
  c.generation = s.generation;
  c.ttl = s.ttl;
  c.is_write = s.is_write;
  c.send_key = s.send_key;
  c.filter_expression = s.filter_expression;
  c.ops = ByteBuffer(s.ops.size());
  c.ops.Append(s.ops.span());
  c.n_ops = s.n_ops;
  c.op_results = s.op_results;
  c.op_shapes = s.op_shapes;
  return c;
}

// The merged batch's sink, on the event thread: hands each call its keys'
// results once the merged batch is done.
class SplitSink final : public CompletionSink {
 public:
  struct Member {
    std::unique_ptr<BatchCommand> call;
    size_t first = 0;  // its first key in the merged batch
  };
  std::vector<Member> members;

  void Complete(std::unique_ptr<Command> command) override {
    auto* merged = static_cast<BatchCommand*>(command.get());
    auto frames = std::make_shared<const std::vector<proto::Frame>>(std::move(merged->frames));
    for (Member& m : members) Hand(*merged, frames, m);
    members.clear();
  }

 private:
  static void Hand(const BatchCommand& merged,
                   const std::shared_ptr<const std::vector<proto::Frame>>& frames, Member& m) {
    std::unique_ptr<BatchCommand> call = std::move(m.call);
    const size_t n = call->keys.size();
    bool all_answered = merged.results.size() >= m.first + n;
    if (all_answered) {
      call->results.assign(merged.results.begin() + static_cast<ptrdiff_t>(m.first),
                           merged.results.begin() + static_cast<ptrdiff_t>(m.first + n));
      for (size_t i = 0; i < n; ++i) {
        // The digests the batch path computed: the bridge reports them.
        const BatchKey& mk = merged.keys[m.first + i];
        if (mk.has_digest && !call->keys[i].has_digest) {
          call->keys[i].digest = mk.digest;
          call->keys[i].has_digest = true;
        }
        all_answered = all_answered && call->results[i].answered;
      }
    }
    call->shared_frames = frames;
    // A failure of the merged batch is this call's only if it left some
    // of this call's keys unanswered (and so is the batch's LAST code).
    call->status = all_answered ? Status() : merged.status;
    call->result = all_answered ? ResultCode::kOk : merged.result;
    call->in_doubt = false;  // reads only
    call->node = merged.node;
    call->attempts = merged.attempts;
    call->timings.started = merged.timings.started;
    call->timings.sent = merged.timings.sent;
    call->timings.answered = merged.timings.answered;
    call->timings.completed = merged.timings.completed;
    if (call->finisher) call->finisher->OnBatchDone(*call, call->status);
    Deliver(std::move(call));
  }
};

struct Group {
  std::vector<size_t> slots;  // indexes into the drained commands
  size_t keys = 0;
};

}  // namespace

bool IsMergeableBatch(const Command& command) {
  if (command.kind() != CommandKind::kBatch) return false;
  const auto& b = static_cast<const BatchCommand&>(command);
  if (!b.coalescable || b.row_listener != nullptr || b.keys.empty()) return false;
  for (const BatchRowSpec& spec : b.specs) {
    if (spec.is_write || spec.n_udf_fields != 0 || spec.info2 != 0) return false;
    if ((spec.info1 & proto::info1::kRead) == 0) return false;
  }
  return true;
}

void MergeBatches(std::vector<std::unique_ptr<Command>>* commands) {
  std::vector<Group> groups;
  std::unordered_map<std::string, size_t> open;  // policy key -> group still growing
  for (size_t i = 0; i < commands->size(); ++i) {
    Command* c = (*commands)[i].get();
    if (c == nullptr || !IsMergeableBatch(*c)) continue;
    auto* b = static_cast<BatchCommand*>(c);
    if (b->keys.size() >= kMaxMergedKeys || !WouldBePrepared(*b)) continue;
    std::string pk = PolicyKey(*b);
    auto it = open.find(pk);
    if (it == open.end() || groups[it->second].keys + b->keys.size() > kMaxMergedKeys) {
      groups.push_back(Group{});
      it = open.insert_or_assign(std::move(pk), groups.size() - 1).first;
    }
    Group& g = groups[it->second];
    g.slots.push_back(i);
    g.keys += b->keys.size();
  }

  BatchMergeCounters& counters = GlobalServingCounters().batch_merge;
  for (Group& g : groups) {
    if (g.slots.size() < 2) continue;  // nothing to merge: the batch goes as it is
    auto merged = std::make_unique<BatchCommand>();
    auto sink = std::make_shared<SplitSink>();
    const auto& first = static_cast<const BatchCommand&>(*(*commands)[g.slots.front()]);
    merged->policy = first.policy;
    merged->batch_flags = first.batch_flags;
    merged->filter_expression = first.filter_expression;
    merged->timings.submitted = first.timings.submitted;
    merged->keys.reserve(g.keys);
    sink->members.reserve(g.slots.size());
    std::unordered_map<std::string, uint16_t> specs;
    std::unordered_map<std::string, uint16_t> ns_sets;
    for (size_t slot : g.slots) {
      std::unique_ptr<BatchCommand> call(
          static_cast<BatchCommand*>((*commands)[slot].release()));
      // The merged budget runs from the earliest call it carries.
      merged->timings.submitted = std::min(merged->timings.submitted, call->timings.submitted);
      std::vector<uint16_t> spec_of(call->specs.size());
      for (size_t s = 0; s < call->specs.size(); ++s) {
        auto [sit, added] =
            specs.try_emplace(SpecKey(call->specs[s]), static_cast<uint16_t>(merged->specs.size()));
        if (added) merged->specs.push_back(CopySpec(call->specs[s]));
        spec_of[s] = sit->second;
      }
      std::vector<uint16_t> ns_of(call->ns_sets.size());
      for (size_t s = 0; s < call->ns_sets.size(); ++s) {
        std::string nk = call->ns_sets[s].ns;
        nk.push_back('\0');
        nk += call->ns_sets[s].set;
        auto [nit, added] =
            ns_sets.try_emplace(std::move(nk), static_cast<uint16_t>(merged->ns_sets.size()));
        if (added) merged->ns_sets.push_back(call->ns_sets[s]);
        ns_of[s] = nit->second;
      }
      const uint32_t key_base = static_cast<uint32_t>(merged->key_bytes.size());
      merged->key_bytes.Append(call->key_bytes.span());
      sink->members.push_back(SplitSink::Member{nullptr, merged->keys.size()});
      for (const BatchKey& k : call->keys) {
        BatchKey mk = k;
        mk.ns_set = ns_of[k.ns_set];
        mk.spec = spec_of[k.spec];
        mk.key_offset = key_base + k.key_offset;
        merged->keys.push_back(mk);
      }
      sink->members.back().call = std::move(call);
    }
    counters.requests.fetch_add(1, std::memory_order_relaxed);
    counters.calls.fetch_add(static_cast<int64_t>(g.slots.size()), std::memory_order_relaxed);
    merged->sink = std::move(sink);
    commands->push_back(std::move(merged));
  }
}

}  // namespace aerospike_py::client
