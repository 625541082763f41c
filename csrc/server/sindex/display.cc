#include "server/sindex/display.h"

#include <cstdio>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "proto/msgpack.h"

namespace aerospike_py::server::sindex {
namespace {

using proto::MsgpackItem;
using proto::MsgpackReader;
using Kind = MsgpackItem::Kind;

constexpr uint8_t kBytesString = 3, kBytesBlob = 4, kBytesHll = 18, kBytesGeo = 23;

std::string Float(double d) {
  char buf[512];
  std::snprintf(buf, sizeof(buf), "%f", d);
  return buf;
}

// msgpack_display(): one value, containers by their element count.
bool DisplayValue(MsgpackReader* r, std::string* out) {
  MsgpackItem it;
  if (!r->Next(&it).ok()) return false;
  switch (it.kind) {
    case Kind::kNil: *out += "nil"; return true;
    case Kind::kBool: *out += it.b ? "true" : "false"; return true;
    case Kind::kInt: absl::StrAppend(out, it.i); return true;
    case Kind::kUInt: absl::StrAppend(out, static_cast<int64_t>(it.u)); return true;
    case Kind::kDouble: *out += Float(it.d); return true;
    case Kind::kStr:
    case Kind::kBin: {
      const std::string_view p = it.data;
      if (p.empty()) {
        *out += "<blob#_>";
      } else if (static_cast<uint8_t>(p[0]) == kBytesString) {
        absl::StrAppend(out, "<string#", p.size() - 1, ">");
      } else if (static_cast<uint8_t>(p[0]) == kBytesGeo) {
        absl::StrAppend(out, "<geojson#", p.size() - 1, ">");
      } else if (static_cast<uint8_t>(p[0]) == kBytesBlob) {
        absl::StrAppend(out, "<blob#", p.size() - 1, ">");
      } else {
        absl::StrAppend(out, "<blob", static_cast<uint8_t>(p[0]), "#", p.size() - 1, ">");
      }
      return true;
    }
    case Kind::kArray:
      absl::StrAppend(out, "<list#", it.count, ">");
      for (uint32_t i = 0; i < it.count; ++i) {
        if (!r->Skip().ok()) return false;
      }
      return true;
    case Kind::kMap:
      absl::StrAppend(out, "<map#", it.count, ">");
      for (uint32_t i = 0; i < 2 * it.count; ++i) {
        if (!r->Skip().ok()) return false;
      }
      return true;
    case Kind::kExt:
      if (static_cast<uint8_t>(it.ext_type) == 0xff && it.data.size() == 1) {
        if (it.data[0] == 0) {
          *out += "*";
          return true;
        }
        if (it.data[0] == 1) {
          *out += "inf";
          return true;
        }
      }
      absl::StrAppend(out, "<ext#", it.data.size(), ">");
      return true;
  }
  return false;
}

// The expression walker: the wire form is [op, args...] or a value.
class ExpDisplay {
 public:
  explicit ExpDisplay(std::string_view exp) : r_(AsBytes(exp)) {}

  std::optional<std::string> Run() {
    std::string out;
    if (!One(&out) || !r_.AtEnd()) return std::nullopt;
    return out;
  }

 private:
  static const char* Name(int64_t code) {
    static const std::map<int64_t, const char*> names = {
        {1, "eq"}, {2, "ne"}, {3, "gt"}, {4, "ge"}, {5, "lt"}, {6, "le"}, {8, "cmp_geo"},
        {9, "in_list"}, {16, "and"}, {17, "or"}, {18, "not"}, {19, "exclusive"},
        {20, "add"}, {21, "sub"}, {22, "mul"}, {23, "div"}, {24, "pow"}, {25, "log"},
        {26, "mod"}, {27, "abs"}, {28, "floor"}, {29, "ceil"}, {30, "to_int"},
        {31, "to_float"}, {32, "int_and"}, {33, "int_or"}, {34, "int_xor"}, {35, "int_not"},
        {36, "int_lshift"}, {37, "int_rshift"}, {38, "int_arshift"}, {39, "int_count"},
        {40, "int_lscan"}, {41, "int_rscan"}, {50, "min"}, {51, "max"},
        {65, "device_size"}, {66, "last_update"}, {67, "since_update"}, {68, "void_time"},
        {69, "ttl"}, {70, "set_name"}, {71, "key_exists"}, {72, "is_tombstone"},
        {73, "memory_size"}, {74, "record_size"}, {100, "result_remove"},
        {101, "map_keys"}, {102, "map_values"},
    };
    auto it = names.find(code);
    return it == names.end() ? nullptr : it->second;
  }

  static const char* TypeName(int64_t t) {
    static const char* const kNames[] = {"nil", "bool", "int", "str", "list",
                                         "map", "blob", "float", "geojson", "hll"};
    return t >= 0 && t < 10 ? kNames[t] : nullptr;
  }

  bool Str(std::string_view* out) {
    MsgpackItem it;
    if (!r_.Next(&it).ok() || (it.kind != Kind::kStr && it.kind != Kind::kBin)) return false;
    *out = it.data;
    return true;
  }

  bool Int(int64_t* out) {
    MsgpackItem it;
    if (!r_.Next(&it).ok() || it.kind != Kind::kInt) return false;
    *out = it.i;
    return true;
  }

  // Displays `n` operands separated by ", ".
  bool Args(uint32_t n, std::string* out) {
    for (uint32_t i = 0; i < n; ++i) {
      if (i != 0) *out += ", ";
      if (!One(out)) return false;
    }
    return true;
  }

  bool One(std::string* out) {
    if (r_.PeekByte() < 0) return false;
    const MsgpackReader before = r_;
    MsgpackItem it;
    if (!r_.Next(&it).ok()) return false;
    if (it.kind != Kind::kArray) {  // a value
      r_ = before;
      return DisplayValue(&r_, out);
    }
    if (it.count == 0) return false;
    int64_t code;
    if (!Int(&code)) return false;
    const uint32_t n = it.count - 1;
    switch (code) {
      case 81: {  // bin
        int64_t type;
        std::string_view name;
        if (n != 2 || !Int(&type) || !Str(&name) || TypeName(type) == nullptr) return false;
        absl::StrAppend(out, "bin_", TypeName(type), "(\"", AbslView(name), "\")");
        return true;
      }
      case 82: {  // bin_type
        std::string_view name;
        if (n != 1 || !Str(&name)) return false;
        absl::StrAppend(out, "bin_type(\"", AbslView(name), "\")");
        return true;
      }
      case 80:  // key(type)
        if (n != 1 || !r_.Skip().ok()) return false;
        *out += "key()";
        return true;
      case 64: {  // digest_modulo(mod)
        int64_t mod;
        if (n != 1 || !Int(&mod)) return false;
        absl::StrAppend(out, "digest_modulo(", mod, ")");
        return true;
      }
      case 7: {  // cmp_regex(flags, regex, exp)
        int64_t flags;
        std::string_view regex;
        if (n != 3 || !Int(&flags) || !Str(&regex)) return false;
        absl::StrAppend(out, "cmp_regex(<string#", regex.size(), ">, ", flags, ", ");
        if (!One(out)) return false;
        *out += ")";
        return true;
      }
      case 122: {  // var_builtin(idx)
        int64_t idx;
        if (n != 1 || !Int(&idx)) return false;
        absl::StrAppend(out, "var_builtin(", idx, ")");
        return true;
      }
      case 123:  // cond(c1, v1, ..., default)
        if (n < 3 || n % 2 == 0) return false;
        *out += "cond(";
        if (!Args(n, out)) return false;
        *out += ")";
        return true;
      case 124: {  // var(name)
        std::string_view name;
        if (n != 1 || !Str(&name)) return false;
        for (auto v = vars_.rbegin(); v != vars_.rend(); ++v) {
          if (v->first == name) {
            absl::StrAppend(out, "var(\"var_", v->second, "\")");
            return true;
          }
        }
        return false;
      }
      case 125: {  // let(name, exp, ..., body)
        if (n < 3 || n % 2 == 0) return false;
        const size_t scope = vars_.size();
        *out += "let(";
        for (uint32_t i = 0; i < n / 2; ++i) {
          std::string_view name;
          if (!Str(&name)) return false;
          absl::StrAppend(out, "def(var_", next_var_, ", ");
          const uint32_t idx = next_var_++;
          if (!One(out)) return false;
          *out += "), ";
          vars_.emplace_back(std::string(name), idx);
        }
        if (!One(out)) return false;
        *out += ")";
        vars_.resize(scope);
        return true;
      }
      case 126: {  // quote(value)
        if (n != 1) return false;
        return DisplayValue(&r_, out);
      }
      case 127:  // call: CDT, bit and HLL operations are not modelled
        return false;
      default: {
        const char* name = Name(code);
        if (name == nullptr) return false;
        *out += name;
        *out += "(";
        if (!Args(n, out)) return false;
        *out += ")";
        return true;
      }
    }
  }

  MsgpackReader r_;
  std::vector<std::pair<std::string, uint32_t>> vars_;
  uint32_t next_var_ = 0;
};

}  // namespace

std::string DisplayContext(std::string_view ctx) {
  static const char* const kNames[] = {"index", "rank", "key", "value", "exp",
                                       nullptr, nullptr, nullptr, "index_list",
                                       "rank_list", "key_list", "value_list"};
  std::string out = "[";
  MsgpackReader r(AsBytes(ctx));
  MsgpackItem head;
  if (!r.Next(&head).ok() || head.kind != Kind::kArray) return out + "(ctx-error-list-hdr)]";
  if (head.count % 2 != 0) {
    return absl::StrCat(out, "(ctx-error-list-ele-count ", head.count, ")]");
  }
  for (uint32_t i = 0; i < head.count / 2; ++i) {
    MsgpackItem type;
    if (!r.Next(&type).ok() || type.kind != Kind::kInt) {
      return out + "(ctx-error-type-not-int)]";
    }
    const uint32_t table = static_cast<uint32_t>(type.i) & 0x0f;
    if (table >= 12 || kNames[table] == nullptr) return out + "(ctx-error-invalid-type)]";
    if (i != 0) out += ", ";
    if ((type.i & 0x10) != 0) {
      out += "list_";
    } else if ((type.i & 0x20) != 0) {
      out += "map_";
    }
    out += kNames[table];
    std::string value;
    if (!DisplayValue(&r, &value)) return out + "(ctx-error-display)]";
    absl::StrAppend(&out, "(", value, ")");
  }
  return out + "]";
}

std::optional<std::string> DisplayExpression(std::string_view exp) {
  return ExpDisplay(exp).Run();
}

}  // namespace aerospike_py::server::sindex
