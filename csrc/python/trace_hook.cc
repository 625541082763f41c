#include "python/trace_hook.h"

#include "python/py_ref.h"

namespace aerospike_py::python {

namespace {

// Owned reference to the installed callable, or null when tracing is off.
PyObject* g_node_hook = nullptr;

PyObject* SetTraceNodeHookImpl(PyObject*, PyObject* arg) {
  if (arg != Py_None && !PyCallable_Check(arg)) {
    PyErr_SetString(PyExc_TypeError, "_set_trace_node_hook(callable or None)");
    return nullptr;
  }
  PyObject* old = g_node_hook;
  g_node_hook = nullptr;
  if (arg != Py_None) {
    Py_INCREF(arg);
    g_node_hook = arg;
  }
  Py_XDECREF(old);
  Py_RETURN_NONE;
}

void CallHook(PyObject* future, const std::string& node) {
  // Held across the call: the hook may uninstall itself.
  Ref hook = Ref::New(g_node_hook);
  Ref name = Ref::Steal(PyUnicode_DecodeUTF8(node.data(), static_cast<Py_ssize_t>(node.size()),
                                             "replace"));
  if (!name) {
    PyErr_WriteUnraisable(hook.get());
    return;
  }
  PyObject* args[] = {future != nullptr ? future : Py_None, name.get()};
  Ref r = Ref::Steal(PyObject_Vectorcall(hook.get(), args, 2, nullptr));
  if (!r) PyErr_WriteUnraisable(hook.get());
}

}  // namespace

bool TraceNodeHookSet() { return g_node_hook != nullptr; }

void ReportTraceNode(PyObject* future, const std::string& node) {
  if (g_node_hook == nullptr || node.empty()) return;
  // A sync command that failed carries its exception here (set by
  // ConvertResult): it is put aside for the call and restored after it.
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  CallHook(future, node);
  PyErr_Restore(type, value, tb);
}

PyMethodDef kTraceHookMethods[] = {
    {"_set_trace_node_hook", SetTraceNodeHookImpl, METH_O,
     "_set_trace_node_hook(hook)\n--\n\nTracing (aerospike_py._tracing): hook(future, node) "
     "after each command, future None for a sync call; None removes the hook."},
    {nullptr, nullptr, 0, nullptr},
};

}  // namespace aerospike_py::python
