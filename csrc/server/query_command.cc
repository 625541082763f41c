// Scans and queries (wire protocol §9): the request checks of the real
// server's basic query job, in its order and with its result codes (4 for
// a malformed or contradictory request, 16 without PARTITION_DONE support
// or partitions, 201 for an index that does not exist, 203 for one still
// being built), then a QueryJob streams the answer (query_job.h). Background
// queries (write ops) run over the same candidates, to completion, before
// their LAST answer; query-show reports both kinds.
#include <algorithm>
#include <cstring>
#include <vector>

#include "common/byte_order.h"
#include "common/result_code.h"
#include "server/bins.h"
#include "server/expression.h"
#include "server/geojson.h"
#include "server/processor.h"
#include "server/query_job.h"
#include "server/reply.h"
#include "server/sindex/bval.h"
#include "server/udf/aggregation.h"
#include "server/udf/record_udf.h"

namespace aerospike_py::server {

void CollectQueryCandidates(ServerState* state, const QuerySpec& spec, Namespace* ns,
                            const QueryPartition& p, uint32_t now,
                            std::vector<std::pair<Digest, int64_t>>* out);

namespace {

constexpr size_t kFirstChunkBudget = 256 * 1024;
// Field 33 (UDF op) of a query.
constexpr uint8_t kUdfOpAggregate = 1;
constexpr uint8_t kUdfOpBackground = 2;
constexpr size_t kMaxKeySize = 2048;  // MAX_STRING_KSIZE / MAX_BLOB_KSIZE

// The query-specific fields of a request.
struct QueryFields {
  ByteSpan range;
  bool has_range = false;
  ByteSpan index_type;
  bool has_index_type = false;
  ByteSpan context;
  bool has_context = false;
  ByteSpan index_name;
  bool has_index_name = false;
  ByteSpan expression;
  bool has_expression = false;
  ByteSpan bvals;
  bool has_bvals = false;
  ByteSpan rps;
  bool has_rps = false;
  ByteSpan socket_timeout;
  bool has_socket_timeout = false;
  uint64_t task_id = 0;
  bool has_udf_op = false;
  uint8_t udf_op = 0;
};

QueryFields ReadQueryFields(const proto::MessageView& m) {
  QueryFields q;
  proto::FieldIterator it(m);
  proto::FieldView f;
  while (it.Next(&f)) {
    switch (static_cast<proto::FieldType>(f.type)) {
      case proto::FieldType::kIndexRange: q.has_range = true; q.range = f.data; break;
      case proto::FieldType::kIndexType: q.has_index_type = true; q.index_type = f.data; break;
      case proto::FieldType::kIndexContext: q.has_context = true; q.context = f.data; break;
      case proto::FieldType::kIndexName: q.has_index_name = true; q.index_name = f.data; break;
      case proto::FieldType::kIndexExpression:
        q.has_expression = true;
        q.expression = f.data;
        break;
      case proto::FieldType::kBvalArray: q.has_bvals = true; q.bvals = f.data; break;
      case proto::FieldType::kRecordsPerSecond: q.has_rps = true; q.rps = f.data; break;
      case proto::FieldType::kSocketTimeout:
        q.has_socket_timeout = true;
        q.socket_timeout = f.data;
        break;
      case proto::FieldType::kTaskId:
        if (f.data.size() == 8) q.task_id = LoadBE64(f.data.data());
        break;
      case proto::FieldType::kUdfOp:
        q.has_udf_op = true;
        if (f.data.size() == 1) q.udf_op = f.data[0];
        break;
      default:
        break;
    }
  }
  return q;
}

struct WhereClause {
  std::string bin;
  uint8_t particle_type = 0;
  sindex::Collection collection = sindex::Collection::kDefault;
  std::string ctx;
  std::string index_name;
  std::string expression;
  QueryRange range;
};

// Field 22 and friends, checked as get_query_range_and_def() does.
bool ParseWhere(const QueryFields& q, WhereClause* w) {
  const bool by_name = q.has_index_name, by_exp = q.has_expression;
  if (by_name && by_exp) return false;
  ByteSpan d = q.range;
  if (d.empty()) return false;
  if (d[0] != 1) return false;  // one range only
  d.remove_prefix(1);
  if (d.empty()) return false;
  const uint8_t bin_len = d[0];
  d.remove_prefix(1);
  if (bin_len == 0) {
    if (!by_name && !by_exp) return false;
  } else {
    if (by_name || by_exp) return false;
    if (bin_len > proto::kMaxBinNameLen || d.size() < bin_len) return false;
    w->bin.assign(AsChars(d.subspan(0, bin_len)));
    d.remove_prefix(bin_len);
  }
  if (d.empty()) return false;
  w->particle_type = d[0];
  d.remove_prefix(1);
  QueryRange& r = w->range;
  r.particle_type = w->particle_type;
  auto read_part = [&](std::string* out) {
    if (d.size() < 4) return false;
    const uint32_t n = LoadBE32(d.data());
    if (d.size() - 4 < n) return false;
    out->assign(AsChars(d.subspan(4, n)));
    d.remove_prefix(4 + n);
    return true;
  };
  std::string begin, end;
  switch (w->particle_type) {
    case sindex::kNumeric:
      if (!read_part(&begin) || !read_part(&end)) return false;
      if (begin.size() != 8 || end.size() != 8) return false;
      r.start = static_cast<int64_t>(LoadBE64(reinterpret_cast<const uint8_t*>(begin.data())));
      r.end = static_cast<int64_t>(LoadBE64(reinterpret_cast<const uint8_t*>(end.data())));
      if (r.start > r.end) return false;
      r.is_range = r.start != r.end;
      break;
    case sindex::kString:
    case sindex::kBlob:
      if (!read_part(&begin) || begin.size() >= kMaxKeySize) return false;
      r.key = begin;
      r.start = r.end = sindex::HashBval(begin);
      break;
    case sindex::kGeo: {
      if (!read_part(&begin) || begin.empty()) return false;
      std::optional<sindex::GeoRegion> region = sindex::ParseGeoRegion(begin);
      if (!region) return false;
      if (region->kind == sindex::GeoRegion::Kind::kPoint) {
        r.geo_contains = true;
        r.point = region->point;
        r.point_cell = S2LeafCellId(region->point.lat, region->point.lng);
        r.geo_ranges = sindex::PointAncestorRanges(r.point_cell);
      } else {
        auto shape = std::make_shared<const sindex::GeoShape>(std::move(*region));
        auto ranges = shape->CoverRanges(sindex::kQueryRegionCover);
        if (!ranges) return false;
        r.geo_ranges = std::move(*ranges);
        r.region = std::move(shape);
      }
      r.is_range = true;
      break;
    }
    default:
      return false;
  }
  if (q.has_index_type) {
    if (q.index_type.empty()) return false;
    if (q.index_type[0] > 3) return false;
    w->collection = static_cast<sindex::Collection>(q.index_type[0]);
  }
  if (by_exp) {
    if (q.expression.empty()) return false;
    w->expression.assign(AsChars(q.expression));
  }
  if (q.has_context) {
    if (by_name || by_exp || q.context.empty()) return false;
    w->ctx.assign(AsChars(q.context));
  }
  if (by_name) {
    if (q.index_name.empty() || q.index_name.size() > 63) return false;
    w->index_name.assign(AsChars(q.index_name));
  }
  return true;
}

// The index a where clause names (by name, or by its definition on the
// spec's set) and the range it asks for; the real server's codes when the
// clause is malformed or its index is missing or still building.
ResultCode ResolveWhere(const QueryFields& q, sindex::Registry& reg, QuerySpec* spec) {
  WhereClause where;
  if (!ParseWhere(q, &where)) return ResultCode::kParameter;
  spec->index = !where.index_name.empty()
                    ? reg.Find(spec->ns, where.index_name)
                    : reg.FindByDefinition(spec->ns, spec->set, where.bin, where.particle_type,
                                           where.collection, where.ctx, where.expression);
  if (spec->index == nullptr) return ResultCode::kIndexNotFound;
  if (!spec->index->readable()) return ResultCode::kIndexNotReadable;
  spec->index_name = spec->index->def().name;
  spec->range = where.range;
  return ResultCode::kOk;
}

// Partitions of the pid and digest arrays, checked as get_query_pids() does
// (bvals required with digests on indexed queries); ascending pid.
bool ParsePartitions(const RequestFields& f, const QueryFields& q, bool has_where,
                     std::vector<QueryPartition>* out, uint32_t* n_pids, uint32_t* n_keyds) {
  std::vector<int> slot(proto::kPartitions, -1);
  std::vector<QueryPartition> parts;
  if (f.has_pids) {
    const size_t n = f.pids.size() / 2;
    if (n == 0 || n > proto::kPartitions || f.pids.size() % 2 != 0) return false;
    for (size_t i = 0; i < n; ++i) {
      const uint32_t pid = LoadLE16(f.pids.data() + 2 * i);
      if (pid >= proto::kPartitions || slot[pid] >= 0) return false;
      slot[pid] = static_cast<int>(parts.size());
      parts.push_back(QueryPartition{static_cast<uint16_t>(pid)});
      ++*n_pids;
    }
  }
  if (f.has_digests) {
    const size_t n = f.digests.size() / proto::kDigestSize;
    if (n == 0 || n > proto::kPartitions || f.digests.size() % proto::kDigestSize != 0) {
      return false;
    }
    if (has_where) {
      if (!q.has_bvals || q.bvals.size() / 8 != n || q.bvals.size() % 8 != 0) return false;
    }
    for (size_t i = 0; i < n; ++i) {
      const uint8_t* d = f.digests.data() + i * proto::kDigestSize;
      const uint32_t pid = proto::PartitionId(d);
      if (slot[pid] >= 0) return false;
      QueryPartition p;
      p.pid = static_cast<uint16_t>(pid);
      p.resume = true;
      std::memcpy(p.digest.data(), d, proto::kDigestSize);
      if (has_where) p.bval = static_cast<int64_t>(LoadLE64(q.bvals.data() + 8 * i));
      slot[pid] = static_cast<int>(parts.size());
      parts.push_back(p);
      ++*n_pids;
      ++*n_keyds;
    }
  } else if (q.has_bvals) {
    return false;  // bvals without digests
  }
  std::sort(parts.begin(), parts.end(),
            [](const QueryPartition& a, const QueryPartition& b) { return a.pid < b.pid; });
  *out = std::move(parts);
  return true;
}

void Fail(ByteBuffer* out, ResultCode c, bool last) {
  ReplyHeader h;
  h.result = static_cast<uint8_t>(ToInt(c));
  if (last) h.info3 = proto::info3::kLast;
  AppendHeaderOnlyFrame(out, h);
}

}  // namespace

void Processor::HandleScan(int node, const proto::MessageView& m, const RequestFields& f,
                           ByteBuffer* out) {
  auto fail = [&](ResultCode c) { Fail(out, c, false); };
  Namespace* ns = f.has_ns ? state_->store.Find(f.ns) : nullptr;
  if (ns == nullptr) return fail(ResultCode::kInvalidNamespace);
  if (f.has_udf) {
    // Field 33: 1 aggregation (foreground, values), 2 background record UDF.
    if (f.udf.op == kUdfOpAggregate) return HandleAggregation(node, m, f, ns, out);
    if (f.udf.op == kUdfOpBackground && (m.header.info2 & proto::info2::kWrite)) {
      return HandleBackground(node, m, f, ns, out);
    }
    return Fail(out, ResultCode::kParameter, false);
  }
  if (m.header.info2 & proto::info2::kWrite) return HandleBackground(node, m, f, ns, out);
  if (!(m.header.info3 & proto::info3::kPartitionDone)) {
    return fail(ResultCode::kUnsupportedFeature);
  }
  const QueryFields q = ReadQueryFields(m);
  const bool has_where = q.has_range;
  if (f.malformed) return fail(ResultCode::kParameter);
  if (f.has_set && f.set.size() > proto::kMaxSetLen) return fail(ResultCode::kParameter);

  QuerySpec spec;
  spec.node = node;
  spec.task_id = q.task_id;
  spec.ns = ns->name();
  if (f.has_set && !f.set.empty()) {
    spec.set = std::string(f.set);
    spec.set_known = ns->FindSetId(f.set) >= 0;
  }
  uint32_t n_pids = 0, n_keyds = 0;
  if ((f.has_pids || f.has_digests || q.has_bvals) &&
      !ParsePartitions(f, q, has_where, &spec.partitions, &n_pids, &n_keyds)) {
    return fail(ResultCode::kParameter);
  }
  WhereClause where;
  if (has_where && !ParseWhere(q, &where)) return fail(ResultCode::kParameter);
  spec.short_query = (m.header.info1 & proto::info1::kShortQuery) != 0;
  if (q.has_rps) {
    if (spec.short_query || q.rps.size() != 4) return fail(ResultCode::kParameter);
    spec.records_per_second = LoadBE32(q.rps.data());
  }
  if (!f.has_pids && !f.has_digests) return fail(ResultCode::kUnsupportedFeature);
  if (has_where) {
    sindex::Registry& reg = state_->sindexes;
    if (!where.index_name.empty()) {
      spec.index = reg.Find(ns->name(), where.index_name);
    } else {
      spec.index = reg.FindByDefinition(ns->name(), spec.set, where.bin, where.particle_type,
                                        where.collection, where.ctx, where.expression);
    }
    if (spec.index == nullptr) return fail(ResultCode::kIndexNotFound);
    if (!spec.index->readable()) return fail(ResultCode::kIndexNotReadable);
    if (spec.index->def().key_type != where.particle_type) return fail(ResultCode::kParameter);
    spec.index_name = spec.index->def().name;
    spec.range = where.range;
  }
  if (q.has_socket_timeout && q.socket_timeout.size() != 4) return fail(ResultCode::kParameter);
  spec.no_bins = (m.header.info1 & proto::info1::kNoBinData) != 0;
  if (!spec.no_bins && m.header.n_ops > 0) {
    proto::OpIterator it(m.ops);
    proto::OpView op;
    while (it.Next(&op)) {
      // Plain reads select bins; read ops as a projection (S 8.1.2) are not
      // modelled here.
      if (op.op != static_cast<uint8_t>(proto::OpType::kRead)) {
        return fail(op.op == static_cast<uint8_t>(proto::OpType::kWrite) ||
                            !proto::IsReadOp(static_cast<proto::OpType>(op.op))
                        ? ResultCode::kParameter
                        : ResultCode::kUnsupportedFeature);
      }
      spec.bins.emplace_back(op.name);
    }
  }
  spec.max_records = f.has_max_records ? f.max_records : 0;
  if (f.has_filter) {
    // Reject an expression we cannot evaluate before streaming anything.
    Record probe;
    const Digest zero{};
    FilterSubject s{&probe, {}, zero.data(), clock_.now_ns};
    if (EvaluateFilter(f.filter, s) == FilterResult::kError) return fail(ResultCode::kParameter);
    spec.filter.assign(AsChars(f.filter));
  }

  std::shared_ptr<QueryJobInfo> info = state_->query_jobs.Add(node, spec.task_id);
  info->ns = spec.ns;
  info->set = spec.set;
  info->sindex_name = spec.index_name;
  info->n_pids_requested = n_pids;
  info->n_keyds_requested = n_keyds;
  info->rps = spec.records_per_second;
  info->socket_timeout = q.has_socket_timeout ? LoadBE32(q.socket_timeout.data()) : 0;
  info->start_ns = clock_.now_ns;
  auto job = std::make_unique<QueryJob>(state_, std::move(spec), std::move(info));
  uint64_t wait_ms = 0;
  if (job->Produce(out, kFirstChunkBudget, &wait_ms) != ReplyStream::Step::kDone) {
    stream_ = std::move(job);  // the connection continues it as the socket drains
  }
}

// A background query with write ops (§9.5): the ops are applied to every
// record of the partitions this node masters (or of the partitions named by
// the pid array), in the set, matching the where clause (through its index)
// and the filter; the job runs to completion before the LAST answer, and
// query-show reports it done.
void Processor::HandleBackground(int node, const proto::MessageView& m,
                                 const RequestFields& f, Namespace* ns, ByteBuffer* out) {
  // Refused before the job starts: one reply without LAST (udf_stream
  // recording, edge_requests/bg_*), as for a foreground query.
  auto fail = [&](ResultCode c) { Fail(out, c, false); };
  // A background UDF carries the call in fields 30-32 and no ops.
  const bool udf_job = f.has_udf;
  udf::UdfCallSpec udf_call;
  if (udf_job && (m.header.n_ops != 0 || !udf::ParseUdfCall(f.udf, &udf_call))) {
    return fail(ResultCode::kParameter);
  }
  if (!udf_job && m.header.n_ops == 0) return fail(ResultCode::kParameter);
  {
    proto::OpIterator it(m.ops);
    proto::OpView op;
    while (it.Next(&op)) {
      if (proto::IsReadOp(static_cast<proto::OpType>(op.op))) {
        return fail(ResultCode::kParameter);
      }
    }
  }
  if (f.malformed) return fail(ResultCode::kParameter);
  const QueryFields q = ReadQueryFields(m);
  QuerySpec spec;
  spec.node = node;
  spec.task_id = q.task_id;
  spec.ns = ns->name();
  if (f.has_set && !f.set.empty()) {
    spec.set = std::string(f.set);
    spec.set_known = ns->FindSetId(f.set) >= 0;
    // A set the namespace has never seen: NOT_FOUND before the index.
    if (!spec.set_known) return fail(ResultCode::kRecordNotFound);
  }
  if (q.has_range) {
    const ResultCode rc = ResolveWhere(q, state_->sindexes, &spec);
    if (rc != ResultCode::kOk) return fail(rc);
  }
  uint32_t rps = 0;
  if (q.has_rps) {
    if (q.rps.size() != 4) return fail(ResultCode::kParameter);
    rps = LoadBE32(q.rps.data());
  }
  if (f.has_pids) {
    const size_t n = f.pids.size() / 2;
    for (size_t i = 0; i < n; ++i) {
      const uint32_t pid = LoadLE16(f.pids.data() + 2 * i);
      if (pid < proto::kPartitions) spec.partitions.push_back({static_cast<uint16_t>(pid)});
    }
  } else {
    for (uint32_t pid = 0; pid < proto::kPartitions; ++pid) {
      if (state_->cluster.IsMaster(node, pid)) spec.partitions.push_back({static_cast<uint16_t>(pid)});
    }
  }
  // Collect first: the writes may delete records while we walk the index.
  const uint32_t now = clock_.now;
  std::vector<Digest> digests;
  std::vector<std::pair<Digest, int64_t>> found;
  for (const QueryPartition& p : spec.partitions) {
    CollectQueryCandidates(state_, spec, ns, p, now, &found);
    for (const auto& [d, b] : found) {
      if (spec.index != nullptr) {
        Record* r = ns->Find(d, now);
        if (r == nullptr) continue;
        if (!spec.set.empty() && ns->SetName(r->set_id) != spec.set) continue;
        if (spec.range.particle_type == sindex::kString ||
            spec.range.particle_type == sindex::kBlob) {
          if (!spec.index->HoldsBytes(*r, ns->SetName(r->set_id), d, clock_.now_ns,
                                      spec.range.key)) {
            continue;
          }
        }
      }
      digests.push_back(d);
    }
  }
  std::sort(digests.begin(), digests.end(), [](const Digest& a, const Digest& b) {
    return std::memcmp(a.data(), b.data(), proto::kDigestSize) < 0;
  });
  digests.erase(std::unique(digests.begin(), digests.end()), digests.end());

  std::shared_ptr<QueryJobInfo> info = state_->query_jobs.Add(node, q.task_id);
  info->ns = spec.ns;
  info->set = spec.set;
  info->sindex_name = spec.index_name;
  info->job_type = udf_job ? "background-udf" : "background-ops";
  info->udf_filename = udf_call.module;
  info->udf_function = udf_call.function;
  info->rps = rps == 0 ? 10000 : rps;  // background-query-max-rps when unset
  info->socket_timeout = 10000;
  info->start_ns = clock_.now_ns;
  proto::MsgHeader h;
  h.info2 = proto::info2::kWrite | (m.header.info2 & proto::info2::kDurableDelete);
  h.info3 = proto::info3::kUpdateOnly;  // only existing records are touched
  h.record_ttl = m.header.record_ttl;
  ByteBuffer scratch;
  for (const Digest& d : digests) {
    RequestFields rf;
    rf.has_ns = true;
    rf.ns = f.ns;
    // The record's own set: an internal write passes the set check of an
    // update (the server's FROM_IOPS origin skips it).
    if (const Record* r = ns->Find(d, now)) {
      rf.has_set = true;
      rf.set = ns->SetName(r->set_id);
    }
    rf.digest = d.data();
    rf.has_filter = f.has_filter;
    rf.filter = f.filter;
    scratch.Clear();
    uint8_t rc;
    if (udf_job) {
      // The record UDF runs as an internal UDF transaction on the record
      // (the server's iudf origin): the same path as apply().
      rf.has_udf = true;
      rf.udf = f.udf;
      proto::MsgHeader uh;
      uh.info2 = proto::info2::kWrite | (m.header.info2 & proto::info2::kDurableDelete);
      uh.record_ttl = m.header.record_ttl;
      udf::RecordUdfRequest req{&uh, ns, &rf, rf.filter, 0, clock_.now_ns, clock_.now};
      rc = udf::ExecuteRecordUdf(state_->udf, req, &scratch);
    } else {
      rc = ExecuteWrite(h, ns, rf, m.ops, m.header.n_ops, rf.filter, 0, &scratch);
    }
    ++info->throttled;
    if (rc == 0) ++info->succeeded;
    else if (rc == static_cast<uint8_t>(ToInt(ResultCode::kFilteredOut))) ++info->filtered_bins;
    else ++info->failed;
  }
  info->partitions_done = proto::kPartitions;
  info->finish_ns = clock_.now_ns;
  info->net_io_bytes = proto::kProtoHeaderSize + proto::kMsgHeaderSize;
  ReplyHeader last;
  last.info3 = proto::info3::kLast;
  AppendHeaderOnlyFrame(out, last);
}

// An aggregation query (aggr_query_job in the real server): no partition
// list; the node runs the stream UDF over each partition it masters (in the
// set, through the where clause's index), one proto frame of SUCCESS values
// per partition that has records, then LAST. A Lua failure sends its
// FAILURE value and ends the query with LAST result 1.
void Processor::HandleAggregation(int node, const proto::MessageView& m,
                                  const RequestFields& f, Namespace* ns, ByteBuffer* out) {
  // Refused before the job starts: one reply without LAST, as for any query
  // (the real server's as_query returns the code to the transaction).
  auto fail = [&](ResultCode c) { Fail(out, c, false); };
  if (f.malformed) return fail(ResultCode::kParameter);
  // "aggregation queries do not support predexp filters"
  if (f.has_filter) return fail(ResultCode::kUnsupportedFeature);
  if (m.header.info1 & proto::info1::kShortQuery) return fail(ResultCode::kParameter);
  udf::UdfCallSpec call;
  if (!udf::ParseUdfCall(f.udf, &call)) return fail(ResultCode::kParameter);
  const QueryFields q = ReadQueryFields(m);
  QuerySpec spec;
  spec.node = node;
  spec.task_id = q.task_id;
  spec.ns = ns->name();
  if (f.has_set && !f.set.empty()) {
    if (f.set.size() > proto::kMaxSetLen) return fail(ResultCode::kParameter);
    spec.set = std::string(f.set);
    spec.set_known = ns->FindSetId(f.set) >= 0;
    if (!spec.set_known) return fail(ResultCode::kRecordNotFound);
  }
  if (q.has_range) {
    const ResultCode rc = ResolveWhere(q, state_->sindexes, &spec);
    if (rc != ResultCode::kOk) return fail(rc);
  }
  std::shared_ptr<QueryJobInfo> info = state_->query_jobs.Add(node, q.task_id);
  info->ns = spec.ns;
  info->set = spec.set;
  info->sindex_name = spec.index_name;
  info->job_type = "aggregation";
  info->socket_timeout = q.has_socket_timeout && q.socket_timeout.size() == 4
                             ? LoadBE32(q.socket_timeout.data())
                             : 0;
  info->start_ns = clock_.now_ns;

  const uint32_t now = clock_.now;
  udf::AggregationContext context;
  context.ns = ns;
  context.now = now;
  std::vector<std::pair<Digest, int64_t>> found;
  std::vector<udf::AggregationRecord> records;
  ByteBuffer values;
  bool failed = false;
  for (uint32_t pid = 0; pid < proto::kPartitions && !failed; ++pid) {
    if (!state_->cluster.IsMaster(node, pid)) continue;
    QueryPartition p{static_cast<uint16_t>(pid)};
    CollectQueryCandidates(state_, spec, ns, p, now, &found);
    records.clear();
    for (const auto& [d, bval] : found) {
      const Record* r = ns->Find(d, now);
      if (r == nullptr) continue;
      if (spec.index != nullptr) {
        if (!spec.set.empty() && ns->SetName(r->set_id) != spec.set) continue;
        if ((spec.range.particle_type == sindex::kString ||
             spec.range.particle_type == sindex::kBlob) &&
            !spec.index->HoldsBytes(*r, ns->SetName(r->set_id), d, clock_.now_ns,
                                    spec.range.key)) {
          continue;
        }
      }
      records.push_back(udf::AggregationRecord{r, d});
    }
    // A collection index may reach a record through several values.
    if (spec.index != nullptr) {
      std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
        return std::memcmp(a.digest.data(), b.digest.data(), proto::kDigestSize) < 0;
      });
      records.erase(std::unique(records.begin(), records.end(),
                                [](const auto& a, const auto& b) { return a.digest == b.digest; }),
                    records.end());
    }
    info->succeeded += records.size();
    values.Clear();
    failed = !udf::AggregatePartition(state_->udf, call, context, records, &values);
    if (values.size() != 0) {
      const size_t at = BeginFrame(out);
      out->Append(values.data(), values.size());
      EndFrame(out, at);
    }
  }
  info->partitions_done = proto::kPartitions;
  info->finish_ns = clock_.now_ns;
  if (failed) info->result = "abandoned-unknown";
  ReplyHeader last;
  last.info3 = proto::info3::kLast;
  if (failed) last.result = udf::kAggregationFailedResult;
  AppendHeaderOnlyFrame(out, last);
}

}  // namespace aerospike_py::server
