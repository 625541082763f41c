#include "python/str_cache.h"

namespace aerospike_py::python {

using str_cache_internal::HashAscii;
using str_cache_internal::SameBytes;

PyObject* BinNameCache::Get(const char* data, size_t len) {
  if (len > kMaxCachedLen) {
    return PyUnicode_DecodeUTF8(data, static_cast<Py_ssize_t>(len), nullptr);
  }
  bool ascii = false;
  const uint64_t h = HashAscii(data, len, &ascii);
  if (!ascii) return PyUnicode_DecodeUTF8(data, static_cast<Py_ssize_t>(len), nullptr);
  PyObject*& slot = slots_[h & (kSlots - 1)];
  if (slot != nullptr && static_cast<size_t>(PyUnicode_GET_LENGTH(slot)) == len &&
      SameBytes(PyUnicode_1BYTE_DATA(slot), data, len)) {
    Py_INCREF(slot);
    return slot;
  }
  PyObject* s = PyUnicode_FromStringAndSize(data, static_cast<Py_ssize_t>(len));
  if (s == nullptr) return nullptr;
  // Pre-compute the hash once; every dict insert of this name reuses it.
  if (PyObject_Hash(s) == -1) {
    Py_DECREF(s);
    return nullptr;
  }
  Py_XSETREF(slot, s);
  Py_INCREF(s);
  return s;
}

void BinNameCache::Clear() {
  for (PyObject*& slot : slots_) Py_CLEAR(slot);
  for (PyObject*& hint : hints_) Py_CLEAR(hint);
}

PyObject* ShortStrCache::Get(const char* data, size_t len) {
  if (len > kMaxLen || len == 0) {
    return PyUnicode_DecodeUTF8(data, static_cast<Py_ssize_t>(len), nullptr);
  }
  if (bypass_ > 0) {  // counts only the values the cache could have held
    --bypass_;
    return PyUnicode_DecodeUTF8(data, static_cast<Py_ssize_t>(len), nullptr);
  }
  bool ascii = false;
  const uint64_t h = HashAscii(data, len, &ascii);
  if (!ascii) return PyUnicode_DecodeUTF8(data, static_cast<Py_ssize_t>(len), nullptr);
  if (++lookups_ == kWindow) {
    if (window_hits_ < kMinHits) bypass_ = kStandAside;
    lookups_ = 0;
    window_hits_ = 0;
  }
  PyObject*& slot = slots_[h & (kSlots - 1)];
  if (slot != nullptr && static_cast<size_t>(PyUnicode_GET_LENGTH(slot)) == len &&
      SameBytes(PyUnicode_1BYTE_DATA(slot), data, len)) {
    ++window_hits_;
    Py_INCREF(slot);
    return slot;
  }
  PyObject* s = PyUnicode_FromStringAndSize(data, static_cast<Py_ssize_t>(len));
  if (s == nullptr) return nullptr;
  Py_XSETREF(slot, Py_NewRef(s));
  return s;
}

void ShortStrCache::Clear() {
  for (PyObject*& slot : slots_) Py_CLEAR(slot);
}

}  // namespace aerospike_py::python
