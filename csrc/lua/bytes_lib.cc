// The `bytes` module of the UDF environment: a growable byte array with a
// particle subtype, read and written at 1-based positions as bytes,
// strings, big/little-endian integers and var-ints.
//
// It models the server's as_bytes: a buffer of `capacity` bytes of which
// the first `size` are the value. Writes past the capacity grow it; writes
// past the size extend the size, except var-int writes, which (as in the
// server) never change the size. Functions answer false / nothing for bad
// arguments instead of raising, as documented; reads never go past the
// buffer.
#include <cstring>
#include <limits>
#include <new>
#include <string>

#include "lua/values.h"

namespace aerospike_py::lua {
namespace {

// Beyond this a write fails: the buffer lives outside Lua's allocator (and
// its memory limit), and no record holds a bin this large.
constexpr lua_Integer kMaxCapacity = lua_Integer{128} << 20;

struct BytesBox {
  std::string buf;  // `capacity` bytes; the value is the first `size`
  uint32_t size = 0;
  uint8_t subtype = 4;
  uint32_t capacity() const { return static_cast<uint32_t>(buf.size()); }
};

BytesBox* Check(lua_State* L, int index) {
  luaL_checktype(L, index, LUA_TUSERDATA);  // the server's first check
  return static_cast<BytesBox*>(luaL_checkudata(L, index, kBytesClass));
}

BytesBox* NewBytes(lua_State* L, uint32_t capacity) {
  auto* box = static_cast<BytesBox*>(lua_newuserdatauv(L, sizeof(BytesBox), 0));
  new (box) BytesBox();
  luaL_setmetatable(L, kBytesClass);
  box->buf.assign(capacity, '\0');
  return box;
}

bool Ensure(BytesBox* b, lua_Integer capacity, bool resize) {
  if (capacity <= b->capacity()) return true;
  if (!resize || capacity > kMaxCapacity) return false;
  b->buf.resize(static_cast<size_t>(capacity), '\0');
  return true;
}

// Writes `n` bytes at 0-based `pos`, growing the buffer; extends the size.
bool Write(BytesBox* b, lua_Integer pos, const void* data, size_t n) {
  if (!Ensure(b, pos + static_cast<lua_Integer>(n), true)) return false;
  if (n) std::memcpy(b->buf.data() + pos, data, n);
  if (pos + static_cast<lua_Integer>(n) > b->size) b->size = static_cast<uint32_t>(pos + n);
  return true;
}

// A 1-based position argument as a 0-based offset; -1 when out of range.
lua_Integer Position(lua_State* L, int arg) {
  const lua_Integer i = luaL_optinteger(L, arg, 0);
  if (i < 1 || i > std::numeric_limits<uint32_t>::max()) return -1;
  return i - 1;
}

int PushFalse(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}

int Destroy(lua_State* L) {
  auto* box = static_cast<BytesBox*>(luaL_checkudata(L, 1, kBytesClass));
  box->~BytesBox();
  return 0;
}

int New(lua_State* L) {
  // bytes() or bytes(capacity): the value starts empty.
  const int n = lua_gettop(L);
  if (n != 1 && n != 2) return 0;
  const lua_Integer capacity = n == 2 ? luaL_optinteger(L, 2, 0) : 0;
  if (capacity < 0 || capacity > kMaxCapacity) return 0;
  NewBytes(L, static_cast<uint32_t>(capacity));
  return 1;
}

int Size(lua_State* L) {
  if (lua_gettop(L) != 1) {
    lua_pushinteger(L, 0);
    return 1;
  }
  lua_pushinteger(L, Check(L, 1)->size);
  return 1;
}

int SetSize(lua_State* L) {
  // Grows the capacity only (the server's as_bytes_ensure without resize):
  // succeeds when it already suffices.
  if (lua_gettop(L) != 2) return PushFalse(L);
  BytesBox* b = Check(L, 1);
  const lua_Integer c = luaL_optinteger(L, 2, 0);
  if (c < 0 || c > std::numeric_limits<uint32_t>::max()) return PushFalse(L);
  lua_pushboolean(L, Ensure(b, c, false));
  return 1;
}

int GetType(lua_State* L) {
  lua_pushinteger(L, Check(L, 1)->subtype);
  return 1;
}

int SetType(lua_State* L) {
  if (lua_gettop(L) != 2) return PushFalse(L);
  BytesBox* b = Check(L, 1);
  const lua_Integer t = luaL_optinteger(L, 2, 0);
  if (t == 0) return PushFalse(L);
  b->subtype = static_cast<uint8_t>(t);
  lua_pushboolean(L, 1);
  return 1;
}

int GetByte(lua_State* L) {
  if (lua_gettop(L) != 2) return 0;
  BytesBox* b = Check(L, 1);
  const lua_Integer pos = Position(L, 2);
  if (pos < 0 || pos >= b->size) return 0;
  lua_pushinteger(L, static_cast<uint8_t>(b->buf[pos]));
  return 1;
}

int SetByte(lua_State* L) {
  if (lua_gettop(L) != 3) return PushFalse(L);
  BytesBox* b = Check(L, 1);
  const lua_Integer pos = Position(L, 2);
  const lua_Integer v = luaL_optinteger(L, 3, 0);
  if (pos < 0 || v < 0 || v > 0xFF) return PushFalse(L);
  const auto byte = static_cast<uint8_t>(v);
  lua_pushboolean(L, Write(b, pos, &byte, 1));
  return 1;
}

// get_string / get_bytes(b, pos, n): n bytes from pos, within the buffer.
bool Range(lua_State* L, BytesBox* b, lua_Integer* pos, lua_Integer* n) {
  *pos = Position(L, 2);
  *n = luaL_optinteger(L, 3, 0);
  if (*pos < 0 || *n < 0 || *n > std::numeric_limits<uint32_t>::max()) return false;
  if (*pos > b->capacity()) *pos = b->capacity();
  if (*pos + *n > b->capacity()) *n = b->capacity() - *pos;
  return true;
}

int GetString(lua_State* L) {
  if (lua_gettop(L) != 3) return 0;
  BytesBox* b = Check(L, 1);
  lua_Integer pos, n;
  if (!Range(L, b, &pos, &n)) return 0;
  lua_pushlstring(L, b->buf.data() + pos, static_cast<size_t>(n));
  return 1;
}

int GetBytesFn(lua_State* L) {
  if (lua_gettop(L) != 3) return 0;
  BytesBox* b = Check(L, 1);
  lua_Integer pos, n;
  if (!Range(L, b, &pos, &n)) return 0;
  std::string part = b->buf.substr(static_cast<size_t>(pos), static_cast<size_t>(n));
  BytesBox* out = NewBytes(L, 0);
  out->size = static_cast<uint32_t>(part.size());
  out->buf = std::move(part);
  return 1;
}

int SetString(lua_State* L) {
  if (lua_gettop(L) != 3) return PushFalse(L);
  BytesBox* b = Check(L, 1);
  const lua_Integer pos = Position(L, 2);
  size_t n = 0;
  const char* v = luaL_optlstring(L, 3, nullptr, &n);
  if (pos < 0 || v == nullptr) return PushFalse(L);
  lua_pushboolean(L, Write(b, pos, v, n));
  return 1;
}

int SetBytes(lua_State* L) {
  if (lua_gettop(L) != 4) return PushFalse(L);
  BytesBox* b = Check(L, 1);
  const lua_Integer pos = Position(L, 2);
  BytesBox* v = Check(L, 3);
  const lua_Integer n = luaL_optinteger(L, 4, 0);
  if (pos < 0 || n < 0) return PushFalse(L);
  const size_t count = std::min<size_t>(static_cast<size_t>(n), v->size);
  const std::string copy = v->buf.substr(0, count);  // b and v may be the same
  lua_pushboolean(L, Write(b, pos, copy.data(), copy.size()));
  return 1;
}

int AppendString(lua_State* L) {
  if (lua_gettop(L) != 2) return PushFalse(L);
  BytesBox* b = Check(L, 1);
  size_t n = 0;
  const char* v = luaL_optlstring(L, 2, nullptr, &n);
  if (v == nullptr || n == 0) return PushFalse(L);
  lua_pushboolean(L, Write(b, b->size, v, n));
  return 1;
}

int AppendBytes(lua_State* L) {
  if (lua_gettop(L) != 3) return PushFalse(L);
  BytesBox* b = Check(L, 1);
  BytesBox* v = Check(L, 2);
  const lua_Integer n = luaL_optinteger(L, 3, 0);
  if (n < 0) return PushFalse(L);
  const size_t count = std::min<size_t>(static_cast<size_t>(n), v->size);
  const std::string copy = v->buf.substr(0, count);
  lua_pushboolean(L, Write(b, b->size, copy.data(), copy.size()));
  return 1;
}

int AppendByte(lua_State* L) {
  if (lua_gettop(L) != 2) return PushFalse(L);
  BytesBox* b = Check(L, 1);
  const lua_Integer v = luaL_optinteger(L, 2, 0);
  if (v < 0 || v > 0xFF) return PushFalse(L);
  const auto byte = static_cast<uint8_t>(v);
  lua_pushboolean(L, Write(b, b->size, &byte, 1));
  return 1;
}

// Fixed-width integers: `Width` bytes, big- or little-endian, signed.
template <int Width>
bool InRange(lua_Integer v) {
  if constexpr (Width == 8) {
    return true;
  } else {
    constexpr lua_Integer lo = -(lua_Integer{1} << (8 * Width - 1));
    constexpr lua_Integer hi = (lua_Integer{1} << (8 * Width - 1)) - 1;
    return v >= lo && v <= hi;
  }
}

template <int Width, bool BigEndian>
void Encode(lua_Integer v, uint8_t* out) {
  const auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < Width; ++i) {
    const int shift = 8 * (BigEndian ? Width - 1 - i : i);
    out[i] = static_cast<uint8_t>(u >> shift);
  }
}

template <int Width, bool BigEndian>
lua_Integer Decode(const uint8_t* in) {
  uint64_t u = 0;
  for (int i = 0; i < Width; ++i) {
    const int shift = 8 * (BigEndian ? Width - 1 - i : i);
    u |= uint64_t{in[i]} << shift;
  }
  if constexpr (Width == 2) return static_cast<int16_t>(u);
  if constexpr (Width == 4) return static_cast<int32_t>(u);
  return static_cast<int64_t>(u);
}

template <int Width, bool BigEndian>
int GetInt(lua_State* L) {
  if (lua_gettop(L) != 2) return 0;
  BytesBox* b = Check(L, 1);
  const lua_Integer pos = Position(L, 2);
  if (pos < 0 || pos + Width > b->size) return 0;
  lua_pushinteger(L, Decode<Width, BigEndian>(reinterpret_cast<const uint8_t*>(b->buf.data()) + pos));
  return 1;
}

template <int Width, bool BigEndian>
int SetInt(lua_State* L) {
  if (lua_gettop(L) != 3) return PushFalse(L);
  BytesBox* b = Check(L, 1);
  const lua_Integer pos = Position(L, 2);
  const lua_Integer v = luaL_optinteger(L, 3, 0);
  if (pos < 0 || !InRange<Width>(v)) return PushFalse(L);
  uint8_t raw[Width];
  Encode<Width, BigEndian>(v, raw);
  lua_pushboolean(L, Write(b, pos, raw, Width));
  return 1;
}

template <int Width, bool BigEndian>
int AppendInt(lua_State* L) {
  if (lua_gettop(L) != 2) return PushFalse(L);
  BytesBox* b = Check(L, 1);
  const lua_Integer v = luaL_optinteger(L, 2, 0);
  if (!InRange<Width>(v)) return PushFalse(L);
  uint8_t raw[Width];
  Encode<Width, BigEndian>(v, raw);
  lua_pushboolean(L, Write(b, b->size, raw, Width));
  return 1;
}

// Var-ints: 7 bits per byte, low group first, high bit = more follows.
int GetVarInt(lua_State* L) {
  if (lua_gettop(L) != 2) return 0;
  BytesBox* b = Check(L, 1);
  const lua_Integer pos = Position(L, 2);
  if (pos < 0) return 0;
  uint32_t value = 0;
  uint32_t n = 0;
  for (lua_Integer p = pos; p < b->capacity() && n < 5; ++p) {
    const auto byte = static_cast<uint8_t>(b->buf[p]);
    value |= static_cast<uint32_t>(byte & 0x7F) << (7 * n);
    ++n;
    if (!(byte & 0x80)) break;
  }
  lua_pushinteger(L, value);
  lua_pushinteger(L, n);
  return 2;
}

// Writes a var-int at `pos` inside the capacity; the size is unchanged.
uint32_t PutVarInt(BytesBox* b, lua_Integer pos, uint32_t value) {
  if (!Ensure(b, pos + 5, true)) return 0;
  uint32_t n = 0;
  while (value >= 0x80) {
    b->buf[pos + n++] = static_cast<char>(value | 0x80);
    value >>= 7;
  }
  b->buf[pos + n++] = static_cast<char>(value);
  return n;
}

int SetVarInt(lua_State* L) {
  if (lua_gettop(L) != 3) {
    lua_pushinteger(L, 0);
    return 1;
  }
  BytesBox* b = Check(L, 1);
  const lua_Integer pos = Position(L, 2);
  const lua_Integer v = luaL_optinteger(L, 3, 0);
  if (pos < 0 || !InRange<4>(v)) {
    lua_pushinteger(L, 0);
    return 1;
  }
  lua_pushinteger(L, PutVarInt(b, pos, static_cast<uint32_t>(v)));
  return 1;
}

int AppendVarInt(lua_State* L) {
  if (lua_gettop(L) != 2) {
    lua_pushinteger(L, 0);
    return 1;
  }
  BytesBox* b = Check(L, 1);
  const lua_Integer v = luaL_optinteger(L, 2, 0);
  if (!InRange<4>(v)) {
    lua_pushinteger(L, 0);
    return 1;
  }
  lua_pushinteger(L, PutVarInt(b, b->size, static_cast<uint32_t>(v)));
  return 1;
}

int ToString(lua_State* L) {
  if (lua_gettop(L) != 1) {
    lua_pushinteger(L, 0);
    return 1;
  }
  BytesBox* b = Check(L, 1);
  const std::string s = ValueToString(proto::Value::Bytes(b->buf.substr(0, b->size)));
  lua_pushlstring(L, s.data(), s.size());
  return 1;
}

}  // namespace

void PushBytes(lua_State* L, std::string data, uint8_t subtype) {
  BytesBox* b = NewBytes(L, 0);
  b->size = static_cast<uint32_t>(data.size());
  b->buf = std::move(data);
  b->subtype = subtype;
}

bool IsBytes(lua_State* L, int index) {
  return luaL_testudata(L, index, kBytesClass) != nullptr;
}

bool GetBytes(lua_State* L, int index, std::string* data, uint8_t* subtype) {
  auto* b = static_cast<BytesBox*>(luaL_testudata(L, index, kBytesClass));
  if (b == nullptr) return false;
  data->assign(b->buf.data(), b->size);
  *subtype = b->subtype;
  return true;
}

void RegisterBytesLibrary(lua_State* L) {
  static const luaL_Reg kFunctions[] = {
      {"size", Size},
      {"set_size", SetSize},
      {"get_type", GetType},
      {"set_type", SetType},
      {"get_string", GetString},
      {"get_bytes", GetBytesFn},
      {"get_byte", GetByte},
      {"get_int16", GetInt<2, true>},
      {"get_int16_be", GetInt<2, true>},
      {"get_int16_le", GetInt<2, false>},
      {"get_int32", GetInt<4, true>},
      {"get_int32_be", GetInt<4, true>},
      {"get_int32_le", GetInt<4, false>},
      {"get_int64", GetInt<8, true>},
      {"get_int64_be", GetInt<8, true>},
      {"get_int64_le", GetInt<8, false>},
      {"get_var_int", GetVarInt},
      {"set_string", SetString},
      {"set_bytes", SetBytes},
      {"set_byte", SetByte},
      {"set_int16", SetInt<2, true>},
      {"set_int16_be", SetInt<2, true>},
      {"set_int16_le", SetInt<2, false>},
      {"set_int32", SetInt<4, true>},
      {"set_int32_be", SetInt<4, true>},
      {"set_int32_le", SetInt<4, false>},
      {"set_int64", SetInt<8, true>},
      {"set_int64_be", SetInt<8, true>},
      {"set_int64_le", SetInt<8, false>},
      {"set_var_int", SetVarInt},
      {"append_string", AppendString},
      {"append_bytes", AppendBytes},
      {"append_byte", AppendByte},
      {"append_int16", AppendInt<2, true>},
      {"append_int16_be", AppendInt<2, true>},
      {"append_int16_le", AppendInt<2, false>},
      {"append_int32", AppendInt<4, true>},
      {"append_int32_be", AppendInt<4, true>},
      {"append_int32_le", AppendInt<4, false>},
      {"append_int64", AppendInt<8, true>},
      {"append_int64_be", AppendInt<8, true>},
      {"append_int64_le", AppendInt<8, false>},
      {"append_var_int", AppendVarInt},
      {nullptr, nullptr},
  };
  static const luaL_Reg kMeta[] = {
      {"__index", GetByte}, {"__newindex", SetByte}, {"__len", Size},
      {"__tostring", ToString}, {"__gc", Destroy}, {nullptr, nullptr},
  };
  luaL_newmetatable(L, kBytesClass);
  luaL_setfuncs(L, kMeta, 0);
  lua_pop(L, 1);
  lua_newtable(L);
  luaL_setfuncs(L, kFunctions, 0);
  lua_newtable(L);
  lua_pushcfunction(L, New);
  lua_setfield(L, -2, "__call");
  lua_pushvalue(L, -2);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_setglobal(L, "bytes");
}

}  // namespace aerospike_py::lua
