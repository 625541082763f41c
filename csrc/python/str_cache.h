// Caches of the str objects a batch read creates over and over: bin names
// (msgspec's string cache, sized for Aerospike's 15-byte names) and short
// string values (categorical features: "us", "ios", "gold"). Records of one
// set repeat the same few names thousands of times and often the same few
// short values; reusing one str per name skips the UTF-8 decode, the
// allocation and, for names, the hash computation (a str caches its hash)
// on every bin of every record. Only ASCII is cached, where a str's 1-byte
// data equals the wire bytes; anything else is decoded fresh. The objects
// are immutable, so sharing them is invisible but to `is`. Loop thread only
// (GIL).
#pragma once

#include "python/py_ref.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace aerospike_py::python {

namespace str_cache_internal {

// A hash of short byte strings, eight bytes at a time, and whether every
// byte is ASCII.
inline uint64_t HashAscii(const char* data, size_t len, bool* ascii) {
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
  *ascii = (high & 0x8080808080808080ull) == 0;
  return h;
}

// Names and short values are compared often and are short: a loop beats a
// call to memcmp.
inline bool SameBytes(const Py_UCS1* a, const char* b, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    if (a[i] != static_cast<unsigned char>(b[i])) return false;
  }
  return true;
}

}  // namespace str_cache_internal

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
          str_cache_internal::SameBytes(PyUnicode_1BYTE_DATA(hint), data, len)) {
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

 private:
  static constexpr size_t kSlots = 1024;
  static constexpr size_t kMaxCachedLen = 32;
  static constexpr size_t kHints = 64;
  PyObject* slots_[kSlots] = {};
  PyObject* hints_[kHints] = {};  // strong references, ASCII names only
};

// Short string values. Unlike names, values may never repeat (ids, hashes):
// the cache watches its hit rate and stands aside for a while when too few
// lookups hit, so such data pays one hash per value and nothing more.
class ShortStrCache {
 public:
  static constexpr size_t kMaxLen = 8;

  ShortStrCache() = default;
  ~ShortStrCache() { Clear(); }
  ShortStrCache(const ShortStrCache&) = delete;
  ShortStrCache& operator=(const ShortStrCache&) = delete;

  // A new reference to the str of these UTF-8 bytes; null with an exception
  // set when they are not valid UTF-8 (the caller decides what that means).
  PyObject* Get(const char* data, size_t len);
  void Clear();

 private:
  static constexpr size_t kSlots = 512;
  static constexpr uint32_t kWindow = 4096;      // lookups per hit-rate check
  static constexpr uint32_t kMinHits = kWindow / 8;
  static constexpr uint32_t kStandAside = 16 * kWindow;
  PyObject* slots_[kSlots] = {};
  uint32_t lookups_ = 0;
  uint32_t window_hits_ = 0;
  uint32_t bypass_ = 0;  // lookups left to decode without the cache
};

// The caches a module owns.
struct StrCaches {
  BinNameCache names;
  ShortStrCache values;
  void Clear() {
    names.Clear();
    values.Clear();
  }
};

}  // namespace aerospike_py::python
