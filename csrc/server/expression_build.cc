#include "server/expression_build.h"

#include <cctype>
#include <cstring>
#include <utility>

#include "proto/msgpack.h"

namespace aerospike_py::server::exp {

const char* TypeName(Type t) {
  switch (t) {
    case Type::kNil: return "nil";
    case Type::kTrilean: return "bool";
    case Type::kInt: return "int";
    case Type::kStr: return "str";
    case Type::kList: return "list";
    case Type::kMap: return "map";
    case Type::kBlob: return "blob";
    case Type::kFloat: return "float";
    case Type::kGeo: return "geojson";
    case Type::kHll: return "hll";
    case Type::kInputEnd: return "result_remove";
    case Type::kEnd: return "none";
  }
  return "invalid";
}

namespace {

using proto::MsgpackItem;
using proto::MsgpackReader;

// Particle-type bytes of Aerospike strings and blobs.
constexpr uint8_t kBytesString = 3;
constexpr uint8_t kBytesBlob = 4;
constexpr uint8_t kBytesHll = 18;
constexpr uint8_t kBytesGeoJson = 23;

// Depth bound: a hostile expression cannot exhaust the stack.
constexpr int kMaxDepth = 128;

// The builtin variables of path expressions (key, value, index).
constexpr uint64_t kBuiltinCount = 3;
constexpr uint64_t kBuiltinIndex = 2;

// What the real server's op table says of an op: its argument counts (for
// the fixed-arity ones) and whether it exists at all.
struct OpInfo {
  bool exists = false;
  bool fixed_arity = false;
  uint32_t static_params = 0;
  uint32_t eval_params = 0;
};

OpInfo Info(uint64_t code) {
  auto fixed = [](uint32_t s, uint32_t e) { return OpInfo{true, true, s, e}; };
  auto vargs = [] { return OpInfo{true, false, 0, 0}; };
  switch (code) {
    case kUnknownOp: return fixed(0, 0);
    case kEq: case kNe: case kGt: case kGe: case kLt: case kLe: return fixed(0, 2);
    case kRegex: return fixed(2, 1);
    case kGeoCmp: case kInList: return fixed(0, 2);
    case kAnd: case kOr: case kExclusive: return vargs();
    case kNot: return fixed(0, 1);
    case kAdd: case kSub: case kMul: case kDiv: case kMin: case kMax: return vargs();
    case kPow: case kLog: case kMod: return fixed(0, 2);
    case kAbs: case kFloor: case kCeil: case kToInt: case kToFloat: return fixed(0, 1);
    case kIntAnd: case kIntOr: case kIntXor: return vargs();
    case kIntNot: case kIntCount: return fixed(0, 1);
    case kIntLshift: case kIntRshift: case kIntArshift: case kIntLscan: case kIntRscan:
      return fixed(0, 2);
    case kDigestModulo: return fixed(1, 0);
    case kDeviceSize: case kLastUpdate: case kSinceUpdate: case kVoidTime: case kTtl:
    case kSetName: case kKeyExists: case kIsTombstone: case kMemorySize: case kRecordSize:
      return fixed(0, 0);
    case kKey: return fixed(1, 0);
    case kBin: return fixed(2, 0);
    case kBinType: return fixed(1, 0);
    case kResultRemove: return fixed(0, 0);
    case kMapKeys: case kMapValues: return fixed(0, 1);
    case kVarBuiltin: return fixed(2, 0);
    case kCond: case kLet: return vargs();
    case kVar: case kQuote: return fixed(1, 0);
    case kCall: return fixed(2, 2);
    default: return OpInfo{};
  }
}

struct VarEntry {
  std::string_view name;
  uint32_t slot;
  Type type;  // kEnd while its value is being built
};

class Builder {
 public:
  Builder(ByteSpan wire, std::string* why) : r_(wire), wire_(wire), why_(why) {}

  bool Run(bool filter, Program* out) {
    MsgpackItem first;
    MsgpackReader peek = r_;
    if (!peek.Next(&first).ok()) return Fail("truncated expression");
    if (first.kind == MsgpackItem::Kind::kArray && first.count == 0) {
      return Fail("empty list");
    }
    if (!Next(&out->root, 0)) return false;
    if (!r_.AtEnd()) return Fail("bytes after the expression");
    out->n_vars = max_slots_;
    const Type t = out->root.type;
    if (t == Type::kEnd) return Fail("the expression has no value type");
    if (filter && t != Type::kTrilean) {
      return Fail(std::string("filters must return bool, not ") + TypeName(t));
    }
    return true;
  }

 private:
  bool Fail(std::string why) {
    if (why_ != nullptr && why_->empty()) *why_ = std::move(why);
    return false;
  }

  bool ReadItem(MsgpackItem* item) {
    if (!r_.Next(item).ok()) return Fail("malformed msgpack");
    return true;
  }
  // msgpack_get_uint64: any integer encoding, negative ones as their bits.
  bool ReadUInt(uint64_t* v, const char* what) {
    MsgpackItem item;
    if (!r_.Next(&item).ok()) return Fail(what);
    if (item.kind == MsgpackItem::Kind::kInt) {
      *v = static_cast<uint64_t>(item.i);
      return true;
    }
    if (item.kind == MsgpackItem::Kind::kUInt) {
      *v = item.u;
      return true;
    }
    return Fail(what);
  }
  bool ReadInt(int64_t* v, const char* what) {
    uint64_t u;
    if (!ReadUInt(&u, what)) return false;
    *v = static_cast<int64_t>(u);
    return true;
  }
  // msgpack_get_bin: a str or bin item's raw payload.
  bool ReadRaw(std::string_view* v, const char* what) {
    MsgpackItem item;
    if (!r_.Next(&item).ok() ||
        (item.kind != MsgpackItem::Kind::kStr && item.kind != MsgpackItem::Kind::kBin)) {
      return Fail(what);
    }
    *v = item.data;
    return true;
  }
  bool SkipOne(std::string_view* raw) {
    const size_t start = r_.offset();
    if (!r_.Skip().ok()) return Fail("malformed msgpack");
    *raw = RawSince(start);
    return true;
  }
  std::string_view RawSince(size_t start) const {
    return std::string_view(reinterpret_cast<const char*>(wire().data()) + start,
                            r_.offset() - start);
  }
  ByteSpan wire() const { return wire_; }

  bool Next(Node* n, int depth) {
    if (depth > kMaxDepth) return Fail("expression nested too deep");
    MsgpackReader peek = r_;
    MsgpackItem item;
    const size_t start = r_.offset();
    if (!peek.Next(&item).ok()) return Fail("malformed msgpack");
    if (item.kind != MsgpackItem::Kind::kArray) return Literal(n, start);
    r_ = peek;  // consume the list header
    if (item.count == 0) return Fail("empty list");
    uint64_t code;
    if (!ReadUInt(&code, "op code is not an integer")) return false;
    if (code >= kWireEnd) return Fail("invalid op code");
    const OpInfo info = Info(code);
    if (!info.exists) return Fail("invalid op code " + std::to_string(code));
    const uint32_t argc = item.count - 1;
    if (info.fixed_arity && argc != info.static_params + info.eval_params) {
      return Fail("op " + std::to_string(code) + " expects " +
                  std::to_string(info.static_params + info.eval_params) + " args, found " +
                  std::to_string(argc));
    }
    n->code = static_cast<uint16_t>(code);
    return Op(n, argc, depth);
  }

  bool Child(Node* n, int depth) {
    n->children.emplace_back();
    return Next(&n->children.back(), depth + 1);
  }

  // A value that is not a list: a literal.
  bool Literal(Node* n, size_t start) {
    MsgpackItem item;
    if (!ReadItem(&item)) return false;
    switch (item.kind) {
      case MsgpackItem::Kind::kNil:
        n->code = kValNil;
        n->type = Type::kNil;
        return true;
      case MsgpackItem::Kind::kBool:
        n->code = kValBool;
        n->type = Type::kTrilean;
        n->b = item.b;
        return true;
      case MsgpackItem::Kind::kInt:
        n->code = kValInt;
        n->type = Type::kInt;
        n->i = item.i;
        return true;
      case MsgpackItem::Kind::kUInt:
        n->code = kValInt;
        n->type = Type::kInt;
        n->i = static_cast<int64_t>(item.u);
        return true;
      case MsgpackItem::Kind::kDouble:
        n->code = kValFloat;
        n->type = Type::kFloat;
        n->d = item.d;
        return true;
      case MsgpackItem::Kind::kStr:
      case MsgpackItem::Kind::kBin: {
        if (item.data.empty()) return Fail("empty blob value");
        const uint8_t prefix = static_cast<uint8_t>(item.data[0]);
        n->bytes = item.data.substr(1);
        switch (prefix) {
          case kBytesString:
            n->code = kValStr;
            n->type = Type::kStr;
            return true;
          case kBytesBlob:
            n->code = kValBlob;
            n->type = Type::kBlob;
            return true;
          case kBytesHll:
            n->code = kValHll;
            n->type = Type::kHll;
            return true;
          case kBytesGeoJson:
            n->code = kValGeo;
            n->type = Type::kGeo;
            n->geo_text = n->bytes;
            n->bytes = RawSince(start);  // the value as the client packed it
            n->geo = ParseGeoJson(n->geo_text);
            if (n->geo == nullptr) return Fail("invalid geojson");
            return true;
          default:
            return Fail("invalid blob type " + std::to_string(prefix));
        }
      }
      case MsgpackItem::Kind::kMap: {
        for (uint32_t k = 0; k < item.count * 2; ++k) {
          if (!r_.Skip().ok()) return Fail("malformed map");
        }
        n->code = kValMap;
        n->type = Type::kMap;
        n->bytes = RawSince(start);
        return true;
      }
      case MsgpackItem::Kind::kExt:
        n->code = kValMsgpack;
        n->type = Type::kEnd;
        n->bytes = RawSince(start);
        return true;
      case MsgpackItem::Kind::kArray:
        break;
    }
    return Fail("unexpected value");
  }

  bool Op(Node* n, uint32_t argc, int depth) {
    const uint16_t code = n->code;
    switch (code) {
      case kUnknownOp:
        n->type = Type::kTrilean;
        n->unknown_entry = true;
        return true;
      case kEq: case kNe: case kGt: case kGe: case kLt: case kLe: {
        if (!Child(n, depth) || !Child(n, depth)) return false;
        const Type l = n->children[0].type, r = n->children[1].type;
        if (l != r) {
          return Fail(std::string("compare: mismatched types ") + TypeName(l) + " and " +
                      TypeName(r));
        }
        if (l == Type::kGeo || l == Type::kHll) {
          return Fail(std::string("compare: cannot compare ") + TypeName(l));
        }
        n->type = Type::kTrilean;
        return true;
      }
      case kRegex: {
        std::string_view pattern;
        if (!ReadInt(&n->i, "regex options are not an integer") ||
            !ReadRaw(&pattern, "regex is not a string")) {
          return false;
        }
        if (!Child(n, depth)) return false;
        if (n->children[0].type != Type::kStr) return Fail("regex: subject is not a string");
        auto regex = std::make_shared<Regex>();
        const std::string text(pattern.data(), strnlen(pattern.data(), pattern.size()));
        if (regcomp(&regex->re, text.c_str(), static_cast<int>(n->i)) != 0) {
          return Fail("regex does not compile");
        }
        regex->compiled = true;
        n->regex = std::move(regex);
        n->type = Type::kTrilean;
        return true;
      }
      case kGeoCmp: {
        if (!Child(n, depth)) return false;
        if (n->children[0].type != Type::kGeo) return Fail("geo compare: left is not geojson");
        if (!Child(n, depth)) return false;
        if (n->children[1].type != Type::kGeo) return Fail("geo compare: right is not geojson");
        n->type = Type::kTrilean;
        return true;
      }
      case kInList: {
        if (!Child(n, depth) || !Child(n, depth)) return false;
        if (n->children[1].type != Type::kList) return Fail("in_list: not a list");
        n->type = Type::kTrilean;
        return true;
      }
      case kAnd: case kOr: case kExclusive:
        if (argc < 2) return Fail("logical op: too few args");
        for (uint32_t k = 0; k < argc; ++k) {
          if (!Child(n, depth)) return false;
          if (n->children.back().type != Type::kTrilean) return Fail("logical op: not bool");
        }
        n->type = Type::kTrilean;
        return true;
      case kNot:
        if (!Child(n, depth)) return false;
        if (n->children[0].type != Type::kTrilean) return Fail("not: not bool");
        n->type = Type::kTrilean;
        return true;
      case kAdd: case kSub: case kMul: case kDiv: case kMin: case kMax: {
        if (argc < 1) return Fail("math: too few args");
        Type expected = Type::kEnd;
        for (uint32_t k = 0; k < argc; ++k) {
          if (!Child(n, depth)) return false;
          const Type t = n->children.back().type;
          if (t != Type::kInt && t != Type::kFloat) {
            return Fail(std::string("math: invalid type ") + TypeName(t));
          }
          if (expected == Type::kEnd) expected = t;
          if (t != expected) return Fail("math: mixed types");
        }
        n->type = expected;
        return true;
      }
      case kPow: case kLog:
        if (!Child(n, depth) || !Child(n, depth)) return false;
        if (n->children[0].type != Type::kFloat || n->children[1].type != Type::kFloat) {
          return Fail("pow/log: args are not float");
        }
        n->type = Type::kFloat;
        return true;
      case kMod:
        if (!Child(n, depth) || !Child(n, depth)) return false;
        if (n->children[0].type != Type::kInt || n->children[1].type != Type::kInt) {
          return Fail("mod: args are not int");
        }
        n->type = Type::kInt;
        return true;
      case kAbs: {
        if (!Child(n, depth)) return false;
        const Type t = n->children[0].type;
        if (t != Type::kInt && t != Type::kFloat) return Fail("abs: not a number");
        n->type = t;
        return true;
      }
      case kFloor: case kCeil: case kToInt:
        if (!Child(n, depth)) return false;
        if (n->children[0].type != Type::kFloat) return Fail("float op: not a float");
        n->type = code == kToInt ? Type::kInt : Type::kFloat;
        return true;
      case kToFloat:
        if (!Child(n, depth)) return false;
        if (n->children[0].type != Type::kInt) return Fail("to_float: not an int");
        n->type = Type::kFloat;
        return true;
      case kIntAnd: case kIntOr: case kIntXor:
        if (argc < 1) return Fail("int op: too few args");
        for (uint32_t k = 0; k < argc; ++k) {
          if (!Child(n, depth)) return false;
          if (n->children.back().type != Type::kInt) return Fail("int op: not an int");
        }
        n->type = Type::kInt;
        return true;
      case kIntNot: case kIntCount:
        if (!Child(n, depth)) return false;
        if (n->children[0].type != Type::kInt) return Fail("int op: not an int");
        n->type = Type::kInt;
        return true;
      case kIntLshift: case kIntRshift: case kIntArshift:
        if (!Child(n, depth) || !Child(n, depth)) return false;
        if (n->children[0].type != Type::kInt || n->children[1].type != Type::kInt) {
          return Fail("shift: args are not int");
        }
        n->type = Type::kInt;
        return true;
      case kIntLscan: case kIntRscan:
        if (!Child(n, depth) || !Child(n, depth)) return false;
        if (n->children[0].type != Type::kInt) return Fail("scan: value is not an int");
        if (n->children[1].type != Type::kTrilean) return Fail("scan: search is not bool");
        n->type = Type::kInt;
        return true;
      case kDigestModulo: {
        int64_t mod;
        if (!ReadInt(&mod, "digest modulo is not an integer")) return false;
        n->i = static_cast<int32_t>(mod);  // the server keeps an int32
        if (n->i == 0) return Fail("digest modulo by zero");
        n->type = Type::kInt;
        return true;
      }
      case kDeviceSize: case kLastUpdate: case kSinceUpdate: case kVoidTime: case kTtl:
      case kMemorySize: case kRecordSize:
        n->type = Type::kInt;
        return true;
      case kSetName:
        n->type = Type::kStr;
        return true;
      case kKeyExists: case kIsTombstone:
        n->type = Type::kTrilean;
        return true;
      case kKey: {
        uint64_t t;
        if (!ReadUInt(&t, "key type is not an integer")) return false;
        if (t != static_cast<uint64_t>(Type::kInt) && t != static_cast<uint64_t>(Type::kStr) &&
            t != static_cast<uint64_t>(Type::kBlob)) {
          return Fail("key: invalid type " + std::to_string(t));
        }
        n->type = static_cast<Type>(t);
        return true;
      }
      case kBin: {
        uint64_t t;
        if (!ReadUInt(&t, "bin type is not an integer")) return false;
        if (t >= static_cast<uint64_t>(Type::kInputEnd)) return Fail("bin: invalid type");
        if (!ReadRaw(&n->bytes, "bin name is not a string") || !BinNameOk(n->bytes)) {
          return Fail("bin: invalid bin name");
        }
        n->type = static_cast<Type>(t);
        return true;
      }
      case kBinType:
        if (!ReadRaw(&n->bytes, "bin name is not a string") || !BinNameOk(n->bytes)) {
          return Fail("bin_type: invalid bin name");
        }
        n->type = Type::kInt;
        return true;
      case kResultRemove:
        n->type = Type::kInputEnd;
        return true;
      case kMapKeys: case kMapValues:
        if (!Child(n, depth)) return false;
        n->type = Type::kList;
        return true;
      case kVarBuiltin: {
        uint64_t t, idx;
        if (!ReadUInt(&t, "builtin var type") || !ReadUInt(&idx, "builtin var index")) {
          return false;
        }
        if (idx >= kBuiltinCount) return Fail("invalid builtin var");
        if (idx == kBuiltinIndex && t != static_cast<uint64_t>(Type::kInt)) {
          return Fail("builtin index var is not an int");
        }
        if (t >= static_cast<uint64_t>(Type::kInputEnd)) return Fail("builtin var: bad type");
        n->i = static_cast<int64_t>(idx);
        n->type = static_cast<Type>(t);
        return true;
      }
      case kCond:
        return Cond(n, argc, depth);
      case kVar:
        return Var(n);
      case kLet:
        return Let(n, argc, depth);
      case kQuote: {
        MsgpackReader peek = r_;
        MsgpackItem item;
        if (!peek.Next(&item).ok() || item.kind != MsgpackItem::Kind::kArray) {
          return Fail("quote: not a list");
        }
        if (!SkipOne(&n->bytes)) return false;
        n->code = kValList;
        n->type = Type::kList;
        return true;
      }
      case kCall:
        return Call(n, depth);
      default:
        return Fail("invalid op");
    }
  }

  static bool BinNameOk(std::string_view name) {
    return name.size() < 16 && std::memchr(name.data(), 0, name.size()) == nullptr;
  }

  bool Cond(Node* n, uint32_t argc, int depth) {
    if (argc < 3) return Fail("cond: too few args");
    if (argc % 2 == 0) return Fail("cond: requires a default case");
    Type type = Type::kEnd;
    for (uint32_t c = 0; c < argc / 2; ++c) {
      if (!Child(n, depth)) return false;
      if (n->children.back().type != Type::kTrilean) return Fail("cond: condition not bool");
      if (!Child(n, depth)) return false;
      const Node& action = n->children.back();
      if (!action.unknown_entry) {
        if (type == Type::kEnd) type = action.type;
        if (action.type != type) return Fail("cond: mismatched action types");
      }
    }
    if (!Child(n, depth)) return false;
    const Node& dflt = n->children.back();
    if (type == Type::kEnd) {
      type = dflt.type;
    } else if (!dflt.unknown_entry && dflt.type != type) {
      return Fail("cond: mismatched default type");
    }
    n->type = type;
    return true;
  }

  const VarEntry* FindVar(std::string_view name) const {
    for (size_t k = vars_.size(); k-- > 0;) {
      if (vars_[k].name == name) return &vars_[k];
    }
    return nullptr;
  }

  bool Var(Node* n) {
    std::string_view name;
    if (!ReadRaw(&name, "var name is not a string")) return false;
    const VarEntry* v = FindVar(name);
    if (v == nullptr) return Fail("undefined variable " + std::string(name));
    if (v->type == Type::kEnd) return Fail("variable used in its own definition");
    n->slot = v->slot;
    n->bytes = name;
    n->type = v->type;
    return true;
  }

  bool Let(Node* n, uint32_t argc, int depth) {
    if (argc < 3) return Fail("let: too few args");
    if (argc % 2 == 0) return Fail("let: invalid arg count");
    const uint32_t n_vars = argc / 2;
    const size_t scope_start = vars_.size();
    n->slot = next_slot_;
    n->i = n_vars;
    for (uint32_t k = 0; k < n_vars; ++k) {
      std::string_view name;
      if (!ReadRaw(&name, "let: variable name is not a string")) return false;
      if (name.empty()) return Fail("let: empty variable name");
      const auto c0 = static_cast<unsigned char>(name[0]);
      if (c0 != '_' && std::isalpha(c0) == 0) return Fail("let: illegal variable name");
      for (size_t j = 1; j < name.size(); ++j) {
        const auto c = static_cast<unsigned char>(name[j]);
        if (c != '_' && std::isalnum(c) == 0) return Fail("let: illegal variable name");
      }
      if (FindVar(name) != nullptr) return Fail("let: duplicate variable " + std::string(name));
      vars_.push_back(VarEntry{name, next_slot_++, Type::kEnd});
      if (!Child(n, depth)) return false;
      vars_[scope_start + k].type = n->children.back().type;
    }
    if (!Child(n, depth)) return false;
    // The let takes the scope expression's type, and its "unknown" mark.
    n->type = n->children.back().type;
    n->unknown_entry = n->children.back().unknown_entry;
    if (max_slots_ < next_slot_) max_slots_ = next_slot_;
    vars_.resize(scope_start);
    next_slot_ -= n_vars;
    return true;
  }

  bool Call(Node* n, int depth) {
    uint64_t type64, system64;
    if (!ReadUInt(&type64, "call result type")) return false;
    if (type64 >= static_cast<uint64_t>(Type::kInputEnd)) return Fail("call: invalid type");
    if (!ReadUInt(&system64, "call system type")) return false;
    n->system = static_cast<uint8_t>(system64);
    if (!CallPayload(n, depth)) return false;
    if (!Child(n, depth)) return false;  // the bin (last child)
    const Type bin_type = n->children.back().type;
    if (bin_type == Type::kNil) {
      n->type = Type::kNil;  // the server keeps the nil bin's entry
      return true;
    }
    switch (system64 & ~uint64_t{0x40}) {
      case 0:  // CDT
        if (bin_type != Type::kList && bin_type != Type::kMap) {
          return Fail("call: bin is not a list or map");
        }
        break;
      case 1:  // bits
        if (bin_type != Type::kBlob) return Fail("call: bin is not a blob");
        break;
      case 2:  // HLL
        if (bin_type != Type::kHll) return Fail("call: bin is not an hll");
        break;
      default:
        return Fail("call: invalid system");
    }
    n->type = static_cast<Type>(type64);
    return true;
  }

  // The operation list: literal pieces copied as they are, lists built as
  // expressions whose values replace them at evaluation.
  bool CallPayload(Node* n, int depth) {
    const size_t start = r_.offset();
    MsgpackItem head;
    if (!ReadItem(&head) || head.kind != MsgpackItem::Kind::kArray || head.count == 0) {
      return Fail("call: payload is not a list");
    }
    uint64_t op;
    if (!ReadUInt(&op, "call: op code")) return false;
    uint32_t count = head.count;
    if (op == 0xff) {  // context eval: [0xff, ctx, [op, ...]]
      std::string_view ctx;
      if (count != 3 || !SkipOne(&ctx)) return Fail("call: invalid context");
      MsgpackItem inner;
      if (!ReadItem(&inner) || inner.kind != MsgpackItem::Kind::kArray || inner.count == 0) {
        return Fail("call: invalid context op");
      }
      if (!ReadUInt(&op, "call: op code")) return false;
      count = inner.count;
    } else if (op == 0xfe) {  // select by path: [0xfe, ctx, flags(, modify exp)]
      if (count < 3 || count > 4) return Fail("call: invalid select");
      MsgpackReader peek = r_;
      MsgpackItem ctx;
      if (!peek.Next(&ctx).ok() || ctx.kind != MsgpackItem::Kind::kArray) {
        return Fail("call: invalid select context");
      }
      std::string_view skipped;
      uint64_t flags;
      if (!SkipOne(&skipped) || !ReadUInt(&flags, "call: select flags")) return false;
      if (count == 4 && !SkipOne(&skipped)) return false;
      count = 1;
    }
    n->pieces.push_back(CallPiece{RawSince(start), -1});
    for (uint32_t k = 1; k < count; ++k) {
      MsgpackReader peek = r_;
      MsgpackItem item;
      if (!peek.Next(&item).ok()) return Fail("call: malformed param");
      if (item.kind == MsgpackItem::Kind::kArray) {
        if (!Child(n, depth)) return false;
        n->pieces.push_back(CallPiece{{}, static_cast<int>(n->children.size() - 1)});
        continue;
      }
      std::string_view raw;
      if (!SkipOne(&raw)) return false;
      CallPiece& last = n->pieces.back();
      if (last.child < 0 && last.literal.data() + last.literal.size() == raw.data()) {
        last.literal = std::string_view(last.literal.data(), last.literal.size() + raw.size());
      } else {
        n->pieces.push_back(CallPiece{raw, -1});
      }
    }
    return true;
  }

  MsgpackReader r_;
  ByteSpan wire_;
  std::string* why_;
  std::vector<VarEntry> vars_;
  uint32_t next_slot_ = 0;
  uint32_t max_slots_ = 0;
};

}  // namespace

bool Build(ByteSpan wire, bool filter, Program* out, std::string* why) {
  Builder b(wire, why);
  return b.Run(filter, out);
}

}  // namespace aerospike_py::server::exp
