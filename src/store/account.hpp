// SPDX-License-Identifier: MIT
// Values of account management that cross the storage interface: profiles, roles, bans,
// deletion, invite codes (see Store's "accounts" methods).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/types.hpp"

namespace parley::store {

enum class Role : std::uint8_t { kUser = 0, kAdmin = 1 };

// What others may see of a user.
struct Profile {
  std::string name;
  std::string display_name;  // empty: show the name
  std::string status;        // a short status line, may be empty
  bool deleted = false;
};

// What an administrator sees of a user.
struct Account {
  UserId id = 0;
  std::string name;
  std::string display_name;
  std::string status;
  Role role = Role::kUser;
  bool banned = false;
  std::int64_t created_ms = 0;
};

struct AccountPage {
  std::vector<Account> accounts;  // by name
  bool more = false;
  std::int64_t total = 0;  // registered accounts (not deleted)
};

// A deleted account's name on the wire from then on ('~' cannot start a registered name), so
// messages it sent stay in others' history without being taken for a later user of the name.
inline std::string deleted_name(UserId id) {
  return "~deleted-" + std::to_string(id);
}
inline bool is_deleted_name(std::string_view name) {
  return name.substr(0, 9) == "~deleted-";
}

// A new account. `invite` non-empty: one use of that invite code is consumed in the same step,
// and the account is not created if the code is unknown, used up or expired (kInviteInvalid).
struct NewAccount {
  std::string name;
  std::string password_hash;
  std::string invite;
  Role role = Role::kUser;
};

enum class AccountOp {
  kProfile,  // display_name, status
  kRole,     // role
  kBan,      // banned, and every token revoked (as revoke_all_tokens)
  kUnban,
  kDelete,  // tokens revoked, profile and inbox removed, the name reserved until reserve_until_ms
};

struct AccountChange {
  AccountOp op = AccountOp::kProfile;
  UserId user = 0;
  std::string display_name;
  std::string status;
  Role role = Role::kUser;
  std::int64_t reserve_until_ms = 0;
};

struct Invite {
  std::string code;
  std::int64_t uses_left = 1;
  std::int64_t uses = 0;  // how often it was used
  std::int64_t expires_ms = 0;
  std::int64_t created_ms = 0;
  std::string created_by;
};

}  // namespace parley::store
