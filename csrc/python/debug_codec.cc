#include "python/debug_codec.h"

#include <string>

#include "python/errors.h"
#include "python/keys.h"
#include "python/module_state.h"
#include "python/ops.h"
#include "python/policies.h"
#include "python/value_decode.h"
#include "python/value_encode.h"

namespace aerospike_py::python {
namespace {

// _encode_value(value) -> (particle_type, bytes)
PyObject* EncodeValueImpl(PyObject* module, PyObject* value) {
  ModuleState* st = StateOf(module);
  ByteBuffer out;
  proto::ParticleType pt;
  if (!EncodeParticle(st, value, "value", &out, &pt)) return nullptr;
  const char* data = out.empty() ? "" : reinterpret_cast<const char*>(out.data());
  return Py_BuildValue("(iy#)", static_cast<int>(pt), data, static_cast<Py_ssize_t>(out.size()));
}

// _decode_value(particle_type, data) -> value
PyObject* DecodeValueImpl(PyObject* module, PyObject* args) {
  int pt;
  Py_buffer data;
  if (!PyArg_ParseTuple(args, "iy*:_decode_value", &pt, &data)) return nullptr;
  if (pt < 0 || pt > 255) {
    PyBuffer_Release(&data);
    PyErr_SetString(PyExc_ValueError, "particle type must be 0..255");
    return nullptr;
  }
  PyObject* r = DecodeParticle(
      StateOf(module), static_cast<uint8_t>(pt),
      ByteSpan(static_cast<const uint8_t*>(data.buf), static_cast<size_t>(data.len)));
  PyBuffer_Release(&data);
  return r;
}

// _parse_key(key) -> (ns, set, key_type, key_bytes, digest)
PyObject* ParseKeyImpl(PyObject* module, PyObject* key) {
  client::RecordKey k;
  if (!ParseKey(StateOf(module), key, "key", &k)) return nullptr;
  const proto::Digest& d = EnsureDigest(&k);
  return Py_BuildValue("(s#s#iy#y#)", k.ns.data(), static_cast<Py_ssize_t>(k.ns.size()),
                       k.set.data(), static_cast<Py_ssize_t>(k.set.size()),
                       static_cast<int>(k.key_type), k.key_bytes.data(),
                       static_cast<Py_ssize_t>(k.key_bytes.size()),
                       reinterpret_cast<const char*>(d.data()),
                       static_cast<Py_ssize_t>(d.size()));
}

// _check_policy(kind, dict) -> None: validates like a call would.
PyObject* CheckPolicyImpl(PyObject* module, PyObject* args) {
  const char* kind_name;
  PyObject* dict;
  if (!PyArg_ParseTuple(args, "sO:_check_policy", &kind_name, &dict)) return nullptr;
  ModuleState* st = StateOf(module);
  const std::string kind(kind_name);
  struct {
    const char* name;
    PolicyKind kind;
  } const kinds[] = {
      {"read", PolicyKind::kRead},          {"write", PolicyKind::kWrite},
      {"operate", PolicyKind::kWrite},      {"remove", PolicyKind::kWrite},
      {"apply", PolicyKind::kWrite},        {"batch", PolicyKind::kBatch},
      {"info", PolicyKind::kInfo},          {"admin", PolicyKind::kInfo},
      {"meta", PolicyKind::kMeta},          {"batch_read", PolicyKind::kBatchRead},
      {"batch_write", PolicyKind::kBatchWrite}, {"batch_remove", PolicyKind::kBatchDelete},
      {"batch_apply", PolicyKind::kBatchUdf},   {"batch_remove_meta", PolicyKind::kDeleteMeta},
      {"query", PolicyKind::kQuery},        {"scan", PolicyKind::kScan},
  };
  if (kind == "client_config") {
    client::ClientConfig config;
    ClientPolicies policies;
    if (!ParseClientConfig(st, dict, &config, &policies)) return nullptr;
    Py_RETURN_NONE;
  }
  for (const auto& k : kinds) {
    if (kind == k.name) {
      OpPolicy p;
      if (!ApplyPolicyDict(st, dict, k.kind, "policy", &p)) return nullptr;
      Py_RETURN_NONE;
    }
  }
  PyErr_Format(PyExc_ValueError, "unknown policy kind %s", kind_name);
  return nullptr;
}

// _encode_ops(ops) -> (bytes, n_ops, has_read, has_write, shapes): the ops
// of an operate() call as they would be sent.
PyObject* EncodeOpsImpl(PyObject* module, PyObject* ops) {
  EncodedOps enc;
  if (!EncodeOperations(StateOf(module), ops, &enc)) return nullptr;
  const char* data = enc.bytes.empty() ? "" : reinterpret_cast<const char*>(enc.bytes.data());
  return Py_BuildValue("(y#iOOy#)", data, static_cast<Py_ssize_t>(enc.bytes.size()),
                       static_cast<int>(enc.count), enc.has_read ? Py_True : Py_False,
                       enc.has_write ? Py_True : Py_False, enc.shapes.data(),
                       static_cast<Py_ssize_t>(enc.shapes.size()));
}

}  // namespace

PyMethodDef kDebugCodecMethods[] = {
    {"_encode_ops", EncodeOpsImpl, METH_O,
     "_encode_ops(ops) -> (bytes, n_ops, has_read, has_write, shapes): operate() ops (tests)."},
    {"_encode_value", EncodeValueImpl, METH_O,
     "_encode_value(value) -> (particle_type, bytes): a bin value as written (tests)."},
    {"_decode_value", DecodeValueImpl, METH_VARARGS,
     "_decode_value(particle_type, data) -> value: a bin value as read (tests)."},
    {"_parse_key", ParseKeyImpl, METH_O,
     "_parse_key(key) -> (ns, set, key_type, key_bytes, digest) (tests)."},
    {"_check_policy", CheckPolicyImpl, METH_VARARGS,
     "_check_policy(kind, dict): validates a policy/meta/config dict (tests)."},
    {nullptr, nullptr, 0, nullptr},
};

}  // namespace aerospike_py::python
