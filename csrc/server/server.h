// The embedded Aerospike-compatible server: the public C++ API. One Server
// runs N nodes ("cluster mode") on a single libuv event thread that it owns;
// every node has its own listening port, node id, peers list and partition
// ownership, and all nodes share one in-memory store. Tests (GoogleTest in
// C++, pytest through aerospike_py._server), the demo and the benchmarks
// start it; real clients cannot tell it from Aerospike for what it supports.
//
// Thread safety: every method may be called from any thread except the
// server's own event thread. Control calls (StopNode, Reshuffle, SetFault,
// Info, ...) are queued to the event thread and wait for it to apply them,
// so when they return the change is visible to the next request.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "server/security/security_options.h"
#include "tls/tls_config.h"

namespace aerospike_py::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  // 0: every node gets its own ephemeral port. Otherwise node i listens on
  // port + i.
  uint16_t port = 0;
  int nodes = 1;
  std::vector<std::string> namespaces = {"test"};
  // Copies of each partition (master + replicas), capped by the number of
  // live nodes.
  int replication_factor = 1;
  // Empty: the server answers `cluster-name` with "null" like an unnamed
  // Aerospike cluster, and clients must not be configured with a name.
  std::string cluster_name;
  // Seconds a record lives when a write asks for the namespace default
  // (record_ttl 0); 0 means never expire.
  uint32_t default_ttl = 0;
  // Node ids (uppercase hex, as `node` answers), one per node; empty
  // entries or a short list: derived from the port and node index.
  std::vector<std::string> node_ids;
  // How often expired records are swept (reads hide them at once anyway).
  uint32_t sweep_interval_ms = 1000;
  // `batch-max-requests`: rows above this fail the batch with 151; 0 (the
  // server's default) means no limit.
  uint32_t batch_max_requests = 0;

  // --- Enterprise-like modes (tests of TLS and security) ---
  // With tls.enable, every node also listens for TLS connections (its
  // certificate from tls.certfile/keyfile; tls.require_client_cert for
  // mutual TLS) on tls_port + i (0: an ephemeral port each), and answers
  // service-tls-std / peers-tls-std with those endpoints and tls_name.
  tls::TlsConfig tls;
  uint16_t tls_port = 0;
  std::string tls_name = "aerospike-test";
  // Users, roles, privileges, whitelists, quotas, sessions; enforced on
  // every connection (clear and TLS). Off: admin commands answer 52.
  SecurityOptions security;
};

// Misbehaviour a node can be told to show, for reliability tests.
enum class FaultKind : uint8_t {
  kNone = 0,
  kDelay = 1,          // hold each reply for delay_ms before sending it
  kDropMidReply = 2,   // send the first half of a reply, then close
  kGarbage = 3,        // send bytes that are not a valid frame instead
  kStopAnswering = 4,  // read requests, never reply (connections stay open)
  kKeyBusy = 5,        // answer every record (single or batch row) KEY_BUSY, unexecuted
  // A multi-record reply (batch, scan) sends its first `rows` record
  // messages at once, as frames of their own, and the rest (with the LAST
  // message) delay_ms later: a slow tail, for "early callers are woken
  // before the last row arrives" (coalesced gets).
  kStallAfterRows = 6,
};

// Which replies a fault applies to.
enum class FaultScope : uint8_t {
  kAll = 0,   // info (tend) and data replies
  kData = 1,  // AS_MSG replies only (commands, batches, scans)
  kInfo = 2,  // info replies only
};

struct Fault {
  FaultKind kind = FaultKind::kNone;
  FaultScope scope = FaultScope::kAll;
  uint32_t delay_ms = 0;  // kDelay, kStallAfterRows
  uint32_t rows = 0;      // kStallAfterRows: record messages sent before the stall
  // Number of replies to affect, then the fault clears itself; 0: until
  // cleared.
  uint32_t count = 0;
};

class ServerImpl;  // csrc/server/server.cc: the event thread and the nodes

class Server {
 public:
  // Binds every node's port and starts the event thread. Fails (and starts
  // nothing) when a port cannot be bound or the options are invalid.
  static StatusOr<std::unique_ptr<Server>> Start(ServerOptions options);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Closes every listener and connection and joins the event thread.
  // Idempotent.
  void Stop();
  // After Stop(): true when every uv handle was closed and the loop closed
  // with uv_loop_close() == 0 (tests assert it).
  bool stopped_cleanly() const;

  const ServerOptions& options() const;
  const std::string& host() const;
  // The port of each node (fixed for the server's life, also while a node
  // is stopped).
  std::vector<uint16_t> ports() const;
  // The TLS port of each node (empty without tls.enable).
  std::vector<uint16_t> tls_ports() const;
  int nodes() const;
  // The node's id as `node` answers it, e.g. "BB9C350000001".
  std::string NodeId(int node) const;

  // Closes a node's listener and connections; the remaining nodes drop it
  // from their peers lists and take over its partitions (peers-generation
  // and partition-generation bump). Its data stays in the shared store.
  Status StopNode(int node);
  // Listens again on the node's port and gives it back its partitions.
  Status StartNode(int node);
  bool NodeRunning(int node) const;
  // Moves partition ownership around (every live node's
  // partition-generation bumps), so clients must re-read `replicas`.
  void Reshuffle();

  // Requests that reached `node` although it is not the partition's master
  // (writes) or one of its replicas (reads); batch rows and scanned
  // partitions count one each. Also answered by the `misrouted` info
  // command of that node.
  uint64_t Misrouted(int node) const;
  uint64_t MisroutedTotal() const;
  void ResetMisrouted();

  // Applies `fault` to a node (node -1: every node); FaultKind::kNone clears.
  Status SetFault(int node, const Fault& fault);
  void ClearFaults();

  // Runs one info command on a node, as a client would over the wire, and
  // returns its value (without the echoed name), e.g. Info(0, "build").
  StatusOr<std::string> Info(int node, std::string_view command);

  // Records stored in a namespace (all sets), expired ones excluded.
  uint64_t RecordCount(std::string_view ns);
  // Empties every namespace (a fixture reset; not something Aerospike has).
  void Clear();

 private:
  explicit Server(std::unique_ptr<ServerImpl> impl);
  std::unique_ptr<ServerImpl> impl_;
};

}  // namespace aerospike_py::server
