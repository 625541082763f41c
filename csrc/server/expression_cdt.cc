#include "server/expression_cdt.h"

// Placeholder until the CDT engine (csrc/server/cdt/, branch cdt-server) is
// merged: calls answer "unknown" and collections compare by bytes only.
// Replaced by the engine-backed implementation after the merge.

namespace aerospike_py::server::exp {

bool RunCall(uint8_t, std::string_view, CallBin, CallBin*) { return false; }

bool CompareMsgpack(std::string_view a, std::string_view b, bool, int* cmp) {
  *cmp = a == b ? 0 : (a < b ? -1 : 1);
  return true;
}

bool MapKeysOrValues(std::string_view, bool, std::string*) { return false; }

}  // namespace aerospike_py::server::exp
