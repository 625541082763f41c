// RecordMetadata objects, shared while they repeat. They are immutable, and
// records read together mostly share their generation and TTL (a bulk load,
// "never expires"), so the module keeps the last one it made and hands it
// out again while both match: a record then costs no metadata tuple and no
// TTL int of its own (and the cyclic GC counts two allocations fewer).
// Sharing is invisible but to `is`. Loop thread only (GIL).
#pragma once

#include <cstdint>

#include "python/py_ref.h"

namespace aerospike_py::python {

struct ModuleState;

class MetaCache {
 public:
  // RecordMetadata(generation, ttl), ttl already converted from the server's
  // void time (proto::TtlFromVoidTime). New reference; null with an
  // exception set.
  PyObject* Get(ModuleState* st, uint32_t generation, uint32_t ttl);
  void Clear() { last_ = Ref(); }

 private:
  Ref last_;
  uint32_t generation_ = 0;
  uint32_t ttl_ = 0;
};

}  // namespace aerospike_py::python
