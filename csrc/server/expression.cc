#include "server/expression.h"

#include <regex.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "common/byte_order.h"
#include "proto/msgpack.h"
#include "server/bins.h"

namespace aerospike_py::server {

namespace {

using proto::MsgpackItem;
using proto::MsgpackReader;

// Expression value kinds; kUnknown is the third truth value (a missing bin,
// a type that does not match what the expression asked for).
struct EVal {
  enum class K : uint8_t { kUnknown, kNil, kBool, kInt, kFloat, kStr, kBlob, kGeo, kList, kMap, kHll };
  K k = K::kUnknown;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string_view s;  // string/blob/geo text or raw msgpack of a collection
  std::string owned;   // storage for computed strings (set name)

  static EVal Bool(bool v) { EVal e; e.k = K::kBool; e.b = v; return e; }
  static EVal Int(int64_t v) { EVal e; e.k = K::kInt; e.i = v; return e; }
  static EVal Float(double v) { EVal e; e.k = K::kFloat; e.d = v; return e; }
};

enum Op : int {
  kEq = 1, kNe = 2, kGt = 3, kGe = 4, kLt = 5, kLe = 6, kRegex = 7, kGeo = 8,
  kAnd = 16, kOr = 17, kNot = 18, kExclusive = 19,
  kAdd = 20, kSub = 21, kMul = 22, kDiv = 23, kPow = 24, kLog = 25, kMod = 26,
  kAbs = 27, kFloor = 28, kCeil = 29, kToInt = 30, kToFloat = 31,
  kIntAnd = 32, kIntOr = 33, kIntXor = 34, kIntNot = 35, kIntLshift = 36,
  kIntRshift = 37, kIntArshift = 38, kIntCount = 39, kIntLscan = 40, kIntRscan = 41,
  kMin = 50, kMax = 51,
  kDigestModulo = 64, kDeviceSize = 65, kLastUpdate = 66, kSinceUpdate = 67,
  kVoidTime = 68, kTtl = 69, kSetName = 70, kKeyExists = 71, kIsTombstone = 72,
  kMemorySize = 73, kRecordSize = 74,
  kKey = 80, kBin = 81, kBinType = 82,
  kCond = 123, kVar = 124, kLet = 125, kQuote = 126,
};

// Integer arithmetic wraps (two's complement), as add, sub and mul already
// do: -INT64_MIN, INT64_MIN / -1 and abs(INT64_MIN) are INT64_MIN instead of
// undefined behaviour (the division traps: one request would kill the
// server).
int64_t WrappingNegate(int64_t v) { return static_cast<int64_t>(0 - static_cast<uint64_t>(v)); }

// A float to int conversion as the server's C cast gives it on x86-64:
// NaN and values outside int64 become INT64_MIN (a plain cast of those is
// undefined behaviour).
int64_t FloatToInt(double d) {
  if (!(d >= -0x1p63 && d < 0x1p63)) return INT64_MIN;
  return static_cast<int64_t>(d);
}

// Expression result types (exp_type) of BIN and KEY.
EVal::K KindOfExpType(int64_t t) {
  switch (t) {
    case 0: return EVal::K::kNil;
    case 1: return EVal::K::kBool;
    case 2: return EVal::K::kInt;
    case 3: return EVal::K::kStr;
    case 4: return EVal::K::kList;
    case 5: return EVal::K::kMap;
    case 6: return EVal::K::kBlob;
    case 7: return EVal::K::kFloat;
    case 8: return EVal::K::kGeo;
    case 9: return EVal::K::kHll;
    default: return EVal::K::kUnknown;
  }
}

EVal FromParticle(uint8_t type, std::string_view value) {
  EVal e;
  const auto* p = reinterpret_cast<const uint8_t*>(value.data());
  switch (static_cast<proto::ParticleType>(type)) {
    case proto::ParticleType::kInteger:
      if (value.size() == 8) { e.k = EVal::K::kInt; e.i = static_cast<int64_t>(LoadBE64(p)); }
      break;
    case proto::ParticleType::kFloat:
      if (value.size() == 8) { e.k = EVal::K::kFloat; e.d = BitsToDouble(LoadBE64(p)); }
      break;
    case proto::ParticleType::kString: e.k = EVal::K::kStr; e.s = value; break;
    case proto::ParticleType::kBool:
      if (value.size() == 1) { e.k = EVal::K::kBool; e.b = p[0] != 0; }
      break;
    case proto::ParticleType::kList: e.k = EVal::K::kList; e.s = value; break;
    case proto::ParticleType::kMap: e.k = EVal::K::kMap; e.s = value; break;
    case proto::ParticleType::kHll: e.k = EVal::K::kHll; e.s = value; break;
    case proto::ParticleType::kGeoJson: {
      e.k = EVal::K::kGeo;
      e.s = value;
      break;
    }
    default: e.k = EVal::K::kBlob; e.s = value; break;
  }
  return e;
}

class Evaluator {
 public:
  Evaluator(ByteSpan bytes, const FilterSubject& subject)
      : bytes_(bytes), subject_(subject) {}

  // False on a malformed or unsupported expression.
  bool Eval(MsgpackReader& r, EVal* out, int depth) {
    if (depth > 64) return false;
    MsgpackItem item;
    const size_t start = r.offset();
    if (!r.Next(&item).ok()) return false;
    switch (item.kind) {
      case MsgpackItem::Kind::kNil: out->k = EVal::K::kNil; return true;
      case MsgpackItem::Kind::kBool: *out = EVal::Bool(item.b); return true;
      case MsgpackItem::Kind::kInt: *out = EVal::Int(item.i); return true;
      case MsgpackItem::Kind::kUInt: *out = EVal::Int(static_cast<int64_t>(item.u)); return true;
      case MsgpackItem::Kind::kDouble: *out = EVal::Float(item.d); return true;
      case MsgpackItem::Kind::kStr:
      case MsgpackItem::Kind::kBin: {
        if (item.data.empty()) { out->k = EVal::K::kBlob; out->s = {}; return true; }
        const uint8_t prefix = static_cast<uint8_t>(item.data[0]);
        out->s = item.data.substr(1);
        out->k = prefix == 3 ? EVal::K::kStr : prefix == 23 ? EVal::K::kGeo : EVal::K::kBlob;
        return true;
      }
      case MsgpackItem::Kind::kMap: {
        for (uint32_t n = 0; n < item.count * 2; ++n) {
          if (!r.Skip().ok()) return false;
        }
        out->k = EVal::K::kMap;
        out->s = AsChars(bytes_.subspan(start, r.offset() - start));
        return true;
      }
      case MsgpackItem::Kind::kExt:
        return false;
      case MsgpackItem::Kind::kArray:
        break;
    }
    if (item.count == 0) return false;
    MsgpackItem op_item;
    if (!r.Next(&op_item).ok() || op_item.kind != MsgpackItem::Kind::kInt) return false;
    return EvalOp(static_cast<int>(op_item.i), item.count - 1, r, out, depth);
  }

 private:
  bool ReadRawString(MsgpackReader& r, std::string_view* s) {
    MsgpackItem item;
    if (!r.Next(&item).ok() || item.kind != MsgpackItem::Kind::kStr) return false;
    *s = item.data;
    return true;
  }
  bool ReadInt(MsgpackReader& r, int64_t* v) {
    MsgpackItem item;
    if (!r.Next(&item).ok() || item.kind != MsgpackItem::Kind::kInt) return false;
    *v = item.i;
    return true;
  }

  static EVal Unknown() { return EVal{}; }

  static int Compare(const EVal& a, const EVal& b, bool* comparable) {
    *comparable = true;
    switch (a.k) {
      case EVal::K::kInt: return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
      case EVal::K::kFloat: return a.d < b.d ? -1 : a.d > b.d ? 1 : 0;
      case EVal::K::kBool: return static_cast<int>(a.b) - static_cast<int>(b.b);
      case EVal::K::kNil: return 0;
      case EVal::K::kStr:
      case EVal::K::kBlob:
      case EVal::K::kGeo:
      case EVal::K::kHll:
        return a.s.compare(b.s) < 0 ? -1 : a.s == b.s ? 0 : 1;
      case EVal::K::kList:
      case EVal::K::kMap:
        // Only equality is meaningful on raw collections.
        return a.s == b.s ? 0 : 1;
      case EVal::K::kUnknown:
        break;
    }
    *comparable = false;
    return 0;
  }

  bool EvalOp(int op, uint32_t argc, MsgpackReader& r, EVal* out, int depth) {
    switch (op) {
      case kEq: case kNe: case kGt: case kGe: case kLt: case kLe: {
        if (argc != 2) return false;
        EVal a, b;
        if (!Eval(r, &a, depth + 1) || !Eval(r, &b, depth + 1)) return false;
        if (a.k == EVal::K::kUnknown || b.k == EVal::K::kUnknown || a.k != b.k) {
          *out = Unknown();
          return true;
        }
        bool ok;
        const int c = Compare(a, b, &ok);
        if (!ok) { *out = Unknown(); return true; }
        bool v = false;
        switch (op) {
          case kEq: v = c == 0; break;
          case kNe: v = c != 0; break;
          case kGt: v = c > 0; break;
          case kGe: v = c >= 0; break;
          case kLt: v = c < 0; break;
          case kLe: v = c <= 0; break;
        }
        *out = EVal::Bool(v);
        return true;
      }
      case kRegex: {
        if (argc != 3) return false;
        int64_t flags;
        std::string_view pattern;
        if (!ReadInt(r, &flags) || !ReadRawString(r, &pattern)) return false;
        EVal s;
        if (!Eval(r, &s, depth + 1)) return false;
        if (s.k != EVal::K::kStr) { *out = Unknown(); return true; }
        regex_t re;
        const std::string pat(pattern);
        if (regcomp(&re, pat.c_str(), static_cast<int>(flags) | REG_NOSUB) != 0) return false;
        const std::string subject(s.s);
        const bool match = regexec(&re, subject.c_str(), 0, nullptr, 0) == 0;
        regfree(&re);
        *out = EVal::Bool(match);
        return true;
      }
      case kAnd: case kOr: {
        bool any_unknown = false;
        bool decided = false;
        for (uint32_t n = 0; n < argc; ++n) {
          EVal v;
          if (!Eval(r, &v, depth + 1)) return false;
          if (decided) continue;
          if (v.k == EVal::K::kUnknown) { any_unknown = true; continue; }
          if (v.k != EVal::K::kBool) return false;
          if (op == kAnd && !v.b) decided = true;
          if (op == kOr && v.b) decided = true;
        }
        if (decided) *out = EVal::Bool(op == kOr);
        else if (any_unknown) *out = Unknown();
        else *out = EVal::Bool(op == kAnd);
        return true;
      }
      case kNot: {
        if (argc != 1) return false;
        EVal v;
        if (!Eval(r, &v, depth + 1)) return false;
        if (v.k == EVal::K::kUnknown) { *out = Unknown(); return true; }
        if (v.k != EVal::K::kBool) return false;
        *out = EVal::Bool(!v.b);
        return true;
      }
      case kExclusive: {
        int trues = 0;
        bool unknown = false;
        for (uint32_t n = 0; n < argc; ++n) {
          EVal v;
          if (!Eval(r, &v, depth + 1)) return false;
          if (v.k == EVal::K::kUnknown) unknown = true;
          else if (v.k != EVal::K::kBool) return false;
          else trues += v.b ? 1 : 0;
        }
        *out = unknown ? Unknown() : EVal::Bool(trues == 1);
        return true;
      }
      case kAdd: case kSub: case kMul: case kDiv: case kMin: case kMax:
      case kIntAnd: case kIntOr: case kIntXor:
        return Variadic(op, argc, r, out, depth);
      case kPow: case kLog: case kMod: case kIntLshift: case kIntRshift: case kIntArshift: {
        if (argc != 2) return false;
        EVal a, b;
        if (!Eval(r, &a, depth + 1) || !Eval(r, &b, depth + 1)) return false;
        if (a.k == EVal::K::kUnknown || b.k == EVal::K::kUnknown) { *out = Unknown(); return true; }
        if (op == kPow || op == kLog) {
          if (a.k != EVal::K::kFloat || b.k != EVal::K::kFloat) return false;
          *out = EVal::Float(op == kPow ? std::pow(a.d, b.d) : std::log(a.d) / std::log(b.d));
          return true;
        }
        if (a.k != EVal::K::kInt || b.k != EVal::K::kInt) return false;
        if (op == kMod) {
          if (b.i == 0) { *out = Unknown(); return true; }
          *out = EVal::Int(b.i == -1 ? 0 : a.i % b.i);  // INT64_MIN % -1 traps
        } else if (op == kIntLshift) {
          *out = EVal::Int(static_cast<int64_t>(static_cast<uint64_t>(a.i) << (b.i & 63)));
        } else if (op == kIntRshift) {
          *out = EVal::Int(static_cast<int64_t>(static_cast<uint64_t>(a.i) >> (b.i & 63)));
        } else {
          *out = EVal::Int(a.i >> (b.i & 63));
        }
        return true;
      }
      case kAbs: case kFloor: case kCeil: case kToInt: case kToFloat: case kIntNot: case kIntCount: {
        if (argc != 1) return false;
        EVal a;
        if (!Eval(r, &a, depth + 1)) return false;
        if (a.k == EVal::K::kUnknown) { *out = Unknown(); return true; }
        switch (op) {
          case kAbs:
            if (a.k == EVal::K::kInt) *out = EVal::Int(a.i < 0 ? WrappingNegate(a.i) : a.i);
            else if (a.k == EVal::K::kFloat) *out = EVal::Float(std::fabs(a.d));
            else return false;
            return true;
          case kFloor: case kCeil:
            if (a.k != EVal::K::kFloat) return false;
            *out = EVal::Float(op == kFloor ? std::floor(a.d) : std::ceil(a.d));
            return true;
          case kToInt:
            if (a.k != EVal::K::kFloat) return false;
            *out = EVal::Int(FloatToInt(a.d));
            return true;
          case kToFloat:
            if (a.k != EVal::K::kInt) return false;
            *out = EVal::Float(static_cast<double>(a.i));
            return true;
          case kIntNot:
            if (a.k != EVal::K::kInt) return false;
            *out = EVal::Int(~a.i);
            return true;
          default:
            if (a.k != EVal::K::kInt) return false;
            *out = EVal::Int(__builtin_popcountll(static_cast<uint64_t>(a.i)));
            return true;
        }
      }
      case kDigestModulo: {
        int64_t m;
        if (argc != 1 || !ReadInt(r, &m) || m <= 0) return false;
        const uint32_t v = LoadLE32(subject_.digest + 16);
        *out = EVal::Int(static_cast<int64_t>(v % static_cast<uint64_t>(m)));
        return true;
      }
      case kLastUpdate:
        *out = EVal::Int(static_cast<int64_t>(subject_.record->last_update_ns));
        return argc == 0;
      case kSinceUpdate:
        *out = EVal::Int(static_cast<int64_t>(
            (subject_.now_ns - subject_.record->last_update_ns) / 1000000));
        return argc == 0;
      case kVoidTime: {
        const uint32_t vt = subject_.record->void_time;
        *out = EVal::Int(vt == 0 ? -1
                                 : (static_cast<int64_t>(vt) + proto::kCitrusleafEpoch) *
                                       1000000000ll);
        return argc == 0;
      }
      case kTtl: {
        const uint32_t vt = subject_.record->void_time;
        const int64_t now_s = static_cast<int64_t>(subject_.now_ns / 1000000000ull) -
                              proto::kCitrusleafEpoch;
        *out = EVal::Int(vt == 0 ? -1 : std::max<int64_t>(0, static_cast<int64_t>(vt) - now_s));
        return argc == 0;
      }
      case kSetName:
        out->k = EVal::K::kStr;
        out->s = subject_.set_name;
        return argc == 0;
      case kKeyExists:
        *out = EVal::Bool(!subject_.record->key.empty());
        return argc == 0;
      case kIsTombstone:
        *out = EVal::Bool(false);
        return argc == 0;
      case kDeviceSize: case kMemorySize: case kRecordSize:
        *out = EVal::Int(static_cast<int64_t>(subject_.record->bins.size() +
                                              subject_.record->key.size()));
        return argc == 0;
      case kKey: {
        int64_t type;
        if (argc != 1 || !ReadInt(r, &type)) return false;
        const std::string& key = subject_.record->key;
        if (key.empty()) { *out = Unknown(); return true; }
        EVal v = FromParticle(static_cast<uint8_t>(key[0]), std::string_view(key).substr(1));
        *out = v.k == KindOfExpType(type) ? v : Unknown();
        return true;
      }
      case kBin: {
        int64_t type;
        std::string_view name;
        if (argc != 2 || !ReadInt(r, &type) || !ReadRawString(r, &name)) return false;
        BinView b;
        if (!FindBin(subject_.record->bins, name, &b)) { *out = Unknown(); return true; }
        EVal v = FromParticle(b.type, b.value);
        if (v.k == EVal::K::kGeo) {
          // Skip the cell ids in front of the GeoJSON text.
          if (v.s.size() < 3) { *out = Unknown(); return true; }
          const size_t ncells = LoadBE16(reinterpret_cast<const uint8_t*>(v.s.data()) + 1);
          if (3 + ncells * 8 > v.s.size()) { *out = Unknown(); return true; }
          v.s.remove_prefix(3 + ncells * 8);
        }
        *out = v.k == KindOfExpType(type) ? v : Unknown();
        return true;
      }
      case kBinType: {
        std::string_view name;
        if (argc != 1 || !ReadRawString(r, &name)) return false;
        BinView b;
        *out = EVal::Int(FindBin(subject_.record->bins, name, &b) ? b.type : 0);
        return true;
      }
      case kCond: {
        if (argc < 3 || argc % 2 == 0) return false;
        bool chosen = false;
        for (uint32_t n = 0; n + 1 < argc; n += 2) {
          EVal c;
          if (chosen) {
            if (!r.Skip().ok() || !r.Skip().ok()) return false;
            continue;
          }
          if (!Eval(r, &c, depth + 1)) return false;
          if (c.k == EVal::K::kBool && c.b) {
            if (!Eval(r, out, depth + 1)) return false;
            chosen = true;
          } else if (!r.Skip().ok()) {
            return false;
          }
        }
        if (chosen) return r.Skip().ok();
        return Eval(r, out, depth + 1);
      }
      case kLet: {
        if (argc < 1 || argc % 2 == 0) return false;
        const size_t mark = vars_.size();
        for (uint32_t n = 0; n + 1 < argc; n += 2) {
          std::string_view name;
          if (!ReadRawString(r, &name)) return false;
          EVal v;
          if (!Eval(r, &v, depth + 1)) return false;
          vars_.push_back(Var{name, std::move(v)});
        }
        const bool ok = Eval(r, out, depth + 1);
        vars_.resize(mark);
        return ok;
      }
      case kVar: {
        std::string_view name;
        if (argc != 1 || !ReadRawString(r, &name)) return false;
        for (size_t n = vars_.size(); n-- > 0;) {
          if (vars_[n].name == name) {
            *out = vars_[n].value;
            return true;
          }
        }
        return false;
      }
      case kQuote: {
        if (argc != 1) return false;
        const size_t start = r.offset();
        if (!r.Skip().ok()) return false;
        out->k = EVal::K::kList;
        out->s = AsChars(bytes_.subspan(start, r.offset() - start));
        return true;
      }
      default:
        return false;
    }
  }

  bool Variadic(int op, uint32_t argc, MsgpackReader& r, EVal* out, int depth) {
    if (argc == 0) return false;
    EVal acc;
    if (!Eval(r, &acc, depth + 1)) return false;
    bool unknown = acc.k == EVal::K::kUnknown;
    const bool is_int_op = op == kIntAnd || op == kIntOr || op == kIntXor;
    if (!unknown && acc.k != EVal::K::kInt && (is_int_op || acc.k != EVal::K::kFloat)) return false;
    for (uint32_t n = 1; n < argc; ++n) {
      EVal v;
      if (!Eval(r, &v, depth + 1)) return false;
      if (v.k == EVal::K::kUnknown || unknown) { unknown = true; continue; }
      if (v.k != acc.k) return false;
      if (acc.k == EVal::K::kInt) {
        switch (op) {
          case kAdd: acc.i = static_cast<int64_t>(static_cast<uint64_t>(acc.i) + static_cast<uint64_t>(v.i)); break;
          case kSub: acc.i = static_cast<int64_t>(static_cast<uint64_t>(acc.i) - static_cast<uint64_t>(v.i)); break;
          case kMul: acc.i = static_cast<int64_t>(static_cast<uint64_t>(acc.i) * static_cast<uint64_t>(v.i)); break;
          case kDiv:
            if (v.i == 0) { unknown = true; break; }
            acc.i = v.i == -1 ? WrappingNegate(acc.i) : acc.i / v.i;
            break;
          case kMin: acc.i = std::min(acc.i, v.i); break;
          case kMax: acc.i = std::max(acc.i, v.i); break;
          case kIntAnd: acc.i &= v.i; break;
          case kIntOr: acc.i |= v.i; break;
          case kIntXor: acc.i ^= v.i; break;
        }
      } else {
        switch (op) {
          case kAdd: acc.d += v.d; break;
          case kSub: acc.d -= v.d; break;
          case kMul: acc.d *= v.d; break;
          case kDiv: acc.d /= v.d; break;
          case kMin: acc.d = std::min(acc.d, v.d); break;
          case kMax: acc.d = std::max(acc.d, v.d); break;
        }
      }
    }
    if (argc == 1 && (op == kSub) && !unknown) {
      // A single operand negates.
      if (acc.k == EVal::K::kInt) acc.i = WrappingNegate(acc.i); else acc.d = -acc.d;
    }
    *out = unknown ? Unknown() : acc;
    return true;
  }

  struct Var {
    std::string_view name;
    EVal value;
  };

  ByteSpan bytes_;
  const FilterSubject& subject_;
  std::vector<Var> vars_;
};

}  // namespace

FilterResult EvaluateFilter(ByteSpan expression, const FilterSubject& subject) {
  Evaluator ev(expression, subject);
  MsgpackReader reader(expression);
  EVal v;
  if (!ev.Eval(reader, &v, 0) || !reader.AtEnd()) return FilterResult::kError;
  if (v.k == EVal::K::kUnknown) return FilterResult::kFalse;
  if (v.k != EVal::K::kBool) return FilterResult::kError;
  return v.b ? FilterResult::kTrue : FilterResult::kFalse;
}

bool EvaluateExpression(ByteSpan expression, const FilterSubject& subject,
                        ExpressionValue* out) {
  Evaluator ev(expression, subject);
  MsgpackReader reader(expression);
  EVal v;
  if (!ev.Eval(reader, &v, 0) || !reader.AtEnd()) return false;
  *out = ExpressionValue();
  uint8_t be[8];
  switch (v.k) {
    case EVal::K::kUnknown: out->unknown = true; break;
    case EVal::K::kNil: break;
    case EVal::K::kBool:
      out->particle_type = static_cast<uint8_t>(proto::ParticleType::kBool);
      out->bytes.assign(1, v.b ? 1 : 0);
      break;
    case EVal::K::kInt:
      out->particle_type = static_cast<uint8_t>(proto::ParticleType::kInteger);
      StoreBE64(be, static_cast<uint64_t>(v.i));
      out->bytes.assign(reinterpret_cast<const char*>(be), 8);
      break;
    case EVal::K::kFloat:
      out->particle_type = static_cast<uint8_t>(proto::ParticleType::kFloat);
      StoreBE64(be, DoubleBits(v.d));
      out->bytes.assign(reinterpret_cast<const char*>(be), 8);
      break;
    case EVal::K::kStr:
      out->particle_type = static_cast<uint8_t>(proto::ParticleType::kString);
      out->bytes.assign(v.s);
      break;
    case EVal::K::kBlob:
      out->particle_type = static_cast<uint8_t>(proto::ParticleType::kBlob);
      out->bytes.assign(v.s);
      break;
    case EVal::K::kGeo:
      // GeoJSON text (its cells, if any, were skipped); stored with a
      // cell-less header, cells are added by the write path.
      out->particle_type = static_cast<uint8_t>(proto::ParticleType::kGeoJson);
      out->bytes.assign(3, '\0');
      out->bytes.append(v.s);
      break;
    case EVal::K::kList:
      out->particle_type = static_cast<uint8_t>(proto::ParticleType::kList);
      out->bytes.assign(v.s);
      break;
    case EVal::K::kMap:
      out->particle_type = static_cast<uint8_t>(proto::ParticleType::kMap);
      out->bytes.assign(v.s);
      break;
    case EVal::K::kHll:
      out->particle_type = static_cast<uint8_t>(proto::ParticleType::kHll);
      out->bytes.assign(v.s);
      break;
  }
  return true;
}

}  // namespace aerospike_py::server
