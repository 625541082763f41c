// Policy, meta and config dicts of the aerospike-py API into the core's
// plain structs. Every key is checked: an unknown key, a wrong type or an
// out-of-range value is an InvalidArgError before anything is sent (the
// aerospike-py client silently ignores unknown keys; a typo there changes
// behaviour without a word). Client-level defaults come from
// config["policies"]; a per-call dict overrides them field by field.
#pragma once

#include <cstdint>
#include <string>

#include "client/command.h"
#include "client/policy.h"
#include "python/module_state.h"

namespace aerospike_py::python {

// Which dict is being read: decides the allowed keys.
enum class PolicyKind : uint8_t {
  kRead, kWrite, kBatch, kInfo, kMeta,
  kBatchRead, kBatchWrite, kBatchDelete, kBatchUdf, kDeleteMeta, kQuery, kScan,
};

// The parsed form of every policy/meta key. One struct serves all kinds;
// each kind only accepts its own keys.
struct OpPolicy {
  client::CommandPolicy base;
  std::string filter_expression;  // msgpack bytes of an expression
  int32_t read_touch_ttl_percent = 0;
  // Serving (issue 17): a get/select may be merged into a batch per node;
  // a batch_read may travel with the batch reads submitted with it.
  bool coalesce = false;
  // Writes (WritePolicy keys and WriteMeta).
  bool send_key = false;
  uint8_t exists = 0;       // POLICY_EXISTS_*: 0 ignore, 1 update-only, 2 replace, 3 replace-only, 4 create-only
  uint8_t gen_policy = 0;   // POLICY_GEN_*: 0 ignore, 1 eq, 2 gt
  uint32_t generation = 0;  // meta["gen"]
  bool commit_master = false;
  bool durable_delete = false;
  int64_t ttl = -3;         // TTL_*: -3 means "client default" (config policies)
  // Batches.
  bool allow_inline = true;
  bool allow_inline_ssd = false;
  bool respond_all_keys = true;
  bool concurrent = true;
  // Info / admin.
  uint32_t info_timeout_ms = 1000;
  // Scans and queries.
  uint64_t max_records = 0;          // 0: no limit
  uint32_t records_per_second = 0;   // 0: no throttle
  uint32_t max_concurrent_nodes = 0; // 0: all nodes at once
  // Read-ahead bound, 4 KiB of received records per slot. 256 (1 MiB): a
  // real server's query frames are ~1 MiB, so the client holds the frame
  // being consumed, one queued and the one being read; more read-ahead only
  // adds resident memory (4 MiB held +3.5 MiB RSS at the same speed).
  uint32_t record_queue_size = 64;  // x 4 KiB (docs/queries.md)
  uint8_t expected_duration = 0;     // QUERY_DURATION_*: 0 long, 1 short, 2 long relax-AP
  bool include_bin_data = true;
};

// The defaults a client starts from (aerospike-py's documented defaults),
// overridden by config["policies"].
struct ClientPolicies {
  OpPolicy read, write, operate, remove, apply, batch, info;
  // Per-record defaults of batch calls (batch_read: read keys; batch_write,
  // batch_remove, batch_apply: write keys).
  OpPolicy batch_read, batch_write, batch_remove, batch_apply;
  // Scans and queries (aerospike_py.query).
  OpPolicy query, scan;
  ClientPolicies();
};

// Applies `dict` (may be null: nothing to do) of the given kind onto `p`.
// `what` names the argument in messages ("policy", "meta").
bool ApplyPolicyDict(ModuleState* st, PyObject* dict, PolicyKind kind, const char* what,
                     OpPolicy* p);

// The record_ttl to send for a write with this policy; `client_default`
// resolves TTL_CLIENT_DEFAULT (-3).
uint32_t WriteTtl(const OpPolicy& p, const OpPolicy& client_default);

// Header bits of a write with this policy (info2/info3).
void WriteFlags(const OpPolicy& p, uint8_t* info2, uint8_t* info3);

// Reads the whole config dict of client(config) into `config` and
// `policies`. With `hosts_error`, a bad 'hosts' value (an empty list, a
// port that is not a number, ...) does not fail: its message lands there,
// for connect() to raise, as aerospike-py checks hosts only when it
// connects. Without it, a bad value fails here like any other.
bool ParseClientConfig(ModuleState* st, PyObject* config_dict, client::ClientConfig* config,
                       ClientPolicies* policies, std::string* hosts_error = nullptr);

}  // namespace aerospike_py::python
