// What the real server stores for a list or map bin a client writes: its
// rewrite of an untrusted msgpack value (aerospike-server
// cdt_untrusted_rewrite(), as_src/base/cdt.c). Integers, strings, bins and
// container headers take their compact encodings; every map, at any depth,
// is sorted by key (duplicate keys and keys that are not an integer, a
// string or a blob are refused); a key-ordered map or an ordered list that
// is not in order is refused; order-flag markers keep only the flags the
// server keeps (a marker left with no flag disappears); comparison-only
// values (wildcard, infinity) and trailing bytes are refused.
//
// The order of values is the server's msgpack_cmp(): nil < false < true <
// negative int < int < string < list < map < bytes < double < GeoJSON <
// ext. Used by the processor's write path; no state, any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace aerospike_py::server {

// Rewrites a whole list (`want_map` false) or map bin value into `out`.
// False when the server refuses the value (it answers the write with
// PARAMETER).
bool RewriteStoredCollection(std::string_view in, bool want_map, std::string* out);

// Three-way comparison of two whole msgpack elements in the server's
// order: <0, 0, >0. Malformed input compares equal.
int CompareMsgpack(std::string_view a, std::string_view b);

}  // namespace aerospike_py::server
