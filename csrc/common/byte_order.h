// Fixed-width integer loads and stores in big- and little-endian order.
// The wire protocol is big-endian except a few fields (partition id arrays,
// bval arrays, transaction ids); these helpers keep every caller free of
// casts and alignment assumptions. Used by every room.
#pragma once

#include <cstdint>
#include <cstring>

namespace aerospike_py {

inline uint16_t LoadBE16(const uint8_t* p) {
  return static_cast<uint16_t>((uint16_t{p[0]} << 8) | p[1]);
}
inline uint32_t LoadBE32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return __builtin_bswap32(v);
}
inline uint64_t LoadBE64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}
inline uint64_t LoadBE48(const uint8_t* p) {
  return (uint64_t{LoadBE16(p)} << 32) | LoadBE32(p + 2);
}
inline uint16_t LoadLE16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | (uint16_t{p[1]} << 8));
}
inline uint32_t LoadLE32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t LoadLE64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline void StoreBE16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void StoreBE32(uint8_t* p, uint32_t v) {
  v = __builtin_bswap32(v);
  std::memcpy(p, &v, 4);
}
inline void StoreBE64(uint8_t* p, uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}
inline void StoreBE48(uint8_t* p, uint64_t v) {
  StoreBE16(p, static_cast<uint16_t>(v >> 32));
  StoreBE32(p + 2, static_cast<uint32_t>(v));
}
inline void StoreLE16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
inline void StoreLE32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }
inline void StoreLE64(uint8_t* p, uint64_t v) { std::memcpy(p, &v, 8); }

inline uint64_t DoubleBits(double d) {
  uint64_t v;
  std::memcpy(&v, &d, 8);
  return v;
}
inline double BitsToDouble(uint64_t v) {
  double d;
  std::memcpy(&d, &v, 8);
  return d;
}

}  // namespace aerospike_py
