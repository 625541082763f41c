// The Lua source of the UDF environment's Lua half (prelude.cc): the
// stream operators, the list/map helpers, logging and the entry points
// apply_record / apply_stream. Loaded by environment.cc into every state.
#pragma once

namespace aerospike_py::lua {

extern const char kPreludeName[];
extern const char kPrelude[];

}  // namespace aerospike_py::lua
