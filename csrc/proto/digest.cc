// RIPEMD-160 written from its specification (Dobbertin, Bosselaers,
// Preneel, 1996): two parallel lines of five 16-step rounds over a 64-byte
// block, little-endian words, MD4-style padding.
//
// One compression function, written once over a "lane vector" type V, serves
// three ways: V = uint32_t hashes one message (any length); V = a GCC vector
// of 4 or 8 uint32 hashes 4 or 8 single-block messages side by side, one per
// lane. Record digests almost always fit one block (set ≤ 63 bytes, a type
// byte, the key: ≤ 55 bytes in all), so a batch's digests run in lanes: the
// AVX2 build (chosen at run time) does eight keys in about the instructions
// the scalar code needs for two.
#include "proto/digest.h"

#include <cstring>

#include "common/byte_order.h"

// The helpers below take and return 32-byte vectors; they are always
// inlined into the AVX2 function, so no call ever uses the non-AVX ABI GCC
// warns about.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace aerospike_py::proto {
namespace {

#define ASPY_INLINE inline __attribute__((always_inline))

// Message word used by step j, left and right line.
constexpr uint8_t kWordL[80] = {
    0, 1, 2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,  //
    7, 4, 13, 1,  10, 6,  15, 3,  12, 0,  9,  5,  2,  14, 11, 8,   //
    3, 10, 14, 4, 9,  15, 8,  1,  2,  7,  0,  6,  13, 11, 5,  12,  //
    1, 9, 11, 10, 0,  8,  12, 4,  13, 3,  7,  15, 14, 5,  6,  2,   //
    4, 0, 5,  9,  7,  12, 2,  10, 14, 1,  3,  8,  11, 6,  15, 13};
constexpr uint8_t kWordR[80] = {
    5,  14, 7,  0, 9, 2,  11, 4,  13, 6,  15, 8,  1,  10, 3,  12,  //
    6,  11, 3,  7, 0, 13, 5,  10, 14, 15, 8,  12, 4,  9,  1,  2,   //
    15, 5,  1,  3, 7, 14, 6,  9,  11, 8,  12, 2,  10, 0,  4,  13,  //
    8,  6,  4,  1, 3, 11, 15, 0,  5,  12, 2,  13, 9,  7,  10, 14,  //
    12, 15, 10, 4, 1, 5,  8,  7,  6,  2,  13, 14, 0,  3,  9,  11};
// Left rotation of step j.
constexpr uint8_t kRotL[80] = {
    11, 14, 15, 12, 5,  8,  7,  9,  11, 13, 14, 15, 6,  7,  9,  8,   //
    7,  6,  8,  13, 11, 9,  7,  15, 7,  12, 15, 9,  11, 7,  13, 12,  //
    11, 13, 6,  7,  14, 9,  13, 15, 14, 8,  13, 6,  5,  12, 7,  5,   //
    11, 12, 14, 15, 14, 15, 9,  8,  9,  14, 5,  6,  8,  6,  5,  12,  //
    9,  15, 5,  11, 6,  8,  13, 12, 5,  12, 13, 14, 11, 8,  5,  6};
constexpr uint8_t kRotR[80] = {
    8,  9,  9,  11, 13, 15, 15, 5,  7,  7,  8,  11, 14, 14, 12, 6,   //
    9,  13, 15, 7,  12, 8,  9,  11, 7,  7,  12, 7,  6,  15, 13, 11,  //
    9,  7,  15, 11, 8,  6,  6,  14, 12, 13, 5,  14, 13, 13, 7,  5,   //
    15, 5,  8,  11, 14, 14, 6,  14, 6,  9,  12, 9,  12, 5,  15, 8,   //
    8,  5,  12, 9,  12, 5,  14, 6,  8,  13, 6,  5,  15, 13, 11, 11};
// Round constants.
constexpr uint32_t kConstL[5] = {0x00000000, 0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xA953FD4E};
constexpr uint32_t kConstR[5] = {0x50A28BE6, 0x5C4DD124, 0x6D703EF3, 0x7A6D76E9, 0x00000000};
constexpr uint32_t kInit[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};

template <typename V>
ASPY_INLINE V Rotl(const V& x, int n) {
  return (x << n) | (x >> (32 - n));
}

// The boolean function of round R (the right line runs them in reverse).
template <int R, typename V>
ASPY_INLINE V F(const V& x, const V& y, const V& z) {
  if constexpr (R == 0) return x ^ y ^ z;
  if constexpr (R == 1) return (x & y) | (~x & z);
  if constexpr (R == 2) return (x | ~y) ^ z;
  if constexpr (R == 3) return (x & z) | (y & ~z);
  if constexpr (R == 4) return x ^ (y | ~z);
}

template <int R, typename V>
ASPY_INLINE void Round(V s[10], const V x[16]) {
  V& al = s[0]; V& bl = s[1]; V& cl = s[2]; V& dl = s[3]; V& el = s[4];
  V& ar = s[5]; V& br = s[6]; V& cr = s[7]; V& dr = s[8]; V& er = s[9];
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i) {
    const int j = R * 16 + i;
    V t = Rotl(al + F<R>(bl, cl, dl) + x[kWordL[j]] + kConstL[R], kRotL[j]) + el;
    al = el;
    el = dl;
    dl = Rotl(cl, 10);
    cl = bl;
    bl = t;
    t = Rotl(ar + F<4 - R>(br, cr, dr) + x[kWordR[j]] + kConstR[R], kRotR[j]) + er;
    ar = er;
    er = dr;
    dr = Rotl(cr, 10);
    cr = br;
    br = t;
  }
}

// One compression: h (5 words) absorbs the block x (16 words).
template <typename V>
ASPY_INLINE void Compress(V h[5], const V x[16]) {
  V s[10] = {h[0], h[1], h[2], h[3], h[4], h[0], h[1], h[2], h[3], h[4]};
  Round<0>(s, x);
  Round<1>(s, x);
  Round<2>(s, x);
  Round<3>(s, x);
  Round<4>(s, x);
  const V t = h[1] + s[2] + s[8];
  h[1] = h[2] + s[3] + s[9];
  h[2] = h[3] + s[4] + s[5];
  h[3] = h[4] + s[0] + s[6];
  h[4] = h[0] + s[1] + s[7];
  h[0] = t;
}

void CompressBlock(uint32_t h[5], const uint8_t block[64]) {
  uint32_t x[16];
  for (int w = 0; w < 16; ++w) x[w] = LoadLE32(block + 4 * w);
  Compress(h, x);
}

// A streaming hash of one message (any length).
class Hasher {
 public:
  Hasher() { std::memcpy(h_, kInit, sizeof h_); }
  void Update(const uint8_t* p, size_t n) {
    if (n == 0) return;
    total_ += n;
    if (used_ > 0) {
      const size_t take = n < 64 - used_ ? n : 64 - used_;
      std::memcpy(block_ + used_, p, take);
      used_ += take;
      p += take;
      n -= take;
      if (used_ < 64) return;
      CompressBlock(h_, block_);
      used_ = 0;
    }
    for (; n >= 64; p += 64, n -= 64) CompressBlock(h_, p);
    if (n > 0) std::memcpy(block_, p, n);
    used_ = n;
  }
  Digest Final() {
    block_[used_++] = 0x80;
    if (used_ > 56) {
      std::memset(block_ + used_, 0, 64 - used_);
      CompressBlock(h_, block_);
      used_ = 0;
    }
    std::memset(block_ + used_, 0, 56 - used_);
    StoreLE64(block_ + 56, uint64_t{total_} * 8);
    CompressBlock(h_, block_);
    Digest out;
    for (int i = 0; i < 5; ++i) StoreLE32(out.data() + 4 * i, h_[i]);
    return out;
  }

 private:
  uint32_t h_[5];
  uint8_t block_[64];
  size_t used_ = 0;
  uint64_t total_ = 0;
};

Digest HashOne(std::string_view set, ParticleType key_type, ByteSpan key_bytes) {
  Hasher hasher;
  hasher.Update(reinterpret_cast<const uint8_t*>(set.data()), set.size());
  const uint8_t type_byte = static_cast<uint8_t>(key_type);
  hasher.Update(&type_byte, 1);
  hasher.Update(key_bytes.data(), key_bytes.size());
  return hasher.Final();
}

constexpr size_t kMaxOneBlock = 55;  // message bytes that fit one padded block

size_t MessageSize(const DigestRequest& r) { return r.set.size() + 1 + r.key_bytes.size(); }

// The padded single block of a short message, as 16 words.
void PadToWords(const DigestRequest& r, uint32_t words[16]) {
  uint8_t block[64] = {};
  size_t n = r.set.size();
  if (n > 0) std::memcpy(block, r.set.data(), n);
  block[n++] = static_cast<uint8_t>(r.key_type);
  if (!r.key_bytes.empty()) std::memcpy(block + n, r.key_bytes.data(), r.key_bytes.size());
  n += r.key_bytes.size();
  block[n] = 0x80;
  StoreLE64(block + 56, uint64_t{n} * 8);
  for (int w = 0; w < 16; ++w) words[w] = LoadLE32(block + 4 * w);
}

// Hashes up to kLanes single-block messages, one per lane (lanes past
// `count` hash an empty block and are ignored).
template <typename V, int kLanes>
ASPY_INLINE void HashLanes(const DigestRequest* const* reqs, int count) {
  alignas(64) uint32_t words[16][kLanes] = {};
  for (int lane = 0; lane < count; ++lane) {
    uint32_t w[16];
    PadToWords(*reqs[lane], w);
    for (int i = 0; i < 16; ++i) words[i][lane] = w[i];
  }
  V x[16];
  for (int i = 0; i < 16; ++i) std::memcpy(&x[i], words[i], sizeof(V));
  V h[5];
  for (int i = 0; i < 5; ++i) h[i] = V{} + kInit[i];
  Compress(h, x);
  alignas(64) uint32_t out[5][kLanes];
  for (int i = 0; i < 5; ++i) std::memcpy(out[i], &h[i], sizeof(V));
  for (int lane = 0; lane < count; ++lane) {
    uint8_t* d = reqs[lane]->out->data();
    for (int i = 0; i < 5; ++i) StoreLE32(d + 4 * i, out[i][lane]);
  }
}

using LaneFn = void (*)(const DigestRequest* const* reqs, int count);

typedef uint32_t V4 __attribute__((vector_size(16)));
constexpr int kLanes4 = 4;
void HashLanes4(const DigestRequest* const* reqs, int count) { HashLanes<V4, kLanes4>(reqs, count); }

struct LanePlan {
  LaneFn fn;
  int lanes;
};

#if defined(__x86_64__) && defined(__GNUC__)
typedef uint32_t V8 __attribute__((vector_size(32)));
constexpr int kLanes8 = 8;
__attribute__((target("avx2"))) void HashLanes8(const DigestRequest* const* reqs, int count) {
  HashLanes<V8, kLanes8>(reqs, count);
}

LanePlan PickLanes() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) return {&HashLanes8, kLanes8};
  return {&HashLanes4, kLanes4};
}
#else
LanePlan PickLanes() { return {&HashLanes4, kLanes4}; }
#endif

const LanePlan& Lanes() {
  static const LanePlan plan = PickLanes();
  return plan;
}

}  // namespace

Digest ComputeDigest(std::string_view set, ParticleType key_type, ByteSpan key_bytes) {
  return HashOne(set, key_type, key_bytes);
}

Digest ComputeDigest(std::string_view set, int64_t int_key) {
  uint8_t be[8];
  StoreBE64(be, static_cast<uint64_t>(int_key));
  return ComputeDigest(set, ParticleType::kInteger, ByteSpan(be, 8));
}

Digest ComputeDigest(std::string_view set, std::string_view string_key) {
  return ComputeDigest(set, ParticleType::kString, AsBytes(string_key));
}

void ComputeDigests(absl::Span<const DigestRequest> requests) {
  const LanePlan& plan = Lanes();
  constexpr int kMaxLanes = 8;
  const DigestRequest* group[kMaxLanes];
  int filled = 0;
  for (const DigestRequest& r : requests) {
    if (MessageSize(r) > kMaxOneBlock) {
      *r.out = HashOne(r.set, r.key_type, r.key_bytes);
      continue;
    }
    group[filled++] = &r;
    if (filled == plan.lanes) {
      plan.fn(group, filled);
      filled = 0;
    }
  }
  if (filled == 1) {
    *group[0]->out = HashOne(group[0]->set, group[0]->key_type, group[0]->key_bytes);
  } else if (filled > 0) {
    plan.fn(group, filled);
  }
}

Digest Ripemd160(ByteSpan data) {
  Hasher hasher;
  hasher.Update(data.data(), data.size());
  return hasher.Final();
}

}  // namespace aerospike_py::proto
