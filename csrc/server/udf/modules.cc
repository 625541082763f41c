#include "server/udf/modules.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace aerospike_py::server::udf {
namespace {

// The server's limits: file names up to 127 bytes, sources up to 1 MiB.
constexpr size_t kMaxFileName = 127;
constexpr size_t kMaxContentLen = 1024 * 1024;

enum class ParamResult { kOk, kMissing, kTooLong };

// as_info_parameter_get(): "k=v;k=v", the value after the first '='; a value
// longer than `max_len` is refused.
ParamResult GetParam(std::string_view params, std::string_view key, size_t max_len,
                     std::string_view* out) {
  for (std::string_view kv : Split(params, ';', true)) {
    const size_t eq = kv.find('=');
    if (eq == std::string_view::npos || kv.substr(0, eq) != key) continue;
    *out = kv.substr(eq + 1);
    return out->size() > max_len ? ParamResult::kTooLong : ParamResult::kOk;
  }
  return ParamResult::kMissing;
}

// JSON string escaping as jansson writes it (the hash covers jansson's text).
std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (u < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", u);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string Sha1Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha1(), nullptr);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(md), n));
}

const char* LevelName(int level) {
  switch (level) {
    case 1: return "WARNING";
    case 2: return "INFO";
    case 3: return "DEBUG";
    case 4: return "DETAIL";
    default: return "WARNING";
  }
}

}  // namespace

std::string UdfModules::Put(std::string_view params) {
  std::string_view filename;
  if (GetParam(params, "filename", kMaxFileName, &filename) != ParamResult::kOk ||
      filename.empty()) {
    return "error=invalid_filename";
  }
  // The name needs an extension after its first dot.
  const size_t dot = filename.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == filename.size()) {
    return "error=invalid_filename";
  }
  std::string_view content_len_text;
  if (GetParam(params, "content-len", 10, &content_len_text) != ParamResult::kOk) {
    return "error=invalid_content_len";
  }
  std::string_view udf_type;
  switch (GetParam(params, "udf-type", 15, &udf_type)) {
    case ParamResult::kMissing: break;
    case ParamResult::kTooLong: return "error=invalid_udf_type";
    case ParamResult::kOk:
      if (udf_type != "LUA") return "error=invalid_udf_type";
      break;
  }
  uint32_t content_len = 0;
  if (!ParseInt(content_len_text, &content_len) || content_len % 4 != 0) {
    return "error=invalid_content_len";
  }
  std::string_view content64;
  if (GetParam(params, "content", content_len, &content64) != ParamResult::kOk ||
      content64.size() != content_len) {
    return "error=invalid_content";
  }
  if (size_t{content_len} / 4 * 3 > kMaxContentLen) return "error=invalid_udf_content_len,>1M";
  std::string content;
  if (content64.empty() || !Base64Decode(content64, &content)) {
    return "error=invalid_base64_content";
  }
  if (auto err = lua::ValidateModule(filename, content)) {
    return absl::StrCat("error=compile_error;file=", err->file, ";line=", err->line,
                        ";message=", Base64Encode(err->message));
  }
  Module m;
  m.content = std::move(content);
  m.content64 = std::string(content64);
  m.hash = Sha1Hex(absl::StrCat("{\"content64\": ", JsonString(m.content64),
                                ", \"type\": \"LUA\", \"name\": ", JsonString(filename), "}"));
  auto [it, inserted] = modules_.insert_or_assign(std::string(filename), std::move(m));
  if (inserted) order_.push_back(it->first);
  loaded_.clear();  // modules that `require` it must see the new version too
  return "ok";
}

std::string UdfModules::Get(std::string_view params) const {
  std::string_view filename;
  if (GetParam(params, "filename", kMaxFileName, &filename) != ParamResult::kOk ||
      filename.empty()) {
    return "error=invalid_filename";
  }
  auto it = modules_.find(filename);
  if (it == modules_.end()) return "error=not_found";
  if (it->second.content.empty()) return "error=empty";
  return absl::StrCat("type=LUA;content=", Base64Encode(it->second.content), ";");
}

std::string UdfModules::List() const {
  std::string out;
  for (const std::string& name : order_) {
    absl::StrAppend(&out, "filename=", name, ",hash=", modules_.at(name).hash, ",type=LUA;");
  }
  return out;
}

std::string UdfModules::Remove(std::string_view params) {
  std::string_view filename;
  if (GetParam(params, "filename", kMaxFileName, &filename) != ParamResult::kOk ||
      filename.empty()) {
    return "error=invalid_filename";
  }
  // Removing a module that is not registered is not an error.
  auto it = modules_.find(filename);
  if (it != modules_.end()) {
    order_.erase(std::find(order_.begin(), order_.end(), it->first));
    modules_.erase(it);
  }
  loaded_.clear();
  return "ok";
}

std::string UdfModules::ClearCache() {
  loaded_.clear();
  return "ok";
}

void UdfModules::Clear() {
  modules_.clear();
  order_.clear();
  loaded_.clear();
  log_.clear();
}

lua::Environment* UdfModules::EnvironmentFor(std::string_view module, std::string* error) {
  auto it = loaded_.find(module);
  if (it == loaded_.end()) {
    Loaded l;
    std::string source;
    if (!FindModule(module, &source)) {
      l.error = "module not found";
    } else {
      auto env = lua::Environment::Create(lua::EnvironmentOptions(), module, source, this);
      if (env.ok()) {
        l.env = std::move(env).value();
      } else {
        l.error = std::string(env.status().message());
      }
    }
    it = loaded_.emplace(std::string(module), std::move(l)).first;
  }
  if (it->second.env == nullptr) {
    *error = it->second.error;
    return nullptr;
  }
  return it->second.env.get();
}

bool UdfModules::FindModule(std::string_view name, std::string* source) {
  auto it = modules_.find(absl::StrCat(AbslView(name), ".lua"));
  if (it == modules_.end()) return false;
  *source = it->second.content;
  return true;
}

void UdfModules::Log(int level, std::string_view file, int line, std::string_view message) {
  // The server logs a UDF's file by its base name.
  const size_t slash = file.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? file : file.substr(slash + 1);
  log_.push_back(absl::StrCat(LevelName(level), " (", AbslView(base), ":", line, ") ",
                              AbslView(message)));
  if (log_.size() > kMaxLogLines) log_.pop_front();
}

uint64_t UdfModules::CurrentTimeMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace aerospike_py::server::udf
