// Scans (primary-index queries without a where clause, wire protocol §9):
// the partitions named by the pid array (from the start) and the digest
// array (after the given digest), records in digest order within a
// partition, optional set, filter expression, selected bins and
// max-records ("sample-max": counted before bin selection, so a record
// without any selected bin uses up a slot but is not sent, as the server's
// as_msg_make_response_bufbuilder() does). The stream ends with LAST. A
// partition this node holds no copy of is answered, like the server does
// for a partition it cannot reserve, with a PARTITION_DONE message carrying
// result 11 (the client retries it on the owner next round) and counted as
// misrouted; owned partitions need no marker (§7.2).
#include <algorithm>
#include <vector>

#include "server/expression.h"
#include "server/bins.h"
#include "server/processor.h"
#include "server/reply.h"

namespace aerospike_py::server {

namespace {

constexpr size_t kChunkBytes = 128 * 1024;  // the server's query chunk size

struct Work {
  uint32_t pid;
  const uint8_t* resume = nullptr;  // resume after this digest
};

}  // namespace

void Processor::HandleScan(int node, const proto::MessageView& m, const RequestFields& f,
                           ByteBuffer* out) {
  auto fail = [&](ResultCode c) {
    ReplyHeader h;
    h.result = static_cast<uint8_t>(ToInt(c));
    AppendHeaderOnlyFrame(out, h);
  };
  Namespace* ns = f.has_ns ? state_->store.Find(f.ns) : nullptr;
  if (ns == nullptr) return fail(ResultCode::kInvalidNamespace);
  if (f.has_udf) return fail(ResultCode::kUnsupportedFeature);  // no UDF engine
  if (f.has_index_query) return fail(ResultCode::kIndexNotFound);  // no secondary indexes
  if (m.header.info2 & proto::info2::kWrite) return HandleBackground(node, m, f, ns, out);
  if (!(m.header.info3 & proto::info3::kPartitionDone)) {
    return fail(ResultCode::kUnsupportedFeature);
  }
  if (f.malformed) return fail(ResultCode::kParameter);
  if (!f.has_pids && !f.has_digests) return fail(ResultCode::kUnsupportedFeature);

  std::vector<Work> work;
  std::vector<bool> seen(proto::kPartitions, false);
  for (size_t i = 0; i + 1 < f.pids.size(); i += 2) {
    const uint32_t pid = LoadLE16(f.pids.data() + i);
    if (pid >= proto::kPartitions || seen[pid]) return fail(ResultCode::kParameter);
    seen[pid] = true;
    work.push_back(Work{pid, nullptr});
  }
  for (size_t i = 0; i + proto::kDigestSize <= f.digests.size(); i += proto::kDigestSize) {
    const uint8_t* d = f.digests.data() + i;
    const uint32_t pid = proto::PartitionId(d);
    if (seen[pid]) return fail(ResultCode::kParameter);
    seen[pid] = true;
    work.push_back(Work{pid, d});
  }
  if (work.empty()) return fail(ResultCode::kParameter);

  if (f.has_filter) {
    // Reject an expression we cannot evaluate before streaming anything.
    Record probe;
    const Digest zero{};
    FilterSubject s{&probe, {}, zero.data(), clock_.now_ns};
    if (EvaluateFilter(f.filter, s) == FilterResult::kError) {
      return fail(ResultCode::kParameter);
    }
  }

  const bool no_bins = (m.header.info1 & proto::info1::kNoBinData) != 0;
  const bool select = !no_bins && m.header.n_ops > 0;
  int set_id = 0;
  bool set_filter = false;
  if (f.has_set && !f.set.empty()) {
    set_id = ns->FindSetId(f.set);
    set_filter = true;
  }
  uint64_t sampled = 0;
  const uint64_t max = f.has_max_records ? f.max_records : 0;
  Cluster& cluster = state_->cluster;

  size_t frame = BeginFrame(out);
  std::vector<std::pair<const Digest*, const Record*>> records;
  bool stop = false;
  for (const Work& w : work) {
    if (stop) break;
    if (!cluster.IsReplica(node, w.pid)) {
      cluster.node(node).misrouted.fetch_add(1, std::memory_order_relaxed);
      ReplyHeader done;
      done.info3 = proto::info3::kPartitionDone;
      done.result = static_cast<uint8_t>(ToInt(ResultCode::kPartitionUnavailable));
      done.generation = w.pid;  // the partition id travels in the generation
      AppendMsgHeader(out, done);
      continue;
    }
    if (set_filter && set_id < 0) continue;  // unknown set: nothing to send
    records.clear();
    for (const auto& [digest, record] : ns->partition(w.pid)) {
      if (record.expired(clock_.now)) continue;
      if (set_filter && record.set_id != set_id) continue;
      if (w.resume && std::memcmp(digest.data(), w.resume, proto::kDigestSize) <= 0) continue;
      records.emplace_back(&digest, &record);
    }
    std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
      return std::memcmp(a.first->data(), b.first->data(), proto::kDigestSize) < 0;
    });
    for (const auto& [digest, r] : records) {
      if (f.has_filter) {
        FilterSubject s{r, ns->SetName(r->set_id), digest->data(), clock_.now_ns};
        if (EvaluateFilter(f.filter, s) != FilterResult::kTrue) continue;
      }
      if (max != 0) {
        if (++sampled > max) {
          stop = true;
          break;
        }
      }
      const size_t msg_start = out->size();
      ReplyHeader h;
      h.info1 = no_bins ? proto::info1::kNoBinData : 0;
      h.generation = r->generation;
      h.void_time = r->void_time;
      const size_t at = AppendMsgHeader(out, h);
      uint16_t n_fields = 2;
      AppendField(out, proto::FieldType::kNamespace, ns->name().data(), ns->name().size());
      AppendField(out, proto::FieldType::kDigest, digest->data(), proto::kDigestSize);
      if (r->set_id != 0) {
        const std::string& set = ns->SetName(r->set_id);
        AppendField(out, proto::FieldType::kSet, set.data(), set.size());
        ++n_fields;
      }
      if (!r->key.empty()) {
        AppendField(out, proto::FieldType::kKey, r->key.data(), r->key.size());
        ++n_fields;
      }
      uint16_t n_ops = 0;
      if (no_bins) {
        // metadata only
      } else if (select) {
        proto::OpIterator it(m.ops);
        proto::OpView op;
        while (it.Next(&op)) {
          BinView b;
          if (FindBin(r->bins, op.name, &b)) {
            out->Append(b.encoded);
            ++n_ops;
          }
        }
        if (n_ops == 0) {
          out->Resize(msg_start);  // the server never sends an empty record
          if (max != 0 && sampled == max) stop = true;
          if (stop) break;
          continue;
        }
      } else {
        out->Append(r->bins);
        n_ops = r->n_bins;
      }
      PatchCounts(out, at, n_fields, n_ops);
      if (max != 0 && sampled == max) {
        stop = true;
        break;
      }
      if (out->size() - frame > kChunkBytes) {
        EndFrame(out, frame);
        frame = BeginFrame(out);
      }
    }
  }
  // A short query appends LAST to its last data frame; a long one (every
  // scan without SHORT_QUERY) sends it in a frame of its own, like the
  // server's conn_query_job_finish().
  ReplyHeader last;
  last.info3 = proto::info3::kLast;
  const bool has_data = out->size() - frame > proto::kProtoHeaderSize;
  if (has_data && !(m.header.info1 & proto::info1::kShortQuery)) {
    EndFrame(out, frame);
    frame = BeginFrame(out);
  }
  AppendMsgHeader(out, last);
  EndFrame(out, frame);
}

// A background query with write ops (§9.5): the ops are applied to every
// record of the partitions this node masters (or of the partitions named by
// the pid array), in the set, passing the filter; the job runs to
// completion before the LAST answer, and query-show reports it done.
void Processor::HandleBackground(int node, const proto::MessageView& m,
                                 const RequestFields& f, Namespace* ns, ByteBuffer* out) {
  ReplyHeader last;
  last.info3 = proto::info3::kLast;
  if (m.header.n_ops == 0) {
    last.result = static_cast<uint8_t>(ToInt(ResultCode::kParameter));
    return AppendHeaderOnlyFrame(out, last);
  }
  {
    proto::OpIterator it(m.ops);
    proto::OpView op;
    while (it.Next(&op)) {
      if (proto::IsReadOp(static_cast<proto::OpType>(op.op))) {
        last.result = static_cast<uint8_t>(ToInt(ResultCode::kParameter));
        return AppendHeaderOnlyFrame(out, last);
      }
    }
  }
  if (f.malformed) {
    last.result = static_cast<uint8_t>(ToInt(ResultCode::kParameter));
    return AppendHeaderOnlyFrame(out, last);
  }
  std::vector<bool> wanted(proto::kPartitions, false);
  if (f.has_pids) {
    for (size_t i = 0; i + 1 < f.pids.size(); i += 2) {
      const uint32_t pid = LoadLE16(f.pids.data() + i);
      if (pid < proto::kPartitions) wanted[pid] = true;
    }
  } else {
    for (uint32_t pid = 0; pid < proto::kPartitions; ++pid) {
      wanted[pid] = state_->cluster.IsMaster(node, pid);
    }
  }
  int set_id = 0;
  const bool set_filter = f.has_set && !f.set.empty();
  if (set_filter) set_id = ns->FindSetId(f.set);
  // Collect first: the writes may delete records while we walk the maps.
  std::vector<std::pair<Digest, uint16_t>> digests;  // with each record's set
  if (!set_filter || set_id >= 0) {
    for (uint32_t pid = 0; pid < proto::kPartitions; ++pid) {
      if (!wanted[pid]) continue;
      for (const auto& [digest, r] : ns->partition(pid)) {
        if (!r.expired(clock_.now) && (!set_filter || r.set_id == set_id)) {
          digests.emplace_back(digest, r.set_id);
        }
      }
    }
  }
  BackgroundJob job;
  job.ns = ns->name();
  job.set = std::string(f.set);
  proto::MsgHeader h;
  h.info2 = proto::info2::kWrite | (m.header.info2 & proto::info2::kDurableDelete);
  h.info3 = proto::info3::kUpdateOnly;  // only existing records are touched
  h.record_ttl = m.header.record_ttl;
  ByteBuffer scratch;
  for (const auto& [d, record_set] : digests) {
    RequestFields rf;
    rf.has_ns = true;
    rf.ns = f.ns;
    // The record's own set: an internal write passes the set check of an
    // update (the server's FROM_IOPS origin skips it).
    rf.has_set = true;
    rf.set = ns->SetName(record_set);
    rf.digest = d.data();
    rf.has_filter = f.has_filter;
    rf.filter = f.filter;
    scratch.Clear();
    const uint8_t rc = ExecuteWrite(h, ns, rf, m.ops, m.header.n_ops, rf.filter, 0, &scratch);
    if (rc == 0) ++job.succeeded;
    else if (rc == static_cast<uint8_t>(ToInt(ResultCode::kFilteredOut))) ++job.filtered;
    else ++job.failed;
  }
  job.finished_ns = clock_.now_ns;
  uint64_t task_id = 0;
  if (auto id = m.FindField(proto::FieldType::kTaskId); id && id->size() == 8) {
    task_id = LoadBE64(id->data());
  }
  const std::pair<int, uint64_t> job_key(node, task_id);
  if (state_->jobs.emplace(job_key, job).second) state_->job_order.push_back(job_key);
  else state_->jobs[job_key] = job;
  while (state_->job_order.size() > ServerState::kMaxJobs) {
    state_->jobs.erase(state_->job_order.front());
    state_->job_order.pop_front();
  }
  AppendHeaderOnlyFrame(out, last);
}

}  // namespace aerospike_py::server
