// _core.Aggregation: the bridge to client::Aggregation (client/aggregation.h),
// the client's half of query.apply(). aerospike_py.query feeds it the values
// the nodes sent and asks for the reduced result:
//
//   Aggregation(module, function, args: list, sources: dict[str, str],
//               timeout_ms: int, queue_limit: int = 1024)
//                          -- loads the module, starts the worker
//   push(value, block=True) -> (queued: bool, values: list)
//                          -- one node value; while the input queue is full
//                             it waits (GIL released) for the reduce, or
//                             returns queued False at once without `block`
//                             (push it again after wait_room); `values`:
//                             results the chain produced meanwhile
//   wait_room()            -- waits (GIL released) until push would not
//   take() -> list         -- results produced so far, waiting (GIL
//                             released) for at least one; [] at the end
//   end()                  -- the input ended
//   finish() -> list       -- end(), then every remaining result
//   close()                -- abandon (also on dealloc)
//
// Both queues are bounded (client/aggregation.h): a caller that stops
// taking results stops the worker, which stops taking input, which stops
// the caller reading the nodes' stream, whose buffer pauses the socket.
// The Lua reduce runs on the worker thread client::Aggregation owns, never
// with the GIL held. Values cross as MessagePack (proto::Value on the C++
// side). A UDF error raises UDFError with the Lua message.
#include "python/aggregation_object.h"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "client/aggregation.h"
#include "client/query_command.h"
#include "common/status_payload.h"
#include "proto/msgpack.h"
#include "python/errors.h"
#include "python/module_state.h"
#include "python/py_ref.h"
#include "python/value_decode.h"
#include "python/value_encode.h"

namespace aerospike_py::python {
namespace {

// Where the worker leaves its outcome for finish().
struct Outcome {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<client::AggregationOutcome> value;
};

struct AggregationObject {
  PyObject_HEAD
  ModuleState* st;
  std::shared_ptr<Outcome> outcome;
  // Shared: a call waiting with the GIL released (wait_room, take on an
  // executor thread) keeps the core alive while close() runs on the loop.
  std::shared_ptr<client::Aggregation> core;
};

AggregationObject* AsAgg(PyObject* o) { return reinterpret_cast<AggregationObject*>(o); }

PyObject* RaiseStatus(ModuleState* st, const Status& status) {
  client::QueryCommand c;  // the error mapping reads a command
  c.status = status;
  return RaiseOwned(NewCommandError(st, c, nullptr));
}

// One Python value as a proto::Value (packed as a one-item list, unpacked).
bool ToValue(ModuleState* st, PyObject* value, proto::Value* out) {
  Ref list = Ref::Steal(PyList_New(1));
  if (!list) return false;
  PyList_SET_ITEM(list.get(), 0, Py_NewRef(value));
  ByteBuffer bytes;
  proto::ParticleType pt;
  if (!EncodeParticle(st, list.get(), "value", &bytes, &pt)) return false;
  StatusOr<proto::Value> v = proto::DecodeMsgpack(bytes.span());
  if (!v.ok() || v->type() != proto::Value::Type::kList || v->items().size() != 1) {
    RaiseInvalidArg(st, "value cannot be passed to a UDF");
    return false;
  }
  *out = std::move(v->mutable_items()[0]);
  return true;
}

bool ParseSources(ModuleState* st, PyObject* dict, std::map<std::string, std::string>* out) {
  if (!PyDict_Check(dict)) {
    RaiseInvalidArg(st, "sources must be a dict of module name to Lua source");
    return false;
  }
  PyObject *k, *v;
  Py_ssize_t pos = 0;
  while (PyDict_Next(dict, &pos, &k, &v)) {
    Py_ssize_t kn = 0, vn = 0;
    const char* ks = PyUnicode_Check(k) ? PyUnicode_AsUTF8AndSize(k, &kn) : nullptr;
    const char* vs = PyUnicode_Check(v) ? PyUnicode_AsUTF8AndSize(v, &vn) : nullptr;
    if (ks == nullptr || vs == nullptr) {
      if (!PyErr_Occurred()) RaiseInvalidArg(st, "sources must map str to str");
      return false;
    }
    (*out)[std::string(ks, static_cast<size_t>(kn))] = std::string(vs, static_cast<size_t>(vn));
  }
  return true;
}

PyObject* Aggregation_new(PyTypeObject* type, PyObject* args, PyObject* kwargs) {
  ModuleState* st = StateFromType(type);
  if (st == nullptr) return nullptr;
  static const char* kw[] = {"module", "function", "args", "sources", "timeout_ms",
                             "queue_limit", nullptr};
  const char *module, *function;
  PyObject *arg_list, *sources;
  long long timeout_ms = 0;
  Py_ssize_t queue_limit = 1024;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "ssOO|Ln:Aggregation", const_cast<char**>(kw),
                                   &module, &function, &arg_list, &sources, &timeout_ms,
                                   &queue_limit)) {
    return nullptr;
  }
  if (queue_limit < 1) return RaiseInvalidArg(st, "queue_limit must be at least 1");
  client::AggregationSpec spec;
  spec.module = module;
  spec.function = function;
  spec.timeout = std::chrono::milliseconds(timeout_ms > 0 ? timeout_ms : 0);
  spec.queue_limit = static_cast<size_t>(queue_limit);
  spec.output_limit = static_cast<size_t>(queue_limit);
  spec.stream_output = true;
  if (!PyList_Check(arg_list)) return RaiseInvalidArg(st, "args must be a list");
  proto::Value packed_args;
  if (!ToValue(st, arg_list, &packed_args)) return nullptr;
  spec.args = std::move(packed_args.mutable_items());
  if (!ParseSources(st, sources, &spec.sources)) return nullptr;

  auto outcome = std::make_shared<Outcome>();
  auto core = client::Aggregation::Start(std::move(spec), [outcome](client::AggregationOutcome o) {
    std::lock_guard<std::mutex> lock(outcome->mu);
    outcome->value = std::move(o);
    outcome->cv.notify_all();
  });
  if (!core.ok()) return RaiseStatus(st, core.status());
  PyObject* self = type->tp_alloc(type, 0);
  if (self == nullptr) return nullptr;
  AggregationObject* a = AsAgg(self);
  a->st = st;
  new (&a->outcome) std::shared_ptr<Outcome>(std::move(outcome));
  new (&a->core) std::shared_ptr<client::Aggregation>(std::move(core).value());
  return self;
}

// Destroys the core (joins the worker) with the GIL released.
void CloseCore(AggregationObject* a) {
  if (!a->core) return;
  std::shared_ptr<client::Aggregation> core = std::move(a->core);
  Py_BEGIN_ALLOW_THREADS
  // Wakes any call still waiting on another thread (it then drops the last
  // reference, which joins the worker there); a no-op after finish().
  core->Finish(absl::CancelledError("the aggregation was closed"));
  core.reset();
  Py_END_ALLOW_THREADS
}

void Aggregation_dealloc(PyObject* self) {
  AggregationObject* a = AsAgg(self);
  PyTypeObject* type = Py_TYPE(self);
  CloseCore(a);
  a->core.~shared_ptr();
  a->outcome.~shared_ptr();
  type->tp_free(self);
  Py_DECREF(type);
}

// The results as a Python list.
PyObject* ToList(ModuleState* st, std::vector<proto::Value> values) {
  if (values.empty()) return PyList_New(0);
  ByteBuffer packed = proto::EncodeMsgpack(proto::Value::List(std::move(values)));
  return DecodeParticle(st, static_cast<uint8_t>(proto::ParticleType::kList), packed.span());
}

// The worker's error, if it stopped with one (nullptr and no exception
// otherwise). Called once the core said the worker ended.
bool RaiseIfFailed(AggregationObject* a) {
  std::optional<Status> failed;
  {
    std::lock_guard<std::mutex> lock(a->outcome->mu);
    if (a->outcome->value.has_value() && !a->outcome->value->status.ok()) {
      failed = a->outcome->value->status;
    }
  }
  if (!failed) return false;
  RaiseStatus(a->st, *failed);
  return true;
}

PyObject* Aggregation_push(PyObject* self, PyObject* const* args, Py_ssize_t nargs) {
  AggregationObject* a = AsAgg(self);
  if (nargs < 1 || nargs > 2) {
    return RaiseInvalidArg(a->st, "push(value, block=True) takes one or two arguments");
  }
  if (!a->core) return RaiseClientError(a->st, "the aggregation is finished");
  bool block = true;
  if (nargs == 2) {
    const int b = PyObject_IsTrue(args[1]);
    if (b < 0) return nullptr;
    block = b == 1;
  }
  proto::Value v;
  if (!ToValue(a->st, args[0], &v)) return nullptr;
  std::shared_ptr<client::Aggregation> core = a->core;
  std::vector<proto::Value> ready;
  bool queued = false;
  for (;;) {
    client::PushResult r;
    Py_BEGIN_ALLOW_THREADS
    r = core->Push(std::move(v), block);
    Py_END_ALLOW_THREADS
    if (r == client::PushResult::kOutputReady) {
      // Results wait and the input is full: hand the results out so the
      // worker can go on (they are at most output_limit).
      core->TakeOutput(&ready, false);
      if (!block) break;
      continue;
    }
    if (r == client::PushResult::kQueued) {
      queued = true;
      core->TakeOutput(&ready, false);
    } else if (r == client::PushResult::kEnded) {
      // Dropped: the aggregation ended (its error, if any, raises here);
      // pushing again would not help, so it counts as taken.
      if (RaiseIfFailed(a)) return nullptr;
      queued = true;
    }
    break;
  }
  Ref list = Ref::Steal(ToList(a->st, std::move(ready)));
  if (!list) return nullptr;
  return Py_BuildValue("(OO)", queued ? Py_True : Py_False, list.get());
}

PyObject* Aggregation_wait_room(PyObject* self, PyObject*) {
  AggregationObject* a = AsAgg(self);
  if (!a->core) return RaiseClientError(a->st, "the aggregation is finished");
  std::shared_ptr<client::Aggregation> core = a->core;
  Py_BEGIN_ALLOW_THREADS
  core->WaitForRoom();
  Py_END_ALLOW_THREADS
  Py_RETURN_NONE;
}

PyObject* Aggregation_take(PyObject* self, PyObject*) {
  AggregationObject* a = AsAgg(self);
  if (!a->core) return RaiseClientError(a->st, "the aggregation is finished");
  std::shared_ptr<client::Aggregation> core = a->core;
  std::vector<proto::Value> ready;
  bool more = false;
  Py_BEGIN_ALLOW_THREADS
  more = core->TakeOutput(&ready, true);
  Py_END_ALLOW_THREADS
  if (!more && RaiseIfFailed(a)) return nullptr;
  return ToList(a->st, std::move(ready));
}

PyObject* Aggregation_end(PyObject* self, PyObject*) {
  AggregationObject* a = AsAgg(self);
  if (!a->core) return RaiseClientError(a->st, "the aggregation is finished");
  a->core->Finish(Status());
  Py_RETURN_NONE;
}

PyObject* Aggregation_finish(PyObject* self, PyObject*) {
  AggregationObject* a = AsAgg(self);
  if (!a->core) return RaiseClientError(a->st, "the aggregation is finished");
  std::shared_ptr<client::Aggregation> core = a->core;
  core->Finish(Status());
  std::vector<proto::Value> all;
  Py_BEGIN_ALLOW_THREADS
  while (core->TakeOutput(&all, true)) {
  }
  Py_END_ALLOW_THREADS
  if (RaiseIfFailed(a)) {
    CloseCore(a);
    return nullptr;
  }
  CloseCore(a);
  return ToList(a->st, std::move(all));
}

PyObject* Aggregation_close(PyObject* self, PyObject*) {
  CloseCore(AsAgg(self));
  Py_RETURN_NONE;
}

PyMethodDef kAggregationMethods[] = {
    {"push", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(Aggregation_push)),
     METH_FASTCALL,
     "push(value, block=True)\n--\n\nOne value a node sent: (queued, results produced "
     "meanwhile). Waits, GIL released, while the input queue is full (without block: "
     "returns (False, results) at once)."},
    {"wait_room", Aggregation_wait_room, METH_NOARGS,
     "wait_room()\n--\n\nWaits, GIL released, until push would not."},
    {"take", Aggregation_take, METH_NOARGS,
     "take()\n--\n\nThe results produced so far, waiting (GIL released) for one; "
     "[] once the aggregation ended (UDFError on a Lua error)."},
    {"end", Aggregation_end, METH_NOARGS, "end()\n--\n\nThe input ended."},
    {"finish", Aggregation_finish, METH_NOARGS,
     "finish()\n--\n\nThe input ended: every remaining result (UDFError on a Lua "
     "error), waited for with the GIL released."},
    {"close", Aggregation_close, METH_NOARGS, "close()\n--\n\nAbandons the aggregation."},
    {nullptr, nullptr, 0, nullptr},
};

PyType_Slot kAggregationSlots[] = {
    {Py_tp_new, reinterpret_cast<void*>(Aggregation_new)},
    {Py_tp_dealloc, reinterpret_cast<void*>(Aggregation_dealloc)},
    {Py_tp_methods, kAggregationMethods},
    {Py_tp_doc, const_cast<char*>(
                     "Aggregation(module, function, args, sources, timeout_ms=0, "
                     "queue_limit=1024)\n--\n\n"
                     "The client's half of an aggregation (query.apply).")},
    {0, nullptr},
};

PyType_Spec kAggregationSpec = {
    "aerospike_py._core.Aggregation",
    sizeof(AggregationObject),
    0,
    Py_TPFLAGS_DEFAULT,
    kAggregationSlots,
};

}  // namespace

int AddAggregationType(PyObject* module) {
  Ref type = Ref::Steal(PyType_FromModuleAndSpec(module, &kAggregationSpec, nullptr));
  if (!type) return -1;
  return PyModule_AddObjectRef(module, "Aggregation", type.get());
}

}  // namespace aerospike_py::python
