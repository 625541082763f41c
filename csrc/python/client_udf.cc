// Record UDF methods of Client/AsyncClient: apply (one record) and
// batch_apply (many records, one batch). Each reads its arguments into a
// command whose UDF fields (30 module, 31 function, 32 msgpack argument
// list) are encoded here, with the GIL held and before anything is sent; the
// answers (a SUCCESS or FAILURE bin) are converted by results.cc
// (ResultKind::kUdf) and batch_results.cc (BatchRecord bins).
//
// Registration (udf_put, udf_get, udf_list, udf_remove) is info commands,
// driven from Python (aerospike_py/_udf.py).
#include <memory>
#include <string>
#include <string_view>

#include "common/byte_order.h"
#include "proto/constants.h"
#include "proto/msgpack.h"
#include "python/arg_parse.h"
#include "python/bulk_keys.h"
#include "python/client_object.h"
#include "python/errors.h"
#include "python/keys.h"
#include "python/value_encode.h"

namespace aerospike_py::python {
namespace {

ClientObject* AsClient(PyObject* o) { return reinterpret_cast<ClientObject*>(o); }

// udf_def keeps module and function names in 128-byte buffers: longer
// names never reach a UDF on a real server (it answers 4), so they are
// refused before sending.
constexpr size_t kMaxUdfNameLen = 127;

void AppendField(ByteBuffer* out, proto::FieldType type, std::string_view data) {
  uint8_t* p = out->Extend(5);
  StoreBE32(p, static_cast<uint32_t>(data.size() + 1));
  p[4] = static_cast<uint8_t>(type);
  out->Append(data);
}

// A str argument as UTF-8 (a view owned by `s`).
bool NameView(ModuleState* st, PyObject* s, const char* what, std::string_view* out) {
  if (!PyUnicode_Check(s)) {
    RaiseInvalidArg(st, "%s must be a str, not %.100s", what, Py_TYPE(s)->tp_name);
    return false;
  }
  Py_ssize_t n = 0;
  const char* p = PyUnicode_AsUTF8AndSize(s, &n);
  if (p == nullptr) return false;
  if (n == 0 || static_cast<size_t>(n) > kMaxUdfNameLen) {
    RaiseInvalidArg(st, "%s must be 1 to %d bytes long", what, static_cast<int>(kMaxUdfNameLen));
    return false;
  }
  *out = std::string_view(p, static_cast<size_t>(n));
  return true;
}

// Fields 30-32 of a call of `module`.`function` with `args` (a list or
// tuple of values; null or None: no arguments).
bool EncodeUdfFields(ModuleState* st, PyObject* module, PyObject* function, PyObject* args,
                     ByteBuffer* out, uint16_t* n_fields) {
  std::string_view m, f;
  if (!NameView(st, module, "module", &m) || !NameView(st, function, "function", &f)) {
    return false;
  }
  ByteBuffer packed;
  proto::MsgpackWriter w(&packed);
  if (args == nullptr || args == Py_None) {
    w.ArrayHeader(0);
  } else if (PyList_Check(args) || PyTuple_Check(args)) {
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(args);
    PyObject** items = PySequence_Fast_ITEMS(args);
    w.ArrayHeader(static_cast<uint32_t>(n));
    for (Py_ssize_t i = 0; i < n; ++i) {
      if (!PackValue(st, items[i], "args", &w)) return false;
    }
  } else {
    RaiseInvalidArg(st, "args must be a list, not %.100s", Py_TYPE(args)->tp_name);
    return false;
  }
  out->Clear();
  AppendField(out, proto::FieldType::kUdfPackageName, m);
  AppendField(out, proto::FieldType::kUdfFunction, f);
  AppendField(out, proto::FieldType::kUdfArgList, packed.view());
  *n_fields = 3;
  return true;
}

// The row spec of a UDF row with policy `p`: a write row (info2 WRITE)
// with no ops, as the official clients send it.
client::BatchRowSpec UdfSpec(ClientObject* self, const OpPolicy& p) {
  client::BatchRowSpec spec;
  spec.row_flags = proto::batch_row_flags::kHasInfo | proto::batch_row_flags::kHasGeneration |
                   proto::batch_row_flags::kHasTtl;
  spec.is_write = true;
  spec.send_key = p.send_key;
  spec.info2 = proto::info2::kWrite;
  WriteFlags(p, &spec.info2, &spec.info3);
  spec.ttl = WriteTtl(p, self->s->policies.write);
  spec.filter_expression = p.filter_expression;
  return spec;
}

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

// A BatchUDFMeta dict: its call keys (module, function, args; borrowed,
// null when absent) and the rest as a policy dict (new reference, or null
// with an exception set).
PyObject* SplitMeta(ModuleState* st, PyObject* meta, const std::string& what, PyObject** module,
                    PyObject** function, PyObject** args, bool* has_args) {
  if (!PyDict_Check(meta)) {
    RaiseInvalidArg(st, "%s must be a dict, not %.100s", what.c_str(), Py_TYPE(meta)->tp_name);
    return nullptr;
  }
  Ref rest = Ref::Steal(PyDict_Copy(meta));
  if (!rest) return nullptr;
  *module = PyDict_GetItemString(meta, "module");
  *function = PyDict_GetItemString(meta, "function");
  *args = PyDict_GetItemString(meta, "args");
  *has_args = *args != nullptr;
  for (const char* k : {"module", "function", "args"}) {
    if (PyDict_GetItemString(rest.get(), k) != nullptr && PyDict_DelItemString(rest.get(), k) < 0) {
      return nullptr;
    }
  }
  return rest.release();
}

const char* const kApplyArgs[] = {"key", "module", "function", "args", "policy"};
const char* const kBatchApplyArgs[] = {"keys", "module", "function", "args", "policy"};

}  // namespace

PyObject* Client_apply(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                       PyObject* kwnames) {
  static const ArgSpec spec = {"apply", kApplyArgs, 5, 3};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  ModuleState* st = self->st;
  PyObject* a[5];
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr;
  auto cmd = std::make_unique<client::RecordCommand>();
  if (!ParseKey(st, a[0], "key", &cmd->key)) return nullptr;
  if (!EncodeUdfFields(st, a[1], a[2], a[3], &cmd->udf_fields, &cmd->n_udf_fields)) {
    return nullptr;
  }
  const OpPolicy* p = &self->s->policies.apply;
  OpPolicy local;
  if (a[4] != nullptr) {
    local = *p;
    if (!ApplyPolicyDict(st, a[4], PolicyKind::kWrite, "policy", &local)) return nullptr;
    p = &local;
  }
  cmd->policy = p->base;
  cmd->filter_expression = p->filter_expression;
  cmd->is_write = true;
  cmd->send_key = p->send_key;
  cmd->info2 = proto::info2::kWrite;
  WriteFlags(*p, &cmd->info2, &cmd->info3);
  cmd->generation = p->generation;
  cmd->record_ttl = WriteTtl(*p, self->s->policies.write);
  client::Client* core = LiveCore(self);
  if (core == nullptr) return nullptr;
  return Dispatch(self, core, std::move(cmd), ResultKind::kUdf, OpKind::kApply, a[0], t_start);
}

PyObject* Client_batch_apply(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                             PyObject* kwnames) {
  static const ArgSpec spec = {"batch_apply", kBatchApplyArgs, 5, 3};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  ModuleState* st = self->st;
  PyObject* a[5];
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr;
  if (!PyList_Check(a[0]) && !PyTuple_Check(a[0])) {
    return RaiseInvalidArg(st, "keys must be a list, not %.100s", Py_TYPE(a[0])->tp_name);
  }
  Ref entries = Ref::Steal(PySequence_Tuple(a[0]));
  if (!entries) return nullptr;
  OpPolicy local;
  const OpPolicy* bp = BatchPolicyOf(self, a[4], &local);
  if (bp == nullptr) return nullptr;
  // The batch-level UDF keys (ttl, key, commit_level, durable_delete,
  // filter_expression) come from the same dict.
  OpPolicy record = self->s->policies.batch_apply;
  if (a[4] != nullptr && !ApplyPolicyDict(st, a[4], PolicyKind::kBatch, "policy", &record)) {
    return nullptr;
  }
  client::BatchRowSpec base = UdfSpec(self, record);
  if (!EncodeUdfFields(st, a[1], a[2], a[3], &base.udf_fields, &base.n_udf_fields)) {
    return nullptr;
  }
  const Py_ssize_t n = PyTuple_GET_SIZE(entries.get());
  Ref classic = Ref::Steal(PyTuple_New(n));
  if (!classic) return nullptr;
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
        const std::string what = "keys[" + std::to_string(i) + "] meta";
        PyObject *module = nullptr, *function = nullptr, *row_args = nullptr;
        bool has_args = false;
        Ref rest = Ref::Steal(SplitMeta(st, meta, what, &module, &function, &row_args, &has_args));
        if (!rest) return nullptr;
        OpPolicy p = record;
        if (!ApplyPolicyDict(st, rest.get(), PolicyKind::kBatchUdf, what.c_str(), &p)) {
          return nullptr;
        }
        client::BatchRowSpec row = UdfSpec(self, p);
        if (!EncodeUdfFields(st, module ? module : a[1], function ? function : a[2],
                             has_args ? row_args : a[3], &row.udf_fields, &row.n_udf_fields)) {
          return nullptr;
        }
        if (!b.AddSpec(std::move(row), &spec_index)) return nullptr;
      }
      if (!b.AddKey(key, i, spec_index)) return nullptr;
    } else if (!b.AddEntry(entry, i, spec_index)) {
      return nullptr;
    }
    PyTuple_SET_ITEM(classic.get(), i, Py_NewRef(key));
  }
  Ref ctx = Ref::Steal(b.NewContext(classic.get(), classic.get()));
  if (!ctx) return nullptr;
  b.cmd()->policy = bp->base;
  b.cmd()->filter_expression = bp->filter_expression;
  b.cmd()->batch_flags = proto::batch_flags::kReportErrorRecord;
  if (bp->allow_inline) b.cmd()->batch_flags |= proto::batch_flags::kInline;
  if (bp->allow_inline_ssd) b.cmd()->batch_flags |= proto::batch_flags::kInlineSsd;
  if (bp->respond_all_keys) b.cmd()->batch_flags |= proto::batch_flags::kRespondAllKeys;
  client::Client* core = LiveCore(self);
  if (core == nullptr) return nullptr;
  if (b.cmd()->keys.empty()) {
    return RaiseInvalidArg(st, "batch_apply needs at least one key");
  }
  return Dispatch(self, core, b.Release(), ResultKind::kBatchWrite, OpKind::kBatchApply,
                  ctx.get(), t_start);
}

}  // namespace aerospike_py::python
