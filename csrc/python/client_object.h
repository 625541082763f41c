// The Client and AsyncClient heap types. Both share one C layout and one
// implementation of every method; `is_async` decides at the end whether the
// finished command is waited for (sync: GIL released) or handed to the
// running loop's bridge (async: a future is returned). Hot methods (get,
// put, operate, batch_read, ...) are C functions called directly by Python,
// with no Python frame in between; aerospike_py.client subclasses the types
// only to add connect()/close() conveniences and context managers.
#pragma once

#include <memory>
#include <string>

#include "client/client.h"
#include "client/command.h"
#include "python/policies.h"
#include "python/results.h"
#include "python/stage_stats.h"

namespace aerospike_py::python {

struct ClientState {
  client::ClientConfig config;
  ClientPolicies policies;
  // Null before connect() and after close(). Shared so that a sync call can
  // submit with the GIL released while another thread closes the client:
  // close() calls Close() at once (failing in-flight commands), and the
  // object lives until the last submitter lets go of it.
  std::shared_ptr<client::Client> core;
  uint64_t fork_generation = 0;          // of the process that started `core`
  bool configured = false;               // __init__ ran successfully
  std::string hosts_error;               // a bad config['hosts'], raised by connect()
  bool closed = false;                   // close() was called
};

struct ClientObject {
  PyObject_HEAD
  ModuleState* st;
  ClientState* s;
  bool is_async;
};

extern PyType_Spec kClientSpec;
extern PyType_Spec kAsyncClientSpec;

// The running core, or null with ClientError set (never connected, closed,
// or inherited through fork()).
client::Client* LiveCore(ClientObject* self);

// False with ParamError (an InvalidArgError) set when `p` asks for
// POLICY_REPLICA_PREFER_RACK on a client configured without racks
// (rack_id / rack_ids): aerospike-py refuses that rather than reading from
// whichever replica comes first.
bool CheckReplica(ClientObject* self, const OpPolicy& p);

// Sends `cmd` and returns the result (sync) or a future (async).
PyObject* Dispatch(ClientObject* self, client::Client* core, std::unique_ptr<client::Command> cmd,
                   ResultKind kind, OpKind op, PyObject* ctx, int64_t t_start);

inline int64_t StartTimer() { return StageStats::Get().enabled() ? NowNs() : 0; }

// Method implementations (client_records.cc, client_info.cc, client_batch.cc).
#define ASPY_FASTCALL_METHOD(name) \
  PyObject* name(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames)
ASPY_FASTCALL_METHOD(Client_get);
ASPY_FASTCALL_METHOD(Client_select);
ASPY_FASTCALL_METHOD(Client_exists);
ASPY_FASTCALL_METHOD(Client_put);
ASPY_FASTCALL_METHOD(Client_remove);
ASPY_FASTCALL_METHOD(Client_touch);
ASPY_FASTCALL_METHOD(Client_append);
ASPY_FASTCALL_METHOD(Client_prepend);
ASPY_FASTCALL_METHOD(Client_increment);
ASPY_FASTCALL_METHOD(Client_remove_bin);
ASPY_FASTCALL_METHOD(Client_operate);
ASPY_FASTCALL_METHOD(Client_operate_ordered);
ASPY_FASTCALL_METHOD(Client_info_all);
ASPY_FASTCALL_METHOD(Client_info_random_node);
ASPY_FASTCALL_METHOD(Client_info_single_node);
ASPY_FASTCALL_METHOD(Client_truncate);
ASPY_FASTCALL_METHOD(Client_batch_read);
ASPY_FASTCALL_METHOD(Client_batch_read_view);
ASPY_FASTCALL_METHOD(Client_batch_write);
ASPY_FASTCALL_METHOD(Client_batch_operate);
ASPY_FASTCALL_METHOD(Client_batch_remove);
ASPY_FASTCALL_METHOD(Client_batch_write_numpy);
ASPY_FASTCALL_METHOD(Client_batch);
ASPY_FASTCALL_METHOD(Client_query);  // client_query.cc
// Record UDFs (client_udf.cc).
ASPY_FASTCALL_METHOD(Client_apply);
ASPY_FASTCALL_METHOD(Client_batch_apply);
PyObject* Client_ping(PyObject* self, PyObject* unused);
// The admin API (client_admin.cc).
ASPY_FASTCALL_METHOD(Client_admin_create_user);
ASPY_FASTCALL_METHOD(Client_admin_drop_user);
ASPY_FASTCALL_METHOD(Client_admin_change_password);
ASPY_FASTCALL_METHOD(Client_admin_grant_roles);
ASPY_FASTCALL_METHOD(Client_admin_revoke_roles);
ASPY_FASTCALL_METHOD(Client_admin_query_user_info);
ASPY_FASTCALL_METHOD(Client_admin_query_users_info);
ASPY_FASTCALL_METHOD(Client_admin_create_role);
ASPY_FASTCALL_METHOD(Client_admin_drop_role);
ASPY_FASTCALL_METHOD(Client_admin_grant_privileges);
ASPY_FASTCALL_METHOD(Client_admin_revoke_privileges);
ASPY_FASTCALL_METHOD(Client_admin_query_role);
ASPY_FASTCALL_METHOD(Client_admin_query_roles);
ASPY_FASTCALL_METHOD(Client_admin_set_whitelist);
ASPY_FASTCALL_METHOD(Client_admin_set_quotas);

}  // namespace aerospike_py::python
