// aerospike_py._server: the CPython binding of the embedded server
// (csrc/server). PEP 489 multi-phase init; one heap type, Server, owning a
// server::Server. Blocking calls (start, stop, node control, info) release
// the GIL: they wait for the server's event thread, which never touches
// Python. aerospike_py.testing wraps this in the typed EmbeddedServer.
#define PY_SSIZE_T_CLEAN
#include "python/py_compat.h"

#include <memory>
#include <string>
#include <vector>

#include "server/server.h"

namespace aerospike_py::python {
namespace {

using server::Fault;
using server::FaultKind;
using server::FaultScope;
using server::Server;
using server::ServerOptions;

struct ModuleState {
  PyTypeObject* server_type;
};

ModuleState* GetState(PyObject* module) {
  return static_cast<ModuleState*>(PyModule_GetState(module));
}

struct ServerObject {
  PyObject_HEAD
  Server* server;  // owned; null once stopped
};

// Raises the Python exception matching a Status: ValueError for bad
// arguments, RuntimeError otherwise. Returns nullptr for `return Raise(..)`.
PyObject* Raise(const absl::Status& s) {
  PyObject* type = absl::IsInvalidArgument(s) ? PyExc_ValueError : PyExc_RuntimeError;
  const std::string msg(s.message());
  PyErr_SetString(type, msg.c_str());
  return nullptr;
}

Server* Live(ServerObject* self) {
  if (self->server == nullptr) {
    PyErr_SetString(PyExc_RuntimeError, "the embedded server is stopped");
  }
  return self->server;
}

bool StringList(PyObject* seq, const char* what, std::vector<std::string>* out) {
  PyObject* fast = PySequence_Fast(seq, what);
  if (fast == nullptr) return false;
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* item = PySequence_Fast_GET_ITEM(fast, i);
    Py_ssize_t len;
    const char* s = PyUnicode_AsUTF8AndSize(item, &len);
    if (s == nullptr) {
      Py_DECREF(fast);
      return false;
    }
    out->emplace_back(s, static_cast<size_t>(len));
  }
  Py_DECREF(fast);
  return true;
}

// A str value of `dict[key]` (absent or None: unchanged).
bool DictStr(PyObject* dict, const char* key, std::string* out) {
  PyObject* v = PyDict_GetItemString(dict, key);
  if (v == nullptr || v == Py_None) return true;
  Py_ssize_t len;
  const char* s = PyUnicode_AsUTF8AndSize(v, &len);
  if (s == nullptr) return false;
  out->assign(s, static_cast<size_t>(len));
  return true;
}

bool DictBool(PyObject* dict, const char* key, bool* out) {
  PyObject* v = PyDict_GetItemString(dict, key);
  if (v == nullptr || v == Py_None) return true;
  const int b = PyObject_IsTrue(v);
  if (b < 0) return false;
  *out = b != 0;
  return true;
}

bool DictU32(PyObject* dict, const char* key, uint32_t* out) {
  PyObject* v = PyDict_GetItemString(dict, key);
  if (v == nullptr || v == Py_None) return true;
  const unsigned long x = PyLong_AsUnsignedLong(v);
  if (x == static_cast<unsigned long>(-1) && PyErr_Occurred()) return false;
  if (x > 0xFFFFFFFFul) {
    PyErr_Format(PyExc_ValueError, "%s is too large", key);
    return false;
  }
  *out = static_cast<uint32_t>(x);
  return true;
}

// tls={"certfile", "keyfile", "keyfile_pw", "cafile", "capath", "protocols",
//      "cipher_suite", "require_client_cert"}: the nodes' TLS listeners.
bool ParseServerTls(PyObject* dict, tls::TlsConfig* out) {
  if (!PyDict_Check(dict)) {
    PyErr_SetString(PyExc_TypeError, "tls must be a dict");
    return false;
  }
  out->enable = true;
  return DictStr(dict, "certfile", &out->certfile) && DictStr(dict, "keyfile", &out->keyfile) &&
         DictStr(dict, "keyfile_pw", &out->keyfile_pw) && DictStr(dict, "cafile", &out->cafile) &&
         DictStr(dict, "capath", &out->capath) && DictStr(dict, "protocols", &out->protocols) &&
         DictStr(dict, "cipher_suite", &out->cipher_suite) &&
         DictBool(dict, "require_client_cert", &out->require_client_cert);
}

// privileges=[{"code": int, "ns": str, "set": str}]
bool ParseServerPrivileges(PyObject* seq, std::vector<proto::Privilege>* out) {
  PyObject* fast = PySequence_Fast(seq, "privileges must be a sequence of dicts");
  if (fast == nullptr) return false;
  bool ok = true;
  for (Py_ssize_t i = 0; ok && i < PySequence_Fast_GET_SIZE(fast); ++i) {
    PyObject* item = PySequence_Fast_GET_ITEM(fast, i);
    if (!PyDict_Check(item)) {
      PyErr_SetString(PyExc_TypeError, "a privilege must be a dict");
      ok = false;
      break;
    }
    proto::Privilege p;
    uint32_t code = 0;
    ok = DictU32(item, "code", &code) && DictStr(item, "ns", &p.ns) && DictStr(item, "set", &p.set);
    p.code = static_cast<uint8_t>(code);
    if (ok) out->push_back(std::move(p));
  }
  Py_DECREF(fast);
  return ok;
}

// security={"users": [{"name", "password", "roles", "external"}],
//           "roles": [{"name", "privileges", "whitelist", "read_quota",
//                      "write_quota"}], "session_ttl": s, "enable_quotas": b}
bool ParseServerSecurity(PyObject* dict, server::SecurityOptions* out) {
  if (!PyDict_Check(dict)) {
    PyErr_SetString(PyExc_TypeError, "security must be a dict");
    return false;
  }
  out->enable = true;
  if (!DictU32(dict, "session_ttl", &out->session_ttl_s) ||
      !DictBool(dict, "enable_quotas", &out->enable_quotas)) {
    return false;
  }
  if (PyObject* users = PyDict_GetItemString(dict, "users")) {
    PyObject* fast = PySequence_Fast(users, "users must be a sequence of dicts");
    if (fast == nullptr) return false;
    bool ok = true;
    for (Py_ssize_t i = 0; ok && i < PySequence_Fast_GET_SIZE(fast); ++i) {
      PyObject* item = PySequence_Fast_GET_ITEM(fast, i);
      server::SeedUser u;
      ok = PyDict_Check(item) && DictStr(item, "name", &u.name) &&
           DictStr(item, "password", &u.password) && DictBool(item, "external", &u.external);
      PyObject* roles = ok ? PyDict_GetItemString(item, "roles") : nullptr;
      if (ok && roles != nullptr) ok = StringList(roles, "roles must be a sequence of str", &u.roles);
      if (ok) out->users.push_back(std::move(u));
      if (!ok && !PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "a user must be a dict");
    }
    Py_DECREF(fast);
    if (!ok) return false;
  }
  if (PyObject* roles = PyDict_GetItemString(dict, "roles")) {
    PyObject* fast = PySequence_Fast(roles, "roles must be a sequence of dicts");
    if (fast == nullptr) return false;
    bool ok = true;
    for (Py_ssize_t i = 0; ok && i < PySequence_Fast_GET_SIZE(fast); ++i) {
      PyObject* item = PySequence_Fast_GET_ITEM(fast, i);
      server::SeedRole r;
      ok = PyDict_Check(item) && DictStr(item, "name", &r.name) &&
           DictU32(item, "read_quota", &r.read_quota) &&
           DictU32(item, "write_quota", &r.write_quota);
      PyObject* privileges = ok ? PyDict_GetItemString(item, "privileges") : nullptr;
      if (ok && privileges != nullptr) ok = ParseServerPrivileges(privileges, &r.privileges);
      PyObject* whitelist = ok ? PyDict_GetItemString(item, "whitelist") : nullptr;
      if (ok && whitelist != nullptr) {
        ok = StringList(whitelist, "whitelist must be a sequence of str", &r.whitelist);
      }
      if (ok) out->roles.push_back(std::move(r));
      if (!ok && !PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "a role must be a dict");
    }
    Py_DECREF(fast);
    if (!ok) return false;
  }
  return true;
}

// start(host, port, nodes, namespaces, replication_factor, cluster_name,
//       default_ttl, node_ids, sweep_interval_ms, tls, tls_port, tls_name,
//       security) -> Server
PyObject* module_start(PyObject* module, PyObject* args, PyObject* kwargs) {
  static const char* kwlist[] = {"host", "port", "nodes", "namespaces",
                                 "replication_factor", "cluster_name", "default_ttl",
                                 "node_ids", "sweep_interval_ms", "tls", "tls_port", "tls_name",
                                 "security", nullptr};
  const char* host = "127.0.0.1";
  int port = 0, nodes = 1, rf = 1, tls_port = 0;
  PyObject* namespaces = nullptr;
  PyObject* node_ids = nullptr;
  PyObject* tls = nullptr;
  PyObject* security = nullptr;
  const char* cluster_name = "";
  const char* tls_name = "aerospike-test";
  unsigned long long default_ttl = 0;
  unsigned int sweep_ms = 1000;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|siiOisKOIOisO:start",
                                   const_cast<char**>(kwlist), &host, &port, &nodes,
                                   &namespaces, &rf, &cluster_name, &default_ttl,
                                   &node_ids, &sweep_ms, &tls, &tls_port, &tls_name,
                                   &security)) {
    return nullptr;
  }
  if (tls_port < 0 || tls_port > 65535) {
    PyErr_SetString(PyExc_ValueError, "tls_port must be 0..65535");
    return nullptr;
  }
  if (port < 0 || port > 65535) {
    PyErr_SetString(PyExc_ValueError, "port must be 0..65535");
    return nullptr;
  }
  if (default_ttl > 0xFFFFFFFFull) {
    PyErr_SetString(PyExc_ValueError, "default_ttl too large");
    return nullptr;
  }
  ServerOptions o;
  o.host = host;
  o.port = static_cast<uint16_t>(port);
  o.nodes = nodes;
  o.replication_factor = rf;
  o.cluster_name = cluster_name;
  o.default_ttl = static_cast<uint32_t>(default_ttl);
  o.sweep_interval_ms = sweep_ms;
  if (namespaces != nullptr && namespaces != Py_None) {
    o.namespaces.clear();
    if (!StringList(namespaces, "namespaces must be a sequence of str", &o.namespaces)) {
      return nullptr;
    }
  }
  if (node_ids != nullptr && node_ids != Py_None &&
      !StringList(node_ids, "node_ids must be a sequence of str", &o.node_ids)) {
    return nullptr;
  }
  o.tls_port = static_cast<uint16_t>(tls_port);
  o.tls_name = tls_name;
  if (tls != nullptr && tls != Py_None && !ParseServerTls(tls, &o.tls)) return nullptr;
  if (security != nullptr && security != Py_None && !ParseServerSecurity(security, &o.security)) {
    return nullptr;
  }
  absl::StatusOr<std::unique_ptr<Server>> started;
  Py_BEGIN_ALLOW_THREADS
  started = Server::Start(std::move(o));
  Py_END_ALLOW_THREADS
  if (!started.ok()) return Raise(started.status());
  PyTypeObject* type = GetState(module)->server_type;
  auto* self = reinterpret_cast<ServerObject*>(type->tp_alloc(type, 0));
  if (self == nullptr) return nullptr;  // the unique_ptr stops the server
  self->server = started->release();
  return reinterpret_cast<PyObject*>(self);
}

void StopServer(ServerObject* self) {
  Server* s = self->server;
  self->server = nullptr;
  if (s == nullptr) return;
  Py_BEGIN_ALLOW_THREADS
  delete s;  // Stop() joins the event thread
  Py_END_ALLOW_THREADS
}

void Server_dealloc(PyObject* op) {
  auto* self = reinterpret_cast<ServerObject*>(op);
  PyTypeObject* type = Py_TYPE(op);
  StopServer(self);
  type->tp_free(op);
  Py_DECREF(type);
}

PyObject* Server_stop(PyObject* op, PyObject*) {
  StopServer(reinterpret_cast<ServerObject*>(op));
  Py_RETURN_NONE;
}

PyObject* Server_get_ports(PyObject* op, void*) {
  Server* s = Live(reinterpret_cast<ServerObject*>(op));
  if (s == nullptr) return nullptr;
  std::vector<uint16_t> ports = s->ports();
  PyObject* list = PyList_New(static_cast<Py_ssize_t>(ports.size()));
  if (list == nullptr) return nullptr;
  for (size_t i = 0; i < ports.size(); ++i) {
    PyObject* v = PyLong_FromLong(ports[i]);
    if (v == nullptr) {
      Py_DECREF(list);
      return nullptr;
    }
    PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), v);
  }
  return list;
}

PyObject* Server_get_tls_ports(PyObject* op, void*) {
  Server* s = Live(reinterpret_cast<ServerObject*>(op));
  if (s == nullptr) return nullptr;
  std::vector<uint16_t> ports = s->tls_ports();
  PyObject* list = PyList_New(static_cast<Py_ssize_t>(ports.size()));
  if (list == nullptr) return nullptr;
  for (size_t i = 0; i < ports.size(); ++i) {
    PyObject* v = PyLong_FromLong(ports[i]);
    if (v == nullptr) {
      Py_DECREF(list);
      return nullptr;
    }
    PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), v);
  }
  return list;
}

PyObject* Server_get_host(PyObject* op, void*) {
  Server* s = Live(reinterpret_cast<ServerObject*>(op));
  if (s == nullptr) return nullptr;
  return PyUnicode_FromStringAndSize(s->host().data(), static_cast<Py_ssize_t>(s->host().size()));
}

PyObject* Server_get_running(PyObject* op, void*) {
  return PyBool_FromLong(reinterpret_cast<ServerObject*>(op)->server != nullptr);
}

// Shared shape of the methods taking one node index.
template <absl::Status (Server::*Method)(int)>
PyObject* NodeCall(PyObject* op, PyObject* arg) {
  Server* s = Live(reinterpret_cast<ServerObject*>(op));
  if (s == nullptr) return nullptr;
  const long node = PyLong_AsLong(arg);
  if (node == -1 && PyErr_Occurred()) return nullptr;
  absl::Status st;
  Py_BEGIN_ALLOW_THREADS
  st = (s->*Method)(static_cast<int>(node));
  Py_END_ALLOW_THREADS
  if (!st.ok()) return Raise(st);
  Py_RETURN_NONE;
}

PyObject* Server_node_running(PyObject* op, PyObject* arg) {
  Server* s = Live(reinterpret_cast<ServerObject*>(op));
  if (s == nullptr) return nullptr;
  const long node = PyLong_AsLong(arg);
  if (node == -1 && PyErr_Occurred()) return nullptr;
  bool running;
  Py_BEGIN_ALLOW_THREADS
  running = s->NodeRunning(static_cast<int>(node));
  Py_END_ALLOW_THREADS
  return PyBool_FromLong(running);
}

PyObject* Server_node_id(PyObject* op, PyObject* arg) {
  Server* s = Live(reinterpret_cast<ServerObject*>(op));
  if (s == nullptr) return nullptr;
  const long node = PyLong_AsLong(arg);
  if (node == -1 && PyErr_Occurred()) return nullptr;
  if (node < 0 || node >= s->nodes()) {
    PyErr_Format(PyExc_ValueError, "no node %ld", node);
    return nullptr;
  }
  const std::string id = s->NodeId(static_cast<int>(node));
  return PyUnicode_FromStringAndSize(id.data(), static_cast<Py_ssize_t>(id.size()));
}

PyObject* Server_reshuffle(PyObject* op, PyObject*) {
  Server* s = Live(reinterpret_cast<ServerObject*>(op));
  if (s == nullptr) return nullptr;
  Py_BEGIN_ALLOW_THREADS
  s->Reshuffle();
  Py_END_ALLOW_THREADS
  Py_RETURN_NONE;
}

PyObject* Server_misrouted(PyObject* op, PyObject* args) {
  Server* s = Live(reinterpret_cast<ServerObject*>(op));
  if (s == nullptr) return nullptr;
  PyObject* node = Py_None;
  if (!PyArg_ParseTuple(args, "|O:misrouted", &node)) return nullptr;
  if (node == Py_None) return PyLong_FromUnsignedLongLong(s->MisroutedTotal());
  const long n = PyLong_AsLong(node);
  if (n == -1 && PyErr_Occurred()) return nullptr;
  if (n < 0 || n >= s->nodes()) {
    PyErr_Format(PyExc_ValueError, "no node %ld", n);
    return nullptr;
  }
  return PyLong_FromUnsignedLongLong(s->Misrouted(static_cast<int>(n)));
}

PyObject* Server_reset_misrouted(PyObject* op, PyObject*) {
  Server* s = Live(reinterpret_cast<ServerObject*>(op));
  if (s == nullptr) return nullptr;
  s->ResetMisrouted();
  Py_RETURN_NONE;
}

// set_fault(node, kind, scope=0, delay_ms=0, count=0, rows=0); node -1 = all.
PyObject* Server_set_fault(PyObject* op, PyObject* args, PyObject* kwargs) {
  Server* s = Live(reinterpret_cast<ServerObject*>(op));
  if (s == nullptr) return nullptr;
  static const char* kwlist[] = {"node", "kind", "scope", "delay_ms", "count", "rows", nullptr};
  int node, kind, scope = 0;
  unsigned int delay_ms = 0, count = 0, rows = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "ii|iIII:set_fault",
                                   const_cast<char**>(kwlist), &node, &kind, &scope,
                                   &delay_ms, &count, &rows)) {
    return nullptr;
  }
  if (kind < 0 || kind > static_cast<int>(FaultKind::kStallAfterRows) || scope < 0 ||
      scope > static_cast<int>(FaultScope::kInfo)) {
    PyErr_SetString(PyExc_ValueError, "unknown fault kind or scope");
    return nullptr;
  }
  Fault f;
  f.kind = static_cast<FaultKind>(kind);
  f.scope = static_cast<FaultScope>(scope);
  f.delay_ms = delay_ms;
  f.count = count;
  f.rows = rows;
  absl::Status st;
  Py_BEGIN_ALLOW_THREADS
  st = s->SetFault(node, f);
  Py_END_ALLOW_THREADS
  if (!st.ok()) return Raise(st);
  Py_RETURN_NONE;
}

PyObject* Server_clear_faults(PyObject* op, PyObject*) {
  Server* s = Live(reinterpret_cast<ServerObject*>(op));
  if (s == nullptr) return nullptr;
  Py_BEGIN_ALLOW_THREADS
  s->ClearFaults();
  Py_END_ALLOW_THREADS
  Py_RETURN_NONE;
}

PyObject* Server_info(PyObject* op, PyObject* args, PyObject* kwargs) {
  Server* s = Live(reinterpret_cast<ServerObject*>(op));
  if (s == nullptr) return nullptr;
  static const char* kwlist[] = {"command", "node", nullptr};
  const char* command;
  Py_ssize_t len;
  int node = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s#|i:info", const_cast<char**>(kwlist),
                                   &command, &len, &node)) {
    return nullptr;
  }
  absl::StatusOr<std::string> value;
  const std::string cmd(command, static_cast<size_t>(len));
  Py_BEGIN_ALLOW_THREADS
  value = s->Info(node, cmd);
  Py_END_ALLOW_THREADS
  if (!value.ok()) return Raise(value.status());
  return PyUnicode_DecodeUTF8(value->data(), static_cast<Py_ssize_t>(value->size()), "replace");
}

PyObject* Server_record_count(PyObject* op, PyObject* arg) {
  Server* s = Live(reinterpret_cast<ServerObject*>(op));
  if (s == nullptr) return nullptr;
  Py_ssize_t len;
  const char* ns = PyUnicode_AsUTF8AndSize(arg, &len);
  if (ns == nullptr) return nullptr;
  uint64_t n;
  const std::string name(ns, static_cast<size_t>(len));
  Py_BEGIN_ALLOW_THREADS
  n = s->RecordCount(name);
  Py_END_ALLOW_THREADS
  return PyLong_FromUnsignedLongLong(n);
}

PyObject* Server_clear(PyObject* op, PyObject*) {
  Server* s = Live(reinterpret_cast<ServerObject*>(op));
  if (s == nullptr) return nullptr;
  Py_BEGIN_ALLOW_THREADS
  s->Clear();
  Py_END_ALLOW_THREADS
  Py_RETURN_NONE;
}

PyMethodDef kServerMethods[] = {
    {"stop", Server_stop, METH_NOARGS, "Stops every node and joins the event thread."},
    {"stop_node", NodeCall<&Server::StopNode>, METH_O, "Stops one node (by index)."},
    {"start_node", NodeCall<&Server::StartNode>, METH_O, "Restarts a stopped node."},
    {"node_running", Server_node_running, METH_O, "Whether a node is running."},
    {"node_id", Server_node_id, METH_O, "A node's id as `node` answers it."},
    {"reshuffle", Server_reshuffle, METH_NOARGS, "Moves partition ownership around."},
    {"misrouted", Server_misrouted, METH_VARARGS,
     "misrouted(node=None): misrouted requests of a node, or of all nodes."},
    {"reset_misrouted", Server_reset_misrouted, METH_NOARGS, "Zeroes the misrouting counters."},
    {"set_fault", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(Server_set_fault)),
     METH_VARARGS | METH_KEYWORDS,
     "set_fault(node, kind, scope=0, delay_ms=0, count=0, rows=0): node -1 = every node."},
    {"clear_faults", Server_clear_faults, METH_NOARGS, "Clears the faults of every node."},
    {"info", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(Server_info)),
     METH_VARARGS | METH_KEYWORDS, "info(command, node=0) -> str: one info value."},
    {"record_count", Server_record_count, METH_O, "Live records in a namespace."},
    {"clear", Server_clear, METH_NOARGS, "Empties every namespace."},
    {nullptr, nullptr, 0, nullptr},
};

PyGetSetDef kServerGetSet[] = {
    {"ports", Server_get_ports, nullptr, "The port of each node.", nullptr},
    {"tls_ports", Server_get_tls_ports, nullptr, "The TLS port of each node ([] without TLS).",
     nullptr},
    {"host", Server_get_host, nullptr, "The address the nodes listen on.", nullptr},
    {"running", Server_get_running, nullptr, "False once stopped.", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

PyType_Slot kServerSlots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(Server_dealloc)},
    {Py_tp_methods, kServerMethods},
    {Py_tp_getset, kServerGetSet},
    {Py_tp_doc, const_cast<char*>("A running embedded server; create with start().")},
    {0, nullptr},
};

PyType_Spec kServerSpec = {
    "aerospike_py._server.Server",
    sizeof(ServerObject),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    kServerSlots,
};

int module_exec(PyObject* module) {
  ModuleState* st = GetState(module);
  st->server_type = reinterpret_cast<PyTypeObject*>(
      PyType_FromModuleAndSpec(module, &kServerSpec, nullptr));
  if (st->server_type == nullptr) return -1;
#ifdef ASPY_NEED_EXPLICIT_NO_NEW
  st->server_type->tp_new = nullptr;  // 3.9: no DISALLOW_INSTANTIATION flag yet
#endif
  if (PyModule_AddType(module, st->server_type) < 0) return -1;
  struct {
    const char* name;
    int value;
  } constants[] = {
      {"FAULT_NONE", static_cast<int>(FaultKind::kNone)},
      {"FAULT_DELAY", static_cast<int>(FaultKind::kDelay)},
      {"FAULT_DROP_MID_REPLY", static_cast<int>(FaultKind::kDropMidReply)},
      {"FAULT_GARBAGE", static_cast<int>(FaultKind::kGarbage)},
      {"FAULT_STOP_ANSWERING", static_cast<int>(FaultKind::kStopAnswering)},
      {"FAULT_STALL_AFTER_ROWS", static_cast<int>(FaultKind::kStallAfterRows)},
      {"SCOPE_ALL", static_cast<int>(FaultScope::kAll)},
      {"SCOPE_DATA", static_cast<int>(FaultScope::kData)},
      {"SCOPE_INFO", static_cast<int>(FaultScope::kInfo)},
  };
  for (const auto& c : constants) {
    if (PyModule_AddIntConstant(module, c.name, c.value) < 0) return -1;
  }
  return 0;
}

int module_traverse(PyObject* module, visitproc visit, void* arg) {
  Py_VISIT(GetState(module)->server_type);
  return 0;
}

int module_clear(PyObject* module) {
  Py_CLEAR(GetState(module)->server_type);
  return 0;
}

void module_free(void* module) { module_clear(static_cast<PyObject*>(module)); }

PyMethodDef kModuleMethods[] = {
    {"start", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(module_start)),
     METH_VARARGS | METH_KEYWORDS,
     "start(host='127.0.0.1', port=0, nodes=1, namespaces=('test',), "
     "replication_factor=1, cluster_name='', default_ttl=0, node_ids=None, "
     "sweep_interval_ms=1000) -> Server"},
    {nullptr, nullptr, 0, nullptr},
};

PyModuleDef_Slot kModuleSlots[] = {
    {Py_mod_exec, reinterpret_cast<void*>(module_exec)},
    {0, nullptr},
};

PyModuleDef kModuleDef = {
    PyModuleDef_HEAD_INIT,
    "aerospike_py._server",
    "The embedded Aerospike-compatible server (C++, its own libuv thread).",
    sizeof(ModuleState),
    kModuleMethods,
    kModuleSlots,
    module_traverse,
    module_clear,
    module_free,
};

}  // namespace
}  // namespace aerospike_py::python

PyMODINIT_FUNC PyInit__server(void) {
  return PyModuleDef_Init(&aerospike_py::python::kModuleDef);
}
