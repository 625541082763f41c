// List operations (op codes 0..63) over one packed list: the modify ops
// (append, insert, set, increment, pop, remove, trim, clear, sort, set
// type) and the get/remove-by index, value, rank, value list and relative
// rank selections with every return type. Semantics, errors and result
// order follow the real server's particle_list.c. Used by the engine.
#pragma once

#include <string>

#include "server/cdt/op_state.h"

namespace aerospike_py::server::cdt {

// True for list op codes the server knows, and whether they modify.
bool IsListOp(uint32_t op, bool* modifies);

// Applies one list op. `current`: the list's bytes, or nullptr when there
// is none yet (a modify op then creates it). On success with `*changed`,
// `*updated` holds the new list.
uint8_t ApplyListOp(const OpArgs& args, bool modify, const Bytes* current, std::string* updated,
                    bool* changed, CdtResult* result);

}  // namespace aerospike_py::server::cdt
