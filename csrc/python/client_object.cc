#include "python/client_object.h"

#include "python/arg_parse.h"
#include "python/errors.h"
#include "python/loop_bridge.h"
#include "python/sync_wait.h"

namespace aerospike_py::python {
namespace {

ClientObject* AsClient(PyObject* o) { return reinterpret_cast<ClientObject*>(o); }

// Closes (fails in-flight commands, joins the event thread) and drops a
// core with the GIL released: that never needs Python, and other threads
// keep running meanwhile. A core inherited through fork() has no event
// thread in this process, so it is leaked instead of touched.
void DestroyCore(ClientObject* self, std::shared_ptr<client::Client> core) {
  if (!core) return;
  if (self->s->fork_generation != self->st->fork_generation) {
    new std::shared_ptr<client::Client>(std::move(core));
    return;
  }
  Py_BEGIN_ALLOW_THREADS
  core->Close();
  core.reset();
  Py_END_ALLOW_THREADS
}

PyObject* Client_new(PyTypeObject* type, PyObject*, PyObject*) {
  ModuleState* st = StateFromType(type);
  if (st == nullptr) return nullptr;
  PyObject* obj = type->tp_alloc(type, 0);
  if (obj == nullptr) return nullptr;
  ClientObject* self = AsClient(obj);
  self->st = st;
  self->s = new ClientState();
  self->is_async =
      PyType_IsSubtype(type, reinterpret_cast<PyTypeObject*>(st->async_client_type)) != 0;
  return obj;
}

int Client_init(PyObject* obj, PyObject* args, PyObject* kwargs) {
  ClientObject* self = AsClient(obj);
  static const char* kwlist[] = {"config", nullptr};
  PyObject* config = nullptr;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O:Client", const_cast<char**>(kwlist),
                                   &config)) {
    return -1;
  }
  if (self->s->core) {
    RaiseClientError(self->st, "cannot re-initialize a connected client");
    return -1;
  }
  auto fresh = std::make_unique<ClientState>();
  if (!ParseClientConfig(self->st, config, &fresh->config, &fresh->policies,
                         &fresh->hosts_error)) {
    return -1;
  }
  fresh->configured = true;
  delete self->s;
  self->s = fresh.release();
  return 0;
}

void Client_dealloc(PyObject* obj) {
  PyTypeObject* tp = Py_TYPE(obj);
  ClientObject* self = AsClient(obj);
  if (self->s != nullptr) {
    DestroyCore(self, std::move(self->s->core));
    delete self->s;
    self->s = nullptr;
  }
  tp->tp_free(obj);
  Py_DECREF(tp);
}

const char* const kConnectArgs[] = {"username", "password"};
const ArgSpec kConnectSpec = {"connect", kConnectArgs, 2, 0};

// _connect(username=None, password=None): starts the core and waits until
// the cluster is usable (sync: returns None; async: returns a future).
// A client already started (connected, or still connecting) raises
// ClientError, as aerospike-py's does: a second connect() is a mistake that
// would otherwise hide, and of concurrent connect() calls exactly one wins.
PyObject* Client_connect(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                         PyObject* kwnames) {
  ClientObject* self = AsClient(obj);
  ModuleState* st = self->st;
  PyObject* a[2];
  if (!ParseArgs(kConnectSpec, args, nargs, kwnames, a)) return nullptr;
  if (!self->s->configured) return RaiseClientError(st, "client was not initialized with a config");
  if (self->s->core && self->s->fork_generation != st->fork_generation) {
    DestroyCore(self, std::move(self->s->core));  // the parent's: leaked, not touched
  }
  if (self->s->core) {
    return RaiseClientError(st, self->s->core->IsConnected()
                                    ? "client is already connected; close() it to reconnect"
                                    : "client is already connecting");
  }
  if (!self->s->hosts_error.empty()) {
    return RaiseInvalidArg(st, "%s", self->s->hosts_error.c_str());
  }
  client::ClientConfig config = self->s->config;
  for (int i = 0; i < 2; ++i) {
    if (a[i] == Py_None) a[i] = nullptr;  // None means "not given", as in aerospike-py
  }
  if (a[0] != nullptr && a[1] == nullptr) {
    // aerospike-py refuses this before connecting (a ClientError; ours is
    // ParamError, which is one): without the check the login would go out
    // with the config's password or none and fail with a less clear error.
    return RaiseInvalidArg(st, "connect(): a password is required when a username is given");
  }
  for (int i = 0; i < 2; ++i) {
    if (a[i] == nullptr) continue;
    if (!PyUnicode_Check(a[i])) {
      return RaiseInvalidArg(st, "connect(): %s must be str", kConnectArgs[i]);
    }
    const char* text = PyUnicode_AsUTF8(a[i]);
    if (text == nullptr) return nullptr;
    (i == 0 ? config.user : config.password) = text;
  }
  const int64_t t_start = StartTimer();
  auto started = client::Client::Start(std::move(config));
  if (!started.ok()) {
    const int code = CodeForStatus(started.status(), ResultCode::kOk);
    return RaiseOwned(NewError(st, code, StdView(started.status().message()), false, nullptr, {}));
  }
  self->s->core = std::move(started).value();
  self->s->fork_generation = st->fork_generation;
  self->s->closed = false;
  auto cmd = std::make_unique<client::ConnectCommand>();
  cmd->policy.total_timeout_ms = self->s->config.connect_timeout_ms;
  PyObject* r = Dispatch(self, self->s->core.get(), std::move(cmd), ResultKind::kConnect,
                         OpKind::kConnect, nullptr, t_start);
  if (r == nullptr && !self->is_async) {
    // A sync connect that failed leaves nothing running behind.
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    DestroyCore(self, std::move(self->s->core));
    PyErr_Restore(type, value, tb);
  }
  return r;
}

// _close(): fails in-flight commands with a ClientError, closes every
// socket and joins the event thread. Idempotent.
PyObject* Client_close(PyObject* obj, PyObject*) {
  ClientObject* self = AsClient(obj);
  self->s->closed = true;
  DestroyCore(self, std::move(self->s->core));
  Py_RETURN_NONE;
}

// The client's core when it is started in this process (not inherited
// through fork()), else null, raising nothing (unlike LiveCore()): the
// state the local-state getters read.
const client::Client* CoreOrNull(const ClientObject* self) {
  if (self->s->core == nullptr || self->s->fork_generation != self->st->fork_generation) {
    return nullptr;
  }
  return self->s->core.get();
}

PyObject* Client_is_connected(PyObject* obj, PyObject*) {
  const client::Client* core = CoreOrNull(AsClient(obj));
  return Py_NewRef(core != nullptr && core->IsConnected() ? Py_True : Py_False);
}

PyObject* Client_get_node_names(PyObject* obj, PyObject*) {
  const client::Client* core = CoreOrNull(AsClient(obj));
  Ref list = Ref::Steal(PyList_New(0));
  if (!list) return nullptr;
  if (core == nullptr) return list.release();
  for (const std::string& name : core->NodeNames()) {
    Ref s = Ref::Steal(PyUnicode_FromStringAndSize(name.data(),
                                                   static_cast<Py_ssize_t>(name.size())));
    if (!s || PyList_Append(list.get(), s.get()) < 0) return nullptr;
  }
  return list.release();
}

// get_nodes(): the official client's [(host, port), ...] of the active nodes.
PyObject* Client_get_nodes(PyObject* obj, PyObject*) {
  const client::Client* core = CoreOrNull(AsClient(obj));
  Ref list = Ref::Steal(PyList_New(0));
  if (!list) return nullptr;
  if (core == nullptr) return list.release();
  for (const proto::Endpoint& e : core->NodeAddresses()) {
    Ref item = Ref::Steal(Py_BuildValue("(s#i)", e.host.data(),
                                        static_cast<Py_ssize_t>(e.host.size()),
                                        static_cast<int>(e.port)));
    if (!item || PyList_Append(list.get(), item.get()) < 0) return nullptr;
  }
  return list.release();
}

template <typename F>
PyCFunction Fast(F f) {
  return reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(f));
}

constexpr int kFast = METH_FASTCALL | METH_KEYWORDS;

PyMethodDef kClientMethods[] = {
    {"_connect", Fast(Client_connect), kFast,
     "_connect(username=None, password=None)\n--\n\nStarts the client and waits for the "
     "cluster (sync) or returns a future (async); ClientError if already started."},
    {"_close", Client_close, METH_NOARGS,
     "_close()\n--\n\nFails in-flight commands, closes all sockets, stops the event thread."},
    {"is_connected", Client_is_connected, METH_NOARGS,
     "is_connected()\n--\n\nTrue when at least one cluster node is active (local state only)."},
    {"get_node_names", Client_get_node_names, METH_NOARGS,
     "get_node_names()\n--\n\nNames of the cluster's active nodes."},
    {"get_nodes", Client_get_nodes, METH_NOARGS,
     "get_nodes()\n--\n\n[(host, port), ...] of the cluster's active nodes."},
    {"ping", Client_ping, METH_NOARGS,
     "ping()\n--\n\nSends info('build') to a random node; True when it answers. Never raises."},
    {"get", Fast(Client_get), kFast,
     "get(key, policy=None)\n--\n\nReads a whole record: Record(key, meta, bins)."},
    {"select", Fast(Client_select), kFast,
     "select(key, bins, policy=None)\n--\n\nReads the named bins of a record."},
    {"exists", Fast(Client_exists), kFast,
     "exists(key, policy=None)\n--\n\nExistsResult(key, meta); meta is None when absent."},
    {"put", Fast(Client_put), kFast,
     "put(key, bins, meta=None, policy=None)\n--\n\nWrites bins; a None value deletes its bin."},
    {"remove", Fast(Client_remove), kFast,
     "remove(key, meta=None, policy=None)\n--\n\nDeletes a record (RecordNotFound if absent)."},
    {"touch", Fast(Client_touch), kFast,
     "touch(key, val=0, meta=None, policy=None)\n--\n\nResets a record's TTL (val seconds)."},
    {"append", Fast(Client_append), kFast,
     "append(key, bin, val, meta=None, policy=None)\n--\n\nAppends a str/bytes to a bin."},
    {"prepend", Fast(Client_prepend), kFast,
     "prepend(key, bin, val, meta=None, policy=None)\n--\n\nPrepends a str/bytes to a bin."},
    {"increment", Fast(Client_increment), kFast,
     "increment(key, bin, offset, meta=None, policy=None)\n--\n\nAdds an int/float to a bin."},
    {"remove_bin", Fast(Client_remove_bin), kFast,
     "remove_bin(key, bin_names, meta=None, policy=None)\n--\n\nDeletes the named bins."},
    {"operate", Fast(Client_operate), kFast,
     "operate(key, ops, meta=None, policy=None)\n--\n\nRuns ops atomically: Record."},
    {"operate_ordered", Fast(Client_operate_ordered), kFast,
     "operate_ordered(key, ops, meta=None, policy=None)\n--\n\nLike operate(); results in op "
     "order, duplicates kept: OperateOrderedResult."},
    {"info_all", Fast(Client_info_all), kFast,
     "info_all(command, policy=None)\n--\n\nInfo command on every node: [InfoNodeResult]."},
    {"info_random_node", Fast(Client_info_random_node), kFast,
     "info_random_node(command, policy=None)\n--\n\nInfo command on one node: str."},
    {"info_single_node", Fast(Client_info_single_node), kFast,
     "info_single_node(command, host, policy=None)\n--\n\nInfo command on the named node: str."},
    {"truncate", Fast(Client_truncate), kFast,
     "truncate(namespace, set_name, nanos=0, policy=None)\n--\n\nDeletes every record of a "
     "set (or namespace) last updated before nanos (0: now)."},
    {"batch_read", Fast(Client_batch_read), kFast,
     "batch_read(keys, bins=None, policy=None, _dtype=None, _arrow=None)\n--\n\nReads many "
     "records: {user_key: bins} of the records found, with _dtype a NumpyBatchRecords, with "
     "_arrow (a pyarrow.Schema) a pyarrow.RecordBatch. keys: key tuples and/or BatchKeys."},
    {"batch_read_view", Fast(Client_batch_read_view), kFast,
     "batch_read_view(keys, bins=None, policy=None)\n--\n\nReads many records: one "
     "BatchRecord per key, in input order, with result code, meta and bins."},
    {"batch_write", Fast(Client_batch_write), kFast,
     "batch_write(records, policy=None, retry=0)\n--\n\nWrites (key, bins[, meta]) records: "
     "BatchWriteResult."},
    {"batch_operate", Fast(Client_batch_operate), kFast,
     "batch_operate(keys, ops, policy=None)\n--\n\nRuns the same ops on every key: "
     "BatchWriteResult."},
    {"batch_remove", Fast(Client_batch_remove), kFast,
     "batch_remove(keys, policy=None)\n--\n\nDeletes many records: BatchWriteResult."},
    {"batch_write_numpy", Fast(Client_batch_write_numpy), kFast,
     "batch_write_numpy(data, namespace, set_name, _dtype, key_field='_key', policy=None, "
     "retry=0)\n--\n\nWrites one record per row of a structured array: BatchWriteResult."},
    {"batch", Fast(Client_batch), kFast,
     "batch(records, policy=None)\n--\n\nRuns Read/Write/Remove rows (aerospike_py.batch) "
     "in one batch: BatchWriteResult, one BatchRecord per row in order."},
    // Scans and queries (client_query.cc; the API is aerospike_py.query).
    {"_query", Fast(Client_query), kFast,
     "_query(namespace, set_name, bins=None, where=None, policy=None, partitions=None, "
     "ops=None, background=False, task_id=None, udf=None, stream_type=None, "
     "write_policy=None)\n--\n\nStarts a scan/query: a QueryStream, or (task_id, future "
     "| None) for a background query. Use client.query() instead."},
    // Record UDFs (client_udf.cc).
    {"apply", Fast(Client_apply), kFast,
     "apply(key, module, function, args=None, policy=None)\n--\n\nRuns a record UDF on one "
     "record: the function's return value; UDFError with the Lua message when it fails."},
    {"batch_apply", Fast(Client_batch_apply), kFast,
     "batch_apply(keys, module, function, args=None, policy=None)\n--\n\nRuns a record UDF "
     "on many records: BatchWriteResult with SUCCESS/FAILURE bins per record."},
    // --- the admin API (client_admin.cc) ---
    {"admin_create_user", Fast(Client_admin_create_user), kFast,
     "admin_create_user(username, password, roles, policy=None)\n--\n\nCreates a user."},
    {"admin_drop_user", Fast(Client_admin_drop_user), kFast,
     "admin_drop_user(username, policy=None)\n--\n\nDrops a user."},
    {"admin_change_password", Fast(Client_admin_change_password), kFast,
     "admin_change_password(username, password, policy=None)\n--\n\nChanges the client's own "
     "password (later logins use it) or, with user-admin, sets another user's."},
    {"admin_grant_roles", Fast(Client_admin_grant_roles), kFast,
     "admin_grant_roles(username, roles, policy=None)\n--\n\nAdds roles to a user."},
    {"admin_revoke_roles", Fast(Client_admin_revoke_roles), kFast,
     "admin_revoke_roles(username, roles, policy=None)\n--\n\nRemoves roles from a user."},
    {"admin_query_user_info", Fast(Client_admin_query_user_info), kFast,
     "admin_query_user_info(username, policy=None)\n--\n\nOne user: dict(user, roles, "
     "conns_in_use, read_info, write_info)."},
    {"admin_query_users_info", Fast(Client_admin_query_users_info), kFast,
     "admin_query_users_info(policy=None)\n--\n\nEvery user: [dict]."},
    {"admin_create_role", Fast(Client_admin_create_role), kFast,
     "admin_create_role(role, privileges, policy=None, whitelist=None, read_quota=0, "
     "write_quota=0)\n--\n\nCreates a role."},
    {"admin_drop_role", Fast(Client_admin_drop_role), kFast,
     "admin_drop_role(role, policy=None)\n--\n\nDrops a role."},
    {"admin_grant_privileges", Fast(Client_admin_grant_privileges), kFast,
     "admin_grant_privileges(role, privileges, policy=None)\n--\n\nAdds privileges to a role."},
    {"admin_revoke_privileges", Fast(Client_admin_revoke_privileges), kFast,
     "admin_revoke_privileges(role, privileges, policy=None)\n--\n\nRemoves privileges from a "
     "role."},
    {"admin_query_role", Fast(Client_admin_query_role), kFast,
     "admin_query_role(role, policy=None)\n--\n\nOne role: dict(name, privileges, allowlist, "
     "read_quota, write_quota)."},
    {"admin_query_roles", Fast(Client_admin_query_roles), kFast,
     "admin_query_roles(policy=None)\n--\n\nEvery role: [dict]."},
    {"admin_set_whitelist", Fast(Client_admin_set_whitelist), kFast,
     "admin_set_whitelist(role, whitelist, policy=None)\n--\n\nSets (or with [] clears) the "
     "client addresses a role's users may connect from."},
    {"admin_set_quotas", Fast(Client_admin_set_quotas), kFast,
     "admin_set_quotas(role, read_quota=0, write_quota=0, policy=None)\n--\n\nSets a role's "
     "records-per-second quotas (0: none)."},
    {nullptr, nullptr, 0, nullptr},
};

PyType_Slot kClientSlots[] = {
    {Py_tp_doc, const_cast<char*>("Synchronous Aerospike client (native core).")},
    {Py_tp_new, reinterpret_cast<void*>(Client_new)},
    {Py_tp_init, reinterpret_cast<void*>(Client_init)},
    {Py_tp_dealloc, reinterpret_cast<void*>(Client_dealloc)},
    {Py_tp_methods, kClientMethods},
    {0, nullptr},
};

PyType_Slot kAsyncClientSlots[] = {
    {Py_tp_doc, const_cast<char*>("asyncio Aerospike client (native core).")},
    {Py_tp_new, reinterpret_cast<void*>(Client_new)},
    {Py_tp_init, reinterpret_cast<void*>(Client_init)},
    {Py_tp_dealloc, reinterpret_cast<void*>(Client_dealloc)},
    {Py_tp_methods, kClientMethods},
    {0, nullptr},
};

}  // namespace

PyType_Spec kClientSpec = {
    "aerospike_py._core.Client",
    sizeof(ClientObject),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    kClientSlots,
};

PyType_Spec kAsyncClientSpec = {
    "aerospike_py._core.AsyncClient",
    sizeof(ClientObject),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    kAsyncClientSlots,
};

client::Client* LiveCore(ClientObject* self) {
  ClientState* s = self->s;
  if (s->core != nullptr && s->fork_generation != self->st->fork_generation) {
    RaiseClientError(self->st,
                     "this client was created before fork() in the parent process and cannot "
                     "be used in the child; create a new client in the child");
    return nullptr;
  }
  if (s->core == nullptr) {
    RaiseClientError(self->st, s->closed ? "client is closed" : "client is not connected; call connect() first");
    return nullptr;
  }
  return s->core.get();
}

bool CheckReplica(ClientObject* self, const OpPolicy& p) {
  if (p.base.replica != client::Replica::kPreferRack || !self->s->config.rack_ids.empty()) {
    return true;
  }
  RaiseInvalidArg(self->st,
                  "POLICY_REPLICA_PREFER_RACK needs racks in the client config: set rack_aware "
                  "and rack_id (or rack_ids)");
  return false;
}

PyObject* Dispatch(ClientObject* self, client::Client* core, std::unique_ptr<client::Command> cmd,
                   ResultKind kind, OpKind op, PyObject* ctx, int64_t t_start) {
  ModuleState* st = self->st;
  if (!self->is_async) {
    // `core` came from LiveCore() just now, under the GIL: it is s->core.
    return RunSync(st, self->s->core, std::move(cmd), kind, op, ctx, t_start);
  }
  PyObject* bridge = BridgeForRunningLoop(st);
  if (bridge == nullptr) return nullptr;
  PyObject* fut = BridgeRegister(bridge, cmd.get(), kind, op, ctx);
  if (fut == nullptr) return nullptr;
  StageStats& stats = StageStats::Get();
  const int64_t t_submit = stats.enabled() ? NowNs() : 0;
  core->Submit(std::move(cmd));
  if (stats.enabled() && t_start != 0) stats.AddSubmit(op, t_submit - t_start, NowNs() - t_submit, true);
  return fut;
}

}  // namespace aerospike_py::python
