// Value: a self-contained C++ representation of any Aerospike value (bin
// values, list/map elements, keys). The embedded server, the C++ benchmark
// client and the tests use it; the Python bridge does not (it converts wire
// bytes straight to Python objects). Ordered lists and maps keep their order
// flags; blobs keep their particle subtype so language blobs and unknown
// particles round-trip as raw bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aerospike_py::proto {

class Value {
 public:
  enum class Type : uint8_t {
    kNil,
    kBool,
    kInt,
    kDouble,
    kString,
    kBytes,     // subtype() holds the particle type (4 = blob, 7..12 language, other = unknown)
    kGeoJson,
    kHll,
    kList,      // flags(): list order flags (0 unordered, 1 ordered)
    kMap,       // flags(): map order flags (0 unordered, 1 key, 3 key-value)
    kWildcard,  // msgpack ext d4 ff 00, only inside CDT arguments
    kInfinity,  // msgpack ext d4 ff 01
  };

  Value() = default;
  static Value Nil() { return Value(); }
  static Value Bool(bool b) { Value v(Type::kBool); v.int_ = b; return v; }
  static Value Int(int64_t i) { Value v(Type::kInt); v.int_ = i; return v; }
  static Value Double(double d) { Value v(Type::kDouble); v.double_ = d; return v; }
  static Value String(std::string s) { Value v(Type::kString); v.str_ = std::move(s); return v; }
  static Value Bytes(std::string b, uint8_t subtype = 4) {
    Value v(Type::kBytes);
    v.str_ = std::move(b);
    v.flags_ = subtype;
    return v;
  }
  static Value GeoJson(std::string json) { Value v(Type::kGeoJson); v.str_ = std::move(json); return v; }
  static Value Hll(std::string data) { Value v(Type::kHll); v.str_ = std::move(data); return v; }
  static Value List(std::vector<Value> items, uint8_t flags = 0) {
    Value v(Type::kList);
    v.items_ = std::move(items);
    v.flags_ = flags;
    return v;
  }
  // `entries` alternate key, value, key, value...
  static Value MapFromFlat(std::vector<Value> entries, uint8_t flags = 0) {
    Value v(Type::kMap);
    v.items_ = std::move(entries);
    v.flags_ = flags;
    return v;
  }
  static Value Map(std::vector<std::pair<Value, Value>> entries, uint8_t flags = 0);
  static Value Wildcard() { return Value(Type::kWildcard); }
  static Value Infinity() { return Value(Type::kInfinity); }

  Type type() const { return type_; }
  bool is_nil() const { return type_ == Type::kNil; }
  bool as_bool() const { return int_ != 0; }
  int64_t as_int() const { return int_; }
  double as_double() const { return double_; }
  // String, bytes, GeoJSON and HLL payloads.
  const std::string& str() const { return str_; }
  std::string& mutable_str() { return str_; }
  uint8_t subtype() const { return flags_; }
  uint8_t flags() const { return flags_; }
  void set_flags(uint8_t flags) { flags_ = flags; }
  // List items, or flattened map entries.
  const std::vector<Value>& items() const { return items_; }
  std::vector<Value>& mutable_items() { return items_; }
  size_t map_size() const { return items_.size() / 2; }
  const Value& map_key(size_t i) const { return items_[2 * i]; }
  const Value& map_value(size_t i) const { return items_[2 * i + 1]; }

  bool operator==(const Value& other) const;
  bool operator!=(const Value& other) const { return !(*this == other); }

  // A readable rendering for test failure messages and logs.
  std::string DebugString() const;

 private:
  explicit Value(Type type) : type_(type) {}

  Type type_ = Type::kNil;
  uint8_t flags_ = 0;
  int64_t int_ = 0;
  double double_ = 0;
  std::string str_;
  std::vector<Value> items_;
};

}  // namespace aerospike_py::proto
