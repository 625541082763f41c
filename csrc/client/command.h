// Commands: the unit of work that crosses from the caller's thread to the
// event thread and back. The bridge fills a command's inputs (with Python
// values already converted to wire bytes), submits it, and later reads its
// outputs on the completing side. In between only the event thread touches
// it. A command never holds a Python object: `token` is an opaque number the
// bridge maps to its future, so a command may be destroyed on any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "client/policy.h"
#include "common/byte_buffer.h"
#include "common/result_code.h"
#include "common/status.h"
#include "proto/constants.h"
#include "proto/digest.h"
#include "proto/frame_reader.h"
#include "proto/message_view.h"

namespace aerospike_py::client {

class CompletionSink;

enum class CommandKind : uint8_t {
  kConnect, kInfo, kRecord, kBatch, kAdmin,
  // Scans and queries (client/query_command.h).
  kQuery, kQueryControl, kStreamWake,
};

// Steady-clock nanosecond stamps of a command's life; zero when not reached.
struct CommandTimings {
  int64_t submitted = 0;  // Submit() called (caller's thread)
  int64_t started = 0;    // taken off the submit queue by the event thread
  int64_t sent = 0;       // last attempt's request fully written
  int64_t answered = 0;   // last byte of the answer read
  int64_t completed = 0;  // handed to the sink
};

class Command {
 public:
  explicit Command(CommandKind kind);
  virtual ~Command();
  Command(const Command&) = delete;
  Command& operator=(const Command&) = delete;

  CommandKind kind() const { return kind_; }

  // --- set by the submitter ---
  uint64_t token = 0;
  std::shared_ptr<CompletionSink> sink;
  CommandPolicy policy;

  // --- set by the event thread before completion ---
  // Not OK when no usable answer arrived: InvalidArgument (bad input found
  // late, e.g. unknown namespace in the partition map), Unavailable (no
  // node/connection), DeadlineExceeded (client timeout), DataLoss (malformed
  // answer), Cancelled (client closed), ResourceExhausted (backpressure).
  Status status;
  // The server's answer (single record), or the batch's LAST result.
  ResultCode result = ResultCode::kOk;
  // A write may have been applied although no answer says so.
  bool in_doubt = false;
  std::string node;  // name of the node of the last attempt
  uint32_t attempts = 0;
  CommandTimings timings;

 private:
  CommandKind kind_;
};

// Completes once the cluster is usable (a node validated and the partition
// map read) or fails with Unavailable after the connect timeout.
class ConnectCommand : public Command {
 public:
  ConnectCommand() : Command(CommandKind::kConnect) {}
};

class InfoCommand : public Command {
 public:
  enum class Target : uint8_t { kRandomNode, kAllNodes, kNamedNode, kHost };

  InfoCommand() : Command(CommandKind::kInfo) {}

  Target target = Target::kRandomNode;
  std::string node_name;  // kNamedNode
  Seed host;              // kHost: a fresh connection to this address
  std::string request;    // command lines, '\n'-separated
  uint32_t timeout_ms = 1000;

  // Outcome: kAllNodes completes OK with one NodeAnswer per node (each with
  // its own status); the single-target kinds fail the command when their
  // one request fails. An unknown kNamedNode: InvalidArgument with result
  // kInvalidNode.
  struct NodeAnswer {
    std::string node;
    Status status;
    std::string response;  // the raw reply body ("name\tvalue\n"...)
  };
  std::vector<NodeAnswer> answers;
};

// A key as the bridge read it from Python: namespace, set and either a user
// key in wire form or a digest the caller supplied.
struct RecordKey {
  std::string ns;
  std::string set;
  proto::ParticleType key_type = proto::ParticleType::kNull;  // kNull: digest only
  std::string key_bytes;  // int: 8 bytes BE; str: UTF-8; bytes: raw
  bool has_digest = false;
  proto::Digest digest{};  // computed on the event thread unless has_digest
};

// A single-record command (get, put, operate, delete, touch, exists, ...).
class RecordCommand : public Command {
 public:
  RecordCommand() : Command(CommandKind::kRecord) {}

  // --- inputs ---
  RecordKey key;
  bool is_write = false;  // routes to the master; retries are in doubt
  bool send_key = false;  // adds the user key field
  uint8_t info1 = 0, info2 = 0, info3 = 0, info4 = 0;
  uint32_t generation = 0;
  uint32_t record_ttl = 0;
  std::string filter_expression;  // field 43 data, if non-empty
  ByteBuffer ops;                 // complete encoded ops (proto::OpWriter)
  uint16_t n_ops = 0;
  // A record UDF (apply): complete fields 30-32 (size, type, data), sent
  // after the filter expression; n_udf_fields 0 for any other command.
  ByteBuffer udf_fields;
  uint16_t n_udf_fields = 0;
  // Bridge-owned, carried untouched: how each op's result becomes a Python
  // value (python/op_results.h), one byte per op; empty: all as decoded.
  std::string op_shapes;
  // A get/select that may be merged with others into one batch request per
  // node (client/coalescer.h).
  bool coalescable = false;

  // --- outputs ---
  // A namespace no node serves: status InvalidArgument and result
  // kInvalidNamespace (nothing was sent).
  proto::Frame response;        // owns the answer's bytes
  proto::MessageView message;   // header (result, generation, void time) and ops
};

// One kind of batch row: everything except the key. Rows of a batch point at
// one of these; rows sharing a shape and a namespace/set go as REPEAT rows.
struct BatchRowSpec {
  uint8_t row_flags = proto::batch_row_flags::kHasInfo | proto::batch_row_flags::kHasTtl;
  uint8_t info1 = 0, info2 = 0, info3 = 0, info4 = 0;
  uint16_t generation = 0;
  uint32_t ttl = 0;
  bool is_write = false;
  bool send_key = false;
  std::string filter_expression;  // per-row field 43 data
  ByteBuffer ops;
  uint16_t n_ops = 0;
  // A UDF row (batch_apply): complete fields 30-32, sent after the key.
  ByteBuffer udf_fields;
  uint16_t n_udf_fields = 0;
  // Bridge-owned, carried untouched (python/op_results.h): 0 bins as read,
  // else operate() results (1 without empty ones, 2 with them), with
  // `op_shapes` as in RecordCommand.
  uint8_t op_results = 0;
  std::string op_shapes;
};

struct BatchKey {
  uint16_t ns_set = 0;  // index into BatchCommand::ns_sets
  uint16_t spec = 0;    // index into BatchCommand::specs
  proto::ParticleType key_type = proto::ParticleType::kNull;
  uint32_t key_offset = 0;  // user key bytes in BatchCommand::key_bytes
  uint32_t key_len = 0;
  bool has_digest = false;
  proto::Digest digest{};
};

struct NamespaceSet {
  std::string ns;
  std::string set;
};

struct BatchRecordResult {
  // `answered == false`: no record message came back for this key. Then
  // `result` says why: a client-side code for a failed node request
  // (kTimeout for timeouts, kConnection for network errors, kClientError for
  // a malformed answer, kClientAbort when the client closed), the batch's
  // LAST code when the server ended that request early (e.g. 151), or
  // kInvalidNamespace for a namespace no node serves; `in_doubt` is set for
  // writes whose request may have been sent.
  bool answered = false;
  ResultCode result = ResultCode::kOk;
  bool in_doubt = false;
  uint32_t generation = 0;
  uint32_t void_time = 0;
  proto::MessageView message;  // ops of this record's answer (views into frames)
};

class BatchCommand;

// Work the submitter hands to the event thread for a finished batch: it runs
// there once every key has its result (or the batch failed), just before the
// command goes to its sink. The bridge uses it to write records into a
// NumPy buffer without holding the GIL. Must not touch Python; may be
// destroyed on any thread. It may run for a batch that ended early (bad
// input found late, client closed): `status` says how the batch ended.
class BatchFinisher {
 public:
  virtual ~BatchFinisher() = default;
  virtual void OnBatchDone(BatchCommand& cmd, const Status& status) = 0;
};

// Told on the event thread, as a batch's answer arrives, which rows it
// just answered: after each answer frame that checked out, before the next
// frame is read. Rows handed over are final: a later malformed frame of
// the same request no longer takes them back (their records were checked
// one by one). Coalesced gets use it to wake each caller as soon as its
// own record is in (client/coalescer.cc). Must not touch Python.
class BatchRowListener {
 public:
  virtual ~BatchRowListener() = default;
  virtual void OnRowsAnswered(BatchCommand& cmd, const std::vector<uint32_t>& keys) = 0;
};

class BatchCommand : public Command {
 public:
  BatchCommand() : Command(CommandKind::kBatch) {}

  // --- inputs ---
  uint8_t batch_flags = proto::batch_flags::kInline | proto::batch_flags::kReportErrorRecord;
  std::string filter_expression;  // batch-level field 43 data
  std::vector<NamespaceSet> ns_sets;
  std::vector<BatchRowSpec> specs;
  std::vector<BatchKey> keys;     // in the caller's order
  ByteBuffer key_bytes;
  std::unique_ptr<BatchFinisher> finisher;  // optional; see BatchFinisher
  std::shared_ptr<BatchRowListener> row_listener;  // optional; see BatchRowListener
  // A read-only batch the caller lets travel with other batches submitted
  // together (policy 'coalesce'; client/batch_coalescer.h).
  bool coalescable = false;

  // --- outputs ---
  // `status`: OK when every node request ended with a well-formed answer
  // (per-key outcomes are in `results`); otherwise the first node failure
  // that survived the retries (other keys still carry their results), or
  // DataLoss when a server ended a batch without answering some keys.
  // `result`: the first non-zero LAST code of any node request.
  std::vector<proto::Frame> frames;         // answer frames holding records (views point here)
  std::vector<BatchRecordResult> results;   // one per key, caller's order
  // A batch that travelled inside a merged one: its records' views point
  // into the merged batch's frames, which this keeps alive (shared by
  // every batch of the merge); `frames` stays empty.
  std::shared_ptr<const std::vector<proto::Frame>> shared_frames;
};

}  // namespace aerospike_py::client
