// SPDX-License-Identifier: MIT
// Signed download links: what lets a client that cannot send a header (the original page, a
// plain `<a href>`) fetch one file. A link names the file, its reader and an expiry, signed with
// a key derived from the token secret, so every node of a cluster verifies it. A link grants no
// more than the reader's own token would: the download still asks the store whether the reader
// may see the file (a member removed from the group loses it). Immutable: any thread.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/token.hpp"

namespace parley::auth {

// Who a link is for: the user and their token generation when it was made, so "log out
// everywhere" (and deleting the account) ends the links too.
struct LinkReader {
  std::int64_t uid = 0;
  std::int64_t gen = 0;
};

class FileLinks {
 public:
  explicit FileLinks(const TokenSigner& tokens);

  // The query of GET /api/files/{id}: "u=UID&g=GEN&e=EXP&s=SIGNATURE" (EXP in Unix seconds).
  std::string query(std::string_view file_id, LinkReader reader, std::int64_t exp_s) const;

  // Parameters of a link as sent.
  struct Params {
    std::string_view u, g, e, s;
  };
  // The reader of a well-signed, unexpired link to `file_id`; nullopt otherwise. (Whether the
  // generation is still current is the caller's check: auth::Revocations.)
  std::optional<LinkReader> reader(std::string_view file_id, const Params& p,
                                   std::int64_t now_s) const;

 private:
  std::string signature(std::string_view file_id, LinkReader r, std::int64_t exp) const;
  TokenSigner signer_;
};

}  // namespace parley::auth
