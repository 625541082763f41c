// HyperLogLog operations (wire ops 15/16) on HLL bins, reproducing the real
// server's particle_hll.c bit for bit: the particle is `flags, index bits,
// minhash bits, cached count (8 bytes, little-endian), registers`; each
// register holds a 6-bit HLL value and n minhash bits, packed big-endian
// across the register area; elements hash with MurmurHash3 x64/128 (seed
// 0) over their compact msgpack bytes; counts use Ertl's improved
// estimator, intersections and similarity HyperMinHash (or inclusion-
// exclusion without minhash bits).
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "server/cdt/container.h"
#include "server/cdt/engine.h"
#include "server/cdt/op_state.h"

namespace aerospike_py::server::cdt {

namespace {

constexpr uint8_t kParticleHll = 18;
constexpr uint8_t kBinExists = 6, kBinNotFound = 17;
constexpr int kHllBits = 6;
constexpr int kHllMaxValue = 1 << kHllBits;
constexpr int kMinIndexBits = 4, kMaxIndexBits = 16, kMinMinhashBits = 4;
constexpr int kMaxMinhashBits = 64 - kHllBits - 7;
constexpr size_t kHeaderSize = 11;  // flags, index bits, minhash bits, cache

enum : uint32_t {
  kInit = 0, kAdd = 1, kUnion = 2, kRefreshCount = 3, kFold = 4,
  kCount = 50, kGetUnion = 51, kUnionCount = 52, kIntersectCount = 53, kSimilarity = 54,
  kDescribe = 55, kMayContain = 56,
};
constexpr uint64_t kCreateOnly = 1, kUpdateOnly = 2, kNoFail = 4, kAllowFold = 8;

bool ValidIndexBits(uint64_t b) { return b >= kMinIndexBits && b <= kMaxIndexBits; }
bool ValidMinhashBits(uint64_t b) { return b == 0 || (b >= kMinMinhashBits && b <= kMaxMinhashBits); }
bool ValidCombined(uint64_t i, uint64_t m) { return ValidIndexBits(i) && ValidMinhashBits(m) && i + m <= 64; }

uint32_t RegistersSize(uint32_t index_bits, uint32_t minhash_bits) {
  return ((kHllBits + minhash_bits) * (1u << index_bits) + 7) / 8;
}
uint32_t RequiredSize(uint32_t index_bits, uint32_t minhash_bits) {
  return static_cast<uint32_t>(kHeaderSize) + RegistersSize(index_bits, minhash_bits);
}

uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
uint64_t Fmix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdull;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ull;
  k ^= k >> 33;
  return k;
}

// MurmurHash3 x64/128 with seed 0 (the published algorithm).
void Murmur3(const uint8_t* data, size_t len, uint64_t* o1, uint64_t* o2) {
  const size_t nblocks = len / 16;
  uint64_t h1 = 0, h2 = 0;
  const uint64_t c1 = 0x87c37b91114253d5ull, c2 = 0x4cf5ad432745937full;
  auto load_le = [](const uint8_t* p) {
    uint64_t v = 0;
    for (int k = 7; k >= 0; --k) v = (v << 8) | p[k];
    return v;
  };
  for (size_t i = 0; i < nblocks; ++i) {
    uint64_t k1 = load_le(data + i * 16), k2 = load_le(data + i * 16 + 8);
    k1 *= c1; k1 = Rotl(k1, 31); k1 *= c2; h1 ^= k1;
    h1 = Rotl(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729;
    k2 *= c2; k2 = Rotl(k2, 33); k2 *= c1; h2 ^= k2;
    h2 = Rotl(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5;
  }
  const uint8_t* tail = data + nblocks * 16;
  uint64_t k1 = 0, k2 = 0;
  const size_t rest = len & 15;
  for (size_t k = rest; k > 8; --k) k2 ^= static_cast<uint64_t>(tail[k - 1]) << (8 * (k - 9));
  if (rest > 8) { k2 *= c2; k2 = Rotl(k2, 33); k2 *= c1; h2 ^= k2; }
  for (size_t k = std::min<size_t>(rest, 8); k > 0; --k) k1 ^= static_cast<uint64_t>(tail[k - 1]) << (8 * (k - 1));
  if (rest > 0) { k1 *= c1; k1 = Rotl(k1, 31); k1 *= c2; h1 ^= k1; }
  h1 ^= len; h2 ^= len;
  h1 += h2; h2 += h1;
  h1 = Fmix(h1); h2 = Fmix(h2);
  h1 += h2; h2 += h1;
  *o1 = h1;
  *o2 = h2;
}

// An HLL particle being read or built.
struct Hmh {
  std::string bytes;  // whole particle

  uint8_t index_bits() const { return static_cast<uint8_t>(bytes[1]); }
  uint8_t minhash_bits() const { return static_cast<uint8_t>(bytes[2]); }
  uint64_t cache() const {
    uint64_t v = 0;
    for (int k = 7; k >= 0; --k) v = (v << 8) | static_cast<uint8_t>(bytes[3 + k]);
    return v;
  }
  void set_cache(uint64_t v) {
    for (int k = 0; k < 8; ++k) bytes[3 + k] = static_cast<char>(v >> (8 * k));
  }
  uint8_t* regs() { return reinterpret_cast<uint8_t*>(bytes.data()) + kHeaderSize; }
  const uint8_t* regs() const { return reinterpret_cast<const uint8_t*>(bytes.data()) + kHeaderSize; }
  uint32_t n_registers() const { return 1u << index_bits(); }

  static Hmh Init(uint8_t index_bits, uint8_t minhash_bits) {
    Hmh h;
    h.bytes.assign(RequiredSize(index_bits, minhash_bits), '\0');
    h.bytes[1] = static_cast<char>(index_bits);
    h.bytes[2] = static_cast<char>(minhash_bits);
    return h;
  }

  // Registers are read and written as the big-endian 64-bit word that ends
  // the register area at the latest (the server's get/set_register).
  void Locate(uint32_t r, uint32_t* byte_offset, uint32_t* shift) const {
    const uint32_t n_bits = kHllBits + minhash_bits();
    const uint32_t bit_offset = n_bits * r;
    uint32_t off = bit_offset / 8;
    const uint32_t byte_end = (n_bits * n_registers() + 7) / 8;
    const uint32_t max_offset = byte_end - 8;
    uint32_t l_bit = bit_offset % 8;
    if (off > max_offset) {
      l_bit += (off - max_offset) * 8;
      off = max_offset;
    }
    *byte_offset = off;
    *shift = l_bit;
  }
  uint64_t Get(uint32_t r) const {
    uint32_t off, l_bit;
    Locate(r, &off, &l_bit);
    const uint32_t n_bits = kHllBits + minhash_bits();
    uint64_t word = 0;
    for (int k = 0; k < 8; ++k) word = (word << 8) | regs()[off + k];
    return (word >> (64 - (l_bit + n_bits))) & ((1ull << n_bits) - 1);
  }
  void Set(uint32_t r, uint64_t value) {
    uint32_t off, shift;
    Locate(r, &off, &shift);
    const uint32_t n_bits = kHllBits + minhash_bits();
    uint64_t mask = ((1ull << n_bits) - 1) << (64 - n_bits);
    mask >>= shift;
    value <<= (64 - n_bits);
    value >>= shift;
    uint64_t word = 0;
    for (int k = 0; k < 8; ++k) word = (word << 8) | regs()[off + k];
    word = (word & ~mask) | value;
    for (int k = 7; k >= 0; --k) { regs()[off + k] = static_cast<uint8_t>(word); word >>= 8; }
  }
  uint8_t HllVal(uint64_t reg) const { return static_cast<uint8_t>(reg >> minhash_bits()); }

  void Hash(std::string_view e, uint16_t* reg, uint64_t* value) const {
    uint64_t h1, h2;
    Murmur3(reinterpret_cast<const uint8_t*>(e.data()), e.size(), &h1, &h2);
    const uint16_t index_mask = static_cast<uint16_t>((1u << index_bits()) - 1);
    *reg = static_cast<uint16_t>(h1) & index_mask;
    const uint64_t mh_mask = (1ull << minhash_bits()) - 1;
    const uint64_t mh = (h1 >> index_bits()) & mh_mask;
    const uint8_t hll = static_cast<uint8_t>((h2 == 0 ? 64 : __builtin_ctzll(h2)) + 1);
    *value = (static_cast<uint64_t>(hll) << minhash_bits()) | mh;
  }
  bool Add(std::string_view e) {
    uint16_t r;
    uint64_t v;
    Hash(e, &r, &v);
    if (Get(r) < v) {
      Set(r, v);
      set_cache(0);
      return true;
    }
    return false;
  }
  bool MayContain(std::string_view e) const {
    uint16_t r;
    uint64_t v;
    Hash(e, &r, &v);
    return v <= Get(r);
  }
};

double Tau(double val) {
  if (val == 0.0 || val == 1.0) return 0.0;
  double z_prime, y = 1.0, z = 1 - val;
  do {
    val = std::sqrt(val);
    z_prime = z;
    y *= 0.5;
    z -= std::pow(1 - val, 2) * y;
  } while (z_prime != z);
  return z / 3;
}

double Sigma(double val) {
  if (val == 1.0) return INFINITY;
  double z_prime, y = 1, z = val;
  do {
    val *= val;
    z_prime = z;
    z += val * y;
    y += y;
  } while (z_prime != z);
  return z;
}

double Alpha(uint8_t index_bits) {
  switch (index_bits) {
    case 4: return 0.673;
    case 5: return 0.697;
    case 6: return 0.709;
    default: return 0.7213 / (1.0 + 1.079 / (1 << index_bits));
  }
}

uint64_t EstimateCardinality(const Hmh& h) {
  if (h.cache() != 0) return h.cache();
  const uint32_t n = h.n_registers();
  uint32_t c[kHllMaxValue + 1] = {0};
  for (uint32_t r = 0; r < n; ++r) c[h.HllVal(h.Get(r))]++;
  double z = n * Tau(c[kHllMaxValue] / static_cast<double>(n));
  for (int k = kHllMaxValue; k > 0; --k) z = 0.5 * (z + c[k]);
  z += n * Sigma(c[0] / static_cast<double>(n));
  return static_cast<uint64_t>(std::llroundl(Alpha(h.index_bits()) * n * n / z));
}

void CompatibleTemplate(const std::vector<const Hmh*>& hs, uint8_t* index_bits, uint8_t* minhash_bits) {
  uint8_t ib = hs[0]->index_bits();
  uint64_t mb = hs[0]->minhash_bits();
  for (size_t i = 1; i < hs.size(); ++i) {
    if (ib > hs[i]->index_bits()) ib = hs[i]->index_bits();
    if (mb != 0 && mb != hs[i]->minhash_bits()) mb = 0;
  }
  *index_bits = ib;
  *minhash_bits = static_cast<uint8_t>(mb);
}

void Union(Hmh* u, const Hmh& h) {
  const uint32_t n = u->n_registers();
  const uint32_t max = h.n_registers();
  const uint32_t mask = n - 1;
  if (u->minhash_bits() == 0) {
    for (uint32_t r = 0; r < max; ++r) {
      const uint32_t ur = r & mask;
      const uint8_t v0 = u->HllVal(u->Get(ur));
      const uint8_t v1 = h.HllVal(h.Get(r));
      if (v0 < v1) u->Set(ur, v1);
    }
    return;
  }
  for (uint32_t r = 0; r < max; ++r) {
    const uint32_t ur = r & mask;
    const uint64_t v0 = u->Get(ur), v1 = h.Get(r);
    if (v0 < v1) u->Set(ur, v1);
  }
  u->set_cache(0);
}

uint64_t EstimateUnion(const std::vector<const Hmh*>& hs) {
  uint8_t ib, mb;
  CompatibleTemplate(hs, &ib, &mb);
  Hmh u = Hmh::Init(ib, mb);
  for (const Hmh* h : hs) Union(&u, *h);
  return EstimateCardinality(u);
}

bool HasData(const Hmh& h) {
  // The server checks n_registers bytes from the registers; past the
  // register area it reads whatever follows, which here is nothing.
  const size_t n = std::min<size_t>(h.n_registers(), h.bytes.size() - kHeaderSize);
  for (size_t k = 0; k < n; ++k) if (h.regs()[k] != 0) return true;
  return false;
}

uint32_t UsedRegisters(const Hmh& h) {
  uint32_t c = 0;
  for (uint32_t r = 0; r < h.n_registers(); ++r) if (h.Get(r)) ++c;
  return c;
}

double JaccardCollisions(uint8_t index_bits, uint8_t minhash_bits, uint64_t card0, uint64_t card1) {
  double cp = 0.0;
  const uint32_t n_registers = 1u << index_bits;
  const uint32_t n_buckets = 1u << kHllBits;
  for (int32_t i = 1; static_cast<uint32_t>(i) <= n_buckets; ++i) {
    double b1, b2;
    if (static_cast<uint32_t>(i) != n_buckets) {
      b1 = std::pow(2, -i);
      b2 = std::pow(2, -i + 1);
    } else {
      b1 = 0.0;
      b2 = std::pow(2, -i + 1);
    }
    b1 /= n_registers;
    b2 /= n_registers;
    const double px = std::pow(1 - b1, static_cast<double>(card0)) - std::pow(1 - b2, static_cast<double>(card0));
    const double py = std::pow(1 - b1, static_cast<double>(card1)) - std::pow(1 - b2, static_cast<double>(card1));
    cp += px * py;
  }
  return cp * n_registers / std::pow(2, minhash_bits);
}

uint64_t EstimateIntersect(const std::vector<const Hmh*>& hs);

uint64_t HllIntersect(const std::vector<const Hmh*>& hs) {
  const uint64_t cu = EstimateUnion(hs);
  uint64_t sum = 0;
  for (const Hmh* h : hs) {
    const uint64_t c = EstimateCardinality(*h);
    if (sum + c < sum) { sum = UINT64_MAX; break; }
    sum += c;
  }
  if (hs.size() == 2) return sum > cu ? sum - cu : 0;
  const uint64_t si = EstimateIntersect({hs[0], hs[1]}) + EstimateIntersect({hs[1], hs[2]}) +
                      EstimateIntersect({hs[0], hs[2]});
  const int64_t result = static_cast<int64_t>(cu) - (static_cast<int64_t>(sum) - static_cast<int64_t>(si));
  return result < 0 ? 0 : static_cast<uint64_t>(result);
}

double EstimateSimilarity(const std::vector<const Hmh*>& hs) {
  uint8_t ib, mb;
  CompatibleTemplate(hs, &ib, &mb);
  if (mb == 0) {
    const uint64_t inter = HllIntersect(hs);
    const uint64_t uni = EstimateUnion(hs);
    return static_cast<double>(inter) / static_cast<double>(uni);
  }
  bool one_has_data = false, one_is_empty = false;
  for (const Hmh* h : hs) {
    if (HasData(*h)) one_has_data = true;
    else one_is_empty = true;
  }
  if (one_is_empty) return one_has_data ? 0.0 : NAN;
  Hmh agg = Hmh::Init(ib, mb);
  for (const Hmh* h : hs) Union(&agg, *h);
  const uint32_t n_union = UsedRegisters(agg);
  agg = Hmh::Init(ib, mb);
  Union(&agg, *hs[0]);
  for (size_t k = 1; k < hs.size(); ++k) {
    const uint32_t n = agg.n_registers(), max = hs[k]->n_registers(), mask = n - 1;
    for (uint32_t r = 0; r < max; ++r) {
      const uint32_t sr = r & mask;
      const uint64_t v0 = agg.Get(sr), v1 = hs[k]->Get(r);
      agg.Set(sr, v0 == v1 ? v0 : 0);
    }
  }
  const uint32_t n_intersect = UsedRegisters(agg);
  double ec = 0.0;
  if (hs.size() == 2) {
    ec = JaccardCollisions(ib, mb, EstimateCardinality(*hs[0]), EstimateCardinality(*hs[1]));
  }
  double result = (n_intersect - ec) / static_cast<double>(n_union);
  if (result < 0.0) result = 0.0;
  return result;
}

uint64_t EstimateIntersect(const std::vector<const Hmh*>& hs) {
  uint8_t ib, mb;
  CompatibleTemplate(hs, &ib, &mb);
  if (mb == 0) return HllIntersect(hs);
  const double j = EstimateSimilarity(hs);
  if (std::isnan(j)) return 0;
  const uint64_t cu = EstimateUnion(hs);
  return static_cast<uint64_t>(std::llround(static_cast<double>(cu) * j));
}

bool ValidParticle(std::string_view v) {
  if (v.size() < kHeaderSize) return false;
  const uint8_t ib = static_cast<uint8_t>(v[1]), mb = static_cast<uint8_t>(v[2]);
  return v[0] == 0 && ValidCombined(ib, mb) && v.size() == RequiredSize(ib, mb);
}

void SetInt(OpReply* reply, int64_t v) {
  std::string packed;
  PackInt(&packed, v);
  MsgpackToParticle(packed, reply);
}

}  // namespace

uint8_t ApplyHll(bool modify, std::string_view op_value, BinValue* bin, OpReply* reply,
                 bool* bin_changed) {
  *bin_changed = false;
  reply->has = false;
  Header h;
  if (!ReadHeader(op_value, &h) || h.type != MpType::kList || h.count == 0) return rc::kParameter;
  Bytes rest = op_value.substr(h.size);
  OpArgs a;
  Bytes first;
  int64_t code;
  if (!TakeElement(&rest, &first) || !ReadInt(first, &code) || code < 0) return rc::kParameter;
  a.op = static_cast<uint32_t>(code);
  for (uint32_t k = 1; k < h.count; ++k) {
    Bytes e;
    if (!TakeElement(&rest, &e)) return rc::kParameter;
    a.raw.push_back(e);
  }
  const uint32_t op = a.op;
  if (modify ? op > kFold : (op < kCount || op > kMayContain)) return rc::kParameter;

  // hll_verify_bin().
  if (bin->exists) {
    if (bin->type != kParticleHll) return rc::kIncompatibleType;
    if (!ValidParticle(bin->value)) return 1;  // AS_ERR_UNKNOWN
  }

  // Parsing in table order.
  const size_t n = a.raw.size();
  size_t i = 0;
  uint8_t index_bits = 0xff, minhash_bits = 0xff;
  uint64_t flags = 0;
  std::vector<std::string> elements;
  std::vector<Hmh> hlls;
  auto p_index = [&]() {
    int64_t v;
    if (!ArgInt(a, i++, &v)) return false;
    if (v != -1 && !ValidIndexBits(static_cast<uint64_t>(v))) return false;
    index_bits = static_cast<uint8_t>(v);
    return true;
  };
  auto p_minhash = [&]() {
    int64_t v;
    if (!ArgInt(a, i++, &v)) return false;
    if (v == -1) { minhash_bits = 0xff; return true; }
    if (!ValidMinhashBits(static_cast<uint64_t>(v))) return false;
    if (index_bits != 0xff && !ValidCombined(index_bits, static_cast<uint64_t>(v))) return false;
    minhash_bits = static_cast<uint8_t>(v);
    return true;
  };
  auto p_flags = [&](uint64_t allowed) {
    uint64_t v;
    if (!ArgUInt(a, i++, &v)) return false;
    if (v & ~allowed) return false;
    if ((v & kCreateOnly) && (v & kUpdateOnly)) return false;
    flags = v;
    return true;
  };
  auto p_elements = [&]() {
    ListView l;
    if (i >= n || !ParseList(a.raw[i++], &l) || l.items.empty()) return false;
    for (Bytes e : l.items) {
      Header eh;
      if (!ReadHeader(e, &eh) || eh.type == MpType::kList || eh.type == MpType::kMap) return false;
      std::string compact;
      if (!RewriteUntrusted(e, &compact)) return false;
      elements.push_back(std::move(compact));
    }
    return true;
  };
  auto p_hlls = [&]() {
    if (i >= n) return false;
    std::vector<Bytes> items;
    Header lh;
    if (!ReadHeader(a.raw[i], &lh)) return false;
    if (lh.type == MpType::kList) {
      ListView l;
      if (!ParseList(a.raw[i], &l) || l.items.empty()) return false;
      items = l.items;
    } else {
      items.push_back(a.raw[i]);
    }
    ++i;
    for (Bytes e : items) {
      Header eh;
      if (!ReadHeader(e, &eh)) return false;
      if (eh.type != MpType::kString && eh.type != MpType::kBytes && eh.type != MpType::kGeoJson) return false;
      if (eh.payload.size() < kHeaderSize + 1) return false;
      const Bytes v = eh.payload.substr(1);
      if (v[0] != 0 || !ValidIndexBits(static_cast<uint8_t>(v[1])) ||
          !ValidMinhashBits(static_cast<uint8_t>(v[2])) ||
          v.size() != RequiredSize(static_cast<uint8_t>(v[1]), static_cast<uint8_t>(v[2]))) {
        return false;
      }
      hlls.push_back(Hmh{std::string(v)});
    }
    return true;
  };
  bool ok;
  switch (op) {
    case kInit:
      ok = n <= 3 && (n < 1 || p_index()) && (n < 2 || p_minhash()) &&
           (n < 3 || p_flags(kCreateOnly | kUpdateOnly | kNoFail));
      break;
    case kAdd:
      ok = n >= 1 && n <= 4 && p_elements() && (n < 2 || p_index()) && (n < 3 || p_minhash()) &&
           (n < 4 || p_flags(kCreateOnly | kNoFail));
      break;
    case kUnion:
      ok = n >= 1 && n <= 2 && p_hlls() && (n < 2 || p_flags(kCreateOnly | kUpdateOnly | kAllowFold | kNoFail));
      break;
    case kRefreshCount: case kCount: case kDescribe:
      ok = n == 0;
      break;
    case kFold:
      ok = n == 1 && p_index();
      break;
    case kGetUnion: case kUnionCount:
      ok = n == 1 && p_hlls();
      break;
    case kIntersectCount: case kSimilarity:
      ok = n == 1 && p_hlls();
      if (ok && hlls.size() > 2) {
        for (const Hmh& x : hlls) ok = ok && x.minhash_bits() == hlls[0].minhash_bits();
        ok = ok && hlls[0].minhash_bits() != 0;
      }
      break;
    case kMayContain:
      ok = n == 1 && p_elements();
      break;
    default:
      ok = false;
  }
  if (!ok) return rc::kParameter;

  if (!modify) {
    const Hmh self{bin->value};
    std::vector<const Hmh*> hs;
    for (const Hmh& x : hlls) hs.push_back(&x);
    hs.push_back(&self);
    switch (op) {
      case kCount:
        SetInt(reply, static_cast<int64_t>(EstimateCardinality(self)));
        return rc::kOk;
      case kGetUnion: {
        uint8_t ib, mb;
        CompatibleTemplate(hs, &ib, &mb);
        Hmh u = Hmh::Init(ib, mb);
        for (const Hmh* x : hs) Union(&u, *x);
        reply->has = true;
        reply->type = kParticleHll;
        reply->value = std::move(u.bytes);
        return rc::kOk;
      }
      case kUnionCount:
        SetInt(reply, static_cast<int64_t>(EstimateUnion(hs)));
        return rc::kOk;
      case kIntersectCount: case kSimilarity: {
        if (hlls.size() > 2 &&
            (self.minhash_bits() == 0 || self.minhash_bits() != hlls[0].minhash_bits())) {
          return rc::kOpNotApplicable;
        }
        if (op == kIntersectCount) {
          SetInt(reply, static_cast<int64_t>(EstimateIntersect(hs)));
        } else {
          std::string packed;
          PackDouble(&packed, EstimateSimilarity(hs));
          MsgpackToParticle(packed, reply);
        }
        return rc::kOk;
      }
      case kDescribe: {
        CdtResult r;
        r.IntList({self.index_bits(), self.minhash_bits()});
        MsgpackToParticle(r.packed, reply);
        return rc::kOk;
      }
      case kMayContain: {
        bool all = true;
        for (const std::string& e : elements) {
          if (!self.MayContain(e)) { all = false; break; }
        }
        SetInt(reply, all ? 1 : 0);
        return rc::kOk;
      }
      default:
        return rc::kParameter;
    }
  }

  const bool no_fail = (flags & kNoFail) != 0;
  if (bin->exists) {
    if (flags & kCreateOnly) return no_fail ? rc::kOk : kBinExists;
  } else if (flags & kUpdateOnly) {
    return no_fail ? rc::kOk : kBinNotFound;
  }
  const Hmh* old = nullptr;
  Hmh old_storage;
  if (bin->exists) {
    old_storage.bytes = bin->value;
    old = &old_storage;
  }
  Hmh out;
  switch (op) {
    case kInit:
      if (old == nullptr) {
        if (index_bits == 0xff) return rc::kOpNotApplicable;
        if (minhash_bits == 0xff) minhash_bits = 0;
      } else {
        if (index_bits == 0xff) index_bits = old->index_bits();
        if (minhash_bits == 0xff) minhash_bits = old->minhash_bits();
        if (!ValidCombined(index_bits, minhash_bits)) return rc::kOpNotApplicable;
      }
      out = Hmh::Init(index_bits, minhash_bits);
      break;
    case kAdd: {
      if (old == nullptr) {
        if (index_bits == 0xff) return rc::kOpNotApplicable;
        if (minhash_bits == 0xff) minhash_bits = 0;
        out = Hmh::Init(index_bits, minhash_bits);
      } else {
        out = *old;
      }
      int64_t added = 0;
      for (const std::string& e : elements) added += out.Add(e) ? 1 : 0;
      SetInt(reply, added);
      break;
    }
    case kUnion: {
      uint8_t min_ib = 0xff, min_mb = 0xff;
      for (const Hmh& x : hlls) {
        if (x.index_bits() < min_ib) min_ib = x.index_bits();
        if (x.minhash_bits() != min_mb) min_mb = min_mb == 0xff ? x.minhash_bits() : 0;
      }
      if (old != nullptr) {
        if (!(flags & kAllowFold)) {
          if (old->index_bits() > min_ib) return rc::kOpNotApplicable;
          if (old->minhash_bits() != 0 && old->minhash_bits() != min_mb) return rc::kOpNotApplicable;
        }
      }
      std::vector<const Hmh*> hs;
      for (const Hmh& x : hlls) hs.push_back(&x);
      if (old != nullptr) hs.push_back(old);
      uint8_t ib, mb;
      CompatibleTemplate(hs, &ib, &mb);
      out = Hmh::Init(ib, mb);
      for (const Hmh* x : hs) Union(&out, *x);
      break;
    }
    case kRefreshCount:
      if (old == nullptr) return kBinNotFound;
      out = *old;
      out.set_cache(EstimateCardinality(out));
      SetInt(reply, static_cast<int64_t>(out.cache()));
      break;
    case kFold:
      if (old == nullptr) return kBinNotFound;
      if (old->minhash_bits() > 0) return rc::kOpNotApplicable;
      if (old->index_bits() < index_bits) return rc::kOpNotApplicable;
      if (index_bits == old->index_bits()) {
        out = *old;
      } else {
        out = Hmh::Init(index_bits, 0);
        Union(&out, *old);
      }
      break;
    default:
      return rc::kParameter;
  }
  bin->exists = true;
  bin->type = kParticleHll;
  bin->value = std::move(out.bytes);
  *bin_changed = true;
  return rc::kOk;
}

}  // namespace aerospike_py::server::cdt
