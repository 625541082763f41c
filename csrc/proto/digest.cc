// OpenSSL 3 deprecates the one-shot RIPEMD160_* functions in favour of EVP,
// whose provider lookup costs far more than the hash of a short key. The
// low-level functions remain available in libcrypto, so we keep them.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "proto/digest.h"

#include <openssl/ripemd.h>

#include "common/byte_order.h"

namespace aerospike_py::proto {

Digest ComputeDigest(std::string_view set, ParticleType key_type,
                     ByteSpan key_bytes) {
  RIPEMD160_CTX ctx;
  RIPEMD160_Init(&ctx);
  if (!set.empty()) RIPEMD160_Update(&ctx, set.data(), set.size());
  const uint8_t type_byte = static_cast<uint8_t>(key_type);
  RIPEMD160_Update(&ctx, &type_byte, 1);
  if (!key_bytes.empty()) RIPEMD160_Update(&ctx, key_bytes.data(), key_bytes.size());
  Digest out;
  RIPEMD160_Final(out.data(), &ctx);
  return out;
}

Digest ComputeDigest(std::string_view set, int64_t int_key) {
  uint8_t be[8];
  StoreBE64(be, static_cast<uint64_t>(int_key));
  return ComputeDigest(set, ParticleType::kInteger, ByteSpan(be, 8));
}

Digest ComputeDigest(std::string_view set, std::string_view string_key) {
  return ComputeDigest(set, ParticleType::kString, AsBytes(string_key));
}

}  // namespace aerospike_py::proto
