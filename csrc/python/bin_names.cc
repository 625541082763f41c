#include "python/bin_names.h"

#include <cstdint>
#include <cstring>

namespace aerospike_py::python {

PyObject* BinNameCache::Get(const char* data, size_t len) {
  if (len > kMaxCachedLen) {
    return PyUnicode_DecodeUTF8(data, static_cast<Py_ssize_t>(len), nullptr);
  }
  // Eight bytes at a time (names are at most 15 bytes on the server): a
  // multiplicative hash of the words, and the OR of every byte to check
  // that all are ASCII (only then is the cached str's 1-byte data
  // comparable to the wire bytes).
  uint64_t h = len * 0x9E3779B97F4A7C15ull;
  uint64_t high = 0;
  for (size_t i = 0; i < len; i += 8) {
    uint64_t word = 0;
    if (len - i >= 8) {
      std::memcpy(&word, data + i, 8);
    } else {
      for (size_t j = 0; j < len - i; ++j) {
        word |= uint64_t{static_cast<unsigned char>(data[i + j])} << (8 * j);
      }
    }
    high |= word;
    h = (h ^ word) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
  }
  if (high & 0x8080808080808080ull) {
    return PyUnicode_DecodeUTF8(data, static_cast<Py_ssize_t>(len), nullptr);
  }
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

int BinNameCache::Traverse(visitproc visit, void* arg) {
  // Plain str objects cannot form cycles; nothing to visit. Kept so the
  // module's traverse documents that the cache was considered.
  (void)visit;
  (void)arg;
  return 0;
}

}  // namespace aerospike_py::python
