#include "python/errors.h"

#include <cstdarg>
#include <string>

#include "absl/strings/str_cat.h"
#include "client/execution.h"
#include "common/status_payload.h"

namespace aerospike_py::python {
namespace {

PyObject* ClassForCode(ModuleState* st, int code) {
  Ref code_obj = Ref::Steal(PyLong_FromLong(code));
  if (!code_obj) return nullptr;
  PyObject* cls = PyDict_GetItemWithError(st->exception_by_code, code_obj.get());
  if (cls != nullptr) return Ref::New(cls).release();
  if (PyErr_Occurred()) return nullptr;
  return PyObject_CallOneArg(st->exception_for_code, code_obj.get());
}

// cls(msg, code=..., in_doubt=..., key=..., node=...) in one call.
PyObject* NewErrorOfClass(ModuleState* st, PyObject* cls, int code, std::string_view msg,
                          bool in_doubt, PyObject* key, std::string_view node) {
  Ref msg_obj = Ref::Steal(PyUnicode_DecodeUTF8(
      msg.data(), static_cast<Py_ssize_t>(msg.size()), "replace"));
  Ref code_obj = Ref::Steal(PyLong_FromLong(code));
  Ref node_obj = node.empty()
                     ? Ref::New(Py_None)
                     : Ref::Steal(PyUnicode_DecodeUTF8(
                           node.data(), static_cast<Py_ssize_t>(node.size()), "replace"));
  if (!msg_obj || !code_obj || !node_obj) return nullptr;
  PyObject* args[] = {msg_obj.get(), code_obj.get(), in_doubt ? Py_True : Py_False,
                      key != nullptr ? key : Py_None, node_obj.get()};
  return PyObject_Vectorcall(cls, args, 1, st->kw_error);
}

// "RECORD_NOT_FOUND" -> "record not found": the message of a server code
// (the exception's str() adds the name and the number itself).
std::string Describe(ResultCode code) {
  std::string text(ResultCodeName(code));
  for (char& c : text) {
    if (c == '_') {
      c = ' ';
    } else if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return text;
}

PyObject* RaiseFormatted(ModuleState* st, int code, const char* format, va_list va) {
  Ref msg = Ref::Steal(PyUnicode_FromFormatV(format, va));
  if (!msg) return nullptr;
  Py_ssize_t len = 0;
  const char* text = PyUnicode_AsUTF8AndSize(msg.get(), &len);
  if (text == nullptr) return nullptr;
  return RaiseOwned(NewError(st, code, std::string_view(text, static_cast<size_t>(len)),
                             false, nullptr, {}));
}

}  // namespace

int CodeForStatus(const Status& status, ResultCode result) {
  if (ToInt(result) < 0) return ToInt(result);
  // A code the core attached (a TLS failure, a refused login).
  if (std::optional<ResultCode> code = ResultCodeOf(status)) return ToInt(*code);
  // Admission control gave up waiting: aerospike-py's BackpressureError
  // carries the generic client code.
  if (status.code() == absl::StatusCode::kResourceExhausted) return ToInt(ResultCode::kClientError);
  return ToInt(client::ResultForStatus(status));
}

PyObject* NewError(ModuleState* st, int code, std::string_view msg, bool in_doubt,
                   PyObject* key, std::string_view node) {
  Ref cls = Ref::Steal(ClassForCode(st, code));
  if (!cls) return nullptr;
  return NewErrorOfClass(st, cls.get(), code, msg, in_doubt, key, node);
}

PyObject* NewCommandError(ModuleState* st, const client::Command& cmd, PyObject* key) {
  if (!cmd.status.ok()) {
    const int code = CodeForStatus(cmd.status, cmd.result);
    std::string msg(StdView(cmd.status.message()));
    if (cmd.status.code() == absl::StatusCode::kCancelled && msg.empty()) {
      msg = "the client was closed while the command was in flight";
    }
    // Admission control gave up waiting (operation_queue_timeout_ms):
    // aerospike-py raises BackpressureError, a ClientError.
    if (cmd.status.code() == absl::StatusCode::kResourceExhausted) {
      return NewErrorOfClass(st, st->exc_backpressure, code, msg, cmd.in_doubt, key, cmd.node);
    }
    return NewError(st, code, msg, cmd.in_doubt, key, cmd.node);
  }
  return NewError(st, ToInt(cmd.result), Describe(cmd.result), cmd.in_doubt, key, cmd.node);
}

PyObject* RaiseOwned(PyObject* exc) {
  if (exc == nullptr) return nullptr;  // creating it failed; that error stands
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc)), exc);
  Py_DECREF(exc);
  return nullptr;
}

PyObject* RaiseInvalidArg(ModuleState* st, const char* format, ...) {
  va_list va;
  va_start(va, format);
  PyObject* r = RaiseFormatted(st, ToInt(ResultCode::kClientParam), format, va);
  va_end(va);
  return r;
}

PyObject* RaiseClientError(ModuleState* st, const char* format, ...) {
  va_list va;
  va_start(va, format);
  PyObject* r = RaiseFormatted(st, ToInt(ResultCode::kClientError), format, va);
  va_end(va);
  return r;
}

PyObject* ConvertPendingToInvalidArg(ModuleState* st, const char* context) {
  if (!PyErr_ExceptionMatches(PyExc_TypeError) && !PyErr_ExceptionMatches(PyExc_ValueError) &&
      !PyErr_ExceptionMatches(PyExc_OverflowError)) {
    return nullptr;  // MemoryError, KeyboardInterrupt...: keep as they are
  }
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  PyErr_NormalizeException(&type, &value, &tb);
  Ref t = Ref::Steal(type), v = Ref::Steal(value), b = Ref::Steal(tb);
  return RaiseInvalidArg(st, "%s: %S", context, v.get() ? v.get() : Py_None);
}

}  // namespace aerospike_py::python
