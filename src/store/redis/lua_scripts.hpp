// SPDX-License-Identifier: MIT
// The Lua scripts of the Redis store, embedded at build time from lua/*.lua.
#pragma once
#include "store/redis/append_lua.hpp"        // kAppendLua
#include "store/redis/raise_cursor_lua.hpp"  // kRaiseCursorLua
#include "store/redis/raise_field_lua.hpp"   // kRaiseFieldLua
// Files (redis_files.cpp): global keys only, no per-user key.
#include "store/redis/file_backfill_lua.hpp"  // kFileBackfillLua
#include "store/redis/file_create_lua.hpp"    // kFileCreateLua
#include "store/redis/file_mark_lua.hpp"      // kFileMarkLua
#include "store/redis/file_sweep_lua.hpp"     // kFileSweepLua
#include "store/redis/file_unmark_lua.hpp"    // kFileUnmarkLua
