// Single-record methods of Client/AsyncClient: get, select, exists, put,
// remove, touch, append, prepend, increment, remove_bin, operate,
// operate_ordered. Each reads its arguments into a RecordCommand (key,
// policy, header bits, encoded ops) and dispatches it; nothing is sent when
// an argument is bad.
#include <memory>
#include <string_view>

#include "proto/constants.h"
#include "proto/op_writer.h"
#include "python/arg_parse.h"
#include "python/client_object.h"
#include "python/errors.h"
#include "python/keys.h"
#include "python/ops.h"
#include "python/value_encode.h"

namespace aerospike_py::python {
namespace {

using client::RecordCommand;

ClientObject* AsClient(PyObject* o) { return reinterpret_cast<ClientObject*>(o); }

// A read command for `key` with the read policy (defaults, then `policy`).
std::unique_ptr<RecordCommand> StartRead(ClientObject* self, PyObject* key, PyObject* policy,
                                         uint8_t info1) {
  ModuleState* st = self->st;
  auto cmd = std::make_unique<RecordCommand>();
  if (!ParseKey(st, key, "key", &cmd->key)) return nullptr;
  const OpPolicy* p = &self->s->policies.read;
  OpPolicy local;
  if (policy != nullptr) {
    local = *p;
    if (!ApplyPolicyDict(st, policy, PolicyKind::kRead, "policy", &local)) return nullptr;
    p = &local;
  }
  if (!CheckReplica(self, *p)) return nullptr;
  cmd->policy = p->base;
  cmd->filter_expression = p->filter_expression;
  cmd->info1 = info1;
  if (p->base.read_mode_ap == client::ReadModeAp::kAll) {
    cmd->info1 |= proto::info1::kReadModeApAll;
  }
  // Reads carry the read-touch TTL percent in the TTL slot (-1 as 0xFFFFFFFF).
  cmd->record_ttl = static_cast<uint32_t>(p->read_touch_ttl_percent);
  cmd->coalescable = p->coalesce;  // get/select only: others clear it
  return cmd;
}

// The policy of a write: the client's defaults for this kind, then meta,
// then the policy dict (an explicit policy wins over meta, as in
// aerospike-py). Points into `local` when either dict was given.
const OpPolicy* WritePolicyOf(ClientObject* self, const OpPolicy& defaults, PyObject* meta,
                              PyObject* policy, OpPolicy* local) {
  if (meta == nullptr && policy == nullptr) return &defaults;
  *local = defaults;
  if (!ApplyPolicyDict(self->st, meta, PolicyKind::kMeta, "meta", local)) return nullptr;
  if (!ApplyPolicyDict(self->st, policy, PolicyKind::kWrite, "policy", local)) return nullptr;
  return local;
}

void ApplyWrite(ClientObject* self, const OpPolicy& p, RecordCommand* cmd) {
  cmd->policy = p.base;
  cmd->filter_expression = p.filter_expression;
  cmd->is_write = true;
  cmd->send_key = p.send_key;
  cmd->info2 |= proto::info2::kWrite;
  WriteFlags(p, &cmd->info2, &cmd->info3);
  cmd->generation = p.generation;
  cmd->record_ttl = WriteTtl(p, self->s->policies.write);
}

std::unique_ptr<RecordCommand> StartWrite(ClientObject* self, PyObject* key, PyObject* meta,
                                          PyObject* policy, const OpPolicy& defaults) {
  auto cmd = std::make_unique<RecordCommand>();
  if (!ParseKey(self->st, key, "key", &cmd->key)) return nullptr;
  OpPolicy local;
  const OpPolicy* p = WritePolicyOf(self, defaults, meta, policy, &local);
  if (p == nullptr) return nullptr;
  ApplyWrite(self, *p, cmd.get());
  return cmd;
}

PyObject* Send(ClientObject* self, std::unique_ptr<RecordCommand> cmd, ResultKind kind, OpKind op,
               PyObject* key, int64_t t_start) {
  client::Client* core = LiveCore(self);
  if (core == nullptr) return nullptr;
  return Dispatch(self, core, std::move(cmd), kind, op, key, t_start);
}

const char* const kKeyPolicy[] = {"key", "policy"};
const char* const kKeyBinsPolicy[] = {"key", "bins", "policy"};
const char* const kKeyBinsMetaPolicy[] = {"key", "bins", "meta", "policy"};
const char* const kKeyMetaPolicy[] = {"key", "meta", "policy"};
const char* const kTouchArgs[] = {"key", "val", "meta", "policy"};
const char* const kBinValArgs[] = {"key", "bin", "val", "meta", "policy"};
const char* const kIncrArgs[] = {"key", "bin", "offset", "meta", "policy"};
const char* const kRemoveBinArgs[] = {"key", "bin_names", "meta", "policy"};
const char* const kOperateArgs[] = {"key", "ops", "meta", "policy"};

}  // namespace

PyObject* Client_get(PyObject* obj, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  static const ArgSpec spec = {"get", kKeyPolicy, 2, 1};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  PyObject* a[2];
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr;
  auto cmd = StartRead(self, a[0], a[1], proto::info1::kRead | proto::info1::kGetAll);
  if (!cmd) return nullptr;
  return Send(self, std::move(cmd), ResultKind::kRecord, OpKind::kGet, a[0], t_start);
}

PyObject* Client_select(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                        PyObject* kwnames) {
  static const ArgSpec spec = {"select", kKeyBinsPolicy, 3, 2};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  ModuleState* st = self->st;
  PyObject* a[3];
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr;
  auto cmd = StartRead(self, a[0], a[2], proto::info1::kRead);
  if (!cmd) return nullptr;
  PyObject* bins = a[1];
  if (!PyList_Check(bins) && !PyTuple_Check(bins)) {
    return RaiseInvalidArg(st, "bins must be a list of bin names, not %.100s",
                           Py_TYPE(bins)->tp_name);
  }
  Ref seq = Ref::Steal(PySequence_Tuple(bins));
  if (!seq) return nullptr;
  const Py_ssize_t n = PyTuple_GET_SIZE(seq.get());
  if (n > UINT16_MAX) return RaiseInvalidArg(st, "bins: too many bin names (%zd)", n);
  proto::OpWriter w(&cmd->ops);
  for (Py_ssize_t i = 0; i < n; ++i) {
    std::string_view name;
    if (!BinNameView(st, PyTuple_GET_ITEM(seq.get(), i), &name)) return nullptr;
    w.Add(proto::OpType::kRead, proto::ParticleType::kNull, name, ByteSpan());
  }
  if (!WireOpCount(st, w, "bins", &cmd->n_ops)) return nullptr;
  // No names: the record's metadata only.
  if (n == 0) cmd->info1 |= proto::info1::kNoBinData;
  return Send(self, std::move(cmd), ResultKind::kRecord, OpKind::kSelect, a[0], t_start);
}

PyObject* Client_exists(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                        PyObject* kwnames) {
  static const ArgSpec spec = {"exists", kKeyPolicy, 2, 1};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  PyObject* a[2];
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr;
  auto cmd = StartRead(self, a[0], a[1], proto::info1::kRead | proto::info1::kNoBinData);
  if (!cmd) return nullptr;
  cmd->coalescable = false;
  return Send(self, std::move(cmd), ResultKind::kExists, OpKind::kExists, a[0], t_start);
}

PyObject* Client_put(PyObject* obj, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  static const ArgSpec spec = {"put", kKeyBinsMetaPolicy, 4, 2};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  ModuleState* st = self->st;
  PyObject* a[4];
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr;
  PyObject* bins = a[1];
  if (!PyDict_Check(bins)) {
    return RaiseInvalidArg(st, "bins must be a dict {bin_name: value}, not %.100s",
                           Py_TYPE(bins)->tp_name);
  }
  const Py_ssize_t n = PyDict_GET_SIZE(bins);
  if (n == 0) return RaiseInvalidArg(st, "bins is empty: nothing to write");
  if (n > UINT16_MAX) return RaiseInvalidArg(st, "bins has %zd entries, the limit is 65535", n);
  auto cmd = StartWrite(self, a[0], a[2], a[3], self->s->policies.write);
  if (!cmd) return nullptr;
  proto::OpWriter w(&cmd->ops);
  Py_ssize_t pos = 0;
  PyObject *k, *v;
  while (PyDict_Next(bins, &pos, &k, &v)) {
    std::string_view name;
    if (!BinNameView(st, k, &name)) return nullptr;
    w.Begin(proto::OpType::kWrite, proto::ParticleType::kNull, name);
    proto::ParticleType pt;
    if (!EncodeParticle(st, v, name, &cmd->ops, &pt)) return nullptr;
    w.SetParticle(pt);
    w.End();
  }
  if (!WireOpCount(st, w, "bins", &cmd->n_ops)) return nullptr;
  return Send(self, std::move(cmd), ResultKind::kNone, OpKind::kPut, a[0], t_start);
}

PyObject* Client_remove(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                        PyObject* kwnames) {
  static const ArgSpec spec = {"remove", kKeyMetaPolicy, 3, 1};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  PyObject* a[3];
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr;
  auto cmd = StartWrite(self, a[0], a[1], a[2], self->s->policies.remove);
  if (!cmd) return nullptr;
  cmd->info2 |= proto::info2::kDelete;
  return Send(self, std::move(cmd), ResultKind::kNone, OpKind::kRemove, a[0], t_start);
}

PyObject* Client_touch(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                       PyObject* kwnames) {
  static const ArgSpec spec = {"touch", kTouchArgs, 4, 1};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  ModuleState* st = self->st;
  PyObject* a[4];
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr;
  long long val = 0;
  if (a[1] != nullptr) {
    if (!PyLong_Check(a[1]) || PyBool_Check(a[1])) {
      return RaiseInvalidArg(st, "touch(): val must be an int (TTL seconds), not %.100s",
                             Py_TYPE(a[1])->tp_name);
    }
    int overflow = 0;
    val = PyLong_AsLongLongAndOverflow(a[1], &overflow);
    if (val == -1 && PyErr_Occurred()) return nullptr;
    if (overflow != 0 || val < 0 || val > 0xFFFFFFFDLL) {
      return RaiseInvalidArg(st, "touch(): val %R is out of range (0..4294967293 seconds)", a[1]);
    }
  }
  auto cmd = StartWrite(self, a[0], a[2], a[3], self->s->policies.write);
  if (!cmd) return nullptr;
  if (val > 0) cmd->record_ttl = static_cast<uint32_t>(val);
  proto::OpWriter w(&cmd->ops);
  w.Add(proto::OpType::kTouch, proto::ParticleType::kNull, std::string_view(), ByteSpan());
  if (!WireOpCount(st, w, "bins", &cmd->n_ops)) return nullptr;
  return Send(self, std::move(cmd), ResultKind::kNone, OpKind::kTouch, a[0], t_start);
}

static PyObject* AppendOrPrepend(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                 PyObject* kwnames, bool prepend) {
  static const ArgSpec append_spec = {"append", kBinValArgs, 5, 3};
  static const ArgSpec prepend_spec = {"prepend", kBinValArgs, 5, 3};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  PyObject* a[5];
  if (!ParseArgs(prepend ? prepend_spec : append_spec, args, nargs, kwnames, a)) return nullptr;
  auto cmd = StartWrite(self, a[0], a[3], a[4], self->s->policies.write);
  if (!cmd) return nullptr;
  if (!AppendStringOp(self->st, prepend, a[1], a[2], &cmd->ops)) return nullptr;
  cmd->n_ops = 1;
  return Send(self, std::move(cmd), ResultKind::kNone,
              prepend ? OpKind::kPrepend : OpKind::kAppend, a[0], t_start);
}

PyObject* Client_append(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                        PyObject* kwnames) {
  return AppendOrPrepend(obj, args, nargs, kwnames, false);
}

PyObject* Client_prepend(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                         PyObject* kwnames) {
  return AppendOrPrepend(obj, args, nargs, kwnames, true);
}

PyObject* Client_increment(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                           PyObject* kwnames) {
  static const ArgSpec spec = {"increment", kIncrArgs, 5, 3};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  PyObject* a[5];
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr;
  auto cmd = StartWrite(self, a[0], a[3], a[4], self->s->policies.write);
  if (!cmd) return nullptr;
  if (!AppendIncrementOp(self->st, a[1], a[2], &cmd->ops)) return nullptr;
  cmd->n_ops = 1;
  return Send(self, std::move(cmd), ResultKind::kNone, OpKind::kIncrement, a[0], t_start);
}

PyObject* Client_remove_bin(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                            PyObject* kwnames) {
  static const ArgSpec spec = {"remove_bin", kRemoveBinArgs, 4, 2};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  ModuleState* st = self->st;
  PyObject* a[4];
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr;
  PyObject* names = a[1];
  if (!PyList_Check(names) && !PyTuple_Check(names)) {
    return RaiseInvalidArg(st, "bin_names must be a list of bin names, not %.100s",
                           Py_TYPE(names)->tp_name);
  }
  Ref seq = Ref::Steal(PySequence_Tuple(names));
  if (!seq) return nullptr;
  const Py_ssize_t n = PyTuple_GET_SIZE(seq.get());
  if (n == 0) return RaiseInvalidArg(st, "bin_names is empty: nothing to remove");
  if (n > UINT16_MAX) return RaiseInvalidArg(st, "bin_names: too many names (%zd)", n);
  auto cmd = StartWrite(self, a[0], a[2], a[3], self->s->policies.write);
  if (!cmd) return nullptr;
  proto::OpWriter w(&cmd->ops);
  for (Py_ssize_t i = 0; i < n; ++i) {
    std::string_view name;
    if (!BinNameView(st, PyTuple_GET_ITEM(seq.get(), i), &name)) return nullptr;
    w.Add(proto::OpType::kWrite, proto::ParticleType::kNull, name, ByteSpan());
  }
  if (!WireOpCount(st, w, "bins", &cmd->n_ops)) return nullptr;
  return Send(self, std::move(cmd), ResultKind::kNone, OpKind::kRemoveBin, a[0], t_start);
}

static PyObject* Operate(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                         PyObject* kwnames, bool ordered) {
  static const ArgSpec spec = {"operate", kOperateArgs, 4, 2};
  static const ArgSpec ordered_spec = {"operate_ordered", kOperateArgs, 4, 2};
  const int64_t t_start = StartTimer();
  ClientObject* self = AsClient(obj);
  ModuleState* st = self->st;
  PyObject* a[4];
  if (!ParseArgs(ordered ? ordered_spec : spec, args, nargs, kwnames, a)) return nullptr;
  auto cmd = std::make_unique<RecordCommand>();
  if (!ParseKey(st, a[0], "key", &cmd->key)) return nullptr;
  EncodedOps ops;
  if (!EncodeOperations(st, a[1], &ops)) return nullptr;
  OpPolicy local;
  const OpPolicy* p = WritePolicyOf(self, self->s->policies.operate, a[2], a[3], &local);
  if (p == nullptr) return nullptr;
  if (ops.has_write) {
    ApplyWrite(self, *p, cmd.get());
  } else {
    // Reads only: no write bits, and the TTL slot is the read-touch percent.
    cmd->policy = p->base;
    cmd->filter_expression = p->filter_expression;
    cmd->record_ttl = static_cast<uint32_t>(p->read_touch_ttl_percent);
  }
  if (ops.has_read) {
    cmd->info1 |= proto::info1::kRead;
    if (ops.read_all) cmd->info1 |= proto::info1::kGetAll;
    if (p->base.read_mode_ap == client::ReadModeAp::kAll) {
      cmd->info1 |= proto::info1::kReadModeApAll;
    }
  }
  // Collection ops: every op answers (None when it has no result), so
  // operate_ordered() has one entry per op and result shapes line up with
  // the ops. (Not with a READ of all bins: that answer lists the record's
  // bins, not one result per op.)
  if (ops.has_collection_op && !ops.read_all &&
      (ordered || !ops.shapes.empty())) {
    cmd->info2 |= proto::info2::kRespondAllOps;
    cmd->op_shapes = std::move(ops.shapes);
  }
  cmd->ops = std::move(ops.bytes);
  cmd->n_ops = ops.count;
  return Send(self, std::move(cmd), ordered ? ResultKind::kOrdered : ResultKind::kOperate,
              ordered ? OpKind::kOperateOrdered : OpKind::kOperate, a[0], t_start);
}

PyObject* Client_operate(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                         PyObject* kwnames) {
  return Operate(obj, args, nargs, kwnames, false);
}

PyObject* Client_operate_ordered(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                 PyObject* kwnames) {
  return Operate(obj, args, nargs, kwnames, true);
}

}  // namespace aerospike_py::python
