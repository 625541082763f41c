// _core.Aggregation: the bridge to client::Aggregation (client/aggregation.h),
// the client's half of query.apply(). aerospike_py.query feeds it the values
// the nodes sent and asks for the reduced result:
//
//   Aggregation(module, function, args: list, sources: dict[str, str],
//               timeout_ms: int)   -- loads the module, starts the worker
//   push(value)                    -- one node value (queued; no Lua here)
//   finish() -> list               -- input ended: waits, GIL released, for
//                                     the worker's final values
//   close()                        -- abandon (also on dealloc)
//
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
  std::unique_ptr<client::Aggregation> core;
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
  static const char* kw[] = {"module", "function", "args", "sources", "timeout_ms", nullptr};
  const char *module, *function;
  PyObject *arg_list, *sources;
  long long timeout_ms = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "ssOO|L:Aggregation", const_cast<char**>(kw),
                                   &module, &function, &arg_list, &sources, &timeout_ms)) {
    return nullptr;
  }
  client::AggregationSpec spec;
  spec.module = module;
  spec.function = function;
  spec.timeout = std::chrono::milliseconds(timeout_ms > 0 ? timeout_ms : 0);
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
  new (&a->core) std::unique_ptr<client::Aggregation>(std::move(core).value());
  return self;
}

// Destroys the core (joins the worker) with the GIL released.
void CloseCore(AggregationObject* a) {
  if (!a->core) return;
  std::unique_ptr<client::Aggregation> core = std::move(a->core);
  Py_BEGIN_ALLOW_THREADS
  core.reset();
  Py_END_ALLOW_THREADS
}

void Aggregation_dealloc(PyObject* self) {
  AggregationObject* a = AsAgg(self);
  PyTypeObject* type = Py_TYPE(self);
  CloseCore(a);
  a->core.~unique_ptr();
  a->outcome.~shared_ptr();
  type->tp_free(self);
  Py_DECREF(type);
}

PyObject* Aggregation_push(PyObject* self, PyObject* value) {
  AggregationObject* a = AsAgg(self);
  if (!a->core) return RaiseClientError(a->st, "the aggregation is finished");
  proto::Value v;
  if (!ToValue(a->st, value, &v)) return nullptr;
  a->core->Push(std::move(v));
  Py_RETURN_NONE;
}

PyObject* Aggregation_finish(PyObject* self, PyObject*) {
  AggregationObject* a = AsAgg(self);
  if (!a->core) return RaiseClientError(a->st, "the aggregation is finished");
  a->core->Finish(Status());
  std::shared_ptr<Outcome> outcome = a->outcome;
  client::AggregationOutcome result;
  Py_BEGIN_ALLOW_THREADS
  {
    std::unique_lock<std::mutex> lock(outcome->mu);
    outcome->cv.wait(lock, [&] { return outcome->value.has_value(); });
    result = std::move(*outcome->value);
  }
  Py_END_ALLOW_THREADS
  CloseCore(a);
  if (!result.status.ok()) return RaiseStatus(a->st, result.status);
  ByteBuffer packed = proto::EncodeMsgpack(proto::Value::List(std::move(result.values)));
  return DecodeParticle(a->st, static_cast<uint8_t>(proto::ParticleType::kList), packed.span());
}

PyObject* Aggregation_close(PyObject* self, PyObject*) {
  CloseCore(AsAgg(self));
  Py_RETURN_NONE;
}

PyMethodDef kAggregationMethods[] = {
    {"push", Aggregation_push, METH_O,
     "push(value)\n--\n\nOne value a node sent (queued; no Lua runs here)."},
    {"finish", Aggregation_finish, METH_NOARGS,
     "finish()\n--\n\nThe input ended: the reduced values (UDFError on a Lua "
     "error), waited for with the GIL released."},
    {"close", Aggregation_close, METH_NOARGS, "close()\n--\n\nAbandons the aggregation."},
    {nullptr, nullptr, 0, nullptr},
};

PyType_Slot kAggregationSlots[] = {
    {Py_tp_new, reinterpret_cast<void*>(Aggregation_new)},
    {Py_tp_dealloc, reinterpret_cast<void*>(Aggregation_dealloc)},
    {Py_tp_methods, kAggregationMethods},
    {Py_tp_doc, const_cast<char*>(
                     "Aggregation(module, function, args, sources, timeout_ms=0)\n--\n\n"
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
