// Aerospike values inside Lua: the List, Map, Bytes and GeoJSON types of the
// UDF environment (the `list`, `map`, `bytes` and `geojson` globals and their
// metatables), and the conversions between Lua values and proto::Value.
//
// Behaviour follows the documented UDF API of Aerospike 8.1 (mod-lua): lists
// are 1-based and may hold nil elements, maps are keyed by value, values
// that have no Aerospike form (plain tables, functions, records) are
// silently dropped when stored into a list or map, and the metatable names
// are the ones error messages show ("List expected, got number").
//
// Storage is ours: a List or Map is a full userdata whose user values are
// plain Lua tables holding the elements as Lua values, so nested containers
// are shared by reference (as in the server) and Lua's collector owns
// everything; Bytes hold a std::string destroyed by __gc. Used by the rest
// of csrc/lua/ only; other rooms go through environment.h and call.h.
#pragma once

#include <cstdint>
#include <string>

#include "lua/lua_api.h"
#include "proto/value.h"

namespace aerospike_py::lua {

inline constexpr char kListClass[] = "List";
inline constexpr char kMapClass[] = "Map";
inline constexpr char kBytesClass[] = "Bytes";
inline constexpr char kGeoJsonClass[] = "GeoJSON";

// Installs the four types and their globals in a fresh state.
void RegisterValueTypes(lua_State* L);
// The `bytes` module (bytes_lib.cc), called by RegisterValueTypes.
void RegisterBytesLibrary(lua_State* L);

// Pushes `v` converted to a Lua value (containers become List/Map).
void PushValue(lua_State* L, const proto::Value& v);

enum class ConvertResult : uint8_t {
  kOk,
  kUnsupported,  // a table, function, record, ... (no Aerospike form)
  kTooDeep,      // nesting beyond proto::kMaxMsgpackDepth (or a cycle)
};
// Converts the Lua value at `index` (any stack index).
ConvertResult ToValue(lua_State* L, int index, proto::Value* out);

// Whether the value at `index` is one of our userdata types.
bool IsList(lua_State* L, int index);
bool IsMap(lua_State* L, int index);
bool IsBytes(lua_State* L, int index);

// Pushes a new empty List / Map (for the stream and record glue).
void PushNewList(lua_State* L);
// Appends the value on the top of the stack to the List at `list_index`
// (an absolute index) and pops it.
void ListAppendTop(lua_State* L, int list_index);

// Pushes a new Bytes holding `data` with particle subtype `subtype`.
void PushBytes(lua_State* L, std::string data, uint8_t subtype = 4);
// The bytes and subtype of the Bytes at `index`; false if it is not one.
bool GetBytes(lua_State* L, int index, std::string* data, uint8_t* subtype);

// The text tostring() gives for a value, as the server's as_val_tostring
// renders it: lists "[1, 2]", maps {"a":1}, strings quoted, bytes in hex.
std::string ValueToString(const proto::Value& v);

}  // namespace aerospike_py::lua
