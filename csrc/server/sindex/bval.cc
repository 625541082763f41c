#include "server/sindex/bval.h"

#include <cstring>

namespace aerospike_py::server::sindex {
namespace {

// The four constants and the seed of the server's string hash (wyhash,
// "final version 3" shape, seed not premixed).
constexpr uint64_t kSecret0 = 0xa0761d6478bd642full;
constexpr uint64_t kSecret1 = 0xe7037ed1a0b428dbull;
constexpr uint64_t kSecret2 = 0x8ebc6af09c88c6e3ull;
constexpr uint64_t kSecret3 = 0x589965cc75374cc3ull;
constexpr uint64_t kSeed = 0x29FBB14cc886full ^ kSecret0;

// 64x64 -> 128 multiply, folded: low xor high.
uint64_t Mix(uint64_t a, uint64_t b) {
  const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

uint64_t Read64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);  // little-endian hosts only (x86-64, arm64)
  return v;
}

uint64_t Read32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// 1..3 bytes: first, middle and last byte.
uint64_t Read3(const uint8_t* p, size_t k) {
  return (uint64_t{p[0]} << 16) | (uint64_t{p[k >> 1]} << 8) | p[k - 1];
}

}  // namespace

int64_t HashBval(std::string_view bytes) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t len = bytes.size();
  uint64_t seed = kSeed;
  uint64_t a = 0, b = 0;
  if (len <= 16) {
    if (len >= 4) {
      const size_t shift = (len >> 3) << 2;
      a = (Read32(p) << 32) | Read32(p + shift);
      b = (Read32(p + len - 4) << 32) | Read32(p + len - 4 - shift);
    } else if (len > 0) {
      a = Read3(p, len);
    }
  } else {
    size_t i = len;
    if (i > 48) {
      uint64_t see1 = seed, see2 = seed;
      do {
        seed = Mix(Read64(p) ^ kSecret1, Read64(p + 8) ^ seed);
        see1 = Mix(Read64(p + 16) ^ kSecret2, Read64(p + 24) ^ see1);
        see2 = Mix(Read64(p + 32) ^ kSecret3, Read64(p + 40) ^ see2);
        p += 48;
        i -= 48;
      } while (i > 48);
      seed ^= see1 ^ see2;
    }
    while (i > 16) {
      seed = Mix(Read64(p) ^ kSecret1, Read64(p + 8) ^ seed);
      i -= 16;
      p += 16;
    }
    a = Read64(p + i - 16);
    b = Read64(p + i - 8);
  }
  return static_cast<int64_t>(Mix(kSecret1 ^ len, Mix(a ^ kSecret1, b ^ seed)));
}

}  // namespace aerospike_py::server::sindex
