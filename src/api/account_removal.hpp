// SPDX-License-Identifier: MIT
// Deleting an account, for the user (POST /api/account/delete) and for admins alike: the account
// first leaves each of its groups as if it had left itself (members get the usual `removed`
// event; an owner's group passes to an admin or member, store/group_rules), then the store
// deletes it (tokens revoked, connections closed, inbox and profile gone, name reserved).
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "store/types.hpp"

namespace parley::store {
class Store;
}

namespace parley::api {

enum class RemovalResult { kDone, kNotFound, kFailed };

void remove_account(store::Store& store, store::UserId user, std::string name,
                    std::int64_t reserve_until_ms, std::function<void(RemovalResult)> done);

}  // namespace parley::api
