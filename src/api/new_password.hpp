// SPDX-License-Identifier: MIT
// Hashing a password chosen now (registration, change, admin reset) at the configured cost.
#pragma once
#include <string>

#include "auth/password.hpp"
#include "config/config.hpp"

namespace parley::api {

inline std::string hash_new_password(const config::Config& c, const std::string& password) {
  auth::PasswordCost cost;
  if (c.hash_cost == config::HashCost::kFast) cost = {1, 64 * 1024};
  return auth::hash_password(password, cost);
}

}  // namespace parley::api
