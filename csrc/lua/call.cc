#include "lua/call.h"

#include <string>

#include "lua/host_objects.h"
#include "lua/lua_api.h"
#include "lua/values.h"

namespace aerospike_py::lua {
namespace {

// Registry slot holding the call's record and streams, so that they are
// released after the call whatever happened (and not collected before).
constexpr char kCallObjects[] = "aerospike_py.call_objects";
constexpr char kUnexpected[] = "result value type unexpected";

struct CallArgs {
  std::string function;
  RecordHost* record = nullptr;
  StreamSource* input = nullptr;
  StreamSink* output = nullptr;
  HostServices* services = nullptr;
  const std::vector<proto::Value>* args = nullptr;
  CallResult* result = nullptr;
};

void PushArgs(lua_State* L, const std::vector<proto::Value>& args) {
  luaL_checkstack(L, static_cast<int>(args.size()) + 8, "too many UDF arguments");
  for (const proto::Value& v : args) PushValue(L, v);
}

// Stores the objects at the top `n` stack slots in the registry slot.
void Anchor(lua_State* L, int n) {
  lua_createtable(L, n, 0);
  for (int i = n; i >= 1; --i) {
    lua_pushvalue(L, -1 - (n - i) - 1);
    lua_rawseti(L, -2, i);
  }
  lua_setfield(L, LUA_REGISTRYINDEX, kCallObjects);
}

int RunRecordCall(lua_State* L) {
  auto* a = static_cast<CallArgs*>(lua_touserdata(L, 1));
  BindServices(L, a->services);
  PushRecord(L, a->record);
  const int rec = lua_gettop(L);
  Anchor(L, 1);
  lua_getglobal(L, "apply_record");
  lua_getglobal(L, a->function.c_str());
  lua_pushvalue(L, rec);
  PushArgs(L, *a->args);
  lua_call(L, static_cast<int>(a->args->size()) + 2, 1);
  proto::Value v;
  if (ToValue(L, -1, &v) == ConvertResult::kOk) a->result->value = std::move(v);
  a->result->success = true;
  return 0;
}

int RunStreamCall(lua_State* L) {
  auto* a = static_cast<CallArgs*>(lua_touserdata(L, 1));
  BindServices(L, a->services);
  PushStream(L, a->input, nullptr);
  const int in = lua_gettop(L);
  PushStream(L, nullptr, a->output);
  const int out = lua_gettop(L);
  Anchor(L, 2);
  lua_getglobal(L, "apply_stream");
  lua_getglobal(L, a->function.c_str());
  Environment* env = *static_cast<Environment**>(lua_getextraspace(L));
  lua_pushinteger(L, env->options().server_mode ? 1 : 2);
  lua_pushvalue(L, in);
  lua_pushvalue(L, out);
  PushArgs(L, *a->args);
  lua_call(L, static_cast<int>(a->args->size()) + 4, 1);
  a->result->success = true;
  return 0;
}

// Clears the record/streams of the call: later use from Lua raises.
int ReleaseCallObjects(lua_State* L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, kCallObjects) == LUA_TTABLE) {
    const auto n = static_cast<lua_Integer>(lua_rawlen(L, -1));
    for (lua_Integer i = 1; i <= n; ++i) {
      lua_rawgeti(L, -1, i);
      ReleaseRecord(L, lua_gettop(L));
      ReleaseStream(L, lua_gettop(L));
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kCallObjects);
  BindServices(L, nullptr);
  return 0;
}

CallResult Run(Environment& env, lua_CFunction body, CallArgs& args,
               std::chrono::steady_clock::time_point deadline) {
  CallResult result;
  args.result = &result;
  lua_State* L = env.state();
  lua_settop(L, 0);
  env.SetDeadline(deadline);
  lua_pushcfunction(L, body);
  lua_pushlightuserdata(L, &args);
  const int rc = lua_pcall(L, 1, 0, 0);
  env.ClearDeadline();
  if (rc != LUA_OK) {
    result.success = false;
    result.status = rc;
    result.value = proto::Value();
    result.error = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : kUnexpected;
  }
  lua_settop(L, 0);
  lua_pushcfunction(L, ReleaseCallObjects);
  if (lua_pcall(L, 0, 0, 0) != LUA_OK) lua_settop(L, 0);
  return result;
}

}  // namespace

CallResult CallRecordFunction(Environment& env, std::string_view function, RecordHost* record,
                              HostServices* services, const std::vector<proto::Value>& args,
                              std::chrono::steady_clock::time_point deadline) {
  CallArgs a;
  a.function = std::string(function);
  a.record = record;
  a.services = services;
  a.args = &args;
  return Run(env, RunRecordCall, a, deadline);
}

CallResult CallStreamFunction(Environment& env, std::string_view function, StreamSource* input,
                              StreamSink* output, HostServices* services,
                              const std::vector<proto::Value>& args,
                              std::chrono::steady_clock::time_point deadline) {
  CallArgs a;
  a.function = std::string(function);
  a.input = input;
  a.output = output;
  a.services = services;
  a.args = &args;
  return Run(env, RunStreamCall, a, deadline);
}

}  // namespace aerospike_py::lua
