// aerospike_py._core: PEP 489 multi-phase module of the client bridge.
// This file owns the module definition, its lifecycle slots and the
// module-level functions (debug counters, stage timers, the fork hook; the
// logging functions come from logging_bridge.cc);
// the client types, conversions and the asyncio bridge live in sibling
// files.
#define PY_SSIZE_T_CLEAN
#include "python/py_compat.h"

#include <vector>

#include "client/counters.h"
#include "cluster/node_gauge.h"
#include "python/aggregation_object.h"
#include "python/arrow_fill.h"
#include "python/debug_codec.h"
#include "python/expressions.h"
#include "python/logging_bridge.h"
#include "python/loop_bridge.h"
#include "python/meta_cache.h"
#include "python/module_state.h"
#include "python/op_metrics.h"
#include "python/stage_stats.h"
#include "python/serving_stats.h"
#include "python/str_cache.h"
#include "python/trace_hook.h"

namespace aerospike_py::python {
namespace {

// debug_counters() -> dict: live object counts of the core and the bridge,
// which tests assert return to zero after each test. Bridges of loops that
// were closed since the last look are dropped first, so a closed loop does
// not count as a live mailbox.
PyObject* DebugCountersImpl(PyObject* module, PyObject*) {
  SweepClosedLoops(StateOf(module));
  const client::DebugCounters& c = client::GlobalCounters();
  const BridgeCounters& b = GlobalBridgeCounters();
  return Py_BuildValue(
      "{s:L,s:L,s:L,s:L,s:L,s:L,s:L,s:L,s:L,s:L,s:L,s:L,s:L}",
      "live_commands", static_cast<long long>(c.live_commands.load()),
      "queued_commands", static_cast<long long>(c.queued_commands.load()),
      "open_connections", static_cast<long long>(c.open_connections.load()),
      "live_clients", static_cast<long long>(c.live_clients.load()),
      "commands_retried", static_cast<long long>(c.commands_retried.load()),
      "connections_opened", static_cast<long long>(c.connections_opened.load()),
      "unclean_loop_exits", static_cast<long long>(c.unclean_loop_exits.load()),
      "futures_held", static_cast<long long>(b.futures),
      "mailboxes_alive", static_cast<long long>(b.mailboxes),
      "sync_waiting", static_cast<long long>(b.sync_waiting),
      "live_query_streams", static_cast<long long>(c.live_query_streams.load()),
      "active_nodes", static_cast<long long>(cluster::ActiveNodeCount().load()),
      // Arrow results not yet released by pyarrow (arrow_fill.h).
      "live_arrow_batches", static_cast<long long>(LiveArrowBatches()));
}

PyObject* StageStatsImpl(PyObject*, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  bool reset = false;
  if (nargs > 1 || (kwnames != nullptr && PyTuple_GET_SIZE(kwnames) > 1)) {
    PyErr_SetString(PyExc_TypeError, "stage_stats(reset=False)");
    return nullptr;
  }
  PyObject* arg = nargs == 1 ? args[0] : nullptr;
  if (kwnames != nullptr && PyTuple_GET_SIZE(kwnames) == 1) {
    if (arg != nullptr ||
        PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, 0), "reset") != 0) {
      PyErr_SetString(PyExc_TypeError, "stage_stats(reset=False)");
      return nullptr;
    }
    arg = args[0];
  }
  if (arg != nullptr) {
    int r = PyObject_IsTrue(arg);
    if (r < 0) return nullptr;
    reset = r == 1;
  }
  return StageStats::Get().ToDict(reset);
}

PyObject* SetStageTimingImpl(PyObject*, PyObject* arg) {
  int r = PyObject_IsTrue(arg);
  if (r < 0) return nullptr;
  StageStats::Get().set_enabled(r == 1);
  Py_RETURN_NONE;
}

// Registered with os.register_at_fork(after_in_child=...): from now on the
// parent's clients and loop bridges are off limits in this process.
PyObject* AfterForkChildImpl(PyObject* module, PyObject*) {
  ModuleState* st = StateOf(module);
  ++st->fork_generation;
  AbandonBridgesAfterFork(st);
  Py_RETURN_NONE;
}

PyMethodDef kModuleMethods[] = {
    {"debug_counters", DebugCountersImpl, METH_NOARGS,
     "debug_counters()\n--\n\nLive counts of the native core (commands, connections, "
     "clients) and the bridge (futures held, mailboxes, sync waits), for leak checks."},
    {"stage_stats", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(StageStatsImpl)),
     METH_FASTCALL | METH_KEYWORDS,
     "stage_stats(reset=False)\n--\n\nPer operation: calls, completed and nanoseconds "
     "spent parsing arguments, submitting, queued, on the event thread, waking up and "
     "converting results; gil_held_ns = parse + submit + convert."},
    {"set_stage_timing", SetStageTimingImpl, METH_O,
     "set_stage_timing(enabled)\n--\n\nTurns the stage timers on or off (on by default)."},
    {"_after_fork_child", AfterForkChildImpl, METH_NOARGS,
     "_after_fork_child()\n--\n\nFork hook: marks the parent's clients and loop bridges "
     "unusable in the child."},
    {nullptr, nullptr, 0, nullptr},
};

int ModuleExec(PyObject* module) {
  ModuleState* st = StateOf(module);
  if (InitState(module, st) < 0) return -1;
  if (PyModule_AddFunctions(module, kDebugCodecMethods) < 0) return -1;
  if (PyModule_AddFunctions(module, kExpressionMethods) < 0) return -1;
  if (PyModule_AddFunctions(module, kLoggingMethods) < 0) return -1;
  if (PyModule_AddFunctions(module, kOperationMetricsMethods) < 0) return -1;
  if (PyModule_AddFunctions(module, kServingMethods) < 0) return -1;
  if (PyModule_AddFunctions(module, kTraceHookMethods) < 0) return -1;  // tracing
  if (AddAggregationType(module) < 0) return -1;  // query.apply (aggregation_object.cc)
  Ref os = Ref::Steal(PyImport_ImportModule("os"));
  if (!os) return -1;
  Ref hook = Ref::Steal(PyObject_GetAttrString(module, "_after_fork_child"));
  Ref register_at_fork = Ref::Steal(PyObject_GetAttrString(os.get(), "register_at_fork"));
  if (!hook || !register_at_fork) return -1;
  Ref kwargs = Ref::Steal(Py_BuildValue("{s:O}", "after_in_child", hook.get()));
  if (!kwargs) return -1;
  Ref empty = Ref::Steal(PyTuple_New(0));
  if (!empty) return -1;
  Ref r = Ref::Steal(PyObject_Call(register_at_fork.get(), empty.get(), kwargs.get()));
  return r ? 0 : -1;
}

int ModuleTraverse(PyObject* module, visitproc visit, void* arg) {
  ModuleState* st = StateOf(module);
  return st == nullptr ? 0 : TraverseState(st, visit, arg);
}

int ModuleClear(PyObject* module) {
  ModuleState* st = StateOf(module);
  if (st != nullptr) ClearState(st);
  return 0;
}

void ModuleFree(void* module) {
  ModuleState* st = StateOf(static_cast<PyObject*>(module));
  if (st == nullptr) return;
  ClearState(st);
  delete st->str_caches;
  st->str_caches = nullptr;
  delete st->meta_cache;
  st->meta_cache = nullptr;
}

PyModuleDef_Slot kModuleSlots[] = {
    {Py_mod_exec, reinterpret_cast<void*>(ModuleExec)},
    {0, nullptr},
};

}  // namespace

PyModuleDef kModuleDef = {
    PyModuleDef_HEAD_INIT,
    "aerospike_py._core",
    "Native core of aerospike_py (C++ with a libuv event thread).",
    sizeof(ModuleState),
    kModuleMethods,
    kModuleSlots,
    ModuleTraverse,
    ModuleClear,
    ModuleFree,
};

}  // namespace aerospike_py::python

PyMODINIT_FUNC PyInit__core(void) {
  return PyModuleDef_Init(&aerospike_py::python::kModuleDef);
}
