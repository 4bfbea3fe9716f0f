// SPDX-License-Identifier: MIT
// Password hashing with Argon2id (libsodium). Both calls are deliberately slow (~100 ms, 64 MiB)
// and must run on the blocking pool, never on a network thread.
#pragma once
#include <string>
#include <string_view>

namespace parley::auth {

struct PasswordCost {
  unsigned long long ops = 2;                   // crypto_pwhash_OPSLIMIT_INTERACTIVE
  std::size_t mem_bytes = 64ull * 1024 * 1024;  // crypto_pwhash_MEMLIMIT_INTERACTIVE
};

// Encoded hash ("$argon2id$v=19$m=...") holding its own salt and cost. Throws std::bad_alloc
// when the memory for the hash cannot be had.
std::string hash_password(std::string_view password, const PasswordCost& cost);

// True when `password` matches `encoded`.
bool verify_password(std::string_view password, const std::string& encoded);

}  // namespace parley::auth
