#include "lua/environment.h"

#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "lua/host_objects.h"
#include "lua/lua_api.h"
#include "lua/prelude.h"
#include "lua/values.h"

namespace aerospike_py::lua {
namespace {

// The count hook runs this often; a deadline check is one clock read.
constexpr int kInstructionsPerCheck = 4096;

Environment* FromState(lua_State* L) {
  return *static_cast<Environment**>(lua_getextraspace(L));
}

// Runs `fn` with `arg` under lua_pcall: anything that may raise (every
// allocation does) must, or an error outside a protected call aborts.
// Returns the pcall status; on error the message is on the stack.
int Protected(lua_State* L, lua_CFunction fn, void* arg) {
  lua_pushcfunction(L, fn);
  lua_pushlightuserdata(L, arg);
  return lua_pcall(L, 1, 0, 0);
}

std::string TopMessage(lua_State* L) {
  if (lua_type(L, -1) == LUA_TSTRING) return lua_tostring(L, -1);
  return "(error object is not a string)";
}

int SearchModule(lua_State* L);

// Opens the standard libraries, installs the types and the prelude, and
// puts SearchModule right after package.preload's searcher, so registered
// modules come before any file search.
int Setup(lua_State* L) {
  luaL_openlibs(L);
  RegisterValueTypes(L);
  RegisterHostObjects(L);
  if (luaL_loadbuffer(L, kPrelude, std::strlen(kPrelude), kPreludeName) != LUA_OK) {
    return lua_error(L);
  }
  lua_call(L, 0, 0);
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "searchers");
  const auto n = static_cast<lua_Integer>(lua_rawlen(L, -1));
  for (lua_Integer i = n; i >= 2; --i) {
    lua_rawgeti(L, -1, i);
    lua_rawseti(L, -2, i + 1);
  }
  lua_pushcfunction(L, SearchModule);
  lua_rawseti(L, -2, 2);
  lua_pop(L, 2);
  return 0;
}

int RequireModule(lua_State* L) {
  auto* name = static_cast<std::string_view*>(lua_touserdata(L, 1));
  lua_getglobal(L, "require");
  lua_pushlstring(L, name->data(), name->size());
  lua_call(L, 1, 0);
  return 0;
}

// Loads and runs a module file as udf-put checks it: the chunk is named
// after the file itself ('[string "f.lua"]' in messages).
struct ValidateArgs {
  std::string_view filename;
  std::string_view source;
};
int LoadForValidation(lua_State* L) {
  auto* a = static_cast<ValidateArgs*>(lua_touserdata(L, 1));
  const std::string chunk(a->filename);
  if (luaL_loadbuffer(L, a->source.data(), a->source.size(), chunk.c_str()) != LUA_OK) {
    return lua_error(L);
  }
  lua_call(L, 0, 0);
  return 0;
}

// package.searchers entry: registered modules by name.
int SearchModule(lua_State* L) {
  Environment* env = FromState(L);
  const char* name = luaL_checkstring(L, 1);
  std::string source;
  if (!env->FindModule(name, &source)) {
    lua_pushfstring(L, "no registered UDF module '%s'", name);
    return 1;
  }
  const std::string chunk = absl::StrCat("@", AbslView(kUserPath), "/", name, ".lua");
  if (luaL_loadbuffer(L, source.data(), source.size(), chunk.c_str()) != LUA_OK) {
    return lua_error(L);
  }
  lua_pushstring(L, chunk.c_str() + 1);
  return 2;
}

// Splits a load error the way the server reports it for udf-put:
// '[string "f.lua"]:3: message' -> file f.lua, line 3, message.
CompileError ParseLoadError(std::string_view filename, const std::string& text) {
  CompileError e;
  if (!text.empty() && text[0] == '[') {
    const size_t q1 = text.find('"');
    const size_t q2 = q1 == std::string::npos ? q1 : text.find('"', q1 + 1);
    if (q2 != std::string::npos) {
      e.file = text.substr(q1 + 1, q2 - q1 - 1);
      const size_t c1 = text.find(':', q2);
      const size_t c2 = c1 == std::string::npos ? c1 : text.find(':', c1 + 1);
      if (c2 != std::string::npos) {
        e.line = std::atoi(text.substr(c1 + 1, c2 - c1 - 1).c_str());
        e.message = c2 + 2 <= text.size() ? text.substr(c2 + 2) : "";
        return e;
      }
    }
    return e;
  }
  // Any other message: its first line, at most 256 bytes.
  e.message = text.substr(0, std::min<size_t>(text.find('\n'), 256));
  (void)filename;
  return e;
}

}  // namespace

void* Environment::Allocate(void* ud, void* ptr, size_t old_size, size_t new_size) {
  auto* env = static_cast<Environment*>(ud);
  const size_t old_bytes = ptr != nullptr ? old_size : 0;
  if (new_size == 0) {
    std::free(ptr);
    env->memory_in_use_ -= old_bytes;
    return nullptr;
  }
  if (new_size > old_bytes &&
      env->memory_in_use_ - old_bytes + new_size > env->options_.memory_limit) {
    return nullptr;  // Lua raises "not enough memory"
  }
  void* p = std::realloc(ptr, new_size);
  if (p != nullptr) env->memory_in_use_ = env->memory_in_use_ - old_bytes + new_size;
  return p;
}

void Environment::CheckDeadline(lua_State* L, lua_Debug* ar) {
  Environment* env = FromState(L);
  if (!env->has_deadline_) return;
  if (!env->deadline_passed_ && std::chrono::steady_clock::now() < env->deadline_) return;
  if (!env->deadline_passed_) {
    env->deadline_passed_ = true;
    // From now on every instruction fails, so a UDF that catches the error
    // with pcall cannot keep running.
    lua_sethook(L, &Environment::CheckDeadline, LUA_MASKCOUNT, 1);
  }
  luaL_error(L, "UDF Execution Timeout");
}

StatusOr<std::unique_ptr<Environment>> Environment::Create(const EnvironmentOptions& options,
                                                           std::string_view module,
                                                           std::string_view source,
                                                           ModuleResolver* resolver) {
  std::unique_ptr<Environment> env(new Environment());
  env->options_ = options;
  env->module_ = std::string(module);
  lua_State* L = lua_newstate(&Environment::Allocate, env.get());
  if (L == nullptr) return absl::ResourceExhaustedError("cannot create a Lua state");
  env->L_ = L;
  *static_cast<Environment**>(lua_getextraspace(L)) = env.get();
  lua_gc(L, LUA_GCGEN, 0, 0);
  if (Protected(L, Setup, nullptr) != LUA_OK) {
    return absl::InternalError(AbslView(TopMessage(L)));
  }
  if (!module.empty()) {
    // While it loads, the module resolves to `source`; afterwards `require`
    // asks the caller's resolver.
    struct Self : ModuleResolver {
      std::string_view name, source;
      ModuleResolver* next = nullptr;
      bool FindModule(std::string_view n, std::string* out) override {
        if (n == name) {
          out->assign(source);
          return true;
        }
        return next != nullptr && next->FindModule(n, out);
      }
    } self;
    self.name = module;
    self.source = source;
    self.next = resolver;
    env->resolver_ = &self;
    const int rc = Protected(L, RequireModule, &module);
    env->resolver_ = nullptr;
    if (rc != LUA_OK) return absl::FailedPreconditionError(AbslView(TopMessage(L)));
  }
  env->resolver_ = resolver;
  lua_settop(L, 0);
  return env;
}

bool Environment::FindModule(std::string_view name, std::string* source) {
  return resolver_ != nullptr && resolver_->FindModule(name, source);
}

Environment::~Environment() {
  if (L_ != nullptr) lua_close(L_);
}

void Environment::SetDeadline(std::chrono::steady_clock::time_point deadline) {
  has_deadline_ = true;
  deadline_passed_ = false;
  deadline_ = deadline;
  lua_sethook(L_, &Environment::CheckDeadline, LUA_MASKCOUNT, kInstructionsPerCheck);
}

void Environment::ClearDeadline() {
  has_deadline_ = false;
  deadline_passed_ = false;
  lua_sethook(L_, nullptr, 0, 0);
}

std::optional<CompileError> ValidateModule(std::string_view filename, std::string_view source) {
  auto env = Environment::Create(EnvironmentOptions(), "", "", nullptr);
  if (!env.ok()) {
    CompileError e;
    e.message = std::string(env.status().message());
    return e;
  }
  lua_State* L = (*env)->state();
  // Loading a module must not hang registration either.
  (*env)->SetDeadline(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  ValidateArgs args{filename, source};
  const int rc = Protected(L, LoadForValidation, &args);
  (*env)->ClearDeadline();
  if (rc == LUA_OK) return std::nullopt;
  return ParseLoadError(filename, TopMessage(L));
}

}  // namespace aerospike_py::lua
