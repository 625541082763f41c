// The 64-bit values ("bvals") a secondary index orders its entries by, as
// the real server computes them: integers as themselves, strings and blobs
// as a 64-bit hash of their bytes (a wyhash variant with a fixed seed, so
// bvals match the server's bit for bit: they travel to clients in the BVAL
// field of query answers and come back in resume requests), GeoJSON points
// as their leaf S2 cell id (compared unsigned). Used by the sindex room.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace aerospike_py::server::sindex {

// The bval of a string or blob index key.
int64_t HashBval(std::string_view bytes);

}  // namespace aerospike_py::server::sindex
