// The processor's door into the CDT engine (csrc/server/cdt/): which wire
// ops are list/map (3/4), bit (12/13) and HLL (15/16) operations, and
// running one of them over a stored bin. Used by processor.cc only.
#pragma once

#include <cstdint>

#include <string>
#include <string_view>

#include "common/byte_buffer.h"
#include "server/cdt/container.h"
#include "server/cdt/engine.h"
#include "server/cdt/msgpack_element.h"

namespace aerospike_py::server {

// True for CDT/bit/HLL wire ops; `*reads` tells the read ones (3, 12, 15).
inline bool IsCollectionOp(uint8_t op, bool* reads) {
  switch (op) {
    case 3: case 12: case 15: *reads = true; return true;
    case 4: case 13: case 16: *reads = false; return true;
    default: return false;
  }
}

// Runs one collection op on `bin` (changed in place by modify ops).
inline uint8_t RunCollectionOp(uint8_t op, ByteSpan value, cdt::BinValue* bin,
                               cdt::OpReply* reply, bool* changed) {
  const std::string_view v(reinterpret_cast<const char*>(value.data()), value.size());
  switch (op) {
    case 3: case 4: return cdt::ApplyCdt(op == 4, v, bin, reply, changed);
    case 12: case 13: return cdt::ApplyBits(op == 13, v, bin, reply, changed);
    default: return cdt::ApplyHll(op == 16, v, bin, reply, changed);
  }
}

// What the server stores for a list (`want_map` false) or map bin a client
// writes: the engine's rewrite of an untrusted value (the one owner of the
// storage and ordering rules). False when the server refuses the value.
inline bool RewriteStoredCollection(ByteSpan value, bool want_map, std::string* out) {
  const std::string_view v(reinterpret_cast<const char*>(value.data()), value.size());
  cdt::Header h;
  if (!cdt::ReadHeader(v, &h) || h.type != (want_map ? cdt::MpType::kMap : cdt::MpType::kList)) {
    return false;
  }
  out->clear();
  return cdt::RewriteUntrusted(v, out);
}

}  // namespace aerospike_py::server
