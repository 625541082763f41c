// Record digests and partition ids (§5, §2.3): RIPEMD-160 over
// set name ‖ key particle type ‖ key bytes; the namespace is not hashed.
// Thread-safe and allocation-free, so digests can be computed off the GIL.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "common/byte_buffer.h"
#include "proto/constants.h"

namespace aerospike_py::proto {

using Digest = std::array<uint8_t, kDigestSize>;

Digest ComputeDigest(std::string_view set, ParticleType key_type,
                     ByteSpan key_bytes);
Digest ComputeDigest(std::string_view set, int64_t int_key);
Digest ComputeDigest(std::string_view set, std::string_view string_key);

inline uint32_t PartitionId(const uint8_t* digest) {
  return (uint32_t{digest[0]} | (uint32_t{digest[1]} << 8)) & (kPartitions - 1);
}
inline uint32_t PartitionId(const Digest& digest) {
  return PartitionId(digest.data());
}

}  // namespace aerospike_py::proto
