#include "python/results.h"

#include <string>
#include <string_view>

#include "common/status_payload.h"
#include "proto/constants.h"
#include "proto/ttl.h"
#include "proto/info.h"
#include "python/batch_results.h"
#include "python/errors.h"
#include "python/keys.h"
#include "python/meta_cache.h"
#include "python/op_results.h"
#include "python/value_decode.h"

namespace aerospike_py::python {
namespace {

bool Failed(const client::Command& cmd) {
  return !cmd.status.ok() || cmd.result != ResultCode::kOk;
}

PyObject* RaiseCommandError(ModuleState* st, const client::Command& cmd, PyObject* key) {
  return RaiseOwned(NewCommandError(st, cmd, key));
}

PyObject* NewStr(std::string_view s) {
  return PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
}

// The value answered for the request: the single pair's value, or the
// whole body when the request had several lines.
std::string_view InfoValue(std::string_view body) {
  std::vector<proto::InfoPair> pairs = proto::ParseInfoResponse(body);
  if (pairs.size() == 1) return pairs[0].value;
  if (pairs.empty()) return std::string_view();
  return body;
}

// `operate`: the bins as operate() returns them (op_results.h).
PyObject* ConvertRecord(ModuleState* st, client::RecordCommand* rc, PyObject* key,
                        bool operate = false) {
  PyObject* items[3];
  items[0] = NewKeyTuple(st, key, EnsureDigest(&rc->key));
  items[1] = items[0] ? NewMeta(st, rc->message.header.generation,
                                rc->message.header.record_ttl)
                      : nullptr;
  if (items[1] == nullptr) {
    items[2] = nullptr;
  } else if (operate) {
    items[2] = NewOperateBins(st, rc->message, rc->op_shapes, /*keep_empty=*/false);
  } else {
    items[2] = NewBinsDict(st, rc->message);
  }
  if (items[2] == nullptr) {
    Py_XDECREF(items[0]);
    Py_XDECREF(items[1]);
    return nullptr;
  }
  return NewNamedTuple(st->record_type, items, 3);
}

PyObject* ConvertOrdered(ModuleState* st, client::RecordCommand* rc, PyObject* key) {
  Ref list = Ref::Steal(NewOrderedBins(st, rc->message, rc->op_shapes));
  if (!list) return nullptr;
  PyObject* items[3];
  items[0] = NewKeyTuple(st, key, EnsureDigest(&rc->key));
  items[1] = items[0] ? NewMeta(st, rc->message.header.generation,
                                rc->message.header.record_ttl)
                      : nullptr;
  if (items[1] == nullptr) {
    Py_XDECREF(items[0]);
    return nullptr;
  }
  items[2] = list.release();
  return NewNamedTuple(st->ordered_type, items, 3);
}

PyObject* ConvertInfoAll(ModuleState* st, client::InfoCommand* ic) {
  if (!ic->status.ok() && ic->answers.empty()) return RaiseCommandError(st, *ic, nullptr);
  Ref list = Ref::Steal(PyList_New(static_cast<Py_ssize_t>(ic->answers.size())));
  if (!list) return nullptr;
  for (size_t i = 0; i < ic->answers.size(); ++i) {
    const client::InfoCommand::NodeAnswer& a = ic->answers[i];
    PyObject* items[3];
    items[0] = NewStr(a.node);
    if (a.status.ok()) {
      items[1] = PyLong_FromLong(0);
      items[2] = NewStr(InfoValue(a.response));
    } else {
      items[1] = PyLong_FromLong(CodeForStatus(a.status, ResultCode::kOk));
      items[2] = NewStr(StdView(a.status.message()));
    }
    if (!items[0] || !items[1] || !items[2]) {
      for (PyObject* o : items) Py_XDECREF(o);
      return nullptr;
    }
    PyObject* r = NewNamedTuple(st->info_node_type, items, 3);
    if (r == nullptr) return nullptr;
    PyList_SET_ITEM(list.get(), static_cast<Py_ssize_t>(i), r);
  }
  return list.release();
}

// The first answer, or raises the command's (or the answer's) error.
const client::InfoCommand::NodeAnswer* FirstAnswer(ModuleState* st, client::InfoCommand* ic) {
  if (ic->answers.empty()) {
    if (ic->status.ok()) {
      RaiseClientError(st, "info command got no answer");
    } else {
      RaiseCommandError(st, *ic, nullptr);
    }
    return nullptr;
  }
  const client::InfoCommand::NodeAnswer& a = ic->answers.front();
  if (!a.status.ok()) {
    client::InfoCommand copy;
    copy.status = a.status;
    copy.node = a.node;
    RaiseCommandError(st, copy, nullptr);
    return nullptr;
  }
  return &a;
}

// apply's answer: the value of the SUCCESS bin (None when the function
// returned nothing), or UDFError carrying the FAILURE bin's message (the
// Lua error with its file and line) for result 100.
PyObject* ConvertUdf(ModuleState* st, client::RecordCommand* rc, PyObject* key) {
  if (!rc->status.ok()) return RaiseCommandError(st, *rc, key);
  const bool udf_failed = rc->result == ResultCode::kUdf;
  if (rc->result != ResultCode::kOk && !udf_failed) return RaiseCommandError(st, *rc, key);
  proto::OpIterator it(rc->message);
  proto::OpView op;
  while (it.Next(&op)) {
    if (udf_failed && op.name == "FAILURE") {
      std::string_view text = AsChars(op.value);
      if (op.particle_type != static_cast<uint8_t>(proto::ParticleType::kString)) {
        text = "UDF failed (no error message)";
      }
      return RaiseOwned(NewError(st, ToInt(ResultCode::kUdf), text, false, key, rc->node));
    }
    if (!udf_failed && op.name == "SUCCESS") {
      return DecodeParticle(st, op.particle_type, op.value);
    }
  }
  if (udf_failed) return RaiseCommandError(st, *rc, key);
  Py_RETURN_NONE;
}

// CPython's own test (_PyObject_GC_MAY_BE_TRACKED): a non-GC object, or an
// exact tuple the GC has already untracked, holds no reference cycle.
bool MayHoldCycles(PyObject* o) {
  if (!PyObject_IS_GC(o)) return false;
  if (PyTuple_CheckExact(o)) return PyObject_GC_IsTracked(o) != 0;
  return true;
}

}  // namespace

// CPython untracks an exact tuple of atomic items at its first collection; a
// subclass it never does, so every key and metadata tuple of a large result
// stayed in the GC's lists and was walked by each full collection (more than
// half of what results() cost for 200,000 records). The same rule, applied at
// birth: an immutable tuple without __dict__ whose items cannot reach a
// container cannot be part of a cycle.
void UntrackIfAtomic(PyObject* tuple) {
  if (Py_TYPE(tuple)->tp_dictoffset != 0) return;
  for (Py_ssize_t i = 0, n = PyTuple_GET_SIZE(tuple); i < n; ++i) {
    if (MayHoldCycles(PyTuple_GET_ITEM(tuple, i))) return;
  }
  PyObject_GC_UnTrack(tuple);
}

PyObject* NewNamedTuple(PyObject* type_obj, PyObject** items, Py_ssize_t n) {
  PyTypeObject* type = reinterpret_cast<PyTypeObject*>(type_obj);
  PyObject* t = type->tp_alloc(type, n);
  if (t == nullptr) {
    for (Py_ssize_t i = 0; i < n; ++i) Py_XDECREF(items[i]);
    return nullptr;
  }
  for (Py_ssize_t i = 0; i < n; ++i) PyTuple_SET_ITEM(t, i, items[i]);
  UntrackIfAtomic(t);
  return t;
}

PyObject* NewMeta(ModuleState* st, uint32_t generation, uint32_t void_time) {
  const uint32_t ttl = proto::TtlFromVoidTime(void_time, proto::NowServerEpochSeconds());
  return st->meta_cache->Get(st, generation, ttl);
}

PyObject* ConvertResult(ModuleState* st, ResultKind kind, std::unique_ptr<client::Command>& owned,
                        PyObject* ctx) {
  client::Command* cmd = owned.get();
  switch (kind) {
    case ResultKind::kNone:
      if (Failed(*cmd)) return RaiseCommandError(st, *cmd, ctx);
      Py_RETURN_NONE;
    case ResultKind::kRecord:
      if (Failed(*cmd)) return RaiseCommandError(st, *cmd, ctx);
      return ConvertRecord(st, static_cast<client::RecordCommand*>(cmd), ctx);
    case ResultKind::kOperate:
      if (Failed(*cmd)) return RaiseCommandError(st, *cmd, ctx);
      return ConvertRecord(st, static_cast<client::RecordCommand*>(cmd), ctx, /*operate=*/true);
    case ResultKind::kOrdered:
      if (Failed(*cmd)) return RaiseCommandError(st, *cmd, ctx);
      return ConvertOrdered(st, static_cast<client::RecordCommand*>(cmd), ctx);
    case ResultKind::kExists: {
      auto* rc = static_cast<client::RecordCommand*>(cmd);
      const bool absent = rc->status.ok() && rc->result == ResultCode::kRecordNotFound;
      if (Failed(*cmd) && !absent) return RaiseCommandError(st, *cmd, ctx);
      PyObject* items[2];
      items[0] = NewKeyTuple(st, ctx, EnsureDigest(&rc->key));
      if (items[0] == nullptr) return nullptr;
      items[1] = absent ? Py_NewRef(Py_None)
                        : NewMeta(st, rc->message.header.generation,
                                  rc->message.header.record_ttl);
      if (items[1] == nullptr) {
        Py_DECREF(items[0]);
        return nullptr;
      }
      return NewNamedTuple(st->exists_type, items, 2);
    }
    case ResultKind::kConnect:
      if (!cmd->status.ok()) {
        // Seeding failed: aerospike-py raises ClusterError here, unless the
        // core knows better (a TLS failure, a login the server refused).
        if (ToInt(cmd->result) >= 0 && !ResultCodeOf(cmd->status)) {
          cmd->result = ResultCode::kCluster;
        }
        return RaiseCommandError(st, *cmd, nullptr);
      }
      Py_RETURN_NONE;
    case ResultKind::kInfoOne: {
      auto* ic = static_cast<client::InfoCommand*>(cmd);
      const client::InfoCommand::NodeAnswer* a = FirstAnswer(st, ic);
      if (a == nullptr) return nullptr;
      return NewStr(InfoValue(a->response));
    }
    case ResultKind::kInfoAll:
      return ConvertInfoAll(st, static_cast<client::InfoCommand*>(cmd));
    case ResultKind::kAdmin:
    case ResultKind::kAdminUser:
    case ResultKind::kAdminUsers:
    case ResultKind::kAdminRole:
    case ResultKind::kAdminRoles:
      return ConvertAdmin(st, kind, *cmd);
    case ResultKind::kPing: {
      auto* ic = static_cast<client::InfoCommand*>(cmd);
      const bool ok = ic->status.ok() && !ic->answers.empty() && ic->answers.front().status.ok();
      return Py_NewRef(ok ? Py_True : Py_False);
    }
    case ResultKind::kTruncate: {
      auto* ic = static_cast<client::InfoCommand*>(cmd);
      const client::InfoCommand::NodeAnswer* a = FirstAnswer(st, ic);
      if (a == nullptr) return nullptr;
      std::string_view value = InfoValue(a->response);
      if (value == "ok") Py_RETURN_NONE;
      int code = 1;
      std::string_view message = value;
      proto::ParseInfoError(value, &code, &message);
      return RaiseOwned(NewError(st, code, std::string("truncate failed: ") + std::string(message),
                                 false, nullptr, a->node));
    }
    case ResultKind::kUdf:
      return ConvertUdf(st, static_cast<client::RecordCommand*>(cmd), ctx);
    case ResultKind::kBatchRead:
    case ResultKind::kBatchView:
    case ResultKind::kBatchWrite:
    case ResultKind::kBatchNumpy:
    case ResultKind::kBatchArrow:
      return ConvertBatch(st, kind, owned, ctx);
  }
  PyErr_SetString(PyExc_SystemError, "unknown result kind");
  return nullptr;
}

}  // namespace aerospike_py::python
