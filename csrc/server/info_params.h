// Parameters of info commands (`name:k=v;k=v`) read the way the real
// server reads them (as_info_parameter_get() and the required/optional
// checks of thr_info.c), so that a missing, empty or over-long value is
// answered with the server's own error text. Used by the info handlers.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace aerospike_py::server {

struct InfoParam {
  enum class State : uint8_t { kFound, kNotFound, kTooLong } state = State::kNotFound;
  std::string_view value;
};

// Finds `key=` in `params`; `buffer_size` is the server's buffer for the
// value (a value of buffer_size - 1 bytes fits, a longer one is too long).
inline InfoParam GetInfoParam(std::string_view params, std::string_view key,
                              size_t buffer_size) {
  size_t tok = 0;
  for (size_t c = 0; c < params.size(); ++c) {
    if (params[c] == '=') {
      if (params.substr(tok, c - tok) == key) {
        const size_t start = c + 1;
        size_t end = params.find(';', start);
        if (end == std::string_view::npos) end = params.size();
        if (end - start >= buffer_size) return InfoParam{InfoParam::State::kTooLong, {}};
        return InfoParam{InfoParam::State::kFound, params.substr(start, end - start)};
      }
    } else if (params[c] == ';') {
      tok = c + 1;
    }
  }
  return InfoParam{};
}

// The server's `ERROR:<code>:<message>` (the code is left out when it is 1).
inline std::string InfoError(int code, std::string_view message) {
  return code == 1 ? absl::StrCat("ERROR::", AbslView(message))
                   : absl::StrCat("ERROR:", code, ":", AbslView(message));
}

// as_info_optional_param_is_ok(): an empty or over-long value is an error
// (code 20 for "namespace", 4 for anything else); absent is fine.
inline std::optional<std::string> OptionalParamError(const InfoParam& p, std::string_view key) {
  const int code = key == "namespace" ? 20 : 4;
  if (p.state == InfoParam::State::kTooLong) {
    return InfoError(code, absl::StrCat("'", AbslView(key), "' value too long"));
  }
  if (p.state == InfoParam::State::kFound && p.value.empty()) {
    return InfoError(code, absl::StrCat("missing '", AbslView(key), "' value"));
  }
  return std::nullopt;
}

// as_info_required_param_is_ok(): as above, and absent is an error too.
inline std::optional<std::string> RequiredParamError(const InfoParam& p, std::string_view key) {
  if (p.state == InfoParam::State::kNotFound) {
    return InfoError(key == "namespace" ? 20 : 4, absl::StrCat("missing '", AbslView(key), "'"));
  }
  return OptionalParamError(p, key);
}

}  // namespace aerospike_py::server
