// SPDX-License-Identifier: MIT
// An uploaded file as the store keeps it (the bytes are on disk, media::BlobStore, by their
// SHA-256), and its JSON on the wire (docs/PROTOCOL.md "Files").
#pragma once
#include <cstdint>
#include <string>

#include "store/types.hpp"

namespace parley::store {

struct FileRecord {
  std::string id;  // 20 hex digits, random: not guessable, says nothing of the content
  UserId owner = 0;
  std::string sha256;
  std::string name;  // the original name (UTF-8, no path)
  std::string type;  // a MIME type; for images the one their bytes show
  std::int64_t size = 0;
  int width = 0, height = 0;  // images
  bool thumb = false;         // a thumbnail exists
  std::int64_t created_ms = 0;
};

// `{"id","name","type","size","url"(,"width","height","thumb_url")}`
std::string file_json(const FileRecord& f);

}  // namespace parley::store
