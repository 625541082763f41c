// Info-protocol methods of Client/AsyncClient: info_all, info_random_node,
// info_single_node, ping and truncate.
#include <memory>
#include <string>

#include "python/arg_parse.h"
#include "python/client_object.h"
#include "python/errors.h"
#include "python/keys.h"
#include "python/loop_bridge.h"

namespace aerospike_py::python {
namespace {

using client::InfoCommand;

ClientObject* AsClient(PyObject* o) { return reinterpret_cast<ClientObject*>(o); }

// An info command for `request` (one or more lines) with the info policy.
std::unique_ptr<InfoCommand> StartInfo(ClientObject* self, PyObject* request, PyObject* policy,
                                       InfoCommand::Target target) {
  ModuleState* st = self->st;
  if (!PyUnicode_Check(request)) {
    RaiseInvalidArg(st, "command must be str, not %.100s", Py_TYPE(request)->tp_name);
    return nullptr;
  }
  Py_ssize_t len = 0;
  const char* text = PyUnicode_AsUTF8AndSize(request, &len);
  if (text == nullptr) {
    ConvertPendingToInvalidArg(st, "command");
    return nullptr;
  }
  if (len == 0) {
    RaiseInvalidArg(st, "command is empty");
    return nullptr;
  }
  const OpPolicy* p = &self->s->policies.info;
  OpPolicy local;
  if (policy != nullptr) {
    local = *p;
    if (!ApplyPolicyDict(st, policy, PolicyKind::kInfo, "policy", &local)) return nullptr;
    p = &local;
  }
  auto cmd = std::make_unique<InfoCommand>();
  cmd->target = target;
  cmd->request.assign(text, static_cast<size_t>(len));
  // The server runs a command only when it sees its newline.
  if (cmd->request.back() != '\n') cmd->request.push_back('\n');
  cmd->timeout_ms = p->info_timeout_ms;
  cmd->policy.total_timeout_ms = p->info_timeout_ms;
  cmd->policy.socket_timeout_ms = p->info_timeout_ms;
  cmd->policy.max_retries = 0;
  return cmd;
}

PyObject* SendInfo(ClientObject* self, std::unique_ptr<InfoCommand> cmd, ResultKind kind,
                   int64_t t_start) {
  client::Client* core = LiveCore(self);
  if (core == nullptr) return nullptr;
  return Dispatch(self, core, std::move(cmd), kind, OpKind::kInfo, nullptr, t_start);
}

const char* const kInfoArgs[] = {"command", "policy"};
const char* const kSingleArgs[] = {"command", "host", "policy"};
const char* const kTruncateArgs[] = {"namespace", "set_name", "nanos", "policy"};

}  // namespace

PyObject* Client_info_all(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                          PyObject* kwnames) {
  static const ArgSpec spec = {"info_all", kInfoArgs, 2, 1};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  PyObject* a[2];
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr;
  auto cmd = StartInfo(self, a[0], a[1], InfoCommand::Target::kAllNodes);
  if (!cmd) return nullptr;
  return SendInfo(self, std::move(cmd), ResultKind::kInfoAll, t_start);
}

PyObject* Client_info_random_node(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                  PyObject* kwnames) {
  static const ArgSpec spec = {"info_random_node", kInfoArgs, 2, 1};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  PyObject* a[2];
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr;
  auto cmd = StartInfo(self, a[0], a[1], InfoCommand::Target::kRandomNode);
  if (!cmd) return nullptr;
  return SendInfo(self, std::move(cmd), ResultKind::kInfoOne, t_start);
}

PyObject* Client_info_single_node(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                  PyObject* kwnames) {
  static const ArgSpec spec = {"info_single_node", kSingleArgs, 3, 2};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  PyObject* a[3];
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr;
  if (!PyUnicode_Check(a[1])) {
    return RaiseInvalidArg(self->st, "host must be a node name (str), not %.100s",
                           Py_TYPE(a[1])->tp_name);
  }
  auto cmd = StartInfo(self, a[0], a[2], InfoCommand::Target::kNamedNode);
  if (!cmd) return nullptr;
  const char* node = PyUnicode_AsUTF8(a[1]);
  if (node == nullptr) return nullptr;
  cmd->node_name = node;
  return SendInfo(self, std::move(cmd), ResultKind::kInfoOne, t_start);
}

PyObject* Client_ping(PyObject* obj, PyObject*) {
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  ClientState* s = self->s;
  if (s->core == nullptr || s->fork_generation != self->st->fork_generation) {
    // ping() never raises: a client that cannot reach anything says False.
    if (self->is_async) return NewDoneFuture(self->st, Py_False);
    Py_RETURN_FALSE;
  }
  auto cmd = std::make_unique<InfoCommand>();
  cmd->target = InfoCommand::Target::kRandomNode;
  cmd->request = "build\n";
  cmd->timeout_ms = s->policies.info.info_timeout_ms;
  cmd->policy.total_timeout_ms = cmd->timeout_ms;
  cmd->policy.max_retries = 0;
  return Dispatch(self, s->core.get(), std::move(cmd), ResultKind::kPing, OpKind::kInfo, nullptr,
                  t_start);
}

PyObject* Client_truncate(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                          PyObject* kwnames) {
  static const ArgSpec spec = {"truncate", kTruncateArgs, 4, 2};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  ModuleState* st = self->st;
  PyObject* a[4];
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr;
  std::string ns, set;
  if (!ParseNamespace(st, a[0], "truncate()", &ns)) return nullptr;
  if (!ParseSetName(st, a[1], "truncate()", &set)) return nullptr;
  unsigned long long nanos = 0;
  if (a[2] != nullptr) {
    if (!PyLong_Check(a[2]) || PyBool_Check(a[2])) {
      return RaiseInvalidArg(st, "truncate(): nanos must be an int, not %.100s",
                             Py_TYPE(a[2])->tp_name);
    }
    nanos = PyLong_AsUnsignedLongLong(a[2]);
    if (nanos == static_cast<unsigned long long>(-1) && PyErr_Occurred()) {
      PyErr_Clear();
      return RaiseInvalidArg(st, "truncate(): nanos %R is out of range", a[2]);
    }
  }
  std::string request;
  if (set.empty()) {
    request = "truncate-namespace:namespace=" + ns;
  } else {
    request = "truncate:namespace=" + ns + ";set=" + set;
  }
  // lut: records last updated before this time (ns since the Unix epoch)
  // are deleted; without it the server uses its current time.
  if (nanos != 0) request += ";lut=" + std::to_string(nanos);
  Ref text = Ref::Steal(PyUnicode_FromStringAndSize(request.data(),
                                                    static_cast<Py_ssize_t>(request.size())));
  if (!text) return nullptr;
  auto cmd = StartInfo(self, text.get(), a[3], InfoCommand::Target::kRandomNode);
  if (!cmd) return nullptr;
  return SendInfo(self, std::move(cmd), ResultKind::kTruncate, t_start);
}

}  // namespace aerospike_py::python
