// libFuzzer target: the embedded server's request path (see checks.h and
// README.md).
#include "checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return aerospike_py::fuzz::AbortOnFailure(
      aerospike_py::fuzz::CheckServerRequest(aerospike_py::ByteSpan(data, size)));
}
