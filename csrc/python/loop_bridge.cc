#include "python/loop_bridge.h"

#include <cstring>
#include <vector>

#include "client/completion.h"
#include "client/query_command.h"
#include "python/errors.h"
#include "python/op_metrics.h"
#include "python/trace_hook.h"

namespace aerospike_py::python {
namespace {

struct Slot {
  PyObject* future = nullptr;  // strong; null when the slot is free
  PyObject* ctx = nullptr;     // strong
  uint32_t gen = 0;            // bumped on release: stale tokens never match
  ResultKind kind = ResultKind::kNone;
  OpKind op = OpKind::kGet;
};

struct BridgeData {
  std::shared_ptr<client::Mailbox> mailbox;
  std::vector<Slot> slots;
  std::vector<uint32_t> free_slots;
  size_t live = 0;
  // Finished commands taken from the mailbox and not converted yet:
  // drained[next..] (a slice of the drain may leave some for the next one).
  std::vector<std::unique_ptr<client::Command>> drained;
  size_t next = 0;
  int fd = -1;
  bool reader_added = false;
  bool closed = false;
  bool more_scheduled = false;  // a call_soon(_drain, True) is pending
};

struct LoopBridgeObject {
  PyObject_HEAD
  ModuleState* st;
  PyObject* loop_ref;       // weakref to the loop; its callback drops the bridge
  PyObject* drain_cb;       // self._drain, registered with add_reader/call_soon
  PyObject* create_future;  // loop.create_future for loops with their own futures
  BridgeData* d;
};

LoopBridgeObject* AsBridge(PyObject* o) { return reinterpret_cast<LoopBridgeObject*>(o); }

// A strong reference to the bridge's loop, or null when it is gone (no
// exception set). Strong: a borrowed referent of a weak reference may be
// freed by another thread at any time (3.13 deprecates that API).
Ref LoopOf(LoopBridgeObject* b) {
  if (b->loop_ref == nullptr) return Ref();
  PyObject* loop = nullptr;
  if (PyWeakref_GetRef(b->loop_ref, &loop) < 0) PyErr_Clear();
  return Ref::Steal(loop);
}

void RemoveFromRegistry(LoopBridgeObject* b) {
  ModuleState* st = b->st;
  if (st->last_bridge == reinterpret_cast<PyObject*>(b)) st->last_bridge = nullptr;
  if (st->bridges == nullptr) return;
  for (Py_ssize_t i = PyList_GET_SIZE(st->bridges) - 1; i >= 0; --i) {
    if (PyList_GET_ITEM(st->bridges, i) == reinterpret_cast<PyObject*>(b)) {
      // Deleting drops the registry's reference; the caller holds another.
      if (PySequence_DelItem(st->bridges, i) < 0) PyErr_Clear();
      break;
    }
  }
}

void ReleaseSlots(BridgeData* d) {
  // Dropping a future may run arbitrary code (finalizers of what it holds):
  // empty the table first so nothing can observe it half-released.
  std::vector<Slot> slots;
  slots.swap(d->slots);
  d->free_slots.clear();
  GlobalBridgeCounters().futures -= static_cast<int64_t>(d->live);
  d->live = 0;
  for (Slot& s : slots) {
    Py_CLEAR(s.future);
    Py_CLEAR(s.ctx);
  }
}

// Stops the bridge: unregisters the reader when the loop can still be
// used, closes the mailbox (queued and late completions are destroyed
// without touching Python) and releases every future.
// `in_dealloc`: the object is being destroyed (refcount 0), so it cannot be
// in the registry and must not be touched through new references.
void CloseBridge(LoopBridgeObject* b, bool loop_usable, bool in_dealloc = false) {
  BridgeData* d = b->d;
  if (d == nullptr || d->closed) return;
  d->closed = true;
  if (loop_usable && d->reader_added) {
    Ref loop = LoopOf(b);
    if (loop) {
      Ref fd = Ref::Steal(PyLong_FromLong(d->fd));
      Ref r = fd ? Ref::Steal(PyObject_CallMethodObjArgs(loop.get(), b->st->s_remove_reader, fd.get(),
                                                         nullptr))
                 : Ref();
      if (!r) PyErr_Clear();
    }
  }
  d->reader_added = false;
  if (d->mailbox) d->mailbox->Close();
  d->drained.clear();
  d->next = 0;
  ReleaseSlots(d);
  GlobalBridgeCounters().mailboxes -= 1;
  if (in_dealloc) {
    if (b->st->last_bridge == reinterpret_cast<PyObject*>(b)) b->st->last_bridge = nullptr;
    return;
  }
  Ref keep = Ref::New(reinterpret_cast<PyObject*>(b));
  RemoveFromRegistry(b);
}

PyObject* NewFuture(LoopBridgeObject* b) {
  if (b->create_future != nullptr) return PyObject_CallNoArgs(b->create_future);
  Ref loop = LoopOf(b);
  if (!loop) {
    PyErr_SetString(PyExc_RuntimeError, "the event loop of this bridge is gone");
    return nullptr;
  }
  PyObject* args[] = {loop.get()};
  return PyObject_Vectorcall(b->st->future_type, args, 0, b->st->kw_loop);
}

// Resolves the future of one finished command, or drops the reply when the
// future is already done (its awaiting task was cancelled).
void ResolveOne(LoopBridgeObject* b, std::unique_ptr<client::Command>& cmd) {
  BridgeData* d = b->d;
  ModuleState* st = b->st;
  const uint32_t idx = static_cast<uint32_t>(cmd->token);
  const uint32_t gen = static_cast<uint32_t>(cmd->token >> 32);
  if (idx >= d->slots.size() || d->slots[idx].future == nullptr || d->slots[idx].gen != gen) {
    return;  // not ours (cannot happen unless the bridge was reset)
  }
  Slot& slot = d->slots[idx];
  Ref fut = Ref::Steal(slot.future);
  Ref ctx = Ref::Steal(slot.ctx);
  const ResultKind kind = slot.kind;
  const OpKind op = slot.op;
  slot.future = nullptr;
  slot.ctx = nullptr;
  ++slot.gen;
  d->free_slots.push_back(idx);
  --d->live;
  GlobalBridgeCounters().futures -= 1;

  PyObject* self_arg[] = {fut.get()};
  Ref done = Ref::Steal(PyObject_VectorcallMethod(
      st->s_done, self_arg, 1 | PY_VECTORCALL_ARGUMENTS_OFFSET, nullptr));
  if (!done) {
    PyErr_WriteUnraisable(fut.get());
    return;
  }
  if (done.get() == Py_True) return;

  const int64_t t0 = NowNs();  // also when the caller's side picked it up
  const client::CommandTimings timings = cmd->timings;
  client::OperationMetrics::Series* series = SeriesForCommand(op, *cmd);
  // Tracing on (trace_hook.h): the node's name, copied before ConvertResult
  // takes the command.
  std::string traced_node;
  if (TraceNodeHookSet()) traced_node = cmd->node;
  Ref result = Ref::Steal(ConvertResult(st, kind, cmd, ctx.get()));
  Ref outcome;
  if (!result) {
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value != nullptr && tb != nullptr) PyException_SetTraceback(value, tb);
    Py_XDECREF(type);
    Py_XDECREF(tb);
    PyObject* args[] = {fut.get(), value};
    outcome = Ref::Steal(PyObject_VectorcallMethod(
        st->s_set_exception, args, 2 | PY_VECTORCALL_ARGUMENTS_OFFSET, nullptr));
    Py_XDECREF(value);
  } else {
    PyObject* args[] = {fut.get(), result.get()};
    outcome = Ref::Steal(PyObject_VectorcallMethod(
        st->s_set_result, args, 2 | PY_VECTORCALL_ARGUMENTS_OFFSET, nullptr));
  }
  if (!outcome) PyErr_WriteUnraisable(fut.get());
  if (!traced_node.empty()) ReportTraceNode(fut.get(), traced_node);
  const int64_t t_done = NowNs();
  RecordOperation(series, timings, t_done);
  StageStats& stats = StageStats::Get();
  if (stats.enabled()) stats.AddCompletion(op, timings, t0, t_done - t0);
}

// The loop's reader callback (`_drain()`) and its continuation
// (`_drain(True)`, scheduled with call_soon). One call converts finished
// commands for about kDrainSliceNs, then yields to the loop: the tasks
// woken so far run before the continuation converts more. Two things follow
// from converting a little at a time rather than everything at once:
//  - each woken task submits its next command at once, so the event thread
//    and the server work on it while we convert the rest;
//  - each woken task usually drops its previous result before we build the
//    next one. CPython's cyclic GC counts container allocations minus
//    deallocations and collects when the difference passes 700; a drain
//    that builds ten 200-record results before any caller runs crosses it
//    several times and every collection walks the results just built (and
//    promotes them, so full collections follow). Interleaved, allocations
//    and deallocations cancel out and collections become rare.
PyObject* LoopBridge_drain(PyObject* self, PyObject* const* args, Py_ssize_t nargs) {
  LoopBridgeObject* b = AsBridge(self);
  BridgeData* d = b->d;
  if (d == nullptr || d->closed) Py_RETURN_NONE;
  const bool continuation = nargs > 0;
  if (continuation) d->more_scheduled = false;
  // Take what arrived (this also clears the eventfd, so the reader does not
  // fire again for commands we already hold).
  if (d->next > 0 && d->next == d->drained.size()) {
    d->drained.clear();
    d->next = 0;
  }
  const size_t held = d->drained.size() - d->next;
  size_t remaining = 0;
  if (held < kMaxPerDrain) {
    if (d->next > 0) {
      d->drained.erase(d->drained.begin(), d->drained.begin() + static_cast<ptrdiff_t>(d->next));
      d->next = 0;
    }
    remaining = d->mailbox->Drain(&d->drained, kMaxPerDrain - held);
  }
  // A reader call while a continuation is pending only takes the arrivals:
  // the continuation converts them in order.
  if (!continuation && d->more_scheduled) Py_RETURN_NONE;
  // Conversion may run Python code (value types' constructors); keep the
  // bridge alive even if that code drops the last other reference.
  Ref keep = Ref::New(self);
  const int64_t slice_end = NowNs() + kDrainSliceNs;
  while (d->next < d->drained.size()) {
    std::unique_ptr<client::Command> cmd = std::move(d->drained[d->next++]);
    ResolveOne(b, cmd);
    cmd.reset();
    if (d->closed) Py_RETURN_NONE;  // CloseBridge() dropped the rest
    if (NowNs() >= slice_end) break;
  }
  if ((d->next < d->drained.size() || remaining > 0) && !d->more_scheduled) {
    Ref loop = LoopOf(b);
    if (loop) {
      Ref r = Ref::Steal(PyObject_CallMethodObjArgs(loop.get(), b->st->s_call_soon, b->drain_cb,
                                                    Py_True, nullptr));
      if (!r) return nullptr;
      d->more_scheduled = true;
    }
  }
  Py_RETURN_NONE;
}

PyObject* LoopBridge_loop_gone(PyObject* self, PyObject* /*ref*/) {
  CloseBridge(AsBridge(self), false);
  Py_RETURN_NONE;
}

int LoopBridge_traverse(PyObject* self, visitproc visit, void* arg) {
  LoopBridgeObject* b = AsBridge(self);
  Py_VISIT(Py_TYPE(self));
  Py_VISIT(b->loop_ref);
  Py_VISIT(b->drain_cb);
  Py_VISIT(b->create_future);
  if (b->d != nullptr) {
    for (const Slot& s : b->d->slots) {
      Py_VISIT(s.future);
      Py_VISIT(s.ctx);
    }
  }
  return 0;
}

void ClearRefs(LoopBridgeObject* b) {
  Py_CLEAR(b->loop_ref);
  Py_CLEAR(b->drain_cb);
  Py_CLEAR(b->create_future);
}

int LoopBridge_clear(PyObject* self) {
  LoopBridgeObject* b = AsBridge(self);
  if (b->d != nullptr) CloseBridge(b, false);
  ClearRefs(b);
  return 0;
}

void LoopBridge_dealloc(PyObject* self) {
  PyTypeObject* tp = Py_TYPE(self);
  PyObject_GC_UnTrack(self);
  LoopBridgeObject* b = AsBridge(self);
  if (b->d != nullptr) CloseBridge(b, false, /*in_dealloc=*/true);
  ClearRefs(b);
  delete b->d;
  b->d = nullptr;
  tp->tp_free(self);
  Py_DECREF(tp);
}

PyMethodDef kLoopBridgeMethods[] = {
    {"_drain", reinterpret_cast<PyCFunction>(reinterpret_cast<void*>(LoopBridge_drain)),
     METH_FASTCALL,
     "Resolves the futures of finished commands (the loop's reader callback; "
     "_drain(True) continues a drain)."},
    {"_loop_gone", LoopBridge_loop_gone, METH_O,
     "Weakref callback: the loop was garbage-collected."},
    {nullptr, nullptr, 0, nullptr},
};

PyType_Slot kLoopBridgeSlots[] = {
    {Py_tp_doc, const_cast<char*>("Per-event-loop completion bridge (internal).")},
    {Py_tp_methods, kLoopBridgeMethods},
    {Py_tp_traverse, reinterpret_cast<void*>(LoopBridge_traverse)},
    {Py_tp_clear, reinterpret_cast<void*>(LoopBridge_clear)},
    {Py_tp_dealloc, reinterpret_cast<void*>(LoopBridge_dealloc)},
    {0, nullptr},
};

// Loops whose futures are plain asyncio Futures: creating the future
// directly skips a Python-level create_future() frame per call.
bool HasStandardFutures(ModuleState* st, PyObject* loop) {
  Ref meth = Ref::Steal(
      PyObject_GetAttr(reinterpret_cast<PyObject*>(Py_TYPE(loop)), st->s_create_future));
  if (!meth) {
    PyErr_Clear();
    return false;
  }
  if (meth.get() == st->base_create_future) return true;
  // uvloop's create_future() is Cython code returning asyncio.Future(loop=self).
  return std::strncmp(Py_TYPE(loop)->tp_name, "uvloop.", 7) == 0;
}

PyObject* CreateBridge(ModuleState* st, PyObject* loop) {
  PyTypeObject* type = reinterpret_cast<PyTypeObject*>(st->loop_bridge_type);
  Ref obj = Ref::Steal(type->tp_alloc(type, 0));
  if (!obj) return nullptr;
  LoopBridgeObject* b = AsBridge(obj.get());
  b->st = st;
  b->d = new BridgeData();
  auto mailbox = client::Mailbox::Create();
  if (!mailbox.ok()) {
    PyErr_Format(PyExc_OSError, "cannot create the completion mailbox: %s",
                 std::string(mailbox.status().message()).c_str());
    return nullptr;
  }
  b->d->mailbox = std::move(mailbox).value();
  b->d->fd = b->d->mailbox->fd();
  GlobalBridgeCounters().mailboxes += 1;  // CloseBridge balances it from here on

  b->drain_cb = PyObject_GetAttr(obj.get(), st->s_drain);
  if (b->drain_cb == nullptr) return nullptr;
  Ref gone = Ref::Steal(PyObject_GetAttr(obj.get(), st->s_loop_gone));
  if (!gone) return nullptr;
  b->loop_ref = PyWeakref_NewRef(loop, gone.get());
  if (b->loop_ref == nullptr) return nullptr;
  if (!HasStandardFutures(st, loop)) {
    b->create_future = PyObject_GetAttr(loop, st->s_create_future);
    if (b->create_future == nullptr) return nullptr;
  }
  Ref fd = Ref::Steal(PyLong_FromLong(b->d->fd));
  if (!fd) return nullptr;
  Ref r = Ref::Steal(PyObject_CallMethodObjArgs(loop, st->s_add_reader, fd.get(), b->drain_cb,
                                                nullptr));
  if (!r) return nullptr;
  b->d->reader_added = true;
  if (PyList_Append(st->bridges, obj.get()) < 0) {
    CloseBridge(b, true);
    return nullptr;
  }
  st->last_bridge = obj.get();
  return obj.get();  // borrowed: the registry owns it
}

}  // namespace

PyType_Spec kLoopBridgeSpec = {
    "aerospike_py._core._LoopBridge",
    sizeof(LoopBridgeObject),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    kLoopBridgeSlots,
};

BridgeCounters& GlobalBridgeCounters() {
  static BridgeCounters counters;
  return counters;
}

PyObject* BridgeForRunningLoop(ModuleState* st) {
  Ref loop = Ref::Steal(PyObject_CallNoArgs(st->get_running_loop));
  if (!loop) return nullptr;
  PyObject* last = st->last_bridge;
  if (last != nullptr && LoopOf(AsBridge(last)).get() == loop.get() && !AsBridge(last)->d->closed) {
    return last;
  }
  const Py_ssize_t n = PyList_GET_SIZE(st->bridges);
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* b = PyList_GET_ITEM(st->bridges, i);
    if (LoopOf(AsBridge(b)).get() == loop.get() && !AsBridge(b)->d->closed) {
      st->last_bridge = b;
      return b;
    }
  }
  // A loop we have not seen: a good moment to drop bridges of loops that
  // were closed since (pytest runs one loop per test, for example).
  SweepClosedLoops(st);
  return CreateBridge(st, loop.get());
}

PyObject* BridgeRegister(PyObject* bridge, client::Command* cmd, ResultKind kind, OpKind op,
                         PyObject* ctx) {
  LoopBridgeObject* b = AsBridge(bridge);
  BridgeData* d = b->d;
  PyObject* fut = NewFuture(b);
  if (fut == nullptr) return nullptr;
  uint32_t idx;
  if (!d->free_slots.empty()) {
    idx = d->free_slots.back();
    d->free_slots.pop_back();
  } else {
    idx = static_cast<uint32_t>(d->slots.size());
    d->slots.emplace_back();
  }
  Slot& slot = d->slots[idx];
  slot.future = Py_NewRef(fut);
  slot.ctx = Py_XNewRef(ctx);
  slot.kind = kind;
  slot.op = op;
  ++d->live;
  GlobalBridgeCounters().futures += 1;
  cmd->token = (static_cast<uint64_t>(slot.gen) << 32) | idx;
  cmd->sink = d->mailbox;
  return fut;
}

PyObject* BridgeRegisterWake(PyObject* bridge, uint64_t* token,
                             std::shared_ptr<client::CompletionSink>* sink) {
  client::StreamWakeCommand probe;  // only carries the token and sink back
  PyObject* fut = BridgeRegister(bridge, &probe, ResultKind::kNone, OpKind::kQuery, nullptr);
  if (fut == nullptr) return nullptr;
  *token = probe.token;
  *sink = std::move(probe.sink);
  return fut;
}

void BridgeForgetWake(PyObject* bridge, uint64_t token) {
  BridgeData* d = AsBridge(bridge)->d;
  const uint32_t idx = static_cast<uint32_t>(token);
  const uint32_t gen = static_cast<uint32_t>(token >> 32);
  if (d == nullptr || idx >= d->slots.size() || d->slots[idx].future == nullptr ||
      d->slots[idx].gen != gen) {
    return;
  }
  Slot& slot = d->slots[idx];
  PyObject* fut = slot.future;
  PyObject* ctx = slot.ctx;
  slot.future = nullptr;
  slot.ctx = nullptr;
  ++slot.gen;
  d->free_slots.push_back(idx);
  --d->live;
  GlobalBridgeCounters().futures -= 1;
  Py_XDECREF(fut);
  Py_XDECREF(ctx);
}

PyObject* NewDoneFuture(ModuleState* st, PyObject* value) {
  PyObject* bridge = BridgeForRunningLoop(st);
  if (bridge == nullptr) return nullptr;
  Ref fut = Ref::Steal(NewFuture(AsBridge(bridge)));
  if (!fut) return nullptr;
  PyObject* args[] = {fut.get(), value};
  Ref r = Ref::Steal(PyObject_VectorcallMethod(st->s_set_result, args,
                                               2 | PY_VECTORCALL_ARGUMENTS_OFFSET, nullptr));
  if (!r) return nullptr;
  return fut.release();
}

int SweepClosedLoops(ModuleState* st) {
  if (st->bridges == nullptr || PyList_GET_SIZE(st->bridges) == 0) return 0;
  Ref copy = Ref::Steal(PyList_GetSlice(st->bridges, 0, PyList_GET_SIZE(st->bridges)));
  if (!copy) {
    PyErr_Clear();
    return 0;
  }
  int dropped = 0;
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(copy.get()); ++i) {
    LoopBridgeObject* b = AsBridge(PyList_GET_ITEM(copy.get(), i));
    Ref loop = LoopOf(b);
    bool gone = !loop;
    if (!gone) {
      Ref closed = Ref::Steal(PyObject_CallMethodNoArgs(loop.get(), st->s_is_closed));
      if (!closed) {
        PyErr_Clear();
      } else {
        gone = closed.get() == Py_True;
      }
    }
    if (gone) {
      CloseBridge(b, false);
      ++dropped;
    }
  }
  return dropped;
}

void AbandonBridgesAfterFork(ModuleState* st) {
  if (st->bridges != nullptr) {
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(st->bridges); ++i) {
      LoopBridgeObject* b = AsBridge(PyList_GET_ITEM(st->bridges, i));
      BridgeData* d = b->d;
      if (d == nullptr || d->closed) continue;
      d->closed = true;
      d->reader_added = false;
      // Leak on purpose: destroying the mailbox would take its mutex, which
      // a parent thread may have held at the moment of fork().
      new std::shared_ptr<client::Mailbox>(std::move(d->mailbox));
      for (auto& cmd : d->drained) cmd.release();
      d->drained.clear();
      d->next = 0;
      for (Slot& s : d->slots) {
        Py_CLEAR(s.future);
        Py_CLEAR(s.ctx);
      }
      d->slots.clear();
      d->free_slots.clear();
      d->live = 0;
    }
    if (PyList_SetSlice(st->bridges, 0, PyList_GET_SIZE(st->bridges), nullptr) < 0) {
      PyErr_Clear();
    }
  }
  st->last_bridge = nullptr;
  BridgeCounters& c = GlobalBridgeCounters();
  c.mailboxes = 0;
  c.futures = 0;
  c.sync_waiting = 0;
}

}  // namespace aerospike_py::python
