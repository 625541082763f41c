// The embedded server's query job monitor: one record per scan/query job
// (foreground or background) by node and transaction id, reported by
// `query-show` / `scan-show` in the real server's format, and the
// `query-abort` of a running foreground job. The most recent kMaxJobs are
// kept. Server event thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>

namespace aerospike_py::server {

struct QueryJobInfo {
  uint64_t trid = 0;
  int node = 0;
  std::string ns;
  std::string set;
  std::string sindex_name;
  std::string job_type = "basic";  // basic, aggregation, background-ops, background-udf
  // background-udf: the module (no ".lua") and function.
  std::string udf_filename;
  std::string udf_function;
  std::string client;              // "127.0.0.1+port"
  uint32_t n_pids_requested = 0;
  uint32_t n_keyds_requested = 0;
  uint32_t rps = 0;
  uint32_t socket_timeout = 0;
  uint64_t start_ns = 0;
  uint64_t finish_ns = 0;   // 0 while active
  std::string result = "ok";  // ok, user-aborted, abandoned-response-error, ...
  uint32_t partitions_done = 0;
  uint64_t throttled = 0;
  uint64_t filtered_meta = 0;
  uint64_t filtered_bins = 0;
  uint64_t succeeded = 0;
  uint64_t failed = 0;
  uint64_t net_io_bytes = 0;
  bool abort_requested = false;  // query-abort: stop at the next chance
};

class QueryJobs {
 public:
  static constexpr size_t kMaxJobs = 1000;

  // Registers a job (replacing an older one with the same node and trid).
  std::shared_ptr<QueryJobInfo> Add(int node, uint64_t trid);
  std::shared_ptr<QueryJobInfo> Find(int node, uint64_t trid) const;
  // The value of `query-show:trid=<id>` (or every job of the node when
  // `all`), as the real server prints it.
  std::string Show(int node, uint64_t trid, uint64_t now_ns) const;
  std::string ShowAll(int node, uint64_t now_ns) const;
  // query-abort: "OK" or the real server's error.
  std::string Abort(int node, uint64_t trid);
  std::string AbortAll(int node);
  uint32_t Active(int node) const;

 private:
  std::map<std::pair<int, uint64_t>, std::shared_ptr<QueryJobInfo>> jobs_;
  std::deque<std::pair<int, uint64_t>> order_;
};

}  // namespace aerospike_py::server
