// SPDX-License-Identifier: MIT
// An uploaded file as the store keeps it (the bytes are on disk, media::BlobStore, by their
// SHA-256), and its JSON on the wire (docs/PROTOCOL.md "Files").
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

// The ids of the FILE objects in a message's files JSON (as file_json wrote them). A name cannot
// fake one: inside a JSON string every quote is escaped, so `{"id":"` only starts an object.
std::vector<std::string> file_ids(std::string_view files_json);

// What one sweep (Store::sweep_files) removed: the records, and the contents no record keeps
// any more (their blobs and thumbnails may go from disk; see api/file_sweeper.hpp).
struct SweptFiles {
  std::vector<std::string> ids;
  std::vector<UserId> owners;       // whose usage went down (one entry per record)
  std::vector<std::string> unused;  // sha256 of contents no remaining record has
};

}  // namespace parley::store
