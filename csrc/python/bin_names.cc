#include "python/bin_names.h"

#include <cstdint>
#include <cstring>

namespace aerospike_py::python {

PyObject* BinNameCache::Get(const char* data, size_t len) {
  if (len > kMaxCachedLen) {
    return PyUnicode_DecodeUTF8(data, static_cast<Py_ssize_t>(len), nullptr);
  }
  // FNV-1a, also checking that every byte is ASCII (only then is the
  // cached str's 1-byte data comparable to the wire bytes).
  uint32_t h = 2166136261u;
  unsigned char high = 0;
  for (size_t i = 0; i < len; ++i) {
    const unsigned char c = static_cast<unsigned char>(data[i]);
    high |= c;
    h = (h ^ c) * 16777619u;
  }
  if (high & 0x80) {
    return PyUnicode_DecodeUTF8(data, static_cast<Py_ssize_t>(len), nullptr);
  }
  PyObject*& slot = slots_[h & (kSlots - 1)];
  if (slot != nullptr && static_cast<size_t>(PyUnicode_GET_LENGTH(slot)) == len &&
      std::memcmp(PyUnicode_1BYTE_DATA(slot), data, len) == 0) {
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
}

int BinNameCache::Traverse(visitproc visit, void* arg) {
  // Plain str objects cannot form cycles; nothing to visit. Kept so the
  // module's traverse documents that the cache was considered.
  (void)visit;
  (void)arg;
  return 0;
}

}  // namespace aerospike_py::python
