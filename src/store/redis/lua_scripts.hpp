// SPDX-License-Identifier: MIT
// The Lua scripts of the Redis store, embedded at build time from lua/*.lua.
#pragma once
#include "store/redis/append_lua.hpp"        // kAppendLua
#include "store/redis/raise_cursor_lua.hpp"  // kRaiseCursorLua
#include "store/redis/raise_field_lua.hpp"   // kRaiseFieldLua
