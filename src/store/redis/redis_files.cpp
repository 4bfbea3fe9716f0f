// SPDX-License-Identifier: MIT
// RedisStore's files (store.hpp "files"). Keys: redis_keys.hpp; every command touches one key.
#include <cstdlib>

#include "store/redis/redis_codec.hpp"
#include "store/redis/redis_keys.hpp"
#include "store/redis/redis_store.hpp"

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
        if (as_int(c.command({"SETNX", by, f.id}).get()) == 0) {
          // Uploaded before (or right now on another node): that record.
          if (auto same = read_file(c, as_string(c.command({"GET", by}).get()))) return *same;
        }
        c.command({"HSET",       file_key(f.id),
                   "owner",      std::to_string(f.owner),
                   "sha256",     f.sha256,
                   "name",       f.name,
                   "type",       f.type,
                   "size",       std::to_string(f.size),
                   "width",      std::to_string(f.width),
                   "height",     std::to_string(f.height),
                   "thumb",      f.thumb ? "1" : "0",
                   "created_ms", std::to_string(f.created_ms)});
        c.command({"SET", by, f.id});
        c.command({"HINCRBY", kFileUsage, std::to_string(f.owner), std::to_string(f.size)});
        return f;
      });
}

void RedisStore::file_usage(UserId user, Callback<std::int64_t> done) {
  enqueue_query<std::int64_t>(std::move(done), [user](RedisConnection& c) -> Result<std::int64_t> {
    return as_int(c.command({"HGET", kFileUsage, std::to_string(user)}).get());
  });
}

void RedisStore::readable_file(UserId user, std::string id, Callback<FileRecord> done) {
  enqueue_query<FileRecord>(std::move(done),
                            [user, id = std::move(id)](RedisConnection& c) -> Result<FileRecord> {
                              auto f = read_file(c, id);
                              if (!f) return StoreError::kNotFound;
                              if (f->owner == user) return *f;
                              Reply readers = c.command({"SMEMBERS", file_readers_key(id)});
                              std::string me = "u" + std::to_string(user);
                              for (std::size_t i = 0; i < readers->elements; ++i) {
                                std::string r = as_string(readers->element[i]);
                                if (r == me) return *f;
                                if (r.size() > 1 && r[0] == 'g') {
                                  GroupId gid = std::strtoll(r.c_str() + 1, nullptr, 10);
                                  Reply g = c.command({"GET", group_key(gid)});
                                  if (is_nil(g.get())) continue;
                                  auto group = decode_group(as_string(g.get()), gid);
                                  if (group && group->find(user)) return *f;
                                }
                              }
                              return StoreError::kNotFound;
                            });
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
