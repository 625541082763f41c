// How the real server shows an index's context and expression in
// `sindex-list` (without b64=true): the context as
// `[map_key(<string#1>), list_index(0)]` (cdt_msgpack_ctx_to_dynbuf), the
// expression as `add(bin_int("n"), 100)` (as_exp_display). Both are
// written from the wire bytes the index was created with.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace aerospike_py::server::sindex {

// The context's display; a malformed context shows the server's error marks.
std::string DisplayContext(std::string_view ctx);

// The expression's display, or nullopt for what is not modelled (calls:
// CDT, bit and HLL operations).
std::optional<std::string> DisplayExpression(std::string_view exp);

}  // namespace aerospike_py::server::sindex
