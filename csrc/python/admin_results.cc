// Results of the admin API: user and role dicts in aerospike-py's shapes
// (its UserInfo / RoleInfo), and the errors of refused admin commands.
#include "client/admin_command.h"
#include "python/errors.h"
#include "python/results.h"

namespace aerospike_py::python {
namespace {

PyObject* Str(std::string_view s) {
  return PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
}

bool SetItem(PyObject* dict, const char* key, PyObject* value) {
  if (value == nullptr) return false;
  const int rc = PyDict_SetItemString(dict, key, value);
  Py_DECREF(value);
  return rc == 0;
}

PyObject* StrList(const std::vector<std::string>& items) {
  Ref list = Ref::Steal(PyList_New(static_cast<Py_ssize_t>(items.size())));
  if (!list) return nullptr;
  for (size_t i = 0; i < items.size(); ++i) {
    PyObject* s = Str(items[i]);
    if (s == nullptr) return nullptr;
    PyList_SET_ITEM(list.get(), static_cast<Py_ssize_t>(i), s);
  }
  return list.release();
}

PyObject* IntList(const std::vector<uint32_t>& items) {
  Ref list = Ref::Steal(PyList_New(static_cast<Py_ssize_t>(items.size())));
  if (!list) return nullptr;
  for (size_t i = 0; i < items.size(); ++i) {
    PyObject* v = PyLong_FromUnsignedLong(items[i]);
    if (v == nullptr) return nullptr;
    PyList_SET_ITEM(list.get(), static_cast<Py_ssize_t>(i), v);
  }
  return list.release();
}

PyObject* UserDict(const proto::AdminUser& u) {
  Ref d = Ref::Steal(PyDict_New());
  if (!d || !SetItem(d.get(), "user", Str(u.name)) || !SetItem(d.get(), "roles", StrList(u.roles)) ||
      !SetItem(d.get(), "conns_in_use", PyLong_FromUnsignedLong(u.conns_in_use))) {
    return nullptr;
  }
  // As aerospike-py: present only when the server reports them.
  if (!u.read_info.empty() && !SetItem(d.get(), "read_info", IntList(u.read_info))) return nullptr;
  if (!u.write_info.empty() && !SetItem(d.get(), "write_info", IntList(u.write_info))) {
    return nullptr;
  }
  return d.release();
}

PyObject* RoleDict(const proto::AdminRole& r) {
  Ref d = Ref::Steal(PyDict_New());
  if (!d || !SetItem(d.get(), "name", Str(r.name))) return nullptr;
  Ref privileges = Ref::Steal(PyList_New(0));
  if (!privileges) return nullptr;
  for (const proto::Privilege& p : r.privileges) {
    Ref pd = Ref::Steal(PyDict_New());
    if (!pd || !SetItem(pd.get(), "code", PyLong_FromLong(p.code))) return nullptr;
    // A scope is reported only when there is one (global privileges have
    // none), as aerospike-py does.
    if (!p.ns.empty() && !SetItem(pd.get(), "ns", Str(p.ns))) return nullptr;
    if (!p.set.empty() && !SetItem(pd.get(), "set", Str(p.set))) return nullptr;
    if (PyList_Append(privileges.get(), pd.get()) < 0) return nullptr;
  }
  if (!SetItem(d.get(), "privileges", privileges.release()) ||
      !SetItem(d.get(), "allowlist", StrList(r.whitelist)) ||
      !SetItem(d.get(), "read_quota", PyLong_FromUnsignedLong(r.read_quota)) ||
      !SetItem(d.get(), "write_quota", PyLong_FromUnsignedLong(r.write_quota))) {
    return nullptr;
  }
  return d.release();
}

template <typename T, typename F>
PyObject* ListOf(const std::vector<T>& items, F one) {
  Ref list = Ref::Steal(PyList_New(static_cast<Py_ssize_t>(items.size())));
  if (!list) return nullptr;
  for (size_t i = 0; i < items.size(); ++i) {
    PyObject* item = one(items[i]);
    if (item == nullptr) return nullptr;
    PyList_SET_ITEM(list.get(), static_cast<Py_ssize_t>(i), item);
  }
  return list.release();
}

}  // namespace

PyObject* ConvertAdmin(ModuleState* st, ResultKind kind, client::Command& cmd) {
  if (!cmd.status.ok() || cmd.result != ResultCode::kOk) {
    return RaiseOwned(NewCommandError(st, cmd, nullptr));
  }
  auto& ac = static_cast<client::AdminCommand&>(cmd);
  switch (kind) {
    case ResultKind::kAdminUser:
      if (ac.users.empty()) {
        return RaiseOwned(NewError(st, ToInt(ResultCode::kInvalidUser),
                                   "user '" + ac.user + "' not found", false, nullptr, ac.node));
      }
      return UserDict(ac.users.front());
    case ResultKind::kAdminUsers:
      return ListOf(ac.users, UserDict);
    case ResultKind::kAdminRole:
      if (ac.roles_found.empty()) {
        return RaiseOwned(NewError(st, ToInt(ResultCode::kInvalidRole),
                                   "role '" + ac.role + "' not found", false, nullptr, ac.node));
      }
      return RoleDict(ac.roles_found.front());
    case ResultKind::kAdminRoles:
      return ListOf(ac.roles_found, RoleDict);
    default:
      Py_RETURN_NONE;
  }
}

}  // namespace aerospike_py::python
