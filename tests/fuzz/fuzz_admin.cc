// libFuzzer target: the admin reply parsers (see checks.h and README.md).
#include "checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return aerospike_py::fuzz::AbortOnFailure(
      aerospike_py::fuzz::CheckAdminReply(aerospike_py::ByteSpan(data, size)));
}
