#include "lua/host_objects.h"

#include <cstring>
#include <string>
#include <vector>

#include "lua/values.h"

namespace aerospike_py::lua {
namespace {

constexpr char kAerospikeClass[] = "Aerospike";
constexpr char kAerospikeRegistryKey[] = "aerospike_py.aerospike";

// A record UDF may touch this many distinct bins (read or written), and
// hold values in this many (the server's UDF_UPDATE_LIMIT / UDF_BIN_LIMIT).
constexpr uint32_t kMaxCachedBins = 1024;
constexpr uint32_t kMaxBinsWithValues = 512;
// Bin names are at most 15 bytes; longer ones read as nil and are not set.
constexpr size_t kMaxBinNameLen = 15;

char nil_value_address;
void* const kNilValue = &nil_value_address;

// User value 1: the bin cache (name -> value, kNilValue for nil); user
// value 2: the names assigned since the last create/update (name -> true).
struct RecordBox {
  RecordHost* host = nullptr;
  uint32_t cached = 0;
  uint32_t with_values = 0;
  bool too_many = false;
};

struct AerospikeBox {
  HostServices* services = nullptr;
};

struct StreamBox {
  StreamSource* source = nullptr;
  StreamSink* sink = nullptr;
};

RecordBox* CheckRecordBox(lua_State* L, int index) {
  luaL_checktype(L, index, LUA_TUSERDATA);  // the server's first check
  return static_cast<RecordBox*>(luaL_checkudata(L, index, kRecordClass));
}

RecordHost* CheckRecord(lua_State* L, int index) {
  RecordBox* box = CheckRecordBox(L, index);
  if (box->host == nullptr) luaL_error(L, "record is no longer available");
  return box->host;
}

bool IsNilValue(lua_State* L, int index) {
  return lua_islightuserdata(L, index) && lua_touserdata(L, index) == kNilValue;
}

void ResetCache(lua_State* L, int rec, RecordBox* box) {
  lua_newtable(L);
  lua_setiuservalue(L, rec, 1);
  lua_newtable(L);
  lua_setiuservalue(L, rec, 2);
  box->cached = 0;
  box->with_values = 0;
  box->too_many = false;
}

// The server's udf_record_cache_set(): value at `value` (may be nil).
void CacheSet(lua_State* L, int rec, RecordBox* box, const char* name, int value, bool dirty) {
  if (box->too_many) return;
  const bool has_value = !lua_isnil(L, value);
  lua_getiuservalue(L, rec, 1);
  const int cache = lua_gettop(L);
  const int old = lua_getfield(L, cache, name);
  const bool present = old != LUA_TNIL;
  const bool old_has_value = present && !IsNilValue(L, -1);
  lua_pop(L, 1);
  if (!present) {
    if (box->cached >= kMaxCachedBins || (has_value && box->with_values >= kMaxBinsWithValues)) {
      box->too_many = true;
      lua_pop(L, 1);
      return;
    }
    ++box->cached;
  } else if (old_has_value) {
    --box->with_values;
  }
  if (has_value) {
    ++box->with_values;
    lua_pushvalue(L, value);
  } else {
    lua_pushlightuserdata(L, kNilValue);
  }
  lua_setfield(L, cache, name);
  lua_getiuservalue(L, rec, 2);
  if (dirty) {
    lua_pushboolean(L, 1);
  } else {
    lua_pushnil(L);
  }
  lua_setfield(L, -2, name);
  lua_pop(L, 2);
}

const char* BinNameArg(lua_State* L, int arg) {
  const char* name = luaL_optstring(L, arg, nullptr);
  if (name == nullptr || std::strlen(name) > kMaxBinNameLen) return nullptr;
  return name;
}

int RecordIndex(lua_State* L) {
  RecordBox* box = CheckRecordBox(L, 1);
  const char* name = BinNameArg(L, 2);
  if (name == nullptr) {
    lua_pushnil(L);
    return 1;
  }
  if (box->host == nullptr) return luaL_error(L, "record is no longer available");
  lua_getiuservalue(L, 1, 1);
  if (lua_getfield(L, -1, name) != LUA_TNIL) {
    if (IsNilValue(L, -1)) lua_pushnil(L);
    return 1;
  }
  proto::Value v;
  if (!box->host->ReadBin(name, &v)) {
    lua_pushnil(L);
    return 1;
  }
  PushValue(L, v);
  CacheSet(L, 1, box, name, lua_gettop(L), false);
  return 1;
}

int RecordNewIndex(lua_State* L) {
  RecordBox* box = CheckRecordBox(L, 1);
  const char* name = luaL_optstring(L, 2, nullptr);
  if (name == nullptr) return 0;
  if (box->host == nullptr) return luaL_error(L, "record is no longer available");
  lua_settop(L, 3);
  const int t = lua_type(L, 3);
  const bool storable = t == LUA_TNIL || t == LUA_TBOOLEAN || t == LUA_TNUMBER ||
                        t == LUA_TSTRING || IsList(L, 3) || IsMap(L, 3) || IsBytes(L, 3) ||
                        luaL_testudata(L, 3, kGeoJsonClass) != nullptr ||
                        luaL_testudata(L, 3, kRecordClass) != nullptr;
  if (!storable) return luaL_error(L, "can't set bin %s to unsupported type", name);
  if (std::strlen(name) > kMaxBinNameLen || !box->host->writable()) return 0;
  CacheSet(L, 1, box, name, 3, true);
  return 0;
}

// The assigned bins since the last create/update, converted for the host.
std::vector<BinUpdate> DirtyBins(lua_State* L, int rec) {
  std::vector<BinUpdate> updates;
  lua_getiuservalue(L, rec, 2);
  const int dirty = lua_gettop(L);
  lua_getiuservalue(L, rec, 1);
  const int cache = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, dirty) != 0) {
    lua_pop(L, 1);
    BinUpdate u;
    u.name = lua_tostring(L, -1);
    lua_pushvalue(L, -1);
    lua_rawget(L, cache);
    if (!IsNilValue(L, -1) &&
        (luaL_testudata(L, -1, kRecordClass) != nullptr ||
         ToValue(L, -1, &u.value) != ConvertResult::kOk)) {
      u.unusable = true;
    }
    lua_pop(L, 1);
    updates.push_back(std::move(u));
  }
  lua_settop(L, dirty - 1);
  return updates;
}

// After a successful create/update: nothing is dirty any more, and bins
// set to nil leave the cache (the next read asks the host).
void CommitCache(lua_State* L, int rec, RecordBox* box, const std::vector<BinUpdate>& done) {
  lua_getiuservalue(L, rec, 1);
  for (const BinUpdate& u : done) {
    if (lua_getfield(L, -1, u.name.c_str()) != LUA_TNIL && IsNilValue(L, -1)) {
      lua_pushnil(L);
      lua_setfield(L, -3, u.name.c_str());
      --box->cached;
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  lua_newtable(L);
  lua_setiuservalue(L, rec, 2);
}

AerospikeBox* CheckAerospike(lua_State* L) {
  return static_cast<AerospikeBox*>(luaL_checkudata(L, 1, kAerospikeClass));
}

int Write(lua_State* L, bool create) {
  CheckAerospike(L);
  RecordHost* host = CheckRecord(L, 2);
  RecordBox* box = CheckRecordBox(L, 2);
  if (!host->writable()) {
    lua_pushinteger(L, 1);
    return 1;
  }
  const std::vector<BinUpdate> updates = DirtyBins(L, 2);
  const int rc = create ? host->Create(updates, box->too_many) : host->Update(updates, box->too_many);
  if (rc == 0) {
    CommitCache(L, 2, box, updates);
  } else if (rc == -1) {
    ResetCache(L, 2, box);  // the server drops its cache when a write fails
  }
  lua_pushinteger(L, rc);
  return 1;
}
int AerospikeCreate(lua_State* L) { return Write(L, true); }
int AerospikeUpdate(lua_State* L) { return Write(L, false); }

int AerospikeExists(lua_State* L) {
  CheckAerospike(L);
  RecordBox* box = CheckRecordBox(L, 2);
  lua_pushboolean(L, box->host != nullptr && box->host->Exists());
  return 1;
}

int AerospikeRemove(lua_State* L) {
  CheckAerospike(L);
  RecordHost* host = CheckRecord(L, 2);
  RecordBox* box = CheckRecordBox(L, 2);
  if (!host->writable()) {
    lua_pushinteger(L, 1);
    return 1;
  }
  const int rc = host->Remove();
  if (rc != 1) ResetCache(L, 2, box);
  lua_pushinteger(L, rc);
  return 1;
}

int AerospikeLog(lua_State* L) {
  AerospikeBox* box = CheckAerospike(L);
  const int level = static_cast<int>(luaL_optinteger(L, 2, 0));
  const char* message = luaL_optstring(L, 3, nullptr);
  // The caller of trace/debug/info/warn, two levels up.
  lua_Debug ar;
  std::string file;
  int line = 0;
  if (lua_getstack(L, 2, &ar) && lua_getinfo(L, "Sl", &ar)) {
    file = ar.source != nullptr && ar.source[0] != '\0' ? ar.source + 1 : "";
    line = ar.currentline;
  }
  if (box->services != nullptr && message != nullptr) {
    box->services->Log(level, file, line, message);
  }
  return 0;
}

int AerospikeCurrentTime(lua_State* L) {
  AerospikeBox* box = CheckAerospike(L);
  lua_pushinteger(L, box->services != nullptr
                         ? static_cast<lua_Integer>(box->services->CurrentTimeMs())
                         : 0);
  return 1;
}

int AerospikeUnsupported(lua_State* L) {
  // set_context / get_config: the server defines no such hooks.
  CheckAerospike(L);
  lua_pushinteger(L, 1);
  return 1;
}

// --- record module ----------------------------------------------------------

int RecordTtl(lua_State* L) {
  lua_pushinteger(L, CheckRecord(L, 1)->Ttl());
  return 1;
}
int RecordLastUpdateTime(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(CheckRecord(L, 1)->LastUpdateTime()));
  return 1;
}
int RecordGen(lua_State* L) {
  lua_pushinteger(L, CheckRecord(L, 1)->Generation());
  return 1;
}
int RecordSize(lua_State* L) {
  lua_pushinteger(L, CheckRecord(L, 1)->StoredSize());
  return 1;
}
int RecordMemorySize(lua_State* L) {
  lua_pushinteger(L, CheckRecord(L, 1)->MemorySize());
  return 1;
}
int RecordDeviceSize(lua_State* L) {
  lua_pushinteger(L, CheckRecord(L, 1)->DeviceSize());
  return 1;
}
int RecordKey(lua_State* L) {
  proto::Value key;
  if (CheckRecord(L, 1)->Key(&key)) {
    PushValue(L, key);
  } else {
    lua_pushnil(L);
  }
  return 1;
}
int RecordSetName(lua_State* L) {
  std::string set;
  if (CheckRecord(L, 1)->SetName(&set)) {
    lua_pushlstring(L, set.data(), set.size());
  } else {
    lua_pushnil(L);
  }
  return 1;
}
int RecordDigest(lua_State* L) {
  PushBytes(L, CheckRecord(L, 1)->Digest());
  return 1;
}
int RecordNumBins(lua_State* L) {
  lua_pushinteger(L, CheckRecord(L, 1)->NumBins());
  return 1;
}
int RecordBinNames(lua_State* L) {
  std::vector<std::string> names;
  if (!CheckRecord(L, 1)->BinNames(&names)) return luaL_error(L, "can't get bin names");
  lua_createtable(L, static_cast<int>(names.size()), 0);
  lua_Integer i = 0;
  for (const std::string& n : names) {
    lua_pushlstring(L, n.data(), n.size());
    lua_rawseti(L, -2, ++i);
  }
  return 1;
}
int RecordSetTtl(lua_State* L) {
  RecordHost* host = CheckRecord(L, 1);
  const auto ttl = static_cast<uint32_t>(luaL_optinteger(L, 2, 0));
  if (host->writable()) host->SetTtl(ttl);
  return 0;
}
int RecordDropKey(lua_State* L) {
  RecordHost* host = CheckRecord(L, 1);
  if (host->writable()) host->DropKey();
  return 0;
}

// --- stream module ----------------------------------------------------------

StreamBox* ToStream(lua_State* L) {
  return static_cast<StreamBox*>(luaL_testudata(L, 1, kStreamClass));
}

int StreamRead(lua_State* L) {
  StreamBox* s = ToStream(L);
  if (s == nullptr || s->source == nullptr) {
    lua_pushnil(L);
    return 1;
  }
  // The record of the previous read is done with: later use raises.
  if (lua_getiuservalue(L, 1, 1) == LUA_TUSERDATA) ReleaseRecord(L, lua_gettop(L));
  lua_pop(L, 1);
  proto::Value value;
  RecordHost* record = nullptr;
  switch (s->source->Next(&value, &record)) {
    case StreamSource::Kind::kEnd:
      lua_pushnil(L);
      return 1;
    case StreamSource::Kind::kValue:
      PushValue(L, value);
      return 1;
    case StreamSource::Kind::kRecord:
      PushRecord(L, record);
      lua_pushvalue(L, -1);
      lua_setiuservalue(L, 1, 1);
      return 1;
  }
  return 0;
}

int StreamWrite(lua_State* L) {
  StreamBox* s = ToStream(L);
  if (s == nullptr || s->sink == nullptr) {
    lua_pushinteger(L, 2);  // AS_STREAM_ERR
    return 1;
  }
  lua_settop(L, 2);
  proto::Value value;
  // nil ends the stream; values with no Aerospike form are dropped.
  if (lua_isnil(L, 2) || ToValue(L, 2, &value) != ConvertResult::kOk) {
    lua_pushinteger(L, 0);
    return 1;
  }
  lua_pushinteger(L, s->sink->Write(std::move(value)));
  return 1;
}

int StreamReadable(lua_State* L) {
  StreamBox* s = ToStream(L);
  lua_pushboolean(L, s != nullptr && s->source != nullptr);
  return 1;
}

int StreamWritable(lua_State* L) {
  StreamBox* s = ToStream(L);
  lua_pushboolean(L, s != nullptr && s->sink != nullptr);
  return 1;
}

int StreamToString(lua_State* L) {
  lua_pushfstring(L, "Stream<%p>", lua_touserdata(L, 1));
  return 1;
}

void NewTable(lua_State* L, const char* global, const luaL_Reg* functions) {
  lua_newtable(L);
  luaL_setfuncs(L, functions, 0);
  lua_setglobal(L, global);
}

}  // namespace

void RegisterHostObjects(lua_State* L) {
  static const luaL_Reg kRecordFunctions[] = {
      {"ttl", RecordTtl}, {"last_update_time", RecordLastUpdateTime}, {"gen", RecordGen},
      {"size", RecordSize}, {"memory_size", RecordMemorySize},
      {"device_size", RecordDeviceSize}, {"key", RecordKey}, {"setname", RecordSetName},
      {"digest", RecordDigest}, {"numbins", RecordNumBins}, {"set_ttl", RecordSetTtl},
      {"drop_key", RecordDropKey}, {"bin_names", RecordBinNames}, {nullptr, nullptr}};
  static const luaL_Reg kRecordMeta[] = {
      {"__index", RecordIndex}, {"__newindex", RecordNewIndex}, {nullptr, nullptr}};
  static const luaL_Reg kAerospikeMethods[] = {
      {"create", AerospikeCreate}, {"update", AerospikeUpdate}, {"exists", AerospikeExists},
      {"remove", AerospikeRemove}, {"log", AerospikeLog},
      {"get_current_time", AerospikeCurrentTime}, {"set_context", AerospikeUnsupported},
      {"get_config", AerospikeUnsupported}, {nullptr, nullptr}};
  static const luaL_Reg kStreamFunctions[] = {
      {"read", StreamRead}, {"write", StreamWrite}, {"readable", StreamReadable},
      {"writable", StreamWritable}, {"tostring", StreamToString}, {nullptr, nullptr}};
  static const luaL_Reg kStreamMeta[] = {{"__tostring", StreamToString}, {nullptr, nullptr}};

  NewTable(L, "record", kRecordFunctions);
  luaL_newmetatable(L, kRecordClass);
  luaL_setfuncs(L, kRecordMeta, 0);
  lua_pop(L, 1);

  // aerospike:method(...): the methods are the class table, reached through
  // __index of the object's metatable.
  luaL_newmetatable(L, kAerospikeClass);
  lua_newtable(L);
  luaL_setfuncs(L, kAerospikeMethods, 0);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  auto* box = static_cast<AerospikeBox*>(lua_newuserdatauv(L, sizeof(AerospikeBox), 0));
  new (box) AerospikeBox();
  luaL_setmetatable(L, kAerospikeClass);
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, kAerospikeRegistryKey);
  lua_setglobal(L, "aerospike");

  NewTable(L, "stream", kStreamFunctions);
  luaL_newmetatable(L, kStreamClass);
  luaL_setfuncs(L, kStreamMeta, 0);
  lua_pop(L, 1);
}

void BindServices(lua_State* L, HostServices* services) {
  lua_getfield(L, LUA_REGISTRYINDEX, kAerospikeRegistryKey);
  static_cast<AerospikeBox*>(lua_touserdata(L, -1))->services = services;
  lua_setglobal(L, "aerospike");
}

void PushRecord(lua_State* L, RecordHost* host) {
  auto* box = static_cast<RecordBox*>(lua_newuserdatauv(L, sizeof(RecordBox), 2));
  new (box) RecordBox();
  box->host = host;
  luaL_setmetatable(L, kRecordClass);
  ResetCache(L, lua_gettop(L), box);
}

void ReleaseRecord(lua_State* L, int index) {
  if (auto* box = static_cast<RecordBox*>(luaL_testudata(L, index, kRecordClass))) {
    box->host = nullptr;
  }
}

void PushStream(lua_State* L, StreamSource* source, StreamSink* sink) {
  auto* box = static_cast<StreamBox*>(lua_newuserdatauv(L, sizeof(StreamBox), 1));
  new (box) StreamBox();
  box->source = source;
  box->sink = sink;
  luaL_setmetatable(L, kStreamClass);
}

void ReleaseStream(lua_State* L, int index) {
  if (auto* box = static_cast<StreamBox*>(luaL_testudata(L, index, kStreamClass))) {
    if (lua_getiuservalue(L, index, 1) == LUA_TUSERDATA) ReleaseRecord(L, lua_gettop(L));
    lua_pop(L, 1);
    box->source = nullptr;
    box->sink = nullptr;
  }
}

}  // namespace aerospike_py::lua
