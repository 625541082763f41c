// UdfModules: the embedded server's registered UDF modules and what is
// built from them. It answers the info commands udf-put, udf-get, udf-list,
// udf-remove and udf-clear-cache with the real server's texts and checks
// (Aerospike 8.1: udf_cask.c), keeps one Lua environment per module for
// calls (rebuilt after any registration change), resolves `require` between
// registered modules, and collects what UDFs log.
//
// Registration is cluster-wide, as SMD makes it on a real cluster: all nodes
// of an embedded server share one UdfModules (it lives in ServerState), so a
// module put through any node is visible to every node at once. Only the
// server's event thread uses it.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lua/environment.h"
#include "lua/host.h"

namespace aerospike_py::server::udf {

class UdfModules : public lua::ModuleResolver, public lua::HostServices {
 public:
  // Info commands; `params` is what follows "name:" on the request line.
  std::string Put(std::string_view params);
  std::string Get(std::string_view params) const;
  std::string List() const;
  std::string Remove(std::string_view params);
  std::string ClearCache();

  // The environment with module `module` (a UDF's module field, no ".lua")
  // loaded, built on first use; null when the module is not registered or
  // does not load (then `error` says why, as the server reports it).
  lua::Environment* EnvironmentFor(std::string_view module, std::string* error);

  // lua::ModuleResolver: `require` of a registered module.
  bool FindModule(std::string_view name, std::string* source) override;
  // lua::HostServices: UDF logging and clock.
  void Log(int level, std::string_view file, int line, std::string_view message) override;
  uint64_t CurrentTimeMs() override;

  // The most recent UDF log lines ("LEVEL (file:line) message"), oldest
  // first; at most kMaxLogLines are kept.
  static constexpr size_t kMaxLogLines = 1000;
  const std::deque<std::string>& log() const { return log_; }

  size_t size() const { return modules_.size(); }
  void Clear();

 private:
  struct Module {
    std::string content;    // the Lua source
    std::string content64;  // base64 as registered
    std::string hash;       // udf-list's hash: SHA-1 of the registration record
  };
  struct Loaded {
    std::unique_ptr<lua::Environment> env;
    std::string error;
  };

  std::map<std::string, Module, std::less<>> modules_;  // by file name
  std::vector<std::string> order_;  // file names in registration order (udf-list's)
  std::map<std::string, Loaded, std::less<>> loaded_;   // by module name
  std::deque<std::string> log_;
};

}  // namespace aerospike_py::server::udf
