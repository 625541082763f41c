#include "python/keys.h"

#include <cstring>

#include "common/byte_order.h"
#include "proto/constants.h"
#include "python/errors.h"
#include "python/results.h"

namespace aerospike_py::python {
namespace {

bool ReadUtf8(ModuleState* st, PyObject* obj, size_t max_len, bool allow_empty,
              const char* what, const char* field, std::string* out) {
  if (!PyUnicode_Check(obj)) {
    RaiseInvalidArg(st, "%s: %s must be str, not %.100s", what, field, Py_TYPE(obj)->tp_name);
    return false;
  }
  Py_ssize_t len = 0;
  const char* data = PyUnicode_AsUTF8AndSize(obj, &len);
  if (data == nullptr) {
    ConvertPendingToInvalidArg(st, what);
    return false;
  }
  if (len == 0 && !allow_empty) {
    RaiseInvalidArg(st, "%s: %s must not be empty", what, field);
    return false;
  }
  if (static_cast<size_t>(len) > max_len) {
    RaiseInvalidArg(st, "%s: %s is %zd bytes, the limit is %zu", what, field, len, max_len);
    return false;
  }
  out->assign(data, static_cast<size_t>(len));
  return true;
}

}  // namespace

bool ParseNamespace(ModuleState* st, PyObject* obj, const char* what, std::string* out) {
  return ReadUtf8(st, obj, proto::kMaxNamespaceLen, false, what, "namespace", out);
}

bool ParseSetName(ModuleState* st, PyObject* obj, const char* what, std::string* out) {
  if (obj == Py_None) {
    out->clear();
    return true;
  }
  return ReadUtf8(st, obj, proto::kMaxSetLen, true, what, "set", out);
}

bool ParseKey(ModuleState* st, PyObject* key, const char* what, client::RecordKey* out) {
  if (!PyTuple_Check(key)) {
    RaiseInvalidArg(st, "%s must be a tuple (namespace, set, primary_key), not %.100s", what,
                    Py_TYPE(key)->tp_name);
    return false;
  }
  const Py_ssize_t n = PyTuple_GET_SIZE(key);
  if (n != 3 && n != 4) {
    RaiseInvalidArg(st,
                    "%s must be (namespace, set, primary_key) or "
                    "(namespace, set, None, digest), got a tuple of %zd items",
                    what, n);
    return false;
  }
  if (!ParseNamespace(st, PyTuple_GET_ITEM(key, 0), what, &out->ns)) return false;
  if (!ParseSetName(st, PyTuple_GET_ITEM(key, 1), what, &out->set)) return false;

  out->has_digest = false;
  PyObject* digest = n == 4 ? PyTuple_GET_ITEM(key, 3) : Py_None;
  if (digest != Py_None) {
    char* data;
    Py_ssize_t len;
    if (PyBytes_Check(digest)) {
      data = PyBytes_AS_STRING(digest);
      len = PyBytes_GET_SIZE(digest);
    } else if (PyByteArray_Check(digest)) {
      data = PyByteArray_AS_STRING(digest);
      len = PyByteArray_GET_SIZE(digest);
    } else {
      RaiseInvalidArg(st, "%s: digest must be 20 bytes, not %.100s", what,
                      Py_TYPE(digest)->tp_name);
      return false;
    }
    if (len != static_cast<Py_ssize_t>(proto::kDigestSize)) {
      RaiseInvalidArg(st, "%s: digest must be 20 bytes, got %zd", what, len);
      return false;
    }
    std::memcpy(out->digest.data(), data, proto::kDigestSize);
    out->has_digest = true;
  }

  PyObject* pk = PyTuple_GET_ITEM(key, 2);
  if (pk == Py_None) {
    if (!out->has_digest) {
      RaiseInvalidArg(st, "%s: primary_key is None and no digest was given", what);
      return false;
    }
    out->key_type = proto::ParticleType::kNull;
    out->key_bytes.clear();
    return true;
  }
  if (PyLong_Check(pk)) {
    if (PyBool_Check(pk)) {
      RaiseInvalidArg(st, "%s: primary_key must be int, str, bytes or bytearray, not bool", what);
      return false;
    }
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(pk, &overflow);
    if (overflow != 0) {
      RaiseInvalidArg(st, "%s: integer primary_key does not fit in 64 bits", what);
      return false;
    }
    if (v == -1 && PyErr_Occurred()) return false;
    out->key_type = proto::ParticleType::kInteger;
    out->key_bytes.resize(8);
    StoreBE64(reinterpret_cast<uint8_t*>(out->key_bytes.data()), static_cast<uint64_t>(v));
    return true;
  }
  if (PyUnicode_Check(pk)) {
    Py_ssize_t len = 0;
    const char* data = PyUnicode_AsUTF8AndSize(pk, &len);
    if (data == nullptr) {
      ConvertPendingToInvalidArg(st, what);
      return false;
    }
    out->key_type = proto::ParticleType::kString;
    out->key_bytes.assign(data, static_cast<size_t>(len));
    return true;
  }
  if (PyBytes_Check(pk)) {
    out->key_type = proto::ParticleType::kBlob;
    out->key_bytes.assign(PyBytes_AS_STRING(pk), static_cast<size_t>(PyBytes_GET_SIZE(pk)));
    if (!out->has_digest) {
      // aerospike-py and the official Python client hash bytes keys as
      // strings; matching them keeps their records reachable.
      out->digest = proto::ComputeDigest(out->set, proto::ParticleType::kString,
                                         AsBytes(out->key_bytes));
      out->has_digest = true;
    }
    return true;
  }
  if (PyByteArray_Check(pk)) {
    out->key_type = proto::ParticleType::kBlob;
    out->key_bytes.assign(PyByteArray_AS_STRING(pk),
                          static_cast<size_t>(PyByteArray_GET_SIZE(pk)));
    return true;
  }
  RaiseInvalidArg(st, "%s: primary_key must be int, str, bytes or bytearray, not %.100s", what,
                  Py_TYPE(pk)->tp_name);
  return false;
}

const proto::Digest& EnsureDigest(client::RecordKey* key) {
  if (!key->has_digest) {
    key->digest = proto::ComputeDigest(key->set, key->key_type, AsBytes(key->key_bytes));
    key->has_digest = true;
  }
  return key->digest;
}

PyObject* NewKeyTuple(ModuleState* st, PyObject* user_key, const proto::Digest& digest) {
  PyTypeObject* type = reinterpret_cast<PyTypeObject*>(st->key_type);
  PyObject* t = type->tp_alloc(type, 4);
  if (t == nullptr) return nullptr;
  PyObject* d = PyBytes_FromStringAndSize(reinterpret_cast<const char*>(digest.data()),
                                          proto::kDigestSize);
  if (d == nullptr) {
    Py_DECREF(t);
    return nullptr;
  }
  for (Py_ssize_t i = 0; i < 3; ++i) {
    PyObject* item = PyTuple_GET_ITEM(user_key, i);
    Py_INCREF(item);
    PyTuple_SET_ITEM(t, i, item);
  }
  PyTuple_SET_ITEM(t, 3, d);
  UntrackIfAtomic(t);
  return t;
}

}  // namespace aerospike_py::python
