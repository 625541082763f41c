// Scans and queries as commands: what the bridge fills in (QueryCommand),
// the per-partition progress that makes a query resumable (PartitionStatus,
// also the pagination cursor), and the two small commands around a running
// stream: QueryControlCommand (consumer -> event thread: resume reading,
// cancel) and StreamWakeCommand (stream -> the consumer's mailbox: records
// or the end arrived). The records themselves travel through a QueryStream
// (client/query_stream.h), not through the command.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "client/command.h"
#include "common/byte_buffer.h"
#include "proto/constants.h"
#include "proto/digest.h"

namespace aerospike_py::client {

class QueryStream;

// Where one partition of a query stands. `started`: the records up to
// `digest` (and, for secondary-index queries, `bval`) were returned, so the
// partition resumes after them; `done`: nothing more to read. A query's
// vector of these is its cursor: handing it to a later query continues
// where this one stopped.
struct PartitionStatus {
  uint16_t pid = 0;
  bool started = false;
  bool done = false;
  bool has_bval = false;
  proto::Digest digest{};
  int64_t bval = 0;
};

class QueryCommand : public Command {
 public:
  QueryCommand() : Command(CommandKind::kQuery) {}

  // --- inputs ---
  std::string ns;
  std::string set;  // empty: the whole namespace
  // Header bits: info1 READ (+ GET_NO_BINS, SHORT_QUERY), info2 (RELAX_AP
  // or WRITE (+DURABLE_DELETE) for background queries), info3
  // PARTITION_DONE is always added for foreground queries.
  uint8_t info1 = proto::info1::kRead;
  uint8_t info2 = 0;
  uint8_t info3 = 0;
  uint32_t record_ttl = 0;  // background: TTL of touched records
  // A background query (write ops or a UDF): each node runs it over its
  // own partitions and answers with one LAST message; no records.
  bool background = false;
  // An aggregation (UDF op AGGREGATE, fields in udf_fields): like a
  // background query, every node once over the partitions it masters, no
  // partition list; its answers are SUCCESS/FAILURE values, not records
  // (they reach the stream as records without digest).
  bool aggregate = false;
  // The where clause as complete fields (size, type, data) in wire order
  // (26 index type, 22 range, 23 context, 21 index name, 24 expression).
  // `has_where`: resume points carry the bval of the last record.
  ByteBuffer where_fields;
  uint16_t n_where_fields = 0;
  bool has_where = false;
  std::string filter_expression;  // field 43 data, if non-empty
  ByteBuffer udf_fields;          // background UDF or aggregation: fields 33, 30, 31, 32
  uint16_t n_udf_fields = 0;
  ByteBuffer ops;                 // selected bins (READ ops) or write ops
  uint16_t n_ops = 0;
  uint64_t max_records = 0;          // 0: no limit (foreground only)
  uint32_t records_per_second = 0;   // 0: no throttle (per node)
  uint64_t task_id = 0;              // 0: a random id is chosen
  uint32_t max_concurrent_nodes = 0; // 0: every node at once
  // Partitions to read and where each resumes. Empty: all 4096 from the
  // start. Updated in place as records arrive; on completion it is the
  // cursor a later command continues from.
  std::vector<PartitionStatus> partitions;
  // Foreground queries: where records go (also the command's sink).
  std::shared_ptr<QueryStream> stream;

  // --- outputs ---
  uint64_t records = 0;    // records handed to the stream
  bool all_done = false;   // every partition was read to its end
};

// Consumer -> event thread, about the query that feeds `stream`. Handled
// by the engine at once (never admitted, never answered).
class QueryControlCommand : public Command {
 public:
  enum class Action : uint8_t { kResume, kCancel };
  QueryControlCommand(std::shared_ptr<QueryStream> s, Action a)
      : Command(CommandKind::kQueryControl), stream(std::move(s)), action(a) {}
  std::shared_ptr<QueryStream> stream;
  Action action;
};

// Delivered to an asyncio consumer's mailbox (with the token it armed)
// when its stream has records to take or has ended.
class StreamWakeCommand : public Command {
 public:
  StreamWakeCommand() : Command(CommandKind::kStreamWake) {}
};

}  // namespace aerospike_py::client
