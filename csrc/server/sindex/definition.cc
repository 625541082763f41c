#include "server/sindex/definition.h"

#include <cctype>

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "proto/msgpack.h"

namespace aerospike_py::server::sindex {
namespace {

constexpr size_t kMaxIndexName = 63;  // INAME_MAX_SZ - 1
constexpr size_t kMaxSetName = 63;
constexpr size_t kMaxBinName = 15;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool KeyTypeFrom(std::string_view text, uint8_t* out) {
  const std::string t = Lower(text);
  if (t == "numeric") *out = kNumeric;
  else if (t == "string") *out = kString;
  else if (t == "blob") *out = kBlob;
  else if (t == "geo2dsphere") *out = kGeo;
  else return false;
  return true;
}

std::string Error(std::string_view message) { return absl::StrCat("ERROR:4:", AbslView(message)); }

// A CDT context is a msgpack array of (type, value) pairs.
bool ValidContext(std::string_view ctx) {
  proto::MsgpackReader r(AsBytes(ctx));
  proto::MsgpackItem item;
  if (!r.Next(&item).ok() || item.kind != proto::MsgpackItem::Kind::kArray) return false;
  if (item.count == 0 || item.count % 2 != 0) return false;
  for (uint32_t i = 0; i < item.count; i += 2) {
    proto::MsgpackItem type;
    if (!r.Next(&type).ok() || type.kind != proto::MsgpackItem::Kind::kInt) return false;
    if (!r.Skip().ok()) return false;
  }
  return r.AtEnd();
}

// An expression is one complete msgpack value (the real server compiles
// it; a truncated or trailing-garbage one is refused the same way).
bool WholeValue(std::string_view raw) {
  if (raw.empty()) return false;
  proto::MsgpackReader r(AsBytes(raw));
  return r.Skip().ok() && r.AtEnd();
}

}  // namespace

std::string_view KeyTypeName(uint8_t key_type) {
  switch (key_type) {
    case kNumeric: return "numeric";
    case kString: return "string";
    case kBlob: return "blob";
    case kGeo: return "geo2dsphere";
    default: return "unknown";
  }
}

std::string_view CollectionName(Collection c) {
  switch (c) {
    case Collection::kDefault: return "default";
    case Collection::kList: return "list";
    case Collection::kMapKeys: return "mapkeys";
    case Collection::kMapValues: return "mapvalues";
  }
  return "default";
}

std::string_view InfoParam(std::string_view params, std::string_view name, bool* present) {
  *present = false;
  size_t pos = 0;
  while (pos <= params.size()) {
    size_t end = params.find(';', pos);
    if (end == std::string_view::npos) end = params.size();
    std::string_view item = params.substr(pos, end - pos);
    const size_t eq = item.find('=');
    std::string_view key = item.substr(0, eq);
    if (key == name || (name == "namespace" && key == "ns")) {
      *present = true;
      return eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
    }
    pos = end + 1;
  }
  return {};
}

namespace {

// One parameter checked as the real server's required/optional parameter
// checks do: absent (an error when required), empty, or too long, answered
// with result `code`. False with `*error` set when it fails.
bool CheckParam(std::string_view params, std::string_view name, size_t max_size, bool required,
                int code, std::string_view* value, std::string* error) {
  bool present = false;
  *value = InfoParam(params, name, &present);
  const absl::string_view n = AbslView(name);
  std::string problem;
  if (!present) {
    if (!required) return true;
    problem = absl::StrCat("missing '", n, "'");
  } else if (value->empty()) {
    problem = absl::StrCat("missing '", n, "' value");
  } else if (value->size() > max_size) {
    problem = absl::StrCat("'", n, "' value too long");
  } else {
    return true;
  }
  *error = absl::StrCat("ERROR:", code, ":", problem);
  return false;
}

}  // namespace

bool ParseCreate(std::string_view params, Definition* out, std::string* error) {
  std::string_view name, ns, set;
  if (!CheckParam(params, "indexname", kMaxIndexName, true, 4, &name, error)) return false;
  // A missing or bad namespace is AS_ERR_NAMESPACE (20), not a parameter error.
  if (!CheckParam(params, "namespace", 31, true, 20, &ns, error)) return false;
  // A set index (8.1: indextype=SET) takes only a namespace and a set; the
  // server refuses the parameters of a bin index first, in this order.
  bool has_itype = false;
  const std::string_view itype = InfoParam(params, "indextype", &has_itype);
  if (has_itype && Lower(itype) == "set") {
    for (const char* p : {"context", "indexdata", "type", "bin", "exp"}) {
      bool present = false;
      InfoParam(params, p, &present);
      if (present) {
        *error = Error(absl::StrCat(p, " parameter is not supported for set index"));
        return false;
      }
    }
    if (!CheckParam(params, "set", kMaxSetName, true, 4, &set, error)) return false;
    Definition d;
    d.ns = std::string(ns);
    d.set = std::string(set);
    d.name = std::string(name);
    d.set_index = true;
    *out = std::move(d);
    return true;
  }
  Definition d;
  d.name = std::string(name);
  d.ns = std::string(ns);
  if (!CheckParam(params, "set", kMaxSetName, false, 4, &set, error)) return false;
  d.set = std::string(set);
  bool has_ctx = false;
  std::string_view ctx = InfoParam(params, "context", &has_ctx);
  if (has_ctx) {
    if (ctx.empty()) {
      *error = Error("missing 'context' value");
      return false;
    }
    std::string raw;
    if (!Base64Decode(ctx, &raw)) {
      *error = Error("'context' invalid base64");
      return false;
    }
    if (!ValidContext(raw)) {
      *error = Error("'context' invalid cdt context");
      return false;
    }
    d.ctx = std::move(raw);
    d.ctx_b64 = std::string(ctx);
  }
  if (has_itype) {
    const std::string t = Lower(itype);
    if (t == "default") d.collection = Collection::kDefault;
    else if (t == "list") d.collection = Collection::kList;
    else if (t == "mapkeys") d.collection = Collection::kMapKeys;
    else if (t == "mapvalues") d.collection = Collection::kMapValues;
    else {
      *error = Error("bad 'indextype' - must be one of 'default', 'list', 'mapkeys', 'mapvalues'");
      return false;
    }
  }
  bool has_indexdata = false, has_type = false;
  std::string_view indexdata = InfoParam(params, "indexdata", &has_indexdata);
  std::string_view type = InfoParam(params, "type", &has_type);
  if (!has_indexdata && !has_type) {
    *error = Error("both 'indexdata' and 'type' are missing");
    return false;
  }
  if (has_indexdata && has_type) {
    *error = Error("both 'indexdata' and 'type' are specified");
    return false;
  }
  if (has_type) {
    if (!KeyTypeFrom(type, &d.key_type)) {
      *error = Error("bad 'type' - must be one of 'numeric', 'string', 'blob', 'geo2dsphere'");
      return false;
    }
    bool has_bin = false, has_exp = false;
    std::string_view bin = InfoParam(params, "bin", &has_bin);
    std::string_view exp = InfoParam(params, "exp", &has_exp);
    if (has_bin && has_exp) {
      *error = Error("both 'bin' and 'exp' are specified");
      return false;
    }
    if (!has_bin && !has_exp) {
      *error = Error("both 'bin' and 'exp' are missing");
      return false;
    }
    if (has_bin) {
      if (bin.empty()) {
        *error = Error("missing 'bin' value");
        return false;
      }
      if (bin.size() > kMaxBinName) {
        *error = Error("'bin' value too long");
        return false;
      }
      d.bin = std::string(bin);
    } else {
      if (has_ctx) {
        *error = Error("both 'context' and 'exp' are specified");
        return false;
      }
      std::string raw;
      if (exp.empty()) {
        *error = Error("missing 'exp' value");
        return false;
      }
      if (!Base64Decode(exp, &raw) || !WholeValue(raw)) {
        *error = Error("bad 'exp'");
        return false;
      }
      d.exp = std::move(raw);
      d.exp_b64 = std::string(exp);
    }
  } else {
    const size_t comma = indexdata.find(',');
    if (comma == std::string_view::npos) {
      *error = Error("'indexdata' missing bin type");
      return false;
    }
    std::string_view bin = indexdata.substr(0, comma);
    if (bin.empty()) {
      *error = Error("'indexdata' missing bin name");
      return false;
    }
    if (bin.size() > kMaxBinName) {
      *error = Error("'indexdata' bin name too long");
      return false;
    }
    if (!KeyTypeFrom(indexdata.substr(comma + 1), &d.key_type)) {
      *error = Error(
          "bad 'indexdata' bin type - must be one of 'numeric', 'string', 'blob', "
          "'geo2dsphere'");
      return false;
    }
    d.bin = std::string(bin);
  }
  if (d.collection == Collection::kMapKeys && d.key_type == kGeo) {
    *error = Error(
        "bad 'indexdata' bin type for 'indextype' 'mapkeys' - must be one of 'numeric', "
        "'string', 'blob'");
    return false;
  }
  *out = std::move(d);
  return true;
}

}  // namespace aerospike_py::server::sindex
