// What the client tells servers about itself: `user-agent-set` (server 8.1+)
// lets operators see which applications and client versions connect.
#pragma once

#include <string>
#include <string_view>

#ifndef ASPY_VERSION
#define ASPY_VERSION "dev"  // the build passes pyproject.toml's version
#endif

namespace aerospike_py::client {

inline constexpr std::string_view kClientVersion = ASPY_VERSION;

// The payload in the official clients' format, "1,<client>-<version>,<app id>",
// with "not-set" for a client configured without an app_id.
inline std::string UserAgent(std::string_view app_id) {
  std::string out = "1,aerospike_py-";
  out += kClientVersion;
  out += ',';
  out += app_id.empty() ? std::string_view("not-set") : app_id;
  return out;
}

}  // namespace aerospike_py::client
