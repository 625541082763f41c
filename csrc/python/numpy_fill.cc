#include "python/numpy_fill.h"

#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/byte_order.h"
#include "proto/constants.h"
#include "proto/ttl.h"
#include "proto/msgpack.h"

namespace aerospike_py::python {
namespace {

using proto::MsgpackItem;
using proto::MsgpackReader;
using proto::ParticleType;

constexpr int kMaxListDepth = 32;

// A number as the wire had it.
struct Number {
  enum class Type : uint8_t { kInt, kUInt, kFloat, kBool };
  Type type = Type::kInt;
  int64_t i = 0;   // kInt, kBool
  uint64_t u = 0;  // kUInt (above INT64_MAX)
  double d = 0;    // kFloat
};

std::string Describe(const Number& v) {
  switch (v.type) {
    case Number::Type::kInt: return absl::StrCat("integer ", v.i);
    case Number::Type::kUInt: return absl::StrCat("integer ", v.u);
    case Number::Type::kFloat: return absl::StrCat("float ", v.d);
    case Number::Type::kBool: return v.i != 0 ? "True" : "False";
  }
  return "value";
}

std::string TypeName(const NumpyField& f) {
  const std::string bits = std::to_string(f.base_size * 8);
  std::string base;
  switch (f.kind) {
    case NumpyKind::kInt: base = "int" + bits; break;
    case NumpyKind::kUInt: base = "uint" + bits; break;
    case NumpyKind::kFloat: base = "float" + bits; break;
    case NumpyKind::kBool: base = "bool"; break;
    case NumpyKind::kBytes: return "S" + std::to_string(f.size);
    case NumpyKind::kVoid: return "V" + std::to_string(f.size);
  }
  if (f.count > 1) return absl::StrCat(base, "[", f.count, "]");
  return base;
}

// Stores `size` bytes of a native value, byte-swapped for non-native fields.
void Store(uint8_t* dst, const void* src, uint32_t size, bool swap) {
  if (!swap) {
    std::memcpy(dst, src, size);
    return;
  }
  const auto* s = static_cast<const uint8_t*>(src);
  for (uint32_t k = 0; k < size; ++k) dst[k] = s[size - 1 - k];
}

// One fill: where it is, for messages.
class Filler {
 public:
  Filler(const NumpyLayout& layout, NumpyFillError* error) : layout_(layout), error_(error) {}

  bool Record(size_t index, const proto::MessageView& message, uint8_t* row);

 private:
  bool Fail(NumpyFillError::Kind kind, const std::string& what) {
    error_->kind = kind;
    error_->message = absl::StrCat("batch record ", record_, ", bin '", field_->name, "' (",
                                   TypeName(*field_), " field of the dtype): ", what);
    return false;
  }
  int Lookup(std::string_view name, size_t position);
  bool Bin(uint8_t particle_type, ByteSpan value, uint8_t* dst);
  // One number into one element of the current field. The common case of
  // vectors, id lists and scalar i8/f8 bins (the value's own type into a
  // native 8-byte field) is a copy, inline; everything else is converted and
  // checked by ConvertElement.
  bool Element(const Number& v, uint8_t* dst) {
    const NumpyField& f = *field_;
    if (f.base_size == 8 && !f.swap) {
      if (f.kind == NumpyKind::kFloat && v.type == Number::Type::kFloat) {
        std::memcpy(dst, &v.d, 8);
        return true;
      }
      if (f.kind == NumpyKind::kInt && v.type == Number::Type::kInt) {
        std::memcpy(dst, &v.i, 8);
        return true;
      }
    }
    return ConvertElement(v, dst);
  }
  bool ConvertElement(const Number& v, uint8_t* dst);
  bool List(ByteSpan value, uint8_t* dst);
  bool ListItems(MsgpackReader* r, uint32_t count, int depth, uint8_t* dst, uint32_t* next);
  bool ListItem(MsgpackReader* r, uint32_t k, int depth, uint8_t* dst, uint32_t* next,
                Number* v, bool* has_value);
  bool ListTooLong() {
    return Fail(NumpyFillError::Kind::kParam,
                absl::StrCat("the list has more than ", field_->count,
                             " items (they would be truncated)"));
  }

  const NumpyLayout& layout_;
  NumpyFillError* error_;
  size_t record_ = 0;
  const NumpyField* field_ = nullptr;
  // Per op position: the field matched there last time. Records of one
  // batch usually list their bins in the same order, so the first guess
  // is nearly always right.
  std::vector<int> hints_;
};

int Filler::Lookup(std::string_view name, size_t position) {
  if (position < hints_.size()) {
    const int h = hints_[position];
    if (h >= 0 && layout_.fields[static_cast<size_t>(h)].name == name) return h;
  } else {
    hints_.resize(position + 1, -1);
  }
  const int found = layout_.Find(name);
  if (found >= 0) hints_[position] = found;
  return found;
}

bool Filler::Record(size_t index, const proto::MessageView& message, uint8_t* row) {
  record_ = index;
  proto::OpIterator it(message);
  proto::OpView op;
  size_t position = 0;
  while (it.Next(&op)) {
    const int f = Lookup(op.name, position++);
    if (f < 0) continue;
    field_ = &layout_.fields[static_cast<size_t>(f)];
    if (!Bin(op.particle_type, op.value, row + field_->offset)) return false;
  }
  return true;
}

bool Filler::Bin(uint8_t particle_type, ByteSpan value, uint8_t* dst) {
  const NumpyField& f = *field_;
  const bool bytes_field = f.kind == NumpyKind::kBytes || f.kind == NumpyKind::kVoid;
  Number v;
  switch (static_cast<ParticleType>(particle_type)) {
    case ParticleType::kNull:
      return true;  // no value: the field stays zero
    case ParticleType::kInteger:
      switch (value.size()) {
        case 8: v.i = static_cast<int64_t>(LoadBE64(value.data())); break;
        case 4: v.i = static_cast<int32_t>(LoadBE32(value.data())); break;
        case 2: v.i = static_cast<int16_t>(LoadBE16(value.data())); break;
        case 1: v.i = static_cast<int8_t>(value[0]); break;
        default: return Fail(NumpyFillError::Kind::kParam, "malformed integer particle");
      }
      break;
    case ParticleType::kFloat:
      if (value.size() != 8) return Fail(NumpyFillError::Kind::kParam, "malformed float particle");
      v.type = Number::Type::kFloat;
      v.d = BitsToDouble(LoadBE64(value.data()));
      break;
    case ParticleType::kBool:
      if (value.size() != 1) return Fail(NumpyFillError::Kind::kParam, "malformed bool particle");
      v.type = Number::Type::kBool;
      v.i = value[0] != 0 ? 1 : 0;
      break;
    case ParticleType::kString:
    case ParticleType::kBlob: {
      const bool blob = static_cast<ParticleType>(particle_type) == ParticleType::kBlob;
      if (bytes_field) {
        if (value.size() > f.size) {
          return Fail(NumpyFillError::Kind::kParam,
                      absl::StrCat(value.size(), " bytes do not fit in ", f.size,
                                   " (they would be truncated)"));
        }
        std::memset(dst, 0, f.size);
        if (!value.empty()) std::memcpy(dst, value.data(), value.size());
        return true;
      }
      // A blob fills a numeric sub-array with its raw bytes (the layout
      // batch_write_numpy writes and ndarray.tobytes() produces).
      if (blob && f.count > 1) {
        if (value.size() > f.size || value.size() % f.base_size != 0) {
          return Fail(NumpyFillError::Kind::kParam,
                      absl::StrCat("a blob of ", value.size(), " bytes does not fit a ",
                                   f.count, "-element sub-array of ", f.base_size,
                                   "-byte items"));
        }
        std::memset(dst, 0, f.size);
        if (!value.empty()) std::memcpy(dst, value.data(), value.size());
        return true;
      }
      return Fail(NumpyFillError::Kind::kParam,
                  blob ? "a blob fills only bytes (S/V) fields and numeric sub-arrays"
                       : "a string fills only bytes (S/V) fields");
    }
    case ParticleType::kList:
      if (bytes_field || f.count == 1) {
        return Fail(NumpyFillError::Kind::kParam, "a list fills only numeric sub-array fields");
      }
      return List(value, dst);
    default:
      return Fail(NumpyFillError::Kind::kParam,
                  absl::StrCat("a value of particle type ", particle_type,
                               " cannot be stored in this field"));
  }
  if (bytes_field) {
    return Fail(NumpyFillError::Kind::kParam,
                absl::StrCat("a number (", Describe(v), ") cannot be stored in a bytes field"));
  }
  if (f.count > 1) {
    return Fail(NumpyFillError::Kind::kParam,
                absl::StrCat("a single number (", Describe(v), ") cannot fill a sub-array"));
  }
  return Element(v, dst);
}

bool Filler::ConvertElement(const Number& v, uint8_t* dst) {
  const NumpyField& f = *field_;
  const auto overflow = [&] {
    return Fail(NumpyFillError::Kind::kOverflow,
                absl::StrCat(Describe(v), " does not fit in ", TypeName(f)));
  };
  switch (f.kind) {
    case NumpyKind::kInt:
    case NumpyKind::kUInt: {
      // The exact value as a sign and a magnitude.
      bool negative = false;
      uint64_t magnitude = 0;
      switch (v.type) {
        case Number::Type::kInt:
        case Number::Type::kBool:
          negative = v.i < 0;
          magnitude = negative ? 0 - static_cast<uint64_t>(v.i) : static_cast<uint64_t>(v.i);
          break;
        case Number::Type::kUInt:
          magnitude = v.u;
          break;
        case Number::Type::kFloat:
          if (!std::isfinite(v.d)) return overflow();
          if (v.d != std::trunc(v.d)) {
            return Fail(NumpyFillError::Kind::kParam,
                        absl::StrCat(Describe(v), " would lose its fraction in ", TypeName(f)));
          }
          if (std::fabs(v.d) >= 18446744073709551616.0) return overflow();
          negative = v.d < 0;
          magnitude = static_cast<uint64_t>(std::fabs(v.d));
          break;
      }
      const uint32_t bits = f.base_size * 8;
      if (f.kind == NumpyKind::kUInt) {
        if (negative && magnitude != 0) return overflow();
        if (bits < 64 && magnitude > (uint64_t{1} << bits) - 1) return overflow();
        switch (f.base_size) {
          case 1: { const uint8_t x = static_cast<uint8_t>(magnitude); Store(dst, &x, 1, false); break; }
          case 2: { const uint16_t x = static_cast<uint16_t>(magnitude); Store(dst, &x, 2, f.swap); break; }
          case 4: { const uint32_t x = static_cast<uint32_t>(magnitude); Store(dst, &x, 4, f.swap); break; }
          default: Store(dst, &magnitude, 8, f.swap); break;
        }
        return true;
      }
      const uint64_t limit = uint64_t{1} << (bits - 1);  // |min|; max is limit - 1
      if (negative ? magnitude > limit : magnitude > limit - 1) return overflow();
      const int64_t x = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
      switch (f.base_size) {
        case 1: { const int8_t y = static_cast<int8_t>(x); Store(dst, &y, 1, false); break; }
        case 2: { const int16_t y = static_cast<int16_t>(x); Store(dst, &y, 2, f.swap); break; }
        case 4: { const int32_t y = static_cast<int32_t>(x); Store(dst, &y, 4, f.swap); break; }
        default: Store(dst, &x, 8, f.swap); break;
      }
      return true;
    }
    case NumpyKind::kFloat: {
      double d = 0;
      switch (v.type) {
        case Number::Type::kInt:
        case Number::Type::kBool: d = static_cast<double>(v.i); break;
        case Number::Type::kUInt: d = static_cast<double>(v.u); break;
        case Number::Type::kFloat: d = v.d; break;
      }
      switch (f.base_size) {
        case 8: Store(dst, &d, 8, f.swap); return true;
        case 4: {
          const float x = static_cast<float>(d);
          if (std::isinf(x) && std::isfinite(d)) return overflow();
          Store(dst, &x, 4, f.swap);
          return true;
        }
        default: {
          const uint16_t h = DoubleToHalf(d);
          if ((h & 0x7FFF) == 0x7C00 && std::isfinite(d)) return overflow();
          Store(dst, &h, 2, f.swap);
          return true;
        }
      }
    }
    case NumpyKind::kBool: {
      int64_t x = -1;
      if (v.type == Number::Type::kInt || v.type == Number::Type::kBool) x = v.i;
      if (v.type == Number::Type::kFloat && (v.d == 0.0 || v.d == 1.0)) x = static_cast<int64_t>(v.d);
      if (x != 0 && x != 1) return overflow();
      *dst = static_cast<uint8_t>(x);
      return true;
    }
    case NumpyKind::kBytes:
    case NumpyKind::kVoid:
      break;
  }
  return Fail(NumpyFillError::Kind::kParam, "a number cannot be stored in a bytes field");
}

bool Filler::List(ByteSpan value, uint8_t* dst) {
  MsgpackReader r(value);
  MsgpackItem head;
  if (!r.Next(&head).ok() || head.kind != MsgpackItem::Kind::kArray) {
    return Fail(NumpyFillError::Kind::kParam, "malformed list particle");
  }
  std::memset(dst, 0, field_->size);
  uint32_t next = 0;
  return ListItems(&r, head.count, 0, dst, &next);
}

// Writes the numbers of a (possibly nested) list in order, flattened.
bool Filler::ListItems(MsgpackReader* r, uint32_t count, int depth, uint8_t* dst,
                       uint32_t* next) {
  if (depth > kMaxListDepth) return Fail(NumpyFillError::Kind::kParam, "list nested too deeply");
  for (uint32_t k = 0; k < count; ++k) {
    Number v;
    if (r->TryNextDouble(&v.d)) {
      v.type = Number::Type::kFloat;
    } else if (!r->TryNextInt(&v.i)) {
      bool has_value = false;
      if (!ListItem(r, k, depth, dst, next, &v, &has_value)) return false;
      if (!has_value) continue;
    }
    if (*next >= field_->count) return ListTooLong();
    if (!Element(v, dst + static_cast<size_t>(*next) * field_->base_size)) return false;
    ++*next;
  }
  return true;
}

// The list item at the reader that is not a plain int64 or float: the
// ordered-list marker, a nested list (written here), nil, bool or a uint64
// above INT64_MAX. Sets `has_value` when `v` is a number still to store.
bool Filler::ListItem(MsgpackReader* r, uint32_t k, int depth, uint8_t* dst, uint32_t* next,
                      Number* v, bool* has_value) {
  MsgpackItem item;
  if (!r->Next(&item).ok()) return Fail(NumpyFillError::Kind::kParam, "malformed list particle");
  *has_value = true;
  switch (item.kind) {
    case MsgpackItem::Kind::kExt:
      if (k == 0 && proto::IsOrderFlagExt(item)) {  // ordered-list marker
        *has_value = false;
        return true;
      }
      return Fail(NumpyFillError::Kind::kParam, "a list item is not a number");
    case MsgpackItem::Kind::kArray:
      *has_value = false;
      return ListItems(r, item.count, depth + 1, dst, next);
    case MsgpackItem::Kind::kNil:
      if (*next >= field_->count) return ListTooLong();
      ++*next;  // no value: the element stays zero
      *has_value = false;
      return true;
    case MsgpackItem::Kind::kInt: v->type = Number::Type::kInt; v->i = item.i; return true;
    case MsgpackItem::Kind::kUInt: v->type = Number::Type::kUInt; v->u = item.u; return true;
    case MsgpackItem::Kind::kDouble: v->type = Number::Type::kFloat; v->d = item.d; return true;
    case MsgpackItem::Kind::kBool: v->type = Number::Type::kBool; v->i = item.b ? 1 : 0; return true;
    default:
      return Fail(NumpyFillError::Kind::kParam, "a list item is not a number");
  }
}

}  // namespace

int NumpyLayout::Find(std::string_view name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

bool NumpyBlock::Allocate(size_t n, uint32_t row_size) {
  size_t data_bytes = 0;
  if (__builtin_mul_overflow(n, size_t{row_size}, &data_bytes)) return false;
  rows = n;
  meta_offset = (data_bytes + 7) & ~size_t{7};
  if (meta_offset < data_bytes || n > (SIZE_MAX - meta_offset) / 16) return false;
  codes_offset = meta_offset + n * 8;
  size = codes_offset + n * 4;
  if (size == 0) size = 1;
  bytes.reset(static_cast<uint8_t*>(std::calloc(size, 1)));
  return bytes != nullptr;
}

bool FillNumpyRows(const NumpyLayout& layout, const client::BatchCommand& cmd,
                   NumpyBlock* block, NumpyFillError* error) {
  const size_t n = cmd.results.size();
  if (!block->Allocate(n, layout.row_size)) {
    error->kind = NumpyFillError::Kind::kParam;
    error->message = absl::StrCat("cannot allocate a NumPy result of ", n, " rows of ",
                                  layout.row_size, " bytes");
    return false;
  }
  Filler filler(layout, error);
  const int64_t now = proto::NowServerEpochSeconds();
  for (size_t i = 0; i < n; ++i) {
    const client::BatchRecordResult& r = cmd.results[i];
    if (!r.answered || r.result != ResultCode::kOk) continue;
    const uint32_t meta[2] = {r.generation, proto::TtlFromVoidTime(r.void_time, now)};
    std::memcpy(block->meta(i), meta, sizeof(meta));
    if (!filler.Record(i, r.message, block->row(i, layout.row_size))) return false;
  }
  return true;
}

void NumpyFiller::OnBatchDone(client::BatchCommand& cmd, const Status& status) {
  ran_ = true;
  // A failed batch is raised by the bridge; nothing to fill for it.
  if (!status.ok() || cmd.results.size() != cmd.keys.size()) return;
  FillNumpyRows(*layout_, cmd, &block_, &error_);
}

uint16_t DoubleToHalf(double d) {
  const uint64_t b = DoubleBits(d);
  const uint16_t sign = static_cast<uint16_t>((b >> 48) & 0x8000);
  const int exp = static_cast<int>((b >> 52) & 0x7FF);
  uint64_t mant = b & ((uint64_t{1} << 52) - 1);
  if (exp == 0x7FF) return sign | 0x7C00 | (mant != 0 ? 0x200 : 0);  // inf, NaN
  const int e = exp - 1023 + 15;  // the half's biased exponent
  if (e >= 31) return sign | 0x7C00;
  int shift;  // bits of the 53-bit significand dropped
  uint16_t exp_bits;
  if (e >= 1) {
    shift = 42;
    exp_bits = static_cast<uint16_t>(e << 10);
  } else {
    if (exp == 0) return sign;  // a double subnormal is far below the half range
    mant |= uint64_t{1} << 52;
    shift = 43 - e;  // subnormal half: units of 2^-24
    exp_bits = 0;
    if (shift > 63) return sign;
  }
  uint64_t m = mant >> shift;
  const uint64_t rest = mant & ((uint64_t{1} << shift) - 1);
  const uint64_t half = uint64_t{1} << (shift - 1);
  if (rest > half || (rest == half && (m & 1) != 0)) ++m;
  // A carry out of the mantissa lands in the exponent, which is the right
  // result (up to infinity).
  return static_cast<uint16_t>(sign | static_cast<uint16_t>(exp_bits + m));
}

double HalfToDouble(uint16_t h) {
  const double sign = (h & 0x8000) != 0 ? -1.0 : 1.0;
  const int exp = (h >> 10) & 0x1F;
  const int mant = h & 0x3FF;
  if (exp == 0) return sign * std::ldexp(static_cast<double>(mant), -24);
  if (exp == 31) return mant != 0 ? std::nan("") : sign * HUGE_VAL;
  return sign * std::ldexp(static_cast<double>(mant | 0x400), exp - 25);
}

}  // namespace aerospike_py::python
