// The one place Lua's C API is included. Only csrc/lua/ may include it (a
// source rule checks this): the embedded server and the client reach Lua
// through this room's own types.
//
// We link Debian's Lua 5.4 built as C++ (liblua5.4-c++): there lua_error()
// throws a C++ exception instead of calling longjmp(), so an error raised
// inside one of our C functions unwinds through C++ frames and runs their
// destructors. Its symbols keep C linkage, hence lua.hpp's extern "C".
#pragma once

#include <lua.hpp>
