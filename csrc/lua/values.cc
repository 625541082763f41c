#include "lua/values.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

#include "proto/constants.h"
#include "proto/msgpack.h"

namespace aerospike_py::lua {
namespace {

// A List: `size` elements live at [1..size] of user value 1 (nil elements
// are holes in that table, which is why the size is kept here).
struct ListBox {
  lua_Integer size = 0;
};

// A Map: user value 1 maps a normalized key (see PushMapKey) to its value;
// user value 2 (created on first need) maps the normalized key of a Bytes
// key back to the Bytes itself. A nil value is stored as kNilSlot so that
// `m[k] = nil` keeps the key, as the server's maps do.
struct MapBox {
  lua_Integer size = 0;
  uint8_t flags = 0;  // map order flags of the bin it came from
};

// The GeoJSON text is user value 1.
struct GeoJsonBox {
  char unused = 0;
};

char nil_slot_address;
void* const kNilSlot = &nil_slot_address;

// Prefix of the normalized key of a Bytes map key: not valid UTF-8, so no
// string key of a real application collides with it.
constexpr std::string_view kBytesKeyPrefix = "\xff\xfe" "bytes:";

ListBox* TestList(lua_State* L, int index) {
  return static_cast<ListBox*>(luaL_testudata(L, index, kListClass));
}
MapBox* TestMap(lua_State* L, int index) {
  return static_cast<MapBox*>(luaL_testudata(L, index, kMapClass));
}
// A value that is not a userdata at all fails as the server's checks fail
// ("userdata expected, got number"); another userdata names the class.
ListBox* CheckList(lua_State* L, int index) {
  luaL_checktype(L, index, LUA_TUSERDATA);
  return static_cast<ListBox*>(luaL_checkudata(L, index, kListClass));
}
MapBox* CheckMap(lua_State* L, int index) {
  luaL_checktype(L, index, LUA_TUSERDATA);
  return static_cast<MapBox*>(luaL_checkudata(L, index, kMapClass));
}

// Values a List or Map may hold; anything else is dropped on insert, as
// the server drops what it cannot turn into an as_val.
bool Storable(lua_State* L, int index) {
  switch (lua_type(L, index)) {
    case LUA_TNIL: case LUA_TBOOLEAN: case LUA_TNUMBER: case LUA_TSTRING:
      return true;
    case LUA_TUSERDATA:
      return TestList(L, index) || TestMap(L, index) || IsBytes(L, index) ||
             luaL_testudata(L, index, kGeoJsonClass) != nullptr;
    default:
      return false;
  }
}

ListBox* NewList(lua_State* L) {
  auto* box = static_cast<ListBox*>(lua_newuserdatauv(L, sizeof(ListBox), 1));
  new (box) ListBox();
  lua_newtable(L);
  lua_setiuservalue(L, -2, 1);
  luaL_setmetatable(L, kListClass);
  return box;
}

MapBox* NewMap(lua_State* L, uint8_t flags = 0) {
  auto* box = static_cast<MapBox*>(lua_newuserdatauv(L, sizeof(MapBox), 2));
  new (box) MapBox();
  box->flags = flags;
  lua_newtable(L);
  lua_setiuservalue(L, -2, 1);
  luaL_setmetatable(L, kMapClass);
  return box;
}

// --- List -------------------------------------------------------------------

// Pushes the items table of the List at `index`.
void PushItems(lua_State* L, int index) { lua_getiuservalue(L, index, 1); }

// items[to] = items[from] for a range, moving up or down.
void MoveItems(lua_State* L, int items, lua_Integer from, lua_Integer to, lua_Integer n) {
  if (to > from) {
    for (lua_Integer i = n - 1; i >= 0; --i) {
      lua_geti(L, items, from + i);
      lua_seti(L, items, to + i);
    }
  } else {
    for (lua_Integer i = 0; i < n; ++i) {
      lua_geti(L, items, from + i);
      lua_seti(L, items, to + i);
    }
  }
}

void ClearItems(lua_State* L, int items, lua_Integer from, lua_Integer to) {
  for (lua_Integer i = from; i <= to; ++i) {
    lua_pushnil(L);
    lua_seti(L, items, i);
  }
}

// Sets element `pos` (1-based) to the value at `value`, growing the list
// with nil elements when `pos` is past its end.
void ListSet(lua_State* L, int list, ListBox* box, lua_Integer pos, int value) {
  PushItems(L, list);
  lua_pushvalue(L, value);
  lua_seti(L, -2, pos);
  lua_pop(L, 1);
  if (pos > box->size) box->size = pos;
}

// Inserts before element `pos` (1-based); past the end it appends after nil
// padding.
void ListInsert(lua_State* L, int list, ListBox* box, lua_Integer pos, int value) {
  if (pos > box->size) {
    ListSet(L, list, box, pos, value);
    return;
  }
  PushItems(L, list);
  const int items = lua_gettop(L);
  MoveItems(L, items, pos, pos + 1, box->size - pos + 1);
  lua_pushvalue(L, value);
  lua_seti(L, items, pos);
  lua_pop(L, 1);
  ++box->size;
}

int ListNew(lua_State* L) {
  // list.new / list.create(capacity[, step]): arguments other than one or
  // two non-negative integers give nothing back, as in the server.
  const int n = lua_gettop(L);
  if (n < 1 || n > 2) return 0;
  if (luaL_optinteger(L, 1, -1) < 0) return 0;
  if (luaL_optinteger(L, 2, 10) < 0) return 0;
  NewList(L);
  return 1;
}

int ListCall(lua_State* L) {
  // list{...}: the elements of the table's integer keys, in table order.
  ListBox* box = NewList(L);
  const int list = lua_gettop(L);
  if (list == 3 && lua_type(L, 2) == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, 2) != 0) {
      if (lua_type(L, -2) == LUA_TNUMBER && Storable(L, -1)) {
        ListSet(L, list, box, box->size + 1, lua_gettop(L));
      }
      lua_pop(L, 1);
    }
  }
  return 1;
}

int ListInsertFn(lua_State* L) {
  ListBox* box = CheckList(L, 1);
  const lua_Integer pos = luaL_optinteger(L, 2, 0);
  if (pos > 0 && Storable(L, 3)) ListInsert(L, 1, box, pos, 3);
  return 0;
}

int ListAppendFn(lua_State* L) {
  ListBox* box = CheckList(L, 1);
  if (lua_gettop(L) < 2) lua_pushnil(L);
  if (Storable(L, 2)) ListSet(L, 1, box, box->size + 1, 2);
  return 0;
}

int ListPrependFn(lua_State* L) {
  ListBox* box = CheckList(L, 1);
  if (lua_gettop(L) < 2) lua_pushnil(L);
  if (Storable(L, 2)) ListInsert(L, 1, box, 1, 2);
  return 0;
}

int ListRemoveFn(lua_State* L) {
  ListBox* box = CheckList(L, 1);
  const lua_Integer pos = luaL_optinteger(L, 2, 0);
  if (pos < 1 || pos > box->size) return 0;
  PushItems(L, 1);
  const int items = lua_gettop(L);
  MoveItems(L, items, pos + 1, pos, box->size - pos);
  ClearItems(L, items, box->size, box->size);
  --box->size;
  return 0;
}

int ListConcatFn(lua_State* L) {
  ListBox* box = CheckList(L, 1);
  ListBox* other = CheckList(L, 2);
  const lua_Integer n = other->size;  // l:concat(l) doubles the list once
  PushItems(L, 1);
  PushItems(L, 2);
  for (lua_Integer i = 1; i <= n; ++i) {
    lua_geti(L, -1, i);
    lua_seti(L, -3, box->size + i);
  }
  box->size += n;
  return 0;
}

int ListTrimFn(lua_State* L) {
  // Keeps the elements before `pos`.
  ListBox* box = CheckList(L, 1);
  const lua_Integer pos = luaL_optinteger(L, 2, 0);
  if (pos < 1 || pos > box->size) return 0;
  PushItems(L, 1);
  ClearItems(L, lua_gettop(L), pos, box->size);
  box->size = pos - 1;
  return 0;
}

// take(l, n): a new list of the first n elements; drop(l, n): of the rest.
int ListSlice(lua_State* L, bool take) {
  ListBox* box = CheckList(L, 1);
  const lua_Integer n = luaL_optinteger(L, 2, 0);
  if (n <= 0) {
    lua_pushnil(L);
    return 1;
  }
  const lua_Integer from = take ? 1 : std::min(n, box->size) + 1;
  const lua_Integer to = take ? std::min(n, box->size) : box->size;
  PushItems(L, 1);
  const int items = lua_gettop(L);
  ListBox* out = NewList(L);
  PushItems(L, -1);
  for (lua_Integer i = from; i <= to; ++i) {
    lua_geti(L, items, i);
    lua_seti(L, -2, i - from + 1);
  }
  lua_pop(L, 1);
  out->size = to >= from ? to - from + 1 : 0;
  return 1;
}
int ListTakeFn(lua_State* L) { return ListSlice(L, true); }
int ListDropFn(lua_State* L) { return ListSlice(L, false); }

int ListSizeFn(lua_State* L) {
  lua_pushinteger(L, CheckList(L, 1)->size);
  return 1;
}

int ValueNbytes(lua_State* L) {
  proto::Value v;
  if (ToValue(L, 1, &v) != ConvertResult::kOk) {
    lua_pushinteger(L, 0);
    return 1;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(proto::EncodeMsgpack(v).size()));
  return 1;
}
int ListNbytesFn(lua_State* L) {
  CheckList(L, 1);
  return ValueNbytes(L);
}

// The closure behind list.iterator: upvalue 1 the list, 2 the next position.
int ListIteratorNext(lua_State* L) {
  auto* box = static_cast<ListBox*>(lua_touserdata(L, lua_upvalueindex(1)));
  const lua_Integer i = lua_tointeger(L, lua_upvalueindex(2));
  if (i > box->size) return 0;
  lua_pushinteger(L, i + 1);
  lua_replace(L, lua_upvalueindex(2));
  lua_getiuservalue(L, lua_upvalueindex(1), 1);
  lua_geti(L, -1, i);
  return 1;
}
int ListIteratorFn(lua_State* L) {
  CheckList(L, 1);
  lua_pushvalue(L, 1);
  lua_pushinteger(L, 1);
  lua_pushcclosure(L, ListIteratorNext, 2);
  return 1;
}

int ToStringFn(lua_State* L, const char* empty) {
  proto::Value v;
  if (ToValue(L, 1, &v) != ConvertResult::kOk) {
    lua_pushstring(L, empty);
    return 1;
  }
  const std::string s = ValueToString(v);
  lua_pushlstring(L, s.data(), s.size());
  return 1;
}
int ListToStringFn(lua_State* L) {
  CheckList(L, 1);
  return ToStringFn(L, "List()");
}

int ListIndex(lua_State* L) {
  ListBox* box = CheckList(L, 1);
  const lua_Integer pos = luaL_optinteger(L, 2, 0);
  if (pos < 1 || pos > box->size) {
    lua_pushnil(L);
    return 1;
  }
  PushItems(L, 1);
  lua_geti(L, -1, pos);
  return 1;
}

int ListNewIndex(lua_State* L) {
  ListBox* box = CheckList(L, 1);
  const lua_Integer pos = luaL_optinteger(L, 2, 0);
  if (pos > 0 && Storable(L, 3)) ListSet(L, 1, box, pos, 3);
  return 0;
}

int ListLen(lua_State* L) {
  lua_pushinteger(L, CheckList(L, 1)->size);
  return 1;
}

// --- Map --------------------------------------------------------------------

// Pushes the normalized key of the value at `index`; false (nothing pushed)
// for a key a map cannot hold.
bool PushMapKey(lua_State* L, int index) {
  switch (lua_type(L, index)) {
    case LUA_TBOOLEAN: case LUA_TNUMBER: case LUA_TSTRING:
      lua_pushvalue(L, index);
      return true;
    case LUA_TUSERDATA: {
      std::string data;
      uint8_t subtype;
      if (GetBytes(L, index, &data, &subtype)) {
        std::string key(kBytesKeyPrefix);
        key += data;
        lua_pushlstring(L, key.data(), key.size());
        return true;
      }
      if (Storable(L, index)) {
        lua_pushvalue(L, index);  // containers and GeoJSON: by identity
        return true;
      }
      return false;
    }
    default:
      return false;
  }
}

bool IsBytesKey(lua_State* L, int index) {
  if (lua_type(L, index) != LUA_TSTRING) return false;
  size_t n;
  const char* s = lua_tolstring(L, index, &n);
  return n >= kBytesKeyPrefix.size() &&
         std::memcmp(s, kBytesKeyPrefix.data(), kBytesKeyPrefix.size()) == 0;
}

// Pushes the original key of the normalized key at `nk` (`map` may be a
// pseudo-index).
void PushOriginalKey(lua_State* L, int map, int nk) {
  if (IsBytesKey(L, nk)) {
    if (lua_getiuservalue(L, map, 2) == LUA_TTABLE) {
      lua_pushvalue(L, nk);
      if (lua_rawget(L, -2) != LUA_TNIL) {
        lua_remove(L, -2);
        return;
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  lua_pushvalue(L, nk);
}

// Pushes a stored map value, turning the nil slot back into nil.
void PushSlot(lua_State* L, int slot) {
  if (lua_islightuserdata(L, slot) && lua_touserdata(L, slot) == kNilSlot) {
    lua_pushnil(L);
  } else {
    lua_pushvalue(L, slot);
  }
}

// m[key] = value (value at `value`, key at `key`); nil values are kept.
void MapSet(lua_State* L, int map, MapBox* box, int key, int value) {
  if (!PushMapKey(L, key)) return;
  const int nk = lua_gettop(L);
  lua_getiuservalue(L, map, 1);
  const int values = lua_gettop(L);
  lua_pushvalue(L, nk);
  const bool existed = lua_rawget(L, values) != LUA_TNIL;
  lua_pop(L, 1);
  lua_pushvalue(L, nk);
  if (lua_isnil(L, value)) {
    lua_pushlightuserdata(L, kNilSlot);
  } else {
    lua_pushvalue(L, value);
  }
  lua_rawset(L, values);
  if (!existed) {
    ++box->size;
    if (IsBytesKey(L, nk)) {
      if (lua_getiuservalue(L, map, 2) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setiuservalue(L, map, 2);
      }
      lua_pushvalue(L, nk);
      lua_pushvalue(L, key);
      lua_rawset(L, -3);
      lua_pop(L, 1);
    }
  }
  lua_settop(L, nk - 1);
}

void MapRemove(lua_State* L, int map, MapBox* box, int key) {
  if (!PushMapKey(L, key)) return;
  const int nk = lua_gettop(L);
  lua_getiuservalue(L, map, 1);
  lua_pushvalue(L, nk);
  if (lua_rawget(L, -2) != LUA_TNIL) {
    lua_pop(L, 1);
    lua_pushvalue(L, nk);
    lua_pushnil(L);
    lua_rawset(L, -3);
    --box->size;
    if (IsBytesKey(L, nk) && lua_getiuservalue(L, map, 2) == LUA_TTABLE) {
      lua_pushvalue(L, nk);
      lua_pushnil(L);
      lua_rawset(L, -3);
    }
  }
  lua_settop(L, nk - 1);
}

int MapNew(lua_State* L) {
  // map.new / map.create(capacity): exactly one positive integer.
  if (lua_gettop(L) != 1) return 0;
  if (luaL_optinteger(L, 1, 0) < 1) return 0;
  NewMap(L);
  return 1;
}

int MapCall(lua_State* L) {
  // map{...} or map(t, capacity): every convertible pair of the table.
  const int n = lua_gettop(L);
  MapBox* box = NewMap(L);
  const int map = lua_gettop(L);
  if ((n == 2 || n == 3) && lua_type(L, 2) == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, 2) != 0) {
      if (Storable(L, -1)) MapSet(L, map, box, lua_gettop(L) - 1, lua_gettop(L));
      lua_pop(L, 1);
    }
  }
  return 1;
}

int MapIndex(lua_State* L) {
  CheckMap(L, 1);
  if (!PushMapKey(L, 2)) {
    lua_pushnil(L);
    return 1;
  }
  lua_getiuservalue(L, 1, 1);
  lua_insert(L, -2);
  lua_rawget(L, -2);
  PushSlot(L, lua_gettop(L));
  return 1;
}

int MapNewIndex(lua_State* L) {
  MapBox* box = CheckMap(L, 1);
  if (lua_gettop(L) < 3) lua_settop(L, 3);
  if (Storable(L, 3)) {
    MapSet(L, 1, box, 2, 3);
  } else if (luaL_testudata(L, 3, "Record") == nullptr) {
    MapRemove(L, 1, box, 2);  // a value with no Aerospike form removes the key
  }
  return 0;
}

int MapRemoveFn(lua_State* L) {
  MapBox* box = CheckMap(L, 1);
  lua_settop(L, 2);
  MapRemove(L, 1, box, 2);
  return 0;
}

int MapSizeFn(lua_State* L) {
  lua_pushinteger(L, CheckMap(L, 1)->size);
  return 1;
}

int MapNbytesFn(lua_State* L) {
  CheckMap(L, 1);
  return ValueNbytes(L);
}

int MapToStringFn(lua_State* L) {
  CheckMap(L, 1);
  return ToStringFn(L, "Map()");
}

// Iteration closures: upvalue 1 the map, 2 the last normalized key (nil to
// start), 3 what to yield (0 pairs, 1 keys, 2 values).
int MapIteratorNext(lua_State* L) {
  const int map = lua_upvalueindex(1);
  lua_getiuservalue(L, map, 1);
  const int values = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(2));
  if (lua_next(L, values) == 0) return 0;
  const int nk = lua_gettop(L) - 1;
  const int slot = lua_gettop(L);
  lua_pushvalue(L, nk);
  lua_replace(L, lua_upvalueindex(2));
  const lua_Integer what = lua_tointeger(L, lua_upvalueindex(3));
  if (what != 2) PushOriginalKey(L, map, nk);
  if (what != 1) PushSlot(L, slot);
  return what == 0 ? 2 : 1;
}
int MapIterate(lua_State* L, int what) {
  CheckMap(L, 1);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  lua_pushinteger(L, what);
  lua_pushcclosure(L, MapIteratorNext, 3);
  return 1;
}
int MapPairsFn(lua_State* L) { return MapIterate(L, 0); }
int MapKeysFn(lua_State* L) { return MapIterate(L, 1); }
int MapValuesFn(lua_State* L) { return MapIterate(L, 2); }

int MapLen(lua_State* L) {
  lua_pushinteger(L, CheckMap(L, 1)->size);
  return 1;
}

// --- GeoJSON ----------------------------------------------------------------

void PushGeoJson(lua_State* L, std::string_view json) {
  auto* box = static_cast<GeoJsonBox*>(lua_newuserdatauv(L, sizeof(GeoJsonBox), 1));
  new (box) GeoJsonBox();
  lua_pushlstring(L, json.data(), json.size());
  lua_setiuservalue(L, -2, 1);
  luaL_setmetatable(L, kGeoJsonClass);
}

int GeoJsonCall(lua_State* L) {
  // geojson(text): the text is not checked here (the server checks it when
  // it becomes a bin).
  if (lua_gettop(L) != 2) return 0;
  if (lua_type(L, 2) != LUA_TSTRING && lua_type(L, 2) != LUA_TNUMBER) {
    if (lua_isnoneornil(L, 2)) return 0;
    luaL_checkstring(L, 2);
  }
  size_t n;
  const char* s = lua_tolstring(L, 2, &n);
  PushGeoJson(L, std::string_view(s, strnlen(s, n)));
  return 1;
}

int GeoJsonToString(lua_State* L) {
  if (lua_gettop(L) != 1) {
    lua_pushinteger(L, 0);
    return 1;
  }
  luaL_checkudata(L, 1, kGeoJsonClass);
  lua_getiuservalue(L, 1, 1);
  lua_pushfstring(L, "\"%s\"", lua_tostring(L, -1));
  return 1;
}

// --- registration -------------------------------------------------------------

// A global table `name` with `functions`, whose metatable has `__call`
// (the constructor) and hides itself behind __metatable, as the server's
// object tables do.
void RegisterObject(lua_State* L, const char* name, const luaL_Reg* functions,
                    lua_CFunction call) {
  lua_newtable(L);
  luaL_setfuncs(L, functions, 0);
  lua_newtable(L);
  lua_pushcfunction(L, call);
  lua_setfield(L, -2, "__call");
  lua_pushvalue(L, -2);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_setglobal(L, name);
}

// The metatable of a userdata type, in the registry under `name`.
void RegisterClass(lua_State* L, const char* name, const luaL_Reg* metamethods) {
  luaL_newmetatable(L, name);
  luaL_setfuncs(L, metamethods, 0);
  lua_pop(L, 1);
}

// --- conversion -------------------------------------------------------------

int TypeRank(const proto::Value& v) {
  using T = proto::Value::Type;
  switch (v.type()) {
    case T::kNil: return 0;
    case T::kBool: return v.as_bool() ? 2 : 1;
    case T::kInt: return 3;
    case T::kString: return 4;
    case T::kList: return 5;
    case T::kMap: return 6;
    case T::kBytes: case T::kHll: return 7;
    case T::kDouble: return 8;
    case T::kGeoJson: return 9;
    default: return 10;
  }
}

// Aerospike's ordering of msgpack values (the order of key-ordered maps).
int Compare(const proto::Value& a, const proto::Value& b) {
  const int ra = TypeRank(a), rb = TypeRank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  using T = proto::Value::Type;
  switch (a.type()) {
    case T::kInt:
      return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int() ? 1 : 0;
    case T::kDouble:
      return a.as_double() < b.as_double() ? -1 : a.as_double() > b.as_double() ? 1 : 0;
    case T::kString: case T::kBytes: case T::kHll: case T::kGeoJson: {
      const int c = a.str().compare(b.str());
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case T::kList: case T::kMap: {
      const auto& x = a.items();
      const auto& y = b.items();
      if (a.type() == T::kMap && x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
      for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
        if (int c = Compare(x[i], y[i])) return c;
      }
      return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
    }
    default:
      return 0;
  }
}

ConvertResult Convert(lua_State* L, int index, proto::Value* out, int depth);

ConvertResult ConvertList(lua_State* L, int index, const ListBox* box, proto::Value* out,
                          int depth) {
  std::vector<proto::Value> items;
  items.reserve(static_cast<size_t>(box->size));
  luaL_checkstack(L, 4, "list too deep");
  PushItems(L, index);
  const int t = lua_gettop(L);
  for (lua_Integer i = 1; i <= box->size; ++i) {
    lua_geti(L, t, i);
    proto::Value item;
    const ConvertResult r = Convert(L, lua_gettop(L), &item, depth + 1);
    lua_pop(L, 1);
    if (r == ConvertResult::kTooDeep) {
      lua_pop(L, 1);
      return r;
    }
    items.push_back(r == ConvertResult::kOk ? std::move(item) : proto::Value());
  }
  lua_pop(L, 1);
  *out = proto::Value::List(std::move(items));
  return ConvertResult::kOk;
}

ConvertResult ConvertMap(lua_State* L, int index, const MapBox* box, proto::Value* out,
                         int depth) {
  std::vector<std::pair<proto::Value, proto::Value>> entries;
  entries.reserve(static_cast<size_t>(box->size));
  luaL_checkstack(L, 6, "map too deep");
  lua_getiuservalue(L, index, 1);
  const int values = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, values) != 0) {
    const int nk = lua_gettop(L) - 1;
    PushOriginalKey(L, index, nk);
    proto::Value k, v;
    ConvertResult r = Convert(L, lua_gettop(L), &k, depth + 1);
    lua_pop(L, 1);
    if (r == ConvertResult::kOk) {
      PushSlot(L, nk + 1);
      r = Convert(L, lua_gettop(L), &v, depth + 1);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);  // the value; the key stays for lua_next
    if (r == ConvertResult::kTooDeep) {
      lua_settop(L, values - 1);
      return r;
    }
    if (r == ConvertResult::kOk) entries.emplace_back(std::move(k), std::move(v));
  }
  lua_pop(L, 1);
  // Key order: deterministic output for unordered maps too (the server's
  // hash order is arbitrary anyway), and the required order for key-ordered
  // ones.
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return Compare(a.first, b.first) < 0; });
  *out = proto::Value::Map(std::move(entries), box->flags);
  return ConvertResult::kOk;
}

ConvertResult Convert(lua_State* L, int index, proto::Value* out, int depth) {
  if (depth > proto::kMaxMsgpackDepth) return ConvertResult::kTooDeep;
  switch (lua_type(L, index)) {
    case LUA_TNIL:
      *out = proto::Value();
      return ConvertResult::kOk;
    case LUA_TBOOLEAN:
      *out = proto::Value::Bool(lua_toboolean(L, index) != 0);
      return ConvertResult::kOk;
    case LUA_TNUMBER:
      *out = lua_isinteger(L, index) ? proto::Value::Int(lua_tointeger(L, index))
                                     : proto::Value::Double(lua_tonumber(L, index));
      return ConvertResult::kOk;
    case LUA_TSTRING: {
      // The server copies Lua strings as C strings: they end at a NUL.
      size_t n;
      const char* s = lua_tolstring(L, index, &n);
      *out = proto::Value::String(std::string(s, strnlen(s, n)));
      return ConvertResult::kOk;
    }
    case LUA_TUSERDATA: {
      if (const ListBox* box = TestList(L, index)) return ConvertList(L, index, box, out, depth);
      if (const MapBox* box = TestMap(L, index)) return ConvertMap(L, index, box, out, depth);
      std::string data;
      uint8_t subtype;
      if (GetBytes(L, index, &data, &subtype)) {
        *out = subtype == static_cast<uint8_t>(proto::ParticleType::kHll)
                   ? proto::Value::Hll(std::move(data))
                   : proto::Value::Bytes(std::move(data), subtype);
        return ConvertResult::kOk;
      }
      if (luaL_testudata(L, index, kGeoJsonClass)) {
        lua_getiuservalue(L, index, 1);
        *out = proto::Value::GeoJson(lua_tostring(L, -1));
        lua_pop(L, 1);
        return ConvertResult::kOk;
      }
      return ConvertResult::kUnsupported;
    }
    default:
      return ConvertResult::kUnsupported;
  }
}

void AppendValueString(const proto::Value& v, std::string* out, bool top) {
  using T = proto::Value::Type;
  char buf[64];
  switch (v.type()) {
    case T::kNil: *out += "NIL"; return;
    case T::kBool: *out += v.as_bool() ? "true" : "false"; return;
    case T::kInt:
      std::snprintf(buf, sizeof(buf), "%" PRId64, v.as_int());
      *out += buf;
      return;
    case T::kDouble:
      std::snprintf(buf, sizeof(buf), "%.16g", v.as_double());
      *out += buf;
      return;
    case T::kString: case T::kGeoJson:
      *out += '"';
      *out += v.str();
      *out += '"';
      return;
    case T::kBytes: case T::kHll: {
      if (v.str().empty()) {
        *out += top ? "Bytes()" : "<NULL>";
        return;
      }
      static constexpr char kHex[] = "0123456789ABCDEF";
      for (size_t i = 0; i < v.str().size(); ++i) {
        const auto b = static_cast<uint8_t>(v.str()[i]);
        if (i) *out += ' ';
        *out += kHex[b >> 4];
        *out += kHex[b & 15];
      }
      return;
    }
    case T::kList:
      *out += '[';
      for (size_t i = 0; i < v.items().size(); ++i) {
        if (i) *out += ", ";
        AppendValueString(v.items()[i], out, false);
      }
      *out += ']';
      return;
    case T::kMap:
      *out += '{';
      for (size_t i = 0; i < v.map_size(); ++i) {
        if (i) *out += ", ";
        AppendValueString(v.map_key(i), out, false);
        *out += ':';
        AppendValueString(v.map_value(i), out, false);
      }
      *out += '}';
      return;
    default:
      *out += "<NULL>";
      return;
  }
}

}  // namespace

bool IsList(lua_State* L, int index) { return TestList(L, index) != nullptr; }
bool IsMap(lua_State* L, int index) { return TestMap(L, index) != nullptr; }

void PushNewList(lua_State* L) { NewList(L); }

void ListAppendTop(lua_State* L, int list_index) {
  ListBox* box = TestList(L, list_index);
  if (box != nullptr && Storable(L, -1)) {
    ListSet(L, list_index, box, box->size + 1, lua_gettop(L));
  }
  lua_pop(L, 1);
}

void PushValue(lua_State* L, const proto::Value& v) {
  using T = proto::Value::Type;
  luaL_checkstack(L, 6, "value too deep");
  switch (v.type()) {
    case T::kBool: lua_pushboolean(L, v.as_bool()); return;
    case T::kInt: lua_pushinteger(L, v.as_int()); return;
    case T::kDouble: lua_pushnumber(L, v.as_double()); return;
    case T::kString: lua_pushlstring(L, v.str().data(), v.str().size()); return;
    case T::kBytes: PushBytes(L, v.str(), v.subtype()); return;
    case T::kHll: PushBytes(L, v.str(), static_cast<uint8_t>(proto::ParticleType::kHll)); return;
    case T::kGeoJson: PushGeoJson(L, v.str()); return;
    case T::kList: {
      ListBox* box = NewList(L);
      PushItems(L, -1);
      lua_Integer i = 0;
      for (const proto::Value& item : v.items()) {
        PushValue(L, item);
        lua_seti(L, -2, ++i);
      }
      lua_pop(L, 1);
      box->size = i;
      return;
    }
    case T::kMap: {
      MapBox* box = NewMap(L, v.flags());
      const int map = lua_gettop(L);
      for (size_t i = 0; i < v.map_size(); ++i) {
        PushValue(L, v.map_key(i));
        PushValue(L, v.map_value(i));
        MapSet(L, map, box, map + 1, map + 2);
        lua_settop(L, map);
      }
      return;
    }
    default:  // nil, and the CDT-only wildcard/infinity
      lua_pushnil(L);
      return;
  }
}

ConvertResult ToValue(lua_State* L, int index, proto::Value* out) {
  return Convert(L, lua_absindex(L, index), out, 0);
}

std::string ValueToString(const proto::Value& v) {
  std::string out;
  AppendValueString(v, &out, true);
  return out;
}

void RegisterValueTypes(lua_State* L) {
  static const luaL_Reg kListFunctions[] = {
      {"new", ListNew}, {"create", ListNew}, {"insert", ListInsertFn},
      {"append", ListAppendFn}, {"prepend", ListPrependFn}, {"remove", ListRemoveFn},
      {"concat", ListConcatFn}, {"trim", ListTrimFn}, {"take", ListTakeFn},
      {"drop", ListDropFn}, {"size", ListSizeFn}, {"nbytes", ListNbytesFn},
      {"iterator", ListIteratorFn}, {"tostring", ListToStringFn}, {nullptr, nullptr}};
  static const luaL_Reg kListMeta[] = {
      {"__index", ListIndex}, {"__newindex", ListNewIndex}, {"__len", ListLen},
      {"__tostring", ListToStringFn}, {nullptr, nullptr}};
  static const luaL_Reg kMapFunctions[] = {
      {"new", MapNew}, {"create", MapNew}, {"iterator", MapPairsFn}, {"pairs", MapPairsFn},
      {"keys", MapKeysFn}, {"values", MapValuesFn}, {"remove", MapRemoveFn},
      {"size", MapSizeFn}, {"nbytes", MapNbytesFn}, {"tostring", MapToStringFn},
      {nullptr, nullptr}};
  static const luaL_Reg kMapMeta[] = {
      {"__index", MapIndex}, {"__newindex", MapNewIndex}, {"__len", MapLen},
      {"__tostring", MapToStringFn}, {nullptr, nullptr}};
  static const luaL_Reg kNoFunctions[] = {{nullptr, nullptr}};
  static const luaL_Reg kGeoJsonMeta[] = {{"__tostring", GeoJsonToString}, {nullptr, nullptr}};

  RegisterClass(L, kListClass, kListMeta);
  RegisterClass(L, kMapClass, kMapMeta);
  RegisterClass(L, kGeoJsonClass, kGeoJsonMeta);
  RegisterObject(L, "list", kListFunctions, ListCall);
  RegisterObject(L, "map", kMapFunctions, MapCall);
  RegisterObject(L, "geojson", kNoFunctions, GeoJsonCall);
  RegisterBytesLibrary(L);
}

}  // namespace aerospike_py::lua
