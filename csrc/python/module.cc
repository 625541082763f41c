// aerospike_py._core: PEP 489 multi-phase module of the client bridge.
// This file owns the module definition and its state; the client types,
// conversions and the asyncio bridge live in sibling files.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "client/counters.h"

namespace aerospike_py::python {
namespace {

// debug_counters() -> dict: the core's live object counts, which tests assert
// return to zero after each test.
PyObject* DebugCountersImpl(PyObject*, PyObject*) {
  const client::DebugCounters& c = client::GlobalCounters();
  return Py_BuildValue(
      "{s:L,s:L,s:L,s:L,s:L,s:L}",
      "live_commands", static_cast<long long>(c.live_commands.load()),
      "queued_commands", static_cast<long long>(c.queued_commands.load()),
      "open_connections", static_cast<long long>(c.open_connections.load()),
      "live_clients", static_cast<long long>(c.live_clients.load()),
      "commands_retried", static_cast<long long>(c.commands_retried.load()),
      "connections_opened", static_cast<long long>(c.connections_opened.load()));
}

PyMethodDef kModuleMethods[] = {
    {"debug_counters", DebugCountersImpl, METH_NOARGS,
     "debug_counters() -> dict\n--\n\nLive counts of the native core "
     "(commands, connections, clients), for leak checks."},
    {nullptr, nullptr, 0, nullptr},
};

PyModuleDef_Slot kModuleSlots[] = {
    {0, nullptr},
};

PyModuleDef kModuleDef = {
    PyModuleDef_HEAD_INIT,
    "aerospike_py._core",
    "Native core of aerospike_py (C++ with a libuv event thread).",
    0,
    kModuleMethods,
    kModuleSlots,
    nullptr,
    nullptr,
    nullptr,
};

}  // namespace
}  // namespace aerospike_py::python

PyMODINIT_FUNC PyInit__core(void) {
  return PyModuleDef_Init(&aerospike_py::python::kModuleDef);
}
