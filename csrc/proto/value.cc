#include "proto/value.h"

#include <cstring>

#include "absl/strings/escaping.h"
#include "common/strings.h"
#include "absl/strings/str_cat.h"

namespace aerospike_py::proto {

Value Value::Map(std::vector<std::pair<Value, Value>> entries, uint8_t flags) {
  std::vector<Value> flat;
  flat.reserve(entries.size() * 2);
  for (auto& [k, v] : entries) {
    flat.push_back(std::move(k));
    flat.push_back(std::move(v));
  }
  return MapFromFlat(std::move(flat), flags);
}

bool Value::operator==(const Value& other) const {
  if (type_ != other.type_) return false;
  switch (type_) {
    case Type::kNil:
    case Type::kWildcard:
    case Type::kInfinity:
      return true;
    case Type::kBool:
    case Type::kInt:
      return int_ == other.int_;
    case Type::kDouble:
      // Bitwise, so that NaN payloads and -0.0 round-trip checks are exact.
      return std::memcmp(&double_, &other.double_, sizeof(double)) == 0;
    case Type::kString:
    case Type::kGeoJson:
    case Type::kHll:
      return str_ == other.str_;
    case Type::kBytes:
      return flags_ == other.flags_ && str_ == other.str_;
    case Type::kList:
    case Type::kMap:
      return flags_ == other.flags_ && items_ == other.items_;
  }
  return false;
}

std::string Value::DebugString() const {
  switch (type_) {
    case Type::kNil: return "nil";
    case Type::kWildcard: return "*";
    case Type::kInfinity: return "inf";
    case Type::kBool: return int_ ? "true" : "false";
    case Type::kInt: return absl::StrCat(int_);
    case Type::kDouble: return absl::StrCat(double_);
    case Type::kString: return absl::StrCat("\"", absl::CHexEscape(str_), "\"");
    case Type::kGeoJson: return absl::StrCat("geojson(", str_, ")");
    case Type::kHll: return absl::StrCat("hll(", HexEncode(str_), ")");
    case Type::kBytes:
      return absl::StrCat("bytes<", flags_, ">(", HexEncode(str_), ")");
    case Type::kList: {
      std::string out = flags_ ? absl::StrCat("list<", flags_, ">[") : "[";
      for (size_t i = 0; i < items_.size(); ++i) {
        if (i) out += ", ";
        out += items_[i].DebugString();
      }
      return out + "]";
    }
    case Type::kMap: {
      std::string out = flags_ ? absl::StrCat("map<", flags_, ">{") : "{";
      for (size_t i = 0; i < map_size(); ++i) {
        if (i) out += ", ";
        absl::StrAppend(&out, map_key(i).DebugString(), ": ",
                        map_value(i).DebugString());
      }
      return out + "}";
    }
  }
  return "?";
}

}  // namespace aerospike_py::proto
