// The Lua faces of the host interfaces (host.h): the `record` module and
// Record objects, the `aerospike` object (create/update/exists/remove,
// log, get_current_time) and the `stream` module with Stream objects.
//
// A Record keeps the bins the UDF read or assigned (its bin cache), as the
// server's udf_record does: reads come from the cache first, assignments
// stay there until aerospike:create/update sends them to the host, and the
// limits of a record UDF (1024 distinct bins touched, 512 with values)
// apply. Records and streams are only valid during the call that created
// them: afterwards their host pointer is cleared and any use raises an
// error instead of touching freed memory.
//
// Users: environment.cc (registration) and call.cc (per-call objects).
#pragma once

#include "lua/host.h"
#include "lua/lua_api.h"

namespace aerospike_py::lua {

inline constexpr char kRecordClass[] = "Record";
inline constexpr char kStreamClass[] = "Stream";

// Installs record, aerospike and stream in a fresh state.
void RegisterHostObjects(lua_State* L);

// Points the `aerospike` object at `services` (null: logging is dropped)
// and sets the global `aerospike` to it again, as the server does before
// each call.
void BindServices(lua_State* L, HostServices* services);

// Pushes a Record on `host`; Release() it once the call returns.
void PushRecord(lua_State* L, RecordHost* host);
void ReleaseRecord(lua_State* L, int index);

// Pushes a Stream reading `source` or writing `sink` (one of them null).
void PushStream(lua_State* L, StreamSource* source, StreamSink* sink);
void ReleaseStream(lua_State* L, int index);

}  // namespace aerospike_py::lua
