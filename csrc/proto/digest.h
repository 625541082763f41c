// Record digests and partition ids (§5, §2.3): RIPEMD-160 over
// set name ‖ key particle type ‖ key bytes; the namespace is not hashed.
// Our own RIPEMD-160 (digest.cc): a batch of keys is hashed several keys at
// a time in SIMD lanes (8 with AVX2, else 4), which is where a batch's
// event-thread time went with a one-key-at-a-time library hash.
// Thread-safe and allocation-free, so digests can be computed off the GIL.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "absl/types/span.h"
#include "common/byte_buffer.h"
#include "proto/constants.h"

namespace aerospike_py::proto {

using Digest = std::array<uint8_t, kDigestSize>;

Digest ComputeDigest(std::string_view set, ParticleType key_type,
                     ByteSpan key_bytes);
Digest ComputeDigest(std::string_view set, int64_t int_key);
Digest ComputeDigest(std::string_view set, std::string_view string_key);

// One digest of a batch: the same inputs as ComputeDigest, and where the
// result goes.
struct DigestRequest {
  std::string_view set;
  ParticleType key_type = ParticleType::kNull;
  ByteSpan key_bytes;
  Digest* out = nullptr;
};

// The digests of many keys at once; the same results as ComputeDigest for
// each, several times faster for short keys.
void ComputeDigests(absl::Span<const DigestRequest> requests);

// Plain RIPEMD-160 of `data` (for tests against the reference vectors).
Digest Ripemd160(ByteSpan data);

inline uint32_t PartitionId(const uint8_t* digest) {
  return (uint32_t{digest[0]} | (uint32_t{digest[1]} << 8)) & (kPartitions - 1);
}
inline uint32_t PartitionId(const Digest& digest) {
  return PartitionId(digest.data());
}

}  // namespace aerospike_py::proto
