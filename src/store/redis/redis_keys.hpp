// SPDX-License-Identifier: MIT
// The Redis key space shared by RedisStore's files. Per-user keys carry the `{u<id>}` hash tag,
// so every script touching one user stays in one slot of a Redis Cluster.
#pragma once
#include <string>
#include <string_view>

#include "store/types.hpp"

namespace parley::store::redis {

inline constexpr const char* kUsers = "parley:users";  // hash: name -> id
// hash: util::name_key(name) -> id, so look-alike names are one name (filled from kUsers once,
// for accounts made before it existed, then marked by kNameKeysFilled).
inline constexpr const char* kNameKeys = "parley:name_keys";
inline constexpr const char* kNameKeysFilled = "parley:name_keys_filled";
inline constexpr const char* kUserIds = "parley:user_ids";   // counter
inline constexpr const char* kMessageIds = "parley:msgid";   // counter
inline constexpr const char* kGenerations = "parley:gens";   // hash: uid -> token generation
inline constexpr const char* kReserved = "parley:reserved";  // hash: name key -> until ms
inline constexpr const char* kDeleted = "parley:deleted";    // hash: name -> "<id>:<msg id>"
inline constexpr const char* kDeletedVersion = "parley:deleted_version";  // counter
inline constexpr const char* kInvites = "parley:invites";                 // set of codes
inline constexpr std::string_view kInvitePrefix = "parley:invite:";       // hash per code

inline std::string ukey(UserId id, std::string_view suffix) {
  std::string k = "{u" + std::to_string(id) + "}:";
  k.append(suffix);
  return k;
}

inline std::string group_key(GroupId id) {
  return "{g" + std::to_string(id) + "}:group";
}

// Files: global keys (no hash tag; a file is not one user's). Their multi-key scripts
// (lua/file_*.lua) declare every key they touch and never touch a per-user key.
inline constexpr const char* kFileUsage = "parley:file_usage";  // hash: uid -> bytes kept
// zset: file id -> since when no message references it (ms); the sweeper's work list.
inline constexpr const char* kFilesUnreferenced = "parley:files_unreferenced";
inline constexpr const char* kFilesIndexed = "parley:files_indexed";  // set once backfilled
inline std::string file_key(std::string_view id) {
  return "parley:file:" + std::string(id);  // hash: the FileRecord
}
// Before clean-up (read once by the backfill, then deleted): set: "u<id>", "g<id>".
inline std::string file_readers_key(std::string_view id) {
  return "parley:file_readers:" + std::string(id);
}
// hash: id of an un-recalled message carrying the file -> its readers ("g<id>" or
// "u<id>,u<id>..."; "0" names the readers of messages from before clean-up).
inline std::string file_refs_key(std::string_view id) {
  return "parley:file_refs:" + std::string(id);
}
inline std::string file_by_key(UserId owner, std::string_view sha) {
  return "parley:file_by:" + std::to_string(owner) + ":" + std::string(sha);  // -> id
}
// set: the ids of every record (any owner) with this content; empty: its blob may go.
inline std::string content_key(std::string_view sha) {
  return "parley:content:" + std::string(sha);
}

inline std::string invite_key(std::string_view code) {
  return std::string(kInvitePrefix).append(code);
}

}  // namespace parley::store::redis
