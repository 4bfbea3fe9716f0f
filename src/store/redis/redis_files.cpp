// SPDX-License-Identifier: MIT
// RedisStore's files (store.hpp "files") and their clean-up. Keys: redis_keys.hpp. A command
// touches one key; the steps that must be atomic against a sweep on another node (an upload
// finding its record, a send referencing one, a sweep removing one) are Lua scripts
// (lua/file_*.lua) over the file's global keys only.
#include <algorithm>
#include <cstdlib>

#include "store/redis/lua_scripts.hpp"
#include "store/redis/redis_codec.hpp"
#include "store/redis/redis_keys.hpp"
#include "store/redis/redis_store.hpp"
#include "util/clock.hpp"

namespace parley::store::redis {
namespace {

std::optional<FileRecord> read_file(RedisConnection& c, const std::string& id) {
  Reply r = c.command({"HMGET", file_key(id), "owner", "sha256", "name", "type", "size", "width",
                       "height", "thumb", "created_ms"});
  if (r->elements != 9 || is_nil(r->element[0])) return std::nullopt;
  return FileRecord{id,
                    as_int(r->element[0]),
                    as_string(r->element[1]),
                    as_string(r->element[2]),
                    as_string(r->element[3]),
                    as_int(r->element[4]),
                    int(as_int(r->element[5])),
                    int(as_int(r->element[6])),
                    as_int(r->element[7]) != 0,
                    as_int(r->element[8])};
}

}  // namespace

void RedisStore::create_file(FileRecord f, Callback<FileRecord> done) {
  enqueue_query<FileRecord>(
      std::move(done), [f = std::move(f)](RedisConnection& c) -> Result<FileRecord> {
        std::string by = file_by_key(f.owner, f.sha256);
        // Read which record the (owner, bytes) names, then decide in one step; retried when it
        // changed in between (another node's upload or sweep).
        for (int attempt = 0; attempt < 8; ++attempt) {
          Reply cur = c.command({"GET", by});
          std::string kept = is_nil(cur.get()) ? std::string() : as_string(cur.get());
          Reply r = c.command({"EVAL",
                               kFileCreateLua,
                               "6",
                               by,
                               file_key(f.id),
                               file_key(kept.empty() ? f.id : kept),
                               content_key(f.sha256),
                               kFilesUnreferenced,
                               kFileUsage,
                               f.id,
                               kept,
                               std::to_string(util::now_ms()),
                               std::to_string(f.owner),
                               std::to_string(f.size),
                               std::to_string(f.created_ms),
                               "owner",
                               std::to_string(f.owner),
                               "sha256",
                               f.sha256,
                               "name",
                               f.name,
                               "type",
                               f.type,
                               "size",
                               std::to_string(f.size),
                               "width",
                               std::to_string(f.width),
                               "height",
                               std::to_string(f.height),
                               "thumb",
                               f.thumb ? "1" : "0",
                               "created_ms",
                               std::to_string(f.created_ms)});
          if (is_error(r.get())) throw RedisError(std::string("redis: ") + r->str);
          std::int64_t outcome = as_int(r.get());
          if (outcome == 2) return f;
          if (outcome == 1)
            if (auto same = read_file(c, kept)) return *same;
        }
        return StoreError::kUnavailable;  // contended beyond reason
      });
}

void RedisStore::file_usage(UserId user, Callback<std::int64_t> done) {
  enqueue_query<std::int64_t>(std::move(done), [user](RedisConnection& c) -> Result<std::int64_t> {
    return as_int(c.command({"HGET", kFileUsage, std::to_string(user)}).get());
  });
}

void RedisStore::readable_file(UserId user, std::string id, Callback<FileRecord> done) {
  enqueue_query<FileRecord>(
      std::move(done), [user, id = std::move(id)](RedisConnection& c) -> Result<FileRecord> {
        auto f = read_file(c, id);
        if (!f) return StoreError::kNotFound;
        if (f->owner == user) return *f;
        // The readers of the un-recalled messages carrying it (a recall removed its entry).
        Reply refs = c.command({"HVALS", file_refs_key(id)});
        std::string me = "u" + std::to_string(user);
        for (std::size_t i = 0; i < refs->elements; ++i) {
          std::string_view list =
              refs->element[i]->str ? std::string_view(refs->element[i]->str, refs->element[i]->len)
                                    : std::string_view();
          while (!list.empty()) {
            auto comma = list.find(',');
            std::string_view r = list.substr(0, comma);
            list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
            if (r == me) return *f;
            if (r.size() > 1 && r[0] == 'g') {
              GroupId gid = std::strtoll(std::string(r.substr(1)).c_str(), nullptr, 10);
              Reply g = c.command({"GET", group_key(gid)});
              if (is_nil(g.get())) continue;
              auto group = decode_group(as_string(g.get()), gid);
              if (group && group->find(user)) return *f;
            }
          }
        }
        return StoreError::kNotFound;
      });
}

void RedisStore::sweep_files(std::int64_t before_ms, std::size_t limit, Callback<SweptFiles> done) {
  enqueue_query<SweptFiles>(
      std::move(done), [before_ms, limit](RedisConnection& c) -> Result<SweptFiles> {
        SweptFiles out;
        Reply due =
            c.command({"ZRANGEBYSCORE", kFilesUnreferenced, "-inf", "(" + std::to_string(before_ms),
                       "LIMIT", "0", std::to_string(limit)});
        std::vector<std::string> unused;
        for (std::size_t i = 0; i < due->elements; ++i) {
          std::string id = as_string(due->element[i]);
          auto f = read_file(c, id);
          if (!f) {  // gone already (another node's sweep): only its entry is left
            c.command({"ZREM", kFilesUnreferenced, id});
            continue;
          }
          Reply r = c.command({"EVAL", kFileSweepLua, "6", file_key(id), file_refs_key(id),
                               kFilesUnreferenced, kFileUsage, file_by_key(f->owner, f->sha256),
                               content_key(f->sha256), id, std::to_string(before_ms),
                               std::to_string(f->owner), std::to_string(f->size), f->sha256});
          if (is_error(r.get())) throw RedisError(std::string("redis: ") + r->str);
          std::int64_t left = as_int(r.get());
          if (left < 0) continue;
          out.ids.push_back(id);
          out.owners.push_back(f->owner);
          if (left == 0) unused.push_back(f->sha256);
        }
        std::sort(unused.begin(), unused.end());
        unused.erase(std::unique(unused.begin(), unused.end()), unused.end());
        out.unused = std::move(unused);
        return out;
      });
}

void RedisStore::content_in_use(std::string sha256, Callback<bool> done) {
  enqueue_query<bool>(std::move(done),
                      [sha = std::move(sha256)](RedisConnection& c) -> Result<bool> {
                        return as_int(c.command({"SCARD", content_key(sha)}).get()) > 0;
                      });
}

bool RedisStore::mark_file(RedisConnection& c, const std::string& id, MessageId msg,
                           const std::string& readers) {
  Reply r = c.command({"EVAL", kFileMarkLua, "3", file_key(id), file_refs_key(id),
                       kFilesUnreferenced, std::to_string(msg), readers, id});
  if (is_error(r.get())) throw RedisError(std::string("redis: ") + r->str);
  return as_int(r.get()) == 1;
}

void RedisStore::unmark_file(RedisConnection& c, const std::string& id, MessageId msg) {
  Reply r =
      c.command({"EVAL", kFileUnmarkLua, "3", file_key(id), file_refs_key(id), kFilesUnreferenced,
                 std::to_string(msg), std::to_string(util::now_ms()), id});
  if (is_error(r.get())) throw RedisError(std::string("redis: ") + r->str);
}

// Records from before clean-up get their content set and references once (at connect; every
// node may run it, each record's step is atomic and idempotent).
void RedisStore::backfill_files(RedisConnection& c) {
  if (!is_nil(c.command({"GET", kFilesIndexed}).get())) return;
  std::string cursor = "0";
  do {
    Reply page = c.command({"SCAN", cursor, "MATCH", "parley:file:*", "COUNT", "500"});
    if (page->elements != 2) break;
    cursor = as_string(page->element[0]);
    const redisReply* keys = page->element[1];
    for (std::size_t i = 0; i < keys->elements; ++i) {
      std::string key = as_string(keys->element[i]);
      std::string id = key.substr(std::string_view("parley:file:").size());
      auto f = read_file(c, id);
      if (!f) continue;
      c.command({"EVAL", kFileBackfillLua, "5", key, file_readers_key(id), file_refs_key(id),
                 kFilesUnreferenced, content_key(f->sha256), id, std::to_string(f->created_ms)});
    }
  } while (cursor != "0");
  c.command({"SET", kFilesIndexed, "1"});
}

bool RedisStore::attach_files(RedisConnection& c, SendRequest& req) {
  std::string json = "[";
  for (const auto& id : req.files) {
    auto f = read_file(c, id);
    if (!f || f->owner != req.sender) return false;
    if (json.size() > 1) json += ',';
    json += file_json(*f);
  }
  req.files_json = json + "]";
  return true;
}

}  // namespace parley::store::redis
