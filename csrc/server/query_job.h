// Scans and queries of the embedded server (wire protocol §9), as the real
// server's basic query job runs them:
//  - the request names partitions (pid array: from the start; digest array
//    (+ bval array for indexed queries): after that record); they are read
//    in ascending partition order; a partition this node holds no copy of is
//    answered with a PARTITION_DONE marker carrying result 11;
//  - without a where clause, a partition's records come in digest order;
//    with one, the secondary index's entries in range come in index order
//    (bval, digest), each record re-checked against the predicate (strings
//    and blobs by their bytes, geo by exact containment), deduplicated per
//    partition for ranges over collection indexes, and sent with its bval;
//  - filter expression, selected bins or metadata only, max-records
//    ("sample-max", counted before bin selection), records-per-second
//    throttling; records in frames of ~128 KiB; LAST at the end (appended
//    to the last data frame for a short query).
// A QueryJob is a ReplyStream: it produces as the client reads. Its job
// info (query-show) lives in the server state and outlives it.
// Used by the Processor (query_command.cc) only; server event thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/byte_buffer.h"
#include "proto/digest.h"
#include "server/reply_stream.h"
#include "server/sindex/geo_region.h"
#include "server/sindex/index.h"
#include "server/sindex/s2_cover.h"
#include "server/store.h"

namespace aerospike_py::server {

struct ServerState;
struct QueryJobInfo;

// The where clause of a query, parsed (field 22 and friends).
struct QueryRange {
  uint8_t particle_type = 0;
  int64_t start = 0;  // bvals (strings/blobs: the hash of the key)
  int64_t end = 0;
  std::string key;    // string/blob key bytes
  bool is_range = false;
  bool geo_contains = false;  // GeoJSON point: regions containing it
  // GeoJSON region: points within it (built once per query).
  std::shared_ptr<const sindex::GeoShape> region;
  sindex::GeoPoint point;     // the point of a regions-containing-point query
  uint64_t point_cell = 0;    // its leaf cell
  // The index ranges a geo query reads, ascending (unsigned): the point's
  // cell and its ancestors, or the query region's covering cells.
  std::vector<std::pair<uint64_t, uint64_t>> geo_ranges;
};

// One partition to read and where to resume.
struct QueryPartition {
  uint16_t pid = 0;
  bool resume = false;
  proto::Digest digest{};
  int64_t bval = 0;
};

struct QuerySpec {
  int node = 0;
  uint64_t task_id = 0;
  std::string ns;
  std::string set;          // empty: whole namespace
  bool set_known = true;    // false: a set the namespace never had
  std::vector<QueryPartition> partitions;  // ascending pid
  sindex::Index* index = nullptr;          // null: primary-index scan
  std::string index_name;
  QueryRange range;
  std::string filter;       // field 43 (empty: none)
  bool no_bins = false;
  bool short_query = false;
  std::vector<std::string> bins;  // selected bins (empty: all)
  uint64_t max_records = 0;
  uint32_t records_per_second = 0;
};

class QueryJob final : public ReplyStream {
 public:
  QueryJob(ServerState* state, QuerySpec spec, std::shared_ptr<QueryJobInfo> info);
  ~QueryJob() override;

  Step Produce(ByteBuffer* out, size_t budget, uint64_t* wait_ms) override;

 private:
  // Gathers the records of the next partition into `pending_`.
  void LoadPartition(const QueryPartition& p, ByteBuffer* out);
  bool Matches(const Record& r, const Digest& d, int64_t bval) const;
  bool Emit(const Digest& d, const Record& r, int64_t bval, ByteBuffer* out);

  struct Candidate {
    Digest digest;
    int64_t bval;
  };

  ServerState* state_;
  QuerySpec spec_;
  std::shared_ptr<QueryJobInfo> info_;
  Namespace* ns_ = nullptr;
  size_t next_partition_ = 0;
  std::vector<Candidate> pending_;  // of the partition being sent
  size_t pending_at_ = 0;
  uint64_t sampled_ = 0;
  uint64_t sent_ = 0;
  uint64_t started_ms_ = 0;
  bool stop_ = false;
  bool finished_ = false;
  size_t frame_at_ = 0;
  bool frame_open_ = false;
};

}  // namespace aerospike_py::server
