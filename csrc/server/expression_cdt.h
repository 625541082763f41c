// The expression evaluator's door into the CDT engine (csrc/server/cdt/):
// running a call's list/map/bit/HLL operation on a bin value, Aerospike's
// ordering of msgpack values for comparisons and in_list, and the keys or
// values of a map. Used by expression_eval.cc only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "server/expression_node.h"

namespace aerospike_py::server::exp {

// A bin value a call operates on: its particle type (0: no bin) and bytes.
struct CallBin {
  uint8_t type = 0;
  std::string value;
};

// Runs `payload` (the operation's msgpack with the evaluated arguments in
// place) on `bin`. `system`: 0 CDT, 1 bits, 2 HLL, with 0x40 for a modify
// of the local copy. On success `*result` holds the particle the call
// yields (the read's answer, or the modified bin); false: the call failed
// and the expression's value is unknown.
bool RunCall(uint8_t system, std::string_view payload, CallBin bin, CallBin* result);

// msgpack_cmp: <0, 0, >0; false when the values cannot be compared (a
// malformed value, or an unordered map inside either: the server answers
// unknown then).
bool CompareMsgpack(std::string_view a, std::string_view b, bool check_unordered, int* cmp);

// The keys (or values) of a packed map, as a packed list; false when `map`
// is not a map.
bool MapKeysOrValues(std::string_view map, bool values, std::string* list);

}  // namespace aerospike_py::server::exp
