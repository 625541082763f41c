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
  void Clear();
  int Traverse(visitproc visit, void* arg);

 private:
  static constexpr size_t kSlots = 1024;
  static constexpr size_t kMaxCachedLen = 32;
  PyObject* slots_[kSlots] = {};
};

}  // namespace aerospike_py::python
