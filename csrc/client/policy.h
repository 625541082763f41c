// Client configuration and per-command policies as plain structs. The
// bridge fills them from Python dicts (validating every key); the core only
// reads them. Defaults follow aerospike-py's documented defaults.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tls/tls_config.h"

namespace aerospike_py::client {

enum class Replica : uint8_t {
  kMaster = 0,      // always the partition's master
  kSequence = 1,    // master first, then the replicas in order on retry
  kPreferRack = 2,  // a replica on the client's rack first, then sequence
  kAny = 3,         // rotate over master and replicas
};

enum class ReadModeAp : uint8_t { kOne = 0, kAll = 1 };

struct Seed {
  std::string host;
  uint16_t port = 3000;
  std::string tls_name;
};

struct ClientConfig {
  std::vector<Seed> seeds;
  std::string cluster_name;            // checked against `cluster-name` when set
  std::string user;                    // empty: no authentication
  std::string password;
  // How the user logs in: 0 internal (bcrypt credential), 1 external
  // (LDAP: the clear password too; TLS only), 2 PKI (the TLS client
  // certificate names the user; no user/password).
  uint8_t auth_mode = 0;
  // External login without TLS (the official client's
  // AUTH_EXTERNAL_INSECURE): the password crosses the network in clear.
  bool external_insecure = false;
  tls::TlsConfig tls;
  uint32_t connect_timeout_ms = 1000;  // per connection attempt, and connect()
  uint32_t login_timeout_ms = 5000;
  uint32_t tend_interval_ms = 1000;
  uint32_t max_conns_per_node = 256;
  uint32_t min_conns_per_node = 0;
  uint32_t idle_timeout_ms = 55000;    // pooled sockets idle longer are closed
  uint32_t max_error_rate = 0;         // 0: no circuit breaker
  uint32_t error_rate_window = 1;      // tend intervals
  bool use_services_alternate = false;
  bool rack_aware = false;
  std::vector<int32_t> rack_ids;
  // Admission control: at most this many commands in flight (0: no limit);
  // the rest wait in FIFO order up to operation_queue_timeout_ms (0: forever)
  // and then fail with a backpressure error.
  uint32_t max_concurrent_operations = 0;
  uint32_t operation_queue_timeout_ms = 0;
  std::string app_id;
  // Batch requests carry at most this many keys each (the server's
  // batch-max-requests, 5000 by default); larger batches are split.
  uint32_t max_keys_per_batch_request = 5000;
  // Serving (issue 17): after the first coalescable read of a wakeup, the
  // event thread waits this long for more before merging (0: merge what
  // one wakeup brought).
  uint32_t coalesce_window_us = 0;
};

struct CommandPolicy {
  uint32_t socket_timeout_ms = 30000;  // per attempt; 0: none
  uint32_t total_timeout_ms = 1000;    // whole command; 0: none
  uint32_t max_retries = 2;
  uint32_t sleep_between_retries_ms = 0;
  // After a timeout mid-answer (socket or total), keep reading the
  // connection this long so the late answer can be drained and the
  // connection reused instead of closed (0: closed at once).
  uint32_t timeout_delay_ms = 0;
  Replica replica = Replica::kSequence;
  ReadModeAp read_mode_ap = ReadModeAp::kOne;
  bool compress = false;               // compress requests above 128 bytes
  // Serving (issue 17). Hedged reads: a read still unanswered after this
  // fraction (per mille) of its budget is sent to another replica too; the
  // first answer wins (0: never hedged; writes never are).
  uint32_t hedge_permille = 0;
  // Adaptive hedging: the read is sent to the other replica too once it
  // has waited as long as that replica takes for this percentile of its
  // recent reads (e.g. 95: its p95; client/hedge.h rounds it to the
  // timers' milliseconds), 0: off. With both set, the earlier delay.
  double hedge_percentile = 0;
  bool hedged() const { return hedge_permille != 0 || hedge_percentile != 0; }
};

}  // namespace aerospike_py::client
