#include "server/query_job.h"

#include <algorithm>
#include <cstring>

#include "absl/container/flat_hash_set.h"
#include "common/byte_order.h"
#include "common/result_code.h"
#include "server/bins.h"
#include "server/expression.h"
#include "server/processor.h"
#include "server/query_jobs.h"
#include "server/reply.h"
#include "server/geojson.h"
#include "server/sindex/geo_region.h"
#include "server/sindex/s2_cover.h"

namespace aerospike_py::server {
namespace {

constexpr size_t kChunkBytes = 128 * 1024;  // the server's query chunk size

}  // namespace

void CollectQueryCandidates(ServerState* state, const QuerySpec& spec, Namespace* ns,
                            const QueryPartition& p, uint32_t now,
                            std::vector<std::pair<Digest, int64_t>>* out) {
  out->clear();
  if (!spec.set_known) return;
  const int set_id = spec.set.empty() ? 0 : ns->FindSetId(spec.set);
  const bool set_filter = !spec.set.empty();
  if (spec.index == nullptr) {
    // The real server walks a partition's index tree from the largest
    // digest down, and resumes after a digest with the smaller ones.
    for (const auto& [digest, record] : ns->partition(p.pid)) {
      if (record.expired(now)) continue;
      if (set_filter && record.set_id != set_id) continue;
      if (p.resume && std::memcmp(digest.data(), p.digest.data(), proto::kDigestSize) >= 0) {
        continue;
      }
      out->emplace_back(digest, 0);
    }
    std::sort(out->begin(), out->end(), [](const auto& a, const auto& b) {
      return std::memcmp(a.first.data(), b.first.data(), proto::kDigestSize) > 0;
    });
    return;
  }
  const sindex::Index& index = *spec.index;
  sindex::IndexKey resume{p.pid, p.bval, p.digest};
  const auto collect = [&](const sindex::IndexKey& k) {
    out->emplace_back(k.digest, k.bval);
    return true;
  };
  if (index.geo() && spec.range.is_range) {
    // Geo entries are cell ids: each range of the query in ascending order;
    // a resume point skips the ranges that end before it (as the real
    // server's sindex tree query does).
    for (const auto& [lo, hi] : spec.range.geo_ranges) {
      if (p.resume && static_cast<uint64_t>(p.bval) > hi) continue;
      index.Scan(p.pid, static_cast<int64_t>(lo), static_cast<int64_t>(hi),
                 p.resume ? &resume : nullptr, collect);
    }
  } else {
    index.Scan(p.pid, spec.range.start, spec.range.end, p.resume ? &resume : nullptr, collect);
  }
  (void)state;
}

QueryJob::QueryJob(ServerState* state, QuerySpec spec, std::shared_ptr<QueryJobInfo> info)
    : state_(state), spec_(std::move(spec)), info_(std::move(info)) {
  ns_ = state_->store.Find(spec_.ns);
  started_ms_ = NowUnixNanos() / 1000000;
}

QueryJob::~QueryJob() {
  if (!finished_ && info_ != nullptr) {
    // The client went away mid-stream (or the server stopped).
    info_->result = "abandoned-response-error";
    info_->finish_ns = NowUnixNanos();
  }
}

bool QueryJob::Matches(const Record& r, const Digest& d, int64_t bval) const {
  const sindex::Index& index = *spec_.index;
  const QueryRange& range = spec_.range;
  const uint64_t now_ns = NowUnixNanos();
  const std::string_view set_name = ns_->SetName(r.set_id);
  switch (range.particle_type) {
    case sindex::kString:
    case sindex::kBlob:
      return index.HoldsBytes(r, set_name, d, now_ns, range.key);
    case sindex::kGeo: {
      std::vector<std::pair<uint8_t, std::string>> elements;
      index.Elements(r, set_name, d, now_ns, &elements);
      // Strict matching (geo2dsphere-within.strict, the default): a point is
      // its leaf cell's centre, as the real server tests it.
      for (const auto& [type, particle] : elements) {
        std::optional<sindex::GeoRegion> shape =
            sindex::ParseGeoRegion(sindex::GeoParticleJson(particle));
        if (!shape) continue;
        const bool is_point = shape->kind == sindex::GeoRegion::Kind::kPoint;
        if (range.geo_contains) {
          if (is_point) continue;  // regions only
          const sindex::GeoShape candidate(std::move(*shape));
          if (candidate.ContainsCell(range.point_cell, range.point)) return true;
        } else if (is_point && range.region != nullptr) {
          const uint64_t cell = S2LeafCellId(shape->point.lat, shape->point.lng);
          if (range.region->ContainsCell(cell, shape->point)) return true;
        }
      }
      return false;
    }
    default:
      (void)bval;
      return true;  // the index is kept exact: an integer entry in range matches
  }
}

void QueryJob::LoadPartition(const QueryPartition& p, ByteBuffer* out) {
  pending_.clear();
  pending_at_ = 0;
  ++info_->partitions_done;
  Cluster& cluster = state_->cluster;
  if (!cluster.IsReplica(spec_.node, p.pid)) {
    cluster.node(spec_.node).misrouted.fetch_add(1, std::memory_order_relaxed);
    if (!frame_open_) {
      frame_at_ = BeginFrame(out);
      frame_open_ = true;
    }
    ReplyHeader done;
    done.info3 = proto::info3::kPartitionDone;
    done.result = static_cast<uint8_t>(ToInt(ResultCode::kPartitionUnavailable));
    done.generation = p.pid;  // the partition id travels in the generation
    AppendMsgHeader(out, done);
    return;
  }
  std::vector<std::pair<Digest, int64_t>> found;
  CollectQueryCandidates(state_, spec_, ns_, p, ServerEpochSeconds(NowUnixNanos()), &found);
  pending_.reserve(found.size());
  for (const auto& [d, b] : found) pending_.push_back(Candidate{d, b});
  // A range over a collection index may reach one record through several
  // of its values: the server sends it once per partition.
  if (spec_.index != nullptr && spec_.range.is_range &&
      spec_.index->def().collection != sindex::Collection::kDefault) {
    absl::flat_hash_set<Digest, DigestHash> seen;
    std::vector<Candidate> unique;
    for (const Candidate& c : pending_) {
      if (seen.insert(c.digest).second) unique.push_back(c);
    }
    pending_ = std::move(unique);
  }
}

// Appends one record message; false when nothing was sent (no selected bin
// present).
bool QueryJob::Emit(const Digest& digest, const Record& r, int64_t bval, ByteBuffer* out) {
  if (!frame_open_) {
    frame_at_ = BeginFrame(out);
    frame_open_ = true;
  }
  const size_t msg_start = out->size();
  ReplyHeader h;
  h.info1 = spec_.no_bins ? proto::info1::kNoBinData : 0;
  h.generation = r.generation;
  h.void_time = r.void_time;
  const size_t at = AppendMsgHeader(out, h);
  uint16_t n_fields = 2;
  const std::string& ns_name = ns_->name();
  AppendField(out, proto::FieldType::kNamespace, ns_name.data(), ns_name.size());
  AppendField(out, proto::FieldType::kDigest, digest.data(), proto::kDigestSize);
  if (r.set_id != 0) {
    const std::string& set = ns_->SetName(r.set_id);
    AppendField(out, proto::FieldType::kSet, set.data(), set.size());
    ++n_fields;
  }
  if (!r.key.empty()) {
    AppendField(out, proto::FieldType::kKey, r.key.data(), r.key.size());
    ++n_fields;
  }
  if (spec_.index != nullptr) {
    uint8_t le[8];
    StoreLE64(le, static_cast<uint64_t>(bval));
    AppendField(out, proto::FieldType::kBvalArray, le, 8);
    ++n_fields;
  }
  uint16_t n_ops = 0;
  if (spec_.no_bins) {
    // metadata only
  } else if (!spec_.bins.empty()) {
    for (const std::string& name : spec_.bins) {
      BinView b;
      if (FindBin(r.bins, name, &b)) {
        out->Append(b.encoded);
        ++n_ops;
      }
    }
    if (n_ops == 0) {
      out->Resize(msg_start);  // the server never sends an empty record
      return false;
    }
  } else {
    out->Append(r.bins);
    n_ops = r.n_bins;
  }
  PatchCounts(out, at, n_fields, n_ops);
  if (out->size() - frame_at_ > kChunkBytes) {
    EndFrame(out, frame_at_);
    frame_open_ = false;
  }
  return true;
}

ReplyStream::Step QueryJob::Produce(ByteBuffer* out, size_t budget, uint64_t* wait_ms) {
  if (finished_) return Step::kDone;
  const size_t start_size = out->size();
  const size_t limit = start_size + std::max<size_t>(budget, 1);
  const uint64_t now_ns = NowUnixNanos();
  const uint32_t now = ServerEpochSeconds(now_ns);
  uint8_t last_result = 0;
  auto account = [&] { info_->net_io_bytes += out->size() - start_size; };
  while (!stop_) {
    if (info_->abort_requested) {
      last_result = static_cast<uint8_t>(ToInt(ResultCode::kQueryAborted));
      info_->result = "user-aborted";
      break;
    }
    if (pending_at_ >= pending_.size()) {
      if (next_partition_ >= spec_.partitions.size()) break;
      LoadPartition(spec_.partitions[next_partition_++], out);
      continue;
    }
    if (out->size() >= limit) {
      if (frame_open_) {
        EndFrame(out, frame_at_);
        frame_open_ = false;
      }
      account();
      return Step::kMore;
    }
    if (spec_.records_per_second != 0) {
      const uint64_t elapsed_ms = now_ns / 1000000 - started_ms_;
      const uint64_t allowed = elapsed_ms * spec_.records_per_second / 1000 + 1;
      if (sent_ >= allowed) {
        if (frame_open_) {
          EndFrame(out, frame_at_);
          frame_open_ = false;
        }
        const uint64_t due_ms = sent_ * 1000 / spec_.records_per_second;
        *wait_ms = due_ms > elapsed_ms ? due_ms - elapsed_ms : 1;
        account();
        return Step::kWait;
      }
    }
    const Candidate c = pending_[pending_at_++];
    Record* r = ns_->Find(c.digest, now);
    if (r == nullptr) continue;
    if (spec_.index != nullptr) {
      if (!spec_.set.empty() && ns_->SetName(r->set_id) != spec_.set) continue;
      if (!Matches(*r, c.digest, c.bval)) continue;
    }
    if (!spec_.filter.empty()) {
      FilterSubject s{r, ns_->SetName(r->set_id), c.digest.data(), now_ns};
      if (EvaluateFilter(AsBytes(spec_.filter), s) != FilterResult::kTrue) {
        ++info_->filtered_bins;
        continue;
      }
    }
    if (spec_.max_records != 0 && ++sampled_ > spec_.max_records) {
      stop_ = true;
      break;
    }
    if (Emit(c.digest, *r, c.bval, out)) {
      ++sent_;
      ++info_->succeeded;
      if (spec_.records_per_second != 0) ++info_->throttled;
    }
    if (spec_.max_records != 0 && sampled_ == spec_.max_records) {
      stop_ = true;
      break;
    }
  }
  // The end: LAST, appended to the last data frame of a short query, in a
  // frame of its own otherwise (the server's conn_query_job_finish()).
  if (frame_open_ && out->size() - frame_at_ > proto::kProtoHeaderSize &&
      !spec_.short_query) {
    EndFrame(out, frame_at_);
    frame_open_ = false;
  }
  if (!frame_open_) {
    frame_at_ = BeginFrame(out);
    frame_open_ = true;
  }
  ReplyHeader last;
  last.info3 = proto::info3::kLast;
  last.result = last_result;
  AppendMsgHeader(out, last);
  EndFrame(out, frame_at_);
  frame_open_ = false;
  finished_ = true;
  info_->finish_ns = NowUnixNanos();
  account();
  return Step::kDone;
}

}  // namespace aerospike_py::server
