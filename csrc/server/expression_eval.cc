#include "server/expression_eval.h"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "common/byte_order.h"
#include "proto/constants.h"
#include "proto/msgpack.h"
#include "server/bins.h"
#include "server/expression_cdt.h"

namespace aerospike_py::server::exp {
namespace {

using proto::ParticleType;
using K = Value::Kind;

int64_t Wrap(uint64_t v) { return static_cast<int64_t>(v); }
int64_t WrapAdd(int64_t a, int64_t b) {
  return Wrap(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t WrapSub(int64_t a, int64_t b) {
  return Wrap(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t WrapMul(int64_t a, int64_t b) {
  return Wrap(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}
// a / b and a % b where the hardware would trap (INT64_MIN / -1): the real
// server's process would die there; the embedded one gives the wrapped
// quotient and a zero remainder.
int64_t SafeDiv(int64_t a, int64_t b) { return b == -1 ? WrapSub(0, a) : a / b; }
int64_t SafeMod(int64_t a, int64_t b) { return b == -1 ? 0 : a % b; }

// A C cast of a double to int64 as x86-64 does it (cvttsd2si): NaN and
// out-of-range values give INT64_MIN.
int64_t FloatToInt(double d) {
  if (!(d >= -0x1p63 && d < 0x1p63)) return INT64_MIN;
  return static_cast<int64_t>(d);
}

// A record's bin as a value (the server's eval_bin): unknown when the type
// differs from the one the expression asked for.
Value FromBin(const BinView& b, Type want) {
  Value v;
  const auto* p = reinterpret_cast<const uint8_t*>(b.value.data());
  switch (static_cast<ParticleType>(b.type)) {
    case ParticleType::kInteger:
      if (want != Type::kInt || b.value.size() != 8) return Value();
      return Value::Int(static_cast<int64_t>(LoadBE64(p)));
    case ParticleType::kFloat:
      if (want != Type::kFloat || b.value.size() != 8) return Value();
      return Value::Float(BitsToDouble(LoadBE64(p)));
    case ParticleType::kBool:
      if (want != Type::kTrilean || b.value.size() != 1) return Value();
      return Value::Bool(p[0] != 0);
    case ParticleType::kString:
      if (want != Type::kStr) return Value();
      v.kind = K::kStr;
      break;
    case ParticleType::kBlob:
      if (want != Type::kBlob) return Value();
      v.kind = K::kBlob;
      break;
    case ParticleType::kHll:
      if (want != Type::kHll) return Value();
      v.kind = K::kHll;
      break;
    case ParticleType::kList:
      if (want != Type::kList) return Value();
      v.kind = K::kMsgpack;
      break;
    case ParticleType::kMap:
      if (want != Type::kMap) return Value();
      v.kind = K::kMsgpack;
      break;
    case ParticleType::kGeoJson: {
      if (want != Type::kGeo || b.value.size() < 3) return Value();
      const size_t ncells = LoadBE16(p + 1);
      if (3 + ncells * 8 > b.value.size()) return Value();
      v.kind = K::kGeo;
      v.bytes = b.value.substr(3 + ncells * 8);
      v.particle_type = b.type;
      v.particle = b.value;
      return v;
    }
    default:
      return Value();
  }
  v.bytes = b.value;
  v.particle_type = b.type;
  v.particle = b.value;
  return v;
}

// A particle (a call's result) as a value; `declared`: the call's type.
Value FromParticle(uint8_t type, std::string data, Type declared) {
  auto expect = [&](Type t) { return declared == t; };
  Value v;
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  switch (static_cast<ParticleType>(type)) {
    case ParticleType::kNull:
      if (!expect(Type::kNil)) return Value();
      v.kind = K::kNil;
      return v;
    case ParticleType::kInteger:
      if (!expect(Type::kInt) || data.size() != 8) return Value();
      return Value::Int(static_cast<int64_t>(LoadBE64(p)));
    case ParticleType::kFloat:
      if (!expect(Type::kFloat) || data.size() != 8) return Value();
      return Value::Float(BitsToDouble(LoadBE64(p)));
    case ParticleType::kBool:
      if (!expect(Type::kTrilean) || data.size() != 1) return Value();
      return Value::Bool(p[0] != 0);
    case ParticleType::kString:
      if (!expect(Type::kStr)) return Value();
      v = Value::Owned(K::kStr, std::move(data));
      break;
    case ParticleType::kBlob:
      if (!expect(Type::kBlob)) return Value();
      v = Value::Owned(K::kBlob, std::move(data));
      break;
    case ParticleType::kHll:
      if (!expect(Type::kHll)) return Value();
      v = Value::Owned(K::kHll, std::move(data));
      break;
    case ParticleType::kList:
      if (!expect(Type::kList)) return Value();
      v = Value::Owned(K::kMsgpack, std::move(data));
      break;
    case ParticleType::kMap:
      if (!expect(Type::kMap)) return Value();
      v = Value::Owned(K::kMsgpack, std::move(data));
      break;
    case ParticleType::kGeoJson: {
      if (!expect(Type::kGeo) || data.size() < 3) return Value();
      const size_t ncells = LoadBE16(p + 1);
      if (3 + ncells * 8 > data.size()) return Value();
      v = Value::Owned(K::kGeo, std::move(data));
      v.particle_type = type;
      v.particle = v.bytes;
      v.bytes = v.particle.substr(3 + ncells * 8);
      v.geo = ParseGeoJson(v.bytes);
      if (v.geo == nullptr) return Value();
      return v;
    }
    default:
      return Value();
  }
  v.particle_type = type;
  v.particle = v.bytes;
  return v;
}

void PackTyped(std::string* out, uint8_t type, std::string_view data) {
  const uint32_t n = static_cast<uint32_t>(data.size()) + 1;
  if (n < 32) {
    out->push_back(static_cast<char>(0xa0 | n));
  } else if (n < 0x100) {
    out->push_back(static_cast<char>(0xd9));
    out->push_back(static_cast<char>(n));
  } else if (n < 0x10000) {
    out->push_back(static_cast<char>(0xda));
    out->push_back(static_cast<char>(n >> 8));
    out->push_back(static_cast<char>(n));
  } else {
    out->push_back(static_cast<char>(0xdb));
    for (int s = 24; s >= 0; s -= 8) out->push_back(static_cast<char>(n >> s));
  }
  out->push_back(static_cast<char>(type));
  out->append(data);
}

// A value as msgpack (a call's argument, in_list's needle); false for
// unknown.
bool ToMsgpack(const Value& v, std::string* out) {
  ByteBuffer buf;
  proto::MsgpackWriter w(&buf);
  switch (v.kind) {
    case K::kUnknown:
    case K::kRemove:
      return false;
    case K::kNil: w.Nil(); break;
    case K::kBool: w.Bool(v.b); break;
    case K::kInt: w.Int(v.i); break;
    case K::kFloat: w.Double(v.d); break;
    case K::kStr: PackTyped(out, 3, v.bytes); return true;
    case K::kBlob: PackTyped(out, 4, v.bytes); return true;
    case K::kHll: PackTyped(out, 18, v.bytes); return true;
    case K::kGeo:
      if (!v.packed_geo.empty()) {
        out->append(v.packed_geo);
      } else {
        PackTyped(out, 23, v.bytes);
      }
      return true;
    case K::kMsgpack: out->append(v.bytes); return true;
  }
  out->append(AsChars(buf.span()));
  return true;
}

class Evaluator {
 public:
  Evaluator(const Subject& s, uint32_t n_vars) : s_(s), vars_(n_vars) {}

  Value Eval(const Node& n) {
    switch (n.code) {
      case kValNil: {
        Value v;
        v.kind = K::kNil;
        return v;
      }
      case kValBool: return Value::Bool(n.b);
      case kValInt: return Value::Int(n.i);
      case kValFloat: return Value::Float(n.d);
      case kValStr: return Bytes(K::kStr, n.bytes);
      case kValBlob: return Bytes(K::kBlob, n.bytes);
      case kValHll: return Bytes(K::kHll, n.bytes);
      case kValGeo: {
        Value v = Bytes(K::kGeo, n.geo_text);
        v.geo = n.geo;
        v.packed_geo = n.bytes;
        return v;
      }
      case kValMap: case kValList: case kValMsgpack: return Bytes(K::kMsgpack, n.bytes);
      case kUnknownOp: return Value();
      case kEq: case kNe: case kGt: case kGe: case kLt: case kLe: return Compare(n);
      case kRegex: return Regex(n);
      case kGeoCmp: return GeoCompare(n);
      case kInList: return InList(n);
      case kAnd: case kOr: return AndOr(n);
      case kNot: {
        Value v = Eval(n.children[0]);
        if (v.unknown()) return v;
        return Value::Bool(!v.b);
      }
      case kExclusive: return Exclusive(n);
      case kAdd: case kSub: case kMul: case kMin: case kMax: return Arith(n);
      case kDiv: return Div(n);
      case kPow: case kLog: {
        Value a = Eval(n.children[0]);
        if (a.unknown()) return a;
        Value b = Eval(n.children[1]);
        if (b.unknown()) return b;
        return Value::Float(n.code == kPow ? std::pow(a.d, b.d) : std::log(a.d) / std::log(b.d));
      }
      case kMod: {
        Value a = Eval(n.children[0]);
        if (a.unknown()) return a;
        Value b = Eval(n.children[1]);
        if (b.unknown() || b.i == 0) return Value();
        return Value::Int(SafeMod(a.i, b.i));
      }
      case kAbs: {
        Value a = Eval(n.children[0]);
        if (a.unknown()) return a;
        if (a.kind == K::kFloat) return Value::Float(std::fabs(a.d));
        return Value::Int(a.i < 0 ? WrapSub(0, a.i) : a.i);
      }
      case kFloor: case kCeil: {
        Value a = Eval(n.children[0]);
        if (a.unknown()) return a;
        return Value::Float(n.code == kFloor ? std::floor(a.d) : std::ceil(a.d));
      }
      case kToInt: {
        Value a = Eval(n.children[0]);
        if (a.unknown()) return a;
        return Value::Int(FloatToInt(a.d));
      }
      case kToFloat: {
        Value a = Eval(n.children[0]);
        if (a.unknown()) return a;
        return Value::Float(static_cast<double>(a.i));
      }
      case kIntAnd: case kIntOr: case kIntXor: return IntVargs(n);
      case kIntNot: {
        Value a = Eval(n.children[0]);
        if (a.unknown()) return a;
        return Value::Int(~a.i);
      }
      case kIntCount: {
        Value a = Eval(n.children[0]);
        if (a.unknown()) return a;
        return Value::Int(__builtin_popcountll(static_cast<uint64_t>(a.i)));
      }
      case kIntLshift: case kIntRshift: case kIntArshift: return Shift(n);
      case kIntLscan: case kIntRscan: return Scan(n);
      case kDigestModulo: {
        uint32_t v;
        std::memcpy(&v, s_.digest + 16, 4);  // little-endian, as the server reads it
        return Value::Int(static_cast<int64_t>(v) % n.i);
      }
      case kDeviceSize:
        return Value::Int(0);  // memory-only namespaces report 0
      case kMemorySize: case kRecordSize:
        return Value::Int(s_.stored_size);
      case kLastUpdate:
        return Value::Int(static_cast<int64_t>(LastUpdateMs() * 1000000));
      case kSinceUpdate: {
        const uint64_t now_ms = s_.now_ns / 1000000;
        const uint64_t lut = LastUpdateMs();
        return Value::Int(static_cast<int64_t>(now_ms > lut ? now_ms - lut : 0));
      }
      case kVoidTime: {
        const uint32_t vt = VoidTime();
        if (vt == 0) return Value::Int(-1);
        return Value::Int((static_cast<int64_t>(vt) + proto::kCitrusleafEpoch) * 1000000000ll);
      }
      case kTtl: {
        const uint32_t vt = VoidTime();
        if (vt == 0) return Value::Int(-1);
        const uint32_t now = ServerEpochSeconds(s_.now_ns);
        return Value::Int(vt > now ? static_cast<int64_t>(vt - now) : 1);
      }
      case kSetName: return Bytes(K::kStr, s_.set_name);
      case kKeyExists:
        return Value::Bool(s_.record != nullptr && !s_.record->key.empty());
      case kIsTombstone:
        return Value::Bool(false);
      case kKey: return Key(n);
      case kBin: {
        BinView b;
        if (!FindBin(s_.bins, n.bytes, &b)) return Value();
        return FromBin(b, n.type);
      }
      case kBinType: {
        BinView b;
        return Value::Int(FindBin(s_.bins, n.bytes, &b) ? b.type : 0);
      }
      case kResultRemove: {
        Value v;
        v.kind = K::kRemove;
        return v;
      }
      case kMapKeys: case kMapValues: return MapKv(n);
      case kVarBuiltin:
        // Only path expressions bind the builtin variables.
        return Value();
      case kCond: return Cond(n);
      case kVar: return vars_[n.slot];
      case kLet: {
        const uint32_t count = static_cast<uint32_t>(n.i);
        for (uint32_t k = 0; k < count; ++k) vars_[n.slot + k] = Eval(n.children[k]);
        return Eval(n.children[count]);
      }
      case kCall: return Call(n);
      default:
        return Value();
    }
  }

 private:
  static Value Bytes(K kind, std::string_view b) {
    Value v;
    v.kind = kind;
    v.bytes = b;
    return v;
  }

  uint64_t LastUpdateMs() const {
    return s_.record == nullptr ? 0 : s_.record->last_update_ns / 1000000;
  }
  uint32_t VoidTime() const { return s_.record == nullptr ? 0 : s_.record->void_time; }

  Value Compare(const Node& n) {
    Value a = Eval(n.children[0]);
    if (a.unknown()) return a;
    Value b = Eval(n.children[1]);
    if (b.unknown()) return b;
    int c = 0;
    switch (a.kind) {
      case K::kNil:
        c = 0;
        break;
      case K::kBool:
        c = static_cast<int>(a.b) - static_cast<int>(b.b);
        break;
      case K::kInt:
        c = a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
        break;
      case K::kFloat: {
        // IEEE comparisons: with a NaN every ordered test is false.
        bool r = false;
        switch (n.code) {
          case kEq: r = a.d == b.d; break;
          case kNe: r = a.d != b.d; break;
          case kGt: r = a.d > b.d; break;
          case kGe: r = a.d >= b.d; break;
          case kLt: r = a.d < b.d; break;
          default: r = a.d <= b.d; break;
        }
        return Value::Bool(r);
      }
      case K::kStr:
      case K::kBlob: {
        const size_t m = std::min(a.bytes.size(), b.bytes.size());
        c = m == 0 ? 0 : std::memcmp(a.bytes.data(), b.bytes.data(), m);
        if (c == 0 && a.bytes.size() != b.bytes.size()) c = a.bytes.size() < b.bytes.size() ? -1 : 1;
        break;
      }
      case K::kMsgpack:
        if (!CompareMsgpack(a.bytes, b.bytes, true, &c)) return Value();
        break;
      default:
        return Value();
    }
    bool r = false;
    switch (n.code) {
      case kEq: r = c == 0; break;
      case kNe: r = c != 0; break;
      case kGt: r = c > 0; break;
      case kGe: r = c >= 0; break;
      case kLt: r = c < 0; break;
      default: r = c <= 0; break;
    }
    return Value::Bool(r);
  }

  Value Regex(const Node& n) {
    Value s = Eval(n.children[0]);
    if (s.unknown()) return s;
    if (s.kind != K::kStr) return Value();
    const std::string subject(s.bytes);
    return Value::Bool(regexec(&n.regex->re, subject.c_str(), 0, nullptr, 0) == 0);
  }

  Value GeoCompare(const Node& n) {
    Value a = Eval(n.children[0]);
    if (a.unknown()) return a;
    Value b = Eval(n.children[1]);
    if (b.unknown()) return b;
    for (Value* v : {&a, &b}) {
      if (v->geo == nullptr) v->geo = ParseGeoJson(v->bytes);
      if (v->geo == nullptr) return Value();
    }
    return Value::Bool(GeoMatch(*a.geo, *b.geo));
  }

  Value InList(const Node& n) {
    Value needle = Eval(n.children[0]);
    if (needle.unknown()) return Value();
    Value list = Eval(n.children[1]);
    if (list.unknown() || list.kind != K::kMsgpack) return Value();
    std::string packed;
    if (!ToMsgpack(needle, &packed)) return Value();
    proto::MsgpackReader r(AsBytes(list.bytes));
    proto::MsgpackItem head;
    if (!r.Next(&head).ok() || head.kind != proto::MsgpackItem::Kind::kArray) return Value();
    for (uint32_t k = 0; k < head.count; ++k) {
      const size_t start = r.offset();
      if (!r.Skip().ok()) return Value();
      const std::string_view element = list.bytes.substr(start, r.offset() - start);
      int c;
      if (!CompareMsgpack(packed, element, false, &c)) return Value();
      if (c == 0) return Value::Bool(true);
    }
    return Value::Bool(false);
  }

  Value AndOr(const Node& n) {
    // and: any false wins, else unknown if any, else true; or mirrors it.
    const bool is_and = n.code == kAnd;
    bool unknown = false;
    for (const Node& c : n.children) {
      Value v = Eval(c);
      if (v.unknown()) {
        unknown = true;
        continue;
      }
      if (v.b != is_and) return Value::Bool(!is_and);
    }
    if (unknown) return Value();
    return Value::Bool(is_and);
  }

  Value Exclusive(const Node& n) {
    bool seen_true = false;
    for (const Node& c : n.children) {
      Value v = Eval(c);
      if (v.unknown()) return v;
      if (v.b) {
        if (seen_true) return Value::Bool(false);
        seen_true = true;
      }
    }
    return Value::Bool(seen_true);
  }

  Value Arith(const Node& n) {
    Value acc = Eval(n.children[0]);
    if (acc.unknown()) return acc;
    const bool is_float = acc.kind == K::kFloat;
    if (n.code == kSub && n.children.size() == 1) {
      if (is_float) acc.d = 0.0 - acc.d;
      else acc.i = WrapSub(0, acc.i);
      return acc;
    }
    for (size_t k = 1; k < n.children.size(); ++k) {
      Value v = Eval(n.children[k]);
      if (v.unknown()) return v;
      if (is_float) {
        switch (n.code) {
          case kAdd: acc.d += v.d; break;
          case kSub: acc.d -= v.d; break;
          case kMul: acc.d *= v.d; break;
          case kMin: if (acc.d > v.d) acc.d = v.d; break;
          default: if (acc.d < v.d) acc.d = v.d; break;
        }
      } else {
        switch (n.code) {
          case kAdd: acc.i = WrapAdd(acc.i, v.i); break;
          case kSub: acc.i = WrapSub(acc.i, v.i); break;
          case kMul: acc.i = WrapMul(acc.i, v.i); break;
          case kMin: if (acc.i > v.i) acc.i = v.i; break;
          default: if (acc.i < v.i) acc.i = v.i; break;
        }
      }
    }
    return acc;
  }

  Value Div(const Node& n) {
    Value acc = Eval(n.children[0]);
    if (acc.unknown()) return acc;
    const bool is_float = acc.kind == K::kFloat;
    // The server divides by the product of the divisors; one operand: 1/x.
    double dproduct = 1.0;
    int64_t iproduct = 1;
    for (size_t k = 1; k < n.children.size(); ++k) {
      Value v = Eval(n.children[k]);
      if (v.unknown()) return v;
      if (is_float) dproduct *= v.d;
      else iproduct = WrapMul(iproduct, v.i);
    }
    if (is_float) {
      if (n.children.size() == 1) {
        dproduct = acc.d;
        acc.d = 1.0;
      }
      acc.d /= dproduct;
      return acc;
    }
    if (n.children.size() == 1) {
      iproduct = acc.i;
      acc.i = 1;
    }
    if (iproduct == 0) return Value();
    acc.i = SafeDiv(acc.i, iproduct);
    return acc;
  }

  Value IntVargs(const Node& n) {
    Value acc = Eval(n.children[0]);
    if (acc.unknown()) return acc;
    for (size_t k = 1; k < n.children.size(); ++k) {
      Value v = Eval(n.children[k]);
      if (v.unknown()) return v;
      switch (n.code) {
        case kIntAnd: acc.i &= v.i; break;
        case kIntOr: acc.i |= v.i; break;
        default: acc.i ^= v.i; break;
      }
    }
    return acc;
  }

  Value Shift(const Node& n) {
    Value a = Eval(n.children[0]);
    if (a.unknown()) return a;
    Value s = Eval(n.children[1]);
    if (s.unknown()) return s;
    // x86-64 shifts use the count's low six bits.
    const int count = static_cast<int>(s.i & 63);
    switch (n.code) {
      case kIntLshift: return Value::Int(Wrap(static_cast<uint64_t>(a.i) << count));
      case kIntRshift: return Value::Int(Wrap(static_cast<uint64_t>(a.i) >> count));
      default: return Value::Int(a.i >> count);
    }
  }

  Value Scan(const Node& n) {
    Value a = Eval(n.children[0]);
    if (a.unknown()) return a;
    Value search = Eval(n.children[1]);
    if (search.unknown()) return search;
    uint64_t v = static_cast<uint64_t>(a.i);
    if (!search.b) v = ~v;
    if (n.code == kIntLscan) return Value::Int(v == 0 ? -1 : __builtin_clzll(v));
    return Value::Int(v == 0 ? -1 : 63 - __builtin_ctzll(v));
  }

  Value Key(const Node& n) {
    if (s_.record == nullptr || s_.record->key.empty()) return Value();
    const std::string& key = s_.record->key;
    const uint8_t type = static_cast<uint8_t>(key[0]);
    const std::string_view body = std::string_view(key).substr(1);
    switch (static_cast<ParticleType>(type)) {
      case ParticleType::kInteger:
        if (body.size() != 8 || n.type != Type::kInt) return Value();
        return Value::Int(static_cast<int64_t>(LoadBE64(reinterpret_cast<const uint8_t*>(body.data()))));
      case ParticleType::kString:
        if (n.type != Type::kStr) return Value();
        return Bytes(K::kStr, body);
      case ParticleType::kBlob:
        if (n.type != Type::kBlob) return Value();
        return Bytes(K::kBlob, body);
      default:
        return Value();
    }
  }

  Value MapKv(const Node& n) {
    Value m = Eval(n.children[0]);
    if (m.unknown() || m.kind != K::kMsgpack) return Value();
    std::string list;
    if (!MapKeysOrValues(m.bytes, n.code == kMapValues, &list)) return Value();
    Value v = Value::Owned(K::kMsgpack, std::move(list));
    return v;
  }

  Value Cond(const Node& n) {
    const size_t cases = n.children.size() / 2;
    for (size_t c = 0; c < cases; ++c) {
      Value test = Eval(n.children[2 * c]);
      if (test.unknown()) return test;
      if (test.b) return Eval(n.children[2 * c + 1]);
    }
    return Eval(n.children.back());
  }

  Value Call(const Node& n) {
    // Arguments first (in order), then the bin, as the server evaluates them.
    std::string payload;
    for (const CallPiece& piece : n.pieces) {
      if (piece.child < 0) {
        payload.append(piece.literal);
        continue;
      }
      Value v = Eval(n.children[static_cast<size_t>(piece.child)]);
      if (!ToMsgpack(v, &payload)) return Value();
    }
    Value bin = Eval(n.children.back());
    CallBin input;
    switch (bin.kind) {
      case K::kNil:
        break;  // an empty bin
      case K::kBlob:
      case K::kHll:
        input.type = bin.kind == K::kBlob ? 4 : 18;
        input.value.assign(bin.bytes);
        break;
      case K::kMsgpack:
        if (bin.particle_type != 0) {
          input.type = bin.particle_type;
        } else {
          proto::MsgpackReader r(AsBytes(bin.bytes));
          proto::MsgpackItem head;
          if (!r.Next(&head).ok()) return Value();
          if (head.kind == proto::MsgpackItem::Kind::kArray) input.type = 20;
          else if (head.kind == proto::MsgpackItem::Kind::kMap) input.type = 19;
          else return Value();
        }
        input.value.assign(bin.bytes);
        break;
      default:
        return Value();
    }
    CallBin result;
    if (!RunCall(n.system, payload, std::move(input), &result)) return Value();
    return FromParticle(result.type, std::move(result.value), n.type);
  }

  const Subject& s_;
  std::vector<Value> vars_;
};

}  // namespace

Value Evaluate(const Program& program, const Subject& subject) {
  Evaluator ev(subject, program.n_vars);
  return ev.Eval(program.root);
}

}  // namespace aerospike_py::server::exp
