// Batch methods of Client/AsyncClient: batch_read (aerospike-py's dict, or
// a NumpyBatchRecords with _dtype=), batch_read_view (lossless, one
// BatchRecord per key in input order), batch_write, batch_write_numpy,
// batch_operate, batch_remove, and batch (a heterogeneous list of
// Read/Write/Remove rows in one call). The GIL-held part is only reading
// the Python keys/bins into the compact BatchCommand (bulk_keys.h); digests,
// routing, request bytes and the NumPy fill are the event thread's work.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "proto/constants.h"
#include "proto/op_writer.h"
#include "python/arg_parse.h"
#include "python/arrow_batch.h"
#include "python/batch_results.h"
#include "python/bulk_keys.h"
#include "python/cdt_encode.h"
#include "python/client_object.h"
#include "python/errors.h"
#include "python/keys.h"
#include "python/loop_bridge.h"
#include "python/numpy_batch.h"
#include "python/numpy_fill.h"
#include "python/ops.h"
#include "python/value_encode.h"

namespace aerospike_py::python {
namespace {

using client::BatchCommand;
using client::BatchRowSpec;

ClientObject* AsClient(PyObject* o) { return reinterpret_cast<ClientObject*>(o); }

// The batch policy of a call: client defaults, then the dict.
const OpPolicy* BatchPolicyOf(ClientObject* self, PyObject* policy, OpPolicy* local) {
  const OpPolicy* p = &self->s->policies.batch;
  if (policy != nullptr) {
    *local = *p;
    if (!ApplyPolicyDict(self->st, policy, PolicyKind::kBatch, "policy", local)) return nullptr;
    p = local;
  }
  return CheckReplica(self, *p) ? p : nullptr;
}

// Per-record defaults of a write-like call: the client's policy for the
// record kind under the call's batch-level write keys.
bool RecordDefaults(ClientObject* self, const OpPolicy& client_default, PyObject* policy,
                    OpPolicy* out) {
  *out = client_default;
  return policy == nullptr ||
         ApplyPolicyDict(self->st, policy, PolicyKind::kBatch, "policy", out);
}

void ApplyBatchPolicy(const OpPolicy& p, BatchCommand* cmd) {
  cmd->policy = p.base;
  cmd->filter_expression = p.filter_expression;
  cmd->batch_flags = proto::batch_flags::kReportErrorRecord;
  if (p.allow_inline) cmd->batch_flags |= proto::batch_flags::kInline;
  if (p.allow_inline_ssd) cmd->batch_flags |= proto::batch_flags::kInlineSsd;
  if (p.respond_all_keys) cmd->batch_flags |= proto::batch_flags::kRespondAllKeys;
}

// The row spec of a write with policy `p` (info bits, generation, TTL).
BatchRowSpec WriteSpec(ClientObject* self, const OpPolicy& p) {
  BatchRowSpec spec;
  spec.is_write = true;
  spec.send_key = p.send_key;
  spec.info2 = proto::info2::kWrite;
  WriteFlags(p, &spec.info2, &spec.info3);
  spec.ttl = WriteTtl(p, self->s->policies.write);
  if (p.gen_policy != 0) {
    spec.generation = static_cast<uint16_t>(p.generation);
    spec.row_flags |= proto::batch_row_flags::kHasGeneration;
  }
  spec.filter_expression = p.filter_expression;
  return spec;
}

// The row spec of a delete with policy `p`.
BatchRowSpec RemoveSpec(ClientObject* self, const OpPolicy& p) {
  BatchRowSpec spec = WriteSpec(self, p);
  spec.info2 |= proto::info2::kDelete;
  spec.ttl = 0;
  return spec;
}

// A batch() row whose ops include list/map/bit/HLL ops: its record comes
// back as operate() returns one (op_results.h: results grouped per bin,
// ops without a result left out); when some op has a result shape, every
// op answers so the shapes line up. `first_op`: the ops written before
// these (a Write row's bins).
void CollectionResults(EncodedOps* enc, size_t first_op, BatchRowSpec* spec) {
  if (!enc->has_collection_op) return;
  spec->op_results = 1;
  if (!enc->shapes.empty() && !enc->read_all) {
    spec->info2 |= proto::info2::kRespondAllOps;
    spec->op_shapes.assign(first_op, static_cast<char>(OpResultShape::kPlain));
    spec->op_shapes += enc->shapes;
  }
}

// The header bits and TTL field of a read row with policy `p`.
void ReadBase(const OpPolicy& p, BatchRowSpec* row) {
  row->info1 = proto::info1::kRead;
  if (p.base.read_mode_ap == client::ReadModeAp::kAll) row->info1 |= proto::info1::kReadModeApAll;
  row->ttl = static_cast<uint32_t>(p.read_touch_ttl_percent);
}

// A read row: all bins (bins == null), the named bins, or header only
// (bins empty).
bool ReadSpec(ModuleState* st, const OpPolicy& p, PyObject* bins, const char* what,
              BatchRowSpec* row) {
  ReadBase(p, row);
  if (bins == nullptr) {
    row->info1 |= proto::info1::kGetAll;
    return true;
  }
  if (!PyList_Check(bins) && !PyTuple_Check(bins)) {
    RaiseInvalidArg(st, "%s must be a list of bin names or None, not %.100s", what,
                    Py_TYPE(bins)->tp_name);
    return false;
  }
  Ref names = Ref::Steal(PySequence_Tuple(bins));
  if (!names) return false;
  const Py_ssize_t n = PyTuple_GET_SIZE(names.get());
  if (n == 0) {
    row->info1 |= proto::info1::kNoBinData;  // existence and metadata only
    return true;
  }
  proto::OpWriter w(&row->ops);
  for (Py_ssize_t i = 0; i < n; ++i) {
    std::string_view name;
    if (!BinNameView(st, PyTuple_GET_ITEM(names.get(), i), &name)) return false;
    w.Add(proto::OpType::kRead, proto::ParticleType::kNull, name, ByteSpan());
  }
  return WireOpCount(st, w, what, &row->n_ops);
}

// Appends one write op per bin of `bins` (a non-empty dict).
bool AppendBinWrites(ModuleState* st, PyObject* bins, proto::OpWriter* w) {
  Py_ssize_t pos = 0;
  PyObject *k, *v;
  while (PyDict_Next(bins, &pos, &k, &v)) {
    std::string_view name;
    if (!BinNameView(st, k, &name)) return false;
    w->Begin(proto::OpType::kWrite, proto::ParticleType::kNull, name);
    proto::ParticleType pt;
    if (!EncodeParticle(st, v, name, w->buffer(), &pt)) return false;
    w->SetParticle(pt);
    w->End();
  }
  return true;
}

// How many keys a keys argument holds, when that is cheap to know (a
// reservation hint; BatchKeys groups grow the command as they come).
size_t SizeHint(PyObject* keys) {
  if (PyList_Check(keys)) return static_cast<size_t>(PyList_GET_SIZE(keys));
  if (PyTuple_Check(keys)) return static_cast<size_t>(PyTuple_GET_SIZE(keys));
  return 0;
}

// A sequence argument as a tuple (kept as the conversion context, so the
// caller mutating its list cannot change what the results refer to).
PyObject* AsTuple(ModuleState* st, PyObject* seq, const char* what) {
  if (PyTuple_CheckExact(seq)) return Py_NewRef(seq);
  if (PyList_CheckExact(seq)) return PyList_AsTuple(seq);
  if (!PySequence_Check(seq) || PyUnicode_Check(seq) || PyBytes_Check(seq) ||
      PyDict_Check(seq)) {
    RaiseInvalidArg(st, "%s must be a list, not %.100s", what, Py_TYPE(seq)->tp_name);
    return nullptr;
  }
  return PySequence_Tuple(seq);
}

// The result of a call with no keys: the same conversion as a finished
// batch (so the types are the same), without a round trip.
PyObject* EmptyResult(ClientObject* self, std::unique_ptr<BatchCommand> cmd, ResultKind kind,
                      PyObject* ctx) {
  std::unique_ptr<client::Command> owned = std::move(cmd);
  Ref value = Ref::Steal(ConvertBatch(self->st, kind, owned, ctx));
  if (!value) return nullptr;
  if (self->is_async) return NewDoneFuture(self->st, value.get());
  return value.release();
}

// An empty batch needs no round trip, but a client that is not connected
// still says so first (as aerospike-py's does): the same call fails the
// same way whatever its length.
PyObject* SendBatch(ClientObject* self, std::unique_ptr<BatchCommand> cmd, ResultKind kind,
                    OpKind op, PyObject* ctx, int64_t t_start) {
  client::Client* core = LiveCore(self);
  if (core == nullptr) return nullptr;
  if (cmd->keys.empty()) return EmptyResult(self, std::move(cmd), kind, ctx);
  return Dispatch(self, core, std::move(cmd), kind, op, ctx, t_start);
}

const char* const kReadArgs[] = {"keys", "bins", "policy", "_dtype", "_arrow"};
const char* const kWriteArgs[] = {"records", "policy", "retry"};
const char* const kWriteNumpyArgs[] = {"data",      "namespace", "set_name", "_dtype",
                                       "key_field", "policy",    "retry"};
const char* const kOperateArgs[] = {"keys", "ops", "policy"};
const char* const kRemoveArgs[] = {"keys", "policy"};
const char* const kBatchArgs[] = {"records", "policy"};

// `retry` of the native write calls: only 0 (aerospike_py.client drives
// retries, which need the loop's sleep).
bool CheckNoRetry(ModuleState* st, PyObject* retry, const char* method) {
  if (retry == nullptr) return true;
  if (!PyLong_Check(retry) || PyBool_Check(retry)) {
    RaiseInvalidArg(st, "retry must be an int, not %.100s", Py_TYPE(retry)->tp_name);
    return false;
  }
  const long r = PyLong_AsLong(retry);
  if (r == -1 && PyErr_Occurred()) return false;
  if (r != 0) {
    RaiseInvalidArg(st, "retry must be 0 here; use aerospike_py.Client.%s", method);
    return false;
  }
  return true;
}

PyObject* BatchRead(PyObject* obj, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames,
                    ResultKind kind) {
  static const ArgSpec spec = {"batch_read", kReadArgs, 5, 1};
  static const ArgSpec view_spec = {"batch_read_view", kReadArgs, 3, 1};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  ModuleState* st = self->st;
  PyObject* a[5] = {};
  if (!ParseArgs(kind == ResultKind::kBatchRead ? spec : view_spec, args, nargs, kwnames, a)) {
    return nullptr;
  }
  Ref dtype;
  std::shared_ptr<const NumpyLayout> layout;
  if (a[3] != nullptr) {
    layout = NumpyLayoutOf(st, a[3], &dtype);
    if (layout == nullptr) return nullptr;
    kind = ResultKind::kBatchNumpy;
  }
  // _arrow=schema: a pyarrow.RecordBatch filled on the event thread.
  Ref schema;
  std::shared_ptr<const ArrowLayout> arrow_layout;
  if (a[4] != nullptr && a[4] != Py_None) {
    if (a[3] != nullptr) return RaiseInvalidArg(st, "give batch_read _dtype or _arrow, not both");
    arrow_layout = ArrowLayoutOf(st, a[4], &schema);
    if (arrow_layout == nullptr) return nullptr;
    kind = ResultKind::kBatchArrow;
  }
  OpPolicy local;
  const OpPolicy* p = BatchPolicyOf(self, a[2], &local);
  if (p == nullptr) return nullptr;
  BatchRowSpec row;
  if (!ReadSpec(st, *p, a[1], "bins", &row)) return nullptr;

  BatchBuilder b(st, SizeHint(a[0]));
  uint16_t spec_index;
  if (!b.AddSpec(std::move(row), &spec_index)) return nullptr;
  Ref entries;
  if (!b.AddKeys(a[0], spec_index, &entries)) return nullptr;
  Ref ctx = Ref::Steal(b.NewContext(entries.get(), entries.get()));
  if (!ctx) return nullptr;
  ApplyBatchPolicy(*p, b.cmd());
  // batch_read calls may travel together (client/batch_coalescer.h);
  // batch() with its mixed rows and the writes never do.
  b.cmd()->coalescable = p->coalesce;
  if (kind == ResultKind::kBatchNumpy) {
    b.cmd()->finisher = std::make_unique<NumpyFiller>(std::move(layout));
    ctx = Ref::Steal(PyTuple_Pack(2, dtype.get(), ctx.get()));
    if (!ctx) return nullptr;
  }
  if (kind == ResultKind::kBatchArrow) {
    b.cmd()->finisher = std::make_unique<ArrowFiller>(std::move(arrow_layout));
    ctx = Ref::Steal(PyTuple_Pack(2, schema.get(), ctx.get()));
    if (!ctx) return nullptr;
  }
  return SendBatch(self, b.Release(), kind, OpKind::kBatchRead, ctx.get(), t_start);
}

// One row of batch(): the attributes of a Read/Write/Remove object (ours
// or aerospike_helpers.batch.records'); missing ones read as None.
struct RowAttrs {
  long type = -1;
  Ref key, ops, bins, meta, policy, read_all_bins;
};

bool ReadRowAttr(PyObject* row, PyObject* name, Ref* out) {
  PyObject* v = PyObject_GetAttr(row, name);
  if (v == nullptr) {
    if (!PyErr_ExceptionMatches(PyExc_AttributeError)) return false;
    PyErr_Clear();
    v = Py_NewRef(Py_None);
  }
  *out = Ref::Steal(v);
  return true;
}

// Row kinds, with the numbers of the official client's _Types.
constexpr long kRowRead = 0;
constexpr long kRowWrite = 1;
constexpr long kRowApply = 2;
constexpr long kRowRemove = 3;

bool ReadRow(ModuleState* st, PyObject* row, Py_ssize_t i, RowAttrs* out) {
  Ref type;
  if (!ReadRowAttr(row, st->s__type, &type)) return false;
  if (!PyLong_Check(type.get())) {
    RaiseInvalidArg(st, "records[%zd] must be an aerospike_py.batch Read, Write or Remove, not "
                    "%.100s", i, Py_TYPE(row)->tp_name);
    return false;
  }
  out->type = PyLong_AsLong(type.get());
  return ReadRowAttr(row, st->s_key, &out->key) && ReadRowAttr(row, st->s_ops, &out->ops) &&
         ReadRowAttr(row, st->s_bins, &out->bins) && ReadRowAttr(row, st->s_meta, &out->meta) &&
         ReadRowAttr(row, st->s_policy, &out->policy) &&
         ReadRowAttr(row, st->s_read_all_bins, &out->read_all_bins);
}

PyObject* OrNull(const Ref& r) { return r.get() == Py_None ? nullptr : r.get(); }

// The row spec of one batch() row.
bool RowSpec(ClientObject* self, const RowAttrs& row, Py_ssize_t i, const OpPolicy& batch,
             const OpPolicy& write_defaults, const OpPolicy& remove_defaults,
             BatchRowSpec* spec) {
  ModuleState* st = self->st;
  const std::string where = "records[" + std::to_string(i) + "]";
  PyObject* ops = OrNull(row.ops);
  PyObject* bins = OrNull(row.bins);
  PyObject* meta = OrNull(row.meta);
  PyObject* policy = OrNull(row.policy);
  switch (row.type) {
    case kRowRead: {
      if (meta != nullptr) {
        RaiseInvalidArg(st, "%s: a Read row takes no meta", where.c_str());
        return false;
      }
      OpPolicy p;
      p.base.read_mode_ap = batch.base.read_mode_ap;
      p.read_touch_ttl_percent = batch.read_touch_ttl_percent;
      if (policy != nullptr && !ApplyPolicyDict(st, policy, PolicyKind::kBatchRead,
                                                (where + " policy").c_str(), &p)) {
        return false;
      }
      const int read_all = row.read_all_bins.get() == Py_None
                               ? 0
                               : PyObject_IsTrue(row.read_all_bins.get());
      if (read_all < 0) return false;
      if (bins != nullptr || ops == nullptr || read_all) {
        if (bins != nullptr && (ops != nullptr || read_all)) {
          RaiseInvalidArg(st, "%s: give a Read row bins or ops, not both", where.c_str());
          return false;
        }
        if (!ReadSpec(st, p, read_all ? nullptr : bins, (where + " bins").c_str(), spec)) {
          return false;
        }
      } else {
        EncodedOps enc;
        if (!EncodeOperations(st, ops, &enc)) return false;
        if (enc.has_write) {
          RaiseInvalidArg(st, "%s: a Read row may only read; use Write for write operations",
                          where.c_str());
          return false;
        }
        ReadBase(p, spec);
        if (enc.count == 0) {
          spec->info1 |= proto::info1::kNoBinData;  // ops=[]: header only
        } else if (enc.read_all) {
          spec->info1 |= proto::info1::kGetAll;
        }
        CollectionResults(&enc, 0, spec);
        spec->ops = std::move(enc.bytes);
        spec->n_ops = enc.count;
      }
      spec->filter_expression = p.filter_expression;
      return true;
    }
    case kRowWrite: {
      OpPolicy p = write_defaults;
      if (policy != nullptr && !ApplyPolicyDict(st, policy, PolicyKind::kBatchWrite,
                                                (where + " policy").c_str(), &p)) {
        return false;
      }
      if (meta != nullptr &&
          !ApplyPolicyDict(st, meta, PolicyKind::kMeta, (where + " meta").c_str(), &p)) {
        return false;
      }
      *spec = WriteSpec(self, p);
      proto::OpWriter w(&spec->ops);
      if (bins != nullptr) {
        if (!PyDict_Check(bins)) {
          RaiseInvalidArg(st, "%s: bins must be a dict, not %.100s", where.c_str(),
                          Py_TYPE(bins)->tp_name);
          return false;
        }
        if (!AppendBinWrites(st, bins, &w)) return false;
      }
      size_t n_ops = w.count();
      if (ops != nullptr) {
        EncodedOps enc;
        if (!EncodeOperations(st, ops, &enc)) return false;
        if (enc.has_read) {
          spec->info1 |= proto::info1::kRead;
          if (enc.read_all) spec->info1 |= proto::info1::kGetAll;
        }
        CollectionResults(&enc, n_ops, spec);
        spec->ops.Append(enc.bytes.span());
        n_ops += enc.count;
      }
      if (n_ops == 0) {
        RaiseInvalidArg(st, "%s: a Write row needs bins or ops", where.c_str());
        return false;
      }
      if (n_ops > UINT16_MAX) {
        RaiseInvalidArg(st, "%s: too many operations", where.c_str());
        return false;
      }
      spec->n_ops = static_cast<uint16_t>(n_ops);
      return true;
    }
    case kRowRemove: {
      OpPolicy p = remove_defaults;
      if (policy != nullptr && !ApplyPolicyDict(st, policy, PolicyKind::kBatchDelete,
                                                (where + " policy").c_str(), &p)) {
        return false;
      }
      if (meta != nullptr && !ApplyPolicyDict(st, meta, PolicyKind::kDeleteMeta,
                                              (where + " meta").c_str(), &p)) {
        return false;
      }
      *spec = RemoveSpec(self, p);
      return true;
    }
    case kRowApply:
      RaiseInvalidArg(st, "%s: Apply (UDF) rows are not supported yet", where.c_str());
      return false;
    default:
      RaiseInvalidArg(st, "%s must be a Read, Write or Remove row (unknown _type %ld)",
                      where.c_str(), row.type);
      return false;
  }
}

}  // namespace

PyObject* Client_batch_read(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                            PyObject* kwnames) {
  return BatchRead(obj, args, nargs, kwnames, ResultKind::kBatchRead);
}

PyObject* Client_batch_read_view(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                 PyObject* kwnames) {
  return BatchRead(obj, args, nargs, kwnames, ResultKind::kBatchView);
}

PyObject* Client_batch_write(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                             PyObject* kwnames) {
  static const ArgSpec spec = {"batch_write", kWriteArgs, 3, 1};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  ModuleState* st = self->st;
  PyObject* a[3];
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr;
  if (!CheckNoRetry(st, a[2], "batch_write")) return nullptr;
  Ref records = Ref::Steal(AsTuple(st, a[0], "records"));
  if (!records) return nullptr;
  OpPolicy batch_local;
  const OpPolicy* bp = BatchPolicyOf(self, a[1], &batch_local);
  if (bp == nullptr) return nullptr;
  OpPolicy record_defaults;
  if (!RecordDefaults(self, self->s->policies.batch_write, a[1], &record_defaults)) {
    return nullptr;
  }

  const Py_ssize_t n = PyTuple_GET_SIZE(records.get());
  Ref keys = Ref::Steal(PyTuple_New(n));
  if (!keys) return nullptr;
  BatchBuilder b(st, static_cast<size_t>(n));
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* rec = PyTuple_GET_ITEM(records.get(), i);
    // Messages carry aerospike-py's phrases ("must be a tuple", "at least 2
    // elements", "must be a dict"): code matches on them.
    if (!PyTuple_Check(rec)) {
      return RaiseInvalidArg(st,
                             "records[%zd] must be a tuple (key, bins) or (key, bins, meta), "
                             "not %.100s",
                             i, Py_TYPE(rec)->tp_name);
    }
    if (PyTuple_GET_SIZE(rec) < 2 || PyTuple_GET_SIZE(rec) > 3) {
      return RaiseInvalidArg(st,
                             "records[%zd] must have at least 2 elements and at most 3: "
                             "(key, bins) or (key, bins, meta), got %zd",
                             i, PyTuple_GET_SIZE(rec));
    }
    PyObject* key = PyTuple_GET_ITEM(rec, 0);
    PyObject* bins = PyTuple_GET_ITEM(rec, 1);
    PyObject* meta = PyTuple_GET_SIZE(rec) == 3 ? PyTuple_GET_ITEM(rec, 2) : Py_None;
    if (!PyDict_Check(bins)) {
      return RaiseInvalidArg(st, "records[%zd]: the bins element must be a dict, not %.100s", i,
                             Py_TYPE(bins)->tp_name);
    }
    if (PyDict_GET_SIZE(bins) == 0) {
      return RaiseInvalidArg(st, "records[%zd]: bins must be a non-empty dict", i);
    }
    if (meta != Py_None && !PyDict_Check(meta)) {
      return RaiseInvalidArg(st, "records[%zd]: the meta element must be a dict, not %.100s", i,
                             Py_TYPE(meta)->tp_name);
    }
    OpPolicy p = record_defaults;
    if (meta != Py_None) {
      std::string what = "records[" + std::to_string(i) + "] meta";
      if (!ApplyPolicyDict(st, meta, PolicyKind::kMeta, what.c_str(), &p)) return nullptr;
    }
    BatchRowSpec row = WriteSpec(self, p);
    proto::OpWriter w(&row.ops);
    if (!AppendBinWrites(st, bins, &w)) return nullptr;
    if (!WireOpCount(st, w, "records bins", &row.n_ops)) return nullptr;
    uint16_t spec_index;
    if (!b.AddSpec(std::move(row), &spec_index)) return nullptr;
    if (!b.AddKey(key, i, spec_index)) return nullptr;
    PyTuple_SET_ITEM(keys.get(), i, Py_NewRef(key));
  }
  ApplyBatchPolicy(*bp, b.cmd());
  return SendBatch(self, b.Release(), ResultKind::kBatchWrite, OpKind::kBatchWrite, keys.get(),
                   t_start);
}

PyObject* Client_batch_write_numpy(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                   PyObject* kwnames) {
  static const ArgSpec spec = {"batch_write_numpy", kWriteNumpyArgs, 7, 4};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  ModuleState* st = self->st;
  PyObject* a[7];
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr;
  if (!CheckNoRetry(st, a[6], "batch_write_numpy")) return nullptr;
  std::string scratch;
  if (!ParseNamespace(st, a[1], "namespace", &scratch) ||
      !ParseSetName(st, a[2], "set_name", &scratch)) {
    return nullptr;
  }
  if (a[3] == nullptr) return RaiseInvalidArg(st, "_dtype must be a structured numpy.dtype");
  Ref key_field = a[4] != nullptr ? Ref::New(a[4]) : Ref::Steal(PyUnicode_FromString("_key"));
  if (!key_field) return nullptr;
  OpPolicy batch_local;
  const OpPolicy* bp = BatchPolicyOf(self, a[5], &batch_local);
  if (bp == nullptr) return nullptr;
  OpPolicy record_defaults;
  if (!RecordDefaults(self, self->s->policies.batch_write, a[5], &record_defaults)) {
    return nullptr;
  }
  BatchRowSpec base = WriteSpec(self, record_defaults);
  BatchBuilder b(st, 0);
  b.set_label("data");
  Ref keys;
  if (!AddNumpyWriteRows(st, a[0], a[3], a[1], a[2], key_field.get(), base, &b, &keys)) {
    return nullptr;
  }
  ApplyBatchPolicy(*bp, b.cmd());
  return SendBatch(self, b.Release(), ResultKind::kBatchWrite, OpKind::kBatchWrite, keys.get(),
                   t_start);
}

PyObject* Client_batch_operate(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                               PyObject* kwnames) {
  static const ArgSpec spec = {"batch_operate", kOperateArgs, 3, 2};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  ModuleState* st = self->st;
  PyObject* a[3];
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr;
  EncodedOps ops;
  if (!EncodeOperations(st, a[1], &ops)) return nullptr;
  OpPolicy local;
  const OpPolicy* bp = BatchPolicyOf(self, a[2], &local);
  if (bp == nullptr) return nullptr;
  OpPolicy record;
  if (!RecordDefaults(self, self->s->policies.batch_write, a[2], &record)) return nullptr;
  BatchRowSpec row;
  if (ops.has_write) {
    row = WriteSpec(self, record);
  } else {
    row.ttl = static_cast<uint32_t>(bp->read_touch_ttl_percent);
  }
  if (ops.has_read) {
    row.info1 |= proto::info1::kRead;
    if (ops.read_all) row.info1 |= proto::info1::kGetAll;
  }
  if (ops.has_collection_op) {
    // Records as aerospike-py returns them (op_results.h): writes answer
    // every op (None for no result), reads only those with a value; every
    // op answers when result shapes must line up with the ops.
    row.op_results = ops.has_write ? 2 : 1;
    if ((ops.has_write || !ops.shapes.empty()) && !ops.read_all) {
      row.info2 |= proto::info2::kRespondAllOps;
      row.op_shapes = std::move(ops.shapes);
    }
  }
  row.ops = std::move(ops.bytes);
  row.n_ops = ops.count;
  BatchBuilder b(st, SizeHint(a[0]));
  uint16_t spec_index;
  if (!b.AddSpec(std::move(row), &spec_index)) return nullptr;
  Ref entries;
  if (!b.AddKeys(a[0], spec_index, &entries)) return nullptr;
  Ref ctx = Ref::Steal(b.NewContext(entries.get(), entries.get()));
  if (!ctx) return nullptr;
  ApplyBatchPolicy(*bp, b.cmd());
  return SendBatch(self, b.Release(), ResultKind::kBatchWrite, OpKind::kBatchOperate, ctx.get(),
                   t_start);
}

PyObject* Client_batch_remove(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                              PyObject* kwnames) {
  static const ArgSpec spec = {"batch_remove", kRemoveArgs, 2, 1};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  ModuleState* st = self->st;
  PyObject* a[2];
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr;
  Ref entries;
  if (!PyTuple_Check(a[0]) && !PyList_Check(a[0])) {
    if (!EnsureBatchExtras(st)) return nullptr;
    if (PyObject_TypeCheck(a[0], reinterpret_cast<PyTypeObject*>(st->batch_keys_type))) {
      entries = Ref::Steal(PyTuple_Pack(1, a[0]));
    }
  }
  if (!entries) entries = Ref::Steal(AsTuple(st, a[0], "keys"));
  if (!entries) return nullptr;
  OpPolicy local;
  const OpPolicy* bp = BatchPolicyOf(self, a[1], &local);
  if (bp == nullptr) return nullptr;
  // The batch-level delete keys (gen, key, commit_level, durable_delete,
  // filter_expression) are read from the same dict.
  OpPolicy record;
  if (!RecordDefaults(self, self->s->policies.batch_remove, a[1], &record)) return nullptr;

  const Py_ssize_t n = PyTuple_GET_SIZE(entries.get());
  Ref classic = Ref::Steal(PyTuple_New(n));
  if (!classic) return nullptr;
  BatchBuilder b(st, static_cast<size_t>(n));
  uint16_t base_index;
  if (!b.AddSpec(RemoveSpec(self, record), &base_index)) return nullptr;
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* entry = PyTuple_GET_ITEM(entries.get(), i);
    PyObject* key = entry;
    uint16_t spec_index = base_index;
    // (key, meta) pairs: a tuple whose first item is itself a tuple.
    if (PyTuple_Check(entry) && PyTuple_GET_SIZE(entry) == 2 &&
        PyTuple_Check(PyTuple_GET_ITEM(entry, 0))) {
      key = PyTuple_GET_ITEM(entry, 0);
      PyObject* meta = PyTuple_GET_ITEM(entry, 1);
      if (meta != Py_None) {
        OpPolicy p = record;
        std::string what = "keys[" + std::to_string(i) + "] meta";
        if (!ApplyPolicyDict(st, meta, PolicyKind::kDeleteMeta, what.c_str(), &p)) {
          return nullptr;
        }
        if (!b.AddSpec(RemoveSpec(self, p), &spec_index)) return nullptr;
      }
      if (!b.AddKey(key, i, spec_index)) return nullptr;
    } else if (!b.AddEntry(entry, i, spec_index)) {
      return nullptr;
    }
    PyTuple_SET_ITEM(classic.get(), i, Py_NewRef(key));
  }
  // With BatchKeys groups the context describes them; `entries` then holds
  // (key, meta) pairs as they came, which only the classic context reads.
  Ref ctx = Ref::Steal(b.NewContext(classic.get(), classic.get()));
  if (!ctx) return nullptr;
  ApplyBatchPolicy(*bp, b.cmd());
  return SendBatch(self, b.Release(), ResultKind::kBatchWrite, OpKind::kBatchRemove, ctx.get(),
                   t_start);
}

PyObject* Client_batch(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                       PyObject* kwnames) {
  static const ArgSpec spec = {"batch", kBatchArgs, 2, 1};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  ModuleState* st = self->st;
  PyObject* a[2];
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr;
  if (!EnsureBatchExtras(st)) return nullptr;
  // A BatchRecords (ours or the official client's) stands for its rows.
  Ref rows_arg = Ref::New(a[0]);
  if (!PyList_Check(a[0]) && !PyTuple_Check(a[0])) {
    PyObject* inner = PyObject_GetAttrString(a[0], "batch_records");
    if (inner != nullptr) {
      rows_arg = Ref::Steal(inner);
    } else if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
      PyErr_Clear();
    } else {
      return nullptr;
    }
  }
  Ref rows = Ref::Steal(AsTuple(st, rows_arg.get(), "records"));
  if (!rows) return nullptr;
  OpPolicy local;
  const OpPolicy* bp = BatchPolicyOf(self, a[1], &local);
  if (bp == nullptr) return nullptr;
  OpPolicy write_defaults, remove_defaults;
  if (!RecordDefaults(self, self->s->policies.batch_write, a[1], &write_defaults) ||
      !RecordDefaults(self, self->s->policies.batch_remove, a[1], &remove_defaults)) {
    return nullptr;
  }
  const Py_ssize_t n = PyTuple_GET_SIZE(rows.get());
  Ref keys = Ref::Steal(PyTuple_New(n));
  if (!keys) return nullptr;
  BatchBuilder b(st, static_cast<size_t>(n));
  b.set_label("records");
  // Rows built from the same objects (a loop of Read(k) or Read(k, ops)
  // sharing one ops list) share one row spec, so they go as REPEAT rows.
  RowAttrs previous;
  uint16_t previous_spec = 0;
  bool have_previous = false;
  for (Py_ssize_t i = 0; i < n; ++i) {
    RowAttrs row;
    if (!ReadRow(st, PyTuple_GET_ITEM(rows.get(), i), i, &row)) return nullptr;
    uint16_t spec_index;
    if (have_previous && row.type == previous.type && row.ops.get() == previous.ops.get() &&
        row.bins.get() == previous.bins.get() && row.meta.get() == previous.meta.get() &&
        row.policy.get() == previous.policy.get() &&
        row.read_all_bins.get() == previous.read_all_bins.get() &&
        (row.type == kRowRead || row.type == kRowRemove ||
         (row.bins.get() == Py_None && row.ops.get() != Py_None))) {
      spec_index = previous_spec;
    } else {
      BatchRowSpec row_spec;
      if (!RowSpec(self, row, i, *bp, write_defaults, remove_defaults, &row_spec)) return nullptr;
      if (!b.AddSpec(std::move(row_spec), &spec_index)) return nullptr;
    }
    if (!b.AddKey(row.key.get(), i, spec_index)) return nullptr;
    PyTuple_SET_ITEM(keys.get(), i, Py_NewRef(row.key.get()));
    previous_spec = spec_index;
    previous = std::move(row);
    have_previous = true;
  }
  ApplyBatchPolicy(*bp, b.cmd());
  return SendBatch(self, b.Release(), ResultKind::kBatchWrite, OpKind::kBatchWrite, keys.get(),
                   t_start);
}

}  // namespace aerospike_py::python
