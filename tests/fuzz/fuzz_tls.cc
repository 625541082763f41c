// libFuzzer target: TLS records after the handshake (see checks.h and README.md).
#include "checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return aerospike_py::fuzz::AbortOnFailure(
      aerospike_py::fuzz::CheckTlsRecords(aerospike_py::ByteSpan(data, size)));
}
