// Batch methods of Client/AsyncClient: batch_read (aerospike-py's dict),
// batch_read_view (lossless, one BatchRecord per key in input order),
// batch_write, batch_operate, batch_remove. The GIL-held part is only
// reading the Python keys/bins into the compact BatchCommand (keys share
// one byte buffer, namespace/set pairs and row specs are deduplicated);
// digests, routing and request bytes are the event thread's work.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/byte_order.h"
#include "proto/constants.h"
#include "proto/op_writer.h"
#include "python/arg_parse.h"
#include "python/client_object.h"
#include "python/errors.h"
#include "python/keys.h"
#include "python/loop_bridge.h"
#include "python/ops.h"
#include "python/value_encode.h"

namespace aerospike_py::python {
namespace {

using client::BatchCommand;
using client::BatchKey;
using client::BatchRowSpec;

ClientObject* AsClient(PyObject* o) { return reinterpret_cast<ClientObject*>(o); }

// Fills a BatchCommand key by key.
class BatchBuilder {
 public:
  BatchBuilder(ModuleState* st, size_t n) : st_(st), cmd_(std::make_unique<BatchCommand>()) {
    cmd_->keys.reserve(n);
    cmd_->key_bytes.Reserve(n * 16);
  }

  BatchCommand* cmd() { return cmd_.get(); }
  std::unique_ptr<BatchCommand> Release() { return std::move(cmd_); }

  bool AddSpec(BatchRowSpec spec, uint16_t* index) {
    if (cmd_->specs.size() > UINT16_MAX) {
      RaiseInvalidArg(st_, "a batch may hold at most 65536 distinct record shapes");
      return false;
    }
    *index = static_cast<uint16_t>(cmd_->specs.size());
    cmd_->specs.push_back(std::move(spec));
    return true;
  }

  // Reads keys[index] (a key tuple) and appends it with row spec `spec`.
  bool AddKey(PyObject* key, Py_ssize_t index, uint16_t spec) {
    if (!PyTuple_Check(key) || (PyTuple_GET_SIZE(key) != 3 && PyTuple_GET_SIZE(key) != 4)) {
      // The single-key parser words every shape error the same way.
      client::RecordKey scratch;
      std::string what = "keys[" + std::to_string(index) + "]";
      if (!ParseKey(st_, key, what.c_str(), &scratch)) return false;
    }
    BatchKey k;
    k.spec = spec;
    if (!NsSetIndex(PyTuple_GET_ITEM(key, 0), PyTuple_GET_ITEM(key, 1), index, &k.ns_set)) {
      return false;
    }
    PyObject* digest = PyTuple_GET_SIZE(key) == 4 ? PyTuple_GET_ITEM(key, 3) : Py_None;
    if (digest != Py_None) {
      const char* data = nullptr;
      Py_ssize_t len = 0;
      if (PyBytes_Check(digest)) {
        data = PyBytes_AS_STRING(digest);
        len = PyBytes_GET_SIZE(digest);
      } else if (PyByteArray_Check(digest)) {
        data = PyByteArray_AS_STRING(digest);
        len = PyByteArray_GET_SIZE(digest);
      }
      if (data == nullptr || len != static_cast<Py_ssize_t>(proto::kDigestSize)) {
        RaiseInvalidArg(st_, "keys[%zd]: digest must be 20 bytes", index);
        return false;
      }
      std::memcpy(k.digest.data(), data, proto::kDigestSize);
      k.has_digest = true;
    }
    PyObject* pk = PyTuple_GET_ITEM(key, 2);
    k.key_offset = static_cast<uint32_t>(cmd_->key_bytes.size());
    if (PyLong_CheckExact(pk) || (PyLong_Check(pk) && !PyBool_Check(pk))) {
      int overflow = 0;
      const long long v = PyLong_AsLongLongAndOverflow(pk, &overflow);
      if (overflow != 0) {
        RaiseInvalidArg(st_, "keys[%zd]: integer primary_key does not fit in 64 bits", index);
        return false;
      }
      if (v == -1 && PyErr_Occurred()) return false;
      k.key_type = proto::ParticleType::kInteger;
      StoreBE64(cmd_->key_bytes.Extend(8), static_cast<uint64_t>(v));
      k.key_len = 8;
    } else if (PyUnicode_Check(pk)) {
      Py_ssize_t len = 0;
      const char* data = PyUnicode_AsUTF8AndSize(pk, &len);
      if (data == nullptr) {
        PyErr_Clear();
        RaiseInvalidArg(st_, "keys[%zd]: primary_key is not encodable as UTF-8", index);
        return false;
      }
      k.key_type = proto::ParticleType::kString;
      cmd_->key_bytes.Append(data, static_cast<size_t>(len));
      k.key_len = static_cast<uint32_t>(len);
    } else if (PyBytes_Check(pk)) {
      // Hashed as a string, like aerospike-py and the official client, so
      // records they wrote are found; the event thread computes it.
      k.key_type = proto::ParticleType::kString;
      cmd_->key_bytes.Append(PyBytes_AS_STRING(pk), static_cast<size_t>(PyBytes_GET_SIZE(pk)));
      k.key_len = static_cast<uint32_t>(PyBytes_GET_SIZE(pk));
    } else if (PyByteArray_Check(pk)) {
      k.key_type = proto::ParticleType::kBlob;
      cmd_->key_bytes.Append(PyByteArray_AS_STRING(pk),
                             static_cast<size_t>(PyByteArray_GET_SIZE(pk)));
      k.key_len = static_cast<uint32_t>(PyByteArray_GET_SIZE(pk));
    } else if (pk == Py_None && k.has_digest) {
      k.key_type = proto::ParticleType::kNull;
    } else if (pk == Py_None) {
      RaiseInvalidArg(st_, "keys[%zd]: primary_key is None and no digest was given", index);
      return false;
    } else {
      RaiseInvalidArg(st_, "keys[%zd]: primary_key must be int, str, bytes or bytearray, not %.100s",
                      index, Py_TYPE(pk)->tp_name);
      return false;
    }
    cmd_->keys.push_back(k);
    return true;
  }

 private:
  struct CachedNsSet {
    PyObject* ns;   // borrowed: the keys tuple keeps them alive
    PyObject* set;
    uint16_t index;
  };

  bool NsSetIndex(PyObject* ns, PyObject* set, Py_ssize_t index, uint16_t* out) {
    // Keys built in a loop share their namespace and set objects: an
    // identity hit skips every string comparison.
    for (const CachedNsSet& c : cache_) {
      if (c.ns == ns && c.set == set) {
        *out = c.index;
        return true;
      }
    }
    std::string what = "keys[" + std::to_string(index) + "]";
    client::NamespaceSet parsed;
    if (!ParseNamespace(st_, ns, what.c_str(), &parsed.ns) ||
        !ParseSetName(st_, set, what.c_str(), &parsed.set)) {
      return false;
    }
    uint16_t found = UINT16_MAX;
    for (size_t i = 0; i < cmd_->ns_sets.size(); ++i) {
      if (cmd_->ns_sets[i].ns == parsed.ns && cmd_->ns_sets[i].set == parsed.set) {
        found = static_cast<uint16_t>(i);
        break;
      }
    }
    if (found == UINT16_MAX) {
      if (cmd_->ns_sets.size() >= UINT16_MAX) {
        RaiseInvalidArg(st_, "a batch may span at most 65535 namespace/set pairs");
        return false;
      }
      found = static_cast<uint16_t>(cmd_->ns_sets.size());
      cmd_->ns_sets.push_back(std::move(parsed));
    }
    if (cache_.size() < 16) cache_.push_back({ns, set, found});
    *out = found;
    return true;
  }

  ModuleState* st_;
  std::unique_ptr<BatchCommand> cmd_;
  std::vector<CachedNsSet> cache_;
};

// The batch policy of a call: client defaults, then the dict.
const OpPolicy* BatchPolicyOf(ClientObject* self, PyObject* policy, OpPolicy* local) {
  if (policy == nullptr) return &self->s->policies.batch;
  *local = self->s->policies.batch;
  if (!ApplyPolicyDict(self->st, policy, PolicyKind::kBatch, "policy", local)) return nullptr;
  return local;
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

PyObject* EmptyResult(ClientObject* self, ResultKind kind) {
  Ref value;
  switch (kind) {
    case ResultKind::kBatchRead:
      value = Ref::Steal(PyDict_New());
      break;
    case ResultKind::kBatchView:
      value = Ref::Steal(PyList_New(0));
      break;
    default: {
      PyObject* items[2] = {PyList_New(0), Py_NewRef(self->st->default_retry_info)};
      if (items[0] == nullptr) {
        Py_DECREF(items[1]);
        return nullptr;
      }
      value = Ref::Steal(NewNamedTuple(self->st->batch_write_result_type, items, 2));
    }
  }
  if (!value) return nullptr;
  if (self->is_async) return NewDoneFuture(self->st, value.get());
  return value.release();
}

PyObject* SendBatch(ClientObject* self, std::unique_ptr<BatchCommand> cmd, ResultKind kind,
                    OpKind op, PyObject* ctx, int64_t t_start) {
  client::Client* core = LiveCore(self);
  if (core == nullptr) return nullptr;
  return Dispatch(self, core, std::move(cmd), kind, op, ctx, t_start);
}

const char* const kReadArgs[] = {"keys", "bins", "policy"};
const char* const kWriteArgs[] = {"records", "policy", "retry"};
const char* const kOperateArgs[] = {"keys", "ops", "policy"};
const char* const kRemoveArgs[] = {"keys", "policy"};

PyObject* BatchRead(PyObject* obj, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames,
                    ResultKind kind) {
  static const ArgSpec spec = {"batch_read", kReadArgs, 3, 1};
  static const ArgSpec view_spec = {"batch_read_view", kReadArgs, 3, 1};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  ModuleState* st = self->st;
  PyObject* a[3];
  if (!ParseArgs(kind == ResultKind::kBatchRead ? spec : view_spec, args, nargs, kwnames, a)) {
    return nullptr;
  }
  Ref keys = Ref::Steal(AsTuple(st, a[0], "keys"));
  if (!keys) return nullptr;
  OpPolicy local;
  const OpPolicy* p = BatchPolicyOf(self, a[2], &local);
  if (p == nullptr) return nullptr;

  BatchRowSpec row;
  row.info1 = proto::info1::kRead;
  if (p->base.read_mode_ap == client::ReadModeAp::kAll) row.info1 |= proto::info1::kReadModeApAll;
  row.ttl = static_cast<uint32_t>(p->read_touch_ttl_percent);
  if (a[1] == nullptr) {
    row.info1 |= proto::info1::kGetAll;
  } else {
    if (!PyList_Check(a[1]) && !PyTuple_Check(a[1])) {
      return RaiseInvalidArg(st, "bins must be a list of bin names or None, not %.100s",
                             Py_TYPE(a[1])->tp_name);
    }
    Ref names = Ref::Steal(PySequence_Tuple(a[1]));
    if (!names) return nullptr;
    const Py_ssize_t n = PyTuple_GET_SIZE(names.get());
    if (n == 0) {
      row.info1 |= proto::info1::kNoBinData;  // bins=[]: existence and metadata only
    } else {
      proto::OpWriter w(&row.ops);
      for (Py_ssize_t i = 0; i < n; ++i) {
        std::string_view name;
        if (!BinNameView(st, PyTuple_GET_ITEM(names.get(), i), &name)) return nullptr;
        w.Add(proto::OpType::kRead, proto::ParticleType::kNull, name, ByteSpan());
      }
      row.n_ops = w.count();
    }
  }
  const Py_ssize_t n = PyTuple_GET_SIZE(keys.get());
  BatchBuilder b(st, static_cast<size_t>(n));
  uint16_t spec_index;
  if (!b.AddSpec(std::move(row), &spec_index)) return nullptr;
  for (Py_ssize_t i = 0; i < n; ++i) {
    if (!b.AddKey(PyTuple_GET_ITEM(keys.get(), i), i, spec_index)) return nullptr;
  }
  if (n == 0) return EmptyResult(self, kind);
  ApplyBatchPolicy(*p, b.cmd());
  return SendBatch(self, b.Release(), kind, OpKind::kBatchRead, keys.get(), t_start);
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
  if (a[2] != nullptr) {
    // Retries are driven by aerospike_py.client (they need the loop's sleep).
    if (!PyLong_Check(a[2]) || PyBool_Check(a[2])) {
      return RaiseInvalidArg(st, "retry must be an int, not %.100s", Py_TYPE(a[2])->tp_name);
    }
    const long retry = PyLong_AsLong(a[2]);
    if (retry != 0) {
      if (retry == -1 && PyErr_Occurred()) return nullptr;
      return RaiseInvalidArg(st, "retry must be 0 here; use aerospike_py.Client.batch_write");
    }
  }
  Ref records = Ref::Steal(AsTuple(st, a[0], "records"));
  if (!records) return nullptr;
  OpPolicy batch_local;
  const OpPolicy* bp = BatchPolicyOf(self, a[1], &batch_local);
  if (bp == nullptr) return nullptr;
  // Per-record defaults: the client's batch_write policy under the call's
  // batch-level write keys.
  OpPolicy record_defaults = self->s->policies.batch_write;
  if (a[1] != nullptr &&
      !ApplyPolicyDict(st, a[1], PolicyKind::kBatch, "policy", &record_defaults)) {
    return nullptr;
  }

  const Py_ssize_t n = PyTuple_GET_SIZE(records.get());
  Ref keys = Ref::Steal(PyTuple_New(n));
  if (!keys) return nullptr;
  BatchBuilder b(st, static_cast<size_t>(n));
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* rec = PyTuple_GET_ITEM(records.get(), i);
    if (!PyTuple_Check(rec) || (PyTuple_GET_SIZE(rec) != 2 && PyTuple_GET_SIZE(rec) != 3)) {
      return RaiseInvalidArg(st, "records[%zd] must be a (key, bins) or (key, bins, meta) tuple",
                             i);
    }
    PyObject* key = PyTuple_GET_ITEM(rec, 0);
    PyObject* bins = PyTuple_GET_ITEM(rec, 1);
    PyObject* meta = PyTuple_GET_SIZE(rec) == 3 ? PyTuple_GET_ITEM(rec, 2) : Py_None;
    if (!PyDict_Check(bins) || PyDict_GET_SIZE(bins) == 0) {
      return RaiseInvalidArg(st, "records[%zd]: bins must be a non-empty dict", i);
    }
    OpPolicy p = record_defaults;
    if (meta != Py_None) {
      std::string what = "records[" + std::to_string(i) + "] meta";
      if (!ApplyPolicyDict(st, meta, PolicyKind::kMeta, what.c_str(), &p)) return nullptr;
    }
    BatchRowSpec row = WriteSpec(self, p);
    proto::OpWriter w(&row.ops);
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(bins, &pos, &k, &v)) {
      std::string_view name;
      if (!BinNameView(st, k, &name)) return nullptr;
      w.Begin(proto::OpType::kWrite, proto::ParticleType::kNull, name);
      proto::ParticleType pt;
      if (!EncodeParticle(st, v, name, &row.ops, &pt)) return nullptr;
      w.SetParticle(pt);
      w.End();
    }
    row.n_ops = w.count();
    uint16_t spec_index;
    if (!b.AddSpec(std::move(row), &spec_index)) return nullptr;
    if (!b.AddKey(key, i, spec_index)) return nullptr;
    PyTuple_SET_ITEM(keys.get(), i, Py_NewRef(key));
  }
  if (n == 0) return EmptyResult(self, ResultKind::kBatchWrite);
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
  Ref keys = Ref::Steal(AsTuple(st, a[0], "keys"));
  if (!keys) return nullptr;
  EncodedOps ops;
  if (!EncodeOperations(st, a[1], &ops)) return nullptr;
  OpPolicy local;
  const OpPolicy* bp = BatchPolicyOf(self, a[2], &local);
  if (bp == nullptr) return nullptr;
  OpPolicy record = self->s->policies.batch_write;
  if (a[2] != nullptr && !ApplyPolicyDict(st, a[2], PolicyKind::kBatch, "policy", &record)) {
    return nullptr;
  }
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
  row.ops = std::move(ops.bytes);
  row.n_ops = ops.count;
  const Py_ssize_t n = PyTuple_GET_SIZE(keys.get());
  BatchBuilder b(st, static_cast<size_t>(n));
  uint16_t spec_index;
  if (!b.AddSpec(std::move(row), &spec_index)) return nullptr;
  for (Py_ssize_t i = 0; i < n; ++i) {
    if (!b.AddKey(PyTuple_GET_ITEM(keys.get(), i), i, spec_index)) return nullptr;
  }
  if (n == 0) return EmptyResult(self, ResultKind::kBatchWrite);
  ApplyBatchPolicy(*bp, b.cmd());
  return SendBatch(self, b.Release(), ResultKind::kBatchWrite, OpKind::kBatchOperate, keys.get(),
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
  Ref entries = Ref::Steal(AsTuple(st, a[0], "keys"));
  if (!entries) return nullptr;
  OpPolicy local;
  const OpPolicy* bp = BatchPolicyOf(self, a[1], &local);
  if (bp == nullptr) return nullptr;
  OpPolicy record = self->s->policies.batch_remove;
  if (a[1] != nullptr) {
    // The batch-level delete keys (gen, key, commit_level, durable_delete,
    // filter_expression) are read from the same dict.
    OpPolicy scratch = record;
    if (!ApplyPolicyDict(st, a[1], PolicyKind::kBatch, "policy", &scratch)) return nullptr;
    record = scratch;
  }
  BatchRowSpec base = WriteSpec(self, record);
  base.info2 |= proto::info2::kDelete;
  base.ttl = 0;

  const Py_ssize_t n = PyTuple_GET_SIZE(entries.get());
  Ref keys = Ref::Steal(PyTuple_New(n));
  if (!keys) return nullptr;
  BatchBuilder b(st, static_cast<size_t>(n));
  uint16_t base_index;
  if (!b.AddSpec(std::move(base), &base_index)) return nullptr;
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
        BatchRowSpec row = WriteSpec(self, p);
        row.info2 |= proto::info2::kDelete;
        row.ttl = 0;
        if (!b.AddSpec(std::move(row), &spec_index)) return nullptr;
      }
    }
    if (!b.AddKey(key, i, spec_index)) return nullptr;
    PyTuple_SET_ITEM(keys.get(), i, Py_NewRef(key));
  }
  if (n == 0) return EmptyResult(self, ResultKind::kBatchWrite);
  ApplyBatchPolicy(*bp, b.cmd());
  return SendBatch(self, b.Release(), ResultKind::kBatchWrite, OpKind::kBatchRemove, keys.get(),
                   t_start);
}

}  // namespace aerospike_py::python
