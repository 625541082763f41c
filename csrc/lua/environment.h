// Environment: one lua_State set up as Aerospike's UDF environment (the
// value types, the record/aerospike/stream objects, the prelude) with one
// user module loaded, plus the limits every call runs under:
//   * a memory limit enforced by the state's allocator (a UDF that keeps
//     allocating fails with "not enough memory" instead of exhausting the
//     process);
//   * a deadline checked by a count hook every few thousand instructions (a
//     runaway loop fails with "UDF Execution Timeout", the server's words).
//
// An Environment is used by one thread at a time; it never touches the
// host's data structures by itself (record and stream access go through the
// interfaces in host.h). Users: the embedded server's UDF room and the
// client's aggregation worker.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

struct lua_State;
struct lua_Debug;

namespace aerospike_py::lua {

// Where `require` finds other registered modules (by module name, without
// ".lua"). Called on the environment's thread.
class ModuleResolver {
 public:
  virtual ~ModuleResolver() = default;
  virtual bool FindModule(std::string_view name, std::string* source) = 0;
};

// The directory module chunks are named after: a real server names a UDF's
// chunk after its file in mod-lua's user path, so error messages read
// "<user path>/<module>.lua:<line>: <message>". We have no files; we use the
// server's default user path so messages have the same shape.
inline constexpr std::string_view kUserPath = "/opt/aerospike/usr/udf/lua";

struct EnvironmentOptions {
  // The scope apply_stream runs: true on a server (the chain up to the first
  // reduce), false on a client (the rest).
  bool server_mode = true;
  // Bytes the state may allocate; beyond it allocations fail.
  size_t memory_limit = size_t{256} << 20;
};

class Environment {
 public:
  // A state with the environment and module `module` (its `source`) loaded
  // the way `require` loads it. `resolver` (may be null) serves `require`
  // of other modules and must outlive the environment. Fails with the
  // module's load error.
  static StatusOr<std::unique_ptr<Environment>> Create(const EnvironmentOptions& options,
                                                       std::string_view module,
                                                       std::string_view source,
                                                       ModuleResolver* resolver);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  lua_State* state() const { return L_; }
  const EnvironmentOptions& options() const { return options_; }
  const std::string& module() const { return module_; }

  // Calls made until ClearDeadline() fail once `deadline` passes.
  void SetDeadline(std::chrono::steady_clock::time_point deadline);
  void ClearDeadline();
  bool deadline_passed() const { return deadline_passed_; }

  // Bytes the state holds now.
  size_t memory_in_use() const { return memory_in_use_; }

  // `require` of another module (package.searchers): asks the resolver.
  bool FindModule(std::string_view name, std::string* source);

 private:
  Environment() = default;
  static void* Allocate(void* ud, void* ptr, size_t old_size, size_t new_size);
  static void CheckDeadline(lua_State* L, ::lua_Debug* ar);

  lua_State* L_ = nullptr;
  EnvironmentOptions options_;
  std::string module_;
  ModuleResolver* resolver_ = nullptr;
  size_t memory_in_use_ = 0;
  bool has_deadline_ = false;
  bool deadline_passed_ = false;
  std::chrono::steady_clock::time_point deadline_;
};

// What udf-put reports for a module that does not load: the server compiles
// and runs the module in a fresh environment and answers
// "error=compile_error;file=<f>;line=<n>;message=<base64 message>".
struct CompileError {
  std::string file;
  int line = 0;
  std::string message;
};
// Loads `source` as module file `filename` the way registration checks it;
// nullopt when it loads.
std::optional<CompileError> ValidateModule(std::string_view filename, std::string_view source);

}  // namespace aerospike_py::lua
