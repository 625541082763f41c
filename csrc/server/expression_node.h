// The compiled form of an expression and the values it computes, shared by
// the builder (expression_build.cc: wire bytes -> typed Node tree, the real
// server's build phase) and the evaluator (expression_eval.cc). Used by the
// expression files of csrc/server/ only.
#pragma once

#include <regex.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/expression_geo.h"

namespace aerospike_py::server::exp {

// Static result types (the server's result_type). kEnd: a raw msgpack
// value of no declared type (wildcard, infinity) or "not yet known".
enum class Type : uint8_t {
  kNil = 0, kTrilean = 1, kInt = 2, kStr = 3, kList = 4, kMap = 5, kBlob = 6,
  kFloat = 7, kGeo = 8, kHll = 9, kInputEnd = 10, kEnd = 12,
};

const char* TypeName(Type t);

// Wire op codes (exp_op_code) and the value kinds that are not on the wire.
enum Code : uint16_t {
  kUnknownOp = 0,
  kEq = 1, kNe = 2, kGt = 3, kGe = 4, kLt = 5, kLe = 6, kRegex = 7, kGeoCmp = 8, kInList = 9,
  kAnd = 16, kOr = 17, kNot = 18, kExclusive = 19,
  kAdd = 20, kSub = 21, kMul = 22, kDiv = 23, kPow = 24, kLog = 25, kMod = 26, kAbs = 27,
  kFloor = 28, kCeil = 29, kToInt = 30, kToFloat = 31,
  kIntAnd = 32, kIntOr = 33, kIntXor = 34, kIntNot = 35, kIntLshift = 36, kIntRshift = 37,
  kIntArshift = 38, kIntCount = 39, kIntLscan = 40, kIntRscan = 41,
  kMin = 50, kMax = 51,
  kDigestModulo = 64, kDeviceSize = 65, kLastUpdate = 66, kSinceUpdate = 67, kVoidTime = 68,
  kTtl = 69, kSetName = 70, kKeyExists = 71, kIsTombstone = 72, kMemorySize = 73,
  kRecordSize = 74,
  kKey = 80, kBin = 81, kBinType = 82,
  kResultRemove = 100, kMapKeys = 101, kMapValues = 102,
  kVarBuiltin = 122, kCond = 123, kVar = 124, kLet = 125, kQuote = 126, kCall = 127,
  kWireEnd = 128,
  // Values (not on the wire as op codes).
  kValNil = 200, kValBool, kValInt, kValFloat, kValStr, kValBlob, kValHll, kValGeo, kValMap,
  kValList, kValMsgpack,
};

// A compiled POSIX regex, freed with the node.
struct Regex {
  regex_t re;
  bool compiled = false;  // regfree only what regcomp built
  Regex() = default;
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;
  ~Regex() {
    if (compiled) regfree(&re);
  }
};

// One piece of a call's operation payload: literal msgpack bytes copied as
// they are, or the index of a child whose value is packed in its place.
struct CallPiece {
  std::string_view literal;
  int child = -1;
};

struct Node {
  uint16_t code = kUnknownOp;
  Type type = Type::kEnd;  // static result type
  bool unknown_entry = false;  // built as unknown(): cond accepts any type
  std::vector<Node> children;
  // Static parameters, by op: values, names, options.
  int64_t i = 0;
  double d = 0;
  bool b = false;
  std::string_view bytes;  // str/blob/hll payload, bin/var name, raw msgpack
  uint32_t slot = 0;       // let: first variable slot; var: its slot
  std::shared_ptr<Regex> regex;
  std::shared_ptr<GeoShape> geo;
  std::string_view geo_text;  // a geo value's JSON
  // Calls: result type, system, payload pieces and the bin (last child).
  uint8_t system = 0;
  std::vector<CallPiece> pieces;
};

// A value computed by an expression. Bytes views point into the
// expression, the record or `owned` (a computed value kept alive here).
struct Value {
  enum class Kind : uint8_t {
    kUnknown, kNil, kBool, kInt, kFloat, kStr, kBlob, kHll, kGeo, kMsgpack, kRemove,
  };
  Kind kind = Kind::kUnknown;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string_view bytes;  // str/blob/hll payload, geo JSON, msgpack (list/map/raw)
  std::shared_ptr<const std::string> owned;
  std::shared_ptr<GeoShape> geo;  // parsed shape of a geo value, when known
  // Values read from a bin (or made by a call) keep their particle, so a
  // result copies it as it is (a geo bin's cells, a list's order flags).
  uint8_t particle_type = 0;
  std::string_view particle;
  std::string_view packed_geo;  // a geo literal as the client packed it

  static Value Unknown() { return Value(); }
  static Value Bool(bool v) {
    Value x;
    x.kind = Kind::kBool;
    x.b = v;
    return x;
  }
  static Value Int(int64_t v) {
    Value x;
    x.kind = Kind::kInt;
    x.i = v;
    return x;
  }
  static Value Float(double v) {
    Value x;
    x.kind = Kind::kFloat;
    x.d = v;
    return x;
  }
  static Value Owned(Kind kind, std::string data) {
    Value x;
    x.kind = kind;
    x.owned = std::make_shared<const std::string>(std::move(data));
    x.bytes = *x.owned;
    return x;
  }
  bool unknown() const { return kind == Kind::kUnknown; }
};

}  // namespace aerospike_py::server::exp
