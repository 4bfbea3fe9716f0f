// SPDX-License-Identifier: MIT
// Preparing the bench's users over the classic HTTP API: register (or find the name taken) and
// log in, in parallel over keep-alive connections. Not timed: this is set-up, not load.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "options.hpp"

namespace parley::bench {

struct Account {
  std::string name;
  std::string token;
};

// Accounts named prefix + index for indexes [first, first + count). A name that exists is only
// logged in (its password must be `o.password`). Throws std::runtime_error on any failure.
std::vector<Account> prepare_accounts(const Options& o, std::size_t count, std::size_t first = 0);

}  // namespace parley::bench
