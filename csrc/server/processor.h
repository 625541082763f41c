// Processor: turns one request frame received by a node into reply bytes.
// Pure request/response logic over the shared ServerState (store, cluster,
// options); no sockets, so GoogleTest drives it directly. Runs on the
// server's event thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/byte_buffer.h"
#include "common/result_code.h"
#include "proto/frame_reader.h"
#include "proto/message_view.h"
#include "server/cluster.h"
#include "server/query_jobs.h"
#include "server/reply_stream.h"
#include "server/request.h"
#include "server/security/security.h"
#include "server/server.h"
#include "server/sindex/registry.h"
#include "server/store.h"
#include "server/udf/modules.h"
#include "tls/tls_context.h"

namespace aerospike_py::server {

struct ServerStats {
  uint64_t start_ns = 0;
  uint64_t connections_opened = 0;
  uint64_t connections_closed = 0;
  uint64_t info_complete = 0;
  uint64_t batch_index_initiate = 0;
  uint64_t batch_index_complete = 0;
  uint64_t batch_index_error = 0;
  uint64_t demarshal_error = 0;
};

struct ServerState {
  ServerState(ServerOptions opts, std::vector<std::string> node_ids,
              std::vector<uint16_t> ports)
      : options(std::move(opts)),
        store(options.namespaces, options.default_ttl),
        cluster(std::move(node_ids), std::move(ports), options.replication_factor) {}

  ServerOptions options;
  Store store;
  Cluster cluster;
  // Secondary indexes (server/sindex/): observes `store`, so declared after it.
  sindex::Registry sindexes{&store};
  ServerStats stats;
  // Scan/query jobs by (node, task id): each node reports its own part of
  // a job, as each server does (query-show).
  QueryJobs query_jobs;
  // `user-agent-set` values (base64, as sent) by node, with how many times
  // each was set; reported by the `user-agents` info command.
  static constexpr size_t kMaxUserAgents = 1000;
  std::map<std::pair<int, std::string>, uint64_t> user_agents;
  // Registered UDF modules (shared by every node, as SMD shares them).
  udf::UdfModules udf;
  // Security mode (ServerOptions::security.enable); null when off.
  std::unique_ptr<security::Security> security;
  // The TLS listeners' context (ServerOptions::tls.enable); null when off.
  std::shared_ptr<tls::TlsContext> tls;
};

// What the caller must do with the connection after a frame.
enum class FrameOutcome : uint8_t { kReply, kClose };

// Time of the request being processed, read once per frame.
struct Clock {
  uint64_t now_ns = 0;
  uint32_t now = 0;  // server-epoch seconds
};

class Processor {
 public:
  explicit Processor(ServerState* state) : state_(state) {}

  // Handles one complete frame received by `node` and appends its reply
  // (possibly several frames, e.g. a batch) to `out`.
  // `session` is the connection's state (nullptr: a connection of its own).
  FrameOutcome Handle(int node, const proto::Frame& frame, ByteBuffer* out,
                      ClientSession* session = nullptr);

  // Answers one info request body (lines ending in '\n') into `out` (a
  // whole type-1 frame).
  void HandleInfo(int node, std::string_view body, ByteBuffer* out,
                  ClientSession* session = nullptr);
  // The value of a single info command (no echo, no newline).
  std::string InfoValue(int node, std::string_view command);

  // A reply to be continued as the socket drains (a scan or query), left by
  // the frame Handle() just processed; the connection takes it over.
  std::unique_ptr<ReplyStream> TakeStream() { return std::move(stream_); }

  // Fault injection (FaultKind::kKeyBusy): while non-zero, every record
  // command, single or batch row, is answered with this result code and
  // not executed. The event thread sets it around one frame.
  void set_forced_record_result(uint8_t code) { forced_record_result_ = code; }
  // Who sent the frames handled next (the connection sets it around each
  // Handle call); security checks and admin commands read it.
  void set_session(ClientSession* session) { session_ = session; }

 private:
  FrameOutcome HandleMessage(int node, ByteSpan body, ByteBuffer* out);
  void HandleAdmin(ByteSpan body, ByteBuffer* out);
  // Security mode: 0 when the current session may run a data command
  // needing `perm` on ns/set, else the refusing result code.
  uint8_t SecurityCheck(std::string_view ns, std::string_view set, uint64_t perm, bool is_write);
  void HandleBatch(int node, const proto::MessageView& m, const RequestFields& f,
                   ByteBuffer* out);
  void HandleScan(int node, const proto::MessageView& m, const RequestFields& f,
                  ByteBuffer* out);
  void HandleBackground(int node, const proto::MessageView& m, const RequestFields& f,
                        Namespace* ns, ByteBuffer* out);
  // A query with UDF op AGGREGATE (server/udf/aggregation.h): every
  // partition this node masters, answered at once.
  void HandleAggregation(int node, const proto::MessageView& m, const RequestFields& f,
                         Namespace* ns, ByteBuffer* out);
  std::string QueryAbortInfo(int node, std::string_view params);
  std::string QueryShowInfo(int node, std::string_view params);
  // Executes one single-record command (or batch row) and appends its
  // reply AS_MSG (no proto header) to `out`; returns the result code.
  uint8_t ExecuteRecord(int node, const proto::MsgHeader& h, Namespace* ns,
                        const RequestFields& f, ByteSpan ops, uint16_t n_ops,
                        const RequestFields* batch_filter, uint32_t index,
                        ByteBuffer* out);
  uint8_t ExecuteRead(const proto::MsgHeader& h, Namespace* ns, const RequestFields& f,
                      ByteSpan ops, uint16_t n_ops, ByteSpan filter, uint32_t index,
                      ByteBuffer* out);
  uint8_t ExecuteWrite(const proto::MsgHeader& h, Namespace* ns, const RequestFields& f,
                       ByteSpan ops, uint16_t n_ops, ByteSpan filter, uint32_t index,
                       ByteBuffer* out);
  uint8_t ExecuteDelete(const proto::MsgHeader& h, Namespace* ns, const RequestFields& f,
                        ByteSpan filter, uint32_t index, ByteBuffer* out);
  void CountMisrouted(int node, const uint8_t* digest, bool write);

  std::string InfoCommand(int node, std::string_view line, ClientSession* session = nullptr);
  std::string UserAgentSetInfo(int node, std::string_view params, ClientSession* session);
  std::string NamespaceInfo(std::string_view ns);
  std::string SetsInfo(std::string_view args);
  std::string StatisticsInfo();
  std::string ReplicasInfo(int node, bool with_regime, bool master_only, int max_columns = 0);
  std::string PeersInfo(int node, bool tls = false);
  std::string ServiceInfo(int node, bool tls = false);
  std::string ServicesList(int node);
  std::string TruncateInfo(std::string_view params, bool whole_namespace);
  std::string TruncateUndoInfo(std::string_view params, bool whole_namespace);

  ServerState* state_;
  std::unique_ptr<ReplyStream> stream_;  // see TakeStream()
  uint8_t forced_record_result_ = 0;
  ClientSession* session_ = nullptr;
  Clock clock_;
};

}  // namespace aerospike_py::server
