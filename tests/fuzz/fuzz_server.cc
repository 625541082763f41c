// libFuzzer target: the embedded server's request path (see checks.h and
// README.md).
#include <cstdio>
#include <cstdlib>

#include "checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string failure =
      aerospike_py::fuzz::CheckServerRequest(aerospike_py::ByteSpan(data, size));
  if (!failure.empty()) {
    std::fprintf(stderr, "invariant violated: %s\n", failure.c_str());
    std::abort();
  }
  return 0;
}
