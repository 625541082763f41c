#include "python/batch_results.h"

#include "python/errors.h"
#include "python/keys.h"
#include "python/value_decode.h"

namespace aerospike_py::python {
namespace {

using client::BatchCommand;
using client::BatchRecordResult;

// The result code of one key: the server's, or why no answer came back for
// it (the core's per-key reason, else the batch's failure).
int KeyResult(const BatchCommand& cmd, const BatchRecordResult& r) {
  if (r.answered || r.result != ResultCode::kOk) return ToInt(r.result);
  if (!cmd.status.ok()) return CodeForStatus(cmd.status, ResultCode::kOk);
  return ToInt(ResultCode::kClientError);
}

bool AnyAnswered(const BatchCommand& cmd) {
  for (const BatchRecordResult& r : cmd.results) {
    if (r.answered) return true;
  }
  return false;
}

// The digest of key i: the caller's, or the event thread's (reported back
// in the command), or computed now.
proto::Digest DigestOf(const BatchCommand& cmd, size_t i) {
  const client::BatchKey& k = cmd.keys[i];
  if (k.has_digest) return k.digest;
  const client::NamespaceSet& ns = cmd.ns_sets[k.ns_set];
  return proto::ComputeDigest(ns.set, k.key_type,
                              ByteSpan(cmd.key_bytes.data() + k.key_offset, k.key_len));
}

// Record(key, meta, bins) of an answered key. New reference.
PyObject* NewRecord(ModuleState* st, const BatchRecordResult& r, PyObject* key_tuple) {
  PyObject* items[3];
  items[0] = Py_NewRef(key_tuple);
  items[1] = NewMeta(st, r.generation, r.void_time);
  items[2] = items[1] ? NewBinsDict(st, r.message) : nullptr;
  if (items[2] == nullptr) {
    Py_XDECREF(items[0]);
    Py_XDECREF(items[1]);
    return nullptr;
  }
  return NewNamedTuple(st->record_type, items, 3);
}

// The user key for aerospike-py's dict (bytearray is not hashable).
PyObject* DictKeyOf(PyObject* pk) {
  if (PyByteArray_Check(pk)) {
    return PyBytes_FromStringAndSize(PyByteArray_AS_STRING(pk), PyByteArray_GET_SIZE(pk));
  }
  return Py_NewRef(pk);
}

// ---------------------------------------------------------------------------
// _BatchHandle: keeps a finished batch_read (its frames and per-key index)
// for the lossless views of its result, converted only when asked for.

struct BatchHandleObject {
  PyObject_HEAD
  ModuleState* st;
  BatchCommand* cmd;  // owned
  PyObject* keys;     // tuple of the key tuples
};

BatchHandleObject* AsHandle(PyObject* o) { return reinterpret_cast<BatchHandleObject*>(o); }

PyObject* Handle_view(PyObject* self, PyObject*) {
  BatchHandleObject* h = AsHandle(self);
  return NewBatchRecordList(h->st, h->cmd, h->keys);
}

PyObject* Handle_to_list(PyObject* self, PyObject*) {
  BatchHandleObject* h = AsHandle(self);
  return NewBinsList(h->st, h->cmd);
}

PyObject* Handle_found_count(PyObject* self, PyObject*) {
  return PyLong_FromSsize_t(FoundCount(*AsHandle(self)->cmd));
}

PyObject* Handle_user_keys(PyObject* self, PyObject*) {
  BatchHandleObject* h = AsHandle(self);
  const Py_ssize_t n = PyTuple_GET_SIZE(h->keys);
  Ref list = Ref::Steal(PyList_New(n));
  if (!list) return nullptr;
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyList_SET_ITEM(list.get(), i, Py_NewRef(PyTuple_GET_ITEM(PyTuple_GET_ITEM(h->keys, i), 2)));
  }
  return list.release();
}

int Handle_traverse(PyObject* self, visitproc visit, void* arg) {
  Py_VISIT(Py_TYPE(self));
  Py_VISIT(AsHandle(self)->keys);
  return 0;
}

int Handle_clear(PyObject* self) {
  Py_CLEAR(AsHandle(self)->keys);
  return 0;
}

void Handle_dealloc(PyObject* self) {
  PyTypeObject* tp = Py_TYPE(self);
  PyObject_GC_UnTrack(self);
  Handle_clear(self);
  delete AsHandle(self)->cmd;
  AsHandle(self)->cmd = nullptr;
  tp->tp_free(self);
  Py_DECREF(tp);
}

PyMethodDef kHandleMethods[] = {
    {"view", Handle_view, METH_NOARGS,
     "view() -> list[BatchRecord]: every key in input order with its result."},
    {"to_list", Handle_to_list, METH_NOARGS,
     "to_list() -> list[dict | None]: bins per key in input order, None when not found."},
    {"found_count", Handle_found_count, METH_NOARGS, "found_count() -> int"},
    {"user_keys", Handle_user_keys, METH_NOARGS, "user_keys() -> list: in input order."},
    {nullptr, nullptr, 0, nullptr},
};

PyType_Slot kHandleSlots[] = {
    {Py_tp_doc, const_cast<char*>("A finished batch_read kept for its lazy views (internal).")},
    {Py_tp_methods, kHandleMethods},
    {Py_tp_traverse, reinterpret_cast<void*>(Handle_traverse)},
    {Py_tp_clear, reinterpret_cast<void*>(Handle_clear)},
    {Py_tp_dealloc, reinterpret_cast<void*>(Handle_dealloc)},
    {0, nullptr},
};

// aerospike-py's shape: a LazyBatchRecords (a dict) of {user_key: bins} for
// the records found; keys without a user key (digest only) are left out and
// later duplicates win. It takes the command over for its lossless views.
PyObject* NewLazyBatch(ModuleState* st, std::unique_ptr<client::Command>& owned, PyObject* keys) {
  auto* cmd = static_cast<BatchCommand*>(owned.get());
  // dict's tp_new alone: a ready, empty dict of the subclass, without a
  // Python-level __init__ call.
  PyTypeObject* lazy_type = reinterpret_cast<PyTypeObject*>(st->lazy_batch_type);
  Ref empty = Ref::Steal(PyTuple_New(0));
  if (!empty) return nullptr;
  Ref dict = Ref::Steal(lazy_type->tp_new(lazy_type, empty.get(), nullptr));
  if (!dict) return nullptr;
  const size_t n = cmd->results.size();
  for (size_t i = 0; i < n; ++i) {
    const BatchRecordResult& r = cmd->results[i];
    if (!r.answered || r.result != ResultCode::kOk) continue;
    PyObject* pk = PyTuple_GET_ITEM(PyTuple_GET_ITEM(keys, static_cast<Py_ssize_t>(i)), 2);
    if (pk == Py_None) continue;
    Ref user_key = Ref::Steal(DictKeyOf(pk));
    if (!user_key) return nullptr;
    Ref bins = Ref::Steal(NewBinsDict(st, r.message));
    if (!bins) return nullptr;
    if (PyDict_SetItem(dict.get(), user_key.get(), bins.get()) < 0) return nullptr;
  }
  PyTypeObject* handle_type = reinterpret_cast<PyTypeObject*>(st->batch_handle_type);
  Ref handle = Ref::Steal(handle_type->tp_alloc(handle_type, 0));
  if (!handle) return nullptr;
  BatchHandleObject* h = AsHandle(handle.get());
  h->st = st;
  h->keys = Py_NewRef(keys);
  h->cmd = static_cast<BatchCommand*>(owned.release());
  if (PyObject_SetAttr(dict.get(), st->s__handle, handle.get()) < 0) return nullptr;
  return dict.release();
}

}  // namespace

PyType_Spec kBatchHandleSpec = {
    "aerospike_py._core._BatchHandle",
    sizeof(BatchHandleObject),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    kHandleSlots,
};

Py_ssize_t FoundCount(const BatchCommand& cmd) {
  Py_ssize_t found = 0;
  for (const BatchRecordResult& r : cmd.results) {
    if (r.answered && r.result == ResultCode::kOk) ++found;
  }
  return found;
}

PyObject* NewBatchRecordList(ModuleState* st, BatchCommand* cmd, PyObject* keys) {
  const size_t n = cmd->results.size();
  Ref list = Ref::Steal(PyList_New(static_cast<Py_ssize_t>(n)));
  if (!list) return nullptr;
  for (size_t i = 0; i < n; ++i) {
    const BatchRecordResult& r = cmd->results[i];
    PyObject* user_key = PyTuple_GET_ITEM(keys, static_cast<Py_ssize_t>(i));
    Ref key = Ref::Steal(NewKeyTuple(st, user_key, DigestOf(*cmd, i)));
    if (!key) return nullptr;
    const int code = KeyResult(*cmd, r);
    Ref record = (r.answered && code == 0) ? Ref::Steal(NewRecord(st, r, key.get()))
                                           : Ref::New(Py_None);
    if (!record) return nullptr;
    PyObject* items[4];
    items[0] = key.release();
    items[1] = PyLong_FromLong(code);
    items[2] = record.release();
    items[3] = Py_NewRef(r.in_doubt ? Py_True : Py_False);
    if (items[1] == nullptr) {
      for (PyObject* o : items) Py_XDECREF(o);
      return nullptr;
    }
    PyObject* br = NewNamedTuple(st->batch_record_type, items, 4);
    if (br == nullptr) return nullptr;
    PyList_SET_ITEM(list.get(), static_cast<Py_ssize_t>(i), br);
  }
  return list.release();
}

PyObject* NewBinsList(ModuleState* st, BatchCommand* cmd) {
  const size_t n = cmd->results.size();
  Ref list = Ref::Steal(PyList_New(static_cast<Py_ssize_t>(n)));
  if (!list) return nullptr;
  for (size_t i = 0; i < n; ++i) {
    const BatchRecordResult& r = cmd->results[i];
    PyObject* item = (r.answered && r.result == ResultCode::kOk) ? NewBinsDict(st, r.message)
                                                                 : Py_NewRef(Py_None);
    if (item == nullptr) return nullptr;
    PyList_SET_ITEM(list.get(), static_cast<Py_ssize_t>(i), item);
  }
  return list.release();
}

PyObject* ConvertBatch(ModuleState* st, ResultKind kind, std::unique_ptr<client::Command>& owned,
                       PyObject* keys) {
  auto* cmd = static_cast<BatchCommand*>(owned.get());
  const bool failed = !cmd->status.ok();
  if (cmd->results.size() != cmd->keys.size()) {
    if (failed) return RaiseOwned(NewCommandError(st, *cmd, nullptr));
    return RaiseClientError(st, "batch answered %zu of %zu keys", cmd->results.size(),
                            cmd->keys.size());
  }
  switch (kind) {
    case ResultKind::kBatchRead:
      // The dict cannot say which keys failed: a failure of the batch is
      // an exception, as in aerospike-py.
      if (failed) return RaiseOwned(NewCommandError(st, *cmd, nullptr));
      return NewLazyBatch(st, owned, keys);
    case ResultKind::kBatchView:
      // Every key carries its own code; only a batch where no node answered
      // at all is an exception.
      if (failed && !AnyAnswered(*cmd)) return RaiseOwned(NewCommandError(st, *cmd, nullptr));
      return NewBatchRecordList(st, cmd, keys);
    case ResultKind::kBatchWrite: {
      if (failed && !AnyAnswered(*cmd)) return RaiseOwned(NewCommandError(st, *cmd, nullptr));
      PyObject* items[2];
      items[0] = NewBatchRecordList(st, cmd, keys);
      if (items[0] == nullptr) return nullptr;
      items[1] = Py_NewRef(st->default_retry_info);
      return NewNamedTuple(st->batch_write_result_type, items, 2);
    }
    default:
      break;
  }
  PyErr_SetString(PyExc_SystemError, "not a batch result kind");
  return nullptr;
}

}  // namespace aerospike_py::python
