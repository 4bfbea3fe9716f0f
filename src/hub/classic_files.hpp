// SPDX-License-Identifier: MIT
// What a classic client (the original page, which shows only `content`) gets for a message that
// carries files: the text followed by one line per file, its name, size and a signed download
// link for this reader (auth/file_link.hpp), e.g.
//   "see this\n📎 截图.png (120 KB) https://chat.example.com/api/files/ID?u=7&e=…&s=…"
// Built only for classic sessions and only for messages with files: nobody else pays for it.
// Pure: any thread.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/file_link.hpp"

namespace parley::hub {

struct ClassicLink {
  const auth::FileLinks& links;
  std::string_view site;  // "https://host[:port]", or empty for a link relative to this server
  auth::LinkReader reader;
  std::int64_t expires_s = 0;
};

// `files_json`: the message's FILE objects (a JSON array). Files it cannot read are left out.
std::string classic_files_text(std::string_view content, std::string_view files_json,
                               const ClassicLink& link);

// "980 B", "12 KB", "1.5 MB"
std::string human_size(std::int64_t bytes);

}  // namespace parley::hub
