// The admin API of Client/AsyncClient under aerospike-py's names:
// admin_{create,drop}_user, admin_change_password, admin_{grant,revoke}_roles,
// admin_query_user[s]_info, admin_{create,drop}_role,
// admin_{grant,revoke}_privileges, admin_query_role[s], admin_set_whitelist,
// admin_set_quotas. Arguments become a client::AdminCommand (passwords are
// handed to the core in clear and hashed there, off the event thread, then
// wiped); results are aerospike-py's dicts (admin_results.cc).
#include <memory>
#include <string>
#include <vector>

#include "client/admin_command.h"
#include "python/arg_parse.h"
#include "python/client_object.h"
#include "python/errors.h"

namespace aerospike_py::python {
namespace {

namespace cmd = proto::admin_command;
using client::AdminCommand;

ClientObject* AsClient(PyObject* o) { return reinterpret_cast<ClientObject*>(o); }

bool ReadName(ModuleState* st, PyObject* v, const char* fname, const char* what,
              std::string* out) {
  if (v == nullptr || !PyUnicode_Check(v)) {
    RaiseInvalidArg(st, "%s(): %s must be str, not %.100s", fname, what,
                    v == nullptr ? "None" : Py_TYPE(v)->tp_name);
    return false;
  }
  Py_ssize_t len = 0;
  const char* text = PyUnicode_AsUTF8AndSize(v, &len);
  if (text == nullptr) {
    ConvertPendingToInvalidArg(st, what);
    return false;
  }
  if (len == 0) {
    RaiseInvalidArg(st, "%s(): %s is empty", fname, what);
    return false;
  }
  if (len > 255) {
    RaiseInvalidArg(st, "%s(): %s is longer than 255 bytes", fname, what);
    return false;
  }
  out->assign(text, static_cast<size_t>(len));
  return true;
}

// The password: never echoed in any message.
bool ReadPassword(ModuleState* st, PyObject* v, const char* fname, std::string* out) {
  if (v == nullptr || !PyUnicode_Check(v)) {
    RaiseInvalidArg(st, "%s(): password must be str, not %.100s", fname,
                    v == nullptr ? "None" : Py_TYPE(v)->tp_name);
    return false;
  }
  Py_ssize_t len = 0;
  const char* text = PyUnicode_AsUTF8AndSize(v, &len);
  if (text == nullptr) {
    PyErr_Clear();
    RaiseInvalidArg(st, "%s(): password is not valid UTF-8", fname);
    return false;
  }
  out->assign(text, static_cast<size_t>(len));
  return true;
}

bool ReadNames(ModuleState* st, PyObject* v, const char* fname, const char* what,
               std::vector<std::string>* out) {
  if (v == nullptr || (!PyList_Check(v) && !PyTuple_Check(v))) {
    RaiseInvalidArg(st, "%s(): %s must be a list of str, not %.100s", fname, what,
                    v == nullptr ? "None" : Py_TYPE(v)->tp_name);
    return false;
  }
  Ref seq = Ref::Steal(PySequence_Tuple(v));
  if (!seq) return false;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(seq.get()); ++i) {
    std::string name;
    if (!ReadName(st, PyTuple_GET_ITEM(seq.get(), i), fname, what, &name)) return false;
    out->push_back(std::move(name));
  }
  return true;
}

bool ReadOptionalStr(ModuleState* st, PyObject* dict, const char* key, const char* fname,
                     std::string* out) {
  PyObject* v = PyDict_GetItemString(dict, key);
  if (v == nullptr || v == Py_None) return true;
  if (!PyUnicode_Check(v)) {
    RaiseInvalidArg(st, "%s(): privilege '%s' must be str or None, not %.100s", fname, key,
                    Py_TYPE(v)->tp_name);
    return false;
  }
  const char* text = PyUnicode_AsUTF8(v);
  if (text == nullptr) return false;
  *out = text;
  return true;
}

// [{"code": PRIV_* or "read-write", "ns": str, "set": str}, ...]
bool ReadPrivileges(ModuleState* st, PyObject* v, const char* fname,
                    std::vector<proto::Privilege>* out) {
  if (v == nullptr || (!PyList_Check(v) && !PyTuple_Check(v))) {
    RaiseInvalidArg(st, "%s(): privileges must be a list of dicts, not %.100s", fname,
                    v == nullptr ? "None" : Py_TYPE(v)->tp_name);
    return false;
  }
  Ref seq = Ref::Steal(PySequence_Tuple(v));
  if (!seq) return false;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(seq.get()); ++i) {
    PyObject* item = PyTuple_GET_ITEM(seq.get(), i);
    if (!PyDict_Check(item)) {
      RaiseInvalidArg(st, "%s(): each privilege must be a dict, not %.100s", fname,
                      Py_TYPE(item)->tp_name);
      return false;
    }
    Py_ssize_t pos = 0;
    PyObject *k, *kv;
    while (PyDict_Next(item, &pos, &k, &kv)) {
      if (!PyUnicode_Check(k) || (PyUnicode_CompareWithASCIIString(k, "code") != 0 &&
                                  PyUnicode_CompareWithASCIIString(k, "ns") != 0 &&
                                  PyUnicode_CompareWithASCIIString(k, "set") != 0)) {
        RaiseInvalidArg(st, "%s(): unknown privilege key %R (expected code, ns, set)", fname, k);
        return false;
      }
    }
    proto::Privilege p;
    PyObject* code = PyDict_GetItemString(item, "code");
    if (code == nullptr) {
      RaiseInvalidArg(st, "%s(): a privilege needs a 'code'", fname);
      return false;
    }
    if (PyUnicode_Check(code)) {
      const char* name = PyUnicode_AsUTF8(code);
      if (name == nullptr) return false;
      std::optional<uint8_t> c = proto::PrivilegeCodeOf(name);
      if (!c) {
        RaiseInvalidArg(st, "%s(): unknown privilege '%s'", fname, name);
        return false;
      }
      p.code = *c;
    } else if (PyLong_Check(code) && !PyBool_Check(code)) {
      const long c = PyLong_AsLong(code);
      if (c == -1 && PyErr_Occurred()) PyErr_Clear();
      if (c < 0 || c > 255 || proto::PrivilegeName(static_cast<uint8_t>(c)).empty()) {
        RaiseInvalidArg(st, "%s(): unknown privilege code %R", fname, code);
        return false;
      }
      p.code = static_cast<uint8_t>(c);
    } else {
      RaiseInvalidArg(st, "%s(): privilege 'code' must be int (PRIV_*) or str, not %.100s",
                      fname, Py_TYPE(code)->tp_name);
      return false;
    }
    if (!ReadOptionalStr(st, item, "ns", fname, &p.ns) ||
        !ReadOptionalStr(st, item, "set", fname, &p.set)) {
      return false;
    }
    if (!proto::PrivilegeTakesScope(p.code) && (!p.ns.empty() || !p.set.empty())) {
      RaiseInvalidArg(st, "%s(): privilege %d (%s) is global and cannot have ns/set", fname,
                      p.code, std::string(proto::PrivilegeName(p.code)).c_str());
      return false;
    }
    if (p.ns.empty() && !p.set.empty()) {
      RaiseInvalidArg(st, "%s(): a privilege scoped to a set needs its ns", fname);
      return false;
    }
    out->push_back(std::move(p));
  }
  return true;
}

bool ReadQuota(ModuleState* st, PyObject* v, const char* fname, const char* what,
               uint32_t* out) {
  if (v == nullptr) return true;
  if (!PyLong_Check(v) || PyBool_Check(v)) {
    RaiseInvalidArg(st, "%s(): %s must be int, not %.100s", fname, what, Py_TYPE(v)->tp_name);
    return false;
  }
  const long long q = PyLong_AsLongLong(v);
  if ((q == -1 && PyErr_Occurred()) || q < 0 || q > 0x7FFFFFFF) {
    PyErr_Clear();
    RaiseInvalidArg(st, "%s(): %s must be 0..2147483647", fname, what);
    return false;
  }
  *out = static_cast<uint32_t>(q);
  return true;
}

std::unique_ptr<AdminCommand> NewAdmin(ClientObject* self, uint8_t command, PyObject* policy) {
  ModuleState* st = self->st;
  const OpPolicy* p = &self->s->policies.info;
  OpPolicy local;
  if (policy != nullptr) {
    local = *p;
    if (!ApplyPolicyDict(st, policy, PolicyKind::kInfo, "policy", &local)) return nullptr;
    p = &local;
  }
  auto c = std::make_unique<AdminCommand>();
  c->admin_command = command;
  c->timeout_ms = p->info_timeout_ms;
  c->policy.total_timeout_ms = p->info_timeout_ms;
  c->policy.max_retries = 0;
  return c;
}

PyObject* Send(ClientObject* self, std::unique_ptr<AdminCommand> c, ResultKind kind,
               int64_t t_start) {
  client::Client* core = LiveCore(self);
  if (core == nullptr) return nullptr;
  return Dispatch(self, core, std::move(c), kind, OpKind::kInfo, nullptr, t_start);
}

#define ADMIN_PROLOGUE(fname, names, n, required)                \
  const ArgSpec spec = {fname, names, n, required};              \
  const int64_t t_start = StartTimer();                          \
  ClientObject* self = AsClient(obj);                            \
  ModuleState* st = self->st;                                    \
  (void)st;                                                      \
  PyObject* a[n];                                                \
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr

const char* const kUserPolicy[] = {"username", "policy"};
const char* const kUserPasswordRoles[] = {"username", "password", "roles", "policy"};
const char* const kUserPassword[] = {"username", "password", "policy"};
const char* const kUserRoles[] = {"username", "roles", "policy"};
const char* const kPolicy[] = {"policy"};
const char* const kRoleCreate[] = {"role", "privileges", "policy", "whitelist", "read_quota",
                                   "write_quota"};
const char* const kRolePolicy[] = {"role", "policy"};
const char* const kRolePrivileges[] = {"role", "privileges", "policy"};
const char* const kRoleWhitelist[] = {"role", "whitelist", "policy"};
const char* const kRoleQuotas[] = {"role", "read_quota", "write_quota", "policy"};

}  // namespace

PyObject* Client_admin_create_user(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                   PyObject* kwnames) {
  ADMIN_PROLOGUE("admin_create_user", kUserPasswordRoles, 4, 3);
  auto c = NewAdmin(self, cmd::kCreateUser, a[3]);
  if (!c || !ReadName(st, a[0], "admin_create_user", "username", &c->user) ||
      !ReadPassword(st, a[1], "admin_create_user", &c->password) ||
      !ReadNames(st, a[2], "admin_create_user", "roles", &c->roles)) {
    return nullptr;
  }
  return Send(self, std::move(c), ResultKind::kAdmin, t_start);
}

PyObject* Client_admin_drop_user(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                 PyObject* kwnames) {
  ADMIN_PROLOGUE("admin_drop_user", kUserPolicy, 2, 1);
  auto c = NewAdmin(self, cmd::kDropUser, a[1]);
  if (!c || !ReadName(st, a[0], "admin_drop_user", "username", &c->user)) return nullptr;
  return Send(self, std::move(c), ResultKind::kAdmin, t_start);
}

PyObject* Client_admin_change_password(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                       PyObject* kwnames) {
  ADMIN_PROLOGUE("admin_change_password", kUserPassword, 3, 2);
  // The core sends CHANGE_PASSWORD (with the old hash) for the client's own
  // user, SET_PASSWORD (user-admin) for anyone else.
  auto c = NewAdmin(self, cmd::kSetPassword, a[2]);
  if (!c || !ReadName(st, a[0], "admin_change_password", "username", &c->user) ||
      !ReadPassword(st, a[1], "admin_change_password", &c->password)) {
    return nullptr;
  }
  return Send(self, std::move(c), ResultKind::kAdmin, t_start);
}

static PyObject* ChangeRoles(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                             PyObject* kwnames, bool grant) {
  const char* fname = grant ? "admin_grant_roles" : "admin_revoke_roles";
  ADMIN_PROLOGUE(fname, kUserRoles, 3, 2);
  auto c = NewAdmin(self, grant ? cmd::kGrantRoles : cmd::kRevokeRoles, a[2]);
  if (!c || !ReadName(st, a[0], fname, "username", &c->user) ||
      !ReadNames(st, a[1], fname, "roles", &c->roles)) {
    return nullptr;
  }
  return Send(self, std::move(c), ResultKind::kAdmin, t_start);
}

PyObject* Client_admin_grant_roles(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                   PyObject* kwnames) {
  return ChangeRoles(obj, args, nargs, kwnames, true);
}

PyObject* Client_admin_revoke_roles(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                    PyObject* kwnames) {
  return ChangeRoles(obj, args, nargs, kwnames, false);
}

PyObject* Client_admin_query_user_info(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                       PyObject* kwnames) {
  ADMIN_PROLOGUE("admin_query_user_info", kUserPolicy, 2, 1);
  auto c = NewAdmin(self, cmd::kQueryUsers, a[1]);
  if (!c || !ReadName(st, a[0], "admin_query_user_info", "username", &c->user)) return nullptr;
  return Send(self, std::move(c), ResultKind::kAdminUser, t_start);
}

PyObject* Client_admin_query_users_info(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                        PyObject* kwnames) {
  ADMIN_PROLOGUE("admin_query_users_info", kPolicy, 1, 0);
  auto c = NewAdmin(self, cmd::kQueryUsers, a[0]);
  if (!c) return nullptr;
  return Send(self, std::move(c), ResultKind::kAdminUsers, t_start);
}

PyObject* Client_admin_create_role(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                   PyObject* kwnames) {
  ADMIN_PROLOGUE("admin_create_role", kRoleCreate, 6, 2);
  auto c = NewAdmin(self, cmd::kCreateRole, a[2]);
  if (!c || !ReadName(st, a[0], "admin_create_role", "role", &c->role) ||
      !ReadPrivileges(st, a[1], "admin_create_role", &c->privileges)) {
    return nullptr;
  }
  if (a[3] != nullptr) {
    c->has_whitelist = true;
    if (!ReadNames(st, a[3], "admin_create_role", "whitelist", &c->whitelist)) return nullptr;
  }
  c->has_read_quota = a[4] != nullptr;
  c->has_write_quota = a[5] != nullptr;
  if (!ReadQuota(st, a[4], "admin_create_role", "read_quota", &c->read_quota) ||
      !ReadQuota(st, a[5], "admin_create_role", "write_quota", &c->write_quota)) {
    return nullptr;
  }
  return Send(self, std::move(c), ResultKind::kAdmin, t_start);
}

PyObject* Client_admin_drop_role(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                 PyObject* kwnames) {
  ADMIN_PROLOGUE("admin_drop_role", kRolePolicy, 2, 1);
  auto c = NewAdmin(self, cmd::kDropRole, a[1]);
  if (!c || !ReadName(st, a[0], "admin_drop_role", "role", &c->role)) return nullptr;
  return Send(self, std::move(c), ResultKind::kAdmin, t_start);
}

static PyObject* ChangePrivileges(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                  PyObject* kwnames, bool grant) {
  const char* fname = grant ? "admin_grant_privileges" : "admin_revoke_privileges";
  ADMIN_PROLOGUE(fname, kRolePrivileges, 3, 2);
  auto c = NewAdmin(self, grant ? cmd::kGrantPrivileges : cmd::kRevokePrivileges, a[2]);
  if (!c || !ReadName(st, a[0], fname, "role", &c->role) ||
      !ReadPrivileges(st, a[1], fname, &c->privileges)) {
    return nullptr;
  }
  return Send(self, std::move(c), ResultKind::kAdmin, t_start);
}

PyObject* Client_admin_grant_privileges(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                        PyObject* kwnames) {
  return ChangePrivileges(obj, args, nargs, kwnames, true);
}

PyObject* Client_admin_revoke_privileges(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                         PyObject* kwnames) {
  return ChangePrivileges(obj, args, nargs, kwnames, false);
}

PyObject* Client_admin_query_role(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                  PyObject* kwnames) {
  ADMIN_PROLOGUE("admin_query_role", kRolePolicy, 2, 1);
  auto c = NewAdmin(self, cmd::kQueryRoles, a[1]);
  if (!c || !ReadName(st, a[0], "admin_query_role", "role", &c->role)) return nullptr;
  return Send(self, std::move(c), ResultKind::kAdminRole, t_start);
}

PyObject* Client_admin_query_roles(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                   PyObject* kwnames) {
  ADMIN_PROLOGUE("admin_query_roles", kPolicy, 1, 0);
  auto c = NewAdmin(self, cmd::kQueryRoles, a[0]);
  if (!c) return nullptr;
  return Send(self, std::move(c), ResultKind::kAdminRoles, t_start);
}

PyObject* Client_admin_set_whitelist(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                     PyObject* kwnames) {
  ADMIN_PROLOGUE("admin_set_whitelist", kRoleWhitelist, 3, 2);
  auto c = NewAdmin(self, cmd::kSetWhitelist, a[2]);
  if (!c || !ReadName(st, a[0], "admin_set_whitelist", "role", &c->role)) return nullptr;
  // None or [] clears the whitelist.
  c->has_whitelist = true;
  if (a[1] != nullptr && !ReadNames(st, a[1], "admin_set_whitelist", "whitelist", &c->whitelist)) {
    return nullptr;
  }
  return Send(self, std::move(c), ResultKind::kAdmin, t_start);
}

PyObject* Client_admin_set_quotas(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                  PyObject* kwnames) {
  ADMIN_PROLOGUE("admin_set_quotas", kRoleQuotas, 4, 1);
  auto c = NewAdmin(self, cmd::kSetQuotas, a[3]);
  if (!c || !ReadName(st, a[0], "admin_set_quotas", "role", &c->role) ||
      !ReadQuota(st, a[1], "admin_set_quotas", "read_quota", &c->read_quota) ||
      !ReadQuota(st, a[2], "admin_set_quotas", "write_quota", &c->write_quota)) {
    return nullptr;
  }
  return Send(self, std::move(c), ResultKind::kAdmin, t_start);
}

}  // namespace aerospike_py::python
