// Bit operations on blob bins (wire ops 12/13): the real server's
// particle_blob.c bits_* semantics. Offsets are bit offsets (negative: from
// the end), sizes bit counts; resize/insert/remove work in bytes. Modify
// flags: create-only, update-only, no-fail, partial; integer ops take
// signed/saturate/wrap subflags and fail (26) on overflow otherwise.
#include <cstdlib>
#include <string>

#include "server/cdt/engine.h"
#include "server/cdt/op_state.h"

namespace aerospike_py::server::cdt {

namespace {

constexpr uint8_t kParticleBlob = 4, kParticleInteger = 1;
constexpr int64_t kProtoSizeMax = 128 * 1024 * 1024;
constexpr uint8_t kBinExists = 6, kBinNotFound = 17;

enum : uint32_t {
  kResize = 0, kInsert = 1, kRemove = 2, kSet = 3, kOr = 4, kXor = 5, kAnd = 6, kNot = 7,
  kLshift = 8, kRshift = 9, kAdd = 10, kSubtract = 11, kSetInt = 12,
  kGet = 50, kCount = 51, kLscan = 52, kRscan = 53, kGetInt = 54,
};

constexpr uint64_t kCreateOnly = 1, kUpdateOnly = 2, kNoFail = 4, kPartial = 8;
constexpr uint64_t kSigned = 1, kSaturate = 2, kWrap = 4;
constexpr uint64_t kFromFront = 1, kGrowOnly = 2, kShrinkOnly = 4;

struct BitsOp {
  int64_t offset = 0;   // bits (resize/insert/remove: bytes * 8)
  uint32_t size = 0;    // bits
  uint64_t value = 0;
  std::string_view buf;  // payload bytes (type byte removed)
  uint64_t flags = 0;
  uint64_t subflags = 0;
};

bool Bit(const std::string& b, uint64_t i) { return (static_cast<uint8_t>(b[i / 8]) >> (7 - i % 8)) & 1; }
void SetBit(std::string* b, uint64_t i, bool v) {
  uint8_t& byte = reinterpret_cast<uint8_t&>((*b)[i / 8]);
  const uint8_t m = static_cast<uint8_t>(0x80 >> (i % 8));
  byte = v ? (byte | m) : (byte & ~m);
}
bool BufBit(std::string_view b, uint64_t i) { return (static_cast<uint8_t>(b[i / 8]) >> (7 - i % 8)) & 1; }

uint64_t LoadInt(const std::string& b, uint64_t off, uint32_t size) {
  uint64_t v = 0;
  for (uint32_t k = 0; k < size; ++k) v = (v << 1) | (Bit(b, off + k) ? 1 : 0);
  return v;
}
void StoreInt(std::string* b, uint64_t off, uint32_t size, uint64_t v) {
  for (uint32_t k = 0; k < size; ++k) SetBit(b, off + k, (v >> (size - 1 - k)) & 1);
}

// Argument parsers in the server's table order; false: parameter error.
struct Parser {
  const OpArgs& a;
  size_t i = 0;
  bool Int(int64_t* v) { return ArgInt(a, i++, v); }
  bool UInt(uint64_t* v) { return ArgUInt(a, i++, v); }
};

}  // namespace

uint8_t ApplyBits(bool modify, std::string_view op_value, BinValue* bin, OpReply* reply,
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
  if (modify ? op > kSetInt : (op < kGet || op > kGetInt)) return rc::kParameter;

  // Argument layout per op: min and max counts, then typed parsing.
  BitsOp o;
  const size_t n = a.raw.size();
  Parser p{a};
  auto parse_offset = [&](bool bytes) {
    int64_t v;
    if (!p.Int(&v)) return false;
    if (std::llabs(v) > (bytes ? kProtoSizeMax : kProtoSizeMax * 8)) return false;
    o.offset = bytes ? v * 8 : v;
    return true;
  };
  auto parse_size = [&](int kind) {  // 0 bits, 1 bytes, 2 bytes allow zero, 3 integer
    uint64_t v;
    if (!p.UInt(&v)) return false;
    if (v == 0 && kind != 2) return false;
    if (kind == 3) {
      if (v > 64) return false;
      o.size = static_cast<uint32_t>(v);
      return true;
    }
    if (v > static_cast<uint64_t>(kind == 0 ? kProtoSizeMax * 8 : kProtoSizeMax)) return false;
    o.size = static_cast<uint32_t>(kind == 0 ? v : v * 8);
    return true;
  };
  auto parse_buf = [&]() {
    if (p.i >= n) return false;
    Header bh;
    if (!ReadHeader(a.raw[p.i++], &bh)) return false;
    if (bh.type != MpType::kString && bh.type != MpType::kBytes && bh.type != MpType::kGeoJson) {
      return false;
    }
    if (bh.payload.size() <= 1) return false;
    o.buf = bh.payload.substr(1);
    const uint64_t bits = o.buf.size() * 8;
    if (o.size != 0) {
      if (bits < o.size) return false;
    } else {
      o.size = static_cast<uint32_t>(bits);
    }
    return true;
  };
  auto parse_flags = [&](uint64_t allowed) {
    if (!p.UInt(&o.flags)) return false;
    if (o.flags & ~allowed) return false;
    if ((o.flags & kCreateOnly) && (o.flags & kUpdateOnly)) return false;
    return true;
  };
  auto parse_subflags = [&](uint64_t allowed) {
    if (!p.UInt(&o.subflags)) return false;
    return (o.subflags & ~allowed) == 0;
  };
  auto parse_bool = [&]() {
    if (p.i >= n) return false;
    Header bh;
    if (!ReadHeader(a.raw[p.i++], &bh)) return false;
    if (bh.type != MpType::kTrue && bh.type != MpType::kFalse) return false;
    o.value = bh.type == MpType::kTrue ? 1 : 0;
    return true;
  };
  const uint64_t resize_flags = kCreateOnly | kUpdateOnly | kNoFail;
  const uint64_t update_flags = kUpdateOnly | kNoFail | kPartial;
  const uint64_t int_flags = kUpdateOnly | kNoFail;
  bool ok = true;
  auto count_ok = [&](size_t lo, size_t hi) { return n >= lo && n <= hi; };
  switch (op) {
    case kResize:
      ok = count_ok(1, 3) && parse_size(2) && (n < 2 || parse_flags(resize_flags)) &&
           (n < 3 || parse_subflags(kFromFront | kGrowOnly | kShrinkOnly));
      if (ok && (o.subflags & kGrowOnly) && (o.subflags & kShrinkOnly)) ok = false;
      break;
    case kInsert:
      ok = count_ok(2, 3) && parse_offset(true) && parse_buf() && (n < 3 || parse_flags(resize_flags));
      break;
    case kRemove:
      ok = count_ok(2, 3) && parse_offset(true) && parse_size(1) && (n < 3 || parse_flags(update_flags));
      break;
    case kSet: case kOr: case kXor: case kAnd:
      ok = count_ok(3, 4) && parse_offset(false) && parse_size(0) && parse_buf() &&
           (n < 4 || parse_flags(update_flags));
      break;
    case kNot:
      ok = count_ok(2, 3) && parse_offset(false) && parse_size(0) && (n < 3 || parse_flags(update_flags));
      break;
    case kLshift: case kRshift:
      ok = count_ok(3, 4) && parse_offset(false) && parse_size(0) && p.UInt(&o.value) &&
           o.value <= static_cast<uint64_t>(kProtoSizeMax * 8) && (n < 4 || parse_flags(update_flags));
      break;
    case kAdd: case kSubtract:
      ok = count_ok(3, 5) && parse_offset(false) && parse_size(3) && p.UInt(&o.value) &&
           (n < 4 || parse_flags(int_flags)) && (n < 5 || parse_subflags(kSigned | kSaturate | kWrap));
      if (ok && (o.subflags & kSaturate) && (o.subflags & kWrap)) ok = false;
      break;
    case kSetInt:
      ok = count_ok(3, 4) && parse_offset(false) && parse_size(3) && p.UInt(&o.value) &&
           (n < 4 || parse_flags(int_flags));
      break;
    case kGet: case kCount:
      ok = count_ok(2, 2) && parse_offset(false) && parse_size(0);
      break;
    case kLscan: case kRscan:
      ok = count_ok(3, 3) && parse_offset(false) && parse_size(0) && parse_bool();
      break;
    case kGetInt:
      ok = count_ok(2, 3) && parse_offset(false) && parse_size(3) && (n < 3 || parse_subflags(kSigned));
      break;
    default:
      ok = false;
  }
  if (!ok) return rc::kParameter;

  const bool no_fail = (o.flags & kNoFail) != 0;
  if (modify) {
    if (bin->exists) {
      if (o.flags & kCreateOnly) return no_fail ? rc::kOk : kBinExists;
      if (bin->type != kParticleBlob) return rc::kIncompatibleType;
    } else if ((op != kInsert && op != kResize) || (o.flags & kUpdateOnly)) {
      return no_fail ? rc::kOk : kBinNotFound;
    }
  } else if (bin->type != kParticleBlob) {
    return rc::kIncompatibleType;
  }
  const std::string old = bin->exists ? bin->value : std::string();
  const uint64_t old_size = old.size();
  if (!bin->exists && o.offset < 0) return rc::kParameter;
  if (o.offset < 0) {
    if (static_cast<uint64_t>(-o.offset) > old_size * 8) return rc::kParameter;
    o.offset += static_cast<int64_t>(old_size * 8);
  }
  const uint64_t byte_offset = static_cast<uint64_t>(o.offset) / 8;
  const uint64_t op_bytes = (static_cast<uint64_t>(o.offset) % 8 + o.size + 7) / 8;
  const uint64_t bit_off = static_cast<uint64_t>(o.offset);
  std::string out = old;
  auto finish = [&]() -> uint8_t {
    if (out.size() >= static_cast<uint64_t>(kProtoSizeMax)) return rc::kParameter;
    bin->exists = true;
    bin->type = kParticleBlob;
    bin->value = std::move(out);
    *bin_changed = true;
    return rc::kOk;
  };
  // Range checks shared by the in-place ops (bits_prepare_modify_op).
  auto check_overwrite = [&](bool allow_partial, uint8_t fail_code) -> int {
    if (byte_offset >= old_size) return no_fail ? 0 : -fail_code;
    if (byte_offset + op_bytes > old_size) {
      if (!allow_partial || !(o.flags & kPartial)) return no_fail ? 0 : -fail_code;
      o.size = static_cast<uint32_t>(old_size * 8 - bit_off);
    }
    return 1;
  };
  switch (op) {
    case kResize: {
      const uint64_t want = o.size / 8;
      const bool front = (o.subflags & kFromFront) != 0;
      if (want < old_size) {
        if (o.subflags & kGrowOnly) return no_fail ? rc::kOk : rc::kParameter;
        out = front ? old.substr(old_size - want) : old.substr(0, want);
      } else if (want > old_size) {
        if (o.subflags & kShrinkOnly) return no_fail ? rc::kOk : rc::kParameter;
        const std::string zeros(want - old_size, '\0');
        out = front ? zeros + old : old + zeros;
      } else {
        return rc::kOk;
      }
      return finish();
    }
    case kInsert: {
      if (byte_offset >= old_size) {
        out = old + std::string(byte_offset - old_size, '\0') + std::string(o.buf);
      } else {
        out = old.substr(0, byte_offset) + std::string(o.buf) + old.substr(byte_offset);
      }
      return finish();
    }
    case kRemove: {
      if (byte_offset >= old_size) return no_fail ? rc::kOk : rc::kParameter;
      uint64_t count = o.size / 8;
      if (byte_offset + count > old_size) {
        if (!(o.flags & kPartial)) return no_fail ? rc::kOk : rc::kParameter;
        count = old_size - byte_offset;
      }
      out = old.substr(0, byte_offset) + old.substr(byte_offset + count);
      return finish();
    }
    case kSet: case kOr: case kXor: case kAnd: case kNot: case kLshift: case kRshift: {
      const int c = check_overwrite(true, rc::kOpNotApplicable);
      if (c < 0) return static_cast<uint8_t>(-c);
      if (c == 0) return rc::kOk;
      const uint32_t size = o.size;
      if (op == kLshift || op == kRshift) {
        std::string bits(size, '\0');
        for (uint32_t k = 0; k < size; ++k) bits[k] = Bit(old, bit_off + k) ? 1 : 0;
        for (uint32_t k = 0; k < size; ++k) {
          bool v = false;
          if (op == kLshift) {
            if (k + o.value < size) v = bits[k + o.value] != 0;
          } else if (k >= o.value) {
            v = bits[k - o.value] != 0;
          }
          SetBit(&out, bit_off + k, v);
        }
        return finish();
      }
      for (uint32_t k = 0; k < size; ++k) {
        const bool cur = Bit(old, bit_off + k);
        bool v = cur;
        switch (op) {
          case kSet: v = BufBit(o.buf, k); break;
          case kOr: v = cur || BufBit(o.buf, k); break;
          case kXor: v = cur != BufBit(o.buf, k); break;
          case kAnd: v = cur && BufBit(o.buf, k); break;
          default: v = !cur; break;
        }
        SetBit(&out, bit_off + k, v);
      }
      return finish();
    }
    case kAdd: case kSubtract: case kSetInt: {
      if (byte_offset >= old_size || byte_offset + op_bytes > old_size) {
        return no_fail ? rc::kOk : rc::kOpNotApplicable;
      }
      const uint32_t nb = o.size;
      const uint64_t mask = ~0ull >> (64 - nb);
      const uint64_t value = o.value & mask;
      const uint64_t load = LoadInt(old, bit_off, nb);
      uint64_t result = value;
      if (op != kSetInt) {
        result = (op == kAdd ? load + value : load - value) & mask;
        const bool is_signed = (o.subflags & kSigned) != 0;
        const bool wrap = (o.subflags & kWrap) != 0;
        const bool saturate = (o.subflags & kSaturate) != 0;
        if (!wrap) {
          if (is_signed) {
            const int lead = 64 - static_cast<int>(nb);
            auto sx = [&](uint64_t x) { return static_cast<int64_t>(x << lead) >> lead; };
            const uint64_t operand = op == kAdd ? value : static_cast<uint64_t>(-static_cast<int64_t>(value));
            const int64_t sr = sx(result), sl = sx(load), sv = sx(operand);
            if (sl < 0 && sv < 0 && sr > 0) {
              if (!saturate) return no_fail ? rc::kOk : rc::kOpNotApplicable;
              result = (mask >> (nb - 1)) << (nb - 1);
            } else if (sl > 0 && sv > 0 && sr < 0) {
              if (!saturate) return no_fail ? rc::kOk : rc::kOpNotApplicable;
              result = mask >> 1;
            }
          } else if (op == kAdd ? result < load : result > load) {
            if (!saturate) return no_fail ? rc::kOk : rc::kOpNotApplicable;
            result = op == kAdd ? mask : 0;
          }
        }
      }
      StoreInt(&out, bit_off, nb, result);
      return finish();
    }
    default:
      break;
  }
  // Reads.
  if (byte_offset >= old_size || byte_offset + op_bytes > old_size) return rc::kOpNotApplicable;
  const uint32_t size = o.size;
  switch (op) {
    case kGet: {
      std::string v((size + 7) / 8, '\0');
      for (uint32_t k = 0; k < size; ++k) SetBit(&v, k, Bit(old, bit_off + k));
      reply->has = true;
      reply->type = kParticleBlob;
      reply->value = std::move(v);
      return rc::kOk;
    }
    case kCount: {
      uint64_t c = 0;
      for (uint32_t k = 0; k < size; ++k) c += Bit(old, bit_off + k) ? 1 : 0;
      std::string packed;
      PackInt(&packed, static_cast<int64_t>(c));
      MsgpackToParticle(packed, reply);
      return rc::kOk;
    }
    case kLscan: case kRscan: {
      // The server scans whole bytes of the range: lscan masks only bits
      // before the offset, rscan only bits after the end.
      const uint64_t first_bit = byte_offset * 8;
      const uint64_t last_bit = (byte_offset + op_bytes) * 8;  // exclusive
      int64_t answer = -1;
      const bool want = o.value == 1;
      if (op == kLscan) {
        for (uint64_t b = bit_off; b < last_bit; ++b) {
          if (Bit(old, b) == want) { answer = static_cast<int64_t>(b - bit_off); break; }
        }
      } else {
        const uint64_t end_bit = bit_off + size;
        for (uint64_t b = end_bit; b-- > first_bit;) {
          if (Bit(old, b) == want) { answer = static_cast<int64_t>(b) - static_cast<int64_t>(bit_off); break; }
        }
      }
      if (answer >= static_cast<int64_t>(size)) answer = -1;
      std::string packed;
      PackInt(&packed, answer);
      MsgpackToParticle(packed, reply);
      return rc::kOk;
    }
    case kGetInt: {
      int64_t v = static_cast<int64_t>(LoadInt(old, bit_off, size));
      if (o.subflags & kSigned) {
        const int lead = 64 - static_cast<int>(size);
        v = static_cast<int64_t>(static_cast<uint64_t>(v) << lead) >> lead;
      }
      std::string packed;
      PackInt(&packed, v);
      MsgpackToParticle(packed, reply);
      return rc::kOk;
    }
    default:
      return rc::kParameter;
  }
  (void)kParticleInteger;
}

}  // namespace aerospike_py::server::cdt
