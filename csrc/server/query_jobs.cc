#include "server/query_jobs.h"

#include <cstdio>

#include "absl/strings/str_cat.h"

namespace aerospike_py::server {
namespace {

std::string Progress(const QueryJobInfo& j) {
  uint32_t done = j.finish_ns != 0 ? 4096 : j.partitions_done;
  if (done > 4096) done = 4096;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", static_cast<double>(done) * 100.0 / 4096.0);
  return buf;
}

std::string Describe(const QueryJobInfo& j, uint64_t now_ns) {
  const bool done = j.finish_ns != 0;
  const uint64_t active_ns = done ? j.finish_ns - j.start_ns : now_ns - j.start_ns;
  const uint64_t since_done_ns = done && now_ns > j.finish_ns ? now_ns - j.finish_ns : 0;
  std::string s = absl::StrCat("trid=", j.trid, ":ns=", j.ns);
  if (!j.set.empty()) absl::StrAppend(&s, ":set=", j.set);
  if (!j.sindex_name.empty()) absl::StrAppend(&s, ":sindex-name=", j.sindex_name);
  if (j.n_pids_requested != 0) {
    absl::StrAppend(&s, ":n-pids-requested=", j.n_pids_requested,
                    ":n-keyds-requested=", j.n_keyds_requested);
  }
  absl::StrAppend(&s, ":rps=", j.rps, ":active-threads=", done ? 0 : 1,
                  ":status=", done ? "done(" : "active(", j.result, ")",
                  ":job-progress=", Progress(j), ":run-time=", active_ns / 1000000,
                  ":time-since-done=", since_done_ns / 1000000,
                  ":recs-throttled=", j.throttled, ":recs-filtered-meta=", j.filtered_meta,
                  ":recs-filtered-bins=", j.filtered_bins, ":recs-succeeded=", j.succeeded,
                  ":recs-failed=", j.failed, ":from=", j.client.empty() ? "127.0.0.1+0" : j.client,
                  ":job-type=", j.job_type, ":net-io-bytes=", j.net_io_bytes);
  if (j.job_type == "basic" || j.job_type == "aggregation") {
    absl::StrAppend(&s, ":net-io-time=0:socket-timeout=", j.socket_timeout);
  } else if (j.job_type == "background-udf") {
    absl::StrAppend(&s, ":socket-timeout=", j.socket_timeout, ":udf-filename=", j.udf_filename,
                    ":udf-function=", j.udf_function, ":udf-active=0");
  } else {
    absl::StrAppend(&s, ":socket-timeout=", j.socket_timeout, ":ops-active=", done ? 0 : 1);
  }
  return s;
}

}  // namespace

std::shared_ptr<QueryJobInfo> QueryJobs::Add(int node, uint64_t trid) {
  auto info = std::make_shared<QueryJobInfo>();
  info->trid = trid;
  info->node = node;
  const auto key = std::make_pair(node, trid);
  if (jobs_.insert_or_assign(key, info).second) order_.push_back(key);
  while (order_.size() > kMaxJobs) {
    jobs_.erase(order_.front());
    order_.pop_front();
  }
  return info;
}

std::shared_ptr<QueryJobInfo> QueryJobs::Find(int node, uint64_t trid) const {
  auto it = jobs_.find({node, trid});
  return it == jobs_.end() ? nullptr : it->second;
}

std::string QueryJobs::Show(int node, uint64_t trid, uint64_t now_ns) const {
  std::shared_ptr<QueryJobInfo> j = Find(node, trid);
  if (j == nullptr) return "ERROR:2:job not found";
  return Describe(*j, now_ns);
}

std::string QueryJobs::ShowAll(int node, uint64_t now_ns) const {
  std::string out;
  // Newest first, as the real server lists them.
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    if (it->first != node) continue;
    auto j = jobs_.find(*it);
    if (j == jobs_.end()) continue;
    if (!out.empty()) out += ';';
    out += Describe(*j->second, now_ns);
  }
  return out;
}

std::string QueryJobs::Abort(int node, uint64_t trid) {
  std::shared_ptr<QueryJobInfo> j = Find(node, trid);
  if (j == nullptr || j->finish_ns != 0) return "ERROR:2:id not active";
  j->abort_requested = true;
  return "ok";
}

std::string QueryJobs::AbortAll(int node) {
  uint32_t n = 0;
  for (auto& [key, j] : jobs_) {
    if (key.first == node && j->finish_ns == 0) {
      j->abort_requested = true;
      ++n;
    }
  }
  return absl::StrCat("OK - number of queries killed: ", n);
}

uint32_t QueryJobs::Active(int node) const {
  uint32_t n = 0;
  for (const auto& [key, j] : jobs_) {
    if (key.first == node && j->finish_ns == 0) ++n;
  }
  return n;
}

}  // namespace aerospike_py::server
