// Map operations (op codes 64..127) over one packed map: puts with order
// attributes and write flags, increments, clear, set type, and the
// get/remove-by key, index (key order), value, rank (value order), key and
// value lists, intervals and relative ranges with every return type.
// Semantics follow the real server's particle_map.c. Used by the engine.
#pragma once

#include <string>

#include "server/cdt/op_state.h"

namespace aerospike_py::server::cdt {

bool IsMapOp(uint32_t op, bool* modifies);

// As ApplyListOp, for maps.
uint8_t ApplyMapOp(const OpArgs& args, bool modify, const Bytes* current, std::string* updated,
                   bool* changed, CdtResult* result);

}  // namespace aerospike_py::server::cdt
