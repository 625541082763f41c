// BinNameCache: a direct-mapped cache of the str objects used for bin names
// (msgspec's string cache, sized for Aerospike's 15-byte names). Records of
// one set repeat the same few names thousands of times; reusing one str per
// name skips the UTF-8 decode, the allocation and the hash computation
// (a str caches its hash) on every bin of every record. Only short ASCII
// names are cached; anything else is decoded fresh. Loop thread only (GIL).
#pragma once

#include "python/py_ref.h"

#include <cstddef>

namespace aerospike_py::python {

class BinNameCache {
 public:
  BinNameCache() = default;
  ~BinNameCache() { Clear(); }
  BinNameCache(const BinNameCache&) = delete;
  BinNameCache& operator=(const BinNameCache&) = delete;

  // A new reference to the str for these UTF-8 bytes; null with an exception
  // set when they are not valid UTF-8.
  PyObject* Get(const char* data, size_t len);
  // The same for the name of the op at `position` in its record: records of
  // one set list the same names in the same order, so the name seen last at
  // that position is checked first, with a byte compare and no hashing.
  PyObject* GetAt(size_t position, const char* data, size_t len) {
    if (position < kHints) {
      PyObject* hint = hints_[position];
      if (hint != nullptr && static_cast<size_t>(PyUnicode_GET_LENGTH(hint)) == len &&
          SameBytes(PyUnicode_1BYTE_DATA(hint), data, len)) {
        Py_INCREF(hint);
        return hint;
      }
      PyObject* name = Get(data, len);
      if (name != nullptr && PyUnicode_IS_COMPACT_ASCII(name)) {
        Py_XSETREF(hints_[position], Py_NewRef(name));
      }
      return name;
    }
    return Get(data, len);
  }
  void Clear();
  int Traverse(visitproc visit, void* arg);

 private:
  // Names are short: a loop beats a call to memcmp.
  static bool SameBytes(const Py_UCS1* a, const char* b, size_t len) {
    for (size_t i = 0; i < len; ++i) {
      if (a[i] != static_cast<unsigned char>(b[i])) return false;
    }
    return true;
  }
  static constexpr size_t kSlots = 1024;
  static constexpr size_t kMaxCachedLen = 32;
  static constexpr size_t kHints = 64;
  PyObject* slots_[kSlots] = {};
  PyObject* hints_[kHints] = {};  // strong references, ASCII names only
};

}  // namespace aerospike_py::python
