#include "python/batch_results.h"

#include "proto/ttl.h"
#include "python/arrow_batch.h"
#include "python/bulk_keys.h"
#include "python/errors.h"
#include "python/keys.h"
#include "python/meta_cache.h"
#include "python/numpy_batch.h"
#include "python/numpy_fill.h"
#include "python/op_results.h"
#include "python/value_decode.h"

namespace aerospike_py::python {
namespace {

using client::BatchCommand;
using client::BatchRecordResult;

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

// The bins of key i: a copy of the dict converted already (`bins`, a list
// per key, may be null) or a fresh conversion. New reference.
PyObject* BinsOf(ModuleState* st, const BatchRecordResult& r, PyObject* bins, size_t i) {
  if (bins != nullptr) {
    PyObject* done = PyList_GET_ITEM(bins, static_cast<Py_ssize_t>(i));
    if (done != Py_None) return PyDict_Copy(done);
  }
  return NewBinsDict(st, r.message);
}

// The bins of key i of a batch whose row may ask for operate() results
// (batch_operate with list/map/bit/HLL ops: op_results.h).
PyObject* RowBins(ModuleState* st, const BatchCommand& cmd, PyObject* bins, size_t i) {
  const client::BatchRowSpec& spec = cmd.specs[cmd.keys[i].spec];
  if (spec.op_results != 0) {
    return NewOperateBins(st, cmd.results[i].message, spec.op_shapes,
                          /*keep_empty=*/spec.op_results == 2);
  }
  return BinsOf(st, cmd.results[i], bins, i);
}

// RecordMetadata objects of one batch (python/meta_cache.h: records with
// equal metadata share one object), their TTLs measured against one reading
// of the clock.
class BatchMetas {
 public:
  explicit BatchMetas(ModuleState* st) : st_(st), now_(proto::NowServerEpochSeconds()) {}
  // New reference.
  PyObject* Get(uint32_t generation, uint32_t void_time) {
    return st_->meta_cache->Get(st_, generation, proto::TtlFromVoidTime(void_time, now_));
  }

 private:
  ModuleState* st_;
  int64_t now_;
};

// Record(key, meta, bins) of an answered key. New reference.
PyObject* NewRecord(ModuleState* st, const BatchCommand& cmd, PyObject* key_tuple,
                    PyObject* bins, size_t i, BatchMetas* metas) {
  const BatchRecordResult& r = cmd.results[i];
  PyObject* items[3];
  items[0] = Py_NewRef(key_tuple);
  items[1] = metas->Get(r.generation, r.void_time);
  items[2] = items[1] ? RowBins(st, cmd, bins, i) : nullptr;
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
  PyObject* keys;     // the call's key context (bulk_keys.h)
  // Per key, its bins dict as the dict view holds it, or None (not found):
  // to_list() and view() copy these instead of converting the wire again.
  PyObject* bins;
};

BatchHandleObject* AsHandle(PyObject* o) { return reinterpret_cast<BatchHandleObject*>(o); }

PyObject* NewRecordList(ModuleState* st, BatchCommand* cmd, PyObject* keys, PyObject* bins);

PyObject* Handle_view(PyObject* self, PyObject*) {
  BatchHandleObject* h = AsHandle(self);
  return NewRecordList(h->st, h->cmd, h->keys, h->bins);
}

// A fresh list of fresh dicts (shallow copies of the dict view's), so the
// caller may change them without changing the dict view.
PyObject* Handle_to_list(PyObject* self, PyObject*) {
  BatchHandleObject* h = AsHandle(self);
  if (h->bins == nullptr) return NewBinsList(h->st, h->cmd);
  const Py_ssize_t n = PyList_GET_SIZE(h->bins);
  Ref list = Ref::Steal(PyList_New(n));
  if (!list) return nullptr;
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* b = PyList_GET_ITEM(h->bins, i);
    PyObject* item = b == Py_None ? Py_NewRef(Py_None) : PyDict_Copy(b);
    if (item == nullptr) return nullptr;
    PyList_SET_ITEM(list.get(), i, item);
  }
  return list.release();
}

PyObject* Handle_found_count(PyObject* self, PyObject*) {
  return PyLong_FromSsize_t(FoundCount(*AsHandle(self)->cmd));
}

PyObject* Handle_user_keys(PyObject* self, PyObject*) {
  BatchHandleObject* h = AsHandle(self);
  const size_t n = h->cmd->keys.size();
  Ref list = Ref::Steal(PyList_New(static_cast<Py_ssize_t>(n)));
  if (!list) return nullptr;
  KeySource keys(h->st, h->keys, *h->cmd);
  for (size_t i = 0; i < n; ++i) {
    keys.Prefetch(i);
    PyObject* pk = keys.UserKey(i);
    if (pk == nullptr) return nullptr;
    PyList_SET_ITEM(list.get(), static_cast<Py_ssize_t>(i), pk);
  }
  return list.release();
}

// to_numpy(dtype): the same fill as batch_read(_dtype=...), here on the
// caller's thread; the GIL is released around the fill of large batches.
PyObject* Handle_to_numpy(PyObject* self, PyObject* dtype_arg) {
  BatchHandleObject* h = AsHandle(self);
  Ref dtype;
  std::shared_ptr<const NumpyLayout> layout = NumpyLayoutOf(h->st, dtype_arg, &dtype);
  if (layout == nullptr) return nullptr;
  NumpyBlock block;
  NumpyFillError error;
  if (h->cmd->results.size() >= 512) {
    Py_BEGIN_ALLOW_THREADS
    FillNumpyRows(*layout, *h->cmd, &block, &error);
    Py_END_ALLOW_THREADS
  } else {
    FillNumpyRows(*layout, *h->cmd, &block, &error);
  }
  KeySource keys(h->st, h->keys, *h->cmd);
  return NewNumpyBatchRecords(h->st, *h->cmd, &block, error, dtype.get(), keys.entries());
}

int Handle_traverse(PyObject* self, visitproc visit, void* arg) {
  Py_VISIT(Py_TYPE(self));
  Py_VISIT(AsHandle(self)->keys);
  Py_VISIT(AsHandle(self)->bins);
  return 0;
}

int Handle_clear(PyObject* self) {
  Py_CLEAR(AsHandle(self)->keys);
  Py_CLEAR(AsHandle(self)->bins);
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
    {"to_numpy", Handle_to_numpy, METH_O,
     "to_numpy(dtype) -> NumpyBatchRecords: every key's row in input order."},
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
  Ref positional = Ref::Steal(PyList_New(static_cast<Py_ssize_t>(n)));
  if (!positional) return nullptr;
  KeySource source(st, keys, *cmd);
  for (size_t i = 0; i < n; ++i) {
    source.Prefetch(i);
    const BatchRecordResult& r = cmd->results[i];
    if (!r.answered || r.result != ResultCode::kOk) {
      PyList_SET_ITEM(positional.get(), static_cast<Py_ssize_t>(i), Py_NewRef(Py_None));
      continue;
    }
    Ref bins = Ref::Steal(NewBinsDict(st, r.message));
    if (!bins) return nullptr;
    PyList_SET_ITEM(positional.get(), static_cast<Py_ssize_t>(i), Py_NewRef(bins.get()));
    Ref pk = Ref::Steal(source.UserKey(i));
    if (!pk) return nullptr;
    if (pk.get() == Py_None) continue;  // digest only: in to_list() and the view, not the dict
    Ref user_key = Ref::Steal(DictKeyOf(pk.get()));
    if (!user_key) return nullptr;
    if (PyDict_SetItem(dict.get(), user_key.get(), bins.get()) < 0) return nullptr;
  }
  PyTypeObject* handle_type = reinterpret_cast<PyTypeObject*>(st->batch_handle_type);
  Ref handle = Ref::Steal(handle_type->tp_alloc(handle_type, 0));
  if (!handle) return nullptr;
  BatchHandleObject* h = AsHandle(handle.get());
  h->st = st;
  h->keys = Py_NewRef(keys);
  h->bins = positional.release();
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

int BatchKeyResult(const BatchCommand& cmd, size_t i) {
  return KeyResult(cmd, cmd.results[i]);
}

PyObject* NewBatchRecordList(ModuleState* st, BatchCommand* cmd, PyObject* keys) {
  return NewRecordList(st, cmd, keys, nullptr);
}

namespace {

PyObject* NewRecordList(ModuleState* st, BatchCommand* cmd, PyObject* keys, PyObject* bins) {
  const size_t n = cmd->results.size();
  Ref list = Ref::Steal(PyList_New(static_cast<Py_ssize_t>(n)));
  if (!list) return nullptr;
  KeySource source(st, keys, *cmd);
  BatchMetas metas(st);
  for (size_t i = 0; i < n; ++i) {
    source.Prefetch(i);
    const BatchRecordResult& r = cmd->results[i];
    Ref key = Ref::Steal(source.NewKey(i, DigestOf(*cmd, i)));
    if (!key) return nullptr;
    const int code = KeyResult(*cmd, r);
    // A UDF row that failed (100) answers its FAILURE bin, kept as its record.
    const bool with_record = r.answered && (code == 0 || code == ToInt(ResultCode::kUdf));
    Ref record = with_record ? Ref::Steal(NewRecord(st, *cmd, key.get(), bins, i, &metas))
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

}  // namespace

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
    case ResultKind::kBatchNumpy:
      // Like the dict: a failure of the batch is an exception.
      if (failed) return RaiseOwned(NewCommandError(st, *cmd, nullptr));
      return ConvertNumpyBatch(st, cmd, keys);
    case ResultKind::kBatchArrow:
      // Like the dict: a failure of the batch is an exception.
      if (failed) return RaiseOwned(NewCommandError(st, *cmd, nullptr));
      return ConvertArrowBatch(st, cmd, keys);
    default:
      break;
  }
  PyErr_SetString(PyExc_SystemError, "not a batch result kind");
  return nullptr;
}

}  // namespace aerospike_py::python
