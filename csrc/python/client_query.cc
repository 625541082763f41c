// Client._query(): scans and queries from Python arguments to a running
// client::QueryCommand. aerospike_py.query (Query / AsyncQuery) reads the
// user's builder calls and predicates and hands them here in a normalized
// form; everything is checked before anything is sent:
//
//   _query(namespace, set_name, bins=None, where=None, policy=None,
//          partitions=None, ops=None, background=False, task_id=None,
//          udf=None, stream_type=None, write_policy=None)
//
//   where      (bin | None, particle_type, begin: bytes, end: bytes,
//               index_type, ctx: bytes | None, index_name: str | None,
//               expression: bytes | None)        -- fields 22/26/23/21/24
//   partitions [(pid, started, done, digest | None, bval | None)] -- a cursor
//   udf        (module, function, msgpack args: bytes) -- background UDF, or
//              in a foreground query an aggregation (values, not records)
//
// A foreground query returns a QueryStream (of `stream_type`, a subclass
// of _core.QueryStream); a background one returns (task_id, None) for the
// sync client after the nodes accepted the job, or (task_id, future) for
// the asyncio client.
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "client/query_command.h"
#include "client/query_stream.h"
#include "common/byte_order.h"
#include "proto/constants.h"
#include "proto/digest.h"
#include "proto/op_writer.h"
#include "python/arg_parse.h"
#include "python/client_object.h"
#include "python/errors.h"
#include "python/keys.h"
#include "python/ops.h"
#include "python/policies.h"
#include "python/query_stream_object.h"

namespace aerospike_py::python {
namespace {

const char* const kQueryArgs[] = {"namespace", "set_name",  "bins",    "where",
                                  "policy",    "partitions", "ops",    "background",
                                  "task_id",   "udf",        "stream_type", "write_policy"};
const ArgSpec kQuerySpec = {"_query", kQueryArgs, 12, 2};

void AppendFieldBytes(ByteBuffer* out, proto::FieldType type, ByteSpan data) {
  uint8_t* p = out->Extend(5 + data.size());
  StoreBE32(p, static_cast<uint32_t>(data.size() + 1));
  p[4] = static_cast<uint8_t>(type);
  if (!data.empty()) std::memcpy(p + 5, data.data(), data.size());
}

// Bytes of a bytes-like object (not str); false with InvalidArgError.
bool ReadBytes(ModuleState* st, PyObject* o, const char* what, std::string* out) {
  if (PyUnicode_Check(o) || !PyObject_CheckBuffer(o)) {
    RaiseInvalidArg(st, "%s must be bytes, not %.100s", what, Py_TYPE(o)->tp_name);
    return false;
  }
  Py_buffer view;
  if (PyObject_GetBuffer(o, &view, PyBUF_SIMPLE) < 0) return false;
  out->assign(static_cast<const char*>(view.buf), static_cast<size_t>(view.len));
  PyBuffer_Release(&view);
  return true;
}

bool ReadStr(ModuleState* st, PyObject* o, const char* what, std::string* out) {
  if (!PyUnicode_Check(o)) {
    RaiseInvalidArg(st, "%s must be str, not %.100s", what, Py_TYPE(o)->tp_name);
    return false;
  }
  Py_ssize_t len = 0;
  const char* data = PyUnicode_AsUTF8AndSize(o, &len);
  if (data == nullptr) {
    ConvertPendingToInvalidArg(st, what);
    return false;
  }
  out->assign(data, static_cast<size_t>(len));
  return true;
}

bool ReadLong(ModuleState* st, PyObject* o, const char* what, long long lo, long long hi,
              long long* out) {
  if (!PyLong_Check(o) || PyBool_Check(o)) {
    RaiseInvalidArg(st, "%s must be int, not %.100s", what, Py_TYPE(o)->tp_name);
    return false;
  }
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
  if (v == -1 && PyErr_Occurred()) return false;
  if (overflow != 0 || v < lo || v > hi) {
    RaiseInvalidArg(st, "%s is %R, expected %lld..%lld", what, o, lo, hi);
    return false;
  }
  *out = v;
  return true;
}

// The normalized where clause into its wire fields, in the official
// clients' order: 26 index type, 22 range, 23 context, 21 name, 24 expression.
bool ParseWhere(ModuleState* st, PyObject* where, client::QueryCommand* cmd) {
  if (!PyTuple_Check(where) || PyTuple_GET_SIZE(where) != 8) {
    RaiseInvalidArg(st, "where must be a normalized predicate (8-tuple); build it with "
                        "aerospike_py.predicates and Query.where()");
    return false;
  }
  PyObject* w[8];
  for (Py_ssize_t i = 0; i < 8; ++i) w[i] = PyTuple_GET_ITEM(where, i);
  std::string bin, begin, end, ctx, index_name, expression;
  long long particle = 0, index_type = 0;
  if (w[0] != Py_None) {
    if (!ReadStr(st, w[0], "predicate bin name", &bin)) return false;
    if (bin.empty() || bin.size() > proto::kMaxBinNameLen) {
      RaiseInvalidArg(st, "predicate bin name '%s' must be 1..15 bytes", bin.c_str());
      return false;
    }
  }
  if (!ReadLong(st, w[1], "predicate particle type", 0, 255, &particle)) return false;
  if (particle != static_cast<long long>(proto::ParticleType::kInteger) &&
      particle != static_cast<long long>(proto::ParticleType::kString) &&
      particle != static_cast<long long>(proto::ParticleType::kBlob) &&
      particle != static_cast<long long>(proto::ParticleType::kGeoJson)) {
    RaiseInvalidArg(st, "predicate values must be int, str, bytes or GeoJSON (particle type %lld)",
                    particle);
    return false;
  }
  if (!ReadBytes(st, w[2], "predicate begin value", &begin) ||
      !ReadBytes(st, w[3], "predicate end value", &end)) {
    return false;
  }
  if (!ReadLong(st, w[4], "predicate index type", 0, 255, &index_type)) return false;
  if (w[5] != Py_None && !ReadBytes(st, w[5], "predicate ctx", &ctx)) return false;
  if (w[6] != Py_None && !ReadStr(st, w[6], "predicate index name", &index_name)) return false;
  if (w[7] != Py_None && !ReadBytes(st, w[7], "predicate expression", &expression)) return false;
  if (bin.empty() && index_name.empty() && expression.empty()) {
    RaiseInvalidArg(st, "a predicate needs a bin name, an index name or an expression");
    return false;
  }
  ByteBuffer& f = cmd->where_fields;
  uint16_t n = 0;
  if (index_type != 0) {
    const uint8_t t = static_cast<uint8_t>(index_type);
    AppendFieldBytes(&f, proto::FieldType::kIndexType, ByteSpan(&t, 1));
    ++n;
  }
  // INDEX_RANGE: count 1 | bin name | particle type | begin | end.
  ByteBuffer range;
  range.PushBack(1);
  range.PushBack(static_cast<uint8_t>(bin.size()));
  range.Append(AsBytes(bin));
  range.PushBack(static_cast<uint8_t>(particle));
  uint8_t len[4];
  StoreBE32(len, static_cast<uint32_t>(begin.size()));
  range.Append(ByteSpan(len, 4));
  range.Append(AsBytes(begin));
  StoreBE32(len, static_cast<uint32_t>(end.size()));
  range.Append(ByteSpan(len, 4));
  range.Append(AsBytes(end));
  AppendFieldBytes(&f, proto::FieldType::kIndexRange, range.span());
  ++n;
  if (!ctx.empty()) {
    AppendFieldBytes(&f, proto::FieldType::kIndexContext, AsBytes(ctx));
    ++n;
  }
  if (!index_name.empty()) {
    AppendFieldBytes(&f, proto::FieldType::kIndexName, AsBytes(index_name));
    ++n;
  }
  if (!expression.empty()) {
    AppendFieldBytes(&f, proto::FieldType::kIndexExpression, AsBytes(expression));
    ++n;
  }
  cmd->n_where_fields = n;
  cmd->has_where = true;
  return true;
}

bool ParseBins(ModuleState* st, PyObject* bins, client::QueryCommand* cmd) {
  Ref seq = Ref::Steal(PySequence_Fast(bins, "bins must be a sequence of bin names"));
  if (!seq) {
    ConvertPendingToInvalidArg(st, "bins");
    return false;
  }
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq.get());
  if (n > UINT16_MAX) {
    RaiseInvalidArg(st, "too many bins selected (%zd)", n);
    return false;
  }
  proto::OpWriter w(&cmd->ops);
  for (Py_ssize_t i = 0; i < n; ++i) {
    std::string name;
    if (!ReadStr(st, PySequence_Fast_GET_ITEM(seq.get(), i), "a selected bin name", &name)) {
      return false;
    }
    if (name.empty() || name.size() > proto::kMaxBinNameLen) {
      RaiseInvalidArg(st, "bin name '%s' must be 1..15 bytes", name.c_str());
      return false;
    }
    w.Add(proto::OpType::kRead, proto::ParticleType::kNull, name, ByteSpan());
  }
  cmd->n_ops = static_cast<uint16_t>(w.count());
  return true;
}

bool ParsePartitions(ModuleState* st, PyObject* parts, client::QueryCommand* cmd) {
  Ref seq = Ref::Steal(PySequence_Fast(parts, "partitions must be a list"));
  if (!seq) {
    ConvertPendingToInvalidArg(st, "partitions");
    return false;
  }
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq.get());
  if (n == 0 || n > static_cast<Py_ssize_t>(proto::kPartitions)) {
    RaiseInvalidArg(st, "partitions must list 1..4096 partitions, got %zd", n);
    return false;
  }
  std::vector<bool> seen(proto::kPartitions, false);
  cmd->partitions.resize(static_cast<size_t>(n));
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* t = PySequence_Fast_GET_ITEM(seq.get(), i);
    if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 5) {
      RaiseInvalidArg(st, "partitions[%zd] must be (pid, started, done, digest, bval)", i);
      return false;
    }
    client::PartitionStatus& p = cmd->partitions[static_cast<size_t>(i)];
    long long pid = 0;
    if (!ReadLong(st, PyTuple_GET_ITEM(t, 0), "partition id", 0, proto::kPartitions - 1, &pid)) {
      return false;
    }
    if (seen[static_cast<size_t>(pid)]) {
      RaiseInvalidArg(st, "partition %lld is listed twice", pid);
      return false;
    }
    seen[static_cast<size_t>(pid)] = true;
    p.pid = static_cast<uint16_t>(pid);
    const int started = PyObject_IsTrue(PyTuple_GET_ITEM(t, 1));
    const int done = PyObject_IsTrue(PyTuple_GET_ITEM(t, 2));
    if (started < 0 || done < 0) return false;
    p.started = started == 1;
    p.done = done == 1;
    PyObject* digest = PyTuple_GET_ITEM(t, 3);
    if (digest != Py_None) {
      std::string d;
      if (!ReadBytes(st, digest, "a partition's digest", &d)) return false;
      if (d.size() != proto::kDigestSize) {
        RaiseInvalidArg(st, "a partition's digest must be 20 bytes");
        return false;
      }
      std::memcpy(p.digest.data(), d.data(), proto::kDigestSize);
      if (proto::PartitionId(p.digest) != p.pid) {
        RaiseInvalidArg(st, "partition %lld: its resume digest belongs to partition %u", pid,
                        proto::PartitionId(p.digest));
        return false;
      }
    } else if (p.started) {
      RaiseInvalidArg(st, "partition %lld is marked started but has no digest", pid);
      return false;
    }
    PyObject* bval = PyTuple_GET_ITEM(t, 4);
    if (bval != Py_None) {
      long long b = 0;
      if (!ReadLong(st, bval, "a partition's bval", INT64_MIN, INT64_MAX, &b)) return false;
      p.bval = b;
      p.has_bval = true;
    }
  }
  return true;
}

bool ParseUdf(ModuleState* st, PyObject* udf, client::QueryCommand* cmd, uint8_t op) {
  if (!PyTuple_Check(udf) || PyTuple_GET_SIZE(udf) != 3) {
    RaiseInvalidArg(st, "udf must be (module, function, msgpack args)");
    return false;
  }
  std::string module, function, args;
  if (!ReadStr(st, PyTuple_GET_ITEM(udf, 0), "UDF module", &module) ||
      !ReadStr(st, PyTuple_GET_ITEM(udf, 1), "UDF function", &function) ||
      !ReadBytes(st, PyTuple_GET_ITEM(udf, 2), "UDF arguments", &args)) {
    return false;
  }
  AppendFieldBytes(&cmd->udf_fields, proto::FieldType::kUdfOp, ByteSpan(&op, 1));
  AppendFieldBytes(&cmd->udf_fields, proto::FieldType::kUdfPackageName, AsBytes(module));
  AppendFieldBytes(&cmd->udf_fields, proto::FieldType::kUdfFunction, AsBytes(function));
  AppendFieldBytes(&cmd->udf_fields, proto::FieldType::kUdfArgList, AsBytes(args));
  cmd->n_udf_fields = 4;
  return true;
}

uint64_t NewTaskId() {
  static std::mt19937_64 rng{std::random_device{}()};  // GIL held: no race
  uint64_t id = 0;
  while (id == 0) id = rng() >> 1;  // positive as a signed 64-bit number
  return id;
}

}  // namespace

ASPY_FASTCALL_METHOD(Client_query) {
  ClientObject* client = reinterpret_cast<ClientObject*>(self);
  ModuleState* st = client->st;
  PyObject* a[12];
  if (!ParseArgs(kQuerySpec, args, nargs, kwnames, a)) return nullptr;
  client::Client* core = LiveCore(client);
  if (core == nullptr) return nullptr;

  auto cmd = std::make_unique<client::QueryCommand>();
  if (!ParseNamespace(st, a[0], "namespace", &cmd->ns)) return nullptr;
  if (a[1] != nullptr && !ParseSetName(st, a[1], "set_name", &cmd->set)) return nullptr;
  bool background = false;
  if (a[7] != nullptr) {
    const int b = PyObject_IsTrue(a[7]);
    if (b < 0) return nullptr;
    background = b == 1;
  }
  cmd->background = background;

  OpPolicy p = client->s->policies.query;
  if (!ApplyPolicyDict(st, a[4], PolicyKind::kQuery, "policy", &p)) return nullptr;
  cmd->policy = p.base;
  cmd->filter_expression = p.filter_expression;
  cmd->max_records = p.max_records;
  cmd->records_per_second = p.records_per_second;
  cmd->max_concurrent_nodes = p.max_concurrent_nodes;

  if (a[3] != nullptr && !ParseWhere(st, a[3], cmd.get())) return nullptr;
  if (a[5] != nullptr && !ParsePartitions(st, a[5], cmd.get())) return nullptr;
  if (a[8] != nullptr) {
    long long id = 0;
    if (!ReadLong(st, a[8], "task_id", 1, INT64_MAX, &id)) return nullptr;
    cmd->task_id = static_cast<uint64_t>(id);
  } else {
    cmd->task_id = NewTaskId();
  }

  if (background) {
    if (a[2] != nullptr) return RaiseInvalidArg(st, "a background query selects no bins");
    if (p.max_records != 0) {
      return RaiseInvalidArg(st, "max_records does not apply to a background query");
    }
    if (a[9] != nullptr) {
      if (a[6] != nullptr) return RaiseInvalidArg(st, "a background query takes ops or a UDF, not both");
      if (!ParseUdf(st, a[9], cmd.get(), /*UDF_OP background*/ 2)) return nullptr;
    } else {
      if (a[6] == nullptr) {
        return RaiseInvalidArg(st, "a background query needs write ops (add_ops) or a UDF (apply)");
      }
      EncodedOps ops;
      if (!EncodeOperations(st, a[6], &ops)) return nullptr;
      if (ops.has_read) {
        return RaiseInvalidArg(st, "a background query takes write ops only, not reads");
      }
      cmd->ops = std::move(ops.bytes);
      cmd->n_ops = ops.count;
    }
    OpPolicy wp = client->s->policies.write;
    if (!ApplyPolicyDict(st, a[11], PolicyKind::kWrite, "write_policy", &wp)) return nullptr;
    cmd->info1 = 0;
    cmd->info2 = proto::info2::kWrite | (wp.durable_delete ? proto::info2::kDurableDelete : 0);
    cmd->record_ttl = WriteTtl(wp, client->s->policies.write);
    const uint64_t task_id = cmd->task_id;
    PyObject* r = Dispatch(client, core, std::move(cmd), ResultKind::kNone, OpKind::kQuery,
                           nullptr, 0);
    if (r == nullptr) return nullptr;
    Ref result = Ref::Steal(r);
    return Py_BuildValue("(KO)", static_cast<unsigned long long>(task_id),
                         client->is_async ? result.get() : Py_None);
  }

  if (a[6] != nullptr) {
    // Foreground read ops (CDT/expression reads as a projection, S >= 8.1.2).
    if (a[2] != nullptr) return RaiseInvalidArg(st, "select bins or give read ops, not both");
    EncodedOps ops;
    if (!EncodeOperations(st, a[6], &ops)) return nullptr;
    if (ops.has_write) return RaiseInvalidArg(st, "a foreground query takes read ops only");
    cmd->ops = std::move(ops.bytes);
    cmd->n_ops = ops.count;
    if (!ops.read_all) cmd->info2 |= proto::info2::kRespondAllOps;
  } else if (a[2] != nullptr && !ParseBins(st, a[2], cmd.get())) {
    return nullptr;
  }
  if (a[9] != nullptr) {
    // An aggregation (query.apply + results/foreach): the nodes' stream
    // values come back as key-less records; aerospike_py.query reduces them.
    if (a[2] != nullptr || a[6] != nullptr) {
      return RaiseInvalidArg(st, "an aggregation selects no bins and takes no ops");
    }
    if (a[5] != nullptr) return RaiseInvalidArg(st, "an aggregation takes no partition filter");
    if (!ParseUdf(st, a[9], cmd.get(), /*UDF_OP aggregate*/ 1)) return nullptr;
    cmd->aggregate = true;
  }
  cmd->info1 = proto::info1::kRead;
  if (!p.include_bin_data) cmd->info1 |= proto::info1::kNoBinData;
  if (p.expected_duration == 1) {
    if (p.records_per_second != 0) {
      return RaiseInvalidArg(st, "records_per_second does not apply to a short query");
    }
    cmd->info1 |= proto::info1::kShortQuery;
  } else if (p.expected_duration == 2) {
    cmd->info2 |= proto::info2::kRelaxApLongQuery;
  }
  // What the official C client sends in a foreground query's record_ttl.
  cmd->record_ttl = p.read_touch_ttl_percent != 0 ? static_cast<uint32_t>(p.read_touch_ttl_percent)
                                                  : 0xFFFFFFFFu;

  PyTypeObject* type = reinterpret_cast<PyTypeObject*>(st->query_stream_type);
  if (a[10] != nullptr) {
    if (!PyType_Check(a[10]) ||
        !PyType_IsSubtype(reinterpret_cast<PyTypeObject*>(a[10]), type)) {
      return RaiseInvalidArg(st, "stream_type must be a subclass of QueryStream");
    }
    type = reinterpret_cast<PyTypeObject*>(a[10]);
  }
  const size_t buffer_bytes = static_cast<size_t>(p.record_queue_size) * 4096;
  auto stream = std::make_shared<client::QueryStream>(buffer_bytes);
  std::vector<client::PartitionStatus> initial = cmd->partitions;
  const bool has_where = cmd->has_where;
  Ref ns = Ref::Steal(PyUnicode_FromStringAndSize(cmd->ns.data(),
                                                  static_cast<Py_ssize_t>(cmd->ns.size())));
  if (!ns) return nullptr;
  Ref obj = Ref::Steal(NewQueryStream(st, type, stream, client->s->core, ns.get(),
                                      std::move(initial), has_where, cmd->task_id));
  if (!obj) return nullptr;
  cmd->stream = stream;
  cmd->sink = stream;
  core->Submit(std::move(cmd));
  return obj.release();
}

}  // namespace aerospike_py::python
