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

inline constexpr const char* kFileUsage = "parley:file_usage";  // hash: uid -> bytes
inline std::string file_key(std::string_view id) {
  return "parley:file:" + std::string(id);  // hash: the FileRecord
}
inline std::string file_readers_key(std::string_view id) {
  return "parley:file_readers:" + std::string(id);  // set: "u<id>", "g<id>"
}
inline std::string file_by_key(UserId owner, std::string_view sha) {
  return "parley:file_by:" + std::to_string(owner) + ":" + std::string(sha);  // -> id
}

inline std::string invite_key(std::string_view code) {
  return std::string(kInvitePrefix).append(code);
}

}  // namespace parley::store::redis
